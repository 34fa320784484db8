package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"briefpack/internal/officetest"
)

// libreOffice re-saves a workbook as LibreOffice Calc saves it, opened and
// saved untouched (Debian's libreoffice-calc-nogui; skipped, saying so,
// without it, but in CI, which requires it).
func libreOffice(t testing.TB, b []byte) []byte {
	t.Helper()
	officetest.Require(t, "soffice")
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "pack.xlsx")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.ReadFile(officetest.Convert(t, "xlsx:Calc MS Excel 2007 XML", filepath.Join(dir, "out"), in)[0])
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// importUntouched adds paragraphs of texts to a sheet, downloads the
// round's workbook, passes it through resave, imports it and checks that
// nothing changed: no row is listed as changed, and the sheet keeps its
// version and every paragraph byte for byte.
func importUntouched(t *testing.T, texts []string, resave func(testing.TB, []byte) []byte) {
	t.Helper()
	paras := make([]map[string]string, len(texts))
	for i, s := range texts {
		paras[i] = para(s, "RESTRICTED", "")
	}
	importUntouchedParas(t, paras, resave)
}

// importUntouchedParas is importUntouched of paragraphs (para) of any
// marking and withholding.
func importUntouchedParas(t *testing.T, paras []map[string]string, resave func(testing.TB, []byte) []byte) {
	t.Helper()
	f := newFixture(t)
	w := f.world()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		for _, p := range paras {
			sec["paragraphs"] = append(sec["paragraphs"].([]any), p)
		}
	})
	start := f.sheet("lead", w.sheet)
	book := resave(t, f.xlsxPack("lead", w.round, ""))
	r := f.importBook("lead", w.round, book, "?dry_run=true")
	var plan struct {
		Sheets []struct {
			Changed []struct{ Row int }
		}
	}
	r.json(&plan)
	if r.Code != 200 || len(plan.Sheets) != 0 {
		t.Errorf("dry run of an untouched workbook: %d %s", r.Code, r.Body.String())
	}
	// Nor is a topic sheet's own worksheet taken for edited.
	if edits := worksheetEditsOf(t, r); len(edits) != 0 {
		t.Errorf("an untouched workbook's worksheets are told of as edited: %+v", edits)
	}
	if r = f.importBook("lead", w.round, book, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	got := f.sheet("lead", w.sheet)
	if got.Version != start.Version {
		t.Errorf("an untouched workbook made version %d of %d", got.Version, start.Version)
	}
	for i, sec := range got.Sections {
		if len(sec.Paragraphs) != len(start.Sections[i].Paragraphs) {
			t.Errorf("section %d: %d paragraphs, not %d", i, len(sec.Paragraphs), len(start.Sections[i].Paragraphs))
			continue
		}
		for j, p := range sec.Paragraphs {
			was := start.Sections[i].Paragraphs[j]
			switch {
			case p == was:
			case len(was.Text) > 300:
				t.Errorf("paragraph %d.%d: %d characters became %d", i, j, utf8.RuneCountInString(was.Text), utf8.RuneCountInString(p.Text))
			default:
				t.Errorf("paragraph %d.%d: %q %s %s became %q %s %s", i, j, was.Text, was.Marking, was.Withhold, p.Text, p.Marking, p.Withhold)
			}
		}
	}
}

// asDownloaded passes a workbook through as it was downloaded.
func asDownloaded(_ testing.TB, b []byte) []byte { return b }

// TestImport_UntouchedCarriageReturns: a paragraph the JSON API stored
// with "\r\n" (sent as "\r\r\n", one of which its line ends take out) is
// shown by the workbook with it, and read back with "\n", as every cell's
// line ends are. The untouched row was taken for an edit and made a
// version; compared with line ends alike, it is untouched.
func TestImport_UntouchedCarriageReturns(t *testing.T) {
	texts := []string{"Doubled\r\r\nline end", "Old Mac\rline end", "Two\r\r\n\r\r\nbreaks"}
	t.Run("AsDownloaded", func(t *testing.T) { importUntouched(t, texts, asDownloaded) })
	t.Run("LibreOffice", func(t *testing.T) { importUntouched(t, texts, libreOffice) })
}

