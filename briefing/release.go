package briefing

import (
	"regexp"
	"slices"
	"strings"
)

// ReleaseView returns the release edition of a full pack, built so nothing
// withheld can leak: a new pack from which every withheld word has been
// removed before any renderer sees it. Sheets withheld in full are left out,
// title and all, and only counted; a withheld paragraph becomes its ground
// in its place, a bullet keeping its bullet (a number, which is its text,
// is not kept); a withheld span becomes its ground inline; every
// protective marking is dropped; and a schedule of documents says what was
// released and on what grounds. Text that fails to parse fails the
// release: it is never passed through.
func ReleaseView(full *Pack) (*Pack, error) {
	s := full.Settings
	p := &Pack{Settings: s, Edition: EditionRelease, GeneratedAt: full.GeneratedAt, MadeFrom: full.Marking,
		TextGrounds: map[string][]string{}}
	// redact redacts a part's text, citing the grounds of its spans; part
	// "" is text no part prints.
	redact := func(part, text string) (string, error) {
		out, gs, err := s.Redact(text)
		if part != "" && len(gs) > 0 {
			p.TextGrounds[part] = addGrounds(p.TextGrounds[part], gs...)
		}
		return out, err
	}

	d := *full.Dialogue
	var err error
	if d.Origin, err = redactText(s, d.Origin); err != nil {
		return nil, err
	}
	d.Notes = ""
	p.Dialogue = &d

	// round releases a round; cover is the part its purpose and key
	// messages are printed in ("" for the previous round's, never printed).
	round := func(r *Round, cover string) (*Round, error) {
		if r == nil {
			return nil, nil
		}
		c := *r
		c.Marking = ""
		c.CoChairs, c.Delegation, c.Agenda, c.ParticipatingAgencies = nil, nil, nil, nil
		var err error
		if c.Outcomes, err = redact("outcomes", r.Outcomes); err != nil {
			return nil, err
		}
		if c.Purpose, err = redact(cover, r.Purpose); err != nil {
			return nil, err
		}
		if c.KeyMessages, err = redact(cover, r.KeyMessages); err != nil {
			return nil, err
		}
		return &c, nil
	}
	if p.Round, err = round(full.Round, "cover"); err != nil {
		return nil, err
	}
	if p.Previous, err = round(full.Previous, ""); err != nil {
		return nil, err
	}

	withheldPeople := map[string]string{} // person id → ground
	// people releases people, each with the grounds it prints (see
	// Pack.PartGrounds for which part prints what).
	people := func(list []PackPerson) ([]PackPerson, error) {
		var out []PackPerson
		for _, pp := range list {
			pe := *pp.Person
			pe.Marking = ""
			if g := pe.Withhold; g != "" {
				// Name, title and biography become the ground; the agency stays.
				pe.Name, pe.Title, pe.Bio = g, g, g
				withheldPeople[pe.ID] = g
				out = append(out, PackPerson{Person: &pe, Agency: pp.Agency, Side: pp.Side, Grounds: []string{g}, BioGrounds: []string{g}})
				continue
			}
			bio, gs, err := s.Redact(pe.Bio)
			if err != nil {
				return nil, err
			}
			pe.Bio = bio
			out = append(out, PackPerson{Person: &pe, Agency: pp.Agency, Side: pp.Side, BioGrounds: gs})
		}
		return out, nil
	}
	if p.CoChairs, err = people(full.CoChairs); err != nil {
		return nil, err
	}
	if p.Delegation, err = people(full.Delegation); err != nil {
		return nil, err
	}
	if p.Counterparts, err = people(full.Counterparts); err != nil {
		return nil, err
	}

	p.PeopleWithheld = map[string]int{}
	for _, g := range withheldPeople {
		p.PeopleWithheld[g]++
	}
	released := map[*Sheet]*Sheet{}
	for i, sh := range full.Sheets {
		entry := ScheduleEntry{Number: i + 1}
		if sh.Withhold != "" {
			entry.Decision, entry.Grounds = WithheldInFull, []string{sh.Withhold}
			p.WithheldInFull++
			p.Schedule = append(p.Schedule, entry)
			continue
		}
		rs, grounds, err := releaseSheet(s, sh)
		if err != nil {
			return nil, err
		}
		entry.Title, entry.Grounds, entry.Decision = rs.Title, grounds, ReleasedInFull
		if len(grounds) > 0 {
			entry.Decision = ReleasedInPart
		}
		p.Schedule = append(p.Schedule, entry)
		p.Sheets = append(p.Sheets, rs)
		released[sh] = rs
	}
	for _, it := range full.Agenda {
		if it.Sheet != nil {
			if rs := released[it.Sheet]; rs != nil {
				item, err := releaseItem(it, redact, people)
				if err != nil {
					return nil, err
				}
				// The item gives the sheet's title as released, its spans
				// as their grounds.
				if _, err := redact("agenda", it.Sheet.Title); err != nil {
					return nil, err
				}
				item.Title, item.Sheet = rs.Title, rs
				p.Agenda = append(p.Agenda, item)
			}
			continue // a sheet withheld in full leaves no trace, not even its agenda title
		}
		title, err := redact("agenda", it.Title)
		if err != nil {
			return nil, err
		}
		item, err := releaseItem(it, redact, people)
		if err != nil {
			return nil, err
		}
		item.Title = title
		p.Agenda = append(p.Agenda, item)
	}
	p.Agencies = full.Agencies
	for _, a := range full.Actions {
		c := *a.Action
		c.Marking = ""
		if c.Text, err = redact("actions", c.Text); err != nil {
			return nil, err
		}
		p.Actions = append(p.Actions, PackAction{Action: &c, OwnerAgency: a.OwnerAgency, RaisedIn: a.RaisedIn})
	}
	return p, nil
}

