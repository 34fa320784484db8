package server_test

import (
	"archive/zip"
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// pack downloads the full XLSX pack of a round as a user.
func (f *fixture) xlsxPack(user, round string, query string) []byte {
	f.t.Helper()
	r := f.do(user, "GET", "/api/v1/rounds/"+round+"/pack?format=xlsx"+query, nil)
	if r.Code != 200 {
		f.t.Fatalf("pack: %d %s", r.Code, r.Body.String())
	}
	return r.Body.Bytes()
}

// editBook opens a workbook, lets edit change it and returns its bytes.
func editBook(t testing.TB, b []byte, edit func(x *excelize.File)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	edit(x)
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// topicsRow finds the Topics row whose text starts with prefix.
func topicsRow(t testing.TB, x *excelize.File, prefix string) int {
	t.Helper()
	rows, err := x.GetRows("Topics")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 3 && strings.HasPrefix(r[3], prefix) {
			return i + 1
		}
	}
	t.Fatalf("no Topics row starts %q", prefix)
	return 0
}

func (f *fixture) importBook(user, round string, body []byte, query string) response {
	f.t.Helper()
	return f.do(user, "POST", "/api/v1/rounds/"+round+"/import"+query, body, "Content-Type", xlsxType)
}

func errorFields(r response) map[string]string {
	var b struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(&b)
	return b.Error.Fields
}

func TestRoundService_Import(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Second open paragraph.", "RESTRICTED", ""), para("Third open paragraph.", "UNCLASSIFIED", ""))
	})
	other := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Emerging Technologies", para("Technologies change.", "RESTRICTED", "")))
	elsewhere := f.create("officer", "/api/v1/rounds/"+w.secretRound+"/sheets", sheetBody("Next year's sheet", para("Later.", "RESTRICTED", "")))
	book := f.xlsxPack("lead", w.round, "")
	start := f.sheet("officer", w.sheet)
	otherStart := f.sheet("officer", other)

	edited := editBook(t, book, func(x *excelize.File) {
		n := topicsRow(t, x, "Second open paragraph.")
		if err := x.SetCellStr("Topics", "D"+itoa(n), "Second open paragraph, edited in a spreadsheet."); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("DryRun", func(t *testing.T) {
		r := f.importBook("officer", w.round, edited, "?dry_run=true")
		if r.Code != 200 {
			t.Fatalf("dry run: %d %s", r.Code, r.Body.String())
		}
		var res struct {
			DryRun bool `json:"dry_run"`
			Sheets []struct {
				ID      string
				Version int
				Changed []struct{ Row int }
			}
			Unchanged int
		}
		r.json(&res)
		if !res.DryRun || len(res.Sheets) != 1 || res.Sheets[0].ID != w.sheet || len(res.Sheets[0].Changed) != 1 || res.Unchanged < 1 {
			t.Fatalf("plan: %s", r.Body.String())
		}
		if got := f.sheet("officer", w.sheet); got.Version != start.Version {
			t.Fatalf("a dry run wrote version %d", got.Version)
		}
	})

	t.Run("NotAWorkbook", func(t *testing.T) {
		for name, body := range map[string][]byte{"text": []byte("hello, not a workbook"), "empty zip": emptyZip(t), "empty": {}} {
			r := f.importBook("officer", w.round, body, "")
			if r.Code != 422 || r.errorCode() != "invalid" {
				t.Errorf("%s: %d %s", name, r.Code, r.Body.String())
			}
		}
		r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/import", edited, "Content-Type", "text/plain")
		if r.Code != 415 {
			t.Errorf("text/plain: %d %s", r.Code, r.Body.String())
		}
		if got := f.sheet("officer", w.sheet); got.Version != start.Version {
			t.Fatalf("a refused import wrote version %d", got.Version)
		}
	})

	t.Run("ErrBadCells", func(t *testing.T) {
		cases := map[string]struct {
			edit  func(x *excelize.File, n string)
			field string
		}{
			"formula": {func(x *excelize.File, n string) { _ = x.SetCellFormula("Topics", "D"+n, "1+1") }, "Topics!D"},
			"marking": {func(x *excelize.File, n string) { _ = x.SetCellStr("Topics", "E"+n, "HUSH-HUSH") }, "Topics!E"},
			"ground":  {func(x *excelize.File, n string) { _ = x.SetCellStr("Topics", "F"+n, "s99") }, "Topics!F"},
			"paragraph id": {func(x *excelize.File, n string) { _ = x.SetCellStr("Topics", "I"+n, "pnosuchparagraph") },
				"Topics!I"},
			"sheet id": {func(x *excelize.File, n string) { _ = x.SetCellStr("Topics", "G"+n, "999999") }, "Topics!G"},
			"sheet of another round": {func(x *excelize.File, n string) {
				_ = x.SetCellStr("Topics", "G"+n, elsewhere)
				_ = x.SetCellStr("Topics", "I"+n, "")
			}, "Topics!G"},
			"other round": {func(x *excelize.File, n string) { _ = x.SetCellStr("Import", "B1", w.secretRound) }, "Import!B1"},
		}
		for name, c := range cases {
			var row string
			b := editBook(t, book, func(x *excelize.File) {
				row = itoa(topicsRow(t, x, "Second open paragraph."))
				c.edit(x, row)
			})
			r := f.importBook("officer", w.round, b, "")
			field := c.field
			if strings.HasPrefix(field, "Topics!") {
				field += row
			}
			if r.Code != 422 || r.errorCode() != "invalid" || errorFields(r)[field] == "" {
				t.Errorf("%s: want 422 naming %s, got %d %s", name, field, r.Code, r.Body.String())
			}
		}
		if got := f.sheet("officer", w.sheet); got.Version != start.Version {
			t.Fatalf("a refused import wrote version %d", got.Version)
		}
	})

	t.Run("OK", func(t *testing.T) {
		r := f.importBook("officer", w.round, edited, "")
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		got := f.sheet("officer", w.sheet)
		if got.Version != start.Version+1 {
			t.Fatalf("version %d after import from %d", got.Version, start.Version)
		}
		for i, sec := range got.Sections {
			for j, p := range sec.Paragraphs {
				was := start.Sections[i].Paragraphs[j]
				if p.ID != was.ID {
					t.Fatalf("paragraph %d.%d changed id", i, j)
				}
				if p.ID == start.Sections[0].Paragraphs[2].ID {
					if p.Text != "Second open paragraph, edited in a spreadsheet." {
						t.Errorf("edited text %q", p.Text)
					}
				} else if p != was {
					t.Errorf("paragraph %d.%d changed: %+v → %+v", i, j, was, p)
				}
			}
		}
		if o := f.sheet("officer", other); o.Version != otherStart.Version {
			t.Errorf("a sheet not edited went from version %d to %d", otherStart.Version, o.Version)
		}
		// The withheld span kept its Markdown though the cell showed it as "[s6(a): …]".
		if !strings.Contains(got.Sections[0].Paragraphs[0].Text, "{{s6(a): in the zanzibar sector}}") {
			t.Errorf("span lost: %q", got.Sections[0].Paragraphs[0].Text)
		}
		// The same workbook again changes nothing, so writes no version.
		if r := f.importBook("officer", w.round, edited, ""); r.Code != 200 {
			t.Fatalf("again: %d %s", r.Code, r.Body.String())
		}
		if again := f.sheet("officer", w.sheet); again.Version != got.Version {
			t.Errorf("importing the same workbook twice wrote version %d", again.Version)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// The same workbook again: that paragraph has changed since version start.
		again := editBook(t, book, func(x *excelize.File) {
			n := topicsRow(t, x, "Second open paragraph.")
			_ = x.SetCellStr("Topics", "D"+itoa(n), "Yet another text for the second paragraph.")
		})
		before := f.sheet("officer", w.sheet)
		r := f.importBook("officer", w.round, again, "")
		if r.Code != 409 || r.errorCode() != "conflict" {
			t.Fatalf("conflict: %d %s", r.Code, r.Body.String())
		}
		var body struct {
			Error struct {
				Fields    map[string]string
				Conflicts []struct {
					SheetID string `json:"sheet_id"`
					Cell    string
					Row     int
				}
			}
		}
		r.json(&body)
		if len(body.Error.Conflicts) != 1 || body.Error.Conflicts[0].SheetID != w.sheet || !strings.HasPrefix(body.Error.Conflicts[0].Cell, "Topics!D") ||
			body.Error.Fields[body.Error.Conflicts[0].Cell] == "" {
			t.Fatalf("conflict body: %s", r.Body.String())
		}
		if after := f.sheet("officer", w.sheet); after.Version != before.Version {
			t.Fatalf("a conflicting import wrote version %d", after.Version)
		}
		dry := f.importBook("officer", w.round, again, "?dry_run=true")
		if dry.Code != 200 || !strings.Contains(dry.Body.String(), `"conflicts":1`) {
			t.Fatalf("dry run of a conflict: %d %s", dry.Code, dry.Body.String())
		}
	})

	t.Run("AddAndDelete", func(t *testing.T) {
		cur := f.sheet("officer", w.sheet)
		b := f.xlsxPack("lead", w.round, "")
		b = editBook(t, b, func(x *excelize.File) {
			n := topicsRow(t, x, "Third open paragraph.")
			if err := x.RemoveRow("Topics", n); err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("Topics")
			last := itoa(len(rows) + 1)
			_ = x.SetSheetRow("Topics", "A"+last, &[]any{"Foreign Interference", "Offensive interest – what are we trying to achieve", "", "A paragraph typed into the workbook.", "", ""})
		})
		r := f.importBook("officer", w.round, b, "")
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		got := f.sheet("officer", w.sheet)
		all := ""
		for _, sec := range got.Sections {
			for _, p := range sec.Paragraphs {
				all += sec.Kind + ":" + p.Text + "|"
			}
		}
		if strings.Contains(all, "Third open paragraph.") || !strings.Contains(all, "offensive:A paragraph typed into the workbook.") {
			t.Errorf("after add and delete: %s", all)
		}
		// The SECRET paragraph was in the lead's workbook and is kept.
		if !strings.Contains(all, "Zanzibar assessment held at secret.") || got.Version != cur.Version+1 {
			t.Errorf("version %d, %s", got.Version, all)
		}
	})

	t.Run("NeverHeldIsKept", func(t *testing.T) {
		// A workbook made under a RESTRICTED ceiling never held the SECRET
		// paragraph: its absence there deletes nothing.
		b := f.xlsxPack("lead", w.round, "&ceiling=RESTRICTED")
		b = editBook(t, b, func(x *excelize.File) {
			n := topicsRow(t, x, "Second open paragraph")
			_ = x.SetCellStr("Topics", "D"+itoa(n), "Second paragraph, from a restricted workbook.")
		})
		r := f.importBook("officer", w.round, b, "")
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body.String())
		}
		got := f.sheet("lead", w.sheet)
		found := false
		for _, sec := range got.Sections {
			for _, p := range sec.Paragraphs {
				found = found || p.Text == "Zanzibar assessment held at secret."
			}
		}
		if !found {
			t.Error("a paragraph the workbook never held was deleted")
		}
		// And a RESTRICTED officer imports it too: the SECRET paragraph stays.
		b = f.xlsxPack("lead", w.round, "&ceiling=RESTRICTED")
		b = editBook(t, b, func(x *excelize.File) {
			n := topicsRow(t, x, "Second paragraph, from")
			_ = x.SetCellStr("Topics", "D"+itoa(n), "Second paragraph, from a restricted officer.")
		})
		r = f.importBook("lowofficer", w.round, b, "")
		if r.Code != 200 || strings.Contains(r.Body.String(), "Zanzibar") {
			t.Fatalf("low import: %d %s", r.Code, r.Body.String())
		}
		got = f.sheet("lead", w.sheet)
		found = false
		for _, sec := range got.Sections {
			for _, p := range sec.Paragraphs {
				found = found || p.Text == "Zanzibar assessment held at secret."
			}
		}
		if !found {
			t.Error("a RESTRICTED importer lost the SECRET paragraph")
		}
	})

	t.Run("ErrRoles", func(t *testing.T) {
		r := f.importBook("viewer", w.round, edited, "")
		if r.Code != 403 {
			t.Errorf("viewer: %d", r.Code)
		}
		// Marking a paragraph above the importer.
		b := f.xlsxPack("lead", w.round, "&ceiling=RESTRICTED")
		b = editBook(t, b, func(x *excelize.File) {
			n := topicsRow(t, x, "Second paragraph, from")
			_ = x.SetCellStr("Topics", "E"+itoa(n), "SECRET")
		})
		r = f.importBook("lowofficer", w.round, b, "")
		if r.Code != 403 || errorFields(r)["Topics!E"+itoa(2)] == "" && len(errorFields(r)) == 0 {
			t.Errorf("above clearance: %d %s", r.Code, r.Body.String())
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		// A signed-in session may post the workbook's media type from the
		// same origin, as it may JSON; a cross-site one is refused.
		lr := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
		cookie := "briefpack_session=" + lr.Result().Cookies()[0].Value
		post := func(ctype, site string) int {
			req := httptest.NewRequest("POST", "/api/v1/rounds/"+w.round+"/import?dry_run=true", bytes.NewReader(edited))
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Cookie", cookie)
			if site != "" {
				req.Header.Set("Sec-Fetch-Site", site)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			return rec.Code
		}
		if c := post(xlsxType, ""); c != 200 {
			t.Errorf("same-origin import with the cookie: %d", c)
		}
		if c := post(xlsxType, "cross-site"); c != 403 {
			t.Errorf("cross-site import: %d", c)
		}
		if c := post("application/octet-stream", ""); c != 403 {
			t.Errorf("a body any form could send, without a CSRF token: %d", c)
		}
	})

	t.Run("ReleaseEdition", func(t *testing.T) {
		b := f.xlsxPack("lead", w.round, "&edition=release")
		r := f.importBook("lead", w.round, b, "")
		if r.Code != 422 {
			t.Errorf("release edition: %d %s", r.Code, r.Body.String())
		}
	})
}

func emptyZip(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// openpyxl finds a Python that has openpyxl, or "".
func openpyxl() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import openpyxl").Run() == nil {
			return py
		}
	}
	return ""
}

