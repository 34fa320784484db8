package briefing

import (
	"slices"
	"strings"
	"time"
)

// Editions of a pack.
const (
	EditionFull    = "full"
	EditionRelease = "release"
)

// Pack is a briefing pack assembled for one reader: everything above the
// reader's clearance (or the pack's lower ceiling) is already absent, so the
// renderers in briefing/htmlpack and briefing/xlsxpack cannot show it.
type Pack struct {
	Settings Settings
	Edition  string // EditionFull or EditionRelease
	Ceiling  string // the highest marking the pack may hold
	Marking  string // the highest marking it does hold
	// MadeFrom is, for a release edition, the Marking of the full pack it
	// was made from: the release shows no marking, but may hold words of
	// that one (see Release.Marking).
	MadeFrom    string
	GeneratedAt time.Time
	Dialogue    *Dialogue
	Round       *Round
	// CoChairs and Delegation are the round's people, each side home first.
	CoChairs   []PackPerson
	Delegation []PackPerson
	// Counterparts are the partner side's people, for their biographies.
	Counterparts []PackPerson
	// Agenda is the round's agenda; an item's Sheet is nil when it names none
	// or the reader may not see it.
	Agenda []PackAgendaItem
	// Sheets are the topic sheets in agenda order, then the round's others,
	// with default headings filled in.
	Sheets []*Sheet
	// Changed marks the paragraphs of sheets rolled forward from last round
	// that are new or changed since, by ChangedKey.
	Changed map[string]bool
	// Actions are the dialogue's open actions, by ref (see CompareRefs),
	// then in the order they were made.
	Actions []PackAction
	// Previous is the last round before this one that met (held or
	// scheduled), for its outcomes, or nil.
	Previous *Round
	// Agencies are the agencies taking part, home side first.
	Agencies []PackAgency
	// NotCleared are the titles of the pack's sheets not yet cleared, each
	// marked DRAFT where it appears; Forced says a snapshot was frozen so.
	NotCleared []string
	Forced     bool
	// Schedule is the release edition's schedule of documents; WithheldInFull
	// counts the sheets left out of it entirely.
	Schedule       []ScheduleEntry
	WithheldInFull int
	// PeopleWithheld counts, by ground, the people whose name, title and
	// biography the release edition withholds.
	PeopleWithheld map[string]int
	// TextGrounds are, for a release edition, the grounds the withheld
	// spans of each part's texts print (the sheets' excepted, see Parts),
	// by part, in order of first use. The people a part prints carry
	// their own (PackPerson.Grounds): ApplyParts rewrites people within a
	// part it releases, never texts. See PartGrounds.
	TextGrounds map[string][]string
}

// PartGrounds is, for a release edition, every ground a part besides the
// sheets prints in what it releases, read from the pack as it is (after
// ApplyParts, the release as the requester gets it): its texts' spans and
// the people it gives withheld, in order of first use. A part released
// with any is released in part (see BuildResponse).
func (p *Pack) PartGrounds(part string) []string {
	out := addGrounds(nil, p.TextGrounds[part]...)
	switch part {
	case "agenda": // a lead is given by name and agency
		for _, it := range p.Agenda {
			if it.Lead != nil {
				out = addGrounds(out, it.Lead.Grounds...)
			}
		}
	case "delegations": // name, title and agency
		for _, l := range [][]PackPerson{p.CoChairs, p.Delegation} {
			for _, pp := range l {
				out = addGrounds(out, pp.Grounds...)
			}
		}
	case "biographies": // name, title, agency and biography
		for _, pp := range p.Counterparts {
			out = addGrounds(out, pp.Grounds...)
			out = addGrounds(out, pp.BioGrounds...)
		}
	}
	return out
}

// partCause says why a part prints grounds (see PartGrounds), in the
// words of a note to the lead: "a person named in it is withheld", "words
// in it are withheld", or both; "" when it prints none.
func (p *Pack) partCause(part string) string {
	words := len(p.TextGrounds[part]) > 0
	named := map[string]bool{}
	person := func(pp PackPerson) {
		if len(pp.Grounds) > 0 {
			named[pp.Person.ID] = true
		}
	}
	switch part {
	case "agenda":
		for _, it := range p.Agenda {
			if it.Lead != nil {
				person(*it.Lead)
			}
		}
	case "delegations":
		for _, l := range [][]PackPerson{p.CoChairs, p.Delegation} {
			for _, pp := range l {
				person(pp)
			}
		}
	case "biographies":
		for _, pp := range p.Counterparts {
			person(pp)
			if len(pp.Grounds) == 0 && len(pp.BioGrounds) > 0 {
				words = true // a withheld span in a biography released
			}
		}
	}
	var causes []string
	switch n := len(named); {
	case n == 1:
		causes = append(causes, "a person named in it is withheld")
	case n > 1:
		causes = append(causes, numberWord(n)+" people named in it are withheld")
	}
	if words {
		causes = append(causes, "words in it are withheld")
	}
	return joinAnd(causes)
}

