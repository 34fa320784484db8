package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"runtime"
	"strings"
	"sync"
	"time"

	"briefpack/briefing"
	"briefpack/internal/lru"
	"briefpack/internal/parallel"
)

// object is a pointer to a stored domain type, e.g. *briefing.Sheet.
type object[T any] interface {
	*T
	briefing.Object
}

// parentLink ties a kind to the object it belongs to (a round to its
// dialogue, a sheet to its round) through an index of children by parent.
type parentLink[P any] struct {
	kind   string
	bucket []byte
	index  []byte
	id     func(P) string
	setID  func(P, string)
}

// uniqueKey keeps one field unique across a kind, case-insensitively, in an
// index from the field's value to the object's id.
type uniqueKey[P any] struct {
	index []byte
	field string
	value func(P) string
}

func (u *uniqueKey[P]) key(obj P) []byte { return []byte(strings.ToLower(u.value(obj))) }

// dependents is an index whose entries under an object's id block its deletion.
type dependents struct {
	index []byte
	what  string // "rounds", "topic sheets"
}

// collection stores one kind of object: CRUD with optimistic concurrency,
// history and audit, written once for every kind.
type collection[T any, P object[T]] struct {
	kind      string
	bucket    []byte
	parent    *parentLink[P]
	unique    *uniqueKey[P]
	blockedBy []dependents
	// encode and decode convert to and from the stored record; nil means
	// JSON of T. History always keeps JSON of T, as the domain serves it.
	encode func(P) ([]byte, error)
	decode func([]byte) (P, error)
	// keep carries values only the store knows from the stored object into
	// an update, e.g. a password hash the caller did not send.
	keep func(obj, old P)
	// memo, when set, keeps decoded objects by the bytes they were decoded
	// from, for a kind read in bulk (a pack reads every sheet of a round).
	memo *memo[P]
	// seen, when set, is kept with each update's version and audit record:
	// the lowest clearance that sees what it changed (briefing.SeenFrom).
	seen bool
}

// memo keeps decoded objects, each with a digest of the bytes it was
// decoded from (rawSum): a read whose stored bytes are the same gets a copy
// of the object without decoding it again; any other bytes are decoded
// afresh. It is keyed by what the object was built from, so it is never
// stale, and it is bounded by bytes.
type memo[P any] struct {
	cache *lru.Cache[memoEntry[P]]
	clone func(P) P
	// stored records the digest of the bytes in the object (see briefing.Sheet.Stored).
	stored func(P, string)
	// written are objects just written, to be decoded ahead (see ahead).
	written   chan written[P]
	startOnce sync.Once
}

// written is an object just written: its kind, key and stored bytes, and
// how its kind is decoded.
type written[P any] struct {
	kind, key string
	raw       []byte
	unmarshal func([]byte) (P, error)
}

type memoEntry[P any] struct {
	sum rawSum
	obj P
}

// rawSum stands for the bytes an object was decoded from: their length and
// two 64-bit hashes of them, each under a seed made at random for this
// process, so that no one can make two records that collide. The memo
// kept the bytes themselves, to compare, until 2026-11-28: for a round of
// 1,000 sheets that was 18 MB held beside the sheets decoded, a tenth of
// the server's heap once the round was made ready. Hashing a sheet's 14 KB
// twice takes about 2 µs, against 0.2-1 µs to compare it with a kept copy.
type rawSum struct {
	n    int
	a, b uint64
}

var memoSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumOf(raw []byte) rawSum {
	return rawSum{n: len(raw), a: maphash.Bytes(memoSeeds[0], raw), b: maphash.Bytes(memoSeeds[1], raw)}
}

func newMemo[P any](maxBytes int64, clone func(P) P, stored func(P, string)) *memo[P] {
	// A decoded object takes about twice its stored bytes.
	return &memo[P]{cache: lru.New(maxBytes, func(e memoEntry[P]) int64 { return int64(e.sum.n) * 2 }), clone: clone, stored: stored}
}

