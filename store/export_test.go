package store

import bolt "go.etcd.io/bbolt"

// HistoryBytes returns how many bytes the history of the database holds:
// the values stored for every saved version, as a benchmark's measure of
// what a version costs on disk.
func HistoryBytes(db *DB) (int64, error) {
	var n int64
	err := db.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{historyBucket} {
			if b := tx.Bucket(name); b != nil {
				if err := b.ForEach(func(k, v []byte) error { n += int64(len(k) + len(v)); return nil }); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}
