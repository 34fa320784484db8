// Package packtest builds synthetic briefing packs for the renderers' tests
// and benchmarks: S topic sheets of five sections × six paragraphs of about
// forty words, with a little of every feature a real pack has.
package packtest

import (
	"fmt"
	"strings"
	"time"

	"briefpack/briefing"
)

var words = strings.Fields(`regional security cooperation maritime cyber resilience counter terrorism
information sharing capacity building Pacific partners norms international law critical infrastructure
protection incident response exercises officials ministers agencies framework strategy dialogue
assessment interests engagement priorities threat environment legislation enforcement`)

// Paragraph returns paragraph n of sheet s: about forty words of Markdown,
// some in bold, every third one a bullet.
func Paragraph(s, n int) string {
	var b strings.Builder
	if n%3 == 0 {
		b.WriteString("- ")
	}
	for i := 0; i < 40; i++ {
		w := words[(s*31+n*7+i*3)%len(words)]
		if i == 5 {
			w = "**" + w + "**"
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

// Pack returns a full-edition pack of the given number of topic sheets under
// settings s, each sheet on the agenda, with people and open actions.
func Pack(s briefing.Settings, sheets int) *briefing.Pack {
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1", Version: 1}, Name: "Synthetic Security Dialogue",
		Home: s.Home, Partner: "Partnerland", Established: "2016-10-01", CadenceMonths: 12}
	r := &briefing.Round{Meta: briefing.Meta{ID: "2", Version: 1}, DialogueID: "1", Number: 3,
		StartsOn: "2018-05-10", EndsOn: "2018-05-11", City: "Wellington", Host: briefing.SideHome,
		Status: briefing.RoundScheduled, Marking: s.Markings[1]}
	prev := &briefing.Round{Meta: briefing.Meta{ID: "3", Version: 1}, DialogueID: "1", Number: 2,
		StartsOn: "2017-05-10", EndsOn: "2017-05-10", City: "Canberra", Host: briefing.SidePartner,
		Status: briefing.RoundHeld, Marking: s.Markings[1], Outcomes: "Both sides agreed to **deepen** cooperation."}
	ag := &briefing.Agency{Meta: briefing.Meta{ID: "4", Version: 1}, Name: "Department of Example", Acronym: "DOE", Country: s.Home}
	pa := &briefing.Agency{Meta: briefing.Meta{ID: "5", Version: 1}, Name: "Ministry of Partnership", Acronym: "MOP", Country: "Partnerland"}
	home := &briefing.Person{Meta: briefing.Meta{ID: "6", Version: 1}, Name: "Alex Home", Title: "Deputy Chief Executive",
		AgencyID: "4", Country: s.Home, Bio: "Career official.", Marking: s.Markings[0]}
	partner := &briefing.Person{Meta: briefing.Meta{ID: "7", Version: 1}, Name: "Pat Partner", Title: "Ambassador",
		AgencyID: "5", Country: "Partnerland", Bio: "Served in **three** posts.", Marking: s.Markings[0]}
	p := &briefing.Pack{
		Settings: s, Edition: briefing.EditionFull, Ceiling: s.Markings[len(s.Markings)-1],
		GeneratedAt: time.Date(2018, 5, 1, 9, 0, 0, 0, time.UTC),
		Dialogue:    d, Round: r, Previous: prev,
		CoChairs: []briefing.PackPerson{{Person: home, Agency: ag, Side: briefing.SideHome},
			{Person: partner, Agency: pa, Side: briefing.SidePartner}},
		Counterparts: []briefing.PackPerson{{Person: partner, Agency: pa, Side: briefing.SidePartner}},
	}
	p.Delegation = p.CoChairs
	top := s.Markings[0]
	for i := 0; i < sheets; i++ {
		sh := &briefing.Sheet{Meta: briefing.Meta{ID: fmt.Sprint(100 + i), Version: 1}, RoundID: r.ID,
			Title: fmt.Sprintf("Topic %d: %s", i+1, words[i%len(words)]), Owner: "officer", Status: briefing.SheetCleared}
		for k, kind := range briefing.SectionKinds[:5] {
			sec := briefing.Section{Kind: kind, Heading: briefing.DefaultHeading(kind, d.Home, d.Partner)}
			for n := 0; n < 6; n++ {
				m := s.Markings[(i+k+n)%3]
				sec.Paragraphs = append(sec.Paragraphs, briefing.Paragraph{ID: fmt.Sprintf("p%d-%d-%d", i, k, n), Text: Paragraph(i*5+k, n), Marking: m})
				top = s.Highest(top, m)
			}
			sh.Sections = append(sh.Sections, sec)
		}
		sh.Marking = s.SheetMarking(sh)
		p.Sheets = append(p.Sheets, sh)
		p.Agenda = append(p.Agenda, briefing.PackAgendaItem{Title: sh.Title, Sheet: sh})
	}
	for i := 0; i < 7; i++ {
		a := &briefing.Action{Meta: briefing.Meta{ID: fmt.Sprint(10 + i), Version: 1}, DialogueID: "1",
			Ref: fmt.Sprintf("3.%02d", i+1), Text: Paragraph(i, 1), OwnerAgencyID: "4", RaisedInRoundID: "3",
			DueOn: "2018-12-31", Status: briefing.ActionOnTrack}
		p.Actions = append(p.Actions, briefing.PackAction{Action: a, OwnerAgency: ag, RaisedIn: 2})
	}
	p.Marking = s.Highest(top, r.Marking)
	return p
}
