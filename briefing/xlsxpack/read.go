package xlsxpack

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
)

// The import reads a workbook with the standard library's zip reader, the
// small XML parts with encoding/xml and the large ones — worksheets, shared
// strings — with a scanner of its own (scan.go), not excelize's: it opens only the parts it needs (the workbook,
// its relationships, the shared strings, Topics and Import, and the topic
// sheets' own worksheets, which it only compares: see worksheet.go), reads each
// worksheet's rows as a stream, counts every byte it decompresses against a
// bound, and sees formulas, which a reader of values would hide. It takes
// strings shared or inline, plain or in rich-text runs, as any spreadsheet
// program writes them.

// DefaultUnzipLimit bounds the bytes an import decompresses from one workbook.
const DefaultUnzipLimit = 256 << 20

// maxZipEntries bounds the entries a workbook may list: a pack of a thousand
// topic sheets has about two thousand.
const maxZipEntries = 50000

// errTooBig is the decompression bound reached.
var errTooBig = errors.New("uncompressed size over the bound")

// ReadImport reads a pack workbook for an import: the hidden Import
// worksheet (database, round, ceiling, each sheet's id and version), the Topics
// worksheet's rows, matched to their columns by the header row, and each
// topic sheet's own worksheet as what its cells show (for EditedCell), which
// is never refused. limit bounds
// the bytes decompressed (0: DefaultUnzipLimit). Anything that is not such a
// workbook is EINVALID naming the worksheet, row and column ("Topics!D12")
// where there is one.
func ReadImport(r io.ReaderAt, size int64, limit int64) (*briefing.ImportBook, error) {
	if limit <= 0 {
		limit = DefaultUnzipLimit
	}
	// The zip reader builds a record of every entry the directory lists:
	// count them first, so a directory of millions of tiny entries is
	// refused before it takes the memory.
	if n, ok := zipEntries(r, size); ok && n > maxZipEntries {
		return nil, bad("", "the workbook holds too many parts")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, bad("", "the file is not a workbook (it is not an XLSX file, which is a zip archive)")
	}
	if len(zr.File) > maxZipEntries {
		return nil, bad("", "the workbook holds too many parts")
	}
	x := &bookReader{files: map[string]*zip.File{}, budget: limit}
	for _, f := range zr.File {
		x.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	book, err := x.read()
	x.closeFormat()
	if errors.Is(err, errTooBig) {
		return nil, bad("", fmt.Sprintf("the workbook unpacks to more than %d MiB: it is refused", limit>>20))
	}
	return book, err
}

// zipEntries reads the count of entries from a zip's end-of-directory
// record; a count too large for it (0xFFFF, a ZIP64 archive's mark) counts
// as too many: no workbook briefpack writes or reads is that large.
func zipEntries(r io.ReaderAt, size int64) (int, bool) {
	const eocdLen, maxComment = 22, 65535
	n := int64(eocdLen + maxComment)
	if n > size {
		n = size
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, false
	}
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if buf[i] == 'P' && buf[i+1] == 'K' && buf[i+2] == 5 && buf[i+3] == 6 {
			count := int(buf[i+10]) | int(buf[i+11])<<8
			if count == 0xFFFF {
				return maxZipEntries + 1, true
			}
			return count, true
		}
	}
	return 0, false
}

// bad is the EINVALID answer for a workbook, naming a cell or part when there is one.
func bad(where, msg string) error {
	e := &briefing.Error{Code: briefing.EINVALID, Message: msg}
	if where != "" {
		e.Message = where + ": " + msg
		e.Fields = map[string]string{where: msg}
	}
	return e
}

type bookReader struct {
	files  map[string]*zip.File
	budget int64
	shared []string
	// styles is each cell style's number format, date1904 the workbook's
	// date system: what a number or a date typed alone in a cell shows.
	styles    []numFmt
	date1904  bool
	fmt       *excelize.File
	fmtStyles map[numFmt]int
	// cellsLeft counts down the cells the topic sheets' worksheets may
	// yet hold (maxWorksheetCells).
	cellsLeft int
	// lenient reads a cell holding an error value or naming a shared
	// string there is not as a formula, not as a refusal: in a topic
	// sheet's own worksheet, which is not imported, it is only an edit.
	lenient bool
}

