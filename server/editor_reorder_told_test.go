package server_test

import (
	"strings"
	"testing"
)

// TestEditor_ReorderSavedSinceIsTold: the lead reorders the paragraphs of
// a section while an officer edits the title; the officer's save merges
// both, and says it was saved "together with" the lead's change, as it
// does for a paragraph changed, added, deleted or moved to another
// section: a reorder is a change of theirs the writer did not see.
func TestEditor_ReorderSavedSinceIsTold(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		ps := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)
		ps[0], ps[1] = ps[1], ps[0]
	})
	rec := b.act(w.sheet, page, "save", map[string]string{"title": "Foreign Interference, retitled"})
	seeOther(t, rec, "/sheets/"+w.sheet+"/edit")
	if msg := flashOf(b.open("/sheets/" + w.sheet + "/edit")); !strings.Contains(msg, "together with") || !strings.Contains(msg, "lead") {
		t.Errorf("the save merged the lead's reorder and said only %q", msg)
	}
	r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil)
	mine := map[string]any{}
	r.json(&mine)
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		ps := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)
		ps[0], ps[1] = ps[1], ps[0]
	})
	mine["title"] = "Foreign Interference, retitled again"
	if m := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", mine); m.Code != 200 || m.Header().Get("Briefpack-Merged") == "0" {
		t.Errorf("the merge of the lead's reorder: %d, Briefpack-Merged %q", m.Code, m.Header().Get("Briefpack-Merged"))
	}
}

// TestMerge_ReorderOfHiddenNotCounted: a reorder that moves only a
// paragraph above the writer among those they see is no change of theirs
// to them: counted, it would tell them of it.
func TestMerge_ReorderOfHiddenNotCounted(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Order",
		para("First open.", "RESTRICTED", ""), para("Hidden.", "SECRET", ""), para("Second open.", "RESTRICTED", "")))
	mine := f.sheet("lowofficer", id)
	f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) {
		ps := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)
		ps[0], ps[1] = ps[1], ps[0] // the hidden one first; the open ones keep their order
	})
	mine.Title = "Order, retitled"
	if m := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", mine); m.Code != 200 || m.Header().Get("Briefpack-Merged") != "0" {
		t.Errorf("a reorder of a hidden paragraph alone: %d, Briefpack-Merged %q", m.Code, m.Header().Get("Briefpack-Merged"))
	}
}

// flashOf is the message of a page's first flash, or "".
func flashOf(page string) string {
	_, after, ok := strings.Cut(page, `class="flash`)
	if !ok {
		return ""
	}
	_, after, _ = strings.Cut(after, ">")
	msg, _, _ := strings.Cut(after, "<")
	return msg
}
