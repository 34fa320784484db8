package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var bannerTop = regexp.MustCompile(`id="banner-top"[^>]*>([^<]*)</div>`)

// banner is the marking a page states at its top; the bottom must agree.
func banner(t *testing.T, page string) string {
	t.Helper()
	m := bannerTop.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no top banner in %s", page)
	}
	if !strings.Contains(page, `id="banner-bottom"`) || strings.Count(page, ">"+m[1]+"</div>") < 2 {
		t.Fatalf("the bottom banner does not say %s", m[1])
	}
	return m[1]
}

// TestPages_MarkingOfWhatTheyShow: the dashboard and the search page are
// marked as the highest marking of what they show, rounds and actions
// included, not only topic sheets.
func TestPages_MarkingOfWhatTheyShow(t *testing.T) {
	f := newFixture(t)
	f.addUser("secretviewer", "viewer", "SECRET")
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Franco–New Zealand Dialogue", "home": "New Zealand", "partner": "France", "established": "2016-10-01", "cadence_months": 12})
	// A past round, unmarked: not on the dashboard itself.
	past := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "status": "held"})
	b := f.pageBrowser("secretviewer")
	if got := banner(t, b.open("/")); got != "UNCLASSIFIED" {
		t.Fatalf("a dashboard of nothing marked is %s", got)
	}

	t.Run("OpenAction", func(t *testing.T) {
		a := f.create("secretariat", "/api/v1/dialogues/"+d+"/actions", map[string]any{"ref": "1.01", "text": "Exchange SECRETACTION assessments", "raised_in_round_id": past, "marking": "SECRET"})
		page := b.open("/")
		if !strings.Contains(page, "SECRETACTION") {
			t.Fatal("the dashboard lacks the open action")
		}
		if got := banner(t, page); got != "SECRET" {
			t.Fatalf("a dashboard showing a SECRET action is marked %s", got)
		}
		var dash struct {
			OpenActions []struct{ Marking string } `json:"open_actions"`
		}
		f.do("secretviewer", "GET", "/api/v1/dashboard", nil).json(&dash)
		if len(dash.OpenActions) != 1 || dash.OpenActions[0].Marking != "SECRET" {
			t.Fatalf("the dashboard's open actions: %+v", dash.OpenActions)
		}
		// The dialogue's page lists every action, and is marked by them too.
		if got := banner(t, b.open("/dialogues/"+d)); got != "SECRET" {
			t.Fatalf("a dialogue page showing a SECRET action is marked %s", got)
		}
		f.update("secretariat", "/api/v1/actions/"+a, func(m map[string]any) { m["status"] = "complete" })
		if got := banner(t, b.open("/")); got != "UNCLASSIFIED" {
			t.Fatalf("a dashboard without the closed action is marked %s", got)
		}
	})

	t.Run("UpcomingRound", func(t *testing.T) {
		r := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2027-03-01", "city": "Paris SECRETCITY", "host": "partner", "marking": "SECRET"})
		page := b.open("/")
		if !strings.Contains(page, "SECRETCITY") {
			t.Fatal("the dashboard lacks the upcoming round")
		}
		if got := banner(t, page); got != "SECRET" {
			t.Fatalf("a dashboard showing a SECRET round is marked %s", got)
		}
		var dash struct {
			Upcoming []struct{ ID, Marking string } `json:"upcoming_rounds"`
		}
		f.do("secretviewer", "GET", "/api/v1/dashboard", nil).json(&dash)
		if len(dash.Upcoming) != 1 || dash.Upcoming[0].ID != r || dash.Upcoming[0].Marking != "SECRET" {
			t.Fatalf("the dashboard's rounds: %+v", dash.Upcoming)
		}
		// A reader below the round sees neither it nor its marking.
		low := f.pageBrowser("viewer").open("/")
		if strings.Contains(low, "SECRETCITY") || banner(t, low) != "UNCLASSIFIED" {
			t.Fatal("a RESTRICTED viewer's dashboard shows the SECRET round or its marking")
		}
	})

	t.Run("Search", func(t *testing.T) {
		page := b.open("/search?q=Paris")
		if !strings.Contains(page, "SECRETCITY") {
			t.Fatal("the search page lacks the round")
		}
		if got := banner(t, page); got != "SECRET" {
			t.Fatalf("a search page showing a SECRET round is marked %s", got)
		}
		if got := banner(t, b.open("/search?q=Wellington")); got != "UNCLASSIFIED" {
			t.Fatalf("a search page showing only an unmarked round is marked %s", got)
		}
		var res struct{ Items []map[string]string }
		f.do("secretviewer", "GET", "/api/v1/search?q=Paris", nil).json(&res)
		if len(res.Items) != 1 || res.Items[0]["marking"] != "SECRET" {
			t.Fatalf("the search's hits: %v", res.Items)
		}
		low := f.pageBrowser("viewer").open("/search?q=Paris")
		if strings.Contains(low, "SECRETCITY") || banner(t, low) != "UNCLASSIFIED" {
			t.Fatal("a RESTRICTED viewer's search shows the SECRET round or its marking")
		}
	})
}

