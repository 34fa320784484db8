package xlsxpack_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
)

// demoLike is a pack with what the demo's wraps in its workbook: an
// Australian co-chair of "Department of the Prime Minister and Cabinet
// (Australia)", a counterpart's biography of lines and bullets, an agenda
// item led by "Sam Fischer (demo) (Department of Home Affairs)", long
// titles and sessions, an empty section of a long heading, and texts longer
// than Excel's tallest row: the round's outcomes, a biography and an action.
func demoLike(t testing.TB) *briefing.Pack {
	s := settings(t)
	p := packtest.Pack(s, 2)
	pmc := &briefing.Agency{Meta: briefing.Meta{ID: "8", Version: 1}, Name: "Department of the Prime Minister and Cabinet (Australia)", Acronym: "PM&C", Country: "Partnerland"}
	home := &briefing.Agency{Meta: briefing.Meta{ID: "9", Version: 1}, Name: "Department of Home Affairs", Acronym: "Home Affairs", Country: "Partnerland"}
	reid := &briefing.Person{Meta: briefing.Meta{ID: "10", Version: 1}, Name: "Jordan Reid (demo)", Title: "Deputy Secretary, National Security (fictional)",
		AgencyID: "8", Country: "Partnerland", Marking: s.Markings[0],
		Bio: "A fictional Australian co-chair for the demo.\n\n- Previously led the national security division (fictional)\n- Interests: *regional resilience*, counter-terrorism cooperation"}
	fischer := &briefing.Person{Meta: briefing.Meta{ID: "11", Version: 1}, Name: "Sam Fischer (demo)", Title: "First Assistant Secretary, Home Affairs (fictional)",
		AgencyID: "9", Country: "Partnerland", Marking: s.Markings[0], Bio: longText("Biography", 3000)}
	p.CoChairs[1] = briefing.PackPerson{Person: reid, Agency: pmc, Side: briefing.SidePartner}
	p.Delegation = append(append([]briefing.PackPerson{}, p.CoChairs...), briefing.PackPerson{Person: fischer, Agency: home, Side: briefing.SidePartner})
	p.Counterparts = []briefing.PackPerson{p.CoChairs[1], p.Delegation[2]}
	p.Agencies = []briefing.PackAgency{{Agency: pmc, Side: briefing.SidePartner}, {Agency: home, Side: briefing.SidePartner}}
	p.Agenda[0].Lead = &p.Delegation[2]
	p.Agenda[0].Session = "Session one: the regional security outlook and its consequences"
	p.Agenda[0].StartsAt, p.Agenda[0].EndsAt = "09:00", "10:30"
	p.Agenda[1].Lead = &p.CoChairs[1]
	p.Agenda = append(p.Agenda, briefing.PackAgendaItem{Title: strings.Repeat("An agenda item of no topic sheet, titled at length ", 5), Lead: &p.CoChairs[1]})
	p.Round.Purpose = "To renew the partnership.\n\n- first point of the purpose\n- second point of the purpose, which runs to more than one line of the cover's column of text"
	p.Round.Outcomes = longText("Outcome", 5000)
	p.Actions[0].Action.Text = longText("Action", 2500)
	p.Sheets[0].Sections = append(p.Sheets[0].Sections, briefing.Section{Kind: "other",
		Heading: "A heading of a section of no paragraphs yet, long enough to wrap in its column twice over"})
	return p
}

// longText is a text of about n characters of numbered sentences, a
// paragraph of lines and bullets now and then, each word its own.
func longText(word string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s%d said by both sides in words of its own.", word, i)
		switch {
		case i%9 == 8:
			b.WriteString("\n\n- ")
		case i%9 == 3:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return strings.TrimSpace(b.String())
}

// workbooks are the demo-like pack's workbooks: the full edition, the
// release edition, and a response releasing every part.
func workbooks(t *testing.T) map[string][]byte {
	t.Helper()
	s := settings(t)
	full := demoLike(t)
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	r := &briefing.Release{Reference: "OIA-1", ReceivedOn: "2022-02-07", DecisionMaker: "A. Person", AsOneDocument: true,
		Request: "The briefing packs of the dialogue, " + strings.Repeat("and every note of every meeting of the officials who prepared them, ", 60),
		Parts:   map[string]briefing.PartDecision{}}
	for _, k := range briefing.Parts {
		r.Parts[k] = briefing.PartDecision{Decision: briefing.DecisionReleased}
	}
	if err := r.Normalize(s); err != nil {
		t.Fatal(err)
	}
	view, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	resp := briefing.BuildResponse(view, r)
	briefing.ApplyParts(view, r.Parts)
	var response bytes.Buffer
	if err := xlsxpack.RenderResponse(&response, resp); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"full": render(t, full), "release": render(t, rel), "response": response.Bytes()}
}

// wrapLines is the lines a text takes wrapped word by word in a column of
// width characters, a word wider than the column broken: counted apart
// from the writer's own reckoning.
func wrapLines(text string, width int) int {
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		lines++
		used := 0
		for _, w := range strings.Fields(l) {
			n := utf8.RuneCountInString(w)
			switch {
			case used == 0:
			case used+1+n <= width:
				used++
			default:
				lines++
				used = 0
			}
			for n > width {
				lines++
				n -= width
			}
			used += n
		}
	}
	return lines
}

