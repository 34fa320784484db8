package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// copyBatch bounds one write transaction of a copy: small enough for one
// etcd transaction when the destination is etcd.
func copyBatch(dst *DB) (keys, bytes int) {
	if _, ok := dst.kv.(*etcdKV); ok {
		return maxTxnOps/2 - 2, maxTxnBytes / 2
	}
	return 10000, 64 << 20
}

// CopyProgress is told of each bucket as it is copied.
type CopyProgress func(bucket string, keys int)

// Copy copies every bucket of src, keys, values and sequences, into dst,
// which must hold no records yet (a database just created), as src stood
// at one moment: one bbolt transaction, or one etcd revision. dst's
// settings and schema version become src's.
func Copy(ctx context.Context, src, dst *DB, progress CopyProgress) (err error) {
	if src.settings.Jurisdiction != dst.settings.Jurisdiction {
		return fmt.Errorf("%s is for jurisdiction %q and %s for %q", src.path, src.settings.Jurisdiction, dst.path, dst.settings.Jurisdiction)
	}
	if err := dst.mustBeEmpty(ctx); err != nil {
		return err
	}
	stx, err := src.begin(ctx, false)
	if err != nil {
		return err
	}
	defer end(stx, &err)
	maxKeys, maxBytes := copyBatch(dst)
	err = stx.ForEach(func(name []byte, b kvBucket) error {
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
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src.path, dst.path, err)
	}
	return nil
}

// mustBeEmpty refuses a database that holds any record beyond what a new
// one is created with.
func (db *DB) mustBeEmpty(ctx context.Context) (err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return err
	}
	defer end(tx, &err)
	return tx.ForEach(func(name []byte, b kvBucket) error {
		if string(name) == string(metaBucket) {
			return nil
		}
		if k, _ := b.Cursor().First(); k != nil {
			return fmt.Errorf("%s already holds records (bucket %s): copy only into a new database", db.path, name)
		}
		return nil
	})
}

// backupByCopy writes a bbolt file of the database as it stood at one
// moment, for a backend that has no file of its own to copy.
func (db *DB) backupByCopy(w io.Writer) (int64, error) {
	dir, err := os.MkdirTemp("", "briefpack-backup-")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer os.RemoveAll(dir)
	dst, err := Open(filepath.Join(dir, "backup.db"), db.settings.Jurisdiction)
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	if err := Copy(context.Background(), db, dst, nil); err != nil {
		return 0, err
	}
	tx, err := dst.kv.(*boltKV).db.Begin(false)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer tx.Rollback()
	return tx.WriteTo(w)
}
