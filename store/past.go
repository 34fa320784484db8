package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"briefpack/briefing"
)

// raisedBucket keeps, for each topic sheet one of whose saves raised a
// paragraph's marking, those raises: kind + 0 + id (8 bytes) → each raise's
// version (uvarint), time (varint, Unix nanoseconds), paragraph id and
// marking (each a uvarint length and its bytes), oldest first. Raising a marking says the words were marked
// too low; a reader not cleared for the new marking must not read them in
// the versions before either. Most sheets have none, and no key.
var raisedBucket = []byte("raised")

func encodeRaised(rs []briefing.Raise) []byte {
	var b []byte
	for _, r := range rs {
		b = binary.AppendUvarint(b, uint64(r.Version))
		b = binary.AppendVarint(b, r.At.UnixNano())
		b = appendString(b, r.Paragraph)
		b = appendString(b, r.Marking)
	}
	return b
}

func decodeRaised(raw []byte) ([]briefing.Raise, error) {
	var out []briefing.Raise
	r := fieldReader{b: raw}
	for len(r.b) > 0 && r.err == nil {
		v := r.uvarint()
		at := time.Unix(0, r.varint()).UTC()
		id := string(r.bytes(r.uvarint()))
		m := string(r.bytes(r.uvarint()))
		out = append(out, briefing.Raise{Version: int(v), At: at, Paragraph: id, Marking: m})
	}
	return out, r.err
}

// raisedOf returns every raise of a topic sheet's paragraphs.
func raisedOf(tx kvTx, key []byte) ([]briefing.Raise, error) {
	b := tx.Bucket(raisedBucket)
	if b == nil {
		return nil, nil // a database not yet migrated: none kept
	}
	raw := b.Get(historyPrefix(briefing.KindSheet, key))
	if raw == nil {
		return nil, nil
	}
	rs, err := decodeRaised(raw)
	if err != nil {
		return nil, fmt.Errorf("store: raised markings of sheet %s: %w", idString(key), err)
	}
	return rs, nil
}

// withRaised gives each version record the raises after it, read once.
func withRaised(tx kvTx, kind string, key []byte, recs []briefing.VersionRecord) error {
	if kind != briefing.KindSheet || len(recs) == 0 {
		return nil
	}
	all, err := raisedOf(tx, key)
	if err != nil || len(all) == 0 {
		return err
	}
	j := 0 // records and raises both run oldest first
	for i := range recs {
		for j < len(all) && all[j].Version <= recs[i].Version {
			j++
		}
		if j < len(all) {
			recs[i].Raised = all[j:]
		}
	}
	return nil
}

// raises are the paragraphs of after whose marking is higher than in
// before, by the save of version at at.
func raises(set briefing.Settings, before, after *briefing.Sheet, version int, at time.Time) []briefing.Raise {
	was := map[string]int{}
	for _, sec := range before.Sections {
		for _, p := range sec.Paragraphs {
			if l, ok := set.Level(p.Marking); ok {
				was[p.ID] = l
			}
		}
	}
	var out []briefing.Raise
	for _, sec := range after.Sections {
		for _, p := range sec.Paragraphs {
			l, ok := set.Level(p.Marking)
			if w, had := was[p.ID]; had && ok && l > w {
				out = append(out, briefing.Raise{Version: version, At: at.UTC(), Paragraph: p.ID, Marking: p.Marking})
			}
		}
	}
	return out
}

// noteRaised keeps the raises of a save of a topic sheet, in its
// transaction, and marks what may speak of the raised words: every review
// the sheet holds (its comment may quote them) and every frozen pack of
// its round (it may hold them) is shown from then on only to readers
// cleared for the highest marking raised to (briefing.RaiseReviews,
// Snapshot.Raised). after is the sheet as it will be stored.
func noteRaised(tx kvTx, set briefing.Settings, key []byte, before, after briefing.Object, version int, now time.Time, by briefing.Actor) error {
	b, ok1 := before.(*briefing.Sheet)
	a, ok2 := after.(*briefing.Sheet)
	if !ok1 || !ok2 {
		return nil
	}
	rs := raises(set, b, a, version, now)
	if len(rs) == 0 {
		return nil
	}
	all, err := raisedOf(tx, key)
	if err != nil {
		return err
	}
	if err := putRaised(tx, key, append(all, rs...)); err != nil {
		return err
	}
	set.RaiseReviews(a, b, rs)
	return raiseSnapshots(tx, set, a.RoundID, b, rs, now, by)
}

