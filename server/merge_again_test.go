package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// againSheet is a sheet of one section, lead-written: Alpha, Bravo,
// Hotel (TOP SECRET, above the officer), Charlie, Delta (SECRET), Echo;
// the rest RESTRICTED.
func againSheet(f *fixture) string {
	w := f.world()
	return f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Sent twice", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{
			para("Alpha paragraph.", "RESTRICTED", ""),
			para("Bravo paragraph.", "RESTRICTED", ""),
			para("Hotel paragraph, top secret.", "TOP SECRET", ""),
			para("Charlie paragraph.", "RESTRICTED", ""),
			para("Delta paragraph, secret.", "SECRET", ""),
			para("Echo paragraph.", "RESTRICTED", ""),
		}},
	}})
}

// startsWith is the index of the first paragraph of sh's first section
// whose text starts with prefix, or -1.
func startsWith(sh sheetJSON, prefix string) int {
	for j, p := range sh.Sections[0].Paragraphs {
		if strings.HasPrefix(p.Text, prefix) {
			return j
		}
	}
	return -1
}

// addedAfter is sh with a new paragraph (no id) of text, RESTRICTED, after
// the paragraph at j of its first section.
func addedAfter(sh sheetJSON, j int, text string) sheetJSON {
	p := sh.Sections[0].Paragraphs[j]
	p.ID, p.Text, p.Marking, p.Withhold = "", text, "RESTRICTED", ""
	ps := sh.Sections[0].Paragraphs
	rest := append(append(ps[:0:0], p), ps[j+1:]...) // a new slice: sh's own is left as it was
	sh.Sections[0].Paragraphs = append(ps[:j+1:j+1], rest...)
	return sh
}

// textsOf is every paragraph's text of sh, joined.
func textsOf(sh sheetJSON) string {
	var out []string
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			out = append(out, p.Text)
		}
	}
	return strings.Join(out, "|")
}

// TestSheetService_MergeSentAgain: the same merge sent twice (a client
// retrying after a timeout) adds its new paragraph once, and says nothing
// of the writer's own first save as someone else's change; with another's
// save between the two, that one is kept and named.
func TestSheetService_MergeSentAgain(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t)
		id := againSheet(f)
		mine := f.sheet("officer", id)
		mine.Sections[0].Paragraphs[startsWith(mine, "Alpha")].Text = "Alpha, edited once."
		mine = addedAfter(mine, startsWith(mine, "Charlie"), "Zulu, added once.")
		for n := 1; n <= 2; n++ {
			r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
			if r.Code != 200 || r.Header().Get("ETag") != `"2"` || r.Header().Get("Briefpack-Merged") != "0" || r.Header().Get("Briefpack-Merged-From") != "" {
				t.Fatalf("sending %d: %d %v %s", n, r.Code, r.Header(), r.Body.String())
			}
		}
		got := f.sheet("lead", id)
		want := "Alpha, edited once.|Bravo paragraph.|Hotel paragraph, top secret.|Charlie paragraph.|Zulu, added once.|Delta paragraph, secret.|Echo paragraph."
		if got.Version != 2 || textsOf(got) != want {
			t.Fatalf("version %d: %s\nwant %s", got.Version, textsOf(got), want)
		}
	})
	t.Run("AfterAnotherSave", func(t *testing.T) {
		f := newFixture(t)
		id := againSheet(f)
		mine := addedAfter(f.sheet("officer", id), 0, "Zulu, added once.")
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
			t.Fatalf("first sending: %d %s", r.Code, r.Body.String())
		}
		other := f.sheet("lowofficer", id)
		other.Sections[0].Paragraphs[startsWith(other, "Echo")].Text = "Echo, as lowofficer put it."
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", other); r.Code != 200 {
			t.Fatalf("lowofficer: %d %s", r.Code, r.Body.String())
		}
		r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
		if r.Code != 200 || r.Header().Get("ETag") != `"3"` || r.Header().Get("Briefpack-Merged") != "1" || r.Header().Get("Briefpack-Merged-From") != "lowofficer" {
			t.Fatalf("sent again: %d %v %s", r.Code, r.Header(), r.Body.String())
		}
		got := f.sheet("lead", id)
		want := "Alpha paragraph.|Zulu, added once.|Bravo paragraph.|Hotel paragraph, top secret.|Charlie paragraph.|Delta paragraph, secret.|Echo, as lowofficer put it."
		if got.Version != 3 || textsOf(got) != want {
			t.Fatalf("version %d: %s\nwant %s", got.Version, textsOf(got), want)
		}
	})
}

