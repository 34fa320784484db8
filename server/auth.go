package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// cookieName is the session cookie.
const cookieName = "briefpack_session"

// calendarFeeds are the routes, as matched, that a calendar token opens.
var calendarFeeds = map[string]bool{"/api/v1/calendar.ics": true, "/api/v1/dialogues/:id/calendar.ics": true}

// authenticate finds the request's session from its bearer token or cookie
// and sets the reader. The store reads the session with its user, on every
// request, and honours it only while the user is as stored (not deleted,
// not disabled, of the session's name, role and clearance); a change to the
// user ends the user's sessions in its own write. So a role, clearance or
// disabling takes effect at once, on every server.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t := c.QueryParam("token"); t != "" && calendarFeeds[c.Path()] {
			// A calendar client subscribes with the user's calendar token.
			// It opens the feeds and nothing else: taken on any path ending
			// "/calendar.ics", it signed its user in to whatever route
			// matched one (GET /api/v1/users/calendar.ics, as an admin).
			if u := s.calendarUser(c, t); u != nil {
				c.Set(keyReader, briefing.Reader{UserID: u.ID, Name: u.Name, Role: u.Role, Clearance: u.Clearance})
				c.Set(keyBearer, true)
			} else {
				c.Set(keyBadToken, true)
			}
			return next(c)
		}
		token, bearer := "", false
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, rest, _ := strings.Cut(h, " ")
			if strings.EqualFold(scheme, "Bearer") {
				token, bearer = strings.TrimSpace(rest), true
			}
		} else if ck, err := c.Cookie(cookieName); err == nil {
			token = ck.Value
		}
		if token == "" {
			return next(c)
		}
		sess, err := s.sessions.lookup(c.Request().Context(), token)
		if err != nil {
			return err
		}
		if sess == nil {
			c.Set(keyBadToken, bearer) // a stale cookie is no session; pages send the user to sign in
			return next(c)
		}
		r := sess.reader
		c.Set(keyReader, r)
		c.Set(keyToken, token)
		c.Set(keySess, sess)
		c.Set(keyBearer, bearer)
		return next(c)
	}
}

// checkCSRF protects cookie-authenticated writes. A form must carry the
// session's token; a JSON API call may instead rely on its content type,
// which no cross-site form can send, and on the browser's fetch metadata.
// Bearer calls need no token: no browser attaches a bearer token by itself.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if bearer, _ := c.Get(keyBearer).(bool); bearer {
			return next(c)
		}
		sess, _ := c.Get(keySess).(*session)
		if sess == nil {
			return next(c) // not signed in: authorize refuses whatever needs a session
		}
		if sfs := req.Header.Get("Sec-Fetch-Site"); sfs == "cross-site" || sfs == "same-site" {
			return Errorf(briefing.EFORBIDDEN, "cross-site request refused")
		}
		if o := req.Header.Get("Origin"); o != "" && o != "null" && !SameOrigin(o, req) {
			return Errorf(briefing.EFORBIDDEN, "cross-origin request refused")
		}
		if t := req.Header.Get("X-CSRF-Token"); t != "" && t == sess.csrf {
			return next(c)
		}
		ct := req.Header.Get(echo.HeaderContentType)
		// A JSON body, or none at all, is something no cross-site form sends;
		// nor is a workbook's media type, which no form can set and a
		// cross-site fetch could send only after a preflight the server
		// never grants.
		if isAPI(c) && (strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, xlsxType) || (req.ContentLength == 0 && ct == "")) {
			return next(c)
		}
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			// A body past the limit that did not say its length is found
			// too long only as the form is read: it is that, not a form
			// without its token.
			form, err := c.FormParams()
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return Errorf(codeTooLarge, "the request body is larger than the limit")
			}
			if form.Get("csrf_token") == sess.csrf {
				return next(c)
			}
		}
		return Errorf(briefing.EFORBIDDEN, "the form is out of date or missing its CSRF token: reload the page and try again")
	}
}

// xlsxType is a workbook's media type.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// SameOrigin reports whether an Origin header names the request's own host.
func SameOrigin(origin string, req *http.Request) bool {
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
	return o == req.Host
}

