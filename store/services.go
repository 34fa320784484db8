package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// The collections of each kind.
var (
	agencies  = &collection[briefing.Agency, *briefing.Agency]{kind: briefing.KindAgency, bucket: agencyBucket}
	people    = &collection[briefing.Person, *briefing.Person]{kind: briefing.KindPerson, bucket: personBucket}
	dialogues = &collection[briefing.Dialogue, *briefing.Dialogue]{kind: briefing.KindDialogue, bucket: dialogueBucket,
		children: []child{{roundsByDlg, "rounds"}, {actionsByDlg, "actions"}}}
	rounds = &collection[briefing.Round, *briefing.Round]{kind: briefing.KindRound, bucket: roundBucket,
		parentOf: func(r *briefing.Round) string { return r.DialogueID }, setParent: func(r *briefing.Round, id string) { r.DialogueID = id },
		parentKind: briefing.KindDialogue, parentBucket: dialogueBucket, index: roundsByDlg,
		children: []child{{sheetsByRound, "topic sheets"}, {snapsByRound, "frozen packs"}}}
	sheets = &collection[briefing.Sheet, *briefing.Sheet]{kind: briefing.KindSheet, bucket: sheetBucket,
		parentOf: func(s *briefing.Sheet) string { return s.RoundID }, setParent: func(s *briefing.Sheet, id string) { s.RoundID = id },
		parentKind: briefing.KindRound, parentBucket: roundBucket, index: sheetsByRound}
	actions = &collection[briefing.Action, *briefing.Action]{kind: briefing.KindAction, bucket: actionBucket,
		parentOf: func(a *briefing.Action) string { return a.DialogueID }, setParent: func(a *briefing.Action, id string) { a.DialogueID = id },
		parentKind: briefing.KindDialogue, parentBucket: dialogueBucket, index: actionsByDlg}
	snapshots = &collection[briefing.Snapshot, *briefing.Snapshot]{kind: briefing.KindSnapshot, bucket: snapshotBucket,
		parentOf: func(s *briefing.Snapshot) string { return s.RoundID }, setParent: func(s *briefing.Snapshot, id string) { s.RoundID = id },
		parentKind: briefing.KindRound, parentBucket: roundBucket, index: snapsByRound}
	users = &collection[briefing.User, *briefing.User]{kind: briefing.KindUser, bucket: userBucket,
		encode: encodeUser, decode: decodeUser, beforePut: uniqueUserName, afterDelete: unindexUserName}
)

// userRecord persists a user with its password hash, which the domain type
// keeps out of JSON so it can never be served by accident.
type userRecord struct {
	briefing.User
	PasswordHash string `json:"password_hash"`
}

func encodeUser(u *briefing.User) ([]byte, error) {
	return json.Marshal(userRecord{User: *u, PasswordHash: u.PasswordHash})
}

func decodeUser(raw []byte) (*briefing.User, error) {
	var r userRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	r.User.PasswordHash = r.PasswordHash
	return &r.User, nil
}

func nameKey(name string) []byte { return []byte(strings.ToLower(name)) }

// uniqueUserName keeps user names unique (case-insensitively) and indexed,
// and keeps the stored password hash when an update brings none.
func uniqueUserName(tx *bolt.Tx, u, old *briefing.User) error {
	idx := tx.Bucket(usersByName)
	if got := idx.Get(nameKey(u.Name)); got != nil && (old == nil || string(got) != old.ID) {
		return &briefing.Error{Code: briefing.ECONFLICT, Message: fmt.Sprintf("a user named %s exists already", u.Name),
			Fields: map[string]string{"name": "is taken"}}
	}
	if old != nil {
		if u.PasswordHash == "" {
			u.PasswordHash = old.PasswordHash
		}
		if err := idx.Delete(nameKey(old.Name)); err != nil {
			return err
		}
		return idx.Put(nameKey(u.Name), []byte(old.ID))
	}
	return nil
}

func unindexUserName(tx *bolt.Tx, old *briefing.User) error {
	return tx.Bucket(usersByName).Delete(nameKey(old.Name))
}

