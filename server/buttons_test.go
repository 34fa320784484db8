package server_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPages_OfferOnlyWhatTheReaderMay: a reader who does not see all of a
// sheet may not submit, clear, return, restore, roll forward or delete it
// (the API refuses them, 403), so the pages do not offer them the buttons:
// they say why instead.
// Before, the sheet page offered a RESTRICTED officer "Delete this sheet"
// and "Submit for clearance", and the round page a RESTRICTED lead "Clear"
// and "Return", on a sheet holding a SECRET paragraph; each press failed.
func TestPages_OfferOnlyWhatTheReaderMay(t *testing.T) {
	f := newFixture(t)
	w := f.world() // w.sheet holds a RESTRICTED and a SECRET paragraph
	open := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Open words", para("Plain words.", "RESTRICTED", "")))
	review, del := `action="/sheets/`+w.sheet+`/review"`, `action="/sheets/`+w.sheet+`/delete"`
	restore, forward := `action="/sheets/`+w.sheet+`/restore"`, `action="/sheets/`+w.sheet+`/rollforward"`
	// A later round to roll forward into, and a second version to restore from.
	f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 9, "starts_on": "2027-05-10", "city": "Nelson", "host": "home", "marking": "RESTRICTED"})
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) { editOne(sh, 0, 0, "Edited, so there is a version to restore.") })
	for _, c := range []struct {
		user, path string
		offered    bool
		buttons    []string
	}{
		{"officer", "/sheets/" + w.sheet, true, []string{review, del, restore, forward}},
		{"lowofficer", "/sheets/" + w.sheet, false, []string{review, del, restore, forward}},
		{"lead", "/sheets/" + w.sheet, true, []string{review, del}},
		{"lowlead", "/sheets/" + w.sheet, false, []string{review, del}},
		{"lead", "/rounds/" + w.round, true, []string{review}},
		{"lowlead", "/rounds/" + w.round, false, []string{review}},
	} {
		page := f.pageBrowser(c.user).open(c.path)
		for _, b := range c.buttons {
			if strings.Contains(page, b) != c.offered {
				t.Errorf("%s on %s: %s offered %v, want %v", c.user, c.path, b, !c.offered, c.offered)
			}
		}
		if said := strings.Contains(page, "above your clearance: only someone who can see all of it"); said == c.offered {
			t.Errorf("%s on %s: why not said %v", c.user, c.path, said)
		}
	}
	// A sheet the RESTRICTED lead sees whole is theirs to review.
	if page := f.pageBrowser("lowlead").open("/rounds/" + w.round); !strings.Contains(page, `action="/sheets/`+open+`/review"`) {
		t.Error("the RESTRICTED lead is offered no review at all")
	}
}

// TestRoundPage_OffersClearOnlyOnSubmitted: the round page offers a lead
// Clear on a submitted sheet only, as the sheet page does: a draft is
// cleared once its officer submits it, and a cleared sheet is cleared.
// Return stays offered on each. Before, a draft's row offered Clear, and
// pressing it always failed ("only a submitted sheet can be cleared").
func TestRoundPage_OffersClearOnlyOnSubmitted(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	draft := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Still a draft", para("Plain words.", "RESTRICTED", "")))
	submitted := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Put forward", para("Plain words.", "RESTRICTED", "")))
	cleared := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cleared already", para("Plain words.", "RESTRICTED", "")))
	for _, id := range []string{submitted, cleared} {
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
			t.Fatalf("submit: %d %s", r.Code, r.Body.String())
		}
	}
	if r := f.do("lead", "POST", "/api/v1/sheets/"+cleared+"/review", map[string]string{"decision": "clear"}); r.Code != 200 {
		t.Fatalf("clear: %d %s", r.Code, r.Body.String())
	}
	page := f.pageBrowser("lead").open("/rounds/" + w.round)
	form := func(id string) string {
		m := regexp.MustCompile(`(?s)<form method="post" action="/sheets/` + id + `/review".*?</form>`).FindString(page)
		if m == "" {
			t.Fatalf("no review form for sheet %s on the round page", id)
		}
		return m
	}
	for _, c := range []struct {
		id    string
		clear bool
	}{{draft, false}, {submitted, true}, {cleared, false}} {
		fm := form(c.id)
		if got := strings.Contains(fm, `value="clear"`); got != c.clear {
			t.Errorf("sheet %s: Clear offered %v, want %v", c.id, got, c.clear)
		}
		if !strings.Contains(fm, `value="return"`) {
			t.Errorf("sheet %s: Return not offered", c.id)
		}
	}
	if !strings.Contains(form(draft), "Cleared once its officer submits it.") {
		t.Error("the draft's row does not say why it cannot be cleared")
	}
}

