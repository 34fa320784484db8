package briefing

import (
	"context"
	"time"
)

// Assemble builds a round's full-edition pack for a reader: the round, its
// dialogue, the co-chairs and delegations with their agencies, the partner
// side's biographies, the topic sheets in agenda order (then the round's
// others), the dialogue's open actions and the last round's outcomes — with
// everything above the reader's clearance, or the lower ceiling, absent.
// ceiling "" means the reader's clearance; one above it is lowered to it.
func Assemble(ctx context.Context, st Store, s Settings, reader Reader, roundID, ceiling string, now time.Time) (*Pack, error) {
	level := reader.Clearance
	if ceiling != "" {
		if _, ok := s.Level(ceiling); !ok {
			return nil, &Error{Code: EINVALID, Message: "unknown ceiling " + quote(ceiling),
				Fields: map[string]string{"ceiling": "must be a marking of the scheme"}}
		}
		if s.Allows(reader.Clearance, ceiling) {
			level = ceiling
		}
	}
	r, err := st.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if !s.SeesRound(level, r) {
		return nil, Errorf(ENOTFOUND, "round %s not found", roundID)
	}
	d, err := st.Dialogue(ctx, r.DialogueID)
	if err != nil {
		return nil, err
	}
	p := &Pack{Settings: s, Edition: EditionFull, Ceiling: level, Marking: r.Marking, GeneratedAt: now.UTC(), Dialogue: d, Round: r}

	agencies := map[string]*Agency{}
	agency := func(id string) (*Agency, error) {
		if id == "" {
			return nil, nil
		}
		if a, ok := agencies[id]; ok {
			return a, nil
		}
		a, err := st.Agency(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		agencies[id] = a
		return a, nil
	}
	people := func(list []Participant) ([]PackPerson, error) {
		var out []PackPerson
		for _, side := range []string{SideHome, SidePartner} {
			for _, pt := range list {
				if pt.Side != side {
					continue
				}
				pe, err := st.Person(ctx, pt.PersonID)
				if ErrorCode(err) == ENOTFOUND {
					continue
				} else if err != nil {
					return nil, err
				}
				if !s.SeesPerson(level, pe) {
					continue
				}
				a, err := agency(pe.AgencyID)
				if err != nil {
					return nil, err
				}
				out = append(out, PackPerson{Person: pe, Agency: a, Side: side})
				p.Marking = s.Highest(p.Marking, pe.Marking)
			}
		}
		return out, nil
	}
	if p.CoChairs, err = people(r.CoChairs); err != nil {
		return nil, err
	}
	if p.Delegation, err = people(r.Delegation); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, pp := range append(append([]PackPerson(nil), p.CoChairs...), p.Delegation...) {
		if pp.Side == SidePartner && !seen[pp.Person.ID] {
			seen[pp.Person.ID] = true
			p.Counterparts = append(p.Counterparts, pp)
		}
	}

	var sheets []*Sheet
	if err := each(func(pg Page) ([]*Sheet, string, error) { return st.Sheets(ctx, r.ID, pg) }, func(sh *Sheet) {
		sheets = append(sheets, sh)
	}); err != nil {
		return nil, err
	}
	visible := map[string]*Sheet{}
	for _, sh := range sheets {
		if v, ok := s.VisibleSheet(level, sh); ok {
			v.Headings(d.Home, d.Partner)
			visible[sh.ID] = v
		}
	}
	placed := map[string]bool{}
	for _, a := range r.Agenda {
		item := PackAgendaItem{Title: a.Title, Sheet: visible[a.SheetID]}
		if item.Sheet != nil && !placed[a.SheetID] {
			placed[a.SheetID] = true
			p.Sheets = append(p.Sheets, item.Sheet)
			if item.Title == "" {
				item.Title = item.Sheet.Title
			}
		} else if a.SheetID != "" && item.Title == "" {
			continue // an item that is only a sheet the reader may not see
		}
		p.Agenda = append(p.Agenda, item)
	}
	for _, sh := range sheets {
		if v := visible[sh.ID]; v != nil && !placed[sh.ID] {
			p.Sheets = append(p.Sheets, v)
		}
	}
	for _, sh := range p.Sheets {
		p.Marking = s.Highest(p.Marking, sh.Marking)
		if err := markChanges(ctx, st, s, level, d, sh, p); err != nil {
			return nil, err
		}
	}

	var rounds []*Round
	if err := each(func(pg Page) ([]*Round, string, error) { return st.Rounds(ctx, d.ID, pg) }, func(x *Round) {
		rounds = append(rounds, x)
	}); err != nil {
		return nil, err
	}
	numbers := map[string]int{}
	for _, x := range rounds {
		numbers[x.ID] = x.Number
		if x.Number < r.Number && (p.Previous == nil || x.Number > p.Previous.Number) && x.Status != RoundCancelled && s.SeesRound(level, x) {
			p.Previous = x
		}
	}
	if p.Previous != nil {
		p.Marking = s.Highest(p.Marking, p.Previous.Marking)
	}
	err = each(func(pg Page) ([]*Action, string, error) { return st.Actions(ctx, d.ID, pg) }, func(a *Action) {
		// Open actions raised before this round (or in no recorded round) are carried into its pack.
		if a.Open() && (a.RaisedInRoundID == "" || numbers[a.RaisedInRoundID] < r.Number) {
			p.Actions = append(p.Actions, PackAction{Action: a, RaisedIn: numbers[a.RaisedInRoundID]})
		}
	})
	if err != nil {
		return nil, err
	}
	for i := range p.Actions {
		if p.Actions[i].OwnerAgency, err = agency(p.Actions[i].Action.OwnerAgencyID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// each calls fn for every item of a paged list.
func each[T any](fetch func(Page) ([]T, string, error), fn func(T)) error {
	pg := Page{Limit: 1000}
	for {
		items, next, err := fetch(pg)
		if err != nil {
			return err
		}
		for _, it := range items {
			fn(it)
		}
		if next == "" {
			return nil
		}
		pg.After = next
	}
}

// markChanges marks the paragraphs of a sheet rolled forward from an
// earlier one that are new or changed since, as far as the reader sees both.
func markChanges(ctx context.Context, st Store, s Settings, level string, d *Dialogue, sh *Sheet, p *Pack) error {
	if sh.PredecessorID == "" {
		return nil
	}
	prev, err := st.Sheet(ctx, sh.PredecessorID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	before, ok := s.VisibleSheet(level, prev)
	if !ok {
		return nil
	}
	before.Headings(d.Home, d.Partner)
	section := map[string]int{}
	for i := len(sh.Sections) - 1; i >= 0; i-- {
		section[sh.Sections[i].Heading] = i
	}
	for _, ch := range DiffSheets(before, sh) {
		if ch.Change != ChangeAdded && ch.Change != ChangeChanged {
			continue
		}
		if i, ok := section[ch.Section]; ok {
			if p.Changed == nil {
				p.Changed = map[string]bool{}
			}
			p.Changed[ChangedKey(sh.ID, i, ch.Index)] = true
		}
	}
	return nil
}
