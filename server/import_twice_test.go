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

// TestImport_AppliedEditsTwice: a workbook imported a second time lists
// none of the edits it already made as changes, dry run or not; a workbook
// holding those edits and new ones lists only the new ones.
func TestImport_AppliedEditsTwice(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Applied Twice",
		para("First paragraph.", "RESTRICTED", ""), para("Second paragraph.", "RESTRICTED", ""),
		para("Third paragraph.", "RESTRICTED", "")))
	book := f.xlsxPack("lead", w.round, "")
	setText := func(x *excelize.File, was, now string) {
		if err := x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, was)), now); err != nil {
			t.Fatal(err)
		}
	}
	// The first edit, and a row deleted.
	edited := editBook(t, book, func(x *excelize.File) {
		setText(x, "First paragraph.", "First paragraph, edited.")
		if err := x.RemoveRow("Topics", topicsRow(t, x, "Third paragraph.")); err != nil {
			t.Fatal(err)
		}
	})
	type answer struct {
		Sheets []struct {
			ID      string
			Version int `json:"current_version"`
			New     int `json:"new_version"`
			Changed []struct {
				Row         int
				ParagraphID string `json:"paragraph_id"`
			}
			Added   []struct{ Row int }
			Removed []struct {
				ParagraphID string `json:"paragraph_id"`
			}
		}
		Unchanged int
	}
	imp := func(b []byte, query string) answer {
		t.Helper()
		r := f.importBook("officer", w.round, b, query)
		if r.Code != 200 {
			t.Fatalf("import%s: %d %s", query, r.Code, r.Body.String())
		}
		var a answer
		r.json(&a)
		return a
	}
	of := func(a answer) (changed, removed int) {
		for _, s := range a.Sheets {
			if s.ID == id {
				return len(s.Changed), len(s.Removed)
			}
		}
		return 0, 0
	}
	start := f.sheet("officer", id).Version
	if c, r := of(imp(edited, "")); c != 1 || r != 1 {
		t.Fatalf("first import: %d changed, %d removed", c, r)
	}
	if v := f.sheet("officer", id).Version; v != start+1 {
		t.Fatalf("first import wrote version %d from %d", v, start)
	}
	for _, q := range []string{"?dry_run=true", ""} {
		a := imp(edited, q)
		if c, r := of(a); c != 0 || r != 0 {
			t.Errorf("the same workbook again%s lists %d changed, %d removed: %+v", q, c, r, a)
		}
		for _, s := range a.Sheets {
			if q == "" && s.New != s.Version {
				t.Errorf("the same workbook again: sheet %s new version %d, current %d", s.ID, s.New, s.Version)
			}
		}
	}
	if v := f.sheet("officer", id).Version; v != start+1 {
		t.Fatalf("the same workbook imported twice: version %d from %d", v, start)
	}

	// The same workbook with a new edit beside the applied ones lists only
	// the new one.
	more := editBook(t, edited, func(x *excelize.File) {
		setText(x, "Second paragraph.", "Second paragraph, edited.")
	})
	for _, q := range []string{"?dry_run=true", ""} {
		a := imp(more, q)
		var changed []string
		for _, s := range a.Sheets {
			if s.ID == id {
				for _, c := range s.Changed {
					changed = append(changed, c.ParagraphID)
				}
			}
		}
		second := f.sheet("officer", id).Sections[0].Paragraphs[1]
		if len(changed) != 1 || changed[0] != second.ID {
			t.Errorf("applied and new edits%s: changed %v, want only %s", q, changed, second.ID)
		}
		if c, r := of(a); r != 0 {
			t.Errorf("applied and new edits%s: %d changed, %d removed", q, c, r)
		}
	}
	got := f.sheet("officer", id)
	if got.Version != start+2 || len(got.Sections[0].Paragraphs) != 2 ||
		got.Sections[0].Paragraphs[0].Text != "First paragraph, edited." || got.Sections[0].Paragraphs[1].Text != "Second paragraph, edited." {
		t.Errorf("after both workbooks: version %d, %+v", got.Version, got.Sections[0].Paragraphs)
	}
}
