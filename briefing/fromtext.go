package briefing

import (
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WithheldInSource stands in a paragraph, or a part of one, that the text a
// sheet was brought in from had withheld: the words are not in that text,
// so the desk officer puts them back.
const WithheldInSource = "[withheld in the source]"

// headingKeys tell a standard section's heading by what it asks, whoever
// the home and partner are ("What is Australia currently doing…" as well
// as New Zealand's), in the words of either jurisdiction's sheets.
var headingKeys = []struct {
	kind string
	keys []string
}{
	{SectionSituation, []string{"situational assessment", "situation assessment", "the situation"}},
	{SectionOffensive, []string{"trying to achieve", "offensive interest"}},
	{SectionDefensive, []string{"trying to avoid", "defensive interest"}},
	{SectionCurrent, []string{"currently doing", "actively planning"}},
	{SectionPartnering, []string{"partner with", "work with"}},
	{SectionTalkingPoints, []string{"talking points", "key messages"}},
	{SectionBackground, []string{"background"}},
	{SectionIfAsked, []string{"if asked", "reactive lines"}},
}

// standardKind is the kind of a standard heading, or "".
func standardKind(h string) string {
	l := strings.ToLower(h)
	for _, hk := range headingKeys {
		for _, k := range hk.keys {
			if strings.Contains(l, k) {
				return hk.kind
			}
		}
	}
	return ""
}

var (
	boldRE = regexp.MustCompile(`(?is)^\s*<b>(.*?)</b>\s*(?:\t(.*))?$`)
	itemRE = regexp.MustCompile(`(?is)<(li|p)\b[^>]*>(.*?)</(?:li|p)>`)
	tagRE  = regexp.MustCompile(`(?s)<[^>]*>`)
	// breakTagRE are the tags that end a line or a block: taken out, they
	// leave a space, not words run together ("Beta<br>Gamma").
	breakTagRE = regexp.MustCompile(`(?i)</?(?:br|p|li|ul|ol|div|tr|td|th|h[1-6])\b[^>]*>`)
	spaceRE    = regexp.MustCompile(`[ \t\x{00a0}]+`)
	bulletR    = regexp.MustCompile(`^(?:[-*+•·▪‣◦–—●○■□►▸➢➤✓✔❖]|\x{2022}|o)\s+`)
	// numberedR begins a numbered or lettered list item: "1. ", "2) ", a
	// commitment's "3.01 – …", "1.1.1 ", "(1) ", "(a) ", "a. ", "A. ",
	// "iv) ", "ii. ".
	numberedR = regexp.MustCompile(`^(?:\d+[.)]|\d+(?:\.\d+)+|\(\d+\)|\(?[a-zA-Z]\)|[a-zA-Z]\.|\(?(?:[ivx]+|[IVX]+)[.)])\s`)
)

// ParseBrief reads the text of an existing brief into a topic sheet: its
// first line is the title, or title when it is given (then a first line
// that reads as a heading begins its section, and any other first line is
// the text's own title line, which title replaces); the standard question
// headings ("Situational assessment", "What is New Zealand currently
// doing, or actively planning to do?" and the rest, for either
// jurisdiction's home and partner) begin their sections, and other headings
// (bold, "## ", or a short line ending in "?" or ":") begin custom ones;
// each bullet and paragraph becomes a paragraph — in a hard-wrapped text
// (a mail's, a text file's), the lines the wrapping broke it into joined
// again first (unwrap). A withholding mark such as "S6(a)" standing for a
// whole paragraph becomes its withholding; one inside a paragraph becomes
// a withheld span — the words are not in the text, so WithheldInSource
// stands in for them. It takes plain text, and the two-column form of a
// released pack with its HTML lists (003), alike.
//
// The text's own markings are read, so that nothing it marks is kept below
// that marking. A line that is nothing but a marking of the scheme, in any
// case and perhaps with caveats ("SECRET//NZEO"), is a banner wherever it
// stands (a pasted document repeats them on every page): neither title nor
// content; its caveats are not kept. A paragraph takes the marking of the
// portion mark it begins with, exactly as PortionMark prints it ("(S) …"),
// the mark taken off; else the highest banner's, or marking if that is
// higher. A portion-marked title or heading is shown with every paragraph
// under it, so its marking is the least those paragraphs are given (a
// heading with none under it is shown with the whole sheet). top is the
// highest marking the text bears — marking, banners and portion marks — for
// the writer's clearance to be checked against. An empty text, or one with
// no paragraphs, is EINVALID.
func (s Settings) ParseBrief(text, title, marking string) (sh *Sheet, top string, err error) {
	text = strings.TrimPrefix(text, "\ufeff") // a byte order mark, not a word of the title
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	text = CleanText(text) // a pasted document's page breaks and the like
	letters := listLetters(narrow(text))
	title = strings.TrimSpace(title)
	sh = &Sheet{Status: SheetDraft}
	top = marking
	mark := func(pm string) {
		if pm != "" {
			top = s.Highest(top, pm)
		}
	}
	var (
		cur        *Section
		floors     []string // by section: its heading's portion marking, or ""
		sheetFloor string   // the title's portion marking, or ""
		banner     string   // the highest banner, or ""
		// blockMark is the portion marking of the last portion-marked
		// line of the block (the lines since a blank one). A line after it
		// without a mark of its own may be its continuation, however it
		// was read (a line that starts "3.01" or "(a)", a text not
		// recognised as wrapped, a line after a full stop): it is marked no
		// lower (pfloor, by section and paragraph), and not read as a
		// heading by its ending alone, which would carry no marking.
		blockMark    string
		markedBullet bool    // the line that gave blockMark is a bullet
		titleMark    bool    // … or the text\'s own title line, which title replaced
		asLine       = false // the paragraph being added is a line of text, not an item of an HTML list
		inCell       = false // … or a paragraph of a table's cell
		leadIn       = false // the line that gave blockMark ends in ":", leading the items after it
		// blockParas are the paragraphs of the block without a mark of
		// their own: a mark found among a later one's words marks them too.
		blockParas [][2]int
		pfloor     = map[[2]int]string{}
		within     = map[[2]int]string{} // a mark found among a paragraph's words (markWithin), by section and paragraph
		// pending is the marking of a mark on a line of its own ("(S)"),
		// for what comes next: the title, a heading or a paragraph.
		pending string
		// unread is the first mark of caveats the scheme cannot read
		// (unreadMark), which refuses the text.
		unread string
		// ownHeadings tells, by section, a heading the text gave (not
		// the "Introduction" given to paragraphs before any heading).
		ownHeadings []bool
		titleMarked bool // the title line taken from the text was portion-marked
	)
	// A line after a portion-marked one, in its block (no blank line or
	// other mark between), may continue it: it is marked no lower, in any
	// text. It errs high: a text pasted from a PDF has long lines, is not
	// taken for hard-wrapped, and broke its marked paragraphs at lines
	// ending a sentence, the rest of each kept at the default marking.
	continues := func() bool { return blockMark != "" }
	// take is the marking of a mark on a line of its own before this
	// line, when the line has none of its own: the line takes it, once.
	take := func(pm string) string {
		if pending != "" {
			pm = s.Highest(pm, pending) // errs high: the mark before and the line's own
		}
		pending = ""
		return pm
	}
	heading := func(h string) {
		h = cleanHeading(h)
		if unread == "" {
			unread = s.unreadMark(h)
		}
		pm, rest := s.portion(h)
		if pm != "" {
			h = undress(rest)
		}
		pm = take(pm)
		if in := s.markWithin(h, letters); in != "" {
			pm = s.Highest(pm, in) // a mark among its words marks it still
		}
		mark(pm)
		kind := standardKind(h)
		sec := Section{Kind: kind, Paragraphs: []Paragraph{}}
		if kind == "" {
			sec.Kind, sec.Heading = SectionCustom, h
		}
		sh.Sections = append(sh.Sections, sec)
		floors = append(floors, pm)
		ownHeadings = append(ownHeadings, true)
		cur = &sh.Sections[len(sh.Sections)-1]
	}
	add := func(t string, bullet bool) {
		t = strings.TrimSpace(spaceRE.ReplaceAllString(t, " "))
		if m := bulletR.FindString(t); m != "" {
			t, bullet = strings.TrimSpace(t[len(m):]), true
		}
		// The mark leads the text, inside the bullet or before it: "(S) - …"
		// as a workbook's cell reads, "• (S) …" as a pack's list item.
		pm, rest := s.portion(t)
		if m := listLetterRE.FindStringSubmatch(t); pm != "" && m != nil && strings.HasPrefix(t, m[0]) && letters.has(m[1][0]) {
			pm, rest = "", t // "(C)" of a list "(A) … (B) … (C) …", not CONFIDENTIAL
		}
		if pm != "" {
			t = rest
			mark(pm)
			if m := bulletR.FindString(t); m != "" {
				t, bullet = strings.TrimSpace(t[len(m):]), true
			}
		} else if m := numberedR.FindString(t); m != "" {
			// After an item's number or letter: "1. (S) …", "3.01 (TS) …".
			after := strings.TrimSpace(t[len(m):])
			if pm, rest = s.portion(after); pm != "" {
				t = strings.TrimSpace(m) + " " + rest
				mark(pm)
			} else if unread == "" {
				unread = s.unreadMark(after)
			}
		} else if ms := s.marks(t); len(ms) > 0 && ms[0][0] == 0 {
			// After a withholding mark: "S6(a) (S) …".
			after := strings.TrimSpace(t[ms[0][1]:])
			if pm, rest = s.portion(after); pm != "" {
				t = strings.TrimSpace(t[:ms[0][1]] + " " + rest)
				mark(pm)
			} else if unread == "" {
				unread = s.unreadMark(after)
			}
		}
		if pm == "" && unread == "" {
			unread = s.unreadMark(t)
		}
		if t == "" {
			// A mark alone (an item or a cell's paragraph of nothing else,
			// a bullet of it) marks what comes next, as on a line of its own.
			if pm != "" {
				pending = s.Highest(pending, pm)
			}
			return
		}
		pm = take(pm)
		if cur == nil {
			sh.Sections = append(sh.Sections, Section{Kind: SectionCustom, Heading: "Introduction", Paragraphs: []Paragraph{}})
			floors = append(floors, "")
			ownHeadings = append(ownHeadings, false)
			cur = &sh.Sections[len(sh.Sections)-1]
		}
		p := s.markedParagraph(t, pm) // the default marking is known only at the end, after the last banner
		if bullet {
			p.Text = "- " + p.Text
		}
		here := [2]int{len(sh.Sections) - 1, len(cur.Paragraphs)}
		switch {
		case pm != "":
			blockMark, markedBullet, titleMark = pm, bullet, false
			leadIn = strings.HasSuffix(strings.TrimSpace(t), ":")
		case (asLine || inCell) && !(bullet && markedBullet && !leadIn) && continues():
			// A bullet after a marked bullet is an item of its own; after
			// a marked line that runs on into it, it continues that line.
			pfloor[here] = blockMark
		default:
			blockMark = "" // a paragraph of its own, unmarked: what follows continues it
		}
		if pm == "" {
			blockParas = append(blockParas, here)
		}
		if in := s.markWithin(p.Text, letters); in != "" {
			// A mark among the words, where no form above reads one (a
			// list nested in an item, a line break in a cell, a bullet
			// of a kind not known, a mark at the paragraph's end): the
			// paragraph is marked no lower, its words left as they are,
			// and so are the unmarked lines of its block, before and
			// after it. It errs high.
			mark(in)
			for _, at := range blockParas {
				within[at] = s.Highest(within[at], in)
			}
			within[here] = s.Highest(within[here], in)
			if pm == "" {
				blockMark = s.Highest(blockMark, in)
			}
		}
		cur.Paragraphs = append(cur.Paragraphs, p)
	}
	titled := false                                            // the title line has been read (or, with title given, the first line)
	for _, line := range s.unwrap(strings.Split(text, "\n")) { // a hard-wrapped text's lines joined again
		raw := strings.TrimFunc(line, spaceOrFormat)
		if raw == "" {
			blockMark, blockParas = "", nil
			continue
		}
		if releasedLine(raw) {
			continue
		}
		if m := s.bannerMarking(cleanHeading(raw)); m != "" {
			banner = s.Highest(banner, m)
			continue
		}
		if pm, rest := s.portion(cleanText(raw)); pm != "" && undress(rest) == "" {
			// A mark on a line of its own marks what comes next.
			pending = s.Highest(pending, pm)
			mark(pm)
			continue
		}
		if m := boldRE.FindStringSubmatch(raw); m != nil {
			titled = titled || title != ""
			heading(m[1])
			blockMark, blockParas, inCell = "", nil, true // a cell of its own
			s.addHTML(m[2], add)
			inCell = false
			continue
		}
		if titled && strings.HasSuffix(strings.TrimRight(line, " "), "\t") && !strings.Contains(raw, "<") {
			return nil, "", &Error{Code: EINVALID, Message: "the text holds a second brief, " + quote(cleanHeading(raw)) + ": bring in one at a time",
				Fields: map[string]string{"text": "holds more than one brief"}}
		}
		if left, right, tab := strings.Cut(raw, "\t"); titled && tab && strings.TrimSpace(left) != "" && !listMarkRE.MatchString(strings.TrimSpace(left)) {
			// A row of the two-column form pasted from a word processor's
			// table: the heading, a tab, its content.
			// The cell's further paragraphs follow on lines of their own,
			// in its block: a mark in it marks them no lower.
			heading(left)
			if blockMark != "" {
				floors[len(floors)-1] = s.Highest(floors[len(floors)-1], blockMark)
			}
			inCell = true
			s.addHTML(right, add)
			inCell = false
			continue
		}
		if !titled {
			t, rest, _ := strings.Cut(raw, "\t")
			pm, body := s.portion(cleanText(t))
			if title != "" && isHeading(body) {
				heading(cleanText(t))
			} else {
				if pm == "" && unread == "" {
					unread = s.unreadMark(cleanText(t))
				}
				pm = take(pm)
				mark(pm)
				if in := s.markWithin(body, letters); in != "" {
					pm = s.Highest(pm, in)
					mark(pm)
				}
				if title == "" {
					sh.Title = undress(body)
					if pm != "" {
						sheetFloor = s.Highest(sheetFloor, pm)
						titleMarked = true
					}
				} else if pm != "" {
					// The text's own title line, replaced by title: a line
					// that continues it is marked as it was (a heading after
					// it is still a heading: titleMark).
					blockMark, titleMark = pm, true
				}
			}
			titled = sh.Title != "" || title != ""
			if strings.TrimSpace(rest) != "" {
				s.addHTML(rest, add)
			}
			continue
		}
		if itemRE.MatchString(raw) {
			s.addHTML(raw, add)
			continue
		}
		plain := cleanText(raw)
		if pm, body := s.portion(plain); isHeading(body) &&
			(!continues() || titleMark || pm != "" || formHeading(body) || standardKind(undress(cleanHeading(body))) != "") {
			heading(plain)
			blockMark, blockParas = "", nil // a heading begins anew
			continue
		}
		asLine = true
		add(plain, false)
		asLine = false
	}
	if title != "" {
		sh.Title = title
	}
	// A marking named in capitals anywhere in the text, where no form
	// above read a banner or a mark ("SECRET – NZEO" typed by a word
	// processor, "Subject: … [SEC=SECRET]"), marks it as a banner would.
	// It errs high.
	if m := s.markingWords(text); m != "" {
		banner = s.Highest(banner, m)
	}
	if unread != "" {
		return nil, "", &Error{Code: EINVALID, Message: "the text holds a mark that is not one of this database's markings, " + quote(unread) +
			": mark the paragraph as the packs do (" + strings.Join(s.portionMarkList(), ", ") + "), or take the mark out",
			Fields: map[string]string{"text": "holds a mark that is not one of the scheme's"}}
	}
	def := marking
	if banner != "" {
		def = s.Highest(marking, banner)
		mark(banner)
		// What came with the banner is marked by it: the title taken from
		// the text and each heading it gave, when they bear no mark of
		// their own, are shown with the paragraphs under them (with the
		// whole sheet, the title), which are marked no lower.
		if title == "" && !titleMarked {
			sheetFloor = s.Highest(sheetFloor, banner)
		}
		for i := range sh.Sections {
			if ownHeadings[i] && floors[i] == "" && sh.Sections[i].Kind == SectionCustom {
				floors[i] = banner
			}
		}
	}
	// A heading with no paragraph under it is shown with the whole sheet.
	for i, sec := range sh.Sections {
		if len(sec.Paragraphs) == 0 && floors[i] != "" {
			sheetFloor = s.Highest(sheetFloor, floors[i])
		}
	}
	n := 0
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			p := &sh.Sections[i].Paragraphs[j]
			if p.Marking == "" {
				p.Marking = def
			}
			for _, f := range []string{floors[i], sheetFloor, pfloor[[2]int{i, j}], within[[2]int{i, j}]} {
				if f != "" {
					p.Marking = s.Highest(p.Marking, f)
				}
			}
			n++
		}
	}
	if strings.TrimSpace(sh.Title) == "" || n == 0 {
		return nil, "", &Error{Code: EINVALID, Message: "the text holds no brief: a title line, then headings and paragraphs",
			Fields: map[string]string{"text": "needs a title line and at least one paragraph"}}
	}
	return sh, top, nil
}

