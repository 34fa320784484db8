package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// registerCommentRoutes registers review comments and presence on sheets.
func (s *API) registerCommentRoutes() {
	// GET /api/v1/sheets/:id/comments
	s.route(http.MethodGet, api+"/sheets/:id/comments", briefing.RoleViewer, s.handleComments)
	// POST /api/v1/sheets/:id/comments {"paragraph_id","text","marking"}
	s.route(http.MethodPost, api+"/sheets/:id/comments", briefing.RoleOfficer, s.handleAddComment)
	// GET /api/v1/comments/:id: one comment, as a sheet's list shows it
	// (where a new comment's Location points).
	s.route(http.MethodGet, api+"/comments/:id", briefing.RoleViewer, s.handleComment)
	// POST /api/v1/comments/:id/resolve
	s.route(http.MethodPost, api+"/comments/:id/resolve", briefing.RoleOfficer, s.handleResolveComment)
	// POST /api/v1/sheets/:id/presence[?wait=1&known=NAME…]: I have it
	// open; who else has? (With wait, once that is not who I know.) With
	// leave=1: I have closed it (204).
	s.route(http.MethodPost, api+"/sheets/:id/presence", briefing.RoleOfficer, s.handlePresence)
}

// presenceWindow is how long an open editor counts as present.
const presenceWindow = 3 * time.Minute

func (s *API) handleComments(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	items, next, err := v.Comments(v.Ctx, c.Param("id"), p)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

// AddComment stores a comment on a paragraph the writer may see; a
// paragraph they may not see is answered as one that does not exist.
func (s *API) AddComment(v *view, sheetID string, cm *briefing.Comment) error {
	sh, err := v.SheetByID(sheetID)
	if err != nil {
		return err
	}
	marking := ""
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if p.ID == cm.ParagraphID {
				marking = p.Marking
			}
		}
	}
	if marking == "" {
		return fieldError("paragraph_id", "must be the id of a paragraph of this sheet")
	}
	*cm = briefing.Comment{SheetID: sh.ID, ParagraphID: cm.ParagraphID, Text: cm.Text, Marking: cm.Marking, By: v.User.Name}
	if err := cm.Validate(v.Set, marking); err != nil {
		return err
	}
	if err := v.MarkingWithin("marking", cm.Marking); err != nil {
		return err
	}
	return v.St.CreateComment(v.Ctx, cm, v.User.Actor())
}

func (s *API) handleAddComment(c echo.Context) error {
	var cm briefing.Comment
	if err := decode(c, &cm); err != nil {
		return err
	}
	if err := s.AddComment(s.view(c), c.Param("id"), &cm); err != nil {
		return err
	}
	return created(c, api+"/comments/"+cm.ID, cm.Version, cm)
}

// handleComment is GET /api/v1/comments/:id: a comment the reader may see
// (its sheet and its paragraph too), with its ETag; any other is 404.
func (s *API) handleComment(c echo.Context) error {
	v := s.view(c)
	cm, err := v.Comment(v.Ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, cm.Version, cm)
}

// ResolveComment marks a comment the writer may see resolved.
func (s *API) ResolveComment(v *view, id string) (*briefing.Comment, error) {
	cm, err := v.Comment(v.Ctx, id)
	if err != nil {
		return nil, err
	}
	if cm.Resolved {
		return cm, nil
	}
	now := s.now().UTC()
	cm.Resolved, cm.ResolvedBy, cm.ResolvedAt = true, v.User.Name, &now
	if err := v.St.UpdateComment(v.Ctx, cm, v.User.Actor()); err != nil {
		return nil, err
	}
	return cm, nil
}

func (s *API) handleResolveComment(c echo.Context) error {
	cm, err := s.ResolveComment(s.view(c), c.Param("id"))
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, cm.Version, cm)
}

// openCommentsError is the refusal to clear a sheet with open comments:
// those the lead can see are counted; one they cannot is not, and makes it
// a sheet holding content above them, as a paragraph above them does.
func (s *API) openCommentsError(v *view, sheetID string, open int) error {
	seen := 0
	err := eachPage(func(p briefing.Page) ([]*briefing.Comment, string, error) { return v.Comments(v.Ctx, sheetID, p) },
		func(c *briefing.Comment) (bool, error) {
			if !c.Resolved {
				seen++
			}
			return true, nil
		})
	if err != nil {
		return err
	}
	if seen < open {
		return briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds content above your clearance: only someone who can see all of it may submit, clear or return it")
	}
	return briefing.Errorf(briefing.ECONFLICT, "%d review comment(s) on this sheet are still open: they must be resolved before it is cleared", open)
}

