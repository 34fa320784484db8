package briefing

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// Sheet statuses.
const (
	SheetDraft     = "draft"
	SheetSubmitted = "submitted"
	SheetCleared   = "cleared"
)

// SheetStatuses lists the statuses a topic sheet may have.
var SheetStatuses = []string{SheetDraft, SheetSubmitted, SheetCleared}

// Section kinds of a topic sheet, in the order of a standard sheet.
const (
	SectionSituation  = "situation"
	SectionOffensive  = "offensive"
	SectionDefensive  = "defensive"
	SectionCurrent    = "current"
	SectionPartnering = "partnering"
	// What a delegate reads out, and what they draw on.
	SectionTalkingPoints = "talking_points"
	SectionBackground    = "background"
	SectionIfAsked       = "if_asked"
	SectionCustom        = "custom"
)

// SectionKinds lists the section kinds, the five standard ones in order
// first, then those a delegate reads out, then custom.
var SectionKinds = []string{SectionSituation, SectionOffensive, SectionDefensive, SectionCurrent, SectionPartnering,
	SectionTalkingPoints, SectionBackground, SectionIfAsked, SectionCustom}

// DefaultHeading returns the heading a section of kind has unless it sets one,
// with {home} and {partner} filled from the dialogue. Custom sections have none.
func DefaultHeading(kind, home, partner string) string {
	var h string
	switch kind {
	case SectionSituation:
		h = "Situational assessment"
	case SectionOffensive:
		h = "Offensive interest – what are we trying to achieve"
	case SectionDefensive:
		h = "Defensive interest – what are we trying to avoid"
	case SectionCurrent:
		h = "What is {home} currently doing, or actively planning to do?"
	case SectionPartnering:
		h = "What could {home} partner with {partner} to achieve?"
	case SectionTalkingPoints:
		h = "Talking points"
	case SectionBackground:
		h = "Background"
	case SectionIfAsked:
		h = "If asked (reactive lines)"
	}
	if !strings.Contains(h, "{") {
		return h
	}
	return strings.ReplaceAll(strings.ReplaceAll(h, "{home}", home), "{partner}", partner)
}

// Paragraph is the unit of a topic sheet: Markdown text with its own marking
// and, when withheld in full on release, its ground. Parts of the text may be
// withheld with "{{ground: words}}".
type Paragraph struct {
	// ID is stable and server-assigned: kept through edits, moves, history
	// and restore, so writers can merge edits paragraph by paragraph.
	ID       string `json:"id"`
	Text     string `json:"text"`
	Marking  string `json:"marking"`
	Withhold string `json:"withhold"`
	// OriginID is the paragraph of last round's sheet this one was rolled
	// forward from, if any.
	OriginID string `json:"origin_id,omitempty"`
	// released is, in a paragraph of the release view, its text as the
	// full edition's segments (ReleasedSegments), nil in any other: never
	// stored or sent. A pointer, so paragraphs compare as they did.
	released *[]Segment
}

// ReleasedSegments returns a paragraph of the release view cut where its
// full edition's segments are: each withheld span a segment of its Ground
// alone, with no Text, and the text between as it is there (a link
// released as its label, see Redact, is its label). Joined, they are the
// paragraph's Text, which holds no withheld word. A pack that renders the
// full edition's segments each on its own (the workbook) renders the
// release's so too, and forms no Markdown across a span's place that the
// full edition did not: read as one text, "<http://x.test/{{s6(a): w}}aaa>"
// released became an autolink, its address shown twice. It is nil for a
// paragraph with no span, one withheld in full (whose Text is its ground)
// and any paragraph not of the release view: their Text is all there is.
func (p Paragraph) ReleasedSegments() []Segment {
	if p.released == nil {
		return nil
	}
	return *p.released
}

