package xlsxpack

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/internal/deflate"
	"briefpack/internal/lru"
	"briefpack/internal/parallel"
)

// The topic sheets' own worksheets are written here, not through excelize:
// excelize looks through every worksheet of the workbook each time one is
// added, which makes a pack of thousands of sheets slower than linear, and
// its stream writer cannot write the sheet properties that fit a worksheet
// to the page's width. Each is one XML part, compressed once and kept for
// what it was built from; a pack after one edit compresses one sheet and
// copies the others into the zip as they are. The parts are put into the
// workbook as the zip is written (see sortedZip.Close).

// part is a topic sheet's worksheet, compressed.
type part struct {
	name string // the worksheet's name, as the tab shows it
	data []byte // deflated XML
	crc  uint32
	size uint64 // uncompressed
}

// parts keeps compressed worksheets by what they were built from.
var parts = lru.New[*part](partBytes, func(p *part) int64 { return int64(len(p.data)) + 64 })

// partBytes bounds the parts kept: some 8,000 sheets of 4 KB compressed.
const partBytes = 32 << 20

// partKey is what a topic sheet's worksheet is built from, or "" for a
// sheet not read from the store, which is written every time: the stored
// record, the reader's clearance (the pack's ceiling), the edition, the
// dialogue's sides (its headings), the owner, the jurisdiction and the
// pack's marking (the page header), and the styles of this writer.
func (wr *writer) partKey(sh *briefing.Sheet) string {
	if sh.Stored == "" {
		return ""
	}
	return strings.Join([]string{wr.p.Edition, wr.p.Settings.Jurisdiction, wr.p.Ceiling, sh.Stored, sh.Owner,
		wr.p.Dialogue.Home, wr.p.Dialogue.Partner, wr.hf.OddHeader, fmt.Sprint(wr.title, wr.bold, wr.wrap)}, "\x00")
}

// local is what one goroutine laying out worksheets keeps from one sheet
// to the next: its compressor, and the buffer a sheet's XML is written to
// before it is compressed, so that a workbook built from nothing does not
// allocate (and clear) the XML of every sheet afresh: 40 MB at 1,000
// sheets.
type local struct {
	fw   *flate.Writer
	text bytes.Buffer
}

// sheets lays out each topic sheet in the two-column form — the heading
// once, then a row per paragraph — as its own worksheet, several at once.
func (wr *writer) sheets() error {
	names := newNamer()
	wr.parts = make([]*part, len(wr.p.Sheets))
	for i, sh := range wr.p.Sheets {
		wr.parts[i] = &part{name: names.name(sh.Title)}
	}
	return parallel.Each(len(wr.p.Sheets), func(i int, l *local) error {
		sh := wr.p.Sheets[i]
		key := wr.partKey(sh)
		if key != "" {
			if kept, ok := parts.Get(key); ok {
				wr.parts[i].data, wr.parts[i].crc, wr.parts[i].size = kept.data, kept.crc, kept.size
				return nil
			}
		}
		partsRendered.Add(1)
		l.text.Reset()
		wr.sheetXML(&l.text, sh)
		c, err := deflate.Compress(&l.fw, l.text.Bytes())
		if err != nil {
			return err
		}
		p := wr.parts[i]
		p.data, p.crc, p.size = append(c.Data, deflate.FinalBlock...), c.CRC, c.Size
		if key != "" {
			parts.PutLatest(wr.p.SheetSlot(sh), key, &part{data: p.data, crc: p.crc, size: p.size})
		}
		return nil
	})
}

// partsRendered counts the sheets' worksheets and Topics rows laid out
// (PartsRendered).
var partsRendered atomic.Int64

// PartsRendered is how many sheets' worksheets and Topics rows this
// process has laid out rather than found kept, in either edition: what a
// workbook or a freeze that should find them kept can be checked by.
func PartsRendered() int64 { return partsRendered.Load() }

