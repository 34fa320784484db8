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
