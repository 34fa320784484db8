package store

import (
	"bytes"
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

func openEtcdTimeout(t *testing.T, c *etcdtest.Cluster, prefix string, timeout time.Duration) *DB {
	t.Helper()
	return openEtcdURL(t, c.URL(prefix), timeout)
}

// TestEtcd_LargeCommitWithoutClusterAnswers: a change too large for one
// etcd transaction (an import, > 120 operations) whose cluster goes away
// just as it commits fails unavailable within its requests' timeouts, and
// so does a small write the same server takes after it. Its journal's
// calls had no timeout: it was held for as long as the cluster was away,
// holding the server's write lock, and every other write with it.
func TestEtcd_LargeCommitWithoutClusterAnswers(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdTimeout(t, c, "bigout", 2*time.Second)
	ctx := context.Background()
	var killed atomic.Bool
	done := make(chan error, 1)
	go func() {
		done <- db.update(ctx, func(tx kvTx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("zz"))
			if err != nil {
				return err
			}
			for i := 0; i < 200; i++ {
				if err := bk.Put([]byte(fmt.Sprintf("k%04d", i)), []byte("value")); err != nil {
					return err
				}
			}
			if !killed.Swap(true) {
				c.Members[0].Kill() // the cluster goes away between the reads and the commit
			}
			return nil
		})
	}()
	// A small write on the same server, after it.
	time.Sleep(500 * time.Millisecond)
	small := make(chan error, 1)
	go func() {
		small <- db.CreateAgency(ctx, &briefing.Agency{Name: "Ministry of Justice", Country: "New Zealand"}, briefing.Actor{Name: "t"})
	}()
	select {
	case err := <-done:
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
			t.Errorf("large commit without a cluster: %v (code %q), want EUNAVAILABLE", err, briefing.ErrorCode(err))
		}
	case <-time.After(15 * time.Second):
		t.Errorf("large commit without a cluster still held after 15 s (request timeout 2 s)")
	}
	select {
	case err := <-small:
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
			t.Errorf("small write without a cluster: %v", err)
		}
	case <-time.After(12 * time.Second):
		t.Errorf("a small write on the same server, started 0.5 s after, still held after 27 s (request timeout 2 s)")
	}
	c.Members[0].Restart(t)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	select {
	case <-small:
	case <-time.After(10 * time.Second):
	}
}

// leaderOf returns the index of the cluster's leader, or -1.
func leaderOf(t *testing.T, c *etcdtest.Cluster, db *DB) int {
	k := db.kv.(*etcdKV)
	for i, ep := range c.Endpoints() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := k.cli.Status(ctx, "http://"+ep)
		cancel()
		if err == nil && st.Leader == st.Header.MemberId {
			return i
		}
	}
	return -1
}

// killLeaders kills the cluster's leader, as db finds it, three times, two
// seconds apart, restarting it a second and a half later; the function it
// returns stops it and waits for it.
func killLeaders(t *testing.T, c *etcdtest.Cluster, db *DB) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; round < 3; round++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
			}
			l := leaderOf(t, c, db)
			if l < 0 {
				l = round % 3
			}
			t.Logf("killing member %d (leader)", l)
			c.Members[l].Kill()
			time.Sleep(1500 * time.Millisecond)
			c.Members[l].Restart(t)
		}
	}()
	return func() {
		close(stop)
		wg.Wait()
	}
}

// TestEtcd_LeaderKilledTwoServers: two servers write in turn and each
// acknowledged write is read back at once through the other, while the
// leader is killed and restarted; every error must be EUNAVAILABLE and no
// read older than an acknowledged write.
func TestEtcd_LeaderKilledTwoServers(t *testing.T) {
	c := etcdtest.Start(t, 3)
	a := openEtcdTimeout(t, c, "lk", 5*time.Second)
	b := openEtcdTimeout(t, c, "lk", 5*time.Second)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Acronym: "A0", Country: "New Zealand"}
	if err := a.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	stopKilling := killLeaders(t, c, a)
	cur := *ag
	deadline := time.Now().Add(18 * time.Second)
	acked, unavailable := 0, 0
	for i := 0; time.Now().Before(deadline); i++ {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		next := cur
		next.Acronym = fmt.Sprintf("A%d", i+1)
		err := w.UpdateAgency(ctx, &next, by)
		switch {
		case err == nil:
			cur = next
			acked++
		case briefing.ErrorCode(err) == briefing.EUNAVAILABLE:
			unavailable++
			// may or may not have been kept: find out
			for {
				got, err := w.Agency(ctx, ag.ID)
				if err == nil {
					cur = *got
					break
				}
				if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
					t.Fatalf("read after a 503: %v", err)
				}
			}
			continue
		default:
			t.Fatalf("write %d: %v (code %q)", i, err, briefing.ErrorCode(err))
		}
		for {
			got, err := r.Agency(ctx, ag.ID)
			if err == nil {
				if got.Version != cur.Version || got.Acronym != cur.Acronym {
					t.Fatalf("write %d acknowledged as version %d (%s), read through the other server as version %d (%s)", i, cur.Version, cur.Acronym, got.Version, got.Acronym)
				}
				break
			}
			if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
				t.Fatalf("read %d: %v (code %q)", i, err, briefing.ErrorCode(err))
			}
			unavailable++
		}
	}
	stopKilling()
	t.Logf("%d writes acknowledged, %d answers unavailable", acked, unavailable)
}

