package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/briefing/ical"
	"briefpack/server"
)

// registerScheduleRoutes registers the secretariat's scheduling: the next
// round, the calendar, roll-forward and the changes since last round.
func (s *API) registerScheduleRoutes() {
	// POST /api/v1/dialogues/:id/rounds/next
	s.route(http.MethodPost, api+"/dialogues/:id/rounds/next", briefing.RoleSecretariat, s.handleNextRound)
	// GET /api/v1/calendar.ics · GET /api/v1/dialogues/:id/calendar.ics (bearer, cookie or ?token=)
	s.route(http.MethodGet, api+"/calendar.ics", briefing.RoleViewer, s.handleCalendar)
	s.route(http.MethodGet, api+"/dialogues/:id/calendar.ics", briefing.RoleViewer, s.handleCalendar)
	// GET /api/v1/calendar-token: the signed-in user's subscription link
	s.route(http.MethodGet, api+"/calendar-token", briefing.RoleViewer, s.handleCalendarToken)
	// POST /api/v1/sheets/:id/rollforward {"round_id"}
	s.route(http.MethodPost, api+"/sheets/:id/rollforward", briefing.RoleOfficer, s.handleRollForward)
	// GET /api/v1/sheets/:id/changes (since its predecessor)
	s.route(http.MethodGet, api+"/sheets/:id/changes", briefing.RoleViewer, s.handleChanges)
	// GET /api/v1/sheets/:id/diff?from=N&to=M (between two saved versions)
	s.route(http.MethodGet, api+"/sheets/:id/diff", briefing.RoleViewer, s.handleVersionDiff)
}

// nextRoundResponse is the proposed round with its warnings.
type nextRoundResponse struct {
	*briefing.Round
	Warnings []briefing.Overlap `json:"warnings"`
	// Note says why the round is dated as it is when the date on the
	// cadence had passed; absent otherwise.
	Note string `json:"note,omitempty"`
}

// ProposeNext creates the next round of a dialogue by the rule of
// briefing.NextRound, with status proposed, for the secretariat to confirm.
func (s *API) ProposeNext(v *view, dialogueID string) (*briefing.Round, []briefing.Overlap, string, error) {
	d, err := v.DialogueByID(dialogueID)
	if err != nil {
		return nil, nil, "", err
	}
	var rounds []*briefing.Round
	if err := eachRound(v, d.ID, func(r *briefing.Round) { rounds = append(rounds, r) }); err != nil {
		return nil, nil, "", err
	}
	r, note, err := briefing.NextRound(d, rounds, s.now())
	if err != nil {
		return nil, nil, "", err
	}
	if err := PrepareRound(v, r, nil); err != nil {
		return nil, nil, "", err
	}
	if err := v.St.CreateRound(v.Ctx, r, v.User.Actor(), v.SeesRound); err != nil {
		if briefing.ErrorCode(err) == briefing.ECONFLICT {
			// Proposed twice at once: a button pressed twice, or two of
			// the secretariat. The first proposal stands.
			return nil, nil, "", briefing.Errorf(briefing.ECONFLICT,
				"The %s round was proposed meanwhile, by you or someone else: it is on the dialogue's page.", briefing.Ordinal(r.Number))
		}
		return nil, nil, "", err
	}
	warnings, err := s.Overlaps(v, r)
	return r, warnings, note, err
}

func (s *API) handleNextRound(c echo.Context) error {
	r, warnings, note, err := s.ProposeNext(s.view(c), c.Param("id"))
	if err != nil {
		return err
	}
	if warnings == nil {
		warnings = []briefing.Overlap{}
	}
	out, err := OutputRound(s.view(c), r)
	if err != nil {
		return err
	}
	return created(c, api+"/rounds/"+r.ID, r.Version, nextRoundResponse{Round: out, Warnings: warnings, Note: note})
}

// Overlaps warns of other rounds at the same time with the same co-chair or partner.
func (s *API) Overlaps(v *view, r *briefing.Round) ([]briefing.Overlap, error) {
	partners := map[string]string{}
	var others []*briefing.Round
	err := eachPage(func(p briefing.Page) ([]*briefing.Dialogue, string, error) { return v.Dialogues(v.Ctx, p) },
		func(d *briefing.Dialogue) (bool, error) {
			partners[d.ID] = d.Partner
			return true, eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
				func(x *briefing.Round) (bool, error) { others = append(others, x); return true, nil })
		})
	if err != nil {
		return nil, err
	}
	return briefing.Overlaps(r, others, func(id string) string { return partners[id] }), nil
}

