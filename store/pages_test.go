package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// seedPages writes a database whose sheets fill a tree of leaf pages under
// a branch page, and returns its path, the round's id, the sheets, the
// branch page and the leaf pages in order.
func seedPages(t *testing.T) (path, roundID string, sheets []*briefing.Sheet, branch uint64, leaves []uint64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "pages.db")
	db, err := Open(path, "nz")
	must(t, err)
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Dialogue", Home: "New Zealand", Partner: "Australia"}
	must(t, db.CreateDialogue(ctx, d, by))
	r := &briefing.Round{DialogueID: d.ID, Number: 1, Host: briefing.SideHome}
	must(t, db.CreateRound(ctx, r, by, nil))
	for i := 0; i < 60; i++ {
		sh := &briefing.Sheet{RoundID: r.ID, Title: "Sheet " + strconv.Itoa(i), Sections: []briefing.Section{{Kind: briefing.SectionSituation,
			Paragraphs: []briefing.Paragraph{{Text: strings.Repeat("A paragraph of the situational assessment. ", 8), Marking: "RESTRICTED"}}}}}
		must(t, db.CreateSheet(ctx, sh, by))
		sheets = append(sheets, sh)
	}
	must(t, db.Close())
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	must(t, err)
	defer bdb.Close()
	must(t, bdb.View(func(tx *bolt.Tx) error {
		branch = uint64(tx.Bucket(sheetBucket).RootPage())
		return nil
	}))
	raw, err := os.ReadFile(path)
	must(t, err)
	_, ps := currentMeta(raw)
	p := raw[int(branch)*ps:]
	le := binary.LittleEndian
	if le.Uint16(p[8:]) != branchPage || le.Uint16(p[10:]) < 3 {
		t.Fatalf("the sheets are not on 3 leaf pages or more under a branch page (flags %#x, %d elements)", le.Uint16(p[8:]), le.Uint16(p[10:]))
	}
	for i := 0; i < int(le.Uint16(p[10:])); i++ {
		leaves = append(leaves, le.Uint64(p[pageHeaderLen+i*elementLen+8:]))
	}
	return path, r.ID, sheets, branch, leaves
}

// damagePage changes a closed database's page id at offset off (from the
// page's start) to v.
func damagePage(t *testing.T, path string, id uint64, off int, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	must(t, err)
	_, ps := currentMeta(raw)
	at := raw[int(id)*ps+off:]
	switch v := v.(type) {
	case uint16:
		binary.LittleEndian.PutUint16(at, v)
	case uint32:
		binary.LittleEndian.PutUint32(at, v)
	case uint64:
		binary.LittleEndian.PutUint64(at, v)
	}
	must(t, os.WriteFile(path, raw, 0o600))
}

// wantDamaged asserts an error that names the file as damaged and says why.
func wantDamaged(t *testing.T, what string, err error, path, why string) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "database "+path+" is damaged: ") || !strings.Contains(err.Error(), why) {
		t.Errorf("%s: %v, want a damaged %s: %s", what, err, path, why)
	}
}