// sheetXML writes a topic sheet's worksheet: A4, fitted to the page's
// width, its marking in the header and footer, the title in large bold, and
// each paragraph a wrapped row tall enough for its text.
func (wr *writer) sheetXML(b *bytes.Buffer, sh *briefing.Sheet) {
	b.Grow(4096 + rowBytes(sh, 300))
	b.WriteString(worksheetOpen() + `<sheetViews><sheetView workbookViewId="0"/></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="34" customWidth="1"/><col min="2" max="2" width="100" customWidth="1"/></cols><sheetData>`)
	b.WriteString(`<row r="1" ht="21" customHeight="1">`)
	inlineCell(b, "A1", wr.title, sheetLabel(sh, wr.rel))
	b.WriteString(`</row>`)
	sheetRows(sh, func(n int, heading string, first bool, para *briefing.Paragraph) {
		if para == nil {
			// As tall as its heading, as a row of paragraphs is.
			fmt.Fprintf(b, `<row r="%d" ht="%d" customHeight="1">`, n, linesHeight(wrappedLines(heading, 34)))
			inlineCell(b, "A"+strconv.Itoa(n), wr.bold, heading)
			b.WriteString(`</row>`)
			return
		}
		v := wr.cellText(*para, true)
		lines := 1
		if first {
			lines = max(wrappedLines(heading, 34), 1)
		}
		lines = max(lines, cellLines(v, 100))
		fmt.Fprintf(b, `<row r="%d" ht="%d" customHeight="1">`, n, linesHeight(lines))
		if first {
			inlineCell(b, "A"+strconv.Itoa(n), wr.bold, heading)
		}
		switch t := v.(type) {
		case string:
			inlineCell(b, "B"+strconv.Itoa(n), wr.wrap, t)
		case []excelize.RichTextRun:
			richCell(b, "B"+strconv.Itoa(n), wr.wrap, t)
		}
		b.WriteString(`</row>`)
	})
	b.WriteString(`</sheetData>`)
	wr.pageEnd(b, false)
}

// sheetLabel is what A1 of a topic sheet's worksheet shows: its title and,
// in the full edition, its marking and DRAFT unless it is cleared.
func sheetLabel(sh *briefing.Sheet, release bool) string {
	if release {
		return sh.Title
	}
	label := sh.Title + "  [" + sh.Marking + "]"
	if sh.Status != briefing.SheetCleared {
		label += "  DRAFT"
	}
	return label
}

// sheetRows lays out a topic sheet's worksheet below its label, from row
// 3: each paragraph a row, its section's heading beside the first (first),
// and a section without paragraphs a row of its heading alone (para nil).
// The worksheet is written (sheetXML) and read back by an import
// (sheetCells) by it.
func sheetRows(sh *briefing.Sheet, fn func(n int, heading string, first bool, para *briefing.Paragraph)) {
	n := 3
	for _, sec := range sh.Sections {
		if len(sec.Paragraphs) == 0 {
			fn(n, sec.Heading, true, nil)
			n++
		}
		for k := range sec.Paragraphs {
			fn(n, sec.Heading, k == 0, &sec.Paragraphs[k])
			n++
		}
	}
}

// worksheetOpen begins a worksheet's XML, fitted to the page's width when
// printed (with pageEnd's page set-up).
func worksheetOpen() string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`
}

// pageEnd ends a worksheet's XML: A4, one page wide and as many long as it
// takes, landscape for a wide one, its marking in the header and footer.
func (wr *writer) pageEnd(b *bytes.Buffer, landscape bool) {
	orientation := "portrait"
	if landscape {
		orientation = "landscape"
	}
	b.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>` +
		`<pageSetup paperSize="9" orientation="` + orientation + `" fitToWidth="1" fitToHeight="0"/><headerFooter><oddHeader>`)
	xmlEscape(b, wr.hf.OddHeader)
	b.WriteString(`</oddHeader><oddFooter>`)
	xmlEscape(b, wr.hf.OddFooter)
	b.WriteString(`</oddFooter></headerFooter></worksheet>`)
}

// wrappedLines estimates the lines a text takes in a wrapped column of the
// given width (in characters), so the row is tall enough to show it all.
func wrappedLines(text string, width int) int {
	lines := 0
	for {
		l, rest, more := strings.Cut(text, "\n")
		lines += lineRows(utf8.RuneCountInString(l), width)
		if !more {
			return lines
		}
		text = rest
	}
}