// TestRoundForms_KeepWhatWasTyped: the round edit, new round and new
// action forms offer only the markings within the user's clearance; a form
// refused, for a bad date or a marking above them posted anyway, is shown
// again with what was typed and the field's error, never a bare error page.
func TestRoundForms_KeepWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("secretariat") // cleared to SECRET
	round := w.round

	t.Run("MarkingsOffered", func(t *testing.T) {
		for _, page := range []string{"/rounds/" + round, "/dialogues/" + w.dialogue, "/people", "/people/" + w.person} {
			body := b.open(page)
			if strings.Contains(body, `<option value="TOP SECRET"`) {
				t.Errorf("%s offers TOP SECRET to a user cleared to SECRET", page)
			}
			if !strings.Contains(body, `<option value="SECRET"`) {
				t.Errorf("%s does not offer SECRET to a user cleared to SECRET", page)
			}
		}
	})

	roundForm := func(edit map[string]string) url.Values {
		form := url.Values{"csrf_token": {b.csrf}, "version": {"1"}, "op": {"save"}, "number": {"3"}, "starts_on": {"2018-05-10"},
			"ends_on": {"2018-05-11"}, "city": {"Wellington"}, "host": {"home"}, "status": {"scheduled"}, "marking": {"RESTRICTED"},
			"purpose": {""}, "key_messages": {""}, "outcomes": {""}, "agencies_form": {"1"}, "agencies_partner": {w.agency}}
		for k, v := range edit {
			form.Set(k, v)
		}
		return form
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		var r map[string]any
		f.do("secretariat", "GET", "/api/v1/rounds/"+round, nil).json(&r)
		if r["version"] != float64(1) || r["city"] != "Wellington" || r["marking"] != "RESTRICTED" {
			t.Fatalf("a refused form changed the round: %v", r)
		}
	}

	t.Run("BadDate", func(t *testing.T) {
		rec := b.send("POST", "/rounds/"+round, roundForm(map[string]string{"starts_on": "2027-02-30", "ends_on": "", "city": "TYPEDCITY", "purpose": "TYPEDPURPOSE"}))
		body := rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, "must be a date written YYYY-MM-DD") {
			t.Fatalf("%d %s", rec.Code, body)
		}
		for _, typed := range []string{`value="2027-02-30"`, `value="TYPEDCITY"`, ">TYPEDPURPOSE</textarea>", `name="agencies_partner" value="` + w.agency + `" checked`} {
			if !strings.Contains(body, typed) {
				t.Errorf("the form lost %s", typed)
			}
		}
		unchanged(t)
	})

	t.Run("MarkingAboveClearance", func(t *testing.T) {
		rec := b.send("POST", "/rounds/"+round, roundForm(map[string]string{"marking": "TOP SECRET", "city": "TYPEDCITY2"}))
		body := rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, `value="TYPEDCITY2"`) || !strings.Contains(body, "is above your clearance") {
			t.Fatalf("%d %s", rec.Code, body)
		}
		if got := banner(t, body); got != "SECRET" { // the round's SECRET sheet is listed on it
			t.Errorf("the page is marked %s", got)
		}
		unchanged(t)

		rec = b.send("POST", "/dialogues/"+w.dialogue+"/rounds", url.Values{"csrf_token": {b.csrf}, "number": {"9"}, "starts_on": {"2027-06-01"},
			"city": {"TYPEDNEWCITY"}, "host": {"home"}, "status": {"proposed"}, "marking": {"TOP SECRET"}})
		body = rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, `value="TYPEDNEWCITY"`) || !strings.Contains(body, "is above your clearance") {
			t.Fatalf("new round: %d %s", rec.Code, body)
		}

		rec = b.send("POST", "/dialogues/"+w.dialogue+"/actions", url.Values{"csrf_token": {b.csrf}, "ref": {"9.09"}, "text": {"TYPEDACTION"},
			"raised_in_round_id": {round}, "status": {"not_started"}, "marking": {"TOP SECRET"}})
		body = rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, ">TYPEDACTION</textarea>") || !strings.Contains(body, "is above your clearance") {
			t.Fatalf("new action: %d %s", rec.Code, body)
		}
		var l struct{ Items []map[string]any }
		f.do("admin", "GET", "/api/v1/dialogues/"+w.dialogue+"/rounds", nil).json(&l)
		if len(l.Items) != 2 {
			t.Fatalf("%d rounds after a refused new round", len(l.Items))
		}
		f.do("admin", "GET", "/api/v1/dialogues/"+w.dialogue+"/actions", nil).json(&l)
		if len(l.Items) != 1 {
			t.Fatalf("%d actions after a refused new action", len(l.Items))
		}
	})
}

