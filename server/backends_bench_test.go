package server_test

import (
	"strings"
	"testing"
	"time"

	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// BenchmarkBackends compares the backends on the same machine, through the
// router: a save of a 40-paragraph sheet (one paragraph changed, If-Match),
// a signed-in request that reads nothing else (the session's lookup), a
// list page (a round's 100 sheets as a RESTRICTED reader sees them), and
// the live HTML pack of those 100 sheets downloaded from its cache, and a
// frozen pack of them (HTML and XLSX kept) — on a bbolt file, a one-member
// etcd and a three-member etcd on loopback. On etcd each reports the
// requests it sent and the bytes it put (chunks of files included).
func BenchmarkBackends(b *testing.B) {
	backends := []struct {
		name    string
		members int
	}{{"bbolt", 0}, {"etcd1", 1}, {"etcd3", 3}}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			var db *store.DB
			var err error
			if be.members == 0 {
				db, err = store.Open(b.TempDir()+"/briefpack.db", "nz")
			} else {
				c := etcdtest.Start(b, be.members)
				var cfg store.EtcdConfig
				if cfg, err = store.ParseEtcdURL(c.URL("bench")); err == nil {
					db, err = store.OpenEtcd(cfg, "nz")
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			f := newFixtureOn(b, db)
			// perOp reports the etcd requests of each operation.
			perOp := func(b *testing.B, fn func()) {
				r0, t0, w0 := db.EtcdRequests()
				fn()
				r1, t1, w1 := db.EtcdRequests()
				if be.members > 0 {
					b.ReportMetric(float64(r1-r0)/float64(b.N), "reads/op")
					b.ReportMetric(float64(t1-t0)/float64(b.N), "commits/op")
					b.ReportMetric(float64(w1-w0)/float64(b.N), "put-bytes/op")
				}
			}
			round, _ := benchRound(b, f, 100)
			id := benchSheet(b, f)
			b.Run("save", func(b *testing.B) {
				perOp(b, func() { saves(b, f, id) })
			})
			b.Run("auth", func(b *testing.B) {
				// The settings are kept in memory: what is left is the
				// session's lookup, with its user, and the router.
				perOp(b, func() {
					for i := 0; i < b.N; i++ {
						if r := f.do("viewer", "GET", "/api/v1/settings", nil); r.Code != 200 {
							b.Fatalf("%d", r.Code)
						}
					}
				})
			})
			b.Run("list", func(b *testing.B) {
				perOp(b, func() {
					for i := 0; i < b.N; i++ {
						if r := f.do("viewer", "GET", "/api/v1/rounds/"+round+"/sheets?limit=100", nil); r.Code != 200 {
							b.Fatalf("%d", r.Code)
						}
					}
				})
			})
			b.Run("pack", func(b *testing.B) {
				get := downloader(b, f)
				pack := "/api/v1/rounds/" + round + "/pack?format=html"
				get("lead", pack)
				b.ResetTimer()
				perOp(b, func() {
					for i := 0; i < b.N; i++ {
						b.SetBytes(get("lead", pack))
					}
				})
			})
			b.Run("freeze", func(b *testing.B) {
				perOp(b, func() {
					for i := 0; i < b.N; i++ {
						if r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true}); r.Code != 201 {
							b.Fatalf("freeze: %d %s", r.Code, r.Body.String())
						}
					}
				})
			})
		})
	}
}

// TestUnavailable: with two of three etcd members down a request is
// answered 503, in words and with Retry-After, within the store's bound,
// not held and not a bare "internal error"; once they are back, 200.
func TestUnavailable(t *testing.T) {
	c := etcdtest.Start(t, 3)
	cfg, err := store.ParseEtcdURL(c.URL("unavailable"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RequestTimeout = 2 * time.Second
	db, err := store.OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, db)
	w := f.world()
	if r := f.do("", "GET", "/healthz", nil); r.Code != 200 {
		t.Fatalf("healthz with the cluster up: %d %s", r.Code, r.Body.String())
	}
	c.Members[1].Kill()
	c.Members[2].Kill()
	f.unavailableOK = true
	// A load balancer asks /healthz: it must not say ok while the
	// database does not answer.
	if r := f.do("", "GET", "/healthz", nil); r.Code != 503 || !strings.Contains(r.Body.String(), "unavailable") {
		t.Fatalf("healthz without a quorum: %d %s", r.Code, r.Body.String())
	}
	r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil)
	if r.Code != 503 || r.errorCode() != "unavailable" || r.Header().Get("Retry-After") == "" || !strings.Contains(r.Body.String(), "did not answer in time") {
		t.Fatalf("without a quorum: %d %q %s", r.Code, r.Header().Get("Retry-After"), r.Body.String())
	}
	c.Members[1].Restart(t)
	c.Members[2].Restart(t)
	for i := 0; ; i++ {
		if r = f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil); r.Code == 200 {
			if h := f.do("", "GET", "/healthz", nil); h.Code != 200 {
				t.Fatalf("healthz after the members came back: %d %s", h.Code, h.Body.String())
			}
			break
		}
		if i == 50 {
			t.Fatalf("after the members came back: %d %s", r.Code, r.Body.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
