// Package xlsxpack writes a briefing pack as a spreadsheet for annotating:
// Cover (with this round's and the last round's outcomes), Agenda,
// Delegations, Biographies (the counterparts'), Topics (one row per
// paragraph), one worksheet per topic sheet in the two-column form, Actions
// and, for a release, the Schedule. Every text cell holds text, never a formula, whatever it begins
// with. The workbook and its small worksheets are written with excelize's
// streaming writer; Topics and the topic sheets' worksheets, which grow with
// the pack, are written as XML parts of their own, kept compressed per
// stored sheet (see parts.go and topics.go).
package xlsxpack

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/russross/blackfriday/v2"
	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
)

// Fixed worksheet names.
const (
	sheetCover       = "Cover"
	sheetAgenda      = "Agenda"
	sheetDelegations = "Delegations"
	sheetBiographies = "Biographies"
	sheetTopics      = "Topics"
	sheetActions     = "Actions"
	sheetSchedule    = "Schedule"
	// sheetImport is the hidden worksheet a full edition carries for the
	// import: the round, the pack's ceiling and each sheet's id and version.
	sheetImport = "Import"
)

// The Topics worksheet's columns. A full edition adds three hidden columns
// after the ones people read, which the import matches rows by.
var (
	topicColumns      = []string{"Topic", "Section", "No.", "Text", "Marking", "Withholding"}
	topicHiddenColumn = []string{"Sheet id", "Sheet version", "Paragraph id"}
)

// writer holds one export's workbook and its styles, created once.
type writer struct {
	f      *excelize.File
	p      *briefing.Pack
	rel    bool
	header int // bold header cells
	wrap   int // wrapped text
	bold   int // bold wrapped text (headings of the two-column form)
	title  int // large bold title
	date   int // a date, as a date
	hf     *excelize.HeaderFooterOptions
	// withheld is the count of documents withheld in full the cover of a
	// release gives: the pack's sheets, or a response's whole schedule.
	withheld int
	// parts are the topic sheets' worksheets, in order (see parts.go).
	parts []*part
	// topicChunks are the Topics worksheet: its head, each sheet's rows and
	// its tail, compressed (see topics.go).
	topicChunks []chunk
	// hidden are the worksheets listed as hidden (see hide).
	hidden []string
	// out receives the workbook in pieces, when set (see Pieces).
	out *pieceSink
}

// Render writes the pack as an XLSX workbook. The same pack gives the same
// bytes: the document's times are the pack's.
func Render(w io.Writer, p *briefing.Pack) error {
	b, err := Bytes(p)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("xlsxpack: write: %w", err)
	}
	return nil
}

// Bytes returns the pack as an XLSX workbook, as Render writes it, without
// copying it once more from the buffer it is built in.
func Bytes(p *briefing.Pack) ([]byte, error) {
	pieces, err := Pieces(p)
	if err != nil {
		return nil, err
	}
	return bytes.Join(pieces, nil), nil
}

// Pieces is the workbook as Bytes gives it, in the pieces it is made of,
// to be written one after another: the topic sheets' worksheets and the
// Topics worksheet's rows as they are kept (see pieceSink), shared with
// the cache, so never to be changed.
func Pieces(p *briefing.Pack) ([][]byte, error) {
	wr, err := build(p)
	if err != nil {
		return nil, err
	}
	return wr.out.done(), nil
}

// newWriter starts a workbook of the pack in f: its styles, and its pages'
// header and footer, which its kept parts are built with.
func newWriter(f *excelize.File, p *briefing.Pack) (*writer, error) {
	wr := &writer{f: f, p: p, rel: p.Edition == briefing.EditionRelease, out: &pieceSink{}, withheld: p.WithheldInFull}
	if err := wr.styles(); err != nil {
		return nil, err
	}
	line := p.Marking
	if wr.rel {
		line = "Released under the " + p.Settings.Act
	}
	hf := "&C&\"-,Bold\"" + strings.ReplaceAll(line, "&", "&&")
	wr.hf = &excelize.HeaderFooterOptions{OddHeader: hf, OddFooter: hf + "&R&P / &N"}
	return wr, nil
}

// KeepParts builds and keeps, without making the workbook, the parts of
// the pack's workbook that are kept and not kept yet: each sheet's own
// worksheet and its Topics rows. A workbook made of the same pack later
// takes them as kept; what is kept is keyed by what it was built from, so
// parts made of a pack older than the one later made are used only for
// the sheets that did not change. The background keeps a round's parts
// ready this way while its sheets are being entered (server/api).
func KeepParts(p *briefing.Pack) error {
	f := excelize.NewFile()
	defer f.Close()
	wr, err := newWriter(f, p)
	if err != nil {
		return fmt.Errorf("xlsxpack: %w", err)
	}
	if err := wr.topics(); err != nil {
		return fmt.Errorf("xlsxpack: %w", err)
	}
	if err := wr.sheets(); err != nil {
		return fmt.Errorf("xlsxpack: %w", err)
	}
	return nil
}