// TestImport_Openpyxl edits a downloaded workbook with another spreadsheet
// library than the one that wrote it (openpyxl rewrites every part: strings
// shared instead of inline, its own styles and relationships) and imports it.
// It skips, saying so, where Python's openpyxl is not installed (Debian:
// python3-openpyxl), except in CI (BRIEFPACK_REQUIRE_OPENPYXL), where that
// is a failure.
func TestImport_Openpyxl(t *testing.T) {
	py := openpyxl()
	if py == "" && os.Getenv("BRIEFPACK_REQUIRE_OPENPYXL") != "" {
		t.Fatal("python3 with openpyxl is not installed (apt-get install python3-openpyxl), and CI requires it")
	}
	if py == "" {
		t.Skip("python3 with openpyxl is not installed (apt-get install python3-openpyxl)")
	}
	f := newFixture(t)
	w := f.world()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Second open paragraph.", "RESTRICTED", ""), para("=1+1 stays text", "UNCLASSIFIED", ""))
	})
	other := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Emerging Technologies", para("Technologies change.", "RESTRICTED", "")))
	start, otherStart := f.sheet("officer", w.sheet), f.sheet("officer", other)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "pack.xlsx"), filepath.Join(dir, "edited.xlsx")
	if err := os.WriteFile(in, f.xlsxPack("lead", w.round, ""), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Topics"]
for row in ws.iter_rows(min_row=2):
    if str(row[3].value).startswith("Second open paragraph."):
        row[3].value = "Second open paragraph, edited with openpyxl."
assert ws.column_dimensions["I"].hidden or ws.column_dimensions["G"].hidden
wb.save(sys.argv[2])
`
	if b, err := exec.Command(py, "-c", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	edited, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r := f.importBook("officer", w.round, edited, "?dry_run=true")
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"changed":[{"row"`) {
		t.Fatalf("dry run: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Version != start.Version {
		t.Fatalf("a dry run wrote version %d", got.Version)
	}
	r = f.importBook("officer", w.round, edited, "")
	if r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	got := f.sheet("officer", w.sheet)
	if got.Version != start.Version+1 {
		t.Fatalf("version %d after import from %d", got.Version, start.Version)
	}
	for i, sec := range got.Sections {
		for j, p := range sec.Paragraphs {
			was := start.Sections[i].Paragraphs[j]
			switch {
			case was.Text == "Second open paragraph.":
				if p.Text != "Second open paragraph, edited with openpyxl." || p.ID != was.ID || p.Marking != was.Marking {
					t.Errorf("edited paragraph: %+v", p)
				}
			case p != was:
				t.Errorf("paragraph %d.%d changed: %+v → %+v", i, j, was, p)
			}
		}
	}
	if o := f.sheet("officer", other); o.Version != otherStart.Version {
		t.Errorf("a sheet not edited went from version %d to %d", otherStart.Version, o.Version)
	}
	r = f.importBook("officer", w.round, []byte("PK\x03\x04 but not really a zip"), "")
	if r.Code < 400 || r.Code >= 500 || r.errorCode() == "" {
		t.Errorf("not a workbook: %d %s", r.Code, r.Body.String())
	}
}

