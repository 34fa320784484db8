package briefing

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// NewParagraphID returns a new opaque paragraph id.
func NewParagraphID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "p" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// AssignParagraphIDs gives every paragraph of a sheet about to be saved a
// stable id: one the paragraph already has if known holds it (the ids of the
// stored sheet), a new one otherwise — for a new paragraph, an unknown id, or
// a second use of the same id in one sheet. The server assigns ids; a writer
// cannot choose one, nor learn of a paragraph hidden from them by guessing.
func AssignParagraphIDs(sh *Sheet, known map[string]bool) {
	used := map[string]bool{}
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			p := &sh.Sections[i].Paragraphs[j]
			if p.ID == "" || !known[p.ID] || used[p.ID] {
				p.ID = NewParagraphID()
			}
			used[p.ID] = true
		}
	}
}

// KeepOrigins gives each paragraph of a sheet about to be saved, its ids
// assigned (AssignParagraphIDs), the link to the paragraph it was rolled
// forward from that the stored paragraph of its id holds, whatever the
// writer sent: like the id, the link is the server's, set only by a roll
// forward, and a writer who cannot see the predecessor, whose copy shows no
// links, loses none by their save. A paragraph stored holds none of, or a
// new one, has none; unless copied: the sheet is itself a stored one saved
// again whole (a version restored, a sheet rolled forward), whose links are
// the store's own and are kept where the stored sheet has none.
func KeepOrigins(sh, stored *Sheet, copied bool) {
	origins := map[string]string{}
	if stored != nil {
		for _, sec := range stored.Sections {
			for _, p := range sec.Paragraphs {
				origins[p.ID] = p.OriginID
			}
		}
	}
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			p := &sh.Sections[i].Paragraphs[j]
			if o := origins[p.ID]; o != "" || !copied {
				p.OriginID = o
			}
		}
	}
}

// FillParagraphIDs gives a new id to every paragraph of a sheet that has
// none, or one another paragraph of the sheet already has. Every store calls
// it on each write, so no stored paragraph is ever without an id.
func FillParagraphIDs(sh *Sheet) {
	AssignParagraphIDs(sh, ParagraphIDs(sh))
}

// NewAgendaItemID returns a new opaque agenda item id.
func NewAgendaItemID() string {
	return "a" + NewParagraphID()[1:]
}

// FillAgendaIDs gives a new id to every agenda item of a round that has
// none, or one an item before it already has. Every store calls it on each
// write, so no stored item is ever without an id; which item a writer's
// item is, is decided before (see the API's round update).
func FillAgendaIDs(r *Round) {
	used := map[string]bool{}
	for i := range r.Agenda {
		a := &r.Agenda[i]
		if a.ID == "" || used[a.ID] {
			a.ID = NewAgendaItemID()
		}
		used[a.ID] = true
	}
}

// ParagraphIDs returns the set of a sheet's paragraph ids.
func ParagraphIDs(sh *Sheet) map[string]bool {
	ids := map[string]bool{}
	if sh == nil {
		return ids
	}
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			ids[p.ID] = true
		}
	}
	return ids
}

// Conflict is one paragraph, section heading or sheet field changed
// differently on both sides of a merge, or a paragraph deleted on one side
// and changed on the other. Path names it in the writer's sheet
// ("sections[1].paragraphs[2]", "sections[1].heading", or "title"); Base,
// Theirs and Mine are its three states (a *Paragraph or a string, an empty
// heading being its section's default; nil where it is absent).
type Conflict struct {
	Path   string `json:"path"`
	ID     string `json:"id,omitempty"` // the paragraph's id; empty for a sheet field
	Base   any    `json:"base"`
	Theirs any    `json:"theirs"`
	Mine   any    `json:"mine"`
	// SheetID, Cell and Row place a conflict of an import: the topic sheet
	// and the workbook's cell ("Topics!D12") and row.
	SheetID string `json:"sheet_id,omitempty"`
	Cell    string `json:"cell,omitempty"`
	Row     int    `json:"row,omitempty"`
}

// MergeResult says what a merge did.
type MergeResult struct {
	Sheet *Sheet
	// Merged counts the changes stored since the writer's base that were
	// kept alongside theirs (0: nothing was saved in between, or only
	// changes the writer's sheet makes alike, such as their own save of it).
	Merged int
	// Conflicts are the overlapping changes; when there are any nothing is
	// to be written, and Sheet holds mine where they overlap (theirs, in
	// its place, for a paragraph mine deleted and theirs changed).
	Conflicts []Conflict
}

// paraState is where and what one paragraph is on one side of a merge.
type paraState struct {
	sec string // section key
	p   Paragraph
}

// defaultHeadings matches, for each standard section kind, its default
// heading filled in for any dialogue: {home} and {partner} stand for any text.
var defaultHeadings = func() map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, kind := range SectionKinds {
		tpl := DefaultHeading(kind, "{home}", "{partner}")
		if tpl == "" {
			continue
		}
		q := regexp.QuoteMeta(tpl)
		q = strings.ReplaceAll(strings.ReplaceAll(q, regexp.QuoteMeta("{home}"), "(.+)"), regexp.QuoteMeta("{partner}"), "(.+)")
		out[kind] = regexp.MustCompile("^" + q + "$")
	}
	return out
}()

