package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"math/rand"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestPutFiles_AFreezeWritesItsOwn freezes a round some sixty times, and
// publishes as many releases, with files of a few bytes to megabytes, and
// checks through bbolt's own count of the bytes its commits allocated that
// each after the first writes its own files and not the last ones before
// it again (putFiles' ends). Without the ends each allocated twice its
// files; with three, 51 of the 132 did, from the first whose first file
// was under half a page on.
func TestPutFiles_AFreezeWritesItsOwn(t *testing.T) {
	db, r := oneRoundDB(t)
	ctx := context.Background()
	bdb := db.kv.(*boltKV).db
	allocated := func() int64 { st := bdb.Stats(); return st.TxStats.GetPageAlloc() }
	rng := rand.New(rand.NewSource(1))
	// Files of random bytes, which nothing makes smaller: workbooks (zips)
	// and HTML files compressed already (gzip), each stored as it is.
	files := func(sizes map[string]int) (map[string][]byte, int64) {
		out := map[string][]byte{}
		var n int64
		for f, size := range sizes {
			b := make([]byte, size)
			rng.Read(b)
			if strings.HasSuffix(f, "xlsx") {
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
	// A freeze's four files; a small HTML file before a large workbook,
	// which bbolt leaves in the leaf before the workbook's (a leaf is split
	// at half a page, 2 KB); a workbook alone.
	shapes := []map[string]int{
		{"xlsx": 3 << 20, "release.xlsx": 5 << 19, "html": 3 << 19, "release.html": 1 << 20},
		{"html": 1000, "xlsx": 3 << 20},
		{"xlsx": 3 << 20},
	}
	// Then twenty of one to four files, each of a few bytes to a page or
	// two or of hundreds of kilobytes, at random.
	formats := []string{"html", "release.html", "release.xlsx", "xlsx"}
	for range 20 {
		shape := map[string]int{}
		for _, f := range formats[:1+rng.Intn(len(formats))] {
			shape[f] = []int{10 + rng.Intn(6000), 100<<10 + rng.Intn(400<<10)}[rng.Intn(2)]
		}
		shapes = append(shapes, shape)
	}
	var snapshot, release string // the last of each
	var last map[string][]byte   // the last snapshot's files
	for _, c := range []struct {
		what  string
		store func(files map[string][]byte) error
	}{
		{"snapshot", func(files map[string][]byte) error {
			sn := &briefing.Snapshot{RoundID: r.ID, Edition: briefing.EditionFull}
			err := db.CreateSnapshot(ctx, sn, files, by)
			snapshot, last = sn.ID, files
			return err
		}},
		{"release", func(files map[string][]byte) error {
			rel := &briefing.Release{RoundID: r.ID, Reference: "OIA-1"}
			err := db.CreateRelease(ctx, rel, files, by)
			release = rel.ID
			return err
		}},
	} {
		n := 0
		for k, shape := range shapes {
			for range min(3, len(shapes)-k) {
				n++
				fs, size := files(shape)
				before := allocated()
				must(t, c.store(fs))
				alloc := allocated() - before
				t.Logf("%s %d: %d KB of files, bbolt allocated %d KB of pages", c.what, n, size>>10, alloc>>10)
				// Beyond the files, a commit writes the record, its
				// indexes and the branch pages above them: some tens of
				// kilobytes.
				if n > 1 && alloc > size+size/4+128<<10 {
					t.Errorf("%s %d allocated %d bytes of pages for %d bytes of files: it wrote the files before it again", c.what, n, alloc, size)
				}
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
	for f, want := range last {
		if bytes.HasPrefix(want, gzipMagic) { // given compressed, read back as it was before
			var err error
			want, err = unpackFile(want)
			must(t, err)
		}
		if got, err := db.SnapshotFile(ctx, snapshot, f); err != nil || !bytes.Equal(got, want) {
			t.Errorf("the last snapshot's %s file: %d bytes back of %d, %v", f, len(got), len(want), err)
		}
	}
	must(t, db.Check(ctx))
}