// TestImport_Page drives the round page's upload form: a preview shows the
// plan and writes nothing, an import redirects with what it did, and a form
// without the session's CSRF token is refused.
func TestImport_Page(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		n := topicsRow(t, x, "We are aware")
		_ = x.SetCellStr("Topics", "D"+itoa(n), "We are aware, says the page.")
	})
	lr := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	lr.json(&login)
	cookie := "briefpack_session=" + lr.Result().Cookies()[0].Value
	post := func(op, csrf string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf_token", csrf)
		_ = mw.WriteField("op", op)
		fw, _ := mw.CreateFormFile("workbook", "pack.xlsx")
		_, _ = fw.Write(book)
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/rounds/"+w.round+"/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	start := f.sheet("officer", w.sheet)
	if rec := post("preview", "wrong"); rec.Code != 403 {
		t.Fatalf("without the CSRF token: %d", rec.Code)
	}
	rec := post("preview", login.CSRF)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Preview: nothing has been written yet") || !strings.Contains(rec.Body.String(), "Foreign Interference") {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Version != start.Version {
		t.Fatalf("a preview wrote version %d", got.Version)
	}
	rec = post("import", login.CSRF)
	if rec.Code != 303 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body.String())
	}
	if got := f.sheet("officer", w.sheet); got.Version != start.Version+1 || got.Sections[0].Paragraphs[0].Text != "We are aware, says the page." {
		t.Fatalf("after the form's import: version %d, %q", got.Version, got.Sections[0].Paragraphs[0].Text)
	}
	said := func(rec *httptest.ResponseRecorder) string {
		for _, ck := range rec.Result().Cookies() {
			if v, err := url.QueryUnescape(ck.Value); err == nil && strings.Contains(v, "Workbook imported") {
				return v
			}
		}
		return ""
	}
	if got := said(rec); !strings.Contains(got, "1 topic sheet(s) changed") {
		t.Errorf("the import said %q", got)
	}
	// The same workbook again writes nothing, and says so.
	rec = post("import", login.CSRF)
	if got := said(rec); rec.Code != 303 || !strings.Contains(got, "0 topic sheet(s) changed") {
		t.Errorf("the same workbook again: %d, said %q", rec.Code, got)
	}
}

