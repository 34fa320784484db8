package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"briefpack/briefing"
)

// The collection of each kind.
// sheetMemoBytes bounds the decoded sheets kept for bulk reads: some two
// thousand sheets of 14 KB.
const sheetMemoBytes = 96 << 20

var (
	agencies = &collection[briefing.Agency, *briefing.Agency]{kind: briefing.KindAgency, bucket: agencyBucket}
	people   = &collection[briefing.Person, *briefing.Person]{kind: briefing.KindPerson, bucket: personBucket}

	dialogues = &collection[briefing.Dialogue, *briefing.Dialogue]{kind: briefing.KindDialogue, bucket: dialogueBucket,
		blockedBy: []dependents{{roundsByDialogue, "rounds"}, {actionsByDialogue, "actions"}}}

	rounds = &collection[briefing.Round, *briefing.Round]{kind: briefing.KindRound, bucket: roundBucket,
		parent: &parentLink[*briefing.Round]{kind: briefing.KindDialogue, bucket: dialogueBucket, index: roundsByDialogue,
			id: func(r *briefing.Round) string { return r.DialogueID }, setID: func(r *briefing.Round, id string) { r.DialogueID = id }},
		blockedBy: []dependents{{sheetsByRound, "topic sheets"}, {snapshotsByRound, "snapshots"}, {releasesByRound, "releases"}},
		seen:      true}

	sheets = &collection[briefing.Sheet, *briefing.Sheet]{kind: briefing.KindSheet, bucket: sheetBucket,
		parent: &parentLink[*briefing.Sheet]{kind: briefing.KindRound, bucket: roundBucket, index: sheetsByRound,
			id: func(s *briefing.Sheet) string { return s.RoundID }, setID: func(s *briefing.Sheet, id string) { s.RoundID = id }},
		memo: newMemo(sheetMemoBytes, (*briefing.Sheet).Clone, func(s *briefing.Sheet, d string) { s.Stored = d }),
		seen: true}

	actions = &collection[briefing.Action, *briefing.Action]{kind: briefing.KindAction, bucket: actionBucket,
		parent: &parentLink[*briefing.Action]{kind: briefing.KindDialogue, bucket: dialogueBucket, index: actionsByDialogue,
			id: func(a *briefing.Action) string { return a.DialogueID }, setID: func(a *briefing.Action, id string) { a.DialogueID = id }}}

	snapshots = &collection[briefing.Snapshot, *briefing.Snapshot]{kind: briefing.KindSnapshot, bucket: snapshotBucket,
		parent: &parentLink[*briefing.Snapshot]{kind: briefing.KindRound, bucket: roundBucket, index: snapshotsByRound,
			id: func(s *briefing.Snapshot) string { return s.RoundID }, setID: func(s *briefing.Snapshot, id string) { s.RoundID = id }}}

	comments = &collection[briefing.Comment, *briefing.Comment]{kind: briefing.KindComment, bucket: commentBucket,
		parent: &parentLink[*briefing.Comment]{kind: briefing.KindSheet, bucket: sheetBucket, index: commentsBySheet,
			id: func(c *briefing.Comment) string { return c.SheetID }, setID: func(c *briefing.Comment, id string) { c.SheetID = id }}}
	releases = &collection[briefing.Release, *briefing.Release]{kind: briefing.KindRelease, bucket: releaseBucket,
		parent: &parentLink[*briefing.Release]{kind: briefing.KindRound, bucket: roundBucket, index: releasesByRound,
			id: func(r *briefing.Release) string { return r.RoundID }, setID: func(r *briefing.Release, id string) { r.RoundID = id }}}

	users = &collection[briefing.User, *briefing.User]{kind: briefing.KindUser, bucket: userBucket,
		unique: &uniqueKey[*briefing.User]{index: usersByName, field: "name", value: func(u *briefing.User) string { return u.Name }},
		encode: encodeUser, decode: decodeUser,
		keep: func(u, old *briefing.User) {
			if u.PasswordHash == "" {
				u.PasswordHash = old.PasswordHash
			}
		}}
)

