package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
)

// slowParagraph is a paragraph of twenty thousand "[": the Markdown
// reader looked through the rest of it again for the "]" of each, half a
// second a render, at every save (both editions) and in every pack.
var slowParagraph = strings.Repeat("[", 20000)

// slowSays is what a save refused for it says.
const slowSays = `holds 20,000 "[" that no "]" closes, too many for a pack to lay out quickly: close each with "]", or take it out`

// TestSheetService_MarkdownWork: a paragraph whose Markdown asks too much
// of the reader is refused by every save — create, update, merge, a sheet
// brought in from text, the editor — 422 naming it and saying what to
// change; one stored before the limit is kept while its text is.
func TestSheetService_MarkdownWork(t *testing.T) {
	refused := func(t *testing.T, what string, r response, field, place string) {
		t.Helper()
		if msg := errorFields(r)[field]; r.Code != 422 || msg != place+" "+slowSays {
			t.Errorf("%s: %d %s", what, r.Code, r.Body.String())
		}
	}
	t.Run("Refused", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		refused(t, "create", f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Slow", para("Short.", "RESTRICTED", ""), para(slowParagraph, "RESTRICTED", ""))),
			"sections[0].paragraphs[1].text", "section 1, paragraph 2")
		r := f.do("lead", "GET", "/api/v1/sheets/"+w.sheet, nil)
		var m map[string]any
		r.json(&m)
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para(slowParagraph, "RESTRICTED", ""))
		refused(t, "update", f.do("lead", "PUT", "/api/v1/sheets/"+w.sheet, m, "If-Match", r.Header().Get("ETag")), "sections[0].paragraphs[2].text", "section 1, paragraph 3")
		refused(t, "merge", f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/merge", m), "sections[0].paragraphs[2].text", "section 1, paragraph 3")
		if got := f.sheet("lead", w.sheet); got.Version != 1 {
			t.Errorf("a refused save wrote version %d", got.Version)
		}
	})
	t.Run("FromText", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		text := "Slow brief\n\nSituational assessment\n\nThe threat is low.\n\n" + slowParagraph + "\n"
		for _, q := range []string{"?preview=true", ""} {
			refused(t, "from text"+q, f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text"+q, map[string]string{"text": text}),
				"sections[0].paragraphs[1].text", "section 1, paragraph 2")
		}
		var l struct{ Items []any }
		if f.do("officer", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).json(&l); len(l.Items) != 2 {
			t.Errorf("%d sheets", len(l.Items))
		}
	})
	t.Run("Editor", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		b := f.pageBrowser("officer")
		working := "/sheets/" + w.sheet + "/edit?working=1"
		page := b.open("/sheets/" + w.sheet + "/edit")
		rec := b.act(w.sheet, page, "save", map[string]string{"s0.p0.text": slowParagraph})
		body := rec.Body.String()
		if i := strings.Index(body, `id="s0-p0-err"`); rec.Code != 422 || i < 0 || !strings.Contains(body[i:], `holds 20,000 &#34;[&#34; that no &#34;]&#34; closes`) {
			t.Fatalf("save: %d %s", rec.Code, body)
		}
		// The preview says why, and does not lay the paragraph out.
		page = b.open(seeOther(t, b.act(w.sheet, b.open("/sheets/"+w.sheet+"/edit"), "preview", map[string]string{"s0.p0.text": slowParagraph}), working+"&preview=1"))
		if !strings.Contains(page, "Not previewed: a save would refuse this paragraph") || !strings.Contains(page, "section 1, paragraph 1 holds 20,000") {
			t.Fatalf("preview:\n%s", page)
		}
		if got := f.sheet("officer", w.sheet); got.Version != 1 {
			t.Errorf("a refused save wrote version %d", got.Version)
		}
	})
	t.Run("StoredBefore", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		id := f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Old text",
			para("Open words.", "RESTRICTED", ""), para("Hidden words.", "TOP SECRET", "")))
		storedAsBefore(f, id, 1, slowParagraph)
		// The SECRET officer, who cannot see it, merges an edit of what
		// they see; the lead saves an edit of another paragraph, and
		// marks the old one higher.
		mine := f.sheet("officer", id)
		mine.Sections[0].Paragraphs[0].Text = "Open words, edited."
		if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine); r.Code != 200 {
			t.Fatalf("merge beside a paragraph stored before: %d %s", r.Code, r.Body.String())
		}
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) {
			editOne(m, 0, 0, "Open words, edited again.")
			m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[1].(map[string]any)["withhold"] = "s6(a)"
		})
		if got := f.sheet("lead", id).Sections[0].Paragraphs; got[0].Text != "Open words, edited again." || got[1].Text != slowParagraph {
			t.Errorf("paragraphs: %.40q, %d characters", got[0].Text, len(got[1].Text))
		}
		// Its text edited, it is held to the limit.
		r := f.do("lead", "GET", "/api/v1/sheets/"+id, nil)
		var m map[string]any
		r.json(&m)
		editOne(m, 0, 1, slowParagraph[1:])
		if r := f.do("lead", "PUT", "/api/v1/sheets/"+id, m, "If-Match", r.Header().Get("ETag")); r.Code != 422 ||
			!strings.Contains(errorFields(r)["sections[0].paragraphs[1].text"], `holds 19,999 "["`) {
			t.Errorf("edited: %d %s", r.Code, r.Body.String())
		}
	})
}

// TestImport_MarkdownWork: what a spreadsheet's cell holds is read back
// as the words typed, every mark escaped, so a cell typed full of "[",
// "&", "<!--" or "```" is brought in as those characters, which ask the
// Markdown reader no more than plain words do: an import is not refused
// for them.
func TestImport_MarkdownWork(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	typed := strings.Repeat("[", 3000) + strings.Repeat("&", 2000) + strings.Repeat("<!--", 500) + "\n```\n" + strings.Repeat("`", 1000)
	book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
		n := topicsRow(t, x, "We are aware")
		if err := x.SetCellStr("Topics", "D"+itoa(n), typed); err != nil {
			t.Fatal(err)
		}
	})
	if r := f.importBook("officer", w.round, book, ""); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body.String())
	}
	sh, err := f.db.Sheet(context.Background(), w.sheet)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := briefing.SettingsFor("nz")
	text := sh.Sections[0].Paragraphs[0].Text
	if !strings.HasPrefix(text, `\[\[`) || s.MarkdownTooSlow(text) != "" {
		t.Errorf("stored as %.60q: %s", text, s.MarkdownTooSlow(text))
	}
}
