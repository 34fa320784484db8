package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
