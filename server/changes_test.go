package server_test

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// packMarks returns the tokens ("PX-…") of the paragraphs of a pack's sheet
// titled title that carry the mark "Changed since the last round", sorted.
func packMarks(t *testing.T, pack, title string) []string {
	t.Helper()
	sec := regexp.MustCompile(`(?s)<h2>` + regexp.QuoteMeta(title) + `.*?</section>`).FindString(pack)
	if sec == "" {
		t.Fatalf("the pack has no sheet %q", title)
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<div class="para( changed)?">.*?(PX-[A-Z]+)`).FindAllStringSubmatch(sec, -1) {
		if m[1] != "" {
			out = append(out, m[2])
		}
	}
	sort.Strings(out)
	return out
}

// changeList is the answer of GET /sheets/{id}/changes, each change as
// "section[index] change".
func (f *fixture) changeList(user, id string) []string {
	f.t.Helper()
	r := f.do(user, "GET", "/api/v1/sheets/"+id+"/changes", nil)
	if r.Code != 200 {
		f.t.Fatalf("changes of %s: %d %s", id, r.Code, r.Body.String())
	}
	var b struct {
		Changes []struct {
			Section string
			Index   int
			Change  string
		}
	}
	r.json(&b)
	out := []string{}
	for _, c := range b.Changes {
		out = append(out, c.Section+"["+strconv.Itoa(c.Index)+"] "+c.Change)
	}
	return out
}

// rolled creates a sheet of sections in round from and rolls it forward into to,
// returning the new sheet's id.
func (f *fixture) rolled(from, to, title string, sections []map[string]any) string {
	f.t.Helper()
	id := f.create("lead", "/api/v1/rounds/"+from+"/sheets", map[string]any{"title": title, "sections": sections})
	r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/rollforward", map[string]string{"round_id": to})
	if r.Code != 201 {
		f.t.Fatalf("roll forward: %d %s", r.Code, r.Body.String())
	}
	var out struct{ ID string }
	r.json(&out)
	return out.ID
}

// editSheet reads a sheet, lets edit change it and saves it with PUT.
func (f *fixture) editSheet(id string, edit func(secs []any)) {
	f.t.Helper()
	var sh map[string]any
	r := f.do("lead", "GET", "/api/v1/sheets/"+id, nil)
	r.json(&sh)
	edit(sh["sections"].([]any))
	if w := f.do("lead", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", r.Header().Get("ETag")); w.Code != 200 {
		f.t.Fatalf("save %s: %d %s", id, w.Code, w.Body.String())
	}
}

func paras(sec any) []any { return sec.(map[string]any)["paragraphs"].([]any) }

func setParas(sec any, ps ...any) { sec.(map[string]any)["paragraphs"] = append([]any{}, ps...) }

// TestChanges_TwoSectionsOfAKind: a sheet holding two sections of one kind,
// rolled forward unchanged, has nothing changed, in the pack or in
// /changes; a change in the second section is marked there, not in the first.
func TestChanges_TwoSectionsOfAKind(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	id := f.rolled(w.round, next, "Two Lists", []map[string]any{
		{"kind": "talking_points", "paragraphs": []any{para("PX-A first list.", "RESTRICTED", "")}},
		{"kind": "talking_points", "paragraphs": []any{para("PX-B second list.", "RESTRICTED", "")}},
		{"kind": "custom", "heading": "Our Approach", "paragraphs": []any{para("PX-C approach one.", "RESTRICTED", "")}},
		{"kind": "custom", "heading": "Our Approach", "paragraphs": []any{para("PX-D approach two.", "RESTRICTED", "")}},
	})
	pack := func() string {
		return f.do("lead", "GET", "/api/v1/rounds/"+next+"/pack?format=html", nil).Body.String()
	}
	if got := packMarks(t, pack(), "Two Lists"); len(got) != 0 {
		t.Errorf("unchanged, the pack marks %v", got)
	}
	if got := f.changeList("lead", id); len(got) != 0 {
		t.Errorf("unchanged, /changes says %v", got)
	}
	f.editSheet(id, func(secs []any) {
		p := paras(secs[1])[0].(map[string]any)
		p["text"] = "PX-B second list, revised."
		p = paras(secs[3])[0].(map[string]any)
		p["text"] = "PX-D approach two, revised."
	})
	if got := packMarks(t, pack(), "Two Lists"); strings.Join(got, " ") != "PX-B PX-D" {
		t.Errorf("the second sections changed, the pack marks %v", got)
	}
	if got := f.changeList("lead", id); strings.Join(got, ", ") != "Talking points[0] changed, Our Approach[0] changed" {
		t.Errorf("the second sections changed, /changes says %v", got)
	}
}
