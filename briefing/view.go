package briefing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// View is the store as one reader may see it: the clearance rule applied at
// the one place every read on a reader's behalf passes. What leaves a View is
// already what the reader may see, every field of it, references included:
//
//   - an object marked above the reader (a person, a round, an action, a
//     snapshot) is ENOTFOUND, exactly as one that does not exist, and absent
//     from lists;
//   - a topic sheet loses the paragraphs above the reader, and the sections
//     whose every paragraph is above them (a heading is content too); a sheet
//     none of whose paragraphs they may see is ENOTFOUND, as is one whose
//     round they may not see;
//   - a round loses the co-chairs, delegates and agenda items that refer to
//     people or sheets the reader may not see, and an agenda item linked to
//     a sheet shows the sheet's own title;
//   - an action whose round is hidden loses that reference, and a sheet
//     whose predecessor is hidden loses it, its paragraphs their links to
//     that sheet's (so it is as a sheet never rolled forward); a paragraph
//     keeps its link only to a paragraph the reader sees in the
//     predecessor as it is stored now (not one above them, nor one gone);
//   - past versions pass through the same rules as the object they record,
//     and the audit log lists only what the reader could see; a save that
//     changed nothing they see is absent from both (SeenFrom).
//
// A View serves one request: it caches what it reads and is not safe for
// concurrent use. Writes do not go through it; a writer's references are
// checked against it, so a hidden object is answered as a missing one.
type View struct {
	st     Store
	set    Settings
	reader Reader
	level  string // the clearance applied: the reader's, or a lower ceiling

	dialogues map[string]*Dialogue
	rounds    map[string]*Round // stored rounds, unfiltered
	people    map[string]*Person
	sheets    map[string]*Sheet // reader's copies; nil for hidden or missing
	// shown holds the ids of the paragraphs the reader sees in a sheet as
	// stored, by sheet id; nil for a sheet hidden or missing. A sheet's
	// predecessor is read once for the links of all its paragraphs, and
	// of every version of it.
	shown  map[string]map[string]bool
	raised map[string][]Raise // every raise of a sheet's paragraphs, by sheet id (raisedOf)
	names  map[string]string  // user id → name
}

// NewView returns the store as reader may see it.
func NewView(st Store, set Settings, reader Reader) *View {
	return &View{st: st, set: set, reader: reader, level: reader.Clearance,
		dialogues: map[string]*Dialogue{}, rounds: map[string]*Round{}, people: map[string]*Person{}, sheets: map[string]*Sheet{},
		shown: map[string]map[string]bool{}, raised: map[string][]Raise{}, names: map[string]string{}}
}

// Reader returns who the view is for.
func (v *View) Reader() Reader { return v.reader }

// Settings returns the database's settings.
func (v *View) Settings() Settings { return v.set }

// Clearance returns the level the view applies: the reader's clearance, or
// the lower ceiling it was made with.
func (v *View) Clearance() string { return v.level }

// Allows reports whether the view may show content bearing marking.
func (v *View) Allows(marking string) bool { return v.set.Allows(v.level, marking) }

// Ceiling returns a view of the same reader limited to ceiling: "" keeps the
// reader's clearance, a ceiling above it is lowered to it, and a marking not
// of the scheme is EINVALID.
func (v *View) Ceiling(ceiling string) (*View, error) {
	if ceiling == "" {
		return v, nil
	}
	if _, ok := v.set.Level(ceiling); !ok {
		return nil, &Error{Code: EINVALID, Message: "unknown ceiling " + quote(ceiling),
			Fields: map[string]string{"ceiling": "must be a marking of the scheme"}}
	}
	if !v.set.Allows(v.reader.Clearance, ceiling) {
		return v, nil
	}
	c := NewView(v.st, v.set, v.reader)
	c.level = ceiling
	return c, nil
}

// hidden is the error for an object above the reader: the same as for one
// that does not exist, so its existence is not disclosed either.
func hidden(kind, id string) error { return Errorf(ENOTFOUND, "%s %s not found", kind, id) }

// Agency returns an agency; agencies carry no marking.
func (v *View) Agency(ctx context.Context, id string) (*Agency, error) { return v.st.Agency(ctx, id) }

// Agencies lists agencies.
func (v *View) Agencies(ctx context.Context, p Page) ([]*Agency, string, error) {
	return v.st.Agencies(ctx, p)
}

// Dialogue returns a dialogue; dialogues carry no marking.
func (v *View) Dialogue(ctx context.Context, id string) (*Dialogue, error) {
	if d, ok := v.dialogues[id]; ok {
		return d, nil
	}
	d, err := v.st.Dialogue(ctx, id)
	if err != nil {
		return nil, err
	}
	v.dialogues[id] = d
	return d, nil
}

