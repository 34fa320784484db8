package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedFile runs every command that opens a database on a file cut
// short (to half, to 10,000 bytes, to 8 KB) and on an empty one: each answers
// with one line on standard error and exit code 1 — no panic, no fault, and
// an empty file is never taken for a new database.
func TestDamagedFile(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	seed := exec.Command(bin, "user", "add", "--db", good, "--name", "admin", "--role", "admin", "--clearance", "TOP SECRET")
	seed.Stdin = strings.NewReader("a long enough password for the admin\n")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	// Grow it past a few pages so that a cut lands inside the data.
	for i := 0; i < 30; i++ {
		add := exec.Command(bin, "user", "add", "--db", good, "--name", "user"+strings.Repeat("x", i), "--role", "viewer", "--clearance", "RESTRICTED")
		add.Stdin = strings.NewReader("a long enough password for a viewer\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("add: %v %s", err, out)
		}
	}
	full, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// The file is grown ahead of its data, in zeros: cut within the data.
	used := len(bytes.TrimRight(full, "\x00"))
	for _, size := range []int{used / 2, 10000, 8192, 0} {
		bad := filepath.Join(dir, "bad.db")
		if err := os.WriteFile(bad, full[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"check", "--db", bad},
			{"serve", "--db", bad, "--addr", "127.0.0.1:0"},
			{"user", "add", "--db", bad, "--name", "x", "--role", "viewer", "--clearance", "RESTRICTED"},
			{"export", "--db", bad, "--round", "1", "--format", "html", "--out", filepath.Join(dir, "x.html")},
			{"backup", "--db", bad, "--out", filepath.Join(dir, "backup.db")},
			{"restore", "--from", bad, "--db", filepath.Join(dir, "restored.db")},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Stdin = strings.NewReader("a long enough password for x\n")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			cancel()
			code := cmd.ProcessState.ExitCode()
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if err == nil || code != 1 || len(lines) != 1 || strings.Contains(stderr.String(), "goroutine") || !strings.Contains(stderr.String(), "damaged") {
				t.Errorf("%d-byte file, %s: exit %d, stderr %q", size, args[0], code, stderr.String())
			}
		}
		after, _ := os.ReadFile(bad)
		if len(after) != size {
			t.Errorf("%d-byte file: a command changed it to %d bytes", size, len(after))
		}
	}
}

// TestHeaderTooLarge sends the real server an over-long request line: the
// answer is 431 in the error shape, not net/http's plain text.
func TestHeaderTooLarge(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "h.db")
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", "a long enough password for the admin")
	srv := startServer(t, bin, db)
	resp, err := http.Get(srv.url + "/api/v1/search?q=" + strings.Repeat("a", 100<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || !strings.HasPrefix(string(b), `{"error":{"code":"header_too_large"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestSessionSurvivesRestart: sessions are kept in the store, so a server
// killed and started again on the same database still honours them, and a
// sign-out ends them for good.
func TestSessionSurvivesRestart(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "s.db")
	const pw = "a long enough password for the lead"
	addUser(t, bin, db, "lead", "lead", "SECRET", pw)
	srv := startServer(t, bin, db)
	c := signInAs(t, srv.url, "lead", pw)
	srv.kill()
	srv = startServer(t, bin, db)
	defer srv.kill()
	c.url = srv.url
	if code, _, b := c.do("GET", "/api/v1/me", nil); code != 200 {
		t.Fatalf("after a restart the session is gone: %d %s", code, b)
	}
	if code, _, _ := c.do("POST", "/api/v1/logout", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := c.do("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("after logout: %d", code)
	}
}
