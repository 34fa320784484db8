package lru

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func strlen(s string) int64 { return int64(len(s)) }

func TestCache_EvictsLeastRecentlyUsedByBytes(t *testing.T) {
	c := New[string](100, strlen)
	for i := 0; i < 4; i++ {
		c.Put(fmt.Sprint(i), strings.Repeat("x", 20)) // 21 bytes each with the key
	}
	if _, ok := c.Get("0"); !ok { // 0 is now the most recently used
		t.Fatal("0 evicted early")
	}
	c.Put("4", strings.Repeat("y", 20)) // 105 > 100: the least recently used (1) goes
	if _, ok := c.Get("1"); ok {
		t.Error("1 was not evicted")
	}
	for _, k := range []string{"0", "2", "3", "4"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	if c.Size() > 100 || c.Len() != 4 {
		t.Errorf("size %d, len %d", c.Size(), c.Len())
	}
	c.Put("big", strings.Repeat("z", 200))
	if _, ok := c.Get("big"); ok || c.Len() != 4 {
		t.Error("a value larger than the cache was kept, or emptied it")
	}
	c.Put("2", "short") // replacing an entry counts its new size only
	if v, _ := c.Get("2"); v != "short" || c.Size() != 21*3+6 {
		t.Errorf("replace: %q, size %d", v, c.Size())
	}
	c.Remove("2")
	if _, ok := c.Get("2"); ok || c.Size() != 21*3 {
		t.Errorf("remove: size %d", c.Size())
	}
	c.Clear()
	if c.Len() != 0 || c.Size() != 0 {
		t.Error("not cleared")
	}
}

// TestCache_PutLatest: a value put under a slot drops the one put before
// under the same slot, and no other; the slots are forgotten with their
// entries, so they do not grow with every slot ever used.
func TestCache_PutLatest(t *testing.T) {
	c := New[string](1000, strlen)
	c.PutLatest("sheet 1", "v1", "section 1 at version 1")
	c.PutLatest("sheet 2", "w1", "section 2 at version 1")
	c.Put("other", "not in a slot")
	c.PutLatest("sheet 1", "v2", "section 1 at version 2")
	if _, ok := c.Get("v1"); ok {
		t.Error("the version superseded was kept")
	}
	for _, k := range []string{"v2", "w1", "other"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s was dropped", k)
		}
	}
	c.PutLatest("sheet 1", "v2", "section 1 at version 2, put again")
	if v, ok := c.Get("v2"); !ok || !strings.HasSuffix(v, "again") {
		t.Error("putting the latest again dropped it")
	}
	want := int64(len("w1section 2 at version 1") + len("othernot in a slot") + len("v2section 1 at version 2, put again"))
	if c.Size() != want || c.Len() != 3 {
		t.Errorf("size %d (want %d), len %d", c.Size(), want, c.Len())
	}
	// A value too large to keep still supersedes the slot's.
	c.PutLatest("sheet 2", "w2", strings.Repeat("section 2 at version 2 ", 50))
	if _, ok := c.Get("w1"); ok || c.Slots() != 1 || c.Size() != want-int64(len("w1section 2 at version 1")) {
		t.Errorf("a value too large to keep left the one it superseded: %d slots, size %d", c.Slots(), c.Size())
	}
	// Evicted or removed, an entry takes its slot with it.
	small := New[string](60, strlen)
	for i := range 50 {
		small.PutLatest(fmt.Sprint("slot ", i), fmt.Sprint("key ", i), "a value")
	}
	small.Remove("key 49")
	if small.Slots() != small.Len() {
		t.Errorf("%d slots for %d entries", len(small.latest), small.Len())
	}
	c.Clear()
	if len(c.latest) != 0 {
		t.Error("slots kept after Clear")
	}
}

// TestCache_GetLatest: a value put without a slot and found for one
// becomes the slot's, dropping the one the slot held; claimed for another
// slot, it leaves the first empty, and the first's next value drops
// nothing of it.
func TestCache_GetLatest(t *testing.T) {
	c := New[string](1000, strlen)
	c.PutLatest("p1", "stored text", "rendered stored text")
	c.Put("saved text", "rendered saved text") // rendered before the save was stored
	if _, ok := c.GetLatest("p1", "saved text"); !ok {
		t.Fatal("the value put was not found")
	}
	if _, ok := c.Get("stored text"); ok {
		t.Error("the slot's value before was kept when another was claimed for it")
	}
	c.GetLatest("p2", "saved text") // a second paragraph of the same text
	c.PutLatest("p1", "newer text", "rendered newer text")
	if _, ok := c.Get("saved text"); !ok {
		t.Error("a value claimed by another slot was dropped with its first slot's next value")
	}
	if _, ok := c.GetLatest("p3", "never put"); ok || len(c.latest) != 2 {
		t.Errorf("a value never put was found, or slots are %v", c.latest)
	}
}

// TestCache_DropLatest: dropping a slot's value drops that value and no
// other, and leaves the slot empty; an empty slot drops nothing.
func TestCache_DropLatest(t *testing.T) {
	c := New[string](1000, strlen)
	c.PutLatest("full p1", "full text", "rendered with its spans")
	c.PutLatest("release p1", "release text", "rendered without them")
	c.Put("other", "not in a slot")
	c.DropLatest("full p1")
	if _, ok := c.Get("full text"); ok {
		t.Error("the slot's value was kept")
	}
	for _, k := range []string{"release text", "other"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s was dropped", k)
		}
	}
	c.DropLatest("full p1")
	c.DropLatest("never put")
	if c.Len() != 2 || len(c.latest) != 1 {
		t.Errorf("%d entries and slots %v, want 2 and the release slot", c.Len(), c.latest)
	}
}

// TestCache_SlotsConsistent: under random puts, claims, gets, removals
// and evictions, the bytes counted are the entries', every slot names a
// kept entry of that slot, and no slot holds two.
func TestCache_SlotsConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := New[string](200, strlen)
	for op := range 100000 {
		k, s := fmt.Sprint("k", rng.IntN(12)), fmt.Sprint("s", rng.IntN(5))
		switch v := strings.Repeat("x", rng.IntN(60)); rng.IntN(11) {
		case 0, 1, 2:
			c.Put(k, v)
		case 3, 4, 5:
			c.PutLatest(s, k, v)
		case 6, 7:
			c.GetLatest(s, k)
		case 8:
			c.Get(k)
		case 9:
			if rng.IntN(2) == 0 {
				c.Remove(k)
			} else {
				c.DropLatest(s)
			}
		case 10:
			if rng.IntN(50) == 0 {
				c.Clear()
			}
		}
		var size int64
		held := map[string]int{}
		for e := c.order.Front(); e != nil; e = e.Next() {
			en := e.Value.(*entry[string])
			size += en.n
			if c.items[en.key] != e {
				t.Fatalf("op %d: the map and the list disagree on %s", op, en.key)
			}
			if en.slot != "" {
				if held[en.slot]++; held[en.slot] > 1 || c.latest[en.slot] != en.key {
					t.Fatalf("op %d: slot %s holds %d entries, names %q", op, en.slot, held[en.slot], c.latest[en.slot])
				}
			}
		}
		if size != c.size || len(c.items) != c.order.Len() || size > c.max {
			t.Fatalf("op %d: size %d counted %d of %d", op, size, c.size, c.max)
		}
		if len(c.latest) != len(held) {
			t.Fatalf("op %d: %d slots for %d entries in slots", op, len(c.latest), len(held))
		}
	}
}
