package xlsxpack_test

import (
	"archive/zip"
	"bytes"
	"regexp"
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
