package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestEditor_RefusedForWhatWasSavedSinceShowsIt: a save refused not for
// the writer's own text but for what others saved since their version
// (here the lead filled a section, so that the two paragraphs the writer
// added there would take it past the limit) shows the sheet as saved now
// beside the writer's text, as the reader may see it, to make room in:
// the page said only how many paragraphs it would have. A refusal of the
// writer's own text shows no such copy.
func TestEditor_RefusedForWhatWasSavedSinceShowsIt(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lowofficer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		secs := m["sections"].([]any)
		secs[0].(map[string]any)["paragraphs"].([]any)[1].(map[string]any)["text"] = "Zanzibar secret, revised by the lead."
		var ps []any
		for i := 1; i < 200; i++ {
			ps = append(ps, para(fmt.Sprintf("Lead paragraph %d.", i), "RESTRICTED", ""))
		}
		secs[1].(map[string]any)["paragraphs"] = ps
	})
	rec := b.act(w.sheet, page, "add-para:1", nil)
	page = b.open(rec.Header().Get("Location"))
	rec = b.act(w.sheet, page, "add-para:1", map[string]string{"s1.p0.text": "The officer's first new paragraph."})
	page = b.open(rec.Header().Get("Location"))
	rec = b.act(w.sheet, page, "save", map[string]string{"s1.p1.text": "The officer's second new paragraph."})
	body := rec.Body.String()
	if rec.Code != 422 {
		t.Fatalf("save: %d %s", rec.Code, body)
	}
	_, stale, ok := strings.Cut(body, `id="saved-since"`)
	if !ok {
		t.Fatalf("the page shows nothing of what was saved since: %s", flashOf(body))
	}
	stale, _, _ = strings.Cut(stale, `<form class="sheet-editor"`)
	if !strings.Contains(stale, "Lead paragraph 199.") || !strings.Contains(stale, "version 2") {
		t.Errorf("the sheet as saved since lacks the lead's paragraphs or its version: %.400s", stale)
	}
	if strings.Contains(body, "revised by the lead") || strings.Contains(body, "held at secret") {
		t.Error("the page shows the lowofficer a SECRET paragraph")
	}
	if form := editorForm(body); form.Get("s1.p1.text") != "The officer's second new paragraph." || form.Get("version") != "1" {
		t.Errorf("the writer's text or version is not kept: %q, version %q", form.Get("s1.p1.text"), form.Get("version"))
	}

	// What it shows marks the page: an officer who deleted the one SECRET
	// paragraph of their copy sees the lead's SECRET one in the sheet as
	// saved, and the banners (and the floor the script keeps them at) say SECRET.
	t.Run("MarksThePage", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		b := f.pageBrowser("officer")
		page := b.open("/sheets/" + w.sheet + "/edit")
		f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
			ps := []any{para("A secret paragraph of the lead.", "SECRET", "")}
			for i := 2; i < 200; i++ {
				ps = append(ps, para(fmt.Sprintf("Lead paragraph %d.", i), "RESTRICTED", ""))
			}
			m["sections"].([]any)[1].(map[string]any)["paragraphs"] = ps
		})
		page = b.open(b.act(w.sheet, page, "del-para:0:1", nil).Header().Get("Location"))
		page = b.open(b.act(w.sheet, page, "add-para:1", nil).Header().Get("Location"))
		page = b.open(b.act(w.sheet, page, "add-para:1", map[string]string{"s1.p0.text": "One."}).Header().Get("Location"))
		rec := b.act(w.sheet, page, "save", map[string]string{"s1.p1.text": "Two."})
		body := rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, "A secret paragraph of the lead.") {
			t.Fatalf("save: %d, the sheet as saved since shown: %v", rec.Code, strings.Contains(body, `id="saved-since"`))
		}
		if !strings.Contains(body, `data-floor="SECRET"`) || !strings.Contains(body, `id="banner-top" role="note" aria-label="Highest protective marking on this page">SECRET<`) {
			_, banner, _ := strings.Cut(body, `id="banner-top"`)
			t.Errorf("the page is not marked SECRET: %.120s", banner)
		}
	})

	t.Run("TheirOwnText", func(t *testing.T) {
		b := f.pageBrowser("officer")
		page := b.open("/sheets/" + w.sheet + "/edit")
		f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = "Foreign Interference, as the lead has it" })
		rec := b.act(w.sheet, page, "save", map[string]string{"title": " "})
		if rec.Code != 422 || strings.Contains(rec.Body.String(), `id="saved-since"`) {
			t.Errorf("a save refused for the writer's own text: %d, and shows the sheet as saved since", rec.Code)
		}
	})
}
