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

// dialoguesPage lists dialogues, with a form to add one.
type dialoguesPage struct {
	Items []*briefing.Dialogue
	Next  string
	Form  *briefing.Dialogue
	Error *formError
}

func (s *Pages) handleDialoguesPage(c echo.Context) error {
	return s.showDialogues(c, http.StatusOK, &briefing.Dialogue{Home: s.settings.Home, CadenceMonths: 12}, nil)
}

func (s *Pages) showDialogues(c echo.Context, status int, form *briefing.Dialogue, ferr *formError) error {
	p, err := server.PageParams(c)
	if err != nil {
		return err
	}
	p.Limit = 50
	items, next, err := s.view(c).Dialogues(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.page(c, status, "dialogues", "Dialogues", "", dialoguesPage{Items: items, Next: next, Form: form, Error: ferr})
}

// dialogueFromForm reads a dialogue's fields from a form.
func dialogueFromForm(c echo.Context, d *briefing.Dialogue) *formError {
	d.Name = c.FormValue("name")
	d.Home = c.FormValue("home")
	d.Partner = c.FormValue("partner")
	d.Established = c.FormValue("established")
	d.Origin = c.FormValue("origin")
	d.Notes = c.FormValue("notes")
	fe := &formError{Fields: map[string]string{}}
	d.CadenceMonths = formInt(c, "cadence_months", 12, fe)
	d.Milestones.Commissioned = formInt(c, "milestones.commissioned", briefing.DefaultMilestones.Commissioned, fe)
	d.Milestones.DraftsDue = formInt(c, "milestones.drafts_due", briefing.DefaultMilestones.DraftsDue, fe)
	d.Milestones.ClearanceDue = formInt(c, "milestones.clearance_due", briefing.DefaultMilestones.ClearanceDue, fe)
	d.Milestones.PackFrozen = formInt(c, "milestones.pack_frozen", briefing.DefaultMilestones.PackFrozen, fe)
	if len(fe.Fields) > 0 {
		fe.Message = "Some fields are not valid."
		return fe
	}
	return nil
}

// formInt reads a whole number from a form field, noting a bad one.
func formInt(c echo.Context, name string, def int, fe *formError) int {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fe.Fields[name] = "must be a whole number"
		return def
	}
	return n
}

// handleCreateDialogueForm is POST /dialogues.
func (s *Pages) handleCreateDialogueForm(c echo.Context) error {
	d := &briefing.Dialogue{}
	if fe := dialogueFromForm(c, d); fe != nil {
		return s.showDialogues(c, http.StatusUnprocessableEntity, d, fe)
	}
	if err := d.Validate(); err != nil {
		return s.showDialogues(c, http.StatusUnprocessableEntity, d, toFormError(err))
	}
	if err := s.store.CreateDialogue(c.Request().Context(), d, mustReader(c).Actor()); err != nil {
		return err
	}
	return redirect(c, "/dialogues/"+d.ID, "Dialogue added.")
}

// dialoguePage is one dialogue with its rounds and actions.
type dialoguePage struct {
	D        *briefing.Dialogue
	Form     *briefing.Dialogue
	Error    *formError
	Rounds   []*briefing.Round
	Actions  []*briefing.Action
	Agencies map[string]string
	RoundNos map[string]int
	NewRound *briefing.Round
	RoundErr *formError
	NewAct   *briefing.Action
	ActErr   *formError
	Calendar string
	// Subscribe is the calendar's address with the user's calendar token,
	// for a calendar client that can send no cookie.
	Subscribe string
}

func (s *Pages) handleDialoguePage(c echo.Context) error {
	return s.showDialogue(c, http.StatusOK, func(*dialoguePage) {})
}

func (s *Pages) showDialogue(c echo.Context, status int, adjust func(*dialoguePage)) error {
	v := s.view(c)
	d, err := v.DialogueByID(c.Param("id"))
	if err != nil {
		return err
	}
	dp := &dialoguePage{D: d, Form: d, Agencies: map[string]string{}, RoundNos: map[string]int{},
		NewRound: &briefing.Round{Host: briefing.SideHome, Marking: s.settings.Lowest()}, NewAct: &briefing.Action{},
		Calendar: "/api/v1/dialogues/" + d.ID + "/calendar.ics"}
	marking := s.settings.Lowest()
	err = eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
		func(r *briefing.Round) (bool, error) {
			dp.Rounds = append(dp.Rounds, r)
			dp.RoundNos[r.ID] = r.Number
			marking = s.settings.Highest(marking, r.Marking)
			return true, nil
		})
	if err != nil {
		return err
	}
	err = eachPage(func(p briefing.Page) ([]*briefing.Action, string, error) { return v.Actions(v.Ctx, d.ID, p) },
		func(a *briefing.Action) (bool, error) {
			dp.Actions = append(dp.Actions, a)
			marking = s.settings.Highest(marking, a.Marking)
			return true, nil
		})
	if err != nil {
		return err
	}
	err = eachPage(func(p briefing.Page) ([]*briefing.Agency, string, error) { return v.Agencies(v.Ctx, p) },
		func(a *briefing.Agency) (bool, error) {
			dp.Agencies[a.ID] = a.Name
			if a.Acronym != "" {
				dp.Agencies[a.ID] = a.Acronym
			}
			return true, nil
		})
	if err != nil {
		return err
	}
	if u, err := v.St.User(v.Ctx, v.User.UserID); err == nil {
		dp.Subscribe = c.Scheme() + "://" + c.Request().Host + "/api/v1/dialogues/" + d.ID + "/calendar.ics?token=" + server.CalendarToken(u)
	}
	adjust(dp)
	return s.page(c, status, "dialogue", d.Name, marking, dp)
}

