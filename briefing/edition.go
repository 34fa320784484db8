package briefing

import (
	"context"
	"encoding/json"
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
	all, err := Assemble(ctx, v.Whole(), mine.Round.ID, mine.GeneratedAt)
	if err != nil {
		return false, err
	}
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

// packContent is what a pack holds, without what depends on who built it.
func packContent(p *Pack) (string, error) {
	c := *p
	c.Ceiling, c.Marking = "", ""
	raw, err := json.Marshal(&c)
	return string(raw), err
}
