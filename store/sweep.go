package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Swept is what a sweep deleted: the chunk sets of large values that no
// value names (Values), their chunks (Chunks, each at most a MiB), and the
// journals of large commits that nothing names (Journals).
type Swept struct {
	Values, Chunks, Journals int
}

// Sweep deletes from an etcd database what commits that can no longer
// happen left behind them: the chunks of large values, written before the
// transaction that would have named them, and the journals of large
// commits. A commit that is known to have failed deletes its own (see
// dropUnnamed); these are those of commits whose answer was lost, or whose
// server died between the two. Nothing any reader or writer could still
// need is deleted, on any server, at any moment: see etcdKV.sweep. On a
// bbolt file, where a commit is all or nothing, it does nothing.
func (db *DB) Sweep(ctx context.Context) (Swept, error) {
	k, ok := db.kv.(*etcdKV)
	if !ok {
		return Swept{}, nil
	}
	s, err := k.sweep(ctx)
	if err != nil {
		return s, fmt.Errorf("store: sweep %s: %w", k.desc, err)
	}
	return s, nil
}

// sweepBatch is how many operations one of the sweep's etcd transactions
// holds, under etcd's default of 128.
const sweepBatch = 100

// sweep deletes the chunk sets and journals of commits that can no longer
// happen. A commit's chunks and journal carry its generation, whose high
// bits are the revision its transaction read at; the commit can happen
// only while the write token's mod revision is the one it read then, which
// is no later than that revision. So once the token has been put at a later
// revision than a generation's, that generation's commit has happened or
// never will: its chunks are needed only if a value's manifest names them
// (read after the token, so a commit that happened is seen), and its
// journal not at all (one being applied is named by the token, and then
// nothing is swept). Another server's commit still under way has read the
// token at or after its present mod revision, so its generation is newer,
// and is left be.
func (k *etcdKV) sweep(ctx context.Context) (Swept, error) {
	var s Swept
	octx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	// A server whose database a newer briefpack migrated sweeps nothing:
	// the newer may keep its values otherwise (readToken).
	resp, err := k.readToken(octx)
	if err != nil {
		return s, etcdError(err)
	}
	if len(resp.Kvs) == 0 || strings.HasPrefix(string(resp.Kvs[0].Value), journalMark) {
		// Nothing committed yet; or a large commit is being applied, whose
		// manifests are not written yet: the next sweep.
		return s, nil
	}
	doomed := func(gen uint64) bool { return int64(gen>>16) < resp.Kvs[0].ModRevision }

	// The chunk sets of earlier generations, by the value they belong to.
	keys, err := k.keysUnder(ctx, k.prefix+"c/")
	if err != nil {
		return s, err
	}
	type set struct {
		bucket, key string
		gen         uint64
		n           int // chunks
	}
	var sets []*set
	bySet := map[string]*set{}
	for _, key := range keys {
		bucket, key, gen, ok := k.parseChunkKey(key)
		if !ok || !doomed(gen) {
			continue
		}
		id := genPrefix(k.chunkPrefix([]byte(bucket), []byte(key)), gen)
		if bySet[id] == nil {
			bySet[id] = &set{bucket: bucket, key: key, gen: gen}
			sets = append(sets, bySet[id])
		}
		bySet[id].n++
	}
	// Those that no value names now.
	var orphans []*set
	for i := 0; i < len(sets); i += sweepBatch {
		batch := sets[i:min(i+sweepBatch, len(sets))]
		ops := make([]clientv3.Op, len(batch))
		for j, c := range batch {
			ops[j] = clientv3.OpGet(k.dataPrefix([]byte(c.bucket)) + c.key)
		}
		resp, err := k.txn(ctx, ops)
		if err != nil {
			return s, err
		}
		for j, r := range resp.Responses {
			kvs := r.GetResponseRange().Kvs
			if len(kvs) == 1 {
				if m := kvs[0].Value; len(m) >= 9 && m[0] == tagChunked && binary.BigEndian.Uint64(m[1:9]) == batch[j].gen {
					continue
				}
			}
			orphans = append(orphans, batch[j])
		}
	}
	var drops []clientv3.Op
	for _, c := range orphans {
		drops = append(drops, clientv3.OpDelete(genPrefix(k.chunkPrefix([]byte(c.bucket), []byte(c.key)), c.gen), clientv3.WithPrefix()))
		s.Values++
		s.Chunks += c.n
	}

	// The journals of earlier generations, which the token does not name:
	// their keys one by one, as a journal's prefix could be another
	// database's.
	jkeys, err := k.keysUnder(ctx, k.prefix+"j/")
	if err != nil {
		return s, err
	}
	seen := map[uint64]bool{}
	for _, key := range jkeys {
		gen, ok := k.journalKey(key)
		if !ok || !doomed(gen) {
			continue
		}
		if !seen[gen] {
			seen[gen] = true
			s.Journals++
		}
		drops = append(drops, clientv3.OpDelete(key))
	}
	for i := 0; i < len(drops); i += sweepBatch {
		if _, err := k.txn(ctx, drops[i:min(i+sweepBatch, len(drops))]); err != nil {
			return s, err
		}
	}
	return s, nil
}

// keysUnder lists the keys under an etcd prefix, without their values.
func (k *etcdKV) keysUnder(ctx context.Context, prefix string) ([]string, error) {
	octx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	resp, err := k.cli.Get(octx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return nil, etcdError(err)
	}
	out := make([]string, len(resp.Kvs))
	for i, kv := range resp.Kvs {
		out[i] = string(kv.Key)
	}
	return out, nil
}

// txn sends operations in one etcd transaction, unconditionally.
func (k *etcdKV) txn(ctx context.Context, ops []clientv3.Op) (*clientv3.TxnResponse, error) {
	octx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	resp, err := k.cli.Txn(octx).Then(ops...).Commit()
	if err != nil {
		return nil, etcdError(err)
	}
	return resp, nil
}

// parseChunkKey reads a chunk's key (see chunkPrefix and chunkKey): the
// bucket and key of the value it belongs to and its generation; ok is false
// for a key of another shape, or of a bucket that is not the store's, which
// is left be.
func (k *etcdKV) parseChunkKey(chunk string) (bucket, key string, gen uint64, ok bool) {
	rest, ok := strings.CutPrefix(chunk, k.prefix+"c/")
	if !ok {
		return "", "", 0, false
	}
	bucket, rest, ok = strings.Cut(rest, "\x00")
	if !ok || len(rest) < 4 || !storeBucket(bucket) {
		// Not one of the store's buckets: the key of another database
		// kept inside this one's prefix ("c/<its bucket>…" of one at
		// "<prefix>c/"), which this one must never delete.
		return "", "", 0, false
	}
	n := int(binary.BigEndian.Uint32([]byte(rest[:4])))
	rest = rest[4:]
	if len(rest) != n+12 {
		return "", "", 0, false
	}
	return bucket, rest[:n], binary.BigEndian.Uint64([]byte(rest[n : n+8])), true
}

// genPrefix is the prefix of the chunks of one generation of a value whose
// chunks are under cp: chunkKey's, less the chunk's number.
func genPrefix(cp string, gen uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], gen)
	return cp + string(b[:])
}
