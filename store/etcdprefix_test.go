package store

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// openEtcdAsBefore opens, or creates, the database at prefix as a
// briefpack did before prefixes shared with another database were
// refused: so databases laid out one inside another's prefix then can be
// made here.
func openEtcdAsBefore(t *testing.T, c *etcdtest.Cluster, prefix string) *DB {
	t.Helper()
	cfg, err := ParseEtcdURL(c.URL(prefix))
	if err != nil {
		t.Fatal(err)
	}
	k, err := dialEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{kv: k, path: k.desc, Now: time.Now}
	if err := db.init("nz"); err != nil {
		k.close()
		t.Fatal(err)
	}
	k.schema.opened.Store(int64(db.schema))
	t.Cleanup(func() { db.Close() })
	return db
}

// TestEtcd_NestedDatabasesKeepToTheirOwnKeys: databases laid out one
// inside another's prefix ("nest" and "nest/c", as the README allowed: a
// prefix may hold a slash) each read, sweep, check, back up and copy only
// their own keys. The outer's sweep read the inner's chunk keys
// ("nest/c/c/<bucket>\x00…") as its own chunks of a bucket "c/<bucket>",
// which no value of its own named, and deleted them: the inner's frozen
// pack answered 500 and its check and backup failed ("lacks chunk 1 of
// 3"). Each inner prefix here falls where one of the outer's kinds of key
// lies: chunks (c), values (b), buckets (n), a journal (j/<generation>).
func TestEtcd_NestedDatabasesKeepToTheirOwnKeys(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	prefixes := []string{"nest", "nest/c", "nest/b", "nest/n", "nest/j/0000000000000001"}
	dbs := map[string]*DB{}
	for _, p := range prefixes {
		dbs[p] = openEtcdAsBefore(t, c, p)
	}
	files := map[string][]byte{}
	snaps := map[string]string{}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range append(prefixes[1:], prefixes[0]) {
		db := dbs[p]
		r := firstRound(t, db, by)
		// A frozen pack whose file is kept in chunks; the outer database
		// freezes last, so its write token moves past the inner ones'.
		f := make([]byte, 2*chunkSize+777)
		for i := range f {
			f[i] = byte(rng.Uint32())
		}
		sn := &briefing.Snapshot{RoundID: r.ID}
		if err := db.CreateSnapshot(ctx, sn, map[string][]byte{"html": f}, by); err != nil {
			t.Fatal(err)
		}
		files[p], snaps[p] = f, sn.ID
	}
	for _, p := range prefixes {
		if swept, err := dbs[p].Sweep(ctx); err != nil || swept != (Swept{}) {
			t.Errorf("%s swept %+v (%v): all of it another database's", p, swept, err)
		}
	}
	for _, p := range prefixes {
		db := dbs[p]
		if got, err := db.SnapshotFile(ctx, snaps[p], "html"); err != nil || !bytes.Equal(got, files[p]) {
			t.Errorf("%s: its frozen file came back %d bytes, not %d: %v", p, len(got), len(files[p]), err)
		}
		if err := db.Check(ctx); err != nil {
			t.Errorf("%s: check: %v", p, err)
		}
		// Its buckets are the store's, and its backup holds them alone.
		var names []string
		if err := db.viewKV(func(tx kvTx) error {
			return tx.ForEach(func(name []byte, _ kvBucket) error {
				names = append(names, string(name))
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		if want := len(allBuckets); len(names) != want || slices.ContainsFunc(names, func(n string) bool { return !storeBucket(n) }) {
			t.Errorf("%s lists the buckets %q, not the store's %d", p, names, want)
		}
		path := filepath.Join(t.TempDir(), "backup.db")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Backup(f); err != nil {
			t.Errorf("%s: backup: %v", p, err)
		}
		f.Close()
		if err := CheckFile(path); err != nil {
			t.Errorf("%s: its backup: %v", p, err)
		}
		if dump(t, db) != dumpFile(t, path) {
			t.Errorf("%s: its backup is not the database", p)
		}
	}
}

// dumpFile is dump of the bbolt file at path.
func dumpFile(t *testing.T, path string) string {
	t.Helper()
	db, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return dump(t, db)
}

// TestEtcd_SharedPrefixRefused: a prefix inside another database's, or
// holding another database, or keys of anything else, is not opened to
// write: not by a server, not by a copy into it. Sharing keys, two
// databases would not be kept apart by an `etcdctl del --prefix` of one,
// nor by etcd's permissions, granted by prefix. One laid out so before is
// still opened to read, so that it can be copied elsewhere.
func TestEtcd_SharedPrefixRefused(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	open := func(prefix string, readOnly bool) (*DB, error) {
		cfg, err := ParseEtcdURL(c.URL(prefix))
		if err != nil {
			t.Fatal(err)
		}
		cfg.ReadOnly, cfg.MustExist = readOnly, readOnly
		db, err := OpenEtcd(cfg, "nz")
		if err == nil {
			t.Cleanup(func() { db.Close() })
		}
		return db, err
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	keys := func(prefix string) int64 {
		t.Helper()
		resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Count
	}
	refused := func(prefix, want string) {
		t.Helper()
		before := keys("")
		_, err := open(prefix, false)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("open %s: %v, want one line with %q", prefix, err, want)
		}
		if after := keys(""); after != before {
			t.Errorf("the refused open of %s wrote %d keys", prefix, after-before)
		}
	}

	// Inside another's.
	if _, err := open("outer", false); err != nil {
		t.Fatal(err)
	}
	refused("outer/c", "its prefix outer/c/ is inside the prefix outer/ of another briefpack database")
	refused("outer/a/b", "its prefix outer/a/b/ is inside the prefix outer/ of another briefpack database")
	// Holding another.
	if _, err := open("holder/inner/c", false); err != nil {
		t.Fatal(err)
	}
	refused("holder", "another briefpack database is kept inside its prefix, at holder/inner/c/")
	refused("holder/inner", "another briefpack database is kept inside its prefix, at holder/inner/c/")
	// Holding anything else.
	if _, err := cli.Put(ctx, "shared/config", "x"); err != nil {
		t.Fatal(err)
	}
	refused("shared", `its prefix shared/ holds keys that are not a briefpack database's ("shared/config")`)
	// Its own writers' turns, held by another server as it opens, are its
	// own keys.
	if _, err := open("turns", false); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(ctx, "turns/t\x00"+"5b67a2268d0aba12", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := open("turns", false); err != nil {
		t.Errorf("open beside another server's turn: %v", err)
	}
	// Beside each other, prefixes beginning with the same name are not
	// inside each other.
	for _, p := range []string{"outer2", "out", "holder/inner/cc", "holder/inner/d"} {
		if _, err := open(p, false); err != nil {
			t.Errorf("open %s: %v", p, err)
		}
	}

	// Laid out so before: each is opened to read, and reads its own.
	openEtcdAsBefore(t, c, "old")
	openEtcdAsBefore(t, c, "old/c")
	refused("old", "another briefpack database is kept inside its prefix, at old/c/")
	refused("old/c", "its prefix old/c/ is inside the prefix old/ of another briefpack database")
	for _, p := range []string{"old", "old/c"} {
		db, err := open(p, true)
		if err != nil {
			t.Fatalf("open %s to read: %v", p, err)
		}
		if err := db.Check(ctx); err != nil {
			t.Errorf("check %s: %v", p, err)
		}
	}
}
