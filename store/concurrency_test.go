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
			if err := db.CreateRound(ctx, r, alice, nil); err != nil {
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

// TestCreateRound_NumberOnce races writers creating the same round of one
// dialogue, as a button pressed twice or two servers proposing the next
// round do: one is stored, the others are refused, judged in the write's
// transaction. A round the writer does not see does not refuse theirs,
// and a round already stored beside another of its number can still be
// saved while its number stays.
func TestCreateRound_NumberOnce(t *testing.T) {
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = db.CreateRound(ctx, &briefing.Round{DialogueID: d.ID, Number: 4, Host: briefing.SideHome}, alice, nil)
		}()
	}
	wg.Wait()
	stored := 0
	for _, err := range errs {
		switch briefing.ErrorCode(err) {
		case "":
			stored++
		case briefing.ECONFLICT:
		default:
			t.Fatalf("a writer failed otherwise: %v", err)
		}
	}
	if stored != 1 {
		t.Fatalf("%d of %d writers stored round 4", stored, writers)
	}
	rs, _, err := db.Rounds(ctx, d.ID, briefing.Page{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("rounds %d, %v", len(rs), err)
	}

	// A SECRET round 5, and a writer who sees only rounds below SECRET.
	secret := &briefing.Round{DialogueID: d.ID, Number: 5, Host: briefing.SideHome, Marking: "SECRET"}
	must(t, db.CreateRound(ctx, secret, alice, nil))
	below := func(r *briefing.Round) bool { return r.Marking != "SECRET" }
	assertError(t, db.CreateRound(ctx, &briefing.Round{DialogueID: d.ID, Number: 4, Host: briefing.SideHome}, alice, below), briefing.ECONFLICT, "")
	five := &briefing.Round{DialogueID: d.ID, Number: 5, Host: briefing.SideHome}
	must(t, db.CreateRound(ctx, five, alice, below)) // refusing it would say round 5 exists
	assertError(t, db.CreateRound(ctx, &briefing.Round{DialogueID: d.ID, Number: 5, Host: briefing.SideHome}, alice, nil), briefing.ECONFLICT, "")

	// Renumbering: to a number a seen round has is refused and writes
	// nothing; keeping a shared number is not judged again.
	five.Outcomes = "Kept its number."
	must(t, db.UpdateRound(ctx, five, alice, nil))
	five.Number = 4
	assertError(t, db.UpdateRound(ctx, five, alice, nil), briefing.ECONFLICT, "")
	if got, err := db.Round(ctx, five.ID); err != nil || got.Number != 5 || got.Version != 2 {
		t.Fatalf("the refused renumbering wrote: %+v, %v", got, err)
	}
	five.Number = 6
	must(t, db.UpdateRound(ctx, five, alice, nil))
}
