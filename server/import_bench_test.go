package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// BenchmarkImportXLSX imports a workbook of a round of 1,000 topic sheets
// (five sections of six paragraphs of about forty words each), one
// paragraph edited, through the router into a real bbolt file, beside the
// export of the same round's workbook: "export" after one sheet changed
// (the pack cache missed, the other sheets' parts reused), and
// "export-all-changed" after every sheet changed (no part reused).
// Run with -benchtime 3x: the round takes a while to build.
func BenchmarkImportXLSX(b *testing.B) {
	f := newFixture(b)
	w := f.world()
	kinds := []string{"situation", "offensive", "defensive", "current", "partnering"}
	var first string
	var ids []string
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
		ids = append(ids, id)
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
	// Every sheet changed since the last export (in one transaction, outside
	// the timer): no part of the last workbook can be reused, as for a
	// round's first export.
	b.Run("export-all-changed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			var shs []*briefing.Sheet
			for _, id := range ids {
				sh, err := f.db.Sheet(context.Background(), id)
				if err != nil {
					b.Fatal(err)
				}
				sh.Title = fmt.Sprintf("%s.", sh.Title)
				shs = append(shs, sh)
			}
			if err := f.db.UpdateSheets(context.Background(), shs, briefing.Actor{Name: "bench"}); err != nil {
				b.Fatal(err)
			}
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
