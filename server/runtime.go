package server

import (
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// A server runs for days: what grows with time and should not — goroutines
// left waiting, a heap that does not come back down, descriptors left open
// — shows in these counts, read again and again, long before it shows as a
// server that fails. They say how the process is, nothing of what it holds
// but its size.

// RuntimeJSON is GET /api/v1/admin/runtime's answer: the process's counts
// as they are now.
type RuntimeJSON struct {
	// Goroutines running or waiting (an open editor's held question is one).
	Goroutines int `json:"goroutines"`
	// HeapLive is the heap live after the last collection, in bytes.
	HeapLive uint64 `json:"heap_live_bytes"`
	// HeapObjects is the objects in the heap now, live or not yet swept.
	HeapObjects uint64 `json:"heap_objects"`
	// Collections is the collections since the start.
	Collections uint64 `json:"gc_cycles"`
	// GaveBack counts the times free memory was given back (see GaveBack).
	GaveBack int64 `json:"gave_back"`
	// OpenFiles is the process's open file descriptors: sockets, the
	// database file, etcd's connections; -1 where the system cannot tell.
	OpenFiles int `json:"open_files"`
	// Answering is the requests being answered, this one included.
	Answering int64 `json:"answering"`
}

// registerRuntimeRoutes registers the process's counts, for an operator.
func (s *Server) registerRuntimeRoutes() {
	// GET /api/v1/admin/runtime
	s.Route(http.MethodGet, runtimePath, briefing.RoleAdmin, s.handleRuntime)
}

// runtimePath is the counts' route: asking it, as a health check, is not
// use of the server (see giveBackMemory), or a sampler asking every second
// would keep it from ever giving memory back.
const runtimePath = "/api/v1/admin/runtime"

// handleRuntime is GET /api/v1/admin/runtime[?gc=1]. With gc=1 the heap
// is collected first, so that heap_live_bytes is what is live now: an idle
// server collects only when it gives memory back, and the last collection
// may be of a burst long gone, or of one half done.
func (s *Server) handleRuntime(c echo.Context) error {
	// The heap holds what the server read for everyone, and grows by the
	// size of what is saved: read before and after a save above them, it
	// would tell a reader how much they were not shown. So, as a backup,
	// only for the highest clearance.
	if top := s.settings.Top(); MustReader(c).Clearance != top {
		return Errorf(briefing.EFORBIDDEN, "the process's counts grow with what it holds: they are for an admin cleared to "+top)
	}
	if c.QueryParam("gc") == "1" {
		runtime.GC()
	}
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/heap/objects:objects"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(samples)
	files := -1
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		files = len(fds) - 1 // less the one reading the directory
	}
	return c.JSON(http.StatusOK, RuntimeJSON{
		Goroutines:  runtime.NumGoroutine(),
		HeapLive:    samples[0].Value.Uint64(),
		HeapObjects: samples[1].Value.Uint64(),
		Collections: samples[2].Value.Uint64(),
		GaveBack:    s.gaveBack.Load(),
		OpenFiles:   files,
		Answering:   s.answering.Load(),
	})
}
