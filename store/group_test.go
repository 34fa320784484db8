package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestGroupCommit: writes arriving together on a bbolt file are committed
// together, and each is answered as if it had run alone: one that fails
// after writing, or panics after writing, leaves nothing and is told so
// (the panic raised again on its own goroutine), and does not take the
// others down with it; a write whose request ended before its turn is not
// made. Run many times over, so that failures land in groups.
func TestGroupCommit(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "group.db"), "nz")
	must(t, err)
	defer db.Close()
	groupRounds(t, db, nil)
}

// groupRounds is TestGroupCommit's writes on db, in rounds. When other is
// not nil (another server on the same etcd database), it writes the same
// counter meanwhile, so that groups lose their commit to it and run again
// whole: it must be counted once for each of its writes, the group's each
// once. Each writer's request has read before it writes, and reads its own
// write after it, at the position its request is pinned to.
func groupRounds(t *testing.T, db, other *DB) {
	bad := errors.New("refused after writing")
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	const writers = 64
	for round := range 20 {
		counter := []byte(fmt.Sprintf("%02d/count", round))
		var wg sync.WaitGroup
		errs := make([]error, writers)
		panicked := make([]any, writers)
		var others atomic.Int64
		stopOthers := make(chan struct{})
		var otherDone sync.WaitGroup
		if other != nil {
			otherDone.Add(1)
			go func() {
				defer otherDone.Done()
				for {
					select {
					case <-stopOthers:
						return
					default:
					}
					if err := other.update(context.Background(), func(tx kvTx) error {
						b := tx.Bucket(draftBucket)
						return b.Put(counter, itob(btoi(b.Get(counter))+1))
					}); err != nil {
						t.Error(err)
						return
					}
					others.Add(1)
				}
			}()
		}
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panicked[w] = recover() }()
				ctx := briefing.WithReadPin(context.Background())
				if w%23 == 22 {
					ctx = gone
				}
				key := []byte(fmt.Sprintf("%02d/%02d", round, w))
				seen := func() bool {
					tx, err := db.begin(ctx, false)
					if err != nil {
						t.Error(err)
						return false
					}
					defer tx.Rollback()
					return tx.Bucket(draftBucket).Get(key) != nil
				}
				if w%23 != 22 && seen() {
					t.Errorf("%s is written before it was", key)
				}
				errs[w] = db.update(ctx, func(tx kvTx) error {
					// Each write counts itself, on top of the writes before
					// it in its group: a write run twice, or one that
					// failed, must not be counted.
					b := tx.Bucket(draftBucket)
					n := btoi(b.Get(counter))
					if err := b.Put(counter, itob(n+1)); err != nil {
						return err
					}
					if err := b.Put(key, []byte("written")); err != nil {
						return err
					}
					switch {
					case w%7 == 3:
						return bad
					case w%17 == 5:
						panic("a write that panics")
					}
					return nil
				})
				if errs[w] == nil && w%23 != 22 && !seen() {
					t.Errorf("%s, written, is not seen by its own request", key)
				}
			}()
		}
		wg.Wait()
		close(stopOthers)
		otherDone.Wait()
		tx, err := db.begin(context.Background(), false)
		must(t, err)
		defer tx.Rollback() // a failure below must not leave the file's close waiting
		made := 0
		for w := range writers {
			key := fmt.Sprintf("%02d/%02d", round, w)
			stored := bytes.Equal(tx.Bucket(draftBucket).Get([]byte(key)), []byte("written"))
			switch {
			case w%23 == 22:
				if !errors.Is(errs[w], context.Canceled) || stored {
					t.Fatalf("%s, its request gone: %v, stored %v", key, errs[w], stored)
				}
			case w%7 == 3:
				if !errors.Is(errs[w], bad) || stored {
					t.Fatalf("%s, refused: %v, stored %v", key, errs[w], stored)
				}
			case w%17 == 5:
				if panicked[w] != "a write that panics" || stored {
					t.Fatalf("%s, panicked: %v, stored %v", key, panicked[w], stored)
				}
			default:
				if errs[w] != nil || panicked[w] != nil || !stored {
					t.Fatalf("%s: %v %v, stored %v", key, errs[w], panicked[w], stored)
				}
				made++
			}
		}
		if n := btoi(tx.Bucket(draftBucket).Get(counter)); n != uint64(made)+uint64(others.Load()) {
			t.Fatalf("round %d: %d writes made, and %d by the other server, counted %d", round, made, others.Load(), n)
		}
		tx.Rollback()
	}
	if db.group.together.Load() == 0 {
		t.Fatal("no writes were committed together: the test did not test grouping")
	}
	t.Logf("%d writes committed in groups of more than one", db.group.together.Load())
}

