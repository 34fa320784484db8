package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestPersonForm_StaleSavedAgain: a person's page saved after someone else
// saved the person is refused (stale) and shown again with what was typed,
// unsaved; that form sent again is saved. It carried the stale version
// turned to 0, refused at every sending: what was typed could only be lost.
func TestPersonForm_StaleSavedAgain(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("secretariat")
	page := b.open("/people/" + w.person)
	form := formOn(t, page, "/people/"+w.person)
	// Meanwhile an admin changes the person's title.
	f.update("admin", "/api/v1/people/"+w.person, func(m map[string]any) { m["title"] = "Chief Executive" })
	typed := url.Values{"name": {"Tony Lynch"}, "title": {"Deputy Chief Executive"}, "agency_id": {w.agency}, "country": {"New Zealand"},
		"bio": {"TYPEDBIO: a long biography the secretariat typed."}, "marking": {"UNCLASSIFIED"}, "withhold": {""}}
	for k, v := range typed {
		form[k] = v
	}
	rec := b.send("POST", "/people/"+w.person, form)
	body := rec.Body.String()
	if rec.Code != 422 || !strings.Contains(body, "TYPEDBIO") {
		t.Fatalf("stale save: %d", rec.Code)
	}
	again := formOn(t, body, "/people/"+w.person)
	for k, v := range typed {
		again[k] = v
	}
	rec = b.send("POST", "/people/"+w.person, again)
	if rec.Code != 303 {
		t.Errorf("the form shown again, sent again as it stands: %d (version %s); what was typed cannot be saved from it", rec.Code, again.Get("version"))
	}
	var p struct{ Bio string }
	f.do("admin", "GET", "/api/v1/people/"+w.person, nil).json(&p)
	if !strings.HasPrefix(p.Bio, "TYPEDBIO") {
		t.Errorf("the person's bio: %q", p.Bio)
	}
}
