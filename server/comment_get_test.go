package server_test

import (
	"strings"
	"testing"
)

// TestComment_OneByItsLocation: a new comment's Location names the comment
// itself (it named the sheet's list, there being no route for one), which
// answers it as the list does, with its ETag; a reader below it, or below
// its sheet, is answered 404.
func TestComment_OneByItsLocation(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Pacific Resilience", para("Words open to all.", "RESTRICTED", "")))
	p := f.sheet("officer", id).Sections[0].Paragraphs[0].ID
	r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": p, "text": "A SECRETNOTE on it.", "marking": "SECRET"})
	loc := r.Header().Get("Location")
	if r.Code != 201 || !strings.HasPrefix(loc, "/api/v1/comments/") {
		t.Fatalf("add: %d, Location %q", r.Code, loc)
	}
	got := f.do("viewer", "GET", loc, nil)
	if got.Code != 404 || strings.Contains(got.Body.String(), "SECRETNOTE") {
		t.Errorf("a RESTRICTED viewer's GET %s: %d %s", loc, got.Code, got.Body.String())
	}
	f.do("officer", "POST", loc+"/resolve", nil)
	got = f.do("officer", "GET", loc, nil)
	var cm struct {
		Text     string
		Resolved bool
	}
	got.json(&cm)
	if got.Code != 200 || cm.Text != "A SECRETNOTE on it." || !cm.Resolved || got.Header().Get("ETag") == "" {
		t.Errorf("GET %s: %d %+v, ETag %q", loc, got.Code, cm, got.Header().Get("ETag"))
	}
}
