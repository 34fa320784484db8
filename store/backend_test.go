package store_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// The store's suite runs on both backends: as it stands on bbolt, and once
// more, whole, in a child process with BRIEFPACK_STORE_BACKEND=etcd, where
// every database a test opens with openNew is a fresh prefix of one etcd
// member started for the run (TestSuiteOnEtcd); the tests of the etcd
// backend itself (TestEtcd…) start their own members and run once. Tests of what only a file
// has (a busy file, a damaged one, bbolt's page check) open files
// themselves and run the same on both.

// backendEtcd is the etcd member of a run on etcd, started by TestMain.
var backendEtcd *etcdtest.Cluster

var prefixes atomic.Int64

// openNew opens a new, empty nz database on the run's backend.
func openNew(tb testing.TB) *store.DB {
	tb.Helper()
	if backendEtcd == nil {
		db, err := store.Open(filepath.Join(tb.TempDir(), "briefpack.db"), "nz")
		if err != nil {
			tb.Fatal(err)
		}
		return db
	}
	cfg, err := store.ParseEtcdURL(backendEtcd.URL(fmt.Sprintf("t%d", prefixes.Add(1))))
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.OpenEtcd(cfg, "nz")
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// reopen opens db's database again, as another server would.
func reopen(tb testing.TB, db *store.DB) *store.DB {
	tb.Helper()
	var (
		db2 *store.DB
		err error
	)
	if store.IsEtcdURL(db.Path()) {
		cfg, perr := store.ParseEtcdURL(db.Path())
		if perr != nil {
			tb.Fatal(perr)
		}
		db2, err = store.OpenEtcd(cfg, "")
	} else {
		db2, err = store.Open(db.Path(), "")
	}
	if err != nil {
		tb.Fatal(err)
	}
	return db2
}

func TestMain(m *testing.M) {
	if os.Getenv("BRIEFPACK_STORE_BACKEND") == "etcd" {
		t := &mainTB{}
		backendEtcd = etcdtest.Start(t, 1)
		code := m.Run()
		backendEtcd.Stop()
		t.cleanup()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestSuiteOnEtcd runs this package's tests again with every database on a
// real etcd member.
func TestSuiteOnEtcd(t *testing.T) {
	if backendEtcd != nil {
		t.Skip("this is the run on etcd")
	}
	etcdtest.Binary(t)
	args := []string{"-test.run", "^Test", "-test.skip", "^(TestSuiteOnEtcd|TestEtcd.*)$", "-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BRIEFPACK_STORE_BACKEND=etcd")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the store's tests on etcd: %v\n%s", err, out)
	}
	t.Logf("the store's tests on etcd:\n%s", lastLines(string(out), 3))
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// mainTB is the little of testing.TB that starting etcd in TestMain needs.
type mainTB struct {
	testing.TB
	dirs     []string
	cleanups []func()
}

func (t *mainTB) Helper() {}
func (t *mainTB) TempDir() string {
	d, err := os.MkdirTemp("", "briefpack-etcd-")
	if err != nil {
		panic(err)
	}
	t.dirs = append(t.dirs, d)
	return d
}
func (t *mainTB) Cleanup(f func())  { t.cleanups = append(t.cleanups, f) }
func (t *mainTB) Fatal(args ...any) { fmt.Fprintln(os.Stderr, args...); os.Exit(1) }
func (t *mainTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
func (t *mainTB) Skip(args ...any) { t.Fatal(args...) }
func (t *mainTB) cleanup() {
	for _, f := range t.cleanups {
		f()
	}
	for _, d := range t.dirs {
		os.RemoveAll(d)
	}
}