// TestImport_WithheldBracketStaysWithheld: withheld words that hold a "]"
// stay withheld through a workbook edited in a spreadsheet and imported:
// the bracket does not end the span early, so no word after it reaches
// the release edition.
func TestImport_WithheldBracketStaysWithheld(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	const withheld = `[demo stand-in] named the canaryvale sector, and a \ too`
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Critical Minerals",
		para("Assessed {{s6(a): "+withheld+"}} as a risk.", "RESTRICTED", "")))
	book := f.xlsxPack("lead", w.round, "")
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	n := topicsRow(t, x, "Assessed [s6(a): ")
	shown, _ := x.GetCellValue("Topics", "D"+itoa(n))
	x.Close()
	if want := `Assessed [s6(a): \[demo stand-in\] named the canaryvale sector, and a \\ too] as a risk.`; shown != want {
		t.Fatalf("the cell shows %q, want %q", shown, want)
	}
	edited := editBook(t, book, func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(n), shown+" (checked)")
	})
	if r := f.importBook("officer", w.round, edited, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	// The words' marks are escaped, as all typed text's: the "[" is text.
	got := f.sheet("officer", id).Sections[0].Paragraphs[0].Text
	if want := `Assessed {{s6(a): \[demo stand-in] named the canaryvale sector, and a \\ too}} as a risk. (checked)`; got != want {
		t.Fatalf("imported %q, want %q", got, want)
	}
	x, err = excelize.OpenReader(bytes.NewReader(f.xlsxPack("lead", w.round, "")))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := x.GetCellValue("Topics", "D"+itoa(topicsRow(t, x, "Assessed [s6(a): ")))
	x.Close()
	if again != shown+" (checked)" {
		t.Errorf("the next workbook shows %q, want %q", again, shown+" (checked)")
	}
	for _, format := range []string{"html", "xlsx"} {
		r := f.do("admin", "GET", "/api/v1/rounds/"+w.round+"/pack?format="+format+"&edition=release", nil)
		if r.Code != 200 {
			t.Fatalf("release %s: %d %s", format, r.Code, r.Body.String())
		}
		if found := findCanaries([]string{"canaryvale", "stand-in"}, r); len(found) > 0 {
			t.Errorf("the release %s carries withheld words: %s", format, strings.Join(found, "; "))
		}
	}
}

