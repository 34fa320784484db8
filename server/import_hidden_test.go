package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// importWorld is a round holding the topic sheet "Shared", whose
// situational assessment a RESTRICTED officer sees as two paragraphs,
// "Visible A." and "Visible B.". With hidden, the sheet holds besides a TOP
// SECRET custom section before it and a SECRET paragraph between the two:
// nothing a RESTRICTED importer is told may differ between the two.
func importWorld(t *testing.T, hidden bool) (*fixture, world, string) {
	t.Helper()
	f := newFixture(t)
	w := f.world()
	ps := []any{para("Visible A.", "RESTRICTED", "")}
	if hidden {
		ps = append(ps, para("Hidden between.", "SECRET", ""))
	}
	ps = append(ps, para("Visible B.", "RESTRICTED", ""))
	secs := []map[string]any{{"kind": "situation", "paragraphs": ps}}
	if hidden {
		secs = append([]map[string]any{{"kind": "custom", "heading": "Hidden first", "paragraphs": []any{para("Hidden above.", "TOP SECRET", "")}}}, secs...)
	}
	id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Shared", "sections": secs})
	return f, w, id
}

// addTopicsRows appends n new rows to a workbook's Topics worksheet, each a
// paragraph of the topic's section, as someone typing them in would.
func addTopicsRows(t testing.TB, b []byte, topic, section string, n int) []byte {
	t.Helper()
	return editBook(t, b, func(x *excelize.File) {
		rows, err := x.GetRows("Topics")
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < n; k++ {
			if err := x.SetSheetRow("Topics", "A"+itoa(len(rows)+1+k), &[]any{topic, section, "", fmt.Sprintf("Typed row %d.", k+1), "", ""}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// The import holds a sheet's edits as the merge holds a writer's: its
// limits as the importer sees the sheet, each error named by its cell in
// words that count nothing hidden. A RESTRICTED officer importing a pack a
// RESTRICTED lead downloaded is answered byte for byte alike whether or not
// the sheet holds paragraphs and sections above them, dry run or not.
func TestImport_AnswersAsSeen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T, b []byte) []byte
		status int
		cell   string // a field of the answer, "" for a 200
		says   string
	}{
		{"BadSpan", func(t *testing.T, b []byte) []byte {
			return editBook(t, b, func(x *excelize.File) {
				_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "Visible B.")), "Visible B {{s6(a): never ended")
			})
		}, 422, "Topics!D", "not closed"},
		{"Visible200", func(t *testing.T, b []byte) []byte {
			return addTopicsRows(t, b, "Shared", "Situational assessment", 198)
		}, 200, "", ""},
		{"Visible201", func(t *testing.T, b []byte) []byte {
			return addTopicsRows(t, b, "Shared", "Situational assessment", 199)
		}, 422, "Topics!B", "more than 200 paragraphs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range []string{"?dry_run=true", ""} {
				var bodies [2]string
				for k, hidden := range []bool{false, true} {
					f, w, id := importWorld(t, hidden)
					before := f.sheet("lead", id).Version
					r := f.importBook("lowofficer", w.round, tc.edit(t, f.xlsxPack("lowlead", w.round, "")), q)
					if r.Code != tc.status {
						t.Fatalf("hidden %v %s: %d, want %d: %.400s", hidden, q, r.Code, tc.status, r.Body.String())
					}
					bodies[k] = r.Body.String()
					if tc.status != 200 {
						e := r.errorBody()
						cell := ""
						for k := range e.Fields {
							cell = k
						}
						if len(e.Fields) != 1 || !strings.HasPrefix(cell, tc.cell) || !strings.Contains(e.Fields[cell], tc.says) {
							t.Fatalf("hidden %v %s: want one field %s… saying %q: %s", hidden, q, tc.cell, tc.says, r.Body.String())
						}
						if strings.Contains(e.Message, "section") && !strings.Contains(e.Message, "the section") || strings.Contains(r.Body.String(), "sections[") {
							t.Errorf("hidden %v %s: the answer names a place in the sheet: %s", hidden, q, r.Body.String())
						}
						if after := f.sheet("lead", id).Version; after != before {
							t.Errorf("a refused import wrote version %d", after)
						}
					}
				}
				if bodies[0] != bodies[1] {
					t.Errorf("%s: the answer tells what is hidden:\n without: %.400s\n with:    %.400s", q, bodies[0], bodies[1])
				}
			}
		})
	}
}

