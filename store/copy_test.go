package store_test

import (
	"context"
	"fmt"
	"path/filepath"
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
