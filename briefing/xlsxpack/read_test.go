package xlsxpack_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
)

func TestReadImport(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 2)
	p.Sheets[0].Sections[0].Paragraphs[0].Text = "  Leading spaces, a {{s6(a): withheld}} span and **bold**\nand a second line  "
	p.Sheets[0].Sections[0].Paragraphs[1].Withhold = "s6(a)"
	b := render(t, p)
	book, err := xlsxpack.ReadImport(bytes.NewReader(b), int64(len(b)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if book.RoundID != p.Round.ID || book.Marking != p.Marking || len(book.Sheets) != 2 || book.Sheets[1].ID != p.Sheets[1].ID || book.Sheets[1].Version != 1 {
		t.Fatalf("import data: %+v", book)
	}
	if len(book.Rows) != 2*5*6 {
		t.Fatalf("%d rows", len(book.Rows))
	}
	for i, r := range book.Rows {
		sh := p.Sheets[i/30]
		para := sh.Sections[i%30/6].Paragraphs[i%6]
		if r.SheetID != sh.ID || r.ParagraphID != para.ID || r.Marking != para.Marking || r.Withhold != para.Withhold || r.Row != i+2 {
			t.Fatalf("row %d: %+v", i+2, r)
		}
		if want := xlsxpack.TopicText(s, para); r.Text != want {
			t.Fatalf("row %d text %q, the workbook shows %q", i+2, r.Text, want)
		}
	}
	if got := book.Rows[0].Text; !strings.HasPrefix(got, "  Leading") || !strings.Contains(got, "[s6(a): withheld]") {
		t.Errorf("first text %q", got)
	}

	t.Run("ErrZipBomb", func(t *testing.T) {
		// A part that unpacks past the bound is refused, however small it is packed.
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		for _, name := range []string{"_rels/.rels", "xl/sharedStrings.xml"} {
			w, _ := zw.Create(name)
			if name == "_rels/.rels" {
				_, _ = w.Write([]byte(`<Relationships><Relationship Id="r" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>`))
				continue
			}
			_, _ = w.Write(bytes.Repeat([]byte(" "), 4<<20))
		}
		w, _ := zw.Create("xl/workbook.xml")
		_, _ = w.Write([]byte(`<workbook><sheets/></workbook>`))
		w, _ = zw.Create("xl/_rels/workbook.xml.rels")
		_, _ = w.Write([]byte(`<Relationships><Relationship Id="s" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`))
		_ = zw.Close()
		if zb.Len() > 64<<10 {
			t.Fatalf("the bomb is %d bytes packed", zb.Len())
		}
		_, err := xlsxpack.ReadImport(bytes.NewReader(zb.Bytes()), int64(zb.Len()), 1<<20)
		if briefing.ErrorCode(err) != briefing.EINVALID || !strings.Contains(briefing.ErrorMessage(err), "unpacks to more than 1 MiB") {
			t.Fatalf("bomb: %v", err)
		}
	})

	t.Run("ErrTooManyParts", func(t *testing.T) {
		// A directory that says it lists 60,000 entries is refused before
		// the zip reader makes a record of each.
		c := append([]byte(nil), b...)
		i := bytes.LastIndex(c, []byte("PK\x05\x06"))
		c[i+8], c[i+9], c[i+10], c[i+11] = 0x60, 0xea, 0x60, 0xea
		_, err := xlsxpack.ReadImport(bytes.NewReader(c), int64(len(c)), 0)
		if briefing.ErrorCode(err) != briefing.EINVALID || !strings.Contains(briefing.ErrorMessage(err), "too many parts") {
			t.Fatalf("%v", err)
		}
	})

	t.Run("ErrNotWorkbook", func(t *testing.T) {
		for name, body := range map[string][]byte{"text": []byte("just text"), "empty": nil, "truncated": b[:len(b)/2]} {
			_, err := xlsxpack.ReadImport(bytes.NewReader(body), int64(len(body)), 0)
			if briefing.ErrorCode(err) != briefing.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// FuzzReadImport feeds the importer's reader damaged workbooks — a real
// one with a few bytes overwritten at some place, or (at < 0) the bytes
// alone: it answers a book or an EINVALID error, never a panic, never
// another kind of error, and a book whose worksheets compare (EditedCell)
// without a panic. The fuzzed input is the patch, not the workbook,
// so the fuzzer's minimising stays quick.
func FuzzReadImport(f *testing.F) {
	s, _ := briefing.SettingsFor("nz")
	var buf bytes.Buffer
	if err := xlsxpack.Render(&buf, packtest.Pack(s, 1)); err != nil {
		f.Fatal(err)
	}
	real := buf.Bytes()
	f.Add(0, []byte{0})
	f.Add(len(real)/3, []byte("<"))
	f.Add(len(real)/2, []byte("\x00\x00\xff\xff"))
	f.Add(-1, []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, at int, patch []byte) {
		b := patch
		if at >= 0 {
			b = append([]byte(nil), real...)
			copy(b[at%len(b):], patch)
		}
		book, err := xlsxpack.ReadImport(bytes.NewReader(b), int64(len(b)), 8<<20)
		if err != nil {
			var be *briefing.Error
			if !errors.As(err, &be) || be.Code != briefing.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		// What it read plans without a panic.
		bases := map[string]*briefing.Sheet{}
		for _, sh := range packtest.Pack(s, 1).Sheets {
			bases[sh.ID] = sh
		}
		_, err = s.PlanImport(book, briefing.ImportInput{Bases: bases, Clearance: "TOP SECRET", DefaultMarking: "RESTRICTED",
			Render: func(p briefing.Paragraph) string { return xlsxpack.TopicText(s, p) }})
		if c := briefing.ErrorCode(err); err != nil && c != briefing.EINVALID && c != briefing.EFORBIDDEN {
			t.Fatalf("plan error %v", err)
		}
		// Its topic sheets' own worksheets compare without a panic.
		for _, sh := range book.Sheets {
			if base, ok := bases[sh.ID]; ok {
				_ = xlsxpack.EditedCell(s, base, sh, xlsxpack.TopicTexts(s))
			}
		}
	})
}

// FuzzImportCell writes a paragraph's text into a workbook and reads it
// back: the importer reads exactly what the workbook shows, whatever the
// text holds (markup, spaces at either end, control characters, any script).
// The same text typed into the cell is read back (briefing.FromCellText) as
// Markdown the workbook shows exactly as typed — text with no bracket,
// brace, carriage return or word joiner, whose forms the reading rebuilds
// or the workbook cannot hold, and no control character — and whatever it
// holds, what the workbook shows then reads back to itself.
func FuzzImportCell(f *testing.F) {
	s, _ := briefing.SettingsFor("nz")
	for _, seed := range []string{"plain", "  spaced  ", "=1+1", "**bold** and {{s6(a): hidden}}", "- a\n- b", "tab\there", "\x01ctl", "<t>&amp;</t>", "ΑΩ 漢字 🙂",
		"• The order … & <tags> *stars* _under_ `tick` \\ back", "• Growth of <5% and >2% a year; A<B & C>D", "# heading\n> quote\n1) one\n+ two",
		"the report (http://example.org/a_b)", "Title\n===", "    code *x*", "line  \nnext", "[s6(a): a*b*] \\[s6(a): c] {{s6(a): d}} {x}"} {
		f.Add(seed)
	}
	workbookText := func(t *testing.T, para briefing.Paragraph) string {
		p := packtest.Pack(s, 1)
		p.Sheets[0].Sections[0].Paragraphs[0] = para
		var buf bytes.Buffer
		if err := xlsxpack.Render(&buf, p); err != nil {
			t.Fatal(err)
		}
		book, err := xlsxpack.ReadImport(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 0)
		if err != nil {
			t.Fatal(err)
		}
		return book.Rows[0].Text
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 5000 {
			return
		}
		para := packtest.Pack(s, 1).Sheets[0].Sections[0].Paragraphs[0]
		para.Text = text
		want := strings.ReplaceAll(xlsxpack.TopicText(s, para), "\r\n", "\n")
		if got := workbookText(t, para); got != want {
			t.Fatalf("read %q, the workbook was written with %q", got, want)
		}

		para.Withhold = ""
		para.Text = briefing.FromCellText(s, text)
		if _, err := s.ParseSpans(para.Text); err != nil {
			if !strings.Contains(text, "{{") && !strings.Contains(text, "[") {
				t.Fatalf("typed %q, read as %q, which a save refuses: %v", text, para.Text, err)
			}
			return // a span begun "{{s6(a):" or "[s6(a):" and not ended: refused
		}
		shown := workbookText(t, para)
		typed := !strings.ContainsAny(text, "[]{}\r"+briefing.WordJoiner) && !strings.ContainsFunc(text, func(r rune) bool {
			return r < 0x20 && r != '\t' && r != '\n' || !utf8.ValidRune(r) || r == utf8.RuneError || r >= 0xFFFE && r <= 0xFFFF
		})
		if typed && shown != text {
			t.Fatalf("typed %q, read as %q, which the workbook shows as %q", text, para.Text, shown)
		}
		para.Text = briefing.FromCellText(s, shown)
		if again := workbookText(t, para); again != shown {
			t.Fatalf("typed %q, shown as %q, which reads as %q, shown as %q", text, shown, para.Text, again)
		}
	})
}

// BenchmarkImportXLSX reads a pack workbook for import and plans it against
// the sheets it was made from: the importer's own work, beside
// BenchmarkPackXLSX, which writes the same workbook.
func BenchmarkImportXLSX(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		var buf bytes.Buffer
		if err := xlsxpack.Render(&buf, p); err != nil {
			b.Fatal(err)
		}
		wb := buf.Bytes()
		bases := map[string]*briefing.Sheet{}
		for _, sh := range p.Sheets {
			bases[sh.ID] = sh
		}
		in := briefing.ImportInput{Bases: bases, Clearance: "TOP SECRET", DefaultMarking: "RESTRICTED",
			Render: xlsxpack.TopicTexts(s)}
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(wb)))
			for i := 0; i < b.N; i++ {
				book, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), 0)
				if err != nil {
					b.Fatal(err)
				}
				plans, err := s.PlanImport(book, in)
				if err != nil || len(plans) != 0 {
					b.Fatalf("%d plans, %v", len(plans), err)
				}
			}
		})
	}
}

