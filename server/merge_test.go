package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// sheetJSON is a sheet as the API serves it, enough to edit.
type sheetJSON struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Withhold string `json:"withhold"`
	Sections []struct {
		Kind       string `json:"kind"`
		Heading    string `json:"heading"`
		Paragraphs []struct {
			ID       string `json:"id"`
			Text     string `json:"text"`
			Marking  string `json:"marking"`
			Withhold string `json:"withhold"`
		} `json:"paragraphs"`
	} `json:"sections"`
}

func (f *fixture) sheet(user, id string) sheetJSON {
	f.t.Helper()
	var sh sheetJSON
	r := f.do(user, "GET", "/api/v1/sheets/"+id, nil)
	if r.Code != 200 {
		f.t.Fatalf("GET sheet %s as %s: %d", id, user, r.Code)
	}
	r.json(&sh)
	return sh
}

func TestSheetService_Merge(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// Two more visible paragraphs, so writers have different ones to edit.
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Second open paragraph.", "RESTRICTED", ""), para("Third open paragraph.", "UNCLASSIFIED", ""))
	})
	start := f.sheet("officer", w.sheet)
	ids := map[string]bool{}
	for _, sec := range start.Sections {
		for _, p := range sec.Paragraphs {
			if p.ID == "" || ids[p.ID] {
				t.Fatalf("paragraph %q has id %q", p.Text, p.ID)
			}
			ids[p.ID] = true
		}
	}
	// Two officers open version v; one saves an edit to paragraph 0.
	a := f.sheet("officer", w.sheet)
	a.Sections[0].Paragraphs[0].Text = "We are aware of activity, as officer A wrote."
	r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", a)
	if r.Code != 200 {
		t.Fatalf("first merge: %d %s", r.Code, r.Body.String())
	}
	t.Run("OK", func(t *testing.T) {
		// The stale writer edits another paragraph, deletes one and adds one.
		b := start
		b.Sections[0].Paragraphs[2].Text = "Second open paragraph, as officer B wrote."
		b.Sections[0].Paragraphs = append(b.Sections[0].Paragraphs[:3:3], b.Sections[0].Paragraphs[4:]...)
		b.Sections[1].Paragraphs = append(b.Sections[1].Paragraphs, b.Sections[0].Paragraphs[0])
		b.Sections[1].Paragraphs[0].ID, b.Sections[1].Paragraphs[0].Text = "", "A new paragraph by officer B."
		r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", b)
		if r.Code != 200 || r.Header().Get("ETag") == "" || r.Header().Get("Briefpack-Merged") != "1" {
			t.Fatalf("stale merge: %d %s %v", r.Code, r.Body.String(), r.Header())
		}
		got := f.sheet("officer", w.sheet)
		texts := []string{}
		for _, sec := range got.Sections {
			for _, p := range sec.Paragraphs {
				texts = append(texts, p.Text)
				if strings.HasPrefix(p.Text, "We are aware") && p.ID != start.Sections[0].Paragraphs[0].ID {
					t.Errorf("an edited paragraph changed its id")
				}
			}
		}
		all := strings.Join(texts, "|")
		for _, want := range []string{"as officer A wrote", "as officer B wrote", "A new paragraph by officer B.", "Zanzibar assessment held at secret."} {
			if !strings.Contains(all, want) {
				t.Errorf("merged sheet lacks %q: %s", want, all)
			}
		}
		if strings.Contains(all, "Third open paragraph.") {
			t.Errorf("the stale delete was lost: %s", all)
		}
	})
	t.Run("ErrSameParagraph", func(t *testing.T) {
		before := f.sheet("officer", w.sheet)
		c := start
		c.Sections[0].Paragraphs[0].Text = "Officer C's own version of the first paragraph."
		r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", c)
		if r.Code != 409 || r.errorCode() != "conflict" {
			t.Fatalf("same paragraph: %d %s", r.Code, r.Body.String())
		}
		var body struct {
			Error struct {
				Fields    map[string]string
				Conflicts []struct {
					Path               string
					Base, Theirs, Mine map[string]any
				}
			}
		}
		r.json(&body)
		if len(body.Error.Conflicts) != 1 || body.Error.Conflicts[0].Path != "sections[0].paragraphs[0]" || body.Error.Fields["sections[0].paragraphs[0]"] == "" ||
			body.Error.Conflicts[0].Mine["text"] != "Officer C's own version of the first paragraph." || body.Error.Conflicts[0].Theirs["text"] != "We are aware of activity, as officer A wrote." {
			t.Fatalf("conflict body: %s", r.Body.String())
		}
		if after := f.sheet("officer", w.sheet); after.Version != before.Version {
			t.Fatalf("a conflicting merge wrote version %d", after.Version)
		}
	})
	t.Run("BelowParagraphMarking", func(t *testing.T) {
		stored, _ := f.db.Sheet(context.Background(), w.sheet)
		var secret string
		for _, sec := range stored.Sections {
			for _, p := range sec.Paragraphs {
				if p.Marking == "SECRET" {
					secret = p.ID + "\x00" + p.Text + "\x00" + p.Withhold
				}
			}
		}
		low := f.sheet("lowofficer", w.sheet)
		for _, sec := range low.Sections {
			for _, p := range sec.Paragraphs {
				if p.Marking == "SECRET" {
					t.Fatal("the RESTRICTED officer sees a SECRET paragraph")
				}
			}
		}
		// PUT keeps its contract: 403 for a sheet holding content above the writer.
		etag := `"` + itoa(low.Version) + `"`
		if r := f.do("lowofficer", "PUT", "/api/v1/sheets/"+w.sheet, low, "If-Match", etag); r.Code != 403 {
			t.Fatalf("PUT by the RESTRICTED officer: %d", r.Code)
		}
		low.Sections[0].Paragraphs[0].Text = "Edited by a RESTRICTED officer."
		low.Sections[0].Paragraphs = low.Sections[0].Paragraphs[:1]
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", low)
		if r.Code != 200 || strings.Contains(r.Body.String(), "Zanzibar assessment") {
			t.Fatalf("merge by the RESTRICTED officer: %d %s", r.Code, r.Body.String())
		}
		after, _ := f.db.Sheet(context.Background(), w.sheet)
		found := ""
		for _, sec := range after.Sections {
			for _, p := range sec.Paragraphs {
				if p.Marking == "SECRET" {
					found = p.ID + "\x00" + p.Text + "\x00" + p.Withhold
				}
			}
		}
		if found != secret || after.Marking != "SECRET" {
			t.Fatalf("the SECRET paragraph was not kept exactly: %q (marking %s)", found, after.Marking)
		}
		// Withholding the whole sheet governs what they cannot see.
		low = f.sheet("lowofficer", w.sheet)
		low.Withhold = "s6(a)"
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", low); r.Code != 403 {
			t.Fatalf("withhold by the RESTRICTED officer: %d", r.Code)
		}
		// Deleting every paragraph they see would leave them a sheet they
		// could not see: refused, not written and then answered 404.
		low = f.sheet("lowofficer", w.sheet)
		low.Withhold = ""
		low.Sections = nil
		before, _ := f.db.Sheet(context.Background(), w.sheet)
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", map[string]any{"version": low.Version, "title": low.Title, "sections": []any{}}); r.Code != 403 {
			t.Fatalf("emptying by the RESTRICTED officer: %d %s", r.Code, r.Body.String())
		}
		if after, _ := f.db.Sheet(context.Background(), w.sheet); after.Version != before.Version {
			t.Fatalf("a refused merge wrote version %d", after.Version)
		}
		f.sheet("lowofficer", w.sheet) // still theirs to see
	})
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

