package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// hiddenWorld is a topic sheet as the lead (TOP SECRET) wrote it:
// section 0 holds A, H1 (SECRET), B, H2 (TOP SECRET), C; section 1 holds
// only a SECRET paragraph; section 2 is a custom section "X" of two. The
// RESTRICTED officer sees A, B, C at [0][0..2] and X at [1].
func hiddenWorld(f *fixture) string {
	f.t.Helper()
	w := f.world()
	return f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Hidden places", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{
			para("Paragraph A.", "RESTRICTED", ""), para("Hidden one.", "SECRET", ""),
			para("Paragraph B.", "RESTRICTED", ""), para("Hidden two.", "TOP SECRET", ""),
			para("Paragraph C.", "RESTRICTED", "")}},
		{"kind": "offensive", "paragraphs": []any{para("Hidden three.", "SECRET", "")}},
		{"kind": "custom", "heading": "X", "paragraphs": []any{para("X one.", "RESTRICTED", ""), para("X two.", "RESTRICTED", "")}},
	}})
}

// sheetAsMap is a sheet as its reader GETs it, to edit freely.
func (f *fixture) sheetAsMap(user, id string) map[string]any {
	f.t.Helper()
	r := f.do(user, "GET", "/api/v1/sheets/"+id, nil)
	if r.Code != 200 {
		f.t.Fatalf("GET sheet %s as %s: %d", id, user, r.Code)
	}
	var m map[string]any
	r.json(&m)
	return m
}

func sectionOf(m map[string]any, i int) map[string]any {
	return m["sections"].([]any)[i].(map[string]any)
}

func paragraphOf(m map[string]any, i, j int) map[string]any {
	return sectionOf(m, i)["paragraphs"].([]any)[j].(map[string]any)
}

// errorBody is an error answer's fields and message.
type errorBody struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (r response) errorBody() errorBody {
	var b struct{ Error errorBody }
	_ = json.Unmarshal(r.Body.Bytes(), &b)
	return b.Error
}

// A writer below some paragraphs' marking is told what is wrong with their
// sheet at its place in the body they sent, in words that count as they
// see: nothing in an error says where hidden paragraphs are, or how many.
func TestSheetService_MergeErrorsAsSent(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	merge := func(user string, edit func(m map[string]any)) response {
		t.Helper()
		m := f.sheetAsMap(user, id)
		edit(m)
		return f.do(user, "POST", "/api/v1/sheets/"+id+"/merge", m)
	}
	long := strings.Repeat("x", 301)
	for _, tc := range []struct {
		name   string
		user   string
		edit   func(m map[string]any)
		status int
		field  string
		says   string // in the field's reason or the message
	}{
		{"BogusMarking", "lowofficer", func(m map[string]any) { paragraphOf(m, 0, 2)["marking"] = "BOGUS" }, 422, "sections[0].paragraphs[2].marking", "must be one of"},
		{"EmptyText", "lowofficer", func(m map[string]any) { paragraphOf(m, 0, 2)["text"] = " " }, 422, "sections[0].paragraphs[2].text", "section 1, paragraph 3 is empty"},
		{"NullFirst", "lowofficer", func(m map[string]any) {
			s := sectionOf(m, 0)
			s["paragraphs"] = append([]any{nil}, s["paragraphs"].([]any)...)
		}, 422, "sections[0].paragraphs[0].text", "section 1, paragraph 1 is empty"},
		{"NullAfterA", "lowofficer", func(m map[string]any) {
			s := sectionOf(m, 0)
			ps := s["paragraphs"].([]any)
			s["paragraphs"] = append([]any{ps[0], nil}, ps[1:]...)
		}, 422, "sections[0].paragraphs[1].text", "section 1, paragraph 2 is empty"},
		{"BadSpan", "lowofficer", func(m map[string]any) { paragraphOf(m, 1, 1)["text"] = "X two {{s6(a): never ended" }, 422, "sections[1].paragraphs[1].text", "section 2, paragraph 2"},
		{"EmptyHeading", "lowofficer", func(m map[string]any) { sectionOf(m, 1)["heading"] = "" }, 422, "sections[1].heading", ""},
		{"LongHeading", "lowofficer", func(m map[string]any) { sectionOf(m, 1)["heading"] = long }, 422, "sections[1].heading", ""},
		{"AboveClearance", "lowofficer", func(m map[string]any) { paragraphOf(m, 0, 1)["marking"] = "SECRET" }, 403, "sections[0].paragraphs[1].marking", "above your clearance"},
		// A writer who sees everything is answered as before, at the places they see.
		{"SeesAll/BogusMarking", "lead", func(m map[string]any) { paragraphOf(m, 0, 4)["marking"] = "BOGUS" }, 422, "sections[0].paragraphs[4].marking", "must be one of"},
		{"SeesAll/EmptyText", "lead", func(m map[string]any) { paragraphOf(m, 0, 4)["text"] = "" }, 422, "sections[0].paragraphs[4].text", "section 1, paragraph 5 is empty"},
		{"SeesAll/BadSpan", "lead", func(m map[string]any) { paragraphOf(m, 2, 1)["text"] = "X two {{s6(a): never ended" }, 422, "sections[2].paragraphs[1].text", "section 3, paragraph 2"},
		{"SeesAll/EmptyHeading", "lead", func(m map[string]any) { sectionOf(m, 2)["heading"] = "" }, 422, "sections[2].heading", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := merge(tc.user, tc.edit)
			e := r.errorBody()
			if r.Code != tc.status || e.Fields[tc.field] == "" || !strings.Contains(e.Fields[tc.field]+" "+e.Message, tc.says) {
				t.Fatalf("%d, want %d naming %s (%q): %s", r.Code, tc.status, tc.field, tc.says, r.Body.String())
			}
			if len(e.Fields) != 1 {
				t.Errorf("fields other than %s: %v", tc.field, e.Fields)
			}
			if tc.user == "lowofficer" && strings.Contains(r.Body.String(), "Hidden") {
				t.Errorf("the answer holds hidden text: %s", r.Body.String())
			}
		})
	}
}