// Section is one heading of a topic sheet and its paragraphs.
type Section struct {
	Kind       string      `json:"kind"`
	Heading    string      `json:"heading"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Sheet is a topic sheet: a desk officer's brief on one agenda topic.
type Sheet struct {
	Meta
	RoundID  string    `json:"round_id"`
	Title    string    `json:"title"`
	Owner    string    `json:"owner"`    // the owner's name, computed on output from OwnerID
	OwnerID  string    `json:"owner_id"` // the user who holds the sheet
	Status   string    `json:"status"`
	Withhold string    `json:"withhold"` // a ground: withheld in full on release, title included
	Marking  string    `json:"marking"`  // computed: the highest marking the sheet holds
	Sections []Section `json:"sections"`
	// PredecessorID is the sheet this one was rolled forward from, if any.
	PredecessorID string `json:"predecessor_id,omitempty"`
	// Reviews are the sheet's submissions, clearances and returns, oldest first.
	Reviews []Review `json:"reviews,omitempty"`
	// Stored names the stored record this sheet was read from (a digest of
	// its bytes, set by the store), or is empty. A copy made from the sheet
	// for a reader keeps it: what is built from a sheet is keyed by it with
	// whatever else it was built from (the reader's clearance, the edition).
	Stored string `json:"-"`
}

// SameContent says whether two sheets hold the same content: title, owner,
// status, withholding, and the same sections with the same paragraphs, each
// with its id, text, marking and withholding. What is computed or kept
// beside it (version, marking, reviews) is not compared.
func (sh *Sheet) SameContent(o *Sheet) bool {
	if sh.Title != o.Title || sh.OwnerID != o.OwnerID || sh.Status != o.Status || sh.Withhold != o.Withhold ||
		len(sh.Sections) != len(o.Sections) {
		return false
	}
	for i, a := range sh.Sections {
		b := o.Sections[i]
		if a.Kind != b.Kind || a.Heading != b.Heading || len(a.Paragraphs) != len(b.Paragraphs) {
			return false
		}
		for j, p := range a.Paragraphs {
			if p != b.Paragraphs[j] {
				return false
			}
		}
	}
	return true
}

// Review decisions.
const (
	ReviewSubmit = "submit"
	ReviewClear  = "clear"
	ReviewReturn = "return"
)

// Review is one step of a sheet's clearance: submitted by its officer,
// cleared or returned (with a comment) by a delegation lead.
type Review struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Decision string    `json:"decision"`
	Comment  string    `json:"comment,omitempty"`
	// Marking is the sheet's when the review was made (the reviewer
	// held it whole): its comment may speak of anything the sheet held,
	// and is shown only to a reader cleared for it (VisibleSheet).
	Marking string `json:"marking,omitempty"`
}

// Key names a review by all it holds but its marking: the same review in
// another copy of its sheet (a past version, the sheet as stored now).
func (r Review) Key() string {
	return r.At.UTC().Format(time.RFC3339Nano) + "\x00" + r.By + "\x00" + r.Decision + "\x00" + r.Comment
}

// Limits on a topic sheet, so one request cannot build an unbounded record.
const (
	MaxSections      = 50
	MaxParagraphs    = 200 // per section
	MaxParagraphText = 20000
	// MaxCellText is what a spreadsheet cell holds, in UTF-16 units (an
	// emoji counts two): a paragraph longer is cut by the program that
	// opens the workbook, and the cut taken for an edit.
	MaxCellText = 32767
)

// Validate checks a topic sheet against the settings: fields, section kinds,
// markings, grounds and the withheld-span syntax of every paragraph, and
// the limits (MaxSections; MaxParagraphs a section; a paragraph's length,
// its cell's, and what its Markdown asks of the reader, MaxMarkdownWork).
// Field names in the error locate the paragraph, e.g.
// "sections[1].paragraphs[3].text".
// It normalises grounds to the jurisdiction's spelling and computes Marking.
func (sh *Sheet) Validate(s Settings) error {
	return sh.ValidateAsSeen(s, nil)
}

// ValidateAsSeen is Validate for a sheet as its writer sent it, seen being
// their copy of the version they started from (nil for none): a section
// may hold more than MaxParagraphs, and the sheet more than MaxSections,
// when it holds no more than the writer saw of it there. Paragraphs hidden
// from lower writers are what take a sheet past the limits as a higher
// writer sees it; they need not delete to save. Each marking alone is held
// to MaxParagraphs a section whatever was seen: a writer sees every
// paragraph of each marking they may write, so the paragraphs of one
// marking stay within the limit, and a stored section within the limit
// times the markings of the scheme (see ValidateStored).
func (sh *Sheet) ValidateAsSeen(s Settings, seen *Sheet) error {
	fe := sh.checkFields(s)
	maxSections := MaxSections
	allowed := make([]int, len(sh.Sections))
	for i := range allowed {
		allowed[i] = MaxParagraphs
	}
	if seen != nil {
		maxSections = max(maxSections, len(seen.Sections))
		for i, k := range sectionKeys(seen, sh) {
			for bi := range seen.Sections {
				if k == baseKey(bi) {
					allowed[i] = max(allowed[i], len(seen.Sections[bi].Paragraphs))
				}
			}
		}
	}
	// The limit named is the one that applied: what the writer saw, when
	// that is more (their own copy: it tells them nothing hidden).
	if len(sh.Sections) > maxSections {
		fe.add("sections", "must have at most %d sections", maxSections)
	}
	// A paragraph must fit a spreadsheet cell; one stored before that was
	// held to, whose cell its writer did not change, is kept (it may be
	// hidden from them). The cell is more than the text: a new marking or
	// withholding alone changes it, and can take it past the limit.
	was := map[string]Paragraph{}
	if seen != nil {
		for _, sec := range seen.Sections {
			for _, p := range sec.Paragraphs {
				was[p.ID] = p
			}
		}
	}
	for i, sec := range sh.Sections {
		for j, p := range sec.Paragraphs {
			f := fmt.Sprintf("sections[%d].paragraphs[%d].text", i, j)
			old, ok := was[p.ID]
			// A text its writer left as it was is kept, as the cell's limit
			// keeps it (it may be hidden from them); any other must not ask
			// too much of the Markdown reader, which is checked before the
			// cell's limit renders it. One refused already (too long, say)
			// is not rendered to be measured.
			if s.checkMarkdown(fe, f, p.Text, old.Text, "section %d, paragraph %d", i+1, j+1) {
				continue
			}
			if ok && old.Text == p.Text && old.Marking == p.Marking && old.Withhold == p.Withhold {
				continue // the same cell, not rendered again
			}
			if cellBound(s, p) <= MaxCellText {
				continue // fits: rendering its Markdown can cost a second
			}
			cell := cellText(s, p)
			if utf16Len(cell) <= MaxCellText || ok && cellText(s, old) == cell {
				continue
			}
			fe.add(f, "section %d, paragraph %d %s", i+1, j+1, s.cellTooLong(p, cell))
		}
	}
	for i, sec := range sh.Sections {
		f := fmt.Sprintf("sections[%d].paragraphs", i)
		if len(sec.Paragraphs) > allowed[i] {
			fe.add(f, "must have at most %d paragraphs", allowed[i])
		}
		if m := s.crowdedMarking(sec, ""); m != "" {
			fe.add(f, "must have at most %d paragraphs marked %s", MaxParagraphs, m)
		}
	}
	sh.Marking = s.SheetMarking(sh)
	return fe.err("topic sheet")
}

// ValidateStored is Validate for a sheet a merge is about to store, which
// holds, besides what its writer sent (checked by ValidateAsSeen), the
// paragraphs hidden from them: it is held only to MaxSections and
// MaxParagraphs times the markings of the scheme, which no sheet made by
// writers each held to the limits as they see it reaches, so no writer is
// refused for what they cannot see.
func (sh *Sheet) ValidateStored(s Settings) error {
	fe := sh.checkFields(s)
	n := max(len(s.Markings), 1)
	if len(sh.Sections) > MaxSections*n {
		fe.add("sections", "must have at most %d sections", MaxSections*n)
	}
	for i, sec := range sh.Sections {
		if len(sec.Paragraphs) > MaxParagraphs*n {
			fe.add(fmt.Sprintf("sections[%d].paragraphs", i), "must have at most %d paragraphs", MaxParagraphs*n)
		}
	}
	sh.Marking = s.SheetMarking(sh)
	return fe.err("topic sheet")
}

// cellTooLong says how a paragraph is past MaxCellText in the longest cell
// the workbook writes it into, cell (cellText), which is past it. The cell
// holds more than the Markdown — a portion mark, a withheld paragraph's
// flag, a withheld span's brackets escaped — and the writer never sees
// that: the limit is told them as they typed the paragraph too.
func (s Settings) cellTooLong(p Paragraph, cell string) string {
	n := utf16Len(cell)
	typed := utf16Len(p.Text)
	if n == typed {
		return fmt.Sprintf("is %d UTF-16 units long (a character such as an emoji counts two): a paragraph must fit a spreadsheet cell, at most %d", n, MaxCellText)
	}
	return fmt.Sprintf("is %d UTF-16 units long (a character such as an emoji counts two) and %d as the workbook's cell shows it, with its portion mark, a withheld paragraph's flag, a \\ before each [, ] or \\ of withheld words and a link's address: a paragraph must fit a spreadsheet cell, at most %d, so this one at most %d as typed",
		typed, n, MaxCellText, max(typed-(n-MaxCellText), 0))
}

// cellText is the longest text the workbooks of either edition write a
// paragraph into, which a save holds to MaxCellText, and cellBound no less
// than its length in UTF-16 units, found without rendering it: the
// workbook's package gives them (SetCellText); until it does, the
// paragraph's text.
var (
	cellText  = func(_ Settings, p Paragraph) string { return p.Text }
	cellBound = func(_ Settings, p Paragraph) int { return utf16Len(p.Text) }
)

// SetCellText gives the check of a save the workbook's own rule for the
// longest cell it writes a paragraph into, in the full edition or the
// release edition (xlsxpack gives it when loaded),
// so the limit is held on the text the cell will hold, not on a copy of the
// rule that can drift from it: the core package cannot render the Markdown
// itself. bound is no less than text's length in UTF-16 units, and cheap:
// a paragraph it shows fits is not rendered.
func SetCellText(text func(Settings, Paragraph) string, bound func(Settings, Paragraph) int) {
	cellText, cellBound = text, bound
}

// utf16Len is a text's length in UTF-16 units, as a spreadsheet counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // a string's runes are valid: 1 or 2
	}
	return n
}

// crowdedMarking is a marking within clearance ("" for any) of which a
// section holds more than MaxParagraphs paragraphs, or "".
func (s Settings) crowdedMarking(sec Section, clearance string) string {
	if len(sec.Paragraphs) <= MaxParagraphs {
		return ""
	}
	n := map[string]int{}
	for _, p := range sec.Paragraphs {
		if clearance != "" && !s.Allows(clearance, p.Marking) {
			continue
		}
		if n[p.Marking]++; n[p.Marking] == MaxParagraphs+1 {
			return p.Marking
		}
	}
	return ""
}

// eachText calls f with each of the sheet's texts a pack shows: its title,
// its sections' headings and its paragraphs' texts.
func (sh *Sheet) eachText(f func(t *string)) {
	f(&sh.Title)
	for i := range sh.Sections {
		sec := &sh.Sections[i]
		f(&sec.Heading)
		for j := range sec.Paragraphs {
			f(&sec.Paragraphs[j].Text)
		}
	}
}

// cleanTexts cleans the sheet's texts as a save does (CleanText).
func (sh *Sheet) cleanTexts() { sh.eachText(func(t *string) { *t = CleanText(*t) }) }

// checkFields checks everything Validate does but the counts.
func (sh *Sheet) checkFields(s Settings) fieldErrors {
	fe := fieldErrors{}
	sh.cleanTexts()
	requireText(fe, "title", sh.Title, 300)
	s.checkSpans(fe, "title", sh.Title)
	limitText(fe, "owner", sh.Owner, 100)
	limitText(fe, "owner_id", sh.OwnerID, 40)
	if sh.Status == "" {
		sh.Status = SheetDraft
	}
	if !oneOf(sh.Status, SheetStatuses) {
		fe.add("status", "must be one of %s", strings.Join(SheetStatuses, ", "))
	}
	if g := s.NormalizeGround(sh.Withhold); g != "" {
		sh.Withhold = g
	}
	s.checkGround(fe, "withhold", sh.Withhold)
	for i := range sh.Sections {
		sec := &sh.Sections[i]
		f := fmt.Sprintf("sections[%d]", i)
		if !oneOf(sec.Kind, SectionKinds) {
			fe.add(f+".kind", "must be one of %s", strings.Join(SectionKinds, ", "))
		}
		if sec.Kind == SectionCustom {
			requireText(fe, f+".heading", sec.Heading, 300)
		} else {
			limitText(fe, f+".heading", sec.Heading, 300)
		}
		noSpans(fe, f+".heading", sec.Heading)
		for j := range sec.Paragraphs {
			p := &sec.Paragraphs[j]
			pf := fmt.Sprintf("%s.paragraphs[%d]", f, j)
			where := fmt.Sprintf("section %d, paragraph %d", i+1, j+1)
			limitText(fe, pf+".text", p.Text, MaxParagraphText)
			if strings.TrimSpace(p.Text) == "" {
				fe.add(pf+".text", "%s is empty", where)
			}
			if p.Marking == "" {
				p.Marking = s.Lowest()
			}
			s.checkMarking(fe, pf+".marking", p.Marking)
			if g := s.NormalizeGround(p.Withhold); g != "" {
				p.Withhold = g
			}
			s.checkGround(fe, pf+".withhold", p.Withhold)
			if _, err := s.ParseSpans(p.Text); err != nil {
				fe.add(pf+".text", "%s", spanError(where, err))
			}
		}
	}
	return fe
}

// SheetMarking is the roll-up: the highest marking of the sheet's paragraphs,
// or the lowest of the scheme for a sheet with none.
func (s Settings) SheetMarking(sh *Sheet) string {
	m := s.Lowest()
	for _, sec := range sh.Sections {
		m = s.Highest(m, s.SectionMarking(sec))
	}
	return m
}

// SectionMarking is the highest marking of a section's paragraphs.
func (s Settings) SectionMarking(sec Section) string {
	m := s.Lowest()
	for _, p := range sec.Paragraphs {
		m = s.Highest(m, p.Marking)
	}
	return m
}

// RoundMarking rolls a round's own marking up with the sheets it holds.
func (s Settings) RoundMarking(r *Round, sheets []*Sheet) string {
	m := r.Marking
	for _, sh := range sheets {
		m = s.Highest(m, s.SheetMarking(sh))
	}
	return m
}

// Headings fills every section's empty heading with its default for the dialogue.
func (sh *Sheet) Headings(home, partner string) {
	for i := range sh.Sections {
		if sh.Sections[i].Heading == "" {
			sh.Sections[i].Heading = DefaultHeading(sh.Sections[i].Kind, home, partner)
		}
	}
}

// NewSheetSections returns the five standard sections, empty, in order.
func NewSheetSections() []Section {
	var secs []Section
	for _, k := range SectionKinds[:5] {
		secs = append(secs, Section{Kind: k, Paragraphs: []Paragraph{}})
	}
	return secs
}

// Clone returns a deep copy of the sheet.
func (sh *Sheet) Clone() *Sheet {
	c := *sh
	c.Reviews = append([]Review(nil), sh.Reviews...)
	c.Sections = make([]Section, len(sh.Sections))
	for i, sec := range sh.Sections {
		c.Sections[i] = sec
		// Never nil: a section without paragraphs is an empty list, as a
		// save must send it ("paragraphs": null would be refused).
		c.Sections[i].Paragraphs = append(make([]Paragraph, 0, len(sec.Paragraphs)), sec.Paragraphs...)
	}
	return &c
}

// SummarizeSheet returns the summary of a topic sheet's version.
func SummarizeSheet(sh *Sheet) VersionSummary {
	s := VersionSummary{Title: sh.Title, Markings: []string{}}
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if !slices.Contains(s.Markings, p.Marking) {
				s.Markings = append(s.Markings, p.Marking)
			}
		}
	}
	return s
}