// TestGroupCommit_KeepsNothingWritten: once a write is committed, nothing
// it held is kept. The queue's array held each write taken from it, and
// with it what the write's function held, until the array was replaced:
// a freeze's four files, some 30 MB at 1,000 sheets, stayed in memory
// until enough writes came after it.
func TestGroupCommit_KeepsNothingWritten(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "group.db"), "nz")
	must(t, err)
	defer db.Close()
	var freed atomic.Int32
	for i := range 8 {
		big := make([]byte, 1<<20)
		runtime.AddCleanup(&big[0], func(*atomic.Int32) { freed.Add(1) }, &freed)
		must(t, db.update(context.Background(), func(tx kvTx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("kept"))
			if err != nil {
				return err
			}
			return b.Put([]byte{byte(i)}, big)
		}))
	}
	for range 50 {
		if freed.Load() == 8 {
			return
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d of 8 writes' values are still held after they were committed", 8-freed.Load())
}

// TestEtcd_GroupCommit: on etcd too, writes arriving together on one
// server are committed together, each answered as if alone, while another
// server writes the same key, so that groups lose their commit and run
// again whole. A group stops before it outgrows one etcd transaction: none
// is journaled.
func TestEtcd_GroupCommit(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdPrefix(t, c, "group")
	other := openEtcdPrefix(t, c, "group")
	k := db.kv.(*etcdKV)
	wctx, stop := context.WithCancel(context.Background())
	defer stop()
	journals := k.cli.Watch(wctx, k.prefix+"j/", clientv3.WithPrefix())
	var journaled atomic.Int32
	go func() {
		for wr := range journals {
			journaled.Add(int32(len(wr.Events)))
		}
	}()
	txns := k.txns.Load()
	groupRounds(t, db, other)
	if n := db.group.together.Load(); n == 0 {
		t.Fatal("no writes were committed together: the test did not test grouping")
	}
	t.Logf("%d writes committed in groups of more than one, in %d etcd transactions", db.group.together.Load(), k.txns.Load()-txns)
	if n := journaled.Load(); n != 0 {
		t.Errorf("%d journal keys written: a group outgrew one etcd transaction", n)
	}
}

// TestEtcd_GroupCommitWithALargeWrite: a write of a value too large for one
// etcd transaction (a freeze's file), arriving among small ones, is
// committed alone, through its turn, and the others around it in groups;
// each reads back what it wrote.
func TestEtcd_GroupCommitWithALargeWrite(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdPrefix(t, c, "large")
	big := bytes.Repeat([]byte("frozen pack "), 3*chunkSize/12)
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []byte(fmt.Sprintf("w%02d", w))
			v := []byte(fmt.Sprintf("small value %d", w))
			if w%8 == 3 {
				v = append(slices.Clone(big), key...)
			}
			ctx := briefing.WithReadPin(context.Background())
			if err := db.update(ctx, func(tx kvTx) error { return tx.Bucket(draftBucket).Put(key, v) }); err != nil {
				t.Error(err)
				return
			}
			tx, err := db.begin(ctx, false)
			if err != nil {
				t.Error(err)
				return
			}
			defer tx.Rollback()
			if got := tx.Bucket(draftBucket).Get(key); !bytes.Equal(got, v) {
				t.Errorf("%s: read back %d bytes, wrote %d", key, len(got), len(v))
			}
		}()
	}
	wg.Wait()
	if n := db.group.together.Load(); n == 0 {
		t.Error("no writes were committed together")
	}
	k := db.kv.(*etcdKV)
	if got := turns(t, k); got != 0 {
		t.Errorf("%d turns left in etcd", got)
	}
}

