// Package web is briefpack's web pages: server-rendered html/template pages
// beside the JSON API, every action a plain form that works without scripts.
// It stands on the core in package server (sessions, sign-in, roles,
// errors, middleware, the reader's view) and does what it does to objects
// through the operations of package api, so a page and an API call obey the
// same rules.
package web

import (
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/api"
)

// Pages are the web pages over a server's core and its API.
type Pages struct {
	*server.Server
	api      *api.API
	store    briefing.Store
	settings briefing.Settings
	// pages are the parsed web pages, by name.
	pages map[string]*template.Template
	// pagePaths are the GET routes of the pages for the signed in, split at
	// "/", to send a browser back to after signing in (see formPage).
	pagePaths [][]string
}

// Register registers the JSON API and the web pages on a server: the two
// sides of briefpack, over one core.
func Register(s *server.Server) error {
	return RegisterPages(s, api.Register(s))
}

// RegisterPages registers the web pages on a server whose API is a. Every
// template is parsed now: a missing or broken one fails the start.
func RegisterPages(s *server.Server, a *api.API) error {
	p := &Pages{Server: s, api: a, store: s.Store(), settings: s.Settings()}
	if err := p.loadPages(); err != nil {
		return err
	}
	p.registerPageRoutes()
	s.ErrorPage = func(c echo.Context, status int, msg string) bool {
		p.renderErrorPage(c, status, msg)
		return true
	}
	s.SignInPage = p.signInAddress
	return nil
}

// Public is the role of routes anyone may call.
const Public = server.Public

// The core's helpers, by the names the handlers use.
type view = server.View

var (
	errorf     = server.Errorf
	fieldError = server.FieldError
	mustReader = server.MustReader
	reader     = server.ReaderOf
)

func eachPage[T any](fetch func(briefing.Page) ([]T, string, error), fn func(T) (bool, error)) error {
	return server.EachPage(fetch, fn)
}

func (s *Pages) view(c echo.Context) *view { return s.View(c) }

func (s *Pages) route(method, path string, min briefing.Role, h echo.HandlerFunc) {
	if method == http.MethodPost {
		h = lineEnds(s.once(h))
	}
	if method == http.MethodGet && min != Public {
		s.pagePaths = append(s.pagePaths, strings.Split(path, "/"))
	}
	s.Route(method, path, min, h)
}

// lineEnds has a form's fields end their lines as everything else does: a
// browser sends a text area's lines ended "\r\n", which kept as typed made
// every multi-line paragraph of a sheet saved through the editor differ
// from the same text saved through the API or an import, a change to merge
// and a conflict with a writer who changed it. (A script reading a text
// area gets "\n".) A form's fields, however it is sent: an uploaded file
// is not text, and is left as it is.
func lineEnds(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
			if _, err := c.FormParams(); err == nil {
				for _, vs := range []url.Values{r.Form, r.PostForm} {
					for _, v := range vs {
						for i := range v {
							v[i] = strings.ReplaceAll(v[i], "\r\n", "\n")
						}
					}
				}
			}
		}
		return h(c)
	}
}

func (s *Pages) now() time.Time { return s.Now() }

func (s *Pages) logger(c echo.Context) *slog.Logger { return s.Logger(c) }
