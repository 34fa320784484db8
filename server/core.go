package server

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// What the core gives the JSON API (server/api) and the web pages
// (server/web): the store to write through views, the clock, the request's
// logger and session, sign-in and sign-out, and the error codes.

// Store returns the store, for writes and for the checks writes make; reads
// on a reader's behalf go through View.
func (s *Server) Store() briefing.Store { return s.store }

// Now returns the server's clock reading.
func (s *Server) Now() time.Time { return s.now() }

// Logger returns the request's logger, carrying its request id.
func (s *Server) Logger(c echo.Context) *slog.Logger { return s.logger(c) }

// ReaderOf returns the signed-in reader of a request, if any.
func ReaderOf(c echo.Context) (briefing.Reader, bool) { return reader(c) }

// CSRFToken returns the request's session CSRF token, or "".
func CSRFToken(c echo.Context) string {
	if sess, ok := c.Get(keySess).(*session); ok {
		return sess.csrf
	}
	return ""
}

// SignIn checks a name and password under the sign-in limits and, on
// success, starts a session, sets its cookie and returns its token.
func (s *Server) SignIn(c echo.Context, name, password string) (string, *briefing.User, error) {
	token, _, u, err := s.signIn(c, name, password)
	return token, u, err
}

// SignOut ends the request's session, wherever it was made, and clears its cookie.
func (s *Server) SignOut(c echo.Context) error {
	if t, ok := c.Get(keyToken).(string); ok {
		if err := s.sessions.end(c.Request().Context(), t); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.logger(c).Info("sign-out")
	return nil
}

// PackRenders counts the live packs rendered since the server started: a
// measure of how well the pack cache serves, for tests and operators.
func (s *Server) PackRenders() int64 { return s.renders.Load() }

// CountPackRender records one rendering of a live pack.
func (s *Server) CountPackRender() { s.renders.Add(1) }

// Background runs fn on its own goroutine, counted until it returns, for
// work a request leaves behind it (a pack made ready for a freeze): Idle
// waits for it.
func (s *Server) Background(fn func()) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		s.guard("work left by a request", fn)
	}()
}

// guard runs fn, work on a goroutine of its own, so that a panic in it (a
// read of a damaged database file, say, where the store has not made it an
// error) is logged and ends that work, not the server.
func (s *Server) guard(what string, fn func()) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("background work stopped", "what", what, "panic", r)
		}
	}()
	fn()
}

// Idle waits until no work started by Background is left.
func (s *Server) Idle() { s.background.Wait() }

// AfterStart registers work to do in the background once the server is
// serving and has rendered the stored paragraphs: making ready what the
// first requests after a start would otherwise wait for. It is a head
// start only; nothing depends on it having run.
func (s *Server) AfterStart(name string, fn func(context.Context) error) {
	s.afterStart = append(s.afterStart, startWork{name, fn})
}

type startWork struct {
	name string
	fn   func(context.Context) error
}

// Warm does the work registered with AfterStart, in order, until ctx ends,
// logging what each took; the first error ends it.
func (s *Server) Warm(ctx context.Context) error {
	for _, w := range s.afterStart {
		t0 := time.Now()
		if err := w.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		s.log.Info("made ready after the start", "what", w.name, "took", time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// WhileServing registers work that goes on in the background for as long
// as the server serves, once the work of AfterStart is done: keeping ready
// what changes with the store. fn returns when its context ends. Like
// AfterStart's, it is a head start only.
func (s *Server) WhileServing(name string, fn func(context.Context) error) {
	s.whileServing = append(s.whileServing, startWork{name, fn})
}

// Watch runs the work registered with WhileServing, each on a goroutine of
// its own, until ctx ends, and returns when all of it has; each error is
// logged.
func (s *Server) Watch(ctx context.Context) {
	var wg sync.WaitGroup
	for _, w := range s.whileServing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.guard(w.name, func() {
				if err := w.fn(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("background work stopped", "what", w.name, "err", err)
				}
			})
		}()
	}
	wg.Wait()
}

// Answering is how many requests the server is answering now: background
// work that is only a head start waits while it is answering any.
func (s *Server) Answering() int64 { return s.answering.Load() }

// LongestWait is how long a request may be held waiting for news
// (Config.LongestWait).
func (s *Server) LongestWait() time.Duration { return s.cfg.LongestWait }

// Wait holds a request waiting for news until news receives (true), or
// until, ctx ends or the server begins to shut down (false), whichever
// comes first. A request held so does no work: it is not counted as being
// answered (Answering) while it waits, or the background work that waits
// for a quiet server would wait on every open editor.
func (s *Server) Wait(ctx context.Context, news <-chan struct{}, until time.Time) bool {
	s.answering.Add(-1)
	defer s.answering.Add(1)
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-news:
		return true
	case <-t.C:
	case <-ctx.Done():
	case <-s.draining:
	}
	return false
}

// Drain ends every wait (Wait), now and to come: called as the server
// begins to shut down, so that the requests held waiting answer at once
// rather than hold the shutdown.
func (s *Server) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

// Log is the server's logger, for work done outside a request.
func (s *Server) Log() *slog.Logger { return s.log }

// MadeReady counts what the background has made ready since the server
// started (a round's freeze files, for each clearance that may freeze
// it): for tests and operators, beside PackRenders.
func (s *Server) MadeReady() int64 { return s.madeReady.Load() }

// CountMadeReady records one thing made ready in the background.
func (s *Server) CountMadeReady() { s.madeReady.Add(1) }

// PartsKept counts the times the background has kept ready the parts of a
// round being written (a sheet's sections, worksheets and Topics rows, for
// each clearance that may freeze it), since the server started.
func (s *Server) PartsKept() int64 { return s.partsKept.Load() }

// CountPartsKept records one such time.
func (s *Server) CountPartsKept() { s.partsKept.Add(1) }

// Error codes of the transport, beside the domain's, for the two sides.
const (
	CodeBadRequest           = codeBadRequest
	CodeTooLarge             = codeTooLarge
	CodeUnsupportedMedia     = codeUnsupportedMedia
	CodePreconditionRequired = codePreconditionRequired
	CodeRateLimited          = codeRateLimited
	CodeNotAcceptable        = codeNotAcceptable
)
