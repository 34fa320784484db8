package server_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"briefpack/briefing"
)

// pageBrowser is a browser without scripts, signed in with a session
// cookie: it sends the editor's form as a browser would and follows nothing
// by itself, so each redirect is seen.
type pageBrowser struct {
	f       *fixture
	cookies map[string]string // the session's, and a flash left for the next page
	csrf    string
}

func (f *fixture) pageBrowser(name string) *pageBrowser {
	f.t.Helper()
	r := f.do("", "POST", "/api/v1/login", map[string]string{"name": name, "password": testPassword})
	if r.Code != 200 {
		f.t.Fatalf("login %s: %d", name, r.Code)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	r.json(&out)
	b := &pageBrowser{f: f, cookies: map[string]string{}, csrf: out.CSRF}
	b.keep(r.ResponseRecorder)
	return b
}

// keep keeps the cookies an answer sets, and forgets those it ends.
func (b *pageBrowser) keep(rec *httptest.ResponseRecorder) {
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(b.cookies, ck.Name)
		} else {
			b.cookies[ck.Name] = ck.Value
		}
	}
}

func (b *pageBrowser) send(method, target string, form url.Values) *httptest.ResponseRecorder {
	b.f.t.Helper()
	var req = httptest.NewRequest(method, target, nil)
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	b.f.h.ServeHTTP(rec, req)
	b.keep(rec)
	if rec.Code >= 500 {
		b.f.t.Errorf("%s %s: %d %s", method, target, rec.Code, rec.Body.String())
	}
	return rec
}