// releaseSheet returns the released copy of a sheet and the grounds cited
// in it, in order of first use.
func releaseSheet(s Settings, sh *Sheet) (*Sheet, []string, error) {
	out := &Sheet{Meta: Meta{ID: sh.ID}, RoundID: sh.RoundID, Title: sh.Title, Status: sh.Status, Stored: sh.Stored}
	var grounds []string
	cite := func(g string) { grounds = addGrounds(grounds, g) }
	title, gs, err := s.Redact(sh.Title)
	if err != nil {
		return nil, nil, err
	}
	out.Title = title
	for _, g := range gs { // a span withheld from the title: the sheet is released in part
		cite(g)
	}
	for _, sec := range sh.Sections {
		rsec := Section{Kind: sec.Kind, Heading: sec.Heading, Paragraphs: []Paragraph{}}
		for _, p := range sec.Paragraphs {
			rp, gs, err := s.ReleaseParagraph(p)
			if err != nil {
				return nil, nil, err
			}
			for _, g := range gs {
				cite(g)
			}
			rsec.Paragraphs = append(rsec.Paragraphs, rp)
		}
		out.Sections = append(out.Sections, rsec)
	}
	return out, grounds, nil
}

// ReleaseParagraph returns a paragraph as the release edition has it, and
// the grounds it cites in order of first use: one withheld in full becomes
// its ground, a bullet keeping its bullet; in one released in part each
// withheld span becomes its ground (Redact), and its segments are kept
// with each span's words taken out (ReleasedSegments).
func (s Settings) ReleaseParagraph(p Paragraph) (Paragraph, []string, error) {
	if p.Withhold != "" {
		return Paragraph{Text: listMarker(p.Text) + p.Withhold, Withhold: p.Withhold}, []string{p.Withhold}, nil
	}
	segs, err := s.ParseSpans(p.Text)
	if err != nil {
		return Paragraph{}, nil, err
	}
	text, grounds, at, cuts := redactSegments(p.Text, segs)
	out := Paragraph{Text: text}
	if len(at) > 0 || len(cuts) > 0 {
		// The released text cut at its grounds, and at each label of a
		// link released as its label alone (Redact): the full edition's
		// segments, each span's words replaced by its ground. A label
		// read as one piece with the text around it could form what the
		// full edition did not (an autolink of "<http://x/" + label +
		// "…>").
		ground := map[[2]int]bool{}
		bounds := append([]int{}, cuts...)
		for _, g := range at {
			ground[g] = true
			bounds = append(bounds, g[0], g[1])
		}
		bounds = append(bounds, len(text))
		slices.Sort(bounds)
		var released []Segment
		last := 0
		for _, b := range slices.Compact(bounds) {
			switch {
			case b <= last:
			case ground[[2]int{last, b}]:
				released = append(released, Segment{Ground: text[last:b]})
			default:
				released = append(released, Segment{Text: text[last:b]})
			}
			last = max(last, b)
		}
		out.released = &released
	}
	return out, grounds, nil
}

