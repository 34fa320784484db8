package server_test

import (
	"strings"
	"testing"
)

// TestEditor_WorkingCopyOfferedWithoutScripts: without scripts, a change
// short of a save (a paragraph added) keeps the working copy on the
// server, with what was typed, at /sheets/{id}/edit?working=1. The officer
// leaves, then comes back through the sheet's Edit link (/sheets/{id}/edit):
// the page showed the sheet as saved and said nothing of the working copy,
// and a save from it removed the working copy and the words typed in it.
// The page offers the working copy back, as the scripted page does (its
// "The server kept unsaved text of yours" note).
func TestEditor_WorkingCopyOfferedWithoutScripts(t *testing.T) {
	const typed = "Words typed before adding a paragraph, without scripts."
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	rec := b.act(w.sheet, page, "add-para:1", map[string]string{"s0.p0.text": typed})
	if rec.Code != 303 || !strings.Contains(rec.Header().Get("Location"), "working=1") {
		t.Fatalf("add: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// Back through the Edit link.
	page = b.open("/sheets/" + w.sheet + "/edit")
	if !strings.Contains(page, "edit?working=1") {
		t.Errorf("the editor opened afresh does not offer the working copy kept on the server (with %q)", typed)
	}
}
