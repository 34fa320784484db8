package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// Check verifies the database: bbolt's consistency check of its pages, then
// briefpack's invariants — every index entry points at an existing object
// under that parent, every object is in its indexes, its id is its key and
// its current version is in its history. On a bbolt file it runs in a
// write transaction, which it rolls back, so that no writer changes the
// file under the check; in a database opened to read only, and on etcd,
// whose every transaction reads one revision throughout, in a read
// transaction (a write transaction whose revision etcd compacted meanwhile
// reported "another server wrote first", the retry only a write takes).
// On etcd it reads as a scan (see scanning), and starts again at the
// latest revision when etcd compacts the one it reads (see scanAgain).
func (db *DB) Check(ctx context.Context) error {
	return db.scanAgain(ctx, "the check", db.check)
}

// compactedTries is how many times a scan of an etcd database starts,
// each at the latest revision, when etcd compacts the one it reads at.
const compactedTries = 3

// scanAgain runs fn, a reading of the whole database at one revision, in
// a scan's context, again when etcd compacted that revision before fn
// finished; what names the reading in the error when it never finishes.
func (db *DB) scanAgain(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	var err error
	for try := 0; try < compactedTries; try++ {
		if err = fn(scanning(ctx)); !errors.Is(err, ErrCompacted) {
			return err
		}
	}
	return fmt.Errorf("database %s: %s started %d times, and each time etcd compacted the revision it was reading before it finished "+
		"(the cluster keeps less history than reading the whole database takes): %w", db.path, what, compactedTries, err)
}

func (db *DB) check(ctx context.Context) (err error) {
	_, bolt := db.kv.(*boltKV)
	tx, err := db.begin(ctx, bolt && !db.readOnly)
	if err != nil {
		return err
	}
	defer end(tx, &err)
	if bolt {
		// No writer can change the file while this transaction holds it.
		if err := walkPages(db.path); err != nil {
			return err
		}
	}
	if err := checkTx(tx, db.clearHint()); err != nil {
		return fmt.Errorf("database %s %w", db.path, err)
	}
	return nil
}

// CheckFile opens the database at path read-only and checks it as Check
// does. It fails with ErrInUse while a server holds the file.
func CheckFile(path string) error {
	return checkFile(path, func(tx kvTx) error {
		if err := checkTx(tx, fileClearHint); err != nil {
			return fmt.Errorf("database %s %w", path, err)
		}
		return nil
	})
}

// CheckPages opens the bbolt file at path read-only and checks its pages
// as CheckFile does, without briefpack's invariants: what a copy of the
// file's pages (Backup) can carry over damaged, at the cost of reading each
// page twice, not of decoding every record and saved version.
func CheckPages(path string) error {
	return checkFile(path, func(tx kvTx) error {
		if err := consistency(tx); err != nil {
			return fmt.Errorf("database %s fails its consistency check: %w", path, err)
		}
		return nil
	})
}

// checkFile opens the bbolt file at path read-only, walks its pages and
// runs check in a read transaction over it.
func checkFile(path string, check func(kvTx) error) (err error) {
	bdb, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: defaultTimeout})
	if err != nil {
		return err
	}
	defer bdb.Close()
	// The pages are walked before bbolt's check reads them, on a goroutine
	// where a fault would end the process; no writer can open the file
	// meanwhile.
	if err := walkPages(path); err != nil {
		return err
	}
	// A read-only transaction is safe here: no writer can open the file meanwhile.
	tx, err := (&boltKV{db: bdb, path: path}).begin(context.Background(), false)
	if err != nil {
		return err
	}
	defer end(tx, &err)
	return check(tx)
}

// checkTx runs both checks, and refuses a copy that did not finish (only
// once the pages are known to be sound: a damaged one makes bbolt panic),
// saying how to clear it; the error reads after the database's name.
func checkTx(tx kvTx, clearHint string) error {
	if err := consistency(tx); err != nil {
		return fmt.Errorf("fails its consistency check: %w", err)
	}
	if meta := tx.Bucket(metaBucket); meta != nil {
		if raw := meta.Get(keyUnfinishedCopy); raw != nil {
			return unfinishedCopy(raw, clearHint)
		}
	}
	if err := invariants(tx); err != nil {
		return fmt.Errorf("breaks briefpack's invariants: %w", err)
	}
	return nil
}

// maxProblems is how many problems a check lists before it only counts.
const maxProblems = 20

// problems collects what a check finds.
type problems struct {
	list []string
	n    int
}

