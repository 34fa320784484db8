package server_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
)

// inlineCell is a cell holding an inline string, as some writers store text.
func inlineCell(s string) string { return `<c t="inlineStr"><is><t>` + s + `</t></is></c>` }

// TestImport_Bounds: a workbook of many bad rows, or of more new rows than a
// section holds, is refused quickly with an answer whose size does not grow
// with its rows.
func TestImport_Bounds(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := f.xlsxPack("lead", w.round, "")
	start := f.sheet("officer", w.sheet)
	type errorBody struct {
		Error struct {
			Message string
			Fields  map[string]string
		}
	}

	t.Run("ManyBadRows", func(t *testing.T) {
		// Each row names a topic sheet by a title none has.
		b := padTopics(t, book, 5000, "<row>"+inlineCell("x")+"</row>")
		r := f.importBook("officer", w.round, b, "?dry_run=true")
		if r.Code != 422 || r.errorCode() != "invalid" {
			t.Fatalf("%d %.300s", r.Code, r.Body.String())
		}
		var body errorBody
		r.json(&body)
		if n := len(body.Error.Fields); n != 100 {
			t.Errorf("%d fields named, want the first 100", n)
		}
		if !strings.Contains(body.Error.Message, "(and 4999 more; the first 100 are named)") {
			t.Errorf("message %q", body.Error.Message)
		}
		if r.Body.Len() > 20000 {
			t.Errorf("a body of %d bytes", r.Body.Len())
		}
	})

	t.Run("TooManyRows", func(t *testing.T) {
		// Refused at the first row too many, by the reader: the rows past
		// it are never read.
		b := padTopics(t, book, 200010, "<row>"+inlineCell("x")+"</row>")
		r := f.importBook("officer", w.round, b, "?dry_run=true")
		var body errorBody
		r.json(&body)
		if r.Code != 422 || len(body.Error.Fields) != 1 || !strings.Contains(body.Error.Message, "more than 200000 rows") {
			t.Fatalf("%d %.300s", r.Code, r.Body.String())
		}
	})

	t.Run("SectionTooLong", func(t *testing.T) {
		// Good new rows, more than a section may hold: refused at the first
		// one too many, before the merge places them all.
		row := "<row>" + inlineCell("Foreign Interference") + inlineCell("Offensive interest – what are we trying to achieve") +
			inlineCell("") + inlineCell("A typed paragraph.") + "</row>"
		b := padTopics(t, book, 5000, row)
		r := f.importBook("officer", w.round, b, "")
		if r.Code != 422 || r.errorCode() != "invalid" {
			t.Fatalf("%d %.300s", r.Code, r.Body.String())
		}
		var body errorBody
		r.json(&body)
		if len(body.Error.Fields) != 1 || !strings.Contains(body.Error.Message, "more than 200 paragraphs") {
			t.Errorf("%s", r.Body.String())
		}
	})

	if got := f.sheet("officer", w.sheet); got.Version != start.Version {
		t.Fatalf("a refused import wrote version %d", got.Version)
	}
}

// padTopics returns a workbook whose Topics worksheet holds n more rows,
// each row's XML as given, before the end of its sheet data: as a file
// edited by something other than a spreadsheet might.
func padTopics(t testing.TB, book []byte, n int, row string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	part := topicsPart(t, zr)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == part {
			end := bytes.LastIndex(b, []byte("</sheetData>"))
			if end < 0 {
				t.Fatalf("%s has no </sheetData>", part)
			}
			b = append(append(append([]byte{}, b[:end]...), bytes.Repeat([]byte(row), n)...), b[end:]...)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// topicsPart is the zip entry of the Topics worksheet, found through the
// workbook's sheet list and relationships.
func topicsPart(t testing.TB, zr *zip.Reader) string {
	t.Helper()
	read := func(name string) string {
		for _, f := range zr.File {
			if f.Name == name {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
		}
		t.Fatalf("no %s in the workbook", name)
		return ""
	}
	attr := func(s, name string) string {
		_, v, _ := strings.Cut(s, " "+name+`="`)
		v, _, _ = strings.Cut(v, `"`)
		return v
	}
	wb := read("xl/workbook.xml")
	_, s, ok := strings.Cut(wb, `name="Topics"`)
	if !ok {
		t.Fatal("no Topics worksheet")
	}
	s, _, _ = strings.Cut(s, "/>")
	rid := attr(" "+s, "r:id")
	rels := read("xl/_rels/workbook.xml.rels")
	for _, rel := range strings.Split(rels, "<Relationship")[1:] {
		if attr(rel, "Id") == rid {
			target := attr(rel, "Target")
			if strings.HasPrefix(target, "/") {
				return strings.TrimPrefix(target, "/")
			}
			return "xl/" + target
		}
	}
	t.Fatalf("no relationship %q", rid)
	return ""
}
