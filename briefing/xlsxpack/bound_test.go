package xlsxpack_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"briefpack/briefing"
	"briefpack/briefing/xlsxpack"
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// boundTokens are what a cell adds to the Markdown, or could: link forms
// (a reference link defined on a line of its own, repeating a long
// address, among them), autolinks and email addresses (opened before a
// withheld span and closed after it too), escapes and whitespace after
// them, brackets a withheld span escapes, entities, list markers, block
// marks, the word joiner, emoji.
var boundTokens = []string{
	"a", "word", " ", " ", "\n", "\r\n", "\t", "[", "]", "(", ")", "<", ">", "@", ":", "\\", "\\ ", "\\\n", "\\>",
	"[t](http://x.test/a_b)", "[t](<http://x.test> \"title\")", "![alt](img.png)", "^[note]", "[^1]", "[x][r]", "[r]",
	"\n[r]: http://example.org/" + strings.Repeat("a", 60) + "\n", "\n   [r]: <http://x.test/long-long-long>\n",
	"<http://x.test/" + strings.Repeat("b", 30) + ">", "<a@b.c>", "<mailto:a@b.c>", "</http://x>", "<a:b>", "<a@b@c>",
	"http://bare.test", "{{s6(a): ", "}}", "{{S9(2)(B)(II): ", "&amp;", "&nGt;", "&#x1F600;", "&NoBreak;", "&copy",
	"<http://x.test/{{s6(a): w}}", "<a{{s6(c): w}}", "x>",
	"**", "*", "_", "`", "~~", "- ", "1) ", "|", "---", "===", ": ", "> ", "# ", "    ", "```", "\u2060", "😀", "é",
}

// randomParagraph is a paragraph of boundTokens with any marking and
// withholding.
func randomParagraph(s briefing.Settings, rng *rand.Rand, n int) briefing.Paragraph {
	var b strings.Builder
	for range n {
		b.WriteString(boundTokens[rng.IntN(len(boundTokens))])
	}
	p := briefing.Paragraph{Text: b.String(), Marking: s.Markings[rng.IntN(len(s.Markings))]}
	if rng.IntN(3) == 0 {
		p.Withhold = s.Grounds[rng.IntN(len(s.Grounds))]
	}
	return p
}

// boundsNoLessThanCells fails t if a bound a save takes for one of a
// paragraph's cells is short of the cell as rendered: the full edition's
// longest (its sheet's worksheet), the release edition's, and the longest
// of the two, which the save holds to the limit. It reports whether the
// paragraph's spans parse.
func boundsNoLessThanCells(t *testing.T, s briefing.Settings, p briefing.Paragraph) bool {
	t.Helper()
	if xlsxpack.SheetTextBound(s, p) == math.MaxInt {
		return false
	}
	for _, c := range []struct {
		name  string
		bound func(briefing.Settings, briefing.Paragraph) int
		text  func(briefing.Settings, briefing.Paragraph) string
	}{
		{"sheet", xlsxpack.SheetTextBound, xlsxpack.SheetText},
		{"release", xlsxpack.ReleaseTextBound, xlsxpack.ReleaseText},
		{"longest", xlsxpack.CellTextBound, xlsxpack.CellText},
	} {
		if bound, cell := c.bound(s, p), units(c.text(s, p)); bound < cell {
			t.Fatalf("%q marked %s withheld %q: %s bound %d, cell %d", p.Text, p.Marking, p.Withhold, c.name, bound, cell)
		}
	}
	return true
}

// TestSheetTextBound_NoLessThanTheCell: the bound a save takes for a
// paragraph's longest cell, so as not to render it, is never short of the
// cell as rendered, whatever the paragraph holds: a bound short of it
// would let an over-long cell through. The release edition's cell is held
// so too: a save that bounded the full edition's alone took a paragraph
// whose release cell, redacted into one text, formed an autolink and was
// past the limit.
func TestSheetTextBound_NoLessThanTheCell(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	rng := rand.New(rand.NewPCG(11, 12))
	checked := 0
	for i := range 40000 {
		if boundsNoLessThanCells(t, s, randomParagraph(s, rng, 1+rng.IntN(8+i%60))) {
			checked++
		}
	}
	if checked < 10000 {
		t.Errorf("only %d paragraphs with spans that parse", checked)
	}
}

