package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// registerFromTextRoutes registers a topic sheet brought in from the text
// of an existing brief.
func (s *API) registerFromTextRoutes() {
	// POST /api/v1/rounds/:id/sheets/from-text[?preview=true] {"text", "title", "marking"}
	s.route(http.MethodPost, api+"/rounds/:id/sheets/from-text", briefing.RoleOfficer, s.handleFromText)
}

// FromTextRequest is the body of POST /api/v1/rounds/:id/sheets/from-text:
// the brief's text, and optionally a title in place of its first line and
// the marking of its paragraphs not marked in the text (the round's by
// default; a higher banner in the text raises it).
type FromTextRequest struct {
	Text    string `json:"text"`
	Title   string `json:"title"`
	Marking string `json:"marking"`
}

// maxBriefText bounds the text of a brief brought in.
const maxBriefText = 1 << 20

// SheetFromText reads a brief's text into a new topic sheet of a round and
// checks it as a save would be (PrepareSheet): the sheet as it would be
// created, not yet stored, with its headings and marking filled in.
func (s *API) SheetFromText(v *view, roundID string, req FromTextRequest) (*briefing.Sheet, error) {
	r, err := v.RoundByID(roundID)
	if err != nil {
		return nil, err
	}
	if len(req.Text) > maxBriefText {
		return nil, fieldError("text", "must be at most 1 MiB")
	}
	marking := r.Marking
	if strings.TrimSpace(req.Marking) != "" {
		if marking = v.Set.NormalizeMarking(req.Marking); marking == "" {
			return nil, fieldError("marking", "must be one of "+strings.Join(v.Set.Markings, ", "))
		}
		if err := v.MarkingWithin("marking", marking); err != nil {
			return nil, err
		}
	}
	sh, top, err := v.Set.ParseBrief(req.Text, req.Title, marking)
	if err != nil {
		return nil, err
	}
	// Every marking the text bears, a banner's included (it marks what
	// came with it: the title, the headings), is one its writer must be
	// cleared for: refused as the text's, not as the paragraph it went to.
	if err := v.MarkingWithin("text", top); err != nil {
		return nil, err
	}
	sh.RoundID = r.ID
	if err := s.PrepareSheet(v, sh, nil); err != nil {
		return nil, err
	}
	return sh, nil
}

// handleFromText is POST /api/v1/rounds/:id/sheets/from-text: with
// ?preview=true, 200 and the sheet as it would be created (sections,
// paragraphs, markings), nothing written; else 201 and the sheet, as a
// create answers.
func (s *API) handleFromText(c echo.Context) error {
	var req FromTextRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	preview, err := dryRun(c.QueryParam("preview"))
	if err != nil {
		return err
	}
	v := s.view(c)
	sh, err := s.SheetFromText(v, c.Param("id"), req)
	if err != nil {
		return err
	}
	if preview {
		d, err := s.roundDialogue(v, sh.RoundID)
		if err != nil {
			return err
		}
		sh.Headings(d.Home, d.Partner)
		sh.Marking = v.Set.SheetMarking(sh)
		return c.JSON(http.StatusOK, sh)
	}
	if err := v.St.CreateSheet(v.Ctx, sh, v.User.Actor()); err != nil {
		return err
	}
	out, ok, err := v.Visible(sh)
	if err != nil {
		return err
	} else if !ok {
		return briefing.Errorf(briefing.ENOTFOUND, "sheet %s not found", sh.ID)
	}
	return created(c, api+"/sheets/"+sh.ID, sh.Version, out)
}

// roundDialogue is the dialogue of a round the reader sees.
func (s *API) roundDialogue(v *view, roundID string) (*briefing.Dialogue, error) {
	r, err := v.RoundByID(roundID)
	if err != nil {
		return nil, err
	}
	return v.DialogueByID(r.DialogueID)
}