// setParagraphs gives section i of a sheet as its reader sees it n
// paragraphs of their own marking.
func setParagraphs(m map[string]any, i, n int) {
	ps := make([]any, n)
	for j := range ps {
		ps[j] = para(fmt.Sprintf("Visible paragraph %d.", j+1), "RESTRICTED", "")
	}
	sectionOf(m, i)["paragraphs"] = ps
}

// The limits hold a writer's sheet as they see it: how many paragraphs or
// sections are hidden from them changes nothing they are told.
func TestSheetService_MergeLimitsAsSeen(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	merge := func(user string, edit func(m map[string]any)) response {
		t.Helper()
		m := f.sheetAsMap(user, id)
		edit(m)
		return f.do(user, "POST", "/api/v1/sheets/"+id+"/merge", m)
	}
	t.Run("Paragraphs", func(t *testing.T) {
		// Two paragraphs of section 0 are hidden: 198 and 199 seen both land, as 200 does.
		for _, n := range []int{198, 199, 200} {
			if r := merge("lowofficer", func(m map[string]any) { setParagraphs(m, 0, n) }); r.Code != 200 {
				t.Fatalf("%d paragraphs seen: %d %s", n, r.Code, r.Body.String())
			}
		}
		r := merge("lowofficer", func(m map[string]any) { setParagraphs(m, 0, 201) })
		e := r.errorBody()
		if r.Code != 422 || len(e.Fields) != 1 || e.Fields["sections[0].paragraphs"] != "must have at most 200 paragraphs" {
			t.Fatalf("201 paragraphs seen: %d %s", r.Code, r.Body.String())
		}
		// Section 2 ("X", at [1] to them) hides none: the same answer.
		r2 := merge("lowofficer", func(m map[string]any) { setParagraphs(m, 1, 201) })
		e2 := r2.errorBody()
		if r2.Code != 422 || len(e2.Fields) != 1 || e2.Fields["sections[1].paragraphs"] != e.Fields["sections[0].paragraphs"] || e2.Message != e.Message {
			t.Fatalf("201 paragraphs in a section hiding none: %d %s, against %s", r2.Code, r2.Body.String(), r.Body.String())
		}
		// The stored sheet holds the 200 they see and the two they do not;
		// the lead, who sees 202, saves it as it is and may not grow it.
		if r := merge("lead", func(m map[string]any) { paragraphOf(m, 0, 0)["text"] = "Edited by the lead." }); r.Code != 200 {
			t.Fatalf("the lead's save of 202 seen: %d %s", r.Code, r.Body.String())
		}
		r3 := merge("lead", func(m map[string]any) {
			s := sectionOf(m, 0)
			s["paragraphs"] = append(s["paragraphs"].([]any), para("One more.", "TOP SECRET", ""))
		})
		if r3.Code != 422 || r3.errorBody().Fields["sections[0].paragraphs"] == "" {
			t.Fatalf("the lead growing 202 seen: %d %s", r3.Code, r3.Body.String())
		}
	})
	t.Run("Sections", func(t *testing.T) {
		// One section is hidden from them: 50 seen land, 51 do not, as for anyone.
		grow := func(n int) func(m map[string]any) {
			return func(m map[string]any) {
				secs := m["sections"].([]any)
				for len(secs) < n {
					secs = append(secs, map[string]any{"kind": "custom", "heading": fmt.Sprintf("Added %d", len(secs)), "paragraphs": []any{para("Text.", "RESTRICTED", "")}})
				}
				m["sections"] = secs
			}
		}
		if r := merge("lowofficer", grow(50)); r.Code != 200 {
			t.Fatalf("50 sections seen: %d %s", r.Code, r.Body.String())
		}
		r := merge("lowofficer", grow(51))
		e := r.errorBody()
		if r.Code != 422 || len(e.Fields) != 1 || e.Fields["sections"] != "must have at most 50 sections" {
			t.Fatalf("51 sections seen: %d %s", r.Code, r.Body.String())
		}
	})
}