// authorize is the one place roles are checked: every route has a minimum
// role, set when it was registered.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		min, ok := s.roles[c.Request().Method+" "+c.Path()]
		if !ok {
			// No such route (echo answers 404 or 405 itself); say nothing more to the anonymous.
			return next(c)
		}
		if min == Public {
			return next(c)
		}
		r, signed := reader(c)
		if !signed {
			if !isAPI(c) {
				to := "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
				if s.SignInPage != nil {
					to = s.SignInPage(c)
				}
				return c.Redirect(http.StatusSeeOther, to)
			}
			if bad, _ := c.Get(keyBadToken).(bool); bad {
				return Errorf(briefing.EUNAUTHORIZED, "the token is not valid or has expired: sign in again")
			}
			return Errorf(briefing.EUNAUTHORIZED, "sign in first: POST /api/v1/login, then send the cookie or Authorization: Bearer TOKEN")
		}
		if !r.Role.AtLeast(min) {
			return Errorf(briefing.EFORBIDDEN, "this needs the "+string(min)+" role; you are "+string(r.Role))
		}
		return next(c)
	}
}

// registerAuthRoutes registers sign-in, sign-out and who-am-I.
func (s *Server) registerAuthRoutes() {
	// POST /api/v1/login
	s.Route(http.MethodPost, "/api/v1/login", Public, s.handleLogin)
	// POST /api/v1/logout
	s.Route(http.MethodPost, "/api/v1/logout", briefing.RoleViewer, s.handleLogout)
	// GET /api/v1/me
	s.Route(http.MethodGet, "/api/v1/me", briefing.RoleViewer, s.handleMe)
	// GET /api/v1/settings
	s.Route(http.MethodGet, "/api/v1/settings", briefing.RoleViewer, s.handleSettings)
	// GET /healthz
	s.Route(http.MethodGet, "/healthz", Public, s.handleHealth)
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string   `json:"token"`
	CSRFToken string   `json:"csrf_token"`
	User      UserJSON `json:"user"`
}

// signIn checks a name and password under the rate limits, and on success
// starts a new session. Every attempt is logged.
func (s *Server) signIn(c echo.Context, name, password string) (string, *session, *briefing.User, error) {
	addr := clientAddr(c)
	log := s.logger(c).With("name", name, "client", addr)
	keys := []struct {
		lim *limiter
		key string
	}{{s.byAddr, addr}, {s.byName, addr + "\x00" + strings.ToLower(name)}}
	// Each attempt is counted before its password is checked, so no more
	// than the limit ever reach the hash, however many arrive at once.
	// The counts live in the store, so a limit holds across servers; they
	// are given back in a context of their own, the request's may be gone.
	ctx := c.Request().Context()
	giveBack := func(ls []struct {
		lim *limiter
		key string
	}) {
		for _, l := range ls {
			if err := l.lim.release(context.WithoutCancel(ctx), l.key); err != nil {
				log.Error("giving back a sign-in attempt", "err", err)
			}
		}
	}
	for i, l := range keys {
		ok, wait, err := l.lim.reserve(ctx, l.key)
		if err != nil {
			giveBack(keys[:i])
			return "", nil, nil, err
		}
		if !ok {
			giveBack(keys[:i])
			log.Warn("sign-in refused: too many failed attempts")
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
			return "", nil, nil, Errorf(codeRateLimited, "too many failed sign-ins: wait and try again")
		}
	}
	release := func() { giveBack(keys) }
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-time.After(5 * time.Second):
		release()
		c.Response().Header().Set("Retry-After", "5")
		return "", nil, nil, Errorf(codeRateLimited, "the server is busy checking other sign-ins: try again in a few seconds")
	case <-c.Request().Context().Done():
		release()
		return "", nil, nil, c.Request().Context().Err()
	}
	for try := 1; ; try++ {
		u, err := s.store.UserByName(ctx, name)
		if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			release()
			return "", nil, nil, err
		}
		hash := dummyHash
		if u != nil {
			hash = u.PasswordHash
		}
		good := VerifyPassword(hash, password) && u != nil && !u.Disabled
		if !good {
			log.Warn("sign-in failed")
			return "", nil, nil, Errorf(briefing.EUNAUTHORIZED, "wrong name or password")
		}
		// The session is stored only if the user is still as read: a change
		// committed while the password was checked (on any server) is met
		// by checking it again against the user as now stored.
		token, sess, err := s.sessions.create(ctx, u)
		switch code := briefing.ErrorCode(err); {
		case err == nil:
			release()
			log.Info("sign-in", "user_id", u.ID)
			s.setSessionCookie(c, token)
			return token, sess, u, nil
		case code != briefing.ESTALE && code != briefing.ENOTFOUND:
			release()
			return "", nil, nil, err
		case try == signInTries:
			release()
			return "", nil, nil, Errorf(briefing.ECONFLICT, "the account was changed while signing in: sign in again")
		}
		if pin := briefing.ReadPinOf(ctx); pin != nil {
			pin.Clear() // the user is read again as now stored, not as of the request's first read
		}
	}
}

