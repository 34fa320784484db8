package briefing

import (
	"fmt"
	"slices"
	"strings"
)

// GroundWording is each ground in the words of its Act, by ground.
var GroundWording = map[string]string{
	// New Zealand: Official Information Act 1982.
	"s6(a)":        "would be likely to prejudice the security or defence of New Zealand or the international relations of the Government of New Zealand",
	"s6(b)(i)":     "would be likely to prejudice the entrusting of information to the Government of New Zealand on a basis of confidence by the government of any other country or any agency of such a government",
	"s6(b)(ii)":    "would be likely to prejudice the entrusting of information to the Government of New Zealand on a basis of confidence by any international organisation",
	"s6(c)":        "would be likely to prejudice the maintenance of the law, including the prevention, investigation, and detection of offences, and the right to a fair trial",
	"s6(d)":        "would be likely to endanger the safety of any person",
	"s9(2)(a)":     "to protect the privacy of natural persons, including that of deceased natural persons",
	"s9(2)(b)(ii)": "to protect information where the making available of the information would be likely unreasonably to prejudice the commercial position of the person who supplied or who is the subject of the information",
	"s9(2)(f)(iv)": "to maintain the constitutional conventions for the time being which protect the confidentiality of advice tendered by Ministers of the Crown and officials",
	"s9(2)(g)(i)":  "to maintain the effective conduct of public affairs through the free and frank expression of opinions by or between or to Ministers of the Crown or members of an organisation or officers and employees of any public service agency or organisation in the course of their duty",
	"s9(2)(h)":     "to maintain legal professional privilege",
	// Australia: Freedom of Information Act 1982.
	"s33(a)(i)":   "disclosure would, or could reasonably be expected to, cause damage to the security of the Commonwealth",
	"s33(a)(iii)": "disclosure would, or could reasonably be expected to, cause damage to the international relations of the Commonwealth",
	"s33(b)":      "disclosure would divulge information or matter communicated in confidence by or on behalf of a foreign government, an authority of a foreign government or an international organisation to the Government of the Commonwealth, to an authority of the Commonwealth or to a person receiving the communication on behalf of the Commonwealth or of an authority of the Commonwealth",
	"s34":         "the document is a Cabinet document: it was submitted, or brought into existence for the dominant purpose of submission, for the consideration of the Cabinet, or is an official record of the Cabinet, or its disclosure would reveal a Cabinet deliberation or decision not officially disclosed",
	"s37":         "disclosure would, or could reasonably be expected to, prejudice the conduct of an investigation of a breach of the law, disclose the identity of a confidential source of information, or endanger the life or physical safety of any person",
	"s47C":        "disclosure would disclose deliberative matter: opinion, advice or recommendation obtained, prepared or recorded, or consultation or deliberation that has taken place, in the course of, or for the purposes of, the deliberative processes involved in the functions of an agency or Minister or of the Government of the Commonwealth, and disclosure would be contrary to the public interest",
	"s47E":        "disclosure would, or could reasonably be expected to, have a substantial adverse effect on the proper and efficient conduct of the operations of an agency, and disclosure would be contrary to the public interest",
	"s47F":        "disclosure would involve the unreasonable disclosure of personal information about any person (including a deceased person), and would be contrary to the public interest",
}

// GroundDisplay is a ground as the jurisdiction writes it in a release: New
// Zealand's releases print "S6(a)", Australia's "s47F".
func (s Settings) GroundDisplay(g string) string {
	if s.Jurisdiction == "nz" && strings.HasPrefix(g, "s") {
		return "S" + g[1:]
	}
	return g
}

// groundSection is a ground as a letter cites it: "section 6(a)".
func groundSection(g string) string { return "section " + strings.TrimPrefix(g, "s") }

// ResponseEntry is one numbered document of a response's schedule.
type ResponseEntry struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"` // titleWithheld when withheld with its title
	Decision string   `json:"decision"`
	Grounds  []string `json:"grounds"`
}

// titleWithheld is a schedule's title of a document withheld with its title.
const titleWithheld = "title withheld"

// Response is what a release record renders: the letter and its schedule.
type Response struct {
	Settings  Settings
	Release   *Release
	Round     string // the round's title, for the letter's heading
	Entries   []ResponseEntry
	Count     string   // the count sentence
	Decisions []string // one sentence per decision taken
	Grounds   []string // each ground used, with the Act's wording
	Review    string
	Released  *Pack // the released documents
	// Notes tell the lead, not the requester (no file prints them), why
	// a part is scheduled otherwise than they chose: released, it prints
	// grounds, so it is released in part.
	Notes []string
}

