package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line in-process, as main does, and returns what it
// wrote to standard output and standard error and its exit code.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb strings.Builder
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// wantUsageError asserts exit code 2 with one line on standard error and
// nothing on standard output.
func wantUsageError(t *testing.T, out, errOut string, code int, args ...string) {
	t.Helper()
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "briefpack: ") {
		t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
	}
}

// TestFlags_Mistake: a bad flag is answered with one line on standard error
// and exit code 2, not with the help as well; --help still prints it.
func TestFlags_Mistake(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--bogus"},
		{"serve", "--read-timeout", "abc"},
		{"user", "add", "--bogus"},
		{"backup", "--bogus"},
		{"check", "--db"},
		{"restore", "--force=maybe"},
		{"copy", "--bogus"},
		{"export", "--bogus"},
	} {
		out, errOut, code := runCLI(t, "", args...)
		wantUsageError(t, out, errOut, code, args...)
		if !strings.Contains(errOut, "--help") {
			t.Errorf("%v: no pointer to the help: %q", args, errOut)
		}
	}
	for _, args := range [][]string{{"serve", "--help"}, {"user", "add", "-h"}, {"backup", "--help"}, {"check", "--help"}, {"restore", "--help"}, {"copy", "--help"}, {"export", "--help"}} {
		out, errOut, code := runCLI(t, "", args...)
		if code != 0 || strings.Count(out, "Usage: briefpack") != 1 || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestFlags_DBHelp: each command's --db help says what it does with a file
// that is not there, and does it: serve and user add create one, backup,
// check and export refuse it.
func TestFlags_DBHelp(t *testing.T) {
	for _, c := range []struct {
		args    []string
		creates bool
	}{
		{[]string{"serve"}, true},
		{[]string{"user", "add"}, true},
		{[]string{"backup"}, false},
		{[]string{"check"}, false},
		{[]string{"export"}, false},
	} {
		out, _, code := runCLI(t, "", append(c.args, "--help")...)
		if code != 0 || strings.Contains(out, "created if missing") != c.creates || strings.Contains(out, "an existing bbolt file") == c.creates {
			t.Errorf("%v --help: exit %d, says %q", c.args, code, out)
		}
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, args := range [][]string{
		{"backup", "--db", missing, "--out", filepath.Join(dir, "out.db")},
		{"check", "--db", missing},
		{"export", "--db", missing, "--round", "1", "--out", filepath.Join(dir, "out.html")},
	} {
		if _, errOut, code := runCLI(t, "", args...); code != 1 || !strings.Contains(errOut, "no such file") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, missing)
		}
	}
}
