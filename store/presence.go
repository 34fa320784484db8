package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
)

// Present records that user has an object open and returns the others seen
// on it since since, most recent first. Records older than since are
// dropped as they are met, and every presenceSweepEvery-th arrival drops
// those of every object, so the bucket does not grow: a record of someone
// who closed an object without a Leave (a crash, a lost connection) on an
// object nobody opens again was otherwise kept for good. Someone's arrival
// (their record new, or stale until now) and a record dropped wake those
// waiting on the object (PresenceChanges); a record renewed wakes nobody.
func (db *DB) Present(ctx context.Context, kind, id, user string, at, since time.Time) ([]briefing.Presence, error) {
	prefix := presencePrefix(kind, id)
	var out []briefing.Presence
	var changed, returning bool
	var swept map[string]bool // the objects whose stale records a sweep dropped
	err := db.update(ctx, func(tx kvTx) error {
		out, changed, returning, swept = nil, false, false, nil
		b := tx.Bucket(presenceBucket)
		var stale [][]byte
		arrived := true
		c := within(b.Cursor(), prefix)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			t, err := presenceTime(v)
			name := string(k[len(prefix):])
			switch {
			case err != nil || t.Before(since):
				stale = append(stale, bytes.Clone(k))
				returning = returning || name == user
			case name != user:
				out = append(out, briefing.Presence{User: name, At: t})
			default:
				arrived = false
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("store: presence: %w", err)
			}
		}
		changed = arrived || len(stale) > 0
		if returning {
			// Their stale record goes in this commit and the new one in
			// the next: written over in one, it would be a record renewed
			// to another server's watch, which wakes nobody.
			return nil
		}
		if err := b.Put(join(prefix, []byte(user)), presenceValue(at)); err != nil {
			return fmt.Errorf("store: presence: %w", err)
		}
		if arrived {
			seq, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("store: presence: %w", err)
			}
			if seq%presenceSweepEvery == 0 {
				if swept, err = sweepPresence(b, since); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && returning {
		err = db.update(ctx, func(tx kvTx) error {
			return tx.Bucket(presenceBucket).Put(join(prefix, []byte(user)), presenceValue(at))
		})
	}
	if err != nil {
		return nil, err
	}
	if changed {
		db.presenceMoved(prefix)
	}
	for p := range swept {
		if p != string(prefix) || !changed {
			db.presenceMoved([]byte(p))
		}
	}
	slices.SortFunc(out, func(a, b briefing.Presence) int { return b.At.Compare(a.At) })
	return out, nil
}

// presenceSweepEvery is how many arrivals come between sweeps of every
// object's stale records (Present).
const presenceSweepEvery = 256

// sweepPresence drops, in b (the presence bucket), every record written
// before since, and returns the prefixes of the objects it dropped them on.
func sweepPresence(b kvBucket, since time.Time) (map[string]bool, error) {
	var stale [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if t, err := presenceTime(v); err != nil || t.Before(since) {
			stale = append(stale, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: presence: %w", err)
	}
	swept := map[string]bool{}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return nil, fmt.Errorf("store: presence: %w", err)
		}
		if p, ok := presenceObject(string(k)); ok {
			swept[p] = true
		}
	}
	return swept, nil
}

// Leave drops user's record on an object, when there is one written
// before before, and wakes those waiting on it (on etcd, through every
// server's watch).
//
// Most leaves find nothing to drop (a save's page closing as the next one
// has written its record), so the record is read first and a write made
// only for one to drop: a write with nothing in it still commits a bbolt
// file, a sync of the disk for nothing.
func (db *DB) Leave(ctx context.Context, kind, id, user string, before time.Time) error {
	key := join(presencePrefix(kind, id), []byte(user))
	if drop, err := db.presenceGone(ctx, key, before); err != nil || !drop {
		return err
	}
	left := false
	err := db.update(ctx, func(tx kvTx) error {
		if left = presenceBefore(tx, key, before); !left {
			return nil
		}
		if err := tx.Bucket(presenceBucket).Delete(key); err != nil {
			return fmt.Errorf("store: presence: %w", err)
		}
		return nil
	})
	if err == nil && left {
		db.presenceMoved(presencePrefix(kind, id))
	}
	return err
}

// presenceGone reports, reading, whether the record at key was written
// before before (see Leave).
func (db *DB) presenceGone(ctx context.Context, key []byte, before time.Time) (_ bool, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return false, err
	}
	defer end(tx, &err)
	return presenceBefore(tx, key, before), nil
}

// presenceBefore reports whether tx holds a record at key written before
// before (or not readable as a time).
func presenceBefore(tx kvTx, key []byte, before time.Time) bool {
	v := tx.Bucket(presenceBucket).Get(key)
	if v == nil {
		return false
	}
	t, err := presenceTime(v)
	return err != nil || t.Before(before)
}

// Others returns the others seen on an object since since, most recent
// first, as Present does, recording nothing and dropping nothing.
func (db *DB) Others(ctx context.Context, kind, id, user string, since time.Time) (_ []briefing.Presence, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	prefix := presencePrefix(kind, id)
	var out []briefing.Presence
	c := within(tx.Bucket(presenceBucket).Cursor(), prefix)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		t, err := presenceTime(v)
		if name := string(k[len(prefix):]); err == nil && !t.Before(since) && name != user {
			out = append(out, briefing.Presence{User: name, At: t})
		}
	}
	slices.SortFunc(out, func(a, b briefing.Presence) int { return b.At.Compare(a.At) })
	return out, nil
}

