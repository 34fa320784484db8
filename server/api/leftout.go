package api

import (
	"encoding/json"

	"briefpack/briefing"
)

// leftOut is what a save's body of a sheet left out (or sent as null) of
// its withholdings, the sheet's and its paragraphs': each is kept as it
// is, as a status left out is. Read as "none", a client that sends only
// what it changed, or drops the fields it does not know, would release
// what was withheld, with a 200 and nothing to show for it. A writer who
// means to release it says so, "withhold": "". (A marking left out is "",
// which no marking is, and needs no body to tell: see keepMarkings.)
type leftOut struct {
	withhold bool                           // the sheet's
	paras    map[*briefing.Paragraph]string // the paragraph as decoded: its id
}

// sentSheet is the part of a sheet's body that tells a withholding sent
// from one left out.
type sentSheet struct {
	Withhold *string `json:"withhold"`
	Sections []struct {
		Paragraphs []struct {
			ID       string  `json:"id"`
			Withhold *string `json:"withhold"`
		} `json:"paragraphs"`
	} `json:"sections"`
}

// leftOutOf finds the withholdings the body from which sh was decoded left
// out. A paragraph without an id is new: left out, its withholding is none.
func leftOutOf(body []byte, sh *briefing.Sheet) leftOut {
	var sent sentSheet
	if json.Unmarshal(body, &sent) != nil {
		return leftOut{} // decoded as sh was, it cannot fail where sh did not
	}
	// A null after a value, as a key written twice sends it, is no value
	// to sh, which keeps the one before: sent, as sh has it.
	u := leftOut{withhold: sent.Withhold == nil && sh.Withhold == "", paras: map[*briefing.Paragraph]string{}}
	for i, sec := range sent.Sections {
		for j, p := range sec.Paragraphs {
			if p.ID == "" || i >= len(sh.Sections) || j >= len(sh.Sections[i].Paragraphs) {
				continue
			}
			if mine := &sh.Sections[i].Paragraphs[j]; p.Withhold == nil && mine.Withhold == "" {
				u.paras[mine] = p.ID
			}
		}
	}
	return u
}

// keepFrom gives each withholding left out its value in from, the sheet as
// the writer sees it, and forgets it; what from does not hold is left for
// another sheet to give.
func (u *leftOut) keepFrom(sh, from *briefing.Sheet) {
	if from == nil {
		return
	}
	if u.withhold {
		sh.Withhold, u.withhold = from.Withhold, false
	}
	if len(u.paras) == 0 {
		return
	}
	held := map[string]string{}
	for _, sec := range from.Sections {
		for _, p := range sec.Paragraphs {
			held[p.ID] = p.Withhold
		}
	}
	for p, id := range u.paras {
		if g, ok := held[id]; ok {
			p.Withhold = g
			delete(u.paras, p)
		}
	}
}

// keepFromUnchanged is keepFrom, for the paragraphs' withholdings, only
// for those sent with the words, and the marking if any, they have in
// from: the others are left as sent.
func (u *leftOut) keepFromUnchanged(from *briefing.Sheet) {
	if from == nil {
		return
	}
	held := map[string]briefing.Paragraph{}
	for _, sec := range from.Sections {
		for _, p := range sec.Paragraphs {
			held[p.ID] = p
		}
	}
	for p, id := range u.paras {
		h, ok := held[id]
		if ok && briefing.CleanText(p.Text) == briefing.CleanText(h.Text) && (p.Marking == "" || p.Marking == h.Marking) {
			p.Withhold = h.Withhold
			delete(u.paras, p)
		}
	}
}

// any reports whether a withholding left out is still to be given.
func (u *leftOut) any() bool { return u.withhold || len(u.paras) > 0 }

// keepPerson gives a person saved over old what the body left out of its
// withholding and marking, as old has them: left out, a person withheld
// under the Act would be released, and one marked above the lowest
// marking shown to everyone.
func keepPerson(body []byte, p, old *briefing.Person) {
	var sent struct {
		Withhold *string `json:"withhold"`
	}
	if json.Unmarshal(body, &sent) == nil && sent.Withhold == nil && p.Withhold == "" {
		p.Withhold = old.Withhold
	}
	if p.Marking == "" {
		p.Marking = old.Marking
	}
}

// keepRound gives a round saved over old its marking when the body left it
// out: validation would take it for the lowest.
func keepRound(_ []byte, r, old *briefing.Round) {
	if r.Marking == "" {
		r.Marking = old.Marking
	}
}

// keepMarkings gives each paragraph of sh sent with an id and no marking
// the one it has in the first of from that holds it (each a sheet as the
// writer may see it): a save through the editor or the merge that left a
// marking out keeps it, where the round's would lower a SECRET paragraph.
// A paragraph new, or in none of them, is left for markUnmarked.
func keepMarkings(sh *briefing.Sheet, from ...*briefing.Sheet) {
	held := map[string]string{}
	for k := len(from) - 1; k >= 0; k-- {
		if from[k] == nil {
			continue
		}
		for _, sec := range from[k].Sections {
			for _, p := range sec.Paragraphs {
				held[p.ID] = p.Marking
			}
		}
	}
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			if p := &sh.Sections[i].Paragraphs[j]; p.Marking == "" && p.ID != "" {
				p.Marking = held[p.ID]
			}
		}
	}
}
