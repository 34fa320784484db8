package server_test

import (
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// worksheetEdit is a topic sheet whose own worksheet an import found
// edited, as the answer names it.
type worksheetEdit struct {
	SheetID   string `json:"sheet_id"`
	Title     string `json:"title"`
	Worksheet string `json:"worksheet"`
	Cell      string `json:"cell"`
	Message   string `json:"message"`
}

// worksheetEditsOf reads an import's answer's worksheet_edits, which every
// 200 carries, empty when there is nothing to tell.
func worksheetEditsOf(t testing.TB, r response) []worksheetEdit {
	t.Helper()
	var a struct {
		Edits *[]worksheetEdit `json:"worksheet_edits"`
	}
	r.json(&a)
	if r.Code != 200 || a.Edits == nil {
		t.Fatalf("an import's answer without worksheet_edits: %d %.600s", r.Code, r.Body.String())
	}
	return *a.Edits
}

// openpyxlRun runs a Python script with openpyxl on a workbook, its first
// argument the workbook and its second where to save it, and returns what
// it saved; it skips where openpyxl is not installed, but in CI.
func openpyxlRun(t *testing.T, b []byte, script string) []byte {
	t.Helper()
	py := openpyxl()
	if py == "" && os.Getenv("BRIEFPACK_REQUIRE_OPENPYXL") != "" {
		t.Fatal("python3 with openpyxl is not installed (apt-get install python3-openpyxl), and CI requires it")
	}
	if py == "" {
		t.Skip("python3 with openpyxl is not installed (apt-get install python3-openpyxl)")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "pack.xlsx"), filepath.Join(dir, "saved.xlsx")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if o, err := exec.Command(py, "-c", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, o)
	}
	saved, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// appendCell adds words to a text cell of a worksheet.
func appendCell(t testing.TB, x *excelize.File, sheet, cell, words string) {
	t.Helper()
	v, err := x.GetCellValue(sheet, cell)
	if err != nil || v == "" {
		t.Fatalf("%s!%s: %q %v", sheet, cell, v, err)
	}
	if err := x.SetCellStr(sheet, cell, v+words); err != nil {
		t.Fatal(err)
	}
}

// TestImport_WorksheetEditTold: a workbook edited only in a topic sheet's
// own worksheet (the two-column form, which reads as the brief does)
// changes nothing, for only the Topics rows are read; the dry run and the
// import say so of that sheet, naming its worksheet, the first cell edited
// and where to make the edit. Before, the answer listed nothing, and the
// edit was lost without a word.
func TestImport_WorksheetEditTold(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, b []byte) []byte
		cell string
	}{
		{"Excelize", func(t *testing.T, b []byte) []byte {
			return editBook(t, b, func(x *excelize.File) {
				appendCell(t, x, "Foreign Interference", "B3", " Edited in the topic's own worksheet.")
			})
		}, "Foreign Interference!B3"},
		{"Openpyxl", func(t *testing.T, b []byte) []byte {
			return openpyxlRun(t, b, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Foreign Interference"]
ws["A3"].value = "Where things stand"
wb.save(sys.argv[2])
`)
		}, "Foreign Interference!A3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			start := f.sheet("lead", w.sheet)
			book := tc.edit(t, f.xlsxPack("lead", w.round, ""))
			for _, q := range []string{"?dry_run=true", ""} {
				r := f.importBook("lead", w.round, book, q)
				var a struct{ Sheets []any }
				r.json(&a)
				edits := worksheetEditsOf(t, r)
				if len(a.Sheets) != 0 || len(edits) != 1 {
					t.Fatalf("%s: %s", q, r.Body.String())
				}
				e := edits[0]
				if e.SheetID != w.sheet || e.Title != "Foreign Interference" || e.Worksheet != "Foreign Interference" || e.Cell != tc.cell {
					t.Errorf("%s: told %+v", q, e)
				}
				for _, says := range []string{tc.cell, "not imported", "Topics"} {
					if !strings.Contains(e.Message, says) {
						t.Errorf("%s: the message does not say %q: %s", q, says, e.Message)
					}
				}
			}
			if got := f.sheet("lead", w.sheet); got.Version != start.Version {
				t.Errorf("an edit outside Topics made version %d of %d", got.Version, start.Version)
			}
		})
	}
	t.Run("WorksheetDeleted", func(t *testing.T) {
		// A worksheet the workbook no longer holds is not told of.
		f := newFixture(t)
		w := f.world()
		book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
			if err := x.DeleteSheet("Foreign Interference"); err != nil {
				t.Fatal(err)
			}
		})
		if edits := worksheetEditsOf(t, f.importBook("lead", w.round, book, "?dry_run=true")); len(edits) != 0 {
			t.Errorf("a deleted worksheet is told of: %+v", edits)
		}
	})
}

// TestImport_TopicsAppliedWorksheetTold: a workbook whose Topics rows and
// whose topic sheets' own worksheets were both edited has its Topics rows
// imported, and the import says, of each sheet, that the edits in its own
// worksheet were not; the round page's preview and its import say so too.
// Before, the worksheets' edits were dropped without a word, the answer
// listing the Topics edits as if they were all there was.
func TestImport_TopicsAppliedWorksheetTold(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	other := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Emerging Technologies",
		para("Quantum computing will change the cryptographic landscape within the decade.", "RESTRICTED", "")))
	start := f.sheet("lead", w.sheet)
	edit := func(t *testing.T, made []byte, topics string) []byte {
		return editBook(t, made, func(x *excelize.File) {
			_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), topics)
			appendCell(t, x, "Foreign Interference", "B4", " And the worksheet says more.")
			if err := x.SetCellStr("Emerging Technologies", "C3", "Ask the partner about their post-quantum timetable."); err != nil {
				t.Fatal(err)
			}
		})
	}
	want := []worksheetEdit{
		{SheetID: w.sheet, Title: "Foreign Interference", Worksheet: "Foreign Interference", Cell: "Foreign Interference!B4"},
		{SheetID: other, Title: "Emerging Technologies", Worksheet: "Emerging Technologies", Cell: "Emerging Technologies!C3"},
	}
	check := func(t *testing.T, what string, r response) {
		t.Helper()
		edits := worksheetEditsOf(t, r)
		if len(edits) != len(want) {
			t.Fatalf("%s: told %+v", what, edits)
		}
		for i, e := range edits {
			if msg := e.Message; e.SheetID != want[i].SheetID || e.Title != want[i].Title || e.Worksheet != want[i].Worksheet || e.Cell != want[i].Cell ||
				!strings.Contains(msg, want[i].Cell) || !strings.Contains(msg, "Topics") {
				t.Errorf("%s: told %+v, want %+v", what, e, want[i])
			}
		}
	}
	book := edit(t, f.xlsxPack("lead", w.round, ""), "We are aware, the Topics worksheet says.")
	check(t, "dry run", f.importBook("lead", w.round, book, "?dry_run=true"))
	check(t, "import", f.importBook("lead", w.round, book, ""))
	got := f.sheet("lead", w.sheet)
	if got.Version != start.Version+1 || got.Sections[0].Paragraphs[0].Text != "We are aware, the Topics worksheet says." {
		t.Errorf("the Topics row was not imported: version %d of %d, %q", got.Version, start.Version, got.Sections[0].Paragraphs[0].Text)
	}
	if got.Sections[0].Paragraphs[1].Text != start.Sections[0].Paragraphs[1].Text {
		t.Errorf("the worksheet's edit was imported: %q", got.Sections[0].Paragraphs[1].Text)
	}

	// The round page's preview and import say it of each worksheet, of a
	// workbook downloaded since and edited alike.
	book = edit(t, f.xlsxPack("lead", w.round, ""), "We are aware, the page's workbook says.")
	b := f.pageBrowser("lead")
	for _, op := range []string{"preview", "import"} {
		rec := b.sendWorkbook(w.round, book, op)
		page := rec.Body.String()
		if op == "import" {
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("import: %d %.2000s", rec.Code, page)
			}
			page = flashOf(b.open(rec.Header().Get("Location")))
		}
		page = html.UnescapeString(page)
		if c := countsSaid(t, op, page); c.changed != 1 {
			t.Errorf("%s: %+v", op, c)
		}
		for _, says := range []string{"Foreign Interference!B4", "Emerging Technologies!C3", "Only the Topics worksheet is read"} {
			if !strings.Contains(page, says) {
				t.Errorf("%s does not say %q: %.3000s", op, says, page)
			}
		}
	}
	if got := f.sheet("lead", w.sheet); got.Sections[0].Paragraphs[0].Text != "We are aware, the page's workbook says." {
		t.Errorf("the page's import did not import the Topics row: %q", got.Sections[0].Paragraphs[0].Text)
	}
}

// TestImport_ResavedUntouchedNothingTold: a workbook nobody edited is told
// nothing of its topic sheets' worksheets, as downloaded and as openpyxl and
// LibreOffice save it again (each rewrites every part: strings shared,
// runs, escapes and line ends in its own way), whatever the paragraphs hold.
func TestImport_ResavedUntouchedNothingTold(t *testing.T) {
	for _, tc := range []struct {
		name   string
		resave func(t *testing.T, b []byte) []byte
	}{
		{"AsDownloaded", func(t *testing.T, b []byte) []byte { return b }},
		{"Openpyxl", func(t *testing.T, b []byte) []byte {
			return openpyxlRun(t, b, "import sys, openpyxl\nopenpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])\n")
		}},
		{"LibreOffice", func(t *testing.T, b []byte) []byte { return libreOffice(t, b) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
				sec := m["sections"].([]any)[0].(map[string]any)
				sec["paragraphs"] = append(sec["paragraphs"].([]any),
					para("The partner's **Cyber Security Strategy 2020** sets out [its priorities](https://www.homeaffairs.gov.au/cyber).", "RESTRICTED", ""),
					para("We want:\n- agreement on attribution\n- a joint statement\n\n1. first\n2. second", "RESTRICTED", ""),
					para("=SUM(A1:A2) and my_x0020_name stay as typed", "UNCLASSIFIED", ""),
					para("Line one\r\nline two, and   three spaces", "IN-CONFIDENCE", ""),
					para("Withheld in full: the minister's private view.", "CONFIDENTIAL", "s9(2)(a)"))
			})
			f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Cyber: [Draft] * Norms / Attribution and more words than a tab holds",
				"sections": []map[string]any{{"kind": "custom", "heading": "Our Counter Terrorism Approach", "paragraphs": []any{para("Shared assessment of the threat.", "RESTRICTED", "")}},
					{"kind": "partnering", "paragraphs": []any{}}}})
			book := tc.resave(t, f.xlsxPack("lead", w.round, ""))
			r := f.importBook("lead", w.round, book, "?dry_run=true")
			if edits := worksheetEditsOf(t, r); len(edits) != 0 {
				t.Errorf("an untouched workbook is told of edits: %+v", edits)
			}
			var a struct{ Sheets []any }
			r.json(&a)
			if len(a.Sheets) != 0 {
				t.Errorf("an untouched workbook changes sheets: %s", r.Body.String())
			}
			if page := html.UnescapeString(f.pageBrowser("lead").sendWorkbook(w.round, book, "preview").Body.String()); strings.Contains(page, "Foreign Interference!") || strings.Contains(page, "Cyber ") && strings.Contains(page, "were not imported") {
				t.Errorf("the preview of an untouched workbook tells of edits: %.3000s", page)
			}
		})
	}
}

var paragraphIDFields = regexp.MustCompile(`"paragraph_id":"[^"]*"`)

// TestImport_WorksheetHiddenNotTold: an importer is told only of the
// worksheets of sheets the workbook was made from, named as its export
// named them, and their answer is byte for byte the same whether or not the
// round holds, above them, paragraphs in the sheet, and another sheet of
// the same title (whose worksheet a higher reader's workbook names
// "Shared (2)"), and whatever worksheets they add by those names.
func TestImport_WorksheetHiddenNotTold(t *testing.T) {
	for _, q := range []string{"?dry_run=true", ""} {
		var bodies [2]string
		for k, hidden := range []bool{false, true} {
			f, w, id := importWorld(t, hidden)
			var twin string
			if hidden {
				twin = f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Shared", para("Shared, the secret twin.", "SECRET", "")))
			}
			book := editBook(t, f.xlsxPack("lowlead", w.round, ""), func(x *excelize.File) {
				_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "Visible A.")), "Visible A, edited in Topics.")
				appendCell(t, x, "Shared", "B4", " Edited in the worksheet.")
				for _, name := range []string{"Shared (2)", "Zanzibar Operations"} {
					if _, err := x.NewSheet(name); err != nil {
						t.Fatal(err)
					}
					_ = x.SetCellStr(name, "B3", "Typed where a hidden sheet's worksheet would be.")
				}
			})
			r := f.importBook("lowofficer", w.round, book, q)
			edits := worksheetEditsOf(t, r)
			if len(edits) != 1 || edits[0].SheetID != id || edits[0].Cell != "Shared!B4" {
				t.Fatalf("hidden %v %s: told %+v", hidden, q, edits)
			}
			// Paragraph ids are random, and differ from one database to the other.
			bodies[k] = paragraphIDFields.ReplaceAllString(r.Body.String(), `"paragraph_id":"…"`)
			for _, secret := range []string{"Zanzibar", "(2)", "twin"} {
				if strings.Contains(bodies[k], secret) {
					t.Errorf("hidden %v %s: the answer says %q: %s", hidden, q, secret, bodies[k])
				}
			}
			if !hidden || q != "" {
				continue
			}
			// A reader cleared to see both is told of the twin's worksheet
			// by the name their export gave it.
			lead := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
				appendCell(t, x, "Shared (2)", "B3", " The lead's note.")
			})
			if edits := worksheetEditsOf(t, f.importBook("lead", w.round, lead, "?dry_run=true")); len(edits) != 1 || edits[0].SheetID != twin || edits[0].Cell != "Shared (2)!B3" {
				t.Errorf("the lead is told %+v", edits)
			}
		}
		if bodies[0] != bodies[1] {
			t.Errorf("%s: the answer tells what is hidden:\n without: %.600s\n with:    %.600s", q, bodies[0], bodies[1])
		}
	}
}

