package server_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
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

// TestPeopleAndRounds_MarkdownWork: a person's biography and a round's
// purpose, key messages and outcomes are Markdown the pages and packs lay
// out as they do a paragraph, so each save refuses one that asks too much
// of the reader as a paragraph's does — through the API and the forms,
// 422 naming the field, what was typed kept on the form — and keeps one
// stored before the limit while its text is. Twenty thousand "[" in a
// round's purpose took its page three seconds, and every pack holding it.
func TestPeopleAndRounds_MarkdownWork(t *testing.T) {
	refused := func(t *testing.T, what string, r response, field string) {
		t.Helper()
		if msg := errorFields(r)[field]; r.Code != 422 || msg != slowSays {
			t.Errorf("%s: %d %s", what, r.Code, r.Body.String())
		}
	}
	version := func(f *fixture, path string) string {
		var m struct{ Version int }
		f.do("admin", "GET", path, nil).json(&m)
		return itoa(m.Version)
	}
	t.Run("API", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		refused(t, "person created", f.do("secretariat", "POST", "/api/v1/people", map[string]any{"name": "Slow Bio", "bio": slowParagraph}), "bio")
		rounds := "/api/v1/dialogues/" + w.dialogue + "/rounds"
		for i, field := range []string{"purpose", "key_messages", "outcomes"} {
			refused(t, "round created with its "+field, f.do("secretariat", "POST", rounds, map[string]any{"number": 9 + i, "host": "home", field: slowParagraph}), field)
		}
		r := f.do("secretariat", "GET", "/api/v1/people/"+w.person, nil)
		var m map[string]any
		r.json(&m)
		m["bio"] = slowParagraph
		refused(t, "person saved", f.do("secretariat", "PUT", "/api/v1/people/"+w.person, m, "If-Match", r.Header().Get("ETag")), "bio")
		for _, field := range []string{"purpose", "key_messages", "outcomes"} {
			r := f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil)
			var m map[string]any
			r.json(&m)
			m[field] = slowParagraph
			refused(t, "round saved with its "+field, f.do("secretariat", "PUT", "/api/v1/rounds/"+w.round, m, "If-Match", r.Header().Get("ETag")), field)
		}
		var l struct{ Items []any }
		if f.do("admin", "GET", rounds, nil).json(&l); len(l.Items) != 2 || version(f, "/api/v1/rounds/"+w.round) != "1" || version(f, "/api/v1/people/"+w.person) != "1" {
			t.Errorf("a refused save wrote: %d rounds, round at version %s, person at %s", len(l.Items), version(f, "/api/v1/rounds/"+w.round), version(f, "/api/v1/people/"+w.person))
		}
	})
	// The form comes back with the text as typed, once: in its field,
	// with why beside or above it, and not laid out as the person's or the
	// round's (which would cost what the limit saves).
	shownAgain := func(t *testing.T, what string, rec *httptest.ResponseRecorder, field string) {
		t.Helper()
		body := rec.Body.String()
		if rec.Code != 422 || strings.Count(body, slowParagraph) != 1 || !regexp.MustCompile(`<textarea [^>]*name="`+field+`"[^>]*>`+regexp.QuoteMeta(slowParagraph)).MatchString(body) ||
			!strings.Contains(body, `holds 20,000 &#34;[&#34; that no &#34;]&#34; closes`) {
			t.Errorf("%s: %d, the text shown %d times\n%.3000s", what, rec.Code, strings.Count(body, slowParagraph), strings.ReplaceAll(body, slowParagraph, "SLOW"))
		}
	}
	t.Run("Forms", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		b := f.pageBrowser("secretariat")
		person := url.Values{"name": {"Tony Lynch"}, "title": {"Deputy Chief Executive"}, "agency_id": {w.agency}, "country": {"New Zealand"},
			"bio": {slowParagraph}, "marking": {"UNCLASSIFIED"}, "withhold": {""}}
		form := formOn(t, b.open("/people"), "/people")
		for k, v := range person {
			form[k] = v
		}
		shownAgain(t, "new person", b.send("POST", "/people", form), "bio")
		form = formOn(t, b.open("/people/"+w.person), "/people/"+w.person)
		for k, v := range person {
			form[k] = v
		}
		shownAgain(t, "person", b.send("POST", "/people/"+w.person, form), "bio")
		for _, field := range []string{"purpose", "key_messages", "outcomes"} {
			form := formOn(t, b.open("/rounds/"+w.round), "/rounds/"+w.round)
			for k, v := range (url.Values{"number": {"3"}, "starts_on": {"2018-05-10"}, "ends_on": {"2018-05-11"}, "city": {"Wellington"}, "host": {"home"},
				"status": {"scheduled"}, "marking": {"RESTRICTED"}, "purpose": {""}, "key_messages": {""}, "outcomes": {""}, "op": {"save"}}) {
				form[k] = v
			}
			form.Set(field, slowParagraph)
			shownAgain(t, "round's "+field, b.send("POST", "/rounds/"+w.round, form), field)
		}
		var l struct{ Items []any }
		if f.do("admin", "GET", "/api/v1/people", nil).json(&l); len(l.Items) != 2 || version(f, "/api/v1/rounds/"+w.round) != "1" || version(f, "/api/v1/people/"+w.person) != "1" {
			t.Errorf("a refused form wrote: %d people", len(l.Items))
		}
	})
	t.Run("StoredBefore", func(t *testing.T) {
		f := newFixture(t)
		w := f.world()
		ctx := context.Background()
		b := f.pageBrowser("secretariat")
		// The pages are opened before: one holding the text takes seconds.
		personForm := formOn(t, b.open("/people/"+w.person), "/people/"+w.person)
		roundForm := formOn(t, b.open("/rounds/"+w.round), "/rounds/"+w.round)
		storedBioAndRoundBefore(t, f, w, slowParagraph, slowParagraph, slowParagraph)
		// Saved with the text left as it is: through the API, by the
		// secretariat and by a lead (who may change only the agenda), and
		// through the forms.
		f.update("secretariat", "/api/v1/people/"+w.person, func(m map[string]any) { m["title"] = "Chief Executive" })
		f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["city"] = "Auckland" })
		f.update("lead", "/api/v1/rounds/"+w.round, func(m map[string]any) {
			m["agenda"] = []map[string]string{{"title": "Opening remarks"}}
		})
		for k, v := range (url.Values{"name": {"Tony Lynch"}, "title": {"Chief Executive, again"}, "agency_id": {w.agency}, "country": {"New Zealand"},
			"bio": {slowParagraph}, "marking": {"UNCLASSIFIED"}, "withhold": {""}, "version": {version(f, "/api/v1/people/"+w.person)}}) {
			personForm[k] = v
		}
		if rec := b.send("POST", "/people/"+w.person, personForm); rec.Code != 303 {
			t.Errorf("person form: %d", rec.Code)
		}
		for k, v := range (url.Values{"number": {"3"}, "starts_on": {"2018-05-10"}, "ends_on": {"2018-05-11"}, "city": {"Napier"}, "host": {"home"},
			"status": {"scheduled"}, "marking": {"RESTRICTED"}, "purpose": {slowParagraph}, "key_messages": {slowParagraph}, "outcomes": {slowParagraph},
			"op": {"save"}, "version": {version(f, "/api/v1/rounds/"+w.round)}}) {
			roundForm[k] = v
		}
		if rec := b.send("POST", "/rounds/"+w.round, roundForm); rec.Code != 303 {
			t.Errorf("round form: %d", rec.Code)
		}
		if p, _ := f.db.Person(ctx, w.person); p.Title != "Chief Executive, again" || p.Bio != slowParagraph {
			t.Errorf("person: %q, %d characters", p.Title, len(p.Bio))
		}
		if r, _ := f.db.Round(ctx, w.round); r.City != "Napier" || len(r.Agenda) != 1 || r.Purpose != slowParagraph || r.Outcomes != slowParagraph {
			t.Errorf("round: %q, %d items", r.City, len(r.Agenda))
		}
		// Its text edited, each is held to the limit.
		for path, field := range map[string]string{"/api/v1/people/" + w.person: "bio", "/api/v1/rounds/" + w.round: "key_messages"} {
			r := f.do("secretariat", "GET", path, nil)
			var m map[string]any
			r.json(&m)
			m[field] = slowParagraph[1:]
			if r := f.do("secretariat", "PUT", path, m, "If-Match", r.Header().Get("ETag")); r.Code != 422 || !strings.HasPrefix(errorFields(r)[field], `holds 19,999 "["`) {
				t.Errorf("%s edited: %d %s", field, r.Code, r.Body.String())
			}
		}
	})
}

