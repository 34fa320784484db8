package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestHiddenEdits_RaisedSince: a save that changed only a paragraph a
// later save raised above a reader is, to them, a save that changed only
// what is above them: absent from their list of versions, from the
// sheet's page and from their audit log, and its author and time named
// nowhere (that version read alone, the names of who saved since in a
// merge's answer). A version of which they may see nothing, its
// paragraphs all raised above them since, is absent too. A reader
// cleared for the raise is shown every save.
func TestHiddenEdits_RaisedSince(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("editorx", "officer", "SECRET")
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		para("Patrol words.", "RESTRICTED", ""), para("Open words.", "RESTRICTED", "")))
	path := "/api/v1/sheets/" + id
	text := func(user string, j int, s string) {
		t.Helper()
		f.update(user, path, func(m map[string]any) { paragraphOf(m, 0, j)["text"] = s })
	}
	start := f.sheetAsMap("lowofficer", id)
	text("editorx", 0, "Patrol words, edited.")     // 2: only the paragraph raised later
	f.update("lead", path, func(m map[string]any) { // 3: both
		paragraphOf(m, 0, 0)["text"] = "Patrol words, edited again."
		paragraphOf(m, 0, 1)["text"] = "Open words, edited."
	})
	f.update("officer", path, func(m map[string]any) { paragraphOf(m, 0, 0)["marking"] = "SECRET" }) // 4: the raise
	text("officer", 1, "Open words, edited by officer.")                                             // 5

	for _, c := range []struct {
		user string
		want []int
	}{
		{"viewer", []int{1, 3, 4, 5}},
		{"lowofficer", []int{1, 3, 4, 5}},
		{"officer", []int{1, 2, 3, 4, 5}},
	} {
		if got := f.versionNumbers(c.user, path+"/versions"); !slices.Equal(got, c.want) {
			t.Errorf("%s is shown versions %v, want %v", c.user, got, c.want)
		}
	}
	for _, c := range []struct {
		user string
		want []string
	}{
		{"lowlead", []string{"create 0→1", "update 2→3", "update 3→4", "update 4→5"}},
		{"lead", []string{"create 0→1", "update 1→2", "update 2→3", "update 3→4", "update 4→5"}},
	} {
		if got := f.auditOf(c.user, "sheet", id); !slices.Equal(got, c.want) {
			t.Errorf("%s is shown audit entries %v, want %v", c.user, got, c.want)
		}
	}
	// Version 2 asked for by number: as version 1, by version 1's author.
	if got := f.saveMeta("viewer", path+"/versions/2"); got.UpdatedBy != "officer" {
		t.Errorf("the viewer's version 2 names %q, want officer, who made version 1", got.UpdatedBy)
	}
	if got := f.saveMeta("officer", path+"/versions/2"); got.UpdatedBy != "editorx" {
		t.Errorf("officer's version 2 names %q, want editorx", got.UpdatedBy)
	}
	page := f.do("viewer", "GET", "/sheets/"+id, nil).Body.String()
	if strings.Contains(page, "editorx") || strings.Contains(page, fmt.Sprintf(`/sheets/%s/versions/2"`, id)) {
		t.Error("the viewer's sheet page lists version 2")
	}
	if !strings.Contains(page, fmt.Sprintf(`/sheets/%s/versions/3"`, id)) {
		t.Errorf("the viewer's sheet page does not list version 3:\n%s", page)
	}

	// A merge from version 1 names who saved since among the saves the
	// writer sees: in its 409, and beside a merge that went through.
	fromStart := func() map[string]any {
		var m map[string]any
		if err := jsonUnmarshal(f.do("lowofficer", "GET", path+"/versions/1", nil).Body.String(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	clash := fromStart()
	paragraphOf(clash, 0, 0)["text"] = "Open words, the low officer's."
	r := f.do("lowofficer", "POST", path+"/merge", clash)
	if r.Code != 409 || strings.Contains(r.Body.String(), "editorx") || !strings.Contains(r.Body.String(), "lead and officer") {
		t.Errorf("the clash should name lead and officer alone: %d %s", r.Code, r.Body.String())
	}
	added := start
	sectionOf(added, 1)["paragraphs"] = []any{para("A new point.", "RESTRICTED", "")}
	r = f.do("lowofficer", "POST", path+"/merge", added)
	if r.Code != 200 {
		t.Fatalf("a merge that does not clash: %d %s", r.Code, r.Body.String())
	}
	if h := r.Header().Get("Briefpack-Merged-From"); h != "lead, officer" {
		t.Errorf("Briefpack-Merged-From: %q, want lead and officer alone", h)
	}

	// A version of which the viewer may see nothing since: absent, with its entry.
	alone := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Alone", para("Alone words.", "RESTRICTED", "")))
	f.update("officer", "/api/v1/sheets/"+alone, func(m map[string]any) {
		sectionOf(m, 1)["paragraphs"] = []any{para("Second words.", "RESTRICTED", "")}
	})
	f.update("officer", "/api/v1/sheets/"+alone, func(m map[string]any) { paragraphOf(m, 0, 0)["marking"] = "SECRET" })
	if got := f.versionNumbers("viewer", "/api/v1/sheets/"+alone+"/versions"); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("the viewer is shown versions %v of the second sheet, want [2 3]", got)
	}
	if got := f.auditOf("lowlead", "sheet", alone); !slices.Equal(got, []string{"update 1→2", "update 2→3"}) {
		t.Errorf("lowlead is shown audit entries %v of the second sheet", got)
	}

	// A raise is seen as the reader saw it then, a paragraph gone, when
	// the paragraph is raised higher again later.
	twice := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Twice",
		para("Twice words.", "RESTRICTED", ""), para("Other words.", "RESTRICTED", "")))
	for _, m := range []string{"CONFIDENTIAL", "SECRET"} {
		f.update("officer", "/api/v1/sheets/"+twice, func(s map[string]any) { paragraphOf(s, 0, 0)["marking"] = m })
	}
	if got := f.versionNumbers("viewer", "/api/v1/sheets/"+twice+"/versions"); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("the viewer is shown versions %v of the third sheet, want [1 2]", got)
	}
}