// open opens a part, every byte read from it counted against the bound.
func (x *bookReader) open(name string) (io.ReadCloser, error) {
	f, ok := x.files[name]
	if !ok {
		return nil, bad("", "the workbook has no part "+name)
	}
	if int64(f.UncompressedSize64) > x.budget {
		return nil, errTooBig
	}
	rc, err := f.Open()
	if err != nil {
		return nil, bad("", "the workbook's part "+name+" cannot be read")
	}
	return &budgetReader{rc: rc, x: x}, nil
}

type budgetReader struct {
	rc io.ReadCloser
	x  *bookReader
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.x.budget -= int64(n)
	if b.x.budget < 0 {
		return n, errTooBig
	}
	if err != nil && err != io.EOF {
		return n, bad("", "the workbook is damaged: a part does not unpack")
	}
	return n, err
}

func (b *budgetReader) Close() error { return b.rc.Close() }

// decodeErr turns an XML or read error into the answer for its part.
func decodeErr(part string, err error) error {
	var be *briefing.Error
	if errors.Is(err, errTooBig) || errors.As(err, &be) {
		return err
	}
	return bad("", "the workbook is damaged: "+part+" is not well-formed XML")
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads a part's relationships, each target resolved to a part name.
func (x *bookReader) rels(part string) ([]relationship, error) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	rc, err := x.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var doc struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := xml.NewDecoder(rc).Decode(&doc); err != nil {
		return nil, decodeErr(name, err)
	}
	for i, r := range doc.Rels {
		if strings.HasPrefix(r.Target, "/") {
			doc.Rels[i].Target = strings.TrimPrefix(r.Target, "/")
		} else {
			doc.Rels[i].Target = path.Join(dir, r.Target)
		}
	}
	return doc.Rels, nil
}

func (x *bookReader) read() (*briefing.ImportBook, error) {
	top, err := x.rels("")
	if err != nil {
		return nil, bad("", "the file is not a workbook (it has no package relationships)")
	}
	wbPart := ""
	for _, r := range top {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPart = r.Target
		}
	}
	if wbPart == "" {
		return nil, bad("", "the file is not a workbook (it names no workbook part)")
	}
	if kind := x.documentKind(wbPart); kind != "" {
		return nil, bad("", "the file is not a workbook (it is "+kind+")")
	}
	rc, err := x.open(wbPart)
	if err != nil {
		return nil, err
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	err = xml.NewDecoder(rc).Decode(&wb)
	rc.Close()
	if err != nil {
		return nil, decodeErr(wbPart, err)
	}
	x.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	rels, err := x.rels(wbPart)
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels {
		targets[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			if err := x.readShared(r.Target); err != nil {
				return nil, err
			}
		}
		if strings.HasSuffix(r.Type, "/styles") {
			if err := x.readStyles(r.Target); err != nil {
				return nil, err
			}
		}
	}
	parts := map[string]string{}
	for _, s := range wb.Sheets {
		parts[s.Name] = targets[s.RID]
	}
	book := &briefing.ImportBook{}
	if parts[sheetImport] == "" {
		return nil, bad("", "the workbook has no Import worksheet: import a full-edition pack workbook as downloaded (a release edition carries nothing to import)")
	}
	if parts[sheetTopics] == "" {
		return nil, bad("", "the workbook has no Topics worksheet")
	}
	if err := x.readImportSheet(parts[sheetImport], book); err != nil {
		return nil, err
	}
	if err := x.readTopics(parts[sheetTopics], book); err != nil {
		return nil, err
	}
	// Each topic sheet's own worksheet, by the name the export gave it:
	// the Import worksheet lists the sheets in the order their worksheets
	// were named. A worksheet renamed or deleted is not read.
	names := newNamer()
	x.cellsLeft = maxWorksheetCells
	for i := range book.Sheets {
		sh := &book.Sheets[i]
		name := names.name(sh.Title)
		if parts[name] == "" {
			continue
		}
		if err := x.readWorksheet(name, parts[name], sh); errors.Is(err, errTooBig) || errors.Is(err, errTooManyCells) {
			// Nothing is imported from them: a bound leaves the rest
			// unread, never the import refused.
			break
		} else if err != nil {
			return nil, err
		}
	}
	return book, nil
}

