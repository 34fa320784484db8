package server

import (
	"briefpack/briefing"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"
)

// session is a signed-in user's server-side state. The token itself is never
// kept: sessions are found by its SHA-256, so a memory dump yields no tokens.
type session struct {
	userID string
	// reader is the user as signed in. Every change to a user's role,
	// clearance, password or state goes through this server and ends their
	// sessions, so it cannot go stale; and no other process can write the
	// database while the server holds it.
	reader   briefing.Reader
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// sessions holds the live sessions, each ended by an idle and an absolute timeout.
type sessions struct {
	mu       sync.Mutex
	byHash   map[string]*session
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

func newSessions(idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{byHash: map[string]*session{}, idle: idle, absolute: absolute, now: now}
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

// create starts a new session for a user and returns its token.
func (ss *sessions) create(r briefing.Reader) (string, *session) {
	token := randomToken()
	now := ss.now()
	sess := &session{userID: r.UserID, reader: r, csrf: randomToken(), created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked(now)
	ss.byHash[tokenHash(token)] = sess
	return token, sess
}

// lookup returns the live session of a token, touching it, or nil.
func (ss *sessions) lookup(token string) *session {
	if token == "" || len(token) > 200 {
		return nil
	}
	h := tokenHash(token)
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess := ss.byHash[h]
	if sess == nil {
		return nil
	}
	if ss.expired(sess, now) {
		delete(ss.byHash, h)
		return nil
	}
	sess.lastSeen = now
	c := *sess
	return &c
}

func (ss *sessions) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.lastSeen) > ss.idle || now.Sub(sess.created) > ss.absolute
}

// end removes one session.
func (ss *sessions) end(token string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byHash, tokenHash(token))
}

// endUser removes every session of a user: on disabling, deleting or a password reset.
func (ss *sessions) endUser(userID string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for h, sess := range ss.byHash {
		if sess.userID == userID {
			delete(ss.byHash, h)
		}
	}
}

func (ss *sessions) sweepLocked(now time.Time) {
	for h, sess := range ss.byHash {
		if ss.expired(sess, now) {
			delete(ss.byHash, h)
		}
	}
}

// limiter counts failed sign-ins per key in a fixed window; past the limit
// every attempt under that key is refused until the window ends.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	now    func() time.Time
	hits   map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, per time.Duration, now func() time.Time) *limiter {
	return &limiter{window: per, max: max, now: now, hits: map[string]*window{}}
}

// reserve counts an attempt under key before it is made, unless key is at
// its limit: checking and counting at once, so concurrent attempts cannot
// all pass the check before any is counted. A successful attempt gives its
// reservation back (release).
func (l *limiter) reserve(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepLocked(now)
	w := l.hits[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.hits[key] = w
	}
	if w.n >= l.max {
		return false, l.window - now.Sub(w.start)
	}
	w.n++
	return true, 0
}

// release gives back a reservation of an attempt that succeeded.
func (l *limiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.hits[key]; w != nil && w.n > 0 {
		w.n--
	}
}

func (l *limiter) sweepLocked(now time.Time) {
	if len(l.hits) > 100000 {
		for k, w := range l.hits {
			if now.Sub(w.start) >= l.window {
				delete(l.hits, k)
			}
		}
	}
}