// open GETs a page (a fragment is the browser's own, never sent) and fails unless 200.
func (b *pageBrowser) open(target string) string {
	b.f.t.Helper()
	target, _, _ = strings.Cut(target, "#")
	rec := b.send("GET", target, nil)
	if rec.Code != 200 {
		b.f.t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// act sends the editor's form as it stands on page, changed by edit, with
// the button op pressed.
func (b *pageBrowser) act(sheet, page, op string, edit map[string]string) *httptest.ResponseRecorder {
	b.f.t.Helper()
	form := editorForm(page)
	for k, v := range edit {
		form.Set(k, v)
	}
	form.Set("op", op)
	return b.send("POST", "/sheets/"+sheet+"/edit", form)
}

var (
	formTag      = regexp.MustCompile(`(?s)<form class="sheet-editor".*?</form>`)
	inputTag     = regexp.MustCompile(`<input\b[^>]*>`)
	textareaTag  = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	selectTag    = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	optionTag    = regexp.MustCompile(`<option\b([^>]*)>`)
	attributeRe  = regexp.MustCompile(`([a-z_-]+)(?:="([^"]*)")?`)
	paragraphIDs = regexp.MustCompile(`name="s(\d+)\.p(\d+)\.id" value="([^"]*)"`)
)

func attributes(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attributeRe.FindAllStringSubmatch(tag, -1) {
		if _, ok := out[m[1]]; !ok {
			out[m[1]] = html.UnescapeString(m[2])
		}
	}
	return out
}

// editorForm reads the editor's form on a page as a browser sends it: every
// named input (a radio when checked), textarea and select (its selected
// option, or its first), and no button.
func editorForm(page string) url.Values {
	form := url.Values{}
	body := formTag.FindString(page)
	for _, tag := range inputTag.FindAllString(body, -1) {
		a := attributes(strings.TrimPrefix(tag, "<input"))
		if a["name"] == "" {
			continue
		}
		if _, checked := a["checked"]; a["type"] == "radio" && !checked {
			continue
		}
		form.Set(a["name"], a["value"])
	}
	for _, m := range textareaTag.FindAllStringSubmatch(body, -1) {
		form.Set(attributes(m[1])["name"], html.UnescapeString(strings.TrimPrefix(m[2], "\n")))
	}
	for _, m := range selectTag.FindAllStringSubmatch(body, -1) {
		value, first := "", true
		for _, o := range optionTag.FindAllStringSubmatch(m[2], -1) {
			a := attributes(o[1])
			if _, sel := a["selected"]; sel || first {
				value, first = a["value"], false
			}
		}
		form.Set(attributes(m[1])["name"], value)
	}
	return form
}

// seeOther checks an answer is a 303 to want and returns where it leads.
func seeOther(t *testing.T, rec *httptest.ResponseRecorder, want string) string {
	t.Helper()
	if rec.Code != 303 || rec.Header().Get("Location") != want {
		t.Fatalf("answer %d to %q, want 303 to %q: %s", rec.Code, rec.Header().Get("Location"), want, rec.Body.String())
	}
	return want
}

// TestEditor_PostRedirectGet: without scripts, every change made in the
// editor short of a save is answered with a redirect to the working copy,
// kept as the writer's draft: the GET shows it, a refresh shows it again
// and changes nothing, and a save after the round trips merges it against
// the version the editor was opened at.
func TestEditor_PostRedirectGet(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	edit := "/sheets/" + w.sheet + "/edit"
	working := edit + "?working=1"
	start := f.sheet("officer", w.sheet)
	open, secret := start.Sections[0].Paragraphs[0], start.Sections[0].Paragraphs[1]

	page := b.open(edit)
	if strings.Contains(page, "data-unsaved") {
		t.Fatal("the sheet as stored shows as unsaved")
	}
	// Typed text goes with the change: it is in the working copy.
	page = b.open(seeOther(t, b.act(w.sheet, page, "add-para:0", map[string]string{"s0.p1.text": "Zanzibar assessment, as the officer revises it."}), working+"#s0-p2"))
	form := editorForm(page)
	if form.Get("s0.n") != "3" || form.Get("s0.p2.id") != "" || form.Get("s0.p2.text") != "" || form.Get("s0.p2.marking") != "RESTRICTED" {
		t.Fatalf("the added paragraph is not in the working copy: %v", form)
	}
	if form.Get("s0.p1.text") != "Zanzibar assessment, as the officer revises it." || form.Get("version") != "1" {
		t.Fatalf("the working copy lost what was typed, or its version: %q, version %q", form.Get("s0.p1.text"), form.Get("version"))
	}
	if !strings.Contains(page, "You have unsaved changes.") || !strings.Contains(page, "data-unsaved") || !strings.Contains(page, `id="s0-p2"`) {
		t.Fatal("the working copy does not show as unsaved, or has no anchor for the added paragraph")
	}

	t.Run("RefreshChangesNothing", func(t *testing.T) {
		before, err := f.db.Draft(context.Background(), userID(t, f, "officer"), w.sheet)
		if err != nil {
			t.Fatal(err)
		}
		again := b.open(working)
		if got := editorForm(again); got.Encode() != form.Encode() {
			t.Fatalf("a refresh changed the working copy:\n%v\n%v", got, form)
		}
		after, err := f.db.Draft(context.Background(), userID(t, f, "officer"), w.sheet)
		if err != nil || !after.At.Equal(before.At) || len(after.Fields) != len(before.Fields) {
			t.Fatalf("a refresh wrote the draft again: %v %v", before, after)
		}
		if sh := f.sheet("officer", w.sheet); sh.Version != 1 || len(sh.Sections[0].Paragraphs) != 2 {
			t.Fatalf("a change short of a save wrote the sheet: version %d", sh.Version)
		}
	})

	t.Run("EachChange", func(t *testing.T) {
		ids := func(page string) []string {
			var out []string
			for _, m := range paragraphIDs.FindAllStringSubmatch(page, -1) {
				out = append(out, m[1]+":"+m[3])
			}
			return out
		}
		page := b.open(seeOther(t, b.act(w.sheet, b.open(working), "down-para:0:0", nil), working+"#s0-p1"))
		if got := strings.Join(ids(page), " "); got != "0:"+secret.ID+" 0:"+open.ID+" 0:" {
			t.Fatalf("after moving the first paragraph down: %s", got)
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "up-para:0:2", nil), working+"#s0-p1"))
		if got := strings.Join(ids(page), " "); got != "0:"+secret.ID+" 0: 0:"+open.ID {
			t.Fatalf("after moving the last paragraph up: %s", got)
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "del-para:0:1", nil), working+"#s0-p1"))
		if got := strings.Join(ids(page), " "); got != "0:"+secret.ID+" 0:"+open.ID {
			t.Fatalf("after deleting the empty paragraph: %s", got)
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "add-section", map[string]string{"new_kind": "custom", "new_heading": "Our counter-terrorism approach"}), working+"#s2"))
		if form := editorForm(page); form.Get("n") != "3" || form.Get("s2.kind") != "custom" || form.Get("s2.heading") != "Our counter-terrorism approach" {
			t.Fatalf("the added section: %v", form)
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "up-section:2", nil), working+"#s1"))
		if form := editorForm(page); form.Get("s1.heading") != "Our counter-terrorism approach" || form.Get("s2.kind") != "offensive" {
			t.Fatalf("the section moved up: %v", form)
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "down-section:1", nil), working+"#s2"))
		page = b.open(seeOther(t, b.act(w.sheet, page, "del-section:2", nil), working+"#s1"))
		if form := editorForm(page); form.Get("n") != "2" || form.Get("s1.kind") != "offensive" {
			t.Fatalf("the section deleted: %v", form)
		}
		// A preview checks the working copy as a save would, and shows each paragraph as the pack will.
		page = b.open(seeOther(t, b.act(w.sheet, page, "add-para:1", nil), working+"#s1-p0"))
		// A new paragraph starts at its round's marking, not the lowest.
		if form := editorForm(page); form.Get("s1.p0.marking") != "RESTRICTED" {
			t.Fatalf("the added paragraph is marked %q", form.Get("s1.p0.marking"))
		}
		page = b.open(seeOther(t, b.act(w.sheet, page, "preview", nil), working+"&preview=1"))
		if !strings.Contains(page, `class="preview"`) || !strings.Contains(page, "section 2, paragraph 1 is empty") {
			t.Fatalf("the preview shows no paragraph or no message:\n%s", formTag.FindString(page))
		}
		if again := b.open(working + "&preview=1"); editorForm(again).Encode() != editorForm(page).Encode() {
			t.Fatal("a refresh of the preview changed it")
		}
		if sh := f.sheet("officer", w.sheet); sh.Version != 1 {
			t.Fatalf("the changes wrote the sheet: version %d", sh.Version)
		}
	})

	t.Run("SaveMergesWithTheirs", func(t *testing.T) {
		// Someone else saves another paragraph meanwhile.
		f.update("lead", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
			p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
			p["text"] = "We are aware of activity, as the lead put it."
		})
		page := b.open(working)
		rec := b.act(w.sheet, page, "save", map[string]string{"s1.p0.text": "A new offensive interest."})
		seeOther(t, rec, edit)
		saved := b.open(edit)
		if !strings.Contains(saved, "Saved (version 3), together with 1 change(s) lead saved") {
			t.Errorf("the save does not say it merged: %s", regexp.MustCompile(`class="flash[^"]*"[^>]*>[^<]*`).FindString(saved))
		}
		sh := f.sheet("officer", w.sheet)
		if sh.Version != 3 || len(sh.Sections) != 2 || len(sh.Sections[0].Paragraphs) != 2 || len(sh.Sections[1].Paragraphs) != 1 {
			t.Fatalf("saved: %+v", sh)
		}
		ps := sh.Sections[0].Paragraphs
		if ps[0].ID != secret.ID || ps[0].Text != "Zanzibar assessment, as the officer revises it." || ps[0].Withhold != "s6(a)" || ps[0].Marking != "SECRET" ||
			ps[1].ID != open.ID || ps[1].Text != "We are aware of activity, as the lead put it." ||
			sh.Sections[1].Paragraphs[0].Text != "A new offensive interest." {
			t.Fatalf("saved the wrong content: %+v", sh.Sections)
		}
		if r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet+"/draft", nil); r.Code != 404 {
			t.Errorf("the draft outlived the save: %d", r.Code)
		}
		// The address of the working copy, opened again: the sheet as saved, saying so.
		rec = b.send("GET", working, nil)
		seeOther(t, rec, edit)
		if page := b.open(edit); !strings.Contains(page, "no longer kept") || strings.Contains(page, "data-unsaved") {
			t.Error("no working copy: the page does not say so")
		}
	})

	t.Run("SaveInConflict", func(t *testing.T) {
		page := b.open(edit)
		page = b.open(seeOther(t, b.act(w.sheet, page, "add-para:1", map[string]string{"s0.p0.text": "Zanzibar, second thoughts of the officer."}), working+"#s1-p1"))
		f.update("lead", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
			p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
			p["text"] = "Zanzibar, second thoughts of the lead."
		})
		rec := b.act(w.sheet, page, "save", map[string]string{"s1.p1.text": "Another offensive interest."})
		if body := rec.Body.String(); rec.Code != 409 || !strings.Contains(body, "conflict-choice") ||
			!strings.Contains(body, "second thoughts of the lead") || !strings.Contains(body, "second thoughts of the officer") {
			t.Fatalf("a save over the same paragraph: %d", rec.Code)
		}
		if sh := f.sheet("officer", w.sheet); sh.Version != 4 || sh.Sections[0].Paragraphs[0].Text != "Zanzibar, second thoughts of the lead." {
			t.Fatalf("a conflict wrote something: version %d", sh.Version)
		}
		// Theirs chosen, the rest of the working copy is saved.
		rec = b.act(w.sheet, rec.Body.String(), "save", map[string]string{"choose." + secret.ID: "theirs"})
		seeOther(t, rec, edit)
		sh := f.sheet("officer", w.sheet)
		if sh.Version != 5 || sh.Sections[0].Paragraphs[0].Text != "Zanzibar, second thoughts of the lead." || len(sh.Sections[1].Paragraphs) != 2 ||
			sh.Sections[1].Paragraphs[1].Text != "Another offensive interest." {
			t.Fatalf("after choosing: %+v", sh)
		}
	})

	t.Run("HeadingInConflict", func(t *testing.T) {
		// Two headings for one section: the conflict is shown at the
		// section, and theirs can be taken there.
		page := b.open(edit)
		f.update("lead", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
			sh["sections"].([]any)[1].(map[string]any)["heading"] = "What the lead wants from it"
		})
		rec := b.act(w.sheet, page, "save", map[string]string{"s1.heading": "What the officer wants from it"})
		body := rec.Body.String()
		if rec.Code != 409 || !strings.Contains(body, `name="choose.s1"`) || !strings.Contains(body, `name="theirs.s1" value="What the lead wants from it"`) {
			t.Fatalf("a save over the same heading: %d", rec.Code)
		}
		rec = b.act(w.sheet, body, "save", map[string]string{"choose.s1": "theirs"})
		seeOther(t, rec, edit)
		if sh := f.sheet("officer", w.sheet); sh.Sections[1].Heading != "What the lead wants from it" {
			t.Fatalf("after taking theirs the heading is %q", sh.Sections[1].Heading)
		}
	})
}

