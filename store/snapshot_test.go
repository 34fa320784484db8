package store_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"briefpack/briefing"
)

func TestSnapshotService_CreateSnapshot(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r1, r2 := mustRound(t, db, d.ID, 1), mustRound(t, db, d.ID, 2)
	xlsx := make([]byte, 3<<20)
	if _, err := rand.Read(xlsx); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"html": []byte("<!doctype html><p>pack</p>"), "xlsx": xlsx, "release.html": {}}
	sum := sha256.Sum256(xlsx)

	t.Run("OK", func(t *testing.T) {
		for i, r := range []*briefing.Round{r1, r1, r2, r1} {
			s := &briefing.Snapshot{RoundID: r.ID, Edition: "full", Marking: "SECRET", Forced: i == 3, Clearance: "TOP SECRET",
				SHA256: map[string]string{"xlsx": hex.EncodeToString(sum[:])}}
			if err := db.CreateSnapshot(ctx, s, files, alice); err != nil {
				t.Fatal(err)
			}
			want := []int{1, 2, 1, 3}[i]
			if s.Number != want || s.ID == "" || s.Version != 1 || s.CreatedAt.IsZero() || s.FrozenBy != "alice" {
				t.Fatalf("snapshot %d: %+v", i, s)
			}
			got, err := db.Snapshot(ctx, s.ID)
			if err != nil || asJSON(t, got) != asJSON(t, s) {
				t.Fatalf("read back %+v, %v", got, err)
			}
		}
		list, next, err := db.Snapshots(ctx, r1.ID, briefing.Page{})
		if err != nil || len(list) != 3 || next != "" || list[0].Number != 1 || list[2].Number != 3 || !list[2].Forced {
			t.Fatalf("%+v, %q, %v", list, next, err)
		}
	})

	t.Run("ByteIdentical", func(t *testing.T) {
		for format, want := range files {
			got, err := db.SnapshotFile(ctx, "1", format)
			if err != nil || !bytes.Equal(got, want) || got == nil {
				t.Fatalf("%s: %d bytes, %v", format, len(got), err)
			}
		}
		got, _ := db.SnapshotFile(ctx, "4", "xlsx")
		if s := sha256.Sum256(got); s != sum {
			t.Fatal("xlsx hash differs")
		}
		// The caller owns the copy it gets.
		got[0] ^= 0xff
		again, _ := db.SnapshotFile(ctx, "4", "xlsx")
		if !bytes.Equal(again, xlsx) {
			t.Fatal("changing a returned file changed the stored one")
		}
	})

	t.Run("ErrRoundNotFound", func(t *testing.T) {
		assertError(t, db.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: "99"}, files, alice), briefing.ENOTFOUND, "round 99 not found")
		_, _, err := db.Snapshots(ctx, "99", briefing.Page{})
		assertError(t, err, briefing.ENOTFOUND, "round 99 not found")
	})

	t.Run("ErrInvalidFiles", func(t *testing.T) {
		s := &briefing.Snapshot{RoundID: r2.ID}
		assertError(t, db.CreateSnapshot(ctx, s, nil, alice), briefing.EINVALID, "a snapshot needs at least one file")
		assertError(t, db.CreateSnapshot(ctx, s, map[string][]byte{"": {1}}, alice), briefing.EINVALID, `a snapshot file format "" is not valid`)
		if s.ID != "" || s.Number != 0 {
			t.Fatalf("a refused snapshot changed the caller's: %+v", s)
		}
	})
}

func TestSnapshotService_SnapshotFile(t *testing.T) {
	db := MustOpenDB(t)
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	s := &briefing.Snapshot{RoundID: r.ID}
	if err := db.CreateSnapshot(ctx, s, map[string][]byte{"html": []byte("x")}, alice); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.SnapshotFile(ctx, s.ID, "pdf")
		assertError(t, err, briefing.ENOTFOUND, `snapshot 1 has no "pdf" file`)
		_, err = db.SnapshotFile(ctx, s.ID, "")
		assertError(t, err, briefing.ENOTFOUND, `snapshot 1 has no "" file`)
		_, err = db.SnapshotFile(ctx, "2", "html")
		assertError(t, err, briefing.ENOTFOUND, "snapshot 2 not found")
		_, err = db.SnapshotFile(ctx, "html", "html")
		assertError(t, err, briefing.ENOTFOUND, `snapshot "html" not found`)
		_, err = db.Snapshot(ctx, "2")
		assertError(t, err, briefing.ENOTFOUND, "snapshot 2 not found")
	})
}

// TestSnapshotFiles_StoredCompressed: an HTML file is stored compressed,
// so the database grows by a fraction of it, and read back byte for byte;
// a workbook (a zip already) is stored as it is.
func TestSnapshotFiles_StoredCompressed(t *testing.T) {
	db := MustOpenDB(t)
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	html := []byte("<!doctype html><p>" + strings.Repeat("The same paragraph, many times over. ", 200000) + "</p>")
	xlsx := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1, 2, 3}, 1000)...)
	before, err := db.Backup(io.Discard) // the bytes in use, not the file grown ahead of them
	if err != nil {
		t.Fatal(err)
	}
	sn := &briefing.Snapshot{RoundID: r.ID, Edition: briefing.EditionFull, Marking: "RESTRICTED"}
	if err := db.CreateSnapshot(ctx, sn, map[string][]byte{"html": html, "xlsx": xlsx}, alice); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string][]byte{"html": html, "xlsx": xlsx} {
		got, err := db.SnapshotFile(ctx, sn.ID, f)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes back of %d (%v)", f, len(got), len(want), err)
		}
	}
	after, _ := db.Backup(io.Discard)
	if grew := after - before; grew > int64(len(html))/4 {
		t.Errorf("the database grew by %d bytes for a %d-byte HTML file", grew, len(html))
	}
}
