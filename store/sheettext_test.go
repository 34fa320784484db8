package store_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"briefpack/briefing"
)

// words draw the text of realistic test sheets: prose of a briefing's
// vocabulary, different in every paragraph, so that neither compression
// nor deltas are flattered by repeated text.
var words = strings.Fields(`the a of and to in on for with by from at as that which this their our its
	dialogue round delegation counterpart ministry agency secretariat minister officials partner
	cyber security threat assessment capability resilience incident response critical infrastructure
	regional Pacific Indo-Pacific maritime border intelligence sharing cooperation framework agreement
	commitment action milestone review exercise workshop capacity building investment supply chain
	norms responsible state behaviour attribution sanctions deterrence ransomware espionage disinformation
	election interference telecommunications vendor risk standards information exchange joint statement
	priorities concerns interests objectives outcomes progress report implementation funding programme
	Wellington Canberra Tokyo Auckland Sydney Suva Port Moresby Honiara Nuku'alofa Apia
	New Zealand Australia Japan Fiji Tonga Samoa Solomon Islands Papua New Guinea
	will would should could may must seek support encourage welcome note agree propose consider
	strengthen deepen expand maintain continue develop coordinate align reaffirm highlight raise
	recent current future ongoing significant growing persistent emerging shared mutual bilateral
	multilateral national international domestic public private sector law enforcement defence
	police customs immigration health education climate energy trade economic social financial`)

// prose returns about n bytes of unique prose.
func prose(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for i, k := 0, 8+rng.IntN(14); i < k; i++ {
			w := words[rng.IntN(len(words))]
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		fmt.Fprintf(&b, " (%d).", rng.IntN(2030-1990)+1990)
	}
	return b.String()
}

// realisticSheet returns a topic sheet of about size bytes of JSON: the
// standard sections, paragraphs of unique prose under several markings, one
// of them SECRET with a withheld span.
func realisticSheet(rng *rand.Rand, roundID, title string, size int) *briefing.Sheet {
	markings := []string{"UNCLASSIFIED", "IN-CONFIDENCE", "RESTRICTED", "IN-CONFIDENCE", "UNCLASSIFIED"}
	sh := &briefing.Sheet{RoundID: roundID, Title: title, Owner: "Cyber Policy Office", Status: briefing.SheetDraft,
		Sections: briefing.NewSheetSections()}
	n := 0
	for i := 0; n < size-600; i++ {
		sec := &sh.Sections[i%len(sh.Sections)]
		p := briefing.Paragraph{Text: prose(rng, 250+rng.IntN(200)), Marking: markings[i%len(markings)]}
		if i == 3 {
			p.Text = "We assess {{s6(a): " + prose(rng, 60) + "}} " + p.Text
			p.Marking, p.Withhold = "SECRET", "s6(a)"
		}
		sec.Paragraphs = append(sec.Paragraphs, p)
		n += len(p.Text) + 90
	}
	return sh
}

// reviseSheet changes the sheet as a desk officer's edit does: one
// paragraph rewritten, or now and then one dropped and a new one added
// elsewhere, so the sheet keeps its size however often it is revised.
func reviseSheet(rng *rand.Rand, sh *briefing.Sheet) {
	var filled []int
	for i, sec := range sh.Sections {
		if len(sec.Paragraphs) > 0 {
			filled = append(filled, i)
		}
	}
	if len(filled) == 0 {
		sh.Sections[0].Paragraphs = append(sh.Sections[0].Paragraphs, briefing.Paragraph{Text: prose(rng, 300), Marking: "RESTRICTED"})
		return
	}
	sec := &sh.Sections[filled[rng.IntN(len(filled))]]
	i := rng.IntN(len(sec.Paragraphs))
	p := &sec.Paragraphs[i]
	switch {
	case p.Marking == "SECRET":
		p.Text = "We assess {{s6(a): " + prose(rng, 60) + "}} " + prose(rng, 250)
	case rng.IntN(5) == 0 && len(sec.Paragraphs) > 1:
		sec.Paragraphs = append(sec.Paragraphs[:i], sec.Paragraphs[i+1:]...)
		to := &sh.Sections[rng.IntN(len(sh.Sections))]
		to.Paragraphs = append(to.Paragraphs, briefing.Paragraph{Text: prose(rng, 250+rng.IntN(200)), Marking: "RESTRICTED"})
	default:
		p.Text = prose(rng, 250+rng.IntN(200))
	}
}