// TestEditor_WorkingCopyClearance: a RESTRICTED writer's working copy holds
// only what they may see, a draft cannot show them more, and their save
// keeps the paragraphs above them exactly.
func TestEditor_WorkingCopyClearance(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lowofficer")
	edit := "/sheets/" + w.sheet + "/edit"
	working := edit + "?working=1"
	whole := f.sheet("officer", w.sheet)
	secret := whole.Sections[0].Paragraphs[1]
	hidden := func(t *testing.T, page string) {
		t.Helper()
		for _, s := range []string{"Zanzibar assessment", `value="` + secret.ID + `"`, `id="para-` + secret.ID + `"`, `<option value="SECRET"`} {
			if strings.Contains(page, s) {
				t.Errorf("the working copy shows %q, above the reader", s)
			}
		}
	}
	page := b.open(seeOther(t, b.act(w.sheet, b.open(edit), "add-para:0", map[string]string{"s0.p0.text": "We are aware, as the RESTRICTED officer put it."}), working+"#s0-p1"))
	hidden(t, page)
	if form := editorForm(page); form.Get("s0.n") != "2" || form.Get("s0.p0.text") != "We are aware, as the RESTRICTED officer put it." {
		t.Fatalf("the working copy: %v", form)
	}
	// Their save keeps the SECRET paragraph exactly.
	seeOther(t, b.act(w.sheet, page, "save", map[string]string{"s0.p1.text": "A paragraph at RESTRICTED.", "s0.p1.marking": "RESTRICTED"}), edit)
	sh := f.sheet("officer", w.sheet)
	ps := sh.Sections[0].Paragraphs
	if sh.Version != 2 || len(ps) != 3 || ps[1] != secret || ps[0].Text != "We are aware, as the RESTRICTED officer put it." || ps[2].Text != "A paragraph at RESTRICTED." {
		t.Fatalf("saved: %+v", ps)
	}

	t.Run("AMarkingAboveThemIsNotKept", func(t *testing.T) {
		rec := b.act(w.sheet, b.open(edit), "add-para:0", map[string]string{"s0.p0.marking": "SECRET"})
		if rec.Code != 403 {
			t.Fatalf("a working copy marked above its writer: %d", rec.Code)
		}
		if r := f.do("lowofficer", "GET", "/api/v1/sheets/"+w.sheet+"/draft", nil); r.Code != 404 {
			t.Fatalf("it was kept: %d", r.Code)
		}
	})

	// Drafts kept before the writer's clearance was lowered, or a paragraph
	// marked above them since: neither is shown back.
	for name, fields := range map[string]map[string]string{
		"ParagraphAboveThem": {"s0.p0.id": secret.ID, "s0.p0.text": secret.Text, "s0.p0.marking": "RESTRICTED"},
		"MarkingAboveThem":   {"s0.p0.id": "", "s0.p0.text": secret.Text, "s0.p0.marking": "SECRET"},
	} {
		t.Run(name, func(t *testing.T) {
			d := &briefing.Draft{Version: 2, Fields: map[string]string{"title": "Foreign Interference", "withhold": "", "status": "draft", "owner_id": "", "n": "1",
				"s0.kind": "situation", "s0.heading": "", "s0.n": "1", "s0.p0.withhold": ""}}
			for k, v := range fields {
				d.Fields[k] = v
			}
			if err := f.db.PutDraft(context.Background(), userID(t, f, "lowofficer"), w.sheet, d); err != nil {
				t.Fatal(err)
			}
			seeOther(t, b.send("GET", working, nil), edit)
			page := b.open(edit)
			hidden(t, page)
			if !strings.Contains(page, "no longer kept") {
				t.Error("the page does not say the working copy is gone")
			}
		})
	}
}

