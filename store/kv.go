package store

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// The store is written against ordered buckets of keys in transactions,
// bbolt's model: kvTx, kvBucket and kvCursor are that model as the store
// uses it, so that one implementation of briefing's interfaces runs on a
// bbolt file (boltKV) or on an etcd cluster (etcdKV) alike. Buckets are
// flat; values returned are valid until the transaction ends and must not
// be changed.

// kv is a backend: transactions over its buckets.
type kv interface {
	// begin starts a transaction. A write transaction may fail to commit
	// with errRetry when another server wrote first; the store then runs
	// it again from the start (db.update).
	begin(ctx context.Context, writable bool) (kvTxn, error)
	close() error
}

// writerKV is a backend that holds something across one write's tries
// (etcd: the server's write lock, and the write's turn once it takes one,
// see etcdWriter). writer returns the context the tries run in, and what
// to call after the last; or an error, when wait (ctx, but for a group's
// writes, see commitShared) ended before the write could begin.
type writerKV interface {
	writer(ctx, wait context.Context) (context.Context, func(), error)
	// ready waits for what the next try of the write ctx carries must
	// wait for before it begins (etcd: turns, see etcdWriter.ready),
	// which its begin waits for otherwise.
	ready(ctx context.Context) error
}

// kvTx is a transaction as the store's code sees it.
type kvTx interface {
	// Bucket returns the bucket, or nil when it does not exist.
	Bucket(name []byte) kvBucket
	CreateBucketIfNotExists(name []byte) (kvBucket, error)
	// ForEach calls fn for each bucket, in name order.
	ForEach(fn func(name []byte, b kvBucket) error) error
}

// kvTxn is a transaction with its end.
type kvTxn interface {
	kvTx
	Commit() error
	Rollback() error
	// failure is the first read that failed beneath the transaction; bbolt's
	// reads cannot fail.
	failure() error
}

// kvBucket is one bucket: keys in byte order and a sequence.
type kvBucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() kvCursor
	ForEach(fn func(k, v []byte) error) error
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(v uint64) error
}

// kvCursor walks a bucket's keys in order; a nil key is the end.
type kvCursor interface {
	First() (key, value []byte)
	Last() (key, value []byte)
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
}

// within returns c, told that its reader wants only the keys with the
// prefix and stops at the first key without it. A cursor that reads keys
// in pages from elsewhere (etcd's) reads them within the prefix; bbolt's
// walks its own pages and needs no telling. The cursor is for that prefix
// alone: beyond it, it may find nothing.
func within(c kvCursor, prefix []byte) kvCursor {
	if b, ok := c.(interface{ within([]byte) }); ok {
		b.within(prefix)
	}
	return c
}

// stopBefore returns c, told that its reader stops at the first key at or
// after key, as within does for a prefix.
func stopBefore(c kvCursor, key []byte) kvCursor {
	if b, ok := c.(interface{ stopBefore([]byte) }); ok {
		b.stopBefore(key)
	}
	return c
}

// end ends a transaction that was only read: a read that failed beneath
// (etcd gone, say) is the error, whatever the reader made of the nothing it
// was given, and so is a page of a bbolt file that could not be read (see
// readDamage). Any other panic goes on, the transaction ended.
func end(tx kvTxn, err *error) {
	r := recover()
	var damaged error
	if bt, ok := tx.(boltTx); ok && r != nil {
		damaged = readDamage(bt.path, r)
	}
	_ = tx.Rollback()
	switch {
	case damaged != nil:
		*err = damaged
	case r != nil:
		panic(r)
	}
	if f := tx.failure(); f != nil {
		*err = f
	}
}

// errRetry is a write transaction that lost to another server's commit; the
// store runs it again.
var errRetry = errors.New("store: another server wrote first")

// boltKV is a bbolt file.
type boltKV struct {
	db   *bolt.DB
	path string
}

// begin starts a transaction whose reads of the mapped file, on this
// goroutine, panic on a fault rather than crash the process, until it ends
// (see readDamage).
func (b *boltKV) begin(ctx context.Context, writable bool) (kvTxn, error) {
	fault := debug.SetPanicOnFault(true)
	tx, err := b.db.Begin(writable)
	if err != nil {
		debug.SetPanicOnFault(fault)
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	return boltTx{tx: tx, path: b.path, fault: fault}, nil
}

func (b *boltKV) close() error { return b.db.Close() }

// boltTx adapts a bbolt transaction; bbolt's buckets and cursors are used
// as they are.
type boltTx struct {
	tx   *bolt.Tx
	path string
	// fault is the goroutine's SetPanicOnFault before the transaction
	// began, set again when it ends.
	fault bool
}

func (t boltTx) Bucket(name []byte) kvBucket {
	if b := t.tx.Bucket(name); b != nil {
		return boltBucket{b}
	}
	return nil
}

func (t boltTx) CreateBucketIfNotExists(name []byte) (kvBucket, error) {
	b, err := t.tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return boltBucket{b}, nil
}

func (t boltTx) ForEach(fn func(name []byte, b kvBucket) error) error {
	return t.tx.ForEach(func(name []byte, b *bolt.Bucket) error { return fn(name, boltBucket{b}) })
}

func (t boltTx) Commit() error { return t.tx.Commit() }
func (t boltTx) Rollback() error {
	err := t.tx.Rollback()
	debug.SetPanicOnFault(t.fault)
	return err
}
func (t boltTx) failure() error { return nil }

type boltBucket struct{ *bolt.Bucket }

func (b boltBucket) Cursor() kvCursor { return b.Bucket.Cursor() }

// letGo is told that v, a value read from the bucket, has been copied out
// and will not be read again: its pages of the mapped file leave the
// process's memory (dropMapped).
func (b boltBucket) letGo(v []byte) {
	tx := b.Bucket.Tx()
	dropMapped(tx.DB().Info().Data, int(tx.Size()), v)
}

// letGo tells b that v, a value read from it, has been copied out and will
// not be read again in the transaction: a bbolt file's pages of it leave
// the process's memory; etcd's values are the process's own already.
func letGo(b kvBucket, v []byte) {
	if lg, ok := b.(interface{ letGo([]byte) }); ok {
		lg.letGo(v)
	}
}

// OpenAny opens the database a command line names: an etcd address
// (etcd://host:port[,host:port…][/prefix], see ParseEtcdURL) or a bbolt
// file. cfg, when not nil, adds credentials to an etcd address; its error
// is Open's, before the cluster is reached.
func OpenAny(spec, jurisdiction string, cfg func(*EtcdConfig) error) (*DB, error) {
	if !IsEtcdURL(spec) {
		return Open(spec, jurisdiction)
	}
	c, err := ParseEtcdURL(spec)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		if err := cfg(&c); err != nil {
			return nil, err
		}
	}
	return OpenEtcd(c, jurisdiction)
}

// OpenAnyReadOnly opens the existing database a command line names to read
// it and never write it: a bbolt file with OpenReadOnly, an etcd prefix
// with EtcdConfig.ReadOnly and MustExist. cfg is as OpenAny's.
func OpenAnyReadOnly(spec string, cfg func(*EtcdConfig) error) (*DB, error) {
	if !IsEtcdURL(spec) {
		return OpenReadOnly(spec)
	}
	return OpenAny(spec, "", func(c *EtcdConfig) error {
		c.ReadOnly, c.MustExist = true, true
		if cfg != nil {
			return cfg(c)
		}
		return nil
	})
}
