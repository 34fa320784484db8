package briefing

import (
	"fmt"
	"regexp"
	"strings"
)

// Segment is a run of paragraph text: plain when Ground is empty, else words
// withheld on release under Ground.
type Segment struct {
	Text   string
	Ground string
}

// ParseSpans splits paragraph text into plain segments and withheld spans
// written "{{s6(a): the withheld words}}". Grounds are matched without regard
// to case and returned in the jurisdiction's spelling. An unterminated or
// nested "{{", a stray "}}", a span without a ground, an empty span or a
// ground outside the jurisdiction's list is an EINVALID error, so a slip is
// caught when the paragraph is saved, never when a release is exported.
func (s Settings) ParseSpans(text string) ([]Segment, error) {
	var segs []Segment
	rest := text
	for {
		open := strings.Index(rest, "{{")
		close := strings.Index(rest, "}}")
		if close >= 0 && (open < 0 || close < open) {
			return nil, Errorf(EINVALID, "a withheld span closes with \"}}\" at character %d without opening \"{{\"", len(text)-len(rest)+close+1)
		}
		if open < 0 {
			if rest != "" {
				segs = append(segs, Segment{Text: rest})
			}
			return segs, nil
		}
		if open > 0 {
			segs = append(segs, Segment{Text: rest[:open]})
		}
		at := len(text) - len(rest) + open + 1
		body := rest[open+2:]
		end := strings.Index(body, "}}")
		if end < 0 {
			return nil, Errorf(EINVALID, "the withheld span opened at character %d is not closed with \"}}\"", at)
		}
		if strings.Contains(body[:end], "{{") {
			return nil, Errorf(EINVALID, "withheld spans cannot be nested (span opened at character %d)", at)
		}
		inner := body[:end]
		colon := strings.Index(inner, ":")
		if colon < 0 {
			return nil, Errorf(EINVALID, "the withheld span at character %d needs a ground: {{%s: words}}", at, s.Grounds[0])
		}
		ground := s.NormalizeGround(inner[:colon])
		if ground == "" {
			return nil, Errorf(EINVALID, "the withheld span at character %d cites %q, which is not a ground under the %s (use one of %s)",
				at, strings.TrimSpace(inner[:colon]), s.Act, strings.Join(s.Grounds, ", "))
		}
		words := strings.TrimSpace(inner[colon+1:])
		if words == "" {
			return nil, Errorf(EINVALID, "the withheld span at character %d is empty", at)
		}
		segs = append(segs, Segment{Text: words, Ground: ground})
		rest = body[end+2:]
	}
}