// userRecord is how a user is stored: with the password hash, which the
// domain type keeps out of its JSON so that it is never served by accident.
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

// Agency returns one agency, or ENOTFOUND.
func (db *DB) Agency(ctx context.Context, id string) (*briefing.Agency, error) {
	return get(ctx, db, agencies, id)
}

// Agencies lists agencies in creation order.
func (db *DB) Agencies(ctx context.Context, p briefing.Page) ([]*briefing.Agency, string, error) {
	return all(ctx, db, agencies, p)
}

// CreateAgency stores a new agency.
func (db *DB) CreateAgency(ctx context.Context, a *briefing.Agency, by briefing.Actor) error {
	return create(ctx, db, agencies, a, by)
}

// UpdateAgency stores a new version of an agency: ENOTFOUND, ESTALE.
func (db *DB) UpdateAgency(ctx context.Context, a *briefing.Agency, by briefing.Actor) error {
	return update(ctx, db, agencies, a, by)
}

// DeleteAgency removes an agency and, in the same transaction, every
// reference to it: a person's agency_id and an action's owner_agency_id are
// cleared, and a round's participating_agencies lose their entries for it,
// each a new version by the one deleting: ENOTFOUND, ESTALE. A reference
// left behind would make the object's own GET body refused by its PUT, and a
// refusal naming the objects that refer to it would tell a reader of people
// and rounds above their clearance.
func (db *DB) DeleteAgency(ctx context.Context, id string, version int, by briefing.Actor) error {
	return db.update(ctx, func(tx kvTx) error {
		now := db.now()
		if err := agencies.delete(tx, id, version, by, now); err != nil {
			return err
		}
		err := unrefer(tx, people, by, now, func(p *briefing.Person) bool {
			if p.AgencyID != id {
				return false
			}
			p.AgencyID = ""
			return true
		})
		if err != nil {
			return err
		}
		err = unrefer(tx, rounds, by, now, func(r *briefing.Round) bool {
			n := len(r.ParticipatingAgencies)
			r.ParticipatingAgencies = slices.DeleteFunc(r.ParticipatingAgencies, func(pa briefing.AgencySide) bool { return pa.AgencyID == id })
			return len(r.ParticipatingAgencies) != n
		})
		if err != nil {
			return err
		}
		return unrefer(tx, actions, by, now, func(a *briefing.Action) bool {
			if a.OwnerAgencyID != id {
				return false
			}
			a.OwnerAgencyID = ""
			return true
		})
	})
}

// unrefer saves a new version of every object of a kind that drop changes:
// drop removes a reference to an object being deleted and reports whether
// there was one.
func unrefer[T any, P object[T]](tx kvTx, c *collection[T, P], by briefing.Actor, now time.Time, drop func(P) bool) error {
	var changed []P
	cur := tx.Bucket(c.bucket).Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		obj, err := c.decodeRaw(k, v, false)
		if err != nil {
			return err
		}
		if drop(obj) {
			changed = append(changed, obj)
		}
	}
	// Saved after the walk: a bucket is not written under its own cursor.
	for _, obj := range changed {
		if err := c.update(tx, obj, by, now); err != nil {
			return err
		}
	}
	return nil
}

// Person returns one person, or ENOTFOUND.
func (db *DB) Person(ctx context.Context, id string) (*briefing.Person, error) {
	return get(ctx, db, people, id)
}

// People lists people in creation order.
func (db *DB) People(ctx context.Context, p briefing.Page) ([]*briefing.Person, string, error) {
	return all(ctx, db, people, p)
}

// CreatePerson stores a new person.
func (db *DB) CreatePerson(ctx context.Context, p *briefing.Person, by briefing.Actor) error {
	return create(ctx, db, people, p, by)
}

