package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// Check verifies the database: bbolt's consistency check, then briefpack's
// own invariants — every index entry points at an object under that parent,
// and every object is in its indexes.
func (db *DB) Check(ctx context.Context) error {
	if err := consistency(db.db); err != nil {
		return err
	}
	return db.view(checkInvariants)
}

// CheckFile opens a database file read-only and checks it.
func CheckFile(path string) error {
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("database %s is in use by another briefpack process", path)
	} else if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer bdb.Close()
	if err := consistency(bdb); err != nil {
		return fmt.Errorf("database %s fails its consistency check: %w", path, err)
	}
	err = bdb.View(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("it lacks the %s bucket: it is not a briefpack database", b)
			}
		}
		return checkInvariants(tx)
	})
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	return nil
}

// indexed describes one parent index for the invariant check.
type indexed struct {
	kind         string
	bucket       []byte
	index        []byte
	parentBucket []byte
	parentOf     func(raw []byte) (string, error)
}

func checkInvariants(tx *bolt.Tx) error {
	var problems []string
	note := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	parent := func(c interface{ parentFrom([]byte) (string, error) }) func([]byte) (string, error) {
		return c.parentFrom
	}
	for _, ix := range []indexed{
		{briefing.KindRound, roundBucket, roundsByDlg, dialogueBucket, parent(rounds)},
		{briefing.KindSheet, sheetBucket, sheetsByRound, roundBucket, parent(sheets)},
		{briefing.KindAction, actionBucket, actionsByDlg, dialogueBucket, parent(actions)},
		{briefing.KindSnapshot, snapshotBucket, snapsByRound, roundBucket, parent(snapshots)},
	} {
		idx := tx.Bucket(ix.index)
		objs := tx.Bucket(ix.bucket)
		_ = idx.ForEach(func(k, _ []byte) error {
			if len(k) != 16 {
				note("%s index holds a malformed key", ix.kind)
				return nil
			}
			raw := objs.Get(k[8:])
			if raw == nil {
				note("%s index points at missing %s %s", ix.kind, ix.kind, idString(k[8:]))
				return nil
			}
			p, err := ix.parentOf(raw)
			if err != nil || p != idString(k[:8]) {
				note("%s %s is indexed under %s but belongs to %s", ix.kind, idString(k[8:]), idString(k[:8]), p)
			}
			return nil
		})
		_ = objs.ForEach(func(k, raw []byte) error {
			p, err := ix.parentOf(raw)
			if err != nil {
				note("%s %s does not decode: %v", ix.kind, idString(k), err)
				return nil
			}
			pkey, err := parseID(ix.kind, p)
			if err != nil || tx.Bucket(ix.parentBucket).Get(pkey) == nil {
				note("%s %s belongs to a missing parent %s", ix.kind, idString(k), p)
				return nil
			}
			if idx.Get(append(copyBytes(pkey), k...)) == nil {
				note("%s %s is missing from its index", ix.kind, idString(k))
			}
			return nil
		})
	}
	names := tx.Bucket(usersByName)
	_ = names.ForEach(func(name, id []byte) error {
		u, err := users.get(tx, string(id))
		if err != nil || !bytes.Equal(nameKey(u.Name), name) {
			note("user name index entry %q points at no user of that name", name)
		}
		return nil
	})
	_ = tx.Bucket(userBucket).ForEach(func(k, raw []byte) error {
		u, err := decodeUser(raw)
		if err != nil {
			note("user %s does not decode: %v", idString(k), err)
		} else if string(names.Get(nameKey(u.Name))) != u.ID {
			note("user %s (%s) is missing from the name index", u.ID, u.Name)
		}
		return nil
	})
	if len(problems) > 0 {
		return errors.New("invariants broken: " + strings.Join(problems, "; "))
	}
	return nil
}

// parentFrom decodes a record and returns its parent id.
func (c *collection[T, P]) parentFrom(raw []byte) (string, error) {
	obj, err := c.dec(raw)
	if err != nil {
		return "", err
	}
	return c.parentOf(obj), nil
}
