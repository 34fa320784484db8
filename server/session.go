package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync/atomic"
	"time"

	"briefpack/briefing"
)

// session is a signed-in user's state, as a request sees it.
type session struct {
	userID string
	// reader is the user as signed in. Every change to a user's role,
	// clearance, name, password or state ends their sessions in the write
	// that makes it, on every server, since sessions are kept in the store;
	// and the store honours a session only while its user is as stored.
	reader   briefing.Reader
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// sessions are kept in the store (briefing.SessionService), never in one
// server's memory: every server of a cluster honours a session any of them
// made, a sign-out on one ends it on all, and a restart signs nobody out.
// Each is ended by an idle and an absolute timeout.
type sessions struct {
	st       briefing.SessionService
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
	swept    atomic.Int64 // unix seconds of the last sweep of expired sessions
}

// touchEvery is how stale a session's last-seen time may get before it is
// written again: the idle timeout is kept to within it, and a busy reader
// costs one write a minute, not one a request.
const touchEvery = time.Minute

func newSessions(st briefing.SessionService, idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{st: st, idle: idle, absolute: absolute, now: now}
}

// randomToken returns 32 bytes from crypto/rand, URL-safe encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the platform is broken; nothing safe to do
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// create starts a new session for a user as read when their password was
// checked, and returns its token: ESTALE or ENOTFOUND when the user has
// been changed or deleted since (briefing.SessionService.PutSession).
func (ss *sessions) create(ctx context.Context, u *briefing.User) (string, *session, error) {
	token := randomToken()
	now := ss.now().UTC()
	ss.sweep(ctx, now)
	rec := &briefing.Session{Hash: tokenHash(token), UserID: u.ID, UserVersion: u.Version, Name: u.Name, Role: u.Role, Clearance: u.Clearance,
		CSRF: randomToken(), CreatedAt: now, LastSeen: now}
	if err := ss.st.PutSession(ctx, rec); err != nil {
		return "", nil, err
	}
	return token, fromRecord(rec), nil
}

func fromRecord(rec *briefing.Session) *session {
	return &session{userID: rec.UserID, reader: briefing.Reader{UserID: rec.UserID, Name: rec.Name, Role: rec.Role, Clearance: rec.Clearance},
		csrf: rec.CSRF, created: rec.CreatedAt, lastSeen: rec.LastSeen}
}

// sweep removes expired sessions now and then, so the store does not keep them.
func (ss *sessions) sweep(ctx context.Context, now time.Time) {
	last := ss.swept.Load()
	if now.Unix()-last < int64(ss.idle/time.Second)/4 || !ss.swept.CompareAndSwap(last, now.Unix()) {
		return
	}
	_ = ss.st.ExpireSessions(ctx, now.Add(-ss.idle), now.Add(-ss.absolute)) // best effort; lookups check expiry anyway
}

// lookup returns the live session of a token, touching it, or nil.
func (ss *sessions) lookup(ctx context.Context, token string) (*session, error) {
	if token == "" || len(token) > 200 {
		return nil, nil
	}
	h := tokenHash(token)
	rec, err := ss.st.Session(ctx, h)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := ss.now().UTC()
	if now.Sub(rec.LastSeen) > ss.idle || now.Sub(rec.CreatedAt) > ss.absolute {
		_ = ss.st.DeleteSession(ctx, h)
		return nil, nil
	}
	if now.Sub(rec.LastSeen) > touchEvery {
		was := rec.LastSeen
		rec.LastSeen = now
		err := ss.st.TouchSession(ctx, h, now)
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			return nil, nil // ended since it was read: signed out on another server
		} else if errors.Is(err, briefing.ErrStoreFull) {
			// The session stands; its last sight is not moved on, so it
			// ends no later than it would have. A full database still
			// serves its readers.
			rec.LastSeen = was
		} else if err != nil {
			return nil, err
		}
	}
	return fromRecord(rec), nil
}

// end removes one session.
func (ss *sessions) end(ctx context.Context, token string) error {
	return ss.st.DeleteSession(ctx, tokenHash(token))
}

// limiter counts sign-in attempts per key in a fixed window, in the store,
// so every server counts the same attempts: past the limit every attempt
// under that key is refused until the window ends.
type limiter struct {
	st     briefing.Store
	prefix string // which limit: by address, or by address and name
	window time.Duration
	max    int
	now    func() time.Time
}

func newLimiter(st briefing.Store, prefix string, max int, per time.Duration, now func() time.Time) *limiter {
	return &limiter{st: st, prefix: prefix, window: per, max: max, now: now}
}

// reserve counts an attempt under key before it is made, unless key is at
// its limit: checking and counting at once, so concurrent attempts cannot
// all pass the check before any is counted. A successful attempt gives its
// reservation back (release).
func (l *limiter) reserve(ctx context.Context, key string) (bool, time.Duration, error) {
	return l.st.ReserveAttempt(ctx, l.prefix+"\x00"+key, l.max, l.window, l.now())
}

// release gives back a reservation of an attempt that succeeded.
func (l *limiter) release(ctx context.Context, key string) error {
	return l.st.ReleaseAttempt(ctx, l.prefix+"\x00"+key)
}
