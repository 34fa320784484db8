package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
