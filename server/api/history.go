package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// registerHistoryRoutes registers versions, restore, the audit log and the hot backup.
func (s *API) registerHistoryRoutes() {
	// GET /api/v1/sheets/:id/versions
	s.route(http.MethodGet, api+"/sheets/:id/versions", briefing.RoleViewer, s.handleSheetVersions)
	// GET /api/v1/sheets/:id/versions/:version
	s.route(http.MethodGet, api+"/sheets/:id/versions/:version", briefing.RoleViewer, s.handleSheetVersion)
	// POST /api/v1/sheets/:id/restore {"version": N}
	s.route(http.MethodPost, api+"/sheets/:id/restore", briefing.RoleOfficer, s.handleSheetRestore)
	// GET /api/v1/rounds/:id/versions
	s.route(http.MethodGet, api+"/rounds/:id/versions", briefing.RoleViewer, s.handleRoundVersions)
	// GET /api/v1/audit
	s.route(http.MethodGet, api+"/audit", briefing.RoleLead, s.handleAudit)
	// GET /api/v1/admin/backup
	s.route(http.MethodGet, api+"/admin/backup", briefing.RoleAdmin, s.handleBackup)
}

// VersionJSON is one saved version in a history listing.
type VersionJSON struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Deleted bool      `json:"deleted,omitempty"`
	Title   string    `json:"title,omitempty"`
	Marking string    `json:"marking,omitempty"`
}

// handleSheetVersions is GET /api/v1/sheets/:id/versions: a page of the
// versions the reader may see, oldest first (?limit=, ?cursor=).
func (s *API) handleSheetVersions(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	vs, next, err := v.SheetVersions(v.Ctx, c.Param("id"), p)
	if err != nil {
		return err
	}
	out := make([]VersionJSON, len(vs))
	for i, x := range vs {
		out[i] = VersionJSON{Version: x.Version, At: x.Record.At, By: x.Record.By, Title: x.Title, Marking: x.Marking}
	}
	return list(c, out, next)
}

func versionParam(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, briefing.Errorf(briefing.ENOTFOUND, "no such version %q", c.Param(name))
	}
	return n, nil
}

