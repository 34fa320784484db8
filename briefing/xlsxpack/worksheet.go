package xlsxpack

import (
	"hash/maphash"
	"strings"

	"briefpack/briefing"
)

// The import reads only the Topics rows. A topic sheet's own worksheet,
// the two-column form that reads as the brief does, is where people edit
// naturally, and nothing typed there is imported: the import tells them
// so, having compared what each such worksheet shows, as the import reads
// it, with what the export wrote for the sheet at the workbook's version.

// cellSeed hashes cells for comparing them within this process.
var cellSeed = maphash.MakeSeed()

// unreadSum stands for a cell, or the rest of a worksheet, that was not
// read as text: a formula, an error value, a damaged part. No text hashes
// so (but by a collision of 64-bit hashes): no cell holds a NUL.
var unreadSum = maphash.String(cellSeed, "\x00")

// longCell is the length, in UTF-16 units, past which a cell is compared
// by its text without its line ends: LibreOffice breaks a cell of rich
// text longer than some 16,000 units with a line end at every 16,367 or
// so, and then cuts what passes a cell's 32,767 units (briefing.MaxCellText)
// to fit; it leaves plain text, the Topics rows', as it is.
const longCell = 16000

// appendSums appends the cells of row n that show something, each as its
// place and a hash of what it shows, line ends read alike as the Topics
// rows' are (and a long cell's text with it); a formula is hashed apart
// from any text.
func appendSums(out []briefing.ImportCell, n int, cells []cell) []briefing.ImportCell {
	for _, c := range cells {
		ic := briefing.ImportCell{Row: n, Col: c.col}
		switch {
		case c.formula:
			ic.Sum = maphash.String(cellSeed, "\x00f"+c.value)
		case c.value == "":
			continue
		default:
			text := strings.ReplaceAll(c.shown, "\r\n", "\n")
			ic.Sum = maphash.String(cellSeed, text)
			if len(text) > longCell && utf16Len(text) > longCell {
				ic.Long = text
			}
		}
		out = append(out, ic)
	}
	return out
}

// sameLong reports whether a long cell as a workbook holds it (got) shows
// what the export wrote (want) as LibreOffice saves it again: the same text
// but for line ends, or its start, where the line ends LibreOffice put in
// took it past what a cell holds and it cut the rest.
func sameLong(got, want string) bool {
	g, w := strings.ReplaceAll(got, "\n", ""), strings.ReplaceAll(want, "\n", "")
	return g == w || utf16Len(got) >= briefing.MaxCellText && strings.HasPrefix(w, g)
}

// EditedCell names the first cell, by row then column, of a topic sheet's
// own worksheet as a workbook holds it (sh, as ReadImport read it) that
// does not show what the export wrote for made — the sheet the workbook
// was made from, at its version, as its maker saw it: a cell changed,
// emptied or filled. It is "" when every cell is as the export wrote it,
// and when the workbook holds no worksheet by the name the export gave
// it. topicText is each paragraph's text as the Topics worksheet shows it
// (TopicText), which the import works out already. Only what the cells
// show is compared: widths, heights, styles, runs and the page's set-up
// are not, so a workbook saved again by a spreadsheet program, which
// writes them in its own way, is not taken for edited. (Nor is a line end
// added or taken out of a cell longer than longCell, or an edit past what
// LibreOffice cut of one.)
func EditedCell(s briefing.Settings, made *briefing.Sheet, sh briefing.ImportSheet, topicText func(briefing.Paragraph) string) string {
	if sh.Worksheet == "" {
		return ""
	}
	want := map[[2]int]briefing.ImportCell{}
	sheetCells(s, made, topicText, func(row, col int, text string) {
		for _, c := range appendSums(nil, row, []cell{{col: col, value: text, shown: text}}) {
			want[[2]int{c.Row, c.Col}] = c
		}
	})
	var first [2]int
	found := false
	differs := func(k [2]int) {
		if !found || k[0] < first[0] || k[0] == first[0] && k[1] < first[1] {
			first, found = k, true
		}
	}
	matched := make(map[[2]int]bool, len(want))
	for _, c := range sh.Cells {
		k := [2]int{c.Row, c.Col}
		w, ok := want[k]
		if ok && !matched[k] && (w.Sum == c.Sum || c.Long != "" && w.Long != "" && sameLong(c.Long, w.Long)) {
			matched[k] = true
			continue
		}
		differs(k)
	}
	for k := range want {
		if !matched[k] {
			differs(k)
		}
	}
	if !found {
		return ""
	}
	return cellName(sh.Worksheet, first[1], first[0])
}

// sheetCells gives each text cell of a topic sheet's worksheet in the full
// edition as the import reads it back: the label in A1, then the rows as
// sheetXML lays them out (sheetRows), each heading in column A and each
// paragraph in column B, its portion mark before its Topics text (what
// cellText writes, read back). TestSheetCells holds it to sheetXML.
func sheetCells(s briefing.Settings, sh *briefing.Sheet, topicText func(briefing.Paragraph) string, fn func(row, col int, text string)) {
	fn(1, 1, shownText(sheetLabel(sh, false)))
	sheetRows(sh, func(n int, heading string, first bool, p *briefing.Paragraph) {
		if first {
			fn(n, 1, shownText(heading))
		}
		if p != nil {
			fn(n, 2, s.PortionMark(p.Marking)+" "+topicText(*p))
		}
	})
}
