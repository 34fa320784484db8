package server_test

import (
	"strings"
	"testing"
)

// TestEditor_OffersOnlyMovesThatMove: the editor offers "↑ Section" on
// every section but the first and "↓ Section" on every one but the last.
// Before, the first offered ↑ and the last ↓, and pressing them did nothing.
func TestEditor_OffersOnlyMovesThatMove(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	three := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Three sections", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{}}, {"kind": "offensive", "paragraphs": []any{}}, {"kind": "defensive", "paragraphs": []any{}}}})
	one := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "One section", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{}}}})
	for _, c := range []struct {
		sheet         string
		offered, none []string
	}{
		{three, []string{"down-section:0", "up-section:1", "down-section:1", "up-section:2"}, []string{"up-section:0", "down-section:2"}},
		{one, nil, []string{"up-section:0", "down-section:0"}},
	} {
		page := f.pageBrowser("officer").open("/sheets/" + c.sheet + "/edit")
		for _, op := range c.offered {
			if !strings.Contains(page, `value="`+op+`"`) {
				t.Errorf("sheet %s: %s not offered", c.sheet, op)
			}
		}
		for _, op := range c.none {
			if strings.Contains(page, `value="`+op+`"`) {
				t.Errorf("sheet %s: %s offered, and would do nothing", c.sheet, op)
			}
		}
	}
}

// TestEditor_OffersOnlyParagraphMovesThatMove: within a section, ↑ is
// offered on every paragraph but the first and ↓ on every one but the
// last; a section's only paragraph has neither. Before, each paragraph had
// both, and the first's ↑ and the last's ↓ did nothing.
func TestEditor_OffersOnlyParagraphMovesThatMove(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	para := func(text string) map[string]any {
		return map[string]any{"text": text, "marking": "RESTRICTED", "withhold": ""}
	}
	sheet := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Paragraph moves", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("First of three."), para("Second of three."), para("Third of three.")}},
		{"kind": "offensive", "paragraphs": []any{para("The only one.")}}}})
	page := f.pageBrowser("officer").open("/sheets/" + sheet + "/edit")
	for _, op := range []string{"down-para:0:0", "up-para:0:1", "down-para:0:1", "up-para:0:2"} {
		if !strings.Contains(page, `value="`+op+`"`) {
			t.Errorf("%s not offered", op)
		}
	}
	for _, op := range []string{"up-para:0:0", "down-para:0:2", "up-para:1:0", "down-para:1:0"} {
		if strings.Contains(page, `value="`+op+`"`) {
			t.Errorf("%s offered, and would do nothing", op)
		}
	}
}
