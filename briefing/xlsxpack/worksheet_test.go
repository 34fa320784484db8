package xlsxpack_test

import (
	"archive/zip"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
)

// TestEditedCell: a topic sheet's own worksheet is told edited by the
// first cell that does not show what the export wrote — changed, added,
// emptied, or a formula — and not for a long cell of rich text given the
// line ends LibreOffice puts in one (and cut to fit), nor when the workbook
// holds no worksheet by the name the export gave it; a cell the reader
// cannot take as text there is an edit, never a refusal.
func TestEditedCell(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 2)
	long := strings.Repeat("Regional maritime security cooperation. ", 480) + "**Agreed.**"
	p.Sheets[0].Sections[0].Paragraphs[1].Text = long
	made := render(t, p)
	name := "Topic 1 " + p.Sheets[0].Title[len("Topic 1: "):]
	for _, tc := range []struct {
		name string
		edit func(x *excelize.File)
		want string // the cell told of the first sheet, "" for none
	}{
		{"Untouched", func(*excelize.File) {}, ""},
		{"LongCellLineEnds", func(x *excelize.File) {
			v, _ := x.GetCellValue(name, "B4")
			if len(v) < 16400 {
				t.Fatalf("B4 holds %d bytes", len(v))
			}
			_ = x.SetCellStr(name, "B4", v[:16367]+"\n"+v[16367:])
		}, ""},
		{"LongCellWordChanged", func(x *excelize.File) {
			v, _ := x.GetCellValue(name, "B4")
			_ = x.SetCellStr(name, "B4", strings.Replace(v, "Regional", "Global", 1))
		}, name + "!B4"},
		{"Changed", func(x *excelize.File) {
			v, _ := x.GetCellValue(name, "B7")
			_ = x.SetCellStr(name, "B7", v+" More.")
		}, name + "!B7"},
		{"Emptied", func(x *excelize.File) { _ = x.SetCellStr(name, "A9", "") }, name + "!A9"},
		{"Note", func(x *excelize.File) { _ = x.SetCellStr(name, "D5", "Check with the partner.") }, name + "!D5"},
		{"Formula", func(x *excelize.File) { _ = x.SetCellFormula(name, "B6", "1+1") }, name + "!B6"},
		{"Renamed", func(x *excelize.File) { _ = x.SetSheetName(name, "My notes") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := made
			if tc.name != "Untouched" {
				x, err := excelize.OpenReader(bytes.NewReader(made))
				if err != nil {
					t.Fatal(err)
				}
				tc.edit(x)
				var out bytes.Buffer
				if _, err := x.WriteTo(&out); err != nil {
					t.Fatal(err)
				}
				x.Close()
				b = out.Bytes()
			}
			book, err := xlsxpack.ReadImport(bytes.NewReader(b), int64(len(b)), 0)
			if err != nil {
				t.Fatal(err)
			}
			for i, sh := range p.Sheets {
				want := ""
				if i == 0 {
					want = tc.want
				}
				if got := xlsxpack.EditedCell(s, sh, book.Sheets[i], xlsxpack.TopicTexts(s)); got != want {
					t.Errorf("sheet %d: told %q, want %q", i, got, want)
				}
			}
		})
	}
	t.Run("UnpackBound", func(t *testing.T) {
		// At the least bound the Topics rows are read under, the topic
		// sheets' worksheets are read in part or not at all: the import
		// is not refused for them, nor told they were edited.
		lo, hi := int64(1), int64(len(made))*20
		for lo < hi {
			mid := (lo + hi) / 2
			if _, err := xlsxpack.ReadImport(bytes.NewReader(made), int64(len(made)), mid); err != nil {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		book, err := xlsxpack.ReadImport(bytes.NewReader(made), int64(len(made)), lo)
		if err != nil {
			t.Fatal(err)
		}
		for i, sh := range p.Sheets {
			if got := xlsxpack.EditedCell(s, sh, book.Sheets[i], xlsxpack.TopicTexts(s)); got != "" {
				t.Errorf("bound %d: sheet %d told edited at %s", lo, i, got)
			}
		}
		if book.Sheets[1].Worksheet != "" {
			t.Errorf("bound %d: the last worksheet was read whole", lo)
		}
	})
	t.Run("ErrorValue", func(t *testing.T) {
		// An error value in the Topics worksheet is refused; in a topic
		// sheet's own, which is not imported, it is an edit.
		parts := zipParts(t, made)
		var ws string
		for k, v := range parts {
			if strings.HasPrefix(k, "xl/worksheets/") && firstSheetTitle.MatchString(v) {
				ws = k
			}
		}
		if ws == "" {
			t.Fatal("no worksheet of the first sheet")
		}
		v := parts[ws]
		i := strings.Index(v, `<c r="B5"`)
		j := i + strings.Index(v[i:], "</c>") + len("</c>")
		parts[ws] = v[:i] + `<c r="B5" t="e"><v>#REF!</v></c>` + v[j:]
		b := zipOf(t, parts)
		book, err := xlsxpack.ReadImport(bytes.NewReader(b), int64(len(b)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := xlsxpack.EditedCell(s, p.Sheets[0], book.Sheets[0], xlsxpack.TopicTexts(s)); got != name+"!B5" {
			t.Errorf("told %q", got)
		}
	})
}

// firstSheetTitle is the title cell of the first topic sheet's worksheet.
var firstSheetTitle = regexp.MustCompile(`<c r="A1"[^>]*><is><t[^>]*>Topic 1: `)

// zipOf packs parts (zipParts) into a workbook again.
func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadImport_SharedStringsCounted: a string shared by many cells counts
// against the unpacking bound once for every cell that shows it, as it
// would written in each: a workbook of 84 KB, whose topic sheet's
// worksheet held 400,000 cells of one shared string of a megabyte, kept
// the server hashing 400 GB of text for the worksheet's edits, and its
// Topics rows so took as much of what the import compares.
func TestReadImport_SharedStringsCounted(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 2)
	made := render(t, p)
	const limit = 16 << 20
	shared := func(parts map[string]string) {
		text := strings.Repeat("Maritime security cooperation in the region. ", 1<<20/45)
		parts["xl/sharedStrings.xml"] = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>` + text + `</t></si></sst>`
		parts["xl/_rels/workbook.xml.rels"] = strings.Replace(parts["xl/_rels/workbook.xml.rels"], "</Relationships>",
			`<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, 1)
	}
	t.Run("Worksheet", func(t *testing.T) {
		parts := zipParts(t, made)
		shared(parts)
		var ws string
		for k, v := range parts {
			if strings.HasPrefix(k, "xl/worksheets/") && firstSheetTitle.MatchString(v) {
				ws = k
			}
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		for r := 1; r <= 100; r++ {
			b.WriteString(`<row><c t="s"><v>0</v></c><c t="s"><v>0</v></c></row>`)
		}
		b.WriteString(`</sheetData></worksheet>`)
		parts[ws] = b.String()
		wb := zipOf(t, parts)
		book, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), limit)
		if err != nil {
			t.Fatal(err)
		}
		if book.Sheets[0].Worksheet != "" || len(book.Sheets[0].Cells) != 0 {
			t.Errorf("200 MB of shared text read under a bound of 16 MiB: worksheet %q, %d cells", book.Sheets[0].Worksheet, len(book.Sheets[0].Cells))
		}
	})
	t.Run("Topics", func(t *testing.T) {
		parts := zipParts(t, made)
		shared(parts)
		var ws string
		for k, v := range parts {
			if strings.HasPrefix(k, "xl/worksheets/") && strings.Contains(v, ">Paragraph id<") {
				ws = k
			}
		}
		if ws == "" {
			t.Fatal("no Topics worksheet")
		}
		v := parts[ws]
		i := strings.Index(v, "<row") // the header row, then rows of the shared text
		i += strings.Index(v[i:], "</row>") + len("</row>")
		var b strings.Builder
		for r := 2; r <= 101; r++ {
			b.WriteString(`<row r="` + strconv.Itoa(r) + `"><c r="D` + strconv.Itoa(r) + `" t="s"><v>0</v></c></row>`)
		}
		parts[ws] = v[:i] + b.String() + `</sheetData>` + v[strings.Index(v, "</sheetData>")+len("</sheetData>"):]
		wb := zipOf(t, parts)
		_, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), limit)
		if err == nil || !strings.Contains(err.Error(), "unpacks to more than 16 MiB") {
			t.Errorf("100 MB of shared text in the Topics rows under a bound of 16 MiB: %v", err)
		}
	})
}

