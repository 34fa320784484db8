package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
)

type loginPage struct {
	Name, Next, Error string
	// Unsent is whether the browser was sent here by a form that was not
	// sent, its session having ended: signing in says so.
	Unsent bool
}

// unsentMessage is what a browser is told after signing in when the form it
// sent, signed out, was not acted on.
const unsentMessage = "Signed in. You had been signed out, so the form you sent was not: nothing was changed. Send it again."

// signInAddress is where a browser not signed in is sent: the sign-in page,
// then back to the page asked for. A form (a POST) is not kept: signing in
// goes back to the page it was on, saying it was not sent, for a GET of the
// form's own address would be refused (405).
func (s *Pages) signInAddress(c echo.Context) string {
	req := c.Request()
	if req.Method == http.MethodGet {
		return "/login?next=" + url.QueryEscape(req.URL.RequestURI())
	}
	if req.URL.Path == "/logout" {
		return "/login" // signed out already, as asked
	}
	return "/login?next=" + url.QueryEscape(s.formPage(req)) + "&unsent=1"
}

// formPage is the page a form sent to req was on: the browser's Referer
// when it is a page of this site, else the page the form's address belongs
// to (its longest leading part that is a page: /rounds/3 for
// /rounds/3/freeze), else the dashboard.
func (s *Pages) formPage(req *http.Request) string {
	if u, err := url.Parse(req.Referer()); err == nil && (u.Scheme == "http" || u.Scheme == "https") &&
		u.Host == req.Host && u.User == nil && s.isPage(u.EscapedPath()) {
		if to := safeNext(u.RequestURI()); to != "/" || u.EscapedPath() == "/" {
			return to
		}
	}
	for p := req.URL.EscapedPath(); strings.HasPrefix(p, "/") && p != "/"; p = p[:strings.LastIndex(p, "/")] {
		if s.isPage(p) {
			return safeNext(p)
		}
	}
	return "/"
}

// isPage reports whether a path (as escaped) is one of the pages a signed
// in reader opens with a GET.
func (s *Pages) isPage(p string) bool {
	segs := strings.Split(p, "/")
next:
	for _, route := range s.pagePaths {
		if len(route) != len(segs) {
			continue
		}
		for i, r := range route {
			switch {
			case strings.HasPrefix(r, ":"):
				if segs[i] == "" {
					continue next
				}
			case r != segs[i]:
				continue next
			}
		}
		return true
	}
	return false
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "/api/") || len(next) > 2000 {
		return "/"
	}
	// A path on this server and nothing else: no scheme or host, no
	// backslash, no control or space characters (a browser drops a tab or
	// newline and may read "/\t/host" as "//host"), no "//" anywhere before
	// the query, and nothing that decodes to any of those.
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	for _, r := range next + u.Path {
		if r < 0x21 || r == 0x7f || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return "/"
		}
	}
	if strings.Contains(u.Path, "//") || strings.Contains(strings.ToLower(next), "%5c") || strings.HasPrefix(u.EscapedPath(), "//") {
		return "/"
	}
	return next
}

// handleLoginPage is GET /login.
func (s *Pages) handleLoginPage(c echo.Context) error {
	unsent := c.QueryParam("unsent") == "1"
	if _, ok := reader(c); ok {
		if unsent {
			flash(c, "warning", unsentMessage)
		}
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.page(c, http.StatusOK, "login", "Sign in", "", loginPage{Next: safeNext(c.QueryParam("next")), Unsent: unsent})
}

// handleLoginForm is POST /login. A cross-site sign-in form is refused, so
// nobody can sign a browser into an account of theirs.
func (s *Pages) handleLoginForm(c echo.Context) error {
	req := c.Request()
	if sfs := req.Header.Get("Sec-Fetch-Site"); sfs == "cross-site" || sfs == "same-site" {
		return errorf(briefing.EFORBIDDEN, "cross-site sign-in refused")
	}
	if o := req.Header.Get("Origin"); o != "" && o != "null" && !server.SameOrigin(o, req) {
		return errorf(briefing.EFORBIDDEN, "cross-origin sign-in refused")
	}
	lp := loginPage{Name: c.FormValue("name"), Next: safeNext(c.FormValue("next")), Unsent: c.FormValue("unsent") == "1"}
	if lp.Name == "" || c.FormValue("password") == "" {
		lp.Error = "Enter your name and password."
		return s.page(c, http.StatusUnprocessableEntity, "login", "Sign in", "", lp)
	}
	if _, _, err := s.SignIn(c, lp.Name, c.FormValue("password")); err != nil {
		switch briefing.ErrorCode(err) {
		case briefing.EUNAUTHORIZED:
			lp.Error = "Wrong name or password."
			return s.page(c, http.StatusUnauthorized, "login", "Sign in", "", lp)
		case server.CodeRateLimited:
			lp.Error = "Too many failed sign-ins: wait a minute and try again."
			return s.page(c, http.StatusTooManyRequests, "login", "Sign in", "", lp)
		}
		return err
	}
	if lp.Unsent {
		flash(c, "warning", unsentMessage)
		return c.Redirect(http.StatusSeeOther, lp.Next)
	}
	return redirect(c, lp.Next, "Signed in.")
}

// handleLogoutForm is POST /logout.
func (s *Pages) handleLogoutForm(c echo.Context) error {
	if err := s.SignOut(c); err != nil {
		return err
	}
	return redirect(c, "/login", "Signed out.")
}
