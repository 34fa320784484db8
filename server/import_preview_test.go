package server_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sendWorkbook posts a workbook to a round's import form, as the page's
// Preview or Import button does.
func (b *pageBrowser) sendWorkbook(round string, book []byte, op string) *httptest.ResponseRecorder {
	b.f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.csrf)
	_ = mw.WriteField("op", op)
	fw, _ := mw.CreateFormFile("workbook", "pack.xlsx")
	_, _ = fw.Write(book)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/rounds/"+round+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	b.f.h.ServeHTTP(rec, req)
	b.keep(rec)
	return rec
}

// sheetCounts is how many topic sheets an import changes and leaves.
type sheetCounts struct{ changed, unchanged int }

var importCounts = regexp.MustCompile(`(\d+) topic sheet\(s\) changed, (\d+) unchanged`)

// countsSaid reads the counts a page or a flash says.
func countsSaid(t *testing.T, what, page string) sheetCounts {
	t.Helper()
	m := importCounts.FindStringSubmatch(html.UnescapeString(page))
	if m == nil {
		t.Fatalf("%s says no counts: %s", what, page)
	}
	c, _ := strconv.Atoi(m[1])
	u, _ := strconv.Atoi(m[2])
	return sheetCounts{c, u}
}

// TestImport_PreviewCountsAsImport: the round page's Preview of a workbook
// counts the sheets the import changes, as the API's dry run lists them
// and as the import itself says — for an edited workbook brought back the
// first time, and for the same workbook brought back again, which changes
// nothing.
func TestImport_PreviewCountsAsImport(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "We are aware, the workbook says.")
	})
	b := f.pageBrowser("lead")
	// dryRun is the API's plan: a sheet it lists changes when it lists a
	// paragraph changed, added or removed.
	dryRun := func() sheetCounts {
		t.Helper()
		r := f.importBook("lead", w.round, book, "?dry_run=true")
		if r.Code != 200 {
			t.Fatalf("dry run: %d %s", r.Code, r.Body.String())
		}
		var a struct {
			Sheets []struct {
				Changed, Added, Removed []any
			}
			Unchanged int
		}
		r.json(&a)
		c := sheetCounts{unchanged: a.Unchanged}
		for _, s := range a.Sheets {
			if len(s.Changed)+len(s.Added)+len(s.Removed) > 0 {
				c.changed++
			} else {
				c.unchanged++
			}
		}
		return c
	}
	preview := func() sheetCounts {
		t.Helper()
		rec := b.sendWorkbook(w.round, book, "preview")
		if rec.Code != 200 {
			t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
		}
		return countsSaid(t, "the preview", rec.Body.String())
	}
	imported := func() sheetCounts {
		t.Helper()
		rec := b.sendWorkbook(w.round, book, "import")
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("import: %d %s", rec.Code, rec.Body.String())
		}
		return countsSaid(t, "the import", b.open(rec.Header().Get("Location")))
	}
	for _, tc := range []struct {
		name string
		want sheetCounts
	}{
		{"First", sheetCounts{1, 1}},
		{"Again", sheetCounts{0, 2}},
	} {
		p, d := preview(), dryRun()
		i := imported()
		if p != tc.want || d != tc.want || i != tc.want {
			t.Errorf("%s: the preview says %+v, the dry run %+v, the import %+v; want %+v", tc.name, p, d, i, tc.want)
		}
	}
}

// TestImport_NothingChangedSaysWhatIsRead: a workbook edited only in a
// topic sheet's own worksheet (the two-column form, which reads as the
// brief does) changes nothing, for only the Topics worksheet is read; the
// page's preview and import then say so, and where to make the edit.
// Before, they said only "0 topic sheet(s) changed", and the edit was lost
// without a word.
func TestImport_NothingChangedSaysWhatIsRead(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		v, err := x.GetCellValue("Foreign Interference", "B3")
		if err != nil || v == "" {
			t.Fatalf("the topic's worksheet: %q %v", v, err)
		}
		_ = x.SetCellStr("Foreign Interference", "B3", v+" Edited in the topic's own worksheet.")
	})
	b := f.pageBrowser("lead")
	const said = "Only the Topics worksheet is read"
	for _, op := range []string{"preview", "import"} {
		rec := b.sendWorkbook(w.round, book, op)
		page := rec.Body.String()
		if op == "import" {
			page = flashOf(b.open(rec.Header().Get("Location")))
		}
		if c := countsSaid(t, op, page); c.changed != 0 || !strings.Contains(html.UnescapeString(page), said) {
			t.Errorf("%s: %+v, and the page does not say what is read: %.2000s", op, c, page)
		}
	}
	// A workbook whose Topics rows change something says nothing of it.
	edited := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		_ = x.SetCellStr("Topics", "D"+itoa(topicsRow(t, x, "We are aware")), "We are aware, the Topics worksheet says.")
	})
	if page := b.sendWorkbook(w.round, edited, "preview").Body.String(); countsSaid(t, "preview", page).changed != 1 || strings.Contains(page, said) {
		t.Errorf("a preview of a change says %q", said)
	}
}
