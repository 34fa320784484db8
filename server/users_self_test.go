package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestUsers_OwnChangeNamesTheField: an admin who changes only their own
// role is refused naming the role, not the clearance (which they left as
// it was); the API names each field changed, and the page says so once.
func TestUsers_OwnChangeNamesTheField(t *testing.T) {
	f := newFixture(t)
	me := f.userID("admin")
	var e struct {
		Error struct {
			Message string
			Fields  map[string]string
		}
	}
	r := f.do("admin", "PUT", "/api/v1/users/"+me, map[string]any{"name": "admin", "role": "secretariat", "clearance": "TOP SECRET"}, "If-Match", "*")
	r.json(&e)
	if r.Code != 403 || e.Error.Message != "you cannot change your own role: ask another admin" || len(e.Error.Fields) != 1 || e.Error.Fields["role"] == "" {
		t.Errorf("role: %d %s", r.Code, r.Body.String())
	}
	e.Error.Fields = nil
	r = f.do("admin", "PUT", "/api/v1/users/"+me, map[string]any{"name": "admin", "role": "lead", "clearance": "SECRET", "disabled": true}, "If-Match", "*")
	r.json(&e)
	if r.Code != 403 || e.Error.Message != "you cannot change your own role or clearance, or disable yourself: ask another admin" || len(e.Error.Fields) != 3 {
		t.Errorf("all three: %d %s", r.Code, r.Body.String())
	}
	b := f.pageBrowser("admin")
	rec := b.send("POST", "/admin/users/"+me, url.Values{"csrf_token": {b.csrf}, "version": {"1"}, "name": {"admin"}, "role": {"secretariat"}, "clearance": {"TOP SECRET"}})
	page := rec.Body.String()
	if rec.Code != 403 || !strings.Contains(page, "Role: is not yours to change") || strings.Contains(page, "Clearance: is not yours") {
		t.Errorf("page: %d %s", rec.Code, page)
	}
}
