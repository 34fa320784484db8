package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

func (s *Pages) handleAddCommentForm(c echo.Context) error {
	v := s.view(c)
	cm := briefing.Comment{ParagraphID: c.FormValue("paragraph_id"), Text: c.FormValue("text"), Marking: c.FormValue("marking")}
	typed := cm
	if err := s.api.AddComment(v, c.Param("id"), &cm); err != nil {
		status := http.StatusUnprocessableEntity
		switch {
		case briefing.ErrorCode(err) == briefing.EFORBIDDEN:
			status = http.StatusForbidden
		case !isUserError(err):
			return err
		}
		// The sheet page again, the comment in its form as typed and why
		// it was refused.
		return s.showSheet(c, status, func(sp *sheetPage) { sp.Comment, sp.CommentError = &typed, toFormError(err) })
	}
	return redirect(c, "/sheets/"+c.Param("id")+"#comments", "Comment added.")
}

func (s *Pages) handleResolveCommentForm(c echo.Context) error {
	v := s.view(c)
	cm, err := s.api.ResolveComment(v, c.Param("id"))
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

// handleDashboardPage is GET /: the signed-in user's dashboard.
func (s *Pages) handleDashboardPage(c echo.Context) error {
	d, err := s.api.Dashboard(s.view(c))
	if err != nil {
		return err
	}
	return s.page(c, http.StatusOK, "dashboard", "Dashboard", d.Marking, d)
}

// handleNextRoundForm is POST /dialogues/:id/next.
func (s *Pages) handleNextRoundForm(c echo.Context) error {
	r, warnings, note, err := s.api.ProposeNext(s.view(c), c.Param("id"))
	if err != nil {
		if isUserError(err) {
			refused(c, "No round proposed: "+briefing.ErrorMessage(err))
			return c.Redirect(http.StatusSeeOther, "/dialogues/"+c.Param("id"))
		}
		return err
	}
	// A side that has never hosted gives the round no city yet.
	where := " in " + r.City
	if r.City == "" {
		where = ", its city not yet set"
	}
	msg := fmt.Sprintf("Proposed the %s round: %s%s. Confirm or edit it below.", briefing.Ordinal(r.Number), humanDate(r.StartsOn), where)
	if note != "" {
		msg += " " + note
	}
	for _, w := range warnings {
		msg += " Warning: " + w.Reason + "."
	}
	return redirect(c, "/rounds/"+r.ID, msg)
}
