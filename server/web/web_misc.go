package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/api"
)

// peoplePage lists the people the reader may see, with a form to add or edit one.
type peoplePage struct {
	Items    []*briefing.Person
	Next     string
	Agencies []*briefing.Agency
	AgencyOf map[string]string
	// Person is the person as stored, shown above the form: a form
	// refused shows what was typed in its fields only, never laid out as
	// theirs (a biography the save refused may take seconds to lay out).
	Person *briefing.Person
	Form   *briefing.Person
	Error  *formError
}

func (s *Pages) handlePeoplePage(c echo.Context) error {
	return s.showPeople(c, http.StatusOK, "people", nil, &briefing.Person{Marking: s.settings.Lowest()}, nil)
}

// handlePersonPage is GET /people/:id: the person, with the edit form.
func (s *Pages) handlePersonPage(c echo.Context) error {
	p, err := s.view(c).PersonByID(c.Param("id"))
	if err != nil {
		return err
	}
	return s.showPeople(c, http.StatusOK, "person", p, p, nil)
}

func (s *Pages) showPeople(c echo.Context, status int, name string, person, form *briefing.Person, ferr *formError) error {
	v := s.view(c)
	pp := peoplePage{Person: person, Form: form, Error: ferr, AgencyOf: map[string]string{}}
	pg, err := server.PageParams(c)
	if err != nil {
		return err
	}
	pg.Limit = 50
	if name == "people" {
		if pp.Items, pp.Next, err = v.PeoplePage(pg); err != nil {
			return err
		}
	}
	err = eachPage(func(p briefing.Page) ([]*briefing.Agency, string, error) { return v.Agencies(v.Ctx, p) },
		func(a *briefing.Agency) (bool, error) {
			pp.Agencies = append(pp.Agencies, a)
			pp.AgencyOf[a.ID] = a.Name
			return true, nil
		})
	if err != nil {
		return err
	}
	marking := s.settings.Lowest()
	for _, p := range pp.Items {
		marking = s.settings.Highest(marking, p.Marking)
	}
	if form.ID != "" {
		marking = s.settings.Highest(marking, form.Marking)
	}
	title := "People"
	if person != nil {
		marking = s.settings.Highest(marking, person.Marking)
		title = person.Name
	}
	return s.page(c, status, name, title, marking, pp)
}

// handleSavePersonForm is POST /people (a new person) and POST /people/:id.
func (s *Pages) handleSavePersonForm(c echo.Context) error {
	v := s.view(c)
	p := &briefing.Person{Name: c.FormValue("name"), Title: c.FormValue("title"), AgencyID: c.FormValue("agency_id"),
		Country: c.FormValue("country"), Bio: c.FormValue("bio"), Marking: c.FormValue("marking"), Withhold: c.FormValue("withhold")}
	id := c.Param("id")
	pageName := "people"
	read := 0 // the person's version as read now
	var old *briefing.Person
	if id != "" {
		var err error
		if old, err = v.PersonByID(id); err != nil {
			return err
		}
		p.ID, pageName, read = id, "person", old.Version
		p.Version = formVersion(c, old.Version, 0)
		// Left out of the form, the marking and the withholding are kept,
		// as a save through the API keeps them: read as none, a person
		// marked SECRET would be shown to everyone, and one withheld
		// released. (The form sends withhold "" for "not withheld".)
		if p.Marking == "" {
			p.Marking = old.Marking
		}
		if form, err := c.FormParams(); err == nil {
			if _, sent := form["withhold"]; !sent {
				p.Withhold = old.Withhold
			}
		}
	}
	err := p.ValidateOver(s.settings, old)
	if err == nil {
		err = v.RefAgency("agency_id", p.AgencyID)
	}
	if err == nil {
		err = v.MarkingWithin("marking", p.Marking)
	}
	if err == nil {
		if id == "" {
			err = v.St.CreatePerson(v.Ctx, p, v.User.Actor())
		} else {
			err = v.St.UpdatePerson(v.Ctx, p, v.User.Actor())
		}
	}
	if err != nil {
		if !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN {
			return err
		}
		fe := toFormError(err)
		if briefing.ErrorCode(err) == briefing.ESTALE {
			// The form shown again holds the version now stored, as the
			// dialogue's does: it carried the stale one turned to 0, and
			// every sending of it was refused again.
			fe.Message = "Someone else saved this person after you opened the page. Your changes are below, unsaved; saving again will replace theirs."
			p.Version = read
		}
		return s.showPeople(c, http.StatusUnprocessableEntity, pageName, old, p, fe)
	}
	return redirect(c, "/people/"+p.ID, "Saved "+p.Name+".")
}