// build lays out the workbook into its writer's pieceSink.
func build(p *briefing.Pack) (*writer, error) {
	f := excelize.NewFile()
	defer f.Close()
	wr, err := newWriter(f, p)
	if err != nil {
		return nil, err
	}
	f.SetZipWriter(wr.zipWriter)

	steps := []func() error{wr.cover}
	if wr.rel {
		steps = append(steps, wr.schedule)
	}
	steps = append(steps, wr.agenda, wr.delegations, wr.biographies, wr.topics, wr.sheets, wr.actions)
	if !wr.rel {
		steps = append(steps, wr.importData)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("xlsxpack: %w", err)
		}
	}
	// Dated by the day, so two snapshots of the same content made the same
	// day are the same bytes.
	at := day(p.GeneratedAt).Format(time.RFC3339)
	title := fmt.Sprintf("Briefing pack – %s – %s round", p.Dialogue.Name, briefing.Ordinal(p.Round.Number))
	if wr.rel {
		title += " (release edition)"
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "briefpack", LastModifiedBy: "briefpack",
		Created: at, Modified: at, Language: "en"}); err != nil {
		return nil, fmt.Errorf("xlsxpack: %w", err)
	}
	if _, err := f.WriteToBuffer(); err != nil { // to wr.out
		return nil, fmt.Errorf("xlsxpack: write: %w", err)
	}
	return wr, nil
}

// zipWriter writes the workbook's zip, with the topic sheets' worksheets
// and the Topics worksheet put in from their parts.
func (wr *writer) zipWriter(w io.Writer) excelize.ZipWriter {
	return &sortedZip{w: w, parts: func() []*part { return wr.parts }, topics: func() []chunk { return wr.topicChunks },
		hidden: func() []string { return wr.hidden }, out: wr.out}
}

func (wr *writer) styles() error {
	var err error
	if wr.header, err = wr.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E9EE"}}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	if wr.wrap, err = wr.f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	if wr.bold, err = wr.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	dateFmt := "d mmmm yyyy"
	if wr.date, err = wr.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}}); err != nil {
		return err
	}
	wr.title, err = wr.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	return err
}

// day is the date of t, at midnight UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dateCell is a date as a spreadsheet date, or the text as given when it
// is not a date (YYYY-MM-DD).
func (wr *writer) dateCell(s string) any {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return wr.text(s)
	}
	return excelize.Cell{StyleID: wr.date, Value: t}
}

// stream starts a worksheet: header and footer, column widths, an optional
// frozen header row and autofilter over rows data rows, then the stream.
func (wr *writer) stream(name string, widths []float64, freeze bool, filterRows int, filterCols ...int) (*sheetStream, error) {
	if name == sheetCover {
		// The new workbook's one worksheet becomes the cover: deleting it
		// later would make excelize read back every streamed worksheet.
		if err := wr.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := wr.f.NewSheet(name); err != nil {
		return nil, err
	}
	if err := wr.f.SetHeaderFooter(name, wr.hf); err != nil {
		return nil, err
	}
	// Printed on A4, wide worksheets across the page; fitted to the page's
	// width as the zip is written (see fitToPage), since excelize's stream
	// writer does not write the sheet properties that ask for it.
	orientation, size := "portrait", 9 // 9 is A4
	if len(widths) > 3 {
		orientation = "landscape"
	}
	if err := wr.f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation}); err != nil {
		return nil, err
	}
	if filterRows > 0 {
		cols := len(widths)
		if len(filterCols) > 0 {
			cols = filterCols[0]
		}
		last, _ := excelize.CoordinatesToCellName(cols, filterRows+1)
		if err := wr.f.AutoFilter(name, "A1:"+last, nil); err != nil {
			return nil, err
		}
	}
	stream, err := wr.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	sw := &sheetStream{StreamWriter: stream, wr: wr, widths: widths}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if freeze {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		// The header row, frozen on screen, is printed atop every page too.
		if err := wr.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + strings.ReplaceAll(name, "'", "''") + "'!$1:$1", Scope: name}); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// markedTable starts a worksheet of a frozen header row, with a Marking
// column last in the full edition: a release carries no markings.
func (wr *writer) markedTable(name string, widths []float64, header ...string) (*sheetStream, error) {
	if !wr.rel {
		widths, header = append(widths, 16), append(header, "Marking")
	}
	sw, err := wr.stream(name, widths, true, 0)
	if err != nil {
		return nil, err
	}
	return sw, wr.headerRow(sw, header...)
}

// headerRow writes a bold header row.
func (wr *writer) headerRow(sw *sheetStream, cols ...string) error {
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = excelize.Cell{StyleID: wr.header, Value: c}
	}
	return sw.SetRow("A1", row)
}

// text is a wrapped text cell. Strings are written as inline strings by the
// stream writer: never formulas, whatever they begin with.
func (wr *writer) text(v any) excelize.Cell { return excelize.Cell{StyleID: wr.wrap, Value: v} }

func row(n int) string { return fmt.Sprintf("A%d", n) }

// sheetStream is a worksheet being streamed with its columns' widths, by
// which each row it writes is made as tall as its text.
type sheetStream struct {
	*excelize.StreamWriter
	wr     *writer
	widths []float64
}

// SetRow writes a row as excelize's stream writer does, as tall as the
// tallest of its wrapped cells at its column's width, as a Topics row is,
// up to Excel's tallest row (see rowPieces for longer text): a row given
// no height stays one line tall in LibreOffice and in print, its wrapped
// cells cut to their first line. A row of no wrapped cell is left as it is.
func (s *sheetStream) SetRow(cell string, values []any, opts ...excelize.RowOpts) error {
	if len(opts) == 0 {
		if h := s.height(values); h > 0 {
			opts = []excelize.RowOpts{{Height: h}}
		}
	}
	return s.StreamWriter.SetRow(cell, values, opts...)
}

