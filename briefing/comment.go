package briefing

import (
	"context"
	"time"
)

// KindComment names review comments in the audit log.
const KindComment = "comment"

// Comment is a review comment on one paragraph of a topic sheet: a lead's
// when returning it, an officer's answer. Its marking is never lower than
// its paragraph's, and it follows the clearance rule like any content; it is
// never part of a pack.
type Comment struct {
	Meta
	SheetID     string     `json:"sheet_id"`
	ParagraphID string     `json:"paragraph_id"`
	Text        string     `json:"text"`
	Marking     string     `json:"marking"`
	By          string     `json:"by"`
	Resolved    bool       `json:"resolved"`
	ResolvedBy  string     `json:"resolved_by,omitempty"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
}

// Validate checks a comment against the settings and the marking of the
// paragraph it is on.
func (c *Comment) Validate(s Settings, paragraphMarking string) error {
	fe := fieldErrors{}
	c.Text = CleanText(c.Text)
	requireText(fe, "text", c.Text, 5000)
	limitText(fe, "paragraph_id", c.ParagraphID, 40)
	if c.Marking == "" {
		c.Marking = paragraphMarking
	}
	s.checkMarking(fe, "marking", c.Marking)
	if _, ok := s.Level(c.Marking); ok && s.Highest(c.Marking, paragraphMarking) != c.Marking {
		fe.add("marking", "must be no lower than the paragraph's marking (%s)", paragraphMarking)
	}
	return fe.err("comment")
}

// CommentService keeps review comments.
type CommentService interface {
	// Comment returns one comment, or ENOTFOUND.
	Comment(ctx context.Context, id string) (*Comment, error)
	// Comments lists a sheet's comments, oldest first.
	Comments(ctx context.Context, sheetID string, p Page) ([]*Comment, string, error)
	// CreateComment stores a new comment on c.SheetID: ENOTFOUND for the sheet.
	CreateComment(ctx context.Context, c *Comment, by Actor) error
	// UpdateComment stores a new version (to resolve it): ENOTFOUND, ESTALE.
	UpdateComment(ctx context.Context, c *Comment, by Actor) error
}

// Presence is someone who has an object open, and when they were last seen.
type Presence struct {
	User string    `json:"user"`
	At   time.Time `json:"at"`
}

// PresenceService records who has an object open, so writers see one
// another before they collide. It is kept in the store, not in a server's
// memory, so every server of a cluster sees the same.
type PresenceService interface {
	// Present records that user has the object of kind and id open at at,
	// and returns the others seen on it since since, most recent first.
	Present(ctx context.Context, kind, id, user string, at, since time.Time) ([]Presence, error)
	// Others returns the others seen on the object since since, most
	// recent first, as Present does, recording nothing.
	Others(ctx context.Context, kind, id, user string, since time.Time) ([]Presence, error)
	// PresenceChanges returns a channel that receives when someone arrives
	// on the object or leaves it (their record new, or dropped), whichever
	// server recorded it, until stop is called: a reason to read again
	// (Others), which may find nothing changed. A record renewed by
	// someone already there sends nothing.
	PresenceChanges(kind, id string) (changes <-chan struct{}, stop func())
	// Leave drops user's record on the object if it was written before
	// before: they have closed it, and those waiting on it are told
	// (PresenceChanges). A record written since is a page of theirs opened
	// since (a reload, or the page a save shows next), and stays.
	Leave(ctx context.Context, kind, id, user string, before time.Time) error
}

// Session is a signed-in user's server-side state, kept in the store so that
// every server of a cluster honours it and a restart signs nobody out. The
// token itself is never kept: a session is found by the token's SHA-256.
type Session struct {
	Hash   string `json:"hash"`
	UserID string `json:"user_id"`
	// UserVersion is the version of the user whose password the sign-in
	// checked: the session is stored only while the user is still at it.
	UserVersion int       `json:"user_version,omitempty"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	Clearance   string    `json:"clearance"`
	CSRF        string    `json:"csrf"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeen    time.Time `json:"last_seen"`
}

// SessionService keeps sessions.
type SessionService interface {
	// PutSession stores a new session under its hash, in one step with
	// finding its user still at s.UserVersion and not disabled: ESTALE when
	// the user was changed since, ENOTFOUND when deleted.
	PutSession(ctx context.Context, s *Session) error
	// TouchSession records that a session was seen at at, if it still
	// exists: ENOTFOUND when it has ended meanwhile (signed out through
	// another server, say), which a touch must never undo.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// Session returns the session of a token's hash, or ENOTFOUND; also
	// ENOTFOUND when its user, read at the same moment, is deleted,
	// disabled, or not of the session's name, role and clearance.
	Session(ctx context.Context, hash string) (*Session, error)
	// DeleteSession ends one session; ending one that is gone is no error.
	DeleteSession(ctx context.Context, hash string) error
	// ExpireSessions removes the sessions last seen before idle or made before absolute.
	ExpireSessions(ctx context.Context, idle, absolute time.Time) error
	// ReserveAttempt counts a sign-in attempt under key in a fixed window
	// of the given length, unless max are counted there already: then it is
	// refused, with how long until the window ends. Checking and counting
	// are one step, so attempts made at once, on any server, cannot all
	// pass before any is counted. A window whose attempts were all given
	// back holds none: the next attempt opens a window of its own.
	ReserveAttempt(ctx context.Context, key string, max int, window time.Duration, now time.Time) (ok bool, retry time.Duration, err error)
	// ReleaseAttempt gives back one reservation under key: of a sign-in
	// that succeeded, or of a form's sending that was refused or failed.
	ReleaseAttempt(ctx context.Context, key string) error
}

// Draft is what one person has typed in the editor of one sheet and not yet
// saved: the editor's fields by name, as the page's form holds them, and
// the version of the sheet they were typed over. It is theirs alone.
type Draft struct {
	At      time.Time         `json:"at"`
	Version int               `json:"version"`
	Fields  map[string]string `json:"fields"`
}

// DraftService keeps each person's unsaved drafts, one per sheet.
type DraftService interface {
	// PutDraft keeps a person's draft of a sheet, replacing the one before:
	// ENOTFOUND when the sheet or the person is not stored (deleted since).
	PutDraft(ctx context.Context, userID, sheetID string, d *Draft) error
	// Draft returns a person's draft of a sheet, or ENOTFOUND.
	Draft(ctx context.Context, userID, sheetID string) (*Draft, error)
	// DeleteDraft removes it; removing one that is gone is no error.
	DeleteDraft(ctx context.Context, userID, sheetID string) error
}