// Dialogues lists dialogues.
func (v *View) Dialogues(ctx context.Context, p Page) ([]*Dialogue, string, error) {
	return v.st.Dialogues(ctx, p)
}

// Person returns a person the reader may see, or ENOTFOUND.
func (v *View) Person(ctx context.Context, id string) (*Person, error) {
	p, err := v.storedPerson(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.Allows(p.Marking) {
		return nil, hidden(KindPerson, id)
	}
	return p, nil
}

func (v *View) storedPerson(ctx context.Context, id string) (*Person, error) {
	if p, ok := v.people[id]; ok {
		return p, nil
	}
	p, err := v.st.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	v.people[id] = p
	return p, nil
}

// People lists the people the reader may see.
func (v *View) People(ctx context.Context, p Page) ([]*Person, string, error) {
	return filterPage(p, func(p Page) ([]*Person, string, error) { return v.st.People(ctx, p) },
		func(pe *Person) (*Person, bool, error) { return pe, v.Allows(pe.Marking), nil })
}

// Round returns the reader's copy of a round, or ENOTFOUND.
func (v *View) Round(ctx context.Context, id string) (*Round, error) {
	r, err := v.st.Round(ctx, id) // read afresh: the request may have just written it
	if err != nil {
		return nil, err
	}
	v.rounds[id] = r
	out, ok, err := v.round(ctx, r)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, hidden(KindRound, id)
	}
	return out, nil
}

func (v *View) storedRound(ctx context.Context, id string) (*Round, error) {
	if r, ok := v.rounds[id]; ok {
		return r, nil
	}
	r, err := v.st.Round(ctx, id)
	if err != nil {
		return nil, err
	}
	v.rounds[id] = r
	return r, nil
}

// Rounds lists the reader's copies of a dialogue's rounds.
func (v *View) Rounds(ctx context.Context, dialogueID string, p Page) ([]*Round, string, error) {
	return filterPage(p, func(p Page) ([]*Round, string, error) { return v.st.Rounds(ctx, dialogueID, p) },
		func(r *Round) (*Round, bool, error) {
			v.rounds[r.ID] = r
			return v.round(ctx, r)
		})
}

// SeesRound reports whether the reader may see a stored round at all.
func (v *View) SeesRound(r *Round) bool { return v.Allows(r.Marking) }

// FilterRound returns the reader's copy of a round read from the store, or
// false when it is hidden from them.
func (v *View) FilterRound(ctx context.Context, r *Round) (*Round, bool, error) {
	return v.round(ctx, r)
}

// round filters a stored round for the reader.
func (v *View) round(ctx context.Context, r *Round) (*Round, bool, error) {
	if !v.SeesRound(r) {
		return nil, false, nil
	}
	c := *r
	var err error
	if c.CoChairs, err = v.participants(ctx, r.CoChairs); err != nil {
		return nil, false, err
	}
	if c.Delegation, err = v.participants(ctx, r.Delegation); err != nil {
		return nil, false, err
	}
	if c.ParticipatingAgencies == nil {
		c.ParticipatingAgencies = []AgencySide{}
	}
	c.Agenda = []AgendaItem{}
	for _, a := range r.Agenda {
		if a.SheetID != "" {
			sh, err := v.sheetOf(ctx, a.SheetID)
			if err != nil {
				return nil, false, err
			}
			if sh == nil || sh.RoundID != r.ID {
				continue // a sheet above the reader, or gone: the item is absent with it
			}
			a.Title = sh.Title
		}
		if a.LeadPersonID != "" {
			if ok, err := v.Sees(ctx, KindPerson, a.LeadPersonID); err != nil {
				return nil, false, err
			} else if !ok {
				a.LeadPersonID = "" // a lead above the reader is absent, as in the delegation
			}
		}
		c.Agenda = append(c.Agenda, a)
	}
	return &c, true, nil
}

