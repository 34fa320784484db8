package api

import (
	"fmt"
	"reflect"
	"sort"

	"briefpack/briefing"
)

// registerRoundRoutes registers /api/v1/dialogues/:id/rounds and /api/v1/rounds/:id.
func (s *API) registerRoundRoutes() {
	r := &resource[*briefing.Round]{
		kind:  briefing.KindRound,
		path:  func(id string) string { return api + "/rounds/" + id },
		fresh: func() *briefing.Round { return &briefing.Round{} },
		get:   func(v *view, id string) (*briefing.Round, error) { return v.RoundByID(id) },
		list: func(v *view, parent string, p briefing.Page) ([]*briefing.Round, string, error) {
			return v.RoundsPage(parent, p)
		},
		prepare: PrepareRound,
		create:  func(v *view, r *briefing.Round) error { return v.St.CreateRound(v.Ctx, r, v.User.Actor()) },
		update:  func(v *view, r *briefing.Round) error { return v.St.UpdateRound(v.Ctx, r, v.User.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return refusedForHidden(v, briefing.KindRound, v.St.DeleteRound(v.Ctx, id, ver, v.User.Actor()),
				func(p briefing.Page) (int, error) { s, _, err := v.Sheets(v.Ctx, id, p); return len(s), err },
				func(p briefing.Page) (int, error) { s, _, err := v.Snapshots(v.Ctx, id, p); return len(s), err },
				func(p briefing.Page) (int, error) { r, _, err := v.Releases(v.Ctx, id, p); return len(r), err })
		},
		parent:   func(r *briefing.Round, id string) { r.DialogueID = id },
		parentOf: func(r *briefing.Round) string { return r.DialogueID },
		output:   OutputRound,
		warnings: func(v *view, r *briefing.Round) ([]string, error) {
			os, err := s.Overlaps(v, r)
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

// OutputRound gives the reader's copy of a round read from the store or
// just written: through the view (people and agenda items hidden from them
// absent, linked items titled), lists never null.
func OutputRound(v *view, r *briefing.Round) (*briefing.Round, error) {
	c, ok, err := v.FilterRound(v.Ctx, r)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "round %s not found", r.ID)
	}
	return c, nil
}

// PrepareRound validates a round and its references. old is the reader's
// copy on update. A reference to a person or sheet the writer may not see is
// answered exactly as one to an object that does not exist; the people and
// agenda items hidden from them stay in the round, in place, so nothing
// unseen is lost by their save. A lead below the secretariat may change only
// the agenda of an existing round.
func PrepareRound(v *view, r, old *briefing.Round) error {
	d, err := v.DialogueByID(r.DialogueID)
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
	if err := r.Validate(v.Set); err != nil {
		return err
	}
	for _, list := range []struct {
		field string
		ps    []briefing.Participant
	}{{"co_chairs", r.CoChairs}, {"delegation", r.Delegation}} {
		for i, p := range list.ps {
			if ok, err := v.SeesRef(briefing.KindPerson, p.PersonID); err != nil {
				return err
			} else if !ok {
				return fieldError(fmt.Sprintf("%s[%d].person_id", list.field, i), "must be the id of a person")
			}
		}
	}
	for i, pa := range r.ParticipatingAgencies {
		if err := v.RefAgency(fmt.Sprintf("participating_agencies[%d].agency_id", i), pa.AgencyID); err != nil {
			return err
		}
	}
	for i, a := range r.Agenda {
		if a.LeadPersonID != "" {
			if ok, err := v.SeesRef(briefing.KindPerson, a.LeadPersonID); err != nil {
				return err
			} else if !ok {
				return fieldError(fmt.Sprintf("agenda[%d].lead_person_id", i), "must be the id of a person")
			}
		}
		if a.SheetID == "" {
			continue
		}
		sh, err := v.SheetByID(a.SheetID)
		if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			return err
		}
		if err != nil || r.ID == "" || sh.RoundID != r.ID {
			return fieldError(fmt.Sprintf("agenda[%d].sheet_id", i), "must be the id of a topic sheet of this round")
		}
	}
	if old != nil {
		stored, err := v.St.Round(v.Ctx, r.ID)
		if err != nil {
			return err
		}
		if r.CoChairs, err = keepHidden(v, r.CoChairs, stored.CoChairs); err != nil {
			return err
		}
		if r.Delegation, err = keepHidden(v, r.Delegation, stored.Delegation); err != nil {
			return err
		}
		if r.Agenda, err = keepHiddenAgenda(v, r.Agenda, stored.Agenda); err != nil {
			return err
		}
		if !v.User.Role.AtLeast(briefing.RoleSecretariat) {
			a, b := *r, *stored
			a.Agenda, b.Agenda, a.Meta, b.Meta = nil, nil, briefing.Meta{}, briefing.Meta{}
			if !reflect.DeepEqual(normRound(a), normRound(b)) {
				return briefing.Errorf(briefing.EFORBIDDEN, "a delegation lead may change only the agenda of a round; the rest is the secretariat's")
			}
		}
	}
	return v.MarkingWithin("marking", r.Marking)
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
	if len(r.ParticipatingAgencies) == 0 {
		r.ParticipatingAgencies = nil
	}
	return r
}

// eachRound calls fn for every round of a dialogue the reader may see:
// numbering and the next-round proposal use only what the caller may see, so
// they never disclose a round above them.
func eachRound(v *view, dialogueID string, fn func(*briefing.Round)) error {
	return eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(dialogueID, p) },
		func(r *briefing.Round) (bool, error) {
			fn(r)
			return true, nil
		})
}

