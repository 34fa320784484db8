// Package server is briefpack's HTTP side: the JSON API under /api/v1 and the
// web pages beside it, on echo. It applies sign-in, roles and the clearance
// rule in one place each, so no handler has to remember them.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// Config is how a Server is set up.
type Config struct {
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TrustProxy takes the client address from X-Forwarded-For, set by the
	// reverse proxy in front; off, the address is the connection's own.
	TrustProxy bool
	// TrustedProxies are the proxies whose X-Forwarded-For entries are
	// believed (loopback always): the client is the rightmost address that is
	// not one of them, so a client cannot choose its own address by sending
	// the header itself.
	TrustedProxies []*net.IPNet
	// SecureCookies marks the session cookie Secure even for plain HTTP
	// requests, for a server behind a TLS-terminating proxy.
	SecureCookies bool
	// SessionIdle and SessionAbsolute end sessions; zero means 2h and 12h.
	SessionIdle, SessionAbsolute time.Duration
	// BodyLimit caps request bodies; zero means 4 MiB.
	BodyLimit int64
	// LongestWait bounds how long a request may be held waiting for news
	// (see Wait); zero means 50 seconds. It must end well within the HTTP
	// server's write timeout, and a proxy's idle timeout in front.
	LongestWait time.Duration
}

// SetBodyLimit gives one route a body limit of its own, in place of the
// server's: a workbook to import is larger than any JSON body.
func (s *Server) SetBodyLimit(method, path string, n int64) {
	s.bodyLimits[method+" "+path] = n
}

// Server serves briefpack over HTTP.
type Server struct {
	store    briefing.Store
	settings briefing.Settings
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	echo     *echo.Echo
	sessions *sessions
	// failures per client address, and per address and user name.
	byAddr, byName *limiter
	// hashing bounds the password hashes computed at once: each takes 19 MiB
	// and a core, and a flood of sign-ins must not take the server's memory.
	hashing chan struct{}
	// roles is the minimum role of every route, keyed "METHOD path"; a
	// route registered without one is refused at start-up.
	roles map[string]briefing.Role
	// bodyLimits are the routes' own body limits, keyed "METHOD path".
	bodyLimits map[string]int64
	// instance and requests make request ids: unique, and cheap to make.
	instance string
	requests atomic.Uint64
	// answering counts the requests being answered (see Answering), and
	// probes the health checks begun (GET /healthz, and the counts of
	// GET /api/v1/admin/runtime), which the server does
	// not count as use when it looks for a quiet second (giveBackMemory).
	answering atomic.Int64
	probes    atomic.Uint64
	// renders counts the live packs rendered (see PackRenders).
	renders atomic.Int64
	// draining is closed when the server begins to shut down, and ends
	// every request held waiting (see Wait, Drain).
	draining  chan struct{}
	drainOnce sync.Once
	// background counts the work requests left running (see Background).
	background sync.WaitGroup
	// afterStart is the work to do once serving (see AfterStart), and
	// whileServing the work that goes on while it serves (WhileServing).
	afterStart   []startWork
	whileServing []startWork
	// madeReady counts what the background made ready (see MadeReady),
	// partsKept its looks at rounds being written (see PartsKept).
	madeReady atomic.Int64
	partsKept atomic.Int64
	// gaveBack counts the times free memory was given back (see GaveBack).
	gaveBack atomic.Int64
	// ErrorPage, when set (by the web pages), answers an error to a browser
	// asking for a page, reporting whether it did.
	ErrorPage func(c echo.Context, status int, msg string) bool
	// SignInPage, when set (by the web pages), is the address a browser not
	// signed in is sent to; without it, the sign-in page and back to the
	// address asked for.
	SignInPage func(c echo.Context) string
}

// A Register adds one side's routes to a server: the JSON API (server/api)
// or the web pages (server/web).
type Register func(s *Server) error

