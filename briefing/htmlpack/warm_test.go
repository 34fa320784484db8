package htmlpack_test

import (
	"context"
	"path/filepath"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
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
