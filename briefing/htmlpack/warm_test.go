package htmlpack_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/packtest"
	"briefpack/seeds"
	"briefpack/store"
)

// TestWarmStore renders every stored paragraph (the demo's, in a real
// bbolt file) and stops when its context ends.
func TestWarmStore(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "warm.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seeds.Load(ctx, db, func(pw string) (string, error) { return "hash:" + pw, nil }); err != nil {
		t.Fatal(err)
	}
	want := 0
	ds, _, _ := db.Dialogues(ctx, briefing.Page{})
	for _, d := range ds {
		rs, _, _ := db.Rounds(ctx, d.ID, briefing.Page{})
		for _, r := range rs {
			shs, _, _ := db.Sheets(ctx, r.ID, briefing.Page{})
			for _, sh := range shs {
				for _, sec := range sh.Sections {
					want += len(sec.Paragraphs)
				}
			}
		}
	}
	n, err := htmlpack.WarmStore(ctx, db)
	if err != nil || n != want || n < 50 {
		t.Fatalf("rendered %d paragraphs (%v), want all %d", n, err, want)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if n, err := htmlpack.WarmStore(cancelled, db); err == nil || n != 0 {
		t.Fatalf("a cancelled warm-up rendered %d (%v)", n, err)
	}
}

// TestWarm_OneRenderingForBoth: a paragraph with nothing withheld renders
// the same in both editions, and both packs take one rendering kept once,
// for both; one with a withheld span keeps one for each edition.
func TestWarm_OneRenderingForBoth(t *testing.T) {
	s := settings(t)
	htmlpack.ClearCache()
	p := packtest.Pack(s, 3)
	// What the rest of the pack renders (its cover's Markdown) is counted
	// first, from the pack without its sheets.
	bare := *p
	bare.Sheets, bare.Agenda = nil, nil
	render(t, &bare)
	bareRelease, err := briefing.ReleaseView(&bare)
	if err != nil {
		t.Fatal(err)
	}
	render(t, bareRelease)
	want, n := htmlpack.RenderingsKept(), 0
	for i, sh := range p.Sheets {
		sh.Stored = fmt.Sprint("one-rendering-", i)
		for j := range sh.Sections {
			for k := range sh.Sections[j].Paragraphs {
				para := &sh.Sections[j].Paragraphs[k]
				para.ID = fmt.Sprint("p-one-rendering-", i, j, k)
				if n++; n%5 == 0 {
					para.Text = fmt.Sprintf("Paragraph %d of this test, with {{s6(a): words withheld}}.", n)
					want += 2
				} else {
					para.Text = fmt.Sprintf("Paragraph %d of this test, nothing withheld.", n)
					want++
				}
				htmlpack.Warm(s, *para)
			}
		}
	}
	render(t, p)
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	render(t, rel)
	if got := htmlpack.RenderingsKept(); got != want {
		t.Errorf("%d renderings kept for %d paragraphs, want %d", got, n, want)
	}
}