// TestImport_TypedTextShownAsTyped: text typed into the Topics worksheet's
// Text cells, with what Markdown and HTML read as marks, is imported so
// that the next workbook shows each cell exactly as typed and the HTML pack
// shows the characters as text (no emphasis, code, heading, quote or tag of
// the typist's), while a span typed as the workbook writes one stays
// withheld, a backslash before it too, and reaches no release.
func TestImport_TypedTextShownAsTyped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Typed Text",
		para("First paragraph.", "RESTRICTED", ""), para("Second paragraph.", "RESTRICTED", ""),
		para("Third paragraph.", "RESTRICTED", ""), para("Fourth paragraph.", "RESTRICTED", ""), para("Fifth paragraph.", "RESTRICTED", "")))
	typed := map[string]string{
		"First paragraph.":  "• The order … & <tags> *stars* _under_ `tick` \\ back",
		"Second paragraph.": "• Growth of <5% and >2% a year; A<B & C>D",
		"Third paragraph.":  "# Not a heading\n> not a quote\n1) not a list\nSee the report (http://example.org/a_b) {braced} ~~kept~~",
		"Fourth paragraph.": "Assessed \\[s6(a): canaryvale one] and [s6(a): *canaryvale* two] as risks.",
	}
	edited := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		for was, now := range typed {
			_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, was)), now)
		}
		// Rich text: a bold run is read as its text, whatever it holds.
		if err := x.SetCellRichText("Topics", "D"+itoa(topicsRow(t, x, "Fifth paragraph.")), []excelize.RichTextRun{
			{Text: "Plain, then "}, {Text: "**bold** <run>", Font: &excelize.Font{Bold: true}}}); err != nil {
			t.Fatal(err)
		}
	})
	typed["Fifth paragraph."] = "Plain, then **bold** <run>"
	if r := f.importBook("officer", w.round, edited, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	rows, err := topicsRows(f.xlsxPack("lead", w.round, ""))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, r := range rows {
		shown[r[3]] = true
	}
	for _, cell := range typed {
		if !shown[cell] {
			t.Errorf("typed %q: the next workbook does not show it", cell)
		}
	}
	sh := f.sheet("officer", id)
	if got := sh.Sections[0].Paragraphs[3].Text; got != `Assessed \\{{s6(a): canaryvale one}} and {{s6(a): \*canaryvale\* two}} as risks.` {
		t.Errorf("the spans were read as %q", got)
	}

	r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html", nil)
	if r.Code != 200 {
		t.Fatalf("html pack: %d", r.Code)
	}
	page := r.Body.String()
	for _, want := range []string{
		"The order … &amp; &lt;tags&gt; *stars* _under_ `tick` \\ back",
		"Growth of &lt;5% and &gt;2% a year; A&lt;B &amp; C&gt;D",
		"# Not a heading\n&gt; not a quote\n1) not a list\nSee the report (http://example.org/a_b) {braced} ~~kept~~",
		"Plain, then **bold** &lt;run&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML pack does not show %q", want)
		}
	}
	for _, tag := range []string{"<em>", "<strong>bold", "<code>", "<del>", "<blockquote>", ">Not a heading", "<ol>", "<tags>", "<b>D", "<5%", "<run>"} {
		if strings.Contains(page, tag) {
			i := strings.Index(page, tag)
			t.Errorf("the HTML pack holds %s: %s", tag, page[max(0, i-80):min(len(page), i+80)])
		}
	}
	for _, format := range []string{"html", "xlsx"} {
		r := f.do("admin", "GET", "/api/v1/rounds/"+w.round+"/pack?format="+format+"&edition=release", nil)
		if r.Code != 200 {
			t.Fatalf("release %s: %d %s", format, r.Code, r.Body.String())
		}
		if found := findCanaries([]string{"canaryvale"}, r); len(found) > 0 {
			t.Errorf("the release %s carries withheld words: %s", format, strings.Join(found, "; "))
		}
	}

	// A span begun in the Markdown form and not ended is refused, naming
	// its cell: read as text, its words would be released.
	var cell string
	unended := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		cell = "D" + itoa(topicsRow(t, x, "Plain, then "))
		_ = x.SetCellStr("Topics", cell, "Named {{s6(a): canaryvale three, never ended")
	})
	r = f.importBook("officer", w.round, unended, "")
	if r.Code != 422 || errorFields(r)["Topics!"+cell] == "" {
		t.Fatalf("an unended span: %d %s", r.Code, r.Body.String())
	}
}