// userID returns a fixture user's id.
func userID(t *testing.T, f *fixture, name string) string {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	f.do(name, "GET", "/api/v1/me", nil).json(&me)
	if me.ID == "" {
		t.Fatalf("no id for %s", name)
	}
	return me.ID
}

// TestCommentForm_RefusedShowsWhyAndKeepsText: a comment the sheet page
// refuses — marked below its paragraph — comes back in its form as typed,
// with the reason, and nothing is added.
func TestCommentForm_RefusedShowsWhyAndKeepsText(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sh := f.sheet("officer", w.sheet)
	var secret string
	for _, p := range sh.Sections[0].Paragraphs {
		if p.Marking == "SECRET" {
			secret = p.ID
		}
	}
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet)
	if !strings.Contains(page, `id="comment-form"`) {
		t.Fatal("no comment form")
	}
	typed := "Please check the <zanzibar> figures & sources."
	rec := b.send("POST", "/sheets/"+w.sheet+"/comments", url.Values{"csrf_token": {b.csrf}, "paragraph_id": {secret}, "text": {typed}, "marking": {"RESTRICTED"}})
	body := rec.Body.String()
	if rec.Code != 422 || !strings.Contains(body, `id="comment-error"`) || !strings.Contains(body, "marking") {
		t.Fatalf("refused comment: %d %s", rec.Code, body)
	}
	if !strings.Contains(body, ">"+html.EscapeString(typed)+"</textarea>") {
		t.Errorf("the typed comment is lost: %s", body)
	}
	if !regexp.MustCompile(`<option value="`+secret+`" selected>`).MatchString(body) || !strings.Contains(body, `<option value="RESTRICTED" selected>`) {
		t.Errorf("the paragraph or marking chosen is lost")
	}
	if r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet+"/comments", nil); strings.Contains(r.Body.String(), "zanzibar") {
		t.Errorf("a refused comment was added: %s", r.Body.String())
	}
	// Accepted, it goes back to the sheet's comments.
	rec = b.send("POST", "/sheets/"+w.sheet+"/comments", url.Values{"csrf_token": {b.csrf}, "paragraph_id": {secret}, "text": {typed}, "marking": {"SECRET"}})
	if rec.Code != 303 || rec.Header().Get("Location") != "/sheets/"+w.sheet+"#comments" {
		t.Fatalf("accepted comment: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

// TestEditor_LineEnds: a browser sends a text area's lines ended "\r\n".
// A save through the editor keeps the lines as the API does, "\n", so a
// multi-line paragraph the writer did not touch is not changed by the save,
// and a change to it saved meanwhile by another writer merges, not a
// conflict. So does a form sent as multipart/form-data (before, only an
// urlencoded form's lines were ended "\n").
func TestEditor_LineEnds(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, encoding := range []string{"urlencoded", "multipart"} {
		t.Run(encoding, func(t *testing.T) {
			list := "Our points:\n\n- first\n- second"
			id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Trade "+encoding,
				para(list, "RESTRICTED", ""), para("One line.", "RESTRICTED", "")))
			b := f.pageBrowser("officer")
			page := b.open("/sheets/" + id + "/edit")
			// Another writer changes the list meanwhile.
			f.update("lead", "/api/v1/sheets/"+id, func(sh map[string]any) {
				p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
				p["text"] = list + "\n- third, the lead's"
			})
			form := editorForm(page)
			for k, v := range form {
				if strings.HasSuffix(k, ".text") {
					form.Set(k, strings.ReplaceAll(v[0], "\n", "\r\n")) // as a browser sends a text area
				}
			}
			form.Set("s0.p1.text", "One line, revised\r\ninto two.")
			form.Set("op", "save")
			if encoding == "multipart" {
				seeOther(t, b.sendMultipart("/sheets/"+id+"/edit", form), "/sheets/"+id+"/edit")
			} else {
				seeOther(t, b.send("POST", "/sheets/"+id+"/edit", form), "/sheets/"+id+"/edit")
			}
			sh := f.sheet("officer", id)
			var texts []string
			for _, p := range sh.Sections[0].Paragraphs {
				texts = append(texts, p.Text)
			}
			want := []string{list + "\n- third, the lead's", "One line, revised\ninto two."}
			if strings.Join(texts, "|") != strings.Join(want, "|") {
				t.Fatalf("saved %q, want %q", texts, want)
			}
		})
	}
}