// headingOf is a section's heading as the merge compares it. A standard
// section's default heading is stored empty but read and sent back filled in
// for the dialogue (by the editor's form, a GET, a workbook), which the merge
// does not know: the default filled in for any names is taken as the default,
// so sending it back changes nothing. (Editing only the country named in a
// default heading, on a side whose other side also changed that heading,
// therefore reads as no change; a save of it alone is kept as sent.)
func headingOf(sec *Section) string {
	if re := defaultHeadings[sec.Kind]; re != nil && re.MatchString(sec.Heading) {
		return ""
	}
	return sec.Heading
}

// baseKey names, in a merge, the i-th section of base, and the section of
// each side that is it (sectionKeys).
func baseKey(i int) string { return "base#" + strconv.Itoa(i) }

// sectionKeys names each section of sh, one side of a merge, by what it is
// in base, so a section is the same section on both sides whatever either
// did to its heading. A section of sh is the section of base of its kind
// that it holds the most paragraphs of, a custom section's heading first:
// an unchanged heading names the section (a paragraph moved into another
// section does not make it that section), and among sections of one heading
// or a renamed one, the paragraphs it holds do. Sections of a heading that
// repeats, and standard ones of the same kind, are otherwise paired in
// order. A renamed section that holds none of base's paragraphs is the empty
// section of base of its kind that sits between the same two matched
// sections, if any. A section still unmatched is new: named by its kind and
// heading, so the same section added on both sides is one.
func sectionKeys(base, sh *Sheet) []string {
	of := matchSections(base, sh)
	seen := map[string]int{}
	keys := make([]string, len(sh.Sections))
	for si, sec := range sh.Sections {
		if of[si] >= 0 {
			keys[si] = baseKey(of[si])
			continue
		}
		k := "new:" + sec.Kind
		if sec.Kind == SectionCustom {
			k += ":" + sec.Heading
		}
		seen[k]++
		keys[si] = fmt.Sprintf("%s#%d", k, seen[k])
	}
	return keys
}

// matchSections gives, for each section of sh, the index of the section of
// base it is (as sectionKeys tells them), or -1 for a new one.
func matchSections(base, sh *Sheet) []int {
	in := map[string]int{} // paragraph id → its section in base
	for bi, sec := range base.Sections {
		for _, p := range sec.Paragraphs {
			in[p.ID] = bi
		}
	}
	type pair struct {
		si, bi, shared int
		same           bool // the same kind, and for a custom section the same heading
	}
	var pairs []pair
	for si, sec := range sh.Sections {
		shared := map[int]int{}
		for _, p := range sec.Paragraphs {
			if bi, ok := in[p.ID]; ok {
				shared[bi]++
			}
		}
		for bi, bsec := range base.Sections {
			if bsec.Kind != sec.Kind {
				continue
			}
			same := sec.Kind != SectionCustom || sec.Heading == bsec.Heading
			if same || shared[bi] > 0 {
				pairs = append(pairs, pair{si, bi, shared[bi], same})
			}
		}
	}
	// Stable: equal pairs stay in order, the first of sh's sections with the first of base's.
	sort.SliceStable(pairs, func(x, y int) bool {
		if pairs[x].same != pairs[y].same {
			return pairs[x].same
		}
		return pairs[x].shared > pairs[y].shared
	})
	of := make([]int, len(sh.Sections)) // the section of base each one is, or -1
	for i := range of {
		of[i] = -1
	}
	taken := make([]int, len(base.Sections)) // the section of sh each of base's is, or -1
	for i := range taken {
		taken[i] = -1
	}
	for _, p := range pairs {
		if of[p.si] < 0 && taken[p.bi] < 0 {
			of[p.si], taken[p.bi] = p.bi, p.si
		}
	}
	// around gives the nearest matched sections before and after the i-th
	// (at: each one's match, or -1), none being -1 before and len(at) after.
	around := func(at []int, i int) (int, int) {
		prev, next := -1, len(at)
		for x := i - 1; x >= 0; x-- {
			if at[x] >= 0 {
				prev = x
				break
			}
		}
		for x := i + 1; x < len(at); x++ {
			if at[x] >= 0 {
				next = x
				break
			}
		}
		return prev, next
	}
	// matched reports whether bx of base and sx of sh are the same section,
	// or both none.
	matched := func(bx, sx int) bool {
		if bx < 0 || bx >= len(base.Sections) || sx < 0 || sx >= len(sh.Sections) {
			return (bx < 0) == (sx < 0) && (bx >= len(base.Sections)) == (sx >= len(sh.Sections))
		}
		return taken[bx] == sx
	}
	for si, sec := range sh.Sections {
		if of[si] >= 0 {
			continue
		}
		sp, sn := around(of, si)
		for bi, bsec := range base.Sections {
			if taken[bi] >= 0 || bsec.Kind != sec.Kind || len(bsec.Paragraphs) > 0 {
				continue
			}
			if bp, bn := around(taken, bi); matched(bp, sp) && matched(bn, sn) {
				of[si], taken[bi] = bi, si
				break
			}
		}
	}
	return of
}

// side is one sheet of a merge, indexed.
type side struct {
	sh    *Sheet
	keys  []string                      // section keys, in order
	secs  map[string]*Section           // by key
	at    map[string]int                // section key → its index
	paras map[string]paraState          // by paragraph id
	order map[string][]string           // section key → paragraph ids in order
	where map[string]struct{ i, j int } // paragraph id → its indices
}

