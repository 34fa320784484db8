package briefing

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ImportBook is a pack workbook as read for an import: the database and
// the round it was made from, the
// pack's marking (the highest of what it holds: every paragraph of the
// sheets at their versions marked no higher was in it), each topic sheet's
// id and the version the workbook was made from, and the Topics rows.
type ImportBook struct {
	RoundID string
	Marking string
	Format  string
	// Instance is the database the workbook was made from (Settings'
	// Instance), on the Import worksheet's row InstanceRow; "" in a
	// workbook made before the export wrote it.
	Instance    string
	InstanceRow int
	// Cols are the Topics worksheet's columns, found by its header row.
	Cols   ImportColumns
	Sheets []ImportSheet
	Rows   []ImportRow
}

// ImportSheet is a topic sheet a workbook was made from.
type ImportSheet struct {
	ID      string
	Version int
	Title   string
	Row     int // its row on the Import worksheet
	// Worksheet is the sheet's own worksheet (the two-column form), by the
	// name the export gave it, "" when the workbook holds none so named;
	// Cells are its cells holding text, as the import reads them. The
	// import reads none of it: they say whether someone edited it there.
	Worksheet string
	Cells     []ImportCell
}

// ImportCell is a cell of a topic sheet's own worksheet as a workbook
// holds it: its row and column (1 is A), and a hash of what it shows,
// which is all that telling it from what the export wrote takes but for a
// cell of more than some 16,000 characters, whose text Long holds.
type ImportCell struct {
	Row, Col int
	Sum      uint64
	Long     string
}

// ImportRow is one row of a workbook's Topics worksheet: a paragraph as the
// workbook holds it. A row without a paragraph id is a new paragraph.
type ImportRow struct {
	Row         int
	SheetID     string
	Version     int
	ParagraphID string
	Topic       string
	Section     string
	Text        string
	Marking     string
	Withhold    string
	Cols        ImportColumns
}

// ImportColumns are the columns of the Topics worksheet the row was read
// from (1 is A), for naming cells in answers.
type ImportColumns struct {
	Topic, Section, Text, Marking, Withhold, SheetID, Version, ParagraphID int
}

// ImportChange is one paragraph an import changes, adds or removes.
type ImportChange struct {
	Row         int    `json:"row,omitempty"` // its Topics row; 0 for a removed paragraph
	ParagraphID string `json:"paragraph_id,omitempty"`
	Section     string `json:"section,omitempty"`
}

// SheetImport is one topic sheet's part of an import: the sheet as the
// workbook left it (Mine, over what the importer may see, its version the
// workbook's) and what that changes.
type SheetImport struct {
	SheetID string
	Title   string
	Version int
	Mine    *Sheet
	Changed []ImportChange
	Added   []ImportChange
	Removed []ImportChange
	// RowOf is the Topics row of each paragraph id of Mine that a row holds.
	RowOf map[string]int
	// Cols are the columns of the Topics worksheet, for naming cells.
	Cols ImportColumns
}

// ImportInput is what planning an import needs besides the workbook.
type ImportInput struct {
	// Bases are the importer's copies of the sheets the workbook names,
	// each at the version the workbook was made from, headings filled in.
	Bases map[string]*Sheet
	// Clearance is the importer's.
	Clearance string
	// DefaultMarking marks a new row whose marking cell is empty.
	DefaultMarking string
	// Render is a paragraph's text as the workbook shows it.
	Render func(Paragraph) string
}

