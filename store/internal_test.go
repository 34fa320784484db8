package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

var by = briefing.Actor{UserID: "1", Name: "alice"}

// mustSeed returns the path of a closed database holding a dialogue with a
// round, a sheet, an action and a user.
func mustSeed(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "seed.db")
	db, err := Open(path, "nz")
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Dialogue", Home: "New Zealand", Partner: "Australia"}
	must(tb, db.CreateDialogue(ctx, d, by))
	r := &briefing.Round{DialogueID: d.ID, Number: 1, Host: briefing.SideHome}
	must(tb, db.CreateRound(ctx, r, by, nil))
	must(tb, db.CreateSheet(ctx, &briefing.Sheet{RoundID: r.ID, Title: "Cyber"}, by))
	must(tb, db.CreateAction(ctx, &briefing.Action{DialogueID: d.ID, Ref: "1.01"}, by))
	must(tb, db.CreateUser(ctx, &briefing.User{Name: "bob"}, by))
	must(tb, db.Close())
	return path
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// tamper changes a closed database behind the store's back.
func tamper(tb testing.TB, path string, fn func(tx *bolt.Tx) error) {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	must(tb, err)
	must(tb, bdb.Update(fn))
	must(tb, bdb.Close())
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	path := mustSeed(t)
	newer := schemaVersion + 1
	tamper(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).Put(keySchemaVersion, []byte(strconv.Itoa(newer)))
	})
	_, err := Open(path, "")
	if err == nil || err.Error() != fmt.Sprintf("database %s was written by a newer briefpack (schema %d; this one reads up to %d)", path, newer, schemaVersion) {
		t.Fatalf("open: %v", err)
	}
}

func TestOpen_ErrMalformedSchema(t *testing.T) {
	path := mustSeed(t)
	tamper(t, path, func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(keySchemaVersion, []byte("one")) })
	if _, err := Open(path, ""); err == nil || !strings.Contains(err.Error(), `malformed schema version "one"`) {
		t.Fatalf("open: %v", err)
	}
}

func TestOpen_ErrNotBriefpack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	tamper(t, path, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	if _, err := Open(path, ""); err == nil || err.Error() != "database "+path+" is not a briefpack database" {
		t.Fatalf("open: %v", err)
	}
	if err := CheckFile(path); err == nil || !strings.Contains(err.Error(), "it is not a briefpack database") {
		t.Fatalf("check: %v", err)
	}
}

// TestOpen_ErrLacks: a database that lost a bucket or its settings is
// refused with one line naming what it lacks, by an open to write and to
// read alike, and left as it was. The open to write made them anew: an
// empty sheets bucket, and the default jurisdiction's settings in an au
// database, which check then passed and the server served.
func TestOpen_ErrLacks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(tx *bolt.Tx) error
		want   string
	}{
		{"Sheets", func(tx *bolt.Tx) error { return tx.DeleteBucket(sheetBucket) }, "it lacks the sheets bucket"},
		// Added after the first release, and so made in a database an
		// older briefpack wrote, but lost from one at this schema.
		{"Drafts", func(tx *bolt.Tx) error { return tx.DeleteBucket(draftBucket) }, "it lacks the drafts bucket"},
		{"Settings", func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Delete(keySettings) }, "it lacks its settings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "au.db")
			db, err := Open(path, "au")
			must(t, err)
			must(t, db.Close())
			tamper(t, path, tc.tamper)
			before, err := os.ReadFile(path)
			must(t, err)
			want := "database " + path + " is damaged: " + tc.want
			if db, err := Open(path, ""); err == nil || err.Error() != want {
				t.Errorf("open: %v, want %q", err, want)
				if err == nil {
					db.Close()
				}
			}
			if db, err := OpenReadOnly(path); err == nil || err.Error() != want {
				t.Errorf("open read-only: %v, want %q", err, want)
				if err == nil {
					db.Close()
				}
			}
			if err := CheckFile(path); err == nil || !strings.HasSuffix(err.Error(), ": "+tc.want) {
				t.Errorf("check: %v, want it to end %q", err, tc.want)
			}
			after, err := os.ReadFile(path)
			must(t, err)
			if !bytes.Equal(before, after) {
				t.Error("a refused open changed the file")
			}
		})
	}
}