// handleUpdateDialogueForm is POST /dialogues/:id.
func (s *Pages) handleUpdateDialogueForm(c echo.Context) error {
	v := s.view(c)
	old, err := v.DialogueByID(c.Param("id"))
	if err != nil {
		return err
	}
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: old.ID}}
	d.Version, _ = strconv.Atoi(c.FormValue("version"))
	fe := dialogueFromForm(c, d)
	if fe == nil {
		if err := d.Validate(); err != nil {
			fe = toFormError(err)
		} else if err := s.store.UpdateDialogue(v.Ctx, d, v.User.Actor()); err != nil {
			if !isUserError(err) {
				return err
			}
			fe = toFormError(err)
			if briefing.ErrorCode(err) == briefing.ESTALE {
				fe.Message = "Someone else saved this dialogue after you opened it. Your changes are below, unsaved; saving again will replace theirs."
				d.Version = old.Version
			}
		}
	}
	if fe != nil {
		return s.showDialogue(c, http.StatusUnprocessableEntity, func(dp *dialoguePage) { dp.Form, dp.Error = d, fe })
	}
	return redirect(c, "/dialogues/"+d.ID, "Dialogue saved.")
}

// handleCreateRoundForm is POST /dialogues/:id/rounds.
func (s *Pages) handleCreateRoundForm(c echo.Context) error {
	v := s.view(c)
	r := &briefing.Round{DialogueID: c.Param("id")}
	fe := roundFromForm(c, r)
	if fe == nil {
		if err := api.PrepareRound(v, r, nil); err != nil {
			if !isFormError(err) {
				return err
			}
			fe = toFormError(err)
		} else if err := s.store.CreateRound(v.Ctx, r, v.User.Actor(), v.SeesRound); err != nil {
			if !isFormError(err) {
				return err
			}
			fe = toFormError(err)
		}
	}
	if fe != nil {
		return s.showDialogue(c, http.StatusUnprocessableEntity, func(dp *dialoguePage) { dp.NewRound, dp.RoundErr = r, fe })
	}
	return redirect(c, "/rounds/"+r.ID, "Round added.")
}

// roundFromForm reads a round's own fields from a form.
func roundFromForm(c echo.Context, r *briefing.Round) *formError {
	fe := &formError{Fields: map[string]string{}}
	r.Number = formInt(c, "number", 0, fe)
	r.StartsOn = c.FormValue("starts_on")
	r.EndsOn = c.FormValue("ends_on")
	r.City = c.FormValue("city")
	r.Host = c.FormValue("host")
	r.Status = c.FormValue("status")
	if m := c.FormValue("marking"); m != "" || r.ID == "" {
		// Left out of a save, the marking is kept: read as none, it
		// would be the lowest, and the round shown to every reader.
		r.Marking = m
	}
	r.Outcomes = c.FormValue("outcomes")
	r.Purpose = c.FormValue("purpose")
	r.KeyMessages = c.FormValue("key_messages")
	if c.FormValue("agencies_form") != "" {
		form, _ := c.FormParams()
		r.ParticipatingAgencies = nil
		for _, side := range []string{briefing.SideHome, briefing.SidePartner} {
			for _, id := range form["agencies_"+side] {
				r.ParticipatingAgencies = append(r.ParticipatingAgencies, briefing.AgencySide{AgencyID: id, Side: side})
			}
		}
	}
	if len(fe.Fields) > 0 {
		fe.Message = "Some fields are not valid."
		return fe
	}
	return nil
}

// handleCreateActionForm is POST /dialogues/:id/actions.
func (s *Pages) handleCreateActionForm(c echo.Context) error {
	v := s.view(c)
	a := &briefing.Action{DialogueID: c.Param("id"), Ref: c.FormValue("ref"), Text: c.FormValue("text"),
		OwnerAgencyID: c.FormValue("owner_agency_id"), RaisedInRoundID: c.FormValue("raised_in_round_id"),
		DueOn: c.FormValue("due_on"), Status: c.FormValue("status"), Marking: c.FormValue("marking")}
	if err := s.api.CheckAction(v, a, nil); err != nil {
		if !isFormError(err) {
			return err
		}
		return s.showDialogue(c, http.StatusUnprocessableEntity, func(dp *dialoguePage) { dp.NewAct, dp.ActErr = a, toFormError(err) })
	}
	if err := s.store.CreateAction(v.Ctx, a, v.User.Actor()); err != nil {
		return err
	}
	return redirect(c, "/dialogues/"+a.DialogueID+"#actions", "Action "+a.Ref+" added.")
}

// handleUpdateActionForm is POST /actions/:id: its status, from the dialogue page.
func (s *Pages) handleUpdateActionForm(c echo.Context) error {
	v := s.view(c)
	a, err := v.Action(v.Ctx, c.Param("id"))
	if err != nil {
		return err
	}
	old := *a
	a.Version = formVersion(c, old.Version, 0)
	if st := c.FormValue("status"); st != "" {
		a.Status = st
	}
	if err := s.api.CheckAction(v, a, &old); err != nil {
		flash(c, "error", "Action "+a.Ref+": "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, "/dialogues/"+a.DialogueID+"#actions")
	}
	if err := s.store.UpdateAction(v.Ctx, a, v.User.Actor()); err != nil {
		if !isUserError(err) {
			return err
		}
		flash(c, "error", "Action "+a.Ref+" was changed by someone else first: check it and try again.")
		return c.Redirect(http.StatusSeeOther, "/dialogues/"+a.DialogueID+"#actions")
	}
	return redirect(c, "/dialogues/"+a.DialogueID+"#actions", "Action "+a.Ref+" is now "+strings.ReplaceAll(a.Status, "_", " ")+".")
}