// raiseSnapshots gives every frozen pack of a round that may hold the
// words of a paragraph raised (rs, was the sheet before the raises) the
// highest marking such a raise took them to, as a save by by. A pack
// marked (or raised) below a paragraph's marking before the raise never
// held it, and is left as it is: raised, it would be taken from readers
// who may read all it holds, and tell them of a raise above them.
func raiseSnapshots(tx kvTx, set briefing.Settings, roundID string, was *briefing.Sheet, rs []briefing.Raise, now time.Time, by briefing.Actor) error {
	before := briefing.ParagraphMarkings(was)
	rk, ok := parseKey(roundID)
	if !ok {
		return nil
	}
	var ids []string
	cur := within(tx.Bucket(snapshotsByRound).Cursor(), rk)
	for k, _ := cur.Seek(rk); k != nil && bytes.HasPrefix(k, rk); k, _ = cur.Next() {
		ids = append(ids, idString(k[len(rk):]))
	}
	for _, id := range ids {
		sn, err := snapshots.get(tx, id)
		if err != nil {
			return err
		}
		cur := set.Highest(sn.Marking, sn.Raised)
		held := cur
		if _, ok := set.Level(sn.Marking); !ok {
			held = "" // a pack of no known marking may hold anything
		}
		top := set.Highest(cur, set.HeldRaise(held, before, rs))
		if top == cur {
			continue // cleared for it already, or it never held the words
		}
		sn.Raised = top
		if err := snapshots.update(tx, sn, by, now); err != nil {
			return fmt.Errorf("store: raise snapshot %s: %w", id, err)
		}
	}
	return nil
}

func putRaised(tx kvTx, key []byte, rs []briefing.Raise) error {
	if err := tx.Bucket(raisedBucket).Put(historyPrefix(briefing.KindSheet, key), encodeRaised(rs)); err != nil {
		return fmt.Errorf("store: put raised markings of sheet %s: %w", idString(key), err)
	}
	return nil
}

