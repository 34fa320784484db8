package store

import "maps"

// What a group commit on etcd (see groupCommit.commitShared) needs of a
// transaction: to take back one write's part of it, and to know whether
// what it holds still commits in one etcd transaction.

// opOverhead is what Commit counts for each operation beside its key and
// value, so that the whole stays within a request etcd accepts.
const opOverhead = 64

// fitsOne reports whether a commit of ops operations, size bytes as Commit
// counts them, is made in one etcd transaction, with the write token and a
// turn's end beside them; otherwise it is journaled.
func fitsOne(ops, size int) bool {
	return ops+2 <= maxTxnOps && size <= maxTxnBytes
}

// fitsOne reports whether the transaction's writes are committed in one
// etcd transaction, none of them a large value written in chunks
// beforehand: counted as Commit counts them.
func (t *etcdTx) fitsOne() bool {
	ops, size := 0, 0
	add := func(n int) {
		ops++
		size += n + opOverhead
	}
	for _, n := range t.newBuckets {
		add(len(n))
	}
	for n := range t.seqDirty {
		add(len(n) + 8)
	}
	for name, keys := range t.writes {
		ek := len(t.kv.dataPrefix([]byte(name)))
		for key, v := range keys {
			cp := len(t.kv.chunkPrefix([]byte(name), []byte(key)))
			switch {
			case v == nil:
				add(ek + len(key))
			case len(*v) < chunkSize:
				add(ek + len(key) + len(*v))
			default:
				return false
			}
			add(cp)
		}
	}
	return fitsOne(ops, size)
}

// txMark is what a write transaction holds at one moment, to go back to.
// What it read is kept: it was read at the transaction's revision, and
// stays true of it.
type txMark struct {
	newBuckets int
	seqs       map[string]uint64
	seqDirty   map[string]bool
	writes     map[string]map[string]*[]byte
	err        error
}

// mark is what the transaction holds now. Values written are not copied:
// none is changed once written (Put writes a copy).
func (t *etcdTx) mark() txMark {
	m := txMark{newBuckets: len(t.newBuckets), seqs: maps.Clone(t.seqs), seqDirty: maps.Clone(t.seqDirty), err: t.err}
	if t.writes != nil {
		m.writes = make(map[string]map[string]*[]byte, len(t.writes))
		for name, keys := range t.writes {
			m.writes[name] = maps.Clone(keys)
		}
	}
	return m
}

// undo takes the transaction back to what it held at m.
func (t *etcdTx) undo(m txMark) {
	t.newBuckets = t.newBuckets[:m.newBuckets]
	t.seqs, t.seqDirty, t.err = m.seqs, m.seqDirty, m.err
	t.writes = m.writes
}