// Plain returns text with every span written out as its words, for search and
// for readers of the full edition who see the words.
func (s Settings) Plain(text string) string {
	segs, err := s.ParseSpans(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	for _, sg := range segs {
		b.WriteString(sg.Text)
	}
	return b.String()
}

// Redact returns text with every withheld span replaced by its ground, the
// release form of a paragraph released in part; a link whose destination
// (or title) held a withheld span is released as its label alone. A ground
// in a destination would be no leak, but its parentheses end the
// destination early ("https://example.org/s6(a))" keeps a stray ")") and
// break the Markdown, and an address with a ground in it points nowhere;
// the HTML pack shows no address in any case, and the workbook then shows
// none either. It fails closed: text that does not parse yields an error,
// never the text.
func (s Settings) Redact(text string) (string, []string, error) {
	segs, err := s.ParseSpans(text)
	if err != nil {
		return "", nil, err
	}
	out, grounds, _, _ := redactSegments(text, segs)
	return out, grounds, nil
}

// redactSegments is Redact of text parsed into segs, with the place in
// the redacted text of each ground it holds, in order (a ground in a link
// released as its label alone is not in it).
func redactSegments(text string, segs []Segment) (string, []string, [][2]int, []int) {
	if len(segs) == 1 && segs[0].Ground == "" {
		return segs[0].Text, nil, nil, nil // nothing withheld: the text as it is, not a copy
	}
	// out is the redacted text; mask, only for a text that may hold a
	// link, is the same text with each ground written as as many x's, so
	// that a ground's parentheses do not end a destination while links are
	// looked for, and each ground's place in out is known.
	linked := strings.Contains(text, "](")
	var out, mask strings.Builder
	var grounds []string
	var at [][2]int
	for _, sg := range segs {
		if sg.Ground == "" {
			out.WriteString(sg.Text)
			if linked {
				mask.WriteString(sg.Text)
			}
			continue
		}
		at = append(at, [2]int{out.Len(), out.Len() + len(sg.Ground)})
		out.WriteString(sg.Ground)
		if linked {
			mask.WriteString(strings.Repeat("x", len(sg.Ground)))
		}
		grounds = append(grounds, sg.Ground)
	}
	red, m := out.String(), mask.String()
	if !linked || !strings.Contains(m, "](") {
		return red, grounds, at, nil // no link: most text
	}
	red, at, cuts := labelsOnly(red, m, at)
	return red, grounds, at, cuts
}

// labelsOnly returns text with each link whose destination or title
// overlaps one of the withheld places at replaced by its label, the places
// of at still in it, where they are now, and where each label so released
// begins and ends in it: the text around a label was not one piece with it
// before (a span's words were between them), and is not read as one
// (ReleaseParagraph). mask is text with each withheld place written as
// x's, where links are looked for.
func labelsOnly(text, mask string, at [][2]int) (string, [][2]int, []int) {
	var b strings.Builder
	last := 0
	// kept are the pieces of text copied: where each began in text and
	// where in b; a place (never across a piece's end: a place is x's, a
	// label's and a link's bounds are not) is in one or in none.
	var kept [][3]int
	var cuts []int
	keep := func(from, to int) {
		kept = append(kept, [3]int{from, to, b.Len()})
		b.WriteString(text[from:to])
	}
	for _, l := range linkRE.FindAllStringSubmatchIndex(mask, -1) {
		dest, end := l[4], l[1]
		if escaped(mask, l[0]) {
			continue // "\[label](…)" is text, not a link
		}
		withheld := false
		for _, g := range at {
			if g[0] < end && g[1] > dest {
				withheld = true
				break
			}
		}
		if !withheld {
			continue
		}
		keep(last, l[0])
		cuts = append(cuts, b.Len())
		keep(l[2], l[3])
		cuts = append(cuts, b.Len())
		last = end
	}
	keep(last, len(text))
	var moved [][2]int
	for _, g := range at {
		for _, k := range kept {
			if k[0] <= g[0] && g[1] <= k[1] {
				moved = append(moved, [2]int{g[0] - k[0] + k[2], g[1] - k[0] + k[2]})
				break
			}
		}
	}
	return b.String(), moved, cuts
}

// escaped reports whether the character at i is escaped: preceded by an odd
// number of backslashes.
func escaped(s string, i int) bool {
	n := 0
	for i > 0 && s[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

// UnlinkWithheld returns text with each link whose destination (or title)
// holds a withheld span replaced by its label, its spans kept: the full
// edition's form of such a link, as Redact's is the release's. The HTML
// pack shows no address in any case, and a span's ground, with its
// parentheses, would end the destination early and break the Markdown.
// Text that does not parse is returned as it is.
func (s Settings) UnlinkWithheld(text string) string {
	if !strings.Contains(text, "](") || !strings.Contains(text, "{{") {
		return text
	}
	segs, err := s.ParseSpans(text)
	if err != nil {
		return text
	}
	var out, mask strings.Builder
	var at [][2]int
	for _, sg := range segs {
		if sg.Ground == "" {
			out.WriteString(sg.Text)
			mask.WriteString(sg.Text)
			continue
		}
		span := "{{" + sg.Ground + ": " + sg.Text + "}}"
		at = append(at, [2]int{out.Len(), out.Len() + len(span)})
		out.WriteString(span)
		mask.WriteString(strings.Repeat("x", len(span)))
	}
	unlinked, _, _ := labelsOnly(out.String(), mask.String(), at)
	return unlinked
}

// linkRE matches an inline Markdown link or image, "[label](destination)"
// or with a title, "[label](destination "title")": group 1 is the label,
// group 2 the destination and title.
var linkRE = regexp.MustCompile(`!?\[((?:\\.|[^\[\]\\])*)\]\((\s*(?:<[^<>\n]*>|[^\s()]*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*)\)`)

// spanError wraps a span parsing error with the paragraph it was found in.
func spanError(where string, err error) string {
	return fmt.Sprintf("%s: %s", where, ErrorMessage(err))
}