// participants keeps the participants whose person the reader may see.
func (v *View) participants(ctx context.Context, ps []Participant) ([]Participant, error) {
	out := []Participant{}
	for _, p := range ps {
		ok, err := v.Sees(ctx, KindPerson, p.PersonID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// Sees reports whether the reader may see the object of kind and id: false,
// with no error, for one above them or one that does not exist.
func (v *View) Sees(ctx context.Context, kind, id string) (bool, error) {
	var err error
	switch kind {
	case KindPerson:
		_, err = v.Person(ctx, id)
	case KindRound:
		_, err = v.Round(ctx, id)
	case KindSheet:
		_, err = v.Sheet(ctx, id)
	case KindAction:
		_, err = v.Action(ctx, id)
	case KindSnapshot:
		_, err = v.Snapshot(ctx, id)
	case KindComment:
		_, err = v.Comment(ctx, id)
	case KindRelease:
		_, err = v.Release(ctx, id)
	case KindAgency:
		_, err = v.Agency(ctx, id)
	case KindDialogue:
		_, err = v.Dialogue(ctx, id)
	default:
		return false, nil
	}
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// Sheet returns the reader's copy of a topic sheet, with default headings
// filled, or ENOTFOUND.
func (v *View) Sheet(ctx context.Context, id string) (*Sheet, error) {
	delete(v.sheets, id) // read afresh: the request may have just written it
	delete(v.shown, id)
	sh, err := v.sheetOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if sh == nil {
		return nil, hidden(KindSheet, id)
	}
	return sh.Clone(), nil
}

// sheetOf returns the cached reader's copy of a sheet, nil when it is hidden or missing.
func (v *View) sheetOf(ctx context.Context, id string) (*Sheet, error) {
	if sh, ok := v.sheets[id]; ok {
		return sh, nil
	}
	stored, err := v.st.Sheet(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		v.sheets[id] = nil
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	out, ok, err := v.VisibleSheet(ctx, stored)
	if err != nil {
		return nil, err
	}
	if !ok {
		out = nil
	}
	v.sheets[id] = out
	return out, nil
}

// VisibleSheet filters a stored sheet — the current one or a past version —
// for the reader: false when it is hidden from them, whole or by its round.
func (v *View) VisibleSheet(ctx context.Context, sh *Sheet) (*Sheet, bool, error) {
	r, err := v.storedRound(ctx, sh.RoundID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if !v.SeesRound(r) {
		return nil, false, nil
	}
	return v.sheetIn(ctx, sh, r)
}

// sheetIn filters a stored sheet of round r for the reader, whether or not
// they see r: false when they see none of its paragraphs.
func (v *View) sheetIn(ctx context.Context, sh *Sheet, r *Round) (*Sheet, bool, error) {
	out, ok := v.set.VisibleSheet(v.level, sh)
	if !ok {
		return nil, false, nil
	}
	// A predecessor hidden from the reader is absent; so is a paragraph's
	// link to one they do not see in it as it is now (above them, or gone
	// since), whatever this copy is of: the sheet now or a version of it.
	var shown map[string]bool
	if out.PredecessorID != "" {
		var err error
		if shown, err = v.shownParagraphs(ctx, out.PredecessorID); err != nil {
			return nil, false, err
		}
		if shown == nil {
			out.PredecessorID = ""
		}
	}
	for i := range out.Sections {
		for j := range out.Sections[i].Paragraphs {
			if p := &out.Sections[i].Paragraphs[j]; !shown[p.OriginID] {
				p.OriginID = ""
			}
		}
	}
	d, err := v.Dialogue(ctx, r.DialogueID)
	if err != nil {
		return nil, false, err
	}
	out.Headings(d.Home, d.Partner)
	if out.OwnerID != "" {
		name, err := v.userName(ctx, out.OwnerID)
		if err != nil {
			return nil, false, err
		}
		if name != "" {
			out.Owner = name
		}
	}
	return out, true, nil
}

// shownParagraphs returns the ids of the paragraphs the reader sees in the
// sheet of id as it is stored now, read once a request: nil for a sheet
// hidden from them, whole or by its round, or one that does not exist.
func (v *View) shownParagraphs(ctx context.Context, id string) (map[string]bool, error) {
	if ids, ok := v.shown[id]; ok {
		return ids, nil
	}
	sh, cached := v.sheets[id] // the reader's copy, if this request made it
	if !cached {
		stored, err := v.st.Sheet(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			v.shown[id] = nil
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		r, err := v.storedRound(ctx, stored.RoundID)
		if ErrorCode(err) == ENOTFOUND {
			v.shown[id] = nil
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if v.SeesRound(r) && v.set.SeesSheet(v.level, stored) {
			sh = stored
		}
	}
	var ids map[string]bool
	if sh != nil {
		ids = map[string]bool{}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				if v.Allows(p.Marking) {
					ids[p.ID] = true
				}
			}
		}
	}
	v.shown[id] = ids
	return ids, nil
}

// userName returns a user's name as it is now, "" for one that is gone.
func (v *View) userName(ctx context.Context, id string) (string, error) {
	if n, ok := v.names[id]; ok {
		return n, nil
	}
	u, err := v.st.User(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		v.names[id] = ""
		return "", nil
	} else if err != nil {
		return "", err
	}
	v.names[id] = u.Name
	return u.Name, nil
}

// Sheets lists the reader's copies of a round's sheets: ENOTFOUND for a round
// they may not see.
func (v *View) Sheets(ctx context.Context, roundID string, p Page) ([]*Sheet, string, error) {
	if _, err := v.Round(ctx, roundID); err != nil {
		return nil, "", err
	}
	list := v.st.Sheets
	if ro, ok := v.st.(ReadOnlySheets); ok {
		list = ro.SheetsReadOnly // VisibleSheet copies what it keeps, and changes nothing it is given
	}
	return filterPage(p, func(p Page) ([]*Sheet, string, error) { return list(ctx, roundID, p) },
		func(sh *Sheet) (*Sheet, bool, error) {
			// The reader's copy is their own: not kept in the view, so not
			// copied again (a pack lists every sheet of a round).
			return v.VisibleSheet(ctx, sh)
		})
}

// ActionMarking is an action's marking: its own, or by default that of the
// round it was raised in (the lowest of the scheme when it names none).
func (v *View) ActionMarking(ctx context.Context, a *Action) (string, error) {
	if a.Marking != "" {
		return a.Marking, nil
	}
	if a.RaisedInRoundID == "" {
		return v.set.Lowest(), nil
	}
	r, err := v.storedRound(ctx, a.RaisedInRoundID)
	if ErrorCode(err) == ENOTFOUND {
		return v.set.Lowest(), nil
	} else if err != nil {
		return "", err
	}
	return r.Marking, nil
}

// FilterAction returns the reader's copy of an action read from the store,
// or false when it is hidden from them.
func (v *View) FilterAction(ctx context.Context, a *Action) (*Action, bool, error) {
	return v.action(ctx, a)
}

// action filters an action for the reader.
func (v *View) action(ctx context.Context, a *Action) (*Action, bool, error) {
	m, err := v.ActionMarking(ctx, a)
	if err != nil {
		return nil, false, err
	}
	if !v.Allows(m) {
		return nil, false, nil
	}
	c := *a
	c.Marking = m
	if c.RaisedInRoundID != "" {
		if ok, err := v.Sees(ctx, KindRound, c.RaisedInRoundID); err != nil {
			return nil, false, err
		} else if !ok {
			c.RaisedInRoundID = ""
		}
	}
	return &c, true, nil
}

// Action returns an action the reader may see, or ENOTFOUND.
func (v *View) Action(ctx context.Context, id string) (*Action, error) {
	a, err := v.st.Action(ctx, id)
	if err != nil {
		return nil, err
	}
	out, ok, err := v.action(ctx, a)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, hidden(KindAction, id)
	}
	return out, nil
}

// Actions lists a dialogue's actions the reader may see.
func (v *View) Actions(ctx context.Context, dialogueID string, p Page) ([]*Action, string, error) {
	return filterPage(p, func(p Page) ([]*Action, string, error) { return v.st.Actions(ctx, dialogueID, p) },
		func(a *Action) (*Action, bool, error) { return v.action(ctx, a) })
}

// seesSnapshot reports whether the reader may see a frozen pack: its round
// and everything it holds.
func (v *View) seesSnapshot(ctx context.Context, sn *Snapshot) (bool, error) {
	if !v.Allows(sn.Marking) || sn.Raised != "" && !v.Allows(sn.Raised) {
		return false, nil
	}
	return v.Sees(ctx, KindRound, sn.RoundID)
}

// Snapshot returns a frozen pack the reader may see, or ENOTFOUND.
func (v *View) Snapshot(ctx context.Context, id string) (*Snapshot, error) {
	sn, err := v.st.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := v.seesSnapshot(ctx, sn); err != nil {
		return nil, err
	} else if !ok {
		return nil, hidden(KindSnapshot, id)
	}
	return sn, nil
}

// SnapshotFile returns the bytes of one file of a frozen pack the reader may see.
func (v *View) SnapshotFile(ctx context.Context, id, file string) ([]byte, error) {
	if _, err := v.Snapshot(ctx, id); err != nil {
		return nil, err
	}
	return v.st.SnapshotFile(ctx, id, file)
}

// Snapshots lists a round's frozen packs the reader may see.
func (v *View) Snapshots(ctx context.Context, roundID string, p Page) ([]*Snapshot, string, error) {
	if _, err := v.Round(ctx, roundID); err != nil {
		return nil, "", err
	}
	return filterPage(p, func(p Page) ([]*Snapshot, string, error) { return v.st.Snapshots(ctx, roundID, p) },
		func(sn *Snapshot) (*Snapshot, bool, error) {
			ok, err := v.seesSnapshot(ctx, sn)
			return sn, ok, err
		})
}

// comment filters a review comment for the reader: visible when its marking
// is within their clearance and its paragraph is in their copy of the sheet
// (or no longer in the sheet at all).
func (v *View) comment(ctx context.Context, c *Comment) (bool, error) {
	if !v.Allows(c.Marking) {
		return false, nil
	}
	sh, err := v.sheetOf(ctx, c.SheetID)
	if err != nil || sh == nil {
		return false, err
	}
	if !ParagraphIDs(sh)[c.ParagraphID] {
		stored, err := v.st.Sheet(ctx, c.SheetID)
		if err != nil {
			return false, err
		}
		if ParagraphIDs(stored)[c.ParagraphID] {
			return false, nil // on a paragraph above the reader
		}
		// On a paragraph deleted since.
	}
	// Shown, unless its paragraph was raised above the reader after it was
	// made: it may quote the words as they were, which a past version shows
	// them no more, whether the paragraph was lowered again or deleted.
	rs, err := v.raisedOf(ctx, c.SheetID)
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if r.Paragraph == c.ParagraphID && r.At.After(c.CreatedAt) && !v.Allows(r.Marking) {
			return false, nil
		}
	}
	return true, nil
}

// raisedOf returns every raise of a sheet's paragraphs, read once a view:
// the first version's header carries them all.
func (v *View) raisedOf(ctx context.Context, sheetID string) ([]Raise, error) {
	if rs, ok := v.raised[sheetID]; ok {
		return rs, nil
	}
	recs, _, err := v.st.VersionHeaders(ctx, KindSheet, sheetID, Page{Limit: 1})
	if ErrorCode(err) == ENOTFOUND {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	var rs []Raise
	if len(recs) > 0 {
		rs = recs[0].Raised
	}
	v.raised[sheetID] = rs
	return rs, nil
}

// Comment returns a review comment the reader may see, or ENOTFOUND.
func (v *View) Comment(ctx context.Context, id string) (*Comment, error) {
	c, err := v.st.Comment(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := v.comment(ctx, c); err != nil {
		return nil, err
	} else if !ok {
		return nil, hidden(KindComment, id)
	}
	return c, nil
}

// Comments lists the comments on a sheet the reader may see: ENOTFOUND for a
// sheet they may not see.
func (v *View) Comments(ctx context.Context, sheetID string, p Page) ([]*Comment, string, error) {
	if _, err := v.Sheet(ctx, sheetID); err != nil {
		return nil, "", err
	}
	return filterPage(p, func(p Page) ([]*Comment, string, error) { return v.st.Comments(ctx, sheetID, p) },
		func(c *Comment) (*Comment, bool, error) {
			ok, err := v.comment(ctx, c)
			return c, ok, err
		})
}

// SheetVersion is one saved version of a topic sheet as the reader may
// see it in a list of versions: its title and the marking of what they see.
type SheetVersion struct {
	Version int
	Record  VersionRecord // without Data
	Title   string
	Marking string
	// Whole is whether the reader is cleared for every paragraph of the
	// version, as a restore needs: read from its summary, as Marking is.
	Whole bool
}

// SheetVersions lists a page of a sheet's saved versions as the reader may
// see them, oldest first, and the next page's cursor; a version they may
// not see at all, or a save that changed nothing they see (SeenFrom), is
// left out (so a page may hold fewer than asked). It
// reads each version's header, never its text. ENOTFOUND for a sheet they
// may not see now.
func (v *View) SheetVersions(ctx context.Context, id string, p Page) ([]SheetVersion, string, error) {
	// The sheet now: its round, which no version changes, must be visible too.
	if _, err := v.Sheet(ctx, id); err != nil {
		return nil, "", err
	}
	recs, next, err := v.st.VersionHeaders(ctx, KindSheet, id, p)
	if err != nil {
		return nil, "", err
	}
	// The last save that raised a paragraph above the reader from a
	// marking they were cleared for: a version before it may hold the
	// paragraph, and is not theirs whole. A raise of a paragraph already
	// above them (SECRET to TOP SECRET, for a RESTRICTED reader) takes
	// nothing from them; counted, it told them of it, on versions that never
	// held the paragraph. What it was raised from is in the version before
	// the raise: one read for each save that raised above the reader, not
	// one for each version. Each record's raises are those after it, a tail of the
	// first record's.
	deniedAt := 0
	if len(recs) > 0 {
		before := map[int]map[string]string{} // version → its paragraphs' markings, read once
		for _, r := range recs[0].Raised {
			if v.Allows(r.Marking) || r.Version <= deniedAt {
				continue
			}
			marks, ok := before[r.Version-1]
			if !ok {
				var err error
				if marks, err = v.markingsAt(ctx, id, r.Version-1); err != nil {
					return nil, "", err
				}
				before[r.Version-1] = marks
			}
			if was := marks[r.Paragraph]; was != "" && !v.Allows(was) {
				continue
			}
			deniedAt = r.Version
		}
	}
	out := make([]SheetVersion, 0, len(recs))
	for _, rec := range recs {
		if rec.Deleted || !v.SeesSave(rec.Seen) {
			continue // a save that changed nothing the reader sees is left out
		}
		marking, ok := v.set.VisibleVersion(v.level, rec.Summary)
		if !ok {
			continue
		}
		whole := true
		for _, m := range rec.Summary.Markings {
			whole = whole && v.Allows(m)
		}
		whole = whole && rec.Version >= deniedAt
		out = append(out, SheetVersion{Version: rec.Version, Record: rec, Title: rec.Summary.Title, Marking: marking, Whole: whole})
	}
	return out, next, nil
}

// markingsAt is the marking of each paragraph of version of sheet id, or
// none when that version cannot be read (then a raise after it is taken to
// have raised its paragraph from a marking the reader was cleared for).
func (v *View) markingsAt(ctx context.Context, id string, version int) (map[string]string, error) {
	rec, err := v.st.Version(ctx, KindSheet, id, version)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var sh Sheet
	if rec.Deleted || json.Unmarshal(rec.Data, &sh) != nil {
		return nil, nil
	}
	return ParagraphMarkings(&sh), nil
}

// SheetVersionOf returns the reader's copy of one saved version of a sheet
// to be shown, or ENOTFOUND. A paragraph whose marking a later save raised
// is judged by the highest it was raised to as well as its own: raising a
// marking says the words were marked too low, and a reader not cleared
// for the new marking reads them in no version. It reads only that version
// (and the sheet's raises).
func (v *View) SheetVersionOf(ctx context.Context, id string, version int) (*Sheet, error) {
	return v.sheetVersion(ctx, id, version, true)
}

// SheetVersionAsSeen is SheetVersionOf with each paragraph judged by its
// marking in that version alone: the version as the reader saw it then,
// which a merge or a working copy typed against it is read against. It is
// never shown: what they typed was typed on what they saw.
func (v *View) SheetVersionAsSeen(ctx context.Context, id string, version int) (*Sheet, error) {
	return v.sheetVersion(ctx, id, version, false)
}

func (v *View) sheetVersion(ctx context.Context, id string, version int, raised bool) (*Sheet, error) {
	// The sheet as this request read it, if it did: a diff asks for two versions.
	if sh, err := v.sheetOf(ctx, id); err != nil {
		return nil, err
	} else if sh == nil {
		return nil, hidden(KindSheet, id)
	}
	missing := Errorf(ENOTFOUND, "sheet %s has no version %d", id, version)
	rec, err := v.st.Version(ctx, KindSheet, id, version)
	if ErrorCode(err) == ENOTFOUND || (err == nil && rec.Deleted) {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	var sh Sheet
	if err := json.Unmarshal(rec.Data, &sh); err != nil {
		return nil, fmt.Errorf("history of sheet %s version %d: %w", id, version, err)
	}
	var was map[string]string // the marking of each paragraph judged higher
	if raised && len(rec.Raised) > 0 {
		if err := v.reviewsAsNow(ctx, id, &sh, rec.Raised); err != nil {
			return nil, err
		}
		was = v.set.JudgeRaised(&sh, rec.Raised)
	}
	vis, ok, err := v.VisibleSheet(ctx, &sh)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, missing
	}
	if len(was) > 0 {
		// What the reader is shown is the version as it was, markings too.
		for i := range vis.Sections {
			for j, p := range vis.Sections[i].Paragraphs {
				if m, ok := was[p.ID]; ok {
					vis.Sections[i].Paragraphs[j].Marking = m
				}
			}
		}
		vis.Marking = v.set.SheetMarking(vis)
	}
	return vis, nil
}

// reviewsAsNow marks each review of a past version of sheet id, whose
// paragraphs a later save raised (rs), as the same review is marked on the
// sheet now: it may quote the words raised since, and each raise judged it
// by what it may quote (RaiseReviews at the raise). One the sheet holds no
// more (none should be: reviews are kept by every save) is taken to quote
// them all, and given the highest marking rs raised to.
func (v *View) reviewsAsNow(ctx context.Context, id string, sh *Sheet, rs []Raise) error {
	if len(sh.Reviews) == 0 {
		return nil
	}
	now, err := v.st.Sheet(ctx, id)
	if err != nil {
		return err
	}
	marked := map[string]string{}
	for _, r := range now.Reviews {
		marked[r.Key()] = r.Marking
	}
	top := ""
	for _, r := range rs {
		top = v.set.Highest(top, r.Marking)
	}
	for i, r := range sh.Reviews {
		if r.Marking == "" {
			continue // taken for the top already (VisibleSheet)
		}
		m, ok := marked[r.Key()]
		switch {
		case !ok:
			sh.Reviews[i].Marking = v.set.Highest(r.Marking, top)
		case m == "":
			sh.Reviews[i].Marking = "" // marked now as the top
		default:
			sh.Reviews[i].Marking = v.set.Highest(r.Marking, m)
		}
	}
	return nil
}

// JudgeRaised gives each paragraph of sh that a later save raised (rs)
// the highest marking it was raised to, and returns the markings it had.
func (s Settings) JudgeRaised(sh *Sheet, rs []Raise) map[string]string {
	top := map[string]string{}
	for _, r := range rs {
		top[r.Paragraph] = s.Highest(top[r.Paragraph], r.Marking)
	}
	was := map[string]string{}
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			p := &sh.Sections[i].Paragraphs[j]
			if m, ok := top[p.ID]; ok && s.Highest(p.Marking, m) != p.Marking {
				was[p.ID], p.Marking = p.Marking, m
			}
		}
	}
	return was
}

// RoundVersion is one saved version of a round as the reader may see it.
type RoundVersion struct {
	Version int
	Record  VersionRecord // without Data
	Round   *Round
}

// RoundVersions lists the reader's copies of a round's saved versions, oldest
// first, each filtered like the round now (people and agenda items
// included), leaving out a save that changed nothing they see (SeenFrom).
func (v *View) RoundVersions(ctx context.Context, id string) ([]RoundVersion, error) {
	if _, err := v.Round(ctx, id); err != nil {
		return nil, err
	}
	recs, err := v.st.Versions(ctx, KindRound, id)
	if err != nil {
		return nil, err
	}
	var out []RoundVersion
	for _, rec := range recs {
		if rec.Deleted || !v.SeesSave(rec.Seen) {
			continue
		}
		var r Round
		if err := json.Unmarshal(rec.Data, &r); err != nil {
			return nil, fmt.Errorf("history of round %s version %d: %w", id, rec.Version, err)
		}
		vis, ok, err := v.round(ctx, &r)
		if err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		rec.Data = nil
		out = append(out, RoundVersion{Version: rec.Version, Record: rec, Round: vis})
	}
	return out, nil
}

// Audit lists the audit records of objects the reader may see, newest first.
// A record is shown when the reader may see the object as it was at that
// change (for a deletion, as it was before it) and what the change did to
// it (SeenFrom); records of users are for admins only.
func (v *View) Audit(ctx context.Context, p Page) ([]*AuditRecord, string, error) {
	seen := map[string]bool{}
	return filterPage(p, func(p Page) ([]*AuditRecord, string, error) { return v.st.Audit(ctx, p) },
		func(a *AuditRecord) (*AuditRecord, bool, error) {
			key := fmt.Sprintf("%s/%s/%d/%d", a.Kind, a.ObjectID, a.FromVersion, a.ToVersion)
			if ok, done := seen[key]; done {
				return a, ok, nil
			}
			ok, err := v.seesChange(ctx, a)
			seen[key] = ok
			return a, ok, err
		})
}

// seesChange reports whether the reader may see the object an audit record
// names, and what the change did to it.
func (v *View) seesChange(ctx context.Context, a *AuditRecord) (bool, error) {
	if !v.SeesSave(a.Seen) {
		return false, nil
	}
	switch a.Kind {
	case KindAgency, KindDialogue:
		return true, nil
	case KindUser:
		return v.reader.Role.AtLeast(RoleAdmin), nil
	}
	// The object now: hidden now is hidden in the log too.
	if ok, err := v.Sees(ctx, a.Kind, a.ObjectID); err != nil || !ok {
		if ok, err2 := v.existsStored(ctx, a.Kind, a.ObjectID); err2 != nil || ok {
			return false, err2 // it exists and is hidden: the record is hidden
		}
	}
	// The object as that change left it, or, for a deletion, as it was before.
	version := a.ToVersion
	if version == 0 {
		version = a.FromVersion
	}
	if version < 1 {
		return false, nil
	}
	rec, err := v.st.Version(ctx, a.Kind, a.ObjectID, version)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if rec.Deleted {
		return false, nil
	}
	return v.seesRecord(ctx, a.Kind, rec.Data)
}

// existsStored reports whether an object is stored at all.
func (v *View) existsStored(ctx context.Context, kind, id string) (bool, error) {
	var err error
	switch kind {
	case KindPerson:
		_, err = v.st.Person(ctx, id)
	case KindRound:
		_, err = v.st.Round(ctx, id)
	case KindSheet:
		_, err = v.st.Sheet(ctx, id)
	case KindAction:
		_, err = v.st.Action(ctx, id)
	case KindSnapshot:
		_, err = v.st.Snapshot(ctx, id)
	case KindComment:
		_, err = v.st.Comment(ctx, id)
	case KindRelease:
		_, err = v.st.Release(ctx, id)
	default:
		return false, nil
	}
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// seesRecord reports whether the reader may see an object as saved in history.
func (v *View) seesRecord(ctx context.Context, kind string, data []byte) (bool, error) {
	decode := func(obj any) error {
		if err := json.Unmarshal(data, obj); err != nil {
			return fmt.Errorf("history of %s: %w", kind, err)
		}
		return nil
	}
	switch kind {
	case KindPerson:
		var p Person
		if err := decode(&p); err != nil {
			return false, err
		}
		return v.Allows(p.Marking), nil
	case KindRound:
		var r Round
		if err := decode(&r); err != nil {
			return false, err
		}
		return v.SeesRound(&r), nil
	case KindSheet:
		var sh Sheet
		if err := decode(&sh); err != nil {
			return false, err
		}
		_, ok, err := v.VisibleSheet(ctx, &sh)
		return ok, err
	case KindAction:
		var a Action
		if err := decode(&a); err != nil {
			return false, err
		}
		_, ok, err := v.action(ctx, &a)
		return ok, err
	case KindSnapshot:
		var sn Snapshot
		if err := decode(&sn); err != nil {
			return false, err
		}
		return v.seesSnapshot(ctx, &sn)
	case KindComment:
		var c Comment
		if err := decode(&c); err != nil {
			return false, err
		}
		if !v.Allows(c.Marking) {
			return false, nil
		}
		return v.Sees(ctx, KindSheet, c.SheetID)
	case KindRelease:
		// A release is its round's whole content, as it was when made: seen
		// by who sees all of it, cleared to what it held.
		var rel Release
		if err := decode(&rel); err != nil {
			return false, err
		}
		if !v.seesRelease(&rel) {
			return false, nil
		}
		return v.seesWholeRound(ctx, rel.RoundID)
	}
	return false, nil
}

// filterPage reads pages of a list, keeping what keep allows, until a page of
// p.Limit kept items is full; the cursor is the id of the last item kept, so
// the next page goes on after it.
func filterPage[T any](p Page, fetch func(Page) ([]T, string, error), keep func(T) (T, bool, error)) ([]T, string, error) {
	if p.Limit <= 0 {
		p.Limit = 100
	}
	var out []T
	var last T // the last item kept, whose cursor is the next page's
	after := p.After
	for {
		items, next, err := fetch(Page{After: after, Limit: p.Limit})
		if err != nil {
			return nil, "", err
		}
		for _, it := range items {
			kept, ok, err := keep(it)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
			if len(out) == p.Limit {
				// There is more the reader may see. Only then: a cursor to
				// a page of nothing would tell them there is more they may
				// not.
				return out, cursorOf(last), nil
			}
			out = append(out, kept)
			last = it
		}
		if next == "" {
			return out, "", nil
		}
		after = next
	}
}

// cursorOf is the list cursor after an item: its id, or its sequence for an
// audit record.
func cursorOf(it any) string {
	switch x := it.(type) {
	case Object:
		return x.GetMeta().ID
	case *AuditRecord:
		return x.Cursor
	}
	return ""
}

// Whole returns a view of everything: the reader given the scheme's highest
// clearance. It is for checks that compare what a reader sees with what
// there is (see ReleaseEdition), and for the command line's exports; what it
// reads is never answered to a reader below that clearance.
func (v *View) Whole() *View {
	r := v.reader
	r.Clearance = v.set.Top()
	return NewView(v.st, v.set, r)
}

// seesWholeRound reports whether the reader sees everything a round's pack
// holds, as a release needs.
func (v *View) seesWholeRound(ctx context.Context, roundID string) (bool, error) {
	pack, err := Assemble(ctx, NewView(v.st, v.set, v.reader), roundID, time.Time{})
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return SeesWholeRound(ctx, v, pack)
}

// Release returns a response to a request the reader may see. Until it is
// published a release holds what it releases of the whole round, whatever
// its marking, so only a reader who sees the whole round may see it: to
// anyone else it is ENOTFOUND.
func (v *View) Release(ctx context.Context, id string) (*Release, error) {
	rel, err := v.st.Release(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := v.seesWholeRound(ctx, rel.RoundID); err != nil {
		return nil, err
	} else if !ok || !v.seesRelease(rel) {
		return nil, hidden(KindRelease, id)
	}
	return rel, nil
}

// seesRelease reports whether the reader is cleared to what a release held
// when it was made (see Release.Marking): a round may hold less since, and
// its reader see all of it.
func (v *View) seesRelease(rel *Release) bool {
	return rel.Marking == "" || v.Allows(rel.Marking)
}

// ReleaseFile returns the stored bytes of a release the reader may see.
func (v *View) ReleaseFile(ctx context.Context, id, format string) ([]byte, error) {
	if _, err := v.Release(ctx, id); err != nil {
		return nil, err
	}
	return v.st.ReleaseFile(ctx, id, format)
}

// Releases lists a round's releases, for a reader who sees the whole round;
// for anyone else the list is empty.
func (v *View) Releases(ctx context.Context, roundID string, p Page) ([]*Release, string, error) {
	if _, err := v.Round(ctx, roundID); err != nil {
		return nil, "", err
	}
	if ok, err := v.seesWholeRound(ctx, roundID); err != nil || !ok {
		return nil, "", err
	}
	return filterPage(p, func(p Page) ([]*Release, string, error) { return v.st.Releases(ctx, roundID, p) },
		func(rel *Release) (*Release, bool, error) { return rel, v.seesRelease(rel), nil })
}
