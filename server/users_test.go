package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"briefpack/server"
)

// userID is the id of the fixture's user called name.
func (f *fixture) userID(name string) string {
	f.t.Helper()
	u, err := f.db.UserByName(context.Background(), name)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.ID
}

// TestUsers_AdminReach: an admin changes, deletes or makes only accounts
// cleared at or below their own clearance, and raises none above it; an
// account above them is refused whole (403 naming why), whatever field the
// change touches.
func TestUsers_AdminReach(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowadmin", "admin", "RESTRICTED")
	lead, officer, viewer := f.userID("lead"), f.userID("officer"), f.userID("viewer")
	wantRefused := func(t *testing.T, r response) {
		t.Helper()
		var b struct {
			Error struct {
				Code, Message string
				Fields        map[string]string
			}
		}
		_ = jsonUnmarshal(r.Body.String(), &b)
		if r.Code != 403 || b.Error.Code != "forbidden" || !strings.Contains(b.Error.Message, "cleared above you") {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	}
	refused := []struct {
		name, id string
		body     map[string]any
	}{
		{"PasswordOfHigher", lead, map[string]any{"name": "lead", "role": "lead", "clearance": "TOP SECRET", "password": "taken-over-1"}},
		{"RoleOfHigher", officer, map[string]any{"name": "officer", "role": "viewer", "clearance": "SECRET"}},
		{"NameOfHigher", officer, map[string]any{"name": "officer2", "role": "officer", "clearance": "SECRET"}},
		{"LowerTheHigher", officer, map[string]any{"name": "officer", "role": "officer", "clearance": "RESTRICTED"}},
		{"DisableHigher", officer, map[string]any{"name": "officer", "role": "officer", "clearance": "SECRET", "disabled": true}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.do("lowadmin", "PUT", "/api/v1/users/"+tc.id, tc.body, "If-Match", "*"))
		})
	}
	t.Run("TakenOverCannotSignIn", func(t *testing.T) {
		if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "lead", "password": "taken-over-1"}); r.Code != 401 {
			t.Fatalf("lead with the refused password: %d", r.Code)
		}
		if u, _ := f.db.User(context.Background(), officer); u.Version != 1 || u.Name != "officer" {
			t.Fatalf("officer after the refused changes: %+v", u)
		}
	})
	t.Run("EnableHigher", func(t *testing.T) {
		if r := f.do("admin", "PUT", "/api/v1/users/"+lead, map[string]any{"name": "lead", "role": "lead", "clearance": "TOP SECRET", "disabled": true}, "If-Match", "*"); r.Code != 200 {
			t.Fatalf("a TOP SECRET admin disables lead: %d %s", r.Code, r.Body.String())
		}
		wantRefused(t, f.do("lowadmin", "PUT", "/api/v1/users/"+lead, map[string]any{"name": "lead", "role": "lead", "clearance": "TOP SECRET"}, "If-Match", "*"))
		if u, _ := f.db.User(context.Background(), lead); !u.Disabled {
			t.Fatal("lead enabled by a RESTRICTED admin")
		}
	})
	t.Run("DeleteHigher", func(t *testing.T) {
		wantRefused(t, f.do("lowadmin", "DELETE", "/api/v1/users/"+officer, nil))
		wantRefused(t, f.do("lowadmin", "DELETE", "/api/v1/users/"+officer, nil, "If-Match", `"1"`))
		if _, err := f.db.User(context.Background(), officer); err != nil {
			t.Fatalf("officer after a refused delete: %v", err)
		}
	})
	t.Run("RaiseLower", func(t *testing.T) {
		r := f.do("lowadmin", "PUT", "/api/v1/users/"+viewer, map[string]any{"name": "viewer", "role": "viewer", "clearance": "SECRET"}, "If-Match", "*")
		if r.Code != 403 || !strings.Contains(r.Body.String(), "above your own clearance") {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
	t.Run("OK", func(t *testing.T) {
		// At or below their clearance, a lower admin does all an admin does.
		r := f.do("lowadmin", "PUT", "/api/v1/users/"+viewer, map[string]any{"name": "viewer", "role": "officer", "clearance": "RESTRICTED", "password": "a new password for viewer"}, "If-Match", "*")
		if r.Code != 200 {
			t.Fatalf("change viewer: %d %s", r.Code, r.Body.String())
		}
		f.login("viewer", "a new password for viewer")
		id := f.create("lowadmin", "/api/v1/users", map[string]any{"name": "newcomer", "role": "viewer", "clearance": "RESTRICTED", "password": "a long enough password"})
		if r := f.do("lowadmin", "DELETE", "/api/v1/users/"+id, nil); r.Code != 204 {
			t.Fatalf("delete newcomer: %d %s", r.Code, r.Body.String())
		}
		// Above them, a higher admin still does.
		if r := f.do("admin", "PUT", "/api/v1/users/"+officer, map[string]any{"name": "officer", "role": "officer", "clearance": "SECRET", "password": "the officer's new password"}, "If-Match", "*"); r.Code != 200 {
			t.Fatalf("a TOP SECRET admin resets officer: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("ListShowsHigher", func(t *testing.T) {
		// Accounts are not classified: a lower admin sees that they exist.
		var list struct{ Items []map[string]any }
		f.do("lowadmin", "GET", "/api/v1/users?limit=1000", nil).json(&list)
		found := false
		for _, u := range list.Items {
			found = found || u["name"] == "lead"
		}
		if !found {
			t.Fatalf("lead not listed to a lower admin: %v", list.Items)
		}
	})
	t.Run("NoSelfChange", func(t *testing.T) {
		me := f.userID("lowadmin")
		if r := f.do("lowadmin", "DELETE", "/api/v1/users/"+me, nil); r.Code != 409 {
			t.Fatalf("delete oneself: %d %s", r.Code, r.Body.String())
		}
		if r := f.do("lowadmin", "PUT", "/api/v1/users/"+me, map[string]any{"name": "lowadmin", "role": "lead", "clearance": "RESTRICTED"}, "If-Match", "*"); r.Code != 403 {
			t.Fatalf("demote oneself: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("Page", func(t *testing.T) {
		b := f.pageBrowser("lowadmin")
		page := b.open("/admin/users")
		if strings.Contains(page, `action="/admin/users/`+lead+`"`) {
			t.Error("the page offers a RESTRICTED admin a form to change a TOP SECRET account")
		}
		if !strings.Contains(page, "cleared above you") {
			t.Error("the page does not say why lead cannot be changed")
		}
		rec := b.send("POST", "/admin/users/"+lead, url.Values{"csrf_token": {b.csrf}, "version": {"2"}, "name": {"lead"}, "role": {"lead"},
			"clearance": {"TOP SECRET"}, "password": {"taken-over-2"}})
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), `role="alert">lead is cleared above you (TOP SECRET)`) {
			t.Fatalf("the page form: %d %s", rec.Code, rec.Body.String())
		}
		if u, _ := f.db.User(context.Background(), lead); !server.VerifyPassword(u.PasswordHash, testPassword) {
			t.Fatal("lead's password changed by a RESTRICTED admin's form")
		}
	})
}

// TestUsers_PageEditRefusedShowsThatForm: a refused change of a user on the
// admin's page shows that user's form again, open, with what was typed and
// why; the form for a new user stays empty.
func TestUsers_PageEditRefusedShowsThatForm(t *testing.T) {
	f := newFixture(t)
	b := f.pageBrowser("admin")
	viewer := f.userID("viewer")
	rec := b.send("POST", "/admin/users/"+viewer, url.Values{"csrf_token": {b.csrf}, "version": {"1"}, "name": {"viewer"}, "role": {"officer"},
		"clearance": {"SECRET"}, "password": {"short"}})
	page := rec.Body.String()
	if rec.Code != 422 {
		t.Fatalf("%d %s", rec.Code, page)
	}
	_, form, ok := strings.Cut(page, `<details open><summary>Change viewer</summary>`)
	if !ok {
		t.Fatalf("viewer's form is not open again:\n%s", page)
	}
	form, _, _ = strings.Cut(form, "</details>")
	for _, want := range []string{`action="/admin/users/` + viewer + `"`, `<option value="officer" selected>`, `<option value="SECRET" selected>`, "must be 8 to 1024 characters"} {
		if !strings.Contains(form, want) {
			t.Errorf("viewer's form lacks %s:\n%s", want, form)
		}
	}
	if strings.Contains(form, "short") {
		t.Error("the typed password is shown again")
	}
	if !strings.Contains(page, `id="u-name" name="name" value=""`) {
		t.Error("the new user's form is filled in with the edited user")
	}
	if u, _ := f.db.User(context.Background(), viewer); u.Version != 1 {
		t.Fatalf("viewer changed: %+v", u)
	}
	// A change over a newer save is not kept in the form: it is to be redone.
	rec = b.send("POST", "/admin/users/"+viewer, url.Values{"csrf_token": {b.csrf}, "version": {"9"}, "name": {"viewer"}, "role": {"officer"},
		"clearance": {"SECRET"}})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Someone else changed viewer after you opened the page") {
		t.Fatalf("a stale change: %d %s", rec.Code, rec.Body.String())
	}
	// Sent again as it stands, with a good password, it is saved.
	rec = b.send("POST", "/admin/users/"+viewer, url.Values{"csrf_token": {b.csrf}, "version": {"1"}, "name": {"viewer"}, "role": {"officer"},
		"clearance": {"SECRET"}, "password": {"a long enough password"}})
	if rec.Code != 303 {
		t.Fatalf("sent again: %d %s", rec.Code, rec.Body.String())
	}
	if u, _ := f.db.User(context.Background(), viewer); u.Role != "officer" || u.Clearance != "SECRET" || u.Version != 2 {
		t.Fatalf("viewer after the save: %+v", u)
	}
}