// TestMarkdownWork_StoredWithCRLFKept: a biography and a round's purpose
// stored before the limit with "\r\n" line ends (as an API client on
// Windows sent them, before bodies were read with "\n") come back from the
// API and the forms with "\n". Left as they were, they are kept. Before,
// every save of the person or the round was refused 422 for a text nobody
// touched; a lead, who may not change the purpose, could not save the
// agenda at all.
func TestMarkdownWork_StoredWithCRLFKept(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	legacy := "Opening words.\r\n\r\n" + slowParagraph[:19000]
	b := f.pageBrowser("secretariat")
	personForm := formOn(t, b.open("/people/"+w.person), "/people/"+w.person)
	roundForm := formOn(t, b.open("/rounds/"+w.round), "/rounds/"+w.round)
	storedBioAndRoundBefore(t, f, w, legacy, legacy, "")
	// Through the API, sent back as read, by the secretariat and by a lead
	// (who may change only the agenda, and so not the purpose): kept.
	f.update("secretariat", "/api/v1/people/"+w.person, func(m map[string]any) { m["title"] = "Chief Executive" })
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["city"] = "Auckland" })
	f.update("lead", "/api/v1/rounds/"+w.round, func(m map[string]any) {
		m["agenda"] = []map[string]string{{"title": "Opening remarks"}}
	})

	// Through the forms, as a browser sends the text area it was given.
	sent := strings.ReplaceAll(strings.ReplaceAll(legacy, "\r\n", "\n"), "\n", "\r\n")
	var pv, rv struct{ Version int }
	f.do("admin", "GET", "/api/v1/people/"+w.person, nil).json(&pv)
	f.do("admin", "GET", "/api/v1/rounds/"+w.round, nil).json(&rv)
	for k, v := range (url.Values{"name": {"Tony Lynch"}, "title": {"Chief Executive, again"}, "agency_id": {w.agency}, "country": {"New Zealand"},
		"bio": {sent}, "marking": {"UNCLASSIFIED"}, "withhold": {""}, "version": {itoa(pv.Version)}}) {
		personForm[k] = v
	}
	if rec := b.send("POST", "/people/"+w.person, personForm); rec.Code != 303 {
		t.Errorf("person form, biography untouched: %d, %s", rec.Code, fieldErrorOf(rec.Body.String()))
	}
	for k, v := range (url.Values{"number": {"3"}, "starts_on": {"2018-05-10"}, "ends_on": {"2018-05-11"}, "city": {"Napier"}, "host": {"home"},
		"status": {"scheduled"}, "marking": {"RESTRICTED"}, "purpose": {sent}, "key_messages": {""}, "outcomes": {""},
		"op": {"save"}, "version": {itoa(rv.Version)}}) {
		roundForm[k] = v
	}
	if rec := b.send("POST", "/rounds/"+w.round, roundForm); rec.Code != 303 {
		t.Errorf("round form, purpose untouched: %d, %s", rec.Code, fieldErrorOf(rec.Body.String()))
	}
}

