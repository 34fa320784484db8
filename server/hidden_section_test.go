package server_test

import (
	"strings"
	"testing"
)

// TestMerge_AddedSectionTellsNothingOfAHiddenOne: a writer who adds a
// standard section to a sheet whose section of that kind is wholly above
// them gets the same answer whether or not the hidden one exists, and
// whatever its heading. Joining the two (c96bc0e, reverted) moved theirs to
// the hidden one's place, which told them it existed, and, for one with a
// heading of its own, whether a heading they guessed was it.
func TestMerge_AddedSectionTellsNothingOfAHiddenOne(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sheet := func(hiddenHeading string, withHidden bool) string {
		secs := []map[string]any{}
		if withHidden {
			secs = append(secs, map[string]any{"kind": "situation", "heading": hiddenHeading, "paragraphs": []any{para("Hidden assessment.", "CONFIDENTIAL", "")}})
		}
		secs = append(secs, map[string]any{"kind": "offensive", "paragraphs": []any{para("Open offensive point.", "RESTRICTED", "")}})
		return f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "T", "sections": secs})
	}
	add := func(id, heading string) string {
		var sh map[string]any
		f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil).json(&sh)
		sh["sections"] = append(sh["sections"].([]any), map[string]any{"kind": "situation", "heading": heading, "paragraphs": []any{para("Mine.", "RESTRICTED", "")}})
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", sh)
		if r.Code != 200 {
			t.Fatalf("merge %d %s", r.Code, r.Body.String())
		}
		var out []string
		for _, sec := range f.sheet("lowofficer", id).Sections {
			out = append(out, sec.Kind)
		}
		return strings.Join(out, ",") + " merged " + r.Header().Get("Briefpack-Merged")
	}
	none := add(sheet("", false), "")
	for name, got := range map[string]string{
		"a hidden section":               add(sheet("", true), ""),
		"a hidden heading guessed right": add(sheet("Cable landings", true), "Cable landings"),
		"a hidden heading guessed wrong": add(sheet("Cable landings", true), "Cable landing"),
	} {
		if got != none {
			t.Errorf("with %s the writer reads the sections %q, without one %q", name, got, none)
		}
	}
}