// Paragraphs two writers added at once count together, as they see them:
// the second save is refused at the section of their own sheet.
func TestSheetService_MergeLimitsTogether(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	first, second := f.sheetAsMap("lowofficer", id), f.sheetAsMap("lowofficer", id)
	setParagraphs(first, 1, 150)
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", first); r.Code != 200 {
		t.Fatalf("first: %d %s", r.Code, r.Body.String())
	}
	s := sectionOf(second, 1)
	ps := s["paragraphs"].([]any)
	for j := 0; j < 60; j++ {
		ps = append(ps, para(fmt.Sprintf("Added at once %d.", j), "RESTRICTED", ""))
	}
	s["paragraphs"] = ps
	r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", second)
	e := r.errorBody()
	if r.Code != 422 || len(e.Fields) != 1 || !strings.HasPrefix(e.Fields["sections[1].paragraphs"], "must have at most 200 paragraphs") {
		t.Fatalf("second: %d %s", r.Code, r.Body.String())
	}
}

// TestSave_WithoutStatus: a save that leaves out "status" keeps it, through
// a PUT and a merge alike: on a sheet submitted since the writer read it,
// the merge took "" for a change of its own that clashed with the review
// (409), and on the version submitted, either refused it as a save moving
// the review (422).
func TestSave_WithoutStatus(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	before := f.sheetAsMap("officer", w.sheet)
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	delete(before, "status")
	paragraphOf(before, 0, 0)["text"] = "Merged from the version before the sheet was submitted."
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", before); r.Code != 200 {
		t.Errorf("merge from before the submit: %d %s", r.Code, r.Body.String())
	}
	now := f.sheetAsMap("officer", w.sheet)
	delete(now, "status")
	paragraphOf(now, 0, 0)["text"] = "Merged on the version as it is."
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", now); r.Code != 200 {
		t.Errorf("merge on the version as it is: %d %s", r.Code, r.Body.String())
	}
	now = f.sheetAsMap("lead", w.sheet)
	delete(now, "status")
	paragraphOf(now, 0, 0)["text"] = "Put on the version as it is."
	if r := f.do("lead", "PUT", "/api/v1/sheets/"+w.sheet, now, "If-Match", fmt.Sprintf(`"%v"`, now["version"])); r.Code != 200 {
		t.Errorf("PUT: %d %s", r.Code, r.Body.String())
	}
	got := f.sheetAsMap("lead", w.sheet)
	if got["status"] != "submitted" || paragraphOf(got, 0, 0)["text"] != "Put on the version as it is." {
		t.Errorf("the sheet is %v with %q", got["status"], paragraphOf(got, 0, 0)["text"])
	}
}

