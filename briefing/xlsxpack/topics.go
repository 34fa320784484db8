package xlsxpack

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"briefpack/internal/deflate"
	"briefpack/internal/lru"
	"briefpack/internal/parallel"
)

// The Topics worksheet, one row per paragraph of every sheet, is written
// here too, in parts: each sheet's rows are compressed once for what they
// were built from and kept, and the worksheet is the parts put one after
// another. Deflate allows that: each part is compressed on its own and
// ends on a block boundary without closing the stream, so the parts joined
// are one stream, which a final empty block closes; their checksums
// combine without reading the text again. Rows and cells carry no
// reference, so a sheet's rows are the same wherever they fall; readers
// number them in order, as the format allows.

// chunk is a compressed piece of a worksheet's XML.
type chunk = deflate.Chunk

// topicRows are the Topics worksheet's rows of one sheet, kept compressed
// by what they were built from (the key of the sheet's own worksheet).
var topicRows = lru.New[chunk](partBytes, func(c chunk) int64 { return int64(len(c.Data)) + 64 })

// topics lays out the Topics worksheet: the header row frozen, a filter on
// the columns people read, the import's columns hidden in a full edition,
// and a row per paragraph. excelize writes an empty worksheet in its place
// (so the workbook lists it, with its filter); the rows are put in as the
// zip is written.
func (wr *writer) topics() error {
	rows := 0
	for _, sh := range wr.p.Sheets {
		for _, sec := range sh.Sections {
			rows += len(sec.Paragraphs)
		}
	}
	cols := append(append([]string{}, topicColumns...), topicHiddenColumn...)
	widths := []float64{28, 30, 6, 90, 16, 14, 12, 8, 20}
	filtered := len(topicColumns)
	if wr.rel {
		cols = []string{"Topic", "Section", "No.", "Text", "Withholding"}
		widths = []float64{28, 30, 6, 90, 14}
		filtered = len(cols)
	}
	sw, err := wr.stream(sheetTopics, widths, true, rows, filtered)
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	var head bytes.Buffer
	head.WriteString(worksheetOpen() + `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i, w := range widths {
		hidden := ""
		if i >= filtered {
			hidden = ` hidden="1"`
		}
		fmt.Fprintf(&head, `<col min="%d" max="%d" width="%g" customWidth="1"%s/>`, i+1, i+1, w, hidden)
	}
	// The header row as tall as its names, as every other row is.
	lines := 1
	for i, c := range cols[:filtered] {
		lines = max(lines, wrappedLines(c, int(widths[i])))
	}
	fmt.Fprintf(&head, `</cols><sheetData><row ht="%d" customHeight="1">`, linesHeight(lines))
	for _, c := range cols {
		inlineCell(&head, "", wr.header, c)
	}
	head.WriteString(`</row>`)
	last, _ := excelize.CoordinatesToCellName(filtered, rows+1)
	var tail bytes.Buffer
	fmt.Fprintf(&tail, `</sheetData><autoFilter ref="A1:%s"/>`, last)
	wr.pageEnd(&tail, true)

	wr.topicChunks = make([]chunk, len(wr.p.Sheets)+2)
	var fw *flate.Writer
	if wr.topicChunks[0], err = deflate.Compress(&fw, head.Bytes()); err != nil {
		return err
	}
	if wr.topicChunks[len(wr.topicChunks)-1], err = deflate.Compress(&fw, tail.Bytes()); err != nil {
		return err
	}
	return parallel.Each(len(wr.p.Sheets), func(i int, l *local) error {
		sh := wr.p.Sheets[i]
		key := wr.partKey(sh)
		if key != "" {
			if c, ok := topicRows.Get(key); ok {
				wr.topicChunks[i+1] = c
				return nil
			}
		}
		partsRendered.Add(1)
		b := &l.text
		b.Reset()
		b.Grow(rowBytes(sh, 400+len(sh.Title)+len(sh.ID)+80))
		for _, sec := range sh.Sections {
			for k, para := range sec.Paragraphs {
				text := wr.cellText(para, false) // written as plain text
				fmt.Fprintf(b, `<row ht="%d" customHeight="1">`, linesHeight(max(cellLines(text, 90), wrappedLines(sec.Heading, 30), wrappedLines(sh.Title, 28))))
				inlineCell(b, "", wr.wrap, sh.Title)
				inlineCell(b, "", wr.wrap, sec.Heading)
				numberCell(b, k+1)
				plainCell(b, wr.wrap, text)
				if !wr.rel {
					inlineCell(b, "", 0, para.Marking)
				}
				inlineCell(b, "", 0, para.Withhold)
				if !wr.rel {
					inlineCell(b, "", 0, sh.ID)
					numberCell(b, sh.Version)
					inlineCell(b, "", 0, para.ID)
				}
				b.WriteString(`</row>`)
			}
		}
		c, err := deflate.Compress(&l.fw, b.Bytes())
		if err != nil {
			return err
		}
		wr.topicChunks[i+1] = c
		if key != "" {
			topicRows.PutLatest(wr.p.SheetSlot(sh), key, c)
		}
		return nil
	})
}

func numberCell(b *bytes.Buffer, n int) {
	b.WriteString(`<c><v>`)
	b.WriteString(strconv.Itoa(n))
	b.WriteString(`</v></c>`)
}
