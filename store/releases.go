package store

import (
	"bytes"
	"context"
	"time"

	"briefpack/briefing"
)

// CreateRelease stores a release record and its files (format → bytes) in
// one transaction, numbering it after the round's earlier releases:
// ENOTFOUND for the round, EINVALID for a bad format name.
func (db *DB) CreateRelease(ctx context.Context, r *briefing.Release, files map[string][]byte, by briefing.Actor) error {
	if err := checkFormats(files); err != nil {
		return err
	}
	packed, err := packFiles(files)
	if err != nil {
		return err
	}
	return write(ctx, db, r, func(tx kvTx, now time.Time) error { return createRelease(tx, r, packed, by, now) })
}

func createRelease(tx kvTx, r *briefing.Release, files map[string][]byte, by briefing.Actor, now time.Time) error {
	if r.MadeBy == "" {
		r.MadeBy = by.Name
	}
	// Releases are never deleted, so the next number is one more than the count.
	r.Number = 1
	if rkey, ok := parseKey(r.RoundID); ok {
		cur := within(tx.Bucket(releasesByRound).Cursor(), rkey)
		for k, _ := cur.Seek(rkey); k != nil && bytes.HasPrefix(k, rkey); k, _ = cur.Next() {
			r.Number++
		}
	}
	if err := releases.create(tx, r, by, now); err != nil {
		return err
	}
	key, _ := parseKey(r.ID)
	return putFiles(tx.Bucket(releaseFiles), key, files, "release "+r.ID)
}

// Release returns one release record, or ENOTFOUND.
func (db *DB) Release(ctx context.Context, id string) (*briefing.Release, error) {
	return get(ctx, db, releases, id)
}

// ReleaseFile returns a copy of the stored bytes of one format of a
// release: ENOTFOUND for the release or the format.
func (db *DB) ReleaseFile(ctx context.Context, id, format string) (_ []byte, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	if _, err := releases.get(tx, id); err != nil {
		return nil, err
	}
	return getFile(tx.Bucket(releaseFiles), id, format, "release")
}

// Releases lists a round's release records, oldest first: ENOTFOUND for the round.
func (db *DB) Releases(ctx context.Context, roundID string, p briefing.Page) ([]*briefing.Release, string, error) {
	return children(ctx, db, releases, roundID, p)
}
