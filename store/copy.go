package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// copyBatch bounds one write transaction of a copy: small enough for one
// etcd transaction when the destination is etcd.
func copyBatch(dst *DB) (keys, bytes int) {
	if _, ok := dst.kv.(*etcdKV); ok {
		return maxTxnOps/2 - 2, maxTxnBytes / 2
	}
	return 10000, 64 << 20
}

// CopyProgress is told of each bucket as it is copied; and, when the copy
// starts again (see Copy), with the bucket "" and the number of the try
// that starts, before it tells each bucket again.
type CopyProgress func(bucket string, keys int)

// Copy copies every bucket of src, keys, values and sequences, into dst,
// which must hold no records yet (a database just created), as src stood
// at one moment: one bbolt transaction, or one etcd revision. dst's
// settings and schema version become src's.
//
// A copy takes many transactions, and one stopped halfway (killed, etcd
// gone) leaves part of src in dst. So dst is marked as an unfinished copy
// in the transaction that finds it empty, before its first record, and the
// mark is deleted by the copy's last write: until then every open of dst
// refuses it, saying how to clear it, and no server serves part of a
// database as if it were whole.
//
// When etcd compacts the revision src is read at before the copy is whole,
// the copy starts again at the latest, three times at most (see
// scanAgain), into dst emptied of what the try before wrote (emptyForCopy):
// it failed, and left dst half written and marked.
func Copy(ctx context.Context, src, dst *DB, progress CopyProgress) error {
	if src.settings.Jurisdiction != dst.settings.Jurisdiction {
		return fmt.Errorf("%s is for jurisdiction %q and %s for %q", src.path, src.settings.Jurisdiction, dst.path, dst.settings.Jurisdiction)
	}
	tries := 0
	return src.scanAgain(ctx, "the copy", func(ctx context.Context) error {
		tries++
		if tries > 1 {
			if progress != nil {
				progress("", tries)
			}
			if err := emptyForCopy(ctx, dst); err != nil {
				return fmt.Errorf("copy %s to %s: empty what the copy before wrote: %w", src.path, dst.path, err)
			}
		}
		return copyOnce(ctx, src, dst, progress)
	})
}

// copyOnce is one try of Copy, at one revision of src.
func copyOnce(ctx context.Context, src, dst *DB, progress CopyProgress) (err error) {
	mark := fmt.Sprintf("a copy of %s begun %s", src.path, dst.now().Format(time.RFC3339))
	if err := dst.update(ctx, func(tx kvTx) error {
		if err := mustBeEmpty(tx, dst.path); err != nil {
			return err
		}
		return tx.Bucket(metaBucket).Put(keyUnfinishedCopy, []byte(mark))
	}); err != nil {
		return err
	}
	// dst takes src's schema when its meta bucket is copied: meanwhile its
	// transactions expect none (marked, no other open takes it), then src's.
	dst.expectSchema(0)
	defer func() {
		if err == nil {
			dst.expectSchema(src.schema)
		}
	}()
	stx, err := src.begin(scanning(ctx), false)
	if err != nil {
		return err
	}
	defer end(stx, &err)
	maxKeys, maxBytes := copyBatch(dst)
	err = stx.ForEach(func(name []byte, b kvBucket) error {
		if !storeBucket(string(name)) {
			// No part of a briefpack database: an etcd prefix never
			// lists one, and one made there would refuse the next open.
			return nil
		}
		type kvp struct{ k, v []byte }
		var batch []kvp
		size, n := 0, 0
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := dst.update(ctx, func(tx kvTx) error {
				db, err := tx.CreateBucketIfNotExists(name)
				if err != nil {
					return err
				}
				for _, p := range batch {
					if err := db.Put(p.k, p.v); err != nil {
						return err
					}
				}
				return nil
			})
			batch, size = batch[:0], 0
			return err
		}
		if err := b.ForEach(func(k, v []byte) error {
			batch = append(batch, kvp{append([]byte(nil), k...), append([]byte(nil), v...)})
			size += len(k) + len(v)
			n++
			if len(batch) >= maxKeys || size >= maxBytes {
				return flush()
			}
			return nil
		}); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		seq := b.Sequence()
		if err := dst.update(ctx, func(tx kvTx) error {
			db, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			return db.SetSequence(seq)
		}); err != nil {
			return err
		}
		if progress != nil {
			progress(string(name), n)
		}
		return nil
	})
	if err == nil {
		// The last write: dst is whole.
		err = dst.update(ctx, func(tx kvTx) error { return tx.Bucket(metaBucket).Delete(keyUnfinishedCopy) })
	}
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src.path, dst.path, err)
	}
	return nil
}

