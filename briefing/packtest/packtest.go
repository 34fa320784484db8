// Package packtest builds synthetic briefing packs for the renderers' tests
// and benchmarks: S topic sheets of five sections × six paragraphs of thirty
// to sixty words, every paragraph's text its own, SECRET paragraphs mixed in,
// with a little of every feature a real pack has.
package packtest

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/russross/blackfriday/v2"

	"briefpack/briefing"
)

// vocabulary is what the synthetic paragraphs are written from: enough
// words, chosen at random per paragraph, that no two paragraphs of a pack
// share their text (a cache keyed by text would otherwise measure itself).
var vocabulary = strings.Fields(`regional security cooperation maritime cyber resilience counter terrorism
information sharing capacity building Pacific partners norms international law critical infrastructure
protection incident response exercises officials ministers agencies framework strategy dialogue
assessment interests engagement priorities threat environment legislation enforcement foreign
interference emerging technologies rules-based order trade agriculture investment screening supply
chains telecommunications undersea cables ports shipping fisheries patrols surveillance aviation
border biosecurity pandemic preparedness health humanitarian disaster relief climate adaptation
energy transition minerals space satellites quantum artificial intelligence export controls
sanctions proliferation chemical weapons attribution disinformation elections democracy media
academia research universities diaspora communities extremism online radicalisation returnees
prisons intelligence oversight privacy data encryption standards procurement vendors telecoms
outages ransomware fraud scams cybercrime prosecution extradition mutual assistance treaties
conventions protocols secretariat working group taskforce review budget funding programme
deployment training mentoring secondments liaison posts embassies consulates visits summit
declaration communique statement commitment timetable milestone delivery evaluation lessons
partnership alliance coalition neighbours island states southeast Asia Indo-Pacific Antarctic
Tasman bilateral trilateral multilateral forum institutions architecture reform governance`)

// rng is a small deterministic generator (splitmix64), so a pack is the
// same at every run and each paragraph is its own.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// Paragraph returns paragraph n of sheet s: thirty to sixty words of
// Markdown, unique to (s, n), some in bold, every third one a bullet.
func Paragraph(s, n int) string {
	r := rng(uint64(s)<<32 | uint64(n))
	var b strings.Builder
	if n%3 == 0 {
		b.WriteString("- ")
	}
	count := 30 + r.intn(31)
	for i := 0; i < count; i++ {
		w := vocabulary[r.intn(len(vocabulary))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		if i == 5 {
			w = "**" + w + "**"
		}
		if i > 0 {
			if r.intn(9) == 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	fmt.Fprintf(&b, " (%d.%d).", s, n)
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
		Settings: s, Edition: briefing.EditionFull, Ceiling: s.Top(),
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
			Title: fmt.Sprintf("Topic %d: %s", i+1, vocabulary[i%len(vocabulary)]), Owner: "officer", Status: briefing.SheetCleared}
		for k, kind := range briefing.SectionKinds[:5] {
			sec := briefing.Section{Kind: kind, Heading: briefing.DefaultHeading(kind, d.Home, d.Partner)}
			for n := 0; n < 6; n++ {
				m := Marking(s, i, k, n)
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

// The floor of an HTML pack: one minimal template executed over paragraphs
// rendered beforehand, as they are when saved. No pack can be written
// faster than this over the same content; the benchmarks measure packs
// against it.

var floorTemplate = template.Must(template.New("floor").Parse(
	`<!doctype html><html><body>{{range .}}<h2>{{.Title}}</h2><table>{{range .Sections}}<tr><th>{{.Heading}}</th><td>{{range .Paragraphs}}<div>{{.}}</div>{{end}}</td></tr>{{end}}</table>{{end}}</body></html>`))

// FloorSheet is a sheet with its paragraphs rendered.
type FloorSheet struct {
	Title    string
	Sections []FloorSection
}

// FloorSection is a section with its paragraphs rendered.
type FloorSection struct {
	Heading    string
	Paragraphs []template.HTML
}

var floorPolicy = bluemonday.UGCPolicy()

// FloorParagraph renders one paragraph with the same libraries the pack uses.
func FloorParagraph(text string) template.HTML {
	return template.HTML(floorPolicy.SanitizeBytes(blackfriday.Run([]byte(text))))
}

// Prerender renders every paragraph of the sheets.
func Prerender(sheets []*briefing.Sheet) []FloorSheet {
	out := make([]FloorSheet, len(sheets))
	for k, sh := range sheets {
		fs := FloorSheet{Title: sh.Title}
		for _, sec := range sh.Sections {
			fsec := FloorSection{Heading: sec.Heading}
			for _, para := range sec.Paragraphs {
				fsec.Paragraphs = append(fsec.Paragraphs, FloorParagraph(para.Text))
			}
			fs.Sections = append(fs.Sections, fsec)
		}
		out[k] = fs
	}
	return out
}

// Floor executes the floor template over prerendered sheets.
func Floor(w io.Writer, sheets []FloorSheet) error { return floorTemplate.Execute(w, sheets) }

// Sections returns the sections of synthetic sheet i as the API takes them
// in a sheet's JSON: five standard sections of six unique paragraphs, one
// in seven at the fourth marking (SECRET in both jurisdictions).
func Sections(s briefing.Settings, i int) []map[string]any {
	var secs []map[string]any
	for k, kind := range briefing.SectionKinds[:5] {
		var paras []map[string]string
		for j := 0; j < 6; j++ {
			paras = append(paras, map[string]string{"text": Paragraph(i*5+k, j), "marking": Marking(s, i, k, j)})
		}
		secs = append(secs, map[string]any{"kind": kind, "paragraphs": paras})
	}
	return secs
}

// Marking is the marking of paragraph n of section k of synthetic sheet i:
// mostly the three lowest, one paragraph in seven SECRET. (It was the
// fourth level, taken to be SECRET, which is RESTRICTED in New Zealand and
// PROTECTED in Australia: the test packs held no SECRET paragraph.)
func Marking(s briefing.Settings, i, k, n int) string {
	if (i*5+k*6+n)%7 == 3 && slices.Contains(s.Markings, "SECRET") {
		return "SECRET"
	}
	return s.Markings[(i+k+n)%3]
}
