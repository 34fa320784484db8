package server_test

import (
	"net/url"
	"regexp"
	"testing"
)

// autofocused is the id of the first field on a page that asks for the
// focus when the page opens (the one a browser gives it to), or "".
func autofocused(page string) string {
	tag := regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\sautofocus\b[^>]*>`).FindString(page)
	if m := regexp.MustCompile(`\sid="([^"]*)"`).FindStringSubmatch(tag); m != nil {
		return m[1]
	}
	return ""
}

// TestForms_RefusedFormFocusesTheField: a form refused for one of its
// fields comes back asking for the focus on that field, as the agenda's
// and the editor's forms do, so that it has it without scripts too: the
// round's form (Starts on after Ends on), the form adding a user (a short
// password), the comment form (an empty comment) and the review form
// (Return without a comment). Before, none of them asked for it (with
// scripts the round's gave it to its first field, Number).
func TestForms_RefusedFormFocusesTheField(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	open := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Open words", para("Plain words.", "RESTRICTED", "")))
	refused := func(b *pageBrowser, path string, form url.Values) string {
		t.Helper()
		rec := b.send("POST", path, form)
		if rec.Code < 400 {
			t.Fatalf("POST %s: %d, not refused", path, rec.Code)
		}
		return rec.Body.String()
	}

	sec := f.pageBrowser("secretariat")
	round := formOn(t, sec.open("/rounds/"+w.round), "/rounds/"+w.round)
	for k, v := range map[string]string{"op": "save", "number": "3", "starts_on": "2018-05-20", "ends_on": "2018-05-11",
		"city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED"} {
		round.Set(k, v)
	}
	if got := autofocused(refused(sec, "/rounds/"+w.round, round)); got != "f-ends_on" {
		t.Errorf("the refused round form focuses %q, not f-ends_on", got)
	}

	admin := f.pageBrowser("admin")
	user := formOn(t, admin.open("/admin/users"), "/admin/users")
	user.Set("name", "shortpassword")
	user.Set("role", "viewer")
	user.Set("clearance", "RESTRICTED")
	user.Set("password", "short")
	if got := autofocused(refused(admin, "/admin/users", user)); got != "u-password" {
		t.Errorf("the refused user form focuses %q, not u-password", got)
	}

	officer := f.pageBrowser("officer")
	comment := formOn(t, officer.open("/sheets/"+open), "/sheets/"+open+"/comments")
	comment.Set("text", "   ")
	comment.Set("paragraph_id", f.sheet("officer", open).Sections[0].Paragraphs[0].ID)
	if got := autofocused(refused(officer, "/sheets/"+open+"/comments", comment)); got != "c-text" {
		t.Errorf("the refused comment form focuses %q, not c-text", got)
	}

	lead := f.pageBrowser("lead")
	review := formOn(t, lead.open("/sheets/"+open), "/sheets/"+open+"/review")
	review.Set("decision", "return")
	if got := autofocused(refused(lead, "/sheets/"+open+"/review", review)); got != "r-comment" {
		t.Errorf("the refused review form focuses %q, not r-comment", got)
	}
}