// TestDamagedPage_ElementOutsidePage points the second element of a leaf
// page in the middle of the sheets far past its page, out of the map of
// the file: bbolt reads there when it compares or copies that key. The
// check reports the page before bbolt's own check (which reads on a
// goroutine where a fault ends the process) reaches it; a server opens the
// file (its quick check reads only the first and last pages), and each read
// or write that reaches the page is an error naming the file, not a crash;
// the rest of the file still reads.
func TestDamagedPage_ElementOutsidePage(t *testing.T) {
	path, roundID, sheets, _, leaves := seedPages(t)
	leaf := leaves[len(leaves)/2]
	damagePage(t, path, leaf, pageHeaderLen+elementLen+4, uint32(0x7ff00000))
	where := "page " + strconv.FormatUint(leaf, 10) + ", element 1: its key and value lie outside the page"

	wantDamaged(t, "CheckFile", CheckFile(path), path, where)
	db, err := Open(path, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	ctx := context.Background()
	_, _, err = db.Sheets(ctx, roundID, briefing.Page{Limit: 1000})
	wantDamaged(t, "Sheets", err, path, "a page cannot be read (a fault at address")
	wantDamaged(t, "Check", db.Check(ctx), path, where)
	// A write that looks the damaged page up fails as a whole.
	var on *briefing.Sheet
	for _, sh := range sheets {
		if _, err := db.Sheet(ctx, sh.ID); err != nil {
			wantDamaged(t, "Sheet "+sh.ID, err, path, "a page cannot be read")
			on = sh
			break
		}
	}
	if on == nil {
		t.Fatal("no sheet reads the damaged page")
	}
	on.Title = "Renamed"
	wantDamaged(t, "UpdateSheet", db.UpdateSheet(ctx, on, by), path, "a page cannot be read")
	// What lies elsewhere reads and writes as before.
	first, err := db.Sheet(ctx, sheets[0].ID)
	if err != nil {
		t.Fatalf("a sheet on an undamaged page: %v", err)
	}
	first.Title = "Still saved"
	must(t, db.UpdateSheet(ctx, first, by))
	if _, err := db.Round(ctx, roundID); err != nil {
		t.Fatalf("the round: %v", err)
	}
}

// TestDamagedPage_WrongKind gives a leaf page in the middle of the sheets
// a kind bbolt does not know: bbolt panics on it, which is the file's
// damage, an error naming the file.
func TestDamagedPage_WrongKind(t *testing.T) {
	path, roundID, _, _, leaves := seedPages(t)
	leaf := leaves[len(leaves)/2]
	damagePage(t, path, leaf, 8, uint16(0x40))
	wantDamaged(t, "CheckFile", CheckFile(path), path, "page "+strconv.FormatUint(leaf, 10)+" has unexpected type/flags 0x40")
	db, err := Open(path, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	_, _, err = db.Sheets(context.Background(), roundID, briefing.Page{Limit: 1000})
	wantDamaged(t, "Sheets", err, path, "has unexpected type/flags: 40")
}

// TestDamagedPage_ReachedTwice points the branch page above the sheets'
// leaves back at itself: bbolt's check would recurse until the stack ran
// out; the walk before it finds the page reached twice.
func TestDamagedPage_ReachedTwice(t *testing.T) {
	path, _, _, branch, _ := seedPages(t)
	damagePage(t, path, branch, pageHeaderLen+elementLen+8, branch)
	wantDamaged(t, "CheckFile", CheckFile(path), path, "page "+strconv.FormatUint(branch, 10)+" is reached twice")
}

// TestDamagedPage_BugIsNoDamage: a panic raised by briefpack's own code in
// a transaction is a bug, raised again, not taken for a damaged file.
func TestDamagedPage_BugIsNoDamage(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "bug.db"), "nz")
	must(t, err)
	defer db.Close()
	ctx := context.Background()
	for name, fn := range map[string]func() error{
		"read": func() (err error) {
			tx, err := db.begin(ctx, false)
			if err != nil {
				return err
			}
			defer end(tx, &err)
			var s []int
			_ = s[len(tx.Bucket(metaBucket).Get(keySettings))] // out of range
			return nil
		},
		"write": func() error {
			return db.update(ctx, func(tx kvTx) error {
				var s []int
				_ = s[len(tx.Bucket(metaBucket).Get(keySettings))]
				return nil
			})
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "index out of range") {
					t.Errorf("%s: recovered %v, want the panic", name, r)
				}
			}()
			err := fn()
			t.Errorf("%s: returned %v, want a panic", name, err)
		}()
	}
	// The store goes on: the transactions ended.
	if _, err := db.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	must(t, db.update(ctx, func(tx kvTx) error { return nil }))
}

// TestDamagedPage_Write damages a key of the last leaf page of the sheets
// that a new sheet's lookup does not compare, but that writing the page out
// again copies: the write fails with the file's damage, alone or in a
// group, and the writer's lock is let go — the next write elsewhere is
// saved.
func TestDamagedPage_Write(t *testing.T) {
	path, roundID, _, _, leaves := seedPages(t)
	damagePage(t, path, leaves[len(leaves)-1], pageHeaderLen+elementLen+4, uint32(0x7ff00000))
	db, err := Open(path, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.CreateSheet(ctx, &briefing.Sheet{RoundID: roundID, Title: "One more"}, by)
	wantDamaged(t, "CreateSheet", err, path, "a page cannot be read")
	// Two writes committed together, as writes arriving during a commit
	// are: the group's commit fails both with the damage.
	write := func(title string) *groupCall {
		sh := &briefing.Sheet{RoundID: roundID, Title: title}
		return &groupCall{ctx: ctx, done: make(chan groupResult, 1),
			fn: func(tx kvTx) error { return sheets.create(tx, sh, by, db.now()) }}
	}
	group := []*groupCall{write("Two more"), write("Three more")}
	db.group.commit(group)
	for i, c := range group {
		r := <-c.done
		wantDamaged(t, "write "+strconv.Itoa(i)+" of a group", r.err, path, "a page cannot be read")
	}
	must(t, db.CreateDialogue(ctx, &briefing.Dialogue{Name: "Another", Home: "New Zealand", Partner: "Japan"}, by))
}
