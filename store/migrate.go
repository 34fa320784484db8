package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"briefpack/briefing"
)

// bucketOf is the bucket of each kind of object.
var bucketOf = map[string][]byte{
	briefing.KindAgency: agencyBucket, briefing.KindPerson: personBucket, briefing.KindDialogue: dialogueBucket,
	briefing.KindRound: roundBucket, briefing.KindSheet: sheetBucket, briefing.KindAction: actionBucket,
	briefing.KindUser: userBucket, briefing.KindSnapshot: snapshotBucket, briefing.KindComment: commentBucket,
	briefing.KindRelease: releaseBucket,
}

// layoutSteps change how this backend lays its records out, at the schema
// version of a migration that rewrites no record's JSON.
var layoutSteps = map[int]func(kvTx) error{
	5:  splitHistory,
	8:  nameDatabase,
	9:  markSeen,
	10: judgePast,
	11: keyCursors,
}

// keyCursors is migration 11: a database made before its audit log's
// cursors were sealed gets the key that seals them (a new one gets it when
// it is made, see initSettings).
func keyCursors(tx kvTx) error { return keepCursorKey(tx.Bucket(metaBucket)) }

// migrate brings a database at schema version from up to this briefpack's,
// running briefing.Migrations in order inside tx: over every current record
// of each migration's kinds and over their history, then storing the new
// version. The caller commits, so a database is migrated wholly or not at all.
func migrate(tx kvTx, from int) error {
	for _, m := range briefing.MigrationsAfter(from) {
		if m.Prepare != nil {
			rec, err := m.Prepare(func(kind string, fn func([]byte) error) error {
				b := tx.Bucket(bucketOf[kind])
				if b == nil {
					return fmt.Errorf("no bucket for %s", kind)
				}
				return b.ForEach(func(_, v []byte) error { return fn(v) })
			})
			if err != nil {
				return fmt.Errorf("store: migration %d: %w", m.To, err)
			}
			m.Record = rec
		}
		for _, kind := range m.Kinds {
			b := tx.Bucket(bucketOf[kind])
			if b == nil {
				return fmt.Errorf("store: migration %d: no bucket for %s", m.To, kind)
			}
			if err := rewrite(b, nil, func(raw []byte) ([]byte, error) { return m.Record(kind, raw) }); err != nil {
				return fmt.Errorf("store: migration %d (%s): %w", m.To, kind, err)
			}
			if err := rewriteHistory(tx, kind, func(d []byte) ([]byte, error) { return m.Record(kind, d) }); err != nil {
				return fmt.Errorf("store: migration %d (history of %s): %w", m.To, kind, err)
			}
		}
		if step := layoutSteps[m.To]; step != nil {
			if err := step(tx); err != nil {
				return fmt.Errorf("store: migration %d: %w", m.To, err)
			}
		}
		if err := tx.Bucket(metaBucket).Put(keySchemaVersion, []byte(strconv.Itoa(m.To))); err != nil {
			return fmt.Errorf("store: put schema version %d: %w", m.To, err)
		}
	}
	return nil
}

// rewrite replaces every value under prefix in b with fn's answer, writing
// only those that changed. Values are collected first: a bucket must not be
// changed while a cursor walks it.
func rewrite(b kvBucket, prefix []byte, fn func([]byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var changed []kv
	c := within(b.Cursor(), prefix)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		nv, err := fn(v)
		if err != nil {
			return fmt.Errorf("record %x: %w", k, err)
		}
		if !bytes.Equal(nv, v) {
			changed = append(changed, kv{bytes.Clone(k), nv})
		}
	}
	for _, e := range changed {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// migrateHistory applies a record migration to the object a schema 4
// history record holds.
func migrateHistory(raw []byte, fn func([]byte) ([]byte, error)) ([]byte, error) {
	var h schema4Record
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	if len(h.Data) == 0 {
		return raw, nil
	}
	nd, err := fn(h.Data)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(nd, h.Data) {
		return raw, nil
	}
	h.Data = nd
	return json.Marshal(h)
}

// nameDatabase is migration 8: a database made before databases were named
// is named now, once (a new one is named when it is made, see initSettings).
func nameDatabase(tx kvTx) error {
	meta := tx.Bucket(metaBucket)
	if meta.Get(keySettings) == nil {
		return nil // refused before the migrations run (whole); nothing to name
	}
	s, err := readSettings(meta, "the database", "")
	if err != nil || s.Instance != "" {
		return err
	}
	return putSettings(meta, &s)
}
