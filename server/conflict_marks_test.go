package server_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestEditor_ConflictMarksEachSideOnce: the editor's conflict view shows
// each side of a paragraph changed by both (as it was, theirs, yours)
// portion-marked once, as the pack shows a paragraph. Before, each cell
// read "(R) (R) text".
func TestEditor_ConflictMarksEachSideOnce(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sheet := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Clash", para("The first paragraph as it was.", "RESTRICTED", "")))
	theirs := func(ps []any) []any { ps[0].(map[string]any)["text"] = "The lead's rewrite."; return ps }
	_, rec, _ := clashOnFirstParagraph(t, f, sheet, "officer", theirs, "", map[string]string{"s0.p0.text": "The officer's rewrite."})
	if rec.Code != 409 {
		t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
	}
	cells := regexp.MustCompile(`(?s)<table class="compare">.*?<tbody><tr>(.*?)</tr></tbody>`).FindStringSubmatch(rec.Body.String())
	if cells == nil {
		t.Fatalf("no conflict shown: %s", rec.Body.String())
	}
	for i, cell := range strings.Split(cells[1], "</td>")[:3] {
		if n := strings.Count(cell, "(R)"); n != 1 {
			t.Errorf("cell %d of the conflict is portion-marked %d times: %s", i+1, n, cell)
		}
	}
}