// WithheldInFull is how many documents of the schedule are withheld in
// full: the number the letter gives and the workbook's cover repeats.
func (resp *Response) WithheldInFull() int {
	n := 0
	for _, e := range resp.Entries {
		if e.Decision == DecisionWithheld {
			n++
		}
	}
	return n
}

// numberWord writes small counts as words, as letters do.
func numberWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return itoa(n)
}

// releasedDecision maps the release view's sheet decisions to a record's.
func releasedDecision(d string) string {
	switch d {
	case ReleasedInFull:
		return DecisionReleased
	case ReleasedInPart:
		return DecisionReleasedInPart
	}
	return DecisionWithheld
}

// ApplyParts removes from a release view the parts not released. The cover
// carries the dialogue's origin, the round's city, dates and host, and its
// purpose and key messages (the workbook's Cover worksheet holds them):
// none of them is released unless the cover is. The dialogue's name and
// the round's number, which name the document, stay. A person rewritten
// here carries the grounds now printed for them (PackPerson.Grounds), so
// the grounds each part cites are read from what it releases
// (Pack.PartGrounds); the pack's TextGrounds are left to the parts
// released, whose texts are never rewritten. It changes only p itself: a
// copy of a view may be given.
func ApplyParts(p *Pack, parts map[string]PartDecision) {
	out := func(k string) bool {
		d := parts[k].Decision
		return d != DecisionReleased && d != DecisionReleasedInPart
	}
	texts := map[string][]string{}
	for k, gs := range p.TextGrounds {
		if !out(k) {
			texts[k] = gs
		}
	}
	p.TextGrounds = texts
	if out("cover") {
		if p.Dialogue != nil {
			d := *p.Dialogue
			d.Origin = ""
			p.Dialogue = &d
		}
		if p.Round != nil {
			r := *p.Round
			r.Purpose, r.KeyMessages = "", ""
			r.City, r.StartsOn, r.EndsOn, r.Host = "", "", "", ""
			p.Round = &r
		}
	}
	if out("agenda") {
		p.Agenda = nil
	}
	if out("delegations") {
		p.CoChairs, p.Delegation = nil, nil
		// An agenda item's lead is a delegate: named there, the delegations
		// would not be withheld. Withheld, the lead is written as a person
		// withheld alone is, their name and title the part's grounds; out
		// of scope, the item names no lead.
		gs := parts["delegations"].Grounds
		grounds := strings.Join(gs, ", ")
		agenda := make([]PackAgendaItem, len(p.Agenda))
		for i, it := range p.Agenda {
			if l := it.Lead; l != nil && grounds == "" {
				it.Lead = nil
			} else if l != nil {
				pe := *l.Person
				pe.Name, pe.Title, pe.Bio = grounds, grounds, grounds
				it.Lead = &PackPerson{Person: &pe, Agency: l.Agency, Side: l.Side, Grounds: gs, BioGrounds: gs}
			}
			agenda[i] = it
		}
		if p.Agenda != nil {
			p.Agenda = agenda
		}
		// The counterparts are the partner side of the delegations: their
		// biographies released, they are not named either. Withheld, each
		// is written as a person withheld alone is (a biography says who
		// its subject is, whatever its heading); out of scope, the
		// delegations' fields, name and title, are left out and the
		// biography itself is released.
		counterparts := make([]PackPerson, len(p.Counterparts))
		for i, c := range p.Counterparts {
			pe := *c.Person
			pe.Name, pe.Title = grounds, grounds
			bioGrounds := c.BioGrounds
			if grounds != "" {
				pe.Bio, bioGrounds = grounds, gs
			}
			counterparts[i] = PackPerson{Person: &pe, Agency: c.Agency, Side: c.Side, Grounds: gs, BioGrounds: bioGrounds}
		}
		if p.Counterparts != nil {
			p.Counterparts = counterparts
		}
	}
	if out("biographies") {
		p.Counterparts = nil
		noBio := func(l []PackPerson) []PackPerson {
			if l == nil {
				return nil
			}
			out := make([]PackPerson, len(l))
			for i, pp := range l {
				pe := *pp.Person
				pe.Bio = ""
				out[i] = PackPerson{Person: &pe, Agency: pp.Agency, Side: pp.Side, Grounds: pp.Grounds}
			}
			return out
		}
		p.CoChairs, p.Delegation = noBio(p.CoChairs), noBio(p.Delegation)
	}
	if out("actions") {
		p.Actions = nil
	}
	if out("outcomes") {
		if p.Round != nil {
			r := *p.Round
			r.Outcomes = ""
			p.Round = &r
		}
		p.Previous = nil
	}
}

