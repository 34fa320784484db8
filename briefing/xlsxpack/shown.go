package xlsxpack

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A date or a number typed alone into a cell is kept by a spreadsheet
// program as a number with a number format (12/03/2021 as 44267 shown
// "dd/mm/yyyy"); the import takes what the cell shows, as the officer typed
// and saw it, not the number underneath. Only numbers and booleans are
// formatted: a string cell, shared or inline, plain or rich, is its text.

// shortDate is how the short date of the spreadsheet program's locale
// (built-in formats 14 and 22) shows a date: day first, as in both of
// briefpack's jurisdictions.
const shortDate = "d/mm/yyyy"

// maxFormatCode bounds a number format's code: a spreadsheet program allows
// 255 characters; a longer one is shown as the number itself.
const maxFormatCode = 255

// numFmt is the number format of a cell style: a built-in one's id, or the
// code the workbook gives it.
type numFmt struct {
	id   int
	code string
}

// general reports whether the format shows a number as it is stored: the
// General format (built-in or as LibreOffice writes it, with a locale), or
// text.
func (f numFmt) general() bool {
	code := strings.ToLower(strings.TrimSpace(f.code))
	if i := strings.Index(code, "]"); strings.HasPrefix(code, "[$") && i > 0 {
		code = code[i+1:]
	}
	if f.code == "" {
		return f.id == 0 || f.id == 49
	}
	return code == "general" || code == "@"
}

// readStyles reads the number format of each cell style (cellXfs) from the
// styles part. A styles part that cannot be read leaves every cell shown as
// stored: only the bound on unpacking is an error.
func (x *bookReader) readStyles(part string) error {
	rc, err := x.open(part)
	if errors.Is(err, errTooBig) {
		return err
	} else if err != nil {
		return nil
	}
	defer rc.Close()
	codes := map[int]string{}
	var xfs []int
	d := newScanner(rc)
	inXfs := false
	for {
		ev, err := d.next()
		if errors.Is(err, errTooBig) {
			return err
		} else if err != nil {
			break // io.EOF, or a damaged part: what was read stands
		}
		switch {
		case ev == scanStart && d.is("numFmt"):
			if id, err := strconv.Atoi(d.attr("numFmtId")); err == nil {
				codes[id] = d.attr("formatCode")
			}
		case ev == scanStart && d.is("cellXfs"):
			inXfs = true
		case ev == scanEnd && d.is("cellXfs"):
			inXfs = false
		case ev == scanStart && d.is("xf") && inXfs:
			id, err := strconv.Atoi(d.attr("numFmtId"))
			if err != nil {
				id = 0
			}
			xfs = append(xfs, id)
		}
	}
	x.styles = make([]numFmt, len(xfs))
	for i, id := range xfs {
		x.styles[i] = numFmt{id: id, code: codes[id]}
	}
	return nil
}

// shown is what a cell of a number or boolean shows: the stored value in
// its style's number format.
func (x *bookReader) shown(typ, style, value string) string {
	switch typ {
	case "b":
		switch strings.TrimSpace(value) {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return value
	case "", "n":
	default:
		return value
	}
	i, err := strconv.Atoi(style)
	if err != nil || i < 0 || i >= len(x.styles) || x.styles[i].general() || len(x.styles[i].code) > maxFormatCode {
		return value
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return value
	}
	return x.format(v, x.styles[i], value)
}

// format shows a number in a format with excelize's formatter, through a
// workbook of one cell made for the purpose: excelize formats only the
// cells of a workbook. Should it fail, the cell is the number as stored.
func (x *bookReader) format(v float64, f numFmt, stored string) (out string) {
	defer func() {
		if recover() != nil {
			out = stored
		}
	}()
	if x.fmt == nil {
		x.fmt = excelize.NewFile(excelize.Options{ShortDatePattern: shortDate})
		x.fmtStyles = map[numFmt]int{}
		if x.date1904 {
			yes := true
			if err := x.fmt.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
				return stored
			}
		}
	}
	style, ok := x.fmtStyles[f]
	if !ok {
		st := &excelize.Style{NumFmt: f.id}
		if f.code != "" {
			code := f.code
			st = &excelize.Style{CustomNumFmt: &code}
		}
		var err error
		if style, err = x.fmt.NewStyle(st); err != nil {
			style = -1
		}
		x.fmtStyles[f] = style
	}
	if style < 0 {
		return stored
	}
	const sheet, cell = "Sheet1", "A1"
	if x.fmt.SetCellFloat(sheet, cell, v, -1, 64) != nil || x.fmt.SetCellStyle(sheet, cell, cell, style) != nil {
		return stored
	}
	s, err := x.fmt.GetCellValue(sheet, cell)
	if err != nil {
		return stored
	}
	return s
}

// closeFormat lets the formatting workbook go.
func (x *bookReader) closeFormat() {
	if x.fmt != nil {
		_ = x.fmt.Close()
	}
}
