package server_test

import (
	"fmt"
	"net/url"
	"testing"
)

// TestSheetVersions_Paged: the versions list is a list like the others, a
// page at a time oldest first with "next" while there is more, so it costs
// the same at any age; a page leaves out the versions a reader may not see.
func TestSheetVersions_Paged(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// Versions 2–12 of the sheet: every third is SECRET throughout.
	for v := 1; v <= 11; v++ {
		paras := []map[string]string{para(fmt.Sprintf("Revision %d of the assessment of foreign interference.", v), "RESTRICTED", "")}
		if v%3 == 0 {
			paras = []map[string]string{para(fmt.Sprintf("A source's account, revision %d.", v), "SECRET", "")}
		}
		if r := f.do("officer", "PUT", "/api/v1/sheets/"+w.sheet, sheetBody("Foreign Interference", paras...), "If-Match", fmt.Sprintf(`"%d"`, v)); r.Code != 200 {
			t.Fatalf("save %d: %d %s", v, r.Code, r.Body.String())
		}
	}
	walk := func(user string, limit int) (versions []int, pages int) {
		next := ""
		for {
			r := f.do(user, "GET", fmt.Sprintf("/api/v1/sheets/%s/versions?limit=%d&cursor=%s", w.sheet, limit, url.QueryEscape(next)), nil)
			if r.Code != 200 {
				t.Fatalf("%s: %d %s", user, r.Code, r.Body.String())
			}
			var l struct {
				Items []struct{ Version int }
				Next  string
			}
			r.json(&l)
			if len(l.Items) > limit {
				t.Fatalf("a page of %d holds %d", limit, len(l.Items))
			}
			pages++
			for _, it := range l.Items {
				versions = append(versions, it.Version)
			}
			if l.Next == "" {
				return versions, pages
			}
			next = l.Next
		}
	}
	got, pages := walk("officer", 5)
	if fmt.Sprint(got) != "[1 2 3 4 5 6 7 8 9 10 11 12]" || pages != 3 {
		t.Fatalf("officer: %v in %d pages", got, pages)
	}
	// RESTRICTED: the versions that were SECRET throughout (4, 7, 10) are
	// not theirs to list; the pages are walked all the same.
	got, _ = walk("viewer", 5)
	if fmt.Sprint(got) != "[1 2 3 5 6 8 9 11 12]" {
		t.Fatalf("viewer: %v", got)
	}
	if r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet+"/versions?cursor=abc", nil); r.Code != 400 && r.Code != 422 {
		t.Fatalf("a cursor the list never gave: %d", r.Code)
	}
}
