package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A check, a backup or a copy reads the whole database at one revision: a
// scan. Read as a request reads, one key per Get and 64 keys per page, a
// check made a request for every object and every saved version, and
// twice for every version (its header and its text, each looked up
// beside the other's walk): 43,000 requests for 1,000 sheets of 20
// versions, 15 s on three idle members and 50-70 s beside other servers'
// writes, every second of it a chance for etcd to compact the revision or
// for one answer to be late. A scan's transaction instead reads each
// bucket in pages, of many keys when its values are small (scanPage), and answers
// a Get from a window of the bucket read from that key on: the store reads
// objects, their history and their indexes in key order, so one request
// serves the Gets of many keys. Server requests read as before: they read
// few keys, and a window would read many they do not need.

// scanPage is how many keys a scan reads of a bucket whose every value is
// small by its making (history headers, index entries, audit records,
// sessions): 1,024 keys are a few hundred kilobytes. Other buckets are
// read pageSize keys at a time, as a request reads them: their values
// (a sheet, a version's text, a frozen file under 1 MiB) may each be
// large, and a page of them as many megabytes.
const scanPage = 1024

// scanWindows is how many windows a scan keeps of each bucket: the one it
// reads on in, and one it came back to (a delta's full copy, the objects
// of another parent).
const scanWindows = 2

// smallValued are the buckets a scan reads scanPage keys at a time.
var smallValued = func() map[string]bool {
	m := map[string]bool{string(historyBucket): true, string(auditBucket): true, string(presenceBucket): true,
		string(sessionBucket): true, string(attemptBucket): true}
	for _, b := range allBuckets {
		if bytes.HasPrefix(b, []byte("idx_")) {
			m[string(b)] = true
		}
	}
	return m
}()

// scanLimit is how many keys of bucket a scan reads in one request.
func scanLimit(bucket string) int64 {
	if smallValued[bucket] {
		return scanPage
	}
	return pageSize
}

type scanKey struct{}

// scanning marks ctx as a scan's: a read transaction begun with it reads
// as a scan does (see scanState).
func scanning(ctx context.Context) context.Context {
	return context.WithValue(ctx, scanKey{}, true)
}

func isScan(ctx context.Context) bool {
	v, _ := ctx.Value(scanKey{}).(bool)
	return v
}

// scanState is what a scan's transaction keeps of the buckets it reads:
// each bucket's windows.
type scanState struct {
	windows map[string][]*window
}

// window is the keys of a bucket from lo up to hi (etcd keys), all of
// them, with their stored values.
type window struct {
	lo, hi string
	kvs    []pair
}

func newScanState() *scanState {
	return &scanState{windows: map[string][]*window{}}
}

// get returns the stored value of the etcd key ek of bucket (nil when
// absent) from a window that holds it, reading one from ek on when none
// does.
func (s *scanState) get(t *etcdTx, bucket, ek string) ([]byte, error) {
	for _, w := range s.windows[bucket] {
		if w.lo <= ek && ek < w.hi {
			i, found := slices.BinarySearchFunc(w.kvs, []byte(ek), func(p pair, k []byte) int { return bytes.Compare(p.k, k) })
			if !found {
				return nil, nil
			}
			return w.kvs[i].v, nil
		}
	}
	end := prefixEnd(t.kv.dataPrefix([]byte(bucket)))
	resp, err := t.get(ek, clientv3.WithRange(end), clientv3.WithLimit(scanLimit(bucket)))
	if err != nil {
		return nil, err
	}
	w := &window{lo: ek, hi: end}
	if n := len(resp.Kvs); resp.More && n > 0 {
		w.hi = string(resp.Kvs[n-1].Key) + "\x00"
	}
	for _, kv := range resp.Kvs {
		w.kvs = append(w.kvs, pair{kv.Key, kv.Value})
	}
	ws := append(s.windows[bucket], w)
	if len(ws) > scanWindows {
		ws = slices.Delete(ws, 0, len(ws)-scanWindows)
	}
	s.windows[bucket] = ws
	if len(w.kvs) > 0 && string(w.kvs[0].k) == ek {
		return w.kvs[0].v, nil
	}
	return nil, nil
}

// forEachKey calls fn with each key of b in order, without its value, for
// a check of the keys alone. On etcd a large value's chunks are not read,
// only listed, so that a check reads frozen packs' files as keys (one small
// request for each file's chunks) instead of every byte of them.
func forEachKey(b kvBucket, fn func(k []byte) error) error {
	if eb, ok := b.(*etcdBucket); ok {
		c := &etcdCursor{b: eb, keysOnly: true}
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := fn(k); err != nil {
				return err
			}
		}
		return eb.tx.err
	}
	return b.ForEach(func(k, _ []byte) error { return fn(k) })
}

// chunksPresent checks that a stored value's chunks are all there, without
// reading them: an inline value is; a chunked one's manifest names its
// chunks, which are listed, keys only.
func (b *etcdBucket) chunksPresent(key, raw []byte) error {
	if len(raw) == 0 || raw[0] != tagChunked {
		return nil
	}
	if len(raw) != 1+8+4+8 {
		return fmt.Errorf("store: value %q of bucket %s has a bad manifest", key, b.name)
	}
	gen := binary.BigEndian.Uint64(raw[1:9])
	n := int(binary.BigEndian.Uint32(raw[9:13]))
	cp := b.tx.kv.chunkPrefix(b.name, key)
	resp, err := b.tx.get(chunkKey(cp, gen, 0), clientv3.WithRange(chunkKey(cp, gen, n)), clientv3.WithKeysOnly())
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if i >= len(resp.Kvs) || string(resp.Kvs[i].Key) != chunkKey(cp, gen, i) {
			return fmt.Errorf("store: value %q of bucket %s lacks chunk %d of %d", key, b.name, i+1, n)
		}
	}
	return nil
}
