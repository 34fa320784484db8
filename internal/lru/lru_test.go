package lru

import (
	"fmt"
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
	want := int64(len("w1section 2 at version 1sheet 2") + len("othernot in a slot") + len("v2section 1 at version 2, put againsheet 1"))
	if c.Size() != want || c.Len() != 3 {
		t.Errorf("size %d (want %d), len %d", c.Size(), want, c.Len())
	}
	// Evicted or removed, an entry takes its slot with it.
	small := New[string](60, strlen)
	for i := range 50 {
		small.PutLatest(fmt.Sprint("slot ", i), fmt.Sprint("key ", i), "a value")
	}
	small.Remove("key 49")
	if len(small.latest) != small.Len() {
		t.Errorf("%d slots for %d entries", len(small.latest), small.Len())
	}
	c.Clear()
	if len(c.latest) != 0 {
		t.Error("slots kept after Clear")
	}
}