// view runs fn in a read transaction.
func (db *DB) view(fn func(tx *bolt.Tx) error) error {
	tx, err := db.db.Begin(false)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// update runs fn in a write transaction and commits it.
func (db *DB) update(fn func(tx *bolt.Tx) error) error {
	tx, err := db.db.Begin(true)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func get[T any, P interface {
	*T
	briefing.Object
}](db *DB, c *collection[T, P], id string) (P, error) {
	var out P
	err := db.view(func(tx *bolt.Tx) (err error) { out, err = c.get(tx, id); return })
	return out, err
}

func list[T any, P interface {
	*T
	briefing.Object
}](db *DB, c *collection[T, P], parent string, p briefing.Page) ([]P, string, error) {
	var out []P
	var next string
	err := db.view(func(tx *bolt.Tx) (err error) { out, next, err = c.list(tx, parent, p); return })
	return out, next, err
}

func create[T any, P interface {
	*T
	briefing.Object
}](db *DB, c *collection[T, P], obj P, by briefing.Actor) error {
	return db.update(func(tx *bolt.Tx) error { return c.create(tx, obj, by, db.Now().UTC()) })
}

func update[T any, P interface {
	*T
	briefing.Object
}](db *DB, c *collection[T, P], obj P, by briefing.Actor) error {
	return db.update(func(tx *bolt.Tx) error { return c.update(tx, obj, by, db.Now().UTC()) })
}

func remove[T any, P interface {
	*T
	briefing.Object
}](db *DB, c *collection[T, P], id string, version int, by briefing.Actor) error {
	return db.update(func(tx *bolt.Tx) error { return c.delete(tx, id, version, by, db.Now().UTC()) })
}

// Agency returns one agency.
func (db *DB) Agency(ctx context.Context, id string) (*briefing.Agency, error) {
	return get(db, agencies, id)
}

// Agencies lists agencies.
func (db *DB) Agencies(ctx context.Context, p briefing.Page) ([]*briefing.Agency, string, error) {
	return list(db, agencies, "", p)
}

// CreateAgency stores a new agency.
func (db *DB) CreateAgency(ctx context.Context, a *briefing.Agency, by briefing.Actor) error {
	return create(db, agencies, a, by)
}

// UpdateAgency stores a new version of an agency.
func (db *DB) UpdateAgency(ctx context.Context, a *briefing.Agency, by briefing.Actor) error {
	return update(db, agencies, a, by)
}

// DeleteAgency removes an agency.
func (db *DB) DeleteAgency(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, agencies, id, version, by)
}

// Person returns one person.
func (db *DB) Person(ctx context.Context, id string) (*briefing.Person, error) {
	return get(db, people, id)
}

// People lists people.
func (db *DB) People(ctx context.Context, p briefing.Page) ([]*briefing.Person, string, error) {
	return list(db, people, "", p)
}

// CreatePerson stores a new person.
func (db *DB) CreatePerson(ctx context.Context, p *briefing.Person, by briefing.Actor) error {
	return create(db, people, p, by)
}

// UpdatePerson stores a new version of a person.
func (db *DB) UpdatePerson(ctx context.Context, p *briefing.Person, by briefing.Actor) error {
	return update(db, people, p, by)
}

// DeletePerson removes a person.
func (db *DB) DeletePerson(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, people, id, version, by)
}

// Dialogue returns one dialogue.
func (db *DB) Dialogue(ctx context.Context, id string) (*briefing.Dialogue, error) {
	return get(db, dialogues, id)
}

// Dialogues lists dialogues.
func (db *DB) Dialogues(ctx context.Context, p briefing.Page) ([]*briefing.Dialogue, string, error) {
	return list(db, dialogues, "", p)
}

// CreateDialogue stores a new dialogue.
func (db *DB) CreateDialogue(ctx context.Context, d *briefing.Dialogue, by briefing.Actor) error {
	return create(db, dialogues, d, by)
}