// UpdatePerson stores a new version of a person: ENOTFOUND, ESTALE.
func (db *DB) UpdatePerson(ctx context.Context, p *briefing.Person, by briefing.Actor) error {
	return update(ctx, db, people, p, by)
}

// DeletePerson removes a person: ENOTFOUND, ESTALE.
func (db *DB) DeletePerson(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(ctx, db, people, id, version, by)
}

// Dialogue returns one dialogue, or ENOTFOUND.
func (db *DB) Dialogue(ctx context.Context, id string) (*briefing.Dialogue, error) {
	return get(ctx, db, dialogues, id)
}

// Dialogues lists dialogues in creation order.
func (db *DB) Dialogues(ctx context.Context, p briefing.Page) ([]*briefing.Dialogue, string, error) {
	return all(ctx, db, dialogues, p)
}

// CreateDialogue stores a new dialogue.
func (db *DB) CreateDialogue(ctx context.Context, d *briefing.Dialogue, by briefing.Actor) error {
	return create(ctx, db, dialogues, d, by)
}

// UpdateDialogue stores a new version of a dialogue: ENOTFOUND, ESTALE.
func (db *DB) UpdateDialogue(ctx context.Context, d *briefing.Dialogue, by briefing.Actor) error {
	return update(ctx, db, dialogues, d, by)
}

// DeleteDialogue removes a dialogue that has no rounds or actions:
// ENOTFOUND, ESTALE, ECONFLICT.
func (db *DB) DeleteDialogue(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(ctx, db, dialogues, id, version, by)
}

// Round returns one round, or ENOTFOUND.
func (db *DB) Round(ctx context.Context, id string) (*briefing.Round, error) {
	return get(ctx, db, rounds, id)
}

// Rounds lists a dialogue's rounds in creation order: ENOTFOUND for the dialogue.
func (db *DB) Rounds(ctx context.Context, dialogueID string, p briefing.Page) ([]*briefing.Round, string, error) {
	return children(ctx, db, rounds, dialogueID, p)
}

// CreateRound stores a new round of r.DialogueID: ENOTFOUND for the
// dialogue; ECONFLICT when a round of it that sees admits (every round when
// sees is nil) has the same number.
func (db *DB) CreateRound(ctx context.Context, r *briefing.Round, by briefing.Actor, sees func(*briefing.Round) bool) error {
	briefing.FillAgendaIDs(r)
	return write(ctx, db, r, func(tx kvTx, now time.Time) error {
		if err := numberFree(tx, r, sees); err != nil {
			return err
		}
		return rounds.create(tx, r, by, now)
	})
}

// UpdateRound stores a new version of a round, keeping its dialogue:
// ENOTFOUND, ESTALE; ECONFLICT, as CreateRound, for a number changed to
// one taken. A number left as it was is not judged again, so a round
// stored beside another of its number can still be saved.
func (db *DB) UpdateRound(ctx context.Context, r *briefing.Round, by briefing.Actor, sees func(*briefing.Round) bool) error {
	briefing.FillAgendaIDs(r)
	return write(ctx, db, r, func(tx kvTx, now time.Time) error {
		if old, err := rounds.get(tx, r.ID); err == nil && old.Number != r.Number {
			if err := numberFree(tx, r, sees); err != nil {
				return err
			}
		}
		return rounds.update(tx, r, by, now)
	})
}