func (p *problems) add(format string, args ...any) {
	p.n++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) err() error {
	if p.n == 0 {
		return nil
	}
	msg := strings.Join(p.list, "; ")
	if p.n > len(p.list) {
		msg += fmt.Sprintf("; and %d more", p.n-len(p.list))
	}
	return errors.New(msg)
}

// consistency runs bbolt's check of the file's pages.
func consistency(tx kvTx) error {
	var p problems
	// The check runs in its own goroutine: drain the channel to the end, so
	// that it never outlives the transaction.
	bt, ok := tx.(boltTx)
	if !ok {
		return nil // etcd checks its own pages and hashes
	}
	for err := range bt.tx.Check() {
		p.add("%v", err)
	}
	return p.err()
}

// quickCheck is the check of every start: each bucket of the file is a
// bucket whose first and last entries can be read, which walks a few pages
// of each from the root down. bbolt panics on a page that is not the kind
// it expects; that is a damaged file, not a crash. A backend without pages
// checks its buckets its own way (bucketsChecker).
func quickCheck(tx kvTx) (err error) {
	if bc, ok := tx.(bucketsChecker); ok {
		return bc.checkBuckets()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a page cannot be read: %v", r)
		}
	}()
	return tx.ForEach(func(name []byte, b kvBucket) error {
		c := b.Cursor()
		c.First()
		c.Last()
		return nil
	})
}

// bucketsChecker is a transaction of a backend whose buckets have no pages
// (etcd): it checks them at a start its own way, at a cost that does not
// grow with the database.
type bucketsChecker interface {
	checkBuckets() error
}

// checker is a collection as the invariant check sees it.
type checker interface {
	check(tx kvTx, p *problems)
	bucketName() []byte
}

func (c *collection[T, P]) bucketName() []byte { return c.bucket }

// laterBuckets are the buckets added after the first release: a file the
// first release wrote, not yet opened by this one, does not have them.
var laterBuckets = [][]byte{commentBucket, presenceBucket, commentsBySheet, sessionBucket, releaseBucket, releaseFiles, releasesByRound,
	historyBodies, attemptBucket, draftBucket, raisedBucket}

func laterBucket(name []byte) bool {
	for _, b := range laterBuckets {
		if bytes.Equal(b, name) {
			return true
		}
	}
	return false
}

// lackedBuckets are the buckets a database at schema v lacks and should
// have: one an older briefpack wrote may lack the buckets added since
// (laterBuckets), made when it is migrated; one at this schema, none.
func lackedBuckets(tx kvTx, v int) [][]byte {
	var out [][]byte
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil && (v >= schemaVersion || !laterBucket(name)) {
			out = append(out, name)
		}
	}
	return out
}

var collections = []checker{agencies, people, dialogues, rounds, sheets, actions, users, snapshots, comments, releases}

// invariants checks briefpack's own rules of the stored data.
func invariants(tx kvTx) error {
	var p problems
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		return fmt.Errorf("it lacks the %s bucket: it is not a briefpack database", metaBucket)
	}
	v, err := readSchemaVersion(meta)
	if err != nil {
		p.add("%v", err)
	} else if v > schemaVersion {
		p.add("it was written by a newer briefpack (schema %d; this one reads up to %d)", v, schemaVersion)
	}
	// Held to this schema's buckets when its own cannot be read.
	sv := schemaVersion
	if err == nil {
		sv = v
	}
	if lacked := lackedBuckets(tx, sv); len(lacked) > 0 {
		for _, name := range lacked {
			p.add("it lacks the %s bucket", name)
		}
		return p.err()
	}
	var s briefing.Settings
	if raw := meta.Get(keySettings); raw == nil {
		p.add("it lacks its settings")
	} else if err := json.Unmarshal(raw, &s); err != nil {
		p.add("its settings do not decode: %v", err)
	} else if _, err := briefing.SettingsFor(s.Jurisdiction); err != nil {
		p.add("its settings name an unknown jurisdiction %q", s.Jurisdiction)
	}
	for _, c := range collections {
		if tx.Bucket(c.bucketName()) != nil { // a bucket of a later release is made when the file is opened
			c.check(tx, &p)
		}
	}
	if v >= 2 {
		checkAgendaTitles(tx, &p)
	}
	if v >= 3 {
		checkParagraphIDs(tx, &p)
	}
	if v >= 5 {
		checkHistory(tx, &p, v)
	}
	if v >= 6 {
		checkAgencyRefs(tx, &p)
	}
	if v >= 7 {
		_ = tx.Bucket(roundBucket).ForEach(func(k, raw []byte) error {
			checkAgendaIDs("round "+idString(k), raw, &p)
			return nil
		})
	}
	if v >= 8 && s.Jurisdiction != "" && s.Instance == "" {
		p.add("its settings give it no name (instance), which schema 8 promises")
	}
	if v >= 10 {
		checkRaised(tx, s, &p)
	}
	if v >= 11 && len(tx.Bucket(metaBucket).Get(keyCursorKey)) != cursorKeyLen {
		p.add("it keeps no key for its audit log's cursors, which schema 11 promises")
	}
	// Files are checked by their keys: on etcd their bytes are not read.
	snaps := tx.Bucket(snapshotBucket)
	_ = forEachKey(tx.Bucket(fileBucket), func(k []byte) error {
		if len(k) <= 8 || snaps.Get(k[:8]) == nil {
			p.add("snapshot file %q belongs to no snapshot", k)
		}
		return nil
	})
	rels, relFiles := tx.Bucket(releaseBucket), tx.Bucket(releaseFiles)
	if rels == nil || relFiles == nil { // a file of the first release, not yet opened by this one
		return p.err()
	}
	_ = forEachKey(relFiles, func(k []byte) error {
		if len(k) <= 8 || rels.Get(k[:8]) == nil {
			p.add("release file %q belongs to no release", k)
		}
		return nil
	})
	return p.err()
}

