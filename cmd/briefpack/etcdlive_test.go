package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// TestEtcd_CheckAndBackupWhileOthersWrite: check and backup of an etcd
// database that other servers write meanwhile pass, and the backup
// checks; and where etcd compacts the revision they read faster than they
// can read it, they say so, not that the cluster is down: a check under
// writes took a minute of requests and failed, 3 times in 4, "the
// database (etcd) stopped answering in time: is the cluster running, with
// a quorum?", though the cluster answered all along.
func TestEtcd_CheckAndBackupWhileOthersWrite(t *testing.T) {
	c := etcdtest.Start(t, 1)
	url := c.URL("live")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	open := func() *store.DB {
		cfg, err := store.ParseEtcdURL(url)
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.OpenEtcd(cfg, "nz")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open()
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia",
		Established: "2014-04-07", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	r := &briefing.Round{DialogueID: d.ID, Number: 1, StartsOn: "2026-12-01", City: "Wellington", Host: briefing.SideHome,
		Status: briefing.RoundScheduled, Marking: "RESTRICTED"}
	if err := db.CreateRound(ctx, r, by, nil); err != nil {
		t.Fatal(err)
	}
	var shs []*briefing.Sheet
	for i := 0; i < 20; i++ {
		sh := &briefing.Sheet{RoundID: r.ID, Title: fmt.Sprintf("Topic %d", i), Status: briefing.SheetDraft,
			Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{{Text: fmt.Sprintf("Paragraph %d.", i), Marking: "RESTRICTED"}}}}}
		if err := db.CreateSheet(ctx, sh, by); err != nil {
			t.Fatal(err)
		}
		shs = append(shs, sh)
	}
	for v := 2; v <= 10; v++ {
		for _, sh := range shs {
			sh.Sections[0].Paragraphs[0].Text = fmt.Sprintf("Paragraph of %s as of version %d.", sh.Title, v)
		}
		if err := db.UpdateSheets(ctx, shs, by); err != nil {
			t.Fatal(err)
		}
	}

	// Two other servers save sheets, and freeze the round, until the test ends.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := 0; w < 2; w++ {
		other := open()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 2 {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if i%10 == w {
					err = other.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": []byte(strings.Repeat("pack ", 300000))}, by)
				} else {
					var sh *briefing.Sheet
					if sh, err = other.Sheet(ctx, shs[i%len(shs)].ID); err == nil {
						sh.Sections[0].Paragraphs[0].Text = fmt.Sprintf("Saved by server %d, save %d.", w, i)
						err = other.UpdateSheet(ctx, sh, by)
					}
				}
				// A read whose revision etcd compacted meanwhile is a
				// request to send again (503), as a stale write is a 412.
				if err != nil && briefing.ErrorCode(err) != briefing.ESTALE && !errors.Is(err, store.ErrCompacted) {
					t.Error(err)
					return
				}
				writes.Add(1)
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()

	dir := t.TempDir()
	before := writes.Load()
	if out, errOut, code := runCLI(t, "", "check", "--db", url); code != 0 || out != url+": ok\n" {
		t.Fatalf("check while other servers write: exit %d, %q %q", code, out, errOut)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, errOut, code := runCLI(t, "", "backup", "--db", url, "--out", backup); code != 0 {
		t.Fatalf("backup while other servers write: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, "", "check", "--db", backup); code != 0 {
		t.Fatalf("the backup taken while other servers wrote: exit %d, %q %q", code, out, errOut)
	}
	if writes.Load() == before {
		t.Fatal("the other servers wrote nothing meanwhile")
	}

	// etcd compacts the revision after every write: no command that reads
	// the whole database reads it at one revision to the end.
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	compacting := make(chan struct{})
	compacted := make(chan struct{})
	go func() {
		defer close(compacted)
		for {
			select {
			case <-compacting:
				return
			default:
			}
			if resp, err := cli.Put(ctx, "elsewhere", "x"); err == nil {
				_, _ = cli.Compact(ctx, resp.Header.Revision)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	defer func() { close(compacting); <-compacted }()
	for _, args := range [][]string{
		{"check", "--db", url},
		{"backup", "--db", url, "--out", filepath.Join(dir, "compacted.db")},
	} {
		out, errOut, code := runCLI(t, "", args...)
		t.Logf("%s while etcd compacts: exit %d, %s", args[0], code, errOut)
		if code == 0 {
			continue // read between two compactions
		}
		if code != 1 || strings.Contains(errOut, "quorum") || !strings.Contains(errOut, "etcd compacted the revision this command was reading") {
			t.Errorf("%s while etcd compacts: exit %d, %q %q", args[0], code, out, errOut)
		}
	}
}

// TestEtcd_CopyStartsAgainWhenCompacted: copy --from an etcd prefix whose
// revision etcd compacts part way starts again at the latest, says so, and
// counts the records of the copy that finished; compacted at every try, it
// fails in one line saying etcd compacted what it read, leaving no file at
// --to. It failed at the first compaction, and left an etcd destination
// marked as a copy that did not finish.
func TestEtcd_CopyStartsAgainWhenCompacted(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	from := c.URL("from")
	cfg, err := store.ParseEtcdURL(from)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 30 {
		if err := db.CreateAgency(ctx, &briefing.Agency{Name: fmt.Sprintf("Agency %d", i), Country: "NZ"}, briefing.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	// compact has etcd drop the revision the copy reads, once it has
	// written the agencies: the first time, or every time.
	compact := func(every bool) *lineWatcher {
		done := false
		return &lineWatcher{see: func(line string) {
			if !strings.Contains(line, " agencies ") || done && !every {
				return
			}
			done = true
			resp, err := cli.Put(ctx, "elsewhere", "x")
			if err == nil {
				_, err = cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical())
			}
			if err != nil {
				t.Error(err)
			}
		}}
	}

	to := c.URL("to")
	out := compact(false)
	var errb strings.Builder
	if code := run(ctx, []string{"copy", "--from", from, "--to", to}, strings.NewReader(""), out, &errb); code != 0 {
		t.Fatalf("a copy whose revision was compacted part way: exit %d, %q %q", code, out.String(), errb.String())
	}
	t.Logf("copy, compacted once:\n%s", out.String())
	_, again, _ := strings.Cut(out.String(), "starting again at the latest (try 2, of three at most)\n")
	total := 0
	for _, line := range strings.Split(again, "\n") {
		var bucket string
		var n int
		if _, err := fmt.Sscanf(line, "  %s %d records", &bucket, &n); err == nil {
			total += n
		}
	}
	if again == "" || strings.Contains(again, "starting again") || total == 0 ||
		!strings.HasSuffix(again, fmt.Sprintf("copied %s to %s (%d records), and checked it\n", from, to, total)) {
		t.Fatalf("a copy that started again once told:\n%s", out.String())
	}
	if out, errOut, code := runCLI(t, "", "check", "--db", to); code != 0 {
		t.Fatalf("the copy that started again: exit %d, %q %q", code, out, errOut)
	}

	file := filepath.Join(t.TempDir(), "copy.db")
	out, errb = compact(true), strings.Builder{}
	code := run(ctx, []string{"copy", "--from", from, "--to", file}, strings.NewReader(""), out, &errb)
	if e := errb.String(); code != 1 || strings.Count(e, "\n") != 1 || strings.Count(out.String(), "starting again") != 2 ||
		!strings.Contains(e, "etcd compacted the revision this command was reading") || !strings.Contains(e, "check, backup and copy start again") {
		t.Fatalf("a copy compacted at every try: exit %d, %q %q", code, out.String(), e)
	}
	t.Logf("copy, compacted at every try:\n%s%s", out.String(), errb.String())
	if _, err := os.Lstat(file); !os.IsNotExist(err) {
		t.Errorf("a copy that failed left %s: %v", file, err)
	}
	if p := partials(t, file); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}
