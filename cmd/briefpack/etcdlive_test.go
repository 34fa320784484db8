package main

import (
	"context"
	"fmt"
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
				if err != nil && briefing.ErrorCode(err) != briefing.ESTALE {
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