// maxWrapWidth is the longest line a hard-wrapped text has: mail and text
// files wrap at 72 to 80 columns; a text with longer lines holds its
// paragraphs one to a line.
const maxWrapWidth = 100

// unwrap joins again, each with a space, the lines a hard-wrapped text
// broke its paragraphs into, so that a brief pasted from a mail or a text
// file is not brought in as a paragraph for every line. A text is
// hard-wrapped when it separates its paragraphs with blank lines, its
// longest line (of those with a space: a long address cannot be broken) is
// at most maxWrapWidth, and it breaks at least one paragraph where no
// writer would: before a word in lower case, or inside a bullet (an
// indented line after it). Its width is that longest line.
//
// A line continues the one before it, in the same block, when that one
// was broken by the wrapping — the line's first word would not have fitted
// on it — or, indented, continues a bullet or numbered item. A line is
// never joined when it is a bullet or a numbered item, a portion-marked
// line, a banner, a heading in bold or "## ", or a heading (isHeading)
// after a line that ended short or ended a sentence; and nothing joins a
// line that is a heading by its own form ("## ", bold, ending in "?" or
// ":"). A text that is not hard-wrapped, and the two-column form of a
// released pack, are read line by line as they are.
func (s Settings) unwrap(lines []string) []string {
	runes := utf8.RuneCountInString
	width, seen, blank, separated := 0, false, false, false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			blank = seen
			continue
		}
		separated, seen, blank = separated || blank, true, false
		if strings.ContainsRune(strings.TrimLeft(l, " \t"), '\t') || boldRE.MatchString(t) || itemRE.MatchString(t) {
			return lines // the two-column form of a released pack
		}
		if !s.aside(t) && strings.ContainsRune(t, ' ') {
			width = max(width, runes(strings.TrimRight(l, " \t")))
		}
	}
	if !separated || width == 0 || width > maxWrapWidth {
		return lines
	}
	out := make([]string, 0, len(lines))
	prev := ""       // the line before, as written, while a line may continue it
	list := false    // the line before is (in) a bullet or numbered item
	wrapped := false // a line was broken where only wrapping breaks one
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || s.aside(t) {
			out, prev = append(out, l), ""
			continue
		}
		_, body := s.portion(cleanText(t))
		item := bulletR.MatchString(body) || numberedR.MatchString(body)
		if prev != "" && !s.markedLine(cleanText(t)) && !item && !formHeading(body) {
			word, _, _ := strings.Cut(t, " ")
			short := runes(strings.TrimRight(prev, " \t"))+1+runes(word) <= width
			indented := l != strings.TrimLeft(l, " \t")
			join := list && indented || !short
			if isHeading(body) && (short || endsSentence(prev)) {
				join = false // a heading after a paragraph that ended
			}
			if join {
				out[len(out)-1] += " " + t
				wrapped = wrapped || list && indented || startsLower(t)
				prev = l
				continue
			}
		}
		out, prev, list = append(out, l), l, item
		if isHeading(body) && (formHeading(body) || strings.HasSuffix(body, "?") || strings.HasSuffix(body, ":")) {
			prev = "" // nothing continues a heading
		}
	}
	if !wrapped {
		return lines
	}
	return out
}

