package xlsxpack

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// TestSheetCells holds sheetCells, which the import compares a topic
// sheet's worksheet with, to the worksheet sheetXML writes, as the import
// reads it back: every cell in its place, showing the same text, whatever
// the title, headings and paragraphs hold.
func TestSheetCells(t *testing.T) {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		t.Fatal(err)
	}
	p := packtest.Pack(s, 3)
	odd := p.Sheets[2]
	odd.Title = "Cyber_x0041_ norms\x01 & <attribution>"
	odd.Status = briefing.SheetDraft
	odd.Sections[0].Heading = "Where\tthings _x0020_ stand\r\nnow"
	odd.Sections[1].Paragraphs = nil
	odd.Sections[2].Paragraphs[0] = briefing.Paragraph{ID: "x1", Marking: "SECRET", Withhold: "s6(a)",
		Text: "**Bold** and {{s6(b)(i): withheld [words]}}, a\r\nline end, a \x02 control, my_x0020_name and\n- a list"}
	odd.Marking = s.SheetMarking(odd)
	wr := &writer{p: &briefing.Pack{Settings: s, Edition: briefing.EditionFull}, hf: &excelize.HeaderFooterOptions{}}
	topicText := TopicTexts(s)
	for _, sh := range p.Sheets {
		var b bytes.Buffer
		wr.sheetXML(&b, sh)
		got := map[string]string{}
		if err := (&bookReader{}).rowsOf("W", &b, func(n int, cells []cell) error {
			for _, c := range cells {
				if c.value != "" {
					got[fmt.Sprint(n, ",", c.col)] = c.shown
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		sheetCells(s, sh, topicText, func(row, col int, text string) { want[fmt.Sprint(row, ",", col)] = text })
		if len(got) != len(want) {
			t.Errorf("%s: %d cells written, %d laid out", sh.Title, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: cell %s shows %q, laid out %q", sh.Title, k, got[k], w)
			}
		}
	}
}
