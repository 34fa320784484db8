package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// paragraphTexts are a sheet's paragraph texts, in order.
func paragraphTexts(s sheetJSON) []string {
	var texts []string
	for _, sec := range s.Sections {
		for _, p := range sec.Paragraphs {
			texts = append(texts, p.Text)
		}
	}
	return texts
}

// TestImport_RowFromAnotherWorkbook: a row copied, all its cells, from a
// newer workbook of the same round into an older one names a topic sheet
// the older workbook was not made from (its Import worksheet does not list
// it). The older workbook never held that sheet's other paragraphs: taken
// for rows deleted, they were deleted. The row is refused, naming its
// Sheet id cell, and nothing is applied — dry run or not.
func TestImport_RowFromAnotherWorkbook(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	older := f.xlsxPack("lead", w.round, "")
	cyber := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber Security",
		para("Cyber paragraph one.", "RESTRICTED", ""), para("Cyber paragraph two.", "RESTRICTED", ""), para("Cyber paragraph three.", "RESTRICTED", "")))
	newer := f.xlsxPack("lead", w.round, "")
	var pasted []any
	func() {
		x, err := excelize.OpenReader(bytes.NewReader(newer))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("Topics")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rows[topicsRow(t, x, "Cyber paragraph two.")-1] {
			pasted = append(pasted, c)
		}
	}()
	if len(pasted) != 9 {
		t.Fatalf("the newer workbook's row has %d cells, not 9: %q", len(pasted), pasted)
	}
	var at string
	book := editBook(t, older, func(x *excelize.File) {
		rows, _ := x.GetRows("Topics")
		at = itoa(len(rows) + 1)
		// An edit beside it, which must not land either.
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "We are aware, edited.")
		if err := x.SetSheetRow("Topics", "A"+at, &pasted); err != nil {
			t.Fatal(err)
		}
	})
	before, beforeCyber := f.sheet("lead", w.sheet), f.sheet("lead", cyber)
	for _, q := range []string{"?dry_run=true", ""} {
		r := f.importBook("officer", w.round, book, q)
		if r.Code != 422 || r.errorCode() != "invalid" {
			t.Fatalf("import%s: %d %s", q, r.Code, r.Body.String())
		}
		why, ok := errorFields(r)["Topics!G"+at]
		if !ok || !strings.Contains(why, "not made from") || len(errorFields(r)) != 1 {
			t.Errorf("import%s names %v, not Topics!G%s", q, errorFields(r), at)
		}
	}
	after, afterCyber := f.sheet("lead", w.sheet), f.sheet("lead", cyber)
	if after.Version != before.Version || afterCyber.Version != beforeCyber.Version {
		t.Errorf("versions moved: %d → %d, Cyber %d → %d", before.Version, after.Version, beforeCyber.Version, afterCyber.Version)
	}
	if got := paragraphTexts(afterCyber); len(got) != 3 {
		t.Errorf("Cyber Security holds %q: the older workbook never held its paragraphs", got)
	}

	t.Run("NewerWorkbook", func(t *testing.T) {
		// The same row copied within the workbook it came from is a new
		// paragraph, as any copied row is.
		book := editBook(t, newer, func(x *excelize.File) {
			rows, _ := x.GetRows("Topics")
			if err := x.SetSheetRow("Topics", "A"+itoa(len(rows)+1), &pasted); err != nil {
				t.Fatal(err)
			}
		})
		if r := f.importBook("officer", w.round, book, ""); r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		if got := paragraphTexts(f.sheet("lead", cyber)); len(got) != 4 || got[3] != "Cyber paragraph two." {
			t.Errorf("Cyber Security holds %q", got)
		}
	})
}