func index(sh *Sheet, keys []string) *side {
	s := &side{sh: sh, keys: keys, secs: map[string]*Section{}, at: map[string]int{}, paras: map[string]paraState{},
		order: map[string][]string{}, where: map[string]struct{ i, j int }{}}
	for i := range sh.Sections {
		k := s.keys[i]
		s.secs[k] = &sh.Sections[i]
		s.at[k] = i
		for j, p := range sh.Sections[i].Paragraphs {
			s.paras[p.ID] = paraState{k, p}
			s.order[k] = append(s.order[k], p.ID)
			s.where[p.ID] = struct{ i, j int }{i, j}
		}
	}
	return s
}

func sameContent(a, b Paragraph) bool {
	return a.Text == b.Text && a.Marking == b.Marking && a.Withhold == b.Withhold
}

// MergeSheet three-way merges a writer's edit of a sheet with what is stored.
// base is the stored version the writer started from and theirs the stored
// sheet now, both whole; mine is the sheet as the writer sent it, holding only
// what their clearance lets them see, its paragraphs carrying the ids they
// read (a paragraph without a known id is new). The merge is made over what
// the writer may see: a change of theirs that does not overlap one of mine is
// kept, as are mine; a paragraph changed differently on both sides, or
// deleted on one and changed on the other, is a conflict; identical changes
// are not. Section headings merge as the sheet's fields do, a section being
// the same one on every side however it was renamed (see sectionKeys).
// Paragraphs above the writer's clearance are then put back exactly, each in
// its section after the paragraph it followed in theirs (its section
// recreated, on its own, if the writer removed it), so nothing they cannot
// see is lost or moved. The result carries theirs' version, reviews and
// predecessor.
//
// A paragraph of mine whose id the writer could not read at base but can in
// theirs (see LaterParagraphs) is that paragraph, read at a later version:
// it merges as the others do, its base being the paragraph as it first
// showed to the writer in since (the stored versions after base, oldest
// first) or else in theirs. Any other id base does not show them — deleted
// since, never one, or hidden from them — is a new paragraph; unless theirs
// added the same paragraph since base, in the same section (see
// sameAdditions): then it is theirs, taken once and in theirs' place, so a
// merge sent again adds nothing twice.
//
// raised are the raises of paragraphs saved after base (its VersionRecord's
// Raised). A paragraph raised above the writer since is, to them, one
// deleted since: what they typed on it was typed on what they saw, and is
// merged as such, but a conflict on it shows nothing of it as it was (its
// Base is nil), as no past version shows them it any more
// (View.SheetVersionOf); nor, so that they cannot tell the two apart, does
// a conflict on one deleted since; nor one on a paragraph raised above
// them and lowered again since, nor on the heading of a section every
// paragraph of which they saw is gone from them so, deleted or raised. A
// writer cleared for the top of the scheme, above whom nothing can be
// raised, is shown what was deleted since as it was.
func MergeSheet(s Settings, clearance string, base, theirs, mine *Sheet, raised []Raise, since ...*Sheet) MergeResult {
	// Compared as saves store them (CleanText): a version stored before
	// texts were cleaned, saved since by someone else with only that
	// cleaning to it, is no change of theirs to clash with.
	base, theirs, mine = cleanedSheet(base), cleanedSheet(theirs), cleanedSheet(mine)
	cleanSince := make([]*Sheet, len(since))
	for i, sh := range since {
		cleanSince[i] = cleanedSheet(sh)
	}
	since = cleanSince
	bv, bok := s.VisibleSheet(clearance, base)
	tv, tok := s.VisibleSheet(clearance, theirs)
	if bv == nil {
		bv = &Sheet{}
	}
	if tv == nil {
		tv = &Sheet{}
	}
	m := mine.Clone()
	// A paragraph of mine without an id the writer could have read is new:
	// it gets a provisional id by its place ("new:1:2"), which the store
	// replaces when the result is saved, so the merge is deterministic.
	known, later, used := ParagraphIDs(bv), laterIDs(bv, tv), map[string]bool{}
	for i := range m.Sections {
		for j := range m.Sections[i].Paragraphs {
			p := &m.Sections[i].Paragraphs[j]
			if !(known[p.ID] || later[p.ID]) || used[p.ID] {
				p.ID = fmt.Sprintf("new:%d:%d", i, j)
			}
			used[p.ID] = true
		}
	}
	bkeys := make([]string, len(bv.Sections))
	for i := range bkeys {
		bkeys[i] = baseKey(i)
	}
	tv, tkeys, tfrom := theirsSeen(s, clearance, base, bv, bok, theirs, tv, tok)
	B, T, M := index(bv, bkeys), index(tv, tkeys), index(m, sectionKeys(bv, m))
	first, firstAt := firstShown(s, clearance, bv, M, later, append(append([]*Sheet(nil), since...), theirs))
	// hiddenSince reports whether a save after version raised paragraph id
	// above the writer.
	hiddenSince := func(id string, version int) bool {
		for _, r := range raised {
			if r.Paragraph == id && r.Version > version && !s.Allows(clearance, r.Marking) {
				return true
			}
		}
		return false
	}
	// shownAsWas reports whether a conflict may show paragraph id as the
	// writer read it at version: not when it is gone from what they see
	// now, deleted since or raised above them since, which they must not
	// tell apart; nor when a raise since put it above them, lowered again
	// or not. Above a writer cleared for the top of the scheme nothing can
	// be raised: one gone from them was deleted, and is shown as it was.
	top := s.Allows(clearance, s.Top())
	shownAsWas := func(id string, version int) bool {
		_, inT := T.paras[id]
		return (inT || top) && !hiddenSince(id, version)
	}
	// A new paragraph of mine that theirs added too, since base, is that
	// one: the same addition on both sides (above all the writer's own save
	// sent again), taken once, as identical edits are.
	adopted := sameAdditions(B, T, M)
	both := map[string]bool{} // theirs' ids of those paragraphs
	if len(adopted) > 0 {
		for i := range m.Sections {
			for j := range m.Sections[i].Paragraphs {
				p := &m.Sections[i].Paragraphs[j]
				if id, ok := adopted[p.ID]; ok {
					p.ID = id
					both[id] = true
				}
			}
		}
		M = index(m, M.keys)
	}
	res := MergeResult{}
	out := theirs.Clone()

	// The sheet's own fields.
	field := func(name string, b, t, mi string, set func(string)) {
		switch {
		case mi == b || mi == t:
			set(t)
		case t == b:
			set(mi)
		default:
			res.Conflicts = append(res.Conflicts, Conflict{Path: name, Base: b, Theirs: t, Mine: mi})
			set(mi)
		}
	}
	field("title", base.Title, theirs.Title, mine.Title, func(v string) { out.Title = v })
	field("owner_id", base.OwnerID, theirs.OwnerID, ownerOf(mine, base), func(v string) { out.OwnerID = v })
	field("status", base.Status, theirs.Status, mine.Status, func(v string) { out.Status = v })
	field("withhold", base.Withhold, theirs.Withhold, mine.Withhold, func(v string) { out.Withhold = v })

	// Each section's heading, merged as the sheet's fields are; a conflict
	// on one is named by its place in the writer's sheet ("sections[1].heading").
	// The values are as sent and stored: an empty heading is the default.
	headings := map[string]string{}
	for _, ks := range [][]string{M.keys, T.keys, B.keys} {
		for _, k := range ks {
			if _, done := headings[k]; done {
				continue
			}
			b, t, mi := B.secs[k], T.secs[k], M.secs[k]
			switch {
			case t == nil && mi == nil:
				headings[k] = b.Heading
			case mi == nil:
				headings[k] = t.Heading
			case t == nil:
				headings[k] = mi.Heading
			default:
				nb := "" // a section new on both sides began with its default
				if b != nil {
					nb = headingOf(b)
				}
				nt, nm := headingOf(t), headingOf(mi)
				switch {
				case nm == nb || nm == nt:
					headings[k] = t.Heading
				case nt == nb:
					headings[k] = mi.Heading
				default:
					path := fmt.Sprintf("sections[%d].heading", M.at[k])
					var bh any
					if b != nil && !allGone(b, func(id string) bool { return !shownAsWas(id, base.Version) }) {
						bh = b.Heading
					}
					res.Conflicts = append(res.Conflicts, Conflict{Path: path, Base: bh, Theirs: t.Heading, Mine: mi.Heading})
					headings[k] = mi.Heading
				}
			}
		}
	}

	// Each paragraph's content, and the section it ends in.
	final := map[string]paraState{}
	ids := map[string]bool{}
	for id := range B.paras {
		ids[id] = true
	}
	for id := range T.paras {
		ids[id] = true
	}
	for id := range M.paras {
		ids[id] = true
	}
	path := func(id string) string {
		if w, ok := M.where[id]; ok {
			return fmt.Sprintf("sections[%d].paragraphs[%d]", w.i, w.j)
		}
		w := B.where[id]
		return fmt.Sprintf("sections[%d].paragraphs[%d]", w.i, w.j)
	}
	ptr := func(st paraState, ok bool) any {
		if !ok {
			return nil
		}
		// A conflict is of words, marking and withholding; the link to the
		// paragraph rolled forward from is the server's, and may name one of
		// a sheet hidden from the writer.
		p := st.p
		p.OriginID = ""
		return &p
	}
	order := make([]string, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	sort.Strings(order) // map order would make conflicts come out in any order
	for _, id := range order {
		b, inB := B.paras[id]
		from := base.Version // the version b is of
		if !inB {
			b, inB = first[id] // read by the writer after base
			from = firstAt[id]
		}
		t, inT := T.paras[id]
		mi, inM := M.paras[id]
		if !inB {
			// New on one side (a new id of mine never matches one of theirs).
			if inT {
				final[id] = t
			} else {
				final[id] = mi
			}
			continue
		}
		tChanged := !inT || !sameContent(t.p, b.p)
		mChanged := !inM || !sameContent(mi.p, b.p)
		var keep paraState
		var present bool
		switch {
		case !mChanged:
			keep, present = t, inT
		case !tChanged:
			keep, present = mi, inM
			if inT { // theirs may have moved it; mine changed only its content
				keep.sec = t.sec
			}
		case inT && inM && sameContent(t.p, mi.p):
			keep, present = t, true
		case !inT && !inM:
			present = false
		default:
			res.Conflicts = append(res.Conflicts, Conflict{Path: path(id), ID: id, Base: ptr(b, shownAsWas(id, from)), Theirs: ptr(t, inT), Mine: ptr(mi, inM)})
			// The merged sheet keeps mine here, for an editor to show the
			// writer's own text until they choose; with conflicts it is never written.
			// One the writer deleted keeps theirs, in its place, so that the
			// editor can show their text there to keep or delete.
			keep, present = mi, inM
			if !inM {
				keep, present = t, inT
			}
		}
		if !present {
			continue
		}
		// Mine moved it to another section: mine's place wins.
		if inM && mi.sec != b.sec {
			keep.sec = mi.sec
		}
		final[id] = keep
	}
	// Merged counts what theirs changed and mine did not change alike: a
	// change made on both sides is the writer's own as much as theirs.
	res.Merged = changesSince(B, T, M)
	for _, f := range [][3]string{{base.Title, theirs.Title, mine.Title}, {base.OwnerID, theirs.OwnerID, ownerOf(mine, base)},
		{base.Status, theirs.Status, mine.Status}, {base.Withhold, theirs.Withhold, mine.Withhold}} {
		if f[0] != f[1] && f[2] != f[1] {
			res.Merged++
		}
	}
	for _, k := range T.keys {
		b, inB := B.secs[k]
		mi, inM := M.secs[k]
		if inB && headingOf(b) != headingOf(T.secs[k]) && !(inM && headingOf(mi) == headingOf(T.secs[k])) {
			res.Merged++
		}
		// A section's paragraphs put in another order, as the writer sees
		// them, and not in that order by the writer too.
		if inB && reordered(B.order[k], T.order[k]) && reordered(T.order[k], M.order[k]) {
			res.Merged++
		}
	}
	if reordered(B.keys, T.keys) && reordered(T.keys, M.keys) {
		res.Merged++ // the sections put in another order
	}

	// The order of sections, then of paragraphs in each.
	// A section or paragraph one side deleted and the merge keeps anyway (a
	// section still holding paragraphs, a paragraph kept on a conflict) keeps
	// its place on the side that has it.
	holds := map[string]bool{}
	for _, st := range final {
		holds[st.sec] = true
	}
	secOrder := mergeOrder(B.keys, T.keys, M.keys, func(k string) bool { return holds[k] })
	secDef := map[string]Section{}
	for _, side := range []*side{B, T, M} {
		for _, k := range side.keys {
			secDef[k] = Section{Kind: side.secs[k].Kind, Heading: headings[k]}
		}
	}
	inSec := map[string][]string{}
	for _, k := range secOrder {
		// A paragraph added on both sides stands where theirs put it, even
		// when mine's order of the section wins (else theirs' order is
		// kept, and it stands there already).
		mineOrder := M.order[k]
		if len(adopted) > 0 && reordered(B.order[k], M.order[k]) {
			mineOrder = nil
			for _, id := range M.order[k] {
				if !both[id] {
					mineOrder = append(mineOrder, id)
				}
			}
		}
		inSec[k] = mergeOrder(B.order[k], T.order[k], mineOrder, func(id string) bool { st, ok := final[id]; return ok && st.sec == k })
	}
	var merged []Section
	var mergedKeys []string
	placed := map[string]bool{}
	for _, k := range secOrder {
		sec := secDef[k]
		sec.Paragraphs = []Paragraph{}
		for _, id := range inSec[k] {
			if st, ok := final[id]; ok && st.sec == k && !placed[id] {
				placed[id] = true
				sec.Paragraphs = append(sec.Paragraphs, st.p)
			}
		}
		_, inM := M.secs[k]
		_, inB := B.secs[k]
		_, inT := T.secs[k]
		// A section holding paragraphs stays; an empty one stays if both sides
		// still have it, or the side that added it does.
		if len(sec.Paragraphs) == 0 && !((inM && (inT || !inB)) || (!inM && !inB && inT)) {
			continue
		}
		merged = append(merged, sec)
		mergedKeys = append(mergedKeys, k)
	}
	// Paragraphs whose section did not survive (moved by one side into a
	// section the other deleted) end in the section they came from, else the last.
	for _, id := range order {
		st, ok := final[id]
		if !ok || placed[id] {
			continue
		}
		if len(merged) == 0 {
			sec := secDef[st.sec]
			sec.Paragraphs = nil
			merged = append(merged, sec)
			mergedKeys = append(mergedKeys, st.sec)
		}
		i := len(merged) - 1
		for x, k := range mergedKeys {
			if k == st.sec {
				i = x
			}
		}
		merged[i].Paragraphs = append(merged[i].Paragraphs, st.p)
	}
	out.Sections = merged
	// Each of theirs' sections as the merge names it, or none.
	hkeys := make([]string, len(theirs.Sections))
	for x, ti := range tfrom {
		hkeys[ti] = tkeys[x]
	}
	keepHidden(s, clearance, theirs, hkeys, out, mergedKeys)
	res.Sheet = out
	return res
}

// LaterParagraphs returns the ids of mine's paragraphs that its writer could
// not read at base but can in theirs: added since, or brought within their
// clearance since, they read them at a later version than the one their
// sheet names. An id theirs holds above them is never one.
func (s Settings) LaterParagraphs(clearance string, base, theirs, mine *Sheet) map[string]bool {
	bv, _ := s.VisibleSheet(clearance, base)
	tv, _ := s.VisibleSheet(clearance, theirs)
	later := laterIDs(bv, tv)
	out := map[string]bool{}
	for id := range ParagraphIDs(mine) {
		if later[id] {
			out[id] = true
		}
	}
	return out
}

// laterIDs are the paragraph ids a reader sees in tv and did not in bv.
func laterIDs(bv, tv *Sheet) map[string]bool {
	known, out := ParagraphIDs(bv), map[string]bool{}
	for id := range ParagraphIDs(tv) {
		if !known[id] {
			out[id] = true
		}
	}
	return out
}

// firstShown gives each paragraph of mine (M) read after base (an id of
// later) as it first showed to the writer in sheets, the stored versions
// after base, oldest first: its base in the merge, named in a section of
// base as M's and theirs' paragraphs are (sectionKeys), and the version it
// showed in. Only what the writer sees is read.
func firstShown(s Settings, clearance string, bv *Sheet, M *side, later map[string]bool, sheets []*Sheet) (map[string]paraState, map[string]int) {
	want := 0
	for id := range M.paras {
		if later[id] {
			want++
		}
	}
	first, at := map[string]paraState{}, map[string]int{}
	for _, sh := range sheets {
		if len(first) == want {
			break
		}
		if sh == nil {
			continue
		}
		sv, ok := s.VisibleSheet(clearance, sh)
		if !ok {
			continue
		}
		var keys []string
		for i, sec := range sv.Sections {
			for _, p := range sec.Paragraphs {
				if _, done := first[p.ID]; done || !later[p.ID] {
					continue
				}
				if _, inM := M.paras[p.ID]; !inM {
					continue
				}
				if keys == nil {
					keys = sectionKeys(bv, sv)
				}
				first[p.ID], at[p.ID] = paraState{keys[i], p}, sh.Version
			}
		}
	}
	return first, at
}

// allGone reports whether every paragraph of a section the writer saw is
// gone from them since: its heading is then shown as it was no more than
// they are, whether they were deleted or raised. A section holding none,
// which they see whatever its paragraphs' markings, is not.
func allGone(sec *Section, gone func(id string) bool) bool {
	for _, p := range sec.Paragraphs {
		if !gone(p.ID) {
			return false
		}
	}
	return len(sec.Paragraphs) > 0
}

// changesSince counts the paragraphs added, changed, moved or deleted from
// base to theirs, but for those mine holds alike (the same words, marking
// and withholding in the same section) or deleted too: a change made on
// both sides, such as a save sent again, is not one kept beside mine.
func changesSince(b, t, m *side) int {
	n := 0
	for id, tp := range t.paras {
		if bp, ok := b.paras[id]; ok && sameContent(bp.p, tp.p) && bp.sec == tp.sec {
			continue
		}
		if mp, ok := m.paras[id]; ok && sameContent(mp.p, tp.p) && mp.sec == tp.sec {
			continue
		}
		n++
	}
	for id := range b.paras {
		_, inT := t.paras[id]
		_, inM := m.paras[id]
		if !inT && inM {
			n++
		}
	}
	return n
}

// sameAdditions pairs each new paragraph of mine (a provisional id, see
// MergeSheet) with a paragraph theirs added since base, one the writer sees
// that base did not show them and mine does not hold, in the same section
// and the same in words, marking and withholding: the same addition made on
// both sides, most often the writer's own save sent again after it was
// stored. They are paired one to one, in order, in each section, so two
// alike in mine match two alike in theirs and a third is new. Only what the
// writer sees is compared: a paragraph above them, which they cannot have
// typed, is never paired, and so tells them nothing. It returns mine's ids
// and theirs' for them.
func sameAdditions(b, t, m *side) map[string]string {
	out := map[string]string{}
	for _, k := range m.keys {
		var added []string // theirs' additions in this section, in order, not yet paired
		for _, id := range t.order[k] {
			_, inB := b.paras[id]
			_, inM := m.paras[id]
			if !inB && !inM {
				added = append(added, id)
			}
		}
		for _, id := range m.order[k] {
			if !strings.HasPrefix(id, "new:") {
				continue
			}
			for x, tid := range added {
				if sameContent(m.paras[id].p, t.paras[tid].p) {
					out[id] = tid
					added = append(added[:x], added[x+1:]...)
					break
				}
			}
		}
	}
	return out
}

// mergeOrder merges two edits of a sequence of unique keys: the side that
// reordered what both had keeps its order (mine when both did), and each
// side's additions go after the key they followed on that side. A key of
// base that the order's side deleted stays deleted unless kept says the
// merge keeps it (the other side changed it): then it goes, as an addition
// does, after the key it followed on the other side.
func mergeOrder(base, theirs, mine []string, kept func(string) bool) []string {
	skeleton, other := theirs, mine
	if reordered(base, mine) {
		skeleton, other = mine, theirs
	}
	out := append([]string(nil), skeleton...)
	in := map[string]bool{}
	for _, k := range out {
		in[k] = true
	}
	inBase := map[string]bool{}
	for _, k := range base {
		inBase[k] = true
	}
	for i, k := range other {
		if in[k] || (inBase[k] && !kept(k)) {
			continue // kept or deleted by the skeleton's side
		}
		// After the nearest key before it on its side that is placed, else first.
		at := 0
		for x := i - 1; x >= 0; x-- {
			if pos := indexOf(out, other[x]); pos >= 0 {
				at = pos + 1
				break
			}
		}
		out = append(out[:at], append([]string{k}, out[at:]...)...)
		in[k] = true
	}
	return out
}

// reordered reports whether a side changed the relative order of the keys it
// shares with base.
func reordered(base, edited []string) bool {
	inEdited := map[string]bool{}
	for _, k := range edited {
		inEdited[k] = true
	}
	inBase := map[string]bool{}
	var a []string
	for _, k := range base {
		inBase[k] = true
		if inEdited[k] {
			a = append(a, k)
		}
	}
	var b []string
	for _, k := range edited {
		if inBase[k] {
			b = append(b, k)
		}
	}
	return strings.Join(a, "\x00") != strings.Join(b, "\x00")
}

func indexOf(list []string, k string) int {
	for i, x := range list {
		if x == k {
			return i
		}
	}
	return -1
}

// theirsSeen is theirs as the writer sees it (tv, when tok), for the merge:
// its sections, their keys, and the section of theirs each one is. A
// section of theirs the writer now sees none of (what they saw of it was
// deleted since) is still there, empty to them, when it is a section of
// base they saw: the merge must not take it for deleted, which would drop a
// rename of the writer's and put its hidden paragraphs back in a section of
// their own beside the writer's copy of it. Unless it was renamed since: its
// new name was given to a section the writer could not see, and the merge
// must neither name it in a conflict nor put it over what the writer adds
// there, so to the writer it is deleted, and its hidden paragraphs keep it.
// Only a paragraph hidden from the writer at base too holds a section so:
// one they saw there was raised above them since, which to them is one
// deleted since, and a section left holding only such paragraphs is to
// them deleted, as it would be had they been deleted: its heading is not
// theirs to change.
func theirsSeen(s Settings, clearance string, base, bv *Sheet, bok bool, theirs, tv *Sheet, tok bool) (*Sheet, []string, []int) {
	keys := sectionKeys(bv, tv)
	named := map[string]bool{}
	for _, k := range keys {
		named[k] = true
	}
	shown := shownAt(s, clearance, theirs)
	if !tok {
		for i := range shown {
			shown[i] = -1
		}
	}
	var bAt []int
	inBase := map[string]int{} // paragraph id → its section in base
	seen := ParagraphIDs(bv)   // what the writer saw at base
	if bok {
		bAt = shownAt(s, clearance, base)
		for bi, sec := range base.Sections {
			for _, p := range sec.Paragraphs {
				inBase[p.ID] = bi
			}
		}
	}
	out := *tv
	out.Sections = nil
	var outKeys []string
	var from []int
	for ti, tsec := range theirs.Sections {
		if x := shown[ti]; x >= 0 {
			out.Sections, outKeys, from = append(out.Sections, tv.Sections[x]), append(outKeys, keys[x]), append(from, ti)
			continue
		}
		for _, p := range tsec.Paragraphs {
			bi, ok := inBase[p.ID]
			if !ok || bAt[bi] < 0 || base.Sections[bi].Kind != tsec.Kind || seen[p.ID] {
				// One the writer saw at base and does not now was raised
				// above them since: to them it was deleted, and keeps its
				// section for them no more than a deleted one would.
				continue
			}
			if tsec.Heading != base.Sections[bi].Heading {
				// Renamed since the writer last saw any of it: the name is
				// as hidden as what is left under it. To the writer the
				// section is gone; keepHidden puts it back, on its own.
				break
			}
			if k := baseKey(bAt[bi]); !named[k] {
				named[k] = true
				out.Sections = append(out.Sections, Section{Kind: tsec.Kind, Heading: tsec.Heading, Paragraphs: []Paragraph{}})
				outKeys, from = append(outKeys, k), append(from, ti)
			}
			break
		}
	}
	return &out, outKeys, from
}

// shownAt gives each section of sh its index in the reader's view of it,
// or -1 for a section VisibleSheet leaves out (see SeesSection).
func shownAt(s Settings, clearance string, sh *Sheet) []int {
	at, n := make([]int, len(sh.Sections)), 0
	for i := range sh.Sections {
		at[i] = -1
		if s.SeesSection(clearance, &sh.Sections[i]) {
			at[i] = n
			n++
		}
	}
	return at
}

// keepHidden puts back into a merged sheet every paragraph of theirs above
// the writer's clearance, byte for byte, in the section the merge made of
// its section (tkeys and okeys name the sections of theirs and of out alike,
// so a section either side renamed is still its section), after the
// paragraph it followed in theirs (the nearest one still there), or first in
// its section. A section the merge no longer has — the writer deleted what
// they saw of it, or saw none of it — is put back as it was, its own
// section, after the section it followed, never merged into another of the
// same heading. One that a save's cleaning leaves with no words (a
// paragraph an earlier release stored as control characters alone) is not
// put back: it has nothing to keep, and kept it would refuse every save of
// the sheet by a writer who cannot see it to delete it.
func keepHidden(s Settings, clearance string, theirs *Sheet, tkeys []string, out *Sheet, okeys []string) {
	okeys = append([]string(nil), okeys...)
	keyOf := func(ti int) string {
		if tkeys[ti] != "" {
			return tkeys[ti]
		}
		return fmt.Sprintf("hidden#%d", ti)
	}
	for ti, tsec := range theirs.Sections {
		for tj, p := range tsec.Paragraphs {
			if s.Allows(clearance, p.Marking) || strings.TrimSpace(CleanText(p.Text)) == "" {
				continue
			}
			oi := indexOf(okeys, keyOf(ti))
			if oi < 0 {
				// Recreate the section after the nearest earlier section of theirs still there.
				at := 0
				for x := ti - 1; x >= 0; x-- {
					if pos := indexOf(okeys, keyOf(x)); pos >= 0 {
						at = pos + 1
						break
					}
				}
				sec := Section{Kind: tsec.Kind, Heading: tsec.Heading, Paragraphs: []Paragraph{}}
				out.Sections = append(out.Sections[:at], append([]Section{sec}, out.Sections[at:]...)...)
				okeys = append(okeys[:at], append([]string{keyOf(ti)}, okeys[at:]...)...)
				oi = at
			}
			osec := &out.Sections[oi]
			at := 0
			for x := tj - 1; x >= 0; x-- {
				prev := tsec.Paragraphs[x].ID
				found := -1
				for y, q := range osec.Paragraphs {
					if q.ID == prev {
						found = y
					}
				}
				if found >= 0 {
					at = found + 1
					break
				}
			}
			osec.Paragraphs = append(osec.Paragraphs[:at], append([]Paragraph{p}, osec.Paragraphs[at:]...)...)
		}
	}
}

// ownerOf is the owner a writer's sheet names: base's when it names none.
func ownerOf(mine, base *Sheet) string {
	if mine.OwnerID == "" {
		return base.OwnerID
	}
	return mine.OwnerID
}

// CheckMergedCounts holds a merged sheet, as its writer sees it, to the
// limits their own sheet was held to (see ValidateAsSeen), for what others
// saved since their version and the merge added: each section they see at
// most MaxParagraphs, or no more than the section of mine or of theirs its
// paragraphs came from held, each marking they may see at most
// MaxParagraphs a section, and at most MaxSections sections seen, or no
// more than mine or theirs held. Only what the writer sees is counted, and
// a section is named by its place in mine, so the answer says nothing of
// what is hidden from them. mine is the sheet as they sent it.
func (s Settings) CheckMergedCounts(clearance string, merged, mine, theirs *Sheet) error {
	mv, ok := s.VisibleSheet(clearance, merged)
	if !ok {
		return nil
	}
	tv, ok := s.VisibleSheet(clearance, theirs)
	if !ok {
		tv = &Sheet{}
	}
	mineAt, theirsAt := map[string]int{}, map[string]int{}
	for i, sec := range mine.Sections {
		for _, p := range sec.Paragraphs {
			if _, dup := mineAt[p.ID]; p.ID != "" && !dup {
				mineAt[p.ID] = i
			}
		}
	}
	for i, sec := range tv.Sections {
		for _, p := range sec.Paragraphs {
			theirsAt[p.ID] = i
		}
	}
	fe := fieldErrors{}
	if n := len(mv.Sections); n > max(MaxSections, len(mine.Sections), len(tv.Sections)) {
		fe.add("sections", "must have at most %d sections: with those saved since your version it would have %d", MaxSections, n)
	}
	for _, sec := range mv.Sections {
		allowed, at := MaxParagraphs, -1
		for _, p := range sec.Paragraphs {
			var i, j int
			if _, err := fmt.Sscanf(p.ID, "new:%d:%d", &i, &j); err == nil && i < len(mine.Sections) {
				// A paragraph new in mine, named by its place there (see MergeSheet).
			} else if x, ok := mineAt[p.ID]; ok {
				i = x
			} else {
				i = -1
			}
			if i >= 0 {
				allowed = max(allowed, len(mine.Sections[i].Paragraphs))
				if at < 0 {
					at = i
				}
			}
			if x, ok := theirsAt[p.ID]; ok {
				allowed = max(allowed, len(tv.Sections[x].Paragraphs))
			}
		}
		f := "sections"
		if at >= 0 {
			f = fmt.Sprintf("sections[%d].paragraphs", at)
		}
		if n := len(sec.Paragraphs); n > allowed {
			fe.add(f, "must have at most %d paragraphs: with those saved since your version it would have %d", MaxParagraphs, n)
		}
		if m := s.crowdedMarking(sec, clearance); m != "" {
			fe.add(f, "must have at most %d paragraphs marked %s: with those saved since your version it would have more", MaxParagraphs, m)
		}
	}
	return fe.err("topic sheet")
}

// cleanedSheet is sh with its texts cleaned as a save cleans them
// (CleanText): sh itself when none needs it, else a copy.
func cleanedSheet(sh *Sheet) *Sheet {
	if sh == nil || !sheetUnclean(sh) {
		return sh
	}
	c := sh.Clone()
	c.cleanTexts()
	return c
}

// sheetUnclean tells a sheet one of whose texts a save would clean.
func sheetUnclean(sh *Sheet) bool {
	found := false
	sh.eachText(func(t *string) { found = found || strings.ContainsFunc(*t, unclean) })
	return found
}
