package server_test

import (
	"context"
	"testing"
)

// TestEditor_SaveKeepsANewSectionsHeadingTyped: without the page's script,
// Enter in the new section's heading presses the form's default button,
// Save; the heading typed was dropped. The save adds the section first, of
// the kind chosen, so nothing typed is lost; a save with the field empty
// adds none.
func TestEditor_SaveKeepsANewSectionsHeadingTyped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	before, err := f.db.Sheet(context.Background(), w.sheet)
	if err != nil {
		t.Fatal(err)
	}
	page := b.open("/sheets/" + w.sheet + "/edit")
	seeOther(t, b.act(w.sheet, page, "save", map[string]string{"new_kind": "custom", "new_heading": "Maritime security"}), "/sheets/"+w.sheet+"/edit")
	got, err := f.db.Sheet(context.Background(), w.sheet)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Sections); n != len(before.Sections)+1 || got.Sections[n-1].Heading != "Maritime security" || got.Sections[n-1].Kind != "custom" {
		t.Fatalf("the save with a heading typed: %d sections, then %d: %+v", len(before.Sections), n, got.Sections)
	}
	page = b.open("/sheets/" + w.sheet + "/edit")
	seeOther(t, b.act(w.sheet, page, "save", map[string]string{"s0.p0.text": "Edited, and no heading typed."}), "/sheets/"+w.sheet+"/edit")
	if again, _ := f.db.Sheet(context.Background(), w.sheet); len(again.Sections) != len(got.Sections) {
		t.Fatalf("a save with no heading typed added a section: %d, then %d", len(got.Sections), len(again.Sections))
	}
}