// cell names a cell of the Topics worksheet.
func topicsCell(col, row int) string {
	s := ""
	for n := col; n > 0; {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return "Topics!" + s + strconv.Itoa(row)
}

// MaxImportRows bounds the Topics rows an import reads. A round of a
// thousand topic sheets of forty paragraphs is 40,000 rows; a workbook of
// more is refused at the first row past the bound, by the reader, before
// any row is planned (PlanImport refuses a longer book all the same).
const MaxImportRows = 200000

// TooManyImportRows is the refusal of a workbook of more than MaxImportRows
// rows, which the reader gives at the first row too many.
var TooManyImportRows = fmt.Sprintf("the Topics worksheet holds more than %d rows, far more than a round's paragraphs: it is refused", MaxImportRows)

// maxImportErrors bounds the cells an import's error names; its message
// counts the rest.
const maxImportErrors = 100

func importErr(code, where, msg string) *Error {
	return &Error{Code: code, Message: where + ": " + msg, Fields: map[string]string{where: msg}}
}

// NormalizeMarking returns the scheme's spelling of a marking typed in any
// case, or "" if it is not one.
func (s Settings) NormalizeMarking(m string) string {
	m = strings.TrimSpace(m)
	for _, x := range s.Markings {
		if strings.EqualFold(x, m) {
			return x
		}
	}
	return ""
}

// PlanImport applies a workbook's Topics rows to the sheets it was made
// from: a row whose text, marking or withholding differs from its paragraph
// changes it; a row without a paragraph id adds a paragraph to its section,
// after the row above it; a paragraph the workbook held whose row is gone is
// removed. A paragraph the workbook never held — marked above the pack's
// marking, or above the importer — is left as it is. Sheets nothing changed in are left out.
// A row naming a sheet the Import worksheet does not list (copied from
// another workbook) is refused: the workbook held none of that sheet.
// Errors are EINVALID (or EFORBIDDEN for a marking above the importer)
// naming the cell ("Topics!E12"): at most the first hundred cells, the
// message counting the rest. More than MaxImportRows rows, or new rows
// giving a section more than MaxParagraphs (or than the importer saw of
// it at the workbook's version), are EINVALID too.
func (s Settings) PlanImport(book *ImportBook, in ImportInput) ([]*SheetImport, error) {
	if len(book.Rows) > MaxImportRows {
		return nil, importErr(EINVALID, "Topics!"+strconv.Itoa(book.Rows[MaxImportRows].Row), TooManyImportRows)
	}
	top := s.NormalizeMarking(book.Marking)
	if top == "" {
		return nil, importErr(EINVALID, "Import!B2", "must be a marking of this jurisdiction")
	}
	type sheetState struct {
		imp     *SheetImport
		base    *Sheet
		held    map[string]bool // paragraph ids the workbook held
		byID    map[string]Paragraph
		secOf   map[string]int // paragraph id → section index
		rows    map[string]bool
		edited  map[string]Paragraph
		after   map[string][]Paragraph
		lastSec map[int]string // section → id of the last paragraph a row placed
		first   map[int][]Paragraph
		// count is each section's paragraphs so far: those the workbook
		// never held, and those rows placed; full says it was refused.
		count map[int]int
		full  map[int]bool
	}
	states := map[string]*sheetState{}
	var order []string
	versions := map[string]int{}
	for _, sh := range book.Sheets {
		versions[sh.ID] = sh.Version
	}
	state := func(r ImportRow, id string) (*sheetState, error) {
		if st, ok := states[id]; ok {
			return st, nil
		}
		base, ok := in.Bases[id]
		if !ok || base == nil {
			return nil, importErr(EINVALID, topicsCell(r.Cols.SheetID, r.Row), "names no topic sheet of this round")
		}
		st := &sheetState{base: base, held: map[string]bool{}, byID: map[string]Paragraph{}, secOf: map[string]int{},
			rows: map[string]bool{}, edited: map[string]Paragraph{}, after: map[string][]Paragraph{},
			lastSec: map[int]string{}, first: map[int][]Paragraph{}, count: map[int]int{}, full: map[int]bool{},
			imp: &SheetImport{SheetID: id, Title: base.Title, Version: base.Version, RowOf: map[string]int{}, Cols: book.Cols}}
		for i, sec := range base.Sections {
			for _, p := range sec.Paragraphs {
				st.byID[p.ID] = p
				st.secOf[p.ID] = i
				if s.Allows(top, p.Marking) {
					st.held[p.ID] = true
				} else {
					st.count[i]++
				}
			}
		}
		states[id] = st
		order = append(order, id)
		return st, nil
	}
	// A sheet the Import worksheet lists whose rows were all deleted is
	// still part of the import.
	for _, sh := range book.Sheets {
		if _, ok := in.Bases[sh.ID]; !ok {
			return nil, importErr(EINVALID, "Import!A"+strconv.Itoa(sh.Row), "names no topic sheet of this round")
		}
		if _, err := state(ImportRow{Row: sh.Row}, sh.ID); err != nil {
			return nil, err
		}
	}
	titles := map[string][]string{}
	for _, id := range order {
		t := strings.ToLower(strings.TrimSpace(states[id].base.Title))
		titles[t] = append(titles[t], id)
	}
	// The first cells found wrong are named, and the rest only counted: a
	// workbook of many bad rows is answered in proportion to the bound, not
	// to its rows.
	fe := map[string]string{}
	more := 0
	fail := func(col, row int, msg string) {
		if len(fe) < maxImportErrors {
			fe[topicsCell(col, row)] = msg
		} else {
			more++
		}
	}
	forbidden := ""
	markings := "must be one of " + strings.Join(s.Markings, ", ")
	grounds := "must be empty or one of " + strings.Join(s.Grounds, ", ")
	for _, r := range book.Rows {
		id := r.SheetID
		if id == "" {
			// A row typed in by hand: its sheet by its topic.
			ids := titles[strings.ToLower(r.Topic)]
			if len(ids) != 1 {
				fail(r.Cols.Topic, r.Row, "must be the title of one topic sheet in the workbook")
				continue
			}
			id = ids[0]
		} else if _, ok := versions[id]; !ok {
			// A row copied from another workbook (a newer one, made after
			// the sheet was): this one never held the sheet's other
			// paragraphs, which would be taken for rows deleted.
			fail(r.Cols.SheetID, r.Row, "names a topic sheet this workbook was not made from (its Import worksheet does not list it): a row copied from another workbook cannot be imported with this one; copy it into a workbook downloaded since")
			continue
		}
		st, err := state(r, id)
		if err != nil {
			return nil, err
		}
		if v := versions[id]; r.Version != 0 && r.Version != v {
			fail(r.Cols.Version, r.Row, fmt.Sprintf("must be %d, the version the workbook was made from", v))
			continue
		}
		marking := s.NormalizeMarking(r.Marking)
		if r.Marking == "" && r.ParagraphID == "" {
			marking = in.DefaultMarking
		}
		if marking == "" {
			fail(r.Cols.Marking, r.Row, markings)
			continue
		}
		ground := s.NormalizeGround(r.Withhold)
		if r.Withhold != "" && ground == "" {
			fail(r.Cols.Withhold, r.Row, grounds)
			continue
		}
		if !s.Allows(in.Clearance, marking) {
			// The first such cell is named past the bound too: it is why
			// the answer is 403.
			if forbidden == "" {
				forbidden = topicsCell(r.Cols.Marking, r.Row)
				fe[forbidden] = "is above your clearance (" + in.Clearance + ")"
			} else {
				fail(r.Cols.Marking, r.Row, "is above your clearance ("+in.Clearance+")")
			}
			continue
		}
		if _, ok := st.byID[r.ParagraphID]; r.ParagraphID != "" && !ok {
			// Not this sheet's, or above the importer: as if it did not exist.
			fail(r.Cols.ParagraphID, r.Row, fmt.Sprintf("names no paragraph of this topic sheet at version %d", st.base.Version))
			continue
		}
		if r.ParagraphID != "" && !st.rows[r.ParagraphID] && st.held[r.ParagraphID] {
			st.rows[r.ParagraphID] = true
			base := st.byID[r.ParagraphID]
			p := base
			// Line ends compared alike: the reader reads a cell's "\r\n" as
			// "\n", and a paragraph the JSON API stored with "\r\n" is
			// untouched all the same.
			if crlf.Replace(r.Text) != crlf.Replace(in.Render(base)) {
				p.Text = FromCellText(s, r.Text)
			}
			if strings.TrimSpace(p.Text) == "" {
				fail(r.Cols.Text, r.Row, "is empty: delete the row to delete the paragraph")
				continue
			}
			p.Marking, p.Withhold = marking, ground
			st.imp.RowOf[p.ID] = r.Row
			if p != base {
				st.edited[p.ID] = p
				st.imp.Changed = append(st.imp.Changed, ImportChange{Row: r.Row, ParagraphID: p.ID})
			}
			st.lastSec[st.secOf[p.ID]] = p.ID
			st.count[st.secOf[p.ID]]++
			continue
		}
		if r.ParagraphID != "" && !st.held[r.ParagraphID] {
			fail(r.Cols.ParagraphID, r.Row, fmt.Sprintf("names no paragraph of this topic sheet at version %d", st.base.Version))
			continue
		}
		// A new paragraph (or a row copied with its id: a new one too).
		sec := -1
		for i, x := range st.base.Sections {
			if strings.EqualFold(strings.TrimSpace(x.Heading), r.Section) {
				sec = i
				break
			}
		}
		if sec < 0 {
			var hs []string
			for _, x := range st.base.Sections {
				hs = append(hs, x.Heading)
			}
			fail(r.Cols.Section, r.Row, "must be a section of the topic sheet: "+strings.Join(hs, "; "))
			continue
		}
		text := FromCellText(s, r.Text)
		if strings.TrimSpace(text) == "" {
			fail(r.Cols.Text, r.Row, "a new paragraph needs text")
			continue
		}
		// A section the save would refuse is refused here, by its first
		// row too many, before the merge places every row of it. The
		// limit holds the section as the importer saw it at the
		// workbook's version, as a merge holds a writer's (ValidateAsSeen):
		// one who saw more than MaxParagraphs (paragraphs hidden from
		// others beside theirs) may keep as many.
		if st.count[sec]++; st.count[sec] > max(MaxParagraphs, len(st.base.Sections[sec].Paragraphs)) {
			if !st.full[sec] {
				st.full[sec] = true
				fail(r.Cols.Section, r.Row, fmt.Sprintf("would give the section more than %d paragraphs", MaxParagraphs))
			}
			continue
		}
		newID := fmt.Sprintf("new:row:%d", r.Row)
		p := Paragraph{ID: newID, Text: text, Marking: marking, Withhold: ground}
		st.imp.RowOf[newID] = r.Row
		if prev, ok := st.lastSec[sec]; ok {
			st.after[prev] = append(st.after[prev], p)
		} else {
			st.first[sec] = append(st.first[sec], p)
		}
		st.lastSec[sec] = newID
		st.imp.Added = append(st.imp.Added, ImportChange{Row: r.Row, Section: st.base.Sections[sec].Heading})
	}
	if len(fe)+more > 0 {
		code, msg := EINVALID, "the workbook cannot be imported"
		if forbidden != "" {
			code, msg = EFORBIDDEN, "the workbook marks a paragraph above your clearance"
		}
		keys := make([]string, 0, len(fe))
		for k := range fe {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return cellLess(keys[i], keys[j]) })
		msg += ": " + keys[0] + " " + fe[keys[0]]
		switch {
		case more > 0:
			msg += fmt.Sprintf(" (and %d more; the first %d are named)", len(keys)-1+more, len(keys))
		case len(keys) > 1:
			msg += fmt.Sprintf(" (and %d more)", len(keys)-1)
		}
		return nil, &Error{Code: code, Message: msg, Fields: fe}
	}
	var out []*SheetImport
	for _, id := range order {
		st := states[id]
		mine := st.base.Clone()
		for i := range mine.Sections {
			var ps []Paragraph
			for _, np := range st.first[i] {
				ps = append(ps, np)
				ps = appendAfter(ps, st.after, np.ID)
			}
			for _, p := range mine.Sections[i].Paragraphs {
				if st.held[p.ID] && !st.rows[p.ID] {
					st.imp.Removed = append(st.imp.Removed, ImportChange{ParagraphID: p.ID})
				} else if e, ok := st.edited[p.ID]; ok {
					ps = append(ps, e)
				} else {
					ps = append(ps, p)
				}
				ps = appendAfter(ps, st.after, p.ID)
			}
			if ps == nil {
				ps = []Paragraph{}
			}
			mine.Sections[i].Paragraphs = ps
		}
		if len(st.imp.Changed)+len(st.imp.Added)+len(st.imp.Removed) == 0 {
			continue
		}
		st.imp.Mine = mine
		out = append(out, st.imp)
	}
	return out, nil
}