// height is the height in points of a row of values, or 0 for a row of
// no wrapped cell.
func (s *sheetStream) height(values []any) float64 {
	h := 0
	for i, v := range values {
		c, ok := v.(excelize.Cell)
		if !ok || i >= len(s.widths) {
			continue
		}
		switch c.StyleID {
		case s.wr.title:
			h = max(h, titleHeight)
		case s.wr.wrap, s.wr.bold, s.wr.header:
			width := int(s.widths[i])
			switch t := c.Value.(type) {
			case string, []excelize.RichTextRun:
				h = max(h, linesHeight(cellLines(t, width)))
			default:
				h = max(h, linesHeight(1))
			}
		}
	}
	return float64(min(h, excelize.MaxRowHeight))
}

// titleHeight is the height in points of a row of a title in large bold.
const titleHeight = 21

// linesHeight is the height in points of a row of lines of text, as a
// Topics row is made: 15 points a line and 3 to spare.
func linesHeight(lines int) int { return 15*lines + 3 }

// rowLines is the most lines of text a row is made tall enough for: Excel
// makes no row taller than 409 points.
const rowLines = (excelize.MaxRowHeight - 3) / 15

// rowPieces cuts text into pieces a row shows whole in a wrapped column of
// the given width (in characters): each of at most rowLines lines as
// wrappedLines counts them and at most cellUnits UTF-16 code units, ending
// after the last line's end of its second half if it has one, or else
// after its last space there; the pieces joined are text. A piece is
// written in a row of its own, below the one before: a row as tall as
// Excel allows is cut short in LibreOffice and in print past its last line.
func rowPieces(text string, width int) []string {
	var out []string
	for text != "" {
		// done are the lines of the piece before its last line, which has
		// runes runes; a line end or space of the second half is where it
		// may be cut.
		done, runes, units, end, newline, space := 0, 0, 0, len(text), -1, -1
		for i, r := range text {
			n := utf16.RuneLen(r)
			if n < 0 {
				n = 1
			}
			lines := done + lineRows(runes+1, width)
			if r == '\n' {
				lines = done + lineRows(runes, width) + 1 // and the empty line after it
			}
			if units+n > cellUnits || lines > rowLines {
				end = i
				break
			}
			units += n
			if r == '\n' {
				done, runes = done+lineRows(runes, width), 0
			} else {
				runes++
			}
			if lines > rowLines/2 {
				switch r {
				case '\n':
					newline = i + 1
				case ' ':
					space = i + 1
				}
			}
		}
		if end < len(text) {
			if newline > 0 {
				end = newline
			} else if space > 0 {
				end = space
			}
		}
		out = append(out, text[:end])
		text = text[end:]
	}
	return out
}

// cellUnits is the most a cell of rowPieces is given to hold, in UTF-16 code
// units as Excel counts them: a cell holds 32,767, and excelize's stream
// writer cuts a longer text there without a word. A round's outcomes may be
// 50,000 characters.
const cellUnits = 32000

// coverText is the width of the cover's column of text.
const coverText = 80

// textRows is a labelled text as cover rows: none for no text, one row, or,
// for a text longer than a cell or a row holds, a row per piece (rowPieces),
// each piece after the first labelled "(continued)": the pieces joined are
// the text.
func (wr *writer) textRows(label, text string) [][]any {
	var rows [][]any
	for i, piece := range rowPieces(text, coverText) {
		if i == 1 {
			label += " (continued)"
		}
		rows = append(rows, []any{wr.text(label), wr.text(piece)})
	}
	return rows
}