// TestSave_WithoutWithhold: a save that leaves out a withholding, the
// sheet's or a paragraph's (or sends it as null), keeps it, through a PUT
// and a merge alike; "withhold": "" releases it. Before, a client that
// sent only what it changed released the sheet and its paragraph with a
// 200. In a merge, a withholding left out is no change of the writer's:
// someone else's release of it since stands, and a paragraph deleted since
// stays deleted.
func TestSave_WithoutWithhold(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	withheld := func() string {
		return f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Withheld Whole", "withhold": "s6(a)",
			"sections": []map[string]any{{"kind": "situation", "paragraphs": []any{para("Withheld words.", "RESTRICTED", "s6(a)"), para("Other words.", "RESTRICTED", "s9(2)(a)")}}}})
	}
	grounds := func(id string) string {
		sh := f.sheetAsMap("lead", id)
		out := fmt.Sprint(sh["withhold"])
		for _, p := range sectionOf(sh, 0)["paragraphs"].([]any) {
			out += " " + fmt.Sprint(p.(map[string]any)["withhold"])
		}
		return out
	}
	save := func(route, id string, sh map[string]any) {
		t.Helper()
		var r response
		if route == "PUT" {
			r = f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", fmt.Sprintf(`"%v"`, f.sheetAsMap("officer", id)["version"]))
		} else {
			r = f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", sh)
		}
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", route, r.Code, r.Body.String())
		}
	}
	for _, route := range []string{"PUT", "merge"} {
		id := withheld()
		sh := f.sheetAsMap("officer", id)
		delete(sh, "withhold")
		delete(paragraphOf(sh, 0, 0), "withhold")
		paragraphOf(sh, 0, 0)["text"] = "Withheld words, edited."
		paragraphOf(sh, 0, 1)["withhold"] = nil
		save(route, id, sh)
		if got := grounds(id); got != "s6(a) s6(a) s9(2)(a)" {
			t.Errorf("%s leaving the withholdings out: %s", route, got)
		}
		sh = f.sheetAsMap("officer", id)
		sh["withhold"], paragraphOf(sh, 0, 0)["withhold"] = "", ""
		save(route, id, sh)
		if got := grounds(id); got != "  s9(2)(a)" {
			t.Errorf("%s releasing them: %q", route, got)
		}
	}
	// A merge from an older version: a paragraph released since stays
	// released, and one deleted since stays deleted.
	id := withheld()
	old := f.sheetAsMap("officer", id)
	f.update("lead", "/api/v1/sheets/"+id, func(sh map[string]any) {
		paragraphOf(sh, 0, 0)["withhold"] = ""
		sec := sectionOf(sh, 0)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	delete(paragraphOf(old, 0, 0), "withhold")
	delete(paragraphOf(old, 0, 1), "withhold")
	old["title"] = "Withheld Whole, retitled"
	save("merge", id, old)
	if got := grounds(id); got != "s6(a) " {
		t.Errorf("a merge from an older version leaving the withholdings out: %q", got)
	}
}

// TestSave_MarkingLeftOut: a save that leaves out a marking keeps it: a
// paragraph's, through a PUT and a merge (from the version as it is, and
// from an older one), a person's and a round's. Before, a paragraph left
// without one was given the round's marking, a person the lowest and a
// round the lowest, so a SECRET paragraph or person was shown to a
// RESTRICTED viewer after a 200. A new paragraph left without one still
// takes the round's.
func TestSave_MarkingLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	secretText := paragraphOf(f.sheetAsMap("officer", w.sheet), 0, 1)["text"].(string)
	seen := func() bool {
		return strings.Contains(f.do("viewer", "GET", "/api/v1/sheets/"+w.sheet, nil).Body.String(), secretText)
	}
	if seen() {
		t.Fatal("the fixture's SECRET paragraph is read by the RESTRICTED viewer")
	}
	sh := f.sheetAsMap("officer", w.sheet)
	delete(paragraphOf(sh, 0, 1), "marking")
	sec := sectionOf(sh, 0)
	sec["paragraphs"] = append(sec["paragraphs"].([]any), map[string]any{"text": "A new paragraph."})
	if r := f.do("officer", "PUT", "/api/v1/sheets/"+w.sheet, sh, "If-Match", fmt.Sprintf(`"%v"`, sh["version"])); r.Code != 200 {
		t.Fatalf("PUT: %d %s", r.Code, r.Body.String())
	}
	if got := paragraphOf(f.sheetAsMap("officer", w.sheet), 0, 1)["marking"]; got != "SECRET" || seen() {
		t.Errorf("PUT leaving out a SECRET paragraph's marking: now %v", got)
	}
	if got := paragraphOf(f.sheetAsMap("officer", w.sheet), 0, 2)["marking"]; got != "RESTRICTED" {
		t.Errorf("a new paragraph left without a marking: %v, want the round's", got)
	}
	for _, from := range []string{"now", "older"} {
		sh := f.sheetAsMap("officer", w.sheet)
		if from == "older" {
			f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { editOne(m, 0, 0, "Changed since.") })
		}
		delete(paragraphOf(sh, 0, 1), "marking")
		paragraphOf(sh, 0, 1)["text"] = secretText + " Merged from " + from + "."
		if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", sh); r.Code != 200 {
			t.Fatalf("merge from %s: %d %s", from, r.Code, r.Body.String())
		}
		if got := paragraphOf(f.sheetAsMap("officer", w.sheet), 0, 1)["marking"]; got != "SECRET" || seen() {
			t.Errorf("a merge from %s leaving out a SECRET paragraph's marking: now %v", from, got)
		}
	}
	person := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Aroha Secret", "title": "Analyst",
		"agency_id": w.agency, "country": "New Zealand", "marking": "SECRET", "withhold": "s9(2)(a)"})
	f.update("secretariat", "/api/v1/people/"+person, func(m map[string]any) { delete(m, "marking"); m["withhold"] = nil })
	var pe map[string]any
	f.do("secretariat", "GET", "/api/v1/people/"+person, nil).json(&pe)
	if pe["marking"] != "SECRET" || pe["withhold"] != "s9(2)(a)" || f.do("viewer", "GET", "/api/v1/people/"+person, nil).Code != 404 {
		t.Errorf("a person saved without marking and withholding: now %v, %v", pe["marking"], pe["withhold"])
	}
	round := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 8, "starts_on": "2027-05-10", "city": "Nelson", "host": "home", "marking": "SECRET"})
	f.update("secretariat", "/api/v1/rounds/"+round, func(m map[string]any) { delete(m, "marking") })
	if r := f.do("viewer", "GET", "/api/v1/rounds/"+round, nil); r.Code != 404 {
		t.Errorf("a SECRET round saved without its marking: the RESTRICTED viewer reads it, %d", r.Code)
	}
}