func (s *API) handleCalendarToken(c echo.Context) error {
	u, err := s.store.User(c.Request().Context(), mustReader(c).UserID)
	if err != nil {
		return err
	}
	tok := server.CalendarToken(u)
	return c.JSON(http.StatusOK, map[string]string{"token": tok, "url": api + "/calendar.ics?token=" + tok})
}

// handleCalendar is the RFC 5545 feed of rounds and their milestones the
// reader may see, for all dialogues or one.
func (s *API) handleCalendar(c echo.Context) error {
	v := s.view(c)
	var events []ical.Event
	name := "briefpack"
	stamp := s.now().UTC()
	add := func(d *briefing.Dialogue) (bool, error) {
		return true, eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
			func(r *briefing.Round) (bool, error) {
				if r.StartsOn == "" {
					return true, nil
				}
				events = append(events, roundEvents(s.settings.Instance, d, r, stamp)...)
				return true, nil
			})
	}
	var err error
	if id := c.Param("id"); id != "" {
		d, derr := v.DialogueByID(id)
		if derr != nil {
			return derr
		}
		name = d.Name
		_, err = add(d)
	} else {
		err = eachPage(func(p briefing.Page) ([]*briefing.Dialogue, string, error) { return v.Dialogues(v.Ctx, p) }, add)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ical.Write(&buf, name, events); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="briefpack.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}

// roundEvents are a round and its drafting milestones as calendar events.
// UIDs are made of what is stored, the database's name (instance) and the
// round's id, never of the address the feed was asked at, so every server
// and every alias of one gives the same event the same UID. SEQUENCE
// follows the round's version, and a milestone's the dialogue's too (its
// offsets move it), so a moved event replaces the old entry in
// subscribers' calendars. A date a calendar cannot hold (before the year
// 0001 or after 9999) is left out, never the feed.
func roundEvents(instance string, d *briefing.Dialogue, r *briefing.Round, stamp time.Time) []ical.Event {
	start, err := time.Parse(time.DateOnly, r.StartsOn)
	if err != nil || !ical.Writable(start) {
		return nil
	}
	end := start
	if e, err := time.Parse(time.DateOnly, r.EndsOn); err == nil && !e.Before(start) {
		end = e
	}
	status := "CONFIRMED"
	switch r.Status {
	case briefing.RoundCancelled:
		status = "CANCELLED"
	case briefing.RoundProposed, briefing.RoundPostponed:
		status = "TENTATIVE"
	}
	seq := r.Version - 1
	domain := "briefpack"
	if instance != "" {
		domain = instance + ".briefpack"
	}
	uid := func(what string) string { return "briefpack-round-" + r.ID + what + "@" + domain }
	events := []ical.Event{{UID: uid(""), Sequence: seq, Summary: fmt.Sprintf("%s – %s round", d.Name, briefing.Ordinal(r.Number)),
		Description: fmt.Sprintf("%s round of the %s (%s). Status: %s.", briefing.Ordinal(r.Number), d.Name, r.Marking, r.Status),
		Location:    r.City, Start: start, End: end.AddDate(0, 0, 1), Stamp: stamp, Status: status, Categories: []string{"Round"}}}
	if r.Status == briefing.RoundCancelled || r.Status == briefing.RoundHeld {
		return events
	}
	for _, m := range briefing.RoundMilestones(d, r) {
		due, err := time.Parse(time.DateOnly, m.Due)
		if err != nil || !ical.Writable(due) {
			continue
		}
		events = append(events, ical.Event{UID: uid("-" + m.Kind), Sequence: seq + d.Version - 1,
			Summary: fmt.Sprintf("%s: %s round of the %s", m.Title, briefing.Ordinal(r.Number), d.Name),
			Start:   due, End: due.AddDate(0, 0, 1), Stamp: stamp, Status: "CONFIRMED", Categories: []string{"Milestone"}})
	}
	return events
}

// handleRollForward is POST /api/v1/sheets/:id/rollforward: the sheet copied
// into a later round as a new draft linked to its predecessor.
func (s *API) handleRollForward(c echo.Context) error {
	var req struct {
		RoundID string `json:"round_id"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.RoundID == "" {
		return &briefing.Error{Code: briefing.EINVALID, Message: "round_id is required", Fields: map[string]string{"round_id": "is required"}}
	}
	out, err := s.RollForward(s.view(c), c.Param("id"), req.RoundID)
	if err != nil {
		return err
	}
	return created(c, api+"/sheets/"+out.ID, out.Version, out)
}

// RollForward copies a sheet into a later round of its dialogue (one
// numbered after the sheet's round) as a new draft held by the caller,
// linked to its predecessor. Any other round is 422 naming round_id.
func (s *API) RollForward(v *view, sheetID, roundID string) (*briefing.Sheet, error) {
	src, err := v.SheetByID(sheetID)
	if err != nil {
		return nil, err
	}
	stored, err := v.St.Sheet(v.Ctx, src.ID)
	if err != nil {
		return nil, err
	}
	if !s.settings.HoldsOnly(v.User.Clearance, stored) {
		return nil, briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds paragraphs above your clearance; rolling it forward would lose them")
	}
	from, err := v.RoundByID(src.RoundID)
	if err != nil {
		return nil, err
	}
	to, err := v.RoundByID(roundID)
	if err != nil {
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			return nil, fieldError("round_id", "must be the id of a round")
		}
		return nil, err
	}
	// Forward only: into a round numbered after the sheet's, as the sheet
	// page offers. A round hidden from the caller was answered above as
	// one that does not exist.
	if to.DialogueID != from.DialogueID || to.Number <= from.Number {
		return nil, fieldError("round_id", fmt.Sprintf("must be a round of the same dialogue after the %s", briefing.Ordinal(from.Number)))
	}
	sh := stored.Clone()
	sh.Meta = briefing.Meta{}
	sh.RoundID, sh.Status, sh.Owner, sh.OwnerID, sh.Reviews = to.ID, briefing.SheetDraft, v.User.Name, v.User.UserID, nil
	// New ids in the new round, each paragraph linked to the one it came from.
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			p := &sh.Sections[i].Paragraphs[j]
			p.OriginID, p.ID = p.ID, ""
		}
	}
	if err := s.prepareCopy(v, sh, nil); err != nil {
		return nil, err
	}
	sh.PredecessorID = stored.ID
	if err := v.St.CreateSheet(v.Ctx, sh, v.User.Actor()); err != nil {
		return nil, err
	}
	return v.SheetByID(sh.ID)
}

// changesResponse is a sheet's changes against an earlier text of it.
type changesResponse struct {
	SheetID string                     `json:"sheet_id"`
	From    string                     `json:"from"`
	Changes []briefing.ParagraphChange `json:"changes"`
}

// handleChanges is GET /api/v1/sheets/:id/changes: what changed since the
// sheet it was rolled forward from, paragraph by paragraph, word by word.
func (s *API) handleChanges(c echo.Context) error {
	v := s.view(c)
	cur, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	if cur.PredecessorID == "" {
		return briefing.Errorf(briefing.ENOTFOUND, "sheet %s was not rolled forward from another", cur.ID)
	}
	prev, err := v.SheetByID(cur.PredecessorID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, changesResponse{SheetID: cur.ID, From: "sheet " + prev.ID, Changes: Changed(briefing.DiffSheets(prev, cur))})
}

// handleVersionDiff is GET /api/v1/sheets/:id/diff?from=N&to=M.
func (s *API) handleVersionDiff(c echo.Context) error {
	v := s.view(c)
	id := c.Param("id")
	from, err1 := strconv.Atoi(c.QueryParam("from"))
	to, err2 := strconv.Atoi(c.QueryParam("to"))
	if err1 != nil || err2 != nil {
		return &briefing.Error{Code: codeBadRequest, Message: "from and to must be version numbers",
			Fields: map[string]string{"from": "a version number", "to": "a version number"}}
	}
	a, err := v.SheetVersionOf(v.Ctx, id, from)
	if err != nil {
		return err
	}
	b, err := v.SheetVersionOf(v.Ctx, id, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, changesResponse{SheetID: id, From: "version " + strconv.Itoa(from), Changes: Changed(briefing.DiffSheets(a, b))})
}

// Changed keeps the changes that are not "unchanged".
func Changed(all []briefing.ParagraphChange) []briefing.ParagraphChange {
	out := []briefing.ParagraphChange{}
	for _, ch := range all {
		if ch.Change != "unchanged" {
			out = append(out, ch)
		}
	}
	return out
}
