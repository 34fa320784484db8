package parallel

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		seen := make([]int32, n)
		var locals atomic.Int32
		err := Each(n, func(i int, local *[]int) error {
			if *local == nil {
				locals.Add(1)
				*local = make([]int, 0, 8)
			}
			atomic.AddInt32(&seen[i], 1)
			return nil
		})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: item %d done %d times", n, i, c)
			}
		}
		if n > 0 && (locals.Load() < 1 || int(locals.Load()) > n) {
			t.Fatalf("n=%d: %d locals", n, locals.Load())
		}
	}
}

func TestEach_ReturnsAnError(t *testing.T) {
	bad := errors.New("bad item")
	var done atomic.Int32
	err := Each(100, func(i int, _ *struct{}) error {
		done.Add(1)
		if i%37 == 5 {
			return fmt.Errorf("item %d: %w", i, bad)
		}
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v, want the bad item's", err)
	}
	if done.Load() != 100 {
		t.Fatalf("%d of 100 items done: the others must still run", done.Load())
	}
}

// Some runs no more items at once than it is given goroutines, however
// many processors there are, and still does every item.
func TestSome_NoMoreAtOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	var running, most, done atomic.Int32
	err := Some(2, 40, func(i int, _ *struct{}) error {
		now := running.Add(1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		time.Sleep(time.Millisecond) // long enough for the others to start
		running.Add(-1)
		done.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if most.Load() != 2 || done.Load() != 40 {
		t.Fatalf("%d items at most at once (want 2), %d of 40 done", most.Load(), done.Load())
	}
}
