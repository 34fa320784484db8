package server_test

import (
	"strings"
	"testing"
	"time"
)

// saveMeta is who made an object's last save, and when, as a reader is told.
type saveMeta struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

func (f *fixture) saveMeta(user, path string) saveMeta {
	f.t.Helper()
	r := f.do(user, "GET", path, nil)
	if r.Code != 200 {
		f.t.Fatalf("GET %s as %s: %d %s", path, user, r.Code, r.Body.String())
	}
	var m saveMeta
	r.json(&m)
	return m
}

// hiddenEdit has spookyx, a TOP SECRET lead, change the world sheet's
// SECRET paragraph alone: a save viewer, lowofficer and lowlead do not see.
func hiddenEdit(f *fixture, sheet string) {
	f.t.Helper()
	f.update("spookyx", "/api/v1/sheets/"+sheet, func(m map[string]any) {
		paragraphOf(m, 0, 1)["text"] = "Zanzibar assessment revised at secret."
	})
}

// TestHiddenSave_NamesNoAuthor: a save that changed only a paragraph above
// the reader is left out of their versions and the audit log; their copy
// of the sheet — read alone, in the round's list, or as that version —
// names the author and time of the last save they see, not that one's,
// which told them who had changed what they cannot see, and when. A
// reader cleared for it is told who made it, and the next save the
// reader sees names its author again.
func TestHiddenSave_NamesNoAuthor(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("spookyx", "lead", "TOP SECRET")
	path := "/api/v1/sheets/" + w.sheet
	seen := f.saveMeta("viewer", path)
	hiddenEdit(f, w.sheet)
	if r := f.do("viewer", "GET", path+"/versions", nil); strings.Contains(r.Body.String(), "spookyx") {
		t.Fatalf("the versions list names the save: %s", r.Body.String())
	}
	for _, p := range []string{path, path + "/versions/2"} {
		if got := f.saveMeta("viewer", p); got.UpdatedBy != seen.UpdatedBy || !got.UpdatedAt.Equal(seen.UpdatedAt) {
			t.Errorf("GET %s names %q at %v, want the last save the reader sees: %q at %v", p, got.UpdatedBy, got.UpdatedAt, seen.UpdatedBy, seen.UpdatedAt)
		}
	}
	var list struct{ Items []saveMeta }
	f.do("viewer", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).json(&list)
	found := false
	for _, m := range list.Items {
		if m.ID == w.sheet {
			found = true
			if m.UpdatedBy != seen.UpdatedBy || !m.UpdatedAt.Equal(seen.UpdatedAt) {
				t.Errorf("the round's sheets name %q at %v, want %q at %v", m.UpdatedBy, m.UpdatedAt, seen.UpdatedBy, seen.UpdatedAt)
			}
		}
	}
	if !found {
		t.Fatal("the sheet is not in the round's list")
	}
	for _, p := range []string{"/sheets/" + w.sheet, "/rounds/" + w.round} {
		if r := f.do("viewer", "GET", p, nil); strings.Contains(r.Body.String(), "spookyx") {
			t.Errorf("the page %s names the save's author", p)
		}
	}
	if got := f.saveMeta("admin", path); got.UpdatedBy != "spookyx" {
		t.Errorf("a reader cleared for the save is told %q made it", got.UpdatedBy)
	}
	f.update("officer", path, func(m map[string]any) {
		p := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
		p["text"] = "Words every reader sees, saved last."
	})
	if got := f.saveMeta("viewer", path); got.UpdatedBy != "officer" || got.Version != 3 {
		t.Errorf("after a save the reader sees: %q at version %d", got.UpdatedBy, got.Version)
	}
}

