package briefing

import (
	"context"
	"slices"
	"strings"
	"time"

	"briefpack/internal/lru"
)

// Assemble builds a round's full-edition pack as a view sees it: the round,
// its dialogue, the co-chairs and delegations with their agencies, the partner
// side's biographies, the topic sheets in agenda order (then the round's
// others), the dialogue's open actions and the last round's outcomes. It reads
// only through the view, so everything above the view's clearance (the
// reader's, or a lower ceiling: see View.Ceiling) is already absent.
func Assemble(ctx context.Context, v *View, roundID string, now time.Time) (*Pack, error) {
	s := v.Settings()
	r, err := v.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	d, err := v.Dialogue(ctx, r.DialogueID)
	if err != nil {
		return nil, err
	}
	p := &Pack{Settings: s, Edition: EditionFull, Ceiling: v.Clearance(), Marking: r.Marking, GeneratedAt: now.UTC(), Dialogue: d, Round: r}

	agencies := map[string]*Agency{}
	agency := func(id string) (*Agency, error) {
		if id == "" {
			return nil, nil
		}
		if a, ok := agencies[id]; ok {
			return a, nil
		}
		a, err := v.Agency(ctx, id)
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
				pe, err := v.Person(ctx, pt.PersonID)
				if ErrorCode(err) == ENOTFOUND {
					continue
				} else if err != nil {
					return nil, err
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
	if err := each(func(pg Page) ([]*Sheet, string, error) { return v.Sheets(ctx, r.ID, pg) }, func(sh *Sheet) {
		sheets = append(sheets, sh)
	}); err != nil {
		return nil, err
	}
	visible := map[string]*Sheet{}
	for _, sh := range sheets {
		visible[sh.ID] = sh
	}
	placed := map[string]bool{}
	for _, a := range r.Agenda {
		// The view has dropped items linked to sheets the reader may not see,
		// and given linked items their sheet's title.
		item := PackAgendaItem{Title: a.Title, Sheet: visible[a.SheetID], StartsAt: a.StartsAt, EndsAt: a.EndsAt, Session: a.Session}
		if a.LeadPersonID != "" {
			if pe, err := v.Person(ctx, a.LeadPersonID); err == nil {
				ag, err := agency(pe.AgencyID)
				if err != nil {
					return nil, err
				}
				item.Lead = &PackPerson{Person: pe, Agency: ag, Side: sideOf(r, pe.ID)}
				p.Marking = s.Highest(p.Marking, pe.Marking)
			} else if ErrorCode(err) != ENOTFOUND {
				return nil, err
			}
		}
		// A sheet listed again (a topic taken up in two sessions) is placed
		// at its first item; the later ones still name it, so that what
		// becomes of the sheet becomes of them (a release drops each item
		// of a sheet withheld in full).
		if item.Sheet != nil && !placed[a.SheetID] {
			placed[a.SheetID] = true
			p.Sheets = append(p.Sheets, item.Sheet)
		}
		p.Agenda = append(p.Agenda, item)
	}
	for _, sh := range sheets {
		if !placed[sh.ID] {
			p.Sheets = append(p.Sheets, sh)
		}
	}
	for _, side := range []string{SideHome, SidePartner} {
		for _, pa := range r.ParticipatingAgencies {
			if pa.Side != side {
				continue
			}
			a, err := agency(pa.AgencyID)
			if err != nil {
				return nil, err
			}
			if a != nil {
				p.Agencies = append(p.Agencies, PackAgency{Agency: a, Side: side})
			}
		}
	}
	for _, sh := range p.Sheets {
		if sh.Status != SheetCleared {
			p.NotCleared = append(p.NotCleared, sh.Title)
		}
		p.Marking = s.Highest(p.Marking, sh.Marking)
		if err := markChanges(ctx, v, sh, p); err != nil {
			return nil, err
		}
	}

	var rounds []*Round
	if err := each(func(pg Page) ([]*Round, string, error) { return v.Rounds(ctx, d.ID, pg) }, func(x *Round) {
		rounds = append(rounds, x)
	}); err != nil {
		return nil, err
	}
	numbers := map[string]int{}
	for _, x := range rounds {
		numbers[x.ID] = x.Number
		if x.Number < r.Number && (p.Previous == nil || x.Number > p.Previous.Number) && met(x) {
			p.Previous = x
		}
	}
	if p.Previous != nil {
		p.Marking = s.Highest(p.Marking, p.Previous.Marking)
	}
	err = each(func(pg Page) ([]*Action, string, error) { return v.Actions(ctx, d.ID, pg) }, func(a *Action) {
		// Open actions raised before this round (or in no round the reader
		// may see) are carried into its pack.
		if a.Open() && (a.RaisedInRoundID == "" || numbers[a.RaisedInRoundID] < r.Number) {
			p.Actions = append(p.Actions, PackAction{Action: a, RaisedIn: numbers[a.RaisedInRoundID]})
			p.Marking = s.Highest(p.Marking, a.Marking)
		}
	})
	if err != nil {
		return nil, err
	}
	// By ref as people number them, then in the order they were made
	// (the list's): 1.01, 1.03, 2.01, 10.01, not as they were entered.
	slices.SortStableFunc(p.Actions, func(a, b PackAction) int { return CompareRefs(a.Action.Ref, b.Action.Ref) })
	for i := range p.Actions {
		if p.Actions[i].OwnerAgency, err = agency(p.Actions[i].Action.OwnerAgencyID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// met reports whether a round before the pack's met, so that its outcomes
// are the last round's: held, or scheduled (confirmed, and often left so
// once it has met; a round numbered before the pack's meets before it). A
// proposed, postponed or cancelled round has not met and has no outcomes:
// taken for the last round, it hid the outcomes of the one that met.
func met(r *Round) bool { return r.Status == RoundHeld || r.Status == RoundScheduled }

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
// earlier one that are new or changed since, as far as the view sees both.
func markChanges(ctx context.Context, v *View, sh *Sheet, p *Pack) error {
	if sh.PredecessorID == "" {
		return nil
	}
	before, err := v.Sheet(ctx, sh.PredecessorID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	// Where it changed is kept by what it was found from, as the reader
	// has both sheets: a pack of a round rolled forward whole, assembled
	// after each save, diffed every sheet again (two thirds of the
	// assembly at 300 sheets).
	key := ""
	var places [][2]int
	ok := false
	if sh.Stored != "" && before.Stored != "" {
		key = strings.Join([]string{v.Clearance(), sh.Stored, before.Stored, before.PredecessorID, p.Dialogue.Home, p.Dialogue.Partner}, "\x00")
		places, ok = changePlaces.Get(key)
	}
	if !ok {
		// A change is placed by its section's place, not its heading: two
		// sections may share one.
		for _, ch := range DiffSheets(before, sh) {
			if (ch.Change == ChangeAdded || ch.Change == ChangeChanged) && ch.SectionAt >= 0 {
				places = append(places, [2]int{ch.SectionAt, ch.Index})
			}
		}
		if key != "" {
			changePlaces.Put(key, places)
		}
	}
	for _, at := range places {
		if p.Changed == nil {
			p.Changed = map[string]bool{}
		}
		p.Changed[ChangedKey(sh.ID, at[0], at[1])] = true
	}
	return nil
}

// changePlaces keeps where each rolled-forward sheet changed since the one
// before it (section and paragraph), by the two stored records, the
// reader's clearance, whether the one before shows its own predecessor,
// and the dialogue's sides (its sections' headings).
var changePlaces = lru.New[[][2]int](8<<20, func(v [][2]int) int64 { return int64(16*len(v)) + 200 })

// sideOf is the side a person sits on in a round, "" when they are in
// neither its co-chairs nor its delegation.
func sideOf(r *Round, personID string) string {
	for _, list := range [][]Participant{r.CoChairs, r.Delegation} {
		for _, pt := range list {
			if pt.PersonID == personID {
				return pt.Side
			}
		}
	}
	return ""
}