// BuildResponse makes the letter and schedule of a release from the round's
// release view (before ApplyParts) and the record. A part released takes
// the decision and grounds the lead gave it, and besides them the grounds
// its content prints once the parts are applied (Pack.PartGrounds): a
// part released whose content withholds anything is released in part, and
// the letter cites every ground the released pack prints and no other, as
// a sheet's are (see ReleaseView).
func BuildResponse(view *Pack, rel *Release) *Response {
	s := view.Settings
	resp := &Response{Settings: s, Release: rel, Released: view}
	applied := *view
	ApplyParts(&applied, rel.Parts)
	part := func(k string) PartDecision {
		d := rel.Parts[k]
		if d.Decision != DecisionReleased && d.Decision != DecisionReleasedInPart {
			return d
		}
		gs := applied.PartGrounds(k)
		if len(gs) == 0 {
			return d
		}
		out := PartDecision{Decision: DecisionReleasedInPart, Grounds: addGrounds(slices.Clone(d.Grounds), gs...)}
		var added []string
		for _, g := range out.Grounds[len(d.Grounds):] {
			added = append(added, s.GroundDisplay(g))
		}
		switch cause := applied.partCause(k); {
		case d.Decision == DecisionReleased:
			resp.Notes = append(resp.Notes, fmt.Sprintf("%s is scheduled “%s” under %s, not “%s” as chosen, because %s.",
				PartTitle(k), DecisionLabel(DecisionReleasedInPart), joinAnd(added), DecisionLabel(DecisionReleased), cause))
		case len(added) > 0:
			resp.Notes = append(resp.Notes, fmt.Sprintf("%s is scheduled under %s besides the grounds you gave, because %s.",
				PartTitle(k), joinAnd(added), cause))
		}
		return out
	}
	if view.Round != nil {
		resp.Round = view.Round.StartsOn
	}
	add := func(title, decision string, grounds []string) {
		resp.Entries = append(resp.Entries, ResponseEntry{Number: len(resp.Entries) + 1, Title: title, Decision: decision, Grounds: grounds})
	}
	var sheets []ResponseEntry
	for _, e := range view.Schedule {
		title := e.Title
		if title == "" {
			title = titleWithheld
		}
		sheets = append(sheets, ResponseEntry{Title: title, Decision: releasedDecision(e.Decision), Grounds: e.Grounds})
	}
	if rel.AsOneDocument {
		title := "Briefing pack"
		if view.Dialogue != nil {
			title = view.Dialogue.Name + ": Briefing pack"
		}
		if view.Round != nil && view.Round.StartsOn != "" {
			title += " (" + view.Round.StartsOn + ")"
		}
		// The pack is what is in scope of it less the sheets withheld in
		// full, each a document of its own, title withheld: nothing of
		// them is in the released pack, which is released in full unless
		// a part of it is withheld or what it releases prints a ground,
		// and cites those grounds only. Nothing of it in scope (every
		// part out of scope, every sheet withheld), it is no document.
		var grounds []string
		inScope, released, whole := false, false, true
		consider := func(d string, gs []string) {
			if d == DecisionOutOfScope {
				return
			}
			inScope = true
			if d == DecisionReleased || d == DecisionReleasedInPart {
				released = true
			}
			if d != DecisionReleased {
				whole = false
			}
			grounds = addGrounds(grounds, gs...)
		}
		for _, k := range Parts {
			d := part(k)
			consider(d.Decision, d.Grounds)
		}
		var withheld []ResponseEntry
		for _, e := range sheets {
			if e.Decision == DecisionWithheld {
				withheld = append(withheld, e)
				continue
			}
			consider(e.Decision, e.Grounds)
		}
		switch {
		case !inScope: // no document
		case !released:
			add(titleWithheld, DecisionWithheld, grounds)
		case whole:
			add(title, DecisionReleased, nil)
		default:
			add(title, DecisionReleasedInPart, grounds)
		}
		for _, e := range withheld {
			add(e.Title, e.Decision, e.Grounds)
		}
	} else {
		for _, k := range Parts {
			d := part(k)
			if d.Decision != DecisionOutOfScope {
				add(PartTitle(k), d.Decision, d.Grounds)
			}
		}
		for _, e := range sheets {
			add(e.Title, e.Decision, e.Grounds)
		}
	}
	for _, o := range rel.OtherDocuments {
		if o.Decision == DecisionOutOfScope {
			continue
		}
		title := o.Title
		if o.TitleWithheld != nil && *o.TitleWithheld || o.TitleWithheld == nil && o.Decision == DecisionWithheld {
			title = titleWithheld
		}
		add(title, o.Decision, o.Grounds)
	}
	resp.letter()
	return resp
}

