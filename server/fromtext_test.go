package server_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const briefText = "Counter Terrorism\t\n" +
	"<b>Situational assessment</b>\t<ul><li>• Terrorism is a pervasive, cross-border threat.</li><li>• National terrorism threat level remains at Low.</li></ul>\n" +
	"<b>Our Counter Terrorism Approach</b>\t<ul><li>• Focus on key enablers S6(a)</li></ul> <p>S6(a)</p>\n" +
	"<b>What is New Zealand currently doing, or actively planning to do?</b>\t<ul><li>• CT legislation.</li></ul>\n"

func TestSheetService_FromText(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	count := func() int {
		var l struct{ Items []any }
		f.do("officer", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).json(&l)
		return len(l.Items)
	}
	before := count()
	r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text?preview=true", map[string]string{"text": briefText})
	if r.Code != 200 {
		t.Fatalf("preview: %d %s", r.Code, r.Body.String())
	}
	var sh sheetJSON
	r.json(&sh)
	if sh.Title != "Counter Terrorism" || sh.ID != "" || len(sh.Sections) != 3 || sh.Sections[1].Kind != "custom" ||
		sh.Sections[1].Heading != "Our Counter Terrorism Approach" || sh.Sections[2].Kind != "current" ||
		sh.Sections[2].Heading != "What is New Zealand currently doing, or actively planning to do?" {
		t.Fatalf("preview: %s", r.Body.String())
	}
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if p.Marking != "RESTRICTED" { // the round's
				t.Errorf("marking %q", p.Marking)
			}
		}
	}
	if p := sh.Sections[1].Paragraphs; len(p) != 2 || !strings.Contains(p[0].Text, "{{s6(a): ") || p[1].Withhold != "s6(a)" {
		t.Errorf("withholding read from the marks: %+v", p)
	}
	if n := count(); n != before {
		t.Fatalf("a preview created a sheet: %d → %d", before, n)
	}
	r = f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": briefText, "marking": "in-confidence"})
	if r.Code != 201 || r.Header().Get("Location") == "" {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	r.json(&sh)
	if got := f.sheet("officer", sh.ID); got.Sections[0].Paragraphs[0].Text != "- Terrorism is a pervasive, cross-border threat." || got.Sections[0].Paragraphs[0].Marking != "IN-CONFIDENCE" {
		t.Errorf("created: %+v", got.Sections[0].Paragraphs[0])
	}
	for name, body := range map[string]map[string]string{"empty": {"text": ""}, "no paragraphs": {"text": "Just a title\n"},
		"bad marking": {"text": briefText, "marking": "HUSH"}} {
		if r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", body); r.Code != 422 {
			t.Errorf("%s: %d %s", name, r.Code, r.Body.String())
		}
	}
	if r := f.do("lowofficer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": briefText, "marking": "SECRET"}); r.Code != 403 {
		t.Errorf("above clearance: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("viewer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": briefText}); r.Code != 403 {
		t.Errorf("viewer: %d", r.Code)
	}
}

