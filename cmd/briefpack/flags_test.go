package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"briefpack/briefing"
)

// TestFlags_ServeProxiesBeforeOpen: a --trusted-proxies that is not an
// address range is bad usage refused before the database is opened. It
// was checked after: an old file was migrated (and an older briefpack
// could no longer open it), a new one created with its jurisdiction fixed,
// and --demo loaded the demo and printed and kept its logins, all before
// the exit code 2.
func TestFlags_ServeProxiesBeforeOpen(t *testing.T) {
	dir := t.TempDir()
	old := release1(t, dir)
	before := mustRead(t, old)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", old, "--trust-proxy", "--trusted-proxies", "10.0.0.0/33"}
	out, errOut, code := runCLI(t, "", args...)
	wantUsageError(t, out, errOut, code, args...)
	if !strings.Contains(errOut, "--trusted-proxies: 10.0.0.0/33 is not an address range") {
		t.Errorf("%q", errOut)
	}
	if !bytes.Equal(mustRead(t, old), before) {
		t.Error("a refused serve changed the database file")
	}

	db := filepath.Join(dir, "demo.db")
	args = []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo", "--jurisdiction", "au", "--trust-proxy", "--trusted-proxies", "10.0.0.0/8,bogus"}
	out, errOut, code = runCLI(t, "", args...)
	wantUsageError(t, out, errOut, code, args...)
	for _, f := range []string{db, db + ".logins"} {
		if _, err := os.Lstat(f); !os.IsNotExist(err) {
			t.Errorf("a refused serve made %s: %v", f, err)
		}
	}
}

// TestFlags_EtcdOnly: an --etcd-… flag given with no etcd:// database is
// bad usage, one line naming the flag, for every command that takes them;
// it was silently ignored and the bbolt file opened (or created).
func TestFlags_EtcdOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "z.db")
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--db", db, "--etcd-password-file", "/nonexistent"},
		{"user", "add", "--db", db, "--name", "alice", "--role", "viewer", "--clearance", "RESTRICTED", "--etcd-user", "root"},
		{"backup", "--db", db, "--out", out, "--etcd-cert", "c.pem"},
		{"check", "--db", db, "--etcd-key", "k.pem"},
		{"export", "--db", db, "--round", "1", "--out", out, "--etcd-ca", "ca.pem"},
		{"copy", "--from", db, "--to", out, "--etcd-user", "root"},
	} {
		// Cancelled, so that a serve that took the flags would stop at once
		// rather than serve on.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var o, e strings.Builder
		code := run(ctx, args, strings.NewReader("a long enough password\n"), &o, &e)
		stdout, errOut := o.String(), e.String()
		wantUsageError(t, stdout, errOut, code, args...)
		if !strings.Contains(errOut, "applies only to an etcd:// database") {
			t.Errorf("%v: %q", args, errOut)
		}
		for _, f := range []string{db, out} {
			if _, err := os.Lstat(f); !os.IsNotExist(err) {
				t.Fatalf("%v made %s: %v", args, f, err)
			}
		}
	}
	// With either end of a copy on etcd the flags are taken: this one stops
	// at its missing source, not at the flags.
	args := []string{"copy", "--from", db, "--to", "etcd://127.0.0.1:1/x", "--etcd-user", "root"}
	if _, errOut, code := runCLI(t, "", args...); code != 1 {
		t.Errorf("%v: exit %d, %q", args, code, errOut)
	}
}

// TestFlags_EtcdAddress: an etcd:// address that does not parse (no
// endpoint, a port that is no number, a user and password in it) is a
// mistake in the command line, exit code 2, for every command that takes
// one, as a bad --format is; it was exit code 1, a failure, as if a
// cluster had been asked.
func TestFlags_EtcdAddress(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "z.db")
	out := filepath.Join(dir, "out")
	for _, bad := range []string{"etcd://", "etcd://127.0.0.1:notaport", "etcd://root:pw@127.0.0.1:2379"} {
		for _, args := range [][]string{
			{"serve", "--addr", "127.0.0.1:0", "--db", bad},
			{"user", "add", "--db", bad, "--name", "alice", "--role", "viewer", "--clearance", "RESTRICTED"},
			{"backup", "--db", bad, "--out", out},
			{"check", "--db", bad},
			{"export", "--db", bad, "--round", "1", "--out", out},
			{"copy", "--from", db, "--to", bad},
			{"copy", "--from", bad, "--to", out},
		} {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var o, e strings.Builder
			code := run(ctx, args, strings.NewReader("a long enough password\n"), &o, &e)
			wantUsageError(t, o.String(), e.String(), code, args...)
			if strings.Contains(e.String(), "pw") {
				t.Errorf("%v: the password shown: %q", args, e.String())
			}
			if strings.Contains(bad, "@") && !strings.Contains(e.String(), "--etcd-user") {
				t.Errorf("%v: the way to give a user is not said: %q", args, e.String())
			}
			if _, err := os.Lstat(out); !os.IsNotExist(err) {
				t.Fatalf("%v made %s: %v", args, out, err)
			}
		}
	}
}