// PresenceChanges returns a channel that receives when someone arrives on
// an object or their record is dropped, through this server or (etcd) any
// server of the cluster, until stop is called. A receive is a reason to
// read again (Others), no more: it may come when nothing changed for the
// reader, and several changes may come as one.
func (db *DB) PresenceChanges(kind, id string) (<-chan struct{}, func()) {
	return db.presenceHub().subscribe(string(presencePrefix(kind, id)))
}

// presenceValue is a presence record's value: when it was written.
func presenceValue(at time.Time) []byte { return []byte(at.UTC().Format(time.RFC3339Nano)) }

// presenceTime reads a presence record's value (presenceValue).
func presenceTime(v []byte) (time.Time, error) { return time.Parse(time.RFC3339Nano, string(v)) }

// presenceMoved wakes those waiting on the object of prefix after someone
// arrived or a record was dropped. On etcd every server's watch wakes its
// own waiters, this one's too, so only a bbolt file's are woken here.
func (db *DB) presenceMoved(prefix []byte) {
	if _, watched := db.kv.(*etcdKV); !watched {
		db.presenceHub().wake(string(prefix))
	}
}

// presencePrefix is the start of the presence records of one object.
func presencePrefix(kind, id string) []byte {
	return join([]byte(kind), []byte{0}, []byte(id), []byte{0})
}

// presenceObject is the presencePrefix of the object a presence record's
// key is of: kind, 0, id, 0, user, the prefix ending at the second 0.
func presenceObject(key string) (string, bool) {
	i := strings.IndexByte(key, 0)
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(key[i+1:], 0)
	if j < 0 {
		return "", false
	}
	return key[:i+1+j+1], true
}

// presenceHub holds who waits on which object's presence, to wake them: a
// bbolt file's Present wakes them itself (it is the only server); on etcd
// the watch that keeps the cache (see valueCache) wakes them for every
// server's commits. It keeps no presence: that is the store's alone.
type presenceHub struct {
	mu      sync.Mutex
	waiting map[string]map[chan struct{}]struct{} // by presencePrefix
}

func (db *DB) presenceHub() *presenceHub {
	if k, ok := db.kv.(*etcdKV); ok {
		return &k.presence
	}
	return &db.presence
}

func (h *presenceHub) subscribe(key string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiting == nil {
		h.waiting = map[string]map[chan struct{}]struct{}{}
	}
	if h.waiting[key] == nil {
		h.waiting[key] = map[chan struct{}]struct{}{}
	}
	h.waiting[key][ch] = struct{}{}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.waiting[key], ch)
		if len(h.waiting[key]) == 0 {
			delete(h.waiting, key)
		}
	}
}

// wake wakes those waiting on one object; one already woken stays so.
func (h *presenceHub) wake(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.waiting[key] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// wakeAll wakes everyone waiting: the watch was broken, and a change may
// have gone by unseen.
func (h *presenceHub) wakeAll() {
	h.mu.Lock()
	keys := make([]string, 0, len(h.waiting))
	for k := range h.waiting {
		keys = append(keys, k)
	}
	h.mu.Unlock()
	for _, k := range keys {
		h.wake(k)
	}
}

// watched wakes those waiting on the objects whose presence records the
// watch saw created or deleted; prefix is the etcd keys' of the presence
// bucket. A record renewed is a change of value alone, and wakes nobody.
func (h *presenceHub) watched(prefix string, evs []*clientv3.Event) {
	for _, ev := range evs {
		key := string(ev.Kv.Key)
		if len(key) <= len(prefix) || key[:len(prefix)] != prefix || !(ev.Type == clientv3.EventTypeDelete || ev.IsCreate()) {
			continue
		}
		if p, ok := presenceObject(key[len(prefix):]); ok {
			h.wake(p)
		}
	}
}
