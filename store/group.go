package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"briefpack/briefing"
)

// A bbolt file has one writer, and each commit waits for the disk twice.
// Under load the writes queue behind one another's syncs: fifty people
// reading and writing saved in 190 ms at the median, of which 150 were
// waiting for the disk. So the writes that arrive while one commits are
// committed together, in one transaction, after it (group commit): each
// runs in turn in that transaction, seeing the writes before it, as if it
// had run alone after them, and none is answered before the transaction
// is on disk. A write that arrives alone commits alone, at once.
//
// A write that fails, or panics, may have left part of itself in the
// transaction: it is rolled back, the others are run again without it, and
// it is run alone after them, so that what it answers is what it would
// have answered alone. Every write may run more than once, as on etcd
// (see update): it leaves nothing outside the transaction that a second
// run would repeat. On etcd, where a commit is a round trip to the cluster,
// the writes of one server are grouped too, with differences of their own
// (commitShared).
type groupCommit struct {
	db    *DB
	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a group is being committed; the next is started after it
	// together counts the writes committed in a group of more than one.
	together atomic.Int64
}

// maxGroup bounds the writes committed together, so that one that fails
// costs the others a bounded run again.
const maxGroup = 64

type groupCall struct {
	ctx  context.Context
	fn   func(kvTx) error
	done chan groupResult
	// state is whether the write is still waiting, is being made, or was
	// given up by its writer (see run).
	state atomic.Int32
}

const (
	callWaiting int32 = iota
	callTaken
	callGivenUp
)

// take marks the write as being made, unless its writer gave up waiting.
func (c *groupCall) take() bool {
	return c.state.CompareAndSwap(callWaiting, callTaken) || c.state.Load() == callTaken
}

type groupResult struct {
	err      error
	panicked bool
	panic    any
}

// run has fn committed, with the writes that arrive meanwhile, and returns
// its result; a panic in fn is raised again here, on its caller's side.
func (g *groupCommit) run(ctx context.Context, fn func(kvTx) error) error {
	c := &groupCall{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if lead {
		g.next()
	}
	// A write waiting for its turn gives up when its request ends: on etcd
	// the write before it may wait for a long time (another server's turn,
	// a cluster out of reach). Once its turn has come, it is answered only
	// when it is known whether it was committed: its request's end does
	// not cut that short.
	var r groupResult
	select {
	case r = <-c.done:
	case <-ctx.Done():
		if c.state.CompareAndSwap(callWaiting, callGivenUp) {
			return g.gaveUp(ctx.Err())
		}
		r = <-c.done
	}
	if r.panicked {
		panic(r.panic)
	}
	return r.err
}

// gaveUp is the error of a write whose request ended while it waited for
// its turn: on etcd, as a cluster that did not answer in time, as a write
// that waited for the server's write lock failed.
func (g *groupCommit) gaveUp(err error) error {
	if _, shared := g.db.kv.(writerKV); shared {
		return fmt.Errorf("store: wait for this server's writes: %w", etcdError(err))
	}
	return err
}

// next commits the writes queued, as one group, and then has the writes
// queued meanwhile committed on another goroutine, so that the caller that
// led this group is answered now, not when the queue runs dry.
func (g *groupCommit) next() {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	group := slices.Clone(g.queue[:n])
	// The queue's array would otherwise go on holding the writes taken
	// from it, and so all they hold, until the array is replaced: a
	// freeze's four files, some 30 MB at 1,000 sheets, for as long as no
	// write came after it.
	clear(g.queue[:n])
	g.queue = g.queue[n:]
	g.mu.Unlock()
	rest := g.commit(group)
	g.mu.Lock()
	// Writes a group left for the next go first: they came first.
	g.queue = append(rest, g.queue...)
	more := len(g.queue) > 0
	g.busy = more
	g.mu.Unlock()
	if more {
		go g.next()
	}
}

// commit commits a group: all together if none fails, otherwise the others
// again without the one that failed, and that one alone after them. It
// returns the writes left for the next group (see commitShared).
func (g *groupCommit) commit(group []*groupCall) (rest []*groupCall) {
	if w, ok := g.db.kv.(writerKV); ok && len(group) > 1 {
		return g.commitShared(w, group)
	}
	// On a bbolt file a group is made at once: its writes are taken now.
	group = slices.DeleteFunc(group, func(c *groupCall) bool { return !c.take() })
	var alone []*groupCall
	for len(group) > 0 {
		if len(group) == 1 {
			group[0].done <- g.solo(group[0])
			break
		}
		failed, err := g.try(group)
		if failed < 0 {
			for _, c := range group {
				c.done <- groupResult{err: err}
			}
			break
		}
		alone = append(alone, group[failed])
		group = append(group[:failed:failed], group[failed+1:]...)
	}
	for _, c := range alone {
		c.done <- g.solo(c)
	}
	return nil
}

// try runs a group's writes in one transaction and commits it. It returns
// the index of the first write that failed, with nothing committed, or -1
// and the commit's result.
func (g *groupCommit) try(group []*groupCall) (failed int, err error) {
	tx, err := g.db.kv.begin(context.Background(), true)
	if err != nil {
		return -1, err
	}
	defer tx.Rollback() // after a commit, nothing
	for i, c := range group {
		if c.ctx.Err() != nil || !runs(c.fn, tx) {
			return i, nil
		}
	}
	if err := g.commitTx(tx); err != nil {
		return -1, fmt.Errorf("store: commit: %w", err)
	}
	g.together.Add(int64(len(group)))
	return -1, nil
}

// commitTx commits a group's transaction. Writing it out reads the pages
// of the keys it keeps: one that cannot be read fails the group with the
// file's damage (see readDamage), where a panic would leave its writers
// waiting for ever.
func (g *groupCommit) commitTx(tx kvTxn) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = readDamage(g.db.path, r); err == nil {
				panic(r)
			}
		}
	}()
	return tx.Commit()
}

