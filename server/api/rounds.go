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
		unsent:  keepRound,
		create:  func(v *view, r *briefing.Round) error { return v.St.CreateRound(v.Ctx, r, v.User.Actor(), v.SeesRound) },
		update:  func(v *view, r *briefing.Round) error { return v.St.UpdateRound(v.Ctx, r, v.User.Actor(), v.SeesRound) },
		delete: func(v *view, id string, ver int) error {
			return refusedForHidden(v, briefing.KindRound, id, v.St.DeleteRound(v.Ctx, id, ver, v.User.Actor()),
				dependentsSeen{"topic sheets", func(p briefing.Page) (int, error) { s, _, err := v.Sheets(v.Ctx, id, p); return len(s), err }},
				dependentsSeen{"snapshots", func(p briefing.Page) (int, error) { s, _, err := v.Snapshots(v.Ctx, id, p); return len(s), err }},
				dependentsSeen{"releases", func(p briefing.Page) (int, error) { r, _, err := v.Releases(v.Ctx, id, p); return len(r), err }})
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
	return c, v.AsLastSeen(v.Ctx, briefing.KindRound, &c.Meta)
}

// PrepareRound validates a round and its references. old is the reader's
// copy on update. A reference to a person or sheet the writer may not see is
// answered exactly as one to an object that does not exist; the people and
// agenda items hidden from them stay in the round, in place, so nothing
// unseen is lost by their save. A lead below the secretariat may change only
// the agenda of an existing round. The limits on its lists hold the body as
// sent, against old (see briefing.Round.ValidateOver), never the round with
// the hidden ones put back.
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
	if old == nil {
		// A new round's items are new: ids sent (a copy of another round's
		// body) are ignored like the round's own, and the store gives new ones.
		for i := range r.Agenda {
			r.Agenda[i].ID = ""
		}
	}
	// The body is held to the limits as sent, against the round as the
	// writer read it: what is kept hidden from them below is not counted.
	if err := r.ValidateOver(v.Set, old); err != nil {
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

// keepHiddenAgenda puts back into a written agenda what the writer could
// not see of the stored one: the items linked to sheets above them, each
// after the item it followed (first if none did, last if that item was
// removed), and the leads above them, on the items that held them. Which
// written item is which stored one is pairAgenda's answer.
func keepHiddenAgenda(v *view, written, stored []briefing.AgendaItem) ([]briefing.AgendaItem, error) {
	type hiddenItem struct {
		after int // the index in seen of the item before it, or -1
		item  briefing.AgendaItem
	}
	var hidden []hiddenItem
	var seen []briefing.AgendaItem // the stored items the writer read
	for _, a := range stored {
		if a.SheetID != "" {
			ok, err := v.SeesRef(briefing.KindSheet, a.SheetID)
			if err != nil {
				return nil, err
			}
			if !ok {
				hidden = append(hidden, hiddenItem{len(seen) - 1, a})
				continue
			}
		}
		seen = append(seen, a)
	}
	at, err := pairAgenda(seen, written)
	if err != nil {
		return nil, err
	}
	// A lead the writer may not see was absent from what they read: it stays
	// on the item, unless they gave the item a lead of their own.
	for j, a := range seen {
		if a.LeadPersonID == "" || at[j] < 0 || written[at[j]].LeadPersonID != "" {
			continue
		}
		if ok, err := v.SeesRef(briefing.KindPerson, a.LeadPersonID); err != nil {
			return nil, err
		} else if !ok {
			written[at[j]].LeadPersonID = a.LeadPersonID
		}
	}
	if len(hidden) == 0 {
		return written, nil
	}
	out := make([]briefing.AgendaItem, 0, len(written)+len(hidden))
	after := func(i int) { // the hidden items that followed the item written at i (-1: the start)
		for _, h := range hidden {
			if (h.after < 0 && i < 0) || (h.after >= 0 && at[h.after] == i && i >= 0) {
				out = append(out, h.item)
			}
		}
	}
	after(-1)
	for i, a := range written {
		out = append(out, a)
		after(i)
	}
	for _, h := range hidden {
		if h.after >= 0 && at[h.after] < 0 { // the item it followed was removed: keep it at the end
			out = append(out, h.item)
		}
	}
	return out, nil
}

// pairAgenda pairs each stored item a writer read (seen) with the item of
// what they wrote that is it, and returns for each index of seen the index
// in written, or -1 for an item they removed. An item is the stored item
// whose id it carries, whatever else changed; an item without an id is new.
// An id that is not one of seen's — of no item, or of one hidden from the
// writer, answered alike so that a hidden item's id is never confirmed — or
// one given twice is refused (EINVALID, naming agenda[i].id). A body with
// no id at all was written by a client that predates them: matchAgenda
// guesses as it did, and the items it pairs keep their stored ids.
func pairAgenda(seen, written []briefing.AgendaItem) ([]int, error) {
	withIDs := false
	for _, a := range written {
		withIDs = withIDs || a.ID != ""
	}
	if !withIDs {
		at := matchAgenda(seen, written)
		for j, i := range at {
			if i >= 0 {
				written[i].ID = seen[j].ID
			}
		}
		return at, nil
	}
	index := map[string]int{}
	at := make([]int, len(seen))
	for j, a := range seen {
		at[j] = -1
		if a.ID != "" {
			index[a.ID] = j
		}
	}
	for i, a := range written {
		if a.ID == "" {
			continue
		}
		j, ok := index[a.ID]
		switch {
		case !ok:
			return nil, fieldError(fmt.Sprintf("agenda[%d].id", i), "must be the id of an item of this round's agenda, or empty for a new item")
		case at[j] >= 0:
			return nil, fieldError(fmt.Sprintf("agenda[%d].id", i), "is the id of another item of the agenda too")
		}
		at[j] = i
	}
	return at, nil
}

// matchAgenda pairs, for a body written without ids (see pairAgenda), each
// stored item a writer read (seen) with the item of what they wrote that is
// it, and returns for each index of seen the index in written, or -1 for an
// item they removed. An item is first paired by
// its sheet, or by its title taken in order among items of that title (of
// two "Coffee break"s, the first is the first). Items left over — renamed,
// or their sheet changed — are paired by place: a run of them between two
// paired items (or an end of the list) with the written items between the
// same two, when nothing else lies there and the runs are as long (each
// item edited in place). Otherwise they are taken as removed and others as
// added: for a body without ids, nothing surer can be said.
func matchAgenda(seen, written []briefing.AgendaItem) []int {
	at := make([]int, len(seen))
	used := make([]bool, len(written))
	byKey := map[string][]int{}
	for i, a := range written {
		byKey[agendaKey(a)] = append(byKey[agendaKey(a)], i)
	}
	for j, a := range seen {
		at[j] = -1
		if q := byKey[agendaKey(a)]; len(q) > 0 {
			at[j], used[q[0]] = q[0], true
			byKey[agendaKey(a)] = q[1:]
		}
	}
	for j := 0; j < len(seen); j++ {
		if at[j] >= 0 {
			continue
		}
		end := j // the run of unpaired items is seen[j:end]
		for end < len(seen) && at[end] < 0 {
			end++
		}
		from, to := -1, len(written) // the written items between the run's neighbours
		if j > 0 {
			from = at[j-1]
		}
		if end < len(seen) {
			to = at[end]
		}
		if to-from-1 == end-j {
			free := true
			for k := from + 1; k < to; k++ {
				free = free && !used[k]
			}
			for k := 0; free && k < end-j; k++ {
				at[j+k], used[from+1+k] = from+1+k, true
			}
		}
		j = end
	}
	return at
}

func agendaKey(a briefing.AgendaItem) string {
	if a.SheetID != "" {
		return a.SheetID
	}
	return "title:" + a.Title
}