// TestSheetPage_OffersRestoreOnlyWhereItWorks: the sheet page offers to
// restore a version only where the API would: on a draft, and a version
// the writer is cleared for whole. Before, a RESTRICTED officer seeing all
// of the sheet now was offered to restore a version that held a SECRET
// paragraph since deleted, and anyone to restore on a submitted sheet;
// each press was refused.
func TestSheetPage_OffersRestoreOnlyWhereItWorks(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// Version 1 holds a SECRET paragraph; version 2 deletes it.
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Border Security",
		para("Open words on the border.", "RESTRICTED", ""), para("Secret words on the border.", "SECRET", "")))
	f.update("officer", "/api/v1/sheets/"+id, func(sh map[string]any) {
		sec := sh["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	// Versions 3 and 4, the RESTRICTED officer's (version 2 changed nothing
	// they see, so it is not in their list).
	f.update("lowofficer", "/api/v1/sheets/"+id, func(sh map[string]any) { editOne(sh, 0, 0, "Open words, edited.") })
	f.update("lowofficer", "/api/v1/sheets/"+id, func(sh map[string]any) { editOne(sh, 0, 0, "Open words, edited again.") })
	offers := func(page string, version int) bool {
		return regexp.MustCompile(`action="/sheets/` + id + `/restore"[^\n]*name="version" value="` + strconv.Itoa(version) + `"`).MatchString(page)
	}
	for _, c := range []struct {
		user     string
		version  int
		restores bool
	}{
		{"officer", 1, true},
		{"officer", 3, true},
		{"lowofficer", 1, false},
		{"lowofficer", 3, true},
	} {
		page := f.pageBrowser(c.user).open("/sheets/" + id)
		if got := offers(page, c.version); got != c.restores {
			t.Errorf("%s is offered to restore version %d: %v, want %v", c.user, c.version, got, c.restores)
		}
		if c.user == "lowofficer" && c.version == 1 && !strings.Contains(page, "not yours to restore") {
			t.Error("the page does not say why version 1 is not offered")
		}
	}
	// What the page offers, the API does.
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"4"`); r.Code != 403 {
		t.Errorf("the RESTRICTED officer restoring version 1 through the API: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 3}, "If-Match", `"4"`); r.Code != 200 {
		t.Errorf("the RESTRICTED officer restoring version 3 through the API: %d %s", r.Code, r.Body.String())
	}
	// A submitted sheet keeps its versions as they are: no restore is offered.
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	page := f.pageBrowser("officer").open("/sheets/" + id)
	if strings.Contains(page, `action="/sheets/`+id+`/restore"`) || !strings.Contains(page, "A version is restored on a draft") {
		t.Error("a submitted sheet's page offers to restore a version, or does not say why not")
	}
}

// TestEditor_OffersSubmitOnlyWhenItCanSucceed: the editor offers "Save and
// submit for clearance" only to a writer who sees all of the sheet, as
// the sheet's page offers Submit; to one who does not it says why. Before,
// a RESTRICTED officer was offered it on a sheet holding a SECRET
// paragraph, and every press saved and then failed to submit ("holds
// content above your clearance").
func TestEditor_OffersSubmitOnlyWhenItCanSucceed(t *testing.T) {
	f := newFixture(t)
	w := f.world() // w.sheet holds a RESTRICTED and a SECRET paragraph
	open := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Open words", para("Plain words.", "RESTRICTED", "")))
	const button, why = `value="submit"`, "above your clearance: only someone who can see all of it may submit it"
	for _, c := range []struct {
		user, sheet string
		offered     bool
	}{
		{"officer", w.sheet, true},
		{"lowofficer", w.sheet, false},
		{"lowofficer", open, true},
	} {
		b := f.pageBrowser(c.user)
		page := b.open("/sheets/" + c.sheet + "/edit")
		if strings.Contains(page, button) != c.offered || strings.Contains(page, why) == c.offered {
			t.Errorf("%s editing %s: submit offered %v, why said %v; want offered %v",
				c.user, c.sheet, strings.Contains(page, button), strings.Contains(page, why), c.offered)
		}
		// The working copy a change in the editor leads to says the same.
		rec := b.act(c.sheet, page, "add-para:0", nil)
		working := b.open(rec.Header().Get("Location"))
		if strings.Contains(working, button) != c.offered || strings.Contains(working, why) == c.offered {
			t.Errorf("%s's working copy of %s: submit offered %v, why said %v; want offered %v",
				c.user, c.sheet, strings.Contains(working, button), strings.Contains(working, why), c.offered)
		}
	}
}