// New returns a Server over a store, with the routes each register adds:
// the shared core — sessions, sign-in, roles, errors, middleware — is this
// package; the JSON API and the web pages are packages of their own.
func New(ctx context.Context, st briefing.Store, cfg Config, registers ...Register) (*Server, error) {
	if len(registers) == 0 {
		return nil, Errorf(briefing.EINTERNAL, "server: no routes to serve: pass web.Register (the API and the pages)")
	}
	settings, err := st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 2 * time.Hour
	}
	if cfg.SessionAbsolute == 0 {
		cfg.SessionAbsolute = 12 * time.Hour
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 4 << 20
	}
	if cfg.LongestWait <= 0 {
		cfg.LongestWait = 50 * time.Second
	}
	s := &Server{
		store: st, settings: settings, cfg: cfg, log: cfg.Logger, now: cfg.Now,
		sessions:   newSessions(st, cfg.SessionIdle, cfg.SessionAbsolute, cfg.Now),
		byAddr:     newLimiter(st, "addr", 30, time.Minute, cfg.Now),
		byName:     newLimiter(st, "name", 10, time.Minute, cfg.Now),
		hashing:    make(chan struct{}, max(1, runtime.NumCPU())),
		roles:      map[string]briefing.Role{},
		bodyLimits: map[string]int64{},
		instance:   randomToken()[:8],
		draining:   make(chan struct{}),
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	if cfg.TrustProxy {
		opts := []echo.TrustOption{echo.TrustLoopback(true), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Pre(s.requestID, s.securityHeaders, s.limitHeader)
	e.Use(s.recoverPanic, s.accessLog, s.limitBody, s.authenticate, s.checkCSRF, s.authorize, s.readAgain)
	s.echo = e
	s.registerAuthRoutes()
	s.registerRuntimeRoutes()
	s.WhileServing("giving back the memory a burst of work left free", s.giveBackMemory)
	for _, r := range registers {
		if err := r(s); err != nil {
			return nil, err
		}
	}
	for _, r := range e.Routes() {
		if _, ok := s.roles[r.Method+" "+r.Path]; !ok {
			return nil, Errorf(briefing.EINTERNAL, "route "+r.Method+" "+r.Path+" has no role")
		}
	}
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return headAsGet(s.echo) }

// headAsGet answers HEAD on every GET route, as HTTP asks of every server
// (curl -I, a link checker, a proxy): the route answers as to a GET, with
// the same checks, status and headers, and net/http, which still answers
// the HEAD it was given, sends no body. The router has no HEAD routes, and
// answered 405.
func headAsGet(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			// A copy: net/http's own stays a HEAD. The access log is told.
			get := r.WithContext(context.WithValue(r.Context(), headKey{}, true))
			get.Method = http.MethodGet
			r = get
		}
		h.ServeHTTP(w, r)
	})
}

// headKey marks, in its context, a HEAD passed on as a GET (headAsGet).
type headKey struct{}

// methodOf is the method a request came with, a HEAD passed on as a GET
// included.
func methodOf(r *http.Request) string {
	if r.Context().Value(headKey{}) != nil {
		return http.MethodHead
	}
	return r.Method
}

// Settings returns the settings the server was started with.
func (s *Server) Settings() briefing.Settings { return s.settings }

// Public is the role of routes anyone may call, signed in or not.
const Public briefing.Role = ""

// Route registers a handler with the minimum role that may call it.
func (s *Server) Route(method, path string, min briefing.Role, h echo.HandlerFunc) {
	s.echo.Add(method, path, h)
	s.roles[method+" "+path] = min
}

// RouteRoles returns the minimum role of every route, keyed "METHOD path",
// for the authorization matrix test.
func (s *Server) RouteRoles() map[string]briefing.Role {
	m := make(map[string]briefing.Role, len(s.roles))
	for k, v := range s.roles {
		m[k] = v
	}
	return m
}

// Routes lists the routes the router holds, as "METHOD path".
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

const (
	keyBadToken  = "briefpack.badtoken"
	keyLogger    = "briefpack.logger"
	keyRequestID = "briefpack.request_id"
	keyReader    = "briefpack.reader"
	keyToken     = "briefpack.token"
	keySess      = "briefpack.session"
	keyBearer    = "briefpack.bearer"
)

// logger returns the request's logger, carrying its request id.
func (s *Server) logger(c echo.Context) *slog.Logger {
	if l, ok := c.Get(keyLogger).(*slog.Logger); ok {
		return l
	}
	// Made on first use: most requests log only their access line.
	id, _ := c.Get(keyRequestID).(string)
	l := s.log.With("request_id", id)
	if r, ok := reader(c); ok {
		l = l.With("user", r.Name)
	}
	c.Set(keyLogger, l)
	return l
}

// reader returns the signed-in reader of a request; routes that need one
// only run after authenticate has set it.
func reader(c echo.Context) (briefing.Reader, bool) {
	r, ok := c.Get(keyReader).(briefing.Reader)
	return r, ok
}

// MustReader returns the request's reader, or an anonymous one that sees nothing.
func MustReader(c echo.Context) briefing.Reader {
	r, _ := reader(c)
	return r
}

// requestID gives every request an id, echoed in X-Request-Id and every
// log line, and counts it while it is answered.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.answering.Add(1)
		defer s.answering.Add(-1)
		if p := c.Request().URL.Path; p == "/healthz" || p == runtimePath {
			s.probes.Add(1)
		}
		id := fmt.Sprintf("%s-%d", s.instance, s.requests.Add(1))
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.Set(keyRequestID, id)
		// Every read of the request is of one state of the store.
		c.SetRequest(c.Request().WithContext(briefing.WithReadPin(c.Request().Context())))
		return next(c)
	}
}