// TestRoundPage_MarkedByThePeopleItNames: a round page names people — its
// co-chairs and delegates to anyone, and every person the reader may see in
// the menus of a lead or above — and is marked by them, not only by the
// round and its sheets.
func TestRoundPage_MarkedByThePeopleItNames(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("secretviewer", "viewer", "SECRET")
	round := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 9, "starts_on": "2027-05-10", "city": "Nelson", "host": "home", "marking": "RESTRICTED"})
	viewer, secretariat := f.pageBrowser("secretviewer"), f.pageBrowser("secretariat")
	if got := banner(t, viewer.open("/rounds/"+round)); got != "RESTRICTED" {
		t.Fatalf("a RESTRICTED round naming nobody is marked %s to a viewer", got)
	}
	page := secretariat.open("/rounds/" + round)
	if !strings.Contains(page, "Covert Contact") {
		t.Fatal("the secretariat's menus lack the SECRET person")
	}
	if got := banner(t, page); got != "SECRET" {
		t.Fatalf("a round page whose menus name a SECRET person is marked %s", got)
	}
	f.update("secretariat", "/api/v1/rounds/"+round, func(m map[string]any) {
		m["delegation"] = []map[string]string{{"person_id": w.secretPerson, "side": "partner"}}
	})
	page = viewer.open("/rounds/" + round)
	if !strings.Contains(page, "Covert Contact") {
		t.Fatal("the page lacks the SECRET delegate")
	}
	if got := banner(t, page); got != "SECRET" {
		t.Fatalf("a round page naming a SECRET delegate is marked %s", got)
	}
}

// TestPageMarking_FromTextPreview: a brief's text previewed on the round
// page shows the sheet it makes, SECRET paragraphs and all: the page is
// marked no lower than they are (it kept the round's RESTRICTED).
func TestPageMarking_FromTextPreview(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	round := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Auckland", "host": "home", "marking": "RESTRICTED"})
	b := f.pageBrowser("officer") // SECRET
	if got := banner(t, b.open("/rounds/"+round)); got != "RESTRICTED" {
		t.Fatalf("the round page is marked %s", got)
	}
	rec := b.send("POST", "/rounds/"+round+"/sheets/from-text", url.Values{"csrf_token": {b.csrf}, "op": {"preview"},
		"text": {"Covert liaison\nSituational assessment\n- SECRETWORDS of the liaison.\n"}, "marking": {"SECRET"}})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "SECRETWORDS") || !strings.Contains(body, "(SECRET)") {
		t.Fatalf("preview: %d", rec.Code)
	}
	if got := banner(t, body); got != "SECRET" {
		t.Errorf("a page showing a SECRET paragraph (the preview) is marked %s", got)
	}
}

