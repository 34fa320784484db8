package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// registerDraftRoutes registers each person's unsaved draft of a sheet:
// kept on the server as it is typed, so that it survives a crash, a closed
// tab, another machine or an ended session, and given back to its author
// alone.
func (s *API) registerDraftRoutes() {
	// GET, PUT, DELETE /api/v1/sheets/:id/draft
	s.route(http.MethodGet, api+"/sheets/:id/draft", briefing.RoleOfficer, s.handleGetDraft)
	s.route(http.MethodPut, api+"/sheets/:id/draft", briefing.RoleOfficer, s.handlePutDraft)
	s.route(http.MethodDelete, api+"/sheets/:id/draft", briefing.RoleOfficer, s.handleDeleteDraft)
}

// Bounds of a draft: the editor's fields of a large sheet fit well within.
const (
	maxDraftFields = 4000
	maxDraftBytes  = 2 << 20
)

// draftAllowed reports whether every marking chosen in a draft is within the
// reader's clearance now (it may have been lowered since it was typed).
func draftAllowed(v *view, d *briefing.Draft) bool {
	for name, value := range d.Fields {
		if strings.HasSuffix(name, ".marking") && value != "" && !v.Set.Allows(v.User.Clearance, value) {
			return false
		}
	}
	return true
}

// draftHidesNothing reports whether every paragraph a draft names is one its
// writer may see, judged only by what they may see: the sheet now, or the
// version the draft was typed at, each as they would be shown it. A
// paragraph they could not see when they typed (above them then, or their
// clearance lowered since) is not shown back to them, whatever its marking
// in the draft; one they saw then and see no longer, marked above them or
// deleted since, is alike to them and comes back, and the merge decides at
// the save, where it is one deleted since. Looking past their view (at the
// stored sheet) would tell a paragraph hidden from them from one deleted,
// or from none.
func draftHidesNothing(v *view, sh *briefing.Sheet, d *briefing.Draft) (bool, error) {
	unknown := map[string]bool{}
	seen := briefing.ParagraphIDs(sh)
	for name, value := range d.Fields {
		if strings.HasSuffix(name, ".id") && value != "" && !seen[value] {
			unknown[value] = true
		}
	}
	if len(unknown) == 0 {
		return true, nil
	}
	typedAt, err := v.SheetVersionAsSeen(v.Ctx, sh.ID, d.Version)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND {
		return false, nil // no version they may see: none of its paragraphs were theirs
	} else if err != nil {
		return false, err
	}
	then := briefing.ParagraphIDs(typedAt)
	for id := range unknown {
		if !then[id] {
			return false, nil
		}
	}
	return true, nil
}

// Draft returns the reader's own draft of a sheet they may see, or
// ENOTFOUND. A draft that chose a marking above them, or names a paragraph
// they could not see at the version it was typed at, is ENOTFOUND too, and
// is removed.
func (s *API) Draft(v *view, sheetID string) (*briefing.Draft, error) {
	sh, err := v.SheetByID(sheetID)
	if err != nil {
		return nil, err
	}
	d, err := v.St.Draft(v.Ctx, v.User.UserID, sh.ID)
	if err != nil {
		return nil, err
	}
	ok := draftAllowed(v, d)
	if ok {
		if ok, err = draftHidesNothing(v, sh, d); err != nil {
			return nil, err
		}
	}
	if !ok {
		_ = v.St.DeleteDraft(v.Ctx, v.User.UserID, sh.ID)
		return nil, briefing.Errorf(briefing.ENOTFOUND, "no draft of sheet %s", sh.ID)
	}
	return d, nil
}

// KeepDraft keeps the reader's draft of a sheet they may see, replacing the
// one before, its texts cleaned as a save cleans them (CleanText): EINVALID
// beyond a draft's bounds, EFORBIDDEN for a marking above the reader's
// clearance.
func (s *API) KeepDraft(v *view, sheetID string, d *briefing.Draft) error {
	sh, err := v.SheetByID(sheetID)
	if err != nil {
		return err
	}
	size := 0
	for k, val := range d.Fields {
		size += len(k) + len(val)
	}
	if len(d.Fields) == 0 || len(d.Fields) > maxDraftFields || size > maxDraftBytes {
		return &briefing.Error{Code: briefing.EINVALID, Message: "a draft holds 1 to 4,000 fields and at most 2 MiB",
			Fields: map[string]string{"fields": "1 to 4,000 fields, at most 2 MiB"}}
	}
	for name, value := range d.Fields {
		// A marking the scheme does not have is a bad field, not one above
		// the writer.
		if strings.HasSuffix(name, ".marking") && value != "" && v.Set.NormalizeMarking(value) == "" {
			return &briefing.Error{Code: briefing.EINVALID, Message: "the draft's " + name + " is not a marking of this jurisdiction",
				Fields: map[string]string{name: "must be a marking of this jurisdiction"}}
		}
	}
	if !draftAllowed(v, d) {
		return briefing.Errorf(briefing.EFORBIDDEN, "a draft may not choose a marking above your clearance")
	}
	// Kept as the save would keep it: a terminal's escape or a bell typed
	// or pasted in would otherwise come back into the editor, and its page.
	for name, value := range d.Fields {
		d.Fields[name] = briefing.CleanText(value)
	}
	d.At = s.now().UTC()
	return v.St.PutDraft(v.Ctx, v.User.UserID, sh.ID, d)
}

func (s *API) handleGetDraft(c echo.Context) error {
	d, err := s.Draft(s.view(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *API) handlePutDraft(c echo.Context) error {
	v := s.view(c)
	if _, err := v.SheetByID(c.Param("id")); err != nil {
		return err
	}
	var d briefing.Draft
	if err := decode(c, &d); err != nil {
		return err
	}
	if err := s.KeepDraft(v, c.Param("id"), &d); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *API) handleDeleteDraft(c echo.Context) error {
	v := s.view(c)
	sh, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	if err := v.St.DeleteDraft(v.Ctx, v.User.UserID, sh.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