// TestHiddenSave_RoundNamesNoAuthor: a round's save that only added a
// delegate above the reader names neither its author nor its time on
// their copy of the round, nor in its list.
func TestHiddenSave_RoundNamesNoAuthor(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("spookyx", "admin", "TOP SECRET")
	path := "/api/v1/rounds/" + w.round
	seen := f.saveMeta("viewer", path)
	f.update("spookyx", path, func(m map[string]any) {
		m["delegation"] = []map[string]string{{"person_id": w.secretPerson, "side": "partner"}}
	})
	if got := f.saveMeta("viewer", path); got.UpdatedBy != seen.UpdatedBy || !got.UpdatedAt.Equal(seen.UpdatedAt) || got.Version != seen.Version+1 {
		t.Errorf("the round names %q at %v (version %d), want %q at %v", got.UpdatedBy, got.UpdatedAt, got.Version, seen.UpdatedBy, seen.UpdatedAt)
	}
	if r := f.do("viewer", "GET", "/api/v1/dialogues/"+w.dialogue+"/rounds", nil); strings.Contains(r.Body.String(), "spookyx") {
		t.Errorf("the dialogue's rounds name the save's author: %s", r.Body.String())
	}
	if got := f.saveMeta("secretariat", path); got.UpdatedBy != "spookyx" {
		t.Errorf("a reader who sees the delegate is told %q made the save", got.UpdatedBy)
	}
}

// TestHiddenSave_MergeNamesNoAuthor: a merge's 409 and its
// Briefpack-Merged-From name who saved since the writer's version only
// for the saves the writer sees.
func TestHiddenSave_MergeNamesNoAuthor(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("spookyx", "lead", "TOP SECRET")
	start := f.sheet("lowofficer", w.sheet) // sees paragraph 0 (RESTRICTED), not 1 (SECRET)
	hiddenEdit(f, w.sheet)
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		p := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
		p["text"] = "Officer's new words."
	})
	clash := start
	clash.Sections = append(clash.Sections[:0:0], start.Sections...)
	clash.Sections[0].Paragraphs = append(clash.Sections[0].Paragraphs[:0:0], start.Sections[0].Paragraphs...)
	clash.Sections[0].Paragraphs[0].Text = "Lowofficer's words."
	r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", clash)
	if r.Code != 409 || strings.Contains(r.Body.String(), "spookyx") || !strings.Contains(r.Body.String(), "officer") {
		t.Errorf("the clash should name officer alone: %d %s", r.Code, r.Body.String())
	}
	added := start
	added.Sections = append(added.Sections[:0:0], start.Sections...)
	added.Sections[1].Paragraphs = append(append(added.Sections[1].Paragraphs[:0:0], start.Sections[1].Paragraphs...), start.Sections[0].Paragraphs[0])
	added.Sections[1].Paragraphs[len(added.Sections[1].Paragraphs)-1].ID = ""
	added.Sections[1].Paragraphs[len(added.Sections[1].Paragraphs)-1].Text = "A new point."
	r = f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", added)
	if r.Code != 200 {
		t.Fatalf("a merge that does not clash: %d %s", r.Code, r.Body.String())
	}
	if h := r.Header().Get("Briefpack-Merged-From"); h != "officer" {
		t.Errorf("Briefpack-Merged-From: %q, want officer alone", h)
	}
}

// TestHiddenSave_MergeWritingNothing: a merge that writes nothing (the
// writer's copy sent back unchanged, as a client's autosave does) answers
// the sheet as stored, naming the last save the writer sees, not one of
// what is above them.
func TestHiddenSave_MergeWritingNothing(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("spookyx", "lead", "TOP SECRET")
	path := "/api/v1/sheets/" + w.sheet
	hiddenEdit(f, w.sheet)
	seen := f.saveMeta("lowofficer", path)
	if seen.UpdatedBy == "spookyx" {
		t.Fatalf("GET already names the hidden author")
	}
	mine := f.sheetAsMap("lowofficer", w.sheet)
	r := f.do("lowofficer", "POST", path+"/merge", mine)
	if r.Code != 200 {
		t.Fatalf("merge: %d %s", r.Code, r.Body.String())
	}
	var got saveMeta
	r.json(&got)
	if got.UpdatedBy != seen.UpdatedBy || !got.UpdatedAt.Equal(seen.UpdatedAt) || got.Version != seen.Version {
		t.Errorf("the merge's answer names %q at %v (version %d), want %q at %v as GET does", got.UpdatedBy, got.UpdatedAt, got.Version, seen.UpdatedBy, seen.UpdatedAt)
	}
}
