package store

import bolt "go.etcd.io/bbolt"

// HistoryBytes returns how many bytes the history of the database holds,
// keys and values, in headers and in texts: a benchmark's measure of what
// a version costs on disk.
func HistoryBytes(db *DB) (headers, texts int64, err error) {
	err = db.db.View(func(tx *bolt.Tx) error {
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
