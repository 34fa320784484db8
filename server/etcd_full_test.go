package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcdFull_ReadsGoOn: on an etcd cluster past its space quota, which
// refuses every write, readers still read — a round, its packs, a page —
// though their sessions are due to be touched (a write, once a minute):
// the night before a round, a full database must not lock the delegation
// out of its pack. A save, and a sign-in (a session written), are refused
// 503, saying the database is full, never 500.
func TestEtcdFull_ReadsGoOn(t *testing.T) {
	c := etcdtest.StartWith(t, 1, "--quota-backend-bytes", fmt.Sprint(4<<20))
	db := openEtcd(t, c.URL("full"), "nz")
	f := newFixtureOn(t, db)
	f.unavailableOK = true
	w := f.world()
	ctx := context.Background()
	f.do("viewer", "GET", "/api/v1/rounds/"+w.round, nil) // signed in before the cluster is full
	f.do("lead", "GET", "/api/v1/rounds/"+w.round, nil)
	f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil)
	browser := f.pageBrowser("viewer")
	bio := strings.Repeat("A long biography that fills the cluster. ", 450)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = db.CreatePerson(ctx, &briefing.Person{Name: fmt.Sprintf("Filler %d", i), Bio: bio, Marking: "UNCLASSIFIED"}, briefing.Actor{Name: "t"})
	}
	if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Fatalf("filling the cluster: %v", err)
	}
	f.clock.Add(2 * 60e9) // each session is due a touch
	for _, c := range []struct{ user, path string }{
		{"viewer", "/api/v1/rounds/" + w.round},
		{"lead", "/api/v1/rounds/" + w.round + "/pack?format=html&edition=full"},
		{"lead", "/api/v1/rounds/" + w.round + "/pack?format=xlsx&edition=release"},
	} {
		if r := f.do(c.user, "GET", c.path, nil); r.Code != 200 {
			t.Errorf("%s GET %s on a full cluster: %d %.300s", c.user, c.path, r.Code, r.Body.String())
		}
	}
	if page := browser.open("/rounds/" + w.round); !strings.Contains(page, "<h1") {
		t.Errorf("the round's page on a full cluster: %.300s", page)
	}
	r := f.do("secretariat", "POST", "/api/v1/agencies", map[string]string{"name": "Ministry of Justice", "country": "New Zealand"})
	if r.Code != 503 || !strings.Contains(r.Body.String(), "is full, and nothing was saved") {
		t.Errorf("a save on a full cluster: %d %.300s", r.Code, r.Body.String())
	}
	r = f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
	if r.Code != 503 || !strings.Contains(r.Body.String(), "is full") {
		t.Errorf("a sign-in on a full cluster: %d %.300s", r.Code, r.Body.String())
	}
}
