package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A prefix may hold a slash, so one database's prefix can lie inside
// another's ("nest/" and "nest/c/"): then the inner one's keys are under
// the outer one's, and some of them parse as the outer's own (the inner's
// "nest/c/c/<bucket>…" as the outer's chunks of a bucket "c/<bucket>").
// So a database reads, sweeps, checks and copies only keys of its own
// shape (storeBucket, journalKey), and a prefix inside another database's,
// or holding another's, is not opened to write (refuseShared).

// storeBuckets are the names of a briefpack database's buckets; a
// briefpack database never had any other.
var storeBuckets = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range allBuckets {
		m[string(b)] = true
	}
	return m
}()

// storeBucket tells one of the store's buckets from a name that only
// parses as one: every key of a database kept inside this one's prefix
// reads, through this prefix, as one of a bucket whose name holds a slash,
// or as the bucket "rev".
func storeBucket(name string) bool { return storeBuckets[name] }

// journalKey reads a key of a large commit's journal (see journalPrefix and
// journalProgress): its generation; ok is false for a key of another shape.
func (k *etcdKV) journalKey(key string) (gen uint64, ok bool) {
	rest, ok := strings.CutPrefix(key, k.prefix+"j/")
	if !ok || len(rest) < 17 || rest[16] != '/' {
		return 0, false
	}
	gen, err := strconv.ParseUint(rest[:16], 16, 64)
	if err != nil || strings.ToLower(rest[:16]) != rest[:16] {
		return 0, false
	}
	part := rest[17:]
	if part == journalProgress {
		return gen, true
	}
	if len(part) != 8 || strings.Trim(part, "0123456789") != "" {
		return 0, false
	}
	return gen, true
}

// keyRange is the etcd keys from lo up to, not including, hi.
type keyRange struct{ lo, hi string }

// ownRanges are the ranges this database's keys lie in, sorted: its write
// token; its writers' turns (etcdturn.go); each bucket's name, sequence,
// values and chunks; and its journals, whose range may hold keys of other
// shapes too (see journalKey).
func (k *etcdKV) ownRanges() []keyRange {
	p := k.prefix
	one := func(key string) keyRange { return keyRange{key, key + "\x00"} }
	under := func(pre string) keyRange { return keyRange{pre, prefixEnd(pre)} }
	rs := []keyRange{one(p + "rev"), under(p + "j/"), under(k.turnPrefix())}
	for name := range storeBuckets {
		rs = append(rs, one(k.bucketKey([]byte(name))), one(k.seqKey([]byte(name))),
			under(k.dataPrefix([]byte(name))), under(p+"c/"+name+"\x00"))
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	return rs
}

// refuseShared refuses a prefix that lies inside the prefix of another
// briefpack database, or that holds keys that are not this database's:
// another database's inside it, most likely. Either way the two would
// share keys: an operator's `etcdctl del --prefix` of one deletes the
// other, and etcd's permissions, granted by prefix, cannot keep them
// apart. A new prefix is refused so before anything is written to it, and
// one laid out so before this check is refused to write until one of the
// two is moved (briefpack copy reads it; see the README). Its cost does not
// grow with the database: a few requests, each of a key or a range that
// holds none of this database's keys.
func (k *etcdKV) refuseShared(ctx context.Context) error {
	// An enclosing database has its write token at a shorter prefix.
	var outer []clientv3.Op
	for i := 0; i < len(k.prefix)-1; i++ {
		if k.prefix[i] == '/' {
			outer = append(outer, clientv3.OpGet(k.prefix[:i+1]+"rev", clientv3.WithKeysOnly()))
		}
	}
	// Every key of the prefix outside this database's own ranges, the first
	// of each gap between them, and the journals' keys, whose shape tells.
	var gaps []clientv3.Op
	from := k.prefix
	for _, r := range append(k.ownRanges(), keyRange{lo: prefixEnd(k.prefix)}) {
		if from < r.lo {
			gaps = append(gaps, clientv3.OpGet(from, clientv3.WithRange(r.lo), clientv3.WithLimit(1), clientv3.WithKeysOnly()))
		}
		from = max(from, r.hi)
	}
	gaps = append(gaps, clientv3.OpGet(k.prefix+"j/", clientv3.WithPrefix(), clientv3.WithKeysOnly()))
	ops := append(outer, gaps...)
	var found []string
	for i := 0; i < len(ops); i += sweepBatch {
		resp, err := k.txn(ctx, ops[i:min(i+sweepBatch, len(ops))])
		if err != nil {
			return err
		}
		for j, r := range resp.Responses {
			for _, kv := range r.GetResponseRange().Kvs {
				key := string(kv.Key)
				if i+j < len(outer) {
					return fmt.Errorf("database %s: its prefix %s is inside the prefix %s of another briefpack database, whose keys would mix with its own: "+
						"give each database a prefix outside every other's", k.desc, k.prefix, strings.TrimSuffix(key, "rev"))
				}
				if _, ok := k.journalKey(key); !ok && (found == nil || key < found[0]) {
					found = []string{key}
				}
			}
		}
	}
	if found == nil {
		return nil
	}
	// Name the database the key belongs to, if it is one.
	key := found[0]
	var inner []clientv3.Op
	for i := len(k.prefix); i < len(key); i++ {
		if key[i] == '/' {
			inner = append(inner, clientv3.OpGet(key[:i+1]+"rev", clientv3.WithKeysOnly()))
		}
	}
	if len(inner) > 0 {
		resp, err := k.txn(ctx, inner[:min(len(inner), sweepBatch)])
		if err != nil {
			return err
		}
		for _, r := range resp.Responses {
			if kvs := r.GetResponseRange().Kvs; len(kvs) == 1 {
				return fmt.Errorf("database %s: another briefpack database is kept inside its prefix, at %s, whose keys would mix with its own: "+
					"give each database a prefix outside every other's", k.desc, strings.TrimSuffix(string(kvs[0].Key), "rev"))
			}
		}
	}
	return fmt.Errorf("database %s: its prefix %s holds keys that are not a briefpack database's (%q): give the database a prefix of its own",
		k.desc, k.prefix, key)
}
