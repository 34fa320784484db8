package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// TestEtcd_CopyKilled kills the real binary while it copies a file into
// etcd, after its first bucket. Before, the prefix it left half written was
// taken for a database: serve started on it and served part of the data,
// check reported broken invariants, and a new copy was refused because the
// prefix "already holds records". Now every command refuses it in one line
// that says the copy did not finish and gives the etcdctl command that
// clears it; cleared so, the copy is run again and checks. (A copy into a
// file leaves none at --to: it is renamed there only once whole, see
// TestCopy_ToFileNeverHalfWritten; a prefix cannot be renamed.)
func TestEtcd_CopyKilled(t *testing.T) {
	bin := buildBinary(t)
	c := etcdtest.Start(t, 1)
	ctx := context.Background()

	// A source whose copy takes many etcd transactions after its first
	// bucket (agencies): each agency has an audit record and a history entry.
	src := filepath.Join(t.TempDir(), "src.db")
	st, err := store.Open(src, "nz")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				a := &briefing.Agency{Name: fmt.Sprintf("Agency %d-%d", w, i), Acronym: fmt.Sprintf("A%dX%d", w, i), Country: "NZ"}
				if err := st.CreateAgency(ctx, a, briefing.Actor{Name: "test"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	url := c.URL("killed")
	cmd := exec.Command(bin, "copy", "--from", src, "--to", url)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "agencies") {
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("the copy was not killed midway: %v (give it more to copy)", err)
	}

	hint := fmt.Sprintf("etcdctl --endpoints=%s del --prefix 'killed/'", strings.Join(c.Endpoints(), ","))
	for _, args := range [][]string{
		{"serve", "--db", url, "--addr", "127.0.0.1:0"},
		{"check", "--db", url},
		{"copy", "--from", src, "--to", url},
		{"backup", "--db", url, "--out", filepath.Join(t.TempDir(), "backup.db")},
		{"user", "add", "--db", url, "--name", "admin", "--role", "admin", "--clearance", "TOP SECRET"},
	} {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cmd := exec.CommandContext(cctx, bin, args...)
		cmd.Stdin = strings.NewReader("a long enough password for the admin\n")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		cmd.Run()
		cancel()
		e := errb.String()
		if cmd.ProcessState.ExitCode() != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "did not finish") || !strings.Contains(e, hint) {
			t.Errorf("%s on the prefix a killed copy left: exit %d, %q", args[0], cmd.ProcessState.ExitCode(), e)
		}
	}

	// Cleared as the message says (etcdctl del --prefix), the copy runs again.
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Delete(ctx, "killed/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"copy", "--from", src, "--to", url}, {"check", "--db", url}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s after clearing the prefix: %v %s", args[0], err, out)
		}
	}
}