// UpdateDialogue stores a new version of a dialogue.
func (db *DB) UpdateDialogue(ctx context.Context, d *briefing.Dialogue, by briefing.Actor) error {
	return update(db, dialogues, d, by)
}

// DeleteDialogue removes a dialogue without rounds or actions.
func (db *DB) DeleteDialogue(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, dialogues, id, version, by)
}

// Round returns one round.
func (db *DB) Round(ctx context.Context, id string) (*briefing.Round, error) {
	return get(db, rounds, id)
}

// Rounds lists a dialogue's rounds.
func (db *DB) Rounds(ctx context.Context, dialogueID string, p briefing.Page) ([]*briefing.Round, string, error) {
	return list(db, rounds, dialogueID, p)
}

// CreateRound stores a new round.
func (db *DB) CreateRound(ctx context.Context, r *briefing.Round, by briefing.Actor) error {
	return create(db, rounds, r, by)
}

// UpdateRound stores a new version of a round.
func (db *DB) UpdateRound(ctx context.Context, r *briefing.Round, by briefing.Actor) error {
	return update(db, rounds, r, by)
}

// DeleteRound removes a round without sheets or snapshots.
func (db *DB) DeleteRound(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, rounds, id, version, by)
}

// Sheet returns one topic sheet, unfiltered.
func (db *DB) Sheet(ctx context.Context, id string) (*briefing.Sheet, error) {
	return get(db, sheets, id)
}

// Sheets lists a round's topic sheets.
func (db *DB) Sheets(ctx context.Context, roundID string, p briefing.Page) ([]*briefing.Sheet, string, error) {
	return list(db, sheets, roundID, p)
}

// CreateSheet stores a new topic sheet.
func (db *DB) CreateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	return create(db, sheets, sh, by)
}

// UpdateSheet stores a new version of a topic sheet.
func (db *DB) UpdateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	return update(db, sheets, sh, by)
}

// DeleteSheet removes a topic sheet.
func (db *DB) DeleteSheet(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, sheets, id, version, by)
}

// Action returns one action.
func (db *DB) Action(ctx context.Context, id string) (*briefing.Action, error) {
	return get(db, actions, id)
}

// Actions lists a dialogue's actions.
func (db *DB) Actions(ctx context.Context, dialogueID string, p briefing.Page) ([]*briefing.Action, string, error) {
	return list(db, actions, dialogueID, p)
}

// CreateAction stores a new action.
func (db *DB) CreateAction(ctx context.Context, a *briefing.Action, by briefing.Actor) error {
	return create(db, actions, a, by)
}

// UpdateAction stores a new version of an action.
func (db *DB) UpdateAction(ctx context.Context, a *briefing.Action, by briefing.Actor) error {
	return update(db, actions, a, by)
}

// DeleteAction removes an action.
func (db *DB) DeleteAction(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, actions, id, version, by)
}

// User returns one user with its password hash.
func (db *DB) User(ctx context.Context, id string) (*briefing.User, error) { return get(db, users, id) }

// UserByName returns the user of a name (in any case) with its password hash.
func (db *DB) UserByName(ctx context.Context, name string) (*briefing.User, error) {
	var out *briefing.User
	err := db.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(usersByName).Get(nameKey(name))
		if id == nil {
			return briefing.Errorf(briefing.ENOTFOUND, "user %s not found", name)
		}
		var err error
		out, err = users.get(tx, string(id))
		return err
	})
	return out, err
}

// Users lists users.
func (db *DB) Users(ctx context.Context, p briefing.Page) ([]*briefing.User, string, error) {
	return list(db, users, "", p)
}

// CreateUser stores a new user.
func (db *DB) CreateUser(ctx context.Context, u *briefing.User, by briefing.Actor) error {
	return db.update(func(tx *bolt.Tx) error {
		if err := users.create(tx, u, by, db.Now().UTC()); err != nil {
			return err
		}
		return tx.Bucket(usersByName).Put(nameKey(u.Name), []byte(u.ID))
	})
}

