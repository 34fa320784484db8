package server_test

import (
	"context"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestSave_OverStoredControlCharacters: a sheet stored by an earlier
// release may hold control characters (a brief brought in from text kept a
// page's form feed), in a paragraph above its next writer. Refused on
// input, they refused every save of the sheet — a SECRET officer's merge,
// a restore, a roll-forward — for good, over a paragraph they could not
// see. They are taken out as the sheet is saved instead, the rest of the
// hidden paragraph kept.
func TestSave_OverStoredControlCharacters(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Old text",
		para("Open words.", "RESTRICTED", ""), para("Hidden words.", "TOP SECRET", "")))
	storedAsBefore(f, id, 1, "Hidden\fwords \x1b[31mkept.")
	// The SECRET officer merges an edit of what they see.
	mine := f.sheet("officer", id)
	mine.Sections[0].Paragraphs[0].Text = "Open words, edited."
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
		t.Fatalf("merge over a stored control character: %d %s", r.Code, r.Body.String())
	}
	got, err := f.db.Sheet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Sections[0].Paragraphs; p[0].Text != "Open words, edited." || p[1].Text != "Hidden\nwords [31mkept." || p[1].Marking != "TOP SECRET" {
		t.Fatalf("stored: %+v", p)
	}
	// The version that held them restores, cleaned.
	if r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 2}, "If-Match", `"3"`); r.Code != 200 && r.Code != 201 {
		t.Fatalf("restore of the version that held them: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "GET", "/api/v1/sheets/"+id, nil); strings.ContainsAny(r.Body.String(), "\f\x1b") || strings.Contains(r.Body.String(), `\u001b`) || strings.Contains(r.Body.String(), `\f`) {
		t.Fatalf("restored with them: %s", r.Body.String())
	}
}

// TestSave_OverStoredControlCharactersAlone: a paragraph an earlier release
// stored as control characters alone cleans to no words, which no save may
// store. Above its next writer, it refused every merge of theirs for good:
// they could not see it to delete it. Their save now leaves it out, as it
// holds nothing. A writer who sees it is told which paragraph is empty,
// as for one they typed, and may delete it.
func TestSave_OverStoredControlCharactersAlone(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Old text",
		para("Open words.", "RESTRICTED", ""), para("Hidden words.", "TOP SECRET", ""), para("Kept hidden.", "TOP SECRET", "")))
	storedAsBefore(f, id, 1, "\x1b\f ")
	r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/rollforward", map[string]string{"round_id": w.secretRound})
	if r.Code != 422 || !strings.Contains(r.Body.String(), `"sections[0].paragraphs[1].text":"section 1, paragraph 2 is empty"`) {
		t.Fatalf("the lead's roll-forward: %d %s", r.Code, r.Body.String())
	}
	mine := f.sheet("officer", id)
	mine.Sections[0].Paragraphs[0].Text = "Open words, edited."
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
		t.Fatalf("merge over a hidden paragraph of control characters alone: %d %s", r.Code, r.Body.String())
	}
	got, err := f.db.Sheet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Sections[0].Paragraphs; len(p) != 2 || p[0].Text != "Open words, edited." || p[1].Text != "Kept hidden." || p[1].Marking != "TOP SECRET" {
		t.Fatalf("stored: %+v", p)
	}
}

// TestMerge_OverACleaningSave: a save that only cleaned a paragraph an
// earlier release stored with a form feed is no change to clash with: the
// officer who read the version before it and changed that paragraph merges.
// The title and headings are cleaned too, and a release's request.
func TestMerge_OverACleaningSave(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Old text",
		para("alpha beta page two", "RESTRICTED", ""), para("Another paragraph.", "RESTRICTED", "")))
	storedAsBefore(f, id, 0, "alpha\fbeta page two")
	read := f.sheet("officer", id) // holds the form feed
	f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { editOne(m, 0, 1, "Another paragraph, edited.") })
	read.Sections[0].Paragraphs[0].Text = "alpha beta, page two, edited by the officer"
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", read); r.Code != 200 {
		t.Fatalf("merge after a save that only cleaned the paragraph: %d %s", r.Code, r.Body.String())
	}
	// One-line texts are cleaned as well.
	r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Esc\x1b[31mRED\x07 title",
		"sections": []map[string]any{{"kind": "custom", "heading": "Head\x1b[2J\bing", "paragraphs": []any{para("Words.", "RESTRICTED", "")}}}})
	if r.Code != 201 || strings.Contains(r.Body.String(), `\u001b`) || strings.Contains(r.Body.String(), `\u0007`) || strings.Contains(r.Body.String(), `\b`) {
		t.Fatalf("title and heading: %d %s", r.Code, r.Body.String())
	}
	rel := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", map[string]any{"reference": "OIA\x1b 1", "received_on": "2026-11-01",
		"request": "Please\f release\x1b[31m it.", "decision_maker": "Tony\x07 Lynch", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true})
	if rel.Code != 201 || strings.Contains(rel.Body.String(), `\u001b`) || strings.Contains(rel.Body.String(), `\u0007`) || strings.Contains(rel.Body.String(), `\f`) {
		t.Fatalf("release: %d %s", rel.Code, rel.Body.String())
	}
}

// storedAsBefore stores a new version of sheet id whose j-th paragraph of
// its first section reads text, as an earlier release stored it: through
// the store alone, past the checks of its callers.
func storedAsBefore(f *fixture, id string, j int, text string) {
	f.t.Helper()
	ctx := context.Background()
	sh, err := f.db.Sheet(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	sh.Sections[0].Paragraphs[j].Text = text
	if err := f.db.UpdateSheet(ctx, sh, briefing.Actor{Name: "an earlier release"}); err != nil {
		f.t.Fatal(err)
	}
}