// cellLines is wrappedLines of a cell value, plain text or rich text
// runs, without joining the runs into one string first (at 1,000 sheets
// joining them allocated 30 MB a workbook).
func cellLines(v any, width int) int {
	if s, ok := v.(string); ok {
		return wrappedLines(s, width)
	}
	lines, runes := 0, 0
	for _, r := range v.([]excelize.RichTextRun) {
		text := r.Text
		for {
			l, rest, more := strings.Cut(text, "\n")
			runes += utf8.RuneCountInString(l)
			if !more {
				break
			}
			lines += lineRows(runes, width)
			runes, text = 0, rest
		}
	}
	return lines + lineRows(runes, width)
}

// lineRows is how many lines a line of text of runes characters takes in
// a wrapped column of width, counted a tenth wider than it is.
func lineRows(runes, width int) int { return runes*11/(width*10) + 1 }

// plainCell writes a cell of a value's plain text, as inlineCell writes
// its runs joined: the Topics worksheet's text, which people filter and
// sort, keeps no bold.
func plainCell(b *bytes.Buffer, style int, v any) {
	runs, ok := v.([]excelize.RichTextRun)
	if !ok {
		inlineCell(b, "", style, v.(string))
		return
	}
	empty := true
	for _, r := range runs {
		empty = empty && r.Text == ""
	}
	if empty {
		inlineCell(b, "", style, "")
		return
	}
	cellOpen(b, "", style)
	b.WriteString(` t="inlineStr"><is><t xml:space="preserve">`)
	// The runs are one text here, escaped whole: escaped run by run, an
	// "_x0009_" split by a bold run was left as it is, and read as a tab.
	var text strings.Builder
	for _, r := range runs {
		text.WriteString(r.Text)
	}
	xmlEscape(b, text.String())
	b.WriteString(`</t></is></c>`)
}

// inlineCell writes a cell of inline text: text, never a formula. With no
// reference, the cell is the one after the last; an empty text is an empty
// cell.
func inlineCell(b *bytes.Buffer, ref string, style int, text string) {
	cellOpen(b, ref, style)
	if text == "" {
		b.WriteString(`/>`)
		return
	}
	b.WriteString(` t="inlineStr"><is><t xml:space="preserve">`)
	xmlEscape(b, text)
	b.WriteString(`</t></is></c>`)
}

// cellOpen begins a cell: its reference, if any, and its style, if any.
func cellOpen(b *bytes.Buffer, ref string, style int) {
	b.WriteString(`<c`)
	if ref != "" {
		b.WriteString(` r="` + ref + `"`)
	}
	if style != 0 {
		b.WriteString(` s="` + strconv.Itoa(style) + `"`)
	}
}

// richCell writes a cell of inline rich text: bold and colour per run.
func richCell(b *bytes.Buffer, ref string, style int, runs []excelize.RichTextRun) {
	fmt.Fprintf(b, `<c r="%s" s="%d" t="inlineStr"><is>`, ref, style)
	for _, r := range runs {
		b.WriteString(`<r>`)
		if f := r.Font; f != nil {
			b.WriteString(`<rPr>`)
			if f.Bold {
				b.WriteString(`<b/>`)
			}
			if f.Color != "" {
				b.WriteString(`<color rgb="FF` + f.Color + `"/>`)
			}
			b.WriteString(`</rPr>`)
		}
		b.WriteString(`<t xml:space="preserve">`)
		xmlEscape(b, r.Text)
		b.WriteString(`</t></r>`)
	}
	b.WriteString(`</is></c>`)
}

