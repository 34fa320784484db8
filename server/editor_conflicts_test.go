package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// clashOnFirstParagraph opens the editor as writer; while it is open the
// lead saves theirs over the first section's paragraphs; then the writer
// presses op in the editor (none: straight to the save) and saves with
// edit. It returns the browser, the answer to the save and the id of the
// first paragraph as the writer first saw it.
func clashOnFirstParagraph(t *testing.T, f *fixture, sheet, writer string, theirs func(ps []any) []any, op string, edit map[string]string) (*pageBrowser, *httptest.ResponseRecorder, string) {
	t.Helper()
	b := f.pageBrowser(writer)
	page := b.open("/sheets/" + sheet + "/edit")
	first := f.sheet(writer, sheet).Sections[0].Paragraphs[0].ID
	f.update("lead", "/api/v1/sheets/"+sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = theirs(sec["paragraphs"].([]any))
	})
	if op != "" {
		rec := b.act(sheet, page, op, nil)
		if rec.Code != 303 {
			t.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
		}
		page = b.open(rec.Header().Get("Location"))
	}
	return b, b.act(sheet, page, "save", edit), first
}

// TestEditor_ConflictDeletedOnOneSide: a paragraph deleted on one side and
// changed on the other is shown on the conflict page where it stood, with
// the text still there (theirs, or the writer's own) and a choice that
// works without scripts, which the conflict list links to; each choice
// saves what it says. Nothing above the writer is shown: to them a
// paragraph marked above them since is one deleted since.
func TestEditor_ConflictDeletedOnOneSide(t *testing.T) {
	const rewrite = "The lead's careful rewrite of the first paragraph."
	rewritten := func(ps []any) []any { ps[0].(map[string]any)["text"] = rewrite; return ps }
	deleted := func(ps []any) []any { return ps[1:] }
	// shown checks the 409 page holds paragraph id first in the working
	// copy, at the anchor the conflict list links to, offering each of want.
	shown := func(t *testing.T, rec *httptest.ResponseRecorder, id string, want ...string) string {
		t.Helper()
		body := rec.Body.String()
		if rec.Code != 409 {
			t.Fatalf("save: %d %s", rec.Code, body)
		}
		for _, s := range []string{`href="#para-` + id + `"`, `id="para-` + id + `"`, `name="s0.p0.id" value="` + id + `"`} {
			if !strings.Contains(body, s) {
				t.Errorf("the conflict page lacks %s", s)
			}
		}
		for _, v := range want {
			if !strings.Contains(body, `name="choose.`+id+`" value="`+v+`"`) {
				t.Errorf("the conflict page offers no %q for the paragraph", v)
			}
		}
		return body
	}
	// saved checks what the save chose: the paragraph first, with text, or
	// gone. (Mine kept over their deletion is a new paragraph, with an id of its own.)
	saved := func(t *testing.T, f *fixture, sheet, id, text string) {
		t.Helper()
		ps := f.sheet("lead", sheet).Sections[0].Paragraphs
		kept := len(ps) == 2 && ps[0].Text == text
		gone := len(ps) == 1 && ps[0].ID != id
		if (text != "" && !kept) || (text == "" && !gone) {
			t.Fatalf("want %q, saved %+v", text, ps)
		}
	}

	t.Run("DeletedByYouChangedByThem", func(t *testing.T) {
		for choice, want := range map[string]string{"theirs": rewrite, "delete": ""} {
			t.Run(choice, func(t *testing.T) {
				f := newFixture(t)
				w := f.world()
				b, rec, id := clashOnFirstParagraph(t, f, w.sheet, "officer", rewritten, "del-para:0:0", nil)
				body := shown(t, rec, id, "theirs", "delete")
				// Their text stands where the paragraph stood, kept unless the writer chooses otherwise.
				if form := editorForm(body); form.Get("s0.p0.text") != rewrite || form.Get("choose."+id) != "theirs" {
					t.Errorf("their text is not in its place to keep: %q, choice %q", form.Get("s0.p0.text"), form.Get("choose."+id))
				}
				seeOther(t, b.act(w.sheet, body, "save", map[string]string{"choose." + id: choice}), "/sheets/"+w.sheet+"/edit")
				saved(t, f, w.sheet, id, want)
			})
		}
	})

	t.Run("ChangedByYouDeletedByThem", func(t *testing.T) {
		const mine = "The officer's own rewrite of the first paragraph."
		for choice, want := range map[string]string{"mine": mine, "theirs": ""} {
			t.Run(choice, func(t *testing.T) {
				f := newFixture(t)
				w := f.world()
				b, rec, id := clashOnFirstParagraph(t, f, w.sheet, "officer", deleted, "", map[string]string{"s0.p0.text": mine})
				body := shown(t, rec, id, "mine", "theirs")
				if form := editorForm(body); form.Get("s0.p0.text") != mine || form.Get("choose."+id) != "mine" {
					t.Errorf("the writer's text is not in its place to keep: %q, choice %q", form.Get("s0.p0.text"), form.Get("choose."+id))
				}
				seeOther(t, b.act(w.sheet, body, "save", map[string]string{"choose." + id: choice}), "/sheets/"+w.sheet+"/edit")
				saved(t, f, w.sheet, id, want)
			})
		}
	})

	t.Run("RaisedAboveYou", func(t *testing.T) {
		const secret = "Rewritten and raised above the writer."
		raised := func(ps []any) []any {
			p := ps[0].(map[string]any)
			p["text"], p["marking"] = secret, "SECRET"
			return ps
		}
		// Raised with its words as they were: those words are above the writer now.
		raisedAsIs := func(ps []any) []any {
			ps[0].(map[string]any)["marking"] = "SECRET"
			return ps
		}
		// A sheet that stays the writer's to see, a paragraph of it raised.
		sheetFor := func(f *fixture, w world) string {
			return f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Foreign Interference",
				para("The paragraph to raise.", "RESTRICTED", ""), para("A paragraph that stays.", "RESTRICTED", "")))
		}
		leaks := func(t *testing.T, body string) {
			t.Helper()
			for _, words := range []string{"Rewritten and raised", "The paragraph to raise"} {
				if strings.Contains(body, words) {
					t.Errorf("the page shows %q, words of a paragraph marked above the writer", words)
				}
			}
		}
		t.Run("DeletedByYou", func(t *testing.T) {
			// To the writer both sides deleted it: saved without a
			// conflict, and kept for those who see it.
			f := newFixture(t)
			w := f.world()
			sheet := sheetFor(f, w)
			_, rec, id := clashOnFirstParagraph(t, f, sheet, "lowofficer", raised, "del-para:0:0", nil)
			seeOther(t, rec, "/sheets/"+sheet+"/edit")
			leaks(t, rec.Body.String())
			if ps := f.sheet("lead", sheet).Sections[0].Paragraphs; len(ps) != 2 || ps[0].ID != id || ps[0].Text != secret {
				t.Fatalf("saved %+v", ps)
			}
		})
		t.Run("ChangedByYou", func(t *testing.T) {
			// As if deleted by them: "deleted", with no text of theirs, nor
			// the words it had, which the raise put above the writer.
			for name, theirs := range map[string]func([]any) []any{"Rewritten": raised, "WordsKept": raisedAsIs} {
				t.Run(name, func(t *testing.T) {
					f := newFixture(t)
					w := f.world()
					_, rec, id := clashOnFirstParagraph(t, f, sheetFor(f, w), "lowofficer", theirs, "", map[string]string{"s0.p0.text": "The low officer's words."})
					body := shown(t, rec, id, "mine", "theirs")
					leaks(t, body)
					if strings.Contains(body, `value="delete"`) || !strings.Contains(body, `<em class="muted">deleted</em>`) {
						t.Error("the paragraph is not shown as deleted by them")
					}
				})
			}
		})
	})
}