// xEscapeParagraphs look like the format's escape of a character ("_x0041_" is
// A in a cell's XML), which a spreadsheet program decodes when it opens a
// workbook and writes after "_x005F_", the format's underscore, when it
// saves a literal one.
var xEscapeParagraphs = []string{
	"Column my\\_x0020\\_name in the export.", "Literal \\_x0041\\_ here.", "Ends \\_x000D\\_", "Two \\_x0041\\_x0042\\_ and \\_x005F\\_.",
	"snake\\_case\\_name",
	// A bold run ending inside such a sequence: the Topics cell is one
	// text, and escaped run by run the sequence went unescaped, read as a
	// tab and an underscore.
	"Code **a\\_x**0009\\_ end", "Ref **b\\_x**005F\\_ end",
}

// TestImport_UntouchedXEscapes: the workbook wrote such text as it is, and
// LibreOffice, reading it as text, wrote it back after "_x005F_", which the
// import read as typed: an untouched workbook changed the paragraph. It is
// written as the format says, and read so, through LibreOffice and
// excelize alike.
func TestImport_UntouchedXEscapes(t *testing.T) {
	t.Run("AsDownloaded", func(t *testing.T) { importUntouched(t, xEscapeParagraphs, asDownloaded) })
	t.Run("LibreOffice", func(t *testing.T) { importUntouched(t, xEscapeParagraphs, libreOffice) })
	t.Run("Excelize", func(t *testing.T) {
		importUntouched(t, xEscapeParagraphs, func(t testing.TB, b []byte) []byte {
			return editBook(t, b, func(x *excelize.File) { _ = x.SetCellStr("Topics", "A1", "Topic") })
		})
	})
}

// TestImport_TypedXEscape: "id_x0041_b" typed into a cell was stored as
// typed, but the next workbook wrote it so, which a spreadsheet program
// reads as "idAb". It is shown as typed. (excelize writes the text as it
// is, where Excel and LibreOffice write "id_x005F_x0041_b": both are read
// as typed, see xlsxpack's TestXString.)
func TestImport_TypedXEscape(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	const typed = "Typed id_x0041_b and _x0020_ here"
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), typed)
	})
	if r := f.importBook("lead", w.round, book, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("lead", w.sheet).Sections[0].Paragraphs[0].Text; got != `Typed id\_x0041\_b and \_x0020\_ here` {
		t.Errorf("stored %q", got)
	}
	rows, err := topicsRows(f.xlsxPack("lead", w.round, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || len(rows[1]) < 4 || rows[1][3] != typed {
		t.Errorf("typed %q, the next workbook shows %q", typed, rows[1])
	}
}

// TestImport_ParagraphFitsCell: a spreadsheet cell holds 32,767 UTF-16
// units. A paragraph of 20,000 emoji (40,000 units, within the 20,000
// characters a paragraph may hold) was cut by LibreOffice, and the cut
// paragraph saved by the next import of an untouched workbook. A save
// refuses a paragraph that does not fit a cell, naming it; one that fits
// goes round untouched. One stored before, which its writer did not
// change, is kept: it may be hidden from them.
func TestImport_ParagraphFitsCell(t *testing.T) {
	tooLong := strings.Repeat("🙂", 20000)
	// 32,763 units, 32,767 with "(R) " before it on its sheet's worksheet.
	atLimit := strings.Repeat("🙂", 16381) + "!"
	t.Run("Refused", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		refused := func(what string, r response, field string) {
			t.Helper()
			if r.Code != 422 || !strings.Contains(errorFields(r)[field], "must fit a spreadsheet cell, at most 32767") {
				t.Errorf("%s: %d %s", what, r.Code, r.Body.String())
			}
		}
		refused("create", f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Long", para("Short.", "RESTRICTED", ""), para(tooLong, "RESTRICTED", ""))),
			"sections[0].paragraphs[1].text")
		r := f.do("lead", "GET", "/api/v1/sheets/"+w.sheet, nil)
		var m map[string]any
		r.json(&m)
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para(tooLong, "RESTRICTED", ""))
		refused("update", f.do("lead", "PUT", "/api/v1/sheets/"+w.sheet, m, "If-Match", r.Header().Get("ETag")), "sections[0].paragraphs[2].text")
		refused("merge", f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/merge", m), "sections[0].paragraphs[2].text")
	})
	t.Run("AsDownloaded", func(t *testing.T) {
		importUntouched(t, []string{atLimit, strings.Repeat("word ", 3999) + "last!"}, asDownloaded)
	})
	t.Run("LibreOffice", func(t *testing.T) {
		importUntouched(t, []string{atLimit, strings.Repeat("word ", 3999) + "last!"}, libreOffice)
	})
	t.Run("StoredBefore", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Old text",
			para("Open words.", "RESTRICTED", ""), para("Hidden words.", "TOP SECRET", "")))
		storedAsBefore(f, id, 1, tooLong)
		// The SECRET officer merges an edit of what they see; the lead
		// saves an edit of another paragraph.
		mine := f.sheet("officer", id)
		mine.Sections[0].Paragraphs[0].Text = "Open words, edited."
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
			t.Fatalf("merge beside a paragraph stored before: %d %s", r.Code, r.Body.String())
		}
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { editOne(m, 0, 0, "Open words, edited again.") })
		if got := f.sheet("lead", id).Sections[0].Paragraphs; got[0].Text != "Open words, edited again." || got[1].Text != tooLong {
			t.Errorf("paragraphs: %.40q, %d characters", got[0].Text, len(got[1].Text))
		}
	})
}