func TestCommentService(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sh := f.sheet("officer", w.sheet)
	var open, secret string
	for _, p := range sh.Sections[0].Paragraphs {
		if p.Marking == "SECRET" {
			secret = p.ID
		} else {
			open = p.ID
		}
	}
	t.Run("OK", func(t *testing.T) {
		id := f.create("lead", "/api/v1/sheets/"+w.sheet+"/comments", map[string]any{"paragraph_id": open, "text": "Say which sector."})
		var list struct {
			Items []struct{ ID, Marking, By string }
		}
		f.do("lowofficer", "GET", "/api/v1/sheets/"+w.sheet+"/comments", nil).json(&list)
		if len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Marking != "RESTRICTED" || list.Items[0].By != "lead" {
			t.Fatalf("%+v", list)
		}
		// A sheet with open comments cannot be cleared.
		f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"})
		if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "clear"}); r.Code != 409 || !strings.Contains(r.Body.String(), "still open") {
			t.Fatalf("clear with an open comment: %d %s", r.Code, r.Body.String())
		}
		if r := f.do("officer", "POST", "/api/v1/comments/"+id+"/resolve", nil); r.Code != 200 || !strings.Contains(r.Body.String(), `"resolved":true`) {
			t.Fatalf("resolve: %d %s", r.Code, r.Body.String())
		}
		if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "clear"}); r.Code != 200 {
			t.Fatalf("clear once resolved: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("ErrHiddenOpenComment", func(t *testing.T) {
		// A comment above the lead stops the clearing as content above
		// them does, without saying how many there are.
		id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Pacific Resilience", para("Open words.", "RESTRICTED", "")))
		p := f.sheet("officer", id).Sections[0].Paragraphs[0].ID
		f.create("officer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": p, "text": "A SECRET doubt.", "marking": "SECRET"})
		f.do("officer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit"})
		r := f.do("lowlead", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "clear"})
		if r.Code != 403 || strings.Contains(r.Body.String(), "comment") {
			t.Fatalf("clear with a comment above the lead: %d %s", r.Code, r.Body.String())
		}
		if got := f.sheet("officer", id); got.Status != "submitted" {
			t.Fatalf("the sheet is %s", got.Status)
		}
	})
	t.Run("ErrMarking", func(t *testing.T) {
		r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/comments", map[string]any{"paragraph_id": secret, "text": "Too low.", "marking": "RESTRICTED"})
		if r.Code != 422 || !strings.Contains(r.Body.String(), "no lower than the paragraph") {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
	t.Run("ErrHiddenParagraph", func(t *testing.T) {
		a := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/comments", map[string]any{"paragraph_id": secret, "text": "Probe."})
		b := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/comments", map[string]any{"paragraph_id": "pnothing", "text": "Probe."})
		if a.Code != 422 || a.Body.String() != b.Body.String() {
			t.Fatalf("hidden %d %s; missing %d %s", a.Code, a.Body.String(), b.Code, b.Body.String())
		}
	})
	t.Run("Presence", func(t *testing.T) {
		f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/presence", nil)
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/presence", nil)
		if r.Code != 200 || !strings.Contains(r.Body.String(), `"user":"officer"`) {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		f.clock.Add(10 * time.Minute)
		r = f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/presence", nil)
		if strings.Contains(r.Body.String(), "officer\"") && strings.Contains(r.Body.String(), `"user":"officer"`) {
			t.Fatalf("presence outlives the window: %s", r.Body.String())
		}
	})
}

func TestSheetOwner_ByID(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	var dash struct {
		MySheets []struct{ ID string } `json:"my_sheets"`
	}
	f.do("officer", "GET", "/api/v1/dashboard", nil).json(&dash)
	if len(dash.MySheets) == 0 {
		t.Fatal("the officer holds no sheets")
	}
	// The officer is renamed; a new user is given the old name.
	var users struct{ Items []map[string]any }
	f.do("admin", "GET", "/api/v1/users", nil).json(&users)
	for _, u := range users.Items {
		if u["name"] == "officer" {
			id := u["id"].(string)
			r := f.do("admin", "GET", "/api/v1/users/"+id, nil)
			var m map[string]any
			r.json(&m)
			m["name"] = "renamed-officer"
			if p := f.do("admin", "PUT", "/api/v1/users/"+id, m, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
				t.Fatalf("rename: %d", p.Code)
			}
		}
	}
	f.create("admin", "/api/v1/users", map[string]any{"name": "officer", "role": "officer", "clearance": "SECRET", "password": testPassword})
	f.tokens["officer"] = f.login("officer", testPassword)
	f.tokens["renamed-officer"] = f.login("renamed-officer", testPassword)
	dash.MySheets = nil
	f.do("officer", "GET", "/api/v1/dashboard", nil).json(&dash)
	if len(dash.MySheets) != 0 {
		t.Fatalf("the new user of the old name inherits the sheets: %+v", dash.MySheets)
	}
	f.do("renamed-officer", "GET", "/api/v1/dashboard", nil).json(&dash)
	if len(dash.MySheets) == 0 {
		t.Fatal("the renamed officer lost their sheets")
	}
	if sh := f.sheet("viewer", w.sheet); !strings.Contains(f.do("viewer", "GET", "/api/v1/sheets/"+w.sheet, nil).Body.String(), `"owner":"renamed-officer"`) {
		t.Fatalf("the sheet names its owner by their old name: %+v", sh.Title)
	}
}

func TestReview_NeedsSightOfAll(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, tc := range []struct{ user, decision string }{{"lowofficer", "submit"}, {"lowlead", "clear"}, {"lowlead", "return"}} {
		r := f.do(tc.user, "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": tc.decision, "comment": "x"})
		if r.Code != 403 || strings.Contains(r.Body.String(), "SECRET") {
			t.Errorf("%s %s: %d %s", tc.user, tc.decision, r.Code, r.Body.String())
		}
	}
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Errorf("officer who sees it all: %d %s", r.Code, r.Body.String())
	}
}

// TestSheet_ParagraphWithoutMarking: a paragraph sent without a marking
// takes its round's, as one added from a workbook or a brief does, never
// the lowest.
func TestSheet_ParagraphWithoutMarking(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Unmarked", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []map[string]any{{"text": "Sent without a marking."}}}}})
	if got := f.sheet("officer", id).Sections[0].Paragraphs[0].Marking; got != "RESTRICTED" {
		t.Fatalf("marked %s, want the round's RESTRICTED", got)
	}
}

// TestSheetService_MergeTogether: officers adding paragraphs to one sheet
// at the same moment, none overlapping, are all merged: no save is refused
// because another landed while it was merged, and every paragraph is there
// once.
func TestSheetService_MergeTogether(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	const writers, each = 6, 8
	names := make([]string, writers)
	for i := range names {
		names[i] = fmt.Sprintf("officer%d", i)
		f.addUser(names[i], "officer", "SECRET")
		f.sheet(names[i], w.sheet) // signed in before the writers start
	}
	var wg sync.WaitGroup
	errs := make(chan string, writers*each)
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < each; k++ {
				var sh map[string]any
				f.do(name, "GET", "/api/v1/sheets/"+w.sheet, nil).json(&sh)
				sec := sh["sections"].([]any)[0].(map[string]any)
				paras := sec["paragraphs"].([]any)
				// Each inserts its own paragraph after the first.
				mine := map[string]any{"text": fmt.Sprintf("Added by %s, number %d.", name, k), "marking": "RESTRICTED"}
				sec["paragraphs"] = append([]any{paras[0], mine}, paras[1:]...)
				if r := f.do(name, "POST", "/api/v1/sheets/"+w.sheet+"/merge", sh); r.Code != 200 {
					errs <- fmt.Sprintf("%s's merge %d: %d %s", name, k, r.Code, r.Body.String())
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	got := map[string]int{}
	for _, p := range f.sheet("officer", w.sheet).Sections[0].Paragraphs {
		got[p.Text]++
	}
	for _, name := range names {
		for k := 0; k < each; k++ {
			if n := got[fmt.Sprintf("Added by %s, number %d.", name, k)]; n != 1 {
				t.Errorf("%s's paragraph %d is there %d times", name, k, n)
			}
		}
	}
}

// TestSheet_SectionsLeftOut: a PUT or a merge that leaves out the sheet's
// sections is refused, not read as a sheet emptied: a client sending only
// a new title would have deleted every paragraph it could see. An empty
// list empties the sheet, as asked.
func TestSheet_SectionsLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime", para("Patrols continue.", "RESTRICTED", "")))
	r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
	etag := r.Header().Get("ETag")
	body := map[string]any{"title": "Maritime Security", "status": "draft", "version": 1}
	if r := f.do("officer", "PUT", "/api/v1/sheets/"+id, body, "If-Match", etag); r.Code != 422 || errorFields(r)["sections"] == "" {
		t.Fatalf("PUT without sections: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", body); r.Code != 422 || errorFields(r)["sections"] == "" {
		t.Fatalf("merge without sections: %d %s", r.Code, r.Body.String())
	}
	if sh := f.sheet("officer", id); sh.Version != 1 || len(sh.Sections) == 0 || len(sh.Sections[0].Paragraphs) != 1 {
		t.Fatalf("a refused save changed the sheet: %+v", sh)
	}
	body["sections"] = []any{}
	if r := f.do("officer", "PUT", "/api/v1/sheets/"+id, body, "If-Match", etag); r.Code != 200 {
		t.Fatalf("PUT emptying the sheet: %d %s", r.Code, r.Body.String())
	}
	if sh := f.sheet("officer", id); len(sh.Sections) != 0 {
		t.Fatalf("the sheet emptied holds %+v", sh.Sections)
	}
}

// TestMerge_HiddenRenameStaysHidden: a section renamed by a higher writer
// after everything a lower writer saw of it was deleted has a name the
// lower writer may not see; their merge neither names it in a conflict nor
// shows it over a paragraph they add there.
func TestMerge_HiddenRenameStaysHidden(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Maritime", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("Open words.", "RESTRICTED", "")}},
		{"kind": "custom", "heading": "Mixed", "paragraphs": []any{para("Words the low officer saw.", "RESTRICTED", ""), para("Secret words.", "SECRET", "")}},
	}})
	base := f.sheet("lowofficer", id)
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		sec := m["sections"].([]any)[1].(map[string]any)
		sec["heading"] = "Canary heading"
		sec["paragraphs"] = sec["paragraphs"].([]any)[1:]
	})
	for name, edit := range map[string]func(*sheetJSON){
		"Rename": func(sh *sheetJSON) { sh.Sections[1].Heading = "My heading" },
		"Add": func(sh *sheetJSON) {
			sh.Sections[1].Paragraphs = append(sh.Sections[1].Paragraphs, sh.Sections[1].Paragraphs[0])
			sh.Sections[1].Paragraphs[1].ID, sh.Sections[1].Paragraphs[1].Text = "", "A paragraph the low officer added."
		},
	} {
		t.Run(name, func(t *testing.T) {
			mine := base
			mine.Sections = append(mine.Sections[:0:0], base.Sections...)
			mine.Sections[1].Paragraphs = append(mine.Sections[1].Paragraphs[:0:0], base.Sections[1].Paragraphs...)
			edit(&mine)
			r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
			if r.Code != 200 || strings.Contains(strings.ToLower(r.Body.String()), "canary") {
				t.Fatalf("merge: %d %s", r.Code, r.Body.String())
			}
			if got := f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil).Body.String(); strings.Contains(strings.ToLower(got), "canary") {
				t.Fatalf("the low officer reads %s", got)
			}
			if got := f.do("officer", "GET", "/api/v1/sheets/"+id, nil).Body.String(); !strings.Contains(got, "Canary heading") || !strings.Contains(got, "Secret words.") {
				t.Fatalf("the hidden section was lost: %s", got)
			}
		})
	}
}

