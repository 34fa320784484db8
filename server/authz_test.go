package server_test

import (
	"sort"
	"strings"
	"testing"

	"briefpack/briefing"
)

// expectedRoles is the authorization matrix, written by hand: the least role
// that may call each route ("" for anyone). A route the router holds that is
// not listed here fails the test, so no route is ever added unexamined.
var expectedRoles = map[string]briefing.Role{
	"GET /":                                    briefing.RoleViewer,
	"GET /static/*":                            "",
	"GET /login":                               "",
	"POST /login":                              "",
	"POST /logout":                             briefing.RoleViewer,
	"GET /search":                              briefing.RoleViewer,
	"GET /dialogues":                           briefing.RoleViewer,
	"POST /dialogues":                          briefing.RoleSecretariat,
	"GET /dialogues/:id":                       briefing.RoleViewer,
	"POST /dialogues/:id":                      briefing.RoleSecretariat,
	"POST /dialogues/:id/rounds":               briefing.RoleSecretariat,
	"POST /dialogues/:id/next":                 briefing.RoleSecretariat,
	"POST /dialogues/:id/actions":              briefing.RoleSecretariat,
	"POST /actions/:id":                        briefing.RoleSecretariat,
	"GET /rounds/:id":                          briefing.RoleViewer,
	"POST /rounds/:id":                         briefing.RoleSecretariat,
	"POST /rounds/:id/agenda":                  briefing.RoleLead,
	"POST /rounds/:id/people":                  briefing.RoleSecretariat,
	"POST /rounds/:id/sheets":                  briefing.RoleOfficer,
	"POST /rounds/:id/freeze":                  briefing.RoleLead,
	"POST /rounds/:id/import":                  briefing.RoleOfficer,
	"POST /rounds/:id/sheets/from-text":        briefing.RoleOfficer,
	"POST /rounds/:id/releases":                briefing.RoleLead,
	"GET /sheets/:id":                          briefing.RoleViewer,
	"GET /sheets/:id/edit":                     briefing.RoleOfficer,
	"POST /sheets/:id/edit":                    briefing.RoleOfficer,
	"POST /sheets/:id/delete":                  briefing.RoleOfficer,
	"POST /sheets/:id/restore":                 briefing.RoleOfficer,
	"POST /sheets/:id/rollforward":             briefing.RoleOfficer,
	"POST /sheets/:id/review":                  briefing.RoleOfficer,
	"GET /sheets/:id/versions/:version":        briefing.RoleViewer,
	"GET /people":                              briefing.RoleViewer,
	"POST /people":                             briefing.RoleSecretariat,
	"GET /people/:id":                          briefing.RoleViewer,
	"POST /people/:id":                         briefing.RoleSecretariat,
	"GET /agencies":                            briefing.RoleViewer,
	"POST /agencies":                           briefing.RoleSecretariat,
	"POST /agencies/:id":                       briefing.RoleSecretariat,
	"GET /admin/users":                         briefing.RoleAdmin,
	"POST /admin/users":                        briefing.RoleAdmin,
	"POST /admin/users/:id":                    briefing.RoleAdmin,
	"POST /api/v1/dialogues/:id/rounds/next":   briefing.RoleSecretariat,
	"GET /api/v1/calendar.ics":                 briefing.RoleViewer,
	"GET /api/v1/dialogues/:id/calendar.ics":   briefing.RoleViewer,
	"GET /api/v1/calendar-token":               briefing.RoleViewer,
	"POST /api/v1/sheets/:id/rollforward":      briefing.RoleOfficer,
	"GET /api/v1/sheets/:id/changes":           briefing.RoleViewer,
	"GET /api/v1/sheets/:id/diff":              briefing.RoleViewer,
	"GET /healthz":                             "",
	"POST /api/v1/login":                       "",
	"POST /api/v1/logout":                      briefing.RoleViewer,
	"GET /api/v1/me":                           briefing.RoleViewer,
	"GET /api/v1/settings":                     briefing.RoleViewer,
	"GET /api/v1/search":                       briefing.RoleViewer,
	"GET /api/v1/agencies":                     briefing.RoleViewer,
	"POST /api/v1/agencies":                    briefing.RoleSecretariat,
	"GET /api/v1/agencies/:id":                 briefing.RoleViewer,
	"PUT /api/v1/agencies/:id":                 briefing.RoleSecretariat,
	"DELETE /api/v1/agencies/:id":              briefing.RoleSecretariat,
	"GET /api/v1/people":                       briefing.RoleViewer,
	"POST /api/v1/people":                      briefing.RoleSecretariat,
	"GET /api/v1/people/:id":                   briefing.RoleViewer,
	"PUT /api/v1/people/:id":                   briefing.RoleSecretariat,
	"DELETE /api/v1/people/:id":                briefing.RoleSecretariat,
	"GET /api/v1/dialogues":                    briefing.RoleViewer,
	"POST /api/v1/dialogues":                   briefing.RoleSecretariat,
	"GET /api/v1/dialogues/:id":                briefing.RoleViewer,
	"PUT /api/v1/dialogues/:id":                briefing.RoleSecretariat,
	"DELETE /api/v1/dialogues/:id":             briefing.RoleSecretariat,
	"GET /api/v1/dialogues/:id/rounds":         briefing.RoleViewer,
	"POST /api/v1/dialogues/:id/rounds":        briefing.RoleSecretariat,
	"GET /api/v1/rounds/:id":                   briefing.RoleViewer,
	"PUT /api/v1/rounds/:id":                   briefing.RoleLead,
	"DELETE /api/v1/rounds/:id":                briefing.RoleSecretariat,
	"GET /api/v1/rounds/:id/sheets":            briefing.RoleViewer,
	"POST /api/v1/rounds/:id/sheets":           briefing.RoleOfficer,
	"GET /api/v1/sheets/:id":                   briefing.RoleViewer,
	"PUT /api/v1/sheets/:id":                   briefing.RoleOfficer,
	"DELETE /api/v1/sheets/:id":                briefing.RoleOfficer,
	"GET /api/v1/dialogues/:id/actions":        briefing.RoleViewer,
	"POST /api/v1/dialogues/:id/actions":       briefing.RoleSecretariat,
	"GET /api/v1/actions/:id":                  briefing.RoleViewer,
	"PUT /api/v1/actions/:id":                  briefing.RoleSecretariat,
	"DELETE /api/v1/actions/:id":               briefing.RoleSecretariat,
	"GET /api/v1/rounds/:id/pack":              briefing.RoleLead,
	"GET /api/v1/rounds/:id/release-check":     briefing.RoleLead,
	"POST /api/v1/rounds/:id/packs":            briefing.RoleLead,
	"GET /api/v1/rounds/:id/packs":             briefing.RoleViewer,
	"POST /api/v1/rounds/:id/releases":         briefing.RoleLead,
	"GET /api/v1/rounds/:id/releases":          briefing.RoleLead,
	"GET /api/v1/releases/:id":                 briefing.RoleLead,
	"GET /api/v1/packs/:id":                    briefing.RoleViewer,
	"GET /api/v1/sheets/:id/versions":          briefing.RoleViewer,
	"GET /api/v1/sheets/:id/versions/:version": briefing.RoleViewer,
	"POST /api/v1/sheets/:id/restore":          briefing.RoleOfficer,
	"GET /api/v1/rounds/:id/versions":          briefing.RoleViewer,
	"GET /api/v1/audit":                        briefing.RoleLead,
	"GET /api/v1/admin/backup":                 briefing.RoleAdmin,
	"GET /api/v1/admin/runtime":                briefing.RoleAdmin,
	"POST /api/v1/sheets/:id/review":           briefing.RoleOfficer,
	"POST /api/v1/sheets/:id/merge":            briefing.RoleOfficer,
	"POST /api/v1/rounds/:id/import":           briefing.RoleOfficer,
	"POST /api/v1/rounds/:id/sheets/from-text": briefing.RoleOfficer,
	"GET /api/v1/sheets/:id/comments":          briefing.RoleViewer,
	"GET /api/v1/comments/:id":                 briefing.RoleViewer,
	"POST /api/v1/sheets/:id/comments":         briefing.RoleOfficer,
	"POST /api/v1/comments/:id/resolve":        briefing.RoleOfficer,
	"POST /api/v1/sheets/:id/presence":         briefing.RoleOfficer,
	"GET /api/v1/sheets/:id/draft":             briefing.RoleOfficer,
	"PUT /api/v1/sheets/:id/draft":             briefing.RoleOfficer,
	"DELETE /api/v1/sheets/:id/draft":          briefing.RoleOfficer,
	"POST /sheets/:id/comments":                briefing.RoleOfficer,
	"POST /comments/:id/resolve":               briefing.RoleOfficer,
	"GET /api/v1/dashboard":                    briefing.RoleViewer,
	"GET /api/v1/users":                        briefing.RoleAdmin,
	"POST /api/v1/users":                       briefing.RoleAdmin,
	"GET /api/v1/users/:id":                    briefing.RoleAdmin,
	"PUT /api/v1/users/:id":                    briefing.RoleAdmin,
	"DELETE /api/v1/users/:id":                 briefing.RoleAdmin,
}