// agenciesPage lists agencies with a form to add one.
type agenciesPage struct {
	Items []*briefing.Agency
	Next  string
	Form  *briefing.Agency
	Error *formError
}

func (s *Pages) handleAgenciesPage(c echo.Context) error {
	return s.showAgencies(c, http.StatusOK, &briefing.Agency{}, nil)
}

func (s *Pages) showAgencies(c echo.Context, status int, form *briefing.Agency, ferr *formError) error {
	pg, err := server.PageParams(c)
	if err != nil {
		return err
	}
	pg.Limit = 50
	items, next, err := s.view(c).Agencies(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	return s.page(c, status, "agencies", "Agencies", "", agenciesPage{Items: items, Next: next, Form: form, Error: ferr})
}

// handleSaveAgencyForm is POST /agencies and POST /agencies/:id.
func (s *Pages) handleSaveAgencyForm(c echo.Context) error {
	ctx := c.Request().Context()
	a := &briefing.Agency{Name: c.FormValue("name"), Acronym: c.FormValue("acronym"), Country: c.FormValue("country")}
	err := a.Validate()
	if err == nil {
		if id := c.Param("id"); id != "" {
			a.ID = id
			a.Version, _ = strconv.Atoi(c.FormValue("version"))
			err = s.store.UpdateAgency(ctx, a, mustReader(c).Actor())
		} else {
			err = s.store.CreateAgency(ctx, a, mustReader(c).Actor())
		}
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.showAgencies(c, http.StatusUnprocessableEntity, a, toFormError(err))
	}
	return redirect(c, "/agencies", "Saved "+a.Name+".")
}

// searchPage shows search results.
type searchPage struct {
	Q     string
	Hits  []api.SearchHit
	Error string
}

func (s *Pages) handleSearchPage(c echo.Context) error {
	sp := searchPage{Q: strings.TrimSpace(c.QueryParam("q"))}
	if sp.Q != "" {
		if len(sp.Q) > 200 {
			sp.Error = "Search for at most 200 characters."
		} else {
			hits, err := s.api.Search(s.view(c), sp.Q)
			if err != nil {
				return err
			}
			sp.Hits = hits
		}
	}
	marking := s.settings.Lowest()
	for _, h := range sp.Hits {
		marking = s.settings.Highest(marking, h.Marking)
	}
	return s.page(c, http.StatusOK, "search", "Search", marking, sp)
}

// usersPage is the admin's list of users.
type usersPage struct {
	Items []userRow
	Next  string
	Form  api.UserRequest
	Error *formError
	// AddError is Error when it is the form to add a user that was
	// refused: its fields are marked in that form.
	AddError *formError
	Roles    []briefing.Role
}

// userRow is a user in the list with the form that changes them: as stored,
// or, after a refused change, open with what was typed and why.
type userRow struct {
	*briefing.User
	Form    api.UserRequest
	Version int
	Open    bool
	Error   *formError
	// Above is an account cleared above the admin: listed, not changeable.
	Above bool
}

// userEdit is a refused change of one user, shown again in that user's row.
type userEdit struct {
	id      string
	version int
	form    api.UserRequest
	err     *formError
}

// newUserForm is the form for a new user as it first shows: a viewer at
// the lowest clearance.
func (s *Pages) newUserForm() api.UserRequest {
	return api.UserRequest{Role: briefing.RoleViewer, Clearance: s.settings.Lowest()}
}

func (s *Pages) handleUsersPage(c echo.Context) error {
	return s.showUsers(c, http.StatusOK, s.newUserForm(), nil, nil)
}

// showUsers shows the list of users and the form for a new one; a refused
// change of a user (edit) is shown in that user's row, its form open.
func (s *Pages) showUsers(c echo.Context, status int, form api.UserRequest, ferr *formError, edit *userEdit) error {
	pg, err := server.PageParams(c)
	if err != nil {
		return err
	}
	pg.Limit = 50
	items, next, err := s.store.Users(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	me := mustReader(c)
	rows := make([]userRow, len(items))
	for i, u := range items {
		rows[i] = userRow{User: u, Version: u.Version, Above: !s.settings.Allows(me.Clearance, u.Clearance),
			Form: api.UserRequest{Name: u.Name, Role: u.Role, Clearance: u.Clearance, Disabled: u.Disabled}}
		if edit != nil && u.ID == edit.id && !rows[i].Above {
			rows[i].Form, rows[i].Version, rows[i].Open, rows[i].Error = edit.form, edit.version, true, edit.err
			rows[i].Form.Password = ""
			edit = nil
		}
	}
	addErr := ferr
	if edit != nil {
		addErr = nil
		// The user has no form here (cleared above the admin, or not on
		// this page of the list): the reason is said above the list.
		ferr = edit.err
	}
	form.Password = ""
	return s.page(c, status, "users", "Users", "", usersPage{Items: rows, Next: next, Form: form, Error: ferr, AddError: addErr, Roles: briefing.Roles})
}

// handleSaveUserForm is POST /admin/users (a new user) and POST /admin/users/:id
// (role, clearance, disabled, and a password reset when one is typed).
func (s *Pages) handleSaveUserForm(c echo.Context) error {
	req := api.UserRequest{Name: c.FormValue("name"), Role: briefing.Role(c.FormValue("role")), Clearance: c.FormValue("clearance"),
		Disabled: c.FormValue("disabled") == "on", Password: c.FormValue("password")}
	var old *briefing.User
	version := 0
	if id := c.Param("id"); id != "" {
		var err error
		if old, err = s.store.User(c.Request().Context(), id); err != nil {
			return err
		}
		version, _ = strconv.Atoi(c.FormValue("version"))
	}
	u, err := s.api.SaveUser(c, old, version, req)
	if err != nil {
		if !isFormError(err) {
			return err
		}
		status := http.StatusUnprocessableEntity
		if briefing.ErrorCode(err) == briefing.EFORBIDDEN {
			status = http.StatusForbidden
		}
		fe := toFormError(err)
		switch {
		case old == nil:
			return s.showUsers(c, status, req, fe, nil)
		case briefing.ErrorCode(err) == briefing.ESTALE:
			fe.Message = "Someone else changed " + old.Name + " after you opened the page: look again and redo your change."
			return s.showUsers(c, status, s.newUserForm(), fe, nil)
		}
		return s.showUsers(c, status, s.newUserForm(), nil,
			&userEdit{id: old.ID, version: version, form: req, err: fe})
	}
	return redirect(c, "/admin/users", "Saved user "+u.Name+".")
}

// formVersion is the version a form's write is made against: the version
// just read and judged (read), when the form names it. A form naming any
// other — an older one, or one ahead, which a save landing between the
// check and the write would make match, and the write go over what was
// never judged — gets 0, which matches no version: the write is refused as
// stale. A form naming none gets none.
func formVersion(c echo.Context, read, none int) int {
	asked, err := strconv.Atoi(c.FormValue("version"))
	switch {
	case err != nil && c.FormValue("version") == "":
		return none
	case err == nil && asked == read:
		return read
	}
	return 0
}