// TestSheet_ParagraphsLeftOut: one level down, the same. A section whose
// paragraphs are left out (or null) in a PUT or a merge is refused naming
// it, nothing written, not read as a section emptied: it would have deleted
// every paragraph of it. An empty list empties it, as asked; a new sheet's
// section without them is an empty section, which loses nothing.
func TestSheet_ParagraphsLeftOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Maritime", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("Patrols continue.", "RESTRICTED", "")}},
		{"kind": "current", "paragraphs": []any{para("Two ships are deployed.", "RESTRICTED", "")}},
	}})
	start := f.sheet("officer", id)
	edited := func(second map[string]any) map[string]any {
		first := start.Sections[0]
		return map[string]any{"title": "Maritime Security", "status": "draft", "version": 1, "sections": []any{
			map[string]any{"kind": first.Kind, "heading": first.Heading, "paragraphs": first.Paragraphs}, second}}
	}
	for name, second := range map[string]map[string]any{
		"Absent": {"kind": "current", "heading": ""},
		"Null":   {"kind": "current", "heading": "", "paragraphs": nil},
	} {
		t.Run(name, func(t *testing.T) {
			body := edited(second)
			if r := f.do("officer", "PUT", "/api/v1/sheets/"+id, body, "If-Match", `"1"`); r.Code != 422 || errorFields(r)["sections[1].paragraphs"] == "" {
				t.Errorf("PUT: %d %s", r.Code, r.Body.String())
			}
			if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", body); r.Code != 422 || errorFields(r)["sections[1].paragraphs"] == "" {
				t.Errorf("merge: %d %s", r.Code, r.Body.String())
			}
			if sh := f.sheet("officer", id); sh.Version != 1 || len(sh.Sections) != 2 || len(sh.Sections[1].Paragraphs) != 1 || sh.Title != "Maritime" {
				t.Fatalf("a refused save changed the sheet: %+v", sh)
			}
		})
	}
	t.Run("Emptied", func(t *testing.T) {
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", edited(map[string]any{"kind": "current", "heading": "", "paragraphs": []any{}})); r.Code != 200 {
			t.Fatalf("merge emptying a section: %d %s", r.Code, r.Body.String())
		}
		if sh := f.sheet("officer", id); len(sh.Sections) != 2 || len(sh.Sections[1].Paragraphs) != 0 || len(sh.Sections[0].Paragraphs) != 1 {
			t.Fatalf("the section emptied: %+v", sh.Sections)
		}
		// That version, its section empty, is restored as it was.
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 2}, "If-Match", `"2"`); r.Code != 200 {
			t.Fatalf("restoring a version with an empty section: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("Created", func(t *testing.T) {
		nid := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Fisheries", "sections": []map[string]any{{"kind": "situation"}}})
		if sh := f.sheet("officer", nid); len(sh.Sections) != 1 || sh.Sections[0].Paragraphs == nil {
			t.Fatalf("a new sheet's section without paragraphs: %+v", sh.Sections)
		}
	})
}

