package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/internal/lru"
)

// valueCache keeps values read from etcd, each with the revision it was
// written at, and a watch on the database's keys keeps it true: every put
// or delete of a kept key replaces it, in revision order. A transaction
// reads the database as it stood at its last commit (the write token's mod
// revision: between commits nothing of the database changes), so a kept
// value answers it when the watch has passed that commit and the value is
// from at or before it. Anything else is read from etcd. The cache is a
// copy of what etcd holds at known revisions, never a source of truth:
// every server's cache follows the same commits. A database opened to read
// only has none (nil), which keeps nothing and answers nothing.
type valueCache struct {
	mu       sync.Mutex
	watchRev int64 // every event up to here is applied
	since    int64 // the revision the watch started from
	kept     *lru.Cache[cached]
	// Pages of keys read by cursors are kept too, each with the commit it
	// was read as of and the keys it covers; a page answers a later
	// transaction while no key it covers has changed since. changed holds
	// each bucket's latest changes, and floor the revision before which
	// they are no longer known one by one.
	pages   *lru.Cache[page]
	changed map[string][]change
	floor   map[string]int64
	prefix  string // the data keys' prefix, "…/b/"
}

type page struct {
	kvs    []pair
	more   bool
	asOf   int64
	lo, hi string // the etcd keys the page covers: lo ≤ key < hi
}

type change struct {
	key string
	rev int64
}

// keptChanges is how many of a bucket's latest changes are kept.
const keptChanges = 512

type cached struct {
	raw []byte // the stored (tagged) value; nil for a key that is absent
	mod int64  // the revision it was written (or deleted) at; 0 for absent since ever
}

// cacheBytes bounds the values a server keeps.
const cacheBytes = 128 << 20

func newValueCache(dataPrefix string) *valueCache {
	return &valueCache{kept: lru.New(cacheBytes, func(c cached) int64 { return int64(len(c.raw)) + 48 }),
		pages: lru.New(cacheBytes/4, func(p page) int64 {
			n := int64(64)
			for _, kv := range p.kvs {
				n += int64(len(kv.k)+len(kv.v)) + 48
			}
			return n
		}),
		changed: map[string][]change{}, floor: map[string]int64{}, prefix: dataPrefix}
}

