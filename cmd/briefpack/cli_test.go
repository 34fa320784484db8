package main

import (
	"context"
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