// decode returns the object of raw, from the memo when the same bytes were
// decoded before. A shared object is the kept one itself, which its reader
// must not modify; any other is the reader's own copy.
func (m *memo[P]) decode(kind string, key, raw []byte, unmarshal func([]byte) (P, error), shared bool) (P, error) {
	k := kind + "\x00" + string(key)
	sum := sumOf(raw)
	if e, ok := m.cache.Get(k); ok && e.sum == sum {
		if shared {
			return e.obj, nil
		}
		return m.clone(e.obj), nil
	}
	obj, err := unmarshal(raw)
	if err != nil {
		return obj, err
	}
	digest := sha256.Sum256(raw)
	m.stored(obj, hex.EncodeToString(digest[:]))
	kept := obj
	if !shared {
		kept = m.clone(obj)
	}
	m.cache.Put(k, memoEntry[P]{sum: sum, obj: kept})
	return obj, nil
}

// ahead has the bytes of an object just written decoded into the memo in
// the background, as they will be read: the next pack reads the sheet just
// saved, and the next save of it its stored copy; a freeze right after a
// round of 1,000 sheets was entered would otherwise decode each of them
// (at 1,000, 0.1-0.2 s and 80 MB). It is done off the write, whose
// transaction holds the writer, by one goroutine; when that goroutine is
// behind, an object is left to be decoded when it is read. Should the
// write not commit, the bytes kept are not the stored ones, and the memo
// decodes those afresh.
func (m *memo[P]) ahead(kind string, key, raw []byte, unmarshal func([]byte) (P, error)) {
	m.startOnce.Do(func() {
		m.written = make(chan written[P], 256)
		go func() {
			for w := range m.written {
				// Bytes that do not decode are reported when they are read.
				_, _ = m.decode(w.kind, []byte(w.key), w.raw, w.unmarshal, true)
			}
		}()
	})
	select {
	case m.written <- written[P]{kind: kind, key: string(key), raw: raw, unmarshal: unmarshal}:
	default:
	}
}

func (c *collection[T, P]) marshal(obj P) ([]byte, error) {
	if c.encode != nil {
		return c.encode(obj)
	}
	return json.Marshal(obj)
}