// bucketOf is the bucket of a data key, "" for any other key.
func (c *valueCache) bucketOf(key string) string {
	if len(key) <= len(c.prefix) || key[:len(c.prefix)] != c.prefix {
		return ""
	}
	rest := key[len(c.prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == 0 {
			return rest[:i]
		}
	}
	return ""
}

// frozenFile says whether key is a frozen file's (a snapshot's or a
// release's), whose value is not kept here, however small: what serves a
// frozen file keeps it once, decoded, if it keeps it at all (the API's
// cache of frozen files), as for the chunks of a large one (getUnkept).
// One small enough for one key was kept at the commit that wrote it and
// again when the watch saw it, each a megabyte, and pushed out of the
// cache the records it is for.
func (c *valueCache) frozenFile(key string) bool {
	b := c.bucketOf(key)
	return b == string(fileBucket) || b == string(releaseFiles)
}

// getPage returns a kept page of bucket as of the commit at asOf.
func (c *valueCache) getPage(bucket, key string, asOf int64) (page, bool) {
	if c == nil {
		return page{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watchRev < asOf {
		return page{}, false
	}
	p, ok := c.pages.Get(key)
	if !ok || p.asOf > asOf || p.asOf < c.since || c.floor[bucket] > p.asOf {
		return page{}, false
	}
	for _, ch := range c.changed[bucket] {
		if ch.rev > p.asOf && p.lo <= ch.key && ch.key < p.hi {
			return page{}, false
		}
	}
	return p, true
}

func (c *valueCache) putPage(key string, p page) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watchRev == 0 || p.asOf < c.since {
		return
	}
	c.pages.Put(key, p)
}

// get returns the value of key as of the commit at asOf, if kept.
func (c *valueCache) get(key string, asOf int64) (cached, bool) {
	if c == nil {
		return cached{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.kept.Get(key)
	if !ok || v.mod > asOf {
		return cached{}, false
	}
	// A value written by the commit at asOf itself is the value then,
	// whatever the watch has seen; any other needs the watch to have
	// passed asOf, so that no change between is missed.
	if c.watchRev < asOf && v.mod != asOf {
		return cached{}, false
	}
	return v, true
}

// put keeps a value read (or written) at revision readRev. When the watch
// has passed readRev already, an event for the key beyond it may have been
// let go (the watch updates only the keys kept): the value is kept then
// only if its bucket's changes since readRev, known one by one, hold none
// to the key. Under other servers' saves the watch passes a request's
// revision within milliseconds: a pack reading 300 sheets from etcd, one
// after another, kept almost none of them, and the next pack read them from
// etcd again. A frozen file is never kept (frozenFile).
func (c *valueCache) put(key string, v cached, readRev int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watchRev == 0 || c.frozenFile(key) || c.watchRev > readRev && !c.unchangedSince(key, readRev) {
		return
	}
	if old, ok := c.kept.Get(key); ok && old.mod > v.mod {
		return
	}
	c.kept.Put(key, v)
}

// unchangedSince says whether the watch is known to have applied no change
// to key after revision rev: the key is a data key, the watch has followed
// its bucket since before rev, and the bucket's changes kept one by one
// reach back to rev and name no change to it. Under c.mu.
func (c *valueCache) unchangedSince(key string, rev int64) bool {
	b := c.bucketOf(key)
	if b == "" || rev < c.since || c.floor[b] > rev {
		return false
	}
	cs := c.changed[b]
	for i := len(cs) - 1; i >= 0 && cs[i].rev > rev; i-- {
		if cs[i].key == key {
			return false
		}
	}
	return true
}

// apply applies one watch response.
func (c *valueCache) apply(resp clientv3.WatchResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ev := range resp.Events {
		key := string(ev.Kv.Key)
		if b := c.bucketOf(key); b != "" {
			cs := append(c.changed[b], change{key, ev.Kv.ModRevision})
			if len(cs) > keptChanges {
				c.floor[b] = cs[len(cs)-keptChanges-1].rev
				cs = append(cs[:0:0], cs[len(cs)-keptChanges:]...)
			}
			c.changed[b] = cs
		}
		if _, ok := c.kept.Get(key); ok {
			if ev.Type == clientv3.EventTypeDelete {
				c.kept.Put(key, cached{mod: ev.Kv.ModRevision})
			} else {
				c.kept.Put(key, cached{raw: ev.Kv.Value, mod: ev.Kv.ModRevision})
			}
		}
		c.watchRev = max(c.watchRev, ev.Kv.ModRevision)
	}
}

// reset forgets everything, when the watch was broken and events may have
// been missed.
func (c *valueCache) reset(rev int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept.Clear()
	c.pages.Clear()
	clear(c.changed)
	clear(c.floor)
	c.watchRev, c.since = rev, rev
}

// watch keeps the cache until ctx ends, starting again from an empty
// cache whenever the watch is broken (etcd compacted past it, say).
func (k *etcdKV) watch(ctx context.Context) {
	for ctx.Err() == nil {
		resp, err := k.cli.Get(ctx, k.revKey())
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		start := resp.Header.Revision
		k.cache.reset(start)
		k.presence.wakeAll() // what went by while the watch was down is not known
		wch := k.cli.Watch(clientv3.WithRequireLeader(ctx), k.prefix, clientv3.WithPrefix(), clientv3.WithRev(start+1))
		presence := k.dataPrefix(presenceBucket)
		for wr := range wch {
			if wr.Err() != nil || wr.Canceled {
				break
			}
			k.cache.apply(wr)
			k.watched.Add(1)
			k.watchSchema(wr)
			k.presence.watched(presence, wr.Events)
		}
		k.cache.reset(0) // nothing is served from the cache until the watch is back
	}
}

// AwaitWatch waits until the server's watch has applied every commit made
// to the database before it was called, by this server or any other, or
// until ctx ends: from then on the server's cache may answer what those
// commits wrote. A test of several servers waits so for what another
// wrote to reach this one's cache, where a pause could end too soon. A
// bbolt file, or a database opened to read only, has no watch: nothing is
// waited for.
func (db *DB) AwaitWatch(ctx context.Context) error {
	k, ok := db.kv.(*etcdKV)
	if !ok || k.cache == nil {
		return nil
	}
	return k.awaitWatch(ctx)
}

// awaitWatch is AwaitWatch on etcd: every commit puts the write token, so
// the watch has applied them all once it has seen the token's last put.
func (k *etcdKV) awaitWatch(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, k.timeout)
	resp, err := k.cli.Get(rctx, k.revKey())
	cancel()
	if err != nil {
		return fmt.Errorf("store: await the watch: %w", etcdError(err))
	}
	if len(resp.Kvs) == 0 {
		return nil // nothing committed yet
	}
	last := resp.Kvs[0].ModRevision
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		k.cache.mu.Lock()
		seen := k.cache.watchRev
		k.cache.mu.Unlock()
		if seen >= last {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: the watch has not seen revision %d (it is at %d): %w", last, seen, ctx.Err())
		case <-tick.C:
		}
	}
}
