package server_test

import (
	"bytes"
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
