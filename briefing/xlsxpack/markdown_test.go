package xlsxpack

import (
	"html"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing/htmlpack"
)

// plain is the text of rich text runs.
func plain(runs []excelize.RichTextRun) string {
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

var (
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	listItem = regexp.MustCompile(`^[0-9]+[.)]( |$)`)
)

// htmlText is a paragraph's text as the HTML pack shows it.
func htmlText(md string) string {
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(string(htmlpack.Markdown(md)), "")))
}

// TestMarkdownRuns_AsTheHTMLPack: a cell shows a paragraph's words as the
// HTML pack does, every mark dropped or kept as it is there: an asterisk
// between digits is multiplication, an underscore inside a word is part of
// it, an escaped star is a star; a cell edited and imported keeps them.
func TestMarkdownRuns_AsTheHTMLPack(t *testing.T) {
	cases := []string{
		"Multiply 2*3*4 equals 24.", "Under __init__ and 3__4__5", "a *b* c", "a _b_ c", "a**b**c", "a __b__ c",
		"snake_case_name here", "*lead* words", "x * y * z", "the file_name_ and_", "**bold** and *em*", "2**3**4",
		"_a_b", "a_b_", "use `code_x` now", "price $5*2", "a*b c* d", "end with *em*.", "(*em*)", "**a *b* c**",
		`\*not em\*`, "snake__case__x", "a &amp; b & c", "x < y > z", "<b>tag</b> x", "line one\nline *two*",
		"a\n\nb *c*", "~~gone~~ x", "a  \nb *c*", "a\\\nb_c_", "**unclosed bold", "*", "_", "**", "`", `\`,
		"a [b] c_d_", "&copy; *x*", "the **deepest** cooperation", "**a **b**", "**a** **b**", "** a**", "**a **",
		"one **two\nthree** four", "1*2 = 2", "mid**word**s", "***strong em***", "*a **b** c*",
	}
	rng := rand.New(rand.NewPCG(7, 8))
	tokens := []string{"a", "b", "word", " ", " ", "*", "**", "_", "__", "`", `\`, "~~", "&amp;", "2", ".", "(", ")"}
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
		}
		// One line, starting as a paragraph would: lines are the cell's
		// own (see the next test).
		s := strings.TrimLeft(b.String(), " *_")
		if s != "" && !listItem.MatchString(s) {
			cases = append(cases, s)
		}
	}
	for _, md := range cases {
		got := strings.TrimSpace(plain(markdownRuns(md, nil)))
		if want := htmlText(md); got != want {
			t.Errorf("%q: the cell shows %q, the HTML pack %q", md, got, want)
		}
	}
}

// TestMarkdownRuns_Cell: what a cell shows unlike the HTML pack — a link's
// address, lines as written, the spaces around a text between withheld
// spans — and which words are bold.
func TestMarkdownRuns_Cell(t *testing.T) {
	bold := func(runs []excelize.RichTextRun) string {
		var b strings.Builder
		for _, r := range runs {
			if r.Font != nil && r.Font.Bold {
				b.WriteString("[" + r.Text + "]")
			} else {
				b.WriteString(r.Text)
			}
		}
		return b.String()
	}
	for md, want := range map[string]string{
		"see [the note](http://x.test) now":   "see the note (http://x.test) now",
		"# not a heading *x*":                 "# not a heading x",
		"• item *x*\n2. two\n> quoted":        "• item x\n2. two\n> quoted",
		"    indented *x*":                    "    indented x",
		" and **more** ":                      " and [more] ",
		" between *spans* ":                   " between spans ",
		"the **deepest** cooperation":         "the [deepest] cooperation",
		"**a *b* c** d":                       "[a b c] d",
		"one **two\nthree** four":             "one [two\nthree] four",
		"2*3*4 **and** 5":                     "2*3*4 [and] 5",
		"a | b\n--|--\nc | d":                 "a | b\n--|--\nc | d",
		"term\n: definition":                  "term\n: definition",
		"plain text, no marks at all":         "plain text, no marks at all",
		"**bold *em* and `code_x`** after it": "[bold em and code_x] after it",
	} {
		if got := bold(markdownRuns(md, nil)); got != want {
			t.Errorf("%q: %q, want %q", md, got, want)
		}
	}
}

// TestStrongOnly_AsTheParser: the text read without the parser reads as
// the parser reads it, run for run.
func TestStrongOnly_AsTheParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tokens := []string{"a", "word", " ", "**", "**", "*", "\n", ".", "_"}
	read := 0
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
		}
		md := strings.Trim(b.String(), " \t\n")
		if md == "" {
			continue
		}
		fast, ok := strongOnly(md, marksIn(md), nil, boldFont)
		if !ok {
			continue
		}
		read++
		slow := parsedRuns(md, nil, boldFont)
		if len(fast) != len(slow) {
			t.Fatalf("%q: %d runs without the parser, %d with it: %+v, %+v", md, len(fast), len(slow), fast, slow)
		}
		for i := range fast {
			if fast[i].Text != slow[i].Text || (fast[i].Font == nil) != (slow[i].Font == nil) {
				t.Fatalf("%q: run %d is %q (bold %v) without the parser, %q (bold %v) with it", md, i,
					fast[i].Text, fast[i].Font != nil, slow[i].Text, slow[i].Font != nil)
			}
		}
	}
	if read < 1000 {
		t.Fatalf("only %d texts read without the parser", read)
	}
}