// TestEditor_SaveSentTwice: the editor's Save sent twice (a double click
// without the script, or Back and the same form again) saves what was
// typed once, and the second answer does not tell the writer their own
// first save was someone else's change.
func TestEditor_SaveSentTwice(t *testing.T) {
	f := newFixture(t)
	id := againSheet(f)
	b := f.pageBrowser("officer")
	edit := "/sheets/" + id + "/edit"
	page := b.open(edit)
	page = b.open(seeOther(t, b.act(id, page, "add-para:0", nil), edit+"?working=1#s0-p5"))
	form := editorForm(page)
	form.Set("s0.p5.text", "Zulu, typed once in the editor.")
	form.Set("op", "save")
	for n := 1; n <= 2; n++ {
		seeOther(t, b.send("POST", edit, url.Values(form)), edit)
		flash := regexp.MustCompile(`class="flash[^"]*"[^>]*>[^<]*`).FindString(b.open(edit))
		if !strings.Contains(flash, "Saved (version 2).") {
			t.Errorf("sending %d says: %s", n, flash)
		}
	}
	got := f.sheet("lead", id)
	if c := strings.Count(textsOf(got), "Zulu"); got.Version != 2 || c != 1 {
		t.Fatalf("version %d, the paragraph typed once is there %d times: %s", got.Version, c, textsOf(got))
	}
}

// TestEditor_SaveAfterOwnSave: a save merged with the writer's own earlier
// save, from another page of the sheet, says it merged changes saved while
// they were editing, never that someone else saved them.
func TestEditor_SaveAfterOwnSave(t *testing.T) {
	f := newFixture(t)
	id := againSheet(f)
	b := f.pageBrowser("officer")
	edit := "/sheets/" + id + "/edit"
	first, second := b.open(edit), b.open(edit)
	seeOther(t, b.act(id, first, "save", map[string]string{"s0.p0.text": "Alpha, from the first page."}), edit)
	seeOther(t, b.act(id, second, "save", map[string]string{"s0.p1.text": "Bravo, from the second page."}), edit)
	flash := regexp.MustCompile(`class="flash[^"]*"[^>]*>[^<]*`).FindString(b.open(edit))
	if !strings.Contains(flash, "Saved (version 3), together with 1 change(s) saved while you were editing.") {
		t.Errorf("the second save says: %s", flash)
	}
	if got := textsOf(f.sheet("lead", id)); !strings.Contains(got, "Alpha, from the first page.|Bravo, from the second page.") {
		t.Fatalf("saved: %s", got)
	}
}

// TestSheetService_MergeConflictWithOwnSave: a merge that conflicts only
// with its writer's own earlier save (sent again after a correction) does
// not say someone else made it.
func TestSheetService_MergeConflictWithOwnSave(t *testing.T) {
	f := newFixture(t)
	id := againSheet(f)
	mine := f.sheet("officer", id)
	j := startsWith(mine, "Alpha")
	mine.Sections[0].Paragraphs[j].Text = "Alpha, with a typo."
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
		t.Fatalf("first sending: %d %s", r.Code, r.Body.String())
	}
	mine.Sections[0].Paragraphs[j].Text = "Alpha, corrected."
	r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
	if r.Code != 409 || !strings.Contains(r.Body.String(), "Not saved: 1 paragraph was changed both by you and by another save since version 1.") {
		t.Fatalf("sent again, corrected: %d %s", r.Code, r.Body.String())
	}
}
