package server_test

import (
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing/packtest"
)

// BenchmarkImportXLSX imports a workbook of a round of 1,000 topic sheets
// (five sections of six paragraphs of about forty words each), one
// paragraph edited, through the router into a real bbolt file, beside the
// export of the same round's workbook ("export": assembled and rendered,
// the pack cache missed because a sheet changed outside the timer).
// Run with -benchtime 3x: the round takes a while to build.
func BenchmarkImportXLSX(b *testing.B) {
	f := newFixture(b)
	w := f.world()
	kinds := []string{"situation", "offensive", "defensive", "current", "partnering"}
	var first string
	for s := 0; s < 1000; s++ {
		var secs []map[string]any
		for k, kind := range kinds {
			var ps []map[string]string
			for n := 0; n < 6; n++ {
				m := "RESTRICTED"
				if (s+k+n)%3 == 0 {
					m = "UNCLASSIFIED"
				}
				ps = append(ps, para(packtest.Paragraph(s*5+k, n), m, ""))
			}
			secs = append(secs, map[string]any{"kind": kind, "paragraphs": ps})
		}
		id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": fmt.Sprintf("Topic %d", s), "sections": secs})
		if first == "" {
			first = id
		}
	}
	book := f.xlsxPack("lead", w.round, "")
	b.Logf("workbook of %d bytes", len(book))
	b.Run("export", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			f.update("lead", "/api/v1/sheets/"+first, func(m map[string]any) { m["title"] = fmt.Sprintf("Topic 0 (%d)", i) })
			b.StartTimer()
			f.xlsxPack("lead", w.round, "")
		}
	})
	edits := 0
	b.Run("import", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// Each import edits another paragraph, from the same workbook:
			// merged with the imports before it, never conflicting.
			edits++
			edited := editBook(b, book, func(x *excelize.File) {
				_ = x.SetCellStr("Topics", fmt.Sprintf("D%d", 2+edits*997%30000), fmt.Sprintf("Edit number %d.", edits))
			})
			b.StartTimer()
			r := f.importBook("lead", w.round, edited, "")
			if r.Code != 200 {
				b.Fatalf("%d %s", r.Code, r.Body.String())
			}
		}
	})
}