// maxWorksheetCells bounds the cells read of the topic sheets' own
// worksheets, all together: twice the Topics rows an import reads, some
// 6 MB of what they show, where each is at most a sheet's title, a
// section's heading or a paragraph. A worksheet of more is told edited at
// the row where reading stopped, and those after it are not read.
const maxWorksheetCells = 2 * briefing.MaxImportRows

var errTooManyCells = errors.New("too many cells in the topic sheets' worksheets")

// readWorksheet reads a topic sheet's own worksheet into sh as what each
// of its cells shows (appendSums); a cell or a part it cannot read is
// taken for an edit, never a refusal: the import reads nothing there. Only
// the bounds are errors: on unpacking, which leaves the worksheet unread,
// and on the cells read (maxWorksheetCells), which takes it for edited.
func (x *bookReader) readWorksheet(name, part string, sh *briefing.ImportSheet) (err error) {
	sh.Worksheet = name
	defer func() {
		if errors.Is(err, errTooBig) {
			// Read in part: not told of, as if the workbook held none.
			sh.Worksheet, sh.Cells = "", nil
		}
	}()
	rc, err := x.open(part)
	if errors.Is(err, errTooBig) {
		return err
	} else if err != nil {
		sh.Cells = append(sh.Cells, briefing.ImportCell{Row: 1, Col: 1, Sum: unreadSum})
		return nil
	}
	defer rc.Close()
	x.lenient = true
	defer func() { x.lenient = false }()
	err = x.rowsOf(name, rc, func(n int, cells []cell) error {
		if x.cellsLeft -= len(cells); x.cellsLeft < 0 {
			return errTooManyCells
		}
		sh.Cells = appendSums(sh.Cells, n, cells)
		return nil
	})
	if errors.Is(err, errTooBig) {
		return err
	} else if err != nil {
		// Damaged past the cells read: an edit, at the row after them.
		row := 1
		if k := len(sh.Cells); k > 0 {
			row = sh.Cells[k-1].Row + 1
		}
		sh.Cells = append(sh.Cells, briefing.ImportCell{Row: row, Col: 1, Sum: unreadSum})
	}
	if errors.Is(err, errTooManyCells) {
		return err
	}
	return nil
}

// readShared reads the shared strings table: each item's text, its runs
// joined, phonetic guides left out.
func (x *bookReader) readShared(part string) error {
	rc, err := x.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := newScanner(rc)
	var b, t strings.Builder // the item's text, and its run's (each run's <t> escaped on its own)
	depthPh, inT := 0, false
	for {
		ev, err := d.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return decodeErr(part, err)
		}
		switch ev {
		case scanStart:
			switch {
			case d.is("si"):
				b.Reset()
			case d.is("rPh"):
				depthPh++
			case d.is("t"):
				inT = depthPh == 0
				t.Reset()
			}
		case scanEnd:
			switch {
			case d.is("si"):
				x.shared = append(x.shared, b.String())
			case d.is("rPh"):
				depthPh--
			case d.is("t"):
				if inT {
					b.WriteString(decodeXString(t.String()))
				}
				inT = false
			}
		case scanText:
			if inT {
				t.Write(d.text)
			}
		}
	}
}

// cell is one cell as read: its column (1-based), value and whether it
// holds a formula. shown is what the cell shows: its value, or a number's
// in its number format ("12/03/2021" for 44267).
type cell struct {
	col     int
	value   string
	shown   string
	formula bool
}

// rows streams a worksheet's rows to fn, each with its row number and cells.
func (x *bookReader) rows(name, part string, fn func(n int, cells []cell) error) error {
	rc, err := x.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	return x.rowsOf(name, rc, fn)
}

