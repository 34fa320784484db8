package server

import (
	"fmt"
	"reflect"
	"sort"

	"briefpack/briefing"
)

// registerRoundRoutes registers /api/v1/dialogues/:id/rounds and /api/v1/rounds/:id.
func (s *Server) registerRoundRoutes() {
	r := &resource[*briefing.Round]{
		kind:  briefing.KindRound,
		path:  func(id string) string { return api + "/rounds/" + id },
		fresh: func() *briefing.Round { return &briefing.Round{} },
		get:   func(v *view, id string) (*briefing.Round, error) { return v.round(id) },
		list: func(v *view, parent string, p briefing.Page) ([]*briefing.Round, string, error) {
			return v.rounds(parent, p)
		},
		prepare:  prepareRound,
		create:   func(v *view, r *briefing.Round) error { return v.st.CreateRound(v.ctx, r, v.reader.Actor()) },
		update:   func(v *view, r *briefing.Round) error { return v.st.UpdateRound(v.ctx, r, v.reader.Actor()) },
		delete:   func(v *view, id string, ver int) error { return v.st.DeleteRound(v.ctx, id, ver, v.reader.Actor()) },
		parent:   func(r *briefing.Round, id string) { r.DialogueID = id },
		parentOf: func(r *briefing.Round) string { return r.DialogueID },
		output:   outputRound,
		warnings: func(v *view, r *briefing.Round) ([]string, error) {
			os, err := s.overlaps(v, r)
			var out []string
			for _, o := range os {
				out = append(out, o.Reason+" (round "+o.RoundID+")")
			}
			return out, err
		},
	}
	// GET, POST /api/v1/dialogues/:id/rounds
	s.route("GET", api+"/dialogues/:id/rounds", briefing.RoleViewer, r.handleList(s, "id"))
	s.route("POST", api+"/dialogues/:id/rounds", briefing.RoleSecretariat, r.handleCreate(s, "id"))
	// GET /api/v1/rounds/:id · PUT (a lead may reorder the agenda; the rest is
	// the secretariat's) · DELETE
	r.registerItem(s, api+"/rounds/:id", briefing.RoleViewer, briefing.RoleLead, briefing.RoleSecretariat, nil)
}

// outputRound gives the reader's copy of a round: people above their
// clearance absent from its co-chairs and delegation, lists never null.
func outputRound(v *view, r *briefing.Round) (*briefing.Round, error) {
	c := *r
	if v != nil {
		var err error
		if c.CoChairs, err = v.visibleParticipants(r.CoChairs); err != nil {
			return nil, err
		}
		if c.Delegation, err = v.visibleParticipants(r.Delegation); err != nil {
			return nil, err
		}
	}
	if c.CoChairs == nil {
		c.CoChairs = []briefing.Participant{}
	}
	if c.Delegation == nil {
		c.Delegation = []briefing.Participant{}
	}
	if c.Agenda == nil {
		c.Agenda = []briefing.AgendaItem{}
	}
	return &c, nil
}

// prepareRound validates a round and its references. A lead below the
// secretariat may change only the agenda of an existing round.
func prepareRound(v *view, r, old *briefing.Round) error {
	d, err := v.dialogue(r.DialogueID)
	if err != nil {
		return err
	}
	if r.Host == "" {
		r.Host = briefing.SideHome
	}
	if old == nil && r.Number == 0 {
		r.Number = 1
		err := eachRound(v, d.ID, func(x *briefing.Round) {
			if x.Number >= r.Number {
				r.Number = x.Number + 1
			}
		})
		if err != nil {
			return err
		}
	}
	if old != nil {
		// People the writer may not see were absent from what they read;
		// they stay in the round, so nothing unseen is lost by the save.
		r.CoChairs = keepHidden(v, r.CoChairs, old.CoChairs)
		r.Delegation = keepHidden(v, r.Delegation, old.Delegation)
	}
	if err := r.Validate(v.set); err != nil {
		return err
	}
	if old != nil && !v.reader.Role.AtLeast(briefing.RoleSecretariat) {
		a, b := *r, *old
		a.Agenda, b.Agenda, a.Meta, b.Meta = nil, nil, briefing.Meta{}, briefing.Meta{}
		if !reflect.DeepEqual(normRound(a), normRound(b)) {
			return briefing.Errorf(briefing.EFORBIDDEN, "a delegation lead may change only the agenda of a round; the rest is the secretariat's")
		}
	}
	for _, list := range []struct {
		field string
		ps    []briefing.Participant
	}{{"co_chairs", r.CoChairs}, {"delegation", r.Delegation}} {
		for i, p := range list.ps {
			if _, err := v.st.Person(v.ctx, p.PersonID); err != nil {
				if briefing.ErrorCode(err) == briefing.ENOTFOUND {
					return fieldError(fmt.Sprintf("%s[%d].person_id", list.field, i), "must be the id of a person")
				}
				return err
			}
		}
	}
	for i, a := range r.Agenda {
		if a.SheetID == "" {
			continue
		}
		sh, err := v.st.Sheet(v.ctx, a.SheetID)
		if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			return err
		}
		if err != nil || r.ID == "" || sh.RoundID != r.ID {
			return fieldError(fmt.Sprintf("agenda[%d].sheet_id", i), "must be the id of a topic sheet of this round")
		}
	}
	return v.markingWithin("marking", r.Marking)
}

// normRound treats empty and missing lists alike, and people in any order,
// when comparing rounds.
func normRound(r briefing.Round) briefing.Round {
	norm := func(ps []briefing.Participant) []briefing.Participant {
		if len(ps) == 0 {
			return nil
		}
		c := append([]briefing.Participant(nil), ps...)
		sort.Slice(c, func(i, j int) bool { return c[i].PersonID+c[i].Side < c[j].PersonID+c[j].Side })
		return c
	}
	r.CoChairs, r.Delegation = norm(r.CoChairs), norm(r.Delegation)
	return r
}

// eachRound calls fn for every round of a dialogue, unfiltered: for rules
// such as numbering that must count every round, seen or not.
func eachRound(v *view, dialogueID string, fn func(*briefing.Round)) error {
	p := briefing.Page{Limit: 1000}
	for {
		items, next, err := v.st.Rounds(v.ctx, dialogueID, p)
		if err != nil {
			return err
		}
		for _, r := range items {
			fn(r)
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}

// visibleParticipants keeps the participants whose person the reader may see.
func (v *view) visibleParticipants(ps []briefing.Participant) ([]briefing.Participant, error) {
	var out []briefing.Participant
	for _, p := range ps {
		_, err := v.person(p.PersonID)
		switch briefing.ErrorCode(err) {
		case "":
			out = append(out, p)
		case briefing.ENOTFOUND:
		default:
			return nil, err
		}
	}
	return out, nil
}

// keepHidden adds back to a written list the stored participants the
// writer may not see.
func keepHidden(v *view, written, stored []briefing.Participant) []briefing.Participant {
	for _, p := range stored {
		if _, err := v.person(p.PersonID); briefing.ErrorCode(err) != briefing.ENOTFOUND {
			continue
		}
		if pe, err := v.st.Person(v.ctx, p.PersonID); err == nil && !v.set.SeesPerson(v.clearance(), pe) {
			written = append(written, p)
		}
	}
	return written
}