// readTries bounds how often readAgain runs a read: the first time and two more.
const readTries = 3

// readAgain runs a GET (or HEAD) again from a new read pin when the store
// could not answer a read as of the request's pinned moment, which an etcd
// cluster compacted meanwhile (briefing.ErrMovedOn), and nothing of the
// answer was written yet: a read is safe to run twice, and was answered
// 503 "send it again" for what the server can do itself. The answer's
// headers are put back as they were before each run. After readTries runs
// it is answered 503 as before. A write is not run again here: the store
// runs its own transactions again.
func (s *Server) readAgain(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if m := methodOf(req); m != http.MethodGet && m != http.MethodHead {
			return next(c)
		}
		h := c.Response().Header()
		before := h.Clone()
		for try := 1; ; try++ {
			err := next(c)
			if try == readTries || !errors.Is(err, briefing.ErrMovedOn) || c.Response().Committed || req.Context().Err() != nil {
				return err
			}
			s.logger(c).Info("reading again: the database moved on while the request read it", "try", try)
			clear(h)
			for k, v := range before {
				h[k] = v
			}
			c.SetRequest(req.WithContext(briefing.WithReadPin(req.Context())))
		}
	}
}

// securityHeaderValues are the headers every response carries.
var securityHeaderValues = map[string][]string{
	"Content-Security-Policy": {"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"},
	"X-Content-Type-Options":       {"nosniff"},
	"Referrer-Policy":              {"no-referrer"},
	"X-Frame-Options":              {"DENY"},
	"Cross-Origin-Opener-Policy":   {"same-origin"},
	"Cross-Origin-Resource-Policy": {"same-origin"},
	"Permissions-Policy":           {"camera=(), microphone=(), geolocation=()"},
	"Cache-Control":                {"no-store"},
}

// securityHeaders sets the headers every response carries. Everything
// briefpack serves may carry drafting content, so nothing is cached.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range securityHeaderValues {
			h[k] = v // the keys are canonical already; the slices are never changed
		}
		if c.IsTLS() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if s.cfg.SecureCookies {
			c.Set(secureCookiesKey, true)
		}
		return next(c)
	}
}

// secureCookiesKey marks a request whose cookies are to be Secure although
// it came over plain HTTP (Config.SecureCookies: TLS ends at a proxy).
const secureCookiesKey = "briefpack.secure_cookies"

// SecureCookie reports whether a cookie set in answer to c is to be
// Secure: the request came over TLS, or the server was told its cookies
// always are. Every cookie the server sets asks it, the session's and the
// pages' alike.
func SecureCookie(c echo.Context) bool {
	on, _ := c.Get(secureCookiesKey).(bool)
	return on || c.IsTLS()
}

// recoverPanic turns a panic into an internal error, logged, never a stack
// trace to the client. A fault on the mapped database file (a damaged page
// the store did not make an error) is such a panic, not the process's end.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.logger(c).Error("panic", "panic", r)
				err = Errorf(briefing.EINTERNAL, "internal error")
			}
		}()
		return next(c)
	}
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := s.now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r, _ := reader(c)
		id, _ := c.Get(keyRequestID).(string)
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", slog.String("request_id", id),
			slog.String("method", methodOf(c.Request())), slog.String("path", c.Request().URL.Path),
			slog.Int("status", c.Response().Status), slog.Int64("bytes", c.Response().Size), slog.String("user", r.Name),
			slog.String("client", c.RealIP()), slog.Float64("ms", float64(s.now().Sub(start).Microseconds())/1000))
		return nil
	}
}

// MaxHeaderBytes is the most a request line and its headers may hold. The
// HTTP server is given a larger limit (MaxHeaderBytes) so that a request
// between the two is answered here, in the error shape, not by net/http in
// plain text.
const MaxHeaderBytes = 32 << 10

// limitHeader answers 431 with the error shape for an over-long request line or headers.
func (s *Server) limitHeader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		n := len(req.Method) + len(req.RequestURI) + len(req.Proto) + 4
		for k, vs := range req.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			return Errorf(codeHeaderTooLarge, "the request line and headers are longer than the server accepts")
		}
		return next(c)
	}
}

// limitBody refuses bodies over the limit with 413, before any handler reads them.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		limit := s.cfg.BodyLimit
		if n, ok := s.bodyLimits[req.Method+" "+c.Path()]; ok {
			limit = n
		}
		if req.ContentLength > limit {
			return Errorf(codeTooLarge, "the request body is larger than the limit")
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// clientAddr is the address rate limits and logs use.
func clientAddr(c echo.Context) string {
	ip := c.RealIP()
	if h, _, err := net.SplitHostPort(ip); err == nil {
		return h
	}
	return ip
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
