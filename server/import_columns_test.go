package server_test

import (
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImport_DuplicatedColumn: an officer keeps the texts as they were
// beside the ones they edit, the Text column copied, header and all, into
// a column of its own (J). The importer read the last column of a header,
// and answered 200 with the edits of column D dropped. Two columns of one
// header the import reads are refused, naming both header cells, and
// nothing is applied.
func TestImport_DuplicatedColumn(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	start := f.sheet("lead", w.sheet)
	for _, c := range []struct{ name, from, to, header string }{
		{"Text", "D", "J", "Text"},
		{"ParagraphID", "I", "K", "Paragraph id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
				rows, _ := x.GetRows("Topics")
				col := int(c.from[0] - 'A')
				for i, r := range rows {
					if len(r) > col {
						_ = x.SetCellStr("Topics", c.to+itoa(i+1), r[col])
					}
				}
				_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "We are aware, edited in column D.")
			})
			r := f.importBook("lead", w.round, book, "")
			if r.Code != 422 || r.errorCode() != "invalid" {
				t.Fatalf("import: %d %s", r.Code, r.Body.String())
			}
			fields := errorFields(r)
			for _, cell := range []string{"Topics!" + c.from + "1", "Topics!" + c.to + "1"} {
				if !strings.Contains(fields[cell], `2 columns headed "`+c.header+`"`) {
					t.Errorf("%s is not named: %v", cell, fields)
				}
			}
			if len(fields) != 2 {
				t.Errorf("fields %v", fields)
			}
			if got := f.sheet("lead", w.sheet); got.Version != start.Version {
				t.Errorf("version %d → %d", start.Version, got.Version)
			}
		})
	}
}