// numberFree answers ECONFLICT when another round of r's dialogue, among
// those sees admits, has r's number. It reads the dialogue's rounds in the
// write's transaction, so two writers proposing the same next round (a
// button pressed twice, two servers) cannot both store it. Rounds sees
// does not admit are passed over: refusing for a hidden round would tell
// its writer it exists. A dialogue that does not exist is left to the
// write to refuse.
func numberFree(tx kvTx, r *briefing.Round, sees func(*briefing.Round) bool) error {
	for p := (briefing.Page{Limit: maxLimit}); ; {
		page, next, err := rounds.childrenOf(tx, r.DialogueID, p, true)
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		for _, o := range page {
			if o.ID != r.ID && o.Number == r.Number && (sees == nil || sees(o)) {
				return &briefing.Error{Code: briefing.ECONFLICT,
					Message: fmt.Sprintf("This dialogue already has a round %d; reload to see it, or give this one another number.", r.Number),
					Fields:  map[string]string{"number": fmt.Sprintf("round %d already exists", r.Number)}}
			}
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}

// DeleteRound removes a round that has no topic sheets or snapshots:
// ENOTFOUND, ESTALE, ECONFLICT.
//
// The actions raised in it lose the reference, in the same transaction,
// and one that took its marking from the round (stored without one of its
// own) is given the round's: left to default, it would fall to the lowest
// marking once the round was gone, and show a SECRET round's actions to
// every reader.
func (db *DB) DeleteRound(ctx context.Context, id string, version int, by briefing.Actor) error {
	return db.update(ctx, func(tx kvTx) error {
		now := db.now()
		r, err := rounds.get(tx, id)
		if err != nil {
			return err
		}
		if err := rounds.delete(tx, id, version, by, now); err != nil {
			return err
		}
		return unrefer(tx, actions, by, now, func(a *briefing.Action) bool {
			if a.RaisedInRoundID != id {
				return false
			}
			if a.Marking == "" {
				a.Marking = r.Marking
			}
			a.RaisedInRoundID = ""
			return true
		})
	})
}

// Sheet returns one topic sheet, unfiltered, or ENOTFOUND.
func (db *DB) Sheet(ctx context.Context, id string) (*briefing.Sheet, error) {
	return get(ctx, db, sheets, id)
}

// Sheets lists a round's topic sheets in creation order: ENOTFOUND for the round.
func (db *DB) Sheets(ctx context.Context, roundID string, p briefing.Page) ([]*briefing.Sheet, string, error) {
	return children(ctx, db, sheets, roundID, p)
}

// SheetsReadOnly is Sheets for a reader that will not modify what it is
// given (see briefing.ReadOnlySheets): the decoded sheets kept for their
// stored bytes, not copies of them.
func (db *DB) SheetsReadOnly(ctx context.Context, roundID string, p briefing.Page) (_ []*briefing.Sheet, _ string, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer end(tx, &err)
	return sheets.childrenOf(tx, roundID, p, true)
}

// CreateSheet stores a new topic sheet of sh.RoundID: ENOTFOUND for the round.
func (db *DB) CreateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	briefing.FillParagraphIDs(sh)
	return create(ctx, db, sheets, sh, by)
}

// UpdateSheet stores a new version of a topic sheet, keeping its round:
// ENOTFOUND, ESTALE.
func (db *DB) UpdateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	briefing.FillParagraphIDs(sh)
	return update(ctx, db, sheets, sh, by)
}