func TestCheck_ErrInvariants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(tx *bolt.Tx) error
		want   string
	}{
		{"MissingFromIndex", func(tx *bolt.Tx) error {
			return tx.Bucket(sheetsByRound).Delete(join(itob(1), itob(1)))
		}, "sheet 1 is missing from the index of round 1"},
		{"DanglingIndexEntry", func(tx *bolt.Tx) error {
			return tx.Bucket(roundsByDialogue).Put(join(itob(1), itob(9)), nil)
		}, "index of round by dialogue lists missing round 9 under dialogue 1"},
		{"IndexedUnderWrongParent", func(tx *bolt.Tx) error {
			return tx.Bucket(actionsByDialogue).Put(join(itob(5), itob(1)), nil)
		}, "action 1 is indexed under dialogue 5 but belongs to dialogue \"1\""},
		{"OrphanObject", func(tx *bolt.Tx) error {
			return tx.Bucket(dialogueBucket).Delete(itob(1))
		}, "round 1 belongs to a missing dialogue \"1\""},
		{"MissingFromNameIndex", func(tx *bolt.Tx) error {
			return tx.Bucket(usersByName).Delete([]byte("bob"))
		}, "user 1 is missing from the name index"},
		{"DanglingName", func(tx *bolt.Tx) error {
			return tx.Bucket(usersByName).Put([]byte("carol"), itob(4))
		}, `name index lists "carol" under missing user 4`},
		{"WrongID", func(tx *bolt.Tx) error {
			b := tx.Bucket(agencyBucket)
			return b.Put(itob(3), []byte(`{"id":"4","version":1}`))
		}, `agency 3 is stored with id "4"`},
		{"Undecodable", func(tx *bolt.Tx) error {
			return tx.Bucket(sheetBucket).Put(itob(1), []byte("{"))
		}, "sheet 1 does not decode"},
		{"SequenceBehind", func(tx *bolt.Tx) error {
			return tx.Bucket(dialogueBucket).SetSequence(0)
		}, "dialogue sequence 0 is behind the stored id 1"},
		{"NoHistory", func(tx *bolt.Tx) error {
			return tx.Bucket(historyBucket).Delete(join(historyPrefix(briefing.KindAction, itob(1)), itob(1)))
		}, "action 1 version 1 is missing from its history"},
		{"DanglingAgency", func(tx *bolt.Tx) error {
			b := tx.Bucket(actionBucket)
			return b.Put(itob(1), bytes.Replace(b.Get(itob(1)), []byte(`"owner_agency_id":""`), []byte(`"owner_agency_id":"7"`), 1))
		}, "action 1 names agency 7, which does not exist"},
		{"AgendaItemWithoutID", func(tx *bolt.Tx) error {
			b := tx.Bucket(roundBucket)
			return b.Put(itob(1), bytes.Replace(b.Get(itob(1)), []byte(`"agenda":null`), []byte(`"agenda":[{"id":"a1","sheet_id":"","title":"Opening"},{"sheet_id":"","title":"Close"}]`), 1))
		}, "round 1 agenda item 2 has no id"},
		{"AgendaIDTwice", func(tx *bolt.Tx) error {
			b := tx.Bucket(roundBucket)
			return b.Put(itob(1), bytes.Replace(b.Get(itob(1)), []byte(`"agenda":null`), []byte(`"agenda":[{"id":"a1","sheet_id":"","title":"Opening"},{"id":"a1","sheet_id":"","title":"Close"}]`), 1))
		}, "round 1 has two agenda items with id a1"},
		{"Unnamed", func(tx *bolt.Tx) error {
			meta := tx.Bucket(metaBucket)
			return meta.Put(keySettings, bytes.Replace(meta.Get(keySettings), []byte(`"instance":`), []byte(`"unused":`), 1))
		}, "its settings give it no name (instance)"},
		{"OrphanFile", func(tx *bolt.Tx) error {
			return tx.Bucket(fileBucket).Put(join(itob(8), []byte("html")), []byte("x"))
		}, "belongs to no snapshot"},
		{"RaisedUndecodable", func(tx *bolt.Tx) error {
			return tx.Bucket(raisedBucket).Put(historyPrefix(briefing.KindSheet, itob(1)), []byte{2, 9})
		}, "the raised markings of sheet 1: "},
		{"RaisedNoSuchVersion", func(tx *bolt.Tx) error {
			return tx.Bucket(raisedBucket).Put(historyPrefix(briefing.KindSheet, itob(1)),
				encodeRaised([]briefing.Raise{{Version: 40, Paragraph: "p1", Marking: "SECRET"}}))
		}, "the raised markings of sheet 1 name version 40"},
		{"RaisedNoSuchMarking", func(tx *bolt.Tx) error {
			return tx.Bucket(raisedBucket).Put(historyPrefix(briefing.KindSheet, itob(1)),
				encodeRaised([]briefing.Raise{{Version: 1, Paragraph: "p1", Marking: "SECRETISH"}}))
		}, `raised to "SECRETISH"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := mustSeed(t)
			tamper(t, path, tc.tamper)
			err := CheckFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "breaks briefpack's invariants") {
				t.Fatalf("check file: %v", err)
			}
			db, err := Open(path, "")
			must(t, err)
			defer db.Close()
			if err := db.Check(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("check: %v", err)
			}
		})
	}
}

func TestCheck_ManyProblems(t *testing.T) {
	path := mustSeed(t)
	tamper(t, path, func(tx *bolt.Tx) error {
		for i := uint64(100); i < 130; i++ {
			if err := tx.Bucket(roundsByDialogue).Put(join(itob(1), itob(i)), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err := CheckFile(path); err == nil || !strings.HasSuffix(err.Error(), "; and 10 more") {
		t.Fatalf("check: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	for id, want := range map[string]uint64{"1": 1, "12": 12, "18446744073709551615": 1<<64 - 1} {
		k, ok := parseKey(id)
		if !ok || btoi(k) != want || idString(k) != id {
			t.Errorf("%q: %x %v", id, k, ok)
		}
	}
	for _, id := range []string{"", "0", "00", "01", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "18446744073709551616", "١"} {
		if k, ok := parseKey(id); ok {
			t.Errorf("%q parsed as %x", id, k)
		}
	}
}

// TestCheck_ErrConsistency hides the file's free pages from bbolt by
// emptying its freelist page: they become pages nothing reaches, which
// bbolt's check reports. Opening does not run that check — it reads every
// page — so the server starts on the file, and the check finds the fault.
func TestCheck_ErrConsistency(t *testing.T) {
	path := mustSeed(t)
	raw, err := os.ReadFile(path)
	must(t, err)
	le := binary.LittleEndian
	meta, pageSize := currentMeta(raw)
	freelist := int(le.Uint64(raw[meta+48:]))
	count := le.Uint16(raw[freelist*pageSize+10:])
	if count == 0 {
		t.Skip("no free pages to hide")
	}
	le.PutUint16(raw[freelist*pageSize+10:], 0)
	must(t, os.WriteFile(path, raw, 0o600))
	if err := CheckFile(path); err == nil || !strings.Contains(err.Error(), "database "+path+" fails its consistency check: page") ||
		!strings.Contains(err.Error(), "unreachable unfreed") {
		t.Fatalf("check: %v", err)
	}
	db, err := Open(path, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if err := db.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "unreachable unfreed") {
		t.Fatalf("check of the open database: %v", err)
	}
}

// TestOpen_ErrDamagedPage damages the page at the root of the file's
// buckets: the quick check at open finds it and refuses the file with a
// message, where reading it later would have crashed the server.
func TestOpen_ErrDamagedPage(t *testing.T) {
	path := mustSeed(t)
	raw, err := os.ReadFile(path)
	must(t, err)
	le := binary.LittleEndian
	meta, pageSize := currentMeta(raw)
	root := int(le.Uint64(raw[meta+32:]))
	le.PutUint16(raw[root*pageSize+8:], 0x40) // no page kind bbolt knows
	must(t, os.WriteFile(path, raw, 0o600))
	_, err = Open(path, "")
	if err == nil || !strings.Contains(err.Error(), "database "+path+" is damaged or is not a briefpack database") {
		t.Fatalf("open: %v", err)
	}
	if err := CheckFile(path); err == nil || !strings.Contains(err.Error(), "has unexpected type") {
		t.Fatalf("check: %v", err)
	}
}

// currentMeta is the offset of a bbolt file's current meta page, the one
// of the two with the higher transaction id, and the file's page size.
func currentMeta(raw []byte) (offset, pageSize int) {
	le := binary.LittleEndian
	pageSize = int(le.Uint32(raw[24:]))
	if le.Uint64(raw[pageSize+64:]) > le.Uint64(raw[64:]) {
		offset = pageSize
	}
	return offset, pageSize
}
