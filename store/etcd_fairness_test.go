package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcd_LargeCommitNotStarvedByOtherServersWrites: two servers on one
// etcd database. One imports a workbook into a round (one UpdateSheets of
// many sheets: a large commit, journaled); the other goes on with the
// small writes of everyday use (sign-ins, presence, drafts, saves of other
// rounds). A commit is optimistic, and ran its whole transaction again
// whenever any other commit came between its start and its compare,
// without bound; a large commit's window (every sheet judged and
// compressed, then its journal written to etcd) is long, so a steady
// trickle of small writes kept it from ever committing. Seen on the real
// binaries: an import of 100 sheets, 1.1 s alone, took 12-16 s beside six
// presence posts a second through another server, 18-41 s beside ten, and
// never finished (the client gave up after 60 s, answered 500) beside a
// lead freezing packs; and each lost try wrote its journal, megabytes,
// into etcd again: five imports took etcd's backend from 0.9 to 1.7 GB,
// and once to its 2 GiB quota, after which every write in the cluster
// failed ("mvcc: database space exceeded").
//
// Here the other server saves one agency again and again, as fast as it
// can, until the large commit is made; each journal the large commit
// writes is counted (a watch on the journal's keys). The large commit
// takes its turn before it writes its journal, and the other server's
// writes wait behind it: it is made, and its journal written once. (Were
// it starved, the other server stops after 20 journals.)
func TestEtcd_LargeCommitNotStarvedByOtherServersWrites(t *testing.T) {
	c := etcdtest.Start(t, 1)
	big := openEtcdPrefix(t, c, "starve")
	small := openEtcdPrefix(t, c, "starve")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, big, by)
	rng := rand.New(rand.NewPCG(3, 4))
	words := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyz      "[rng.IntN(32)]
		}
		return string(b)
	}
	var shs []*briefing.Sheet
	for i := 0; i < 100; i++ {
		var ps []briefing.Paragraph
		for j := 0; j < 20; j++ {
			ps = append(ps, briefing.Paragraph{Text: words(600), Marking: "RESTRICTED"})
		}
		sh := &briefing.Sheet{RoundID: r.ID, Title: fmt.Sprintf("Topic %d", i), Status: briefing.SheetDraft,
			Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: ps}}}
		if err := big.CreateSheet(ctx, sh, by); err != nil {
			t.Fatal(err)
		}
		shs = append(shs, sh)
	}
	for _, sh := range shs {
		sh.Sections[0].Paragraphs[0].Text = "Imported: " + words(600)
	}
	ag := &briefing.Agency{Name: "Agency", Country: "Australia"}
	if err := small.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}

	const most = 20
	var tries atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	k := small.kv.(*etcdKV)
	journals := k.cli.Watch(wctx, k.prefix+"j/", clientv3.WithPrefix())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for wr := range journals {
			for _, ev := range wr.Events {
				// A journal's first chunk, just written: one more try.
				if ev.Type == clientv3.EventTypePut && ev.Kv.CreateRevision == ev.Kv.ModRevision &&
					strings.HasSuffix(string(ev.Kv.Key), "/00000000") {
					tries.Add(1)
				}
			}
		}
	}()
	wrote := 0
	go func() {
		defer wg.Done()
		for ; wctx.Err() == nil && tries.Load() < most; wrote++ {
			ag.Name = fmt.Sprintf("Agency %d", wrote)
			if err := small.UpdateAgency(ctx, ag, by); err != nil {
				t.Errorf("small write: %v", err)
				return
			}
		}
	}()
	err := big.UpdateSheets(ctx, shs, by)
	n := tries.Load()
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the large commit wrote %d journal(s); the other server wrote %d times meanwhile", n, wrote)
	if n >= most {
		t.Fatalf("the large commit lost %d tries in a row to the other server's small writes, and was made only once they stopped", most)
	}
	if n != 1 {
		t.Errorf("the large commit wrote its journal %d times: a try that lost wrote it for nothing", n)
	}
	// The other server's writes went on, behind it.
	ag.Name = "Agency after"
	if err := small.UpdateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	if got := turns(t, k); got != 0 {
		t.Errorf("%d turns left in etcd", got)
	}
}

