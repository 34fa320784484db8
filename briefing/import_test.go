package briefing_test

import (
	"fmt"
	"html"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/xlsxpack"
)

// TestFromCellText_EscapedSpan: withheld words as a cell shows them
// (EscapeSpan) read back as themselves, whatever brackets and backslashes
// they hold, and the span ends where the cell's ends: no word of it is read
// as text that would be released. The words are Markdown as the rest of a
// paragraph is, their marks escaped, so they show as they were typed.
func TestFromCellText_EscapedSpan(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, c := range []struct{ cell, md, shown string }{
		{`[s6(a): words] after`, "{{s6(a): words}} after", ""},
		{`[s6(a): \[stand-in\] words] after`, `{{s6(a): \[stand-in] words}} after`, ""},
		// Brackets typed within the words pair up: the span withholds all
		// they enclose, and the workbook shows them escaped thereafter.
		{`[s6(a): the minister [Smith] said] after`, `{{s6(a): the minister \[Smith] said}} after`, `[s6(a): the minister \[Smith\] said] after`},
		{`[s6(a): a \\ b] after`, `{{s6(a): a \\ b}} after`, ""},
		// A backslash before anything but "]" or "\" is itself, and shown
		// as the workbook writes every one in a span.
		{`[s6(a): a \n b] after`, `{{s6(a): a \\n b}} after`, `[s6(a): a \\n b] after`},
		{`[s6(a): ends in a backslash\\]`, `{{s6(a): ends in a backslash\\}}`, ""},
		{`[s6(a): \]] and [s9(2)(a): second] plain`, "{{s6(a): ]}} and {{s9(2)(a): second}} plain", ""},

		{`[not a ground: words]`, `\[not a ground: words]`, ""},
		{`[s6(a):  ]`, `\[s6(a):  ]`, ""},
	} {
		md := briefing.FromCellText(nz, c.cell)
		if md != c.md {
			t.Errorf("%q: %q, want %q", c.cell, md, c.md)
		}
		if _, err := nz.ParseSpans(md); err != nil {
			t.Errorf("%q: read as %q, which the save refuses: %v", c.cell, md, err)
		}
		if c.shown == "" {
			c.shown = c.cell
		}
		if shown := xlsxpack.TopicText(nz, briefing.Paragraph{Text: md}); shown != c.shown {
			t.Errorf("%q: read as %q, which the workbook shows as %q, want %q", c.cell, md, shown, c.shown)
		}
	}
	// A span begun and not ended — typed so, or an edited cell of a
	// workbook written before "[" was escaped in a span, whose brackets do
	// not pair — is left for the save to refuse, naming the cell: read as
	// text, its words would be released.
	for _, cell := range []string{
		`[s6(a): never closed\]`,
		`[s6(a): [stand-in\] words] after`,
		`[s6(a): secret [unpaired words`,
		`[s6(a): secret }} more`,
		`[s6(a): secret {{s6(a): x}} more`,
	} {
		md := briefing.FromCellText(nz, cell)
		if _, err := nz.ParseSpans(md); err == nil {
			t.Errorf("%q: read as %q, which the save takes", cell, md)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "word", " ", "[", "]", `\`, `\]`, `\[`, `\\`, ":", "s6(a)", "]]", "[["}
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		words := strings.TrimSpace(b.String())
		if words == "" {
			continue
		}
		cell := "Before [s6(a): " + briefing.EscapeSpan(words) + "] after."
		md := briefing.FromCellText(nz, cell)
		segs, err := nz.ParseSpans(md)
		if err != nil || len(segs) != 3 || segs[0].Text != "Before " || segs[1].Ground != "s6(a)" || segs[2].Text != " after." {
			t.Fatalf("%q: %q, %+v, %v", cell, md, segs, err)
		}
		if segs[1].Text != briefing.EscapeMarkdown(words) {
			t.Fatalf("%q: withheld %q, want %q", cell, segs[1].Text, briefing.EscapeMarkdown(words))
		}
		if shown := xlsxpack.TopicText(nz, briefing.Paragraph{Text: md}); shown != cell {
			t.Fatalf("%q: read as %q, which the workbook shows as %q", cell, md, shown)
		}
	}
}

// TestFromCellText_AsTyped: text typed into a cell is read back as
// Markdown that the workbook shows again exactly as typed and the HTML pack
// shows as text: what Markdown or HTML would read as a mark is escaped,
// and only the bullet, the numbered item and the withheld span, which the
// workbook writes for what it renders, are read as what they stand for.
func TestFromCellText_AsTyped(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, c := range []struct{ cell, md string }{
		// What QA typed in LibreOffice.
		{"• The order … & <tags> *stars* _under_ `tick` \\ back", "- The order … \\& \\<tags> \\*stars\\* \\_under\\_ \\`tick\\` \\\\ back"},
		{"• Growth of <5% and >2% a year; A<B & C>D", "- Growth of \\<5% and >2% a year; A\\<B \\& C>D"},
		{"# Not a heading", "\\# Not a heading"},
		{"> not a quote", "\\> not a quote"},
		{"Intro\n- a typed dash\n+ a plus\n  * a star", "Intro\n\\- a typed dash\n\\+ a plus\n  \\* a star"},
		// A link as the workbook shows it is text, and stays text.
		{"See the report (http://example.org/a_b).", "See the report (http://example.org/a\\_b)."},
		{"[the report](http://example.org/r)", "\\[the report](http://example.org/r)"},
		// Numbers: "2. words" is a numbered item, as the workbook shows one;
		// any other form is text.
		{"2. kept\n3) typed\n4.  spaced\n  5. indented\n6.", "2. kept\n3\\) typed\n4\\.  spaced\n  5\\. indented\n6\\."},
		{"• a bullet • in it\n•  spaced\n  • indented\n• - dash\n• 1. one", "- a bullet • in it\n•  spaced\n  • indented\n- \\- dash\n- 1\\. one"},
		{"{braces} }} {{ and { {", "&lbrace;braces&rbrace; &rbrace;&rbrace; &lbrace;&lbrace; and &lbrace; &lbrace;"},
		{"&amp; is not &copy;, nor &#65;", "\\&amp; is not \\&copy;, nor \\&#65;"},
		{"a ~~struck~~ word, 2*3*4, snake_case", "a \\~\\~struck\\~\\~ word, 2\\*3\\*4, snake\\_case"},
		{"<!-- note --> <b>bold</b> <script>x</script>", "\\<!-- note --> \\<b>bold\\</b> \\<script>x\\</script>"},
		{"Title\n===\nSub\n---", "Title\n&NoBreak;===\nSub\n\\---"},
		{"a | b\n--|--\nterm\n: definition", "a | b\n\\--|--\nterm\n\\: definition"},
		{"    four spaces\n\ttab", "&NoBreak;    four spaces\n&NoBreak;\ttab"},
		{"two spaces  \nend", "two spaces  &NoBreak;\nend"},
		{"a backslash at the end\\\nnext", "a backslash at the end\\\\\nnext"},
		{"Assessed [s6(a): the *real* name] today", "Assessed {{s6(a): the \\*real\\* name}} today"},
		{"• [s9(2)(a): Jane Doe] leads", "- {{s9(2)(a): Jane Doe}} leads"},
		{"[s6(a):  spaced words ] end", "{{s6(a): &NoBreak; spaced words &NoBreak;}} end"},
		{"ΑΩ 漢字 🙂 \u00a0nbsp", "ΑΩ 漢字 🙂 \u00a0nbsp"},
		{"=SUM(A1) stays text", "=SUM(A1) stays text"},
	} {
		md := briefing.FromCellText(nz, c.cell)
		if md != c.md {
			t.Errorf("%q: read as %q, want %q", c.cell, md, c.md)
		}
		if shown := xlsxpack.TopicText(nz, briefing.Paragraph{Text: md}); shown != c.cell {
			t.Errorf("%q: the workbook shows it again as %q", c.cell, shown)
		}
		if got, want := htmlShows(t, nz, md, nil), htmlExpects(cellSpan.ReplaceAllString(c.cell, "$1")); got != want {
			t.Errorf("%q: the HTML pack shows %q, want %q", c.cell, got, want)
		}
	}
}

// TestFromCellText_Withheld: a withheld span typed as the workbook writes
// one, or in the Markdown form, is withheld; a backslash before a "[" is a
// backslash, not an escape, so "\[s6(a): words]" is a backslash and a
// withheld span; a span begun in the Markdown form and not ended is left
// for the save to refuse. No typed word meant withheld reaches a release.
func TestFromCellText_Withheld(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, c := range []struct{ cell, md, shown string }{
		{`\[s6(a): canary one] said`, `\\{{s6(a): canary one}} said`, ""},
		{`\\[s6(a): canary two]`, `\\\\{{s6(a): canary two}}`, ""},
		{"{{s6(a): canary three} here}} and", "{{s6(a): canary three&rbrace; here}} and", "[s6(a): canary three} here] and"},
		{"{{ S6(A) :  canary four }}", "{{s6(a): canary four}}", "[s6(a): canary four]"},
		{"[S6(a): canary five]", "{{s6(a): canary five}}", "[s6(a): canary five]"},
		{"a {{x}} b {{not a ground: c}}", "a &lbrace;&lbrace;x&rbrace;&rbrace; b &lbrace;&lbrace;not a ground: c&rbrace;&rbrace;", ""},
	} {
		md := briefing.FromCellText(nz, c.cell)
		if md != c.md {
			t.Errorf("%q: read as %q, want %q", c.cell, md, c.md)
		}
		if c.shown == "" {
			c.shown = c.cell
		}
		if shown := xlsxpack.TopicText(nz, briefing.Paragraph{Text: md}); shown != c.shown {
			t.Errorf("%q: the workbook shows it again as %q, want %q", c.cell, shown, c.shown)
		}
		red, _, err := nz.Redact(md)
		if err != nil || strings.Contains(red, "canary") {
			t.Errorf("%q: released as %q (%v)", c.cell, red, err)
		}
	}
	for _, cell := range []string{"{{s6(a): canary never ended", "{{s6(a): canary {{s6(a): nested}} x}}", "{{s6(a):   }} {{s6(a): canary}}"} {
		md := briefing.FromCellText(nz, cell)
		if _, err := nz.ParseSpans(md); briefing.ErrorCode(err) != briefing.EINVALID {
			t.Errorf("%q: read as %q, which a save takes (%v)", cell, md, err)
		}
	}
}

// TestFromCellText_Property: random text typed into a cell, rich in what
// Markdown and HTML read as marks, with withheld spans as the workbook
// writes them, is read back as Markdown that the workbook shows again
// exactly as typed, the HTML pack shows as text, and a release shows
// without a word of its spans.
func TestFromCellText_Property(t *testing.T) {
	nz := mustSettings(t, "nz")
	rng := rand.New(rand.NewPCG(21, 22))
	plain := []string{"a", "word", " ", "  ", "\t", "\n", "\n", "\n\n", "*", "**", "_", "__", "`", "```", "\\", "~", "~~", "[", "]", "(", ")",
		"](x)", "<", ">", "<b>", "</i>", "&", "&amp;", "&#65;", "&copy;", "#", "# ", "-", "- ", "+ ", "---", "===", "1. ", "2) ", "10.", "|", "|--|",
		": ", "!", "![", "^", "{", "}", "{{", "}}", "• ", "•", "    ", "http://example.org/a_b", "é", "漢字", "🙂", "\u00a0", "\r\n", "=SUM(A1)", ":", "%", "$"}
	grounds := []string{"s6(a)", "s9(2)(a)", "s6(b)(i)"}
	n, spans := 0, 0
	for iter := range 20000 {
		var cell, shown, inHTML strings.Builder
		var canaries []string
		for range 1 + rng.IntN(14) {
			if rng.IntN(7) > 0 {
				tok := plain[rng.IntN(len(plain))]
				cell.WriteString(tok)
				shown.WriteString(strings.ReplaceAll(tok, "\r\n", "\n"))
				inHTML.WriteString(tok)
				continue
			}
			var w strings.Builder
			canary := fmt.Sprintf("canary%dx%d", iter, len(canaries))
			canaries = append(canaries, canary)
			for k := range 1 + rng.IntN(5) {
				if k == 0 || rng.IntN(3) == 0 {
					w.WriteString(canary)
				}
				w.WriteString(plain[rng.IntN(len(plain))])
			}
			words := strings.ReplaceAll(w.String(), "\r\n", "\n")
			g := grounds[rng.IntN(len(grounds))]
			span := "[" + g + ": " + briefing.EscapeSpan(words) + "]"
			cell.WriteString(span)
			shown.WriteString(span)
			inHTML.WriteString(words)
			spans++
		}
		c := cell.String()
		if strings.HasPrefix(c, "[withheld on release: ") {
			continue
		}
		n++
		md := briefing.FromCellText(nz, c)
		if _, err := nz.ParseSpans(md); err != nil {
			t.Fatalf("%q: read as %q, which a save refuses: %v", c, md, err)
		}
		if got := xlsxpack.TopicText(nz, briefing.Paragraph{Text: md}); got != shown.String() {
			t.Fatalf("%q: read as %q, which the workbook shows as %q", c, md, got)
		}
		if got, want := htmlShows(t, nz, md, canaries), htmlExpects(inHTML.String()); got != want {
			t.Fatalf("%q: read as %q, which the HTML pack shows as %q, want %q", c, md, got, want)
		}
		red, _, err := nz.Redact(md)
		if err != nil {
			t.Fatalf("%q: read as %q, which does not redact: %v", c, md, err)
		}
		for _, cn := range canaries {
			if strings.Contains(red, cn) {
				t.Fatalf("%q: read as %q, released as %q with its withheld %s", c, md, red, cn)
			}
		}
	}
	if n < 19000 || spans < 15000 {
		t.Fatalf("only %d texts, %d spans", n, spans)
	}
}

var (
	htmlTag   = regexp.MustCompile(`<(/?)([a-z0-9]+)[^>]*>`)
	groundTag = regexp.MustCompile(`<span class="ground[^"]*">\[([^\]]*)\]</span> `)
	portion   = regexp.MustCompile(`<span class="pm">[^<]*</span> `)
	cellSpan  = regexp.MustCompile(`\[s[0-9][^:\]]*: ([^\]]*)\]`) // a withheld span as a cell shows it: its words
	// listMark is a line's bullet or number, which the HTML pack shows as
	// a list item or, where a list cannot begin, as "- ".
	listMark = regexp.MustCompile(`(^|\s)(• |- |[0-9]{1,9}[.)] )`)
)

// htmlShows is the text the full edition's HTML pack shows for a
// paragraph's Markdown: its spaces collapsed, list marks, withheld spans'
// labels and the word joiners that keep text as typed left out. It fails
// the test for a canary (a withheld span's word) outside a withheld mark,
// and for any element but a paragraph, a list, a line break and a mark.
// A span's mark may end before the break its words run on over, where the
// cell's span ends after it, so spans are judged by their words, not by
// where their marks end.
func htmlShows(t *testing.T, s briefing.Settings, md string, canaries []string) string {
	t.Helper()
	h := string(htmlpack.Paragraph(s, briefing.Paragraph{Text: md}))
	h = portion.ReplaceAllString(h, "")
	for _, cn := range canaries {
		for at := 0; ; {
			i := strings.Index(h[at:], cn)
			if i < 0 {
				break
			}
			at += i + len(cn)
			if before := h[:at]; strings.Count(before, "<mark ") <= strings.Count(before, "</mark>") {
				t.Fatalf("%q: the HTML pack shows %s unmarked: %s", md, cn, h)
			}
		}
	}
	h = groundTag.ReplaceAllString(h, "")
	for _, m := range htmlTag.FindAllStringSubmatch(h, -1) {
		switch m[2] {
		case "p", "ul", "ol", "li", "br", "mark":
		default:
			t.Fatalf("%q: the HTML pack shows it with <%s>: %s", md, m[2], h)
		}
	}
	h = strings.ReplaceAll(strings.ReplaceAll(h, `<mark class="withheld">`, ""), "</mark>", "")
	h = html.UnescapeString(htmlTag.ReplaceAllString(h, " "))
	return htmlExpects(strings.ReplaceAll(h, briefing.WordJoiner, ""))
}

// htmlExpects is what htmlShows should be for a cell's text.
func htmlExpects(cell string) string {
	cell = strings.Join(strings.Fields(cell), " ")
	for {
		next := listMark.ReplaceAllString(cell, "$1")
		if next == cell {
			return cell
		}
		cell = next
	}
}

// TestSettings_PlanImport_Bounds: an import's error names at most the first
// hundred cells, counting the rest, and a workbook of more rows than any
// round holds is refused before its rows are looked at.
func TestSettings_PlanImport_Bounds(t *testing.T) {
	nz := mustSettings(t, "nz")
	base := &briefing.Sheet{Meta: briefing.Meta{ID: "7", Version: 2}, Title: "Foreign Interference", Sections: []briefing.Section{
		{Kind: briefing.SectionSituation, Heading: "Situation", Paragraphs: []briefing.Paragraph{{ID: "p1", Text: "Held.", Marking: "RESTRICTED"}}},
	}}
	in := briefing.ImportInput{Bases: map[string]*briefing.Sheet{"7": base}, Clearance: "RESTRICTED", DefaultMarking: "RESTRICTED",
		Render: func(p briefing.Paragraph) string { return p.Text }}
	cols := briefing.ImportColumns{Topic: 1, Section: 2, Text: 4, Marking: 5, Withhold: 6, SheetID: 7, Version: 8, ParagraphID: 9}
	book := func(rows []briefing.ImportRow) *briefing.ImportBook {
		return &briefing.ImportBook{RoundID: "3", Marking: "RESTRICTED", Cols: cols,
			Sheets: []briefing.ImportSheet{{ID: "7", Version: 2, Title: base.Title, Row: 7}}, Rows: rows}
	}
	bad := func(n int) []briefing.ImportRow {
		rows := make([]briefing.ImportRow, 0, n+2)
		rows = append(rows, briefing.ImportRow{Row: 2, SheetID: "7", Version: 2, ParagraphID: "p1", Text: "Held.", Marking: "RESTRICTED", Cols: cols})
		for i := 0; i < n; i++ {
			rows = append(rows, briefing.ImportRow{Row: 3 + i, Topic: "No such sheet", Text: "x", Cols: cols})
		}
		return rows
	}

	t.Run("ErrManyBadRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(1000)), in)
		if briefing.ErrorCode(err) != briefing.EINVALID {
			t.Fatalf("err %v", err)
		}
		fields := briefing.ErrorFields(err)
		if len(fields) != 100 || fields["Topics!A3"] == "" || fields["Topics!A102"] == "" || fields["Topics!A103"] != "" {
			t.Errorf("%d fields, want the first 100: %v", len(fields), fields)
		}
		if msg := briefing.ErrorMessage(err); !strings.HasSuffix(msg, "Topics!A3 must be the title of one topic sheet in the workbook (and 999 more; the first 100 are named)") {
			t.Errorf("message %q", msg)
		}
	})

	t.Run("ErrForbiddenPastTheBound", func(t *testing.T) {
		// A marking above the importer after a hundred bad rows: still 403,
		// naming that cell.
		rows := append(bad(150), briefing.ImportRow{Row: 500, SheetID: "7", Version: 2, Section: "Situation", Text: "New.", Marking: "SECRET", Cols: cols})
		_, err := nz.PlanImport(book(rows), in)
		if briefing.ErrorCode(err) != briefing.EFORBIDDEN || briefing.ErrorFields(err)["Topics!E500"] == "" {
			t.Fatalf("err %v %v", err, briefing.ErrorFields(err))
		}
	})

	t.Run("ErrFewBadRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(3)), in)
		if msg := briefing.ErrorMessage(err); len(briefing.ErrorFields(err)) != 3 || !strings.HasSuffix(msg, "(and 2 more)") {
			t.Errorf("message %q, fields %v", msg, briefing.ErrorFields(err))
		}
	})

	t.Run("ErrTooManyRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(briefing.MaxImportRows)), in)
		fields := briefing.ErrorFields(err)
		if briefing.ErrorCode(err) != briefing.EINVALID || len(fields) != 1 || fields["Topics!200002"] == "" {
			t.Fatalf("err %v %v", err, fields)
		}
	})
}

