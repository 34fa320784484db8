package briefing

import (
	"fmt"
	"strings"
	"unicode"
)

// WordOp is one run of a word-level diff: "=" kept, "-" removed, "+" added.
type WordOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the work of one diff; past it a change is shown as
// the old text removed and the new added.
const maxDiffCells = 4_000_000

// DiffWords compares two texts word by word (each word with the space
// after it), merging runs of the same kind.
func DiffWords(a, b string) []WordOp {
	x, y := tokens(a), tokens(b)
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
	if len(x)*len(y) > maxDiffCells {
		add("-", a)
		add("+", b)
		return ops
	}
	for _, e := range lcs(len(x), len(y), func(i, j int) bool { return x[i] == y[j] }) {
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

type edit struct {
	op   byte
	i, j int
}

// lcs returns the edit script turning a sequence of n into one of m by a
// longest common subsequence.
func lcs(n, m int, eq func(i, j int) bool) []edit {
	t := make([][]int32, n+1)
	for i := range t {
		t[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq(i, j) {
				t[i][j] = t[i+1][j+1] + 1
			} else if t[i+1][j] >= t[i][j+1] {
				t[i][j] = t[i+1][j]
			} else {
				t[i][j] = t[i][j+1]
			}
		}
	}
	var out []edit
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case eq(i, j):
			out = append(out, edit{'=', i, j})
			i, j = i+1, j+1
		case t[i+1][j] >= t[i][j+1]:
			out = append(out, edit{'-', i, j})
			i++
		default:
			out = append(out, edit{'+', i, j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, edit{'-', i, j})
	}
	for ; j < m; j++ {
		out = append(out, edit{'+', i, j})
	}
	return out
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
}

// DiffSheets compares two texts of a topic sheet paragraph by paragraph:
// sections are matched by kind (custom ones by heading), paragraphs within
// them by a longest common subsequence of their texts, and a removed and an
// added paragraph at the same place that share half their words are shown
// as one changed paragraph with a word-level diff.
func DiffSheets(prev, cur *Sheet) []ParagraphChange {
	key := func(s Section) string {
		if s.Kind == SectionCustom {
			return "custom:" + strings.ToLower(strings.TrimSpace(s.Heading))
		}
		return s.Kind
	}
	label := func(s Section) string {
		if s.Heading != "" {
			return s.Heading
		}
		return s.Kind
	}
	old := map[string]Section{}
	for _, s := range prev.Sections {
		if _, dup := old[key(s)]; !dup {
			old[key(s)] = s
		}
	}
	var out []ParagraphChange
	seen := map[string]bool{}
	for _, s := range cur.Sections {
		k := key(s)
		if seen[k] {
			out = append(out, diffParagraphs(label(s), nil, s.Paragraphs)...)
			continue
		}
		seen[k] = true
		out = append(out, diffParagraphs(label(s), old[k].Paragraphs, s.Paragraphs)...)
	}
	for _, s := range prev.Sections {
		if !seen[key(s)] {
			seen[key(s)] = true
			out = append(out, diffParagraphs(label(s), s.Paragraphs, nil)...)
		}
	}
	return out
}

func diffParagraphs(section string, a, b []Paragraph) []ParagraphChange {
	var out []ParagraphChange
	var removed, added []ParagraphChange
	flush := func() {
		k := 0
		for ; k < len(removed) && k < len(added); k++ {
			if similar(removed[k].Before, added[k].After) {
				out = append(out, ParagraphChange{Section: section, Index: added[k].Index, Change: ChangeChanged,
					Before: removed[k].Before, After: added[k].After, Words: DiffWords(removed[k].Before, added[k].After)})
			} else {
				out = append(out, removed[k], added[k])
			}
		}
		out = append(out, removed[k:]...)
		out = append(out, added[k:]...)
		removed, added = nil, nil
	}
	for _, e := range lcs(len(a), len(b), func(i, j int) bool { return a[i].Text == b[j].Text }) {
		switch e.op {
		case '=':
			flush()
			out = append(out, ParagraphChange{Section: section, Index: e.j, Change: ChangeUnchanged, Before: a[e.i].Text, After: b[e.j].Text})
		case '-':
			removed = append(removed, ParagraphChange{Section: section, Index: e.i, Change: ChangeRemoved, Before: a[e.i].Text})
		case '+':
			added = append(added, ParagraphChange{Section: section, Index: e.j, Change: ChangeAdded, After: b[e.j].Text})
		}
	}
	flush()
	return out
}

// similar reports whether two paragraphs share at least half their words.
func similar(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) == 0 || len(y) == 0 || len(x)*len(y) > maxDiffCells {
		return false
	}
	common := 0
	for _, e := range lcs(len(x), len(y), func(i, j int) bool { return x[i] == y[j] }) {
		if e.op == '=' {
			common++
		}
	}
	return 2*common >= max(len(x), len(y))
}

// String shows a paragraph change for logs and tests.
func (c ParagraphChange) String() string {
	return fmt.Sprintf("%s[%d] %s", c.Section, c.Index, c.Change)
}
