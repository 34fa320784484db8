package server_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
)

// hdRun is one run of the differential tests of the clearance rule: the
// backend the two worlds are stored on, and how many servers each has.
type hdRun struct {
	name string
	// etcd: each world under its own prefix of one etcd member, started
	// at the run's first world; else each on a bbolt file.
	etcd    bool
	cluster *etcdtest.Cluster
	// twoServers: each world has a second server on its prefix, through
	// which the writes above the readers are made, so that they reach the
	// readers' server only through etcd, its watch and what it keeps; and
	// the readers' server reads everything once before those writes, so
	// that what it keeps (the store's values read and read ahead, the packs
	// built) is of the world before them.
	twoServers bool
}

// hdEachRun runs test on a bbolt file, on etcd, and on etcd with two
// servers, each as a subtest of its name. Without etcd the runs on it are
// skipped, or fail where BRIEFPACK_REQUIRE_ETCD is set (as CI sets it).
func hdEachRun(t *testing.T, test func(t *testing.T, run *hdRun)) {
	for _, run := range []*hdRun{{name: "bbolt"}, {name: "etcd", etcd: true}, {name: "etcd-two-servers", etcd: true, twoServers: true}} {
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
		r.cluster = etcdtest.Start(t, 1)
	}
	url := r.cluster.URL(name)
	f := newFixtureOn(t, openEtcd(t, url, "nz"))
	if !r.twoServers {
		return f, f
	}
	return f, secondServer(t, f, url)
}

// secondServer is another server on f's database on etcd (url), as a
// cluster runs several: its own connection, watch, cache and groups, the
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
