package store_test

import (
	"bytes"
	"context"

	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

var ctx = context.Background()
var by = briefing.Actor{UserID: "1", Name: "tester"}

// MustOpenDB opens a new database in a temporary directory; the cleanup
// runs the full check (bbolt's and briefpack's invariants), then closes it.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "test.db"), "nz")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(ctx); err != nil {
			tb.Errorf("check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func code(err error) string { return briefing.ErrorCode(err) }

func mustDialogue(tb testing.TB, db *store.DB) *briefing.Dialogue {
	tb.Helper()
	d := &briefing.Dialogue{Name: "Japan–Australia Cyber Policy Dialogue", Home: "Australia", Partner: "Japan", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustRound(tb testing.TB, db *store.DB, d *briefing.Dialogue, n int) *briefing.Round {
	tb.Helper()
	r := &briefing.Round{DialogueID: d.ID, Number: n, StartsOn: "2016-08-02", City: "Tokyo", Host: "partner", Marking: "UNCLASSIFIED"}
	if err := db.CreateRound(ctx, r, by); err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestDB_Open(t *testing.T) {
	t.Run("KeepsJurisdiction", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "au.db")
		db, err := store.Open(path, "au")
		if err != nil {
			t.Fatal(err)
		}
		mustDialogue(t, db)
		db.Close()
		db, err = store.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		s, _ := db.Settings(ctx)
		ds, _, _ := db.Dialogues(ctx, briefing.Page{})
		db.Close()
		if s.Jurisdiction != "au" || s.Act != "Freedom of Information Act 1982" || len(ds) != 1 {
			t.Fatalf("reopened: %+v, %d dialogues", s, len(ds))
		}
		if _, err := store.Open(path, "nz"); code(err) != briefing.EINVALID {
			t.Fatalf("changing jurisdiction: %v", err)
		}
	})
	t.Run("ErrInUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		db, err := store.Open(path, "nz")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := store.Open(path, "nz"); err == nil || !bytes.Contains([]byte(err.Error()), []byte("in use")) {
			t.Fatalf("second open: %v", err)
		}
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "junk.db")
		os.WriteFile(path, bytes.Repeat([]byte("junk"), 4096), 0o600)
		if _, err := store.Open(path, "nz"); err == nil {
			t.Fatal("opened junk")
		}
		if err := store.CheckFile(path); err == nil {
			t.Fatal("checked junk")
		}
	})
}

func TestSheetService_Update(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d, 2)
	sh := &briefing.Sheet{RoundID: r.ID, Title: "Cybercrime", Sections: []briefing.Section{{Kind: "situation",
		Paragraphs: []briefing.Paragraph{{Text: "Cybercrime is a low-risk, high-return criminal enterprise.", Marking: "OFFICIAL"}}}}}
	if err := db.CreateSheet(ctx, sh, by); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		c := *sh
		c.Title = "Cybercrime prevention"
		if err := db.UpdateSheet(ctx, &c, by); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Sheet(ctx, sh.ID)
		if got.Version != 2 || got.Title != "Cybercrime prevention" || !got.CreatedAt.Equal(sh.CreatedAt) || got.RoundID != r.ID {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		c := *sh
		c.Version = 1
		c.Title = "lost"
		err := db.UpdateSheet(ctx, &c, by)
		if code(err) != briefing.ESTALE || briefing.ErrorMessage(err) != "sheet "+sh.ID+" is at version 2, not 1: someone saved it after you read it" {
			t.Fatalf("%v", err)
		}
		got, _ := db.Sheet(ctx, sh.ID)
		if got.Title != "Cybercrime prevention" {
			t.Fatalf("overwritten: %q", got.Title)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"999", "x", "", "-1", "01"} {
			c := *sh
			c.ID = id
			if err := db.UpdateSheet(ctx, &c, by); code(err) != briefing.ENOTFOUND {
				t.Errorf("%q: %v", id, err)
			}
		}
	})
	t.Run("KeepsRound", func(t *testing.T) {
		got, _ := db.Sheet(ctx, sh.ID)
		other := mustRound(t, db, d, 3)
		got.RoundID = other.ID
		if err := db.UpdateSheet(ctx, got, by); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.Sheet(ctx, sh.ID); again.RoundID != r.ID {
			t.Fatalf("moved to round %s", again.RoundID)
		}
	})
	t.Run("History", func(t *testing.T) {
		vs, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
		if err != nil || len(vs) != 3 || vs[0].Version != 1 || !bytes.Contains(vs[0].Data, []byte(`"Cybercrime"`)) {
			t.Fatalf("%v %+v", err, vs)
		}
		recs, _, err := db.Audit(ctx, briefing.Page{Limit: 1000})
		if err != nil || recs[0].Op != "update" || recs[0].Kind != "sheet" || recs[0].ToVersion != 3 || recs[0].FromVersion != 2 || recs[0].UserName != "tester" {
			t.Fatalf("%v %+v", err, recs[0])
		}
	})
}

func TestCreate_ErrParent(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.CreateRound(ctx, &briefing.Round{DialogueID: "42", Number: 1}, by); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
	if err := db.CreateSheet(ctx, &briefing.Sheet{RoundID: "nope"}, by); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
	if err := db.CreateAction(ctx, &briefing.Action{DialogueID: "7"}, by); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
	if _, _, err := db.Rounds(ctx, "7", briefing.Page{}); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
}

