package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// versionNumbers lists the versions a GET of a versions list answers user.
func (f *fixture) versionNumbers(user, path string) []int {
	f.t.Helper()
	r := f.do(user, "GET", path, nil)
	if r.Code != 200 {
		f.t.Fatalf("GET %s as %s: %d %s", path, user, r.Code, r.Body.String())
	}
	var out struct {
		Items []struct {
			Version int `json:"version"`
		} `json:"items"`
	}
	if err := jsonUnmarshal(r.Body.String(), &out); err != nil {
		f.t.Fatal(err)
	}
	var vs []int
	for _, it := range out.Items {
		vs = append(vs, it.Version)
	}
	return vs
}

// auditOf lists, as "op from→to", the audit entries user is shown of one object.
func (f *fixture) auditOf(user, kind, id string) []string {
	f.t.Helper()
	r := f.do(user, "GET", "/api/v1/audit?limit=1000", nil)
	if r.Code != 200 {
		f.t.Fatalf("GET audit as %s: %d %s", user, r.Code, r.Body.String())
	}
	if strings.Contains(r.Body.String(), `"seen"`) {
		f.t.Fatalf("the audit log serves who sees each change: %s", r.Body.String())
	}
	var out struct {
		Items []struct {
			Op       string `json:"op"`
			Kind     string `json:"kind"`
			ObjectID string `json:"object_id"`
			From     int    `json:"from_version"`
			To       int    `json:"to_version"`
		} `json:"items"`
	}
	if err := jsonUnmarshal(r.Body.String(), &out); err != nil {
		f.t.Fatal(err)
	}
	var es []string
	for _, it := range out.Items {
		if it.Kind == kind && it.ObjectID == id {
			es = append(es, fmt.Sprintf("%s %d→%d", it.Op, it.From, it.To))
		}
	}
	slices.Reverse(es)
	return es
}