// TestEtcd_GroupStopsAtOneTransaction: a group whose writes would outgrow
// one etcd transaction commits those that fit and leaves the rest for the
// next group, in their order; none is journaled.
func TestEtcd_GroupStopsAtOneTransaction(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcdPrefix(t, c, "split")
	k := db.kv.(*etcdKV)
	ctx := context.Background()
	var group []*groupCall
	for w := range maxGroup {
		group = append(group, &groupCall{ctx: ctx, done: make(chan groupResult, 1), fn: func(tx kvTx) error {
			b := tx.Bucket(draftBucket)
			if err := b.Put([]byte(fmt.Sprintf("split/%02d/a", w)), []byte("a sheet")); err != nil {
				return err
			}
			return b.Put([]byte(fmt.Sprintf("split/%02d/b", w)), []byte("its history"))
		}})
	}
	mod := func() int64 {
		resp, err := k.cli.Get(ctx, k.revKey())
		must(t, err)
		return resp.Kvs[0].ModRevision
	}
	before := mod()
	var commits int
	for left := group; len(left) > 0; commits++ {
		rest := db.group.commit(left)
		if len(rest) == len(left) {
			t.Fatalf("a group of %d committed none of them", len(left))
		}
		for _, c := range left[:len(left)-len(rest)] {
			if r := <-c.done; r.err != nil || r.panicked {
				t.Fatalf("a write of the group: %+v", r)
			}
		}
		left = rest
	}
	if commits < 2 {
		t.Fatalf("%d writes of four operations each were committed in one etcd transaction of at most %d", maxGroup, maxTxnOps)
	}
	// Each commit moved the write token once: none went through a journal,
	// which moves it at its start and at its end.
	if got := mod(); got-before != int64(commits) && commits > 0 {
		resp, err := k.cli.Get(ctx, k.prefix+"j/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		must(t, err)
		t.Fatalf("%d commits moved the write token %d times (journal keys left: %d)", commits, got-before, resp.Count)
	}
	tx, err := db.begin(ctx, false)
	must(t, err)
	defer tx.Rollback()
	for w := range maxGroup {
		if tx.Bucket(draftBucket).Get([]byte(fmt.Sprintf("split/%02d/b", w))) == nil {
			t.Fatalf("write %d is not stored", w)
		}
	}
}

// TestEtcd_GroupWaitingKeepsEachDeadline: a group that lost its commit to
// another server's turn waits for that turn before it runs again; a write
// of the group whose request's deadline passes meanwhile fails unavailable
// at it, nothing of it made, as it would alone, and the others wait on
// and are made. The wait heard only the group's context, which ends when
// every write's request has: the write was held until the other server
// let its turn go, and then made, after its request had ended.
func TestEtcd_GroupWaitingKeepsEachDeadline(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "groupdeadline")
	b := openEtcdPrefix(t, c, "groupdeadline")
	write := func(ctx context.Context, key string) error {
		return a.update(ctx, func(tx kvTx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("groupdeadline"))
			if err != nil {
				return err
			}
			return bk.Put([]byte(key), []byte("minute of the officials' meeting, item "+key))
		})
	}
	within := func(limit time.Duration, key string) chan error {
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			done <- write(ctx, key)
		}()
		return done
	}
	must(t, write(context.Background(), "before"))
	// b takes its turn and holds it for four seconds.
	_, bend := holdTurn(t, b)
	// The first write meets the turn and waits for it, alone, until its
	// deadline; the two behind it then make a group, which meets the turn
	// in its turn.
	first := within(time.Second, "first")
	time.Sleep(300 * time.Millisecond)
	short := within(2*time.Second, "short")
	time.Sleep(100 * time.Millisecond)
	long := within(time.Hour, "long")
	var let atomic.Bool
	shortDone := make(chan error, 1)
	go func() {
		err := <-short
		if let.Load() {
			err = fmt.Errorf("returned only once the other server let its turn go: %v", err)
		}
		shortDone <- err
	}()
	time.Sleep(4 * time.Second)
	let.Store(true)
	bend()
	if err := <-first; briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Errorf("the write alone, with a deadline of 1 s, behind another server's turn: %v", err)
	}
	if err := <-shortDone; briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Errorf("a write of a group with a deadline of 2 s, behind another server's turn: %v", err)
	}
	if err := <-long; err != nil {
		t.Errorf("the write of the group that waited for the turn: %v", err)
	}
	tx, err := a.begin(context.Background(), false)
	must(t, err)
	defer tx.Rollback()
	bk := tx.Bucket([]byte("groupdeadline"))
	for key, want := range map[string]bool{"first": false, "short": false, "long": true} {
		if got := bk.Get([]byte(key)) != nil; got != want {
			t.Errorf("%s stored: %v, want %v", key, got, want)
		}
	}
}

