package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
)

// Writers on several servers take turns when they must.
//
// A commit is optimistic: it compares the write token with the one its
// transaction read, and the write runs again when another server committed
// between. Alone, that let a long write (an import of many sheets, a
// freeze) lose without end to a steady trickle of short ones from other
// servers, each lost try writing its journal or its chunks, megabytes,
// into etcd again. So a write takes a turn before it writes any chunk or
// journal (a commit with a value in chunks, or too large for one etcd
// transaction), and any write once it has lost maxOptimistic tries. A
// turn is a key under the turn prefix, queued by its create revision (as
// etcd's concurrency.Mutex queues) and held by the oldest. Every commit
// also compares the turns: one made in a turn requires its own key, and
// deletes it; any other requires no key at all, so that it cannot pass a
// write that waits. A write that loses to turns waits for those it met to
// end before it tries again, instead of running in vain meanwhile. So a
// write is made by its (maxOptimistic+1)th try (unless its turn ends under
// it), a large commit writes its chunks and journal once, in its turn, and
// a write that meets no other commits as it did before, in one etcd
// transaction. Short writes that meet each other still just run again:
// queueing each at its first loss put nearly every save in a turn when
// three servers saved as fast as they could, at half to a third of the
// saves a second. A server's turns are on one
// lease, kept alive while it runs: a server that dies holding a turn, or
// queued for one, holds the others' writes up until it ends (turnTTL).

// maxOptimistic is how many tries a write loses before it takes a turn.
const maxOptimistic = 3

// turnTTL is the lease of a server's turns, in seconds: how long a server
// that died holding the turn, or queued for it, holds up the other
// servers' writes.
var turnTTL int64 = 5

// turnHolder is the value of this process's turn keys, for whoever lists
// them (etcdctl get --prefix).
var turnHolder = func() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("briefpack on %s, pid %d", h, os.Getpid())
}()

// turnPrefix is where turns are queued. The NUL keeps it out of the keys
// of any database whose prefix is under this one's (a prefix is text from
// a command line, which holds no NUL).
func (k *etcdKV) turnPrefix() string { return k.prefix + "t\x00" }

// turnLease is the lease a server's turns are put on, granted at its first
// turn and kept alive while it runs, so that a turn costs one request to
// take and none to let go of (the commit deletes it).
type turnLease struct {
	id   clientv3.LeaseID
	stop context.CancelFunc // ends the keep-alive
	done chan struct{}      // closed once the lease is no longer kept alive
}

// lease returns the server's turn lease, granting a new one when there is
// none or it has ended.
func (k *etcdKV) lease(ctx context.Context) (*turnLease, error) {
	k.leaseMu.Lock()
	defer k.leaseMu.Unlock()
	if l := k.turnLease; l != nil {
		select {
		case <-l.done:
		default:
			return l, nil
		}
	}
	gctx, cancel := k.bounded(ctx)
	g, err := k.cli.Grant(gctx, turnTTL)
	cancel()
	if err != nil {
		return nil, err
	}
	kctx, stop := context.WithCancel(context.Background())
	alive, err := k.cli.KeepAlive(kctx, g.ID)
	if err != nil {
		stop()
		return nil, err
	}
	l := &turnLease{id: g.ID, stop: stop, done: make(chan struct{})}
	go func() {
		for range alive {
		}
		close(l.done)
	}()
	k.turnLease = l
	return l, nil
}

// dropLease lets the server's lease go, and with it any turn on it: at
// once when revoke is true and etcd answers within a second, otherwise
// after turnTTL (a server closing does not wait longer on a cluster out of
// reach).
func (k *etcdKV) dropLease(l *turnLease, revoke bool) {
	k.leaseMu.Lock()
	if l == nil {
		l = k.turnLease
	}
	if l != nil && k.turnLease == l {
		k.turnLease = nil
	}
	k.leaseMu.Unlock()
	if l == nil {
		return
	}
	l.stop()
	if revoke {
		ctx, cancel := context.WithTimeout(context.Background(), min(k.timeout, time.Second))
		defer cancel()
		_, _ = k.cli.Revoke(ctx, l.id)
	}
}

