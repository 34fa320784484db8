package server_test

import (
	"fmt"
	"testing"
)

// grownByLowOfficer is hiddenWorld's sheet grown by the RESTRICTED
// officer: with paragraphs, section 0 to 200 paragraphs as they see it (202
// stored); with sections, the sheet to 50 sections as they see it (51
// stored). Each is allowed: the limits hold a writer's sheet as they see it.
func grownByLowOfficer(f *fixture, id string, paragraphs, sections bool) {
	f.t.Helper()
	m := f.sheetAsMap("lowofficer", id)
	if paragraphs {
		setParagraphs(m, 0, 200)
	}
	if sections {
		secs := m["sections"].([]any)
		for len(secs) < 50 {
			secs = append(secs, map[string]any{"kind": "custom", "heading": fmt.Sprintf("Added %d", len(secs)), "paragraphs": []any{para("Text.", "RESTRICTED", "")}})
		}
		m["sections"] = secs
	}
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
		f.t.Fatalf("the RESTRICTED officer's merge: %d %s", r.Code, r.Body.String())
	}
}

// storedCounts is how many sections the lead sees in a sheet, and how many
// paragraphs in its first.
func storedCounts(f *fixture, id string) (sections, paragraphs int) {
	f.t.Helper()
	m := f.sheetAsMap("lead", id)
	return len(m["sections"].([]any)), len(sectionOf(m, 0)["paragraphs"].([]any))
}

// TestRestore_LimitsAsStored: a version that lower writers legitimately
// grew past the limits as a higher writer sees them is put back by a
// restorer who sees all of it: restore is held to the stored sheet's
// limits, not a writer's; one who sees it in part is refused as before.
func TestRestore_LimitsAsStored(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		paragraphs, sections bool
		wantSecs, wantParas  int
	}{
		{"Paragraphs", true, false, 3, 202},
		{"Sections", false, true, 51, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := hiddenWorld(f)
			grownByLowOfficer(f, id, tc.paragraphs, tc.sections) // version 2
			restore := func(user string, version int, ifMatch string) response {
				return f.do(user, "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": version}, "If-Match", ifMatch)
			}
			if r := restore("lead", 1, `"2"`); r.Code != 200 {
				t.Fatalf("the lead's restore of version 1: %d %s", r.Code, r.Body.String())
			}
			if r := restore("lowofficer", 2, `"3"`); r.Code != 403 {
				t.Fatalf("the RESTRICTED officer's restore of version 2, seen in part: %d %s", r.Code, r.Body.String())
			}
			if r := restore("lead", 2, `"3"`); r.Code != 200 {
				t.Fatalf("the lead's restore of version 2, undoing theirs: %d %s", r.Code, r.Body.String())
			}
			if secs, paras := storedCounts(f, id); secs != tc.wantSecs || paras != tc.wantParas {
				t.Fatalf("restored: %d sections, %d paragraphs in the first; want %d, %d", secs, paras, tc.wantSecs, tc.wantParas)
			}
		})
	}
}

// TestRollForward_LimitsAsStored: a sheet that lower writers legitimately
// grew past the limits as a higher writer sees them rolls forward whole
// for one who sees all of it, and is still refused to one who does not.
func TestRollForward_LimitsAsStored(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	grownByLowOfficer(f, id, true, true)
	var round struct {
		DialogueID string `json:"dialogue_id"`
	}
	f.do("lead", "GET", "/api/v1/rounds/"+f.sheetAsMap("lead", id)["round_id"].(string), nil).json(&round)
	later := f.create("secretariat", "/api/v1/dialogues/"+round.DialogueID+"/rounds", map[string]any{"number": 6, "starts_on": "2021-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	roll := func(user string) response {
		return f.do(user, "POST", "/api/v1/sheets/"+id+"/rollforward", map[string]string{"round_id": later})
	}
	if r := roll("lowofficer"); r.Code != 403 {
		t.Fatalf("the RESTRICTED officer's roll-forward: %d %s", r.Code, r.Body.String())
	}
	r := roll("lead")
	if r.Code != 201 {
		t.Fatalf("the lead's roll-forward: %d %s", r.Code, r.Body.String())
	}
	var out struct{ ID string }
	r.json(&out)
	if secs, paras := storedCounts(f, out.ID); secs != 51 || paras != 202 {
		t.Fatalf("rolled forward: %d sections, %d paragraphs in the first; want 51, 202", secs, paras)
	}
}