// xmlEscape writes text escaped for XML exactly as xml.EscapeText does —
// markup characters, quotes, tabs and line ends as references, and what XML
// cannot hold (control characters, bytes that are not UTF-8, U+FFFE and
// U+FFFF) as U+FFFD — without copying the text to bytes first or decoding
// its ASCII rune by rune: at 1,000 sheets it is a fifth of a workbook built
// from nothing. A cell's text is the format's escaped string (ST_Xstring),
// in which "_x0041_" is the character A: an underscore that begins such a
// sequence in the text is written "_x005F_", the format's own underscore,
// so that every spreadsheet program, and the import (decodeXString), reads
// the text as it is.
func xmlEscape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		for i < len(s) && xmlPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		width := 1
		var esc string
		if c == '_' {
			if xEscape(s[i:]) {
				esc = "_x005F_"
			}
		} else if c < utf8.RuneSelf {
			esc = xmlASCII[c]
		} else {
			r, w := utf8.DecodeRuneInString(s[i:])
			width = w
			if r == utf8.RuneError && w == 1 || !inXMLRange(r) {
				esc = "\uFFFD"
			}
		}
		if esc == "" {
			i += width
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += width
		last = i
	}
	b.WriteString(s[last:])
}

// xmlASCII is what xmlEscape writes for each ASCII character that is not
// written as itself.
var xmlASCII = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	return t
}()

// xmlPlain holds the ASCII characters xmlEscape writes as themselves, read
// in a loop of their own: most of a text is these.
var xmlPlain = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = xmlASCII[c] == "" && c != '_'
	}
	return t
}()