// TestRender_RowsAsTallAsTheirText: every row of wrapped text on every
// worksheet of either edition and of a response — Cover, Letter, Schedule,
// Agenda, Delegations, Biographies, Topics, each topic sheet's own and
// Actions — is as tall as its text wraps to at its column's width, read
// back from the file, and no taller than Excel's 409 points: a longer text
// goes on in the rows below, whole. Before, only Topics and the topic
// sheets' rows had a height, and LibreOffice printed the others a line
// tall: "Department of the Prime Minister and Cabinet" for the Australian
// department, a biography's first line.
func TestRender_RowsAsTallAsTheirText(t *testing.T) {
	for edition, b := range workbooks(t) {
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		parts := zipParts(t, b)
		checked := map[string]int{}
		for _, name := range f.GetSheetList() {
			if name == "Import" {
				continue
			}
			rows, err := f.GetRows(name)
			if err != nil {
				t.Fatal(err)
			}
			heights := rowHeights(t, parts, name)
			for r, cells := range rows {
				need := 0
				for c, text := range cells {
					if text == "" {
						continue
					}
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					style, err := f.GetCellStyle(name, ref)
					if err != nil {
						t.Fatal(err)
					}
					st, err := f.GetStyle(style)
					if err != nil {
						t.Fatal(err)
					}
					if st.Alignment == nil || !st.Alignment.WrapText {
						continue
					}
					col, _ := excelize.ColumnNumberToName(c + 1)
					if shown, _ := f.GetColVisible(name, col); !shown {
						continue
					}
					width, err := f.GetColWidth(name, col)
					if err != nil {
						t.Fatal(err)
					}
					need = max(need, 15*wrapLines(text, int(width)))
				}
				if need == 0 {
					continue
				}
				checked[name]++
				if h := heights[r+1]; h < float64(min(need, 405)) || h > excelize.MaxRowHeight {
					t.Errorf("%s: %s row %d is %g points tall, its text %d: %q", edition, name, r+1, h, need, cells)
				}
			}
		}
		want := []string{"Cover", "Agenda", "Delegations", "Biographies", "Topics", "Actions"}
		switch edition {
		case "full":
			want = append(want, "Topic 1 regional")
		case "release":
			want = append(want, "Schedule")
		case "response":
			want = append(want, "Letter", "Schedule")
		}
		for _, name := range want {
			if checked[name] == 0 {
				t.Errorf("%s: no row of wrapped text on %s (%v)", edition, name, checked)
			}
		}
		f.Close()
	}
}

// rowHeights are the heights the worksheet's part gives its rows, by row
// number, read from its XML: excelize reads none of a row that does not
// give its number, as the Topics rows do not.
func rowHeights(t *testing.T, parts map[string]string, name string) map[int]float64 {
	t.Helper()
	id := regexp.MustCompile(`<sheet name="` + regexp.QuoteMeta(name) + `" sheetId="\d+" r:id="([^"]+)"`).FindStringSubmatch(parts["xl/workbook.xml"])
	if id == nil {
		t.Fatalf("no worksheet %s", name)
	}
	target := regexp.MustCompile(`<Relationship Id="` + regexp.QuoteMeta(id[1]) + `" Target="([^"]+)"`).FindStringSubmatch(parts["xl/_rels/workbook.xml.rels"])
	if target == nil {
		t.Fatalf("no part of worksheet %s", name)
	}
	d := xml.NewDecoder(strings.NewReader(parts["xl/"+strings.TrimPrefix(target[1], "/xl/")]))
	out, n := map[int]float64{}, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		row, ok := tok.(xml.StartElement)
		if !ok || row.Name.Local != "row" {
			continue
		}
		n++
		for _, a := range row.Attr {
			switch a.Name.Local {
			case "r":
				n, _ = strconv.Atoi(a.Value)
			case "ht":
				out[n], _ = strconv.ParseFloat(a.Value, 64)
			}
		}
	}
}

// TestRender_LongTextsGoOnBelow: the texts longer than Excel's tallest row
// — the round's outcomes, a biography, an action, a line of a response's
// letter — are there whole, word for word, across the rows they go on in.
func TestRender_LongTextsGoOnBelow(t *testing.T) {
	p := demoLike(t)
	wbs := workbooks(t)
	for _, c := range []struct {
		edition, sheet string
		col            int
		text           string
	}{
		{"full", "Cover", 1, p.Round.Outcomes},
		{"full", "Biographies", 4, p.Counterparts[1].Person.Bio},
		{"full", "Actions", 1, p.Actions[0].Action.Text},
		{"response", "Letter", 0, "The briefing packs of the dialogue, " + strings.Repeat("and every note of every meeting of the officials who prepared them, ", 60)},
	} {
		f, err := excelize.OpenReader(bytes.NewReader(wbs[c.edition]))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(c.sheet)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Fields(c.text)
		var got []string
		pieces := 0
		for _, r := range rows {
			if len(r) <= c.col || len(got) >= len(want) {
				continue
			}
			if pieces == 0 && !strings.HasPrefix(r[c.col], want[0]) {
				continue
			}
			if pieces > 0 && c.col > 0 && r[0] != "" && !strings.HasSuffix(r[0], "(continued)") {
				break // the next one's row
			}
			got = append(got, strings.Fields(strings.ReplaceAll(r[c.col], "•", "-"))...)
			pieces++
		}
		if pieces < 2 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s %s: %d rows, %d of %d words", c.edition, c.sheet, pieces, len(got), len(want))
		}
	}
}
