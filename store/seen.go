package store

import (
	"context"
	"encoding/json"
	"fmt"

	"briefpack/briefing"
)

// txReader is the store as one write's transaction reads it, for the reads
// a View makes to filter a round or a topic sheet: people, rounds, sheets,
// dialogues and users. Its embedded Store is nil: filtering a round or a
// sheet calls none of the other methods, and a read in a transaction of
// its own while this one writes could wait on it.
type txReader struct {
	briefing.Store
	tx kvTx
}

func (r txReader) Person(_ context.Context, id string) (*briefing.Person, error) {
	return people.get(r.tx, id)
}

func (r txReader) Round(_ context.Context, id string) (*briefing.Round, error) {
	return rounds.get(r.tx, id)
}

func (r txReader) Sheet(_ context.Context, id string) (*briefing.Sheet, error) {
	return sheets.get(r.tx, id)
}

func (r txReader) Dialogue(_ context.Context, id string) (*briefing.Dialogue, error) {
	return dialogues.get(r.tx, id)
}

func (r txReader) User(_ context.Context, id string) (*briefing.User, error) {
	return users.get(r.tx, id)
}

// seenFrom is the lowest clearance that sees what saving after over before
// changed (briefing.SeenFrom), read in the write's own transaction.
func seenFrom(tx kvTx, set briefing.Settings, kind string, before, after briefing.Object) (string, error) {
	seen, err := briefing.SeenFrom(context.Background(), txReader{tx: tx}, set, kind, before, after)
	if err != nil {
		return "", fmt.Errorf("store: who sees the save of %s %s: %w", kind, after.GetMeta().ID, err)
	}
	return seen, nil
}

// markSeen is migration 9: each saved version of a round or a topic sheet
// after its first, and the audit record of that save, gets the lowest
// clearance that sees what the save changed, judged against the version
// before it with the people and sheets as they are now (the saves were
// not judged when they were made). A version whose save every reader of
// the object sees keeps its header as it was.
func markSeen(tx kvTx) error {
	if tx.Bucket(metaBucket).Get(keySettings) == nil {
		return nil // a file of the first release without settings yet: no markings to judge by
	}
	set, err := readSettings(tx.Bucket(metaBucket), "the database", "")
	if err != nil {
		return err
	}
	seen := map[string]string{} // kind/id/version → seen, for the audit records
	for _, kind := range []string{briefing.KindRound, briefing.KindSheet} {
		if err := markSeenOf(tx, set, kind, seen); err != nil {
			return err
		}
	}
	if len(seen) == 0 {
		return nil
	}
	b := tx.Bucket(auditBucket)
	return rewrite(b, nil, func(raw []byte) ([]byte, error) {
		rec, err := decodeAudit(raw)
		if err != nil {
			return nil, fmt.Errorf("audit record: %w", err)
		}
		s := seen[fmt.Sprintf("%s/%s/%d", rec.Kind, rec.ObjectID, rec.ToVersion)]
		if rec.Op != opUpdate || s == "" || rec.Seen == s {
			return raw, nil
		}
		return json.Marshal(newAuditEntry(*rec, s))
	})
}

// markSeenOf marks the versions of every object of kind with history (see
// markSeen), noting each mark in seen.
func markSeenOf(tx kvTx, set briefing.Settings, kind string, seen map[string]string) error {
	hb := tx.Bucket(historyBucket)
	keys := historyKeys(tx, kind)
	decode := func(data []byte) (briefing.Object, error) {
		var obj briefing.Object = new(briefing.Sheet)
		if kind == briefing.KindRound {
			obj = new(briefing.Round)
		}
		return obj, json.Unmarshal(data, obj)
	}
	for _, key := range keys {
		vs, err := readVersions(tx, kind, key, true)
		if err != nil {
			return err
		}
		for i := 1; i < len(vs); i++ {
			if vs[i].Deleted || vs[i-1].Deleted || vs[i].Seen != "" {
				continue
			}
			before, err := decode(vs[i-1].Data)
			if err != nil {
				return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), vs[i-1].Version, err)
			}
			after, err := decode(vs[i].Data)
			if err != nil {
				return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), vs[i].Version, err)
			}
			s, err := seenFrom(tx, set, kind, before, after)
			if err != nil {
				return err
			} else if s == "" {
				continue
			}
			hk := join(historyPrefix(kind, key), itob(uint64(vs[i].Version)))
			h, err := decodeHeader(hb.Get(hk))
			if err != nil {
				return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), vs[i].Version, err)
			}
			h.Seen = s
			if err := hb.Put(hk, h.encode()); err != nil {
				return fmt.Errorf("store: put history of %s %s: %w", kind, idString(key), err)
			}
			seen[fmt.Sprintf("%s/%s/%d", kind, idString(key), vs[i].Version)] = s
		}
	}
	return nil
}