// crlf reads a carriage return before a line break as the line break.
var crlf = strings.NewReplacer("\r\n", "\n")

// appendAfter appends the paragraphs added after id, and those added after them.
func appendAfter(ps []Paragraph, after map[string][]Paragraph, id string) []Paragraph {
	for _, np := range after[id] {
		ps = append(ps, np)
		ps = appendAfter(ps, after, np.ID)
	}
	return ps
}

// cellLess orders cell names by worksheet, row, then column.
func cellLess(a, b string) bool {
	pa, ra, ca := splitCell(a)
	pb, rb, cb := splitCell(b)
	if pa != pb {
		return pa < pb
	}
	if ra != rb {
		return ra < rb
	}
	if len(ca) != len(cb) {
		return len(ca) < len(cb)
	}
	return ca < cb
}

func splitCell(s string) (string, int, string) {
	i := strings.LastIndex(s, "!")
	sheet, ref := s[:i+1], s[i+1:]
	j := 0
	for j < len(ref) && (ref[j] < '0' || ref[j] > '9') {
		j++
	}
	n, _ := strconv.Atoi(ref[j:])
	return sheet, n, ref[:j]
}

// EscapeSpan writes withheld words as a cell shows them inside
// "[s6(a): …]": a "[" as "\[", a "]" as "\]" and a "\" as "\\", so that
// the span ends where it ends when the cell is edited and read back
// (FromCellText), not at a bracket of the words, which would release those
// after it.
func EscapeSpan(words string) string {
	if !strings.ContainsAny(words, `[]\`) {
		return words
	}
	return spanEscaper.Replace(words)
}

var spanEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)

// spanWords reads withheld words as EscapeSpan wrote them, up to the "]"
// that ends the span: the words and the bytes read, "]" included; ok is
// false when no "]" ends them. Brackets typed within the words pair up —
// "[s6(a): the minister [Smith] said]" withholds all it encloses — and an
// escaped one ("\[", "\]") is itself and pairs with nothing; a "\" before
// anything else is itself.
func spanWords(s string) (words string, n int, ok bool) {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '[':
			depth++
		case s[i] == ']' && depth == 0:
			return b.String(), i + 1, true
		case s[i] == ']':
			depth--
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`[]\`, s[i+1]) >= 0:
			i++
		}
		b.WriteByte(s[i])
	}
	return "", 0, false
}

// FromCellText turns a paragraph's text as a spreadsheet cell shows it back
// into the paragraph's Markdown, so that the workbook shows it again as it
// was typed. What the export writes for what it renders is read back as
// that: a withheld span shown "[s6(a): words]" becomes "{{s6(a): words}}"
// (its words read as EscapeSpan wrote them), a bullet "• " before words a
// list item "- ", a number "2. " before words stays a numbered item, and
// the "[withheld on release: s6(a)] " flag that leads a withheld paragraph
// is dropped (the Withholding column says it). A span typed in the
// Markdown form, "{{s6(a): words}}", is a withheld span too; one begun so
// and not ended is left for the save to refuse. Everything else is text:
// each character Markdown would read as a mark is escaped (EscapeMarkdown),
// so "*stars*", "<tags>", "# " or "> " at a line's start show as typed.
// A "\" is itself, before a "[" too: "\[s6(a): words]" is a backslash
// and a withheld span, as the export shows one; a literal "[s6(a): words]"
// cannot be typed, and is withheld rather than released. Bold and links
// shown as plain text stay plain. An invisible word joiner (U+2060), which
// the workbook uses itself, is dropped.
func FromCellText(s Settings, text string) string {
	// A word joiner is the workbook's own mark, which it drops: typed, it
	// is dropped here, so the text shows the same whatever else it holds.
	text = strings.ReplaceAll(text, WordJoiner, "")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if rest, ok := strings.CutPrefix(text, "[withheld on release: "); ok {
		if i := strings.Index(rest, "] "); i >= 0 && s.NormalizeGround(rest[:i]) != "" {
			text = rest[i+2:]
		}
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	lineStart := true // the next text written starts a line
	// plain writes text up to next, the rest of the cell, which says
	// whether a bullet at the end of t stands before words.
	plain := func(t, next string) {
		if t != "" {
			escapeMarkdown(&b, t, next, lineStart, true)
			lineStart = t[len(t)-1] == '\n'
		}
	}
	span := func(g, words string) {
		b.WriteString("{{" + g + ": ")
		escapeSpanWords(&b, words)
		b.WriteString("}}")
		lineStart = false
	}
	rest := text
	for {
		i := strings.IndexAny(rest, "[{")
		if i < 0 {
			plain(rest, "")
			break
		}
		plain(rest[:i], rest[i:])
		rest = rest[i:]
		if rest[0] == '{' {
			g, words, n, state := typedSpan(s, rest)
			switch state {
			case spanWhole:
				span(g, words)
				rest = rest[n:]
				continue
			case spanBroken:
				// Left as typed, so the save refuses it and names the cell:
				// read as text, its words would be released.
				b.WriteString("{{")
				lineStart = false
				rest = rest[2:]
				continue
			}
			plain(rest[:1], rest[1:])
			rest = rest[1:]
			continue
		}
		// The span as the workbook shows it, "[s6(a): words]", and as an
		// officer may type it instead: no space after the colon, or another
		// space (a tab, a line's end), a full-width colon, a space inside
		// the ground. Read as text, its words would be released.
		colon, after := spanColon(rest)
		if colon > 1 {
			from := colon + after
			if strings.HasPrefix(rest[from:], " ") {
				from++ // the one space the workbook writes; any more are the words'
			} else {
				from += len(rest[from:]) - len(strings.TrimLeftFunc(rest[from:], unicode.IsSpace))
			}
			words, n, ok := spanWords(rest[from:])
			g := s.NormalizeGround(strings.Join(strings.Fields(rest[1:colon]), ""))
			if g != "" && ok && strings.TrimSpace(words) != "" {
				span(g, words)
				rest = rest[from+n:]
				continue
			}
			if g != "" && !ok {
				// A span begun and not ended: left begun, the rest of the
				// cell after it as text (no brace of which can end it), so
				// the save refuses it and names the cell. Read as text, its
				// words would be released.
				b.WriteString("{{" + g + ": ")
				lineStart = false
				plain(rest[from:], "")
				break
			}
		}
		plain(rest[:1], rest[1:])
		rest = rest[1:]
	}
	return b.String()
}

// spanColon finds the colon that would end a span's ground in s, which
// begins "[": its offset and its length (":" or the full-width "："), or -1.
// A ground holds no "[", "]" or line end, so the colon is looked for only
// before the first: looked for to the end of the cell from each "[", a
// cell of twenty thousand took the import most of a second.
func spanColon(s string) (int, int) {
	if j := strings.IndexAny(s[1:], "[]\n"); j >= 0 {
		s = s[:1+j]
	}
	i := strings.IndexAny(s, ":：")
	if i < 0 {
		return -1, 0
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return i, size
}

// What typedSpan found at a "{".
const (
	spanNone   = iota // no span: a brace
	spanWhole         // a withheld span, "{{s6(a): words}}"
	spanBroken        // a span begun, "{{s6(a):", and not ended
)

// typedSpan reads a withheld span typed in the Markdown form at the start
// of s: its ground, its words and its length.
func typedSpan(set Settings, s string) (ground, words string, n, state int) {
	body, ok := strings.CutPrefix(s, "{{")
	if !ok {
		return "", "", 0, spanNone
	}
	// A ground holds no brace or line end: the colon is looked for only
	// before the first, not to the end of the cell from each "{{".
	head := body
	if j := strings.IndexAny(body, "{}\n"); j >= 0 {
		head = body[:j]
	}
	colon := strings.IndexByte(head, ':')
	if colon < 0 {
		return "", "", 0, spanNone
	}
	g := set.NormalizeGround(body[:colon])
	if g == "" {
		return "", "", 0, spanNone
	}
	end := strings.Index(body, "}}")
	if end < colon || strings.Contains(body[:end], "{{") || strings.TrimSpace(body[colon+1:end]) == "" {
		return "", "", 0, spanBroken
	}
	return g, strings.TrimSpace(body[colon+1 : end]), 2 + end + 2, spanWhole
}

// MarkdownMarks are the characters that make a line Markdown as the packs
// read it (blackfriday, with htmlpack's extensions): emphasis, code, an
// escape, strikethrough, a link or image, inline HTML, an entity. A line
// without them is plain text; EscapeMarkdown escapes each of them.
const MarkdownMarks = "*_`\\~[<&"

// blockMarks begin a block at the start of a line (after spaces): a
// heading, a quote, a list item, a rule, a setext underline, a table's
// row, a definition.
const blockMarks = "#>-+|:"

// WordJoiner (U+2060) is invisible. The workbook puts one before each line
// it renders, so that no line begins a Markdown block, and drops every one
// it reads back from the parser; EscapeMarkdown writes one, as the
// reference "&NoBreak;", where no backslash keeps typed text as it is.
const WordJoiner = "\u2060"

// joiner is WordJoiner as Markdown writes it: a named reference, which
// both the parser and the HTML pack's renderer keep as the character.
const joiner = "&NoBreak;"

// EscapeMarkdown is text as Markdown that reads as that text, in the HTML
// pack and in the workbook alike: each of MarkdownMarks is escaped with a
// backslash, a brace is written as its reference ("&lbrace;"), which the
// withheld span's "{{" and "}}" cannot be made of, and at the start of
// each line a block's mark is escaped, a line of "=" or one indented far
// enough to be code is led by an invisible joiner, as are spaces before a
// line's end, which the parser drops. It is FromCellText's, for the plain
// text of an edited cell.
func EscapeMarkdown(text string) string {
	var b strings.Builder
	escapeMarkdown(&b, text, "", true, false)
	return b.String()
}

// escapeMarkdown writes EscapeMarkdown(t), t's first line a line's start
// or not; with lists, a bullet "• " or a number "2. " before words at a
// line's start is a list item, as the workbook shows one. next is the text
// that follows t, whose first character may be the words after a bullet.
func escapeMarkdown(b *strings.Builder, t, next string, lineStart, lists bool) {
	for n := 0; ; n++ {
		line, more := t, false
		if i := strings.IndexByte(t, '\n'); i >= 0 {
			line, t, more = t[:i], t[i+1:], true
		}
		spaced := strings.TrimRight(line, " \t") != line
		if n > 0 || lineStart {
			after := next
			if more {
				after = "\n"
			}
			line = escapeLineStart(b, line, after, lists)
		}
		body := strings.TrimRight(line, " \t")
		escapeInline(b, body)
		b.WriteString(line[len(body):])
		if !more {
			return
		}
		if spaced {
			b.WriteString(joiner) // the parser drops spaces before a line's end
		}
		b.WriteByte('\n')
	}
}

// escapeLineStart writes what a line starts with, escaped so it begins no
// block, and returns the rest of the line; next is what follows the line.
// A list item is escaped in every form the HTML pack or the workbook
// (xlsxpack's listPrefix) reads as one, but the form the workbook writes.
func escapeLineStart(b *strings.Builder, line, next string, lists bool) string {
	rest := strings.TrimLeft(line, " \t")
	ws := line[:len(line)-len(rest)]
	if len(ws) >= 4 || strings.Contains(ws, "\t") {
		// Indented code in the HTML pack, where no escape is read.
		b.WriteString(joiner + ws)
		return rest
	}
	b.WriteString(ws)
	if rest == "" {
		return rest
	}
	if lists && ws == "" {
		if words, ok := strings.CutPrefix(rest, "• "); ok && wordsFollow(words, next) {
			b.WriteString("- ")
			return escapeLineStart(b, words, next, false)
		}
	}
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits < len(rest) && (rest[digits] == '.' || rest[digits] == ')') &&
		(digits+1 == len(rest) || isBlank(rest[digits+1])) {
		if lists && ws == "" && digits <= 9 && rest[digits] == '.' && digits+1 < len(rest) && rest[digits+1] == ' ' && wordsFollow(rest[digits+2:], next) {
			// "2. words", as the workbook shows a numbered item.
			b.WriteString(rest[:digits+2])
			return escapeLineStart(b, rest[digits+2:], next, false)
		}
		b.WriteString(rest[:digits] + "\\")
		return rest[digits:]
	}
	switch {
	case strings.IndexByte(blockMarks, rest[0]) >= 0:
		b.WriteByte('\\')
	case rest[0] == '=' && strings.TrimRight(rest, "= \t") == "":
		b.WriteString(joiner) // a setext heading's underline
	}
	return rest
}

// escapeInline writes text with each of MarkdownMarks escaped and each
// brace written as its reference.
func escapeInline(b *strings.Builder, t string) {
	for {
		i := strings.IndexAny(t, MarkdownMarks+"{}")
		if i < 0 {
			b.WriteString(t)
			return
		}
		b.WriteString(t[:i])
		switch t[i] {
		case '{':
			b.WriteString("&lbrace;")
		case '}':
			b.WriteString("&rbrace;")
		default:
			b.WriteByte('\\')
			b.WriteByte(t[i])
		}
		t = t[i+1:]
	}
}

// escapeSpanWords writes a withheld span's words, escaped as text; a space
// at either end, which the span's reading trims, is kept by a joiner.
func escapeSpanWords(b *strings.Builder, words string) {
	trimmed := strings.TrimLeftFunc(words, unicode.IsSpace)
	if trimmed != words {
		b.WriteString(joiner)
	}
	escapeMarkdown(b, words, "", trimmed == words, false)
	if strings.TrimRightFunc(words, unicode.IsSpace) != words {
		b.WriteString(joiner)
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// wordsFollow says whether words, or next after them, begin with other
// than a space or a line's end: a list marker's words, which the workbook
// shows after one space.
func wordsFollow(words, next string) bool {
	if words == "" {
		words = next
	}
	return words != "" && !isBlank(words[0])
}
