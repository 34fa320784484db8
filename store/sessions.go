package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"briefpack/briefing"
)

// PutSession stores a new session under its hash, in a transaction that
// finds its user still at the version the sign-in checked the password
// against and not disabled (else ESTALE), or gone (ENOTFOUND): a change to
// the user committed while the password was being checked, on any server,
// leaves no session with what the user had before it.
func (db *DB) PutSession(ctx context.Context, s *briefing.Session) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store: encode session: %w", err)
	}
	return db.update(ctx, func(tx kvTx) error {
		u, err := users.get(tx, s.UserID)
		if err != nil {
			return err
		}
		if u.Version != s.UserVersion || u.Disabled {
			return briefing.Errorf(briefing.ESTALE, "user %s was changed while signing in: sign in again", s.UserID)
		}
		return tx.Bucket(sessionBucket).Put([]byte(s.Hash), raw)
	})
}

// TouchSession sets a session's last sight to at, in the transaction that
// reads it: a session ended meanwhile is ENOTFOUND, not brought back.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	return db.update(ctx, func(tx kvTx) error {
		b := tx.Bucket(sessionBucket)
		raw := b.Get([]byte(hash))
		if raw == nil {
			return briefing.Errorf(briefing.ENOTFOUND, "no such session")
		}
		var s briefing.Session
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("store: decode session: %w", err)
		}
		s.LastSeen = at
		out, err := json.Marshal(&s)
		if err != nil {
			return fmt.Errorf("store: encode session: %w", err)
		}
		return b.Put([]byte(hash), out)
	})
}

// Session returns the session of a token's hash, or ENOTFOUND. The session
// is read with its user, at one moment: one whose user is gone, disabled,
// or no longer of the name, role and clearance it carries is no session —
// whatever wrote the user, and whenever the session was stored.
func (db *DB) Session(ctx context.Context, hash string) (_ *briefing.Session, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	raw := tx.Bucket(sessionBucket).Get([]byte(hash))
	if raw == nil {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "no such session")
	}
	var s briefing.Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("store: decode session: %w", err)
	}
	u, err := users.get(tx, s.UserID)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND || err == nil && (u.Disabled || u.Name != s.Name || u.Role != s.Role || u.Clearance != s.Clearance) {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	return db.update(ctx, func(tx kvTx) error { return tx.Bucket(sessionBucket).Delete([]byte(hash)) })
}

// ExpireSessions removes the sessions last seen before idle or made before absolute.
func (db *DB) ExpireSessions(ctx context.Context, idle, absolute time.Time) error {
	return db.deleteSessions(ctx, func(s *briefing.Session) bool { return s.LastSeen.Before(idle) || s.CreatedAt.Before(absolute) })
}

func (db *DB) deleteSessions(ctx context.Context, match func(*briefing.Session) bool) error {
	return db.update(ctx, func(tx kvTx) error { return deleteSessions(tx, match) })
}