func (c *collection[T, P]) unmarshal(raw []byte) (P, error) {
	if c.decode != nil {
		return c.decode(raw)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// get returns the object of an opaque id, or ENOTFOUND.
func (c *collection[T, P]) get(tx kvTx, id string) (P, error) {
	key, err := keyOf(c.kind, id)
	if err != nil {
		return nil, err
	}
	obj, err := c.getKey(tx, key)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, notFound(c.kind, id)
	}
	return obj, nil
}

// getKey returns the object stored under key, or nil when there is none.
// Decoding copies it out of the transaction's memory.
func (c *collection[T, P]) getKey(tx kvTx, key []byte) (P, error) {
	return c.decodeKey(tx, key, false)
}

// decodeKey is getKey; shared says the caller will not modify the object,
// so a kept decoded object may be given as it is, not copied.
func (c *collection[T, P]) decodeKey(tx kvTx, key []byte, shared bool) (P, error) {
	raw := tx.Bucket(c.bucket).Get(key)
	if raw == nil {
		return nil, nil
	}
	return c.decodeRaw(key, raw, shared)
}

// decodeRaw decodes the bytes stored under key, through the memo when the
// kind has one.
func (c *collection[T, P]) decodeRaw(key, raw []byte, shared bool) (P, error) {
	var obj P
	var err error
	if c.memo != nil {
		obj, err = c.memo.decode(c.kind, key, raw, c.unmarshal, shared)
	} else {
		obj, err = c.unmarshal(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("store: decode %s %s: %w", c.kind, idString(key), err)
	}
	return obj, nil
}

// key returns the key of a parent id, or ENOTFOUND when no such parent is stored.
func (l *parentLink[P]) key(tx kvTx, id string) ([]byte, error) {
	k, ok := parseKey(id)
	if !ok || tx.Bucket(l.bucket).Get(k) == nil {
		return nil, notFound(l.kind, id)
	}
	return k, nil
}

// all returns a page of every object of the kind, in id order.
func (c *collection[T, P]) all(tx kvTx, p briefing.Page) ([]P, string, error) {
	return c.page(tx, tx.Bucket(c.bucket).Cursor(), nil, p)
}

// children returns a page of the objects belonging to parentID, in id
// order: ENOTFOUND for the parent.
func (c *collection[T, P]) children(tx kvTx, parentID string, p briefing.Page) ([]P, string, error) {
	return c.childrenOf(tx, parentID, p, false)
}

func (c *collection[T, P]) childrenOf(tx kvTx, parentID string, p briefing.Page, shared bool) ([]P, string, error) {
	pkey, err := c.parent.key(tx, parentID)
	if err != nil {
		return nil, "", err
	}
	return c.pageOf(tx, tx.Bucket(c.parent.index).Cursor(), pkey, p, shared)
}

// page reads the objects whose ids follow p.After from a cursor over keys
// prefix + id: the primary bucket (no prefix) or an index under a parent.
func (c *collection[T, P]) page(tx kvTx, cur kvCursor, prefix []byte, p briefing.Page) ([]P, string, error) {
	return c.pageOf(tx, cur, prefix, p, false)
}

func (c *collection[T, P]) pageOf(tx kvTx, cur kvCursor, prefix []byte, p briefing.Page, shared bool) ([]P, string, error) {
	after, err := cursorKey(p.After)
	if err != nil {
		return nil, "", err
	}
	limit := limitOf(p)
	start := join(prefix, after)
	if len(prefix) > 0 {
		cur = within(cur, prefix)
	}
	k, _ := cur.Seek(start)
	if after != nil && bytes.Equal(k, start) {
		k, _ = cur.Next()
	}
	// The page's stored bytes are read first, in order, and then decoded;
	// a kind read in bulk (one with a memo: a pack reads every sheet of a
	// round) on every processor. Decoding a round of 1,000 sheets not read
	// before was most of assembling its pack (0.15 s of JSON on one
	// processor).
	type stored struct{ id, raw []byte }
	var ids [][]byte
	next := ""
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		if len(ids) == limit {
			next = idString(ids[limit-1])
			break
		}
		ids = append(ids, bytes.Clone(k[len(prefix):]))
	}
	if len(prefix) > 0 {
		// An index's objects lie apart in their bucket: on etcd they are
		// read side by side rather than one round trip after another.
		prefetch(tx, c.bucket, ids)
	}
	page := make([]stored, 0, len(ids))
	for _, id := range ids {
		raw := tx.Bucket(c.bucket).Get(id)
		if raw == nil {
			return nil, "", fmt.Errorf("store: index of %s lists a missing %s %s", c.kind, c.kind, idString(id))
		}
		page = append(page, stored{id, raw})
	}
	out := make([]P, len(page))
	workers := 1 // a few are decoded sooner than goroutines start
	if c.memo != nil && len(page) >= 16 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The bytes are the transaction's, read only, while it lasts: they may
	// be decoded side by side.
	err = parallel.Some(workers, len(page), func(i int, _ *struct{}) error {
		return onMap(tx, func() error {
			obj, err := c.decodeRaw(page[i].id, page[i].raw, shared)
			out[i] = obj
			return err
		})
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// create assigns obj its id, version 1 and times, and stores it with its
// indexes, history and audit entry: ENOTFOUND for a missing parent,
// ECONFLICT for a taken unique value.
func (c *collection[T, P]) create(tx kvTx, obj P, by briefing.Actor, now time.Time) error {
	var pkey []byte
	if c.parent != nil {
		var err error
		if pkey, err = c.parent.key(tx, c.parent.id(obj)); err != nil {
			return err
		}
	}
	seq, err := tx.Bucket(c.bucket).NextSequence()
	if err != nil {
		return fmt.Errorf("store: next %s id: %w", c.kind, err)
	}
	key := itob(seq)
	*obj.GetMeta() = briefing.Meta{ID: idString(key), Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: by.Name}
	if pkey != nil {
		if err := tx.Bucket(c.parent.index).Put(join(pkey, key), nil); err != nil {
			return fmt.Errorf("store: index %s %s: %w", c.kind, idString(key), err)
		}
	}
	if err := c.reindex(tx, key, obj, nil); err != nil {
		return err
	}
	return c.put(tx, key, obj, opCreate, 0, by, "")
}

// update stores a new version of obj if obj.Version is the stored one:
// ENOTFOUND, ESTALE, ECONFLICT for a taken unique value. The parent and
// the creation time stay as stored.
func (c *collection[T, P]) update(tx kvTx, obj P, by briefing.Actor, now time.Time) error {
	m := obj.GetMeta()
	key, err := keyOf(c.kind, m.ID)
	if err != nil {
		return err
	}
	old, err := c.get(tx, m.ID)
	if err != nil {
		return err
	}
	om := old.GetMeta()
	if m.Version != om.Version {
		return briefing.Stale(c.kind, m.ID, om.Version, m.Version)
	}
	if c.parent != nil {
		c.parent.setID(obj, c.parent.id(old))
	}
	if c.keep != nil {
		c.keep(obj, old)
	}
	if err := c.reindex(tx, key, obj, old); err != nil {
		return err
	}
	*m = briefing.Meta{ID: om.ID, Version: om.Version + 1, CreatedAt: om.CreatedAt, UpdatedAt: now, UpdatedBy: by.Name}
	seen := ""
	if c.seen { // rounds and sheets: the settings read once for both
		set, err := readSettings(tx.Bucket(metaBucket), "the database", "")
		if err != nil {
			return err
		}
		if seen, err = seenFrom(tx, set, c.kind, old, obj); err != nil {
			return err
		}
		if err := noteRaised(tx, set, key, old, obj, m.Version, now, by); err != nil {
			return err
		}
	}
	return c.put(tx, key, obj, opUpdate, om.Version, by, seen)
}

// delete removes an object (only at version, if version > 0) and leaves a
// tombstone in its history: ENOTFOUND, ESTALE, ECONFLICT while it has
// dependents.
func (c *collection[T, P]) delete(tx kvTx, id string, version int, by briefing.Actor, now time.Time) error {
	key, err := keyOf(c.kind, id)
	if err != nil {
		return err
	}
	old, err := c.get(tx, id)
	if err != nil {
		return err
	}
	om := old.GetMeta()
	if version > 0 && version != om.Version {
		return briefing.Stale(c.kind, id, om.Version, version)
	}
	for _, d := range c.blockedBy {
		if k, _ := within(tx.Bucket(d.index).Cursor(), key).Seek(key); k != nil && bytes.HasPrefix(k, key) {
			return &briefing.Error{Code: briefing.ECONFLICT, Message: briefing.StillHas(c.kind, id, d.what)}
		}
	}
	if err := tx.Bucket(c.bucket).Delete(key); err != nil {
		return fmt.Errorf("store: delete %s %s: %w", c.kind, id, err)
	}
	if c.parent != nil {
		if pkey, ok := parseKey(c.parent.id(old)); ok {
			if err := tx.Bucket(c.parent.index).Delete(join(pkey, key)); err != nil {
				return fmt.Errorf("store: unindex %s %s: %w", c.kind, id, err)
			}
		}
	}
	if c.unique != nil {
		if err := tx.Bucket(c.unique.index).Delete(c.unique.key(old)); err != nil {
			return fmt.Errorf("store: unindex %s %s: %w", c.kind, id, err)
		}
	}
	if err := putHistory(tx, c.kind, key, om.Version+1, now, by, nil, briefing.VersionSummary{}, ""); err != nil {
		return err
	}
	return putAudit(tx, now, by, opDelete, c.kind, id, om.Version, 0, "")
}

// reindex keeps the unique index: obj takes its value (ECONFLICT if another
// object holds it), and old (nil on create) gives its own back.
func (c *collection[T, P]) reindex(tx kvTx, key []byte, obj, old P) error {
	u := c.unique
	if u == nil {
		return nil
	}
	idx := tx.Bucket(u.index)
	k := u.key(obj)
	if owner := idx.Get(k); owner != nil && !bytes.Equal(owner, key) {
		return &briefing.Error{Code: briefing.ECONFLICT, Message: fmt.Sprintf("a %s with %s %s exists already", c.kind, u.field, u.value(obj)),
			Fields: map[string]string{u.field: "is taken"}}
	}
	if old != nil && !bytes.Equal(u.key(old), k) {
		if err := idx.Delete(u.key(old)); err != nil {
			return fmt.Errorf("store: unindex %s %s: %w", c.kind, idString(key), err)
		}
	}
	if err := idx.Put(k, key); err != nil {
		return fmt.Errorf("store: index %s %s: %w", c.kind, idString(key), err)
	}
	return nil
}

// put writes an object's record, its history entry and its audit entry,
// both with seen (see the field seen).
func (c *collection[T, P]) put(tx kvTx, key []byte, obj P, op string, from int, by briefing.Actor, seen string) error {
	m := obj.GetMeta()
	raw, err := c.marshal(obj)
	if err != nil {
		return fmt.Errorf("store: encode %s %s: %w", c.kind, m.ID, err)
	}
	if err := tx.Bucket(c.bucket).Put(key, raw); err != nil {
		return fmt.Errorf("store: put %s %s: %w", c.kind, m.ID, err)
	}
	if c.memo != nil {
		c.memo.ahead(c.kind, key, raw, c.unmarshal)
	}
	data := raw
	if c.encode != nil {
		if data, err = json.Marshal(obj); err != nil {
			return fmt.Errorf("store: encode %s %s: %w", c.kind, m.ID, err)
		}
	}
	if err := putHistory(tx, c.kind, key, m.Version, m.UpdatedAt, by, data, summaryOf(obj), seen); err != nil {
		return err
	}
	return putAudit(tx, m.UpdatedAt, by, op, c.kind, m.ID, from, m.Version, seen)
}

// Operations named in the audit log.
const (
	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// auditEntry is how an audit record is stored: with Seen, which the
// domain type keeps out of its JSON so that it is never served.
type auditEntry struct {
	briefing.AuditRecord
	// Seq is kept as every release kept it, though the record's JSON as
	// answered leaves it out (briefing.AuditRecord).
	Seq  uint64 `json:"seq"`
	Seen string `json:"seen,omitempty"`
}

// newAuditEntry is rec as the store keeps it, with what is kept beside it.
func newAuditEntry(rec briefing.AuditRecord, seen string) auditEntry {
	return auditEntry{AuditRecord: rec, Seq: rec.Seq, Seen: seen}
}

func decodeAudit(raw []byte) (*briefing.AuditRecord, error) {
	var e auditEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	e.AuditRecord.Seen, e.AuditRecord.Seq = e.Seen, e.Seq
	return &e.AuditRecord, nil
}

// putAudit appends an audit record. A deletion goes to version 0: nothing.
// seen is the lowest clearance that sees the change, "" for whoever sees
// the object.
func putAudit(tx kvTx, at time.Time, by briefing.Actor, op, kind, id string, from, to int, seen string) error {
	b := tx.Bucket(auditBucket)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("store: next audit sequence: %w", err)
	}
	raw, err := json.Marshal(newAuditEntry(briefing.AuditRecord{Seq: seq, At: at, UserID: by.UserID, UserName: by.Name, Op: op,
		Kind: kind, ObjectID: id, FromVersion: from, ToVersion: to}, seen))
	if err != nil {
		return fmt.Errorf("store: encode audit record: %w", err)
	}
	if err := b.Put(itob(seq), raw); err != nil {
		return fmt.Errorf("store: put audit record %d: %w", seq, err)
	}
	return nil
}

// The transactions of the public methods, written once for every kind.

func get[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], id string) (_ P, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	return c.get(tx, id)
}

func all[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], p briefing.Page) (_ []P, _ string, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer end(tx, &err)
	return c.all(tx, p)
}

func children[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], parentID string, p briefing.Page) (_ []P, _ string, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer end(tx, &err)
	return c.children(tx, parentID, p)
}

func create[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], obj P, by briefing.Actor) error {
	return write(ctx, db, obj, func(tx kvTx, now time.Time) error { return c.create(tx, obj, by, now) })
}

func update[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], obj P, by briefing.Actor) error {
	return write(ctx, db, obj, func(tx kvTx, now time.Time) error { return c.update(tx, obj, by, now) })
}

// write runs fn on obj in a write transaction and commits it. On any
// failure obj is given back as the caller passed it, so a caller never
// holds an id or version that was not stored.
func write[T any, P object[T]](ctx context.Context, db *DB, obj P, fn func(kvTx, time.Time) error) error {
	saved := *obj
	err := db.update(ctx, func(tx kvTx) error {
		*obj = saved // a run again starts from what the caller passed
		return fn(tx, db.now())
	})
	if err != nil {
		*obj = saved
	}
	return err
}

func remove[T any, P object[T]](ctx context.Context, db *DB, c *collection[T, P], id string, version int, by briefing.Actor) error {
	return db.update(ctx, func(tx kvTx) error { return c.delete(tx, id, version, by, db.now()) })
}
