package briefing_test

import (
	"fmt"
	"strings"
	"testing"

	"briefpack/briefing"
)

// repeat is unit repeated to as many bytes as fit in n.
func repeat(unit string, n int) string { return strings.Repeat(unit, n/len(unit)) }

// slowMarkdown are paragraphs of marks the Markdown reader reads to the
// end of the text for, again for each: each took it from 0.1 s to half a
// second or more to render, at each save and in each pack, and any desk
// officer could send one. Each is within the limits a paragraph had
// (20,000 characters, a spreadsheet cell), and is refused, saying what
// to change.
var slowMarkdown = []struct {
	name, text, says string
}{
	{"Brackets", repeat("[", 20000), `holds 20,000 "[" that no "]" closes`},
	{"Images", repeat("![", 20000), `"[" that no "]" closes`},
	{"NestedBrackets", repeat("[", 10000) + repeat("]", 10000), "brackets inside brackets 10,000 deep"},
	{"BracketsAfterWords", repeat("a [", 20000), `"[" that no "]" closes`},
	{"EmphasisIntoBrackets", repeat("*a [", 20000), `"[" that no "]" closes`},
	{"LinkAddresses", repeat("[a](", 20000), `links whose address, after "](", no ")" ends`},
	{"References", repeat("[a][", 20000), `"[" that no "]" closes`},
	{"BracketsOverBackslashes", "[[[[" + repeat(`\`, 19996), `a run of 19,996 "\" between brackets`},
	{"Ampersands", repeat("&", 20000), `"&" among letters and digits`},
	{"CharacterNumbers", repeat("&#1", 20000), `"&" among letters and digits`},
	{"Addresses", repeat("<http://a.b/", 20000), `"<" that no ">" ends`},
	{"Comments", repeat("<!--", 20000), `"<!--" that no "-->" ends`},
	{"Backticks", repeat("`", 10000) + repeat("a", 10000), "\"`\" that no matching \"`\" closes"},
	{"CodeFences", repeat("```a\n\n", 20000), `"~~~" that may open a block of code`},
	{"CodeFencesInAQuotation", "> " + repeat("~~~~> ", 19998), `"~~~" that may open a block of code`},
	{"HTMLBlocks", repeat("<div>\n\n", 20000), `lines beginning with an HTML tag such as "<div>"`},
	// The release edition reads the ground in place of the withheld
	// words, and the "]" inside them with them.
	{"BracketsClosedByWithheldWords", repeat("[{{s6(a): x]}}", 20000), `"[" that no "]" closes`},
}

// ordinaryMarkdown are paragraphs a briefing holds, some as long as a
// paragraph may be and full of marks, none of which may be refused.
var ordinaryMarkdown = []string{
	repeat("The delegation will raise cooperation on cyber policy and regional security. ", 20000),
	repeat("Our **deepest** cooperation, _as agreed_, continues; see [the statement](https://example.org/statement \"Joint statement\"). ", 20000),
	repeat("Commitment [3.01] and [2] [withheld] [sic] — ", 20000),
	repeat("- **Cyber:** `CERT NZ` & R&D at <5% of GDP, x<y, a > b.\n", 20000),
	"> A quotation.\n>\n> ```\n> code\n> ```\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n" +
		repeat("- The delegation will raise cooperation on cyber policy.\n", 19000),
	repeat("日本とオーストラリアのサイバー政策対話（第2回）[注] ", 19000),
	repeat("We are aware of activity {{s6(a): in the [named] sector}}, and [others](https://example.org/{{s6(a): x}}). ", 20000),
	// A long paragraph with a few marks left open by a slip.
	"[Draft: " + repeat("The delegation will raise cooperation on cyber policy. ", 19000) + " [check *this* <b> & `that",
}

// TestSheet_ValidateMarkdownWork: a paragraph whose Markdown would set the
// reader looking through the rest of the text again for each of many marks
// is refused, at any save, saying which marks and what to change; the
// paragraphs a briefing holds are not.
func TestSheet_ValidateMarkdownWork(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, tc := range slowMarkdown {
		t.Run(tc.name, func(t *testing.T) {
			if n := len([]rune(tc.text)); n > briefing.MaxParagraphText {
				t.Fatalf("%d characters: refused as too long, not for its Markdown", n)
			}
			sh := sheet()
			sh.Sections[1].Paragraphs = append(sh.Sections[1].Paragraphs, briefing.Paragraph{Text: tc.text, Marking: "RESTRICTED"})
			msg := briefing.ErrorFields(sh.Validate(nz))["sections[1].paragraphs[1].text"]
			if !strings.HasPrefix(msg, "section 2, paragraph 2 holds ") || !strings.Contains(msg, tc.says) || !strings.Contains(msg, "lay out quickly: ") {
				t.Errorf("%q", msg)
			}
		})
	}
	for i, text := range ordinaryMarkdown {
		t.Run(fmt.Sprintf("Ordinary%d", i), func(t *testing.T) {
			sh := sheet()
			sh.Sections[1].Paragraphs[0].Text = text
			if err := sh.Validate(nz); err != nil {
				t.Errorf("%.60q: %v", text, briefing.ErrorFields(err))
			}
		})
	}
}

// TestSheet_ValidateAsSeenMarkdownWork: a paragraph stored before the
// limit on its Markdown, whose text its writer left as it was, is kept, as
// a paragraph stored past the cell's limit is: it may be hidden from
// them, and its marking or withholding may change. Its text edited, it is
// held to the limit.
func TestSheet_ValidateAsSeenMarkdownWork(t *testing.T) {
	nz := mustSettings(t, "nz")
	slow := repeat("[", 20000)
	seen := sheet()
	seen.Sections[0].Paragraphs[0] = briefing.Paragraph{ID: "p1", Text: slow, Marking: "RESTRICTED"}
	for _, tc := range []struct {
		name   string
		change func(p *briefing.Paragraph)
		kept   bool
	}{
		{"Untouched", func(*briefing.Paragraph) {}, true},
		{"Marked", func(p *briefing.Paragraph) { p.Marking = "SECRET" }, true},
		{"Withheld", func(p *briefing.Paragraph) { p.Withhold = "s6(a)" }, true},
		{"Edited", func(p *briefing.Paragraph) { p.Text = "[" + p.Text[2:] }, false},
		{"New", func(p *briefing.Paragraph) { p.ID = "" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := seen.Clone()
			tc.change(&sh.Sections[0].Paragraphs[0])
			msg := briefing.ErrorFields(sh.ValidateAsSeen(nz, seen))["sections[0].paragraphs[0].text"]
			if tc.kept != !strings.Contains(msg, `"[" that no "]" closes`) {
				t.Errorf("kept %v: %q", tc.kept, msg)
			}
		})
	}
}

// FuzzMarkdownTooSlow: the limit is read from any text, and at least
// once for each of its bytes.
func FuzzMarkdownTooSlow(f *testing.F) {
	nz, err := briefing.SettingsFor("nz")
	if err != nil {
		f.Fatal(err)
	}
	for _, tc := range slowMarkdown {
		f.Add(tc.text[:200])
	}
	for _, text := range ordinaryMarkdown {
		f.Add(text[:200])
	}
	f.Add("[a](b 'c') ![d][e] <http://f> <g@h.i> <!-- j --> &amp; `k` ```\nl\n```\n> ~~~\n\\[\\")
	f.Fuzz(func(t *testing.T, text string) {
		why := nz.MarkdownTooSlow(text)
		if len(text) > briefing.MaxMarkdownWork && why == "" {
			t.Errorf("%d bytes: not read once each", len(text))
		}
	})
}