// check verifies the objects of one kind and their indexes.
func (c *collection[T, P]) check(tx kvTx, p *problems) {
	b := tx.Bucket(c.bucket)
	var last uint64
	_ = b.ForEach(func(k, raw []byte) error {
		if len(k) != 8 {
			p.add("%s bucket holds a malformed key %x", c.kind, k)
			return nil
		}
		last = btoi(k)
		obj, err := c.unmarshal(raw)
		if err != nil {
			p.add("%s %s does not decode: %v", c.kind, idString(k), err)
			return nil
		}
		c.checkObject(tx, k, obj, p)
		return nil
	})
	// NextSequence must never hand out an id in use.
	if b.Sequence() < last {
		p.add("%s sequence %d is behind the stored id %d", c.kind, b.Sequence(), last)
	}
	if c.parent != nil {
		c.checkParentIndex(tx, p)
	}
	if c.unique != nil {
		c.checkUniqueIndex(tx, p)
	}
}

// checkObject verifies one stored object.
func (c *collection[T, P]) checkObject(tx kvTx, k []byte, obj P, p *problems) {
	id := idString(k)
	m := obj.GetMeta()
	if m.ID != id {
		p.add("%s %s is stored with id %q", c.kind, id, m.ID)
	}
	if m.Version < 1 {
		p.add("%s %s has version %d", c.kind, id, m.Version)
	} else if tx.Bucket(historyBucket).Get(join(historyPrefix(c.kind, k), itob(uint64(m.Version)))) == nil {
		p.add("%s %s version %d is missing from its history", c.kind, id, m.Version)
	}
	if c.parent != nil {
		pid := c.parent.id(obj)
		pkey, ok := parseKey(pid)
		if !ok || tx.Bucket(c.parent.bucket).Get(pkey) == nil {
			p.add("%s %s belongs to a missing %s %q", c.kind, id, c.parent.kind, pid)
		} else if tx.Bucket(c.parent.index).Get(join(pkey, k)) == nil {
			p.add("%s %s is missing from the index of %s %s", c.kind, id, c.parent.kind, pid)
		}
	}
	if c.unique != nil {
		if owner := tx.Bucket(c.unique.index).Get(c.unique.key(obj)); !bytes.Equal(owner, k) {
			p.add("%s %s is missing from the %s index", c.kind, id, c.unique.field)
		}
	}
}

// checkParentIndex verifies that every entry of the index of children by
// parent names an object of that parent.
func (c *collection[T, P]) checkParentIndex(tx kvTx, p *problems) {
	_ = tx.Bucket(c.parent.index).ForEach(func(k, _ []byte) error {
		if len(k) != 16 {
			p.add("index of %s by %s holds a malformed key %x", c.kind, c.parent.kind, k)
			return nil
		}
		pid, id := idString(k[:8]), idString(k[8:])
		obj, err := c.getKey(tx, k[8:])
		switch {
		case err != nil:
			p.add("%v", err)
		case obj == nil:
			p.add("index of %s by %s lists missing %s %s under %s %s", c.kind, c.parent.kind, c.kind, id, c.parent.kind, pid)
		case c.parent.id(obj) != pid:
			p.add("%s %s is indexed under %s %s but belongs to %s %q", c.kind, id, c.parent.kind, pid, c.parent.kind, c.parent.id(obj))
		}
		return nil
	})
}

