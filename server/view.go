package server

import (
	"context"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// view is the store as one reader may see it. Every read a handler makes
// goes through a view, which applies the clearance rule (Settings.Allows and
// the filters built on it): an object above the reader is ENOTFOUND, a
// paragraph above them is absent. Writes check against the unfiltered store.
type view struct {
	ctx       context.Context
	st        briefing.Store
	set       briefing.Settings
	reader    briefing.Reader
	dialogues map[string]*briefing.Dialogue
}

// view returns the request's view for its reader.
func (s *Server) view(c echo.Context) *view {
	return &view{ctx: c.Request().Context(), st: s.store, set: s.settings, reader: mustReader(c),
		dialogues: map[string]*briefing.Dialogue{}}
}

func (v *view) clearance() string { return v.reader.Clearance }

// hidden is the error for an object above the reader: the same as for one
// that does not exist, so its existence is not disclosed either.
func hidden(kind, id string) error {
	return briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", kind, id)
}

func (v *view) person(id string) (*briefing.Person, error) {
	p, err := v.st.Person(v.ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.set.SeesPerson(v.clearance(), p) {
		return nil, hidden(briefing.KindPerson, id)
	}
	return p, nil
}

func (v *view) people(p briefing.Page) ([]*briefing.Person, string, error) {
	return collect(p, func(p briefing.Page) ([]*briefing.Person, string, error) { return v.st.People(v.ctx, p) },
		func(p *briefing.Person) (*briefing.Person, bool) { return p, v.set.SeesPerson(v.clearance(), p) })
}

func (v *view) dialogue(id string) (*briefing.Dialogue, error) {
	if d, ok := v.dialogues[id]; ok {
		return d, nil
	}
	d, err := v.st.Dialogue(v.ctx, id)
	if err != nil {
		return nil, err
	}
	v.dialogues[id] = d
	return d, nil
}

func (v *view) round(id string) (*briefing.Round, error) {
	r, err := v.st.Round(v.ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.set.SeesRound(v.clearance(), r) {
		return nil, hidden(briefing.KindRound, id)
	}
	return r, nil
}

func (v *view) rounds(dialogueID string, p briefing.Page) ([]*briefing.Round, string, error) {
	return collect(p, func(p briefing.Page) ([]*briefing.Round, string, error) { return v.st.Rounds(v.ctx, dialogueID, p) },
		func(r *briefing.Round) (*briefing.Round, bool) { return r, v.set.SeesRound(v.clearance(), r) })
}

// sheet returns the reader's copy of a topic sheet: ENOTFOUND when its round
// is above them or none of it is within their clearance; otherwise with the
// paragraphs above them absent, headings filled and the marking rolled up
// over what they see.
func (v *view) sheet(id string) (*briefing.Sheet, error) {
	sh, err := v.st.Sheet(v.ctx, id)
	if err != nil {
		return nil, err
	}
	out, ok, err := v.visibleSheet(sh)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, hidden(briefing.KindSheet, id)
	}
	return out, nil
}

func (v *view) visibleSheet(sh *briefing.Sheet) (*briefing.Sheet, bool, error) {
	r, err := v.round(sh.RoundID)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	out, ok := v.set.VisibleSheet(v.clearance(), sh)
	if !ok {
		return nil, false, nil
	}
	d, err := v.dialogue(r.DialogueID)
	if err != nil {
		return nil, false, err
	}
	out.Headings(d.Home, d.Partner)
	return out, true, nil
}

func (v *view) sheets(roundID string, p briefing.Page) ([]*briefing.Sheet, string, error) {
	if _, err := v.round(roundID); err != nil {
		return nil, "", err
	}
	var ferr error
	items, next, err := collect(p, func(p briefing.Page) ([]*briefing.Sheet, string, error) { return v.st.Sheets(v.ctx, roundID, p) },
		func(sh *briefing.Sheet) (*briefing.Sheet, bool) {
			out, ok, err := v.visibleSheet(sh)
			if err != nil && ferr == nil {
				ferr = err
			}
			return out, ok
		})
	if err == nil {
		err = ferr
	}
	return items, next, err
}
