package store_test

import (
	"fmt"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/store"
)

// presentAt records user on sheet 7 at minute m of the test clock, the
// window the three minutes before, and returns the names of the others.
func presentAt(t *testing.T, db *store.DB, user string, m int) []string {
	t.Helper()
	at := epoch.Add(time.Duration(m) * time.Minute)
	ps, err := db.Present(ctx, briefing.KindSheet, "7", user, at, at.Add(-3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return names(ps)
}

func names(ps []briefing.Presence) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.User)
	}
	return out
}

// woken reports whether ch received within wait.
func woken(ch <-chan struct{}, wait time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(wait):
		return false
	}
}

// drain empties ch, after the wakes of what a test did to set up.
func drain(ch <-chan struct{}) {
	for woken(ch, 300*time.Millisecond) {
	}
}

func TestPresenceService_Present(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		presentAt(t, db, "alice", 0)
		if got := presentAt(t, db, "bob", 1); len(got) != 1 || got[0] != "alice" {
			t.Fatalf("bob sees %v", got)
		}
		// Others reads and records nothing: carol is not present after it.
		since := epoch.Add(-time.Minute)
		ps, err := db.Others(ctx, briefing.KindSheet, "7", "carol", since)
		if err != nil || len(ps) != 2 || ps[0].User != "bob" || ps[1].User != "alice" {
			t.Fatalf("Others: %v %v", ps, err)
		}
		if ps, _ := db.Others(ctx, briefing.KindSheet, "7", "alice", since); len(ps) != 1 || ps[0].User != "bob" {
			t.Fatalf("Others as alice: %v", ps)
		}
		if ps, _ := db.Others(ctx, briefing.KindSheet, "8", "alice", since); len(ps) != 0 {
			t.Fatalf("Others on another sheet: %v", ps)
		}
		// Four minutes on, alice is no longer counted.
		if ps, _ := db.Others(ctx, briefing.KindSheet, "7", "carol", epoch.Add(2*time.Minute)); len(ps) != 0 {
			t.Fatalf("Others past the window: %v", ps)
		}
	})

	// Those waiting on a sheet's presence are woken when someone arrives
	// on it, through another server too (etcd), and when a record is
	// dropped; not by someone renewing theirs, nor by another sheet.
	t.Run("Changes", func(t *testing.T) {
		db := MustOpenDB(t)
		other := otherServer(t, db)
		presentAt(t, db, "alice", 0)
		ch, stop := db.PresenceChanges(briefing.KindSheet, "7")
		defer stop()
		drain(ch)
		presentAt(t, other, "bob", 1)
		if !woken(ch, 10*time.Second) {
			t.Fatal("bob's arrival woke nobody")
		}
		drain(ch)
		presentAt(t, other, "bob", 2)
		presentAt(t, db, "alice", 2)
		if _, err := other.Present(ctx, briefing.KindSheet, "8", "carol", epoch, epoch); err != nil {
			t.Fatal(err)
		}
		if woken(ch, time.Second) {
			t.Error("a record renewed, or someone on another sheet, woke those waiting")
		}
		// Bob's record dropped, stale, when alice renews hers.
		presentAt(t, db, "alice", 4)
		if got := presentAt(t, db, "alice", 6); len(got) != 0 {
			t.Fatalf("alice sees %v", got)
		}
		if !woken(ch, 10*time.Second) {
			t.Error("bob's record dropped woke nobody")
		}
		drain(ch)
		// Bob arrives again; then, his record stale and not yet dropped,
		// he returns.
		presentAt(t, other, "bob", 7)
		if !woken(ch, 10*time.Second) {
			t.Error("bob's second arrival woke nobody")
		}
		drain(ch)
		presentAt(t, db, "alice", 8)
		if got := presentAt(t, other, "bob", 11); len(got) != 1 || got[0] != "alice" {
			t.Fatalf("bob sees %v", got)
		}
		if !woken(ch, 10*time.Second) {
			t.Error("bob's return after his record went stale woke nobody")
		}
		stop()
		presentAt(t, other, "dave", 11)
		if woken(ch, time.Second) {
			t.Error("woken after stop")
		}
	})
}

// TestPresenceService_StaleDropped: a record of someone who closed a sheet
// without saying so (a crash, a lost connection, a laptop shut) was dropped
// only when someone next opened that sheet, and a sheet nobody opens
// again — a past round's, a deleted one — kept it for good, one more for
// every such editor on every such sheet, as long as the server ran. Every
// 256th arrival drops the stale records of every object.
func TestPresenceService_StaleDropped(t *testing.T) {
	db := MustOpenDB(t)
	ch, stop := db.PresenceChanges(briefing.KindSheet, "1000")
	defer stop()
	// 600 sheets, each opened once, a minute after the last, and closed
	// without a leave.
	for i := range 600 {
		at := epoch.Add(time.Duration(i) * time.Minute)
		if _, err := db.Present(ctx, briefing.KindSheet, fmt.Sprint(1000+i), "alice", at, at.Add(-3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			drain(ch)
		}
	}
	// Whoever waited on the first sheet is told its record went.
	if !woken(ch, 10*time.Second) {
		t.Error("a record swept woke nobody waiting on its sheet")
	}
	n, err := store.Records(db, "presence")
	if err != nil {
		t.Fatal(err)
	}
	if n > 256+3 {
		t.Fatalf("%d presence records after 600 sheets opened, all but the last three minutes' stale", n)
	}
	// Those of the last three minutes are kept: the sweep drops only what
	// a reader of the sheet would.
	at := epoch.Add(599 * time.Minute)
	if ps, _ := db.Others(ctx, briefing.KindSheet, "1599", "bob", at.Add(-3*time.Minute)); len(ps) != 1 || ps[0].User != "alice" {
		t.Fatalf("the last sheet's record: %v", ps)
	}
}