// checkUniqueIndex verifies that every entry of a unique index names an
// object holding that value.
func (c *collection[T, P]) checkUniqueIndex(tx kvTx, p *problems) {
	_ = tx.Bucket(c.unique.index).ForEach(func(k, v []byte) error {
		obj, err := c.getKey(tx, v)
		switch {
		case err != nil:
			p.add("%v", err)
		case obj == nil:
			p.add("%s index lists %q under missing %s %s", c.unique.field, k, c.kind, idString(v))
		case !bytes.Equal(c.unique.key(obj), k):
			p.add("%s index lists %q under %s %s, whose %s is %q", c.unique.field, k, c.kind, idString(v), c.unique.field, c.unique.value(obj))
		}
		return nil
	})
}

// checkAgendaTitles verifies what schema 2 promises: an agenda item that
// names a sheet stores no title of its own (its title is the sheet's).
func checkAgendaTitles(tx kvTx, p *problems) {
	_ = tx.Bucket(roundBucket).ForEach(func(k, raw []byte) error {
		var r struct {
			Agenda []map[string]any `json:"agenda"`
		}
		if json.Unmarshal(raw, &r) != nil {
			return nil // reported as undecodable by the round collection's check
		}
		for i, it := range r.Agenda {
			if _, has := it["title"]; has && it["sheet_id"] != nil && it["sheet_id"] != "" {
				p.add("round %s agenda item %d names sheet %v and stores a title of its own", idString(k), i+1, it["sheet_id"])
			}
		}
		return nil
	})
}

// checkAgencyRefs verifies what schema 6 promises: every agency a current
// person, round or action names exists (a past version may name one deleted
// since).
func checkAgencyRefs(tx kvTx, p *problems) {
	agencies := tx.Bucket(agencyBucket)
	refs := func(bucket []byte, kind string, of func(raw []byte) []string) {
		_ = tx.Bucket(bucket).ForEach(func(k, raw []byte) error {
			for _, id := range of(raw) {
				if key, ok := parseKey(id); id != "" && (!ok || agencies.Get(key) == nil) {
					p.add("%s %s names agency %s, which does not exist", kind, idString(k), id)
				}
			}
			return nil
		})
	}
	refs(personBucket, briefing.KindPerson, func(raw []byte) []string {
		var o struct {
			AgencyID string `json:"agency_id"`
		}
		_ = json.Unmarshal(raw, &o) // undecodable: reported by the collection's check
		return []string{o.AgencyID}
	})
	refs(actionBucket, briefing.KindAction, func(raw []byte) []string {
		var o struct {
			AgencyID string `json:"owner_agency_id"`
		}
		_ = json.Unmarshal(raw, &o)
		return []string{o.AgencyID}
	})
	refs(roundBucket, briefing.KindRound, func(raw []byte) []string {
		var o struct {
			Sides []briefing.AgencySide `json:"participating_agencies"`
		}
		_ = json.Unmarshal(raw, &o)
		ids := make([]string, len(o.Sides))
		for i, s := range o.Sides {
			ids[i] = s.AgencyID
		}
		return ids
	})
}

// checkParagraphIDs verifies what schema 3 promises: every paragraph of every
// sheet has an id, unique in its sheet.
func checkParagraphIDs(tx kvTx, p *problems) {
	_ = tx.Bucket(sheetBucket).ForEach(func(k, raw []byte) error {
		var sh briefing.Sheet
		if json.Unmarshal(raw, &sh) != nil {
			return nil // reported as undecodable by the sheet collection's check
		}
		seen := map[string]bool{}
		for i, sec := range sh.Sections {
			for j, para := range sec.Paragraphs {
				switch {
				case para.ID == "":
					p.add("sheet %s section %d paragraph %d has no id", idString(k), i+1, j+1)
				case seen[para.ID]:
					p.add("sheet %s has two paragraphs with id %s", idString(k), para.ID)
				}
				seen[para.ID] = true
			}
		}
		return nil
	})
}