// etcdTurn is a turn this server holds.
type etcdTurn struct {
	key   string
	rev   int64 // the key's create revision: turns are held in its order
	lease *turnLease
	ended bool // its key was deleted with the commit made in it
}

// takeTurn queues this server for the turn and waits until it holds it,
// and returns it with the write token's mod revision then.
func (k *etcdKV) takeTurn(ctx context.Context) (*etcdTurn, int64, error) {
	failed := func(err error) error { return fmt.Errorf("store: take a turn to write: %w", etcdError(err)) }
	var (
		tu   *etcdTurn
		resp *clientv3.TxnResponse
	)
	for again := true; ; again = false {
		l, err := k.lease(ctx)
		if err != nil {
			return nil, 0, failed(err)
		}
		tu = &etcdTurn{key: fmt.Sprintf("%s%016x", k.turnPrefix(), uint64(l.id)), lease: l}
		tctx, cancel := k.bounded(ctx)
		resp, err = k.cli.Txn(tctx).Then(clientv3.OpPut(tu.key, turnHolder, clientv3.WithLease(l.id)), clientv3.OpGet(tu.key),
			clientv3.OpGet(k.turnPrefix(), clientv3.WithFirstCreate()...), clientv3.OpGet(k.revKey())).Commit()
		cancel()
		if errors.Is(err, rpctypes.ErrLeaseNotFound) && again {
			k.dropLease(l, false) // it ended before its keep-alive knew
			continue
		}
		if err != nil {
			// The key may have been put: it goes with the lease.
			k.dropLease(l, true)
			return nil, 0, failed(err)
		}
		break
	}
	tu.rev = resp.Responses[1].GetResponseRange().Kvs[0].CreateRevision
	first, token := resp.Responses[2].GetResponseRange().Kvs, resp.Responses[3].GetResponseRange().Kvs
	if len(first) != 1 || first[0].CreateRevision != tu.rev {
		if err := k.awaitTurns(ctx, tu.rev-1); err != nil {
			k.endTurn(tu)
			return nil, 0, err
		}
		tctx, cancel := k.bounded(ctx)
		r, err := k.cli.Get(tctx, k.revKey())
		cancel()
		if err != nil {
			k.endTurn(tu)
			return nil, 0, failed(err)
		}
		token = r.Kvs
	}
	var mod int64
	if len(token) == 1 {
		mod = token[0].ModRevision
	}
	return tu, mod, nil
}

