package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// TestPresence_HeldUntilSomeoneOpens: an open editor asks who else has
// the sheet open with wait=1 and the names it knows; the answer is held
// until that is no longer so, and so tells it within a moment of someone
// opening the sheet, through another server too (on etcd, a second handle
// on the same cluster: nothing of it is in one server's memory). A
// question whose names are already out of date is answered at once; a
// question held is not counted as a request being answered, and ends when
// the server begins to shut down. Someone who closes the sheet (leave=1) is
// gone from the others' answers at once.
func TestPresence_HeldUntilSomeoneOpens(t *testing.T) {
	for _, backend := range []string{"bbolt", "etcd"} {
		t.Run(backend, func(t *testing.T) {
			f, other := newFixture(t), (*store.DB)(nil)
			if backend == "etcd" {
				c := etcdtest.Start(t, 1)
				f = newFixtureOn(t, openEtcd(t, c.URL("presence"), "nz"))
				other = openEtcd(t, c.URL("presence"), "")
				t.Cleanup(func() { other.Close() })
			} else {
				other = f.db
			}
			w := f.world()
			srvB, err := server.New(context.Background(), other, server.Config{Now: f.clock.Now}, web.Register)
			if err != nil {
				t.Fatal(err)
			}
			path := "/api/v1/sheets/" + w.sheet + "/presence"
			// ask sends the question as user to h, and answers the names,
			// or fails after ten seconds: the wait is fifty.
			ask := func(h http.Handler, user, query string) <-chan []string {
				out := make(chan []string, 1)
				req := httptest.NewRequest("POST", path+query, nil)
				req.Header.Set("Authorization", "Bearer "+f.tokens[user])
				go func() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					var body struct{ Items []struct{ User string } }
					if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
						out <- []string{strconv.Itoa(rec.Code)}
						return
					}
					var names []string
					for _, p := range body.Items {
						names = append(names, p.User)
					}
					sort.Strings(names)
					out <- names
				}()
				return out
			}
			answer := func(what string, ch <-chan []string) string {
				t.Helper()
				select {
				case names := <-ch:
					return strings.Join(names, ",")
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: no answer within ten seconds", what)
				}
				return ""
			}
			if got := answer("the officer opens it", ask(f.h, "officer", "")); got != "" {
				t.Fatalf("the officer is told of %q", got)
			}
			held := ask(f.h, "officer", "?wait=1")
			if got := answer("lead opens it on the other server", ask(srvB.Handler(), "lead", "")); got != "officer" {
				t.Errorf("the lead is told of %q", got)
			}
			if got := answer("the officer's question", held); got != "lead" {
				t.Errorf("the officer is told of %q", got)
			}
			if got := answer("a question out of date", ask(f.h, "officer", "?wait=1")); got != "lead" {
				t.Errorf("the officer is told of %q", got)
			}
			held = ask(f.h, "officer", "?wait=1&known=lead")
			// Held, it is not a request being answered.
			for i := 0; f.srv.Answering() != 0; i++ {
				if i == 100 {
					t.Fatalf("a question held counts as %d request(s) answered", f.srv.Answering())
				}
				time.Sleep(50 * time.Millisecond)
			}
			answer("secretariat opens it", ask(srvB.Handler(), "secretariat", ""))
			if got := answer("the officer's question", held); got != "lead,secretariat" {
				t.Errorf("the officer is told of %q", got)
			}
			// Someone who closes the sheet says so, and is gone from the
			// others' at once, not when their record grows stale; but not
			// a page closed as another of theirs opened (a reload, a save):
			// a record of the last three seconds stays.
			if got := answer("secretariat closes a page as another opens", ask(srvB.Handler(), "secretariat", "?leave=1")); got != "204" {
				t.Errorf("secretariat's leaving is answered %q", got)
			}
			if got := answer("the officer asks again", ask(f.h, "officer", "")); got != "lead,secretariat" {
				t.Errorf("after secretariat reopened it, the officer is told of %q", got)
			}
			f.clock.Add(4 * time.Second)
			held = ask(f.h, "officer", "?wait=1&known=lead&known=secretariat")
			if got := answer("secretariat closes it on the other server", ask(srvB.Handler(), "secretariat", "?leave=1")); got != "204" {
				t.Errorf("secretariat's leaving is answered %q", got)
			}
			if got := answer("the officer's question", held); got != "lead" {
				t.Errorf("after secretariat left, the officer is told of %q", got)
			}
			answer("secretariat opens it again", ask(srvB.Handler(), "secretariat", ""))
			// The sheet marked above a writer while their question is held:
			// answered as a sheet they may not see, names and all.
			if got := answer("lowofficer opens it", ask(f.h, "lowofficer", "")); got != "lead,officer,secretariat" {
				t.Errorf("lowofficer is told of %q", got)
			}
			held = ask(f.h, "lowofficer", "?wait=1&known=lead&known=officer&known=secretariat")
			f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) {
				m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)["marking"] = "SECRET"
			})
			answer("admin opens it", ask(srvB.Handler(), "admin", ""))
			if got := answer("lowofficer's question", held); got != "404" {
				t.Errorf("lowofficer, the sheet above them, is told %q", got)
			}
			held = ask(f.h, "officer", "?wait=1&known=admin&known=lead&known=lowofficer&known=secretariat")
			f.srv.Drain()
			if got := answer("the question held at shutdown", held); got != "admin,lead,lowofficer,secretariat" {
				t.Errorf("at shutdown the officer is told of %q", got)
			}
		})
	}
}

// raisedOnPresence is a store whose next record of presence is written
// just after something else (raise): another officer's save committed in
// the same moment, as on etcd, where a write may be committed after other
// servers' writes made since the request first read.
type raisedOnPresence struct {
	*store.DB
	raise func()
}

func (s *raisedOnPresence) Present(ctx context.Context, kind, id, user string, at, since time.Time) ([]briefing.Presence, error) {
	if s.raise != nil {
		s.raise()
		s.raise = nil
	}
	return s.DB.Present(ctx, kind, id, user, at, since)
}

// TestPresence_SheetRaisedAsOneArrives: a sheet marked above a reader
// between the request's first read of it and its record of presence is
// answered as a sheet they may not see, not with the names of those who
// have it open, read after it was raised.
func TestPresence_SheetRaisedAsOneArrives(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/sheets/" + w.sheet
	f.do("lead", "POST", path+"/presence", nil)
	st := &raisedOnPresence{DB: f.db, raise: func() {
		f.update("lead", path, func(m map[string]any) {
			m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)["marking"] = "SECRET"
		})
	}}
	srv, err := server.New(context.Background(), st, server.Config{Now: f.clock.Now}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path+"/presence", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["lowofficer"])
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "lead") {
		t.Errorf("lowofficer, the sheet raised above them as they arrived: %d %s", rec.Code, rec.Body.String())
	}
}
