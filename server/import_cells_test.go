package server_test

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImport_NumberTypedAlone: a date or a number typed as the whole text
// of a Topics cell is stored by a spreadsheet program as a number with a
// number format; the import takes what the cell shows, as typed, not the
// number underneath (a date's serial, 44267).
func TestImport_NumberTypedAlone(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	cases := []struct {
		was    string
		value  float64
		numFmt int    // a built-in format, as Excel saves one
		code   string // or the format's code, as LibreOffice saves one
		shown  string
	}{
		{"Short date.", 44267, 14, "", "12/03/2021"},
		{"Written date.", 44267, 0, "DD/MM/YYYY", "12/03/2021"},
		{"Long date.", 44267, 0, "d mmmm yyyy", "12 March 2021"},
		{"Plain number.", 3.5, 0, "", "3.5"},
		{"Thousands.", 1000, 3, "", "1,000"},
		{"Written thousands.", 1000, 0, "#,##0", "1,000"},
		{"Percentage.", 0.12, 9, "", "12%"},
		{"Decimal percentage.", 0.125, 10, "", "12.50%"},
		{"Time.", 0.3958333333333333, 20, "", "9:30"},
		{"Nil.", 0, 0, `#,##0;(#,##0);"nil"`, "nil"},
		{"Comma style.", 1000, 43, "", "1,000.00"},
		{"Past 9999.", 3000000, 14, "", "3000000"},
	}
	var paras []map[string]string
	for _, c := range cases {
		paras = append(paras, para(c.was, "RESTRICTED", ""))
	}
	paras = append(paras, para("Left as it was.", "RESTRICTED", ""), para("Yes or no.", "RESTRICTED", ""))
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Typed Alone", paras...))
	edited := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		for _, c := range cases {
			st := &excelize.Style{NumFmt: c.numFmt, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}
			if c.code != "" {
				st.CustomNumFmt = &c.code
			}
			style, err := x.NewStyle(st)
			if err != nil {
				t.Fatal(err)
			}
			cell := "D" + itoa(topicsRow(t, x, c.was))
			if err := x.SetCellFloat("Topics", cell, c.value, -1, 64); err != nil {
				t.Fatal(err)
			}
			if err := x.SetCellStyle("Topics", cell, cell, style); err != nil {
				t.Fatal(err)
			}
		}
		// TRUE typed alone is a boolean, stored as 1.
		if err := x.SetCellBool("Topics", "D"+itoa(topicsRow(t, x, "Yes or no.")), true); err != nil {
			t.Fatal(err)
		}
	})
	r := f.importBook("officer", w.round, edited, "?dry_run=true")
	if r.Code != 200 {
		t.Fatalf("dry run: %d %s", r.Code, r.Body.String())
	}
	var plan struct {
		Sheets []struct {
			ID      string
			Changed []struct{ Row int }
		}
	}
	r.json(&plan)
	if len(plan.Sheets) != 1 || plan.Sheets[0].ID != id || len(plan.Sheets[0].Changed) != len(cases)+1 {
		t.Fatalf("dry run plan: %s", r.Body.String())
	}
	if r := f.importBook("officer", w.round, edited, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	got := f.sheet("officer", id).Sections[0].Paragraphs
	for i, c := range cases {
		if got[i].Text != c.shown {
			t.Errorf("typed %q (%s): the paragraph reads %q", c.shown, c.was, got[i].Text)
		}
	}
	if got[len(cases)].Text != "Left as it was." {
		t.Errorf("the untouched paragraph reads %q", got[len(cases)].Text)
	}
	if got[len(cases)+1].Text != "TRUE" {
		t.Errorf("typed TRUE: the paragraph reads %q", got[len(cases)+1].Text)
	}
	// The next workbook shows each as typed, as a text cell.
	rows, err := topicsRows(f.xlsxPack("lead", w.round, ""))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, r := range rows {
		shown[r[3]] = true
	}
	for _, c := range cases {
		if !shown[c.shown] {
			t.Errorf("typed %q: the next workbook does not show it", c.shown)
		}
	}
}
