package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"math/rand"
	"path/filepath"
	"testing"

	"briefpack/briefing"
)

// TestPutFiles_AFreezeWritesItsOwn freezes a round three times, and
// publishes three releases, each with files of megabytes, and checks
// through bbolt's own count of the bytes its commits allocated that each
// after the first writes its own files and not the last ones before it
// again (putFiles' ends). Without them the second and third each
// allocated twice their files.
func TestPutFiles_AFreezeWritesItsOwn(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "f.db"), "nz")
	must(t, err)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Dialogue", Home: "New Zealand", Partner: "Australia"}
	must(t, db.CreateDialogue(ctx, d, by))
	r := &briefing.Round{DialogueID: d.ID, Number: 1, Host: briefing.SideHome}
	must(t, db.CreateRound(ctx, r, by, nil))
	bdb := db.kv.(*boltKV).db
	allocated := func() int64 { st := bdb.Stats(); return st.TxStats.GetPageAlloc() }
	rng := rand.New(rand.NewSource(1))
	files := func() (map[string][]byte, int64) {
		// As a freeze's: two workbooks (zips, stored as they are) and two
		// HTML files compressed already (gzip, stored as they are), of
		// random bytes, which nothing makes smaller.
		out := map[string][]byte{}
		var n int64
		for f, size := range map[string]int{"xlsx": 3 << 20, "release.xlsx": 5 << 19, "html": 3 << 19, "release.html": 1 << 20} {
			b := make([]byte, size)
			rng.Read(b)
			if f == "xlsx" || f == "release.xlsx" {
				copy(b, "PK\x03\x04")
			} else {
				var z bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&z, gzip.NoCompression)
				zw.Write(b)
				zw.Close()
				b = z.Bytes()
			}
			out[f] = b
			n += int64(len(b))
		}
		return out, n
	}
	var snapshot, release string // the last of each
	for _, c := range []struct {
		what  string
		store func(files map[string][]byte) error
	}{
		{"snapshot", func(files map[string][]byte) error {
			sn := &briefing.Snapshot{RoundID: r.ID, Edition: briefing.EditionFull}
			err := db.CreateSnapshot(ctx, sn, files, by)
			snapshot = sn.ID
			return err
		}},
		{"release", func(files map[string][]byte) error {
			rel := &briefing.Release{RoundID: r.ID, Reference: "OIA-1"}
			err := db.CreateRelease(ctx, rel, files, by)
			release = rel.ID
			return err
		}},
	} {
		for i := range 3 {
			fs, size := files()
			before := allocated()
			must(t, c.store(fs))
			alloc := allocated() - before
			t.Logf("%s %d: %d MB of files, bbolt allocated %d MB of pages", c.what, i+1, size>>20, alloc>>20)
			if i > 0 && alloc > size+size/4 {
				t.Errorf("%s %d allocated %d bytes of pages for %d bytes of files: it wrote the files before it again", c.what, i+1, alloc, size)
			}
		}
	}
	// The ends are no format of a file, and the database checks whole.
	for _, end := range fileEnds {
		if _, err := db.SnapshotFile(ctx, snapshot, string(end)); briefing.ErrorCode(err) != briefing.ENOTFOUND {
			t.Errorf("snapshot file %q: %v", end, err)
		}
		if _, err := db.ReleaseFile(ctx, release, string(end)); briefing.ErrorCode(err) != briefing.ENOTFOUND {
			t.Errorf("release file %q: %v", end, err)
		}
	}
	if got, err := db.SnapshotFile(ctx, snapshot, "xlsx"); err != nil || len(got) != 3<<20 {
		t.Errorf("the last snapshot's workbook: %d bytes, %v", len(got), err)
	}
	must(t, db.Check(ctx))
}
