package briefing_test

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"briefpack/briefing"
)

// largeDiffSheets is the heavy case: 100 paragraphs of 2,000 words, every
// other word changed between the two texts.
func largeDiffSheets() (*briefing.Sheet, *briefing.Sheet) {
	var a, b []briefing.Paragraph
	for p := 0; p < 100; p++ {
		var x, y strings.Builder
		for w := 0; w < 2000; w++ {
			fmt.Fprintf(&x, "p%dw%d ", p, w)
			if w%2 == 0 {
				fmt.Fprintf(&y, "p%dw%d ", p, w)
			} else {
				fmt.Fprintf(&y, "p%dv%d ", p, w)
			}
		}
		a = append(a, briefing.Paragraph{Text: x.String()})
		b = append(b, briefing.Paragraph{Text: y.String()})
	}
	return &briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: a}}},
		&briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: b}}}
}

// TestDiffSheets_Bounded: the word-level work of one diff is bounded over
// the whole sheet; past the bound a paragraph is shown replaced whole, the
// old text removed and the new added, and nothing is lost from either.
func TestDiffSheets_Bounded(t *testing.T) {
	a, b := largeDiffSheets()
	changes := briefing.DiffSheets(a, b)
	words, whole := 0, 0
	removed, added := map[string]bool{}, map[string]bool{}
	for _, ch := range changes {
		switch ch.Change {
		case briefing.ChangeChanged:
			words++
			var before, after string
			for _, op := range ch.Words {
				if op.Op != "+" {
					before += op.Text
				}
				if op.Op != "-" {
					after += op.Text
				}
			}
			if before != ch.Before || after != ch.After {
				t.Fatalf("word diff of paragraph %d does not rebuild its texts", ch.Index)
			}
			removed[ch.Before], added[ch.After] = true, true
		case briefing.ChangeRemoved:
			whole++
			removed[ch.Before] = true
		case briefing.ChangeAdded:
			added[ch.After] = true
		default:
			t.Fatalf("unexpected %v", ch)
		}
	}
	if words == 0 {
		t.Fatal("no paragraph was compared word by word")
	}
	if words == 100 || whole == 0 {
		t.Fatalf("all %d paragraphs compared word by word: the work is unbounded", words)
	}
	if words+whole != 100 || len(removed) != 100 || len(added) != 100 {
		t.Fatalf("%d changed + %d replaced, %d old texts, %d new", words, whole, len(removed), len(added))
	}
}

// TestDiffSheets_SameAsBefore: for sheets of ordinary size the bounded diff
// answers exactly as the plain longest-common-subsequence one did.
func TestDiffSheets_SameAsBefore(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vocab := strings.Fields("the a of and to in is that we our partner cyber security dialogue round sheet officer interference assessment  policy")
	text := func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(vocab[rng.Intn(len(vocab))])
			switch rng.Intn(12) {
			case 0:
				sb.WriteString("  ")
			case 1:
				sb.WriteString("\n")
			default:
				sb.WriteString(" ")
			}
		}
		return sb.String()
	}
	mutate := func(s string) string {
		w := strings.Fields(s)
		for k := rng.Intn(4); k > 0 && len(w) > 0; k-- {
			i := rng.Intn(len(w))
			switch rng.Intn(3) {
			case 0:
				w = append(w[:i], w[i+1:]...)
			case 1:
				w[i] = vocab[rng.Intn(len(vocab))]
			default:
				w = append(w[:i], append([]string{vocab[rng.Intn(len(vocab))]}, w[i:]...)...)
			}
		}
		return strings.Join(w, " ")
	}
	for iter := 0; iter < 300; iter++ {
		var a, b []briefing.Paragraph
		for p := rng.Intn(12); p > 0; p-- {
			a = append(a, briefing.Paragraph{Text: text(rng.Intn(60))})
		}
		for _, p := range a {
			switch rng.Intn(5) {
			case 0: // removed
			case 1:
				b = append(b, briefing.Paragraph{Text: mutate(p.Text)})
			case 2:
				b = append(b, briefing.Paragraph{Text: text(rng.Intn(60))}, p)
			default:
				b = append(b, p)
			}
		}
		sa := &briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: a}}}
		sb := &briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: b}}}
		got, want := briefing.DiffSheets(sa, sb), refDiffSheets(sa, sb)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d:\n got %+v\nwant %+v", iter, got, want)
		}
		for _, p := range b {
			x := text(rng.Intn(80))
			if got, want := briefing.DiffWords(x, p.Text), refDiffWords(x, p.Text); !reflect.DeepEqual(got, want) {
				t.Fatalf("iteration %d: DiffWords(%q, %q)\n got %+v\nwant %+v", iter, x, p.Text, got, want)
			}
			m := mutate(p.Text)
			if got, want := briefing.DiffWords(p.Text, m), refDiffWords(p.Text, m); !reflect.DeepEqual(got, want) {
				t.Fatalf("iteration %d: DiffWords(%q, %q)\n got %+v\nwant %+v", iter, p.Text, m, got, want)
			}
		}
	}
}

// BenchmarkDiffSheets_Large is the heavy case of TestDiffSheets_Bounded.
func BenchmarkDiffSheets_Large(b *testing.B) {
	x, y := largeDiffSheets()
	b.ReportAllocs()
	for b.Loop() {
		briefing.DiffSheets(x, y)
	}
}

