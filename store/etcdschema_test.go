package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcd_NewerSchemaStopsOlderServer: several servers share one etcd
// database; in a rolling upgrade the first server of a newer briefpack
// migrates it while older ones still serve it. An open refuses a database
// of a newer schema, but a server that opened it before went on writing
// records of its older schema into it (seen with the real binaries: a
// schema 9 server still running after a schema 10 server's start raised a
// RESTRICTED paragraph to SECRET without recording the raise, and the
// schema 10 server then showed the version before the raise, paragraph and
// all, to a RESTRICTED viewer; check said ok). Now it neither writes nor
// reads: every request is unavailable (503), saying why, nothing is
// written, its sweep deletes nothing, and it is told once.
func TestEtcd_NewerSchemaStopsOlderServer(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	older := openEtcdPrefix(t, c, "upgrade") // this build, serving
	newer := openEtcdPrefix(t, c, "upgrade") // stands in for the upgraded server
	var told []int
	older.OnSchemaMoved(func(found int) { told = append(told, found) })
	by := briefing.Actor{UserID: "1", Name: "alice"}
	if err := older.CreateAgency(ctx, &briefing.Agency{Name: "Department of Defence", Country: "Australia"}, by); err != nil {
		t.Fatal(err)
	}
	// The newer briefpack's start migrates the database.
	if err := newer.update(ctx, func(tx kvTx) error {
		return tx.Bucket(metaBucket).Put(keySchemaVersion, []byte(strconv.Itoa(schemaVersion+1)))
	}); err != nil {
		t.Fatal(err)
	}
	// A new open refuses it...
	cfg, err := ParseEtcdURL(c.URL("upgrade"))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := OpenEtcd(cfg, "nz"); err == nil {
		again.Close()
		t.Fatal("a database at a newer schema was opened")
	}
	// ...and the server that opened it before neither writes nor reads it.
	err = older.CreateAgency(ctx, &briefing.Agency{Name: "Department of Foreign Affairs and Trade", Country: "Australia"}, by)
	assertSchemaMoved(t, "a write", err)
	_, err = older.Revision(ctx)
	assertSchemaMoved(t, "a read", err)
	_, err = older.Agency(ctx, "1")
	assertSchemaMoved(t, "a read", err)
	if _, err := older.Sweep(ctx); !errors.Is(err, ErrSchemaMoved) {
		t.Errorf("a sweep: %v", err)
	}
	if !slices.Equal(told, []int{schemaVersion + 1}) {
		t.Errorf("the server was told %v, want once, of schema %d", told, schemaVersion+1)
	}
	// Nothing of the refused write is there (read from etcd itself: this
	// build, standing in for the newer one, no longer reads it either).
	k := older.kv.(*etcdKV)
	resp, err := k.cli.Get(ctx, k.seqKey(agencyBucket))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 || btoi(resp.Kvs[0].Value) != 1 {
		t.Errorf("the agencies' sequence is %v, want 1: the refused write took one", resp.Kvs)
	}
}

// assertSchemaMoved checks what a server is told of a database a newer
// briefpack migrated while it served it.
func assertSchemaMoved(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrSchemaMoved) || briefing.ErrorCode(err) != briefing.EUNAVAILABLE ||
		!strings.Contains(briefing.ErrorMessage(err), "restarted on the new version") {
		t.Errorf("%s after a newer briefpack migrated the database: %v", what, err)
	}
}

// TestEtcd_CommitComparesSchema: a commit under way when the schema moves
// does not happen, even when whatever moved it left the write token as it
// was (the token is this briefpack's way to serialise commits, which a
// newer one need not keep): its etcd transaction compares the schema too.
// Run again, the write is refused as the schema moved.
func TestEtcd_CommitComparesSchema(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	db := openEtcdPrefix(t, c, "moving")
	k := db.kv.(*etcdKV)
	tx, err := k.begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Bucket(agencyBucket).Put(itob(1), []byte(`{"id":"1"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.cli.Put(ctx, k.schemaKey(), schemaValue(int64(schemaVersion+1))); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, errRetry) {
		t.Fatalf("the commit after the schema moved: %v, want it run again", err)
	}
	resp, err := k.cli.Get(ctx, k.dataPrefix(agencyBucket)+string(itob(1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 0 {
		t.Fatal("a commit under way when the schema moved was written")
	}
	err = db.update(ctx, func(tx kvTx) error { return tx.Bucket(agencyBucket).Put(itob(1), []byte(`{"id":"1"}`)) })
	assertSchemaMoved(t, "the write run again", err)
}