// TestFromCellText_SpanAsTyped: a withheld span typed in a cell as an
// officer may type it — no space after the colon, another space than one
// (a tab, a line's end, a no-break space, a line separator), a full-width
// colon, a space inside the ground — is a span, whose words the release
// withholds. Read as text, they were released. A bracket whose words
// before the colon name no ground is text.
func TestFromCellText_SpanAsTyped(t *testing.T) {
	for _, typed := range []string{"[s6(a):words]", "[s6(a):\nwords]", "[s6(a):\twords]", "[s6(a):\u00a0words]",
		"[s6(a):\u2028words]", "[s6(a)：words]", "[s6 (a): words]", "[S6(A):words]"} {
		got := briefing.FromCellText(nz, "Before "+typed+" after")
		if got != "Before {{s6(a): words}} after" {
			t.Errorf("%q: read as %q", typed, got)
		}
		red, _, err := nz.Redact(got)
		if err != nil || strings.Contains(red, "words") {
			t.Errorf("%q: released as %q (%v)", typed, red, err)
		}
	}
	for _, text := range []string{"[Note:see the annex]", "[10:30] start", "[s6(a) applies]"} {
		if got := briefing.FromCellText(nz, text); strings.Contains(got, "{{") {
			t.Errorf("%q: read as a span: %q", text, got)
		}
	}
}

// BenchmarkFromCellText reads back a cell as long as a cell holds: prose,
// and a cell of "[" and of "{": from each, the ground's colon was looked
// for to the end of the cell, which took the import most of a second a
// cell of twenty thousand "[".
func BenchmarkFromCellText(b *testing.B) {
	nz, err := briefing.SettingsFor("nz")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, unit string }{
		{"Prose", "The delegation will raise cooperation on cyber policy. "},
		{"Brackets", "["},
		{"Braces", "{{"},
		{"Spans", "[s6(a): words] "},
	} {
		cell := strings.Repeat(tc.unit, briefing.MaxCellText/len(tc.unit))
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				briefing.FromCellText(nz, cell)
			}
		})
	}
}
