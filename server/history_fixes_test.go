package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// putSheet saves a new text of a sheet as user, failing unless 200.
func (f *fixture) putSheet(user, id string, version int, body map[string]any) {
	f.t.Helper()
	if r := f.do(user, "PUT", "/api/v1/sheets/"+id, body, "If-Match", fmt.Sprintf(`"%d"`, version)); r.Code != 200 {
		f.t.Fatalf("PUT sheet %s v%d: %d %s", id, version, r.Code, r.Body.String())
	}
}

// TestVersionPage_PreviousHidden: the version page compares a version with
// the one before it that the reader may see, or with none; a version
// hidden from them between is skipped, and one asked for is 404.
func TestVersionPage_PreviousHidden(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	secret := para("Zanzibar holdings only.", "SECRET", "")
	// v1 only SECRET; v2 adds a RESTRICTED paragraph; v3 only SECRET again;
	// v4 brings the RESTRICTED paragraph back, changed.
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime Security", secret))
	f.putSheet("officer", id, 1, sheetBody("Maritime Security", secret, para("Patrols in the Pacific continue at pace.", "RESTRICTED", "")))
	f.putSheet("officer", id, 2, sheetBody("Maritime Security", secret))
	f.putSheet("officer", id, 3, sheetBody("Maritime Security", secret, para("Patrols in the Pacific continue at speed.", "RESTRICTED", "")))

	r := f.do("viewer", "GET", "/sheets/"+id+"/versions/2", nil)
	if r.Code != 200 {
		t.Fatalf("version 2, whose version 1 is hidden: %d %s", r.Code, r.Body.String())
	}
	page := r.Body.String()
	if strings.Contains(page, "Changed since version") || !strings.Contains(page, "continue at pace") || strings.Contains(page, "Zanzibar") {
		t.Fatalf("version 2 should be shown without a comparison:\n%s", page)
	}
	r = f.do("viewer", "GET", "/sheets/"+id+"/versions/4", nil)
	if r.Code != 200 {
		t.Fatalf("version 4, whose version 3 is hidden: %d %s", r.Code, r.Body.String())
	}
	page = r.Body.String()
	if !strings.Contains(page, "Changed since version 2") || !strings.Contains(page, "<del>pace") || !strings.Contains(page, "<ins>speed") {
		t.Fatalf("version 4 should be compared with version 2:\n%s", page)
	}
	if strings.Contains(page, "Zanzibar") {
		t.Fatal("hidden text on the page")
	}
	// Asked for by number, a hidden version is as one that does not exist.
	hidden := f.do("viewer", "GET", "/sheets/"+id+"/versions/4?compare=3", nil)
	none := f.do("viewer", "GET", "/sheets/"+id+"/versions/4?compare=9", nil)
	if hidden.Code != 404 || none.Code != 404 {
		t.Fatalf("compare with a hidden version %d, with none %d", hidden.Code, none.Code)
	}
	if r := f.do("viewer", "GET", "/sheets/"+id+"/versions/4?compare=0", nil); r.Code != 200 || strings.Contains(r.Body.String(), "Changed since version") {
		t.Fatalf("compare=0: %d", r.Code)
	}
	// The officer, who sees every version, compares with the one just before.
	if r := f.do("officer", "GET", "/sheets/"+id+"/versions/4", nil); r.Code != 200 || !strings.Contains(r.Body.String(), "Changed since version 3") {
		t.Fatalf("officer, version 4: %d", r.Code)
	}
}