// TestReadImport_NotASpreadsheet: a word-processing document or a
// presentation sent as a workbook is refused saying what it is, not
// naming a part of it that a workbook would have.
func TestReadImport_NotASpreadsheet(t *testing.T) {
	for kind, c := range map[string]struct{ main, ct string }{
		"a word-processing document": {"word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"},
		"a presentation":             {"ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"},
	} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, body := range map[string]string{
			"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/` + c.main + `" ContentType="` + c.ct + `"/></Types>`,
			"_rels/.rels":         `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + c.main + `"/></Relationships>`,
			c.main:                `<?xml version="1.0"?><document/>`,
		} {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		zw.Close()
		_, err := xlsxpack.ReadImport(bytes.NewReader(b.Bytes()), int64(b.Len()), 0)
		if msg := briefing.ErrorMessage(err) + " " + strings.Join(mapValues(briefing.ErrorFields(err)), " "); !strings.Contains(msg, "not a workbook (it is "+kind+")") {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestReadImport_NumberFormats: a number typed alone in a Topics cell is
// read as a spreadsheet program shows it in the cell's number format, set
// here as a spreadsheet program sets it, through excelize's style API: a
// time in the built-in h:mm formats without a leading zero on the hour (it
// read 09:30), zero in a format's zero section (it read 0 where the cell
// showed "-"), and a date past 9999, which a spreadsheet program shows as
// "#####", as the number typed (it read a date in the year 10000, or one
// before the common era). The room a format leaves beside the number, to
// line up columns, is no part of the text (the comma style read
// " 1,000.00 ").
func TestReadImport_NumberFormats(t *testing.T) {
	s := settings(t)
	cases := []struct {
		name  string
		value float64
		id    int    // a built-in format, as Excel saves one
		code  string // or the format's code
		shown string
	}{
		{"TimeBuiltIn", 0.3958333333333333, 20, "", "9:30"},
		{"TimeWithSecondsBuiltIn", 0.3958333333333333, 21, "", "9:30:00"},
		{"DateAndTimeBuiltIn", 44267.395833333333, 22, "", "12/03/2021 9:30"},
		{"TimeWritten", 0.3958333333333333, 0, "h:mm", "9:30"},
		{"TimeLeadingZeroWritten", 0.3958333333333333, 0, "hh:mm", "09:30"},
		{"ZeroSection", 0, 0, `#,##0;(#,##0);"-"`, "-"},
		{"ZeroSectionNegative", -1500, 0, `#,##0;(#,##0);"-"`, "(1,500)"},
		{"ZeroSectionPositive", 1500, 0, `#,##0;(#,##0);"-"`, "1,500"},
		{"ZeroSectionWords", 0, 0, `0.00;-0.00;"nil"`, "nil"},
		{"ZeroSectionColour", 0, 0, `[Red]0;[Blue]-0;[Green]"none"`, "none"},
		{"ZeroSectionNumber", 0, 0, `0.0;-0.0;0.00`, "0.00"},
		{"ZeroSectionEmpty", 0, 0, `0;-0;;@`, ""},
		{"TwoSectionsZero", 0, 0, `0;(0)`, "0"},
		{"ConditionsNotZeroSection", 0, 0, `[>=100]0;[<0]-0;"z"`, "0"},
		{"AccountingZero", 0, 41, "", "-"},
		{"AccountingZeroDecimals", 0, 43, "", "-"},
		{"CommaStyle", 1000, 43, "", "1,000.00"},
		{"CommaStyleNegative", -1000, 43, "", "(1,000.00)"},
		{"PaddedRight", 1000, 0, "#,##0_);(#,##0)", "1,000"},
		{"WordsInside", 3, 0, `0" of 5"`, "3 of 5"},
		{"LastDate", 2958465, 14, "", "31/12/9999"},
		{"DatePast9999", 2958466, 14, "", "2958466"},
		{"DatePast9999Written", 3000000, 0, "d mmmm yyyy", "3000000"},
		{"DateFarPast9999", 1e15, 14, "", "1000000000000000"},
		{"TimePast9999", 3000000.5, 0, "[h]:mm", "3000000.5"},
		{"NumberPast9999", 3000000, 0, "#,##0", "3,000,000"},
	}
	b := render(t, packtest.Pack(s, 1))
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		st := &excelize.Style{NumFmt: c.id}
		if c.code != "" {
			st.CustomNumFmt = &c.code
		}
		style, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		cell := "D" + strconv.Itoa(i+2)
		if err := f.SetCellFloat("Topics", cell, c.value, -1, 64); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("Topics", cell, cell, style); err != nil {
			t.Fatal(err)
		}
	}
	var edited bytes.Buffer
	if _, err := f.WriteTo(&edited); err != nil {
		t.Fatal(err)
	}
	f.Close()
	book, err := xlsxpack.ReadImport(bytes.NewReader(edited.Bytes()), int64(edited.Len()), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := book.Rows[i].Text; got != c.shown {
				t.Errorf("%v in format %d %q: read %q, shown %q", c.value, c.id, c.code, got, c.shown)
			}
		})
	}
}