func (s *API) handleSheetVersion(c echo.Context) error {
	n, err := versionParam(c, "version")
	if err != nil {
		return err
	}
	v := s.view(c)
	sh, err := v.SheetVersionOf(v.Ctx, c.Param("id"), n)
	if err != nil {
		return err
	}
	if err := v.AsLastSeen(v.Ctx, briefing.KindSheet, &sh.Meta); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

// handleSheetRestore is POST /api/v1/sheets/:id/restore: an old version's
// content saved as a new version; history is never rewritten.
func (s *API) handleSheetRestore(c echo.Context) error {
	var req struct {
		Version int `json:"version"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	v := s.view(c)
	cur, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	asked, err := ifMatch(c)
	if err != nil {
		return err
	}
	version, err := heldTo(asked, cur.Version, briefing.KindSheet, cur.ID)
	if err != nil {
		return err
	}
	out, err := s.RestoreSheet(v, cur, version, req.Version)
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, out.Version, out)
}

// RestoreSheet saves an old version's content as a new draft version, made
// against version of the current sheet. A version hidden from the restorer
// is answered as missing (404), as reading it is; one they see only in part
// is refused (403): the restorer must be cleared for everything in the old
// version, or restoring it would lose what they cannot see.
func (s *API) RestoreSheet(v *view, cur *briefing.Sheet, version, old int) (*briefing.Sheet, error) {
	id := cur.ID
	missing := briefing.Errorf(briefing.ENOTFOUND, "sheet %s has no version %d", id, old)
	if old < 1 {
		return nil, missing
	}
	rec, err := s.store.Version(v.Ctx, briefing.KindSheet, id, old)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND || (err == nil && rec.Deleted) {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	full := &briefing.Sheet{}
	if err := json.Unmarshal(rec.Data, full); err != nil {
		return nil, fmt.Errorf("history of sheet %s version %d: %w", id, old, err)
	}
	// A version the restorer may not see at all is answered as one that does
	// not exist, as GET of it is; one they see in part is theirs to know of,
	// but restoring it would lose what they cannot see. Each paragraph is
	// judged as GET judges it: by the markings it was raised to since too.
	judged := full.Clone()
	s.settings.JudgeRaised(judged, rec.Raised)
	if _, ok, err := v.VisibleSheet(v.Ctx, judged); err != nil {
		return nil, err
	} else if !ok {
		return nil, missing
	}
	if !s.settings.HoldsOnly(v.User.Clearance, judged) {
		return nil, briefing.Errorf(briefing.EFORBIDDEN, "version %d holds paragraphs above your clearance; it cannot be restored by you", old)
	}
	if cur.Status != briefing.SheetDraft {
		// Its review is a trail a save does not step over: the words put
		// back were not the words submitted or cleared.
		return nil, briefing.Errorf(briefing.ECONFLICT, "sheet %s is %s: return it to draft through its review (a lead returns it) before restoring a version", id, cur.Status)
	}
	// Put back with each paragraph at the marking it was raised to since,
	// if higher: a restore undid a raise unsaid, and the words it had
	// marked too low came back below it. Whoever restores may lower it
	// again, saying so.
	restored := judged.Clone()
	restored.Meta = briefing.Meta{ID: id, Version: version}
	v.KnownIDs = briefing.ParagraphIDs(full) // the restored paragraphs keep their ids
	restored.Status = briefing.SheetDraft
	if err := s.prepareCopy(v, restored, cur); err != nil {
		return nil, err
	}
	if err := s.store.UpdateSheet(v.Ctx, restored, v.User.Actor()); err != nil {
		return nil, err
	}
	return v.SheetByID(id)
}

func (s *API) handleRoundVersions(c echo.Context) error {
	v := s.view(c)
	vs, err := v.RoundVersions(v.Ctx, c.Param("id"))
	if err != nil {
		return err
	}
	type roundVersion struct {
		VersionJSON
		Round *briefing.Round `json:"round"`
	}
	out := make([]roundVersion, len(vs))
	for i, x := range vs {
		out[i] = roundVersion{VersionJSON{Version: x.Version, At: x.Record.At, By: x.Record.By, Marking: x.Round.Marking}, x.Round}
	}
	return list(c, out, "")
}

// handleAudit is GET /api/v1/audit: who changed what and when, newest first,
// of the objects the reader may see.
func (s *API) handleAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	recs, next, err := v.Audit(v.Ctx, p)
	if err != nil {
		return err
	}
	return list(c, recs, next)
}

// backuper is a store that can write a consistent copy of itself while serving.
type backuper interface {
	Backup(w io.Writer) (int64, error)
}

// handleBackup is GET /api/v1/admin/backup: a consistent copy of the live
// database, streamed while the server goes on serving.
func (s *API) handleBackup(c echo.Context) error {
	// The whole database, every marking in it: only for the highest clearance.
	if top := s.settings.Top(); mustReader(c).Clearance != top {
		return errorf(briefing.EFORBIDDEN, "a backup holds everything in the database: it is for an admin cleared to "+top)
	}
	b, ok := s.store.(backuper)
	if !ok {
		return errorf(briefing.EINTERNAL, "this store cannot be backed up while serving")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="briefpack-%s.db"`, s.now().UTC().Format("20060102-150405")))
	c.Response().WriteHeader(http.StatusOK)
	n, err := b.Backup(c.Response())
	if err != nil {
		// The status is sent; the client sees a cut-short body. Log it for the operator.
		s.logger(c).Error("backup failed", "err", err.Error(), "bytes", n)
		return nil
	}
	s.logger(c).Info("backup streamed", "bytes", n)
	return nil
}
