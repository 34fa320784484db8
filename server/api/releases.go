package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/xlsxpack"
)

// registerReleaseRoutes registers the responses to requests.
func (s *API) registerReleaseRoutes() {
	// POST /api/v1/rounds/:id/releases
	s.route(http.MethodPost, api+"/rounds/:id/releases", briefing.RoleLead, s.handleMakeRelease)
	// GET /api/v1/rounds/:id/releases
	s.route(http.MethodGet, api+"/rounds/:id/releases", briefing.RoleLead, s.handleReleases)
	// GET /api/v1/releases/:id?format=html|xlsx
	s.route(http.MethodGet, api+"/releases/:id", briefing.RoleLead, s.handleRelease)
}

// BuildResponse assembles the round's release edition for the caller and
// the response to the request, with the parts not released taken out.
func (s *API) BuildResponse(c echo.Context, roundID string, rel *briefing.Release) (*briefing.Response, error) {
	if err := rel.NormalizeDated(s.settings, s.now()); err != nil {
		return nil, err
	}
	view, err := s.assemble(c, packRequest{roundID: roundID, edition: briefing.EditionRelease})
	if err != nil {
		return nil, err
	}
	resp := briefing.BuildResponse(view, rel)
	briefing.ApplyParts(view, rel.Parts)
	rel.Count, rel.Schedule = resp.Count, resp.Entries
	return resp, nil
}

// renderResponse writes a response in one format.
func renderResponse(resp *briefing.Response, format string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "html":
		err = htmlpack.RenderResponse(&buf, resp)
	case "xlsx":
		err = xlsxpack.RenderResponse(&buf, resp)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s response: %w", format, err)
	}
	return buf.Bytes(), nil
}

// MakeRelease renders and stores a response to a request.
func (s *API) MakeRelease(c echo.Context, roundID string, rel *briefing.Release) error {
	resp, err := s.BuildResponse(c, roundID, rel)
	if err != nil {
		return err
	}
	// Who may read it: those cleared to the highest marking of the full
	// pack the release was made from, its maker's, who sees the whole
	// round; taken from that very pack, since the round may change between
	// two assemblies. Judged by the round as it is when read, a release
	// holding a TOP SECRET paragraph was read by RESTRICTED leads once that
	// paragraph left the round.
	rel.Marking = resp.Released.MadeFrom
	if rel.Marking == "" { // never so: then only the most cleared read it
		rel.Marking = s.settings.Top()
	}
	files := map[string][]byte{}
	rel.SHA256 = map[string]string{}
	for _, f := range []string{"html", "xlsx"} {
		body, err := renderResponse(resp, f)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		files[f], rel.SHA256[f] = body, hex.EncodeToString(sum[:])
	}
	r := mustReader(c)
	rel.RoundID, rel.MadeBy = resp.Released.Round.ID, r.Name
	if err := s.store.CreateRelease(c.Request().Context(), rel, files, r.Actor()); err != nil {
		return err
	}
	s.logger(c).Info("release made", "round", rel.RoundID, "release", rel.ID, "reference", rel.Reference)
	return nil
}

// handleMakeRelease is POST /api/v1/rounds/:id/releases: a response to a
// request, frozen byte for byte.
func (s *API) handleMakeRelease(c echo.Context) error {
	var rel briefing.Release
	if err := decode(c, &rel); err != nil {
		return err
	}
	rel.Meta = briefing.Meta{}
	rel.Number, rel.MadeBy, rel.SHA256 = 0, "", nil
	if err := s.MakeRelease(c, c.Param("id"), &rel); err != nil {
		return err
	}
	return created(c, api+"/releases/"+rel.ID, rel.Version, &rel)
}

// handleReleases is GET /api/v1/rounds/:id/releases.
func (s *API) handleReleases(c echo.Context) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	items, next, err := v.Releases(v.Ctx, c.Param("id"), pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

// handleRelease is GET /api/v1/releases/:id: the record, or with a format
// its frozen bytes, the same every time.
func (s *API) handleRelease(c echo.Context) error {
	v := s.view(c)
	rel, err := v.Release(v.Ctx, c.Param("id"))
	if err != nil {
		return err
	}
	r, err := v.RoundByID(rel.RoundID)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format == "" {
		return one(c, http.StatusOK, rel.Version, rel)
	}
	if _, ok := packTypes[format]; !ok {
		return &briefing.Error{Code: codeBadRequest, Message: "bad release parameters", Fields: map[string]string{"format": "must be html or xlsx"}}
	}
	body, err := v.ReleaseFile(v.Ctx, rel.ID, format)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	name := packFileName(&briefing.Pack{Dialogue: d, Round: r}, briefing.EditionRelease, format)
	name = strings.TrimSuffix(name, "."+format) + fmt.Sprintf("-response-%d.%s", rel.Number, format)
	return servePack(c, pieces{body}, `"`+rel.SHA256[format]+`"`, name, format)
}
