package htmlpack_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/packtest"
)

// workTexts are paragraphs of n bytes of marks the Markdown reader reads
// the rest of the text again for.
var workTexts = []struct {
	name string
	text func(n int) string
}{
	{"Brackets", units("[")},
	{"NestedBrackets", func(n int) string { return strings.Repeat("[", n/2) + strings.Repeat("]", n/2) }},
	{"LinkAddresses", units("[a](")},
	{"EmphasisIntoBrackets", units("*a [")},
	{"Ampersands", units("&")},
	{"Addresses", units("<http://a.b/")},
	{"Comments", units("<!--")},
	{"Backticks", func(n int) string { return strings.Repeat("`", n/2) + strings.Repeat("a", n/2) }},
	{"CodeFences", units("```a\n\n")},
	{"CodeFencesInAQuotation", units("> ~~~~")},
	{"HTMLBlocks", units("<div>\n\n")},
}

// units is unit repeated to n bytes.
func units(unit string) func(n int) string {
	return func(n int) string { return strings.Repeat(unit, n/len(unit)) }
}

// longestAccepted is text at the longest a save accepts, at most a
// paragraph's length.
func longestAccepted(s briefing.Settings, text func(n int) string) string {
	lo, hi := 0, briefing.MaxParagraphText
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.MarkdownTooSlow(text(mid)) == "" {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return text(lo)
}

// BenchmarkWarm_MarkdownWork renders a paragraph as a save does, in both
// editions (Warm), from a cold cache: prose as long as a paragraph may be;
// each kind of mark at the longest a save accepts (Accepted); and at a
// paragraph's length, which a save refuses now and took the reader a
// tenth of a second to over half a second a render before (Refused). The
// floor is the bare libraries on the prose.
func BenchmarkWarm_MarkdownWork(b *testing.B) {
	s := settings(b)
	warm := func(text string) func(b *testing.B) {
		return func(b *testing.B) {
			p := briefing.Paragraph{ID: "p1", Text: text, Marking: "RESTRICTED"}
			for b.Loop() {
				htmlpack.ClearCache()
				htmlpack.Warm(s, p)
			}
		}
	}
	prose := strings.Repeat("The delegation will raise cooperation on cyber policy and regional security. ", 259)
	b.Run("Prose", warm(prose))
	b.Run("FloorProse", func(b *testing.B) {
		for b.Loop() {
			packtest.FloorParagraph(prose)
		}
	})
	for _, tc := range workTexts {
		b.Run("Accepted/"+tc.name, warm(longestAccepted(s, tc.text)))
	}
	for _, tc := range workTexts {
		b.Run("Refused/"+tc.name, warm(tc.text(briefing.MaxParagraphText)))
	}
}