// TestImport_AnglesTypedComeBack: words a writer typed in angle brackets
// ("<TBC>") are a tag to the Markdown parser; the pack dropped them, the
// workbook's cell too, so a cell edited for another word brought the
// paragraph back without them. They show as typed, and come back.
func TestImport_AnglesTypedComeBack(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	typed := "Minister to confirm <TBC> by <insert date>, H<sub>2</sub>O."
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Angles", para(typed, "RESTRICTED", "")))
	var shown string
	edited := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		cell := "D" + itoa(topicsRow(t, x, "Minister to confirm"))
		shown, _ = x.GetCellValue("Topics", cell)
		_ = x.SetCellStr("Topics", cell, strings.Replace(shown, "Minister", "Premier", 1))
	})
	if want := "Minister to confirm <TBC> by <insert date>, H2O."; shown != want {
		t.Errorf("the workbook shows %q, want %q", shown, want)
	}
	if r := f.importBook("officer", w.round, edited, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	if got := f.sheet("officer", id).Sections[0].Paragraphs[0].Text; !strings.Contains(got, "TBC") || !strings.Contains(got, "insert date") {
		t.Errorf("the paragraph came back as %q", got)
	}
	r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html", nil)
	if want := "Premier to confirm &lt;TBC&gt; by &lt;insert date&gt;, H2O."; !strings.Contains(r.Body.String(), want) {
		t.Errorf("the HTML pack does not show %q", want)
	}
}

