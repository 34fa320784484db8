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

// builtIn are the built-in formats whose codes excelize reads otherwise
// than a spreadsheet program shows them (20 "hh:mm", 9:30 read 09:30), and
// those with a zero section, which excelize does not use.
var builtIn = map[int]string{
	20: "h:mm",
	21: "h:mm:ss",
	22: shortDate + " h:mm",
	41: `_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)`,
	42: `_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)`,
	43: `_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`,
	44: `_("$"* #,##0.00_);_("$"* \(#,##0.00\);_("$"* "-"??_);_(@_)`,
}

// lastDay is the serial of the last moment a spreadsheet program shows as
// a date, 31 December 9999, in the 1900 date system; the 1904 system
// counts 1,462 days fewer.
const lastDay = 2958466

// sections splits a format's code at its semicolons, those outside quoted
// text, brackets and escaped characters.
func sections(code string) []string {
	var out []string
	start := 0
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				i += j + 1
			}
		case '\\', '_', '*':
			i++ // the character after is shown, padded or repeated
		case ';':
			out = append(out, code[start:i])
			start = i + 1
		}
	}
	return append(out, code[start:])
}

// unquoted returns a section's code without its quoted text, escaped
// characters and brackets, but for the brackets of elapsed time ([h]).
func unquoted(section string) string {
	var b strings.Builder
	for i := 0; i < len(section); i++ {
		switch c := section[i]; c {
		case '"':
			if j := strings.IndexByte(section[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(section)
			}
		case '[':
			j := strings.IndexByte(section[i+1:], ']')
			if j < 0 {
				return b.String()
			}
			if in := strings.ToLower(section[i+1 : i+1+j]); strings.Trim(in, "hms") == "" {
				b.WriteString(in)
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// conditional reports whether a section holds a condition ([<0], [>=100]):
// then the sections are not for positive, negative and zero numbers.
func conditional(section string) bool {
	for i := strings.IndexByte(section, '['); i >= 0 && i+1 < len(section); {
		if strings.ContainsRune("<>=", rune(section[i+1])) {
			return true
		}
		j := strings.IndexByte(section[i+1:], '[')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// dateTime reports whether a format shows a date or a time: a built-in
// date or time format, or a code with a year, month, day, hour, minute or
// second in it.
func dateTime(f numFmt, code string) bool {
	if code == "" {
		return 14 <= f.id && f.id <= 22 || 27 <= f.id && f.id <= 36 || 45 <= f.id && f.id <= 47 || 50 <= f.id && f.id <= 58
	}
	return strings.ContainsAny(strings.ToLower(unquoted(sections(code)[0])), "ymdhs")
}

// zeroShown is the code a format shows zero in: its third section, when
// it has one and no conditions. A section without a 0 placeholder shows
// no digit of zero (its # and ? show nothing); excelize would show one.
func zeroShown(code string) (string, bool) {
	secs := sections(code)
	if len(secs) < 3 {
		return "", false
	}
	for _, sec := range secs {
		if conditional(sec) {
			return "", false
		}
	}
	zero := secs[2]
	if strings.ContainsRune(unquoted(zero), '0') {
		return zero, true
	}
	var b strings.Builder
	for i := 0; i < len(zero); i++ {
		switch c := zero[i]; c {
		case '"', '[':
			closing := byte('"')
			if c == '[' {
				closing = ']'
			}
			end := len(zero) - 1 // the quoted text or bracket's last character
			if j := strings.IndexByte(zero[i+1:], closing); j >= 0 {
				end = i + 1 + j
			}
			b.WriteString(zero[i : end+1])
			i = end
		case '\\', '_', '*':
			b.WriteString(zero[i:min(i+2, len(zero))])
			i++
		case '#', '?', ',', '.':
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// format shows a number in a format with excelize's formatter, through a
// workbook of one cell made for the purpose: excelize formats only the
// cells of a workbook. Should it fail, the cell is the number as stored.
// A date past 9999 or before 1900, which a spreadsheet program shows as
// "#####", is the number as stored too: what was typed, not the hashes.
// Zero takes its format's zero section ("-" in #,##0;(#,##0);"-"), and an
// empty one shows nothing.
func (x *bookReader) format(v float64, f numFmt, stored string) (out string) {
	defer func() {
		if recover() != nil {
			out = stored
		}
	}()
	code := f.code
	if code == "" {
		code = builtIn[f.id]
	}
	if dateTime(f, code) {
		last := float64(lastDay)
		if x.date1904 {
			last -= 1462
		}
		if v < 0 || v >= last {
			return stored
		}
	}
	if code != "" {
		if v == 0 {
			zero, ok := zeroShown(code)
			if ok && strings.TrimSpace(zero) == "" {
				return ""
			}
			if ok {
				code = zero
			}
		}
		f = numFmt{code: code}
	}
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
	// Spaces at either end are the room a format leaves to line numbers
	// up ("_)", "* "), not typed: the comma style shows 1000 " 1,000.00 ".
	return strings.Trim(s, " ")
}

// closeFormat lets the formatting workbook go.
func (x *bookReader) closeFormat() {
	if x.fmt != nil {
		_ = x.fmt.Close()
	}
}