// TestMerge_NothingNewWritesNothing: a merge that brings nothing the
// stored sheet lacks (the sheet sent back as read, or a change someone
// else already saved) answers the sheet as stored and writes no version:
// a new one would tell every pack and reader the sheet had changed.
func TestMerge_NothingNewWritesNothing(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	start := f.sheet("officer", w.sheet)
	r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", start)
	if r.Code != 200 || r.Header().Get("ETag") != fmt.Sprintf(`"%d"`, start.Version) {
		t.Fatalf("the sheet as read: %d %q %s", r.Code, r.Header().Get("ETag"), r.Body.String())
	}
	mine := f.sheet("officer", w.sheet)
	mine.Sections[0].Paragraphs[0].Text = "We are aware of activity, as both wrote."
	if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/merge", mine); r.Code != 200 {
		t.Fatalf("the lead's change: %d %s", r.Code, r.Body.String())
	}
	// The lead's change is the officer's own: nothing another made is
	// merged into their sheet, and none is counted.
	r = f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/merge", mine)
	if r.Code != 200 || r.Header().Get("ETag") != fmt.Sprintf(`"%d"`, start.Version+1) || r.Header().Get("Briefpack-Merged") != "0" {
		t.Fatalf("the same change, saved already: %d %q %v", r.Code, r.Header().Get("ETag"), r.Header())
	}
	if sh := f.sheet("officer", w.sheet); sh.Version != start.Version+1 {
		t.Fatalf("version %d, want %d", sh.Version, start.Version+1)
	}
}

