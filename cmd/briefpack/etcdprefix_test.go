package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcd_MistypedPrefix: the commands that read a database refuse an etcd
// prefix that holds none, and create nothing there, as they refuse a file
// that does not exist: a mistyped prefix checked "ok", backed up an empty
// database and fixed a jurisdiction for a database never meant to be.
func TestEtcd_MistypedPrefix(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	typo := c.URL("typo")
	dir := t.TempDir()
	for _, args := range [][]string{
		{"check", "--db", typo},
		{"backup", "--db", typo, "--out", filepath.Join(dir, "b.db")},
		{"export", "--db", typo, "--round", "1", "--format", "html", "--out", filepath.Join(dir, "p.html")},
		{"copy", "--from", typo, "--to", filepath.Join(dir, "c.db")},
	} {
		var out, errb bytes.Buffer
		if code := run(ctx, args, strings.NewReader(""), &out, &errb); code != 1 || !strings.Contains(errb.String(), "no briefpack database is kept under that prefix") {
			t.Errorf("%s: exit %d, %q", args[0], code, errb.String())
		}
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(ctx, "typo/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != 0 {
		t.Fatalf("the commands wrote %d keys under the mistyped prefix", resp.Count)
	}
}

// TestEtcd_CopyIntoSharedPrefix: a copy into a prefix inside another
// database's is refused in one line before it writes anything: the two
// would share keys (the outer's sweep deleted the inner's frozen files).
func TestEtcd_CopyIntoSharedPrefix(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	mustAddUser(t, c.URL("outer"), "olive")
	src := filepath.Join(t.TempDir(), "src.db")
	mustAddUser(t, src, "sam")
	out, errOut, code := runCLI(t, "", "copy", "--from", src, "--to", c.URL("outer/copy"))
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "its prefix outer/copy/ is inside the prefix outer/ of another briefpack database") {
		t.Errorf("copy into a prefix inside another database's: exit %d, %q %q", code, out, errOut)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(ctx, "outer/copy/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != 0 {
		t.Errorf("the refused copy wrote %d keys", resp.Count)
	}
}

// TestEtcd_RollingUpgrade: a server whose database a newer briefpack
// migrated while it served it (several servers share an etcd database,
// upgraded one by one) answers every request 503, saying it must be
// restarted on the new version, writes nothing, and logs it once. It went
// on writing records of its older schema into the newer database: a raise
// of a paragraph's marking saved through it was not recorded, and a newer
// server then showed the paragraph to a RESTRICTED reader.
func TestEtcd_RollingUpgrade(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	db := c.URL("rolling")
	mustAddUser(t, db, "sec", "--role", "secretariat", "--clearance", "SECRET")
	var log syncBuffer
	m := NewMain()
	m.Addr, m.DBPath, m.Logger = "127.0.0.1:0", db, slog.New(slog.NewTextHandler(&log, nil))
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sec := signInAs(t, m.URL(), "sec", "a long enough password for sec")
	dialogue := map[string]any{"name": "Australia–New Zealand National Security Dialogue", "partner": "Australia",
		"established": "2016-10-01", "cadence_months": 12}
	if code, _, body := sec.do("POST", "/api/v1/dialogues", dialogue); code != 201 {
		t.Fatalf("a dialogue: %d %s", code, body)
	}

	// A newer briefpack's start migrates the database.
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	// As its migration commits: the schema with the write token, in one
	// transaction (a server reads the schema as of the token).
	if _, err := cli.Txn(ctx).Then(clientv3.OpPut("rolling/b/meta\x00schema", "\x00"+strconv.Itoa(briefing.SchemaVersion()+1)),
		clientv3.OpPut("rolling/rev", "ok")).Commit(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		method, path string
		body         any
	}{{"GET", "/api/v1/dialogues", nil}, {"POST", "/api/v1/dialogues", dialogue}, {"GET", "/api/v1/dialogues", nil}, {"GET", "/healthz", nil}} {
		code, header, body := sec.do(r.method, r.path, r.body)
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(body, &e)
		if code != 503 || r.path != "/healthz" && (e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "restarted on the new version") ||
			header.Get("Retry-After") == "") {
			t.Errorf("%s %s after a newer briefpack migrated the database: %d %s", r.method, r.path, code, body)
		}
	}
	resp, err := cli.Get(ctx, "rolling/q/dialogues")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 || binary.BigEndian.Uint64(resp.Kvs[0].Value) != 1 {
		t.Errorf("the dialogues' sequence is %v after the refused write, want 1", resp.Kvs)
	}
	want := fmt.Sprintf("was upgraded to schema %d by a newer briefpack while this server (schema %d) served it", briefing.SchemaVersion()+1, briefing.SchemaVersion())
	if n := strings.Count(log.String(), want); n != 1 || !strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("the log says it %d times, want once: %s", n, log.String())
	}
}

// TestEtcd_UserWithoutPassword: --etcd-user without a password, or a
// password without a user, is refused naming the flag missing, before
// anything is written, as a certificate without its key is: the client
// sends a user only with a password, so the user was dropped and the
// server served the cluster as nobody in particular, saying nothing.
func TestEtcd_UserWithoutPassword(t *testing.T) {
	c := etcdtest.Start(t, 1)
	t.Setenv("BRIEFPACK_ETCD_USER", "")
	t.Setenv("BRIEFPACK_ETCD_PASSWORD", "")
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "etcd-password")
	if err := os.WriteFile(pwFile, []byte("the etcd password of the briefpack user\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--etcd-user", "briefpack"}, "etcd user briefpack: give its password too (--etcd-password-file, or BRIEFPACK_ETCD_PASSWORD)"},
		{[]string{"--etcd-password-file", pwFile}, "an etcd password: give its user too (--etcd-user, or BRIEFPACK_ETCD_USER)"},
		{[]string{"--etcd-user", "briefpack", "--etcd-password-file", emptyFile}, "--etcd-password-file " + emptyFile + " holds no password on its first line"},
	} {
		// Cancelled, so that a serve that took the flags stops at once
		// rather than serve on.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", c.URL("half")}, tc.flags...)
		var out, errb bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, %q, %q", tc.flags, code, out.String(), errb.String())
		}
		if strings.Contains(errb.String(), "the etcd password of") {
			t.Errorf("%v: the password is in the message: %q", tc.flags, errb.String())
		}
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(context.Background(), "half/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != 0 {
		t.Fatalf("a refused serve wrote %d keys", resp.Count)
	}
}