func (wr *writer) cover() error {
	p := wr.p
	sw, err := wr.stream(sheetCover, []float64{24, coverText}, false, 0)
	if err != nil {
		return err
	}
	host := p.Dialogue.SideName(p.Round.Host)
	rows := [][]any{
		{excelize.Cell{StyleID: wr.title, Value: p.Dialogue.Name}},
		{},
		{wr.text("Round"), wr.text(briefing.Ordinal(p.Round.Number) + " round")},
	}
	// A release whose cover is not released has none of the cover's
	// fields (see briefing.ApplyParts): it has no row for them either.
	given := func(v string) bool { return v != "" || !wr.rel }
	if given(p.Round.StartsOn) {
		// Dates as dates, each in a cell of its own: "2018-11-15 to
		// 2018-11-16" in one was text a spreadsheet cannot sort or reckon.
		rows = append(rows, []any{wr.text("Starts on"), wr.dateCell(p.Round.StartsOn)})
	}
	if p.Round.EndsOn != "" && p.Round.EndsOn != p.Round.StartsOn {
		rows = append(rows, []any{wr.text("Ends on"), wr.dateCell(p.Round.EndsOn)})
	}
	if given(p.Round.City) {
		rows = append(rows, []any{wr.text("City"), wr.text(p.Round.City)})
	}
	if given(p.Round.Host) {
		rows = append(rows, []any{wr.text("Host"), wr.text(host)})
	}
	if wr.rel {
		rows = append(rows, []any{wr.text("Release"), wr.text("Released under the " + p.Settings.Act)},
			[]any{wr.text("Withheld in full"), wr.text(fmt.Sprintf("%d document(s)", wr.withheld))})
	} else {
		rows = append(rows, []any{wr.text("Marking"), excelize.Cell{StyleID: wr.bold, Value: p.Marking}})
	}
	rows = append(rows, []any{wr.text("Prepared"), excelize.Cell{StyleID: wr.date, Value: day(p.GeneratedAt)}})
	// The round's texts are Markdown: shown as a paragraph's text is, its
	// withheld spans as "[s6(a): words]" in the full edition.
	rows = append(rows, wr.textRows("Purpose", wr.plainText(briefing.Paragraph{Text: p.Round.Purpose}))...)
	rows = append(rows, wr.textRows("Key messages", wr.plainText(briefing.Paragraph{Text: p.Round.KeyMessages}))...)
	rows = append(rows, wr.textRows("Outcomes of this round", wr.plainText(briefing.Paragraph{Text: p.Round.Outcomes}))...)
	if pr := p.Previous; pr != nil {
		// As the HTML pack gives them, with the round's city and date; in
		// the full edition marked with that round's marking, which may not
		// be this one's.
		label := p.PreviousHeading()
		if !wr.rel && pr.Marking != "" {
			label += " " + p.Settings.PortionMark(pr.Marking)
		}
		rows = append(rows, wr.textRows(label, wr.plainText(briefing.Paragraph{Text: pr.Outcomes}))...)
	}
	if !wr.rel && len(p.NotCleared) > 0 {
		// Titles of 300 characters each, of any number of sheets: past a
		// cell's length, which the stream writer cuts without a word.
		label := "Not cleared (DRAFT)"
		for i, piece := range rowPieces(strings.Join(p.NotCleared, "; "), coverText) {
			if i == 1 {
				label += " (continued)"
			}
			rows = append(rows, []any{excelize.Cell{StyleID: wr.bold, Value: label}, wr.text(piece)})
		}
	}
	if !wr.rel && p.Forced {
		rows = append(rows, []any{excelize.Cell{StyleID: wr.bold, Value: "Frozen"}, wr.text("before every sheet was cleared")})
	}
	for i, r := range rows {
		if err := sw.SetRow(row(i+1), r); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (wr *writer) schedule() error {
	p := wr.p
	sw, err := wr.stream(sheetSchedule, []float64{6, 50, 20, 24}, true, 0)
	if err != nil {
		return err
	}
	if err := wr.headerRow(sw, "No.", "Document", "Decision", "Grounds"); err != nil {
		return err
	}
	for i, e := range p.Schedule {
		title := e.Title
		if e.Decision == briefing.WithheldInFull {
			title = "Withheld in full"
		}
		if err := sw.SetRow(row(i+2), []any{e.Number, wr.text(title), wr.text(e.Decision), wr.text(strings.Join(e.Grounds, ", "))}); err != nil {
			return err
		}
	}
	if err := sw.SetRow(row(len(p.Schedule)+3), []any{nil, wr.text(fmt.Sprintf("%d document(s) withheld in full", p.WithheldInFull))}); err != nil {
		return err
	}
	if note := p.PeopleWithheldNote(); note != "" {
		if err := sw.SetRow(row(len(p.Schedule)+4), []any{nil, wr.text(note)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (wr *writer) agenda() error {
	sw, err := wr.stream(sheetAgenda, []float64{6, 13, 30, 50, 40, 30, 14}, true, 0)
	if err != nil {
		return err
	}
	if err := wr.headerRow(sw, "No.", "Time", "Session", "Item", "Topic sheet", "Lead", "Status"); err != nil {
		return err
	}
	for i, it := range wr.p.Agenda {
		sheet := ""
		if it.Sheet != nil {
			sheet = it.Sheet.Title
			if !wr.rel && it.Sheet.Status != briefing.SheetCleared {
				sheet += " (DRAFT)"
			}
		}
		when := it.StartsAt
		if it.EndsAt != "" {
			when += "–" + it.EndsAt
		}
		lead := ""
		if it.Lead != nil {
			lead = it.Lead.Person.Name
			if it.Lead.Agency != nil {
				lead += " (" + it.Lead.Agency.Name + ")"
			}
		}
		status := ""
		if it.Sheet != nil && !wr.rel {
			status = briefing.StatusLabel(it.Sheet.Status)
		}
		if err := sw.SetRow(row(i+2), []any{i + 1, wr.text(when), wr.text(it.Session), wr.text(it.Title), wr.text(sheet), wr.text(lead), wr.text(status)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (wr *writer) delegations() error {
	p := wr.p
	sw, err := wr.stream(sheetDelegations, []float64{16, 30, 40, 40, 10}, true, 0)
	if err != nil {
		return err
	}
	if err := wr.headerRow(sw, "Side", "Name", "Title", "Agency", "Co-chair"); err != nil {
		return err
	}
	n := 2
	for _, list := range []struct {
		people  []briefing.PackPerson
		cochair string
	}{{p.CoChairs, "yes"}, {p.Delegation, "no"}} {
		for _, pp := range list.people {
			side := p.Dialogue.SideName(pp.Side)
			agency := ""
			if pp.Agency != nil {
				agency = pp.Agency.Name
			}
			if err := sw.SetRow(row(n), []any{wr.text(side), wr.text(pp.Person.Name), wr.text(pp.Person.Title), wr.text(agency), wr.text(list.cochair)}); err != nil {
				return err
			}
			n++
		}
	}
	if len(p.Agencies) > 0 {
		n++
		if err := sw.SetRow(row(n), []any{excelize.Cell{StyleID: wr.bold, Value: "Agencies taking part"}}); err != nil {
			return err
		}
		n++
		for _, pa := range p.Agencies {
			side := p.Dialogue.SideName(pa.Side)
			name := pa.Agency.Name
			if pa.Agency.Acronym != "" {
				name += " (" + pa.Agency.Acronym + ")"
			}
			if err := sw.SetRow(row(n), []any{wr.text(side), nil, nil, wr.text(name)}); err != nil {
				return err
			}
			n++
		}
	}
	return sw.Flush()
}

// biographies writes the counterparts' biographies, a person a row, as the
// HTML pack's "Counterpart biographies" gives them: the full edition
// portion-marks each, as the Actions worksheet does; a release's withheld
// words are their grounds already. A pack with no counterparts has none.
func (wr *writer) biographies() error {
	p := wr.p
	if len(p.Counterparts) == 0 {
		return nil
	}
	sw, err := wr.markedTable(sheetBiographies, []float64{16, 30, 30, 30, biographyWidth}, "Side", "Name", "Title", "Agency", "Biography")
	if err != nil {
		return err
	}
	n := 2
	for _, pp := range p.Counterparts {
		side := p.Dialogue.SideName(pp.Side)
		agency := ""
		if pp.Agency != nil {
			agency = pp.Agency.Name
		}
		// A biography longer than a cell or a row holds goes on in the rows below.
		pieces := rowPieces(wr.plainText(briefing.Paragraph{Text: pp.Person.Bio}), biographyWidth)
		if len(pieces) == 0 {
			pieces = []string{""}
		}
		for i, piece := range pieces {
			r := []any{nil, nil, nil, nil, wr.text(piece)}
			if i == 0 {
				r = []any{wr.text(side), wr.text(pp.Person.Name), wr.text(pp.Person.Title), wr.text(agency), wr.text(piece)}
				if !wr.rel {
					r = append(r, wr.text(pp.Person.Marking))
				}
			}
			if err := sw.SetRow(row(n), r); err != nil {
				return err
			}
			n++
		}
	}
	return sw.Flush()
}

// biographyWidth is the width of the Biographies worksheet's Biography column.
const biographyWidth = 80

// actionWidth is the width of the Actions worksheet's Action column.
const actionWidth = 70

// dueWidth is the width of the Actions worksheet's Due column: a date, as
// "30 September 2018", which a narrower column shows as "###".
const dueWidth = 18

func (wr *writer) actions() error {
	// The full edition portion-marks each action, as the Topics rows are;
	// the release edition carries no markings.
	sw, err := wr.markedTable(sheetActions, []float64{8, actionWidth, 20, 12, dueWidth, 12}, "Ref", "Action", "Owner", "Raised in round", "Due", "Status")
	if err != nil {
		return err
	}
	n := 2
	for _, a := range wr.p.Actions {
		owner := ""
		if a.OwnerAgency != nil {
			owner = a.OwnerAgency.Acronym
			if owner == "" {
				owner = a.OwnerAgency.Name
			}
		}
		raised := ""
		if a.RaisedIn > 0 {
			raised = briefing.Ordinal(a.RaisedIn)
		}
		// An action longer than a row holds goes on in the rows below.
		pieces := rowPieces(wr.spanText(a.Action.Text), actionWidth)
		if len(pieces) == 0 {
			pieces = []string{""}
		}
		for i, piece := range pieces {
			r := []any{nil, wr.text(piece)}
			if i == 0 {
				r = []any{wr.text(a.Action.Ref), wr.text(piece), wr.text(owner), wr.text(raised), wr.dateCell(a.Action.DueOn),
					wr.text(briefing.StatusLabel(a.Action.Status))}
				if !wr.rel {
					r = append(r, wr.text(a.Action.Marking))
				}
			}
			if err := sw.SetRow(row(n), r); err != nil {
				return err
			}
			n++
		}
	}
	return sw.Flush()
}

// spanText is a text that is not Markdown (an action's) with its withheld
// spans written "[s6(a): words]", as a paragraph's are, in the full
// edition; the release edition's has its spans replaced already. The HTML
// pack shows it with its spans marked and nothing else made of it.
func (wr *writer) spanText(text string) string {
	segs, err := wr.p.Settings.ParseSpans(text)
	if err != nil || wr.rel {
		return text
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.Ground != "" {
			b.WriteString("[" + sg.Ground + ": " + briefing.EscapeSpan(sg.Text) + "]")
			continue
		}
		b.WriteString(sg.Text)
	}
	return b.String()
}

// importData writes the hidden Import worksheet: the database and the round
// the workbook was made from, the pack's marking (the highest of what it holds, so the import
// knows which paragraphs it never held: those marked above it; the cover
// shows it too, where the reader's clearance or the ceiling would say more
// than the workbook holds) and each topic sheet's id, version and title.
// Only ids and versions, which the Topics rows carry already, titles,
// which the workbook shows, and the database's instance, a random name
// that says nothing of what it holds.
func (wr *writer) importData() error {
	sw, err := wr.stream(sheetImport, []float64{14, 14, 60}, false, 0)
	if err != nil {
		return err
	}
	// The database's instance goes in the row the first layout left empty,
	// which every reader of it passes over: a workbook of another database
	// (a staging copy, whose ids are the same small numbers) is refused.
	instance := []any{}
	if wr.p.Settings.Instance != "" {
		instance = []any{"Instance", wr.p.Settings.Instance}
	}
	rows := [][]any{
		{"Round", wr.p.Round.ID},
		{"Marking", wr.p.Marking},
		{"Format", ImportFormat},
		instance,
		{"Sheet id", "Sheet version", "Topic"},
	}
	for _, sh := range wr.p.Sheets {
		rows = append(rows, []any{sh.ID, sh.Version, sh.Title})
	}
	for i, r := range rows {
		if err := sw.SetRow(row(i+1), r); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	wr.hidden = append(wr.hidden, sheetImport) // as the zip is written (see hide)
	return nil
}

// ImportFormat names the layout of the Import worksheet and the Topics
// worksheet's hidden columns, so a later layout can still read this one.
const ImportFormat = "briefpack-import-1"

// cellText turns a paragraph into a cell value: plain text, with bold kept
// as rich text runs and, in the full edition, withheld spans flagged with
// their ground. In the two-column form the portion mark leads. The runs are
// worked out for each worksheet a paragraph is on, the Topics worksheet and
// its sheet's own: sharing them through a map cost more in hashing and
// locking than working them out again (at 1,000 sheets, 0.28 s a workbook
// with the map against 0.23 s without, on two processors).
func (wr *writer) cellText(para briefing.Paragraph, portion bool) any {
	runs := wr.textRuns(para)
	prefix := ""
	if portion && !wr.rel {
		prefix = wr.p.Settings.PortionMark(para.Marking) + " "
	}
	if !wr.rel && para.Withhold != "" {
		prefix += "[withheld on release: " + para.Withhold + "] "
	}
	plain := true
	for _, r := range runs {
		if r.Font != nil {
			plain = false
			break
		}
	}
	if plain {
		return joinRuns(prefix, runs)
	}
	if prefix == "" {
		return runs
	}
	out := make([]excelize.RichTextRun, 0, len(runs)+1)
	if runs[0].Font == nil {
		// The prefix joins a plain first run: one run fewer to write.
		out = append(out, excelize.RichTextRun{Text: prefix + runs[0].Text})
		return append(out, runs[1:]...)
	}
	out = append(out, excelize.RichTextRun{Text: prefix})
	return append(out, runs...)
}

// plainText is a paragraph as plain text, for the Topics table that people
// filter and sort; the two-column worksheets keep its bold.
func (wr *writer) plainText(para briefing.Paragraph) string {
	v := wr.cellText(para, false)
	if s, ok := v.(string); ok {
		return s
	}
	return joinRuns("", v.([]excelize.RichTextRun))
}

// joinRuns is the text of runs after a prefix, copied once: most
// paragraphs are one plain run and no prefix, which is not copied at all.
func joinRuns(prefix string, runs []excelize.RichTextRun) string {
	switch {
	case len(runs) == 0:
		return prefix
	case len(runs) == 1 && prefix == "":
		return runs[0].Text
	case len(runs) == 1:
		return prefix + runs[0].Text
	}
	n := len(prefix)
	for _, r := range runs {
		n += len(r.Text)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for _, r := range runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

// textRuns is the rich text of a paragraph's Markdown. Each segment of
// its spans is read on its own, in the release edition as in the full:
// the release's text read as one, a span's ground between its neighbours,
// formed Markdown the full edition did not ("<http://x.test/{{s6(a): w}}aaa>"
// an autolink, its address shown twice, or "<a{{s6(a): w}}@b.c>" an HTML
// tag, its words dropped), so the released words did not read as the
// full edition's with the withheld ones replaced by their ground.
func (wr *writer) textRuns(para briefing.Paragraph) []excelize.RichTextRun {
	var segs []briefing.Segment
	if wr.rel {
		segs = para.ReleasedSegments()
	}
	if segs == nil {
		// Every line's list marker becomes a bullet, as in the HTML pack,
		// not only the first line's.
		text := para.Text
		if strings.Contains(text, "\n") {
			text = listPrefix(listLines(text))
		}
		var err error
		segs, err = wr.p.Settings.ParseSpans(text)
		if err != nil || wr.rel {
			segs = []briefing.Segment{{Text: text}}
		}
	} else {
		// As the full text's lines: a segment's first line is one only
		// at the paragraph's start, which the first segment's is (below).
		segs = slices.Clone(segs)
		for i := range segs {
			segs[i].Text = listLines(segs[i].Text)
		}
	}
	var runs []excelize.RichTextRun
	for i, sg := range segs {
		t := sg.Text
		if i == 0 {
			t = listPrefix(t)
		}
		if wr.rel && sg.Ground != "" {
			runs = append(runs, excelize.RichTextRun{Text: sg.Ground}) // its words are not in the release
			continue
		}
		if sg.Ground != "" {
			runs = append(runs, excelize.RichTextRun{Text: "[" + sg.Ground + ": ", Font: flagFont})
			// A "]" of the withheld words would end the span where an
			// edited cell is read back, and the words after it would be
			// released: it is escaped, as the escape is (briefing.FromCellText).
			for _, r := range markdownRuns(t, flagFont) {
				r.Text = briefing.EscapeSpan(r.Text)
				runs = append(runs, r)
			}
			runs = append(runs, excelize.RichTextRun{Text: "]", Font: flagFont})
			continue
		}
		runs = append(runs, markdownRuns(t, nil)...)
	}
	return runs
}

var (
	flagFont     = &excelize.Font{Color: "8A1C1C", Bold: true}
	boldFont     = &excelize.Font{Bold: true}
	boldFlagFont = &excelize.Font{Color: "8A1C1C", Bold: true}
)

// listLines is listPrefix of each line of t after its first.
func listLines(t string) string {
	if !strings.Contains(t, "\n") {
		return t
	}
	lines := strings.Split(t, "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = listPrefix(lines[i])
	}
	return strings.Join(lines, "\n")
}

// listPrefix writes a Markdown list marker as a bullet, keeping numbers.
func listPrefix(t string) string {
	s := strings.TrimLeft(t, " \t")
	if len(s) >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t') {
		return "• " + strings.TrimLeft(s[2:], " \t")
	}
	digits := 0
	for digits < len(s) && digits < 9 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits+1 < len(s) && (s[digits] == '.' || s[digits] == ')') && (s[digits+1] == ' ' || s[digits+1] == '\t') {
		return s[:digits] + ". " + strings.TrimLeft(s[digits+2:], " \t")
	}
	return t
}

// markdownRuns turns a paragraph's Markdown into rich text as the HTML pack
// shows it, read by the same parser with the same extensions: strong text
// becomes bold runs, a link "text (address)", and every other mark goes
// where the HTML pack drops it and stays where it shows it ("2*3*4",
// "snake_case", an escaped "\*"). Lines are read as lines, never as
// headings, lists or quotes: the cell shows them as written (textRuns has
// made list markers bullets), and an edited cell is read back as Markdown
// with every mark typed escaped (briefing.FromCellText), which this shows
// as typed.
func markdownRuns(t string, base *excelize.Font) []excelize.RichTextRun {
	marks := marksIn(t)
	if marks&(markStar|markOther) == 0 {
		return []excelize.RichTextRun{{Text: t, Font: base}}
	}
	bold := boldFont
	if base != nil {
		bold = boldFlagFont
	}
	// The spaces around the text are its own (it may sit between withheld
	// spans), not the parser's to trim.
	body := strings.TrimLeft(t, " \t\n")
	lead := t[:len(t)-len(body)]
	body = strings.TrimRight(body, " \t\n")
	trail := t[len(lead)+len(body):]
	if body == "" {
		return []excelize.RichTextRun{{Text: t, Font: base}}
	}
	runs, ok := strongOnly(body, marks, base, bold)
	if !ok {
		runs = parsedRuns(body, base, bold)
	}
	return around(lead, runs, trail, base)
}

// markdownBound is no less than the UTF-16 length of markdownRuns' text
// of t. The parser's text is the Markdown's own less its marks; what it
// adds is a link's " (address)". An inline link's address is in the
// Markdown, in place of its four brackets; a reference link is never
// defined (a word joiner begins every line parsedRuns reads, and a
// definition must begin one), so it stays text. Only an autolink,
// "<address>", shows its address twice, " (mailto:" and ")" at most
// added: eight units more than the address, which lies in a run of t
// that no whitespace, bar one after a "\", breaks.
func markdownBound(t string) int {
	n := utf16Len(t)
	if !strings.Contains(t, "<") {
		return n
	}
	run, opens := 0, 0 // a run's units and its "<"
	for i, r := range t {
		if (r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v') && (i == 0 || t[i-1] != '\\') {
			if opens > 0 {
				n += run + 8*opens
			}
			run, opens = 0, 0
			continue
		}
		run += utf16.RuneLen(r)
		if r == '<' {
			opens++
		}
	}
	if opens > 0 {
		n += run + 8*opens
	}
	return n
}

// utf16Len is a text's length in UTF-16 units, as a spreadsheet counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // a string's runes are valid: 1 or 2
	}
	return n
}

// around puts the spaces around a text back, in runs of the text's font.
func around(lead string, runs []excelize.RichTextRun, trail string, base *excelize.Font) []excelize.RichTextRun {
	if lead != "" {
		if runs[0].Font == base {
			runs[0].Text = lead + runs[0].Text
		} else {
			runs = append([]excelize.RichTextRun{{Text: lead, Font: base}}, runs...)
		}
	}
	if trail != "" {
		if last := &runs[len(runs)-1]; last.Font == base {
			last.Text += trail
		} else {
			runs = append(runs, excelize.RichTextRun{Text: trail, Font: base})
		}
	}
	return runs
}

// parsedRuns is markdownRuns through the parser, of a text with no spaces
// around it.
func parsedRuns(body string, base, bold *excelize.Font) []excelize.RichTextRun {
	// A word joiner before each line keeps it from starting a block.
	src := lineStart + strings.ReplaceAll(body, "\n", "\n"+lineStart)
	doc := htmlpack.Parse([]byte(src))
	if doc == nil {
		return []excelize.RichTextRun{{Text: body, Font: base}}
	}
	var out []excelize.RichTextRun
	var b strings.Builder
	strong := 0
	flush := func() {
		if b.Len() == 0 {
			return
		}
		f := base
		if strong > 0 {
			f = bold
		}
		text := strings.ReplaceAll(b.String(), lineStart, "")
		b.Reset()
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Font == f {
			out[n-1].Text += text
		} else {
			out = append(out, excelize.RichTextRun{Text: text, Font: f})
		}
	}
	paragraphs := 0
	doc.Walk(func(n *blackfriday.Node, entering bool) blackfriday.WalkStatus {
		switch n.Type {
		case blackfriday.Paragraph:
			if entering && paragraphs > 0 {
				b.WriteString("\n\n")
			}
			paragraphs++
		case blackfriday.Strong:
			flush()
			if entering {
				strong++
			} else {
				strong--
			}
		case blackfriday.Text:
			// An entity (&copy;) is text to the parser, a character to the
			// reader of the HTML pack.
			if bytes.IndexByte(n.Literal, '&') >= 0 {
				b.WriteString(html.UnescapeString(string(n.Literal)))
			} else {
				b.Write(n.Literal)
			}
		case blackfriday.Code:
			b.Write(n.Literal)
		case blackfriday.HTMLSpan:
			// As the HTML pack shows it: "<TBC>" as typed, "<sub>" not.
			if !htmlpack.KeptHTML(n.Literal) {
				b.Write(n.Literal)
			}
		case blackfriday.Softbreak, blackfriday.Hardbreak:
			b.WriteByte('\n')
		case blackfriday.Link:
			if !entering {
				b.WriteString(" (" + string(n.LinkData.Destination) + ")")
			}
		case blackfriday.CodeBlock:
			b.Write(n.Literal)
		}
		return blackfriday.GoToNext
	})
	flush()
	if len(out) == 0 {
		return []excelize.RichTextRun{{Text: "", Font: base}}
	}
	return out
}

// strongOnly reads, without the parser, the text whose only marks are
// pairs of "**" around words ("the **deepest** cooperation"), as the parser
// would: it is most of what is marked, and the parser costs five times the
// allocations of the whole workbook. marks are the text's (marksIn). ok is
// false for any other text.
func strongOnly(t string, marks uint8, base, bold *excelize.Font) (_ []excelize.RichTextRun, ok bool) {
	if marks&markOther != 0 || marks&markLine != 0 && spacedLine(t) {
		return nil, false
	}
	var out []excelize.RichTextRun
	in := false
	for t != "" {
		i := strings.IndexByte(t, '*')
		if i < 0 {
			if in {
				return nil, false // an opening pair without its closing one
			}
			break
		}
		if i+1 >= len(t) || t[i+1] != '*' || i+2 < len(t) && t[i+2] == '*' {
			return nil, false // a single star, or three
		}
		if in {
			if i == 0 || isSpace(t[i-1]) {
				return nil, false
			}
		} else if i+2 >= len(t) || isSpace(t[i+2]) {
			return nil, false
		}
		if i > 0 {
			f := base
			if in {
				f = bold
			}
			out = append(out, excelize.RichTextRun{Text: t[:i], Font: f})
		}
		in = !in
		t = t[i+2:]
	}
	if t != "" {
		out = append(out, excelize.RichTextRun{Text: t, Font: base})
	}
	if len(out) == 0 {
		return nil, false
	}
	return out, true
}

// Which marks a text holds, as marksIn reads them.
const (
	markStar  = 1 << iota // "*"
	markOther             // another of briefing.MarkdownMarks
	markLine              // a line end
)

// markOf is what marksIn records of each byte.
var markOf = func() (t [256]uint8) {
	for _, c := range []byte(briefing.MarkdownMarks) {
		t[c] = markOther
	}
	t['*'], t['\n'] = markStar, markLine
	return t
}()

// marksIn reads a text once for the marks markdownRuns needs to know of: a
// paragraph is read once for all of them, where searching for each in turn
// read it four times (and searching for " \n" stopped at every space: at
// 1,000 sheets it was a tenth of a workbook built from nothing).
func marksIn(t string) uint8 {
	var m uint8
	for i := 0; i < len(t); i++ {
		m |= markOf[t[i]]
	}
	return m
}

// spacedLine says whether a line of t ends or begins with a space, which
// only the parser reads right.
func spacedLine(t string) bool {
	for i := strings.IndexByte(t, '\n'); i >= 0; {
		if i > 0 && t[i-1] == ' ' || i+1 < len(t) && t[i+1] == ' ' {
			return true
		}
		j := strings.IndexByte(t[i+1:], '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// lineStart is a word joiner: invisible, and not a character that begins
// a Markdown block. Every one the parser reads is dropped, those an edited
// cell's Markdown holds (as "&NoBreak;") included: they are there only to
// keep its text as typed (briefing.EscapeMarkdown).
const lineStart = briefing.WordJoiner

// namer makes worksheet names legal and unique: no []:*?/\, no leading or
// trailing apostrophe, at most 31 characters, never one of the fixed names
// or a name used already (compared without regard to case, as Excel does).
type namer struct{ used map[string]bool }

func newNamer() *namer {
	n := &namer{used: map[string]bool{}}
	for _, f := range []string{sheetCover, sheetAgenda, sheetDelegations, sheetBiographies, sheetTopics, sheetActions, sheetSchedule, sheetLetter, sheetImport, "History", "Sheet1"} {
		n.used[strings.ToLower(f)] = true
	}
	return n
}

var illegal = strings.NewReplacer("[", "(", "]", ")", ":", " ", "*", " ", "?", " ", "/", "-", "\\", "-")

func (n *namer) name(title string) string {
	base := strings.Join(strings.Fields(illegal.Replace(title)), " ")
	base = strings.Trim(base, "' ")
	if base == "" {
		base = "Topic"
	}
	for i := 1; ; i++ {
		suffix := ""
		if i > 1 {
			suffix = fmt.Sprintf(" (%d)", i)
		}
		name := truncate(base, 31-utf8.RuneCountInString(suffix))
		name = strings.TrimRight(name, "' ") + suffix
		if !n.used[strings.ToLower(name)] {
			n.used[strings.ToLower(name)] = true
			return name
		}
	}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
