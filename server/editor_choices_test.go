package server_test

import (
	"strings"
	"testing"
)

// TestEditor_ConflictChoiceKeptThroughAChange: on the conflict page the
// writer chooses "Take theirs", then, before saving, adds a paragraph (or
// moves one, or previews: any change short of a save). The change keeps
// their working copy and shows it again; the choice made must be in it, so
// that the save keeps the other writer's text, as chosen, and does not put
// the writer's own back over it unseen.
func TestEditor_ConflictChoiceKeptThroughAChange(t *testing.T) {
	const theirs = "The lead's rewrite of the first paragraph."
	const mine = "The officer's rewrite of the first paragraph."
	for _, op := range []string{"add-para:1", "preview", "down-para:0:0"} {
		t.Run(op, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			b, rec, id := clashOnFirstParagraph(t, f, w.sheet, "officer", func(ps []any) []any {
				ps[0].(map[string]any)["text"] = theirs
				return ps
			}, "", map[string]string{"s0.p0.text": mine})
			if rec.Code != 409 {
				t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
			}
			// Chosen: theirs. Then a change before the save.
			rec = b.act(w.sheet, rec.Body.String(), op, map[string]string{"choose." + id: "theirs"})
			if rec.Code != 303 {
				t.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
			}
			page := b.open(rec.Header().Get("Location"))
			if texts := formTexts(editorForm(page)); !strings.Contains(strings.Join(texts, "\n"), theirs) || strings.Contains(strings.Join(texts, "\n"), mine) {
				t.Errorf("after %s the working copy lost the choice of their text: it holds %q", op, texts)
			}
			seeOther(t, b.act(w.sheet, page, "save", nil), "/sheets/"+w.sheet+"/edit")
			for _, p := range f.sheet("lead", w.sheet).Sections[0].Paragraphs {
				if p.ID == id && p.Text != theirs {
					t.Errorf("saved %q over the lead's text, which the officer chose to take", p.Text)
				}
			}
		})
	}
}

// formTexts lists the paragraph texts of an editor form.
func formTexts(form map[string][]string) []string {
	var out []string
	for k, v := range form {
		if strings.HasSuffix(k, ".text") && len(v) > 0 {
			out = append(out, k+"="+v[0])
		}
	}
	return out
}

// TestEditor_HeadingChoiceKeptThroughAMove: the same for a section's
// heading, chosen as theirs, and then the section moved before the save:
// the heading chosen goes with its section.
func TestEditor_HeadingChoiceKeptThroughAMove(t *testing.T) {
	const theirs, mine = "The lead's heading", "The officer's heading"
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		m["sections"].([]any)[0].(map[string]any)["heading"] = theirs
	})
	rec := b.act(w.sheet, page, "save", map[string]string{"s0.heading": mine})
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), `name="choose.s0"`) {
		t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
	}
	// Theirs chosen, then the other section moved above it.
	rec = b.act(w.sheet, rec.Body.String(), "up-section:1", map[string]string{"choose.s0": "theirs"})
	if rec.Code != 303 {
		t.Fatalf("move: %d %s", rec.Code, rec.Body.String())
	}
	page = b.open(rec.Header().Get("Location"))
	seeOther(t, b.act(w.sheet, page, "save", nil), "/sheets/"+w.sheet+"/edit")
	for _, sec := range f.sheet("lead", w.sheet).Sections {
		if sec.Kind == "situation" && sec.Heading != theirs {
			t.Errorf("the section's heading saved is %q, not theirs, which the officer chose", sec.Heading)
		}
		if sec.Kind != "situation" && sec.Heading == theirs {
			t.Errorf("the heading chosen went to another section, %s", sec.Kind)
		}
	}
}

// TestEditor_ConflictListSaysWhereAsThePageDoes: the conflict page lists
// the places changed on both sides as the page labels them ("Section 1,
// paragraph 2"), where they stand in the working copy shown: not as the
// API's path in the sheet as the writer sent it ("sections[0].paragraphs[0]",
// counted from 0 and before a paragraph the lead added above it).
func TestEditor_ConflictListSaysWhereAsThePageDoes(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	_, rec, id := clashOnFirstParagraph(t, f, w.sheet, "officer", func(ps []any) []any {
		ps[0].(map[string]any)["text"] = "The lead's rewrite of the first paragraph."
		return append([]any{map[string]any{"text": "A paragraph the lead added above it.", "marking": "RESTRICTED"}}, ps...)
	}, "", map[string]string{"s0.p0.text": "The officer's rewrite of the first paragraph."})
	body := rec.Body.String()
	if rec.Code != 409 {
		t.Fatalf("save: %d %s", rec.Code, body)
	}
	if !strings.Contains(body, `name="s0.p1.id" value="`+id+`"`) {
		t.Fatalf("the paragraph in conflict is not the second of the working copy")
	}
	if item := `<li><a href="#para-` + id + `">Section 1, paragraph 2</a></li>`; !strings.Contains(body, item) {
		_, list, _ := strings.Cut(body, `id="conflicts"`)
		list, _, _ = strings.Cut(list, "</ul>")
		t.Errorf("the conflict list lacks %s: %s", item, list)
	}
}