// UpdateSheets stores new versions of several topic sheets in one
// transaction: all of them or, on any error, none: ENOTFOUND, ESTALE.
func (db *DB) UpdateSheets(ctx context.Context, shs []*briefing.Sheet, by briefing.Actor) error {
	saved := make([]briefing.Sheet, len(shs))
	for i, sh := range shs {
		saved[i] = *sh
	}
	// On any failure the callers' sheets are given back as they passed them.
	restore := func() {
		for i, sh := range shs {
			*sh = saved[i]
		}
	}
	err := db.update(ctx, func(tx kvTx) error {
		restore()
		now := db.now()
		for _, sh := range shs {
			briefing.FillParagraphIDs(sh)
			if err := sheets.update(tx, sh, by, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		restore()
	}
	return err
}

// ClearSheet stores a new version of a topic sheet if no review comment on
// it is open, judged in the same transaction: a comment made while a lead
// clears the sheet comes either before, and stops the clearing, or after.
// When any is open it writes nothing and returns how many: ENOTFOUND,
// ESTALE.
func (db *DB) ClearSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) (open int, err error) {
	briefing.FillParagraphIDs(sh)
	err = write(ctx, db, sh, func(tx kvTx, now time.Time) error {
		open = 0
		for p := (briefing.Page{Limit: 100}); ; {
			page, next, err := comments.children(tx, sh.ID, p)
			if err != nil {
				return err
			}
			for _, c := range page {
				if !c.Resolved {
					open++
				}
			}
			if next == "" {
				break
			}
			p.After = next
		}
		if open > 0 {
			return nil
		}
		return sheets.update(tx, sh, by, now)
	})
	return open, err
}

// DeleteSheet removes a topic sheet, its comments and everyone's drafts of
// it: ENOTFOUND, ESTALE.
func (db *DB) DeleteSheet(ctx context.Context, id string, version int, by briefing.Actor) error {
	return db.update(ctx, func(tx kvTx) error { return deleteSheet(tx, id, version, by, db.now()) })
}

func deleteSheet(tx kvTx, id string, version int, by briefing.Actor, now time.Time) error {
	if key, ok := parseKey(id); ok {
		var ids []string
		c := within(tx.Bucket(commentsBySheet).Cursor(), key)
		for k, _ := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, _ = c.Next() {
			ids = append(ids, idString(k[8:]))
		}
		for _, cid := range ids {
			if err := comments.delete(tx, cid, 0, by, now); err != nil {
				return err
			}
		}
	}
	if err := sheets.delete(tx, id, version, by, now); err != nil {
		return err
	}
	return deleteDrafts(tx, func(_, sheetID string) bool { return sheetID == id })
}

// Comment returns one review comment, or ENOTFOUND.
func (db *DB) Comment(ctx context.Context, id string) (*briefing.Comment, error) {
	return get(ctx, db, comments, id)
}

// Comments lists a sheet's comments, oldest first: ENOTFOUND for the sheet.
func (db *DB) Comments(ctx context.Context, sheetID string, p briefing.Page) ([]*briefing.Comment, string, error) {
	return children(ctx, db, comments, sheetID, p)
}

// CreateComment stores a new comment on c.SheetID: ENOTFOUND for the sheet.
func (db *DB) CreateComment(ctx context.Context, c *briefing.Comment, by briefing.Actor) error {
	return create(ctx, db, comments, c, by)
}

// UpdateComment stores a new version of a comment: ENOTFOUND, ESTALE.
func (db *DB) UpdateComment(ctx context.Context, c *briefing.Comment, by briefing.Actor) error {
	return update(ctx, db, comments, c, by)
}

// Action returns one action, or ENOTFOUND.
func (db *DB) Action(ctx context.Context, id string) (*briefing.Action, error) {
	return get(ctx, db, actions, id)
}

// Actions lists a dialogue's actions in creation order: ENOTFOUND for the dialogue.
func (db *DB) Actions(ctx context.Context, dialogueID string, p briefing.Page) ([]*briefing.Action, string, error) {
	return children(ctx, db, actions, dialogueID, p)
}

// CreateAction stores a new action of a.DialogueID: ENOTFOUND for the dialogue.
func (db *DB) CreateAction(ctx context.Context, a *briefing.Action, by briefing.Actor) error {
	return create(ctx, db, actions, a, by)
}

// UpdateAction stores a new version of an action, keeping its dialogue:
// ENOTFOUND, ESTALE.
func (db *DB) UpdateAction(ctx context.Context, a *briefing.Action, by briefing.Actor) error {
	return update(ctx, db, actions, a, by)
}

// DeleteAction removes an action: ENOTFOUND, ESTALE.
func (db *DB) DeleteAction(ctx context.Context, id string, version int, by briefing.Actor) error {
	return remove(ctx, db, actions, id, version, by)
}

// User returns one user, with its password hash, or ENOTFOUND.
func (db *DB) User(ctx context.Context, id string) (*briefing.User, error) {
	return get(ctx, db, users, id)
}

// UserByName returns the user of a name, in any case, with its password
// hash, or ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (_ *briefing.User, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	return userByName(tx, name)
}

func userByName(tx kvTx, name string) (*briefing.User, error) {
	key := tx.Bucket(usersByName).Get([]byte(strings.ToLower(name)))
	if key == nil {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "no user is named %q", name)
	}
	u, err := users.getKey(tx, key)
	if err != nil {
		return nil, err
	} else if u == nil {
		return nil, fmt.Errorf("store: user name index lists %q under missing user %s", name, idString(key))
	}
	return u, nil
}

