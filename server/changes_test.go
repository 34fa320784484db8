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

// TestChanges_MovesAreNoChange: a paragraph moved, within its section or
// to another, is not changed, nor is one whose marking or withholding alone
// changed; one whose words changed is, wherever it went — whether the
// paragraphs keep their links to last round's, or were sent again as new
// ones (without ids), which have none.
func TestChanges_MovesAreNoChange(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	for _, keepLinks := range []bool{true, false} {
		title := "Moves"
		if !keepLinks {
			title = "Moves Unlinked"
		}
		id := f.rolled(w.round, next, title, []map[string]any{
			{"kind": "situation", "paragraphs": []any{para("PX-X first.", "RESTRICTED", ""), para("PX-Y second.", "RESTRICTED", ""),
				para("PX-Z third.", "RESTRICTED", ""), para("PX-W to be withheld.", "RESTRICTED", "")}},
			{"kind": "offensive", "paragraphs": []any{para("PX-A one.", "RESTRICTED", ""), para("PX-B two.", "RESTRICTED", ""),
				para("PX-M moves to the other section.", "RESTRICTED", "")}},
			{"kind": "defensive", "paragraphs": []any{para("PX-E will be edited in its new place.", "RESTRICTED", "")}},
		})
		f.editSheet(id, func(secs []any) {
			if !keepLinks {
				for _, sec := range secs {
					for _, p := range paras(sec) {
						delete(p.(map[string]any), "id")
					}
				}
			}
			s0, s1, s2 := paras(secs[0]), paras(secs[1]), paras(secs[2])
			s0[3].(map[string]any)["withhold"] = "s6(a)"
			s0[1].(map[string]any)["marking"] = "CONFIDENTIAL"
			s2[0].(map[string]any)["text"] = "PX-E was edited in its new place."
			setParas(secs[0], s0[2], s0[0], s1[2], s0[1], s2[0], s0[3])
			setParas(secs[1], s1[1], s1[0])
			setParas(secs[2])
		})
		pack := f.do("lead", "GET", "/api/v1/rounds/"+next+"/pack?format=html", nil).Body.String()
		if got := packMarks(t, pack, title); strings.Join(got, " ") != "PX-E" {
			t.Errorf("%s: the pack marks %v, want only the edited PX-E", title, got)
		}
		// Without the link, the edited paragraph is told by its words, in
		// its section: moved to another and edited, it is a new one there.
		want := "Situational assessment[4] changed"
		if !keepLinks {
			want = "Situational assessment[4] added, Defensive interest – what are we trying to avoid[0] removed"
		}
		if got := f.changeList("lead", id); strings.Join(got, ", ") != want {
			t.Errorf("%s: /changes says %v, want %s", title, got, want)
		}
	}
}

// TestChanges_HiddenPredecessor: a sheet rolled forward from a round hidden
// from the reader is to them a sheet never rolled forward: no predecessor_id
// nor links of its paragraphs to that sheet's (in the sheet, the round's
// list, a past version), /changes answered as for such a sheet, and no
// marks in the pack.
func TestChanges_HiddenPredecessor(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	// The 4th round is SECRET: the viewer (RESTRICTED) sees the 5th, not the 4th.
	id := f.rolled(w.secretRound, next, "Rolled From Secret", []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("PX-A restricted words.", "RESTRICTED", "")}},
	})
	f.editSheet(id, func(secs []any) {
		setParas(secs[0], append(paras(secs[0]), para("PX-N new this round.", "RESTRICTED", ""))...)
	})
	plain := f.create("lead", "/api/v1/rounds/"+next+"/sheets", sheetBody("Never Rolled", para("PX-P plain.", "RESTRICTED", "")))

	if got := packMarks(t, f.do("lead", "GET", "/api/v1/rounds/"+next+"/pack?format=html", nil).Body.String(), "Rolled From Secret"); strings.Join(got, " ") != "PX-N" {
		t.Fatalf("the lead's pack marks %v", got)
	}
	var sh map[string]any
	f.do("lead", "GET", "/api/v1/sheets/"+id, nil).json(&sh)
	if sh["predecessor_id"] == nil {
		t.Fatalf("the lead, who sees the predecessor, is not told of it: %v", sh)
	}

	for _, path := range []string{"/api/v1/sheets/" + id, "/api/v1/rounds/" + next + "/sheets", "/api/v1/sheets/" + id + "/versions/2"} {
		r := f.do("viewer", "GET", path, nil)
		if b := r.Body.String(); r.Code != 200 || strings.Contains(b, "predecessor_id") || strings.Contains(b, "origin_id") {
			t.Errorf("viewer GET %s: %d %s", path, r.Code, r.Body.String())
		}
	}
	got := f.do("viewer", "GET", "/api/v1/sheets/"+id+"/changes", nil)
	want := f.do("viewer", "GET", "/api/v1/sheets/"+plain+"/changes", nil)
	if got.Code != want.Code || strings.ReplaceAll(got.Body.String(), id, plain) != want.Body.String() {
		t.Errorf("changes since a hidden predecessor: %d %s; of a sheet never rolled forward: %d %s", got.Code, got.Body.String(), want.Code, want.Body.String())
	}
	if marks := packMarks(t, f.do("lowlead", "GET", "/api/v1/rounds/"+next+"/pack?format=html", nil).Body.String(), "Rolled From Secret"); len(marks) != 0 {
		t.Errorf("the viewer's pack marks %v", marks)
	}
}
