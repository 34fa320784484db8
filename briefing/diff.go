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

// DiffSheets compares two texts of a topic sheet paragraph by paragraph:
// sections are paired as a merge pairs them (see sectionKeys: by the
// paragraphs they share, a paragraph being the same one when it keeps its
// id or was rolled forward from it; by kind, custom ones by heading; and
// sections of one kind or heading in order), paragraphs within them by a
// longest common subsequence of their texts, and a removed and an added
// paragraph at the same place that share half their words are shown as one
// changed paragraph with a word-level diff. The word-level work is bounded
// over the whole sheet (maxSheetDiffCells): past the bound, such a pair is
// shown as the paragraph removed and the new one added.
func DiffSheets(prev, cur *Sheet) []ParagraphChange {
	label := func(s Section) string {
		if s.Heading != "" {
			return s.Heading
		}
		return s.Kind
	}
	of := matchSections(sectionsToPair(prev, cur))
	paired := make([]bool, len(prev.Sections))
	d := &differ{budget: maxSheetDiffCells}
	var out []ParagraphChange
	for si, s := range cur.Sections {
		var before []Paragraph
		if bi := of[si]; bi >= 0 {
			before, paired[bi] = prev.Sections[bi].Paragraphs, true
		}
		out = append(out, diffParagraphs(label(s), si, before, s.Paragraphs, d)...)
	}
	for bi, s := range prev.Sections {
		if !paired[bi] {
			out = append(out, diffParagraphs(label(s), -1, s.Paragraphs, nil, d)...)
		}
	}
	return out
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
// newer sheet (-1 for a section removed).
func diffParagraphs(section string, at int, a, b []Paragraph, d *differ) []ParagraphChange {
	var out []ParagraphChange
	var removed, added []ParagraphChange
	flush := func() {
		k := 0
		for ; k < len(removed) && k < len(added); k++ {
			if words := d.changedWords(removed[k].Before, added[k].After); words != nil {
				out = append(out, ParagraphChange{Section: section, SectionAt: at, Index: added[k].Index, Change: ChangeChanged,
					Before: removed[k].Before, After: added[k].After, Words: words})
			} else {
				out = append(out, removed[k], added[k])
			}
		}
		out = append(out, removed[k:]...)
		out = append(out, added[k:]...)
		removed, added = nil, nil
	}
	texts := func(ps []Paragraph) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Text
		}
		return out
	}
	xs, ys := intern(texts(a), texts(b))
	for _, e := range d.lcs(xs, ys) {
		switch e.op {
		case '=':
			flush()
			out = append(out, ParagraphChange{Section: section, SectionAt: at, Index: e.j, Change: ChangeUnchanged, Before: a[e.i].Text, After: b[e.j].Text})
		case '-':
			removed = append(removed, ParagraphChange{Section: section, SectionAt: at, Index: e.i, Change: ChangeRemoved, Before: a[e.i].Text})
		case '+':
			added = append(added, ParagraphChange{Section: section, SectionAt: at, Index: e.j, Change: ChangeAdded, After: b[e.j].Text})
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
