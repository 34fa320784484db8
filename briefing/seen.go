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
	return metaFree(kind, out)
}

// metaFree is a reader's copy of a round or a sheet as JSON, its version
// and times left out (every save moves them).
func metaFree(kind string, out Object) ([]byte, error) {
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

// SeesSheetSave is SeesSave for a save of topic sheet id, rec its version
// record (a header will do): a save that changed only paragraphs a later
// save raised above the reader changed, to them, only what is above them
// (its Seen was decided before the raise), and they do not see it; nor a
// save of a version they see none of now. Only then are versions read:
// the one it wrote and the one before.
func (v *View) SeesSheetSave(ctx context.Context, id string, rec VersionRecord) (bool, error) {
	if rec.Deleted || !v.SeesSave(rec.Seen) {
		return false, nil
	}
	if !v.raisedAbove(rec.Raised) {
		return true, nil
	}
	shown, changed, err := v.raisedSave(ctx, id, rec)
	return shown != nil && changed, err
}

// raisedAbove reports whether one of rs raised a paragraph above the reader.
func (v *View) raisedAbove(rs []Raise) bool {
	for _, r := range rs {
		if !v.Allows(r.Marking) {
			return true
		}
	}
	return false
}

// raisedSave reads the save rec of topic sheet id, one of whose
// paragraphs a later save raised (rec.Raised): the reader's copy of the
// version it wrote, as they are shown it now (View.SheetVersionOf), nil
// when they see none of it; and whether the save changed that copy from
// the version before, judged by the same raises. Not by the raise a save
// made itself, nor by a later raise of a paragraph the save left above
// the reader: that save (or one before it) took it from them, which they
// saw as they saw it then, a paragraph gone.
func (v *View) raisedSave(ctx context.Context, id string, rec VersionRecord) (*Sheet, bool, error) {
	after, err := v.versionRecord(ctx, id, rec.Version)
	if err != nil || after == nil {
		return nil, false, err
	}
	var wrote Sheet
	if err := json.Unmarshal(after.Data, &wrote); err != nil {
		return nil, false, fmt.Errorf("history of sheet %s version %d: %w", id, rec.Version, err)
	}
	above := map[string]bool{}
	for _, sec := range wrote.Sections {
		for _, p := range sec.Paragraphs {
			if !v.Allows(p.Marking) {
				above[p.ID] = true
			}
		}
	}
	var rs []Raise // the raises that judge what the save changed
	for _, r := range rec.Raised {
		if !above[r.Paragraph] {
			rs = append(rs, r)
		}
	}
	reviews := v.set.HighestRaised(rec.Raised)
	shown, ok, err := v.versionCopy(ctx, id, *after, rs, reviews)
	if err != nil || !ok {
		return nil, false, err
	}
	before, err := v.versionRecord(ctx, id, rec.Version-1)
	if err != nil || before == nil {
		return shown, true, err // the first version, or one after a deletion
	}
	was, ok, err := v.versionCopy(ctx, id, *before, rs, reviews)
	if err != nil || !ok {
		return shown, true, err
	}
	a, err := metaFree(KindSheet, shown)
	if err != nil {
		return nil, false, err
	}
	b, err := metaFree(KindSheet, was)
	if err != nil {
		return nil, false, err
	}
	return shown, !bytes.Equal(a, b), nil
}

// versionRecord returns one stored version of a sheet, Data and all, nil
// for none (or a deletion). A list reads each version twice, as the one a
// save wrote and as the one before the next: the last few are kept.
func (v *View) versionRecord(ctx context.Context, id string, version int) (*VersionRecord, error) {
	if version < 1 {
		return nil, nil
	}
	key := id + "/" + strconv.Itoa(version)
	if rec, ok := v.versions[key]; ok {
		return rec, nil
	}
	rec, err := v.st.Version(ctx, KindSheet, id, version)
	var out *VersionRecord
	if err == nil && !rec.Deleted {
		out = &rec
	} else if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if len(v.versions) >= 4 {
		clear(v.versions)
	}
	v.versions[key] = out
	return out, nil
}

// AsLastSeen gives the reader's copy of a round or a topic sheet, m its
// Meta, the time and the author of the last save up to its version that
// the reader sees (SeesSave; for a topic sheet, SeesSheetSave). A save
// that changed only what is above them, or only what a raise has put
// above them since, is left out of their list of versions and of the
// audit log; its author and time, left on their copy, named who had
// changed what they cannot see, and when. None seen (a history that does
// not say), the copy names no author and the time it was made.
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
			rec := recs[i]
			if rec.Version > m.Version {
				continue
			}
			seen := !rec.Deleted && v.SeesSave(rec.Seen)
			if seen && kind == KindSheet {
				var err error
				if seen, err = v.SeesSheetSave(ctx, m.ID, rec); err != nil {
					return err
				}
			}
			if seen {
				m.UpdatedAt, m.UpdatedBy = rec.At, rec.By
				return nil
			}
		}
	}
	m.UpdatedAt, m.UpdatedBy = m.CreatedAt, ""
	return nil
}