// TestSheetPages_MarkedByTheirComments: a review comment may be marked
// above its paragraph, and the sheet page and the editor show it: each page
// is marked by the comments it shows, as by its paragraphs. Both were
// marked by the sheet alone: a SECRET comment on a RESTRICTED sheet was
// shown under a RESTRICTED banner.
func TestSheetPages_MarkedByTheirComments(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Pacific Resilience", para("Words open to all.", "RESTRICTED", "")))
	p := f.sheet("officer", id).Sections[0].Paragraphs[0].ID
	b := f.pageBrowser("officer")
	if got := banner(t, b.open("/sheets/"+id)); got != "RESTRICTED" {
		t.Fatalf("the sheet page before any comment is marked %s", got)
	}
	cm := f.create("officer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": p, "text": "A SECRETNOTE on the assessment.", "marking": "SECRET"})
	for _, path := range []string{"/sheets/" + id, "/sheets/" + id + "/edit"} {
		page := b.open(path)
		if !strings.Contains(page, "SECRETNOTE") {
			t.Fatalf("%s does not show the comment", path)
		}
		if got := banner(t, page); got != "SECRET" {
			t.Errorf("%s, showing a SECRET comment, is marked %s", path, got)
		}
	}
	// Resolved, it is still listed on the sheet's page, and no longer in
	// the editor.
	if r := f.do("officer", "POST", "/api/v1/comments/"+cm+"/resolve", nil); r.Code != 200 {
		t.Fatalf("resolve: %d %s", r.Code, r.Body.String())
	}
	if got := banner(t, b.open("/sheets/"+id)); got != "SECRET" {
		t.Errorf("the sheet page, listing a resolved SECRET comment, is marked %s", got)
	}
	page := b.open("/sheets/" + id + "/edit")
	if strings.Contains(page, "SECRETNOTE") {
		t.Fatal("the editor shows a resolved comment")
	}
	if got := banner(t, page); got != "RESTRICTED" {
		t.Errorf("the editor, showing no comment, is marked %s", got)
	}
	// Below it, a reader is shown neither the comment nor its marking.
	if page := f.pageBrowser("lowofficer").open("/sheets/" + id); strings.Contains(page, "SECRETNOTE") || banner(t, page) != "RESTRICTED" {
		t.Errorf("a RESTRICTED officer's sheet page: banner %s, the comment shown: %v", banner(t, page), strings.Contains(page, "SECRETNOTE"))
	}
}

