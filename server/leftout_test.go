package server_test

import (
	"net/url"
	"testing"
)

// The saves of pages keep what a form left out as the API does (see
// "Withholding and marking left out" in README): a field missing from a
// form (not one sent empty, where the form means "none") is kept.

// TestRoundForm_MarkingLeftOut: the round's own form sent without its
// marking keeps it. Before, it was read as none and validated to the
// lowest: a SECRET round was shown to a RESTRICTED viewer.
func TestRoundForm_MarkingLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	if r := f.do("viewer", "GET", "/api/v1/rounds/"+w.secretRound, nil); r.Code != 404 {
		t.Fatalf("viewer reads the SECRET round before: %d", r.Code)
	}
	b := f.pageBrowser("secretariat")
	page := b.open("/rounds/" + w.secretRound)
	form := formOn(t, page, "/rounds/"+w.secretRound)
	for k, v := range (url.Values{"number": {"4"}, "starts_on": {"2019-05-10"}, "ends_on": {"2019-05-10"}, "city": {"Canberra"},
		"host": {"partner"}, "status": {"proposed"}, "purpose": {"Secret zanzibar purpose."}, "key_messages": {""}, "outcomes": {""}, "op": {"save"}}) {
		form[k] = v
	}
	form.Del("marking")
	rec := b.send("POST", "/rounds/"+w.secretRound, form)
	if rec.Code != 303 && rec.Code != 422 && rec.Code != 400 {
		t.Fatalf("POST round form: %d", rec.Code)
	}
	var r struct{ Marking string }
	f.do("admin", "GET", "/api/v1/rounds/"+w.secretRound, nil).json(&r)
	if r.Marking != "SECRET" {
		t.Errorf("round form sent without marking (answer %d): the round is now marked %q, not SECRET", rec.Code, r.Marking)
	}
	if g := f.do("viewer", "GET", "/api/v1/rounds/"+w.secretRound, nil); g.Code == 200 {
		t.Errorf("a RESTRICTED viewer now reads the round: %s", g.Body.String())
	}
}

// TestPersonForm_WithholdingLeftOut: the person's form sent without its
// withhold field keeps the person's withholding. Before, it released them.
func TestPersonForm_WithholdingLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Private Official", "title": "Adviser", "agency_id": w.agency,
		"country": "New Zealand", "bio": "A private bio.", "marking": "UNCLASSIFIED", "withhold": "s9(2)(a)"})
	b := f.pageBrowser("secretariat")
	page := b.open("/people/" + id)
	form := formOn(t, page, "/people/"+id)
	for k, v := range (url.Values{"name": {"Private Official"}, "title": {"Senior Adviser"}, "agency_id": {w.agency}, "country": {"New Zealand"},
		"bio": {"A private bio."}, "marking": {"UNCLASSIFIED"}}) {
		form[k] = v
	}
	form.Del("withhold")
	rec := b.send("POST", "/people/"+id, form)
	var p struct{ Title, Withhold string }
	f.do("admin", "GET", "/api/v1/people/"+id, nil).json(&p)
	if p.Withhold != "s9(2)(a)" {
		t.Errorf("person form sent without withhold (answer %d, title now %q): withholding now %q, not s9(2)(a)", rec.Code, p.Title, p.Withhold)
	}
}

// TestEditor_MarkingLeftOut: the editor's form with a paragraph's marking
// sent as "" keeps it, as the API's merge does. Before, the save gave it
// the round's marking, lowering a SECRET paragraph to RESTRICTED.
func TestEditor_MarkingLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	rec := b.act(w.sheet, page, "save", map[string]string{"s0.p1.marking": ""})
	var sh sheetJSON
	sh = f.sheet("lead", w.sheet)
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if p.Text == "Zanzibar assessment held at secret." && p.Marking != "SECRET" {
				t.Errorf("editor save (answer %d) with the SECRET paragraph's marking sent \"\": now %q", rec.Code, p.Marking)
			}
		}
	}
}

// TestUsers_DisabledLeftOut: a user's PUT that leaves out "disabled" (a
// client sending only what it changed, here a role) keeps the account
// disabled. Before, it was read as false and enabled the account again.
func TestUsers_DisabledLeftOut(t *testing.T) {
	f := newFixture(t)
	id := f.userID("viewer")
	f.update("admin", "/api/v1/users/"+id, func(m map[string]any) { m["disabled"] = true })
	g := f.do("admin", "GET", "/api/v1/users/"+id, nil)
	put := f.do("admin", "PUT", "/api/v1/users/"+id, map[string]any{"name": "viewer", "role": "officer", "clearance": "RESTRICTED"}, "If-Match", g.Header().Get("ETag"))
	var u struct{ Disabled bool }
	f.do("admin", "GET", "/api/v1/users/"+id, nil).json(&u)
	if !u.Disabled {
		t.Errorf("PUT without disabled (answer %d): the disabled account is enabled again", put.Code)
	}
	if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "viewer", "password": testPassword}); r.Code == 200 {
		t.Errorf("the account disabled signs in again")
	}
}
