package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// compactingStore is a real store on etcd each of whose reads of a sheet
// is followed, while compactions are left, by etcd compacting everything
// up to its latest revision: the request that read the sheet reads what
// it reads next (the sheet's round, its history) at a revision compacted.
type compactingStore struct {
	*store.DB
	cli *clientv3.Client
	t   *testing.T
	// left is how many reads of a sheet compact after; reads counts them all.
	left, reads int
}

// Sheet reads the sheet, then compacts if any compaction is left.
func (s *compactingStore) Sheet(ctx context.Context, id string) (*briefing.Sheet, error) {
	sh, err := s.DB.Sheet(ctx, id)
	s.reads++
	if s.left > 0 {
		s.left--
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A key of nobody's: the revision compacted is one no request read at.
		resp, err := s.cli.Put(ctx, "elsewhere", fmt.Sprint(s.reads))
		if err == nil {
			_, err = s.cli.Compact(ctx, resp.Header.Revision)
		}
		if err != nil {
			s.t.Error(err)
		}
	}
	return sh, err
}

// TestEtcd_ReadSpanningACompaction: a GET (or HEAD) whose request read its
// sheet at one revision, then the rest after etcd compacted that revision,
// was answered 503 "send it again"; the server runs it again
// itself, from the latest revision, and answers 200 with the sheet as an
// ordinary GET does. One that meets a compaction at every run is answered
// 503 after three runs, the first and two more.
func TestEtcd_ReadSpanningACompaction(t *testing.T) {
	c := etcdtest.Start(t, 1)
	f := newFixtureOn(t, openEtcd(t, c.URL("compaction"), "nz"))
	w := f.world()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	path := "/api/v1/sheets/" + w.sheet
	want := f.do("officer", "GET", path, nil)
	if want.Code != 200 || !strings.Contains(want.Body.String(), "Zanzibar assessment") {
		t.Fatalf("GET: %d %.200s", want.Code, want.Body.String())
	}
	for _, tc := range []struct {
		name, method string
		compactions  int
		code, reads  int
	}{
		{"Once", "GET", 1, 200, 2},
		{"Twice", "GET", 2, 200, 3},
		{"HEAD", "HEAD", 1, 200, 2},
		{"EveryRun", "GET", 100, 503, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Another server on the cluster, which has read nothing yet:
			// the sheet is read from etcd, not from what it kept.
			other := openEtcd(t, c.URL("compaction"), "")
			t.Cleanup(func() { other.Close() })
			st := &compactingStore{DB: other, cli: cli, t: t}
			srv, err := server.New(context.Background(), st, server.Config{Now: f.clock.Now, Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))}, web.Register)
			if err != nil {
				t.Fatal(err)
			}
			g := *f
			g.h, g.unavailableOK = srv.Handler(), true
			g.do("officer", "GET", "/api/v1/settings", nil) // its first request, which reads no sheet
			st.left = tc.compactions
			r := g.do("officer", tc.method, path, nil)
			if r.Code != tc.code {
				t.Fatalf("%s over %d compactions: %d %.300s", tc.method, tc.compactions, r.Code, r.Body.String())
			}
			if st.reads != tc.reads {
				t.Errorf("the sheet was read %d times, want %d", st.reads, tc.reads)
			}
			if tc.code == 503 {
				if !strings.Contains(r.Body.String(), "the database moved on while this request read it") {
					t.Errorf("503 without saying why: %.300s", r.Body.String())
				}
				return
			}
			if r.Header().Get("ETag") != want.Header().Get("ETag") || r.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("ETag %q, Content-Type %q; want %q, %q", r.Header().Get("ETag"), r.Header().Get("Content-Type"), want.Header().Get("ETag"), want.Header().Get("Content-Type"))
			}
			if tc.method == http.MethodGet && r.Body.String() != want.Body.String() {
				t.Errorf("the body differs from an ordinary GET's:\n%s\nwant\n%s", r.Body.String(), want.Body.String())
			}
		})
	}
}