// runs runs fn in tx and reports whether it succeeded: no error, no panic.
func runs(fn func(kvTx) error, tx kvTxn) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fn(tx) == nil && tx.failure() == nil
}

// solo runs one write in a transaction of its own. A page of a bbolt file
// that cannot be read is the write's error (see readDamage); any other
// panic is raised again on the writer's side.
func (g *groupCommit) solo(c *groupCall) (r groupResult) {
	if !c.take() {
		return groupResult{err: g.gaveUp(c.ctx.Err())}
	}
	defer func() {
		if p := recover(); p != nil {
			if err := readDamage(g.db.path, p); err != nil {
				r = groupResult{err: err}
				return
			}
			r = groupResult{panicked: true, panic: p}
		}
	}()
	return groupResult{err: g.db.updateAlone(c.ctx, c.fn)}
}

// sharedTxn is a write transaction of a database other servers write too
// (etcd): a group's writes are taken back one by one from it, and it says
// when it has grown past one commit of the cluster's.
type sharedTxn interface {
	kvTxn
	mark() txMark
	undo(txMark)
	fitsOne() bool
}

// commitShared commits a group on a database other servers write too. A
// commit there is a round trip to the cluster and a wait for its disk, and
// a server made its writes one after another: fifty people on three
// servers saved 25–40 times a second in all, where one file took 80–140.
//
// The group is run in one transaction, one write after another, each
// taken back from it alone if it fails (the transaction keeps what each
// wrote apart: see txMark), so that a refused save, common when many save
// one sheet, costs the others nothing; its answer is what it would have
// been alone, between the writes before it and those after, all of them
// committed. A panic is raised again on its own writer's side. The group
// stops before a write that would take it past one etcd transaction (a
// write too large alone is committed alone, through its turn and journal):
// the writes after are returned, for the next group. When the commit loses
// to another server's, the group is run again whole, as one write is (see
// update): it takes a turn once it has lost a few.
func (g *groupCommit) commitShared(w writerKV, group []*groupCall) (rest []*groupCall) {
	ctx, stop := groupContext(group)
	defer stop()
	var (
		wctx context.Context
		end  func()
	)
	group, err := awaitEach(ctx, group, func(wait context.Context) (err error) {
		wctx, end, err = w.writer(ctx, wait)
		return err
	}, g.gaveUp)
	if err != nil || len(group) == 0 {
		failAll(group, err)
		return nil
	}
	defer end()
	ctx = wctx
	for {
		// What the try waits for before it begins (another server's turn,
		// which the last try met), waited for here.
		group, err = awaitEach(ctx, group, w.ready, func(err error) error {
			return fmt.Errorf("store: wait for a turn to write: %w", etcdError(err))
		})
		if err != nil || len(group) == 0 {
			failAll(group, err)
			return nil
		}
		// The group's own pin: its commit sets it, and each writer's
		// request reads on from there, seeing its own write.
		pctx := briefing.WithReadPin(ctx)
		taken, results, err := g.tryShared(pctx, group)
		if errors.Is(err, errRetry) {
			continue
		}
		at, by, pinned := briefing.ReadPinOf(pctx).Get()
		for i, c := range group[:taken] {
			if pin := briefing.ReadPinOf(c.ctx); pin != nil {
				if err == nil && pinned {
					pin.Set(at, by)
				} else {
					pin.Clear()
				}
			}
			if err != nil {
				c.done <- groupResult{err: cutShort(c, err)}
				continue
			}
			c.done <- results[i]
		}
		if err == nil && taken > 1 {
			g.together.Add(int64(taken))
		}
		return group[taken:]
	}
}

// failAll answers each write with err, nothing of it made.
func failAll(group []*groupCall, err error) {
	for _, c := range group {
		fail(c, err)
	}
}

// fail answers a write with err, nothing of it made: its request reads on
// from the latest.
func fail(c *groupCall, err error) {
	if pin := briefing.ReadPinOf(c.ctx); pin != nil {
		pin.Clear()
	}
	c.done <- groupResult{err: err}
}

