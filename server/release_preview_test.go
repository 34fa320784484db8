package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// releaseForm posts the round page's "Respond to a request" form as lead.
func releaseForm(f *fixture, round, op string, form url.Values) response {
	v := url.Values{"op": {op}}
	for k, x := range form {
		v[k] = x
	}
	return f.do("lead", "POST", "/rounds/"+round+"/releases", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// TestReleaseForm_MistypedGroundKept: a part's grounds refused are shown
// again as typed, beside the message, so the lead corrects them; the box
// came back empty, the ground dropped as unknown.
func TestReleaseForm_MistypedGroundKept(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	form := url.Values{"reference": {"OIA-X"}, "received_on": {"2026-11-01"}, "request": {"All briefing."},
		"decision_maker": {"Tony Lynch"}, "part_agenda": {"released_in_part"}, "grounds_agenda": {"s99(q)"},
		"part_actions": {"withheld"}, "grounds_actions": {"s6(a), s7(z)"}}
	for _, op := range []string{"preview", "make"} {
		r := releaseForm(f, w.round, op, form)
		body := r.Body.String()
		if r.Code != 422 || !strings.Contains(body, "must be one of") {
			t.Fatalf("%s: %d", op, r.Code)
		}
		for _, want := range []string{`name="grounds_agenda" value="s99(q)"`, `name="grounds_actions" value="s6(a), s7(z)"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form lacks %s", op, want)
			}
		}
	}
}

// TestReleaseForm_PreviewSaysWhatTheReleaseSays: the preview's letter and
// schedule use the release's words (its date, "You requested:", the
// decisions and grounds as the schedule writes them, the parts' selects
// too), and say why a part chosen released is scheduled in part. Before,
// the preview showed "2026-11-02" and "released_in_part", and an agenda
// whose lead is withheld was scheduled in part with no word of why.
func TestReleaseForm_PreviewSaysWhatTheReleaseSays(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	withheld := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Junior Adviser", "title": "Adviser", "agency_id": w.agency, "marking": "RESTRICTED", "withhold": "s9(2)(a)"})
	f.update("lead", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["agenda"] = []map[string]any{{"title": "Opening session", "lead_person_id": withheld}}
	})
	form := url.Values{"reference": {"OIA-2026-9"}, "received_on": {"2026-11-02"}, "request": {"All briefing on the 3rd round."},
		"decision_maker": {"Tony Lynch"}, "decision_maker_title": {"Deputy Chief Executive"}, "part_agenda": {"released"}, "part_delegations": {"released"}}
	r := releaseForm(f, w.round, "preview", form)
	body := r.Body.String()
	if r.Code != 200 {
		t.Fatalf("preview: %d", r.Code)
	}
	letter := "request received on 2 November 2026. You requested:"
	for _, want := range []string{letter, "<td data-label=\"Decision\">Released in part</td><td data-label=\"Grounds\">S9(2)(a)</td>",
		"Agenda is scheduled “Released in part” under S9(2)(a), not “Released in full” as chosen, because a person named in it is withheld.",
		`<option value="released" selected>Released in full</option>`, `<option value="out_of_scope">Out of scope</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview lacks %s", want)
		}
	}
	for _, raw := range []string{">released_in_part<", ">out_of_scope<", ">released<", "2026-11-02</p>"} {
		if strings.Contains(body, raw) {
			t.Errorf("the preview shows %s", raw)
		}
	}
	if r := releaseForm(f, w.round, "make", form); r.Code != 303 {
		t.Fatalf("make: %d", r.Code)
	}
	var rels struct{ Items []struct{ ID string } }
	f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/releases", nil).json(&rels)
	release := f.do("lead", "GET", "/api/v1/releases/"+rels.Items[0].ID+"?format=html", nil).Body.String()
	for _, want := range []string{letter, "<td>Released in part</td><td>S9(2)(a)</td>"} {
		if !strings.Contains(release, want) {
			t.Errorf("the release lacks %s", want)
		}
	}
	if strings.Contains(release, "as chosen") {
		t.Error("the release tells the requester what the lead chose")
	}
}

// TestRelease_ReceivedAfterTheLetter: a request received after the
// letter's date (the day the release is made) is refused, 422 naming
// received_on, on the form and through the API: the letter would thank
// the requester for a request not yet made, and the release, frozen,
// cannot be corrected after. Received that day is accepted.
func TestRelease_ReceivedAfterTheLetter(t *testing.T) {
	f := newFixture(t) // the clock says 24 November 2026
	w := f.world()
	body := map[string]any{"reference": "OIA-2026-10", "received_on": "2026-11-25", "request": "All briefing.", "decision_maker": "Tony Lynch"}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", body)
	if r.Code != 422 || !strings.Contains(r.Body.String(), `"received_on":"must not be after the letter's date, 24 November 2026`) {
		t.Errorf("API: %d %s", r.Code, r.Body.String())
	}
	form := url.Values{"reference": {"OIA-2026-10"}, "received_on": {"2026-11-25"}, "request": {"All briefing."}, "decision_maker": {"Tony Lynch"}}
	if r := releaseForm(f, w.round, "preview", form); r.Code != 422 || !strings.Contains(r.Body.String(), "must not be after the letter") {
		t.Errorf("form: %d", r.Code)
	}
	body["received_on"] = "2026-11-24"
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", body); r.Code != 201 {
		t.Errorf("received the day of the letter: %d %s", r.Code, r.Body.String())
	}
}
