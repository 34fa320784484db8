package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
)

// server.UserJSON is a user as the API shows it: never the password hash.
// UserRequest is the body of a user create or update; Password is optional on update (a reset).
type UserRequest struct {
	Name      string        `json:"name"`
	Role      briefing.Role `json:"role"`
	Clearance string        `json:"clearance"`
	Disabled  bool          `json:"disabled"`
	Password  string        `json:"password"`
}

// registerUserRoutes registers /api/v1/users, the admin's.
func (s *API) registerUserRoutes() {
	// GET /api/v1/users
	s.route(http.MethodGet, api+"/users", briefing.RoleAdmin, s.handleUsers)
	// POST /api/v1/users
	s.route(http.MethodPost, api+"/users", briefing.RoleAdmin, s.handleCreateUser)
	// GET /api/v1/users/:id
	s.route(http.MethodGet, api+"/users/:id", briefing.RoleAdmin, s.handleUser)
	// PUT /api/v1/users/:id
	s.route(http.MethodPut, api+"/users/:id", briefing.RoleAdmin, s.handleUpdateUser)
	// DELETE /api/v1/users/:id
	s.route(http.MethodDelete, api+"/users/:id", briefing.RoleAdmin, s.handleDeleteUser)
}

func (s *API) handleUsers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	us, next, err := s.store.Users(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]server.UserJSON, len(us))
	for i, u := range us {
		out[i] = server.ToUserJSON(u)
	}
	return list(c, out, next)
}

func (s *API) handleUser(c echo.Context) error {
	u, err := s.store.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, u.Version, server.ToUserJSON(u))
}

// SaveUser creates a user (old nil) or saves a new version of one, for the
// API and the admin's page alike: the password is hashed whole, an admin
// cannot disable or demote themselves, and a user whose rights or password
// change is signed out everywhere.
func (s *API) SaveUser(c echo.Context, old *briefing.User, version int, req UserRequest) (*briefing.User, error) {
	u := &briefing.User{Name: req.Name, Role: req.Role, Clearance: req.Clearance, Disabled: req.Disabled}
	if old != nil {
		u.Meta = briefing.Meta{ID: old.ID, Version: version}
	}
	if err := u.Validate(s.settings); err != nil {
		return nil, err
	}
	me := mustReader(c)
	if old != nil && u.ID == me.UserID {
		// Each field refused is named, and only those: an admin who
		// changed their role alone was told their clearance was refused.
		fields := map[string]string{}
		var own, acts []string
		if u.Role != old.Role {
			fields["role"], own = "is not yours to change", append(own, "role")
		}
		if u.Clearance != old.Clearance {
			fields["clearance"], own = "is not yours to change", append(own, "clearance")
		}
		if len(own) > 0 {
			acts = append(acts, "change your own "+strings.Join(own, " or "))
		}
		if u.Disabled {
			fields["disabled"], acts = "is not yours to set", append(acts, "disable yourself")
		}
		if len(acts) > 0 {
			return nil, &briefing.Error{Code: briefing.EFORBIDDEN, Fields: fields,
				Message: "you cannot " + strings.Join(acts, ", or ") + ": ask another admin"}
		}
	}
	// An admin reaches only accounts cleared at or below their own
	// clearance, and raises none above it: a password, role or state of a
	// higher account, or a new one above them, would be a way to their own
	// clearance raised.
	if old != nil {
		if err := s.CheckReach(me, old, version); err != nil {
			return nil, err
		}
	}
	if !s.settings.Allows(me.Clearance, u.Clearance) {
		return nil, &briefing.Error{Code: briefing.EFORBIDDEN, Message: "you cannot give a clearance above your own: ask an admin cleared to it",
			Fields: map[string]string{"clearance": "is above your own clearance"}}
	}
	if old == nil || req.Password != "" {
		hash, err := server.HashPassword(req.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	ctx := c.Request().Context()
	if old == nil {
		if err := s.store.CreateUser(ctx, u, me.Actor()); err != nil {
			return nil, err
		}
		s.logger(c).Info("user created", "target", u.Name, "role", u.Role, "clearance", u.Clearance)
		return u, nil
	}
	// The store signs them out, in the write itself, if their rights,
	// password or name changed.
	if err := s.store.UpdateUser(ctx, u, me.Actor()); err != nil {
		return nil, err
	}
	s.logger(c).Info("user updated", "target", u.Name, "role", u.Role, "clearance", u.Clearance,
		"disabled", u.Disabled, "password_reset", req.Password != "")
	return u, nil
}

// CheckReach refuses an admin a change to an account cleared above them
// (EFORBIDDEN naming why); the account's clearance is not hidden from
// them, as its name is not: every admin sees the list of users. The change
// must be to the version checked (ESTALE otherwise), so that the store's
// version check makes the write one of the account as it was checked.
func (s *API) CheckReach(me briefing.Reader, target *briefing.User, version int) error {
	if !s.settings.Allows(me.Clearance, target.Clearance) {
		return &briefing.Error{Code: briefing.EFORBIDDEN,
			Message: fmt.Sprintf("%s is cleared above you (%s): only an admin cleared to %s changes or deletes them", target.Name, target.Clearance, target.Clearance),
			Fields:  map[string]string{"clearance": "is above your own clearance"}}
	}
	if version != target.Version {
		return briefing.Stale("user", target.ID, target.Version, version)
	}
	return nil
}

func (s *API) handleCreateUser(c echo.Context) error {
	var req UserRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	u, err := s.SaveUser(c, nil, 0, req)
	if err != nil {
		return err
	}
	return created(c, api+"/users/"+u.ID, u.Version, server.ToUserJSON(u))
}

func (s *API) handleUpdateUser(c echo.Context) error {
	old, err := s.store.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if version < 0 {
		version = old.Version
	}
	var req UserRequest
	body, err := server.DecodeBody(c, &req)
	if err != nil {
		return err
	}
	// Left out, "disabled" keeps what it was: read as false, a client that
	// sends only what it changes would enable a disabled account again.
	var sent struct {
		Disabled *bool `json:"disabled"`
	}
	if json.Unmarshal(body, &sent) == nil && sent.Disabled == nil {
		req.Disabled = old.Disabled
	}
	u, err := s.SaveUser(c, old, version, req)
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, u.Version, server.ToUserJSON(u))
}

func (s *API) handleDeleteUser(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if id == mustReader(c).UserID {
		return briefing.Errorf(briefing.ECONFLICT, "you cannot delete yourself; ask another admin")
	}
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	old, err := s.store.User(ctx, id)
	if err != nil {
		return err
	}
	if version == 0 {
		// The delete is of the account as checked, not of one a higher
		// admin has raised since.
		version = old.Version
	}
	if err := s.CheckReach(mustReader(c), old, version); err != nil {
		return err
	}
	// The store ends their sessions in the same write.
	if err := s.store.DeleteUser(ctx, id, version, mustReader(c).Actor()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func itoa(i int) string { return strconv.Itoa(i) }
