package server

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// View is a request's reader view (briefing.View, which applies the
// clearance rule to everything read on the reader's behalf) with the
// request's context, plus the store for writes. Handlers read only through
// the view; St is for writing, and for the checks a write makes against what
// is stored (hidden paragraphs it must keep), never for answering.
type View struct {
	*briefing.View
	Ctx  context.Context
	St   briefing.Store
	Set  briefing.Settings
	User briefing.Reader
	// KnownIDs are paragraph ids a save may keep besides the stored sheet's:
	// those of an old version being restored.
	KnownIDs map[string]bool
}

// View returns the request's view for its reader.
func (s *Server) View(c echo.Context) *View {
	return s.ViewFor(c.Request().Context(), MustReader(c))
}

// ViewFor returns reader r's view with a context of its own, for work done
// on a reader's behalf outside their request (a pack made ready for them).
func (s *Server) ViewFor(ctx context.Context, r briefing.Reader) *View {
	return &View{View: briefing.NewView(s.store, s.settings, r), Ctx: ctx, St: s.store, Set: s.settings, User: r}
}

// PersonByID returns a person the reader may see.
func (v *View) PersonByID(id string) (*briefing.Person, error) { return v.Person(v.Ctx, id) }

// PeoplePage lists the people the reader may see.
func (v *View) PeoplePage(p briefing.Page) ([]*briefing.Person, string, error) {
	return v.People(v.Ctx, p)
}

// DialogueByID returns a dialogue.
func (v *View) DialogueByID(id string) (*briefing.Dialogue, error) { return v.Dialogue(v.Ctx, id) }

// RoundByID returns the reader's copy of a round.
func (v *View) RoundByID(id string) (*briefing.Round, error) { return v.Round(v.Ctx, id) }

// RoundsPage lists the reader's copies of a dialogue's rounds.
func (v *View) RoundsPage(dialogueID string, p briefing.Page) ([]*briefing.Round, string, error) {
	return v.Rounds(v.Ctx, dialogueID, p)
}

// SheetByID returns the reader's copy of a topic sheet (see briefing.View.Sheet).
func (v *View) SheetByID(id string) (*briefing.Sheet, error) { return v.Sheet(v.Ctx, id) }

// Visible filters a stored sheet for the reader.
func (v *View) Visible(sh *briefing.Sheet) (*briefing.Sheet, bool, error) {
	return v.VisibleSheet(v.Ctx, sh)
}

// SheetsPage lists the reader's copies of a round's sheets.
func (v *View) SheetsPage(roundID string, p briefing.Page) ([]*briefing.Sheet, string, error) {
	return v.Sheets(v.Ctx, roundID, p)
}

// SeesRef reports whether the reader may see an object: a reference to one
// they may not see is answered exactly as one to an object that does not exist.
func (v *View) SeesRef(kind, id string) (bool, error) { return v.Sees(v.Ctx, kind, id) }

// MarkingWithin refuses (403) to write content marked above the writer.
func (v *View) MarkingWithin(field, marking string) error {
	if _, ok := v.Set.Level(marking); !ok {
		return nil // Validate names the bad marking
	}
	if !v.Set.Allows(v.User.Clearance, marking) {
		return &briefing.Error{Code: briefing.EFORBIDDEN,
			Message: "you cannot save content marked " + marking + ": it is above your clearance (" + v.User.Clearance + ")",
			Fields:  map[string]string{field: "is above your clearance"}}
	}
	return nil
}

// RefAgency checks that an optional agency reference names an agency.
func (v *View) RefAgency(field, id string) error {
	if id == "" {
		return nil
	}
	if _, err := v.Agency(v.Ctx, id); err != nil {
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			return FieldError(field, "must be the id of an agency")
		}
		return err
	}
	return nil
}

// FieldError is a 422 naming one field.
func FieldError(field, why string) error {
	return &briefing.Error{Code: briefing.EINVALID, Message: fmt.Sprintf("%s %s", field, why), Fields: map[string]string{field: why}}
}
