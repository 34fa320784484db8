package briefing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// SeenFrom returns the lowest clearance from which a reader sees what a save
// of a round or a topic sheet changed: the lowest marking of the scheme at
// which the reader's copy of before (the stored object) and their copy of
// after (the one saved) differ, each filtered as a View filters it. A save
// that changed nothing any reader sees, and a save of any other kind, is ""
// (seen by whoever sees the object). It is decided when the save is made,
// so that a list of versions and the audit log, which read no version's
// text, leave out a save a reader cannot see (see SeesSave). st is read
// only for what a View reads to filter a round or a sheet: people, rounds,
// sheets, dialogues and users.
func SeenFrom(ctx context.Context, st Store, set Settings, kind string, before, after Object) (string, error) {
	if kind != KindSheet && kind != KindRound {
		return "", nil
	}
	for _, level := range set.Markings {
		v := NewView(st, set, Reader{Role: RoleViewer, Clearance: level})
		b, err := v.savedCopy(ctx, kind, before)
		if err != nil {
			return "", err
		}
		a, err := v.savedCopy(ctx, kind, after)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(a, b) {
			return level, nil
		}
	}
	return "", nil
}

// savedCopy is the reader's copy of a stored round or sheet as JSON, its
// version and times left out (every save moves them), or nil when it is
// hidden from the reader.
func (v *View) savedCopy(ctx context.Context, kind string, obj Object) ([]byte, error) {
	var out Object
	var ok bool
	var err error
	switch o := obj.(type) {
	case *Round:
		out, ok, err = v.round(ctx, o)
	case *Sheet:
		// Its round is the same before and after: whether the reader sees
		// the round is no part of what the save changed.
		var r *Round
		if r, err = v.storedRound(ctx, o.RoundID); ErrorCode(err) == ENOTFOUND {
			return nil, nil // a sheet of a round since deleted (in a migration): no copy to compare
		} else if err != nil {
			return nil, err
		}
		out, ok, err = v.sheetIn(ctx, o, r)
	default:
		return nil, fmt.Errorf("who sees a save of %s: not a round or a sheet", kind)
	}
	if err != nil || !ok {
		return nil, err
	}
	m := *out.GetMeta()
	*out.GetMeta() = Meta{ID: m.ID}
	raw, err := json.Marshal(out)
	*out.GetMeta() = m
	if err != nil {
		return nil, fmt.Errorf("who sees a save of %s %s: %w", kind, m.ID, err)
	}
	return raw, nil
}

// SeesSave reports whether the reader sees a save that was seen from
// clearance seen (SeenFrom): "" is seen by whoever sees the object.
func (v *View) SeesSave(seen string) bool { return seen == "" || v.Allows(seen) }

// AsLastSeen gives the reader's copy of a round or a topic sheet, m its
// Meta, the time and the author of the last save up to its version that
// the reader sees (SeesSave). A save that changed only what is above them
// is left out of their list of versions and of the audit log; its author
// and time, left on their copy, named who had changed what they cannot
// see, and when. None seen (a history that does not say), the copy names
// no author and the time it was made.
func (v *View) AsLastSeen(ctx context.Context, kind string, m *Meta) error {
	if v.Allows(v.set.Top()) {
		return nil // cleared for the top of the scheme: every save is seen
	}
	const step = 16 // headers read at once, newest first; the last seen is seldom far
	for hi := m.Version; hi > 0; hi -= step {
		lo := max(hi-step, 0)
		recs, _, err := v.st.VersionHeaders(ctx, kind, m.ID, Page{After: strconv.Itoa(lo), Limit: hi - lo})
		if ErrorCode(err) == ENOTFOUND {
			break
		} else if err != nil {
			return err
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if rec := recs[i]; rec.Version <= m.Version && !rec.Deleted && v.SeesSave(rec.Seen) {
				m.UpdatedAt, m.UpdatedBy = rec.At, rec.By
				return nil
			}
		}
	}
	m.UpdatedAt, m.UpdatedBy = m.CreatedAt, ""
	return nil
}
