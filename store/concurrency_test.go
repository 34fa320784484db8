package store_test

import (
	"fmt"
	"sync"
	"testing"

	"briefpack/briefing"
)

// TestSheetService_ConcurrentUpdates races writers on one sheet: for each
// version exactly one of them wins; the others are told they are stale and
// change nothing.
func TestSheetService_ConcurrentUpdates(t *testing.T) {
	db := MustOpenDB(t)
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	sh := mustSheet(t, db, r.ID, "v1")
	const writers = 8
	winners := []string{sh.Title}
	for version := 1; version <= 5; version++ {
		var wg sync.WaitGroup
		errs := make([]error, writers)
		titles := make([]string, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := sh.Clone()
				c.Version = version
				titles[w] = fmt.Sprintf("v%d by writer %d", version+1, w)
				c.Title = titles[w]
				errs[w] = db.UpdateSheet(ctx, c, briefing.Actor{Name: titles[w]})
			}()
		}
		wg.Wait()
		won := -1
		for w, err := range errs {
			switch code := briefing.ErrorCode(err); {
			case err == nil && won >= 0:
				t.Fatalf("version %d: writers %d and %d both won", version, won, w)
			case err == nil:
				won = w
			case code != briefing.ESTALE:
				t.Fatalf("writer %d: %v", w, err)
			}
		}
		if won < 0 {
			t.Fatalf("version %d: nobody won", version)
		}
		got, err := db.Sheet(ctx, sh.ID)
		if err != nil || got.Version != version+1 || got.Title != titles[won] || got.UpdatedBy != titles[won] {
			t.Fatalf("version %d: stored %q v%d, winner %q", version, got.Title, got.Version, titles[won])
		}
		winners = append(winners, titles[won])
	}
	vs, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
	if err != nil || len(vs) != len(winners) {
		t.Fatalf("%d versions, %v", len(vs), err)
	}
	for i, v := range vs {
		if v.By != winners[i] && i > 0 {
			t.Fatalf("version %d by %q, want %q", v.Version, v.By, winners[i])
		}
	}
	recs, _, _ := db.Audit(ctx, briefing.Page{Limit: 1000})
	updates := 0
	for _, rec := range recs {
		if rec.Op == "update" {
			updates++
		}
	}
	if updates != 5 {
		t.Fatalf("%d updates audited", updates)
	}
}

// TestRoundService_ConcurrentCreates creates rounds from many goroutines:
// every one gets its own id and is indexed under its dialogue once.
func TestRoundService_ConcurrentCreates(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &briefing.Round{DialogueID: d.ID, Number: i + 1, Host: briefing.SideHome}
			if err := db.CreateRound(ctx, r, alice); err != nil {
				t.Error(err)
			}
			ids[i] = r.ID
			// Readers run beside the writers.
			if _, _, err := db.Rounds(ctx, d.ID, briefing.Page{Limit: 5}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || id == "" {
			t.Fatalf("id %q twice or missing", id)
		}
		seen[id] = true
	}
	got, _ := collect(t, 7, func(p briefing.Page) ([]*briefing.Round, string, error) { return db.Rounds(ctx, d.ID, p) })
	if len(got) != n {
		t.Fatalf("%d rounds listed", len(got))
	}
}
