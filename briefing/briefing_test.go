package briefing_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"briefpack/briefing"
	"briefpack/briefing/xlsxpack"
)

func TestSettings_Allows(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, tc := range []struct {
		clearance, marking string
		want               bool
	}{
		{"RESTRICTED", "RESTRICTED", true},
		{"RESTRICTED", "IN-CONFIDENCE", true},
		{"RESTRICTED", "CONFIDENTIAL", false},
		{"TOP SECRET", "SECRET", true},
		{"SECRET", "TOP SECRET", false},
		{"", "UNCLASSIFIED", false},
		{"SECRET", "ULTRA", false},
		{"OFFICIAL", "UNCLASSIFIED", false},
	} {
		if got := nz.Allows(tc.clearance, tc.marking); got != tc.want {
			t.Errorf("Allows(%q, %q) = %v", tc.clearance, tc.marking, got)
		}
	}
	au := mustSettings(t, "au")
	if !au.Allows("PROTECTED", "OFFICIAL:Sensitive") || au.Allows("OFFICIAL", "PROTECTED") {
		t.Error("au scheme order")
	}
	if _, err := briefing.SettingsFor("uk"); briefing.ErrorCode(err) != briefing.EINVALID {
		t.Errorf("unknown jurisdiction: %v", err)
	}
}

func sheet() *briefing.Sheet {
	return &briefing.Sheet{Title: "Foreign Interference", Sections: []briefing.Section{
		{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "We are aware {{s6(a): of x}}.", Marking: "RESTRICTED"},
			{Text: "Assessment.", Marking: "SECRET", Withhold: "S6(a)"},
		}},
		{Kind: briefing.SectionCustom, Heading: "Our Counter Terrorism Approach", Paragraphs: []briefing.Paragraph{
			{Text: "- Protect New Zealanders.", Marking: "IN-CONFIDENCE"},
		}},
	}}
}

func TestSheet_Validate(t *testing.T) {
	nz := mustSettings(t, "nz")
	t.Run("OK", func(t *testing.T) {
		sh := sheet()
		if err := sh.Validate(nz); err != nil {
			t.Fatal(err)
		}
		if sh.Marking != "SECRET" || sh.Status != briefing.SheetDraft || sh.Sections[0].Paragraphs[1].Withhold != "s6(a)" {
			t.Fatalf("%+v", sh)
		}
	})
	t.Run("ErrFields", func(t *testing.T) {
		sh := sheet()
		sh.Title = ""
		sh.Status = "done"
		sh.Withhold = "s99"
		sh.Sections[1].Heading = ""
		sh.Sections[0].Paragraphs[0].Marking = "ULTRA"
		sh.Sections[0].Paragraphs[1].Text = "{{s6(a): open"
		err := sh.Validate(nz)
		fields := briefing.ErrorFields(err)
		for _, f := range []string{"title", "status", "withhold", "sections[1].heading", "sections[0].paragraphs[0].marking", "sections[0].paragraphs[1].text"} {
			if fields[f] == "" {
				t.Errorf("no message for %s: %v", f, fields)
			}
		}
	})
}

