// Package api is briefpack's JSON API under /api/v1: the handlers of every
// object, packs, history, scheduling, search and users, and the operations
// on them that the web pages share. It stands on the core in package server
// (sessions, sign-in, roles, errors, middleware, the reader's view), and
// reads only through that view.
package api

import (
	"log/slog"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/internal/lru"
	"briefpack/server"
)

// API is the JSON API over a server's core.
type API struct {
	*server.Server
	store    briefing.Store
	settings briefing.Settings
	// snapshots caches frozen files, which never change, by snapshot and file.
	snapshots *lru.Cache[*cachedSnapshot]
	// packs caches rendered packs by what they were built from (packKey).
	packs *lru.Cache[*cachedPack]
	// byRevision finds a rendered pack's key by the store's revision and
	// what else the pack was assembled from (see handlePack), without
	// assembling it.
	byRevision *lru.Cache[string]
	// flights are the packs being rendered, by key, so that concurrent
	// requests for one wait for a single rendering.
	flightsMu sync.Mutex
	flights   map[string]*flight
	// lines are the live packs' lines of builds (see buildLine), under
	// flightsMu.
	lines map[string]*buildLine
	// warmings are the rounds whose freeze files are being made ready
	// (see warmFreeze), under flightsMu; warmTurn has one run at a time.
	warmings map[string]*warming
	warmTurn sync.Mutex
	// ready is what the background knows of the upcoming rounds it keeps
	// ready (see readyTick).
	ready readiness
	// mergeTurns have this server's merges of one sheet take turns (see
	// MergeSheet), striped by sheet id so that they do not grow with sheets.
	mergeTurns [mergeStripes]sync.Mutex
}

// New returns the API over a server's core, its routes not yet registered.
func New(s *server.Server) *API {
	return &API{Server: s, store: s.Store(), settings: s.Settings(),
		packs: lru.New(packCacheBytes, func(cp *cachedPack) int64 { return int64(cp.parts.Len()) }),
		// It holds the keys of packs, which packs holds.
		byRevision: lru.New(1<<20, func(key string) int64 { return int64(len(key)) }),
		snapshots:  lru.New(snapshotCacheBytes, func(cs *cachedSnapshot) int64 { return int64(len(cs.body)) }),
		flights:    map[string]*flight{}, lines: map[string]*buildLine{}, warmings: map[string]*warming{}}
}

// Register registers the JSON API's routes on a server and returns the API.
func Register(s *server.Server) *API {
	a := New(s)
	s.AfterStart("freeze files of the upcoming rounds", a.WarmUpcoming)
	s.WhileServing("keeping the upcoming rounds' freeze files ready", a.KeepUpcomingReady)
	a.registerAgencyRoutes()
	a.registerPersonRoutes()
	a.registerDialogueRoutes()
	a.registerRoundRoutes()
	a.registerSheetRoutes()
	a.registerMergeRoutes()
	a.registerImportRoutes()
	a.registerFromTextRoutes()
	a.registerCommentRoutes()
	a.registerDraftRoutes()
	a.registerActionRoutes()
	a.registerUserRoutes()
	a.registerSearchRoutes()
	a.registerPackRoutes()
	a.registerReleaseRoutes()
	a.registerHistoryRoutes()
	a.registerDashboardRoutes()
	a.registerScheduleRoutes()
	return a
}

// The core's helpers, by the names the handlers use.
type view = server.View

var (
	decode          = server.Decode
	one             = server.One
	created         = server.Created
	page            = server.PageParams
	ifMatch         = server.IfMatch
	optionalIfMatch = server.OptionalIfMatch
	errorf          = server.Errorf
	fieldError      = server.FieldError
	mustReader      = server.MustReader
)

const (
	api                      = "/api/v1"
	codeBadRequest           = server.CodeBadRequest
	codePreconditionRequired = server.CodePreconditionRequired
)

func list[T any](c echo.Context, items []T, next string) error { return server.List(c, items, next) }

func eachPage[T any](fetch func(briefing.Page) ([]T, string, error), fn func(T) (bool, error)) error {
	return server.EachPage(fetch, fn)
}

func (s *API) view(c echo.Context) *view { return s.View(c) }

func (s *API) route(method, path string, min briefing.Role, h echo.HandlerFunc) {
	s.Route(method, path, min, h)
}

func (s *API) now() time.Time { return s.Now() }

func (s *API) logger(c echo.Context) *slog.Logger { return s.Logger(c) }