// TestAPI_LineEnds: text sent to the API with "\r\n" line ends (a client on
// Windows) is kept with "\n", as the pages and imports keep it, so the same
// paragraph written another way is not a change, nor a conflict, at the
// next merge or import.
func TestAPI_LineEnds(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Trade", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []map[string]any{{"text": "Points:\r\n\r\n- one\r\n- two", "marking": "RESTRICTED"}}}}})
	sh := f.sheet("officer", id)
	if got := sh.Sections[0].Paragraphs[0].Text; got != "Points:\n\n- one\n- two" {
		t.Fatalf("kept %q", got)
	}
	// However the body writes the carriage return.
	id2 := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", `{"title": "Trade", "sections": [{"kind": "situation", "paragraphs": [{"text": "a\u000d\u000ab\u000D\nc", "marking": "RESTRICTED"}]}]}`)
	if got := f.sheet("officer", id2).Sections[0].Paragraphs[0].Text; got != "a\nb\nc" {
		t.Fatalf("kept %q", got)
	}
	// The same text, sent back with "\n" by a merge, is no change.
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", sh); r.Code != 200 || r.Header().Get("ETag") != fmt.Sprintf(`"%d"`, sh.Version) {
		t.Fatalf("merge of the text as kept: %d %q", r.Code, r.Header().Get("ETag"))
	}
	// A password is a secret, kept as sent: one set with "\r\n" signs in with it.
	if r := f.do("admin", "POST", "/api/v1/users", map[string]any{"name": "crlf", "role": "viewer", "clearance": "RESTRICTED", "password": "first line\r\nsecond line"}); r.Code != 201 {
		t.Fatalf("user: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "crlf", "password": "first line\r\nsecond line"}); r.Code != 200 {
		t.Fatalf("sign in with the password as set: %d", r.Code)
	}
	if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "crlf", "password": "first line\nsecond line"}); r.Code != 401 {
		t.Fatalf("sign in with another password: %d", r.Code)
	}
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["purpose"] = "First line.\r\nSecond line." })
	var r struct{ Purpose string }
	f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil).json(&r)
	if r.Purpose != "First line.\nSecond line." {
		t.Fatalf("round purpose kept %q", r.Purpose)
	}
}

// TestMerge_ConflictSaysWhatClashed: a clash over a section's heading is
// told as a heading's, not counted as a paragraph's.
func TestMerge_ConflictSaysWhatClashed(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Headings", "sections": []map[string]any{
		{"kind": "custom", "heading": "Mine", "paragraphs": []any{para("Words.", "RESTRICTED", "")}}}})
	start := f.sheet("officer", id)
	rename := func(user, heading string) response {
		sh := start
		sh.Sections = append(sh.Sections[:0:0], start.Sections...)
		sh.Sections[0].Heading = heading
		return f.do(user, "POST", "/api/v1/sheets/"+id+"/merge", sh)
	}
	if r := rename("officer", "Mine A"); r.Code != 200 {
		t.Fatalf("first rename: %d %s", r.Code, r.Body.String())
	}
	r := rename("lead", "Mine B")
	if r.Code != 409 || !strings.Contains(r.Body.String(), "Not saved: 1 heading was changed both by you") {
		t.Fatalf("a heading's clash: %d %s", r.Code, r.Body.String())
	}
}
