package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// onceIDs are the ids of their own a page gives its forms.
var onceIDs = regexp.MustCompile(`name="once" value="[0-9a-f]+"`)

// formOn reads the hidden fields of the form on page whose action is
// action, as a browser sends them.
func formOn(t *testing.T, page, action string) url.Values {
	t.Helper()
	body := regexp.MustCompile(`(?s)<form\b[^>]*action="` + regexp.QuoteMeta(action) + `"[^>]*>.*?</form>`).FindString(page)
	if body == "" {
		t.Fatalf("no form to %s on the page", action)
	}
	form := url.Values{}
	for _, tag := range inputTag.FindAllString(body, -1) {
		if a := attributes(strings.TrimPrefix(tag, "<input")); a["type"] == "hidden" && a["name"] != "" {
			form.Set(a["name"], a["value"])
		}
	}
	return form
}

// TestForms_ActedOnOnce: a form that makes something, sent twice as a
// browser without the pages' script sends it on a second click, makes it
// once; the second sending goes back to the page the form is on, told so.
// A sending refused gives the form's id back, so the form corrected is
// acted on; a page sent again gives its forms new ids.
func TestForms_ActedOnOnce(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lead")
	roundPage := "/rounds/" + w.round
	page := b.open(roundPage)
	count := func(path string) int {
		var out struct{ Items []map[string]any }
		f.do("admin", "GET", path, nil).json(&out)
		return len(out.Items)
	}
	twice := func(action string, form url.Values) {
		t.Helper()
		if form.Get("once") == "" {
			t.Fatalf("the form to %s has no id of its own", action)
		}
		if r := b.send("POST", action, form); r.Code != 303 {
			t.Fatalf("%s: %d %s", action, r.Code, r.Body.String())
		}
		r := b.send("POST", action, form) // no Referer: the pages send none
		if r.Code != 303 || r.Header().Get("Location") != roundPage {
			t.Errorf("%s sent again: %d to %q", action, r.Code, r.Header().Get("Location"))
		}
		if !strings.Contains(b.open(roundPage), "had already been sent") {
			t.Errorf("%s sent again: the page does not say so", action)
		}
	}

	freeze := formOn(t, page, "/rounds/"+w.round+"/freeze")
	freeze.Set("force", "on")
	twice("/rounds/"+w.round+"/freeze", freeze)
	if n := count("/api/v1/rounds/" + w.round + "/packs"); n != 1 {
		t.Errorf("%d snapshots from one form sent twice", n)
	}

	sheets := count("/api/v1/rounds/" + w.round + "/sheets")
	newSheet := formOn(t, page, "/rounds/"+w.round+"/sheets")
	if r := b.send("POST", "/rounds/"+w.round+"/sheets", newSheet); r.Code < 400 {
		t.Fatalf("a new sheet without a title: %d", r.Code)
	}
	newSheet.Set("title", "Maritime security")
	twice("/rounds/"+w.round+"/sheets", newSheet)
	if n := count("/api/v1/rounds/" + w.round + "/sheets"); n != sheets+1 {
		t.Errorf("%d sheets made from one form sent twice (and once refused)", n-sheets)
	}

	page = b.open(roundPage)
	add := formOn(t, page, "/rounds/"+w.round+"/agenda")
	if add.Get("once") == newSheet.Get("once") || add.Get("once") == freeze.Get("once") {
		t.Error("forms share an id")
	}
	add.Set("op", "add")
	add.Set("title", "Working lunch")
	twice("/rounds/"+w.round+"/agenda", add)
	var round struct{ Agenda []map[string]any }
	f.do("admin", "GET", "/api/v1/rounds/"+w.round, nil).json(&round)
	lunches := 0
	for _, it := range round.Agenda {
		if it["title"] == "Working lunch" {
			lunches++
		}
	}
	if lunches != 1 {
		t.Errorf("the agenda has %d working lunches from one form sent twice", lunches)
	}
}

