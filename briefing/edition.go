package briefing

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// ErrNotWholeRound is the message of the refusal to build a release edition
// for a reader who may not see the whole round.
const ErrNotWholeRound = "a release edition can only be made by someone who can see the whole round: parts of this round are above your clearance"

// ReleaseEdition builds the release edition of a round for a reader. A
// release must say truly what was released and what withheld, so it is built
// only for a reader who sees the whole round — every sheet, paragraph, person
// and action its pack would hold at the highest clearance; anyone else is
// refused (EFORBIDDEN), never given a smaller release. A ceiling does not apply.
func ReleaseEdition(ctx context.Context, v *View, roundID string, now time.Time) (*Pack, error) {
	pack, err := Assemble(ctx, NewView(v.st, v.set, v.reader), roundID, now)
	if err != nil {
		return nil, err
	}
	if ok, err := SeesWholeRound(ctx, v, pack); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(EFORBIDDEN, ErrNotWholeRound)
	}
	return ReleaseView(pack)
}

// SeesWholeRound reports whether a reader's pack of a round (assembled at
// their own clearance) holds everything the round's pack holds at the
// highest clearance.
func SeesWholeRound(ctx context.Context, v *View, mine *Pack) (bool, error) {
	// A pack assembled at the highest clearance is the whole round's (see
	// Whole): assembling it again only to compare them cost a freeze of
	// 1,000 sheets a tenth of a second.
	if top := v.set.Top(); v.reader.Clearance == top && mine.Ceiling == top {
		return true, nil
	}
	all, err := Assemble(ctx, v.Whole(), mine.Round.ID, mine.GeneratedAt)
	if err != nil {
		return false, err
	}
	mine, all = actionsAsSeen(mine, all)
	a, err := packContent(mine)
	if err != nil {
		return false, err
	}
	b, err := packContent(all)
	if err != nil {
		return false, err
	}
	return a == b, nil
}

// actionsAsSeen is the reader's pack mine and the whole round's pack all,
// each with its actions as the reader sees them. An action the reader
// sees, raised in a round they may not see, is theirs without that round:
// it is carried into every pack of theirs (they cannot tell when it was
// raised), and into the whole round's only after that round, saying where
// it was raised. That round is no part of this one, and the reference to
// it is absent for them as the round is: counted, either refused them a
// release of a round they see whole, and so told them of a round above
// them.
func actionsAsSeen(mine, all *Pack) (*Pack, *Pack) {
	hid := map[string]bool{} // actions whose round the reader may not see
	for _, a := range mine.Actions {
		if a.Action.RaisedInRoundID == "" {
			hid[a.Action.ID] = true
		}
	}
	carried := map[string]bool{}
	wc := *all
	wc.Actions = nil // none is none, however it was made
	for _, a := range all.Actions {
		carried[a.Action.ID] = true
		if hid[a.Action.ID] && a.Action.RaisedInRoundID != "" {
			c := *a.Action
			c.RaisedInRoundID = ""
			a.Action, a.RaisedIn = &c, 0
		}
		wc.Actions = append(wc.Actions, a)
	}
	mc := *mine
	mc.Actions = nil
	for _, a := range mine.Actions {
		if carried[a.Action.ID] || !hid[a.Action.ID] {
			mc.Actions = append(mc.Actions, a)
		}
	}
	return &mc, &wc
}

// packContent is what a pack holds, without what depends on who built it.
func packContent(p *Pack) (string, error) {
	c := *p
	c.Ceiling, c.Marking = "", ""
	h := sha256.New()
	if err := c.WriteContent(h); err != nil {
		return "", err
	}
	return string(h.Sum(nil)), nil
}

// WriteContent writes a description of everything the pack holds, from
// which it is built: the same description, the same pack. A sheet read from
// the store is described by its stored record (see Sheet.Stored), its
// owner's name and how many of its paragraphs each section kept for the
// reader — a reader's copy of a record holds the record less the
// paragraphs above them — rather than by its text; everything else as JSON.
func (p *Pack) WriteContent(w io.Writer) error {
	c := *p
	c.Sheets = nil
	c.Agenda = make([]PackAgendaItem, len(p.Agenda))
	for i, it := range p.Agenda {
		if it.Sheet != nil {
			it.Sheet = &Sheet{Meta: Meta{ID: it.Sheet.ID}}
		}
		c.Agenda[i] = it
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(&c); err != nil {
		return err
	}
	// Headings and titles are not written: they are the stored record's, or
	// follow from it and the dialogue's sides, which the JSON above holds.
	var b []byte
	for _, sh := range p.Sheets {
		if sh.Stored == "" {
			if err := enc.Encode(sh); err != nil {
				return err
			}
			continue
		}
		b = append(b, "sheet "...)
		b = strconv.AppendQuote(b, sh.ID)
		b = append(b, ' ')
		b = append(b, sh.Stored...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, sh.Owner)
		for _, sec := range sh.Sections {
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(len(sec.Paragraphs)), 10)
		}
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}
