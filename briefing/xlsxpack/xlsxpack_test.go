package xlsxpack_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
)

func settings(tb testing.TB) briefing.Settings {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func render(t testing.TB, p *briefing.Pack) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := xlsxpack.Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipParts returns every part of the workbook, uncompressed.
func zipParts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(data)
	}
	return out
}

func TestRender_Workbook(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 3)
	p.Marking = "SECRET"
	p.Sheets[0].Title = "Rules-based order: [draft] / *new* ?"
	p.Sheets[1].Title = strings.Repeat("A very long topic sheet title ", 3)
	p.Sheets[2].Title = strings.Repeat("A very long topic sheet title ", 3)
	formulas := []string{`=HYPERLINK("http://evil.example","click")`, "+1+2", "-3", "@SUM(A1:A2)", "=1+1"}
	for i, f := range formulas {
		p.Sheets[0].Sections[1].Paragraphs[i] = briefing.Paragraph{Text: f, Marking: "RESTRICTED"}
	}
	p.Sheets[0].Sections[0].Paragraphs[0] = briefing.Paragraph{Text: "Known {{s6(a): withheld words}} and **bold** text", Marking: "RESTRICTED", Withhold: ""}
	b := render(t, p)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := f.GetSheetList()
	want := []string{"Cover", "Agenda", "Delegations", "Biographies", "Topics", "Rules-based order (draft) - new", "A very long topic sheet title A", "A very long topic sheet tit (2)", "Actions", "Import"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("worksheets %q", names)
	}
	rows, err := f.GetRows("Topics")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != "Topic|Section|No.|Text|Marking|Withholding|Sheet id|Sheet version|Paragraph id" || len(rows) != 1+3*5*6 {
		t.Fatalf("header %q, %d rows", rows[0], len(rows))
	}
	// What the import needs is there and out of sight.
	for _, col := range []string{"G", "H", "I"} {
		if vis, _ := f.GetColVisible("Topics", col); vis {
			t.Errorf("Topics column %s is visible", col)
		}
	}
	for _, col := range []string{"A", "D", "F"} {
		if vis, _ := f.GetColVisible("Topics", col); !vis {
			t.Errorf("Topics column %s is hidden", col)
		}
	}
	if vis, _ := f.GetSheetVisible("Import"); vis {
		t.Error("the Import worksheet is visible")
	}
	if r := rows[2]; len(r) != 9 || r[6] != p.Sheets[0].ID || r[7] != strconv.Itoa(p.Sheets[0].Version) || r[8] != p.Sheets[0].Sections[0].Paragraphs[1].ID {
		t.Errorf("ids of the second row: %q", r)
	}
	panes, _ := f.GetPanes("Topics")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v", panes)
	}
	parts := zipParts(t, b)
	if !strings.Contains(parts["xl/workbook.xml"], "_xlnm._FilterDatabase") {
		t.Error("no autofilter on Topics")
	}
	for name, body := range parts {
		if strings.Contains(body, "<f>") || strings.Contains(body, "<f ") {
			t.Errorf("a formula in %s", name)
		}
	}
	for _, fm := range formulas {
		found := false
		for _, r := range rows {
			found = found || (len(r) > 3 && r[3] == fm)
		}
		if !found {
			t.Errorf("%q is not kept as text", fm)
		}
	}
	ws := "" // the first topic sheet in the two-column form
	for name, body := range parts {
		if strings.HasPrefix(name, "xl/worksheets/") && strings.Contains(body, "Rules-based order: [draft] / *new* ?  [") {
			ws = body
		}
	}
	if !strings.Contains(ws, `<rPr><b/></rPr><t xml:space="preserve">bold</t>`) {
		t.Error("bold is not kept as rich text")
	}
	if !strings.Contains(strings.Join(rows[1], "|"), "[s6(a): withheld words]") {
		t.Errorf("withheld span not flagged: %q", rows[1])
	}
	for _, name := range names {
		hf, err := f.GetHeaderFooter(name)
		if err != nil || !strings.Contains(hf.OddHeader, "SECRET") || !strings.Contains(hf.OddFooter, "SECRET") {
			t.Errorf("%s: no marking in the header and footer: %+v %v", name, hf, err)
		}
	}
	if !bytes.Equal(b, render(t, p)) {
		t.Error("the same pack gave different bytes")
	}
}

