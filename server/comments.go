package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// registerCommentRoutes registers review comments and presence on sheets.
func (s *Server) registerCommentRoutes() {
	// GET /api/v1/sheets/:id/comments
	s.route(http.MethodGet, api+"/sheets/:id/comments", briefing.RoleViewer, s.handleComments)
	// POST /api/v1/sheets/:id/comments {"paragraph_id","text","marking"}
	s.route(http.MethodPost, api+"/sheets/:id/comments", briefing.RoleOfficer, s.handleAddComment)
	// POST /api/v1/comments/:id/resolve
	s.route(http.MethodPost, api+"/comments/:id/resolve", briefing.RoleOfficer, s.handleResolveComment)
	// POST /api/v1/sheets/:id/presence: I have it open; who else has?
	s.route(http.MethodPost, api+"/sheets/:id/presence", briefing.RoleOfficer, s.handlePresence)
	// POST /sheets/:id/comments · POST /comments/:id/resolve (the pages' forms)
	s.route(http.MethodPost, "/sheets/:id/comments", briefing.RoleOfficer, s.handleAddCommentForm)
	s.route(http.MethodPost, "/comments/:id/resolve", briefing.RoleOfficer, s.handleResolveCommentForm)
}

// presenceWindow is how long an open editor counts as present.
const presenceWindow = 3 * time.Minute

func (s *Server) handleComments(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	items, next, err := v.Comments(v.ctx, c.Param("id"), p)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

// addComment stores a comment on a paragraph the writer may see; a
// paragraph they may not see is answered as one that does not exist.
func (s *Server) addComment(v *view, sheetID string, cm *briefing.Comment) error {
	sh, err := v.sheet(sheetID)
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
	*cm = briefing.Comment{SheetID: sh.ID, ParagraphID: cm.ParagraphID, Text: cm.Text, Marking: cm.Marking, By: v.reader.Name}
	if err := cm.Validate(v.set, marking); err != nil {
		return err
	}
	if err := v.markingWithin("marking", cm.Marking); err != nil {
		return err
	}
	return v.st.CreateComment(v.ctx, cm, v.reader.Actor())
}

func (s *Server) handleAddComment(c echo.Context) error {
	var cm briefing.Comment
	if err := decode(c, &cm); err != nil {
		return err
	}
	if err := s.addComment(s.view(c), c.Param("id"), &cm); err != nil {
		return err
	}
	return created(c, api+"/sheets/"+cm.SheetID+"/comments", cm.Version, cm)
}

// resolveComment marks a comment the writer may see resolved.
func (s *Server) resolveComment(v *view, id string) (*briefing.Comment, error) {
	cm, err := v.Comment(v.ctx, id)
	if err != nil {
		return nil, err
	}
	if cm.Resolved {
		return cm, nil
	}
	now := s.now().UTC()
	cm.Resolved, cm.ResolvedBy, cm.ResolvedAt = true, v.reader.Name, &now
	if err := v.st.UpdateComment(v.ctx, cm, v.reader.Actor()); err != nil {
		return nil, err
	}
	return cm, nil
}

func (s *Server) handleResolveComment(c echo.Context) error {
	cm, err := s.resolveComment(s.view(c), c.Param("id"))
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, cm.Version, cm)
}

// openComments counts a sheet's unresolved comments, seen by the reader or not.
func (s *Server) openComments(v *view, sheetID string) (int, error) {
	n := 0
	err := eachPage(func(p briefing.Page) ([]*briefing.Comment, string, error) { return v.st.Comments(v.ctx, sheetID, p) },
		func(c *briefing.Comment) (bool, error) {
			if !c.Resolved {
				n++
			}
			return true, nil
		})
	return n, err
}

func (s *Server) handleAddCommentForm(c echo.Context) error {
	v := s.view(c)
	cm := briefing.Comment{ParagraphID: c.FormValue("paragraph_id"), Text: c.FormValue("text"), Marking: c.FormValue("marking")}
	back := safeNext(c.FormValue("back"))
	if back == "/" {
		back = "/sheets/" + c.Param("id")
	}
	if err := s.addComment(v, c.Param("id"), &cm); err != nil {
		if !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN {
			return err
		}
		flash(c, "error", "Comment not added: "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, back)
	}
	return redirect(c, back, "Comment added.")
}

func (s *Server) handleResolveCommentForm(c echo.Context) error {
	v := s.view(c)
	cm, err := s.resolveComment(v, c.Param("id"))
	if err != nil {
		if !isUserError(err) {
			return err
		}
		flash(c, "error", "Not resolved: "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, "/")
	}
	back := safeNext(c.FormValue("back"))
	if back == "/" {
		back = "/sheets/" + cm.SheetID
	}
	return redirect(c, back, "Comment resolved.")
}

// handlePresence records that the caller has the sheet open and answers who
// else has had it open in the last few minutes.
func (s *Server) handlePresence(c echo.Context) error {
	v := s.view(c)
	others, err := s.present(v, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": others})
}

func (s *Server) present(v *view, sheetID string) ([]briefing.Presence, error) {
	if _, err := v.sheet(sheetID); err != nil {
		return nil, err
	}
	now := s.now()
	others, err := v.st.Present(v.ctx, briefing.KindSheet, sheetID, v.reader.Name, now, now.Add(-presenceWindow))
	if others == nil {
		others = []briefing.Presence{}
	}
	return others, err
}