// emptyForCopy takes dst, into which a try of Copy did not finish, back to
// what a copy finds at its start (see mustBeEmpty): no record in any bucket
// but meta, and every sequence 0. The meta bucket is left as it is: it
// keeps the copy's mark throughout, so that dst is refused as unfinished
// whatever stops this, and the schema version and settings an open reads
// first (without them dst was refused as no briefpack database at all);
// the copy writes each of its keys again. Each bucket is emptied in one
// transaction (on etcd a large one is journaled, see commitJournal), its
// keys listed, not read.
func emptyForCopy(ctx context.Context, dst *DB) (err error) {
	var names [][]byte
	tx, err := dst.begin(ctx, false)
	if err != nil {
		return err
	}
	err = tx.ForEach(func(name []byte, _ kvBucket) error {
		if !bytes.Equal(name, metaBucket) {
			names = append(names, bytes.Clone(name))
		}
		return nil
	})
	end(tx, &err)
	if err != nil {
		return err
	}
	for _, name := range names {
		err := dst.update(ctx, func(tx kvTx) error {
			b := tx.Bucket(name)
			var keys [][]byte
			if err := forEachKey(b, func(k []byte) error {
				keys = append(keys, bytes.Clone(k))
				return nil
			}); err != nil {
				return err
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			if b.Sequence() == 0 {
				return nil
			}
			return b.SetSequence(0)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// mustBeEmpty refuses a database that holds any record beyond what a new
// one is created with.
func mustBeEmpty(tx kvTx, path string) error {
	return tx.ForEach(func(name []byte, b kvBucket) error {
		if string(name) == string(metaBucket) {
			return nil
		}
		if k, _ := b.Cursor().First(); k != nil {
			return fmt.Errorf("%s already holds records (bucket %s): copy only into a new database", path, name)
		}
		return nil
	})
}

// unfinishedCopy refuses a database a copy into did not finish, in words
// that read after the database's name; raw is its mark, hint how to clear it.
func unfinishedCopy(raw []byte, hint string) error {
	return fmt.Errorf("holds only part of %s, which did not finish: it is not a database; %s, then copy again", raw, hint)
}

// fileClearHint says how to clear a file a copy did not finish.
const fileClearHint = "remove the file"

// clearHint says how to clear a copy that did not finish.
func (db *DB) clearHint() string {
	if k, ok := db.kv.(*etcdKV); ok {
		return fmt.Sprintf("delete its keys with etcdctl --endpoints=%s del --prefix '%s' (with the cluster's TLS and user flags, if it has them)",
			strings.Join(trimScheme(k.cli.Endpoints()), ","), k.prefix)
	}
	return fileClearHint
}

// backupByCopy writes a bbolt file of the database as it stood at one
// moment, for a backend that has no file of its own to copy. A copy whose
// revision etcd compacted before it finished starts again, into a new
// file, at the latest (see scanAgain); nothing is written to w before a
// copy is whole.
func (db *DB) backupByCopy(ctx context.Context, w io.Writer) (int64, error) {
	dir, err := os.MkdirTemp("", "briefpack-backup-")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer os.RemoveAll(dir)
	var dst *DB
	defer func() {
		if dst != nil {
			dst.Close()
		}
	}()
	tries := 0
	err = db.scanAgain(ctx, "the backup", func(ctx context.Context) error {
		if dst != nil {
			// The copy before, begun at a revision etcd compacted.
			dst.Close()
			os.Remove(dst.path)
		}
		tries++
		var err error
		if dst, err = Open(filepath.Join(dir, fmt.Sprintf("backup-%d.db", tries)), db.settings.Jurisdiction); err != nil {
			dst = nil
			return err
		}
		return copyOnce(ctx, db, dst, nil)
	})
	if err != nil {
		return 0, err
	}
	tx, err := dst.kv.(*boltKV).db.Begin(false)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer tx.Rollback()
	return tx.WriteTo(w)
}
