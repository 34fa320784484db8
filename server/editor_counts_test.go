package server_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestEditor_FormNotWhole: the editor's form carries counts of sections and
// of each section's paragraphs beside their fields. A count that is not a
// number, below zero, larger than the fields sent, or smaller than them, and
// a counted field that is missing, are refused with the sheet as saved shown
// again: nothing is written, neither the sheet nor a draft, where reading the
// form as it came would have saved the sheet without what it lacked.
func TestEditor_FormNotWhole(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	edit := "/sheets/" + w.sheet + "/edit"
	before := f.sheet("officer", w.sheet)
	if before.Version != 1 || len(before.Sections) != 2 || len(before.Sections[0].Paragraphs) != 2 {
		t.Fatalf("the sheet to start from: %+v", before)
	}
	page := b.open(edit)

	for name, change := range map[string]struct {
		set  map[string]string
		drop []string
	}{
		"SectionsBelowZero":       {set: map[string]string{"n": "-1"}},
		"SectionsNotANumber":      {set: map[string]string{"n": "abc"}},
		"SectionsEmpty":           {set: map[string]string{"n": ""}},
		"SectionsHuge":            {set: map[string]string{"n": "1000000"}},
		"SectionsBeyondInt":       {set: map[string]string{"n": "99999999999999999999"}},
		"SectionsMoreThanSent":    {set: map[string]string{"n": "3"}},
		"SectionsFewerThanSent":   {set: map[string]string{"n": "1"}},
		"SectionsNotCounted":      {drop: []string{"n"}},
		"SectionFieldsMissing":    {drop: []string{"s1.kind", "s1.heading", "s1.n"}},
		"ParagraphsBelowZero":     {set: map[string]string{"s0.n": "-1"}},
		"ParagraphsNotANumber":    {set: map[string]string{"s0.n": "two"}},
		"ParagraphsHuge":          {set: map[string]string{"s0.n": "100000"}},
		"ParagraphsFewerThanSent": {set: map[string]string{"s0.n": "1"}},
		"ParagraphFieldsMissing":  {drop: []string{"s0.p1.id", "s0.p1.text", "s0.p1.marking", "s0.p1.withhold"}},
		"ParagraphTextMissing":    {drop: []string{"s0.p1.text"}},
		"SheetWithholdMissing":    {drop: []string{"withhold"}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, op := range []string{"save", "add-para:0", "del-section:1"} {
				form := editorForm(page)
				form.Set("title", "Neg")
				for k, v := range change.set {
					form.Set(k, v)
				}
				for _, k := range change.drop {
					form.Del(k)
				}
				form.Set("op", op)
				rec := b.send("POST", edit, form)
				body := rec.Body.String()
				if rec.Code != 400 || !strings.Contains(body, "Nothing was changed: the editor&#39;s form did not arrive whole") {
					t.Fatalf("%s: answered %d: %s", op, rec.Code, editorMessage(body))
				}
				// The page shown again is the sheet as saved, not what the form was read as.
				if shown := editorForm(body); shown.Get("n") != "2" || shown.Get("s0.n") != "2" || shown.Get("title") != "Foreign Interference" || shown.Get("version") != "1" {
					t.Fatalf("%s: the editor shown again is not the sheet as saved: %v", op, shown)
				}
				if after := f.sheet("officer", w.sheet); !reflect.DeepEqual(after, before) {
					t.Fatalf("%s: the sheet changed:\n%+v\n%+v", op, before, after)
				}
				if r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet+"/draft", nil); r.Code != 404 {
					t.Fatalf("%s: a draft was kept: %d", op, r.Code)
				}
			}
		})
	}

	// A kept draft whose counts disagree with its fields is no working
	// copy: the editor shows the sheet as saved, not the draft cut short.
	t.Run("DraftNotWhole", func(t *testing.T) {
		d := &briefing.Draft{Version: 1, Fields: map[string]string{}}
		for k, v := range editorForm(page) {
			if k != "csrf_token" && k != "version" {
				d.Fields[k] = v[0]
			}
		}
		ctx := context.Background()
		for _, n := range []string{"-1", "abc", "1000000"} {
			d.Fields["n"] = n
			if err := f.db.PutDraft(ctx, userID(t, f, "officer"), w.sheet, d); err != nil {
				t.Fatal(err)
			}
			seeOther(t, b.send("GET", edit+"?working=1", nil), edit)
			if shown := editorForm(b.open(edit)); shown.Get("n") != "2" || shown.Get("s0.n") != "2" {
				t.Fatalf("n=%s: the editor shows %v", n, shown)
			}
		}
		if err := f.db.DeleteDraft(ctx, userID(t, f, "officer"), w.sheet); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SaveOK", func(t *testing.T) {
		rec := b.act(w.sheet, page, "save", map[string]string{"s0.p0.text": "We are aware of activity, as revised."})
		seeOther(t, rec, edit)
		sh := f.sheet("officer", w.sheet)
		if sh.Version != 2 || len(sh.Sections) != 2 || len(sh.Sections[0].Paragraphs) != 2 ||
			sh.Sections[0].Paragraphs[0].Text != "We are aware of activity, as revised." ||
			sh.Sections[0].Paragraphs[1] != before.Sections[0].Paragraphs[1] {
			t.Fatalf("saved: %+v", sh)
		}
	})

	// Every section deleted in the editor, one by one, then saved: the
	// sheet is saved with none, as asked.
	t.Run("DeleteEverySection", func(t *testing.T) {
		working := edit + "?working=1"
		page := b.open(seeOther(t, b.act(w.sheet, b.open(edit), "del-section:1", nil), working+"#s0"))
		page = b.open(seeOther(t, b.act(w.sheet, page, "del-section:0", nil), working))
		if form := editorForm(page); form.Get("n") != "0" {
			t.Fatalf("the working copy after deleting both sections: %v", form)
		}
		seeOther(t, b.act(w.sheet, page, "save", nil), edit)
		if sh := f.sheet("officer", w.sheet); sh.Version != 3 || len(sh.Sections) != 0 {
			t.Fatalf("saved: %+v", sh)
		}
	})
}

// editorMessage returns the message an editor page shows, for a failure's log.
func editorMessage(body string) string {
	if i := strings.Index(body, `id="editor-error">`); i >= 0 {
		rest := body[i+len(`id="editor-error">`):]
		if j := strings.Index(rest, "<"); j >= 0 {
			return rest[:j]
		}
	}
	return body
}
