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