// TestSheetPages_MarkedByTheChangesTheyShow: the sheet page's "Changed
// since last round" and a version's "what changed" show the older text's
// words where a paragraph was changed or removed, and are marked by them:
// a SECRET paragraph removed since was shown struck through under the
// newer text's RESTRICTED banner.
func TestSheetPages_MarkedByTheChangesTheyShow(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	id := f.rolled(w.round, next, "Pacific Resilience", []map[string]any{{"kind": "situation", "paragraphs": []map[string]string{
		para("Words open to all.", "RESTRICTED", ""), para("The SECRETWORDS of the assessment.", "SECRET", "")}}})
	f.editSheet(id, func(secs []any) {
		sec := secs[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	b := f.pageBrowser("officer")
	for _, path := range []string{"/sheets/" + id, "/sheets/" + id + "/versions/2"} {
		page := b.open(path)
		if !strings.Contains(page, "<del>The SECRETWORDS") {
			t.Fatalf("%s does not show the removed paragraph", path)
		}
		if got := banner(t, page); got != "SECRET" {
			t.Errorf("%s, showing a SECRET paragraph removed, is marked %s", path, got)
		}
	}
	// A paragraph added shows only the newer text's words.
	f.editSheet(id, func(secs []any) {
		sec := secs[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("More words open to all.", "RESTRICTED", ""))
	})
	if got := banner(t, b.open("/sheets/"+id+"/versions/3")); got != "RESTRICTED" {
		t.Errorf("version 3, against version 2 a paragraph added, is marked %s", got)
	}
}

// TestEditor_ConflictPageMarkedByTheirs: the conflict page shows the other
// officer's text of a paragraph beside the writer's, and is marked by it:
// a paragraph another raised to SECRET and rewrote was shown under the
// writer's RESTRICTED banner.
func TestEditor_ConflictPageMarkedByTheirs(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sheet := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Clash", para("The first paragraph as it was.", "RESTRICTED", "")))
	theirs := func(ps []any) []any {
		ps[0].(map[string]any)["text"] = "The lead's SECRETREWRITE."
		ps[0].(map[string]any)["marking"] = "SECRET"
		return ps
	}
	_, rec, _ := clashOnFirstParagraph(t, f, sheet, "officer", theirs, "", map[string]string{"s0.p0.text": "The officer's rewrite."})
	body := rec.Body.String()
	if rec.Code != 409 || !strings.Contains(body, "SECRETREWRITE") {
		t.Fatalf("save: %d, theirs shown: %v", rec.Code, strings.Contains(body, "SECRETREWRITE"))
	}
	if got := banner(t, body); got != "SECRET" {
		t.Errorf("the conflict page, showing a SECRET paragraph of theirs, is marked %s", got)
	}
}

// packMarking is an HTML pack's marking line.
var packMarking = regexp.MustCompile(`<div class="marking">([^<]*)</div>`)

// TestPages_MarkedByEveryCanaryTheyShow walks every GET route, with every
// id of the canaries' world, as readers cleared for what the canaries hold
// (each token is planted in SECRET content): a page, or a full edition's
// HTML pack, that shows a token is marked SECRET or above. A page marked by part of what it shows — its
// sheet and not a comment on it, a version and not the words the one before
// it held — is found wherever the part it missed is shown.
func TestPages_MarkedByEveryCanaryTheyShow(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	// Besides, on the RESTRICTED sheet the canaries' round holds: a SECRET
	// comment, and a SECRET paragraph added and removed (its versions, and
	// what changed, show it).
	restricted := cw.ids["sheet"][2]
	first := f.sheet("lead", restricted).Sections[0].Paragraphs[0].ID
	f.create("lead", "/api/v1/sheets/"+restricted+"/comments", map[string]any{"paragraph_id": first, "text": cw.token("comment on a restricted sheet"), "marking": "SECRET"})
	f.update("lead", "/api/v1/sheets/"+restricted, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para(cw.token("paragraph removed from a restricted sheet"), "SECRET", ""))
	})
	f.update("lead", "/api/v1/sheets/"+restricted, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		ps := sec["paragraphs"].([]any)
		sec["paragraphs"] = ps[:len(ps)-1]
	})
	shown := 0
	for _, reader := range []string{"officer", "lead", "secretariat"} {
		for _, p := range canaryPaths(t, f, cw) {
			if strings.Contains(p, "/static/") {
				continue
			}
			r := f.do(reader, "GET", p, nil)
			page := r.Body.String()
			if !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") {
				continue
			}
			// A page says its marking in its banners; an HTML pack in its
			// marking line (a release edition's says it is released, and
			// what it releases may be of any marking).
			var got string
			if strings.Contains(page, `id="banner-top"`) {
				got = banner(t, page)
			} else if m := packMarking.FindStringSubmatch(page); m != nil && !strings.HasPrefix(m[1], "Released under") {
				got = m[1]
			} else {
				continue
			}
			found := findCanaries(cw.tokens, r)
			if len(found) == 0 {
				continue
			}
			shown++
			if got != "SECRET" && got != "TOP SECRET" {
				t.Errorf("%s GET %s (%d) is marked %s and shows %s", reader, p, r.Code, got, found[0])
			}
		}
	}
	if shown < 20 {
		t.Fatalf("only %d pages showed a token: the test checks too little", shown)
	}
	t.Logf("%d pages showing SECRET content checked", shown)
}