// keepHidden adds back to a written list the stored participants the
// writer may not see.
func keepHidden(v *view, written, stored []briefing.Participant) ([]briefing.Participant, error) {
	for _, p := range stored {
		ok, err := v.SeesRef(briefing.KindPerson, p.PersonID)
		if err != nil {
			return nil, err
		}
		if !ok {
			written = append(written, p)
		}
	}
	return written, nil
}

// keepHiddenAgenda puts back into a written agenda the stored items the
// writer may not see (those linked to sheets above them), each after the
// visible item it followed, or first if none did.
func keepHiddenAgenda(v *view, written, stored []briefing.AgendaItem) ([]briefing.AgendaItem, error) {
	type hiddenItem struct {
		after string // the sheet id, or "title:…" of the visible item before it; "" for the start
		item  briefing.AgendaItem
	}
	var hidden []hiddenItem
	prev := ""
	for _, a := range stored {
		if a.SheetID != "" {
			ok, err := v.SeesRef(briefing.KindSheet, a.SheetID)
			if err != nil {
				return nil, err
			}
			if !ok {
				hidden = append(hidden, hiddenItem{prev, a})
				continue
			}
		}
		prev = agendaKey(a)
	}
	// A lead the writer may not see was absent from what they read: it stays.
	for i, a := range written {
		if a.LeadPersonID != "" {
			continue
		}
		for _, st := range stored {
			if agendaKey(st) == agendaKey(a) && st.LeadPersonID != "" {
				if ok, err := v.SeesRef(briefing.KindPerson, st.LeadPersonID); err != nil {
					return nil, err
				} else if !ok {
					written[i].LeadPersonID = st.LeadPersonID
				}
			}
		}
	}
	if len(hidden) == 0 {
		return written, nil
	}
	out := make([]briefing.AgendaItem, 0, len(written)+len(hidden))
	place := func(key string) {
		for _, h := range hidden {
			if h.after == key {
				out = append(out, h.item)
			}
		}
	}
	placed := map[string]bool{"": true}
	place("")
	for _, a := range written {
		out = append(out, a)
		k := agendaKey(a)
		if !placed[k] {
			placed[k] = true
			place(k)
		}
	}
	for _, h := range hidden {
		if !placed[h.after] { // the item it followed was removed: keep it at the end
			out = append(out, h.item)
		}
	}
	return out, nil
}

func agendaKey(a briefing.AgendaItem) string {
	if a.SheetID != "" {
		return a.SheetID
	}
	return "title:" + a.Title
}
