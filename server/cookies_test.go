package server_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// TestSecureCookies: with --secure-cookies (TLS ends at a proxy) every
// cookie the server sets is Secure — the session's and the pages' message
// cookie, set and cleared — and without it, over plain HTTP, none is.
func TestSecureCookies(t *testing.T) {
	for _, secure := range []bool{true, false} {
		db, err := store.Open(t.TempDir()+"/briefpack.db", "nz")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		hash, _ := server.HashPassword(testPassword)
		if err := db.CreateUser(context.Background(), &briefing.User{Name: "lead", Role: briefing.RoleLead, Clearance: "SECRET", PasswordHash: hash}, briefing.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(context.Background(), db, server.Config{SecureCookies: secure}, web.Register)
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		// Sign in through the page: the session cookie, and the message
		// "Signed in." for the next page.
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"name": {"lead"}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		cookies := rec.Result().Cookies()
		// The next page takes the message, clearing its cookie.
		req = httptest.NewRequest("GET", "/", nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		cookies = append(cookies, rec.Result().Cookies()...)
		names := map[string]bool{}
		for _, ck := range cookies {
			names[ck.Name] = true
			if ck.Secure != secure {
				t.Errorf("secure cookies %v: cookie %s (%q) has Secure %v", secure, ck.Name, ck.Value, ck.Secure)
			}
		}
		if len(names) < 2 || len(cookies) < 3 {
			t.Fatalf("cookies set: %v", cookies)
		}
	}
}