// TestSheet_ValidateCellText: a paragraph must fit a spreadsheet cell as
// the longest cell the workbook writes it into holds it, on its sheet's own
// worksheet: longer than its Markdown by its portion mark, and where a
// withheld paragraph's flag leads it, a "[", "]" or "\" of withheld words
// is escaped, or a link's address is shown after it. Held to the
// Markdown's length, a paragraph was saved whose cell the program that
// opened the workbook cut, and the untouched workbook's import was
// refused. The writer is told the limit as they typed the paragraph.
func TestSheet_ValidateCellText(t *testing.T) {
	nz := mustSettings(t, "nz")
	units := func(s string) int { return len(utf16.Encode([]rune(s))) }
	for _, tc := range []struct {
		name string
		// para is a paragraph whose cell on its sheet's worksheet, after
		// "(R) ", is briefing.MaxCellText+over.
		para func(over int) briefing.Paragraph
	}{
		{"PortionMark", func(over int) briefing.Paragraph {
			return briefing.Paragraph{Text: strings.Repeat("😀", (briefing.MaxCellText+over-5)/2) + "!"}
		}},
		{"SpanBrackets", func(over int) briefing.Paragraph {
			// "Opening words. [s6(a): \]…] Closing words.": 39 and two a bracket.
			return briefing.Paragraph{Text: "Opening words. {{s6(a): " + strings.Repeat("]", (briefing.MaxCellText+over-43)/2) + "}} Closing words."}
		}},
		{"WithheldFlag", func(over int) briefing.Paragraph {
			// "[withheld on release: s6(a)] " is 29, an emoji two.
			return briefing.Paragraph{Text: strings.Repeat("😀", (briefing.MaxCellText+over-33)/2), Withhold: "s6(a)"}
		}},
		{"LinkAddress", func(over int) briefing.Paragraph {
			// "<http://example.org/aaa…>" is shown "http://…aaa (http://…aaa)".
			return briefing.Paragraph{Text: "<http://example.org/" + strings.Repeat("a", (briefing.MaxCellText+over-7)/2-19) + ">"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, over := range []int{0, 2} {
				p := tc.para(over)
				p.Marking = "RESTRICTED"
				if n := units(xlsxpack.SheetText(nz, p)); n != briefing.MaxCellText+over {
					t.Fatalf("the cell is %d units, not %d", n, briefing.MaxCellText+over)
				}
				sh := sheet()
				sh.Sections[0].Paragraphs = append(sh.Sections[0].Paragraphs, p)
				msg := briefing.ErrorFields(sh.Validate(nz))["sections[0].paragraphs[2].text"]
				switch typed := units(p.Text); {
				case over == 0 && msg != "":
					t.Errorf("a paragraph whose cell is at the limit: %s", msg)
				case over > 0 && !strings.Contains(msg, "must fit a spreadsheet cell, at most 32767, so this one at most "+strconv.Itoa(typed-over)+" as typed"):
					t.Errorf("a paragraph whose cell is %d past the limit, %d units as typed: %q", over, typed, msg)
				}
			}
		})
	}
}

// TestSheet_ValidateAsSeenCellText: a paragraph stored past the cell's
// limit is kept while its cell is as it was, and held to the limit once
// the save changes the cell, by its marking or withholding alone too: the
// cell holds the portion mark and a withheld paragraph's flag, and a save
// that looked only at the text took a paragraph past the limit by them.
func TestSheet_ValidateAsSeenCellText(t *testing.T) {
	nz := mustSettings(t, "nz")
	seen := sheet()
	seen.Sections[0].Paragraphs[0] = briefing.Paragraph{ID: "p1", Text: strings.Repeat("😀", 16400), Marking: "RESTRICTED"}
	for _, tc := range []struct {
		name   string
		change func(p *briefing.Paragraph)
		kept   bool
	}{
		{"Untouched", func(*briefing.Paragraph) {}, true},
		// Bold is not in the cell's length: the cell shows the same text.
		{"Bolded", func(p *briefing.Paragraph) { p.Text = "**" + p.Text + "**" }, true},
		{"Withheld", func(p *briefing.Paragraph) { p.Withhold = "s6(a)" }, false},
		{"Marked", func(p *briefing.Paragraph) { p.Marking = "TOP SECRET" }, false},
		{"Edited", func(p *briefing.Paragraph) { p.Text += "!" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := seen.Clone()
			tc.change(&sh.Sections[0].Paragraphs[0])
			msg := briefing.ErrorFields(sh.ValidateAsSeen(nz, seen))["sections[0].paragraphs[0].text"]
			if tc.kept != (msg == "") {
				t.Errorf("kept %v: %q", tc.kept, msg)
			}
		})
	}
}

// countRenders has paragraphs' cells rendered as the workbook renders
// them, counted, for the rest of the test.
func countRenders(t *testing.T) *int {
	rendered := 0
	briefing.SetCellText(func(s briefing.Settings, p briefing.Paragraph) string {
		rendered++
		return xlsxpack.SheetText(s, p)
	}, xlsxpack.SheetTextBound)
	t.Cleanup(func() { briefing.SetCellText(xlsxpack.CellText, xlsxpack.CellTextBound) })
	return &rendered
}

// TestSheet_ValidateRendersOnlyWhatMayNotFit: a save rendered every
// changed paragraph's Markdown to measure its cell, a sheet of long
// paragraphs full of links many times what its writer waited for. A
// paragraph whose cell is bounded within the limit without rendering is
// not rendered; one that may not fit is.
func TestSheet_ValidateRendersOnlyWhatMayNotFit(t *testing.T) {
	nz := mustSettings(t, "nz")
	rendered := countRenders(t)
	sh := sheet()
	for i := range 20 {
		sh.Sections[0].Paragraphs = append(sh.Sections[0].Paragraphs,
			briefing.Paragraph{Text: strings.Repeat("[a] ", 4997) + strconv.Itoa(i), Marking: "RESTRICTED", Withhold: "s6(a)"})
	}
	if err := sh.Validate(nz); err != nil || *rendered != 0 {
		t.Fatalf("rendered %d paragraphs that fit: %v", *rendered, err)
	}
	sh.Sections[0].Paragraphs[2].Text = "{{s6(a): " + strings.Repeat("]", 16380) + "}}"
	if f := briefing.ErrorFields(sh.Validate(nz))["sections[0].paragraphs[2].text"]; *rendered != 1 || !strings.Contains(f, "must fit a spreadsheet cell") {
		t.Errorf("rendered %d; %q", *rendered, f)
	}
}

// TestSheet_ValidateRendersNoRefusedText: a paragraph refused already
// (longer than MaxParagraphText, its spans broken) is not rendered to
// measure its cell as well: a text as long as a request may be, 4 MiB of
// "[a](<", kept the check rendering it for the better part of an hour.
func TestSheet_ValidateRendersNoRefusedText(t *testing.T) {
	nz := mustSettings(t, "nz")
	rendered := countRenders(t)
	sh := sheet()
	sh.Sections[0].Paragraphs[0].Text = strings.Repeat("[a](<", 5000)
	sh.Sections[0].Paragraphs[1].Text = "{{s6(a): " + strings.Repeat("]", 16390)
	f := briefing.ErrorFields(sh.Validate(nz))
	if *rendered != 0 || !strings.Contains(f["sections[0].paragraphs[0].text"], "must be at most 20000 characters") ||
		!strings.Contains(f["sections[0].paragraphs[1].text"], "is not closed") {
		t.Errorf("rendered %d; %q", *rendered, f)
	}
}

// TestSheet_ControlCharacters: a paragraph's control characters are taken
// out as it is saved, where they went into the packs as they were (a
// terminal's escapes, a bell); a page break breaks the line. They are not
// refused: a sheet stored before held them, in paragraphs its next writer
// may not see, and every save of it would have been refused.
func TestSheet_ControlCharacters(t *testing.T) {
	nz := mustSettings(t, "nz")
	for text, want := range map[string]string{
		"Red \x1b[31malert":         "Red [31malert",
		"A bell\a.":                 "A bell.",
		"C1 \u0085next line":        "C1 \nnext line",
		"Page\fbreak, line\vbreak":  "Page\nbreak, line\nbreak",
		"Lines\r\nand\ttabs\nstay.": "Lines\r\nand\ttabs\nstay.",
	} {
		sh := sheet()
		sh.Sections[0].Paragraphs[0].Text = text
		if err := sh.Validate(nz); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got := sh.Sections[0].Paragraphs[0].Text; got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	sh := sheet()
	sh.Sections[0].Paragraphs[0].Text = "\x7f\a"
	if f := briefing.ErrorFields(sh.Validate(nz))["sections[0].paragraphs[0].text"]; !strings.Contains(f, "empty") {
		t.Errorf("a paragraph of control characters alone: %q", f)
	}
}

func TestSettings_VisibleSheet(t *testing.T) {
	nz := mustSettings(t, "nz")
	sh := sheet()
	if err := sh.Validate(nz); err != nil {
		t.Fatal(err)
	}
	v, ok := nz.VisibleSheet("RESTRICTED", sh)
	if !ok || len(v.Sections[0].Paragraphs) != 1 || v.Marking != "RESTRICTED" {
		t.Fatalf("%v %+v", ok, v)
	}
	if len(sh.Sections[0].Paragraphs) != 2 {
		t.Fatal("VisibleSheet changed the stored sheet")
	}
	if _, ok := nz.VisibleSheet("UNCLASSIFIED", sh); ok {
		t.Fatal("a sheet none of whose paragraphs the reader may see must be absent")
	}
	if nz.HoldsOnly("RESTRICTED", sh) || !nz.HoldsOnly("SECRET", sh) {
		t.Fatal("HoldsOnly")
	}
}

func TestDefaultHeading(t *testing.T) {
	if h := briefing.DefaultHeading(briefing.SectionPartnering, "New Zealand", "Australia"); h != "What could New Zealand partner with Australia to achieve?" {
		t.Fatal(h)
	}
	if h := briefing.DefaultHeading(briefing.SectionCurrent, "New Zealand", "Australia"); h != "What is New Zealand currently doing, or actively planning to do?" {
		t.Fatal(h)
	}
}

// TestRound_ValidateAgendaTimes: a time that is not a time of day is named,
// and only that: its order against the other is not judged.
func TestRound_ValidateAgendaTimes(t *testing.T) {
	nz := mustSettings(t, "nz")
	for _, tc := range []struct {
		starts, ends string
		want         []string
	}{
		{"25:00", "09:00", []string{"agenda[0].starts_at"}},
		{"10:00", "9am", []string{"agenda[0].ends_at"}},
		{"10:00", "09:00", []string{"agenda[0].ends_at"}},
		{"09:00", "10:00", nil},
	} {
		r := &briefing.Round{DialogueID: "1", Number: 1, Host: briefing.SideHome, Agenda: []briefing.AgendaItem{{Title: "Opening", StartsAt: tc.starts, EndsAt: tc.ends}}}
		fields := briefing.ErrorFields(r.Validate(nz))
		if len(fields) != len(tc.want) {
			t.Errorf("%s–%s: %v, want fields %v", tc.starts, tc.ends, fields, tc.want)
		}
		for _, f := range tc.want {
			if fields[f] == "" {
				t.Errorf("%s–%s: no message for %s: %v", tc.starts, tc.ends, f, fields)
			}
		}
	}
}

// TestValidate_CalendarFields: the fields written into the calendar refuse
// control characters (a tab aside), naming the field, and every date
// refuses the year 0000, which parses but no calendar can hold.
func TestValidate_CalendarFields(t *testing.T) {
	nz := mustSettings(t, "nz")
	round := func() *briefing.Round {
		return &briefing.Round{DialogueID: "1", Number: 1, StartsOn: "2027-03-01", City: "Paris", Host: "home"}
	}
	dialogue := func() *briefing.Dialogue {
		return &briefing.Dialogue{Name: "Franco–New Zealand Dialogue", Home: "New Zealand", Partner: "France", Established: "2016-10-01", CadenceMonths: 12}
	}
	t.Run("OK", func(t *testing.T) {
		r := round()
		r.City = "Paris\tIle-de-France"
		if err := r.Validate(nz); err != nil {
			t.Fatal(err)
		}
		r.StartsOn = "0001-01-01"
		if err := r.Validate(nz); err != nil {
			t.Fatal(err)
		}
		if err := dialogue().Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrControlCharacters", func(t *testing.T) {
		for _, city := range []string{"Paris\aSECRETCITY", "Paris\x1b[31m", "Paris\nLyon", "Paris\u0085"} {
			r := round()
			r.City = city
			if f := briefing.ErrorFields(r.Validate(nz)); f["city"] != "must not contain control characters or line breaks" {
				t.Errorf("city %q: %v", city, f)
			}
		}
		d := dialogue()
		d.Name, d.Origin = "Dialogue\x07", "agreed\x1b"
		f := briefing.ErrorFields(d.Validate())
		if f["name"] == "" || f["origin"] == "" {
			t.Errorf("dialogue: %v", f)
		}
	})
	t.Run("ErrYearZero", func(t *testing.T) {
		r := round()
		r.StartsOn, r.EndsOn = "0000-01-01", "0000-01-02"
		f := briefing.ErrorFields(r.Validate(nz))
		if f["starts_on"] != "must be a date from 0001-01-01 to 9999-12-31" || f["ends_on"] == "" {
			t.Errorf("round: %v", f)
		}
		d := dialogue()
		d.Established = "0000-12-31"
		if f := briefing.ErrorFields(d.Validate()); f["established"] == "" {
			t.Errorf("dialogue: %v", f)
		}
		a := &briefing.Action{Ref: "1.01", Text: "Do it", DueOn: "0000-06-30"}
		if f := briefing.ErrorFields(a.Validate(nz)); f["due_on"] == "" {
			t.Errorf("action: %v", f)
		}
	})
}