// Users lists users in creation order.
func (db *DB) Users(ctx context.Context, p briefing.Page) ([]*briefing.User, string, error) {
	return all(ctx, db, users, p)
}

// CreateUser stores a new user: ECONFLICT when the name is taken, in any case.
func (db *DB) CreateUser(ctx context.Context, u *briefing.User, by briefing.Actor) error {
	return create(ctx, db, users, u, by)
}

// UpdateUser stores a new version of a user, keeping the stored password
// hash when u.PasswordHash is empty: ENOTFOUND, ESTALE, ECONFLICT for a
// taken name. A change of name, role, clearance, state or password ends
// the user's sessions in the same write, so no session outlives it, on any
// server, nor is one stored after it with what the user had before.
func (db *DB) UpdateUser(ctx context.Context, u *briefing.User, by briefing.Actor) error {
	return write(ctx, db, u, func(tx kvTx, now time.Time) error {
		old, err := users.get(tx, u.ID)
		if err != nil {
			return err
		}
		if err := users.update(tx, u, by, now); err != nil {
			return err
		}
		if u.Name == old.Name && u.Role == old.Role && u.Clearance == old.Clearance && u.Disabled == old.Disabled && u.PasswordHash == old.PasswordHash {
			return nil
		}
		return deleteUserSessions(tx, u.ID)
	})
}

// DeleteUser removes a user, ends their sessions and drops their drafts,
// in one write: ENOTFOUND, ESTALE.
func (db *DB) DeleteUser(ctx context.Context, id string, version int, by briefing.Actor) error {
	return db.update(ctx, func(tx kvTx) error {
		if err := users.delete(tx, id, version, by, db.now()); err != nil {
			return err
		}
		if err := deleteUserSessions(tx, id); err != nil {
			return err
		}
		return deleteDrafts(tx, func(userID, _ string) bool { return userID == id })
	})
}

// Audit lists audit records, newest first. The cursor is the sequence of
// the last record of the previous page, sealed (see sealCursor).
func (db *DB) Audit(ctx context.Context, p briefing.Page) (_ []*briefing.AuditRecord, _ string, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer end(tx, &err)
	key := tx.Bucket(metaBucket).Get(keyCursorKey)
	var before []byte
	if p.After != "" {
		seq, ok := openCursor(key, p.After)
		if !ok {
			return nil, "", &briefing.Error{Code: briefing.EINVALID, Message: "the cursor is not valid: use the next value a list returned",
				Fields: map[string]string{"cursor": "is not a cursor this list gave"}}
		}
		before = itob(seq)
	}
	recs, more, err := auditPage(tx, before, limitOf(p))
	if err != nil {
		return nil, "", err
	}
	for _, r := range recs {
		r.Cursor = sealCursor(key, r.Seq)
	}
	next := ""
	if more {
		next = recs[len(recs)-1].Cursor // "" without a key: the page is the last it gives
	}
	return recs, next, nil
}

// Revision is the audit's sequence: every write of a stored object appends
// one audit record in the transaction that writes it, so the sequence
// grows with every such write and with nothing else.
func (db *DB) Revision(ctx context.Context) (_ uint64, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return 0, err
	}
	defer end(tx, &err)
	return tx.Bucket(auditBucket).Sequence(), nil
}

