package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server/api"
)

// versionPage is one saved version of a topic sheet, with what changed
// from another version (by default the one before it that the reader may
// see; none when there is none), word by word.
type versionPage struct {
	Sheet    *briefing.Sheet // the version shown
	Current  *briefing.Sheet
	Round    *briefing.Round
	Dialogue *briefing.Dialogue
	Version  int
	Compare  int
	Versions []int
	Changes  []briefing.ParagraphChange
}

// handleVersionPage is GET /sheets/:id/versions/:version?compare=N: the
// version as the reader may see it, and its comparison with version N.
func (s *Pages) handleVersionPage(c echo.Context) error {
	v := s.view(c)
	cur, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return briefing.Errorf(briefing.ENOTFOUND, "no such version %q", c.Param("version"))
	}
	sh, err := v.SheetVersionOf(v.Ctx, cur.ID, n)
	if err != nil {
		return err
	}
	r, err := v.RoundByID(cur.RoundID)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	sh.Headings(d.Home, d.Partner)
	vp := versionPage{Sheet: sh, Current: cur, Round: r, Dialogue: d, Version: n}
	vs, err := allSheetVersions(v, cur.ID)
	if err != nil {
		return err
	}
	for _, x := range vs {
		vp.Versions = append(vp.Versions, x.Version)
		// By default the version is compared with the one before it that
		// the reader may see: those hidden from them are not in the list.
		if x.Version < n && x.Version > vp.Compare {
			vp.Compare = x.Version
		}
	}
	q := c.QueryParam("compare")
	asked := q != ""
	if asked {
		if vp.Compare, err = strconv.Atoi(q); err != nil {
			return &briefing.Error{Code: briefing.EINVALID, Message: "compare must be a version number", Fields: map[string]string{"compare": "a version number"}}
		}
	}
	marking := s.settings.Highest(sh.Marking, r.Marking)
	if vp.Compare >= 1 && vp.Compare != n {
		// A version asked for that is hidden from the reader is 404, as one
		// that does not exist.
		other, err := v.SheetVersionOf(v.Ctx, cur.ID, vp.Compare)
		switch {
		case err == nil:
			other.Headings(d.Home, d.Partner)
			vp.Changes = api.Changed(briefing.DiffSheets(other, sh))
			marking = s.changesMarking(marking, other, vp.Changes)
		case !asked && briefing.ErrorCode(err) == briefing.ENOTFOUND:
			vp.Compare = 0 // the default gone meanwhile: no comparison
		default:
			return err
		}
	} else {
		vp.Compare = 0
	}
	return s.page(c, http.StatusOK, "version", "Version "+strconv.Itoa(n)+" of "+cur.Title, marking, vp)
}

// allSheetVersions gathers every page of a sheet's versions as the reader
// may see them: a page lists them all.
func allSheetVersions(v *view, id string) ([]briefing.SheetVersion, error) {
	var vs []briefing.SheetVersion
	err := eachPage(func(p briefing.Page) ([]briefing.SheetVersion, string, error) { return v.SheetVersions(v.Ctx, id, p) },
		func(x briefing.SheetVersion) (bool, error) {
			vs = append(vs, x)
			return true, nil
		})
	return vs, err
}