func openEtcdEndpoint(t *testing.T, c *etcdtest.Cluster, i int, prefix string) *DB {
	t.Helper()
	return openEtcdURL(t, "etcd://"+c.Endpoints()[i]+"/"+prefix, 3*time.Second)
}

// TestEtcd_CompactionWhileWatchAway: server B (through member 1 only)
// keeps a value; its member is killed, server A (member 0) writes, the
// cluster is compacted to its current revision, member 1 comes back: B's
// watch cannot resume (compacted) and must start again, so B reads A's
// write, not what it kept.
func TestEtcd_CompactionWhileWatchAway(t *testing.T) {
	c := etcdtest.Start(t, 3)
	a := openEtcdEndpoint(t, c, 0, "cmp")
	b := openEtcdEndpoint(t, c, 1, "cmp")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Acronym: "A0", Country: "New Zealand"}
	if err := a.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := b.Agency(ctx, ag.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Agencies(ctx, briefing.Page{Limit: 10}); err != nil {
			t.Fatal(err)
		}
	}
	c.Members[1].Kill()
	cur := *ag
	for i := 0; i < 5; i++ {
		cur.Acronym = fmt.Sprintf("B%d", i)
		if err := a.UpdateAgency(ctx, &cur, by); err != nil {
			t.Fatal(err)
		}
	}
	k := a.kv.(*etcdKV)
	resp, err := k.cli.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	c.Members[1].Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := b.Agency(ctx, ag.ID)
		if err == nil {
			if got.Version != cur.Version || got.Acronym != cur.Acronym {
				t.Fatalf("B read version %d (%s) after A acknowledged version %d (%s)", got.Version, got.Acronym, cur.Version, cur.Acronym)
			}
			all, _, err := b.Agencies(ctx, briefing.Page{Limit: 10})
			if err != nil || all[0].Acronym != cur.Acronym {
				t.Fatalf("B listed %v: %v", all, err)
			}
			break
		}
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
			t.Fatalf("B after its member came back: %v (code %q)", err, briefing.ErrorCode(err))
		}
		if time.Now().After(deadline) {
			t.Fatalf("B still unavailable: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// and B's cache serves again: another write through A is read through B
	cur.Acronym = "C"
	if err := a.UpdateAgency(ctx, &cur, by); err != nil {
		t.Fatal(err)
	}
	got, err := b.Agency(ctx, ag.ID)
	if err != nil || got.Acronym != "C" {
		t.Fatalf("%v %+v", err, got)
	}
}

// TestEtcd_CompactionDuringRead: a request that read once, fixing the
// revision it reads at, and reads on after another server's write and a
// compaction to the current revision, is answered unavailable, to send
// again: it was a 500 saying another server wrote first.
func TestEtcd_CompactionDuringRead(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdTimeout(t, c, "pin", 3*time.Second)
	b := openEtcdTimeout(t, c, "pin", 3*time.Second)
	bg := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	x := &briefing.Agency{Name: "Ministry X", Country: "New Zealand"}
	y := &briefing.Agency{Name: "Ministry Y", Country: "New Zealand"}
	if err := b.CreateAgency(bg, x, by); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateAgency(bg, y, by); err != nil {
		t.Fatal(err)
	}
	ctx := briefing.WithReadPin(bg)
	if _, err := a.Agency(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	x.Acronym = "X"
	if err := b.UpdateAgency(bg, x, by); err != nil {
		t.Fatal(err)
	}
	k := b.kv.(*etcdKV)
	resp, err := k.cli.Get(bg, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.cli.Compact(bg, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Agency(ctx, y.ID); briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Errorf("a read whose revision was compacted: %v (code %q), want unavailable", err, briefing.ErrorCode(err))
	}
}

// readCost is how many etcd reads one read of the agency costs db.
func readCost(t *testing.T, db *DB, id string) int64 {
	r0, _, _ := db.EtcdRequests()
	if _, err := db.Agency(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	r1, _, _ := db.EtcdRequests()
	return r1 - r0
}

// TestEtcd_WholeClusterOutage: every member stopped for a few seconds
// and started again on its data, while two servers are open.
func TestEtcd_WholeClusterOutage(t *testing.T) {
	c := etcdtest.Start(t, 3)
	a := openEtcdTimeout(t, c, "out", 3*time.Second)
	b := openEtcdTimeout(t, c, "out", 3*time.Second)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Acronym: "A0", Country: "New Zealand"}
	if err := a.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		readCost(t, b, ag.ID)
	}
	time.Sleep(300 * time.Millisecond)
	base := readCost(t, b, ag.ID)
	t.Logf("a cached read costs %d etcd reads", base)
	for _, m := range c.Members {
		m.Kill()
	}
	for _, db := range []*DB{a, b} {
		start := time.Now()
		_, err := db.Agency(ctx, ag.ID)
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE || time.Since(start) > 8*time.Second {
			t.Errorf("read during the outage: %v after %v", err, time.Since(start))
		}
		start = time.Now()
		x := *ag
		x.Acronym = "OUT"
		err = db.UpdateAgency(ctx, &x, by)
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE || time.Since(start) > 8*time.Second {
			t.Errorf("write during the outage: %v after %v", err, time.Since(start))
		}
	}
	var wg sync.WaitGroup
	for _, m := range c.Members {
		wg.Add(1)
		go func() { defer wg.Done(); m.Restart(t) }()
	}
	wg.Wait()
	deadline := time.Now().Add(15 * time.Second)
	var cur *briefing.Agency
	for {
		got, err := a.Agency(ctx, ag.ID)
		if err == nil {
			cur = got
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A not back: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i := 0; i < 20; i++ {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		cur.Acronym = fmt.Sprintf("R%d", i)
		var err error
		for try := 0; try < 50; try++ {
			x := *cur
			if err = w.UpdateAgency(ctx, &x, by); err == nil {
				cur = &x
				break
			}
			if briefing.ErrorCode(err) == briefing.ESTALE {
				cur, _ = w.Agency(ctx, ag.ID)
				cur.Acronym = fmt.Sprintf("R%d", i)
				continue
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("write %d after the outage: %v", i, err)
		}
		got, err := r.Agency(ctx, ag.ID)
		if err != nil || got.Version != cur.Version {
			t.Fatalf("read %d after the outage: %v %+v (want version %d)", i, err, got, cur.Version)
		}
	}
	time.Sleep(500 * time.Millisecond)
	readCost(t, b, ag.ID)
	if after := readCost(t, b, ag.ID); after > base {
		t.Errorf("after the outage a read costs %d etcd reads, before it %d: B's cache no longer serves", after, base)
	}
	readCost(t, a, ag.ID)
	if after := readCost(t, a, ag.ID); after > base {
		t.Errorf("after the outage a read costs A %d etcd reads, before it %d", after, base)
	}
}

// TestEtcd_ReadWaitingOnJournalWithoutCluster: a read that finds a large
// commit under way (the write token names its journal) waits on it; when
// the cluster goes away meanwhile, it fails unavailable within its
// requests' timeout, where it was held for as long as the cluster was away.
func TestEtcd_ReadWaitingOnJournalWithoutCluster(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdTimeout(t, c, "dead", 2*time.Second)
	deadJournal(t, c, 0x1234)
	journalStall = 30 * time.Second // the journal's server is alive, only slow
	done := make(chan error, 1)
	go func() {
		_, err := db.Revision(context.Background())
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	c.Members[0].Kill()
	select {
	case err := <-done:
		t.Logf("read: %v", err)
		if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
			t.Errorf("read without a cluster: %v", err)
		}
	case <-time.After(12 * time.Second):
		t.Errorf("a read waiting on a large commit is still held 11.5 s after the cluster went away (request timeout 2 s)")
	}
	c.Members[0].Restart(t)
}

// TestEtcd_LargeCommitsLeaderKilled: two servers save 40 sheets at once
// in turn (a journaled commit), while the leader is killed and restarted;
// every acknowledged save is read back whole through the other server.
func TestEtcd_LargeCommitsLeaderKilled(t *testing.T) {
	c := etcdtest.Start(t, 3)
	a := openEtcdTimeout(t, c, "lg", 5*time.Second)
	b := openEtcdTimeout(t, c, "lg", 5*time.Second)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, a, by)
	var shs []*briefing.Sheet
	for i := 0; i < 40; i++ {
		sh := &briefing.Sheet{RoundID: r.ID, Title: fmt.Sprintf("Topic %d", i), Status: briefing.SheetDraft,
			Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{{Text: "v0", Marking: "RESTRICTED"}}}}}
		if err := a.CreateSheet(ctx, sh, by); err != nil {
			t.Fatal(err)
		}
		shs = append(shs, sh)
	}
	stopKilling := killLeaders(t, c, a)
	deadline := time.Now().Add(16 * time.Second)
	acked, unavailable := 0, 0
	for i := 0; time.Now().Before(deadline); i++ {
		w, rd := a, b
		if i%2 == 1 {
			w, rd = b, a
		}
		text := fmt.Sprintf("v%d", i+1)
		for _, sh := range shs {
			sh.Sections[0].Paragraphs[0].Text = text
		}
		err := w.UpdateSheets(ctx, shs, by)
		if err != nil {
			if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
				t.Fatalf("save %d: %v (code %q)", i, err, briefing.ErrorCode(err))
			}
			unavailable++
			// Take up whatever is stored now.
			for {
				var bad error
				for j, sh := range shs {
					got, err := w.Sheet(ctx, sh.ID)
					if err != nil {
						bad = err
						break
					}
					shs[j] = got
				}
				if bad == nil {
					break
				}
				if briefing.ErrorCode(bad) != briefing.EUNAVAILABLE {
					t.Fatalf("read after a 503: %v", bad)
				}
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		acked++
		for _, sh := range shs {
			for {
				got, err := rd.Sheet(ctx, sh.ID)
				if err == nil {
					if got.Version != sh.Version || got.Sections[0].Paragraphs[0].Text != text {
						t.Fatalf("save %d acknowledged (sheet %s version %d %q), read through the other server as version %d %q",
							i, sh.ID, sh.Version, text, got.Version, got.Sections[0].Paragraphs[0].Text)
					}
					break
				}
				if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
					t.Fatalf("read: %v (code %q)", err, briefing.ErrorCode(err))
				}
				unavailable++
			}
		}
	}
	stopKilling()
	t.Logf("%d large saves acknowledged, %d answers unavailable", acked, unavailable)
	if err := a.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// TestEtcd_ChunkGenerationClaimed: two servers whose write transactions
// began at the same revision write a large value under the same key (two
// freezes at once take the same snapshot id). A chunk set's generation is
// the revision and 16 random bits: when the bits agree (1 in 65,536; forced
// here), the second to write a first chunk runs again, where its chunks
// overwrote the first's and its clean-up, losing the commit, deleted the
// chunks the first's acknowledged manifest names.
func TestEtcd_ChunkGenerationClaimed(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdTimeout(t, c, "gen", 5*time.Second)
	b := openEtcdTimeout(t, c, "gen", 5*time.Second)
	ctx := context.Background()
	name, key := []byte("zz"), []byte("file")
	if err := a.update(ctx, func(tx kvTx) error { _, err := tx.CreateBucketIfNotExists(name); return err }); err != nil {
		t.Fatal(err)
	}
	big := func(fill byte) []byte {
		v := make([]byte, chunkSize+100)
		for i := range v {
			v[i] = fill
		}
		return v
	}
	txA, err := a.kv.begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	txB, err := b.kv.begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if txA.(*etcdTx).rev != txB.(*etcdTx).rev {
		t.Skip("the two transactions did not begin at one revision")
	}
	txA.Bucket(name).Put(key, big('A'))
	txB.Bucket(name).Put(key, big('B'))
	old := cryptorand.Reader
	cryptorand.Reader = zeroReader{} // the 1-in-65,536 case
	errA := txA.Commit()
	errB := txB.Commit()
	cryptorand.Reader = old
	if errA != nil || !errors.Is(errB, errRetry) {
		t.Fatalf("commits: %v, %v", errA, errB)
	}
	// A's commit was acknowledged: its value must read back.
	err = b.viewKV(func(tx kvTx) error {
		got := tx.Bucket(name).Get(key)
		if !bytes.Equal(got, big('A')) {
			return fmt.Errorf("read back %d bytes, starting %q", len(got), got[:min(4, len(got))])
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the value server A committed and acknowledged: %v", err)
	}
}
