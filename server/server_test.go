package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// testPassword is every fixture user's password: long, to show nothing is truncated.
const testPassword = "correct horse battery staple, and then some more words to pass seventy-two bytes"

// fixture is a server over a real bbolt file with one user per role.
type fixture struct {
	t     testing.TB
	srv   *server.Server
	db    *store.DB
	h     http.Handler
	clock *clock
	// tokens of the users, by name.
	tokens map[string]string
	// unavailableOK lets a test expect 503 (the store out of reach).
	unavailableOK bool
}

// clock is an injectable time source for session timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// users of the fixture: name → role, clearance (nz).
var fixtureUsers = []struct {
	name      string
	role      briefing.Role
	clearance string
}{
	{"viewer", briefing.RoleViewer, "RESTRICTED"},
	{"officer", briefing.RoleOfficer, "SECRET"},
	{"lowofficer", briefing.RoleOfficer, "RESTRICTED"},
	{"lead", briefing.RoleLead, "TOP SECRET"},
	{"lowlead", briefing.RoleLead, "RESTRICTED"},
	{"secretariat", briefing.RoleSecretariat, "SECRET"},
	{"admin", briefing.RoleAdmin, "TOP SECRET"},
}

var (
	hashOnce  sync.Once
	fixedHash string
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, err := store.Open(t.TempDir()+"/briefpack.db", "nz")
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, db)
}

// newFixtureOn is a fixture on a new database of any backend, closed when
// the test ends.
func newFixtureOn(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	t.Cleanup(func() { db.Close() })
	hashOnce.Do(func() { fixedHash, _ = server.HashPassword(testPassword) })
	ctx := context.Background()
	for _, u := range fixtureUsers {
		err := db.CreateUser(ctx, &briefing.User{Name: u.name, Role: u.role, Clearance: u.clearance, PasswordHash: fixedHash}, briefing.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	// Internal errors reach the test's log; the rest of the log is noise here.
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(ctx, db, server.Config{Now: clk.Now, Logger: logger}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, db: db, h: srv.Handler(), clock: clk, tokens: map[string]string{}}
	for _, u := range fixtureUsers {
		f.tokens[u.name] = f.login(u.name, testPassword)
	}
	return f
}

// response is a recorded answer.
type response struct {
	*httptest.ResponseRecorder
	t testing.TB
}

func (r response) json(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		r.t.Fatalf("decode %q: %v", r.Body.String(), err)
	}
}

// errorCode returns the error code of an error body.
func (r response) errorCode() string {
	var b struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body.Bytes(), &b)
	return b.Error.Code
}

// do sends a request as user (or anonymously when user is ""), with body
// JSON-encoded unless it is a string or nil, and headers as key, value pairs.
func (f *fixture) do(user, method, path string, body any, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "192.0.2.1:1234"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code >= 500 && !(f.unavailableOK && rec.Code == 503) {
		f.t.Errorf("%s %s as %q: %d %s", method, path, user, rec.Code, rec.Body.String())
	}
	return response{rec, f.t}
}

func (f *fixture) login(name, password string) string {
	f.t.Helper()
	r := f.do("", "POST", "/api/v1/login", map[string]string{"name": name, "password": password})
	if r.Code != 200 {
		f.t.Fatalf("login %s: %d %s", name, r.Code, r.Body.String())
	}
	var out struct{ Token string }
	r.json(&out)
	return out.Token
}

// create posts an object and returns its id, failing unless 201.
func (f *fixture) create(user, path string, body any) string {
	f.t.Helper()
	r := f.do(user, "POST", path, body)
	if r.Code != 201 {
		f.t.Fatalf("POST %s: %d %s", path, r.Code, r.Body.String())
	}
	var out struct{ ID string }
	r.json(&out)
	if out.ID == "" || r.Header().Get("Location") == "" || r.Header().Get("ETag") != `"1"` {
		f.t.Fatalf("POST %s: id %q, Location %q, ETag %q", path, out.ID, r.Header().Get("Location"), r.Header().Get("ETag"))
	}
	return out.ID
}

// world is a small dialogue with everything in it, marked at several levels.
type world struct {
	agency, person, secretPerson, dialogue, round, secretRound string
	sheet, secretSheet, action                                 string
}

func (f *fixture) world() world {
	var w world
	w.agency = f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Department of the Prime Minister and Cabinet", "acronym": "DPMC", "country": "New Zealand"})
	w.person = f.create("secretariat", "/api/v1/people", map[string]any{"name": "Tony Lynch", "title": "Deputy Chief Executive", "agency_id": w.agency, "country": "New Zealand", "bio": "Leads the **National Security Group**.", "marking": "UNCLASSIFIED"})
	w.secretPerson = f.create("secretariat", "/api/v1/people", map[string]any{"name": "Covert Contact", "country": "Australia", "bio": "zanzibar liaison", "marking": "SECRET"})
	w.dialogue = f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue", "home": "New Zealand", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	w.round = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 3, "starts_on": "2018-05-10", "ends_on": "2018-05-11", "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED",
		"co_chairs": []map[string]string{{"person_id": w.person, "side": "home"}}})
	w.secretRound = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 4, "starts_on": "2019-05-10", "city": "Canberra", "host": "partner", "marking": "SECRET"})
	w.sheet = f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Foreign Interference",
		para("We are aware of foreign interference activity {{s6(a): in the zanzibar sector}}, but assessing the extent is difficult.", "RESTRICTED", ""),
		para("Zanzibar assessment held at secret.", "SECRET", "s6(a)")))
	w.secretSheet = f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Zanzibar Operations", para("Only secret zanzibar words.", "SECRET", "")))
	w.action = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "3.01", "text": "Deliver cybercrime awareness training", "owner_agency_id": w.agency, "raised_in_round_id": w.round, "due_on": "2019-01-31", "status": "on_track"})
	return w
}

func para(text, marking, withhold string) map[string]string {
	return map[string]string{"text": text, "marking": marking, "withhold": withhold}
}

func sheetBody(title string, paras ...map[string]string) map[string]any {
	return map[string]any{"title": title, "sections": []map[string]any{
		{"kind": "situation", "paragraphs": paras},
		{"kind": "offensive", "paragraphs": []any{}},
	}}
}

// testLog writes log lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
