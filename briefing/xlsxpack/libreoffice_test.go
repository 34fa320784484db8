package xlsxpack_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"

	"briefpack/internal/officetest"
)

// TestRender_PrintsEveryWord prints the demo-like pack's workbooks in a
// second reader, LibreOffice, as a delegate would, and finds every word of
// every cell of every worksheet shown in the PDF's text, as often as the
// cells hold it: the Australian co-chair's "Department of the Prime
// Minister and Cabinet (Australia)", a biography's bullets, an agenda
// item's lead "Sam Fischer (demo) (Department of Home Affairs)", and the
// texts longer than a row, in the rows they go on in. Before, rows other
// than Topics' and the topic sheets' were printed a line tall, and their
// wrapped cells lost all but their first line. It needs soffice and
// pdftotext (Debian's libreoffice-calc-nogui and poppler-utils); without
// them it skips, saying so, unless BRIEFPACK_REQUIRE_LIBREOFFICE is set, as
// CI sets it.
func TestRender_PrintsEveryWord(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	officetest.Require(t, "soffice", "pdftotext")
	dir := t.TempDir()
	wbs := workbooks(t)
	editions := []string{"full", "release", "response"}
	var in []string
	for _, edition := range editions {
		path := filepath.Join(dir, edition+".xlsx")
		if err := os.WriteFile(path, wbs[edition], 0o600); err != nil {
			t.Fatal(err)
		}
		in = append(in, path)
	}
	pdfs := officetest.Convert(t, "pdf", dir, in...)
	for i, edition := range editions {
		text := officetest.PDFText(t, pdfs[i])
		printed := map[string]int{}
		for _, w := range words(string(text)) {
			printed[w]++
		}
		f, err := excelize.OpenReader(bytes.NewReader(wbs[edition]))
		if err != nil {
			t.Fatal(err)
		}
		held := map[string]int{}
		for _, name := range f.GetSheetList() {
			if shown, _ := f.GetSheetVisible(name); !shown {
				continue
			}
			rows, err := f.GetRows(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, cells := range rows {
				for c, v := range cells {
					col, _ := excelize.ColumnNumberToName(c + 1)
					if shown, _ := f.GetColVisible(name, col); !shown {
						continue
					}
					for _, w := range words(v) {
						held[w]++
					}
				}
			}
		}
		f.Close()
		for _, w := range []string{"(Australia)", "Fischer", "Affairs)", "Interests:", "Biography50", "Action40", "Outcome90"} {
			if held[w] == 0 {
				t.Errorf("%s: the workbook holds no %q: the test tests less than it says", edition, w)
			}
		}
		for w, n := range held {
			if printed[w] < n {
				t.Errorf("%s: %q printed %d times of %d", edition, w, printed[w], n)
			}
		}
	}
}

// words are a text's words, split at hyphens too: LibreOffice breaks a line
// after one, as in "rules-" and "based".
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
}
