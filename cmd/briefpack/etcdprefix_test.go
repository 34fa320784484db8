package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

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
