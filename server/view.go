package server

import (
	"context"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// view is a request's reader view (briefing.View, which applies the
// clearance rule to everything read on the reader's behalf) with the
// request's context, plus the store for writes. Handlers read only through
// the view; st is for writing, and for the checks a write makes against
// what is stored (hidden paragraphs it must keep), never for answering.
type view struct {
	*briefing.View
	ctx    context.Context
	st     briefing.Store
	set    briefing.Settings
	reader briefing.Reader
	// knownIDs are paragraph ids a save may keep besides the stored sheet's:
	// those of an old version being restored.
	knownIDs map[string]bool
}

// view returns the request's view for its reader.
func (s *Server) view(c echo.Context) *view {
	r := mustReader(c)
	return &view{View: briefing.NewView(s.store, s.settings, r), ctx: c.Request().Context(), st: s.store, set: s.settings, reader: r}
}

func (v *view) clearance() string { return v.reader.Clearance }

func (v *view) person(id string) (*briefing.Person, error) { return v.Person(v.ctx, id) }

func (v *view) people(p briefing.Page) ([]*briefing.Person, string, error) { return v.People(v.ctx, p) }

func (v *view) dialogue(id string) (*briefing.Dialogue, error) { return v.Dialogue(v.ctx, id) }

func (v *view) round(id string) (*briefing.Round, error) { return v.Round(v.ctx, id) }

func (v *view) rounds(dialogueID string, p briefing.Page) ([]*briefing.Round, string, error) {
	return v.Rounds(v.ctx, dialogueID, p)
}

// sheet returns the reader's copy of a topic sheet (see briefing.View.Sheet).
func (v *view) sheet(id string) (*briefing.Sheet, error) { return v.Sheet(v.ctx, id) }

func (v *view) visibleSheet(sh *briefing.Sheet) (*briefing.Sheet, bool, error) {
	return v.VisibleSheet(v.ctx, sh)
}

func (v *view) sheets(roundID string, p briefing.Page) ([]*briefing.Sheet, string, error) {
	return v.Sheets(v.ctx, roundID, p)
}

// sees reports whether the reader may see an object: a reference to one
// they may not see is answered exactly as one to an object that does not exist.
func (v *view) sees(kind, id string) (bool, error) { return v.Sees(v.ctx, kind, id) }
