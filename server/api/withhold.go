package api

import (
	"encoding/json"

	"briefpack/briefing"
)

// unsentWithholds are the withholdings a save's body left out (or sent as
// null): the sheet's own, and its paragraphs'. A save that leaves one out
// keeps it as it is, as it keeps a status left out. Read as "none", a
// client that sends only what it changed, or drops the fields it does not
// know, would release what was withheld, with a 200 and nothing to show
// for it; a writer who means to release it says so, "withhold": "".
type unsentWithholds struct {
	sheet bool
	paras map[*briefing.Paragraph]string // the paragraph as decoded: its id
}

// sentWithholds is the part of a sheet's body that tells a withholding
// sent from one left out.
type sentWithholds struct {
	Withhold *string `json:"withhold"`
	Sections []struct {
		Paragraphs []struct {
			ID       string  `json:"id"`
			Withhold *string `json:"withhold"`
		} `json:"paragraphs"`
	} `json:"sections"`
}

// unsentIn finds the withholdings the body from which sh was decoded left
// out. A paragraph without an id is new: left out, it withholds nothing.
func unsentIn(body []byte, sh *briefing.Sheet) unsentWithholds {
	var sent sentWithholds
	if json.Unmarshal(body, &sent) != nil {
		return unsentWithholds{} // decoded as sh was, it cannot fail where sh did not
	}
	u := unsentWithholds{sheet: sent.Withhold == nil, paras: map[*briefing.Paragraph]string{}}
	for i, sec := range sent.Sections {
		for j, p := range sec.Paragraphs {
			if p.Withhold == nil && p.ID != "" && i < len(sh.Sections) && j < len(sh.Sections[i].Paragraphs) {
				u.paras[&sh.Sections[i].Paragraphs[j]] = p.ID
			}
		}
	}
	return u
}

// keepFrom gives each withholding left out its value in from, the sheet
// as the writer sees it, and forgets it; those from does not hold are
// left for another sheet to give.
func (u *unsentWithholds) keepFrom(sh, from *briefing.Sheet) {
	if from == nil {
		return
	}
	if u.sheet {
		sh.Withhold, u.sheet = from.Withhold, false
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

// left reports whether a paragraph's withholding left out is still to be
// given.
func (u *unsentWithholds) left() bool { return len(u.paras) > 0 }