func TestDelete(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d, 1)
	sh := &briefing.Sheet{RoundID: r.ID, Title: "x"}
	db.CreateSheet(ctx, sh, by)
	if err := db.DeleteDialogue(ctx, d.ID, 0, by); code(err) != briefing.ECONFLICT {
		t.Fatalf("dialogue with rounds: %v", err)
	}
	if err := db.DeleteRound(ctx, r.ID, 0, by); code(err) != briefing.ECONFLICT {
		t.Fatalf("round with sheets: %v", err)
	}
	if err := db.DeleteSheet(ctx, sh.ID, 5, by); code(err) != briefing.ESTALE {
		t.Fatalf("stale delete: %v", err)
	}
	for _, f := range []func() error{
		func() error { return db.DeleteSheet(ctx, sh.ID, 1, by) },
		func() error { return db.DeleteRound(ctx, r.ID, 0, by) },
		func() error { return db.DeleteDialogue(ctx, d.ID, 1, by) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Dialogue(ctx, d.ID); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
	vs, _ := db.Versions(ctx, briefing.KindSheet, sh.ID)
	if len(vs) != 2 || !vs[1].Deleted {
		t.Fatalf("%+v", vs)
	}
}

func TestList_Pagination(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	other := mustDialogue(t, db)
	for i := 1; i <= 25; i++ {
		mustRound(t, db, d, i)
		if i%5 == 0 {
			mustRound(t, db, other, i)
		}
	}
	seen := map[string]bool{}
	p := briefing.Page{Limit: 7}
	pages := 0
	for {
		rs, next, err := db.Rounds(ctx, d.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range rs {
			if seen[r.ID] || r.DialogueID != d.ID {
				t.Fatalf("round %s twice or from another dialogue", r.ID)
			}
			seen[r.ID] = true
		}
		if next == "" {
			break
		}
		p.After = next
	}
	if len(seen) != 25 || pages != 4 {
		t.Fatalf("%d rounds in %d pages", len(seen), pages)
	}
	if _, _, err := db.Rounds(ctx, d.ID, briefing.Page{After: "garbage"}); code(err) != briefing.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestUserService(t *testing.T) {
	db := MustOpenDB(t)
	u := &briefing.User{Name: "Alice", Role: briefing.RoleLead, Clearance: "SECRET", PasswordHash: "$argon2id$secret"}
	if err := db.CreateUser(ctx, u, by); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrNameTaken", func(t *testing.T) {
		err := db.CreateUser(ctx, &briefing.User{Name: "alice", Role: briefing.RoleViewer, Clearance: "SECRET"}, by)
		if code(err) != briefing.ECONFLICT {
			t.Fatal(err)
		}
	})
	t.Run("KeepsHash", func(t *testing.T) {
		c := *u
		c.PasswordHash, c.Name = "", "alice2"
		if err := db.UpdateUser(ctx, &c, by); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByName(ctx, "ALICE2")
		if err != nil || got.PasswordHash != "$argon2id$secret" || got.ID != u.ID {
			t.Fatalf("%v %+v", err, got)
		}
		if _, err := db.UserByName(ctx, "alice"); code(err) != briefing.ENOTFOUND {
			t.Fatalf("old name: %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := db.DeleteUser(ctx, u.ID, 0, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByName(ctx, "alice2"); code(err) != briefing.ENOTFOUND {
			t.Fatal(err)
		}
	})
}

func TestSnapshots(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d, 2)
	files := map[string][]byte{"html": []byte("<html>pack</html>"), "xlsx": {0x50, 0x4b, 0, 1, 2}}
	var ids []string
	for i := 0; i < 3; i++ {
		sn := &briefing.Snapshot{RoundID: r.ID, Marking: "SECRET", SHA256: map[string]string{"html": "x"}}
		if err := db.CreateSnapshot(ctx, sn, files, by); err != nil {
			t.Fatal(err)
		}
		if sn.Number != i+1 {
			t.Fatalf("number %d", sn.Number)
		}
		ids = append(ids, sn.ID)
	}
	got, err := db.SnapshotFile(ctx, ids[1], "xlsx")
	if err != nil || !bytes.Equal(got, files["xlsx"]) {
		t.Fatalf("%v %v", err, got)
	}
	if _, err := db.SnapshotFile(ctx, ids[1], "pdf"); code(err) != briefing.ENOTFOUND {
		t.Fatal(err)
	}
	list, _, _ := db.Snapshots(ctx, r.ID, briefing.Page{})
	if len(list) != 3 {
		t.Fatalf("%d snapshots", len(list))
	}
	if err := db.DeleteRound(ctx, r.ID, 0, by); code(err) != briefing.ECONFLICT {
		t.Fatalf("round with snapshots: %v", err)
	}
}

// TestConcurrentUpdates races writers on one sheet: for each version exactly
// one of them wins; the others are told they are stale and change nothing.
func TestConcurrentUpdates(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d, 1)
	sh := &briefing.Sheet{RoundID: r.ID, Title: "v1"}
	db.CreateSheet(ctx, sh, by)
	for version := 1; version <= 5; version++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, stale := 0, 0
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				c := *sh
				c.Version = version
				c.Title = fmt.Sprintf("v%d by %d", version+1, w)
				err := db.UpdateSheet(ctx, &c, by)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case code(err) == briefing.ESTALE:
					stale++
				default:
					t.Error(err)
				}
			}(w)
		}
		wg.Wait()
		if wins != 1 || stale != 7 {
			t.Fatalf("version %d: %d wins, %d stale", version, wins, stale)
		}
	}
	vs, _ := db.Versions(ctx, briefing.KindSheet, sh.ID)
	if len(vs) != 6 {
		t.Fatalf("%d versions", len(vs))
	}
}

func TestBackup(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	mustRound(t, db, d, 1)
	path := filepath.Join(t.TempDir(), "copy.db")
	f, _ := os.Create(path)
	if _, err := db.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := store.CheckFile(path); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if got, err := copyDB.Dialogue(ctx, d.ID); err != nil || got.Name != d.Name {
		t.Fatalf("%v %+v", err, got)
	}
}
