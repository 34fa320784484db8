package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestFrozenFiles_LetGoOfMappedPages: a frozen file read from a bbolt file,
// a snapshot's or a release's, comes back whole, every time, and leaves
// none of the file's pages it lay on mapped in the process: read, they
// stayed counted in its resident memory, so that reading every frozen file
// of a round frozen many times raised it by the size of them all.
func TestFrozenFiles_LetGoOfMappedPages(t *testing.T) {
	db, r := oneRoundDB(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(7))
	workbook := func(size int) []byte { // random, so stored as it is
		b := make([]byte, size)
		rng.Read(b)
		copy(b, "PK\x03\x04")
		return b
	}
	sn := &briefing.Snapshot{RoundID: r.ID, Edition: briefing.EditionFull}
	snFiles := map[string][]byte{"xlsx": workbook(24 << 20), "html": []byte("<!doctype html><p>A small pack.</p>")}
	must(t, db.CreateSnapshot(ctx, sn, snFiles, by))
	rel := &briefing.Release{RoundID: r.ID, Reference: "OIA-1"}
	relFiles := map[string][]byte{"xlsx": workbook(16 << 20), "html": []byte("<!doctype html><p>A letter.</p>")}
	must(t, db.CreateRelease(ctx, rel, relFiles, by))
	before := rssFile(t)
	for range 2 {
		for format, want := range snFiles {
			got, err := db.SnapshotFile(ctx, sn.ID, format)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the snapshot's %s file came back %d bytes, not %d: %v", format, len(got), len(want), err)
			}
		}
		for format, want := range relFiles {
			got, err := db.ReleaseFile(ctx, rel.ID, format)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the release's %s file came back %d bytes, not %d: %v", format, len(got), len(want), err)
			}
		}
	}
	if grew := rssFile(t) - before; grew > 4<<20 {
		t.Fatalf("reading 40 MB of frozen files left %d MB of the database file mapped in the process", grew>>20)
	}
}

// rssFile is the process's resident memory of files mapped, in bytes.
func rssFile(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	must(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			var kb int64
			fmt.Sscan(v, &kb)
			return kb << 10
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