// signInTries bounds how often a sign-in checks the password again against
// a user changed while it was being checked.
const signInTries = 3

func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: SecureCookie(c),
		MaxAge: int(s.cfg.SessionAbsolute / time.Second)})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: SecureCookie(c), MaxAge: -1})
}

// handleLogin is POST /api/v1/login.
func (s *Server) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := Decode(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.Name == "" {
		fields["name"] = "is required"
	}
	if req.Password == "" {
		fields["password"] = "is required"
	}
	if len(fields) > 0 {
		return &briefing.Error{Code: codeBadRequest, Message: "name and password are required", Fields: fields}
	}
	token, sess, u, err := s.signIn(c, req.Name, req.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: token, CSRFToken: sess.csrf, User: ToUserJSON(u)})
}

// handleLogout is POST /api/v1/logout: the session ends at once.
func (s *Server) handleLogout(c echo.Context) error {
	if t, ok := c.Get(keyToken).(string); ok {
		if err := s.sessions.end(c.Request().Context(), t); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.logger(c).Info("sign-out")
	return c.NoContent(http.StatusNoContent)
}

// handleMe is GET /api/v1/me.
func (s *Server) handleMe(c echo.Context) error {
	u, err := s.store.User(c.Request().Context(), MustReader(c).UserID)
	if err != nil {
		return err
	}
	out := struct {
		UserJSON
		CSRFToken string `json:"csrf_token"`
	}{UserJSON: ToUserJSON(u)}
	if sess, ok := c.Get(keySess).(*session); ok {
		out.CSRFToken = sess.csrf
	}
	return c.JSON(http.StatusOK, out)
}

// handleSettings is GET /api/v1/settings.
func (s *Server) handleSettings(c echo.Context) error {
	return c.JSON(http.StatusOK, s.settings)
}

// healthTimeout bounds the health check's read, within what a load
// balancer waits for an answer.
const healthTimeout = 5 * time.Second

// handleHealth is GET /healthz: the store answers a read. (Its settings
// would not do: they are read once, when it is opened, and kept.)
func (s *Server) handleHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	if _, err := s.store.Revision(ctx); err != nil {
		s.logger(c).Error("health check failed", "err", err.Error())
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// CalendarToken is a per-user secret for subscribing to the calendar from a
// client that can send neither cookie nor bearer token. It is derived from
// the user's password hash, so a password reset revokes it.
func CalendarToken(u *briefing.User) string {
	m := hmac.New(sha256.New, []byte(u.PasswordHash))
	m.Write([]byte("briefpack calendar " + u.ID))
	return u.ID + "." + hex.EncodeToString(m.Sum(nil))
}

// calendarUser returns the user a calendar token belongs to, or nil.
func (s *Server) calendarUser(c echo.Context, token string) *briefing.User {
	id, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > 200 {
		return nil
	}
	u, err := s.store.User(c.Request().Context(), id)
	if err != nil || u.Disabled {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(CalendarToken(u)), []byte(token)) != 1 {
		return nil
	}
	return u
}

// UserJSON is a user as the API shows it: never the password hash.
type UserJSON struct {
	ID        string        `json:"id"`
	Version   int           `json:"version"`
	Name      string        `json:"name"`
	Role      briefing.Role `json:"role"`
	Clearance string        `json:"clearance"`
	Disabled  bool          `json:"disabled"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// ToUserJSON shows a user.
func ToUserJSON(u *briefing.User) UserJSON {
	return UserJSON{ID: u.ID, Version: u.Version, Name: u.Name, Role: u.Role, Clearance: u.Clearance,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}
