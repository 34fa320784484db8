package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroupCommit: writes arriving together on a bbolt file are committed
// together, and each is answered as if it had run alone: one that fails
// after writing, or panics after writing, leaves nothing and is told so
// (the panic raised again on its own goroutine), and does not take the
// others down with it; a write whose request ended before its turn is not
// made. Run many times over, so that failures land in groups.
func TestGroupCommit(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "group.db"), "nz")
	must(t, err)
	defer db.Close()
	bad := errors.New("refused after writing")
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	const writers = 64
	for round := range 20 {
		counter := []byte(fmt.Sprintf("%02d/count", round))
		var wg sync.WaitGroup
		errs := make([]error, writers)
		panicked := make([]any, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panicked[w] = recover() }()
				ctx := context.Background()
				if w%23 == 22 {
					ctx = gone
				}
				key := []byte(fmt.Sprintf("%02d/%02d", round, w))
				errs[w] = db.update(ctx, func(tx kvTx) error {
					// Each write counts itself, on top of the writes before
					// it in its group: a write run twice, or one that
					// failed, must not be counted.
					b := tx.Bucket(draftBucket)
					n := btoi(b.Get(counter))
					if err := b.Put(counter, itob(n+1)); err != nil {
						return err
					}
					if err := b.Put(key, []byte("written")); err != nil {
						return err
					}
					switch {
					case w%7 == 3:
						return bad
					case w%17 == 5:
						panic("a write that panics")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		tx, err := db.begin(context.Background(), false)
		must(t, err)
		defer tx.Rollback() // a failure below must not leave the file's close waiting
		made := 0
		for w := range writers {
			key := fmt.Sprintf("%02d/%02d", round, w)
			stored := bytes.Equal(tx.Bucket(draftBucket).Get([]byte(key)), []byte("written"))
			switch {
			case w%23 == 22:
				if !errors.Is(errs[w], context.Canceled) || stored {
					t.Fatalf("%s, its request gone: %v, stored %v", key, errs[w], stored)
				}
			case w%7 == 3:
				if !errors.Is(errs[w], bad) || stored {
					t.Fatalf("%s, refused: %v, stored %v", key, errs[w], stored)
				}
			case w%17 == 5:
				if panicked[w] != "a write that panics" || stored {
					t.Fatalf("%s, panicked: %v, stored %v", key, panicked[w], stored)
				}
			default:
				if errs[w] != nil || panicked[w] != nil || !stored {
					t.Fatalf("%s: %v %v, stored %v", key, errs[w], panicked[w], stored)
				}
				made++
			}
		}
		if n := btoi(tx.Bucket(draftBucket).Get(counter)); n != uint64(made) {
			t.Fatalf("round %d: %d writes made, counted %d", round, made, n)
		}
		tx.Rollback()
	}
	if db.group.together.Load() == 0 {
		t.Fatal("no writes were committed together: the test did not test grouping")
	}
	t.Logf("%d writes committed in groups of more than one", db.group.together.Load())
}

// TestGroupCommit_KeepsNothingWritten: once a write is committed, nothing
// it held is kept. The queue's array held each write taken from it, and
// with it what the write's function held, until the array was replaced:
// a freeze's four files, some 30 MB at 1,000 sheets, stayed in memory
// until enough writes came after it.
func TestGroupCommit_KeepsNothingWritten(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "group.db"), "nz")
	must(t, err)
	defer db.Close()
	var freed atomic.Int32
	for i := range 8 {
		big := make([]byte, 1<<20)
		runtime.AddCleanup(&big[0], func(*atomic.Int32) { freed.Add(1) }, &freed)
		must(t, db.update(context.Background(), func(tx kvTx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("kept"))
			if err != nil {
				return err
			}
			return b.Put([]byte{byte(i)}, big)
		}))
	}
	for range 50 {
		if freed.Load() == 8 {
			return
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d of 8 writes' values are still held after they were committed", 8-freed.Load())
}
