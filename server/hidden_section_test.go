package server_test

import (
	"strings"
	"testing"
)

// hiddenSituation makes a sheet whose situational assessment holds only a
// CONFIDENTIAL paragraph, hidden from lowofficer (RESTRICTED), who sees
// only its offensive interest.
func hiddenSituation(f *fixture, round string) string {
	return f.create("officer", "/api/v1/rounds/"+round+"/sheets", map[string]any{"title": "Pacific resilience", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("Hidden assessment of the cable landings.", "CONFIDENTIAL", "")}},
		{"kind": "offensive", "paragraphs": []any{para("Open offensive point.", "RESTRICTED", "")}},
	}})
}

// situations lists the texts of each situational assessment of a sheet
// as user reads it.
func situations(f *fixture, user, id string) [][]string {
	var out [][]string
	for _, sec := range f.sheet(user, id).Sections {
		if sec.Kind != "situation" {
			continue
		}
		var texts []string
		for _, p := range sec.Paragraphs {
			texts = append(texts, p.Text)
		}
		out = append(out, texts)
	}
	return out
}

// TestMerge_AddedStandardSectionIsTheHiddenOne: an officer shown no
// situational assessment (all of it above them) who adds one adds to the
// stored one: the sheet, and the lead's pack, hold one, the hidden
// paragraph first; the officer is told nothing of it. Before, the sheet
// held "Situational assessment" twice. Through the API and the editor.
func TestMerge_AddedStandardSectionIsTheHiddenOne(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	situationsInPack := func() int {
		pack := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html", nil).Body.String()
		return strings.Count(pack, "Situational assessment</")
	}
	check := func(t *testing.T, id, mine string, inPack int) {
		t.Helper()
		if got := situations(f, "lead", id); len(got) != 1 || strings.Join(got[0], "|") != "Hidden assessment of the cable landings.|"+mine {
			t.Errorf("the lead reads situational assessments %q", got)
		}
		if got := situations(f, "lowofficer", id); len(got) != 1 || strings.Join(got[0], "|") != mine {
			t.Errorf("the officer reads situational assessments %q", got)
		}
		if n := situationsInPack(); n != inPack {
			t.Errorf("the pack has %d situational assessments, %d before the officer's", n, inPack)
		}
	}
	t.Run("API", func(t *testing.T) {
		id := hiddenSituation(f, w.round)
		before := situationsInPack()
		var sh map[string]any
		f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil).json(&sh)
		secs := sh["sections"].([]any)
		if len(secs) != 1 {
			t.Fatalf("the officer sees %d sections", len(secs))
		}
		sh["sections"] = append(secs, map[string]any{"kind": "situation", "paragraphs": []any{para("The officer's point.", "RESTRICTED", "")}})
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", sh)
		if r.Code != 200 || strings.Contains(r.Body.String(), "Hidden") {
			t.Fatalf("merge: %d %s", r.Code, r.Body.String())
		}
		check(t, id, "The officer's point.", before)
	})
	t.Run("Editor", func(t *testing.T) {
		id := hiddenSituation(f, w.round)
		before := situationsInPack()
		b := f.pageBrowser("lowofficer")
		edit := "/sheets/" + id + "/edit"
		working := edit + "?working=1"
		page := b.open(edit)
		page = b.open(seeOther(t, b.act(id, page, "add-section", map[string]string{"new_kind": "situation"}), working+"#s1"))
		page = b.open(seeOther(t, b.act(id, page, "add-para:1", nil), working+"#s1-p0"))
		rec := b.act(id, page, "save", map[string]string{"s1.p0.text": "The officer's point, in the editor.", "s1.p0.marking": "RESTRICTED"})
		if rec.Code != 303 {
			t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
		}
		if page := b.open(edit); strings.Contains(page, "Hidden") || strings.Count(page, `value="situation"`) > 2 {
			t.Errorf("the editor after the save shows what is hidden, or two sections")
		}
		check(t, id, "The officer's point, in the editor.", before)
	})
}
