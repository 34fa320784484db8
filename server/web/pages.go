package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server/api"
)

// registerPageRoutes registers the web pages: the same rights as the API,
// checked by the same middleware.
func (s *Pages) registerPageRoutes() {
	// GET /static/* (CSS and script)
	s.route(http.MethodGet, "/static/*", Public, s.handleStatic)
	// GET /login · POST /login · POST /logout
	s.route(http.MethodGet, "/login", Public, s.handleLoginPage)
	s.route(http.MethodPost, "/login", Public, s.handleLoginForm)
	s.route(http.MethodPost, "/logout", briefing.RoleViewer, s.handleLogoutForm)
	// GET / (the dashboard)
	s.route(http.MethodGet, "/", briefing.RoleViewer, s.handleDashboardPage)
	// GET /search
	s.route(http.MethodGet, "/search", briefing.RoleViewer, s.handleSearchPage)
	// GET, POST /dialogues · GET, POST /dialogues/:id
	s.route(http.MethodGet, "/dialogues", briefing.RoleViewer, s.handleDialoguesPage)
	s.route(http.MethodPost, "/dialogues", briefing.RoleSecretariat, s.handleCreateDialogueForm)
	s.route(http.MethodGet, "/dialogues/:id", briefing.RoleViewer, s.handleDialoguePage)
	s.route(http.MethodPost, "/dialogues/:id", briefing.RoleSecretariat, s.handleUpdateDialogueForm)
	// POST /dialogues/:id/rounds · /dialogues/:id/next · /dialogues/:id/actions · /actions/:id
	s.route(http.MethodPost, "/dialogues/:id/rounds", briefing.RoleSecretariat, s.handleCreateRoundForm)
	s.route(http.MethodPost, "/dialogues/:id/next", briefing.RoleSecretariat, s.handleNextRoundForm)
	s.route(http.MethodPost, "/dialogues/:id/actions", briefing.RoleSecretariat, s.handleCreateActionForm)
	s.route(http.MethodPost, "/actions/:id", briefing.RoleSecretariat, s.handleUpdateActionForm)
	// GET, POST /rounds/:id · POST /rounds/:id/agenda, /people, /sheets, /freeze
	s.route(http.MethodGet, "/rounds/:id", briefing.RoleViewer, s.handleRoundPage)
	s.route(http.MethodPost, "/rounds/:id", briefing.RoleSecretariat, s.handleUpdateRoundForm)
	s.route(http.MethodPost, "/rounds/:id/agenda", briefing.RoleLead, s.handleAgendaForm)
	s.route(http.MethodPost, "/rounds/:id/people", briefing.RoleSecretariat, s.handlePeopleForm)
	s.route(http.MethodPost, "/rounds/:id/sheets", briefing.RoleOfficer, s.handleNewSheetForm)
	s.route(http.MethodPost, "/rounds/:id/freeze", briefing.RoleLead, s.handleFreezeForm)
	// POST /rounds/:id/import: an edited pack workbook, previewed or imported
	s.route(http.MethodPost, "/rounds/:id/import", briefing.RoleOfficer, s.handleImportForm)
	s.SetBodyLimit(http.MethodPost, "/rounds/:id/import", api.ImportBodyLimit)
	// POST /rounds/:id/sheets/from-text: a brief's text, previewed or made a sheet
	s.route(http.MethodPost, "/rounds/:id/sheets/from-text", briefing.RoleOfficer, s.handleFromTextForm)
	s.route(http.MethodPost, "/rounds/:id/releases", briefing.RoleLead, s.handleReleaseForm)
	// GET /sheets/:id · GET, POST /sheets/:id/edit · POST /sheets/:id/review
	s.route(http.MethodGet, "/sheets/:id", briefing.RoleViewer, s.handleSheetPage)
	s.route(http.MethodGet, "/sheets/:id/edit", briefing.RoleOfficer, s.handleEditorPage)
	s.route(http.MethodPost, "/sheets/:id/edit", briefing.RoleOfficer, s.handleEditorForm)
	s.route(http.MethodPost, "/sheets/:id/review", briefing.RoleOfficer, s.handleReviewForm)
	s.route(http.MethodPost, "/sheets/:id/rollforward", briefing.RoleOfficer, s.handleRollForwardForm)
	s.route(http.MethodPost, "/sheets/:id/delete", briefing.RoleOfficer, s.handleDeleteSheetForm)
	s.route(http.MethodPost, "/sheets/:id/restore", briefing.RoleOfficer, s.handleRestoreForm)
	// GET /sheets/:id/versions/:version?compare=N
	s.route(http.MethodGet, "/sheets/:id/versions/:version", briefing.RoleViewer, s.handleVersionPage)
	// POST /sheets/:id/comments · POST /comments/:id/resolve
	s.route(http.MethodPost, "/sheets/:id/comments", briefing.RoleOfficer, s.handleAddCommentForm)
	s.route(http.MethodPost, "/comments/:id/resolve", briefing.RoleOfficer, s.handleResolveCommentForm)
	// GET, POST /people · GET, POST /people/:id
	s.route(http.MethodGet, "/people", briefing.RoleViewer, s.handlePeoplePage)
	s.route(http.MethodPost, "/people", briefing.RoleSecretariat, s.handleSavePersonForm)
	s.route(http.MethodGet, "/people/:id", briefing.RoleViewer, s.handlePersonPage)
	s.route(http.MethodPost, "/people/:id", briefing.RoleSecretariat, s.handleSavePersonForm)
	// GET, POST /agencies · POST /agencies/:id
	s.route(http.MethodGet, "/agencies", briefing.RoleViewer, s.handleAgenciesPage)
	s.route(http.MethodPost, "/agencies", briefing.RoleSecretariat, s.handleSaveAgencyForm)
	s.route(http.MethodPost, "/agencies/:id", briefing.RoleSecretariat, s.handleSaveAgencyForm)
	// GET, POST /admin/users · POST /admin/users/:id
	s.route(http.MethodGet, "/admin/users", briefing.RoleAdmin, s.handleUsersPage)
	s.route(http.MethodPost, "/admin/users", briefing.RoleAdmin, s.handleSaveUserForm)
	s.route(http.MethodPost, "/admin/users/:id", briefing.RoleAdmin, s.handleSaveUserForm)
}

// wantsHTML reports whether an error should be shown as a page, not JSON.
func wantsHTML(c echo.Context) bool {
	p := c.Request().URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/healthz"
}

func (s *Pages) renderErrorPage(c echo.Context, status int, msg string) {
	body := map[string]any{"Title": http.StatusText(status), "Message": msg}
	if status == http.StatusNotFound {
		body["Title"], body["Message"] = "Not found", "There is nothing here, or nothing you are cleared to see."
	}
	if err := s.page(c, status, "error", http.StatusText(status), "", body); err != nil {
		s.logger(c).Error("render error page", "err", err.Error())
		_ = c.String(status, msg)
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// dict builds a map for passing several values to a template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func listOf(v ...string) []string { return v }

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	err := enc.Encode(v)
	return bytes.TrimSpace(b.Bytes()), err
}
