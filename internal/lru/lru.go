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
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*entry[V]).val, true
	}
	var zero V
	return zero, false
}

// Put keeps v under key, evicting the least recently used entries while the
// cache holds more than its bound. A value larger than the bound is not kept.
func (c *Cache[V]) Put(key string, v V) { c.put("", key, v) }

// PutLatest is Put for a value that supersedes the one last put under the
// same slot — a sheet's section, say, for one edition and clearance, its
// slot the sheet's id: that one is dropped at once, as nothing will ask
// for it again, where Put would keep it until it was the least recently
// used. A cache of sections of sheets saved over and over otherwise fills
// with their past versions, which the collector must then carry: under the
// load test, 49 MB of a 100 MB heap.
func (c *Cache[V]) PutLatest(slot, key string, v V) { c.put(slot, key, v) }

func (c *Cache[V]) put(slot, key string, v V) {
	n := c.sizer(v) + int64(len(key)) + int64(len(slot))
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return
	}
	c.remove(key)
	if slot != "" {
		if old, ok := c.latest[slot]; ok {
			c.remove(old)
		}
		c.latest[slot] = key
	}
	c.items[key] = c.order.PushFront(&entry[V]{key, v, n, slot})
	c.size += n
	for c.size > c.max {
		c.remove(c.order.Back().Value.(*entry[V]).key)
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