// TestImport_NoSuchVersionNamesItsCell: a workbook whose Import worksheet
// gives a sheet a version it never had is refused naming that version's
// cell, not the cell of the sheet's id.
func TestImport_NoSuchVersionNamesItsCell(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := f.xlsxPack("lead", w.round, "")
	cell := ""
	edited := editBook(t, book, func(x *excelize.File) {
		rows, _ := x.GetRows("Import")
		for i, r := range rows {
			if len(r) > 1 && r[0] == w.sheet {
				cell = "B" + itoa(i+1)
				_ = x.SetCellInt("Import", cell, 99)
			}
		}
	})
	if cell == "" {
		t.Fatal("the Import worksheet does not list the sheet")
	}
	r := f.importBook("officer", w.round, edited, "")
	var body struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(&body)
	if r.Code != 422 || !strings.Contains(body.Error.Fields["Import!"+cell], "no version 99") {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
}

// TestImport_WorkbookAboveTheImporterSaysWhatToDo: a workbook made for a
// reader cleared higher than the importer holds sheets and rows they
// cannot see, which are refused as unknown. The refusal says so and what
// to do, from the workbook's own marking (its Import worksheet's, which the
// importer holds): before, a RESTRICTED officer given the lead's workbook
// was told only that a cell "names no topic sheet of this round".
func TestImport_WorkbookAboveTheImporterSaysWhatToDo(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := f.xlsxPack("lead", w.round, "")
	for _, q := range []string{"?dry_run=true", ""} {
		r := f.importBook("lowofficer", w.round, book, q)
		msg := r.errorBody().Message
		if r.Code != 422 || !strings.Contains(msg, "names no topic sheet of this round") ||
			!strings.Contains(msg, "This workbook is marked SECRET, above your clearance (RESTRICTED)") || !strings.Contains(msg, "exported for readers cleared to RESTRICTED") {
			t.Errorf("import%s: %d %s", q, r.Code, r.Body.String())
		}
	}
	// One made for them is imported; one at their clearance refused for
	// another reason says nothing of clearance.
	low := f.xlsxPack("lead", w.round, "&ceiling=RESTRICTED")
	if r := f.importBook("lowofficer", w.round, low, "?dry_run=true"); r.Code != 200 {
		t.Errorf("a workbook at their clearance: %d %s", r.Code, r.Body.String())
	}
	bad := editBook(t, low, func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "E2", "NOT A MARKING")
	})
	if r := f.importBook("lowofficer", w.round, bad, "?dry_run=true"); r.Code != 422 || strings.Contains(r.errorBody().Message, "clearance") {
		t.Errorf("a bad marking at their clearance: %d %s", r.Code, r.Body.String())
	}
}