// aside tells a line ParseBrief passes over: a banner, or the release's
// "Released under the …".
func (s Settings) aside(t string) bool {
	return releasedLine(t) || s.bannerMarking(cleanHeading(t)) != ""
}

// releasedLine tells a release's own line, "Released under the …" (not a
// hard-wrapped line that begins "released under the" in lower case).
func releasedLine(t string) bool {
	return strings.HasPrefix(t, "Released under the ") || strings.HasPrefix(t, "RELEASED UNDER THE ")
}

// formHeading tells a heading by its form alone: Markdown's "## " or a
// whole line in bold.
func formHeading(l string) bool {
	return strings.HasPrefix(l, "#") || (strings.HasPrefix(l, "**") && strings.HasSuffix(l, "**") && len(l) > 4)
}

// startsLower tells a line that begins with a letter in lower case.
func startsLower(l string) bool {
	r, _ := utf8.DecodeRuneInString(l)
	return unicode.IsLower(r)
}

// endsSentence tells a line that ends a sentence.
func endsSentence(l string) bool {
	l = strings.TrimRight(strings.TrimSpace(l), `"'”’)`)
	return strings.HasSuffix(l, ".") || strings.HasSuffix(l, "!") || strings.HasSuffix(l, "?")
}

// caveatRE is what may follow a banner's marking after "//": caveats such
// as "NZEO" or "REL AUS, NZL", which a sheet has no place to keep.
var caveatRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ,/-]*$`)

// classificationRE may lead a banner: "Classification: SECRET",
// "Security classification : SECRET", "Protective marking - SECRET".
var classificationRE = regexp.MustCompile(`(?i)^(?:(?:document|security)\s+)?(?:classification|(?:protective\s+|security\s+)?marking|sensitivity|security)(?:\s+level)?\s*[:-]\s*`)

// secRE is au's e-mail marking, alone on its line: "SEC=SECRET", its
// caveats after a comma.
var secRE = regexp.MustCompile(`(?i)^SEC=([^,\]]+)`)

// dashes writes the dashes and spaces a word processor puts in a marking
// ("SECRET – NZEO", "TOP SECRET") as "-" and " ".
var dashes = strings.NewReplacer("–", "-", "—", "-", "\u2010", "-", "\u2011", "-", "\u2012", "-", "\u00a0", " ", "\u2002", " ", "\u2003", " ",
	"\u2009", " ", "\u202f", " ", "&nbsp;", " ")

// bannerMarking is the marking of the scheme a line of text is, when it is
// nothing else: in any case, spaced as it may be ("OFFICIAL: Sensitive",
// as it is printed), perhaps with caveats after "//". Else "".
func (s Settings) bannerMarking(l string) string {
	l = dashes.Replace(narrow(strings.TrimFunc(l, spaceOrFormat)))
	l = strings.TrimSpace(strings.Trim(l, "[]*_"))
	if m := secRE.FindStringSubmatch(l); m != nil {
		l = m[1] // au's e-mail marking, "[SEC=SECRET, CAVEAT=…]"
	}
	l = strings.TrimRight(classificationRE.ReplaceAllString(l, ""), ".; ")
	level, caveats, ok := strings.Cut(l, "//")
	if !ok {
		if m := s.looseMarking(l); m != "" {
			return m // "OFFICIAL - SENSITIVE", "Top-Secret"
		}
		// "SECRET - NZEO": caveats after a dash, in capitals, as a
		// heading in words ("Secret - the plan") is not.
		if lv, cv, dash := strings.Cut(l, " - "); dash && cv == strings.ToUpper(cv) && caveatRE.MatchString(strings.TrimSpace(cv)) {
			level, caveats, ok = lv, cv, true
		}
	}
	if ok && !caveatRE.MatchString(strings.TrimSpace(caveats)) {
		return ""
	}
	if m := s.looseMarking(level); m != "" || ok {
		return m
	}
	return s.markAndCaveats(level)
}

// markAndCaveats is the marking a text names when it is a marking (or, in
// capitals, a portion mark's letters) followed by caveat words alone, after
// a space: "SECRET NOFORN", "TOP SECRET REL TO AUS, NZL", "S AUSTEO". Else "".
func (s Settings) markAndCaveats(l string) string {
	u := strings.TrimSpace(l)
	best := ""
	for _, m := range s.Markings {
		for _, head := range []string{strings.ToUpper(m), strings.Trim(s.PortionMark(m), "()")} {
			rest, ok := strings.CutPrefix(strings.ToUpper(u), head+" ")
			if !ok || !strings.HasPrefix(u, head) && head != strings.ToUpper(m) {
				continue
			}
			if caveatWordsOnly(rest) && (best == "" || len(m) > len(best)) {
				best = m
			}
		}
	}
	return best
}

// caveatWordsOnly tells a text of handling caveats alone: the words caveats
// are written in, and countries' three-letter codes, in capitals.
func caveatWordsOnly(t string) bool {
	words := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' || r == '/' })
	if len(words) == 0 || t != strings.ToUpper(t) {
		return false
	}
	for _, w := range words {
		if !caveatWords[w] && !countryCodes[w] {
			return false
		}
	}
	return true
}

// countryCodes are the codes of the countries caveats release to ("REL TO
// AUS, NZL"): a list, as any three capitals are not one ("C-UAS").
var countryCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields("AUS NZL USA GBR CAN FRA DEU JPN KOR SGP IND IDN MYS PHL THA VNM FJI PNG TON WSM NATO EU") {
		m[c] = true
	}
	return m
}()

// caveatWords are the words handling caveats are written in.
var caveatWords = map[string]bool{"NOFORN": true, "NF": true, "REL": true, "TO": true, "AUSTEO": true, "AGAO": true, "NZEO": true,
	"ORCON": true, "FOUO": true, "EYES": true, "ONLY": true, "SCI": true, "SI": true, "TK": true, "HCS": true, "FVEY": true,
	"CABINET": true, "PROPIN": true, "RELIDO": true, "LIMDIS": true, "EXDIS": true, "NODIS": true, "SBU": true}

// looseMarking is the marking of the scheme a text names, whatever its
// case and whatever spaces, hyphens or colons stand between its words
// ("OFFICIAL - SENSITIVE", "Official: Sensitive", "top-secret"), or "".
func (s Settings) looseMarking(l string) string {
	key := func(x string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return unicode.ToUpper(r)
			}
			return -1
		}, x)
	}
	if strings.ContainsFunc(l, func(r rune) bool { return !unicode.IsLetter(r) && !strings.ContainsRune(" \t-:", r) }) {
		return "" // "Secret?" asks
	}
	k := key(l)
	if k == "" {
		return ""
	}
	for _, m := range s.Markings {
		if key(m) == k {
			return m
		}
	}
	return ""
}

// portion splits the portion mark a line begins with off it: the marking
// the mark stands for and the words after it (none, for a mark on a line
// of its own), or "" and the line as it is. A mark is the scheme's own as
// the packs print it, in capitals ("(S)"), or a marking's name in any case
// ("(SECRET)", "(Top Secret)"), either perhaps with caveats after "//"
// ("(S//NZEO)", "(TS//SCI)"), which are not kept; in bold ("**(S)**"),
// full-width ("（S）"), after invisible characters, with or without a space
// after it. It errs high: a mark left as words would leave its paragraph at
// the default marking, below the one its source gave it.
func (s Settings) portion(t string) (marking, rest string) {
	orig := strings.TrimLeftFunc(t, spaceOrFormat)
	u := narrow(orig)
	quote := ""
	if q, ok := strings.CutPrefix(u, "> "); ok {
		quote, u = "> ", strings.TrimLeftFunc(q, spaceOrFormat) // "> (S) …", quoted
	}
	// In bold or italics: "**(S)** …", "*(S)* …", or leading a run of
	// them, "**(S) Key point:** …".
	dress := ""
	for _, d := range []string{"**", "__", "*", "_"} {
		if strings.HasPrefix(u, d+"(") {
			dress, u = d, u[len(d):]
			break
		}
	}
	if strings.HasPrefix(u, "[") { // "[TS] …"
		if end := strings.IndexByte(u, ']'); end > 0 {
			u = "(" + u[1:end] + ")" + u[end+1:]
		}
	}
	end := strings.IndexByte(u, ')')
	if !strings.HasPrefix(u, "(") || end < 0 {
		return "", t
	}
	m, after := s.markOf(u[1:end]), u[end+1:]
	if m == "" || copyrightRE.MatchString(u) {
		return "", t
	}
	// The mark is read in narrow letters; the words after it stay as
	// typed ("(S)｛｛…" is not "{{…", a withheld span's opening). Narrowing
	// keeps one rune for one, so they are the text's last as many runes.
	typed := func(n string) string { return lastRunes(orig, utf8.RuneCountInString(n)) }
	if dress == "" {
		after = typed(after)
	} else {
		if a, ok := strings.CutPrefix(after, dress); ok {
			after = typed(a) // the mark alone in bold
		} else {
			after = dress + strings.TrimLeftFunc(typed(after), unicode.IsSpace) // the run goes on without it
		}
	}
	after = strings.TrimSpace(after)
	if after == "" {
		return m, ""
	}
	return m, quote + after
}

// lastRunes is the end of t that holds its last n runes.
func lastRunes(t string, n int) string {
	at := len(t)
	for ; n > 0 && at > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(t[:at])
		at -= size
	}
	return t[at:]
}

// copyrightRE is copyright's "(C)": "(C) 2023", "(C) Crown copyright".
var copyrightRE = regexp.MustCompile(`^\(C\)\s*(?:\d|Crown|[Cc]opyright)`)

// markOf is the marking the inside of a portion mark stands for ("S",
// "SECRET", "TS//SCI"), or "". A single letter or two in lower case ("s",
// "c") numbers a list rather than marks it, and is not read.
func (s Settings) markOf(in string) string {
	in = dashes.Replace(in)
	level, _, _ := strings.Cut(in, "//") // caveats, whatever they hold, are not kept
	level = strings.TrimSpace(level)
	if m := s.PortionMarking("(" + level + ")"); m != "" {
		return m
	}
	if m := s.bannerMarking(level); m != "" {
		return m
	}
	// The mark's first part, its caveats after a single slash or a hyphen
	// ("S/NF", "TS/SCI", "S-NZEO"), but not "C/O", which is care of.
	if first, rest, cut := strings.Cut(strings.NewReplacer("-", "/", ",", "/").Replace(level), "/"); cut && markLikeRE.MatchString(strings.ReplaceAll(level, ",", "")) && caveatWordsOnly(rest) {
		return s.PortionMarking("(" + strings.TrimSpace(first) + ")")
	}
	return ""
}

// unreadMark is the mark a line begins with that reads as a protective
// marking with caveats ("(NOFORN//X)", "(S/NF//Y)") but is none of the
// scheme's, or "": a paragraph so marked cannot be given its marking, and
// is refused rather than left at the default one.
func (s Settings) unreadMark(t string) string {
	u := strings.TrimLeftFunc(t, spaceOrFormat)
	u = strings.TrimPrefix(u, "**")
	end := strings.IndexByte(u, ')')
	if !strings.HasPrefix(u, "(") || end < 0 {
		return ""
	}
	level, caveats, ok := strings.Cut(u[1:end], "//")
	if !ok || !markLikeRE.MatchString(strings.TrimSpace(level)) || !caveatRE.MatchString(strings.TrimSpace(caveats)) {
		return "" // "(see https://…)" is words
	}
	// Only a mark that begins as a marking does, of either scheme, or as a
	// handling caveat: "(EU//US) trade talks" is words.
	first, _, _ := strings.Cut(strings.ReplaceAll(strings.TrimSpace(level), "-", "/"), "/")
	if !markWords[strings.TrimSpace(first)] {
		return ""
	}
	return u[:end+1]
}

// markWords are the words and letters a protective mark begins with, in
// either scheme, and the handling caveats that stand alone as one.
var markWords = func() map[string]bool {
	w := map[string]bool{"NOFORN": true, "ORCON": true, "FOUO": true, "CUI": true, "PROPIN": true, "SBU": true, "LES": true}
	for _, j := range []string{"nz", "au"} {
		s, _ := SettingsFor(j)
		for _, m := range s.Markings {
			w[strings.ToUpper(m)] = true
			first, _, _ := strings.Cut(strings.ToUpper(m), ":")
			w[first] = true
		}
		for _, pm := range s.PortionMarks {
			w[pm] = true
		}
	}
	return w
}()

// markLikeRE is what reads as a marking before a mark's caveats: capitals,
// perhaps with spaces, slashes or hyphens ("NOFORN", "S/NF", "TOP SECRET").
var markLikeRE = regexp.MustCompile(`^[A-Z][A-Z /-]*$`)

// portionMarkList is the scheme's portion marks as the packs print them.
func (s Settings) portionMarkList() []string {
	out := make([]string, len(s.Markings))
	for i, m := range s.Markings {
		out[i] = s.PortionMark(m)
	}
	return out
}

// markWithin is the highest marking of the portion marks standing among a
// text's words, in parentheses ("… capabilities: (TS) NIGHTFALL …"), or "".
func (s Settings) markWithin(t string, inText letterSet) string {
	t = narrow(t)
	top := ""
	letters := listLetters(t)
	for l := range inText {
		letters[l] = true
	}
	for _, at := range inParensRE.FindAllStringSubmatchIndex(t, -1) {
		in := t[at[2]:at[3]]
		if in != strings.ToUpper(in) {
			// "(confidential)" is a word in parentheses; "(Secret)" after
			// a title, in title case, is a mark.
			if r, _ := utf8.DecodeRuneInString(in); !unicode.IsUpper(r) || s.looseMarking(in) == "" {
				continue
			}
		}
		if r, _ := utf8.DecodeLastRuneInString(t[:at[0]]); at[0] > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue // "PARTNER(S)"
		}
		pm := s.markOf(in)
		if pm == "" || acronymOf(t[:at[0]], in) {
			continue
		}
		// A portion mark of one letter is one anywhere, but as a list's
		// letter ("(A) …, (B) … and (C) …") or copyright's ("(C) 2023").
		if in = strings.TrimSpace(in); len(in) == 1 {
			rest := strings.TrimLeft(t[at[1]:], " ")
			if r, _ := utf8.DecodeRuneInString(rest); in == "C" && unicode.IsDigit(r) || letters.has(in[0]) {
				continue
			}
		}
		top = s.Highest(top, pm)
	}
	return top
}

// markingWords is the highest marking of the scheme a text names in
// capitals, as a whole word or words ("SECRET", "TOP SECRET", "OFFICIAL:
// SENSITIVE"), however its words are joined, outside parentheses, or "".
func (s Settings) markingWords(t string) string {
	// Marks in parentheses are read as marks, of their paragraph alone.
	t = dashes.Replace(narrow(t))
	bare := onlyParensRE.ReplaceAllString(t, " ") // brackets stay: "Subject: brief [SECRET]"
	top := ""
	// A mail's subject line, whatever else it holds, marks the mail:
	// "Subject: RE: Maritime brief (SECRET)".
	for _, line := range strings.Split(t, "\n") {
		if subj, ok := cutFold(strings.TrimSpace(line), "subject:"); ok {
			top = s.Highest(top, s.markWithin(subj, nil))
			for _, m := range inParensRE.FindAllStringSubmatch(subj, -1) {
				top = s.Highest(top, s.bannerMarking(m[1]))
			}
		}
	}
	for _, m := range s.Markings {
		words := strings.FieldsFunc(strings.ToUpper(m), func(r rune) bool { return !unicode.IsLetter(r) })
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		name := strings.Join(words, `[\s\p{Zs}:_\p{Pd}]*`)
		if re, err := regexp.Compile(`\b` + name + `\b`); err == nil && re.MatchString(bare) {
			top = s.Highest(top, m)
		}
		// Prose that says so: "This paper is classified Top Secret".
		if re, err := regexp.Compile(`(?i)\b(?:classified|marked)\s+(?:as\s+|at\s+)?` + name + `\b`); err == nil && re.MatchString(t) {
			top = s.Highest(top, m)
		}
		// A line, or a part of a footer between "|", that is a marking in
		// any case, perhaps after a label or a page's number, with
		// caveats in words after it: "Secret NZ Eyes Only",
		// "Sensitivity: Secret", "Page 2 of 5 Secret". Not "Secret
		// ballot concerns", which is a title.
		if re, err := regexp.Compile(`(?i)^` + name + `((?:$|[^\p{L}]).*)$`); err == nil {
			for _, line := range strings.Split(t, "\n") {
				for _, part := range footerSepRE.Split(line, -1) {
					l := strings.Trim(strings.TrimSpace(part), "[]*_ ")
					l = classificationRE.ReplaceAllString(pageRE.ReplaceAllString(l, ""), "")
					if mm := re.FindStringSubmatch(l); mm != nil && caveatsInWords(mm[1]) {
						top = s.Highest(top, m)
					}
				}
			}
		}
	}
	return top
}

// acronymOf tells letters in parentheses that are the initials of the
// words before them: "Technical Specification (TS)", "operating system
// (OS)", "Intelligence Community (IC)" define acronyms, not marks.
func acronymOf(before, in string) bool {
	in = strings.TrimSpace(in)
	if len(in) < 2 || len(in) > 5 || strings.IndexFunc(in, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return false
	}
	words := strings.Fields(before)
	if len(words) < len(in) {
		return false
	}
	words = words[len(words)-len(in):]
	for i, w := range words {
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w, "\"'“‘(["))
		if unicode.ToUpper(r) != rune(in[i]) {
			return false
		}
	}
	return true
}

// onlyParensRE is a short text in parentheses.
var onlyParensRE = regexp.MustCompile(`\(([^()]{1,60})\)`)

// footerSepRE parts a header's or a footer's line: "|", a tab (Word's tab
// stops), " - ".
var footerSepRE = regexp.MustCompile(`\||\t| - `)

// cutFold is strings.CutPrefix in any case.
func cutFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// pageRE is a page's number leading a footer: "Page 2 of 5".
var pageRE = regexp.MustCompile(`(?i)^page\s+\d+(?:\s+of\s+\d+)?\s*`)

// caveatsInWords tells what may follow a marking on its line as caveats
// in words, in any case: "NZ Eyes Only", "– Australian Eyes Only",
// "(NZEO)", ", REL TO AUS, NZL", or nothing.
func caveatsInWords(t string) bool {
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) }) {
		u := strings.ToUpper(w)
		if !caveatWords[u] && !countryCodes[u] && !eyesWords[u] {
			return false
		}
	}
	return true
}

// eyesWords are the words of caveats written out.
var eyesWords = map[string]bool{"NZ": true, "AU": true, "US": true, "UK": true, "EYES": true, "ONLY": true, "AUSTRALIAN": true,
	"NEW": true, "ZEALAND": true, "RELEASABLE": true, "RELEASE": true, "AND": true, "PERSONAL": true, "DELICATE": true, "SOURCE": true}

// narrow is a text with its full-width forms ("（ＴＳ）", as an input method
// types them) as their ASCII letters.
func narrow(t string) string {
	if !strings.ContainsFunc(t, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E }) {
		return t
	}
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, t)
}

// listMarkRE is a bullet or an item's number alone, as a word processor
// copies a list as text: "•<TAB>…", "1.<TAB>…".
var listMarkRE = regexp.MustCompile(`^(?:[-*+•·▪‣◦–—●○■□►▸➢➤✓✔❖o]|\d+(?:\.\d+)*[.)]?|\(?[a-zA-Z][.)]|\(?(?:[ivx]+|[IVX]+)[.)])$`)

// inParensRE is a short text in parentheses, or in brackets ("[TS]").
var inParensRE = regexp.MustCompile(`[(\[]([^()\[\]]{1,60})[)\]]`)

// letterSet is the capital letters a text writes in parentheses alone,
// "(A)", "(B)", …
type letterSet map[byte]bool

// listLetters is the letters a text writes as a list's: "(A)" … in it.
func listLetters(t string) letterSet {
	set := letterSet{}
	for _, m := range listLetterRE.FindAllStringSubmatch(t, -1) {
		set[m[1][0]] = true
	}
	return set
}

var listLetterRE = regexp.MustCompile(`\(([A-Z])\)`)

// has tells a letter that is one of a list's: every letter before it, from
// A, is in the set too ("(C)" after "(A)" and "(B)"; not "(S)" after "(R)"
// alone, which are marks), or it is A and B follows.
func (set letterSet) has(c byte) bool {
	if c == 'A' {
		return set['B']
	}
	for l := byte('A'); l < c; l++ {
		if !set[l] {
			return false
		}
	}
	return c > 'A'
}

// spaceOrFormat tells the characters a line may begin with unseen: space,
// and format characters such as a zero-width space.
func spaceOrFormat(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }

// addHTML adds the list items and paragraphs of a cell of HTML, in order.
func (s Settings) addHTML(h string, add func(string, bool)) {
	// In the order written: a mark before a list marks its first item.
	at := 0
	for _, m := range itemRE.FindAllStringSubmatchIndex(h, -1) {
		if loose := strings.TrimSpace(cleanText(h[at:m[0]])); loose != "" {
			add(loose, false)
		}
		add(cleanText(h[m[4]:m[5]]), strings.EqualFold(h[m[2]:m[3]], "li"))
		at = m[1]
	}
	if rest := strings.TrimSpace(cleanText(h[at:])); rest != "" {
		add(rest, false)
	}
}

// markedLine tells a line bearing a portion mark where a paragraph's is
// read: at its start, or after a bullet, an item's number or letter, or a
// withholding mark. A hard-wrapped text never joins it to the line before.
func (s Settings) markedLine(t string) bool {
	if pm, _ := s.portion(t); pm != "" {
		return true
	}
	for _, re := range []*regexp.Regexp{bulletR, numberedR} {
		if m := re.FindString(t); m != "" {
			if pm, _ := s.portion(strings.TrimSpace(t[len(m):])); pm != "" {
				return true
			}
		}
	}
	if ms := s.marks(t); len(ms) > 0 && ms[0][0] == 0 {
		if pm, _ := s.portion(strings.TrimSpace(t[ms[0][1]:])); pm != "" {
			return true
		}
	}
	return false
}

// cleanText drops tags and reads entities.
func cleanText(t string) string {
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(breakTagRE.ReplaceAllString(t, " "), "")))
}

// cleanHeading is a heading without its Markdown or HTML dress.
func cleanHeading(h string) string {
	return undress(cleanText(h))
}

// undress is a heading of plain text without its Markdown dress.
func undress(h string) string {
	h = strings.TrimLeft(h, "# ")
	h = strings.TrimSuffix(strings.TrimPrefix(h, "**"), "**")
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), ":"))
}

// isHeading tells a heading line of plain text: Markdown's "## " or a
// whole line in bold, a standard question, or a short line that asks or
// announces (ends in "?" or ":").
func isHeading(l string) bool {
	if formHeading(l) {
		return true
	}
	if bulletR.MatchString(l) || len(l) > 120 {
		return false
	}
	if strings.HasSuffix(l, "?") || strings.HasSuffix(l, ":") {
		return true
	}
	// A numbered item is not a standard question by its words alone: a
	// commitment "3.04 - Work with PILON …" was read as "What could we
	// partner … to achieve?", its words lost.
	// Nor is a line longer than a heading, or one that begins in lower
	// case, continuing another ("will work with NIGHTFALL on …"): its
	// words were lost for the section's own heading.
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(l, "#*_ "))
	return standardKind(l) != "" && !strings.HasSuffix(l, ".") && !numberedR.MatchString(l) &&
		len(strings.Fields(l)) <= 8 && !unicode.IsLower(r)
}

// marks finds a jurisdiction's withholding marks in text ("S6(a)", in any
// case), each standing alone: not inside a longer word or ground, and not
// just after a brace, where the span written for it would open with "{{{"
// and cite "{s6(a)".
func (s Settings) marks(t string) [][2]int {
	gs := append([]string(nil), s.Grounds...)
	sort.Slice(gs, func(i, j int) bool { return len(gs[i]) > len(gs[j]) })
	// Lower-cased byte for byte (grounds are ASCII): strings.ToLower may
	// change the length of text that is not valid UTF-8, and with it every
	// index into t.
	lb := []byte(t)
	for i, c := range lb {
		if c >= 'A' && c <= 'Z' {
			lb[i] = c + 'a' - 'A'
		}
	}
	lower := string(lb)
	word := func(i int) bool {
		if i < 0 || i >= len(t) {
			return false
		}
		c := t[i]
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	var out [][2]int
	for i := 0; i < len(t); {
		found := false
		if !word(i-1) && (i == 0 || t[i-1] != '{') {
			for _, g := range gs {
				if strings.HasPrefix(lower[i:], strings.ToLower(g)) && !word(i+len(g)) && !strings.HasPrefix(t[i+len(g):], "(") {
					out = append(out, [2]int{i, i + len(g)})
					i += len(g)
					found = true
					break
				}
			}
		}
		if !found {
			i++
		}
	}
	return out
}

// markedParagraph is one paragraph's text with its withholding marks read:
// a paragraph of marks alone is withheld in full; a mark among words is a
// withheld span.
func (s Settings) markedParagraph(t, marking string) Paragraph {
	p := Paragraph{Text: t, Marking: marking}
	ms := s.marks(t)
	if len(ms) == 0 {
		return p
	}
	var rest strings.Builder
	last := 0
	for _, m := range ms {
		rest.WriteString(t[last:m[0]])
		last = m[1]
	}
	rest.WriteString(t[last:])
	if strings.Trim(rest.String(), " .,;") == "" {
		p.Withhold = s.NormalizeGround(t[ms[0][0]:ms[0][1]])
		p.Text = WithheldInSource
		return p
	}
	var b strings.Builder
	last = 0
	for _, m := range ms {
		b.WriteString(t[last:m[0]])
		b.WriteString("{{" + s.NormalizeGround(t[m[0]:m[1]]) + ": " + WithheldInSource + "}}")
		last = m[1]
	}
	b.WriteString(t[last:])
	p.Text = b.String()
	return p
}