// TestReadImport_RowOfTooManyCells: a row of more cells than a worksheet
// has columns (16,384) is refused in the Topics worksheet, and is an edit
// in a topic sheet's own: the reader kept a row's cells until its end, so
// a row of 10 million empty cells, 40 MB unpacked from a workbook of 67 KB,
// took 3 GB and 9 s of the server's.
func TestReadImport_RowOfTooManyCells(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 2)
	made := render(t, p)
	row := `<row r="2">` + strings.Repeat(`<c/>`, 16385) + `</row>`
	t.Run("Topics", func(t *testing.T) {
		parts := zipParts(t, made)
		var ws string
		for k, v := range parts {
			if strings.HasPrefix(k, "xl/worksheets/") && strings.Contains(v, ">Paragraph id<") {
				ws = k
			}
		}
		v := parts[ws]
		i := strings.Index(v, "<row")
		i += strings.Index(v[i:], "</row>") + len("</row>")
		parts[ws] = v[:i] + row + `</sheetData>` + v[strings.Index(v, "</sheetData>")+len("</sheetData>"):]
		wb := zipOf(t, parts)
		_, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), 0)
		if err == nil || !strings.Contains(err.Error(), "Topics!") || !strings.Contains(err.Error(), "16384") {
			t.Errorf("a Topics row of 16,385 cells: %v", err)
		}
	})
	t.Run("Worksheet", func(t *testing.T) {
		parts := zipParts(t, made)
		var ws string
		for k, v := range parts {
			if strings.HasPrefix(k, "xl/worksheets/") && firstSheetTitle.MatchString(v) {
				ws = k
			}
		}
		v := parts[ws]
		i := strings.Index(v, "</sheetData>")
		parts[ws] = v[:i] + strings.Replace(row, `r="2"`, `r="999"`, 1) + v[i:]
		wb := zipOf(t, parts)
		book, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := xlsxpack.EditedCell(s, p.Sheets[0], book.Sheets[0], xlsxpack.TopicTexts(s)); got == "" {
			t.Errorf("told %q", got)
		}
	})
}
