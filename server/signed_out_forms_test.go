package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPages_FormSentSignedOut: a form sent once the session has ended is
// not acted on, and signing in goes back to the page it was on (its
// Referer, when the browser sends one of this site's pages, else the page
// its address belongs to), saying the form was not sent.
// Before, signing in sent the browser to the form's own address, which
// takes only POST: 405 under "Signed in.".
func TestPages_FormSentSignedOut(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("lead")
	b.open("/rounds/" + w.round)
	f.clock.Add(2*time.Hour + 2*time.Minute) // idle past the timeout
	form := url.Values{"csrf_token": {b.csrf}, "force": {"on"}}
	rec := b.send("POST", "/rounds/"+w.round+"/freeze", form)
	login := seeOther(t, rec, "/login?next="+url.QueryEscape("/rounds/"+w.round)+"&unsent=1")
	page := b.open(login)
	if !strings.Contains(page, "the form you sent was not") || !strings.Contains(page, `name="unsent" value="1"`) {
		t.Fatalf("the sign-in page does not say the form was not sent: %s", page)
	}
	rec = b.send("POST", "/login", url.Values{"name": {"lead"}, "password": {testPassword}, "next": {"/rounds/" + w.round}, "unsent": {"1"}})
	page = b.open(seeOther(t, rec, "/rounds/"+w.round))
	if !strings.Contains(page, `class="flash warning"`) || !strings.Contains(page, "the form you sent was not: nothing was changed. Send it again.") {
		t.Errorf("the round page does not say the form was not sent: %s", page)
	}
	f.tokens["lead"] = f.login("lead", testPassword)
	if r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/packs", nil); r.Code != 200 || strings.Contains(r.Body.String(), `"sha256"`) {
		t.Errorf("the round was frozen: %d %s", r.Code, r.Body.String())
	}

	// Without a cookie at all, from each form's address, and by Referer.
	formType := []string{"Content-Type", "application/x-www-form-urlencoded"}
	for _, c := range []struct{ path, referer, want string }{
		{"/sheets/" + w.sheet + "/review", "", "/sheets/" + w.sheet},
		{"/sheets/" + w.sheet + "/review", "http://example.com/rounds/" + w.round + "?x=1", "/rounds/" + w.round + "?x=1"},
		{"/sheets/" + w.sheet + "/review", "http://evil.example/rounds/" + w.round, "/sheets/" + w.sheet},
		{"/sheets/" + w.sheet + "/review", "http://example.com//evil.example/rounds/" + w.round, "/sheets/" + w.sheet},
		{"/sheets/" + w.sheet + "/review", "http://example.com/rounds/" + w.round + "/import", "/sheets/" + w.sheet},
		{"/sheets/" + w.sheet + "/edit", "", "/sheets/" + w.sheet + "/edit"},
		{"/rounds/" + w.round + "/sheets/from-text", "", "/rounds/" + w.round},
		{"/dialogues/" + w.dialogue + "/rounds", "", "/dialogues/" + w.dialogue},
		{"/admin/users/7", "", "/admin/users"},
		{"/actions/" + w.action, "", "/"},
	} {
		r := f.do("", "POST", c.path, "decision=clear&version=1", append(formType, "Referer", c.referer)...)
		if want := "/login?next=" + url.QueryEscape(c.want) + "&unsent=1"; r.Code != 303 || r.Header().Get("Location") != want {
			t.Errorf("POST %s from %q: %d to %q, want %q", c.path, c.referer, r.Code, r.Header().Get("Location"), want)
		}
	}
	// A page asked for is gone back to as ever; signing out signed out is done.
	if r := f.do("", "GET", "/rounds/"+w.round+"?x=1", nil); r.Header().Get("Location") != "/login?next="+url.QueryEscape("/rounds/"+w.round+"?x=1") {
		t.Errorf("GET signed out: %q", r.Header().Get("Location"))
	}
	if r := f.do("", "POST", "/logout", "", formType...); r.Header().Get("Location") != "/login" {
		t.Errorf("sign-out signed out: %q", r.Header().Get("Location"))
	}
}
