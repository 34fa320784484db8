package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcd_Sweep: the chunks and journals of commits that can no longer
// happen (their answer lost, or their server gone between writing them and
// committing) are deleted; those of a commit that may still happen, and
// those a value names, are kept, and the value reads back whole.
func TestEtcd_Sweep(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdPrefix(t, c, "sweep")
	other := openEtcdPrefix(t, c, "sweep")
	ctx := context.Background()
	k := db.kv.(*etcdKV)
	count := func(under string) int64 {
		t.Helper()
		resp, err := k.cli.Get(ctx, k.prefix+under, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Count
	}
	sweep := func(want Swept) {
		t.Helper()
		got, err := db.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("swept %+v, want %+v", got, want)
		}
	}
	put := func(key, value string) {
		t.Helper()
		if _, err := k.cli.Put(ctx, key, value); err != nil {
			t.Fatal(err)
		}
	}
	agency := func(name string) {
		t.Helper()
		if err := other.CreateAgency(ctx, &briefing.Agency{Name: name, Country: "Australia"}, briefing.Actor{UserID: "1", Name: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 2*chunkSize+777)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	w, err := db.kv.begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := w.CreateBucketIfNotExists(fileBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := bk.Put([]byte("kept"), big); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	sweep(Swept{}) // a value's chunks are kept
	if n := count("c/"); n != 3 {
		t.Fatalf("%d chunks, want 3", n)
	}

	// A commit under way: its transaction has read, and written its
	// chunks and a journal as Commit does, but not yet committed.
	tx, err := db.kv.begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	gen := uint64(tx.(*etcdTx).rev)<<16 | 1
	tx.Rollback()
	lost := k.chunkPrefix(fileBucket, []byte("lost"))
	kept := k.chunkPrefix(fileBucket, []byte("kept"))
	for i := range 2 {
		put(chunkKey(lost, gen, i), "part of a freeze's file")
	}
	put(chunkKey(kept, gen, 0), "a new value of kept, not yet committed")
	put(k.journalPrefix(gen)+"00000000", "a journal")
	sweep(Swept{}) // it may still commit
	if n := count("c/"); n != 6 {
		t.Fatalf("%d chunks, want 6", n)
	}

	// While a large commit is applied, its values are not yet named by
	// their manifests: nothing is swept.
	tok, err := k.cli.Get(ctx, k.revKey())
	if err != nil {
		t.Fatal(err)
	}
	put(k.revKey(), journalMark+"0000000000000000 1")
	sweep(Swept{})
	put(k.revKey(), string(tok.Kvs[0].Value))

	// Another commit has come since: the one under way can no longer
	// happen. Its chunks and its journal go; the value's stay.
	agency("Department of Defence")
	sweep(Swept{Values: 2, Chunks: 3, Journals: 1})
	if n, j := count("c/"), count("j/"); n != 3 || j != 0 {
		t.Fatalf("%d chunks and %d journal keys left, want 3 and 0", n, j)
	}
	if err := other.viewKV(func(tx kvTx) error {
		if got := tx.Bucket(fileBucket).Get([]byte("kept")); !bytes.Equal(got, big) {
			t.Errorf("the value came back %d bytes, not %d", len(got), len(big))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sweep(Swept{})

	// A key of a shape the sweep does not know is left be.
	put(k.prefix+"c/odd", "x")
	agency("Department of Foreign Affairs and Trade")
	sweep(Swept{})
	if n := count("c/"); n != 4 {
		t.Fatalf("%d keys under c/, want 4", n)
	}
}

// TestSweep_Bolt: a bbolt file has nothing to sweep.
func TestSweep_Bolt(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "b.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err := db.Sweep(context.Background()); err != nil || s != (Swept{}) {
		t.Fatalf("swept %+v, %v", s, err)
	}
}

// TestEtcd_SweepWhileWriting: two servers write large values over each
// other, often losing to each other's commits, while a third sweeps again
// and again; every value each read back is one that was written, whole,
// and at the end no chunk is left that a value does not name.
func TestEtcd_SweepWhileWriting(t *testing.T) {
	c := etcdtest.Start(t, 1)
	sweeper := openEtcdPrefix(t, c, "race")
	ctx := context.Background()
	value := func(writer, i int) []byte {
		return bytes.Repeat([]byte{byte(writer), byte(i)}, (chunkSize+4321)/2)
	}
	errs := make(chan error, 2)
	for w := range 2 {
		db := openEtcdPrefix(t, c, "race")
		go func() {
			for i := range 8 {
				err := db.update(ctx, func(tx kvTx) error {
					bk, err := tx.CreateBucketIfNotExists(releaseFiles)
					if err != nil {
						return err
					}
					// One key both write, one each writes anew.
					if err := bk.Put([]byte("shared"), value(w, i)); err != nil {
						return err
					}
					return bk.Put(fmt.Appendf(nil, "file-%d-%d", w, i), value(w, i))
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	stop, swept := make(chan struct{}), make(chan int)
	go func() {
		n := 0
		defer func() { swept <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s, err := sweeper.Sweep(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			n += s.Values
		}
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	n := <-swept
	if _, err := sweeper.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("the sweeps found %d chunk sets of commits that did not happen while the servers wrote", n)
	k := sweeper.kv.(*etcdKV)
	resp, err := k.cli.Get(ctx, k.prefix+"c/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != 2*(1+16) {
		t.Errorf("%d chunks left, want %d: two for each of the 17 values", resp.Count, 2*(1+16))
	}
	err = sweeper.viewKV(func(tx kvTx) error {
		bk := tx.Bucket(releaseFiles)
		if got := bk.Get([]byte("shared")); !bytes.Equal(got, value(int(got[0]), int(got[1]))) {
			t.Errorf("the shared value came back %d bytes, not as written", len(got))
		}
		for w := range 2 {
			for i := range 8 {
				if got := bk.Get(fmt.Appendf(nil, "file-%d-%d", w, i)); !bytes.Equal(got, value(w, i)) {
					t.Errorf("file-%d-%d came back %d bytes, not as written", w, i, len(got))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