// TestEtcd_GroupLargeWriteKeepsDeadlines: a write too large for one etcd
// transaction takes a turn before it is committed, and may wait for
// another server's. Neither it nor another write of its group is held
// past its request's deadline meanwhile: a write refused before it is
// answered at once, as it would be alone, and the large write whose
// request ends while it waits for the turn fails unavailable then,
// nothing of it made, while writes left for the next group still wait.
// The large write was committed in the group's transaction, whose context
// ends only once every write of the group has ended, those left for the
// next group included, and the writes refused before it waited for its
// turn with it.
func TestEtcd_GroupLargeWriteKeepsDeadlines(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "grouplarge")
	b := openEtcdPrefix(t, c, "grouplarge")
	big := bytes.Repeat([]byte("frozen pack of the round, SECRET paragraphs withheld; "), 2*chunkSize/54)
	refused := errors.New("saved since you read it")
	call := func(limit time.Duration, fn func(b kvBucket) error) *groupCall {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		t.Cleanup(cancel)
		return &groupCall{ctx: ctx, done: make(chan groupResult, 1), fn: func(tx kvTx) error {
			return fn(tx.Bucket(draftBucket))
		}}
	}
	put := func(key string, v []byte) func(b kvBucket) error {
		return func(b kvBucket) error { return b.Put([]byte(key), v) }
	}
	// answered reads each write's answer, and whether it came while the
	// other server held its turn, which it lets go after four seconds.
	answered := func(group []*groupCall) ([]groupResult, []bool) {
		_, bend := holdTurn(t, b)
		var let atomic.Bool
		go func() {
			time.Sleep(4 * time.Second)
			let.Store(true)
			bend()
		}()
		go func() {
			for left := group; len(left) > 0; left = a.group.commit(left) {
			}
		}()
		rs, early := make([]groupResult, len(group)), make([]bool, len(group))
		for i, c := range group {
			rs[i] = <-c.done
			early[i] = !let.Load()
		}
		for !let.Load() {
			time.Sleep(50 * time.Millisecond)
		}
		return rs, early
	}
	stored := func(key string) bool {
		tx, err := a.begin(context.Background(), false)
		must(t, err)
		defer tx.Rollback()
		return tx.Bucket(draftBucket).Get([]byte(key)) != nil
	}

	t.Run("RefusedBeforeIt", func(t *testing.T) {
		group := []*groupCall{
			call(time.Second, func(b kvBucket) error {
				if err := b.Put([]byte("refused"), []byte("a save of an old version")); err != nil {
					return err
				}
				return refused
			}),
			call(time.Hour, put("large/1", big)),
		}
		rs, early := answered(group)
		if !errors.Is(rs[0].err, refused) || !early[0] {
			t.Errorf("a write refused before a large one: %v, answered while the other server held its turn: %v", rs[0].err, early[0])
		}
		if rs[1].err != nil || !stored("large/1") {
			t.Errorf("the large write: %v, stored %v", rs[1].err, stored("large/1"))
		}
	})
	t.Run("LargeWriteEnds", func(t *testing.T) {
		group := []*groupCall{
			call(time.Second, put("large/2", big)),
			call(time.Hour, put("small", []byte("a draft of the opening statement"))),
		}
		rs, early := answered(group)
		// (A machine so loaded that the write had not run by its deadline
		// answers it as a write alone whose request ended before it began.)
		if briefing.ErrorCode(rs[0].err) != briefing.EUNAVAILABLE && !errors.Is(rs[0].err, context.DeadlineExceeded) || !early[0] || stored("large/2") {
			t.Errorf("a large write with a deadline of 1 s behind another server's turn: %v, answered while the turn was held: %v, stored %v",
				rs[0].err, early[0], stored("large/2"))
		}
	})
}

// TestEtcd_GroupLeaderKeepsItsDeadline: the writer that leads a group
// commits it on its own goroutine, so it is not waiting in run when its
// request ends; here the group is committed as it does, while the
// server's write lock is held (a merge in its turn, TakeTurn). A write of
// the group whose request ends while the group waits for the lock fails
// unavailable then, nothing of it made, and the others wait on and are
// made. The group waited for the lock with the group's context, which
// ends only once every write's request has: the leader was held as long
// as the lock, and then answered with its bare context error.
func TestEtcd_GroupLeaderKeepsItsDeadline(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "groupleader")
	_, end, err := a.TakeTurn(context.Background())
	must(t, err)
	var group []*groupCall
	for i, limit := range []time.Duration{time.Second, time.Hour} {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		group = append(group, &groupCall{ctx: ctx, done: make(chan groupResult, 1), fn: func(tx kvTx) error {
			return tx.Bucket(draftBucket).Put([]byte(fmt.Sprintf("leader/%d", i)), []byte("the agenda as agreed by the co-chairs"))
		}})
	}
	var let atomic.Bool
	go func() {
		time.Sleep(3 * time.Second)
		let.Store(true)
		end()
	}()
	go func() {
		for left := group; len(left) > 0; left = a.group.commit(left) {
		}
	}()
	r := <-group[0].done
	if briefing.ErrorCode(r.err) != briefing.EUNAVAILABLE || let.Load() {
		t.Errorf("a write of a group with a deadline of 1 s, behind the server's write lock held 3 s: %v, answered once the lock was let go: %v", r.err, let.Load())
	}
	if r := <-group[1].done; r.err != nil {
		t.Errorf("the write of the group that waited for the lock: %v", r.err)
	}
	for !let.Load() {
		time.Sleep(50 * time.Millisecond)
	}
	tx, err := a.begin(context.Background(), false)
	must(t, err)
	defer tx.Rollback()
	for i, want := range []bool{false, true} {
		if got := tx.Bucket(draftBucket).Get([]byte(fmt.Sprintf("leader/%d", i))) != nil; got != want {
			t.Errorf("leader/%d stored: %v, want %v", i, got, want)
		}
	}
}
