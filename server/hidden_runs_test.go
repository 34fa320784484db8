package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// hdRun is one run of the differential tests of the clearance rule: the
// backend the two worlds are stored on, and how many servers each has.
type hdRun struct {
	name string
	// etcd: each world under its own prefix of one etcd cluster, started
	// at the run's first world; else each on a bbolt file.
	etcd    bool
	cluster *etcdtest.Cluster
	// twoServers: the cluster has three members, and each world a second
	// server on its prefix, on another member than the readers' server's,
	// through which the writes above the readers are made, so that they
	// reach the readers' server only through etcd, its watch and what it
	// keeps; and
	// the readers' server reads everything once before those writes, so
	// that what it keeps (the store's values read and read ahead, the packs
	// built) is of the world before them.
	twoServers bool
	// compacting are the stores the readers' servers of the run of two
	// servers read through (see compact).
	compacting []*compactAfterSession
}

// hdEachRun runs test on a bbolt file, on one etcd member (where
// oneMember), and on three with two servers, each as a subtest of its
// name. Without etcd the runs on it are skipped, or fail where
// BRIEFPACK_REQUIRE_ETCD is set (as CI sets it).
func hdEachRun(t *testing.T, oneMember bool, test func(t *testing.T, run *hdRun)) {
	runs := []*hdRun{{name: "bbolt"}}
	if oneMember {
		runs = append(runs, &hdRun{name: "etcd", etcd: true})
	}
	runs = append(runs, &hdRun{name: "etcd-two-servers", etcd: true, twoServers: true})
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) { test(t, run) })
	}
}

// open makes a world's store, its users signed in: the server the readers
// are answered by, and the one the writes above them are made through,
// the same but in the run of two servers.
func (r *hdRun) open(t *testing.T, name string) (readers, writers *fixture) {
	t.Helper()
	if !r.etcd {
		f := newFixture(t)
		return f, f
	}
	if r.cluster == nil {
		members := 1
		if r.twoServers {
			members = 3
		}
		r.cluster = etcdtest.Start(t, members)
	}
	// Each server talks to a member of its own (its serializable reads
	// answered by that member alone, its watch fed by it).
	member := func(i int) string { return "etcd://" + r.cluster.Endpoints()[i] + "/" + name }
	db := openEtcd(t, member(0), "nz")
	f := newFixtureOn(t, db)
	if !r.twoServers {
		return f, f
	}
	// The readers' server reads through a store that compacts while it is
	// read (compactAfterSession), when the test asks it to.
	cli, err := clientv3.New(clientv3.Config{Endpoints: r.cluster.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	st := &compactAfterSession{DB: db, cli: cli, t: t}
	r.compacting = append(r.compacting, st)
	logs := slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError})
	srv, err := server.New(context.Background(), st, server.Config{Now: f.clock.Now, Logger: slog.New(&countReadsAgain{Handler: logs, n: &st.readsAgain})}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	f.srv, f.h = srv, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// The RESTRICTED lead's GETs alone, who reads the most of any
		// reader (packs, releases, the audit log): each compaction costs
		// some milliseconds. A write that meets a compaction in a read of
		// its own before the store's transaction is answered 503 (it is
		// not run again), which is not what these tests are about.
		st.now.Store(st.on.Load() && req.Method == http.MethodGet && req.Header.Get("Authorization") == "Bearer "+f.tokens["lowlead"])
		h.ServeHTTP(w, req)
	})
	return f, secondServer(t, f, member(1))
}

// compact has the readers' servers of the run of two servers read through
// a compaction (compactAfterSession) from now on, or no longer, and returns
// how many compactions they have met, and how many GETs they ran again.
func (r *hdRun) compact(on bool) (compactions, readsAgain int64) {
	for _, st := range r.compacting {
		st.on.Store(on)
		compactions += st.compactions.Load()
		readsAgain += st.readsAgain.Load()
	}
	return compactions, readsAgain
}

// countReadsAgain is a server's log, which counts the GETs it runs again
// (readAgain says so, at Info) and passes on what its handler takes.
type countReadsAgain struct {
	slog.Handler
	n *atomic.Int64
}

func (h *countReadsAgain) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.Handler.Enabled(ctx, l)
}

func (h *countReadsAgain) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "reading again") {
		h.n.Add(1)
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *countReadsAgain) WithAttrs(as []slog.Attr) slog.Handler {
	return &countReadsAgain{Handler: h.Handler.WithAttrs(as), n: h.n}
}

func (h *countReadsAgain) WithGroup(name string) slog.Handler {
	return &countReadsAgain{Handler: h.Handler.WithGroup(name), n: h.n}
}

// compactAfterSession is a store on etcd which, while on, has etcd compact
// away the revision each of the RESTRICTED lead's GETs reads at, right after the request has read its
// session (the first read of any request signed in): every later read of
// the request at that revision fails (briefing.ErrMovedOn), and the server
// runs the GET again from the latest revision (readAgain), as on a cluster
// compacted while a request read it.
type compactAfterSession struct {
	*store.DB
	cli *clientv3.Client
	t   *testing.T
	// on is the test's wish, now whether the request being answered
	// (a GET) meets the compaction.
	on, now     atomic.Bool
	compactions atomic.Int64
	// readsAgain counts the GETs the server ran again (countReadsAgain).
	readsAgain atomic.Int64
	// beforeSave, when set, is run before each save of a sheet (see
	// UpdateSheet).
	beforeSave func(id string)
}

func (s *compactAfterSession) Session(ctx context.Context, hash string) (*briefing.Session, error) {
	sess, err := s.DB.Session(ctx, hash)
	if s.now.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A key of nobody's, so that the revision compacted is past the
		// request's; a database keeps its keys under its own prefix.
		resp, err := s.cli.Put(ctx, "elsewhere", "compacted")
		if err == nil {
			_, err = s.cli.Compact(ctx, resp.Header.Revision)
		}
		if err != nil {
			s.t.Error(err)
		}
		s.compactions.Add(1)
	}
	return sess, err
}

// UpdateSheet is the store's, after the test's beforeSave, if any: a save
// made first on another server, which this one loses to.
func (s *compactAfterSession) UpdateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	if s.beforeSave != nil {
		s.beforeSave(sh.ID)
	}
	return s.DB.UpdateSheet(ctx, sh, by)
}

// secondServer is another server on f's database on etcd (url, which may
// name another member), as a cluster runs several: its own connection, watch, cache and groups, the
// same users signed in with the same tokens (a session is the database's),
// on f's clock.
func secondServer(t *testing.T, f *fixture, url string) *fixture {
	t.Helper()
	db := openEtcd(t, url, "")
	t.Cleanup(func() { db.Close() })
	db.Now = f.clock.Now
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(context.Background(), db, server.Config{Now: f.clock.Now, Logger: logger}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, srv: srv, db: db, h: srv.Handler(), clock: f.clock, tokens: f.tokens}
}

// hdAwaitWatch waits until each server's watch has seen every commit made
// to its database, by any server: what the other server wrote has reached
// what this one keeps. Nothing is waited for on a bbolt file.
func hdAwaitWatch(t *testing.T, fs ...*fixture) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, f := range fs {
		if err := f.db.AwaitWatch(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