// TestRestore_HiddenVersion: restoring a version hidden from the restorer
// is answered as restoring one that does not exist; one they see only in
// part is still refused, as restoring it would lose what they cannot see.
func TestRestore_HiddenVersion(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber Policy", para("Only secret zanzibar words.", "SECRET", "")))
	f.putSheet("officer", id, 1, sheetBody("Cyber Policy", para("A restricted assessment.", "RESTRICTED", "")))

	if r := f.do("lowofficer", "GET", "/api/v1/sheets/"+id+"/versions/1", nil); r.Code != 404 {
		t.Fatalf("GET of the hidden version: %d", r.Code)
	}
	hidden := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"2"`)
	missing := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 3}, "If-Match", `"2"`)
	if hidden.Code != 404 || missing.Code != 404 {
		t.Fatalf("restore of a hidden version: %d %s; of a missing one: %d", hidden.Code, hidden.Body.String(), missing.Code)
	}
	if want := strings.Replace(missing.Body.String(), "version 3", "version 1", 1); hidden.Body.String() != want {
		t.Fatalf("hidden %s, missing %s", hidden.Body.String(), missing.Body.String())
	}
	// v3 holds both; the restricted officer sees it in part.
	f.putSheet("officer", id, 2, sheetBody("Cyber Policy", para("A restricted assessment.", "RESTRICTED", ""), para("Only secret zanzibar words.", "SECRET", "")))
	f.putSheet("officer", id, 3, sheetBody("Cyber Policy", para("A restricted assessment, revised.", "RESTRICTED", "")))
	if r := f.do("lowofficer", "GET", "/api/v1/sheets/"+id+"/versions/3", nil); r.Code != 200 {
		t.Fatalf("GET of the version seen in part: %d", r.Code)
	}
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 3}, "If-Match", `"4"`); r.Code != 403 {
		t.Fatalf("restore of a version seen in part: %d %s", r.Code, r.Body.String())
	}
	// The officer cleared for everything restores the hidden version.
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"4"`); r.Code != 200 {
		t.Fatalf("officer's restore: %d %s", r.Code, r.Body.String())
	}
}

// TestRollForward_OnlyForward: a sheet rolls forward into a later round of
// its dialogue only; an earlier round, its own, or a round hidden from the
// caller is 422 naming round_id, the hidden one answered as a missing one.
func TestRollForward_OnlyForward(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	rounds := "/api/v1/dialogues/" + w.dialogue + "/rounds"
	earlier := f.create("secretariat", rounds, map[string]any{"number": 2, "starts_on": "2017-05-10", "city": "Canberra", "host": "partner", "status": "held", "marking": "RESTRICTED"})
	hiddenEarlier := f.create("secretariat", rounds, map[string]any{"number": 1, "starts_on": "2016-05-10", "city": "Wellington", "host": "home", "status": "held", "marking": "SECRET"})
	later := f.create("secretariat", rounds, map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	sheet := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Counter Terrorism", para("Our approach is unchanged.", "RESTRICTED", "")))

	roll := func(user, round string) response {
		return f.do(user, "POST", "/api/v1/sheets/"+sheet+"/rollforward", map[string]string{"round_id": round})
	}
	for _, tc := range []struct{ user, round, what string }{
		{"lowofficer", earlier, "an earlier round"},
		{"officer", earlier, "an earlier round"},
		{"officer", hiddenEarlier, "an earlier round"},
		{"lowofficer", w.round, "its own round"},
	} {
		r := roll(tc.user, tc.round)
		var b struct {
			Error struct{ Fields map[string]string }
		}
		r.json(&b)
		if r.Code != 422 || b.Error.Fields["round_id"] == "" {
			t.Fatalf("%s into %s: %d %s", tc.user, tc.what, r.Code, r.Body.String())
		}
	}
	// A round hidden from the caller, earlier or later, is as one that does not exist.
	missing := roll("lowofficer", "nosuchround")
	for _, round := range []string{hiddenEarlier, w.secretRound} {
		if r := roll("lowofficer", round); r.Code != missing.Code || r.Body.String() != missing.Body.String() {
			t.Fatalf("hidden round: %d %s; missing: %d %s", r.Code, r.Body.String(), missing.Code, missing.Body.String())
		}
	}
	if missing.Code != 422 {
		t.Fatalf("missing round: %d", missing.Code)
	}
	if r := roll("lowofficer", later); r.Code != 201 {
		t.Fatalf("into a later round: %d %s", r.Code, r.Body.String())
	}
	if r := roll("officer", w.secretRound); r.Code != 201 {
		t.Fatalf("officer into the later SECRET round: %d %s", r.Code, r.Body.String())
	}
}

// TestVersionDiff_Bounded: a diff of two versions whose every paragraph
// changed at length is answered with the work bounded: some paragraphs word
// by word, the rest shown replaced whole, nothing of either text lost.
func TestVersionDiff_Bounded(t *testing.T) {
	f := newFixture(t)
	id := f.longSheetVersions()
	r := f.do("viewer", "GET", "/api/v1/sheets/"+id+"/diff?from=1&to=2", nil)
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var d struct {
		Changes []struct {
			Change        string
			Before, After string
			Words         []struct{ Op, Text string }
		}
	}
	r.json(&d)
	kinds := map[string]int{}
	for _, c := range d.Changes {
		kinds[c.Change]++
		if c.Change == "changed" && len(c.Words) < 1000 {
			t.Fatalf("a changed paragraph with %d word runs", len(c.Words))
		}
	}
	if kinds["changed"] == 0 || kinds["changed"] == 100 || kinds["changed"]+kinds["removed"] != 100 || kinds["removed"] != kinds["added"] {
		t.Fatalf("changes %v: want some paragraphs word by word, the rest replaced whole", kinds)
	}
}

// BenchmarkVersionDiff_Large is the diff of TestVersionDiff_Bounded
// through the router: 100 paragraphs of 2,000 words, every other word
// changed (a 1.6 MB sheet).
func BenchmarkVersionDiff_Large(b *testing.B) {
	f := newFixture(b)
	id := f.longSheetVersions()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := f.do("viewer", "GET", "/api/v1/sheets/"+id+"/diff?from=1&to=2", nil); r.Code != 200 {
			b.Fatal(r.Code)
		}
	}
}