// rowsOf is rows of a worksheet's XML read from r.
func (x *bookReader) rowsOf(name string, r io.Reader, fn func(n int, cells []cell) error) error {
	d := scanners.Get().(*scanner)
	d.reset(r)
	defer func() {
		d.reset(nil)
		scanners.Put(d)
	}()
	var (
		rowN, nextRow int = 0, 1
		cells         []cell
		cur           cell
		inCell        bool
		typ, style    string
		v, is, ts     strings.Builder
		inV, inT      bool
		inIs, depthPh int
		nextCol       int
	)
	for {
		ev, err := d.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return decodeErr(name+" worksheet", err)
		}
		switch ev {
		case scanStart:
			switch {
			case d.is("row"):
				rowN, cells, nextCol = nextRow, cells[:0], 1
				if r := d.attr("r"); r != "" {
					if n, err := strconv.Atoi(r); err == nil && n > 0 {
						rowN = n
					}
				}
				nextRow = rowN + 1
			case d.is("c"):
				cur, inCell = cell{col: nextCol}, true
				if ref := d.attr("r"); ref != "" {
					if c := colOf(ref); c > 0 {
						cur.col = c
					}
				}
				nextCol = cur.col + 1
				typ, style = d.attr("t"), d.attr("s")
				v.Reset()
				is.Reset()
			case d.is("f"):
				cur.formula = cur.formula || inCell
			case d.is("v"):
				inV = inCell
			case d.is("is"):
				inIs++
			case d.is("rPh"):
				depthPh++
			case d.is("t"):
				inT = inIs > 0 && depthPh == 0
				ts.Reset()
			}
		case scanEnd:
			switch {
			case d.is("row"):
				if err := fn(rowN, cells); err != nil {
					return err
				}
			case d.is("c"):
				if !inCell {
					break
				}
				val := v.String()
				switch typ {
				case "s":
					i, err := strconv.Atoi(strings.TrimSpace(val))
					if err != nil || i < 0 || i >= len(x.shared) {
						if !x.lenient {
							return bad(cellName(name, cur.col, rowN), "the cell refers to a shared string the workbook does not hold")
						}
						cur.formula = true // not a cell the export wrote: told apart as a formula is
						break
					}
					// Counted as if the cell held it inline: a string
					// shared by a million cells is a million strings
					// read, hashed and compared.
					val = x.shared[i]
					if x.budget -= int64(len(val)); x.budget < 0 {
						return errTooBig
					}
				case "inlineStr":
					val = is.String()
				case "e":
					if !x.lenient {
						return bad(cellName(name, cur.col, rowN), "the cell holds an error value ("+val+")")
					}
					cur.formula = true
				}
				cur.value, cur.shown = val, val
				if val != "" && (typ == "" || typ == "n" || typ == "b") {
					cur.shown = x.shown(typ, style, val)
				}
				if len(cells) == maxRowCells {
					return bad(cellName(name, cur.col, rowN), fmt.Sprintf("the row holds more than %d cells, the columns a worksheet has", maxRowCells))
				}
				cells = append(cells, cur)
				inCell = false
			case d.is("v"):
				inV = false
			case d.is("is"):
				inIs--
			case d.is("rPh"):
				depthPh--
			case d.is("t"):
				if inT {
					is.WriteString(decodeXString(ts.String())) // each run's <t> escaped on its own
				}
				inT = false
			}
		case scanText:
			if inV {
				v.Write(d.text)
			} else if inT {
				ts.Write(d.text)
			}
		}
	}
}

// maxRowCells bounds the cells of a row the reader keeps: the columns a
// worksheet has (A to XFD). A row is kept whole until its end, and one of
// 10 million empty cells, 40 MB unpacked from a workbook of 67 KB, took
// 3 GB and 9 s of the server's.
const maxRowCells = 16384

// colOf is the column number of a cell reference such as "D12", or 0.
func colOf(ref string) int {
	n := 0
	for i := 0; i < len(ref) && i < 4; i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a') + 1
		default:
			return n
		}
	}
	return n
}