// xEscape says whether s begins with what the format reads as an escaped
// character, "_x" and four hexadecimal digits and "_" ("_x0041_").
func xEscape(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// decodeXString reads a cell's text as the format escapes it (ST_Xstring):
// "_x005F_" is an underscore, which a literal "_x0041_" is written after
// ("_x005F_x0041_"), and "_x000D_" and the like the control characters
// XML cannot hold as they are, as Excel and LibreOffice write them. An
// escape of a character XML holds as it is ("_x0041_") is left as text:
// no spreadsheet program writes one for it, and LibreOffice writes a
// literal "_x0020_" so, without its "_x005F_", meaning the text.
func decodeXString(s string) string {
	i := strings.Index(s, "_x")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for ; i >= 0 && i < len(s); i++ {
		if s[i] != '_' || !xEscape(s[i:]) {
			continue
		}
		v, _ := strconv.ParseUint(s[i+2:i+6], 16, 16)
		var r rune
		switch {
		case v == '_' || v < 0x20:
			r = rune(v)
		case v >= 0xD800 && v <= 0xDFFF, v >= 0xFFFE:
			r = '\uFFFD' // as the writer puts it for what XML cannot hold
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteRune(r)
		last = i + 7
		i += 6
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// inXMLRange says whether XML 1.0 may hold a character (its Char production).
func inXMLRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// The workbook's own parts that list its worksheets, patched as the zip is
// written to take in the topic sheets' worksheets after Topics.
const (
	workbookPart     = "xl/workbook.xml"
	workbookRelsPart = "xl/_rels/workbook.xml.rels"
	contentTypesPart = "[Content_Types].xml"
)

var (
	sheetIDRE      = regexp.MustCompile(`sheetId="(\d+)"`)
	partNumberRE   = regexp.MustCompile(`worksheets/sheet(\d+)\.xml`)
	localSheetIDRE = regexp.MustCompile(`localSheetId="(\d+)"`)
)

// insertParts puts the topic sheets' worksheets into the workbook: an entry
// per worksheet, listed in the workbook after the Topics worksheet (so in
// the tab order they had), with its relationship and content type.
func insertParts(entries map[string][]byte, list []*part, after string) (map[string]*part, error) {
	wb, rels, ct := string(entries[workbookPart]), string(entries[workbookRelsPart]), string(entries[contentTypesPart])
	if wb == "" || rels == "" || ct == "" {
		return nil, fmt.Errorf("xlsxpack: the workbook lacks %s, %s or %s", workbookPart, workbookRelsPart, contentTypesPart)
	}
	maxID, maxPart := 0, 0
	for _, m := range sheetIDRE.FindAllStringSubmatch(wb, -1) {
		maxID = max(maxID, atoi(m[1]))
	}
	for _, m := range partNumberRE.FindAllStringSubmatch(rels, -1) {
		maxPart = max(maxPart, atoi(m[1]))
	}
	// Where the Topics worksheet is listed, and its position.
	anchor := `<sheet name="` + after + `" `
	at := strings.Index(wb, anchor)
	if at < 0 {
		return nil, fmt.Errorf("xlsxpack: the workbook lists no %s worksheet", after)
	}
	end := strings.Index(wb[at:], "</sheet>")
	if end < 0 {
		return nil, fmt.Errorf("xlsxpack: the workbook's %s entry is not closed", after)
	}
	end += at + len("</sheet>")
	position := strings.Count(wb[:at], "<sheet ")
	var sheets, rel, types strings.Builder
	out := map[string]*part{}
	for i, p := range list {
		n, id, rid := maxPart+1+i, maxID+1+i, fmt.Sprintf("rIdT%d", i+1)
		sheets.WriteString(`<sheet name="`)
		_ = xml.EscapeText(&sheets, []byte(p.name))
		fmt.Fprintf(&sheets, `" sheetId="%d" r:id="%s"></sheet>`, id, rid)
		fmt.Fprintf(&rel, `<Relationship Id="%s" Target="worksheets/sheet%d.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"></Relationship>`, rid, n)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"></Override>`, n)
		out[fmt.Sprintf("xl/worksheets/sheet%d.xml", n)] = p
	}
	// Names local to the worksheets listed after the new ones move with them.
	tail := localSheetIDRE.ReplaceAllStringFunc(wb[end:], func(m string) string {
		v := atoi(localSheetIDRE.FindStringSubmatch(m)[1])
		if v > position {
			v += len(list)
		}
		return fmt.Sprintf(`localSheetId="%d"`, v)
	})
	wb = wb[:end] + sheets.String() + tail
	i := strings.LastIndex(rels, "</Relationships>")
	j := strings.LastIndex(ct, "</Types>")
	if i < 0 || j < 0 {
		return nil, fmt.Errorf("xlsxpack: the workbook's relationships or content types are not closed")
	}
	entries[workbookPart] = []byte(wb)
	entries[workbookRelsPart] = []byte(rels[:i] + rel.String() + rels[i:])
	entries[contentTypesPart] = []byte(ct[:j] + types.String() + ct[j:])
	return out, nil
}

// fitToPage makes a worksheet excelize wrote print one page wide (and, for
// the cover, one page long): the sheet property that asks for fitting, and
// the page set-up that says how.
func fitToPage(ws []byte, onePage bool) []byte {
	text := string(ws)
	if !strings.Contains(text, "<sheetPr") {
		if i := strings.Index(text, "<worksheet"); i >= 0 {
			if j := strings.Index(text[i:], ">"); j >= 0 {
				at := i + j + 1
				text = text[:at] + `<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>` + text[at:]
			}
		}
	}
	tall := "0"
	if onePage {
		tall = "1"
	}
	if !strings.Contains(text, "fitToWidth") {
		text = strings.Replace(text, "<pageSetup ", `<pageSetup fitToWidth="1" fitToHeight="`+tall+`" `, 1)
	}
	return []byte(text)
}

// worksheetPart is the zip entry of the worksheet the workbook lists under
// name.
func worksheetPart(entries map[string][]byte, name string) (string, error) {
	wb, rels := string(entries[workbookPart]), string(entries[workbookRelsPart])
	m := regexp.MustCompile(`<sheet name="` + regexp.QuoteMeta(name) + `" sheetId="\d+" r:id="([^"]+)"`).FindStringSubmatch(wb)
	if m == nil {
		return "", fmt.Errorf("xlsxpack: the workbook lists no %s worksheet", name)
	}
	t := regexp.MustCompile(`<Relationship Id="` + regexp.QuoteMeta(m[1]) + `" Target="([^"]+)"`).FindStringSubmatch(rels)
	if t == nil {
		return "", fmt.Errorf("xlsxpack: the workbook's %s worksheet has no part", name)
	}
	return "xl/" + t[1], nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// rowBytes is about the size of a sheet's rows as XML, perRow bytes of
// markup for each, so that the buffer they are written into is made once
// rather than grown and copied along the way (at 1,000 sheets that copying
// was the most of the workbook's allocations).
func rowBytes(sh *briefing.Sheet, perRow int) int {
	n := 0
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			n += len(p.Text) + len(p.Text)/8 + perRow
		}
	}
	return n
}