// TestHiddenEdits_Sheet: a save of a sheet that changed only paragraphs
// above a reader is absent from their list of its versions and from their
// audit log; the saves they see are listed, and a reader cleared for the
// hidden paragraphs is shown every save.
func TestHiddenEdits_Sheet(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber", para("Visible words.", "RESTRICTED", "")))
	// Each save is of the sheet as the TOP SECRET lead read it, paragraph ids and all.
	save := func(version int, mutate func(paras []any) []any) {
		t.Helper()
		var sh map[string]any
		if err := jsonUnmarshal(f.do("lead", "GET", "/api/v1/sheets/"+id, nil).Body.String(), &sh); err != nil {
			t.Fatal(err)
		}
		sec := sh["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = mutate(sec["paragraphs"].([]any))
		f.putSheet("lead", id, version, sh)
	}
	text := func(p any, s string) { p.(map[string]any)["text"] = s }
	// The lead adds a TOP SECRET paragraph, then edits only it.
	save(1, func(ps []any) []any { return append(ps, para("Hidden TS words.", "TOP SECRET", "")) })
	save(2, func(ps []any) []any { text(ps[1], "Hidden TS words, edited."); return ps })
	// A SECRET paragraph, then a change the RESTRICTED viewer sees.
	save(3, func(ps []any) []any { return append(ps, para("Secret words.", "SECRET", "")) })
	save(4, func(ps []any) []any { text(ps[0], "Visible words, changed."); return ps })

	versions := "/api/v1/sheets/" + id + "/versions"
	for _, c := range []struct {
		user string
		want []int
	}{
		{"viewer", []int{1, 5}},
		{"officer", []int{1, 4, 5}},
		{"lead", []int{1, 2, 3, 4, 5}},
	} {
		if got := f.versionNumbers(c.user, versions); !slices.Equal(got, c.want) {
			t.Errorf("%s is shown versions %v, want %v", c.user, got, c.want)
		}
	}
	for _, c := range []struct {
		user string
		want []string
	}{
		{"lowlead", []string{"create 0→1", "update 4→5"}},
		{"lead", []string{"create 0→1", "update 1→2", "update 2→3", "update 3→4", "update 4→5"}},
	} {
		if got := f.auditOf(c.user, "sheet", id); !slices.Equal(got, c.want) {
			t.Errorf("%s is shown audit entries %v, want %v", c.user, got, c.want)
		}
	}
	// Asked for by number, a save left out of the list is answered as before:
	// the viewer's copy of it, the same as the version listed before it.
	sections := func(n int) string {
		t.Helper()
		r := f.do("viewer", "GET", fmt.Sprintf("%s/%d", versions, n), nil)
		if r.Code != 200 {
			t.Fatalf("viewer, version %d: %d %s", n, r.Code, r.Body.String())
		}
		var sh map[string]any
		if err := jsonUnmarshal(r.Body.String(), &sh); err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(sh["sections"])
		return string(out)
	}
	if one, three := sections(1), sections(3); one != three || strings.Contains(three, "Hidden") {
		t.Errorf("the viewer's version 3 %s, their version 1 %s", three, one)
	}
	// The sheet's page lists the versions the viewer is shown, no other.
	page := f.do("viewer", "GET", "/sheets/"+id, nil).Body.String()
	for n := 2; n <= 4; n++ {
		if strings.Contains(page, fmt.Sprintf(`/sheets/%s/versions/%d"`, id, n)) {
			t.Errorf("the viewer's sheet page links version %d", n)
		}
	}
	if !strings.Contains(page, fmt.Sprintf(`/sheets/%s/versions/5"`, id)) {
		t.Errorf("the viewer's sheet page does not link version 5:\n%s", page)
	}
}

// TestHiddenEdits_Round: a save of a round that changed only its
// delegation by a person above a reader is absent from their list of its
// versions, from its page's history and from their audit log.
func TestHiddenEdits_Round(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	ts := f.create("admin", "/api/v1/people", map[string]any{"name": "Hidden Delegate", "country": "New Zealand", "marking": "TOP SECRET"})
	path := "/api/v1/rounds/" + w.round
	save := func(version int, mutate func(map[string]any)) {
		t.Helper()
		r := f.do("admin", "GET", path, nil)
		var body map[string]any
		if err := jsonUnmarshal(r.Body.String(), &body); err != nil {
			t.Fatal(err)
		}
		mutate(body)
		if r := f.do("admin", "PUT", path, body, "If-Match", fmt.Sprintf(`"%d"`, version)); r.Code != 200 {
			t.Fatalf("PUT round v%d: %d %s", version, r.Code, r.Body.String())
		}
	}
	save(1, func(b map[string]any) {
		b["delegation"] = []map[string]string{{"person_id": ts, "side": "home"}}
	})
	save(2, func(b map[string]any) {
		b["delegation"] = []map[string]string{{"person_id": ts, "side": "partner"}}
	})
	save(3, func(b map[string]any) { b["city"] = "Auckland" })

	if got, want := f.versionNumbers("viewer", path+"/versions"), []int{1, 4}; !slices.Equal(got, want) {
		t.Errorf("viewer is shown versions %v, want %v", got, want)
	}
	if got, want := f.versionNumbers("admin", path+"/versions"), []int{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("admin is shown versions %v, want %v", got, want)
	}
	if got, want := f.auditOf("lowlead", "round", w.round), []string{"create 0→1", "update 3→4"}; !slices.Equal(got, want) {
		t.Errorf("lowlead is shown audit entries %v, want %v", got, want)
	}
	if got, want := f.auditOf("lead", "round", w.round), []string{"create 0→1", "update 1→2", "update 2→3", "update 3→4"}; !slices.Equal(got, want) {
		t.Errorf("lead is shown audit entries %v, want %v", got, want)
	}
	page := f.do("viewer", "GET", "/rounds/"+w.round, nil).Body.String()
	if !strings.Contains(page, "2 saved versions") {
		i := strings.Index(page, "History of the round")
		t.Errorf("the viewer's round page should count 2 saved versions:\n%s", page[max(i, 0):min(max(i, 0)+400, len(page))])
	}
}
