package server_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// changeWhileSigningIn is the real store with one step put in: the first
// time a sign-in has read a user, before it checks the password and stores
// the session, change runs — an admin's change on another server, at the
// moment the race needs it, every time.
type changeWhileSigningIn struct {
	briefing.Store
	mu     sync.Mutex
	change func()
}

func (s *changeWhileSigningIn) UserByName(ctx context.Context, name string) (*briefing.User, error) {
	u, err := s.Store.UserByName(ctx, name)
	s.mu.Lock()
	change := s.change
	s.change = nil
	s.mu.Unlock()
	if change != nil {
		change()
	}
	return u, err
}

// TestSignIn_UserChangedMeanwhile: a TOP SECRET lead signs in on server B;
// after B has read them and before it has stored the session, an admin on
// server A disables them, lowers their clearance, resets their password or
// deletes them. The sign-in then yields no session with what the user no
// longer has: refused, or (a lowered clearance) a session at the clearance
// as stored, on both servers. On bbolt the servers share one file; on etcd
// each has its own connection to one cluster.
func TestSignIn_UserChangedMeanwhile(t *testing.T) {
	changes := []struct {
		name      string
		change    func(a *fixture, id string)
		wantLogin int
	}{
		{"Disable", func(a *fixture, id string) {
			admin(a, "PUT", "/api/v1/users/"+id, 200, map[string]any{"name": "racer", "role": "lead", "clearance": "TOP SECRET", "disabled": true})
		}, 401},
		{"LowerClearance", func(a *fixture, id string) {
			admin(a, "PUT", "/api/v1/users/"+id, 200, map[string]any{"name": "racer", "role": "lead", "clearance": "RESTRICTED"})
		}, 200},
		{"ResetPassword", func(a *fixture, id string) {
			admin(a, "PUT", "/api/v1/users/"+id, 200, map[string]any{"name": "racer", "role": "lead", "clearance": "TOP SECRET", "password": "a new password, long enough"})
		}, 401},
		{"Delete", func(a *fixture, id string) {
			admin(a, "DELETE", "/api/v1/users/"+id, 204, nil)
		}, 401},
	}
	for _, backend := range []string{"bbolt", "etcd"} {
		t.Run(backend, func(t *testing.T) {
			var cluster *etcdtest.Cluster
			if backend == "etcd" {
				cluster = etcdtest.Start(t, 1)
			}
			for _, c := range changes {
				t.Run(c.name, func(t *testing.T) {
					var dbA, dbB *store.DB
					if cluster == nil {
						a, err := store.Open(t.TempDir()+"/briefpack.db", "nz")
						if err != nil {
							t.Fatal(err)
						}
						dbA, dbB = a, a
					} else {
						url := cluster.URL("race-" + c.name)
						dbA, dbB = openEtcd(t, url, "nz"), openEtcd(t, url, "")
						t.Cleanup(func() { dbB.Close() })
					}
					a := newFixtureOn(t, dbA)
					w := a.world()
					top := a.create("lead", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Top secret plans", para("Top secret words.", "TOP SECRET", "")))
					racer := a.create("admin", "/api/v1/users", map[string]any{"name": "racer", "role": "lead", "clearance": "TOP SECRET", "password": testPassword})

					hooked := &changeWhileSigningIn{Store: dbB}
					logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
					srvB, err := server.New(context.Background(), hooked, server.Config{Now: a.clock.Now, Logger: logger}, web.Register)
					if err != nil {
						t.Fatal(err)
					}
					b := &fixture{t: t, srv: srvB, db: dbB, h: srvB.Handler(), clock: a.clock, tokens: map[string]string{}}
					hooked.change = func() { c.change(a, racer) }

					r := b.do("", "POST", "/api/v1/login", map[string]string{"name": "racer", "password": testPassword})
					if hooked.change != nil {
						t.Fatal("the sign-in never read the user")
					}
					if r.Code != c.wantLogin {
						t.Errorf("sign-in: %d %s, want %d", r.Code, r.Body.String(), c.wantLogin)
					}
					if r.Code != 200 {
						return
					}
					var out struct{ Token string }
					r.json(&out)
					a.tokens["racer"], b.tokens["racer"] = out.Token, out.Token
					for _, f := range []*fixture{a, b} {
						if g := f.do("racer", "GET", "/api/v1/sheets/"+top, nil); g.Code != 404 {
							t.Errorf("the TOP SECRET sheet after the change: %d", g.Code)
						}
						var me struct{ Clearance string }
						f.do("racer", "GET", "/api/v1/me", nil).json(&me)
						if me.Clearance != "RESTRICTED" {
							t.Errorf("me: clearance %q", me.Clearance)
						}
					}
				})
			}
		})
	}
}

// admin makes a change to a user as the fixture's admin, If-Match: *, and
// fails the test unless it is answered want.
func admin(f *fixture, method, path string, want int, body any) {
	f.t.Helper()
	if r := f.do("admin", method, path, body, "If-Match", "*"); r.Code != want {
		f.t.Fatalf("%s %s: %d %s", method, path, r.Code, r.Body.String())
	}
}

func openEtcd(tb testing.TB, url, jurisdiction string) *store.DB {
	tb.Helper()
	cfg, err := store.ParseEtcdURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.OpenEtcd(cfg, jurisdiction)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