// TestImport_WorkbookOfAnotherDatabase: a workbook downloaded from another
// database — a staging or training copy, whose round and sheets have the
// same small ids and, here, the same versions — deleted the paragraphs its
// sheet did not hold there. The export names its database on the Import
// worksheet (Import!B4, the row the first layout left empty), and an
// import into another database is refused naming that cell. A workbook
// made before the export named it imports as it did.
func TestImport_WorkbookOfAnotherDatabase(t *testing.T) {
	// Database B: the same world, its sheets emptied.
	fb := newFixture(t)
	wb := fb.world()
	for _, id := range []string{wb.sheet, wb.secretSheet} {
		fb.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
			for _, s := range m["sections"].([]any) {
				s.(map[string]any)["paragraphs"] = []any{}
			}
		})
	}
	fb.update("officer", "/api/v1/sheets/"+wb.sheet, func(m map[string]any) { m["title"] = "Foreign Interference (training copy)" })
	bookB := fb.xlsxPack("lead", wb.round, "")

	// Database A: its sheets at the same ids and versions.
	fa := newFixture(t)
	wa := fa.world()
	fa.update("officer", "/api/v1/sheets/"+wa.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Production paragraph one.", "RESTRICTED", ""))
	})
	fa.update("officer", "/api/v1/sheets/"+wa.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Production paragraph two.", "RESTRICTED", ""))
	})
	fa.update("officer", "/api/v1/sheets/"+wa.secretSheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Production secret two.", "SECRET", ""))
	})
	if wa.round != wb.round || wa.sheet != wb.sheet || fa.sheet("lead", wa.sheet).Version != fb.sheet("lead", wb.sheet).Version {
		t.Fatalf("the two databases' ids or versions differ: the case needs them alike")
	}
	instance := func(f *fixture) string {
		s, err := f.db.Settings(context.Background())
		if err != nil || s.Instance == "" {
			t.Fatalf("settings: %+v %v", s, err)
		}
		return s.Instance
	}
	ia, ib := instance(fa), instance(fb)
	if ia == ib {
		t.Fatalf("two databases share the instance %q", ia)
	}

	before := fa.sheet("lead", wa.sheet)
	for _, q := range []string{"?dry_run=true", ""} {
		r := fa.importBook("lead", wa.round, bookB, q)
		if r.Code != 422 || r.errorCode() != "invalid" {
			t.Fatalf("import%s of database B's workbook into A: %d %s", q, r.Code, r.Body.String())
		}
		if why := errorFields(r)["Import!B4"]; !strings.Contains(why, "another briefpack database") || len(errorFields(r)) != 1 {
			t.Errorf("import%s names %v, not Import!B4", q, errorFields(r))
		}
	}
	if after := fa.sheet("lead", wa.sheet); after.Version != before.Version || len(paragraphTexts(after)) != len(paragraphTexts(before)) {
		t.Errorf("the sheet went from version %d, %q to %d, %q", before.Version, paragraphTexts(before), after.Version, paragraphTexts(after))
	}

	// Each workbook names its own database where the first layout left a
	// row empty, the cells it read where they were.
	importCells := func(book []byte) map[string]string {
		x, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		cells := map[string]string{}
		for _, c := range []string{"A1", "A2", "A3", "A4", "B4", "A5", "B5"} {
			cells[c], _ = x.GetCellValue("Import", c)
		}
		return cells
	}
	bookA := fa.xlsxPack("lead", wa.round, "")
	for name, c := range map[string]struct {
		book     []byte
		instance string
	}{"A": {bookA, ia}, "B": {bookB, ib}} {
		got := importCells(c.book)
		want := map[string]string{"A1": "Round", "A2": "Marking", "A3": "Format", "A4": "Instance", "B4": c.instance, "A5": "Sheet id", "B5": "Sheet version"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("database %s's workbook: Import!%s is %q, not %q", name, k, got[k], v)
			}
		}
	}

	edit := func(book []byte, oldLayout bool, text string) []byte {
		return editBook(t, book, func(x *excelize.File) {
			if oldLayout {
				// As the export wrote it before it named its database.
				_ = x.SetCellValue("Import", "A4", nil)
				_ = x.SetCellValue("Import", "B4", nil)
			}
			_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "Production paragraph")), text)
		})
	}
	t.Run("SameDatabase", func(t *testing.T) {
		r := fa.importBook("lead", wa.round, edit(bookA, false, "Production paragraph, edited."), "")
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		if got := paragraphTexts(fa.sheet("lead", wa.sheet)); !contains(got, "Production paragraph, edited.") {
			t.Errorf("the sheet holds %q", got)
		}
	})
	t.Run("OldLayout", func(t *testing.T) {
		book := edit(fa.xlsxPack("lead", wa.round, ""), true, "Production paragraph, edited in an old workbook.")
		if got := importCells(book); got["A4"] != "" || got["B4"] != "" {
			t.Fatalf("the Instance row was left: %v", got)
		}
		r := fa.importBook("lead", wa.round, book, "")
		if r.Code != 200 {
			t.Fatalf("import of a workbook that names no database: %d %s", r.Code, r.Body.String())
		}
		if got := paragraphTexts(fa.sheet("lead", wa.sheet)); !contains(got, "Production paragraph, edited in an old workbook.") {
			t.Errorf("the sheet holds %q", got)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestImport_SheetDeletedSince: a topic sheet deleted after the workbook
// was made, its rows untouched, is no part of the import, and the edits to
// the other sheets land (the whole import was refused, naming the hidden
// cell of its id); its rows edited, the import is refused, naming the
// edited cell, and nothing is applied. A deleted sheet's version above the
// importer is answered as a sheet that never was.
func TestImport_SheetDeletedSince(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	other := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Emerging Technologies", para("Technologies change.", "RESTRICTED", "")))
	pack := f.xlsxPack("lead", w.round, "&ceiling=SECRET")
	edited := editBook(t, pack, func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "We are aware, edited.")
	})
	both := editBook(t, edited, func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "Technologies change")), "Technologies change, edited.")
	})
	if r := f.do("lead", "DELETE", "/api/v1/sheets/"+other, nil); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	r := f.importBook("officer", w.round, both, "")
	if r.Code != 422 || !strings.Contains(r.Body.String(), "was deleted after this workbook was made") || !strings.Contains(r.Body.String(), "Topics!D") {
		t.Errorf("an edit to a sheet deleted since: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Version != 1 {
		t.Errorf("a refused import saved the other sheet: version %d", got.Version)
	}
	r = f.importBook("officer", w.round, edited, "")
	if r.Code != 200 {
		t.Fatalf("the other sheet's edit, the deleted sheet untouched: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Sections[0].Paragraphs[0].Text != "We are aware, edited." {
		t.Errorf("the edit did not land: %q", got.Sections[0].Paragraphs[0].Text)
	}
	if r := f.do("officer", "GET", "/api/v1/sheets/"+other, nil); r.Code != 404 {
		t.Errorf("the deleted sheet after the import: %d", r.Code)
	}
	// A workbook listing a sheet above the importer: refused alike whether
	// the sheet was deleted since or not.
	high := f.xlsxPack("lead", w.round, "")
	before := f.importBook("lowofficer", w.round, high, "")
	if r := f.do("lead", "DELETE", "/api/v1/sheets/"+w.secretSheet, nil); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	after := f.importBook("lowofficer", w.round, high, "")
	if before.Code != 422 || after.Code != before.Code || after.Body.String() != before.Body.String() {
		t.Errorf("a sheet above the importer: %d %s before its deletion, %d %s after", before.Code, before.Body.String(), after.Code, after.Body.String())
	}
}