// TestSave_WithholdSentThenNull: a key written twice, a ground and then
// null (in another case, as a client merging two objects might write it),
// is the ground, as the sheet decodes it: a string keeps the value before
// a null. Before, the withholding was taken for left out, and the stored
// none kept.
func TestSave_WithholdSentThenNull(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Plain", para("Words to withhold.", "RESTRICTED", "")))
	for _, route := range []string{"PUT", "merge"} {
		sh := f.sheetAsMap("officer", id)
		paragraphOf(sh, 0, 0)["withhold"] = "s6(a)"
		raw, _ := json.Marshal(sh)
		body := strings.Replace(string(raw), `"withhold":"s6(a)"`, `"withhold":"s6(a)","Withhold":null`, 1)
		var r response
		if route == "PUT" {
			r = f.do("officer", "PUT", "/api/v1/sheets/"+id, body, "Content-Type", "application/json", "If-Match", fmt.Sprintf(`"%v"`, sh["version"]))
		} else {
			r = f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", body, "Content-Type", "application/json")
		}
		if got := paragraphOf(f.sheetAsMap("lead", id), 0, 0)["withhold"]; r.Code != 200 || got != "s6(a)" {
			t.Errorf("%s with withhold \"s6(a)\" then Withhold null: %d, stored withhold %q", route, r.Code, got)
		}
		f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) { paragraphOf(m, 0, 0)["withhold"] = "" })
	}
}