// TestFlags_DemoHelp: serve --help tells what --demo does on a restart:
// it prints the same logins, kept beside the database. It said each start
// gave new passwords.
func TestFlags_DemoHelp(t *testing.T) {
	out, _, code := runCLI(t, "", "serve", "--help")
	demo := out[strings.Index(out, "-demo"):]
	demo = demo[:strings.Index(demo, "\n  -")]
	if code != 0 || strings.Contains(demo, "with new passwords") || !strings.Contains(demo, "a restart prints the same ones") {
		t.Errorf("exit %d: --demo help %q", code, demo)
	}
}

// TestMessage_Unavailable: a cluster that stops answering during a command
// is said in a command's words, not the store's words for a web page (a
// save under way, reload to see).
func TestMessage_Unavailable(t *testing.T) {
	err := fmt.Errorf("check: %w", &briefing.Error{Code: briefing.EUNAVAILABLE,
		Message: "the database (etcd) did not answer in time; try again in a moment (a save that was under way may or may not have been kept: reload to see)"})
	if got := message(err); strings.Contains(got, "reload") || !strings.Contains(got, "etcd") {
		t.Errorf("%q", got)
	}
}

// syncBuffer is a log's destination written by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUpgrade_Said: a command that migrates a database an older briefpack
// wrote says so, in one line naming both schemas and that an older
// briefpack can no longer open it: user add on standard error (even when
// it then fails), serve in its log. The migration was silent.
func TestUpgrade_Said(t *testing.T) {
	want := fmt.Sprintf("from schema 1 to schema %d: an older briefpack can no longer open it", briefing.SchemaVersion())
	t.Run("UserAdd", func(t *testing.T) {
		db := release1(t, t.TempDir())
		for i, c := range []struct {
			name string
			code int
			says bool
		}{{"admin", 1, true}, {"alice", 0, false}} {
			out, errOut, code := runCLI(t, "a long enough password\n", "user", "add", "--db", db, "--name", c.name, "--role", "viewer", "--clearance", "RESTRICTED")
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if code != c.code || strings.Contains(errOut, want) != c.says || c.says && !strings.HasPrefix(lines[0], "briefpack: upgraded the database "+db+" "+want) {
				t.Errorf("user add %d (%s): exit %d, stdout %q, stderr %q", i+1, c.name, code, out, errOut)
			}
		}
	})
	t.Run("Serve", func(t *testing.T) {
		db := release1(t, t.TempDir())
		for i, says := range []bool{true, false} {
			var log syncBuffer
			m := NewMain()
			m.Addr, m.DBPath, m.Logger = "127.0.0.1:0", db, slog.New(slog.NewTextHandler(&log, nil))
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(log.String(), want); got != map[bool]int{true: 1, false: 0}[says] || says && !strings.Contains(log.String(), "level=WARN") {
				t.Errorf("start %d: log %q", i+1, log.String())
			}
		}
	})
}

// TestVersion: briefpack version (and --version) names the database schema
// this briefpack writes.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		out, errOut, code := runCLI(t, "", arg)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "briefpack ") || !strings.Contains(out, fmt.Sprintf("writes database schema %d ", briefing.SchemaVersion())) {
			t.Errorf("%s: exit %d, %q %q", arg, code, out, errOut)
		}
	}
}

// TestHelp_EveryCommand: every command's --help and -h print its usage
// and exit 0, version's too (it was "unexpected argument", exit 2), and
// "briefpack help COMMAND" prints the same (it printed the general usage).
func TestHelp_EveryCommand(t *testing.T) {
	for _, cmd := range [][]string{{"serve"}, {"user", "add"}, {"backup"}, {"check"}, {"restore"}, {"copy"}, {"export"}, {"version"}} {
		help, errOut, code := runCLI(t, "", append(cmd, "--help")...)
		if code != 0 || errOut != "" || !strings.HasPrefix(help, "Usage: briefpack "+strings.Join(cmd, " ")+"\n") {
			t.Errorf("%v --help: exit %d, %q %q", cmd, code, help, errOut)
		}
		for _, args := range [][]string{append(cmd, "-h"), append([]string{"help"}, cmd...)} {
			if out, errOut, code := runCLI(t, "", args...); code != 0 || errOut != "" || out != help {
				t.Errorf("%v: exit %d, %q %q, want what --help prints", args, code, out, errOut)
			}
		}
	}
	out, errOut, code := runCLI(t, "", "version", "now")
	wantUsageError(t, out, errOut, code, "version", "now")
}

// TestUserAdd_ClearanceBeforeMigration: a clearance that is not a marking
// of an existing file's jurisdiction is bad usage refused before the file
// is opened to write: a file an older briefpack wrote stays as it was. It
// was checked after the open, which had migrated it.
func TestUserAdd_ClearanceBeforeMigration(t *testing.T) {
	db := release1(t, t.TempDir())
	before := mustRead(t, db)
	args := []string{"user", "add", "--db", db, "--name", "alice", "--role", "viewer", "--clearance", "PROTECTED"}
	out, errOut, code := runCLI(t, "a long enough password\n", args...)
	wantUsageError(t, out, errOut, code, args...)
	if !strings.HasPrefix(errOut, "briefpack: user add: --clearance must be one of UNCLASSIFIED,") {
		t.Errorf("%q", errOut)
	}
	if !bytes.Equal(mustRead(t, db), before) {
		t.Error("a refused user add changed the database file")
	}
}
