package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// copySource is a bbolt file with records in several buckets, open.
func copySource(t *testing.T) *store.DB {
	t.Helper()
	src, err := store.Open(filepath.Join(t.TempDir(), "src.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	for i := range 5 {
		a := &briefing.Agency{Name: fmt.Sprintf("Agency %d", i), Acronym: fmt.Sprintf("A%d", i), Country: "NZ"}
		if err := src.CreateAgency(context.Background(), a, briefing.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// stopAfterFirstBucket copies src into dst and stops the copy, as a kill
// would, once its first bucket is written.
func stopAfterFirstBucket(t *testing.T, src, dst *store.DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	buckets := 0
	err := store.Copy(ctx, src, dst, func(string, int) {
		buckets++
		cancel()
	})
	if err == nil || buckets != 1 {
		t.Fatalf("the copy was not stopped after its first bucket: %d buckets, %v", buckets, err)
	}
}

// opened is an open's error, closing what it opened.
func opened(db *store.DB, err error) error {
	if err == nil {
		db.Close()
	}
	return err
}

// wantUnfinished asserts the refusal of a copy that did not finish.
func wantUnfinished(t *testing.T, what string, err error, hint string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "did not finish") || !strings.Contains(err.Error(), hint) ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("%s of a copy that did not finish: %v", what, err)
	}
}

// TestCopy_Unfinished: a copy into a file stopped halfway leaves a file
// every open refuses, saying what it is and to remove it; before, it was
// opened and served as a database that held part of its source.
func TestCopy_Unfinished(t *testing.T) {
	src := copySource(t)
	path := filepath.Join(t.TempDir(), "copy.db")
	dst, err := store.Open(path, "nz")
	if err != nil {
		t.Fatal(err)
	}
	stopAfterFirstBucket(t, src, dst)
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	wantUnfinished(t, "open", opened(store.Open(path, "")), "remove the file")
	wantUnfinished(t, "read-only open", opened(store.OpenReadOnly(path)), "remove the file")
	wantUnfinished(t, "check", store.CheckFile(path), "remove the file")

	// A copy that finished opens, and leaves no mark.
	done, err := store.Open(filepath.Join(t.TempDir(), "done.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Copy(context.Background(), src, done, nil); err != nil {
		t.Fatal(err)
	}
	done.Close()
	if err := store.CheckFile(done.Path()); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(done.Path(), "")
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

// TestEtcd_CopyUnfinished: the same on etcd, where the prefix a copy left
// half written was served by every server started on it, and a new copy
// was refused because it "already holds records". Now every open refuses
// it, naming the etcdctl command that clears it, after which a copy works.
func TestEtcd_CopyUnfinished(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	src := copySource(t)
	cfg, err := store.ParseEtcdURL(c.URL("half"))
	if err != nil {
		t.Fatal(err)
	}
	dst, err := store.OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	stopAfterFirstBucket(t, src, dst)
	dst.Close()
	hint := fmt.Sprintf("etcdctl --endpoints=%s del --prefix 'half/'", strings.Join(c.Endpoints(), ","))
	wantUnfinished(t, "open", opened(store.OpenEtcd(cfg, "")), hint)
	ro := cfg
	ro.ReadOnly, ro.MustExist = true, true
	wantUnfinished(t, "read-only open", opened(store.OpenEtcd(ro, "")), hint)

	// Cleared as the message says, the prefix takes a new copy.
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Delete(ctx, "half/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	dst, err = store.OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	if err := dst.Check(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := store.OpenEtcd(ro, "")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if as, _, err := again.Agencies(ctx, briefing.Page{}); err != nil || len(as) != 5 {
		t.Fatalf("the copy holds %d agencies: %v", len(as), err)
	}
}

// TestEtcd_CopyStartsAgainWhenCompacted: a copy from etcd whose revision
// etcd compacts part way starts again at the latest, into a file or an
// etcd prefix emptied of what it had written, and is whole and of the
// latest revision; compacted at every try, it fails saying so, and the
// destination is still refused as a copy that did not finish. It failed
// at the first compaction, and left an etcd destination half written.
func TestEtcd_CopyStartsAgainWhenCompacted(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	by := briefing.Actor{Name: "test"}
	cfg, err := store.ParseEtcdURL(c.URL("from"))
	if err != nil {
		t.Fatal(err)
	}
	server, err := store.OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	// More agencies than one etcd transaction deletes, and a frozen pack
	// whose file is kept in chunks: the copy that starts again empties an
	// etcd destination in large commits.
	for i := range 80 {
		a := &briefing.Agency{Name: fmt.Sprintf("Agency %02d", i), Acronym: fmt.Sprintf("A%d", i), Country: "NZ"}
		if err := server.CreateAgency(ctx, a, by); err != nil {
			t.Fatal(err)
		}
	}
	r := mustRound(t, server, mustDialogue(t, server).ID, 1)
	big := []byte(strings.Repeat("A frozen pack of many pages. ", 60000))
	if err := server.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": big}, by); err != nil {
		t.Fatal(err)
	}
	// The source is read as copy --from reads it.
	ro := cfg
	ro.ReadOnly, ro.MustExist = true, true
	src, err := store.OpenEtcd(ro, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	compact := func() {
		resp, err := cli.Get(ctx, "from/rev")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
			t.Fatal(err)
		}
	}
	agencies := func(db *store.DB) []*briefing.Agency {
		as, _, err := db.Agencies(ctx, briefing.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return as
	}
	names := func(db *store.DB) []string {
		var out []string
		for _, a := range agencies(db) {
			out = append(out, a.Name)
		}
		return out
	}
	// newDB opens a new database, a file or an etcd prefix, and returns
	// with it how to open it again.
	newDB := func(t *testing.T, to, name string) (*store.DB, func() error) {
		if to == "file" {
			path := filepath.Join(t.TempDir(), name+".db")
			db, err := store.Open(path, "nz")
			if err != nil {
				t.Fatal(err)
			}
			return db, func() error { return opened(store.Open(path, "")) }
		}
		cfg, err := store.ParseEtcdURL(c.URL(name))
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.OpenEtcd(cfg, "nz")
		if err != nil {
			t.Fatal(err)
		}
		return db, func() error { return opened(store.OpenEtcd(cfg, "")) }
	}

	for _, to := range []string{"file", "etcd"} {
		t.Run(to, func(t *testing.T) {
			dst, _ := newDB(t, to, to)
			defer dst.Close()
			// Once the copy has written the agencies, the history and the
			// frozen file, another server deletes an agency and adds one,
			// and etcd compacts the revision the copy reads.
			victim := agencies(server)[0]
			var told []string
			err := store.Copy(ctx, src, dst, func(bucket string, n int) {
				told = append(told, bucket)
				if bucket != "snapshots" || slices.Contains(told, "") {
					return
				}
				if err := server.DeleteAgency(ctx, victim.ID, victim.Version, by); err != nil {
					t.Fatal(err)
				}
				if err := server.CreateAgency(ctx, &briefing.Agency{Name: "Added during the copy to a " + to, Country: "NZ"}, by); err != nil {
					t.Fatal(err)
				}
				compact()
			})
			if err != nil {
				t.Fatalf("a copy whose revision was compacted part way: %v", err)
			}
			if n := slices.Index(told, ""); n < 0 || slices.Contains(told[n+1:], "") {
				t.Fatalf("the copy did not start again once: told %q", told)
			}
			if err := dst.Check(ctx); err != nil {
				t.Fatalf("the copy started again: %v", err)
			}
			if got, want := names(dst), names(server); !slices.Equal(got, want) || slices.Contains(got, victim.Name) {
				t.Errorf("the copy holds agencies %q, the source %q", got, want)
			}
			if to != "etcd" {
				return
			}
			// Its keys are a copy's made at once: nothing is left of the
			// try before (a chunk's key names its generation, not kept).
			clean, _ := newDB(t, to, "clean")
			defer clean.Close()
			if err := store.Copy(ctx, src, clean, nil); err != nil {
				t.Fatal(err)
			}
			if got, want := etcdKeys(t, cli, "etcd/"), etcdKeys(t, cli, "clean/"); !slices.Equal(got, want) {
				t.Errorf("the copy that started again holds %d keys, one made at once %d:\n%q\n%q", len(got), len(want), got, want)
			}
		})
	}

	for _, to := range []string{"file", "etcd"} {
		t.Run(to+"EveryTry", func(t *testing.T) {
			dst, reopen := newDB(t, to, to+"-every")
			tries := 0
			err := store.Copy(ctx, src, dst, func(bucket string, n int) {
				if bucket != "agencies" {
					return
				}
				tries++
				if err := server.CreateAgency(ctx, &briefing.Agency{Name: fmt.Sprintf("Added during try %d to a %s", tries, to), Country: "NZ"}, by); err != nil {
					t.Fatal(err)
				}
				compact()
			})
			if !errors.Is(err, store.ErrCompacted) || !strings.Contains(err.Error(), "the copy started 3 times") || tries != 3 {
				t.Fatalf("a copy compacted at each of its %d tries: %v", tries, err)
			}
			if err := dst.Close(); err != nil {
				t.Fatal(err)
			}
			wantUnfinished(t, "the open of a copy compacted at every try", reopen(), "then copy again")
		})
	}
}

// etcdKeys lists the keys under prefix, without it; of a value's chunks
// only the value's.
func etcdKeys(t *testing.T, cli *clientv3.Client, prefix string) []string {
	t.Helper()
	resp, err := cli.Get(context.Background(), prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, kv := range resp.Kvs {
		k := strings.TrimPrefix(string(kv.Key), prefix)
		if strings.HasPrefix(k, "c/") {
			k = k[:len(k)-12] // the generation (8 bytes) and the chunk's number (4)
		}
		keys = append(keys, k)
	}
	return keys
}
