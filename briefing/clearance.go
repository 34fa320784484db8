package briefing

// Reader is who is reading: every read path filters what it returns through
// the reader's clearance, using Settings.Allows and the functions below.
type Reader struct {
	UserID    string
	Name      string
	Role      Role
	Clearance string
}

// Actor returns the reader as the author of a change.
func (r Reader) Actor() Actor { return Actor{UserID: r.UserID, Name: r.Name} }

// SeesPerson reports whether the reader may see the person at all.
func (s Settings) SeesPerson(clearance string, p *Person) bool { return s.Allows(clearance, p.Marking) }

// SeesRound reports whether the reader may see the round at all.
func (s Settings) SeesRound(clearance string, r *Round) bool { return s.Allows(clearance, r.Marking) }

// VisibleSheet returns the reader's copy of a topic sheet: every paragraph
// above their clearance removed (absent, not blanked) and the marking rolled
// up over what is left; a section none of whose paragraphs they may see is
// absent too, heading and all (an empty section stays). It reports false — the sheet is absent to them — when
// the sheet holds paragraphs and none is within their clearance.
func (s Settings) VisibleSheet(clearance string, sh *Sheet) (*Sheet, bool) {
	if !s.SeesSheet(clearance, sh) {
		return nil, false
	}
	// A copy whose sections and paragraphs are built anew below: nothing of
	// it is shared with sh but strings.
	c := *sh
	c.Reviews = append([]Review(nil), sh.Reviews...)
	for i, r := range c.Reviews {
		// A review's comment is marked as the sheet was when it was made;
		// one without a marking (none is stored so) is taken for the top.
		m := r.Marking
		if m == "" {
			m = s.Top()
		}
		if !s.Allows(clearance, m) {
			c.Reviews[i].Comment, c.Reviews[i].Marking = "", ""
		}
	}
	secs := make([]Section, 0, len(sh.Sections))
	for _, sec := range sh.Sections {
		if !s.SeesSection(clearance, &sec) {
			continue // every paragraph hidden: the heading is hidden with them
		}
		ps := make([]Paragraph, 0, len(sec.Paragraphs))
		for _, p := range sec.Paragraphs {
			if s.Allows(clearance, p.Marking) {
				ps = append(ps, p)
			}
		}
		sec.Paragraphs = ps
		secs = append(secs, sec)
	}
	c.Sections = secs
	c.Marking = s.SheetMarking(&c)
	return &c, true
}

// RaiseReviews raises the marking of each review of sh, at a save that
// raised paragraphs (rs), to the highest marking a raise took a paragraph
// to whose words the review may quote; was is the sheet before the save.
// A paragraph was marks above a review is none it may quote: it was above
// the review when the review was made, or a raise since would have raised
// the review with it. Raising the review for it would tell the review's
// readers of a raise above them, of words they never saw.
func (s Settings) RaiseReviews(sh, was *Sheet, rs []Raise) {
	before := ParagraphMarkings(was)
	for i, r := range sh.Reviews {
		if r.Marking == "" {
			continue // taken for the top already (VisibleSheet)
		}
		sh.Reviews[i].Marking = s.Highest(r.Marking, s.HeldRaise(r.Marking, before, rs))
	}
}

// HeldRaise is the highest marking the raises rs took a paragraph to whose
// words something marked holder (a review, a frozen pack), made before
// them, may hold, or "" for none; before is each paragraph's marking before
// the raises. A paragraph marked above the holder before is none it holds:
// it was above the holder when it was made, or a raise since would have
// raised the holder with it. A holder of no marking of the scheme may hold
// anything.
func (s Settings) HeldRaise(holder string, before map[string]string, rs []Raise) string {
	top := ""
	for _, x := range rs {
		if m, ok := before[x.Paragraph]; !ok || s.mayHold(holder, m) {
			top = s.Highest(top, x.Marking)
		}
	}
	return top
}

// mayHold reports whether something marked holder may hold words marked
// marking: unless both are markings of the scheme and marking is above
// holder, it may.
func (s Settings) mayHold(holder, marking string) bool {
	h, ok1 := s.Level(holder)
	m, ok2 := s.Level(marking)
	return !ok1 || !ok2 || m <= h
}

// ParagraphMarkings is the marking of each paragraph of sh, by id.
func ParagraphMarkings(sh *Sheet) map[string]string {
	out := map[string]string{}
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			out[p.ID] = p.Marking
		}
	}
	return out
}

// SeesSheet reports whether a reader sees a sheet at all: one with no
// paragraph, or one holding a paragraph within their clearance. A sheet
// every paragraph of which is above them is hidden whole.
func (s Settings) SeesSheet(clearance string, sh *Sheet) bool {
	total := 0
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if s.Allows(clearance, p.Marking) {
				return true
			}
			total++
		}
	}
	return total == 0
}

// SeesSection reports whether a reader sees a section of a sheet at all: a
// section holding paragraphs, none of them within clearance, is hidden,
// heading and all; an empty one is seen.
func (s Settings) SeesSection(clearance string, sec *Section) bool {
	for _, p := range sec.Paragraphs {
		if s.Allows(clearance, p.Marking) {
			return true
		}
	}
	return len(sec.Paragraphs) == 0
}

// HoldsOnly reports whether every paragraph of the sheet is within clearance:
// only then may a writer with that clearance save over it, so nothing they
// cannot see is lost by their edit.
func (s Settings) HoldsOnly(clearance string, sh *Sheet) bool {
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if !s.Allows(clearance, p.Marking) {
				return false
			}
		}
	}
	return true
}

// VisibleVersion applies the clearance rule to a summarised version of a
// sheet as VisibleSheet does to the sheet: false when it holds paragraphs
// and none within clearance, else the marking of what the reader sees (the
// highest they may see, or the lowest of the scheme for no paragraphs).
// It compares levels, not markings: a list calls it once a version.
func (s Settings) VisibleVersion(clearance string, sum VersionSummary) (string, bool) {
	c, cleared := s.Level(clearance)
	top, kept := 0, false
	for _, pm := range sum.Markings {
		if l, ok := s.Level(pm); cleared && ok && l <= c {
			top, kept = max(top, l), true
		}
	}
	if len(sum.Markings) > 0 && !kept {
		return "", false
	}
	return s.Markings[top], true
}