func TestRender_Release(t *testing.T) {
	s := settings(t)
	full := packtest.Pack(s, 3)
	full.Sheets[0].Sections[0].Paragraphs[0].Text = "Known {{s6(a): QQSECRETQQ}} facts."
	full.Sheets[1].Sections[0].Paragraphs[1] = briefing.Paragraph{Text: "- QQWHOLEQQ", Marking: "SECRET", Withhold: "s6(a)"}
	full.Sheets[2].Withhold, full.Sheets[2].Title = "s6(a)", "QQTITLEQQ"
	// A span across an empty line and into a list.
	full.Sheets[0].Sections[0].Paragraphs[1].Text = "Before {{s6(a): QQACROSSQQ\n\nQQBLOCKSQQ\n- QQITEMQQ}} after."
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	b := render(t, rel)
	for name, body := range zipParts(t, b) {
		for _, bad := range append([]string{"QQSECRETQQ", "QQWHOLEQQ", "QQTITLEQQ", "QQACROSSQQ", "QQBLOCKSQQ", "QQITEMQQ"}, s.Markings...) {
			if strings.Contains(body, bad) {
				t.Errorf("%s is in %s", bad, name)
			}
		}
	}
	f, _ := excelize.OpenReader(bytes.NewReader(b))
	defer f.Close()
	// A release edition carries nothing for an import: no Import
	// worksheet, no hidden columns, no ids.
	for name, body := range zipParts(t, b) {
		for _, sh := range full.Sheets {
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					if p.ID != "" && strings.Contains(body, p.ID) {
						t.Errorf("paragraph id %s is in %s", p.ID, name)
					}
				}
			}
		}
		if strings.Contains(body, "Paragraph id") || strings.Contains(body, xlsxpack.ImportFormat) {
			t.Errorf("import data in %s", name)
		}
	}
	if names := f.GetSheetList(); names[1] != "Schedule" || len(names) != 9 {
		t.Fatalf("%q", names)
	}
	rows, _ := f.GetRows("Topics")
	if strings.Join(rows[0], "|") != "Topic|Section|No.|Text|Withholding" {
		t.Fatalf("%q", rows[0])
	}
	if !strings.Contains(fmt.Sprint(rows), "Before s6(a) after.") {
		t.Errorf("the span across blocks is not released as its ground: %q", rows)
	}
	sched, _ := f.GetRows("Schedule")
	if sched[3][1] != "Withheld in full" || sched[3][3] != "s6(a)" || !strings.Contains(strings.Join(sched[len(sched)-1], ""), "1 document(s) withheld in full") {
		t.Fatalf("%q", sched)
	}
	hf, _ := f.GetHeaderFooter("Topics")
	if !strings.Contains(hf.OddHeader, "Released under the Official Information Act 1982") {
		t.Fatalf("%+v", hf)
	}
}

var sizes = []struct {
	name   string
	sheets int
}{{"S=40", 40}, {"S=1000", 1000}, {"S=4000", 4000}}

