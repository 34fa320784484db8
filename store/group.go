package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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
// run would repeat.
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
	// Once its turn has come, a write is answered only when it is known
	// whether it was committed: its request's end does not cut that short.
	r := <-c.done
	if r.panicked {
		panic(r.panic)
	}
	return r.err
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
	g.commit(group)
	g.mu.Lock()
	more := len(g.queue) > 0
	g.busy = more
	g.mu.Unlock()
	if more {
		go g.next()
	}
}

// commit commits a group: all together if none fails, otherwise the others
// again without the one that failed, and that one alone after them.
func (g *groupCommit) commit(group []*groupCall) {
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
	defer func() {
		if p := recover(); p != nil {
			if err := readDamage(g.db.path, p); err != nil {
				r = groupResult{err: err}
				return
			}
			r = groupResult{panicked: true, panic: p}
		}
	}()
	return groupResult{err: g.db.attempt(c.ctx, c.fn)}
}