// longSheetVersions saves a sheet of 100 paragraphs of 2,000 words, then
// every other word of each changed, and returns its id.
func (f *fixture) longSheetVersions() string {
	f.t.Helper()
	w := f.world()
	body := func(changed bool) map[string]any {
		var ps []map[string]string
		for p := 0; p < 100; p++ {
			var sb strings.Builder
			for i := 0; i < 2000; i++ {
				if changed && i%2 == 1 {
					fmt.Fprintf(&sb, "p%dv%d ", p, i)
				} else {
					fmt.Fprintf(&sb, "p%dw%d ", p, i)
				}
			}
			ps = append(ps, para(strings.TrimSpace(sb.String()), "RESTRICTED", ""))
		}
		return sheetBody("Long Sheet", ps...)
	}
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", body(false))
	f.putSheet("officer", id, 1, body(true))
	return id
}

// TestRestore_SubmittedSheet: a version is not put back over a sheet under
// review: the words restored are not those submitted. The answer says what
// to do, not that a field the request did not have is wrong.
func TestRestore_SubmittedSheet(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = "Foreign Interference, revised" })
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	sh := f.sheet("officer", w.sheet)
	r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/restore", map[string]int{"version": 1}, "If-Match", fmt.Sprintf(`"%d"`, sh.Version))
	if r.Code != 409 || !strings.Contains(r.Body.String(), "return it to draft") || strings.Contains(r.Body.String(), `"status"`) {
		t.Fatalf("restore over a submitted sheet: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Version != sh.Version || got.Status != "submitted" {
		t.Fatalf("the sheet changed: version %d, %s", got.Version, got.Status)
	}
}

// TestRestore_OwnerGone: a version whose owner has no account now is
// restored to the sheet's owner now, not refused naming owner_id, a field
// the request did not have.
func TestRestore_OwnerGone(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("departed", "officer", "SECRET")
	gone := userID(t, f, "departed")
	me := userID(t, f, "officer")
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["owner_id"] = gone; m["title"] = "Held by the departed" })
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["owner_id"] = me; m["title"] = "Foreign Interference" })
	if r := f.do("admin", "DELETE", "/api/v1/users/"+gone, nil); r.Code != 204 {
		t.Fatalf("delete the user: %d %s", r.Code, r.Body.String())
	}
	sh := f.sheet("officer", w.sheet)
	r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/restore", map[string]int{"version": 2}, "If-Match", fmt.Sprintf(`"%d"`, sh.Version))
	if r.Code != 200 {
		t.Fatalf("restore: %d %s", r.Code, r.Body.String())
	}
	var got struct {
		Title   string `json:"title"`
		OwnerID string `json:"owner_id"`
	}
	r.json(&got)
	if got.Title != "Held by the departed" || got.OwnerID != me {
		t.Fatalf("restored %+v", got)
	}
}
