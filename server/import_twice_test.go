package server_test

import (
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImport_AddedRowTwice: a row added in a workbook is added once however
// often that workbook is imported; the same row typed into a newer
// workbook is a paragraph of its own.
func TestImport_AddedRowTwice(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	const typed = "A paragraph typed into the workbook."
	// addRow inserts, below the row starting "We are aware", a row with its
	// topic, section, sheet id and version, and no paragraph id.
	addRow := func(book []byte) []byte {
		return editBook(t, book, func(x *excelize.File) {
			n := topicsRow(t, x, "We are aware")
			if err := x.InsertRows("Topics", n+1, 1); err != nil {
				t.Fatal(err)
			}
			for _, col := range []string{"A", "B", "G", "H"} {
				v, err := x.GetCellValue("Topics", col+itoa(n))
				if err != nil {
					t.Fatal(err)
				}
				_ = x.SetCellStr("Topics", col+itoa(n+1), v)
			}
			_ = x.SetCellStr("Topics", "D"+itoa(n+1), typed)
		})
	}
	copies := func() int {
		n := 0
		for _, sec := range f.sheet("officer", w.sheet).Sections {
			for _, p := range sec.Paragraphs {
				if p.Text == typed {
					n++
				}
			}
		}
		return n
	}
	type answer struct {
		Sheets []struct {
			ID    string
			New   int `json:"new_version"`
			Added []struct{ Row int }
		}
	}
	imp := func(b []byte, query string) answer {
		t.Helper()
		r := f.importBook("officer", w.round, b, query)
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		var a answer
		r.json(&a)
		return a
	}
	start := f.sheet("officer", w.sheet).Version
	book := addRow(f.xlsxPack("lead", w.round, ""))

	first := imp(book, "")
	if len(first.Sheets) != 1 || len(first.Sheets[0].Added) != 1 || first.Sheets[0].New != start+1 || copies() != 1 {
		t.Fatalf("first import: %+v, %d copies", first, copies())
	}
	for _, q := range []string{"?dry_run=true", ""} {
		again := imp(book, q)
		if len(again.Sheets) != 1 || len(again.Sheets[0].Added) != 0 {
			t.Errorf("the same workbook again%s: %+v", q, again)
		}
	}
	if v := f.sheet("officer", w.sheet).Version; v != start+1 || copies() != 1 {
		t.Fatalf("the same workbook imported twice: version %d from %d, %d copies", v, start, copies())
	}

	// A newer workbook holds the paragraph; a second one, the same words
	// in the same place, typed into it is added.
	newer := addRow(f.xlsxPack("lead", w.round, ""))
	if a := imp(newer, ""); len(a.Sheets) != 1 || len(a.Sheets[0].Added) != 1 || a.Sheets[0].New != start+2 {
		t.Fatalf("newer workbook: %+v", a)
	}
	if n := copies(); n != 2 {
		t.Fatalf("%d copies after the newer workbook, want 2", n)
	}
	// And that workbook again adds nothing more.
	imp(newer, "")
	if v := f.sheet("officer", w.sheet).Version; v != start+2 || copies() != 2 {
		t.Fatalf("the newer workbook twice: version %d, %d copies", v, copies())
	}
	// The two stand together, after the paragraph they were typed below.
	sec := f.sheet("officer", w.sheet).Sections[0]
	if len(sec.Paragraphs) < 3 || !strings.HasPrefix(sec.Paragraphs[0].Text, "We are aware") || sec.Paragraphs[1].Text != typed || sec.Paragraphs[2].Text != typed {
		t.Errorf("section: %+v", sec.Paragraphs)
	}
}
