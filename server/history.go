package server

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
func (s *Server) registerHistoryRoutes() {
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

// versionJSON is one saved version in a history listing.
type versionJSON struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Deleted bool      `json:"deleted,omitempty"`
	Title   string    `json:"title,omitempty"`
	Marking string    `json:"marking,omitempty"`
}

// sheetVersions returns the reader's copies of a sheet's saved versions,
// oldest first: each filtered by the clearance rule like the sheet itself,
// and a version none of which the reader may see left out.
func (s *Server) sheetVersions(v *view, id string) ([]briefing.VersionRecord, []*briefing.Sheet, error) {
	if _, err := v.sheet(id); err != nil {
		return nil, nil, err
	}
	recs, err := s.store.Versions(v.ctx, briefing.KindSheet, id)
	if err != nil {
		return nil, nil, err
	}
	var keep []briefing.VersionRecord
	var sheets []*briefing.Sheet
	for _, rec := range recs {
		if rec.Deleted {
			continue
		}
		var sh briefing.Sheet
		if err := json.Unmarshal(rec.Data, &sh); err != nil {
			return nil, nil, fmt.Errorf("history of sheet %s version %d: %w", id, rec.Version, err)
		}
		out, ok, err := v.visibleSheet(&sh)
		if err != nil {
			return nil, nil, err
		} else if !ok {
			continue
		}
		keep = append(keep, rec)
		sheets = append(sheets, out)
	}
	return keep, sheets, nil
}

func (s *Server) handleSheetVersions(c echo.Context) error {
	recs, sheets, err := s.sheetVersions(s.view(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]versionJSON, len(recs))
	for i, rec := range recs {
		out[i] = versionJSON{Version: rec.Version, At: rec.At, By: rec.By, Title: sheets[i].Title, Marking: sheets[i].Marking}
	}
	return list(c, out, "")
}

// sheetVersion returns the reader's copy of one saved version, decoding
// only that one.
func (s *Server) sheetVersion(v *view, id string, version int) (*briefing.Sheet, error) {
	if _, err := v.sheet(id); err != nil {
		return nil, err
	}
	recs, err := s.store.Versions(v.ctx, briefing.KindSheet, id)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if rec.Version != version || rec.Deleted {
			continue
		}
		var sh briefing.Sheet
		if err := json.Unmarshal(rec.Data, &sh); err != nil {
			return nil, fmt.Errorf("history of sheet %s version %d: %w", id, rec.Version, err)
		}
		if out, ok, err := v.visibleSheet(&sh); err != nil {
			return nil, err
		} else if ok {
			return out, nil
		}
	}
	return nil, briefing.Errorf(briefing.ENOTFOUND, "sheet %s has no version %d", id, version)
}

func versionParam(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, briefing.Errorf(briefing.ENOTFOUND, "no such version %q", c.Param(name))
	}
	return n, nil
}

func (s *Server) handleSheetVersion(c echo.Context) error {
	n, err := versionParam(c, "version")
	if err != nil {
		return err
	}
	sh, err := s.sheetVersion(s.view(c), c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

// handleSheetRestore is POST /api/v1/sheets/:id/restore: an old version's
// content saved as a new version; history is never rewritten.
func (s *Server) handleSheetRestore(c echo.Context) error {
	var req struct {
		Version int `json:"version"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	v := s.view(c)
	cur, err := v.sheet(c.Param("id"))
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if version < 0 {
		version = cur.Version
	}
	out, err := s.restoreSheet(v, cur, version, req.Version)
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, out.Version, out)
}

// restoreSheet saves an old version's content as a new draft version, made
// against version of the current sheet. The restorer must be cleared for
// everything in the old version, or restoring it would lose what they
// cannot see.
func (s *Server) restoreSheet(v *view, cur *briefing.Sheet, version, old int) (*briefing.Sheet, error) {
	id := cur.ID
	recs, err := s.store.Versions(v.ctx, briefing.KindSheet, id)
	if err != nil {
		return nil, err
	}
	var full *briefing.Sheet
	for _, rec := range recs {
		if rec.Version == old && !rec.Deleted {
			full = &briefing.Sheet{}
			if err := json.Unmarshal(rec.Data, full); err != nil {
				return nil, fmt.Errorf("history of sheet %s version %d: %w", id, old, err)
			}
		}
	}
	if full == nil {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "sheet %s has no version %d", id, old)
	}
	if !s.settings.HoldsOnly(v.clearance(), full) {
		return nil, briefing.Errorf(briefing.EFORBIDDEN, "version %d holds paragraphs above your clearance; it cannot be restored by you", old)
	}
	restored := full.Clone()
	restored.Meta = briefing.Meta{ID: id, Version: version}
	restored.Status = briefing.SheetDraft
	if err := s.prepareSheet(v, restored, cur); err != nil {
		return nil, err
	}
	if err := s.store.UpdateSheet(v.ctx, restored, v.reader.Actor()); err != nil {
		return nil, err
	}
	return v.sheet(id)
}

func (s *Server) handleRoundVersions(c echo.Context) error {
	v := s.view(c)
	id := c.Param("id")
	if _, err := v.round(id); err != nil {
		return err
	}
	recs, err := s.store.Versions(v.ctx, briefing.KindRound, id)
	if err != nil {
		return err
	}
	type roundVersion struct {
		versionJSON
		Round *briefing.Round `json:"round"`
	}
	var out []roundVersion
	for _, rec := range recs {
		if rec.Deleted {
			continue
		}
		var r briefing.Round
		if err := json.Unmarshal(rec.Data, &r); err != nil {
			return fmt.Errorf("history of round %s version %d: %w", id, rec.Version, err)
		}
		if !s.settings.SeesRound(v.clearance(), &r) {
			continue
		}
		out = append(out, roundVersion{versionJSON{Version: rec.Version, At: rec.At, By: rec.By, Marking: r.Marking}, &r})
	}
	return list(c, out, "")
}

// handleAudit is GET /api/v1/audit: who changed what and when, newest first.
func (s *Server) handleAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	recs, next, err := s.store.Audit(c.Request().Context(), p)
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
func (s *Server) handleBackup(c echo.Context) error {
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