// auditPage reads up to limit records older than before (nil: the newest),
// and whether there are older ones.
// Records are numbered in order, from 1 (NextSequence), so it reads them in
// ranges below before, each in ascending order, newest range first: on etcd
// 3.4 a read in descending order reads its whole range in the server before
// it answers the first page, and the range below a cursor was the whole log,
// which grows with every write.
func auditPage(tx kvTx, before []byte, limit int) ([]*briefing.AuditRecord, bool, error) {
	b := tx.Bucket(auditBucket)
	hi := b.Sequence() + 1 // the first number not used
	if before != nil {
		hi = min(hi, btoi(before))
	}
	var out []*briefing.AuditRecord
	for hi > 1 && len(out) <= limit {
		lo, n := uint64(1), uint64(limit+1-len(out))
		if hi > n {
			lo = hi - n
		}
		var chunk []*briefing.AuditRecord
		c := stopBefore(b.Cursor(), itob(hi))
		for k, v := c.Seek(itob(lo)); k != nil && btoi(k) < hi; k, v = c.Next() {
			rec, err := decodeAudit(v)
			if err != nil {
				return nil, false, fmt.Errorf("store: decode audit record %d: %w", btoi(k), err)
			}
			chunk = append(chunk, rec)
		}
		slices.Reverse(chunk)
		out = append(out, chunk...)
		hi = lo
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// Versions lists every saved version of an object of kind, oldest first,
// a deletion last: ENOTFOUND when there are none.
func (db *DB) Versions(ctx context.Context, kind, id string) ([]briefing.VersionRecord, error) {
	return db.versions(ctx, kind, id, true)
}

// VersionHeaders lists a page of the saved versions of an object of kind,
// oldest first, without their data: it reads that page's headers only,
// never a version's text. ENOTFOUND when there are none.
func (db *DB) VersionHeaders(ctx context.Context, kind, id string, p briefing.Page) (_ []briefing.VersionRecord, _ string, err error) {
	key, err := keyOf(kind, id)
	if err != nil {
		return nil, "", err
	}
	after := uint64(0)
	if p.After != "" {
		n, perr := strconv.ParseUint(p.After, 10, 64)
		if perr != nil {
			return nil, "", briefing.Errorf(briefing.EINVALID, "cursor %q is not one this list gave", p.After)
		}
		after = n
	}
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer end(tx, &err)
	out, more, err := readHeaderPage(tx, kind, key, after, limitOf(p))
	if err != nil {
		return nil, "", err
	}
	if err := withRaised(tx, kind, key, out); err != nil {
		return nil, "", err
	}
	if len(out) == 0 && after == 0 {
		return nil, "", briefing.Errorf(briefing.ENOTFOUND, "%s %s has no saved versions", kind, id)
	}
	next := ""
	if more {
		next = strconv.Itoa(out[len(out)-1].Version)
	}
	return out, next, nil
}

func (db *DB) versions(ctx context.Context, kind, id string, withData bool) (_ []briefing.VersionRecord, err error) {
	key, err := keyOf(kind, id)
	if err != nil {
		return nil, err
	}
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	out, err := readVersions(tx, kind, key, withData)
	if err != nil {
		return nil, err
	} else if len(out) == 0 {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "%s %s has no saved versions", kind, id)
	}
	if err := withRaised(tx, kind, key, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Version returns one saved version of an object, reading only that one
// (and the full copy a delta is made against): ENOTFOUND when it has no
// such version.
func (db *DB) Version(ctx context.Context, kind, id string, version int) (_ briefing.VersionRecord, err error) {
	key, err := keyOf(kind, id)
	if err != nil {
		return briefing.VersionRecord{}, err
	}
	if version < 1 {
		return briefing.VersionRecord{}, briefing.Errorf(briefing.ENOTFOUND, "%s %s has no version %d", kind, id, version)
	}
	tx, err := db.begin(ctx, false)
	if err != nil {
		return briefing.VersionRecord{}, err
	}
	defer end(tx, &err)
	rec, ok, err := readVersion(tx, kind, key, version)
	if err != nil {
		return briefing.VersionRecord{}, err
	} else if !ok {
		return briefing.VersionRecord{}, briefing.Errorf(briefing.ENOTFOUND, "%s %s has no version %d", kind, id, version)
	}
	recs := []briefing.VersionRecord{rec}
	if err := withRaised(tx, kind, key, recs); err != nil {
		return briefing.VersionRecord{}, err
	}
	rec = recs[0]
	return rec, nil
}

// CreateSnapshot stores a frozen pack and its files (format → bytes) in one
// transaction, numbering it after the round's earlier snapshots:
// ENOTFOUND for the round, EINVALID for a bad format name.
func (db *DB) CreateSnapshot(ctx context.Context, s *briefing.Snapshot, files map[string][]byte, by briefing.Actor) error {
	if err := checkFormats(files); err != nil {
		return err
	}
	packed, err := packFiles(files)
	if err != nil {
		return err
	}
	return write(ctx, db, s, func(tx kvTx, now time.Time) error { return createSnapshot(tx, s, packed, by, now) })
}

func checkFormats(files map[string][]byte) error {
	if len(files) == 0 {
		return &briefing.Error{Code: briefing.EINVALID, Message: "a snapshot needs at least one file",
			Fields: map[string]string{"files": "is empty"}}
	}
	for f := range files {
		if !isFormat(f) {
			return &briefing.Error{Code: briefing.EINVALID, Message: fmt.Sprintf("a snapshot file format %q is not valid", f),
				Fields: map[string]string{"format": "must be 1 to 64 characters of text"}}
		}
	}
	return nil
}

// isFormat says whether f may name a stored file's format: 1 to 64
// characters of text, without NUL.
func isFormat(f string) bool {
	return f != "" && len(f) <= 64 && utf8.ValidString(f) && !strings.ContainsRune(f, 0)
}

func createSnapshot(tx kvTx, s *briefing.Snapshot, files map[string][]byte, by briefing.Actor, now time.Time) error {
	if s.FrozenBy == "" {
		s.FrozenBy = by.Name
	}
	// Snapshots are never deleted, so the next number is one more than the count.
	s.Number = 1
	if rkey, ok := parseKey(s.RoundID); ok {
		cur := within(tx.Bucket(snapshotsByRound).Cursor(), rkey)
		for k, _ := cur.Seek(rkey); k != nil && bytes.HasPrefix(k, rkey); k, _ = cur.Next() {
			s.Number++
		}
	}
	if err := snapshots.create(tx, s, by, now); err != nil {
		return err
	}
	key, _ := parseKey(s.ID)
	return putFiles(tx.Bucket(fileBucket), key, files, "snapshot "+s.ID)
}

// Snapshot returns one snapshot, or ENOTFOUND.
func (db *DB) Snapshot(ctx context.Context, id string) (*briefing.Snapshot, error) {
	return get(ctx, db, snapshots, id)
}

// SnapshotFile returns a copy of the stored bytes of one format of a
// snapshot: ENOTFOUND for the snapshot or the format.
func (db *DB) SnapshotFile(ctx context.Context, id, format string) (_ []byte, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	return snapshotFile(tx, id, format)
}

func snapshotFile(tx kvTx, id, format string) ([]byte, error) {
	if _, err := snapshots.get(tx, id); err != nil {
		return nil, err
	}
	return getFile(tx.Bucket(fileBucket), id, format, "snapshot")
}

// Snapshots lists a round's snapshots, oldest first: ENOTFOUND for the round.
func (db *DB) Snapshots(ctx context.Context, roundID string, p briefing.Page) ([]*briefing.Snapshot, string, error) {
	return children(ctx, db, snapshots, roundID, p)
}