// TestImport_ManyWorksheetsToldInAFlash: an import through the round page
// that finds many topic sheets' worksheets edited says so in its flash,
// naming as many as a flash holds and counting the rest: a flash past its
// bound is not shown at all.
func TestImport_ManyWorksheetsToldInAFlash(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	var names []string
	for i := 0; i < 12; i++ {
		title := "Regional Maritime Security Cooperation Arrangements " + itoa(i+1)
		f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody(title, para("Paragraph of topic "+itoa(i+1)+".", "RESTRICTED", "")))
		names = append(names, title)
	}
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		for _, name := range x.GetSheetList() {
			if strings.HasPrefix(name, "Regional Maritime") {
				appendCell(t, x, name, "B3", " Noted.")
			}
		}
	})
	if edits := worksheetEditsOf(t, f.importBook("lead", w.round, book, "?dry_run=true")); len(edits) != len(names) {
		t.Fatalf("told %d worksheets of %d", len(edits), len(names))
	}
	b := f.pageBrowser("lead")
	rec := b.sendWorkbook(w.round, book, "import")
	msg := html.UnescapeString(flashOf(b.open(rec.Header().Get("Location"))))
	if !strings.Contains(msg, "Only the Topics worksheet is read") || !strings.Contains(msg, "more") || !strings.Contains(msg, "!B3") {
		t.Errorf("the flash: %q", msg)
	}
}