// addGrounds appends to list each of gs it does not hold yet: grounds in
// order of first use, each once.
func addGrounds(list []string, gs ...string) []string {
	for _, g := range gs {
		if !slices.Contains(list, g) {
			list = append(list, g)
		}
	}
	return list
}

// SheetSlot is what a sheet's parts in a pack (its HTML section, its
// worksheet, its Topics rows) are kept under one at a time, in either
// format: a sheet has one of each for each edition and ceiling, and one
// saved over is of no more use (see lru.PutLatest).
func (p *Pack) SheetSlot(sh *Sheet) string {
	return p.Edition + "\x00" + p.Ceiling + "\x00" + sh.ID
}

// PeopleWithheldNote is the schedule's sentence on withheld people, or "".
func (p *Pack) PeopleWithheldNote() string {
	if len(p.PeopleWithheld) == 0 {
		return ""
	}
	var parts []string
	for _, g := range p.Settings.Grounds {
		if n := p.PeopleWithheld[g]; n > 0 {
			who := "people"
			if n == 1 {
				who = "person"
			}
			parts = append(parts, itoa(n)+" "+who+" under "+g)
		}
	}
	return "The names, titles and biographies of " + strings.Join(parts, ", and ") + " are withheld; their agencies are released."
}

// PackPerson is a person in a pack with their agency and side.
type PackPerson struct {
	Person *Person
	Agency *Agency // nil when the person has none
	Side   string
	// Grounds are, in a release edition, the grounds printed in place of
	// the person's name and title: their own withholding, or the
	// delegations' (see ApplyParts); BioGrounds those their biography
	// as released prints.
	Grounds, BioGrounds []string
}

// PackAgendaItem is one agenda item of a pack: with its times, session and
// lead it reads as a programme.
type PackAgendaItem struct {
	Title            string
	Sheet            *Sheet
	StartsAt, EndsAt string
	Session          string
	Lead             *PackPerson // nil when none, or one the reader may not see
}

// PackAgency is an agency taking part in the round, on one side.
type PackAgency struct {
	Agency *Agency
	Side   string
}

// Timed reports whether any agenda item has a time, session or lead, so the
// agenda is shown as a programme.
func (p *Pack) Timed() bool {
	for _, it := range p.Agenda {
		if it.StartsAt != "" || it.EndsAt != "" || it.Session != "" || it.Lead != nil {
			return true
		}
	}
	return false
}

// AgenciesOn lists the participating agencies of one side.
func (p *Pack) AgenciesOn(side string) []*Agency {
	var out []*Agency
	for _, a := range p.Agencies {
		if a.Side == side {
			out = append(out, a.Agency)
		}
	}
	return out
}

// PackAction is an open action with its owner agency.
type PackAction struct {
	Action      *Action
	OwnerAgency *Agency // nil when none
	RaisedIn    int     // the number of the round it was raised in, 0 if unknown
}

// Release outcomes of a document in the schedule.
const (
	ReleasedInFull = "released in full"
	ReleasedInPart = "released in part"
	WithheldInFull = "withheld in full"
)

// ScheduleEntry is one row of a release edition's schedule of documents.
// A document withheld in full has a number, never a title.
type ScheduleEntry struct {
	Number   int
	Title    string // empty when withheld in full
	Decision string // ReleasedInFull, ReleasedInPart or WithheldInFull
	Grounds  []string
}

// ChangedKey names one paragraph of a pack's sheet for Pack.Changed.
func ChangedKey(sheetID string, section, paragraph int) string {
	return sheetID + "/" + itoa(section) + "/" + itoa(paragraph)
}

// PreviousHeading is the heading of the last round's outcomes in either
// format and either edition: "Outcomes of the 2nd round (Canberra, 10 May
// 2017)", the city or the date left out when the round has none; "" when
// there is no last round. Its date was shown only beside a city.
func (p *Pack) PreviousHeading() string {
	pr := p.Previous
	if pr == nil {
		return ""
	}
	var where []string
	if pr.City != "" {
		where = append(where, pr.City)
	}
	if pr.StartsOn != "" {
		d := pr.StartsOn
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			d = t.Format("2 January 2006")
		}
		where = append(where, d)
	}
	h := "Outcomes of the " + Ordinal(pr.Number) + " round"
	if len(where) > 0 {
		h += " (" + strings.Join(where, ", ") + ")"
	}
	return h
}
