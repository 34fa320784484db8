package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// storedOrigins is each paragraph of the stored sheet id, by its id, with
// the id of the paragraph it was rolled forward from ("" for none).
func (f *fixture) storedOrigins(id string) map[string]string {
	f.t.Helper()
	sh, err := f.db.Sheet(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			out[p.ID] = p.OriginID
		}
	}
	return out
}

// sameOrigins fails unless every paragraph of was keeps its link in now,
// and every paragraph now holds that was holds none.
func sameOrigins(t *testing.T, was, now map[string]string) {
	t.Helper()
	for id, o := range was {
		if got, ok := now[id]; ok && got != o {
			t.Errorf("paragraph %s: origin_id %q, was %q", id, got, o)
		}
	}
	for id, o := range now {
		if _, ok := was[id]; !ok && o != "" {
			t.Errorf("new paragraph %s: origin_id %q, want none", id, o)
		}
	}
}

func withoutOrigins(m map[string]any) {
	for _, sec := range m["sections"].([]any) {
		for _, p := range paras(sec) {
			delete(p.(map[string]any), "origin_id")
		}
	}
}

// TestSheetOrigin_KeptOnSaves: a paragraph's link to the one it was rolled
// forward from is the server's, kept from the stored paragraph of its id
// whatever a save sends, by every path that saves a sheet's paragraphs; a
// new paragraph has none. A writer who cannot see the predecessor (their
// copy shows no link) loses none of the links by their save.
func TestSheetOrigin_KeptOnSaves(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	n := 0
	// rolled is a new sheet rolled forward into the 5th round, from the 3rd
	// (seen by all) or, hidden, from the SECRET 4th, and its stored links.
	rolled := func(hidden bool) (string, map[string]string) {
		t.Helper()
		n++
		from := w.round
		if hidden {
			from = w.secretRound
		}
		id := f.rolled(from, next, "Linked "+strings.Repeat("I", n), []map[string]any{
			{"kind": "situation", "paragraphs": []any{para("PX-A first.", "RESTRICTED", ""), para("PX-B second.", "RESTRICTED", "")}},
			{"kind": "offensive", "paragraphs": []any{para("PX-C third.", "RESTRICTED", "")}},
		})
		links := f.storedOrigins(id)
		for pid, o := range links {
			if o == "" {
				t.Fatalf("rolled forward, paragraph %s has no origin_id", pid)
			}
		}
		return id, links
	}

	t.Run("PUTWithout", func(t *testing.T) {
		id, links := rolled(false)
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) {
			withoutOrigins(m)
			paragraphOf(m, 0, 0)["text"] = "PX-A first, revised."
		})
		sameOrigins(t, links, f.storedOrigins(id))
	})

	t.Run("PUTForged", func(t *testing.T) {
		id, links := rolled(false)
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) {
			p := paragraphOf(m, 0, 0)
			p["origin_id"] = "pforged"
			sec := sectionOf(m, 1)
			sec["paragraphs"] = append(sec["paragraphs"].([]any), map[string]any{"text": "PX-N new.", "marking": "RESTRICTED", "origin_id": paragraphOf(m, 0, 1)["origin_id"]})
		})
		now := f.storedOrigins(id)
		if len(now) != 4 {
			t.Fatalf("stored %v", now)
		}
		sameOrigins(t, links, now)
	})

	t.Run("Merge", func(t *testing.T) {
		id, links := rolled(false)
		m := f.sheetAsMap("lead", id)
		withoutOrigins(m)
		paragraphOf(m, 1, 0)["text"] = "PX-C third, revised."
		if r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
			t.Fatalf("merge: %d %s", r.Code, r.Body.String())
		}
		sameOrigins(t, links, f.storedOrigins(id))
	})

	t.Run("HiddenPredecessorPUT", func(t *testing.T) {
		id, links := rolled(true)
		f.update("lowofficer", "/api/v1/sheets/"+id, func(m map[string]any) {
			if strings.Contains(strings.Join(keysDeep(m), " "), "origin_id") {
				t.Fatalf("the writer below the predecessor is shown its links: %v", m)
			}
			paragraphOf(m, 0, 1)["text"] = "PX-B second, revised."
			sec := sectionOf(m, 0)
			sec["paragraphs"] = append(sec["paragraphs"].([]any), para("PX-N new.", "RESTRICTED", ""))
		})
		sameOrigins(t, links, f.storedOrigins(id))
	})

	t.Run("HiddenPredecessorMerge", func(t *testing.T) {
		id, links := rolled(true)
		m := f.sheetAsMap("lowofficer", id)
		paragraphOf(m, 0, 0)["text"] = "PX-A first, revised."
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
			t.Fatalf("merge: %d %s", r.Code, r.Body.String())
		}
		sameOrigins(t, links, f.storedOrigins(id))
	})

	t.Run("Editor", func(t *testing.T) {
		for _, user := range []string{"lead", "lowofficer"} {
			id, links := rolled(user == "lowofficer")
			b := f.pageBrowser(user)
			edit := "/sheets/" + id + "/edit"
			seeOther(t, b.act(id, b.open(edit), "save", map[string]string{"s0.p0.text": "PX-A first, as " + user + " revised it."}), edit)
			if got := f.sheet("lead", id).Sections[0].Paragraphs[0].Text; got != "PX-A first, as "+user+" revised it." {
				t.Fatalf("the editor did not save: %q", got)
			}
			t.Logf("saved in the editor by %s", user)
			sameOrigins(t, links, f.storedOrigins(id))
		}
	})

	t.Run("Import", func(t *testing.T) {
		for _, user := range []string{"lead", "lowlead"} {
			id, links := rolled(user == "lowlead")
			title := f.sheet("lead", id).Title
			book := editBook(t, f.xlsxPack(user, next, ""), func(x *excelize.File) {
				rows, err := x.GetRows("Topics")
				if err != nil {
					t.Fatal(err)
				}
				row := 0
				for i, r := range rows {
					if len(r) > 3 && r[0] == title && r[3] == "PX-B second." {
						row = i + 1
					}
				}
				if row == 0 {
					t.Fatalf("no Topics row of %s holds PX-B", title)
				}
				if err := x.SetCellStr("Topics", "D"+itoa(row), "PX-B second, as "+user+" revised it."); err != nil {
					t.Fatal(err)
				}
			})
			if r := f.importBook(user, next, book, ""); r.Code != 200 {
				t.Fatalf("import as %s: %d %s", user, r.Code, r.Body.String())
			}
			if got := f.sheet("lead", id).Sections[0].Paragraphs[1].Text; got != "PX-B second, as "+user+" revised it." {
				t.Fatalf("the import did not save: %q", got)
			}
			t.Logf("imported by %s", user)
			sameOrigins(t, links, f.storedOrigins(id))
		}
	})

	t.Run("Restore", func(t *testing.T) {
		id, links := rolled(true)
		f.update("lowofficer", "/api/v1/sheets/"+id, func(m map[string]any) {
			paragraphOf(m, 0, 0)["text"] = "PX-A first, revised."
		})
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"2"`); r.Code != 200 {
			t.Fatalf("restore: %d %s", r.Code, r.Body.String())
		}
		sameOrigins(t, links, f.storedOrigins(id))
	})
}

// keysDeep is every key of a JSON object, and of the objects within it.
func keysDeep(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			out = append(out, k)
			out = append(out, keysDeep(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, keysDeep(e)...)
		}
	}
	return out
}

// TestSheetPredecessor_ServerSet: a sheet's predecessor_id is set only by
// its roll-forward. A new sheet sent with one has none, whatever it names
// (a sheet of an earlier round, of another dialogue, one hidden from the
// writer, none), each answered alike; a save keeps the stored one whatever
// it sends.
func TestSheetPredecessor_ServerSet(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	other := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Japan–Australia Cyber Policy Dialogue", "home": "New Zealand", "partner": "Japan", "established": "2015-01-01", "cadence_months": 12})
	otherRound := f.create("secretariat", "/api/v1/dialogues/"+other+"/rounds", map[string]any{"number": 1, "starts_on": "2017-05-10", "city": "Tokyo", "host": "partner", "marking": "RESTRICTED"})
	otherSheet := f.create("lead", "/api/v1/rounds/"+otherRound+"/sheets", sheetBody("Cyber Norms", para("PX-O other dialogue.", "RESTRICTED", "")))
	hidden := f.create("lead", "/api/v1/rounds/"+w.secretRound+"/sheets", sheetBody("Hidden Round Sheet", para("PX-H hidden round.", "RESTRICTED", "")))

	stored := func(id string) string {
		t.Helper()
		sh, err := f.db.Sheet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return sh.PredecessorID
	}
	t.Run("CreateIgnoresIt", func(t *testing.T) {
		var answers []string
		for i, pred := range []string{w.sheet, otherSheet, hidden, w.secretSheet, "pnosuchsheet"} {
			body := sheetBody("New Sheet", para("PX-N new words.", "RESTRICTED", ""))
			body["predecessor_id"] = pred
			r := f.do("lowofficer", "POST", "/api/v1/rounds/"+next+"/sheets", body)
			if r.Code != 201 {
				t.Fatalf("POST naming %s: %d %s", pred, r.Code, r.Body.String())
			}
			var out map[string]any
			r.json(&out)
			id := out["id"].(string)
			if out["predecessor_id"] != nil || stored(id) != "" {
				t.Errorf("POST naming predecessor %d: answered %v, stored %q", i, out["predecessor_id"], stored(id))
			}
			// Alike but for what is new each time: its id, its times, its paragraph's id.
			delete(out, "id")
			delete(out, "created_at")
			delete(out, "updated_at")
			delete(paragraphOf(out, 0, 0), "id")
			b, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			answers = append(answers, string(b))
			if c := f.do("lead", "GET", "/api/v1/sheets/"+id+"/changes", nil); c.Code != 404 {
				t.Errorf("changes of a sheet never rolled forward: %d %s", c.Code, c.Body.String())
			}
		}
		for i := range answers {
			if answers[i] != answers[0] {
				t.Errorf("answers differ:\n%s\n%s", answers[0], answers[i])
			}
		}
	})

	t.Run("SaveKeepsIt", func(t *testing.T) {
		id := f.rolled(w.round, next, "Rolled", []map[string]any{{"kind": "situation", "paragraphs": []any{para("PX-A first.", "RESTRICTED", "")}}})
		want := stored(id)
		if want == "" {
			t.Fatal("rolled forward, the sheet has no predecessor")
		}
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { m["predecessor_id"] = otherSheet })
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { delete(m, "predecessor_id") })
		m := f.sheetAsMap("lead", id)
		m["predecessor_id"] = hidden
		paragraphOf(m, 0, 0)["text"] = "PX-A first, revised."
		if r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
			t.Fatalf("merge: %d %s", r.Code, r.Body.String())
		}
		if got := stored(id); got != want {
			t.Errorf("after saves naming others, predecessor %q, want %q", got, want)
		}
	})
}

// TestSheetOrigin_ConflictHidesLinks: a conflict answered to a writer who
// cannot see the sheet's predecessor (by the merge, or by an import) names
// no link to it: the links are the server's, and to them the sheet was
// never rolled forward.
func TestSheetOrigin_ConflictHidesLinks(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	id := f.rolled(w.secretRound, next, "Rolled From Secret", []map[string]any{{"kind": "situation", "paragraphs": []any{para("PX-A first.", "RESTRICTED", "")}}})
	mine := f.sheetAsMap("lowofficer", id)
	book := editBook(t, f.xlsxPack("lowlead", next, ""), func(x *excelize.File) {
		if err := x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "PX-A first")), "PX-A first, as the workbook has it."); err != nil {
			t.Fatal(err)
		}
	})
	f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { paragraphOf(m, 0, 0)["text"] = "PX-A first, as the lead has it." })

	paragraphOf(mine, 0, 0)["text"] = "PX-A first, as the officer has it."
	r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
	if r.Code != 409 || strings.Contains(r.Body.String(), "origin_id") {
		t.Errorf("merge: %d %s", r.Code, r.Body.String())
	}
	r = f.importBook("lowlead", next, book, "")
	if r.Code != 409 || strings.Contains(r.Body.String(), "origin_id") {
		t.Errorf("import: %d %s", r.Code, r.Body.String())
	}
}

// TestSheetOrigin_ParagraphHidden: a paragraph's link to the one it was
// rolled forward from is shown only to a reader who sees that paragraph in
// the predecessor as it is stored now: not one above them in a predecessor
// they see in part, nor one raised or deleted since; in the sheet now, in
// every version of it, and in all that is built from them. A save by a
// writer who is not shown a link keeps it.
func TestSheetOrigin_ParagraphHidden(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Auckland", "host": "home", "marking": "RESTRICTED"})
	const secretWords = "ZEBRAQUARTZ"
	n := 0
	// rolled rolls a sheet of the 3rd round forward into the 5th: an open
	// paragraph, a SECRET one and another open one, the copy of the SECRET
	// one then lowered with new words. It returns the old sheet's id, the
	// new one's, and the old paragraphs' ids.
	rolled := func(t *testing.T) (string, string, [3]string) {
		t.Helper()
		n++
		newID := f.rolled(w.round, next, "Maritime "+strings.Repeat("I", n), []map[string]any{{"kind": "situation", "paragraphs": []any{
			para("PY-A open.", "RESTRICTED", ""), para("PY-B secret "+secretWords+" words.", "SECRET", ""), para("PY-C open.", "RESTRICTED", "")}}})
		var sh struct {
			PredecessorID string `json:"predecessor_id"`
		}
		f.do("lead", "GET", "/api/v1/sheets/"+newID, nil).json(&sh)
		var pids [3]string
		for j, p := range f.sheet("lead", sh.PredecessorID).Sections[0].Paragraphs {
			pids[j] = p.ID
		}
		f.update("lead", "/api/v1/sheets/"+newID, func(m map[string]any) {
			p := paragraphOf(m, 0, 1)
			p["text"], p["marking"] = "PY-B now open.", "RESTRICTED"
		})
		return sh.PredecessorID, newID, pids
	}
	// links is the predecessor and the links user is shown in the sheet
	// (or version of it) at path, each by its paragraph's words.
	links := func(t *testing.T, user, path string) (string, map[string]string) {
		t.Helper()
		r := f.do(user, "GET", path, nil)
		if r.Code != 200 {
			t.Fatalf("GET %s as %s: %d %s", path, user, r.Code, r.Body.String())
		}
		var sh struct {
			PredecessorID string `json:"predecessor_id"`
			Sections      []struct {
				Paragraphs []struct {
					Text     string `json:"text"`
					OriginID string `json:"origin_id"`
				} `json:"paragraphs"`
			} `json:"sections"`
		}
		r.json(&sh)
		out := map[string]string{}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				out[p.Text] = p.OriginID
			}
		}
		return sh.PredecessorID, out
	}
	// want fails unless user is shown at path the predecessor pred and,
	// for each paragraph's words, the link in want ("" for none).
	want := func(t *testing.T, user, path, pred string, want map[string]string) {
		t.Helper()
		gotPred, got := links(t, user, path)
		if gotPred != pred {
			t.Errorf("%s GET %s: predecessor_id %q, want %q", user, path, gotPred, pred)
		}
		for text, o := range want {
			if got[text] != o {
				t.Errorf("%s GET %s: %q has origin_id %q, want %q", user, path, text, got[text], o)
			}
		}
	}
	low := []string{"viewer", "lowofficer", "lowlead"}

	t.Run("AboveReader", func(t *testing.T) {
		oldID, newID, pids := rolled(t)
		sheet := "/api/v1/sheets/" + newID
		for _, u := range low {
			if r := f.do(u, "GET", "/api/v1/sheets/"+oldID, nil); r.Code != 200 || strings.Contains(r.Body.String(), pids[1]) {
				t.Fatalf("%s is shown the old sheet %d, or its SECRET paragraph: %s", u, r.Code, r.Body.String())
			}
			for _, path := range []string{sheet, sheet + "/versions/2"} {
				want(t, u, path, oldID, map[string]string{"PY-A open.": pids[0], "PY-B now open.": "", "PY-C open.": pids[2]})
			}
			want(t, u, sheet+"/versions/1", oldID, map[string]string{"PY-A open.": pids[0], "PY-C open.": pids[2]})
			for _, path := range []string{sheet, sheet + "/versions/1", sheet + "/versions/2", "/api/v1/rounds/" + next + "/sheets",
				sheet + "/changes", sheet + "/diff?from=1&to=2", "/sheets/" + newID} {
				r := f.do(u, "GET", path, nil)
				if r.Code != 200 {
					t.Errorf("%s GET %s: %d %s", u, path, r.Code, r.Body.String())
				}
				shownNone(t, u+" GET "+path, r, pids[1], secretWords)
			}
		}
		shownNone(t, "lowofficer editor", f.do("lowofficer", "GET", "/sheets/"+newID+"/edit", nil), pids[1], secretWords)
		for _, format := range []string{"html", "xlsx"} {
			shownNone(t, "lowlead pack "+format, f.do("lowlead", "GET", "/api/v1/rounds/"+next+"/pack?format="+format, nil), pids[1], secretWords)
		}
		// Who sees the paragraph is shown the link.
		for _, u := range []string{"officer", "lead"} {
			for _, path := range []string{sheet, sheet + "/versions/2"} {
				want(t, u, path, oldID, map[string]string{"PY-A open.": pids[0], "PY-B now open.": pids[1], "PY-C open.": pids[2]})
			}
		}
	})

	t.Run("RaisedSince", func(t *testing.T) {
		oldID, newID, pids := rolled(t)
		f.update("lead", "/api/v1/sheets/"+oldID, func(m map[string]any) { paragraphOf(m, 0, 0)["marking"] = "SECRET" })
		for _, u := range low {
			for _, path := range []string{"/api/v1/sheets/" + newID, "/api/v1/sheets/" + newID + "/versions/1"} {
				want(t, u, path, oldID, map[string]string{"PY-A open.": "", "PY-C open.": pids[2]})
				shownNone(t, u+" GET "+path, f.do(u, "GET", path, nil), pids[0], pids[1])
			}
		}
		want(t, "officer", "/api/v1/sheets/"+newID+"/versions/1", oldID, map[string]string{"PY-A open.": pids[0], "PY-C open.": pids[2]})
	})

	t.Run("LoweredSince", func(t *testing.T) {
		oldID, newID, pids := rolled(t)
		f.update("lead", "/api/v1/sheets/"+oldID, func(m map[string]any) {
			p := paragraphOf(m, 0, 1)
			p["text"], p["marking"] = "PY-B cleaned.", "RESTRICTED"
		})
		for _, u := range low {
			want(t, u, "/api/v1/sheets/"+newID, oldID, map[string]string{"PY-A open.": pids[0], "PY-B now open.": pids[1], "PY-C open.": pids[2]})
		}
	})

	t.Run("DeletedSince", func(t *testing.T) {
		oldID, newID, pids := rolled(t)
		f.update("lead", "/api/v1/sheets/"+oldID, func(m map[string]any) {
			sec := sectionOf(m, 0)
			sec["paragraphs"] = sec["paragraphs"].([]any)[:2]
		})
		for _, u := range append([]string{"lead"}, low...) {
			for _, path := range []string{"/api/v1/sheets/" + newID, "/api/v1/sheets/" + newID + "/versions/1"} {
				want(t, u, path, oldID, map[string]string{"PY-A open.": pids[0], "PY-C open.": ""})
				shownNone(t, u+" GET "+path, f.do(u, "GET", path, nil), pids[2])
			}
		}
	})

	t.Run("SheetDeleted", func(t *testing.T) {
		oldID, newID, pids := rolled(t)
		if r := f.do("lead", "DELETE", "/api/v1/sheets/"+oldID, nil, "If-Match", "*"); r.Code != 204 {
			t.Fatalf("delete: %d %s", r.Code, r.Body.String())
		}
		for _, u := range append([]string{"lead"}, low...) {
			for _, path := range []string{"/api/v1/sheets/" + newID, "/api/v1/sheets/" + newID + "/versions/1"} {
				shownNone(t, u+" GET "+path, f.do(u, "GET", path, nil), `"predecessor_id"`, `"origin_id"`, pids[0], pids[1], pids[2])
			}
			shownNone(t, u+" GET the round's sheets", f.do(u, "GET", "/api/v1/rounds/"+next+"/sheets", nil), `"predecessor_id":"`+oldID+`"`, pids[0], pids[1], pids[2])
		}
	})

	// The writer below the paragraph a link names is not shown it, and
	// loses it by no save of the paragraph, whichever way they save.
	t.Run("SavesKeepIt", func(t *testing.T) {
		_, newID, pids := rolled(t)
		stored := f.storedOrigins(newID)
		if !slices.Contains(slices.Collect(maps.Values(stored)), pids[1]) {
			t.Fatalf("the stored sheet does not link to the SECRET paragraph: %v", stored)
		}
		f.update("lowofficer", "/api/v1/sheets/"+newID, func(m map[string]any) {
			paragraphOf(m, 0, 1)["text"] = "PY-B now open, as put."
		})
		sameOrigins(t, stored, f.storedOrigins(newID))
		m := f.sheetAsMap("lowofficer", newID)
		paragraphOf(m, 0, 1)["text"] = "PY-B now open, as merged."
		if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+newID+"/merge", m); r.Code != 200 {
			t.Fatalf("merge: %d %s", r.Code, r.Body.String())
		}
		sameOrigins(t, stored, f.storedOrigins(newID))
		b := f.pageBrowser("lowofficer")
		edit := "/sheets/" + newID + "/edit"
		seeOther(t, b.act(newID, b.open(edit), "save", map[string]string{"s0.p1.text": "PY-B now open, as edited."}), edit)
		if got := f.sheet("lead", newID).Sections[0].Paragraphs[1].Text; got != "PY-B now open, as edited." {
			t.Fatalf("the editor did not save: %q", got)
		}
		sameOrigins(t, stored, f.storedOrigins(newID))
	})
}

// shownNone fails for each of words that r holds, its headers and the
// parts of a zip (a workbook) included.
func shownNone(t *testing.T, what string, r response, words ...string) {
	t.Helper()
	for _, l := range findCanaries(words, r) {
		t.Errorf("%s (%d) shows %s", what, r.Code, l)
	}
}
