// Package parallel runs the same work over many items on every processor.
package parallel

import (
	"runtime"
	"sync"
)

// Each runs do for 0..n-1 on as many goroutines as there are processors
// (no more than n), and returns the first error. Each goroutine has a T of
// its own, zero at first, that do may keep something in to reuse (a
// compressor, a buffer) from one item to the next.
func Each[T any](n int, do func(i int, local *T) error) error {
	return Some(runtime.GOMAXPROCS(0), n, do)
}

// Some is Each on at most the given number of goroutines: for work whose
// items each hold much memory while they run, so that more processors do
// not mean more of it at once.
func Some[T any](goroutines, n int, do func(i int, local *T) error) error {
	workers := min(goroutines, n)
	if workers <= 1 {
		var local T
		for i := range n {
			if err := do(i, &local); err != nil {
				return err
			}
		}
		return nil
	}
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local T
			for i := range work {
				if err := do(i, &local); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}