// TestImport_ParagraphFitsCellAsWorkbookShowsIt: the workbook's cells hold
// more than the Markdown: "[withheld on release: s6(a)] " before a
// paragraph withheld in full, a "\" before each "[", "]" or "\" of
// withheld words, and on the sheet's own worksheet the portion mark. Held
// to the Markdown's length, a save took a paragraph whose Topics cell
// LibreOffice cut, and the untouched workbook's import was then refused,
// naming a cell nobody edited; the sheet's worksheet lost the end of one
// that fitted the Topics cell. A save, an import among them, is held to the
// longest cell.
func TestImport_ParagraphFitsCellAsWorkbookShowsIt(t *testing.T) {
	// Each is a paragraph whose longest cell, on its sheet's worksheet
	// after "(R) ", is 32,767 units and over. "Opening words. [s6(a):
	// \]\]…] Closing words." is 39 units and two a bracket.
	brackets := func(over int) map[string]string {
		return para("Opening words. {{s6(a): "+strings.Repeat("]", (32767+over-43)/2)+"}} Closing words.", "RESTRICTED", "")
	}
	// "[withheld on release: s6(a)] " is 29 units, an emoji two.
	withheld := func(over int) map[string]string {
		return para(strings.Repeat("🙂", (32767+over-33)/2), "RESTRICTED", "s6(a)")
	}
	marked := func(over int) map[string]string {
		return para(strings.Repeat("🙂", (32767+over-5)/2)+"!", "RESTRICTED", "")
	}
	atLimit := []map[string]string{brackets(0), withheld(0), marked(0)}
	t.Run("Refused", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		refused := func(what string, r response, field string, typed int) {
			t.Helper()
			want := fmt.Sprintf("must fit a spreadsheet cell, at most 32767, so this one at most %d as typed", typed)
			if r.Code != 422 || !strings.Contains(errorFields(r)[field], want) {
				t.Errorf("%s: %d %s", what, r.Code, r.Body.String())
			}
		}
		for _, p := range []map[string]string{brackets(2), withheld(2), marked(2)} {
			typed := len(utf16.Encode([]rune(p["text"]))) - 2
			refused("create", f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Long", para("Short.", "RESTRICTED", ""), p)),
				"sections[0].paragraphs[1].text", typed)
			r := f.do("lead", "GET", "/api/v1/sheets/"+w.sheet, nil)
			var m map[string]any
			r.json(&m)
			sec := m["sections"].([]any)[0].(map[string]any)
			sec["paragraphs"] = append(sec["paragraphs"].([]any), p)
			refused("update", f.do("lead", "PUT", "/api/v1/sheets/"+w.sheet, m, "If-Match", r.Header().Get("ETag")), "sections[0].paragraphs[2].text", typed)
			refused("merge", f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/merge", m), "sections[0].paragraphs[2].text", typed)
		}
		// A span typed into a cell in the Markdown form, which fits it,
		// is shown by the next workbook with its brackets escaped.
		words := strings.Repeat("]", 17000)
		book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
			if err := x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "{{s6(a): "+words+"}}"); err != nil {
				t.Fatal(err)
			}
		})
		r := f.importBook("lead", w.round, book, "")
		var cell string
		for k, why := range errorFields(r) {
			if strings.Contains(why, "must fit a spreadsheet cell") {
				cell = k
			}
		}
		if r.Code != 422 || !strings.HasPrefix(cell, "Topics!D") {
			t.Errorf("import: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("AsDownloaded", func(t *testing.T) { importUntouchedParas(t, atLimit, asDownloaded) })
	t.Run("LibreOffice", func(t *testing.T) { importUntouchedParas(t, atLimit, libreOffice) })
}

// TestImport_ParagraphFitsCellWithItsNewMarkOrFlag: a paragraph's cell
// holds its portion mark and a withheld paragraph's flag beside its text,
// but a save took a paragraph stored before as unchanged when its text
// was: a paragraph at the limit, given a longer mark or a flag alone, was
// saved past it, LibreOffice cut its cell, and the untouched workbook's
// import was refused naming a cell nobody edited. Each save is refused,
// naming the paragraph.
func TestImport_ParagraphFitsCellWithItsNewMarkOrFlag(t *testing.T) {
	// 32,763 units, 32,767 with "(R) " before it on its sheet's worksheet.
	atLimit := strings.Repeat("🙂", 16381) + "!"
	for _, tc := range []struct {
		name            string
		marking, ground string
	}{
		{"Withhold", "RESTRICTED", "s9(2)(b)(ii)"}, // "[withheld on release: s9(2)(b)(ii)] " after "(R) "
		{"Marking", "TOP SECRET", ""},              // "(TS) ", a unit more
	} {
		// Each save on a sheet of its own: one let through would change
		// what the next is refused for.
		withParagraph := func(t *testing.T) (*fixture, world) {
			f := newFixture(t)
			w := f.world()
			f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
				sec := sectionOf(m, 0)
				sec["paragraphs"] = append(sec["paragraphs"].([]any), para(atLimit, "RESTRICTED", ""))
			})
			return f, w
		}
		refused := func(t *testing.T, r response, field string) {
			t.Helper()
			if r.Code != 422 || !strings.Contains(errorFields(r)[field], "must fit a spreadsheet cell, at most 32767") {
				t.Errorf("%d %.400s", r.Code, r.Body.String())
			}
		}
		changed := func(f *fixture, w world) (map[string]any, string) {
			r := f.do("lead", "GET", "/api/v1/sheets/"+w.sheet, nil)
			var m map[string]any
			r.json(&m)
			p := paragraphOf(m, 0, 2)
			p["marking"], p["withhold"] = tc.marking, tc.ground
			return m, r.Header().Get("ETag")
		}
		t.Run(tc.name+"/Update", func(t *testing.T) {
			f, w := withParagraph(t)
			m, etag := changed(f, w)
			refused(t, f.do("lead", "PUT", "/api/v1/sheets/"+w.sheet, m, "If-Match", etag), "sections[0].paragraphs[2].text")
		})
		t.Run(tc.name+"/Merge", func(t *testing.T) {
			f, w := withParagraph(t)
			m, _ := changed(f, w)
			refused(t, f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/merge", m), "sections[0].paragraphs[2].text")
		})
		t.Run(tc.name+"/Import", func(t *testing.T) {
			f, w := withParagraph(t)
			row := 0
			book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
				row = topicsRow(t, x, atLimit[:40])
				_ = x.SetCellStr("Topics", "E"+itoa(row), tc.marking)
				_ = x.SetCellStr("Topics", "F"+itoa(row), tc.ground)
			})
			refused(t, f.importBook("lead", w.round, book, ""), "Topics!D"+itoa(row))
		})
	}
}

// TestImport_RunsDecodedEachAlone: each run of a rich cell is its own
// escaped text, as the format has it: "Rich a_x" in bold and "0009_ end"
// hold no escape, and the cell is read as it shows, where the runs joined
// were read as holding a tab.
func TestImport_RunsDecodedEachAlone(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		if err := x.SetCellRichText("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), []excelize.RichTextRun{
			{Text: "Rich a_x", Font: &excelize.Font{Bold: true}}, {Text: "0009_ end"}}); err != nil {
			t.Fatal(err)
		}
	})
	if r := f.importBook("lead", w.round, book, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("lead", w.sheet).Sections[0].Paragraphs[0].Text; got != "Rich a\\_x0009\\_ end" {
		t.Errorf("a cell shown %q is stored as %q", "Rich a_x0009_ end", got)
	}
}
