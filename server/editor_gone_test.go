package server_test

import (
	"html"
	"strings"
	"testing"
)

// TestEditor_SheetDeletedWhileEditing: a lead deletes a sheet while an
// officer has it open in the editor and is typing. The officer's save was
// answered with the plain "Not found" page, and the words they typed were
// gone from the screen (the page without scripts keeps them nowhere else).
// The answer is still a 404, saying nothing was saved, and it holds what
// their form sent, to copy elsewhere.
func TestEditor_SheetDeletedWhileEditing(t *testing.T) {
	const typed = "Two hours of careful drafting, typed into the editor."
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet + "/edit")
	if r := f.do("lead", "DELETE", "/api/v1/sheets/"+w.sheet, nil, "If-Match", `"1"`); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	for _, op := range []string{"save", "add-para:0"} {
		rec := b.act(w.sheet, page, op, map[string]string{"s0.p0.text": typed})
		body := html.UnescapeString(rec.Body.String())
		if rec.Code != 404 || !strings.Contains(body, "Nothing was saved") || !strings.Contains(body, typed) ||
			!strings.Contains(body, "Section 1, paragraph 1") || !strings.Contains(body, "Foreign Interference") {
			t.Errorf("%s of a sheet deleted meanwhile: %d %s", op, rec.Code, body)
		}
	}
}
