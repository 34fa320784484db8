package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// TestClientGone_NotAnError: a request whose client went away before its
// answer (a closed tab, an editor's held question given up, a dropped
// connection), so that the store gave its write up, is logged as that, not
// as an internal error: an operator reading ERROR lines for what is wrong
// with the server found dozens an hour of nothing wrong.
func TestClientGone_NotAnError(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/briefpack.db", "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hash, _ := server.HashPassword(testPassword)
	if err := db.CreateUser(context.Background(), &briefing.User{Name: "secretariat", Role: briefing.RoleSecretariat, Clearance: "SECRET", PasswordHash: hash}, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logged bytes.Buffer
	srv, err := server.New(context.Background(), db, server.Config{Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	rec := httptest.NewRecorder()
	login := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(`{"name":"secretariat","password":"`+testPassword+`"}`))
	login.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, login)
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
		t.Fatalf("login: %d %s", rec.Code, rec.Body.String())
	}
	token := out.Token
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client has gone by the time the write is made
	req := httptest.NewRequest("POST", "/api/v1/agencies", strings.NewReader(`{"name":"Ministry of Foreign Affairs and Trade","acronym":"MFAT","country":"NZ"}`)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("answered %d; logged:\n%s", rec.Code, logged.String())
	if rec.Code != 499 {
		t.Errorf("answered %d, want 499 (client closed request) for the access log", rec.Code)
	}
	if strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("a request whose client had gone was logged as an error:\n%s", logged.String())
	}
	if !strings.Contains(logged.String(), "client went away") {
		t.Errorf("a request whose client had gone was not logged as such:\n%s", logged.String())
	}
}