// UpdateUser stores a new version of a user.
func (db *DB) UpdateUser(ctx context.Context, u *briefing.User, by briefing.Actor) error {
	return update(db, users, u, by)
}

// DeleteUser removes a user.
func (db *DB) DeleteUser(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(db, users, id, version, by)
}

// Audit lists audit records, newest first.
func (db *DB) Audit(ctx context.Context, p briefing.Page) ([]*briefing.AuditRecord, string, error) {
	before, err := cursorKey(p.After)
	if err != nil {
		return nil, "", err
	}
	limit := limitOf(p)
	var out []*briefing.AuditRecord
	var next string
	err = db.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(auditBucket).Cursor()
		k, v := cur.Last()
		if before != nil {
			k, v = cur.Seek(before)
			k, v = cur.Prev()
		}
		for ; k != nil; k, v = cur.Prev() {
			if len(out) == limit {
				next = fmt.Sprint(out[len(out)-1].Seq)
				break
			}
			var rec briefing.AuditRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("store: decode audit %s: %w", idString(k), err)
			}
			out = append(out, &rec)
		}
		return nil
	})
	return out, next, err
}

// Versions lists every saved version of an object, oldest first.
func (db *DB) Versions(ctx context.Context, kind, id string) ([]briefing.VersionRecord, error) {
	key, err := parseID(kind, id)
	if err != nil {
		return nil, err
	}
	var out []briefing.VersionRecord
	err = db.view(func(tx *bolt.Tx) error {
		prefix := historyPrefix(kind, key)
		cur := tx.Bucket(historyBucket).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var rec historyRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("store: decode history of %s %s: %w", kind, id, err)
			}
			out = append(out, briefing.VersionRecord{Version: int(be64(k[len(prefix):])), At: rec.At, By: rec.By,
				Deleted: rec.Deleted, Data: copyBytes(rec.Data)})
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = briefing.Errorf(briefing.ENOTFOUND, "%s %s has no history", kind, id)
	}
	return out, err
}

// CreateSnapshot stores a frozen pack and its files in one transaction.
func (db *DB) CreateSnapshot(ctx context.Context, s *briefing.Snapshot, files map[string][]byte, by briefing.Actor) error {
	return db.update(func(tx *bolt.Tx) error {
		rkey, err := parseID(briefing.KindRound, s.RoundID)
		if err != nil {
			return err
		}
		n := 0
		cur := tx.Bucket(snapsByRound).Cursor()
		for k, _ := cur.Seek(rkey); k != nil && bytes.HasPrefix(k, rkey); k, _ = cur.Next() {
			n++
		}
		s.Number = n + 1
		if err := snapshots.create(tx, s, by, db.Now().UTC()); err != nil {
			return err
		}
		key, _ := parseID(briefing.KindSnapshot, s.ID)
		formats := make([]string, 0, len(files))
		for f := range files {
			formats = append(formats, f)
		}
		sort.Strings(formats)
		for _, f := range formats {
			if err := tx.Bucket(fileBucket).Put(append(copyBytes(key), f...), files[f]); err != nil {
				return fmt.Errorf("store: put snapshot %s %s: %w", s.ID, f, err)
			}
		}
		return nil
	})
}

// Snapshot returns one snapshot.
func (db *DB) Snapshot(ctx context.Context, id string) (*briefing.Snapshot, error) {
	return get(db, snapshots, id)
}

// SnapshotFile returns a copy of the stored bytes of one format of a snapshot.
func (db *DB) SnapshotFile(ctx context.Context, id, format string) ([]byte, error) {
	key, err := parseID(briefing.KindSnapshot, id)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(fileBucket).Get(append(key, format...))
		if v == nil {
			return briefing.Errorf(briefing.ENOTFOUND, "snapshot %s has no %s file", id, format)
		}
		out = copyBytes(v)
		return nil
	})
	return out, err
}

// Snapshots lists a round's snapshots, oldest first.
func (db *DB) Snapshots(ctx context.Context, roundID string, p briefing.Page) ([]*briefing.Snapshot, string, error) {
	return list(db, snapshots, roundID, p)
}
