package store

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// HistoryBytes returns how many bytes the history of the database holds,
// keys and values, in headers and in texts: a benchmark's measure of what
// a version costs on disk.
func HistoryBytes(db *DB) (headers, texts int64, err error) {
	err = db.viewKV(func(tx kvTx) error {
		for _, x := range []struct {
			name []byte
			n    *int64
		}{{historyBucket, &headers}, {historyBodies, &texts}} {
			if b := tx.Bucket(x.name); b != nil {
				if err := b.ForEach(func(k, v []byte) error { *x.n += int64(len(k) + len(v)); return nil }); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return headers, texts, err
}

// HistoryDeltas counts the versions the history keeps as deltas against a
// full copy, and those it keeps whole.
func HistoryDeltas(db *DB) (deltas, whole int, err error) {
	err = db.viewKV(func(tx kvTx) error {
		return tx.Bucket(historyBucket).ForEach(func(k, v []byte) error {
			h, err := decodeHeader(v)
			if err != nil {
				return err
			}
			if h.Base != 0 {
				deltas++
			} else {
				whole++
			}
			return nil
		})
	})
	return deltas, whole, err
}

// viewKV runs fn in a read transaction.
func (db *DB) viewKV(fn func(kvTx) error) (err error) {
	tx, err := db.begin(context.Background(), false)
	if err != nil {
		return err
	}
	defer end(tx, &err)
	return fn(tx)
}

// ForgetDecoded empties the decoded sheets kept for bulk reads, as after a
// start: the next read of a round decodes every sheet.
func ForgetDecoded() { sheets.memo.cache.Clear() }

// ForgetSeen takes from every history header and audit record who sees its
// save, as a database of schema 8 keeps them.
func ForgetSeen(db *DB) error {
	return db.update(context.Background(), func(tx kvTx) error {
		hb := tx.Bucket(historyBucket)
		if err := rewrite(hb, nil, func(raw []byte) ([]byte, error) {
			h, err := decodeHeader(raw)
			if err != nil {
				return nil, err
			}
			h.Seen = ""
			return h.encode(), nil
		}); err != nil {
			return err
		}
		return rewrite(tx.Bucket(auditBucket), nil, func(raw []byte) ([]byte, error) {
			rec, err := decodeAudit(raw)
			if err != nil {
				return nil, err
			}
			return json.Marshal(auditEntry{AuditRecord: *rec})
		})
	})
}

// MarkSeen runs migration 9's step on the database.
func MarkSeen(db *DB) error { return db.update(context.Background(), markSeen) }

// LoadRaw writes every bucket of the bbolt file at path into db, key for
// key with its sequence, as it lies, replacing db's meta bucket with the
// file's (its schema version included): a database written by an earlier
// release, laid on db's backend as that release left it, for the open that
// follows to migrate. db must be new.
func LoadRaw(db *DB, path string) error {
	src, err := openBolt(path, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	return src.View(func(stx *bolt.Tx) error {
		return db.update(context.Background(), func(tx kvTx) error {
			meta := tx.Bucket(metaBucket)
			var keys [][]byte
			if err := meta.ForEach(func(k, _ []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil }); err != nil {
				return err
			}
			for _, k := range keys {
				if err := meta.Delete(k); err != nil {
					return err
				}
			}
			return stx.ForEach(func(name []byte, sb *bolt.Bucket) error {
				b, err := tx.CreateBucketIfNotExists(name)
				if err != nil {
					return err
				}
				if err := b.SetSequence(sb.Sequence()); err != nil {
					return err
				}
				return sb.ForEach(func(k, v []byte) error { return b.Put(k, v) })
			})
		})
	})
}

// Records counts the records of one of the database's buckets.
func Records(db *DB, bucket string) (n int, err error) {
	err = db.viewKV(func(tx kvTx) error {
		return tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error { n++; return nil })
	})
	return n, err
}