// handlePresence records that the caller has the sheet open and answers who
// else has had it open in the last few minutes; with leave=1, that they
// have closed it, so that the others are told at once rather than when
// their record grows stale. With wait=1 the answer is
// held until that differs from the names known (known=NAME, repeated; none
// for nobody), or for LongestWait: an open editor asks again on each
// answer, and so hears of someone opening the sheet within a moment, at
// about one request a minute.
func (s *API) handlePresence(c echo.Context) error {
	v := s.view(c)
	if c.QueryParam("leave") == "1" {
		if _, err := v.SheetByID(c.Param("id")); err != nil {
			return err
		}
		// A record of the last few seconds is a page the writer opened
		// since the one that closed: a reload, or the page a save shows
		// next, whose closing page says so only as it loads.
		if err := v.St.Leave(v.Ctx, briefing.KindSheet, c.Param("id"), v.User.Name, s.now().Add(-presenceReopen)); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
	var others []briefing.Presence
	var err error
	if c.QueryParam("wait") == "1" {
		others, err = s.awaitPresent(v, c.Param("id"), c.QueryParams()["known"])
	} else {
		others, err = s.Present(v, c.Param("id"))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": others})
}

// awaitPresent is Present, its answer held while the others are those
// known (by name), until someone arrives or leaves, for LongestWait at
// most. While it waits it reads the store only when told of an arrival
// or a record dropped (PresenceChanges), on this server or another.
func (s *API) awaitPresent(v *view, sheetID string, known []string) ([]briefing.Presence, error) {
	changes, stop := v.St.PresenceChanges(briefing.KindSheet, sheetID)
	defer stop() // asked before the first read: nothing between goes unheard
	others, err := s.Present(v, sheetID)
	if err != nil || !sameNames(others, known) {
		return others, err
	}
	until := time.Now().Add(s.LongestWait())
	for {
		news := s.Wait(v.Ctx, changes, until)
		if v.Ctx.Err() != nil {
			return others, nil // gone: the answer goes nowhere
		}
		if pin := briefing.ReadPinOf(v.Ctx); pin != nil {
			pin.Clear() // read as now stored, not as when the request came
		}
		// A sheet deleted, or marked above the reader, while they waited
		// is answered as any sheet they may not see.
		if _, err := v.SheetByID(sheetID); err != nil {
			return nil, err
		}
		now := s.now()
		if others, err = v.St.Others(v.Ctx, briefing.KindSheet, sheetID, v.User.Name, now.Add(-presenceWindow)); err != nil {
			return nil, err
		}
		if others == nil {
			others = []briefing.Presence{}
		}
		if !news || !sameNames(others, known) {
			return others, nil
		}
	}
}

// presenceReopen is how recent a record of presence is kept when its
// writer says they closed the sheet (see handlePresence).
const presenceReopen = 3 * time.Second

// sameNames reports whether the people present are those named, in any order.
func sameNames(ps []briefing.Presence, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	if len(want) != len(ps) {
		return false
	}
	for _, p := range ps {
		if !want[p.User] {
			return false
		}
	}
	return true
}

// Present records that the reader has a sheet open, and returns the others
// who have had it open in the last few minutes.
func (s *API) Present(v *view, sheetID string) ([]briefing.Presence, error) {
	if _, err := v.SheetByID(sheetID); err != nil {
		return nil, err
	}
	now := s.now()
	others, err := v.St.Present(v.Ctx, briefing.KindSheet, sheetID, v.User.Name, now, now.Add(-presenceWindow))
	if err != nil {
		return nil, err
	}
	// The others are read as of the write, which may come after other
	// writes (on etcd, after another server's): a sheet marked above the
	// reader meanwhile is answered as one they may not see, as when it
	// came before.
	if _, err := v.SheetByID(sheetID); err != nil {
		return nil, err
	}
	if others == nil {
		others = []briefing.Presence{}
	}
	return others, nil
}