// TestForms_RefusedByRedirect: a form refused with nothing done, though
// answered with a redirect (as the roll-forward and next-round forms
// answer), gives its id back: sent again once what refused it is gone, it
// is acted on, where it was told it had been sent already.
func TestForms_RefusedByRedirect(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("officer")
	page := b.open("/sheets/" + w.sheet)
	form := formOn(t, page, "/sheets/"+w.sheet+"/rollforward")
	if form.Get("once") == "" {
		t.Fatal("no once id")
	}
	form.Set("round_id", w.secretRound)
	path := "/api/v1/sheets/" + w.sheet
	// Meanwhile the lead adds a paragraph above the officer: the roll-forward is refused.
	f.update("lead", path, func(m map[string]any) {
		s := m["sections"].([]any)[0].(map[string]any)
		s["paragraphs"] = append(s["paragraphs"].([]any), map[string]any{"text": "Top words.", "marking": "TOP SECRET"})
	})
	r := b.send("POST", "/sheets/"+w.sheet+"/rollforward", form)
	if r.Code != 303 || !strings.Contains(b.open(r.Header().Get("Location")), "Not rolled forward") {
		t.Fatalf("first sending: %d %q", r.Code, r.Header().Get("Location"))
	}
	// The lead takes it out again; the officer sends the form again.
	f.update("lead", path, func(m map[string]any) {
		s := m["sections"].([]any)[0].(map[string]any)
		ps := s["paragraphs"].([]any)
		s["paragraphs"] = ps[:len(ps)-1]
	})
	r = b.send("POST", "/sheets/"+w.sheet+"/rollforward", form)
	loc := r.Header().Get("Location")
	if !strings.HasSuffix(loc, "/edit") {
		t.Errorf("second sending after a refusal: %d to %q (%v), want the new sheet's editor", r.Code, loc,
			strings.Contains(b.open(loc), "had already been sent"))
	}
}

// TestForms_HeldAnHourFromTheSendingThatActed: a form's id is held an hour
// from the sending that acted, not from a first one that was refused: the
// new-sheet form sent without a title, corrected and sent 59 minutes
// later, made the sheet again with the back button two minutes after.
func TestForms_HeldAnHourFromTheSendingThatActed(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lead")
	action := "/rounds/" + w.round + "/sheets"
	form := formOn(t, b.open("/rounds/"+w.round), action)
	count := func() int {
		var out struct{ Items []map[string]any }
		f.do("admin", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).json(&out)
		return len(out.Items)
	}
	before := count()
	if r := b.send("POST", action, form); r.Code != http.StatusUnprocessableEntity {
		t.Fatalf("without a title: %d", r.Code)
	}
	f.clock.Add(59 * time.Minute)
	b.open("/") // keeps the session alive
	form.Set("title", "Maritime security")
	if r := b.send("POST", action, form); r.Code != http.StatusSeeOther || !strings.HasSuffix(r.Header().Get("Location"), "/edit") {
		t.Fatalf("corrected: %d %q", r.Code, r.Header().Get("Location"))
	}
	f.clock.Add(2 * time.Minute)
	r := b.send("POST", action, form)
	if n := count(); n != before+1 {
		t.Errorf("%d sheets from one form: sent again 2 minutes after it acted, it was acted on again (%d to %q)",
			n-before, r.Code, r.Header().Get("Location"))
	}
}

// sendMultipart sends form encoded as multipart/form-data, as a form with
// enctype="multipart/form-data" sends it.
func (b *pageBrowser) sendMultipart(target string, form url.Values) *httptest.ResponseRecorder {
	b.f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", target, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	b.f.h.ServeHTTP(rec, req)
	b.keep(rec)
	return rec
}

// TestForms_ActedOnOnceAsMultipart: the handlers read a form's fields
// whatever its encoding, and so is its id: the freeze form sent twice as
// multipart/form-data made two snapshots. (A form without an id, as the
// import's, is acted on each time: TestImport_PreviewCountsAsImport.)
func TestForms_ActedOnOnceAsMultipart(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lead")
	roundPage := "/rounds/" + w.round
	action := "/rounds/" + w.round + "/freeze"
	form := formOn(t, b.open(roundPage), action)
	form.Set("force", "on")
	if r := b.sendMultipart(action, form); r.Code != http.StatusSeeOther {
		t.Fatalf("first sending: %d %s", r.Code, r.Body.String())
	}
	r := b.sendMultipart(action, form)
	if r.Code != http.StatusSeeOther || r.Header().Get("Location") != roundPage || !strings.Contains(b.open(roundPage), "had already been sent") {
		t.Errorf("sent again: %d to %q, not back to the round page told so", r.Code, r.Header().Get("Location"))
	}
	var out struct{ Items []map[string]any }
	f.do("admin", "GET", "/api/v1/rounds/"+w.round+"/packs", nil).json(&out)
	if len(out.Items) != 1 {
		t.Errorf("%d snapshots from one form sent twice as multipart", len(out.Items))
	}
}