// cutShort is the error of a write whose group's try failed: when it was
// cut short because every request of the try's writes ended, the write's
// is what its own request's end made it alone (unavailable at a deadline),
// not the cancelling of the try's context.
func cutShort(c *groupCall, err error) error {
	if cerr := c.ctx.Err(); cerr != nil && errors.Is(err, context.Canceled) && !errors.Is(cerr, context.Canceled) {
		return fmt.Errorf("store: commit: %w", etcdError(cerr))
	}
	return err
}

// awaitEach has a group wait (wait: for the server's write lock, for
// another server's turn) for as long as each of its writes' requests
// lasts. The group's context ends only once every request has, and the
// writer that leads a group commits it on its own goroutine, where its
// request's end is not heard (run); a write taken by a try of the group
// cannot give up either: so a write whose deadline passed was held as
// long as the lock or the turn, and then answered with its bare context
// error, or made after its request had ended. One whose request ends
// while the group waits is answered then, as a write alone is (ended
// makes its error of its request's), nothing of it made, and the others
// wait on. It returns the writes left, or wait's error, for all of them,
// when it failed of itself.
func awaitEach(ctx context.Context, group []*groupCall, wait func(context.Context) error, ended func(error) error) ([]*groupCall, error) {
	for {
		wctx, cancel := context.WithCancel(ctx)
		stops := make([]func() bool, len(group))
		for i, c := range group {
			stops[i] = context.AfterFunc(c.ctx, cancel)
		}
		err := wait(wctx)
		for _, s := range stops {
			s()
		}
		cancel()
		if err == nil {
			return group, nil
		}
		left := group[:0:0]
		for _, c := range group {
			if cerr := c.ctx.Err(); cerr != nil {
				fail(c, ended(cerr))
				continue
			}
			left = append(left, c)
		}
		if len(left) == len(group) || len(left) == 0 {
			return left, err
		}
		group = left
	}
}

// tryShared runs the group's writes in one transaction, from the first,
// until one would take it past one etcd transaction, and commits it. It
// returns how many writes it ran, with each one's result, and the commit's
// result: errRetry when it lost to another server's commit, or a read
// found the transaction's revision compacted.
func (g *groupCommit) tryShared(ctx context.Context, group []*groupCall) (taken int, results []groupResult, err error) {
	ctx, cut := context.WithCancel(ctx)
	defer cut()
	tx, err := g.db.kv.begin(ctx, true)
	if err != nil {
		return len(group), nil, err
	}
	defer tx.Rollback() // after a commit, nothing
	st := tx.(sharedTxn)
	for _, c := range group {
		m := st.mark()
		r := runShared(c, tx)
		if f := tx.failure(); errors.Is(f, errRetry) {
			return 0, nil, errRetry
		}
		if r.err != nil || r.panicked {
			st.undo(m)
			results = append(results, r)
			continue
		}
		fits := st.fitsOne()
		if !fits && len(results) > 0 {
			// Its commit waits for its turn: no write of the group
			// waits with it, not even one already refused, whose answer
			// is known.
			st.undo(m)
			break
		}
		results = append(results, r)
		if !fits {
			break // a write too large for one etcd transaction, alone
		}
	}
	taken = len(results)
	// The commit (a large write's, waiting for its turn) ends once the
	// requests of the writes it holds have ended, not those left for the
	// next group: the group's context waits for them too, and held the
	// large write, and then made it, past its request's end.
	held, stop := groupContext(group[:taken])
	defer stop()
	context.AfterFunc(held, cut)
	if err := tx.Commit(); err != nil {
		if errors.Is(err, errRetry) {
			return 0, nil, err
		}
		return taken, nil, fmt.Errorf("store: commit: %w", err)
	}
	return taken, results, nil
}

// runShared runs one write of a group in tx: its error, or its panic, or
// the failure of a read it made, or its request's end before it ran.
func runShared(c *groupCall, tx kvTxn) (r groupResult) {
	if !c.take() {
		return groupResult{err: c.ctx.Err()} // answered already: given up
	}
	if err := c.ctx.Err(); err != nil {
		return groupResult{err: err}
	}
	defer func() {
		if p := recover(); p != nil {
			r = groupResult{panicked: true, panic: p}
		}
	}()
	err := c.fn(tx)
	if f := tx.failure(); f != nil {
		err = f // what fn made of a failed read is beside the point
	}
	return groupResult{err: err}
}

// groupContext is the context of a group's commit: it ends once every
// write's request has ended. One request ending does not cut the others'
// commit short; all ending, nobody waits for it.
func groupContext(group []*groupCall) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var left atomic.Int32
	left.Store(int32(len(group)))
	stops := make([]func() bool, len(group))
	for i, c := range group {
		stops[i] = context.AfterFunc(c.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, s := range stops {
			s()
		}
		cancel()
	}
}
