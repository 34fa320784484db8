package briefing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// WordOp is one run of a word-level diff: "=" kept, "-" removed, "+" added.
type WordOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the work of one word-level comparison (the cells of
// its table, words × words); past it a change is shown as the old text
// removed and the new added.
const maxDiffCells = 4_000_000

// maxSheetDiffCells bounds the word-level work of one DiffSheets over all
// its paragraphs together: a few of the largest paragraphs, or some hundreds
// of ordinary ones. Past it, a paragraph that changed is shown replaced
// whole (its old text removed, its new added) rather than word by word.
const maxSheetDiffCells = 32_000_000

// DiffWords compares two texts word by word (each word with the space
// after it), merging runs of the same kind.
func DiffWords(a, b string) []WordOp {
	x, y := tokens(a), tokens(b)
	if len(x)*len(y) > maxDiffCells {
		return wholeWords(a, b)
	}
	var t table
	return t.diffTokens(x, y)
}

// wholeWords is a change shown as the old text removed and the new added.
func wholeWords(a, b string) []WordOp {
	var ops []WordOp
	if a != "" {
		ops = append(ops, WordOp{Op: "-", Text: a})
	}
	if b != "" {
		ops = append(ops, WordOp{Op: "+", Text: b})
	}
	return ops
}

// diffTokens is the word diff of two token sequences.
func (t *table) diffTokens(x, y []string) []WordOp {
	var ops []WordOp
	add := func(op, text string) {
		if text == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Op == op {
			ops[n-1].Text += text
			return
		}
		ops = append(ops, WordOp{Op: op, Text: text})
	}
	xs, ys := intern(x, y)
	for _, e := range t.lcs(xs, ys) {
		switch e.op {
		case '=':
			add("=", x[e.i])
		case '-':
			add("-", x[e.i])
		case '+':
			add("+", y[e.j])
		}
	}
	return ops
}

// tokens splits text into words, each keeping the spaces that follow it.
func tokens(s string) []string {
	var out []string
	start := 0
	inSpace := false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if inSpace && !sp {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// intern numbers the strings of two sequences, equal numbers for equal
// strings, so that comparing them costs one integer comparison.
func intern(x, y []string) ([]int32, []int32) {
	ids := make(map[string]int32, len(x))
	num := func(s []string) []int32 {
		out := make([]int32, len(s))
		for i, v := range s {
			id, ok := ids[v]
			if !ok {
				id = int32(len(ids))
				ids[v] = id
			}
			out[i] = id
		}
		return out
	}
	return num(x), num(y)
}

type edit struct {
	op   byte
	i, j int
}

// lcs returns the edit script turning x into y by a longest common
// subsequence. Where several are longest it prefers, walking from the
// start, a match, then a removal, then an addition.
func lcs(x, y []int32) []edit {
	var t table
	return t.lcs(x, y)
}

// table is the scratch space of lcs, kept to be used again by the
// comparisons of one diff.
type table struct {
	t16 []int16
	t32 []int32
}

// lcs is the package's lcs in t's space. The common prefix is matched
// without a table (the walk would match it anyway), and the table of the
// rest holds 16-bit counts when they fit.
func (t *table) lcs(x, y []int32) []edit {
	out := make([]edit, 0, max(len(x), len(y)))
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		out = append(out, edit{'=', p, p})
		p++
	}
	if min(len(x), len(y))-p < math.MaxInt16 {
		return lcsScript(&t.t16, out, x, y, p)
	}
	return lcsScript(&t.t32, out, x, y, p)
}

// lcsScript appends to out the script of x[p:] against y[p:], its table in buf.
func lcsScript[T int16 | int32](buf *[]T, out []edit, x, y []int32, p int) []edit {
	a, b := x[p:], y[p:]
	n, m := len(a), len(b)
	w := m + 1
	if cap(*buf) < (n+1)*w {
		*buf = make([]T, (n+1)*w)
	}
	t := (*buf)[:(n+1)*w]
	// Every cell is written before it is read but those of the last row
	// and column, which are nought.
	clear(t[n*w:])
	for i := n - 1; i >= 0; i-- {
		lcsRow(t[i*w:(i+1)*w], t[(i+1)*w:(i+2)*w], a[i], b)
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, edit{'=', p + i, p + j})
			i, j = i+1, j+1
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			out = append(out, edit{'-', p + i, p + j})
			i++
		default:
			out = append(out, edit{'+', p + i, p + j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, edit{'-', p + i, p + j})
	}
	for ; j < m; j++ {
		out = append(out, edit{'+', p + i, p + j})
	}
	return out
}

// lcsLen is the length of a longest common subsequence of x and y, in
// space linear in y.
func lcsLen(x, y []int32) int {
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		p++
	}
	a, b := x[p:], y[p:]
	row, next := make([]int32, len(b)+1), make([]int32, len(b)+1)
	for i := len(a) - 1; i >= 0; i-- {
		lcsRow(row, next, a[i], b)
		row, next = next, row
	}
	return p + int(next[0])
}

// lcsRow fills row with the lengths of a longest common subsequence of
// ai and what follows it against each suffix of b (row[j] for b[j:]),
// from next, the same for what follows ai alone.
func lcsRow[T int16 | int32](row, next []T, ai int32, b []int32) {
	row[len(b)] = 0
	for j := len(b) - 1; j >= 0; j-- {
		switch {
		case ai == b[j]:
			row[j] = next[j+1] + 1
		case next[j] >= row[j+1]:
			row[j] = next[j]
		default:
			row[j] = row[j+1]
		}
	}
}

// Paragraph changes.
const (
	ChangeAdded     = "added"
	ChangeRemoved   = "removed"
	ChangeChanged   = "changed"
	ChangeUnchanged = "unchanged"
)

// ParagraphChange is what happened to one paragraph between two texts of a
// sheet. Index is its place in the newer section (or the older, if removed).
type ParagraphChange struct {
	Section string   `json:"section"`
	Index   int      `json:"index"`
	Change  string   `json:"change"`
	Before  string   `json:"before,omitempty"`
	After   string   `json:"after,omitempty"`
	Words   []WordOp `json:"words,omitempty"`
	// SectionAt is the place of the paragraph's section in the newer
	// sheet, -1 for a paragraph removed with its section: sections of one
	// heading are told apart by it, never by their heading.
	SectionAt int `json:"-"`
}

// DiffSheets compares two texts of a topic sheet paragraph by paragraph.
// Sections are paired as a merge pairs them (see sectionKeys: by the
// paragraphs they share, a paragraph being the same one when it keeps its
// id or was rolled forward from it; by kind, custom ones by heading; and
// sections of one kind or heading in order). A paragraph of cur is the
// same as one of prev when it has its id or was rolled forward from it;
// the others are paired by their texts, in their section by a longest
// common subsequence, then anywhere in the sheet. A paragraph moved, within
// its section or to another, is no change; one paired by its id whose text
// differs is changed, a change of its marking or withholding alone is not
// (a reader re-reads what changed for its words). Of the paragraphs left, a
// removed and an added one at the same place that share half their words
// are shown as one changed paragraph with a word-level diff. The word-level
// work is bounded over the whole sheet (maxSheetDiffCells): past the
// bound, such a pair is shown as the paragraph removed and the new one
// added, and a paragraph paired by its id is shown replaced whole.
func DiffSheets(prev, cur *Sheet) []ParagraphChange {
	label := func(s Section) string {
		if s.Heading != "" {
			return s.Heading
		}
		return s.Kind
	}
	d := &differ{budget: maxSheetDiffCells}
	of := matchSections(sectionsToPair(prev, cur))
	m := d.matchParagraphs(prev, cur, of)
	paired := make([]bool, len(prev.Sections))
	var out []ParagraphChange
	for si, s := range cur.Sections {
		bi := of[si]
		var before []Paragraph
		var xs []int32
		if bi >= 0 {
			before, xs, paired[bi] = prev.Sections[bi].Paragraphs, m.prev[bi], true
		}
		out = append(out, d.diffParagraphs(label(s), si, before, s.Paragraphs, xs, m.cur[si], m)...)
	}
	for bi, s := range prev.Sections {
		if !paired[bi] {
			out = append(out, d.diffParagraphs(label(s), -1, s.Paragraphs, nil, m.prev[bi], nil, m)...)
		}
	}
	return out
}

// place is a paragraph's place in a sheet: its section's, and its own in it.
type place struct{ s, j int }

// pairing is which paragraphs of two texts of a sheet are the same one:
// each paragraph has a number, shared by the two of a pair and by no other.
type pairing struct {
	old       *Sheet
	prev, cur [][]int32       // by section, by paragraph
	from      map[int32]place // a pair's number → the older paragraph's place
}

// prevText is the text of the older sheet's paragraph at p.
func (m *pairing) prevText(p place) string { return m.old.Sections[p.s].Paragraphs[p.j].Text }

// matched reports whether the paragraph numbered n is one of a pair.
func (m *pairing) matched(n int32) bool {
	_, ok := m.from[n]
	return ok
}

// matchParagraphs pairs the paragraphs of prev and cur (see DiffSheets),
// of giving the section of prev paired with each of cur's, or -1.
func (d *differ) matchParagraphs(prev, cur *Sheet, of []int) *pairing {
	m := &pairing{old: prev, from: map[int32]place{}}
	n := int32(0)
	number := func(sh *Sheet) [][]int32 {
		out := make([][]int32, len(sh.Sections))
		for i, s := range sh.Sections {
			out[i] = make([]int32, len(s.Paragraphs))
			for j := range s.Paragraphs {
				n++
				out[i][j] = n
			}
		}
		return out
	}
	m.prev, m.cur = number(prev), number(cur)
	pair := func(b, c place) {
		k := m.prev[b.s][b.j]
		m.cur[c.s][c.j] = k
		m.from[k] = b
	}
	paired := func(c place) bool { return m.matched(m.cur[c.s][c.j]) }
	// By id: kept, or rolled forward from.
	byID := map[string]place{}
	for i, s := range prev.Sections {
		for j, p := range s.Paragraphs {
			if p.ID != "" {
				byID[p.ID] = place{i, j}
			}
		}
	}
	for i, s := range cur.Sections {
		for j, p := range s.Paragraphs {
			for _, id := range []string{p.ID, p.OriginID} {
				if b, ok := byID[id]; ok && id != "" && !m.matched(m.prev[b.s][b.j]) {
					pair(b, place{i, j})
					break
				}
			}
		}
	}
	// By text, in the section paired.
	for si, bi := range of {
		if bi < 0 {
			continue
		}
		var xs, ys []place
		var xt, yt []string
		for j, p := range prev.Sections[bi].Paragraphs {
			if !m.matched(m.prev[bi][j]) {
				xs, xt = append(xs, place{bi, j}), append(xt, p.Text)
			}
		}
		for j, p := range cur.Sections[si].Paragraphs {
			if !paired(place{si, j}) {
				ys, yt = append(ys, place{si, j}), append(yt, p.Text)
			}
		}
		a, b := intern(xt, yt)
		for _, e := range d.lcs(a, b) {
			if e.op == '=' {
				pair(xs[e.i], ys[e.j])
			}
		}
	}
	// By text, anywhere: moved out of order, or to another section.
	left := map[string][]place{}
	for i, s := range prev.Sections {
		for j, p := range s.Paragraphs {
			if !m.matched(m.prev[i][j]) {
				left[p.Text] = append(left[p.Text], place{i, j})
			}
		}
	}
	for i, s := range cur.Sections {
		for j, p := range s.Paragraphs {
			if q := left[p.Text]; len(q) > 0 && !paired(place{i, j}) {
				pair(q[0], place{i, j})
				left[p.Text] = q[1:]
			}
		}
	}
	return m
}

// sectionsToPair are the two sheets as matchSections pairs their sections
// for a diff: a custom section's heading in lower case and trimmed, and a
// paragraph of cur rolled forward from one of prev (its OriginID) under that
// one's id; a paragraph without an id is one of its own.
func sectionsToPair(prev, cur *Sheet) (*Sheet, *Sheet) {
	ids := map[string]bool{}
	for _, s := range prev.Sections {
		for _, p := range s.Paragraphs {
			ids[p.ID] = true
		}
	}
	n := 0
	copyOf := func(sh *Sheet, id func(p Paragraph) string) *Sheet {
		out := &Sheet{Sections: make([]Section, len(sh.Sections))}
		for i, s := range sh.Sections {
			c := Section{Kind: s.Kind, Heading: s.Heading, Paragraphs: make([]Paragraph, len(s.Paragraphs))}
			if s.Kind == SectionCustom {
				c.Heading = strings.ToLower(strings.TrimSpace(s.Heading))
			}
			for j, p := range s.Paragraphs {
				if c.Paragraphs[j].ID = id(p); c.Paragraphs[j].ID == "" {
					n++
					c.Paragraphs[j].ID = "\x00" + strconv.Itoa(n)
				}
			}
			out.Sections[i] = c
		}
		return out
	}
	a := copyOf(prev, func(p Paragraph) string { return p.ID })
	b := copyOf(cur, func(p Paragraph) string {
		switch {
		case p.ID != "" && ids[p.ID]:
			return p.ID
		case p.OriginID != "" && ids[p.OriginID]:
			return p.OriginID
		}
		return ""
	})
	return a, b
}

// differ is the state of one DiffSheets: what is left of its budget of
// cells for word-level comparisons, and their scratch space.
type differ struct {
	budget int
	table
}

// diffParagraphs compares the paragraphs of a section, the at-th of the
// newer sheet (-1 for a section removed), xs and ys numbering them as m
// pairs them. A paragraph paired with one elsewhere is not removed here,
// and is no change where it went unless its text changed.
func (d *differ) diffParagraphs(section string, at int, a, b []Paragraph, xs, ys []int32, m *pairing) []ParagraphChange {
	var out []ParagraphChange
	var removed, added []ParagraphChange
	var moved []bool // of added: a paragraph paired elsewhere
	flush := func() {
		k := 0
		for x, ad := range added {
			switch {
			case moved[x]:
				out = append(out, ad)
			case k < len(removed):
				if words := d.changedWords(removed[k].Before, ad.After); words != nil {
					out = append(out, ParagraphChange{Section: section, SectionAt: at, Index: ad.Index, Change: ChangeChanged,
						Before: removed[k].Before, After: ad.After, Words: words})
				} else {
					out = append(out, removed[k], ad)
				}
				k++
			default:
				out = append(out, ad)
			}
		}
		out = append(out, removed[k:]...)
		removed, added, moved = nil, nil, nil
	}
	// same is a paragraph of b paired with one of a, its text the same or changed.
	same := func(j int, before string) ParagraphChange {
		if after := b[j].Text; after != before {
			return ParagraphChange{Section: section, SectionAt: at, Index: j, Change: ChangeChanged,
				Before: before, After: after, Words: d.words(before, after)}
		}
		return ParagraphChange{Section: section, SectionAt: at, Index: j, Change: ChangeUnchanged, Before: before, After: b[j].Text}
	}
	for _, e := range d.lcs(xs, ys) {
		switch e.op {
		case '=':
			flush()
			out = append(out, same(e.j, a[e.i].Text))
		case '-':
			if !m.matched(xs[e.i]) {
				removed = append(removed, ParagraphChange{Section: section, SectionAt: at, Index: e.i, Change: ChangeRemoved, Before: a[e.i].Text})
			}
		case '+':
			if from, ok := m.from[ys[e.j]]; ok {
				// Moved here from elsewhere in the sheet.
				prev := m.prevText(from)
				added, moved = append(added, same(e.j, prev)), append(moved, true)
			} else {
				added = append(added, ParagraphChange{Section: section, SectionAt: at, Index: e.j, Change: ChangeAdded, After: b[e.j].Text})
				moved = append(moved, false)
			}
		}
	}
	flush()
	return out
}

// changedWords is the word diff of a removed and an added paragraph when
// they share at least half their words, nil when they do not, or when
// telling (or then diffing them) would cost more than is left of the budget.
func (d *differ) changedWords(a, b string) []WordOp {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) == 0 || len(y) == 0 || len(x)*len(y) > maxDiffCells || len(x)*len(y) > d.budget {
		return nil
	}
	xs, ys := intern(x, y)
	// At most as many words in common as the two share counting repeats:
	// too few, and no table is needed to say no.
	count := map[int32]int{}
	for _, w := range xs {
		count[w]++
	}
	shared := 0
	for _, w := range ys {
		if count[w] > 0 {
			count[w]--
			shared++
		}
	}
	need := max(len(x), len(y))
	if 2*shared < need {
		return nil
	}
	if !d.spend(len(xs), len(ys)) {
		return nil
	}
	if 2*lcsLen(xs, ys) < need {
		return nil
	}
	tx, ty := tokens(a), tokens(b)
	if len(tx)*len(ty) > maxDiffCells {
		return wholeWords(a, b)
	}
	if !d.spend(len(tx), len(ty)) {
		return nil
	}
	return d.diffTokens(tx, ty)
}

// words is the word diff of two texts of one paragraph, or the old text
// removed and the new added when that would cost more than is left of the
// budget.
func (d *differ) words(a, b string) []WordOp {
	tx, ty := tokens(a), tokens(b)
	if len(tx)*len(ty) > maxDiffCells || !d.spend(len(tx), len(ty)) {
		return wholeWords(a, b)
	}
	return d.diffTokens(tx, ty)
}

// spend takes the cells of an n × m table from the budget, false (taking
// nothing) when fewer are left.
func (d *differ) spend(n, m int) bool {
	if n*m > d.budget {
		return false
	}
	d.budget -= n * m
	return true
}

// String shows a paragraph change for logs and tests.
func (c ParagraphChange) String() string {
	return fmt.Sprintf("%s[%d] %s", c.Section, c.Index, c.Change)
}