// FuzzSheetTextBound is TestSheetTextBound_NoLessThanTheCell for any text.
func FuzzSheetTextBound(f *testing.F) {
	s, _ := briefing.SettingsFor("nz")
	for _, seed := range boundTokens {
		f.Add(seed, "")
	}
	f.Add("[x][r] [x][r]\n[r]: http://example.org/aaaa", "s6(a)")
	f.Add("{{s6(a): [[<a@b.c>]]}} <http://x.test\\ a>", "s9(2)(h)")
	f.Add("<http://x.test/{{s6(a): w}}aaaa>", "")
	f.Fuzz(func(t *testing.T, text, withhold string) {
		if len(text) > 5000 || s.NormalizeGround(withhold) != withhold && withhold != "" {
			return
		}
		boundsNoLessThanCells(t, s, briefing.Paragraph{Text: text, Marking: "RESTRICTED", Withhold: withhold})
	})
}

// TestReleaseText_AsTheFullEdition: a paragraph's cell in the release
// edition is its cell in the full edition with each withheld span,
// "[s6(a): words]" there, replaced by its ground, whatever Markdown is
// around the span. Read as one text, the release formed what the full
// edition's segments, each read on its own, did not: "<http://x.test/" and
// "aaa>" about a span an autolink, its address shown twice (a cell past
// the limit the save held the full edition's to), "<a" and "@b.c>" a tag,
// its words dropped. A link whose address holds a span is released as its
// label (briefing.Redact), and left aside here.
func TestReleaseText_AsTheFullEdition(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	rng := rand.New(rand.NewPCG(13, 14))
	plain := slices.DeleteFunc(slices.Clone(boundTokens), func(tok string) bool {
		return strings.Contains(tok, "{{") || strings.Contains(tok, "}}")
	})
	checked := 0
	for i := range 20000 {
		var b, red strings.Builder
		var grounds []string
		for range 1 + rng.IntN(4+i%40) {
			if rng.IntN(5) == 0 {
				g := s.Grounds[rng.IntN(len(s.Grounds))]
				b.WriteString("{{" + g + ": withheld}}")
				red.WriteString(g)
				grounds = append(grounds, g)
				continue
			}
			tok := plain[rng.IntN(len(plain))]
			b.WriteString(tok)
			red.WriteString(tok)
		}
		p := briefing.Paragraph{Text: b.String(), Marking: "RESTRICTED"}
		if r, _, err := s.Redact(p.Text); err != nil || r != red.String() {
			continue // a link released as its label
		}
		checked++
		want := xlsxpack.TopicText(s, p)
		for _, g := range grounds {
			want = strings.Replace(want, "["+g+": withheld]", g, 1)
		}
		if got := xlsxpack.ReleaseText(s, p); got != want {
			t.Fatalf("%q is released\n%q, not as the full edition shows it\n%q", p.Text, got, want)
		}
	}
	if checked < 10000 {
		t.Errorf("only %d paragraphs checked", checked)
	}
	for text, want := range map[string]string{
		"<http://x.test/{{s6(a): w}}aaaa>": "<http://x.test/s6(a)aaaa>",
		"<a{{s6(a): w}}@b.c> and more":     "<as6(a)@b.c> and more",
		"**open {{s6(a): w}} close**":      "**open s6(a) close**", // no pair in a segment of the full edition
	} {
		if got := xlsxpack.ReleaseText(s, briefing.Paragraph{Text: text, Marking: "RESTRICTED"}); got != want {
			t.Errorf("%q is released %q, not %q", text, got, want)
		}
	}
}

// TestSheetTextBound_Skips: the paragraphs whose Markdown costs the
// parser most, thousands of unmatched "[", have a bound within the
// limit where their cell is (a save does not render them), and one that
// is not is past it.
func TestSheetTextBound_Skips(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	for _, tc := range []struct {
		p    briefing.Paragraph
		fits bool
	}{
		{briefing.Paragraph{Text: strings.Repeat("[", 20000), Marking: "TOP SECRET", Withhold: "s9(2)(b)(ii)"}, true},
		{briefing.Paragraph{Text: strings.Repeat("[](", 6666), Marking: "RESTRICTED"}, true},
		{briefing.Paragraph{Text: strings.Repeat("😀", 16381) + "!", Marking: "RESTRICTED"}, true}, // at the limit
		{briefing.Paragraph{Text: "{{s6(a): " + strings.Repeat("[", 16380) + "}}", Marking: "RESTRICTED"}, false},
	} {
		bound, cell := xlsxpack.SheetTextBound(s, tc.p), units(xlsxpack.SheetText(s, tc.p))
		if fits := bound <= briefing.MaxCellText; fits != tc.fits || bound < cell {
			t.Errorf("%.20q…: bound %d, cell %d", tc.p.Text, bound, cell)
		}
	}
}