// PartTitle is a part of the pack as a schedule names it: "Open actions".
func PartTitle(k string) string {
	switch k {
	case "cover":
		return "Briefing pack: cover"
	case "agenda":
		return "Agenda"
	case "delegations":
		return "Delegations"
	case "biographies":
		return "Biographies"
	case "actions":
		return "Open actions"
	case "outcomes":
		return "Outcomes of the last round"
	}
	return k
}

// documents writes "one document" or "nine of these documents".
func documents(n int, of bool) string {
	noun := "documents"
	if n == 1 {
		noun = "document"
	}
	if of && n != 1 {
		return numberWord(n) + " of these " + noun
	}
	if of {
		return "one of these documents"
	}
	return numberWord(n) + " " + noun
}

func (resp *Response) letter() {
	s := resp.Settings
	counts := map[string][]ResponseEntry{}
	var used []string
	for _, e := range resp.Entries {
		counts[e.Decision] = append(counts[e.Decision], e)
		used = addGrounds(used, e.Grounds...)
	}
	slices.SortFunc(used, func(a, b string) int { return slices.Index(s.Grounds, a) - slices.Index(s.Grounds, b) })
	n := len(resp.Entries)
	noun := "documents were"
	if n == 1 {
		noun = "document was"
	}
	resp.Count = fmt.Sprintf("I can advise that %d %s identified within scope of your request.", n, noun)
	cite := func(list []ResponseEntry) string {
		var gs []string
		for _, e := range list {
			gs = addGrounds(gs, e.Grounds...)
		}
		slices.SortFunc(gs, func(a, b string) int { return slices.Index(s.Grounds, a) - slices.Index(s.Grounds, b) })
		parts := make([]string, len(gs))
		for i, g := range gs {
			parts[i] = groundSection(g)
		}
		if len(parts) == 0 {
			return ""
		}
		return ", under " + joinAnd(parts) + " of the Act"
	}
	if l := counts[DecisionWithheld]; len(l) > 0 {
		// The titles are said to be withheld only as far as the schedule
		// withholds them: a part of the pack or another document withheld
		// under its own title is listed by it.
		titles := 0
		for _, e := range l {
			if e.Title == titleWithheld {
				titles++
			}
		}
		var sentence string
		switch {
		case titles == 0:
			sentence = fmt.Sprintf("I have decided to withhold in full %s%s.", documents(len(l), true), cite(l))
		case titles == len(l) && titles == 1:
			sentence = fmt.Sprintf("I have decided to withhold in full (including its title) %s%s.", documents(len(l), true), cite(l))
		case titles == len(l):
			sentence = fmt.Sprintf("I have decided to withhold in full (including titles) %s%s.", documents(len(l), true), cite(l))
		case titles == 1:
			sentence = fmt.Sprintf("I have decided to withhold in full %s (including the title of one of them)%s.", documents(len(l), true), cite(l))
		default:
			sentence = fmt.Sprintf("I have decided to withhold in full %s (including the titles of %s of them)%s.", documents(len(l), true), numberWord(titles), cite(l))
		}
		resp.Decisions = append(resp.Decisions, sentence)
	}
	if l := counts[DecisionReleasedInPart]; len(l) > 0 {
		// A document released in part may have its title withheld (another
		// document's, at the lead's word): the letter says so, as the
		// schedule does.
		titles := 0
		for _, e := range l {
			if e.Title == titleWithheld {
				titles++
			}
		}
		var clause string
		switch {
		case titles == 0:
		case len(l) == 1:
			clause = " (its title withheld)"
		case titles == len(l):
			clause = " (their titles withheld)"
		case titles == 1:
			clause = " (the title of one of them withheld)"
		default:
			clause = " (the titles of " + numberWord(titles) + " of them withheld)"
		}
		resp.Decisions = append(resp.Decisions, fmt.Sprintf("I have released %s to you in part%s, and information that has been withheld has been removed from the released %s%s.",
			documents(len(l), false), clause, map[bool]string{true: "document", false: "documents"}[len(l) == 1], cite(l)))
	}
	if l := counts[DecisionReleased]; len(l) > 0 {
		resp.Decisions = append(resp.Decisions, fmt.Sprintf("I have released %s to you in full.", documents(len(l), false)))
	}
	for _, g := range used {
		resp.Grounds = append(resp.Grounds, fmt.Sprintf("%s (%s): %s.", groundSection(g), s.GroundDisplay(g), GroundWording[g]))
	}
	switch s.Jurisdiction {
	case "au":
		resp.Review = "You may ask for internal review of my decision under section 54 of the Act within 30 days of receiving this letter, or apply to the Australian Information Commissioner for review of my decision under section 54L of the Act within 60 days."
	default:
		resp.Review = "You have the right to ask the Ombudsman to investigate and review my decision under section 28(3) of the Act."
	}
}

func joinAnd(l []string) string {
	if len(l) <= 1 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}
