package server

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Go's collector lets the heap grow to twice what is live before it
// collects, and gives the memory a burst of work freed back to the system
// only slowly, and never below that goal. So after a burst — a freeze of a
// round of 1,000 sheets, an import, a round's files made ready — the
// server held two to three times what it uses for minutes: on 2026-11-28,
// 530 MB resident after some ten freezes, of which 170 MB was live.
// A server that shares its machine, or runs under a memory limit, pays for
// that. So once the server has been quiet for a second — no request
// answered or begun but health checks — while much of its heap is free,
// that memory is given back at once. Under steady use it is never quiet,
// and nothing is done.

// giveBackAfter is how much of the heap must be free, or garbage not yet
// collected, before it is given back: below it, a collection costs more
// than the memory is worth.
const giveBackAfter = 64 << 20

// giveBackMemory collects the garbage and gives the memory free in the
// heap back to the system, each second the server has been quiet for, when
// the heap holds more than giveBackAfter, and than a quarter of what was
// live at the last collection, of garbage and free memory not given back.
// An idle server does not collect on its own: what a burst left, garbage
// or free, would stay. It returns when ctx ends.
func (s *Server) giveBackMemory(ctx context.Context) error {
	// Only what a collection and a giving back can return counts: memory
	// free in spans still in use (fragments) cannot be, and counted, an
	// idle server fragmented enough collected every second for ever.
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/free:bytes"},    // free, and not yet given back
		{Name: "/memory/classes/heap/objects:bytes"}, // live, or garbage not yet swept
		{Name: "/gc/heap/live:bytes"},                // live at the last collection
	}
	// Requests begun, other than health checks: a load balancer asking
	// every second is not someone using the server.
	used := func() uint64 {
		probes := s.probes.Load() // first: requests counts each probe after probes does
		return s.requests.Load() - probes
	}
	seen := used()
	for {
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil
		}
		now := used()
		quiet := now == seen && s.Answering() == 0
		seen = now
		if !quiet {
			continue
		}
		metrics.Read(samples)
		held := samples[0].Value.Uint64() + samples[1].Value.Uint64()
		live := samples[2].Value.Uint64()
		if held > live && held-live > giveBackAfter && held-live > live/4 {
			t0 := time.Now()
			debug.FreeOSMemory()
			s.gaveBack.Add(1)
			s.log.Info("gave back free memory", "held MiB", held>>20, "live MiB", live>>20, "took", time.Since(t0).Round(time.Millisecond))
		}
	}
}

// GaveBack counts the times the server gave free memory back to the
// system since it started: for tests and operators.
func (s *Server) GaveBack() int64 { return s.gaveBack.Load() }