// colName is the letters of a column number: 1 is A, 27 is AA.
func colName(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// cellName names a cell as people read it: Topics!D12.
func cellName(sheet string, col, row int) string {
	return sheet + "!" + colName(col) + strconv.Itoa(row)
}

// CellName names a cell of a worksheet ("Topics!D12"), for the importer's answers.
func CellName(sheet string, col, row int) string { return cellName(sheet, col, row) }

// readImportSheet reads the hidden Import worksheet.
func (x *bookReader) readImportSheet(part string, book *briefing.ImportBook) error {
	inList := false
	seen := map[string]bool{}
	err := x.rows(sheetImport, part, func(n int, cells []cell) error {
		vals := map[int]string{}
		for _, c := range cells {
			if c.formula {
				return bad(cellName(sheetImport, c.col, n), "the cell holds a formula: the workbook's cells must hold values")
			}
			vals[c.col] = strings.TrimSpace(c.value)
		}
		switch {
		case vals[1] == "Round" && !inList:
			book.RoundID = vals[2]
		case vals[1] == "Marking" && !inList:
			book.Marking = vals[2]
		case vals[1] == "Format" && !inList:
			book.Format = vals[2]
		case vals[1] == "Instance" && !inList:
			book.Instance, book.InstanceRow = vals[2], n
		case vals[1] == "Sheet id" && !inList:
			inList = true
		case inList && vals[1] != "":
			ver, ok := wholeNumber(vals[2])
			if !ok {
				return bad(cellName(sheetImport, 2, n), "must be the version the workbook was made from (a whole number)")
			}
			if seen[vals[1]] {
				return bad(cellName(sheetImport, 1, n), "names the same topic sheet as a row above")
			}
			seen[vals[1]] = true
			book.Sheets = append(book.Sheets, briefing.ImportSheet{ID: vals[1], Version: ver, Title: vals[3], Row: n})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if book.Format != ImportFormat {
		return bad(sheetImport+"!B3", "the workbook was not made by this version of briefpack's pack export")
	}
	if book.RoundID == "" {
		return bad(sheetImport+"!B1", "the workbook does not say which round it was made from")
	}
	return nil
}

// wholeNumber reads a cell as a positive whole number, written "3" or "3.0".
func wholeNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) || f < 1 || f > 1e9 {
		return 0, false
	}
	return int(f), true
}

// readTopics reads the Topics worksheet's rows, its columns found by the
// header row's names, so a column moved or added by hand does not confuse it.
func (x *bookReader) readTopics(part string, book *briefing.ImportBook) error {
	var cols map[string]int // header name → column
	need := append(append([]string{}, topicColumns...), topicHiddenColumn...)
	err := x.rows(sheetTopics, part, func(n int, cells []cell) error {
		for _, c := range cells {
			if c.formula {
				return bad(cellName(sheetTopics, c.col, n), "the cell holds a formula: the workbook's cells must hold values")
			}
		}
		if cols == nil {
			cols = map[string]int{}
			all := map[string][]int{} // header → every column it heads
			for _, c := range cells {
				h := strings.TrimSpace(c.value)
				cols[h] = c.col
				all[h] = append(all[h], c.col)
			}
			// Two columns of one header (the Text column copied beside
			// itself, header and all): which was edited cannot be told,
			// and reading one would drop the other's edits.
			for _, h := range need {
				if h == "No." || len(all[h]) < 2 {
					continue
				}
				var names []string
				for _, col := range all[h] {
					names = append(names, cellName(sheetTopics, col, n))
				}
				why := fmt.Sprintf("the Topics worksheet has %d columns headed %q (%s): the import cannot tell which to read; delete the others, or rename their headers", len(names), h, strings.Join(names, ", "))
				e := &briefing.Error{Code: briefing.EINVALID, Message: why, Fields: map[string]string{}}
				for _, name := range names {
					e.Fields[name] = why
				}
				return e
			}
			book.Cols = briefing.ImportColumns{Topic: cols["Topic"], Section: cols["Section"], Text: cols["Text"], Marking: cols["Marking"],
				Withhold: cols["Withholding"], SheetID: cols["Sheet id"], Version: cols["Sheet version"], ParagraphID: cols["Paragraph id"]}
			for _, h := range need {
				if h != "No." && cols[h] == 0 {
					return bad(sheetTopics+"!1", fmt.Sprintf("the Topics worksheet has no %q column: import the full-edition pack workbook as downloaded, its hidden columns kept", h))
				}
			}
			return nil
		}
		// What people read and type is taken as the cell shows it; the
		// ids and versions the workbook wrote, as stored.
		vals := make(map[int]string, len(cells))
		shown := make(map[int]string, len(cells))
		empty := true
		for _, c := range cells {
			vals[c.col], shown[c.col] = c.value, c.shown
			empty = empty && strings.TrimSpace(c.value) == ""
		}
		if empty {
			return nil
		}
		r := briefing.ImportRow{Row: n,
			SheetID:     strings.TrimSpace(vals[cols["Sheet id"]]),
			ParagraphID: strings.TrimSpace(vals[cols["Paragraph id"]]),
			Topic:       strings.TrimSpace(shown[cols["Topic"]]),
			Section:     strings.TrimSpace(shown[cols["Section"]]),
			Text:        strings.ReplaceAll(shown[cols["Text"]], "\r\n", "\n"),
			Marking:     strings.TrimSpace(shown[cols["Marking"]]),
			Withhold:    strings.TrimSpace(shown[cols["Withholding"]]),
			Cols:        book.Cols,
		}
		if s := strings.TrimSpace(vals[cols["Sheet version"]]); s != "" {
			ver, ok := wholeNumber(s)
			if !ok {
				return bad(cellName(sheetTopics, cols["Sheet version"], n), "must be the version the workbook was made from (a whole number)")
			}
			r.Version = ver
		}
		if len(book.Rows) == briefing.MaxImportRows {
			// Stop here: read to the end, a workbook of millions of short
			// rows (300 KB sent) held 1.6 GB and 12 s of the server's.
			return bad(cellName(sheetTopics, 1, n), briefing.TooManyImportRows)
		}
		book.Rows = append(book.Rows, r)
		return nil
	})
	if err != nil {
		return err
	}
	if cols == nil {
		return bad(sheetTopics+"!1", "the Topics worksheet is empty: it has no header row")
	}
	return nil
}

// A save holds a paragraph to briefing.MaxCellText by the longest cell the
// workbooks write it into, which only this package can render.
func init() { briefing.SetCellText(CellText, CellTextBound) }

// CellText is the longest text a workbook of either edition writes a
// paragraph into: its sheet's worksheet in the full edition (SheetText),
// unless the release edition's cell (ReleaseText) is longer. A save held
// to the full edition's cells alone took a paragraph whose release cell
// was past the limit, when the release read its text as one and formed
// an autolink the full edition did not. Reading the full edition's
// segments, a ground in place of each "[ground: words]", the release's
// cell is no longer now; that is checked, not assumed: it is rendered
// whenever its bound is past the full edition's cell.
func CellText(s briefing.Settings, p briefing.Paragraph) string {
	sheet := SheetText(s, p)
	n := utf16Len(sheet)
	if ReleaseTextBound(s, p) <= n {
		return sheet
	}
	if rel := ReleaseText(s, p); utf16Len(rel) > n {
		return rel
	}
	return sheet
}

// CellTextBound is no less than CellText's length in UTF-16 units: the
// greater of SheetTextBound and ReleaseTextBound.
func CellTextBound(s briefing.Settings, p briefing.Paragraph) int {
	return max(SheetTextBound(s, p), ReleaseTextBound(s, p))
}

// TopicText is a paragraph's text as the Topics worksheet of a full edition
// shows it, so the import can tell a cell left as it was from one edited.
func TopicText(s briefing.Settings, p briefing.Paragraph) string { return TopicTexts(s)(p) }

// TopicTexts returns TopicText for many paragraphs, with the settings read
// once.
func TopicTexts(s briefing.Settings) func(briefing.Paragraph) string {
	wr := &writer{p: &briefing.Pack{Settings: s, Edition: briefing.EditionFull}}
	return func(p briefing.Paragraph) string { return wr.topicText(p) }
}

// SheetText is a paragraph's text as its sheet's own worksheet in a full
// edition shows it: its portion mark, then what its Topics cell holds. It
// is the longest cell the workbook writes the paragraph into.
func SheetText(s briefing.Settings, p briefing.Paragraph) string {
	wr := &writer{p: &briefing.Pack{Settings: s, Edition: briefing.EditionFull}}
	return shownText(wr.cellText(p, true))
}

// SheetTextBound is no less than SheetText's length in UTF-16 units,
// found without the Markdown parser, whose link scan takes time
// quadratic in unmatched "[": a save renders only a paragraph this does
// not show fits. The cell adds to the Markdown its portion mark, a
// withheld paragraph's flag, a withheld span's label and a "\" before
// each "[", "]" or "\" of its words (at most doubling them), and a link's
// address after its text (markdownBound). It is math.MaxInt for a text
// whose spans do not parse, which the save refuses anyway.
func SheetTextBound(s briefing.Settings, p briefing.Paragraph) int {
	segs, err := s.ParseSpans(p.Text)
	if err != nil {
		return math.MaxInt
	}
	n := utf16Len(s.PortionMark(p.Marking)) + 1
	if p.Withhold != "" {
		n += utf16Len("[withheld on release: " + p.Withhold + "] ")
	}
	// textRuns makes list markers bullets first, which is never longer
	// and leaves the spans where they are.
	for _, sg := range segs {
		if sg.Ground == "" {
			n += markdownBound(sg.Text)
		} else {
			n += utf16Len("["+sg.Ground+": ") + 2*markdownBound(sg.Text) + 1
		}
	}
	return n
}

// ReleaseText is a paragraph's text as a cell of the release edition shows
// it, its Topics cell and its sheet's worksheet's alike: its ground, for a
// paragraph withheld in full; else its segments, each read as the full
// edition reads it, a withheld span's words replaced by its ground
// (briefing.ReleaseParagraph). It is "" for a text whose spans do not
// parse, which fails a release and a save.
func ReleaseText(s briefing.Settings, p briefing.Paragraph) string {
	rp, _, err := s.ReleaseParagraph(p)
	if err != nil {
		return ""
	}
	wr := &writer{p: &briefing.Pack{Settings: s, Edition: briefing.EditionRelease}, rel: true}
	return shownText(wr.cellText(rp, true))
}

// ReleaseTextBound is no less than ReleaseText's length in UTF-16 units,
// found without the Markdown parser: each plain segment's markdownBound
// and each withheld span's ground, or for a paragraph withheld in full
// the markdownBound of its release text (a bullet and its ground). It is
// math.MaxInt for a text whose spans do not parse.
func ReleaseTextBound(s briefing.Settings, p briefing.Paragraph) int {
	if p.Withhold != "" {
		rp, _, _ := s.ReleaseParagraph(p)
		return markdownBound(rp.Text)
	}
	segs, err := s.ParseSpans(p.Text)
	if err != nil {
		return math.MaxInt
	}
	n := 0
	for _, sg := range segs {
		if sg.Ground == "" {
			n += markdownBound(sg.Text)
		} else {
			n += utf16Len(sg.Ground)
		}
	}
	return n
}

func (wr *writer) topicText(p briefing.Paragraph) string { return shownText(wr.cellText(p, false)) }

// shownText is the text of a cell value (cellText) as a spreadsheet reads
// it back.
func shownText(v any) string {
	s, ok := v.(string)
	if !ok {
		s = joinRuns("", v.([]excelize.RichTextRun))
	}
	// The XML of a cell cannot hold most control characters: the writer
	// puts U+FFFD in their place, and so does this.
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// documentKind names what an Office document is when its main part is not
// a spreadsheet's — "a word-processing document", "a presentation" — as its
// [Content_Types].xml says, or "" for a workbook or when it does not say.
func (x *bookReader) documentKind(part string) string {
	rc, err := x.open("[Content_Types].xml")
	if err != nil {
		return ""
	}
	defer rc.Close()
	var ct struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if xml.NewDecoder(rc).Decode(&ct) != nil {
		return ""
	}
	for _, o := range ct.Overrides {
		if strings.TrimPrefix(o.PartName, "/") != strings.TrimPrefix(part, "/") {
			continue
		}
		switch {
		case strings.Contains(o.ContentType, "spreadsheetml"), strings.Contains(o.ContentType, "sheet.macroEnabled"):
			return ""
		case strings.Contains(o.ContentType, "wordprocessingml"):
			return "a word-processing document"
		case strings.Contains(o.ContentType, "presentationml"):
			return "a presentation"
		}
	}
	return ""
}
