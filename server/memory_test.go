package server_test

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// TestGiveBackMemory: memory a burst of work left free is given back to
// the system once the server is quiet for a second — health checks aside —
// and never while it is answering requests, however much is free.
func TestGiveBackMemory(t *testing.T) {
	f := newFixture(t)
	f.watch()
	released := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	// While people are using it, nothing is given back, bursts or not:
	// 300 MB in use, then dropped and collected, every half second. The
	// heap keeps each, free, and would give it back only slowly.
	for end, burst := time.Now().Add(2500*time.Millisecond), time.Now(); time.Now().Before(end); {
		if time.Since(burst) > 500*time.Millisecond {
			makeBurst(300)
			burst = time.Now()
		}
		if r := f.do("officer", "GET", "/api/v1/dialogues", nil); r.Code != 200 {
			t.Fatalf("GET /api/v1/dialogues: %d", r.Code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := f.srv.GaveBack(); n != 0 {
		t.Fatalf("memory was given back %d times while requests were being answered", n)
	}
	makeBurst(300)
	before := released()
	since := func() uint64 { // MB the runtime has given back since, at least
		if r := released(); r > before {
			return (r - before) >> 20
		}
		return 0
	}
	// Quiet for a second or two, and it is, however often a load balancer
	// checks the server's health, or an operator reads its counts,
	// meanwhile. On a busy machine the runtime may give most of it back
	// first, by itself, and leave the server nothing worth giving back:
	// that is no failure, memory still held free after 10 s of quiet is.
	for end, probed := time.Now().Add(10*time.Second), time.Now(); f.srv.GaveBack() == 0; {
		if time.Now().After(end) {
			if free := heapFree(); free > 64<<20 {
				t.Fatalf("nothing given back in 10 s of quiet, %d MB held free (%d MB given back by the runtime meanwhile)", free>>20, since())
			}
			t.Logf("the runtime gave back %d MB by itself, leaving the server nothing to give back", since())
			return
		}
		if time.Since(probed) > 200*time.Millisecond {
			if r := f.do("", "GET", "/healthz", nil); r.Code != 200 {
				t.Fatalf("GET /healthz: %d", r.Code)
			}
			// An operator's sampler of the counts is no use either.
			if r := f.do("admin", "GET", "/api/v1/admin/runtime", nil); r.Code != 200 {
				t.Fatalf("GET /api/v1/admin/runtime: %d", r.Code)
			}
			probed = time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d MB given back", (released()-before)>>20)
}

// heapFree is the heap's memory free and not given back to the system, as
// the server reads it.
func heapFree() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// makeBurst has mb megabytes in use, then dropped and collected: free in
// the heap, not yet given back.
func makeBurst(mb int) {
	burst := make([][]byte, mb)
	for i := range burst {
		burst[i] = make([]byte, 1<<20)
		burst[i][0] = byte(i)
	}
	runtime.KeepAlive(burst)
	runtime.GC()
}

// fragments are small objects kept one in 128 of those made: they keep
// the heap's spans in use, their free room counted as unused, which no
// collection gives back.
var fragments [][]byte

// TestGiveBackMemory_OnceABurst: what a burst left is given back once.
// Free room in spans still in use, which no collection returns, is not
// counted: counted, an idle server fragmented enough collected and gave
// back every second for ever.
func TestGiveBackMemory_OnceABurst(t *testing.T) {
	f := newFixture(t)
	f.watch()
	all := make([][]byte, 2<<20) // 128 MiB of 64-byte objects, 1 MiB kept
	for i := range all {
		all[i] = make([]byte, 64)
	}
	for i := 0; i < len(all); i += 128 {
		fragments = append(fragments, all[i])
	}
	t.Cleanup(func() { fragments = nil })
	all = nil
	makeBurst(200)
	s := []metrics.Sample{{Name: "/memory/classes/heap/unused:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	if unused := s[0].Value.Uint64(); unused < 64<<20 {
		t.Fatalf("only %d MiB unused in spans in use: the test proves nothing", unused>>20)
	}
	// The burst is given back, by the server or, as it may be here, by the
	// runtime itself, which the fragments hold well over its own goal.
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		metrics.Read(s)
		if s[1].Value.Uint64() < 64<<20 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d MiB still free, not given back, after 10 s of quiet", s[1].Value.Uint64()>>20)
		}
	}
	// Then, quiet, at most once more: for garbage other work left (other
	// tests', in this process), not every second.
	n := f.srv.GaveBack()
	time.Sleep(3500 * time.Millisecond)
	if m := f.srv.GaveBack(); m-n > 1 {
		t.Errorf("gave back %d times in 3.5 quiet seconds after the burst was given back", m-n)
	}
	runtime.KeepAlive(fragments)
}