// checkAgendaIDs verifies what schema 7 promises of a round, current or a
// past version (what names it): every agenda item has an id, unique in
// its round.
func checkAgendaIDs(what string, raw []byte, p *problems) {
	var r struct {
		Agenda []briefing.AgendaItem `json:"agenda"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return // reported as undecodable by the round collection's check
	}
	seen := map[string]bool{}
	for i, it := range r.Agenda {
		switch {
		case it.ID == "":
			p.add("%s agenda item %d has no id", what, i+1)
		case seen[it.ID]:
			p.add("%s has two agenda items with id %s", what, it.ID)
		}
		seen[it.ID] = true
	}
}

// checkHistory verifies what schema 5 promises of history: every version
// has a header that decodes; a deletion has no text and every other version
// one that decompresses — on its own, or against a full copy of an earlier
// version of the same object — to the size, checksum and summary its header
// records; and no text is kept without a header. From schema 7 every
// version of a round keeps its agenda items' ids (checkAgendaIDs).
func checkHistory(tx kvTx, p *problems, schema int) {
	headers, bodies := tx.Bucket(historyBucket), tx.Bucket(historyBodies)
	if bodies == nil {
		p.add("it lacks the %s bucket of schema 5", historyBodies)
		return
	}
	var prefix []byte
	fulls := map[uint64][]byte{} // the full copies of the object being read
	_ = headers.ForEach(func(k, v []byte) error {
		if len(k) < 17 || k[len(k)-17] != 0 {
			p.add("history holds a malformed key %x", k)
			return nil
		}
		if pre := k[:len(k)-8]; !bytes.Equal(pre, prefix) {
			prefix = bytes.Clone(pre)
			clear(fulls)
		}
		kind, id, version := string(k[:len(k)-17]), idString(k[len(k)-16:len(k)-8]), btoi(k[len(k)-8:])
		h, err := decodeHeader(v)
		if err != nil {
			p.add("history of %s %s version %d: %v", kind, id, version, err)
			return nil
		}
		if h.Deleted {
			if bodies.Get(k) != nil {
				p.add("history of %s %s version %d records a deletion and keeps a text", kind, id, version)
			}
			return nil
		}
		data, err := readBody(tx, prefix, version, &h, fulls)
		if err != nil {
			p.add("history of %s %s: %v", kind, id, err)
			return nil
		}
		if h.Base != 0 {
			if bh, err := decodeHeader(headers.Get(join(prefix, itob(h.Base)))); err != nil || bh.Base != 0 || bh.Deleted {
				p.add("history of %s %s version %d is a delta against version %d, which is not a full copy", kind, id, version, h.Base)
			}
		}
		if sum, err := summarize(kind, data); err != nil {
			p.add("history of %s %s version %d does not decode: %v", kind, id, version, err)
		} else if !slices.Equal(sum.Markings, h.Summary.Markings) || sum.Title != h.Summary.Title {
			p.add("history of %s %s version %d: its header's summary is not its text's", kind, id, version)
		}
		if schema >= 7 && kind == briefing.KindRound {
			checkAgendaIDs(fmt.Sprintf("history of round %s version %d:", id, version), data, p)
		}
		return nil
	})
	_ = bodies.ForEach(func(k, _ []byte) error {
		if headers.Get(k) == nil {
			p.add("history keeps a text under %x without a header", k)
		}
		return nil
	})
}

// checkRaised verifies what schema 10 promises of the raises kept of
// sheets' paragraphs: each key names a sheet with history, and each raise
// decodes, in order, to a version the sheet has, a paragraph and a marking
// of the scheme.
func checkRaised(tx kvTx, s briefing.Settings, p *problems) {
	b := tx.Bucket(raisedBucket)
	if b == nil {
		p.add("it lacks the %s bucket of schema 10", raisedBucket)
		return
	}
	hb := tx.Bucket(historyBucket)
	kp := append([]byte(briefing.KindSheet), 0)
	_ = b.ForEach(func(k, v []byte) error {
		if len(k) != len(kp)+8 || !bytes.HasPrefix(k, kp) {
			p.add("the raised markings hold a malformed key %x", k)
			return nil
		}
		id := idString(k[len(kp):])
		rs, err := decodeRaised(v)
		if err != nil {
			p.add("the raised markings of sheet %s: %v", id, err)
			return nil
		}
		last := 0
		for _, r := range rs {
			if r.Version < last || r.Version < 2 || hb.Get(join(k, itob(uint64(r.Version)))) == nil {
				p.add("the raised markings of sheet %s name version %d, out of order or not in its history", id, r.Version)
			}
			if _, ok := s.Level(r.Marking); !ok || r.Paragraph == "" {
				p.add("the raised markings of sheet %s name paragraph %q raised to %q", id, r.Paragraph, r.Marking)
			}
			last = r.Version
		}
		return nil
	})
}
