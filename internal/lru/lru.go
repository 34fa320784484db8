// Package lru is a cache bounded by the bytes it holds: when a new entry
// would pass the bound, the least recently used entries go first, one by
// one, never the whole cache at once. It is safe for concurrent use.
//
// Entries are keyed by what they were built from (a hash of the input, or
// an object's id and version), so an entry is never stale, only unused.
package lru

import (
	"container/list"
	"sync"
)

// Cache keeps values of type V under string keys.
type Cache[V any] struct {
	mu    sync.Mutex
	max   int64
	size  int64
	items map[string]*list.Element
	order list.List // front: most recently used
	sizer func(V) int64
	// latest is the key last put under each slot (PutLatest), for as long
	// as its entry is kept.
	latest map[string]string
}

type entry[V any] struct {
	key  string
	val  V
	n    int64
	slot string // "" unless put by PutLatest
}

// New returns a cache holding at most max bytes, as sizer counts them.
func New[V any](max int64, sizer func(V) int64) *Cache[V] {
	return &Cache[V]{max: max, items: map[string]*list.Element{}, sizer: sizer, latest: map[string]string{}}
}

// Get returns the value under key and marks it used.
func (c *Cache[V]) Get(key string) (V, bool) { return c.GetLatest("", key) }

// Put keeps v under key, evicting the least recently used entries while the
// cache holds more than its bound. A value larger than the bound is not kept.
func (c *Cache[V]) Put(key string, v V) { c.put("", key, v) }

// PutLatest is Put for a value that supersedes the one last put under the
// same slot — a sheet's section, say, for one edition and clearance, its
// slot the sheet's id: that one is dropped at once, as nothing will ask
// for it again, where Put would keep it until it was the least recently
// used. A cache of sections of sheets saved over and over otherwise fills
// with their past versions, which the collector must then carry: under the
// load test, 49 MB of a 100 MB heap. An empty slot is none: PutLatest is
// then Put.
func (c *Cache[V]) PutLatest(slot, key string, v V) { c.put(slot, key, v) }

// GetLatest is Get for a value of a slot: a value found becomes its
// slot's, as PutLatest would have made it, and the one the slot held
// before is dropped. A value is thus put by whoever first has it (say, a
// paragraph's text rendered when it is saved, before the save is known to
// have been stored) and claimed for the slot by whoever knows it is the
// slot's (the pack, rendering the stored text). With an empty slot it is
// Get.
func (c *Cache[V]) GetLatest(slot, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	en := e.Value.(*entry[V])
	if slot != "" {
		c.claim(slot, en)
	}
	return en.val, true
}

func (c *Cache[V]) put(slot, key string, v V) {
	n := c.sizer(v) + int64(len(key))
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		// Not kept, it still supersedes what its slot held.
		if old, ok := c.latest[slot]; ok && slot != "" {
			c.remove(old)
		}
		return
	}
	c.remove(key)
	en := &entry[V]{key: key, val: v, n: n}
	c.items[key] = c.order.PushFront(en)
	c.size += n
	if slot != "" {
		c.claim(slot, en)
	}
	for c.size > c.max {
		c.remove(c.order.Back().Value.(*entry[V]).key)
	}
}

// claim makes en the entry of slot, dropping the one the slot held before.
// An entry is in one slot at most, and a slot holds one entry at most: an
// entry claimed from another slot leaves that slot empty (a text two
// paragraphs share is kept for the last to claim it).
func (c *Cache[V]) claim(slot string, en *entry[V]) {
	if en.slot == slot {
		return
	}
	if en.slot != "" && c.latest[en.slot] == en.key {
		delete(c.latest, en.slot)
	}
	if old, ok := c.latest[slot]; ok {
		c.remove(old)
	}
	en.slot = slot
	c.latest[slot] = en.key
}

// DropLatest drops the entry last put under slot (or claimed for it), if
// it is still kept: for a slot a value of another kind now stands in.
func (c *Cache[V]) DropLatest(slot string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key, ok := c.latest[slot]; ok {
		c.remove(key)
	}
}

// Remove drops the entry under key, if any.
func (c *Cache[V]) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
}

// remove is Remove, under c.mu.
func (c *Cache[V]) remove(key string) {
	e, ok := c.items[key]
	if !ok {
		return
	}
	old := e.Value.(*entry[V])
	c.size -= old.n
	c.order.Remove(e)
	delete(c.items, key)
	if old.slot != "" && c.latest[old.slot] == key {
		delete(c.latest, old.slot)
	}
}

// Slots reports the number of slots (PutLatest) whose entry is kept: never
// more than Len, as a slot is forgotten with its entry.
func (c *Cache[V]) Slots() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.latest)
}

// Len and Size report the number of entries and the bytes they hold.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache[V]) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Clear empties the cache.
func (c *Cache[V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = map[string]*list.Element{}
	c.latest = map[string]string{}
	c.order.Init()
	c.size = 0
}