// TestFromText_Page drives the round page's form: a preview shows the
// sections and paragraphs and keeps the text; create opens the editor.
func TestFromText_Page(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	lr := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	lr.json(&login)
	cookie := "briefpack_session=" + lr.Result().Cookies()[0].Value
	post := func(op string) *httptest.ResponseRecorder {
		form := url.Values{"csrf_token": {login.CSRF}, "op": {op}, "text": {briefText}}
		req := httptest.NewRequest("POST", "/rounds/"+w.round+"/sheets/from-text", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	rec := post("preview")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Our Counter Terrorism Approach") || !strings.Contains(body, "[withheld: s6(a)]") ||
		!strings.Contains(body, "nothing saved yet") || !strings.Contains(body, "Terrorism is a pervasive") {
		t.Fatalf("preview: %d %s", rec.Code, body)
	}
	rec = post("create")
	if rec.Code != 303 || !strings.HasSuffix(rec.Header().Get("Location"), "/edit") {
		t.Fatalf("create: %d %v", rec.Code, rec.Header())
	}
	// A marking above the officer is refused as such (403), the text kept.
	form := url.Values{"csrf_token": {login.CSRF}, "op": {"preview"}, "text": {briefText}, "marking": {"TOP SECRET"}}
	req := httptest.NewRequest("POST", "/rounds/"+w.round+"/sheets/from-text", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "Terrorism is a pervasive") {
		t.Fatalf("a marking above the officer: %d %s", rec.Code, rec.Body.String())
	}
}

// TestFromText_Markings drives QA's examples through the router: what the
// text marks is stored at that marking, so a reader below it never sees
// it, and a writer below it cannot bring it in.
func TestFromText_Markings(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	from := func(user string, body map[string]string) response {
		t.Helper()
		return f.do(user, "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", body)
	}
	count := func() int {
		var l struct{ Items []any }
		f.do("officer", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).json(&l)
		return len(l.Items)
	}
	outline := func(sh sheetJSON) string {
		var got []string
		for _, sec := range sh.Sections {
			got = append(got, "#"+sec.Kind+":"+sec.Heading)
			for _, p := range sec.Paragraphs {
				got = append(got, p.Text+"|"+p.Marking)
			}
		}
		return strings.Join(got, "\n")
	}
	t.Run("Banners", func(t *testing.T) {
		text := "SECRET\nMaritime Security\nSituational assessment\n- Illegal fishing zanzibar is rising.\n- Patrol coverage is thin.\n" +
			"What could New Zealand partner with Australia to achieve?\n- Joint patrols.\nSECRET"
		r := from("officer", map[string]string{"text": text})
		if r.Code != 201 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		var sh sheetJSON
		r.json(&sh)
		want := "#situation:Situational assessment\n- Illegal fishing zanzibar is rising.|SECRET\n- Patrol coverage is thin.|SECRET\n" +
			"#partnering:What could New Zealand partner with Australia to achieve?\n- Joint patrols.|SECRET"
		if got := f.sheet("officer", sh.ID); got.Title != "Maritime Security" || outline(got) != want {
			t.Fatalf("title %q\n%s", got.Title, outline(got))
		}
		if r := f.do("viewer", "GET", "/api/v1/sheets/"+sh.ID, nil); r.Code != 404 {
			t.Errorf("a RESTRICTED viewer reads it: %d %s", r.Code, r.Body.String())
		}
		if r := f.do("viewer", "GET", "/api/v1/search?q=Maritime", nil); strings.Contains(r.Body.String(), "Maritime") {
			t.Errorf("a RESTRICTED viewer finds it: %s", r.Body.String())
		}
	})
	t.Run("PortionMarks", func(t *testing.T) {
		text := "Ports\nSituational assessment\n(S) Zanzibar patrols are thin.\n(C) Zanzibar fishing is rising.\n(IC) Reports are public.\n"
		r := from("officer", map[string]string{"text": text})
		if r.Code != 201 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		var sh sheetJSON
		r.json(&sh)
		want := "#situation:Situational assessment\nZanzibar patrols are thin.|SECRET\nZanzibar fishing is rising.|CONFIDENTIAL\nReports are public.|IN-CONFIDENCE"
		if got := f.sheet("officer", sh.ID); outline(got) != want {
			t.Fatalf("\n%s", outline(got))
		}
		r = f.do("viewer", "GET", "/api/v1/sheets/"+sh.ID, nil)
		if r.Code != 200 || strings.Contains(r.Body.String(), "anzibar") || !strings.Contains(r.Body.String(), "Reports are public.") {
			t.Errorf("the RESTRICTED viewer's copy: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("ErrAboveClearance", func(t *testing.T) {
		before := count()
		for name, text := range map[string]string{
			"banner":                    "SECRET\nMaritime Security\nSituational assessment\n- Patrol coverage is thin.\nSECRET\n",
			"banner over lower marks":   "SECRET//NZEO\nMaritime Security\n(R) Patrol coverage is thin.\n(U) Joint patrols.\nSECRET//NZEO\n",
			"portion mark":              "Maritime Security\n(R) Patrol coverage is thin.\n(S) Joint zanzibar patrols.\n",
			"portion-marked title":      "(TS) Maritime Security\n(R) Patrol coverage is thin.\n",
			"lower banner, higher mark": "RESTRICTED\nMaritime Security\n• (C) Patrol coverage is thin.\n",
			"caveated mark":             "Maritime Security\n(TS//SCI) Joint zanzibar patrols.\n",
			"mark in words":             "Maritime Security\n(SECRET) Joint zanzibar patrols.\n",
			"mark on its own line":      "Maritime Security\n(S)\nJoint zanzibar patrols.\n",
		} {
			for _, q := range []string{"?preview=true", ""} {
				r := f.do("lowofficer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text"+q, map[string]string{"text": text})
				if r.Code != 403 || !strings.Contains(r.Body.String(), `"text"`) {
					t.Errorf("%s%s: %d %s", name, q, r.Code, r.Body.String())
				}
			}
		}
		// The marking asked for, above the writer, is refused as that field.
		r := f.do("lowofficer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": "Title\nWords.\n", "marking": "SECRET"})
		var e struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		r.json(&e)
		if r.Code != 403 || e.Error.Fields["marking"] == "" || len(e.Error.Fields) != 1 {
			t.Errorf("a marking above the writer: %d %s", r.Code, r.Body.String())
		}
		if n := count(); n != before {
			t.Fatalf("a refused text was stored: %d sheets, then %d", before, n)
		}
	})
}

// TestFromText_Title: as QA found them, a brief saved with a byte order
// mark before its first line kept the mark in the sheet's title, and with
// a title given, a text beginning with a heading lost the heading as its
// title line, its bullets put in an "Introduction".
func TestFromText_Title(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": "\ufeffCounter Terrorism\nSituational assessment\n- Threat level is low.\n"})
	var sh sheetJSON
	if r.json(&sh); r.Code != 201 || sh.Title != "Counter Terrorism" {
		t.Fatalf("byte order mark: %d %q", r.Code, sh.Title)
	}
	r = f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text", map[string]string{"text": "Situational assessment\n- Threat level is low.\n", "title": "Counter Terrorism"})
	if r.json(&sh); r.Code != 201 || sh.Title != "Counter Terrorism" || len(sh.Sections) != 1 || sh.Sections[0].Kind != "situation" ||
		len(sh.Sections[0].Paragraphs) != 1 || sh.Sections[0].Paragraphs[0].Text != "- Threat level is low." {
		t.Fatalf("title given, heading first: %d %s", r.Code, r.Body.String())
	}
}

// TestFromText_HardWrapped: a brief pasted from a mail, wrapped at 72
// columns, is previewed a paragraph for each of its paragraphs and
// bullets, the portion mark of a wrapped paragraph's first line marking
// all of it.
func TestFromText_HardWrapped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	text := "Maritime Security\n\nSituational assessment\n\n" +
		"(S) Our assessment is that a foreign fleet has fished inside the\n" +
		"exclusive economic zone without a licence on at least three occasions\n" +
		"this year, and that it will return when the season opens.\n\n" +
		"- Joint patrols with Australia that lift coverage across the Tasman and\n" +
		"  the Southern Ocean during the toothfish season.\n"
	r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets/from-text?preview=true", map[string]string{"text": text})
	if r.Code != 200 {
		t.Fatalf("preview: %d %s", r.Code, r.Body.String())
	}
	var sh sheetJSON
	r.json(&sh)
	if len(sh.Sections) != 1 || len(sh.Sections[0].Paragraphs) != 2 {
		t.Fatalf("preview: %s", r.Body.String())
	}
	p := sh.Sections[0].Paragraphs
	if p[0].Marking != "SECRET" || !strings.HasPrefix(p[0].Text, "Our assessment") || !strings.HasSuffix(p[0].Text, " three occasions this year, and that it will return when the season opens.") {
		t.Errorf("paragraph: %+v", p[0])
	}
	if p[1].Marking != "RESTRICTED" || p[1].Text != "- Joint patrols with Australia that lift coverage across the Tasman and the Southern Ocean during the toothfish season." {
		t.Errorf("bullet: %+v", p[1])
	}
}
