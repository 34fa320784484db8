package briefing_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestFromCellText_EscapedSpan: withheld words as a cell shows them
// (EscapeSpan) read back as themselves, whatever brackets and backslashes
// they hold, and the span ends where the cell's ends: no word of it is read
// as text that would be released.
func TestFromCellText_EscapedSpan(t *testing.T) {
	nz := mustSettings(t, "nz")
	for cell, want := range map[string]string{
		`[s6(a): words] after`:                     "{{s6(a): words}} after",
		`[s6(a): [stand-in\] words] after`:         "{{s6(a): [stand-in] words}} after",
		`[s6(a): a \\ b] after`:                    `{{s6(a): a \ b}} after`,
		`[s6(a): a \n b] after`:                    `{{s6(a): a \n b}} after`,
		`[s6(a): ends in a backslash\\]`:           `{{s6(a): ends in a backslash\}}`,
		`[s6(a): \]] and [s9(2)(a): second] plain`: "{{s6(a): ]}} and {{s9(2)(a): second}} plain",
		`[s6(a): never closed\]`:                   `[s6(a): never closed\]`,
		`[not a ground: words]`:                    `[not a ground: words]`,
	} {
		if got := briefing.FromCellText(nz, cell); got != want {
			t.Errorf("%q: %q, want %q", cell, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "word", " ", "[", "]", `\`, `\]`, `\\`, ":", "s6(a)", "]]"}
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		words := strings.TrimSpace(b.String())
		if words == "" {
			continue
		}
		cell := "Before [s6(a): " + briefing.EscapeSpan(words) + "] after."
		if got, want := briefing.FromCellText(nz, cell), "Before {{s6(a): "+words+"}} after."; got != want {
			t.Fatalf("%q: %q, want %q", cell, got, want)
		}
	}
}

// TestSettings_PlanImport_Bounds: an import's error names at most the first
// hundred cells, counting the rest, and a workbook of more rows than any
// round holds is refused before its rows are looked at.
func TestSettings_PlanImport_Bounds(t *testing.T) {
	nz := mustSettings(t, "nz")
	base := &briefing.Sheet{Meta: briefing.Meta{ID: "7", Version: 2}, Title: "Foreign Interference", Sections: []briefing.Section{
		{Kind: briefing.SectionSituation, Heading: "Situation", Paragraphs: []briefing.Paragraph{{ID: "p1", Text: "Held.", Marking: "RESTRICTED"}}},
	}}
	in := briefing.ImportInput{Bases: map[string]*briefing.Sheet{"7": base}, Clearance: "RESTRICTED", DefaultMarking: "RESTRICTED",
		Render: func(p briefing.Paragraph) string { return p.Text }}
	cols := briefing.ImportColumns{Topic: 1, Section: 2, Text: 4, Marking: 5, Withhold: 6, SheetID: 7, Version: 8, ParagraphID: 9}
	book := func(rows []briefing.ImportRow) *briefing.ImportBook {
		return &briefing.ImportBook{RoundID: "3", Marking: "RESTRICTED", Cols: cols,
			Sheets: []briefing.ImportSheet{{ID: "7", Version: 2, Title: base.Title, Row: 7}}, Rows: rows}
	}
	bad := func(n int) []briefing.ImportRow {
		rows := make([]briefing.ImportRow, 0, n+2)
		rows = append(rows, briefing.ImportRow{Row: 2, SheetID: "7", Version: 2, ParagraphID: "p1", Text: "Held.", Marking: "RESTRICTED", Cols: cols})
		for i := 0; i < n; i++ {
			rows = append(rows, briefing.ImportRow{Row: 3 + i, Topic: "No such sheet", Text: "x", Cols: cols})
		}
		return rows
	}

	t.Run("ErrManyBadRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(1000)), in)
		if briefing.ErrorCode(err) != briefing.EINVALID {
			t.Fatalf("err %v", err)
		}
		fields := briefing.ErrorFields(err)
		if len(fields) != 100 || fields["Topics!A3"] == "" || fields["Topics!A102"] == "" || fields["Topics!A103"] != "" {
			t.Errorf("%d fields, want the first 100: %v", len(fields), fields)
		}
		if msg := briefing.ErrorMessage(err); !strings.HasSuffix(msg, "Topics!A3 must be the title of one topic sheet in the workbook (and 999 more; the first 100 are named)") {
			t.Errorf("message %q", msg)
		}
	})

	t.Run("ErrForbiddenPastTheBound", func(t *testing.T) {
		// A marking above the importer after a hundred bad rows: still 403,
		// naming that cell.
		rows := append(bad(150), briefing.ImportRow{Row: 500, SheetID: "7", Version: 2, Section: "Situation", Text: "New.", Marking: "SECRET", Cols: cols})
		_, err := nz.PlanImport(book(rows), in)
		if briefing.ErrorCode(err) != briefing.EFORBIDDEN || briefing.ErrorFields(err)["Topics!E500"] == "" {
			t.Fatalf("err %v %v", err, briefing.ErrorFields(err))
		}
	})

	t.Run("ErrFewBadRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(3)), in)
		if msg := briefing.ErrorMessage(err); len(briefing.ErrorFields(err)) != 3 || !strings.HasSuffix(msg, "(and 2 more)") {
			t.Errorf("message %q, fields %v", msg, briefing.ErrorFields(err))
		}
	})

	t.Run("ErrTooManyRows", func(t *testing.T) {
		_, err := nz.PlanImport(book(bad(briefing.MaxImportRows)), in)
		fields := briefing.ErrorFields(err)
		if briefing.ErrorCode(err) != briefing.EINVALID || len(fields) != 1 || fields["Topics!200002"] == "" {
			t.Fatalf("err %v %v", err, fields)
		}
	})
}