// judgePast is migration 10. Walking each topic sheet's versions in order,
// it keeps every save that raised a paragraph's marking (noteRaised, for
// the saves made before it), and gives each review the marking of the
// sheet in the version its save wrote — the sheet as its reviewer held it
// —, raised to the highest a paragraph was raised to by a later save;
// every stored copy of the review, current and past, is given that
// marking. A frozen pack of a round one of whose sheets had a paragraph
// raised after it was frozen is marked raised (Snapshot.Raised). Run
// again, it writes the same.
func judgePast(tx kvTx) error {
	if _, err := tx.CreateBucketIfNotExists(raisedBucket); err != nil {
		return fmt.Errorf("store: create bucket %s: %w", raisedBucket, err)
	}
	if tx.Bucket(metaBucket).Get(keySettings) == nil {
		return nil // a file of the first release without settings yet: no markings to judge by
	}
	set, err := readSettings(tx.Bucket(metaBucket), "the database", "")
	if err != nil {
		return err
	}
	marked := map[string]string{}            // sheet id + review → its marking
	byRound := map[string][]briefing.Raise{} // round id → the raises of its sheets
	for _, key := range historyKeys(tx, briefing.KindSheet) {
		vs, err := readVersions(tx, briefing.KindSheet, key, true)
		if err != nil {
			return err
		}
		var before *briefing.Sheet
		var rs []briefing.Raise
		type made struct {
			marking string
			version int
		}
		reviews := map[string]made{}
		round := ""
		for _, v := range vs {
			if v.Deleted {
				before = nil
				continue
			}
			sh := new(briefing.Sheet)
			if err := json.Unmarshal(v.Data, sh); err != nil {
				return fmt.Errorf("history of sheet %s version %d: %w", idString(key), v.Version, err)
			}
			if before != nil {
				rs = append(rs, raises(set, before, sh, v.Version, v.At)...)
			}
			m := set.SheetMarking(sh)
			for _, r := range sh.Reviews {
				if k := reviewKey(idString(key), r); r.Marking == "" {
					if _, ok := reviews[k]; !ok {
						reviews[k] = made{m, v.Version}
					}
				}
			}
			before, round = sh, sh.RoundID
		}
		for k, r := range reviews {
			for _, x := range rs {
				if x.Version > r.version {
					r.marking = set.Highest(r.marking, x.Marking)
				}
			}
			marked[k] = r.marking
		}
		if len(rs) > 0 {
			if err := putRaised(tx, key, rs); err != nil {
				return err
			}
			byRound[round] = append(byRound[round], rs...)
		}
	}
	mark := func(raw []byte) ([]byte, error) { return markReviews(set, marked, raw) }
	if err := rewrite(tx.Bucket(sheetBucket), nil, mark); err != nil {
		return fmt.Errorf("sheets: %w", err)
	}
	if err := rewriteHistory(tx, briefing.KindSheet, mark); err != nil {
		return err
	}
	if len(byRound) == 0 {
		return nil
	}
	packs := func(raw []byte) ([]byte, error) { return raiseSnapshot(set, byRound, raw) }
	if err := rewrite(tx.Bucket(snapshotBucket), nil, packs); err != nil {
		return fmt.Errorf("snapshots: %w", err)
	}
	return rewriteHistory(tx, briefing.KindSnapshot, packs)
}

// raiseSnapshot marks a frozen pack's JSON raised to the highest marking
// a paragraph of its round's sheets was raised to after it was frozen,
// when that is above what it is marked.
func raiseSnapshot(set briefing.Settings, byRound map[string][]briefing.Raise, raw []byte) ([]byte, error) {
	var sn briefing.Snapshot
	if err := json.Unmarshal(raw, &sn); err != nil {
		return nil, err
	}
	now := set.Highest(sn.Marking, sn.Raised)
	top := now
	for _, r := range byRound[sn.RoundID] {
		if r.At.After(sn.CreatedAt) {
			top = set.Highest(top, r.Marking)
		}
	}
	if top == now {
		return raw, nil
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	rec["raised"], _ = json.Marshal(top)
	return json.Marshal(rec)
}

// reviewKey names a review of a sheet by all it holds.
func reviewKey(sheet string, r briefing.Review) string { return sheet + "\x00" + r.Key() }

// markReviews gives each review of a sheet's JSON without a marking the one
// judgePast found for it; one it did not find (none should be) the top of
// the scheme, shown to no reader below it.
func markReviews(set briefing.Settings, marked map[string]string, raw []byte) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	if len(rec["reviews"]) == 0 {
		return raw, nil
	}
	var id string
	_ = json.Unmarshal(rec["id"], &id)
	var typed []briefing.Review
	var loose []map[string]json.RawMessage
	if err := json.Unmarshal(rec["reviews"], &typed); err != nil || typed == nil {
		return raw, nil // null: no reviews
	}
	if err := json.Unmarshal(rec["reviews"], &loose); err != nil || len(loose) != len(typed) {
		return nil, fmt.Errorf("sheet %s: reviews: %v", id, err)
	}
	changed := false
	for i, r := range typed {
		if r.Marking != "" {
			continue
		}
		m := marked[reviewKey(id, r)]
		if m == "" {
			m = set.Top()
		}
		loose[i]["marking"], _ = json.Marshal(m)
		changed = true
	}
	if !changed {
		return raw, nil
	}
	var err error
	if rec["reviews"], err = json.Marshal(loose); err != nil {
		return nil, err
	}
	return json.Marshal(rec)
}