// awaitTurns waits until no turn created at or before revision upTo is
// left: each ends when its server's write is made, or with its lease.
// Each wait is bounded by the request timeout, after which the queue is
// read again, so that a cluster out of reach fails the write instead of
// holding it.
func (k *etcdKV) awaitTurns(ctx context.Context, upTo int64) error {
	// A request whose deadline passes while it waits failed as a cluster
	// that did not answer in time does (etcdError), not as an error of ours.
	failed := func(err error) error { return fmt.Errorf("store: wait for a turn to write: %w", etcdError(err)) }
	for {
		gctx, cancel := k.bounded(ctx)
		resp, err := k.cli.Get(gctx, k.turnPrefix(), append(clientv3.WithLastCreate(), clientv3.WithMaxCreateRev(upTo))...)
		cancel()
		if err != nil {
			return failed(err)
		}
		if len(resp.Kvs) == 0 {
			return nil
		}
		wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), k.timeout)
		gone := false
		for wr := range k.cli.Watch(wctx, string(resp.Kvs[0].Key), clientv3.WithRev(resp.Header.Revision+1), clientv3.WithFilterPut()) {
			if len(wr.Events) > 0 {
				gone = true
				break
			}
		}
		cancel()
		if err := ctx.Err(); err != nil {
			return failed(err)
		}
		if !gone {
			// The watch was cut (no leader, say): read the queue again
			// shortly, which fails if the cluster is out of reach.
			select {
			case <-ctx.Done():
				return failed(ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// endTurn lets a turn go, unless the commit made in it already did. When
// etcd cannot be told, the server's lease is let go, and the turn with it
// after turnTTL; a new lease is granted for the next.
func (k *etcdKV) endTurn(tu *etcdTurn) {
	if tu.ended {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), k.timeout)
	defer cancel()
	if _, err := k.cli.Delete(ctx, tu.key); err != nil {
		k.dropLease(tu.lease, false)
	}
}

// etcdWriter is one write's tries on this server (DB.update): it holds the
// server's write lock from the first try to the last, and the turn once it
// has taken one.
type etcdWriter struct {
	k      *etcdKV
	losses int // tries lost to another commit
	// metTurns is the revision at which the last try lost to turns held
	// or waited for, which the next waits out; 0 when it did not.
	metTurns int64
	turn     *etcdTurn
	// own is a write transaction begun outside DB.update, whose writer
	// ends with it.
	own bool
	// ended is set once the write has ended (end): a context that still
	// carries it, a turn's after it was let go (TakeTurn), holds nothing.
	ended atomic.Bool
}

type etcdWriterKey struct{}

// writerIn is the write of k's that ctx carries and that has not ended, or
// nil.
func (k *etcdKV) writerIn(ctx context.Context) *etcdWriter {
	if w, ok := ctx.Value(etcdWriterKey{}).(*etcdWriter); ok && w.k == k && !w.ended.Load() {
		return w
	}
	return nil
}

// lockWrites takes the server's write lock, or gives up when ctx ends
// first: unavailable at its deadline, as a cluster that did not answer.
func (k *etcdKV) lockWrites(ctx context.Context) error {
	select {
	case k.writeLock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("store: wait for this server's writes: %w", etcdError(ctx.Err()))
	}
}

// writer starts a write's tries, once it has the server's write lock, for
// which it waits until wait ends: ctx carries them to each begin. Within a
// turn taken for a request (TakeTurn), the request's writer makes them.
func (k *etcdKV) writer(ctx, wait context.Context) (context.Context, func(), error) {
	if w := k.writerIn(ctx); w != nil {
		return ctx, func() {}, nil
	}
	if err := k.lockWrites(wait); err != nil {
		return ctx, nil, err
	}
	w := &etcdWriter{k: k}
	return context.WithValue(ctx, etcdWriterKey{}, w), w.end, nil
}

// writerOf is the writer a write transaction begun with ctx belongs to:
// its write's, or one of its own, the write lock taken.
func (k *etcdKV) writerOf(ctx context.Context) (*etcdWriter, error) {
	if w := k.writerIn(ctx); w != nil {
		return w, nil
	}
	if err := k.lockWrites(ctx); err != nil {
		return nil, err
	}
	return &etcdWriter{k: k, own: true}, nil
}

// end ends the write: its turn, then the write lock, are let go; once.
func (w *etcdWriter) end() {
	if w.ended.Swap(true) {
		return
	}
	w.letGo()
	<-w.k.writeLock
}

// txEnded is a transaction of the write ended: the write ends with it if
// it was begun alone.
func (w *etcdWriter) txEnded() {
	if w.own {
		w.end()
	}
}

func (w *etcdWriter) letGo() {
	if w.turn != nil {
		w.k.endTurn(w.turn)
		w.turn = nil
	}
}

// ready prepares the write's next try: in a turn once it has lost
// maxOptimistic tries, or else once the turns its last try met have ended.
func (w *etcdWriter) ready(ctx context.Context) error {
	switch {
	case w.turn == nil && w.losses >= maxOptimistic:
		_, err := w.take(ctx)
		return err
	case w.turn == nil && w.metTurns != 0:
		// Met still, when the wait was cut short: a group's write whose
		// request ended (commitShared) leaves the others to wait on.
		if err := w.k.awaitTurns(ctx, w.metTurns); err != nil {
			return err
		}
		w.metTurns = 0
	}
	return nil
}

// ready is the ready of the write ctx carries, if any.
func (k *etcdKV) ready(ctx context.Context) error {
	if w := k.writerIn(ctx); w != nil {
		return w.ready(ctx)
	}
	return nil
}

// take waits for the write's turn, and returns the write token's mod
// revision once it holds it.
func (w *etcdWriter) take(ctx context.Context) (int64, error) {
	tu, mod, err := w.k.takeTurn(ctx)
	if err != nil {
		return 0, err
	}
	w.turn = tu
	return mod, nil
}

// lost counts a try lost to another commit; metTurns is the revision at
// which it met turns held or waited for, 0 if it did not.
func (w *etcdWriter) lost(metTurns int64) {
	w.losses++
	w.metTurns = metTurns
	if w.turn != nil {
		// A try made in a turn loses only once the turn has ended with
		// its lease (the server stalled past turnTTL): the next takes a
		// new one.
		w.letGo()
		w.losses = max(w.losses, maxOptimistic)
	}
}

// inTurn has a commit that writes chunks or a journal take its write's
// turn first, if it holds none: those megabytes are written only in a
// turn, and only while what the transaction read is still the latest, so
// that a large commit that loses has written nothing. errRetry when it is
// not the latest: the next try runs in the turn.
func (t *etcdTx) inTurn() error {
	if t.w.turn != nil {
		return nil
	}
	mod, err := t.w.take(t.ctx)
	if err != nil {
		return err
	}
	if mod != t.revMod {
		if t.pin != nil {
			t.pin.Clear()
		}
		return errRetry
	}
	return nil
}

// turnCmp is the compare on turns a commit of the write makes: its own
// turn still held, or none held or waited for by anyone.
func (w *etcdWriter) turnCmp() clientv3.Cmp {
	if w.turn != nil {
		return clientv3.Compare(clientv3.CreateRevision(w.turn.key), "=", w.turn.rev)
	}
	return clientv3.Compare(clientv3.CreateRevision(w.k.turnPrefix()), "=", 0).WithPrefix()
}

// turnsOp counts the turns held or waited for, read when a commit loses.
func (k *etcdKV) turnsOp() clientv3.Op {
	return clientv3.OpGet(k.turnPrefix(), clientv3.WithPrefix(), clientv3.WithCountOnly())
}

// lose counts a commit that lost, from the answer of its transaction,
// whose Else was turnsOp.
func (t *etcdTx) lose(resp *clientv3.TxnResponse) {
	var met int64
	if len(resp.Responses) == 1 {
		if r := resp.Responses[0].GetResponseRange(); r != nil && r.Count > 0 {
			met = resp.Header.Revision
		}
	}
	t.w.lost(met)
}

// TakeTurn returns ctx holding the database's turn to write: on etcd, this
// server's write lock and the turn every other server's commit waits for
// (see etcdWriter). The writes made with it are made by it, one after
// another (not in a group), and the first commit ends the turn with it; the
// request's reads start again from the moment the turn was taken. A merge
// reads the sheet, merges and writes it back, and loses when another
// server's save of the sheet comes between: one that lost three times
// takes a turn, and is then made, where ten losses in a row refused it.
// Once end has let the turn go, the context holds nothing: a write made
// with it is made as any other of the server's.
func (db *DB) TakeTurn(ctx context.Context) (context.Context, func(), error) {
	k, ok := db.kv.(*etcdKV)
	if !ok || db.readOnly {
		return ctx, func() {}, nil
	}
	wctx, end, err := k.writer(ctx, ctx)
	if err != nil {
		return ctx, nil, err
	}
	if _, err := wctx.Value(etcdWriterKey{}).(*etcdWriter).take(wctx); err != nil {
		end()
		return ctx, nil, err
	}
	if pin := briefing.ReadPinOf(wctx); pin != nil {
		pin.Clear()
	}
	return wctx, end, nil
}

// inTurn reports whether ctx holds a turn taken with TakeTurn, not yet let
// go: its writes are its own, not a group's, whose writer would wait for
// the write lock the turn holds.
func inTurn(ctx context.Context) bool {
	w, ok := ctx.Value(etcdWriterKey{}).(*etcdWriter)
	return ok && !w.ended.Load()
}
