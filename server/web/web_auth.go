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
	if _, ok := reader(c); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.page(c, http.StatusOK, "login", "Sign in", "", loginPage{Next: safeNext(c.QueryParam("next"))})
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
	lp := loginPage{Name: c.FormValue("name"), Next: safeNext(c.FormValue("next"))}
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
	return redirect(c, lp.Next, "Signed in.")
}

// handleLogoutForm is POST /logout.
func (s *Pages) handleLogoutForm(c echo.Context) error {
	if err := s.SignOut(c); err != nil {
		return err
	}
	return redirect(c, "/login", "Signed out.")
}