// BenchmarkDiffSheets_Ordinary is a sheet of 40 paragraphs of 120 words,
// a word changed in every fourth.
func BenchmarkDiffSheets_Ordinary(b *testing.B) {
	var pa, pb []briefing.Paragraph
	for p := 0; p < 40; p++ {
		var w []string
		for i := 0; i < 120; i++ {
			w = append(w, fmt.Sprintf("word%d", (p*7+i*13)%97))
		}
		pa = append(pa, briefing.Paragraph{Text: strings.Join(w, " ")})
		if p%4 == 0 {
			w[60] = "changed"
		}
		pb = append(pb, briefing.Paragraph{Text: strings.Join(w, " ")})
	}
	x := &briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: pa}}}
	y := &briefing.Sheet{Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: pb}}}
	b.ReportAllocs()
	for b.Loop() {
		briefing.DiffSheets(x, y)
	}
}

// The diff as it was before its work was bounded: the reference for
// ordinary sizes.

const refMaxDiffCells = 4_000_000

func refDiffWords(a, b string) []briefing.WordOp {
	x, y := refTokens(a), refTokens(b)
	var ops []briefing.WordOp
	add := func(op, text string) {
		if text == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Op == op {
			ops[n-1].Text += text
			return
		}
		ops = append(ops, briefing.WordOp{Op: op, Text: text})
	}
	if len(x)*len(y) > refMaxDiffCells {
		add("-", a)
		add("+", b)
		return ops
	}
	for _, e := range refLCS(len(x), len(y), func(i, j int) bool { return x[i] == y[j] }) {
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

func refTokens(s string) []string {
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

type refEdit struct {
	op   byte
	i, j int
}

func refLCS(n, m int, eq func(i, j int) bool) []refEdit {
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
	var out []refEdit
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case eq(i, j):
			out = append(out, refEdit{'=', i, j})
			i, j = i+1, j+1
		case t[i+1][j] >= t[i][j+1]:
			out = append(out, refEdit{'-', i, j})
			i++
		default:
			out = append(out, refEdit{'+', i, j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, refEdit{'-', i, j})
	}
	for ; j < m; j++ {
		out = append(out, refEdit{'+', i, j})
	}
	return out
}

func refDiffSheets(prev, cur *briefing.Sheet) []briefing.ParagraphChange {
	key := func(s briefing.Section) string {
		if s.Kind == briefing.SectionCustom {
			return "custom:" + strings.ToLower(strings.TrimSpace(s.Heading))
		}
		return s.Kind
	}
	label := func(s briefing.Section) string {
		if s.Heading != "" {
			return s.Heading
		}
		return s.Kind
	}
	old := map[string]briefing.Section{}
	for _, s := range prev.Sections {
		if _, dup := old[key(s)]; !dup {
			old[key(s)] = s
		}
	}
	var out []briefing.ParagraphChange
	seen := map[string]bool{}
	for _, s := range cur.Sections {
		k := key(s)
		if seen[k] {
			out = append(out, refDiffParagraphs(label(s), nil, s.Paragraphs)...)
			continue
		}
		seen[k] = true
		out = append(out, refDiffParagraphs(label(s), old[k].Paragraphs, s.Paragraphs)...)
	}
	for _, s := range prev.Sections {
		if !seen[key(s)] {
			seen[key(s)] = true
			out = append(out, refDiffParagraphs(label(s), s.Paragraphs, nil)...)
		}
	}
	return out
}

func refDiffParagraphs(section string, a, b []briefing.Paragraph) []briefing.ParagraphChange {
	var out []briefing.ParagraphChange
	var removed, added []briefing.ParagraphChange
	flush := func() {
		k := 0
		for ; k < len(removed) && k < len(added); k++ {
			if refSimilar(removed[k].Before, added[k].After) {
				out = append(out, briefing.ParagraphChange{Section: section, Index: added[k].Index, Change: briefing.ChangeChanged,
					Before: removed[k].Before, After: added[k].After, Words: refDiffWords(removed[k].Before, added[k].After)})
			} else {
				out = append(out, removed[k], added[k])
			}
		}
		out = append(out, removed[k:]...)
		out = append(out, added[k:]...)
		removed, added = nil, nil
	}
	for _, e := range refLCS(len(a), len(b), func(i, j int) bool { return a[i].Text == b[j].Text }) {
		switch e.op {
		case '=':
			flush()
			out = append(out, briefing.ParagraphChange{Section: section, Index: e.j, Change: briefing.ChangeUnchanged, Before: a[e.i].Text, After: b[e.j].Text})
		case '-':
			removed = append(removed, briefing.ParagraphChange{Section: section, Index: e.i, Change: briefing.ChangeRemoved, Before: a[e.i].Text})
		case '+':
			added = append(added, briefing.ParagraphChange{Section: section, Index: e.j, Change: briefing.ChangeAdded, After: b[e.j].Text})
		}
	}
	flush()
	return out
}

func refSimilar(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) == 0 || len(y) == 0 || len(x)*len(y) > refMaxDiffCells {
		return false
	}
	common := 0
	for _, e := range refLCS(len(x), len(y), func(i, j int) bool { return x[i] == y[j] }) {
		if e.op == '=' {
			common++
		}
	}
	return 2*common >= max(len(x), len(y))
}
