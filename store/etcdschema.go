package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
)

// Several servers share an etcd database, and in a rolling upgrade the
// first server of a newer briefpack migrates it while older ones still
// serve it. An open refuses a database of a newer schema; a server that
// opened it before goes on only while the stored schema is the one it
// opened: every transaction checks the schema as of the write token it
// starts from (readToken), and every commit compares it too (unchanged), so
// that an older server neither writes records of its older schema into
// the newer database (a raise of a paragraph's marking saved so was not
// recorded as schema 10 records raises, and a RESTRICTED reader was shown
// the paragraph) nor reads one it does not understand (it would judge
// clearance by its older rules). A bbolt file needs none of this: one
// process holds it at a time (bbolt's flock, see Open).

// ErrSchemaMoved is reported (via errors.Is) by every transaction of an
// etcd database whose stored schema is no longer the one it was opened at:
// a newer briefpack migrated it while this one served it.
var ErrSchemaMoved = errors.New("the database's schema changed while this briefpack served it")

// schemaWatch is what an etcd database knows of its stored schema.
type schemaWatch struct {
	// opened is the schema the database was opened at, once it is open;
	// 0 while it is being opened, whose transaction migrates it.
	opened atomic.Int64

	mu    sync.Mutex
	moved bool  // the schema was found moved
	found int64 // the schema found then; -1 for none
	tell  func(found int)
}

// schemaKey is the etcd key of the stored schema version.
func (k *etcdKV) schemaKey() string { return k.dataPrefix(metaBucket) + string(keySchemaVersion) }

// schemaValue is the schema version v as the etcd key holds it.
func schemaValue(v int64) string { return string([]byte{tagInline}) + strconv.FormatInt(v, 10) }

// readToken reads the write token and the stored schema as of it, from the
// server's cache when it holds it, refusing a schema other than the one the
// database was opened at. Two reads, not one etcd transaction of both: the
// client sends a read again by itself while a leader is elected, never a
// transaction, which then failed 503.
func (k *etcdKV) readToken(ctx context.Context) (*clientv3.GetResponse, error) {
	resp, err := k.cli.Get(ctx, k.revKey())
	if err != nil || k.schema.opened.Load() == 0 {
		return resp, err
	}
	// Between commits nothing of the database changes, so the schema as of
	// the token's last put is the schema at the revision read.
	var mod int64
	if len(resp.Kvs) == 1 {
		mod = resp.Kvs[0].ModRevision
	}
	key, rev := k.schemaKey(), resp.Header.Revision
	v, ok := k.cache.get(key, mod)
	if !ok {
		k.reads.Add(1)
		r, err := k.cli.Get(ctx, key, clientv3.WithRev(rev), clientv3.WithSerializable())
		if errors.Is(err, rpctypes.ErrFutureRev) {
			r, err = k.cli.Get(ctx, key, clientv3.WithRev(rev))
		}
		if errors.Is(err, rpctypes.ErrCompacted) && ctx.Err() == nil {
			// etcd compacted the token's revision between the two reads:
			// nothing is read yet, so the transaction begins at a newer
			// one. (It failed as a database that moved on: a server's
			// request answered 503, a command ended.)
			return k.readToken(ctx)
		}
		if err != nil {
			return nil, err
		}
		if len(r.Kvs) == 1 {
			v = cached{raw: r.Kvs[0].Value, mod: r.Kvs[0].ModRevision}
		}
		k.cache.put(key, v, rev)
	}
	var kvs []*mvccpb.KeyValue
	if v.raw != nil {
		kvs = []*mvccpb.KeyValue{{Key: []byte(key), Value: v.raw}}
	}
	if err := k.sameSchema(kvs); err != nil {
		return nil, err
	}
	return resp, nil
}

// sameSchema refuses a stored schema (its key's values: none or one) other
// than the one the database was opened at.
func (k *etcdKV) sameSchema(kvs []*mvccpb.KeyValue) error {
	want := k.schema.opened.Load()
	if want == 0 {
		return nil
	}
	found := int64(-1)
	if len(kvs) == 1 {
		if v := string(kvs[0].Value); len(v) > 1 && v[0] == tagInline {
			if n, err := strconv.ParseInt(v[1:], 10, 64); err == nil {
				found = n
			}
		}
	}
	if found == want {
		return nil
	}
	k.schemaMoved(found)
	what := "no longer holds a schema version"
	if found > 0 {
		what = fmt.Sprintf("is at schema %d", found)
	}
	return fmt.Errorf("database %s %s, and this briefpack reads and writes schema %d: %w: %w", k.desc, what, want, ErrSchemaMoved,
		&briefing.Error{Code: briefing.EUNAVAILABLE, Message: "This server runs an older version of briefpack than the database, " +
			"which a newer version upgraded while it ran: it neither reads nor saves until it is restarted on the new version. " +
			"Nothing was saved. Try again in a moment: another server may answer."})
}

// schemaMoved notes the schema found moved, and tells of it once.
func (k *etcdKV) schemaMoved(found int64) {
	w := &k.schema
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.moved {
		return
	}
	w.moved, w.found = true, found
	if w.tell != nil {
		w.tell(int(found))
	}
}

// unchanged is what a commit compares, in the etcd transaction that makes
// it: the write token still where its transaction read it, and the stored
// schema still the one the database was opened at. A commit that finds
// either changed has not happened; run again, its transaction then reads
// the newer schema and is refused (readToken).
func (k *etcdKV) unchanged(revMod int64) []clientv3.Cmp {
	cmps := []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(k.revKey()), "=", revMod)}
	if want := k.schema.opened.Load(); want != 0 {
		cmps = append(cmps, clientv3.Compare(clientv3.Value(k.schemaKey()), "=", schemaValue(want)))
	}
	return cmps
}

// watchSchema notes, from the watch on the database's keys, a schema
// stored other than the one the database was opened at, so that the
// server can say so when it happens, before a request finds it.
func (k *etcdKV) watchSchema(resp clientv3.WatchResponse) {
	for _, ev := range resp.Events {
		if string(ev.Kv.Key) == k.schemaKey() {
			_ = k.sameSchema([]*mvccpb.KeyValue{ev.Kv})
		}
	}
}

// expectSchema has the database's transactions expect schema v from now
// on (0: any): a copy into it writes its source's.
func (db *DB) expectSchema(v int) {
	if k, ok := db.kv.(*etcdKV); ok {
		k.schema.opened.Store(int64(v))
	}
}

// OnSchemaMoved has fn told, once, when the database is first found at a
// schema other than the one it was opened at (ErrSchemaMoved), with the
// schema found (-1 for none): at once if it was already. fn is called
// while a transaction or the watch waits on it, so it should be quick (a
// log line). A bbolt file never tells.
func (db *DB) OnSchemaMoved(fn func(found int)) {
	k, ok := db.kv.(*etcdKV)
	if !ok {
		return
	}
	w := &k.schema
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tell = fn
	if w.moved {
		fn(int(w.found))
	}
}