func BenchmarkPackXLSX(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := xlsxpack.Render(io.Discard, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// floor writes the same cells with nothing but excelize's streaming writer:
// the Topics rows and each sheet's two columns, no styles, compressed at the
// pack's level (the quickest).
func floor(p *briefing.Pack, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
		return zw
	})
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	n := 1
	for _, sh := range p.Sheets {
		for _, sec := range sh.Sections {
			for j, para := range sec.Paragraphs {
				cell, _ := excelize.CoordinatesToCellName(1, n)
				if err := sw.SetRow(cell, []any{sh.Title, sec.Heading, j + 1, para.Text, para.Marking, para.Withhold}); err != nil {
					return err
				}
				n++
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	for i, sh := range p.Sheets {
		name := "S" + string(rune('A'+i%26)) + strings.Repeat("x", i/26)
		if len(name) > 31 {
			name = name[:31]
		}
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		r := 1
		for _, sec := range sh.Sections {
			for _, para := range sec.Paragraphs {
				cell, _ := excelize.CoordinatesToCellName(1, r)
				if err := sw.SetRow(cell, []any{sec.Heading, para.Text}); err != nil {
					return err
				}
				r++
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

func BenchmarkFloorXLSX(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := floor(p, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// peakHeap runs fn and reports the highest heap in use seen while it ran.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			default:
			}
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	fn()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	return peak
}

// TestPeakMemory compares the peak heap of the 1000-sheet pack with its
// floor's. It measures, so it runs only when asked: BRIEFPACK_MEM=1.
func TestPeakMemory(t *testing.T) {
	if os.Getenv("BRIEFPACK_MEM") == "" {
		t.Skip("set BRIEFPACK_MEM=1 to measure peak memory")
	}
	s := settings(t)
	p := packtest.Pack(s, 1000)
	fl := peakHeap(func() { _ = floor(p, io.Discard) })
	pk := peakHeap(func() { _ = xlsxpack.Render(io.Discard, p) })
	t.Logf("peak heap: pack %d MiB, floor %d MiB, ratio %.2f", pk>>20, fl>>20, float64(pk)/float64(fl))
	// The import of that workbook: its bytes, the rows read as a stream
	// (never a worksheet's XML whole) and the plan.
	var buf bytes.Buffer
	if err := xlsxpack.Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	wb := buf.Bytes()
	bases := map[string]*briefing.Sheet{}
	for _, sh := range p.Sheets {
		bases[sh.ID] = sh
	}
	im := peakHeap(func() {
		book, err := xlsxpack.ReadImport(bytes.NewReader(wb), int64(len(wb)), 0)
		if err != nil {
			t.Error(err)
			return
		}
		_, err = s.PlanImport(book, briefing.ImportInput{Bases: bases, Clearance: "TOP SECRET", DefaultMarking: "RESTRICTED",
			Render: func(pa briefing.Paragraph) string { return xlsxpack.TopicText(s, pa) }})
		if err != nil {
			t.Error(err)
		}
	})
	t.Logf("peak heap: import of the %d MiB workbook %d MiB (pack and workbook held besides)", len(wb)>>20, im>>20)
}

// TestBulletsEveryLine: a paragraph of several bullets is bulleted on every
// line in the XLSX, as the HTML pack shows it.
func TestBulletsEveryLine(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	p := packtest.Pack(s, 1)
	p.Sheets[0].Sections[0].Paragraphs[0].Text = "- First point.\n- Second point.\n* Third point."
	var buf bytes.Buffer
	if err := xlsxpack.Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Topics")
	text := rows[1][3]
	if strings.Count(text, "• ") != 3 || strings.Contains(text, "- Second") {
		t.Fatalf("%q", text)
	}
}

// TestRender_Prints: every worksheet prints one page wide (the cover on one
// page), the header rows of the tables print atop every page, rows are as
// tall as their text, dates are dates, and the agenda says each sheet's
// status — read back from the file.
func TestRender_Prints(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 3)
	p.Sheets[1].Status = briefing.SheetDraft
	b := render(t, p)
	parts := zipParts(t, b)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range f.GetSheetList() {
		if name == "Import" {
			continue
		}
		ps, err := f.GetPageLayout(name)
		if err != nil || ps.FitToWidth == nil || *ps.FitToWidth != 1 || ps.Size == nil || *ps.Size != 9 {
			t.Errorf("%s does not print on A4 one page wide: %+v %v", name, ps, err)
		}
		props, err := f.GetSheetProps(name)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s is not fitted to the page: %v", name, err)
		}
	}
	if ps, _ := f.GetPageLayout("Cover"); ps.FitToHeight == nil || *ps.FitToHeight != 1 {
		t.Error("the cover does not print on one page")
	}
	titles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, name := range []string{"Agenda", "Delegations", "Biographies", "Topics", "Actions"} {
		if want := "'" + name + "'!$1:$1"; titles[name] != want {
			t.Errorf("%s prints its header row as %q, want %q (all: %v)", name, titles[name], want, titles)
		}
	}
	// Actions: the due date is a date, not text.
	if typ, err := f.GetCellType("Actions", "E2"); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("a due date is text (%v, %v)", typ, err)
	}
	if v, _ := f.GetCellValue("Actions", "E2"); !strings.Contains(v, "18") {
		t.Errorf("a due date reads %q", v)
	}
	// The agenda says which sheets are drafts.
	rows, _ := f.GetRows("Agenda")
	if len(rows) < 3 || rows[0][6] != "Status" || rows[1][6] != "Cleared" || rows[2][6] != "Draft" {
		t.Errorf("agenda statuses %q", rows)
	}
	// A paragraph's row is as tall as its wrapped text.
	h, _ := f.GetRowHeight(f.GetSheetList()[5], 3)
	if h < 30 {
		t.Errorf("a paragraph's row is %g points tall", h)
	}
	if !strings.Contains(parts["xl/workbook.xml"], "Print_Titles") {
		t.Error("no print titles in the workbook")
	}
}

// TestRender_LongCoverText: a round's outcomes longer than a cell holds
// (32,767 characters, counted in UTF-16 as Excel counts them) are written
// across "(continued)" rows, whole — where excelize cut them at the limit
// without a word — each cell within the limit.
func TestRender_LongCoverText(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	var b strings.Builder
	for i := 0; b.Len() < 90000; i++ {
		fmt.Fprintf(&b, "Outcome %d agreed by both sides 🇳🇿 with words of its own.", i)
		if i%7 == 6 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	p.Round.Outcomes = b.String()
	f, err := excelize.OpenReader(bytes.NewReader(render(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Cover")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	pieces := 0
	for _, r := range rows {
		if len(r) < 2 || !strings.HasPrefix(r[0], "Outcomes of this round") {
			continue
		}
		if units := len(utf16.Encode([]rune(r[1]))); units > 32767 {
			t.Errorf("a cell of %d UTF-16 units", units)
		}
		if pieces > 0 && r[0] != "Outcomes of this round (continued)" {
			t.Errorf("row labelled %q", r[0])
		}
		got.WriteString(r[1])
		pieces++
	}
	if pieces < 3 || got.String() != p.Round.Outcomes {
		t.Fatalf("%d pieces, %d of %d characters", pieces, len(got.String()), len(p.Round.Outcomes))
	}
}

// TestRender_LongNotCleared: the titles of the sheets not cleared, each up
// to 300 characters, were one cover cell, which the stream writer cut at a
// cell's length without a word: a round of many long titles lost the end
// of the list. They are written across "(continued)" rows, whole.
func TestRender_LongNotCleared(t *testing.T) {
	p := packtest.Pack(settings(t), 1)
	for i := 0; i < 200; i++ {
		p.NotCleared = append(p.NotCleared, fmt.Sprintf("Sheet %d ", i)+strings.Repeat("🇳🇿", 70))
	}
	f, err := excelize.OpenReader(bytes.NewReader(render(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Cover")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	pieces := 0
	for _, r := range rows {
		if len(r) < 2 || !strings.HasPrefix(r[0], "Not cleared (DRAFT)") {
			continue
		}
		if units := len(utf16.Encode([]rune(r[1]))); units > 32767 {
			t.Errorf("a cell of %d UTF-16 units", units)
		}
		got.WriteString(r[1])
		pieces++
	}
	if want := strings.Join(p.NotCleared, "; "); pieces < 2 || got.String() != want {
		t.Fatalf("%d pieces, %d of %d characters", pieces, len(got.String()), len(want))
	}
}

// TestRender_CoverSpans: the round's texts on the cover are shown as a
// paragraph's text is — Markdown read, a withheld span as "[s6(a): words]"
// in the full edition — and the release edition's cover holds no withheld
// word.
func TestRender_CoverSpans(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	p.Round.Purpose = "Agree **joint** work on {{s6(a): the purposeword plan}}."
	p.Round.KeyMessages = "- Keep {{s6(a): keyword}} close."
	cover := func(p *briefing.Pack) string {
		f, err := excelize.OpenReader(bytes.NewReader(render(t, p)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("Cover")
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, "|") + "\n")
		}
		return b.String()
	}
	full := cover(p)
	for _, want := range []string{"Purpose|Agree joint work on [s6(a): the purposeword plan].", "Key messages|• Keep [s6(a): keyword] close."} {
		if !strings.Contains(full, want) {
			t.Errorf("the full cover lacks %q:\n%s", want, full)
		}
	}
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	if c := cover(rel); strings.Contains(c, "purposeword") || strings.Contains(c, "keyword") {
		t.Errorf("the release cover carries a withheld word:\n%s", c)
	}
}

// TestListAfterALine: a list typed straight under a line of text is in
// the workbook as typed, a line and then its bullets, in both editions: in
// the Topics row and in the sheet's own worksheet.
func TestListAfterALine(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	full := packtest.Pack(s, 1)
	full.Sheets[0].Sections[0].Paragraphs[0].Text = "Our points:\n- first {{s6(a): QQWITHHELDQQ}}\n- second"
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		edition string
		p       *briefing.Pack
		want    string
	}{{"full", full, "Our points:\n• first [s6(a): QQWITHHELDQQ]\n• second"}, {"release", rel, "Our points:\n• first s6(a)\n• second"}} {
		f, err := excelize.OpenReader(bytes.NewReader(render(t, c.p)))
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, name := range f.GetSheetList() {
			rows, _ := f.GetRows(name)
			for _, row := range rows {
				for _, cell := range row {
					if strings.Contains(cell, "Our points:") {
						found = append(found, name)
						if strings.TrimPrefix(cell, "(U) ") != c.want {
							t.Errorf("%s, %s: %q, want %q", c.edition, name, cell, c.want)
						}
					}
				}
			}
		}
		f.Close()
		if len(found) != 2 || found[0] != "Topics" {
			t.Errorf("%s: the paragraph is in %q, want Topics and the sheet's worksheet", c.edition, found)
		}
	}
}

// TestRender_CoverDates: the round's dates are on the cover as dates, a
// cell each, as every other date of the workbook is; one day's round has
// one.
func TestRender_CoverDates(t *testing.T) {
	s := settings(t)
	for _, ends := range []string{"2018-11-16", "2018-11-15", ""} {
		p := packtest.Pack(s, 1)
		p.Round.StartsOn, p.Round.EndsOn = "2018-11-15", ends
		f, err := excelize.OpenReader(bytes.NewReader(render(t, p)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("Cover")
		var got []string
		for i, r := range rows {
			if len(r) < 2 || (r[0] != "Starts on" && r[0] != "Ends on") {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(2, i+1)
			if typ, _ := f.GetCellType("Cover", cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("ends %q: %s %s is text, not a date", ends, r[0], r[1])
			}
			raw, _ := f.GetCellValue("Cover", cell, excelize.Options{RawCellValue: true})
			got = append(got, r[0]+"="+raw)
		}
		f.Close()
		want := []string{"Starts on=43419", "Ends on=43420"} // serial days since 1899-12-30
		if ends != "2018-11-16" {
			want = want[:1]
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("ends %q: the cover's dates %v, want %v", ends, got, want)
		}
	}
}

// TestRender_BiographiesAndLastOutcomes: the workbook holds the
// counterparts' biographies (a worksheet of their own) and the last
// round's outcomes (on the cover), as the HTML pack does; the full edition
// portion-marks both, with the person's and that round's marking.
func TestRender_BiographiesAndLastOutcomes(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	p.Counterparts[0].Person.Bio = "Served in {{s6(a): Jakarta}}."
	f, err := excelize.OpenReader(bytes.NewReader(render(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Biographies")
	want := "Partnerland|Pat Partner|Ambassador|Ministry of Partnership|Served in [s6(a): Jakarta].|" + s.Markings[0]
	if len(rows) != 2 || strings.Join(rows[1], "|") != want {
		t.Errorf("Biographies %q, want a row %q", rows, want)
	}
	cover, _ := f.GetRows("Cover")
	label := "Outcomes of the 2nd round (Canberra, 10 May 2017) " + s.PortionMark(p.Previous.Marking)
	found := false
	for _, r := range cover {
		if len(r) == 2 && r[0] == label && r[1] == "Both sides agreed to deepen cooperation." {
			found = true
		}
	}
	if !found {
		t.Errorf("the cover has no row %q: %q", label, cover)
	}
}