// markedRoutes are the routes whose :id may name an object marked above a
// reader; for each, the fixture object that is SECRET.
func markedObjects(w world) map[string]string {
	return map[string]string{
		"/api/v1/people/:id":          w.secretPerson,
		"/api/v1/rounds/:id":          w.secretRound,
		"/api/v1/rounds/:id/sheets":   w.secretRound,
		"/api/v1/sheets/:id":          w.secretSheet,
		"/api/v1/rounds/:id/packs":    w.secretRound,
		"/api/v1/sheets/:id/versions": w.secretSheet,
		"/api/v1/rounds/:id/versions": w.secretRound,
		"/api/v1/sheets/:id/diff":     w.secretSheet,
		"/rounds/:id":                 w.secretRound,
		"/sheets/:id":                 w.secretSheet,
		"/people/:id":                 w.secretPerson,
	}
}

// TestAuthorizationMatrix calls every route of the router as every role and
// as nobody, and checks each against expectedRoles; then every route that
// reads a marked object as a reader below and at its marking.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	ids := map[string]string{
		"/dialogues/":        w.dialogue,
		"/rounds/":           w.round,
		"/sheets/":           w.sheet,
		"/people/":           w.person,
		"/agencies/":         w.agency,
		"/actions/":          w.action,
		"/admin/users/":      "1",
		"/api/v1/agencies/":  w.agency,
		"/api/v1/people/":    w.person,
		"/api/v1/dialogues/": w.dialogue,
		"/api/v1/rounds/":    w.round,
		"/api/v1/sheets/":    w.sheet,
		"/api/v1/actions/":   w.action,
		"/api/v1/users/":     "1",
		"/api/v1/packs/":     "424242",
		"/api/v1/comments/":  "424242",
		"/comments/":         "424242",
		"/api/v1/releases/":  "424242",
	}
	routes := f.srv.Routes()
	sort.Strings(routes)
	listed := map[string]bool{}
	for _, route := range routes {
		listed[route] = true
		min, ok := expectedRoles[route]
		if !ok {
			t.Errorf("route %s has no expectation in the authorization matrix", route)
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		concrete := path
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix+":id") {
				concrete = strings.Replace(path, ":id", id, 1)
			}
		}
		concrete = strings.Replace(concrete, ":version", "1", 1)
		if strings.Contains(concrete, ":") {
			t.Fatalf("route %s: no fixture id", route)
		}
		for _, user := range []string{"", "viewer", "officer", "lead", "secretariat", "admin"} {
			role := briefing.Role(user)
			tokenUser := user
			if (route == "POST /api/v1/logout" || route == "POST /logout") && user != "" {
				// Logging out ends the session: use a session of its own.
				f.tokens["logout-"+user] = f.login(user, "correct horse battery staple, and then some more words to pass seventy-two bytes")
				tokenUser = "logout-" + user
			}
			// Writes are sent stale or empty, so an allowed caller is refused
			// for its body (4xx) and the fixture is never changed.
			var body any
			var headers []string
			switch method {
			case "POST":
				body = map[string]any{}
			case "PUT":
				body = map[string]any{}
				headers = []string{"If-Match", `"999"`}
			case "DELETE":
				headers = []string{"If-Match", `"999"`}
			}
			switch path {
			case "/api/v1/search":
				concrete = path + "?q=dialogue"
			case "/api/v1/sheets/:id/diff":
				concrete = strings.Replace(path, ":id", w.sheet, 1) + "?from=1&to=1"
			}
			r := f.do(tokenUser, method, concrete, body, headers...)
			switch {
			case min == "":
				if r.Code == 401 || r.Code == 403 {
					t.Errorf("%s as %q: %d, want it open to anyone", route, user, r.Code)
				}
			case user == "" && !strings.HasPrefix(path, "/api/"):
				if r.Code != 303 || !strings.HasPrefix(r.Header().Get("Location"), "/login") {
					t.Errorf("%s anonymously: %d, want 303 to /login", route, r.Code)
				}
			case user == "":
				if r.Code != 401 {
					t.Errorf("%s anonymously: %d, want 401", route, r.Code)
				}
			case !role.AtLeast(min):
				if r.Code != 403 {
					t.Errorf("%s as %s: %d, want 403 (needs %s)", route, user, r.Code, min)
				}
			default:
				if r.Code == 401 || r.Code == 403 || r.Code >= 500 {
					t.Errorf("%s as %s: %d %s, want it allowed", route, user, r.Code, r.Body.String())
				}
			}
		}
	}
	for route := range expectedRoles {
		if !listed[route] {
			t.Errorf("the matrix lists %s, which the router does not hold", route)
		}
	}
	// Marking: a reader below an object's marking gets 404; at it, 200.
	for path, id := range markedObjects(w) {
		concrete := strings.Replace(path, ":id", id, 1)
		if strings.HasSuffix(path, "/diff") {
			concrete += "?from=1&to=1"
		}
		if r := f.do("viewer", "GET", concrete, nil); r.Code != 404 {
			t.Errorf("GET %s as a RESTRICTED viewer: %d, want 404", concrete, r.Code)
		}
		if r := f.do("officer", "GET", concrete, nil); r.Code != 200 {
			t.Errorf("GET %s as a SECRET officer: %d, want 200", concrete, r.Code)
		}
		for _, method := range []string{"PUT", "DELETE"} {
			if _, ok := expectedRoles[method+" "+path]; !ok {
				continue
			}
			if r := f.do("admin", "GET", concrete, nil); r.Code != 200 {
				continue
			}
			// A viewer's write is refused by role; a RESTRICTED officer's by clearance, as absent.
			if r := f.do("lowofficer", method, concrete, map[string]any{}, "If-Match", `"1"`); r.Code != 404 && r.Code != 403 {
				t.Errorf("%s %s as a RESTRICTED officer: %d, want 404 or 403", method, concrete, r.Code)
			}
		}
	}
}