// fieldErrorOf is the first field error a page shows, shortened.
func fieldErrorOf(page string) string {
	i := strings.Index(page, `class="field-error"`)
	if i < 0 {
		return "(no field error shown)"
	}
	s := page[i:]
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// TestMarkdownWork_ParagraphStoredWithCRLFKept: the same for a paragraph:
// a sheet saved with such a paragraph left as read, its title edited.
func TestMarkdownWork_ParagraphStoredWithCRLFKept(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	storedAsBefore(f, w.sheet, 0, "Opening words.\r\n\r\n"+slowParagraph[:19000])
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = "Foreign Interference, retitled" })
}

// TestMarkdownWork_RoundAndBioNever500: texts a save refuses or keeps —
// withheld spans around costly marks, links whose address is withheld,
// tables and quotes of brackets — are each answered 200 or 422 for every
// Markdown field of a round and for a biography, never 500.
func TestMarkdownWork_RoundAndBioNever500(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	texts := []string{
		"{{s6(a): " + slowParagraph[:19000] + "}}",
		strings.Repeat("[x]({{s6(a): y}}) ", 1000),
		strings.Repeat("{{s6(a): [}}", 1500),
		strings.Repeat("*_`[<", 3900),
		strings.Repeat("[", 49999),
		strings.Repeat("![", 10000),
		strings.Repeat("> [", 6000),
		strings.Repeat("| [ |\n", 3000),
	}
	put := func(path, field, text string) {
		r := f.do("secretariat", "GET", path, nil)
		var m map[string]any
		r.json(&m)
		m[field] = text
		p := f.do("secretariat", "PUT", path, m, "If-Match", r.Header().Get("ETag"))
		if p.Code != 200 && p.Code != 422 {
			t.Errorf("%s %s = %.40q…: %d %.160s", path, field, text, p.Code, p.Body.String())
		}
	}
	for _, text := range texts {
		for _, field := range []string{"purpose", "key_messages", "outcomes"} {
			put("/api/v1/rounds/"+w.round, field, text)
		}
		put("/api/v1/people/"+w.person, "bio", text)
	}
}

// storedBioAndRoundBefore stores the world's person's biography and its
// round's purpose and outcomes (key messages too, when outcomes are
// given) as a release before the Markdown limit left them, as
// storedAsBefore does a paragraph.
func storedBioAndRoundBefore(t *testing.T, f *fixture, w world, bio, purpose, outcomes string) {
	t.Helper()
	ctx := context.Background()
	p, err := f.db.Person(ctx, w.person)
	if err != nil {
		t.Fatal(err)
	}
	p.Bio = bio
	if err := f.db.UpdatePerson(ctx, p, briefing.Actor{Name: "an earlier release"}); err != nil {
		t.Fatal(err)
	}
	r, err := f.db.Round(ctx, w.round)
	if err != nil {
		t.Fatal(err)
	}
	r.Purpose = purpose
	if outcomes != "" {
		r.KeyMessages, r.Outcomes = outcomes, outcomes
	}
	if err := f.db.UpdateRound(ctx, r, briefing.Actor{Name: "an earlier release"}, nil); err != nil {
		t.Fatal(err)
	}
}