var listMarkerRE = regexp.MustCompile(`^\s*[-*+]\s+`)

// listMarker returns the bullet a paragraph starts with, so a withheld
// bullet is replaced by a bullet. Only a bullet is kept: it carries no
// words. The number of a numbered item is the paragraph's own text (up to
// nine digits of it, "987654321) …"), so a withheld numbered paragraph
// becomes its ground alone; it is not given a bullet either, which would
// say it was an item of another kind. Its neighbours keep their numbers,
// so the gap shows where it was.
func listMarker(text string) string {
	m := listMarkerRE.FindString(text)
	return strings.TrimLeft(m, " \t")
}

// redactText redacts free text (outcomes, biographies) that may hold spans.
func redactText(s Settings, text string) (string, error) {
	out, _, err := s.Redact(text)
	return out, err
}

// ReleaseCheckSheet is what the release edition will do with one sheet, for
// the lead to review before exporting.
type ReleaseCheckSheet struct {
	SheetID            string         `json:"sheet_id"`
	Title              string         `json:"title"`
	Decision           string         `json:"decision"`
	WithheldParagraphs int            `json:"withheld_paragraphs"`
	WithheldSpans      int            `json:"withheld_spans"`
	Grounds            map[string]int `json:"grounds"`
}

// ReleaseCheck summarises, per sheet of a full pack, what the release will
// withhold: the decision and how often each ground is cited.
func ReleaseCheck(p *Pack) []ReleaseCheckSheet {
	out := []ReleaseCheckSheet{}
	for _, sh := range p.Sheets {
		rc := ReleaseCheckSheet{SheetID: sh.ID, Title: sh.Title, Decision: ReleasedInFull, Grounds: map[string]int{}}
		if sh.Withhold != "" {
			rc.Decision = WithheldInFull
			rc.Grounds[sh.Withhold]++
			out = append(out, rc)
			continue
		}
		spans := func(text string) {
			segs, err := p.Settings.ParseSpans(text)
			if err != nil {
				return
			}
			for _, sg := range segs {
				if sg.Ground != "" {
					rc.WithheldSpans++
					rc.Grounds[sg.Ground]++
				}
			}
		}
		spans(sh.Title)
		for _, sec := range sh.Sections {
			for _, para := range sec.Paragraphs {
				if para.Withhold != "" {
					rc.WithheldParagraphs++
					rc.Grounds[para.Withhold]++
					continue
				}
				spans(para.Text)
			}
		}
		if rc.WithheldParagraphs+rc.WithheldSpans > 0 {
			rc.Decision = ReleasedInPart
		}
		out = append(out, rc)
	}
	return out
}

// releaseItem is an agenda item's programme in the release edition: its
// session redacted, its lead released or withheld as in the delegations.
func releaseItem(it PackAgendaItem, redact func(part, text string) (string, error),
	people func(list []PackPerson) ([]PackPerson, error)) (PackAgendaItem, error) {
	out := PackAgendaItem{StartsAt: it.StartsAt, EndsAt: it.EndsAt}
	var err error
	if out.Session, err = redact("agenda", it.Session); err != nil {
		return out, err
	}
	if it.Lead != nil {
		lead, err := people([]PackPerson{*it.Lead})
		if err != nil {
			return out, err
		}
		out.Lead = &lead[0]
	}
	return out, nil
}