// deleteSessions removes, in tx, the sessions match picks.
func deleteSessions(tx kvTx, match func(*briefing.Session) bool) error {
	b := tx.Bucket(sessionBucket)
	var gone [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var s briefing.Session
		if json.Unmarshal(v, &s) != nil || match(&s) {
			gone = append(gone, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// deleteUserSessions ends, in tx, every session of a user.
func deleteUserSessions(tx kvTx, userID string) error {
	return deleteSessions(tx, func(s *briefing.Session) bool { return s.UserID == userID })
}

// ReserveAttempt counts a sign-in attempt under key in a fixed window, in
// one write transaction: refused, with the time left, when max are counted.
// A window whose attempts were all given back is opened afresh by the
// next: a form's id given back by a refused sending is then held an hour
// from the sending that acted, not for what is left of the refused one's.
// Windows that have ended are dropped now and then as attempts are made.
func (db *DB) ReserveAttempt(ctx context.Context, key string, max int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	ok, retry := false, time.Duration(0)
	err := db.update(ctx, func(tx kvTx) error {
		ok, retry = false, 0
		b := tx.Bucket(attemptBucket)
		start, n := now, uint64(0)
		if v := b.Get([]byte(key)); len(v) == 16 && btoi(v[8:]) > 0 {
			s := time.Unix(0, int64(btoi(v[:8])))
			if now.Sub(s) < window {
				start, n = s, btoi(v[8:])
			}
		}
		if n >= uint64(max) {
			retry = window - now.Sub(start)
			return nil
		}
		ok = true
		if n == 0 {
			// Every sweepEvery-th window opened, the ended ones are dropped.
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if seq%sweepEvery == 0 {
				if err := sweepAttempts(b, now, window); err != nil {
					return err
				}
			}
		}
		return b.Put([]byte(key), append(itob(uint64(start.UnixNano())), itob(n+1)...))
	})
	return ok, retry, err
}

// ReleaseAttempt gives back one reservation under key: of a sign-in that
// succeeded, or of a form's sending that was refused or failed.
func (db *DB) ReleaseAttempt(ctx context.Context, key string) error {
	return db.update(ctx, func(tx kvTx) error {
		b := tx.Bucket(attemptBucket)
		v := b.Get([]byte(key))
		if len(v) != 16 || btoi(v[8:]) == 0 {
			return nil
		}
		return b.Put([]byte(key), append(append([]byte(nil), v[:8]...), itob(btoi(v[8:])-1)...))
	})
}

// sweepEvery is how many windows are opened between sweeps of the ended ones.
var sweepEvery uint64 = 4096

// sweptAfter is the least time a window is kept from its start: the
// windows of every caller share the bucket, and one sweeping with a
// minute's window dropped another's of an hour (a form's id, reserved
// against its sending twice) a minute after it opened.
const sweptAfter = time.Hour

// sweepAttempts drops the windows that have ended, and are sweptAfter old.
func sweepAttempts(b kvBucket, now time.Time, window time.Duration) error {
	window = max(window, sweptAfter)
	var gone [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if len(v) != 16 || now.Sub(time.Unix(0, int64(btoi(v[:8])))) >= window {
			gone = append(gone, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func draftKey(userID, sheetID string) []byte { return []byte(userID + "\x00" + sheetID) }

// PutDraft keeps a person's draft of a sheet, replacing the one before.
func (db *DB) PutDraft(ctx context.Context, userID, sheetID string, d *briefing.Draft) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: encode draft: %w", err)
	}
	return db.update(ctx, func(tx kvTx) error {
		// Both checked in the write that keeps it: a sheet or a person
		// deleted after the server looked would leave a draft no one could
		// be given back, for good (their deletes drop the drafts they find).
		for _, of := range []struct {
			kind, id string
			bucket   []byte
		}{{briefing.KindSheet, sheetID, sheetBucket}, {briefing.KindUser, userID, userBucket}} {
			key, err := keyOf(of.kind, of.id)
			if err != nil {
				return err
			}
			if tx.Bucket(of.bucket).Get(key) == nil {
				return notFound(of.kind, of.id)
			}
		}
		return tx.Bucket(draftBucket).Put(draftKey(userID, sheetID), raw)
	})
}

// Draft returns a person's draft of a sheet, or ENOTFOUND.
func (db *DB) Draft(ctx context.Context, userID, sheetID string) (_ *briefing.Draft, err error) {
	tx, err := db.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer end(tx, &err)
	raw := tx.Bucket(draftBucket).Get(draftKey(userID, sheetID))
	if raw == nil {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "no draft of sheet %s", sheetID)
	}
	var d briefing.Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("store: decode draft: %w", err)
	}
	return &d, nil
}

// deleteDrafts removes, in tx, the drafts match picks by their author and
// sheet: those of a sheet or a person deleted, which no one can be given
// back (a deleted sheet is not restored, a user's id is not used again).
func deleteDrafts(tx kvTx, match func(userID, sheetID string) bool) error {
	b := tx.Bucket(draftBucket)
	var gone [][]byte
	// Keys only: on etcd a draft of up to 2 MiB is kept in chunks, which
	// a walk of the values would read, every draft of every sheet.
	if err := forEachKey(b, func(k []byte) error {
		if u, sh, ok := strings.Cut(string(k), "\x00"); ok && match(u, sh) {
			gone = append(gone, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return fmt.Errorf("store: drafts: %w", err)
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("store: drafts: %w", err)
		}
	}
	return nil
}

// DeleteDraft removes a person's draft of a sheet.
func (db *DB) DeleteDraft(ctx context.Context, userID, sheetID string) error {
	return db.update(ctx, func(tx kvTx) error { return tx.Bucket(draftBucket).Delete(draftKey(userID, sheetID)) })
}