// Paragraphs others saved since the workbook's version count with the
// workbook's, as the importer sees them, as they do in a merge: the section
// may not grow past the limit, and the answer names the cell of a row the
// workbook added, alike whether or not paragraphs are hidden.
func TestImport_LimitsTogether(t *testing.T) {
	for _, q := range []string{"?dry_run=true", ""} {
		var bodies [2]string
		for k, hidden := range []bool{false, true} {
			f, w, id := importWorld(t, hidden)
			book := f.xlsxPack("lowlead", w.round, "")
			m := f.sheetAsMap("lowofficer", id)
			s := sectionOf(m, 0)
			ps := s["paragraphs"].([]any)
			for j := 0; j < 60; j++ {
				ps = append(ps, para(fmt.Sprintf("Saved meanwhile %d.", j), "RESTRICTED", ""))
			}
			s["paragraphs"] = ps
			if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
				t.Fatalf("merge: %d %s", r.Code, r.Body.String())
			}
			before := f.sheet("lead", id).Version
			// 2 + 150 in the workbook, 2 + 60 saved since: 212 seen together.
			r := f.importBook("lowofficer", w.round, addTopicsRows(t, book, "Shared", "Situational assessment", 150), q)
			e := r.errorBody()
			cell := ""
			for k := range e.Fields {
				cell = k
			}
			if r.Code != 422 || len(e.Fields) != 1 || !strings.HasPrefix(cell, "Topics!B") || !strings.HasPrefix(e.Fields[cell], "must have at most 200 paragraphs") {
				t.Fatalf("hidden %v %s: %d %.400s", hidden, q, r.Code, r.Body.String())
			}
			if after := f.sheet("lead", id).Version; after != before {
				t.Errorf("a refused import wrote version %d", after)
			}
			bodies[k] = r.Body.String()
		}
		if bodies[0] != bodies[1] {
			t.Errorf("%s: the answer tells what is hidden:\n without: %s\n with:    %s", q, bodies[0], bodies[1])
		}
	}
}

// A lead who sees more of a section than the limit (200 paragraphs a
// RESTRICTED officer saw, and two hidden from them) imports as they merge:
// without growing it they may edit, replace and remark paragraphs; growing
// it, or giving one marking more than 200, is refused at the row's cell.
func TestImport_LimitsAsSeenByLead(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	m := f.sheetAsMap("lowofficer", id)
	setParagraphs(m, 0, 200)
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", m); r.Code != 200 {
		t.Fatalf("filling the section: %d %s", r.Code, r.Body.String())
	}
	round := f.sheetAsMap("lead", id)["round_id"].(string)
	add := func(x *excelize.File, text string) string {
		rows, _ := x.GetRows("Topics")
		n := itoa(len(rows) + 1)
		if err := x.SetSheetRow("Topics", "A"+n, &[]any{"Hidden places", "Situational assessment", "", text, "", ""}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name   string
		edit   func(x *excelize.File) string // the row that is wrong
		status int
		says   string
	}{
		{"Replace", func(x *excelize.File) string {
			_ = x.RemoveRow("Topics", topicsRow(t, x, "Visible paragraph 7."))
			return add(x, "Typed in place of the seventh.")
		}, 200, ""},
		{"Grow", func(x *excelize.File) string { return add(x, "One too many.") }, 422, "more than 200 paragraphs"},
		{"OneMarkingPastTheLimit", func(x *excelize.File) string {
			_ = x.RemoveRow("Topics", topicsRow(t, x, "Hidden one."))
			return add(x, "A RESTRICTED one in place of a SECRET one.")
		}, 422, "at most 200 paragraphs marked RESTRICTED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range []string{"?dry_run=true", ""} {
				before := f.sheet("lead", id).Version
				var row string
				b := editBook(t, f.xlsxPack("lead", round, ""), func(x *excelize.File) { row = tc.edit(x) })
				r := f.importBook("lead", round, b, q)
				if r.Code != tc.status {
					t.Fatalf("%s: %d, want %d: %.400s", q, r.Code, tc.status, r.Body.String())
				}
				after := f.sheet("lead", id).Version
				if tc.status != 200 {
					e := r.errorBody()
					if len(e.Fields) != 1 || !strings.Contains(e.Fields["Topics!B"+row], tc.says) {
						t.Fatalf("%s: want Topics!B%s saying %q: %s", q, row, tc.says, r.Body.String())
					}
					if after != before {
						t.Errorf("a refused import wrote version %d", after)
					}
				} else if q == "" && after != before+1 {
					t.Errorf("version %d after the import, from %d", after, before)
				}
			}
		})
	}
}