// turns counts the turns held or waited for.
func turns(t *testing.T, k *etcdKV) int64 {
	t.Helper()
	resp, err := k.cli.Get(context.Background(), k.turnPrefix(), clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

// TestEtcd_TurnOfADeadServer: a server that dies holding its turn (its
// client gone, the turn not let go) holds the other servers' writes up
// only until its lease ends: a write on another server, which loses to
// the turn and queues behind it, is then made, and no turn is left.
func TestEtcd_TurnOfADeadServer(t *testing.T) {
	ttl := turnTTL
	t.Cleanup(func() { turnTTL = ttl })
	turnTTL = 2
	c := etcdtest.Start(t, 1)
	live := openEtcdPrefix(t, c, "deadturn")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Agency", Country: "Australia"}
	if err := live.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseEtcdURL(c.URL("deadturn"))
	if err != nil {
		t.Fatal(err)
	}
	dying, err := OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	dk := dying.kv.(*etcdKV)
	t.Cleanup(func() { dk.stopWatch(); <-dk.watchStopped })
	if _, _, err := dk.takeTurn(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dk.cli.Close(); err != nil { // the turn is never let go
		t.Fatal(err)
	}
	k := live.kv.(*etcdKV)
	if got := turns(t, k); got != 1 {
		t.Fatalf("%d turns held, want the dead server's", got)
	}
	ag.Name = "Agency renamed"
	if err := live.UpdateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	got, err := live.Agency(ctx, ag.ID)
	if err != nil || got.Name != "Agency renamed" {
		t.Fatalf("after the dead server's turn: %+v, %v", got, err)
	}
	if got := turns(t, k); got != 0 {
		t.Errorf("%d turns left in etcd", got)
	}
}

// TestEtcd_TurnEndedCommitsNothing: a write whose turn ended under it (its
// server stalled past the lease, and another server wrote meanwhile)
// commits nothing: its compare requires its own turn, and it runs again.
func TestEtcd_TurnEndedCommitsNothing(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "endedturn")
	b := openEtcdPrefix(t, c, "endedturn")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	k := a.kv.(*etcdKV)
	wctx, end := holdTurn(t, a)
	w := wctx.Value(etcdWriterKey{}).(*etcdWriter)
	tx, err := k.begin(wctx, true)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := tx.CreateBucketIfNotExists([]byte("ended"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bk.Put([]byte("k"), []byte("from the stalled server")); err != nil {
		t.Fatal(err)
	}
	// The lease ends, as it would after turnTTL without a keep-alive.
	if _, err := k.cli.Revoke(ctx, w.turn.lease.id); err != nil {
		t.Fatal(err)
	}
	// Another server's write is not held up by the turn that ended…
	if err := b.CreateAgency(ctx, &briefing.Agency{Name: "Agency", Country: "Fiji"}, by); err != nil {
		t.Fatal(err)
	}
	// …and the stalled one's commit is not made over it.
	if err := tx.Commit(); !errors.Is(err, errRetry) {
		t.Fatalf("the commit of a write whose turn ended: %v, want errRetry", err)
	}
	if w.turn != nil || w.losses < maxOptimistic {
		t.Errorf("after its turn ended, the write holds %v and has lost %d tries: its next try does not take a new turn", w.turn, w.losses)
	}
	end()
	err = b.viewKV(func(tx kvTx) error {
		if tx.Bucket([]byte("ended")) != nil {
			t.Error("the write whose turn ended was committed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEtcd_SlowWriteMadeWithinBoundedTries: a write whose transaction
// takes long (here 30 ms, as a save of many paragraphs judged one by one
// may), small enough for one etcd transaction, beside another server
// saving as fast as it can: each try loses to that server's saves, so it
// takes a turn after maxOptimistic, and is made in it. Optimistic alone,
// it ran for as long as the other server wrote.
func TestEtcd_SlowWriteMadeWithinBoundedTries(t *testing.T) {
	c := etcdtest.Start(t, 1)
	slow := openEtcdPrefix(t, c, "slow")
	other := openEtcdPrefix(t, c, "slow")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Agency", Country: "Australia"}
	if err := other.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	const most = 50
	var tries atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	done := make(chan int)
	go func() {
		wrote := 0
		for ; wctx.Err() == nil && tries.Load() < most; wrote++ {
			ag.Name = fmt.Sprintf("Agency %d", wrote)
			if err := other.UpdateAgency(ctx, ag, by); err != nil {
				t.Errorf("the other server's save: %v", err)
				break
			}
		}
		done <- wrote
	}()
	err := slow.update(ctx, func(tx kvTx) error {
		tries.Add(1)
		b, err := tx.CreateBucketIfNotExists([]byte("slow"))
		if err != nil {
			return err
		}
		time.Sleep(30 * time.Millisecond)
		return b.Put([]byte("k"), []byte("made"))
	})
	n := tries.Load()
	stop()
	wrote := <-done
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the slow write was made at its try %d; the other server wrote %d times", n, wrote)
	if n > maxOptimistic+1 {
		t.Errorf("the slow write took %d tries, want at most %d", n, maxOptimistic+1)
	}
}

// TestEtcd_WriteWaitingKeepsItsDeadline: while one write on a server waits
// for another server's turn, holding its server's write lock, a second
// write on that server keeps its own deadline: it fails unavailable at it,
// not when the other server lets its turn go. The lock did not hear a
// request's context, and every write of the server, a session's touch
// included, waited as long as the other's turn.
func TestEtcd_WriteWaitingKeepsItsDeadline(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "deadline")
	b := openEtcdPrefix(t, c, "deadline")
	write := func(limit time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		return a.update(ctx, func(tx kvTx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("deadline"))
			if err != nil {
				return err
			}
			return bk.Put([]byte("k"), []byte(time.Now().String()))
		})
	}
	if err := write(3 * time.Second); err != nil {
		t.Fatal(err)
	}
	// b takes its turn and holds it for four seconds.
	_, bend := holdTurn(t, b)
	first := make(chan error, 1)
	go func() { first <- write(time.Hour) }() // meets b's turn, and waits for it
	time.Sleep(300 * time.Millisecond)
	var let atomic.Bool
	second := make(chan error, 1)
	go func() {
		err := write(time.Second)
		if let.Load() {
			err = fmt.Errorf("returned only once the other server let its turn go: %v", err)
		}
		second <- err
	}()
	time.Sleep(4 * time.Second)
	let.Store(true)
	bend()
	if err := <-second; briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Errorf("a write with a deadline of 1 s, behind one waiting for another server's turn: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("the write that waited for the turn: %v", err)
	}
}

// TestEtcd_WriteWaitingForATurnKeepsItsDeadline: a write that meets
// another server's turn and waits for it fails unavailable at its own
// deadline, as a cluster that did not answer in time: it failed with the
// bare context error, which the server answered 500.
func TestEtcd_WriteWaitingForATurnKeepsItsDeadline(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "turndeadline")
	b := openEtcdPrefix(t, c, "turndeadline")
	_, bend := holdTurn(t, b)
	defer bend()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := a.update(ctx, func(tx kvTx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte("turndeadline"))
		if err != nil {
			return err
		}
		return bk.Put([]byte("k"), []byte("v"))
	})
	if briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Errorf("a write of 1 s behind another server's turn: %v (code %q)", err, briefing.ErrorCode(err))
	}
}

// holdTurn begins a write on db and takes its turn: the write's context,
// and what ends the write and lets the turn go.
func holdTurn(t *testing.T, db *DB) (context.Context, func()) {
	t.Helper()
	wctx, end, err := db.kv.(*etcdKV).writer(context.Background(), context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wctx.Value(etcdWriterKey{}).(*etcdWriter).take(wctx); err != nil {
		end()
		t.Fatal(err)
	}
	return wctx, end
}

// TestEtcd_TakeTurn: a request holding the database's turn (TakeTurn)
// writes, alone and not in a group (whose writer would wait for the lock
// the turn holds), while another server's write waits until it lets go;
// on a bbolt file the turn is nothing and the write is made as ever.
func TestEtcd_TakeTurn(t *testing.T) {
	c := etcdtest.Start(t, 1)
	b, a := openPair(t, c, "taketurn")
	other := openEtcdPrefix(t, c, "taketurn")
	by := briefing.Actor{Name: "test"}
	ctx := context.Background()
	tctx, end, err := b.TakeTurn(ctx)
	if err != nil || tctx != ctx {
		t.Fatalf("a turn on a bbolt file: %v", err)
	}
	must(t, b.CreateAgency(tctx, &briefing.Agency{Name: "Department of Defence", Country: "Australia"}, by))
	end()

	tctx, end, err = a.TakeTurn(briefing.WithReadPin(ctx))
	must(t, err)
	waited := make(chan error, 1)
	go func() {
		waited <- other.CreateAgency(ctx, &briefing.Agency{Name: "Department of Home Affairs", Country: "Australia"}, by)
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-waited:
		end()
		t.Fatalf("another server's write was made while a turn was held: %v", err)
	default:
	}
	// A write of the same server's, not in the turn, waits behind it too,
	// first in the server's queue.
	queued := make(chan error, 1)
	go func() {
		queued <- a.CreateAgency(ctx, &briefing.Agency{Name: "Government Communications Security Bureau", Country: "New Zealand"}, by)
	}()
	time.Sleep(100 * time.Millisecond)
	made := make(chan error, 1)
	go func() {
		made <- a.CreateAgency(tctx, &briefing.Agency{Name: "Ministry of Defence", Country: "New Zealand"}, by)
	}()
	select {
	case err := <-made:
		must(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("a write in the turn its request holds waits for ever")
	}
	end()
	for _, w := range []chan error{waited, queued} {
		select {
		case err := <-w:
			must(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("a write is still waiting after the turn was let go")
		}
	}
	if got := turns(t, a.kv.(*etcdKV)); got != 0 {
		t.Errorf("%d turns left in etcd", got)
	}
}

// TestEtcd_TakeTurnContextAfterItsEnd: once a turn taken with TakeTurn is
// let go, a write made with its context is made as any other write of the
// server, in its write lock, and leaves no turn behind. The context still
// carried the turn's ended writer: its writes passed the server's write
// lock and its groups, and one that had lost a try in the turn (its first
// commit had ended the turn) took a new turn for each write, which a
// refused write left held, on the server's lease, kept alive while the
// server runs: every server's writes waited for it until the process
// ended.
func TestEtcd_TakeTurnContextAfterItsEnd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "afterend")
	other := openEtcdPrefix(t, c, "afterend")
	by := briefing.Actor{Name: "test"}
	tctx, end, err := a.TakeTurn(briefing.WithReadPin(context.Background()))
	must(t, err)
	ag := &briefing.Agency{Name: "Ministry of Defence", Country: "New Zealand"}
	must(t, a.CreateAgency(tctx, ag, by))
	ag.Name = "Ministry of Defence and Veterans' Affairs"
	must(t, a.UpdateAgency(tctx, ag, by)) // after the commit that ended the turn
	end()
	stale := *ag
	stale.Version = 1
	if err := a.UpdateAgency(tctx, &stale, by); briefing.ErrorCode(err) != briefing.ESTALE {
		t.Fatalf("a save of a version saved over, after the turn: %v", err)
	}
	if got := turns(t, a.kv.(*etcdKV)); got != 0 {
		t.Errorf("%d turns held after a refused write made with the context of a turn let go", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := other.CreateAgency(ctx, &briefing.Agency{Name: "Department of Home Affairs", Country: "Australia"}, by); err != nil {
		t.Errorf("another server's write: %v", err)
	}
	// A write made with it goes through the server's write lock: held
	// here, the write waits for it.
	_, hend, err := a.kv.(*etcdKV).writer(context.Background(), context.Background())
	must(t, err)
	made := make(chan error, 1)
	go func() {
		ag.Name = "Ministry of Defence"
		made <- a.UpdateAgency(tctx, ag, by)
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case <-made:
		t.Error("a write with the context of a turn let go was made while another write held the server's write lock")
		hend()
		return
	default:
	}
	hend()
	if err := <-made; err != nil {
		t.Fatal(err)
	}
}
