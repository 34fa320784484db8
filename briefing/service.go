package briefing

import (
	"context"
	"time"
)

// Page asks for one page of a list: the items after the cursor After (empty
// for the first page), at most Limit of them. A list returns the cursor of the
// next page, or "" when there is no more.
type Page struct {
	After string
	Limit int
}

// Every Create method assigns the object its id, version 1 and times, and
// records an audit entry. Every Update method writes only when the object's
// Version is the stored one (else ESTALE, nothing written), then increments
// it. Every Delete method with version > 0 deletes only that version (else
// ESTALE). All of them return ENOTFOUND for an id that does not exist.

// AgencyService keeps agencies.
type AgencyService interface {
	// Agency returns one agency, or ENOTFOUND.
	Agency(ctx context.Context, id string) (*Agency, error)
	// Agencies lists agencies in creation order.
	Agencies(ctx context.Context, p Page) ([]*Agency, string, error)
	// CreateAgency stores a new agency.
	CreateAgency(ctx context.Context, a *Agency, by Actor) error
	// UpdateAgency stores a new version: ENOTFOUND, ESTALE.
	UpdateAgency(ctx context.Context, a *Agency, by Actor) error
	// DeleteAgency removes an agency and, in the same transaction, every
	// reference to it (a person's agency, a round's participating
	// agencies, an action's owner), each a new version: ENOTFOUND, ESTALE.
	DeleteAgency(ctx context.Context, id string, version int, by Actor) error
}

// PersonService keeps people.
type PersonService interface {
	// Person returns one person, or ENOTFOUND.
	Person(ctx context.Context, id string) (*Person, error)
	// People lists people in creation order.
	People(ctx context.Context, p Page) ([]*Person, string, error)
	// CreatePerson stores a new person.
	CreatePerson(ctx context.Context, p *Person, by Actor) error
	// UpdatePerson stores a new version: ENOTFOUND, ESTALE.
	UpdatePerson(ctx context.Context, p *Person, by Actor) error
	// DeletePerson removes a person: ENOTFOUND, ESTALE.
	DeletePerson(ctx context.Context, id string, version int, by Actor) error
}

// DialogueService keeps dialogues.
type DialogueService interface {
	// Dialogue returns one dialogue, or ENOTFOUND.
	Dialogue(ctx context.Context, id string) (*Dialogue, error)
	// Dialogues lists dialogues in creation order.
	Dialogues(ctx context.Context, p Page) ([]*Dialogue, string, error)
	// CreateDialogue stores a new dialogue.
	CreateDialogue(ctx context.Context, d *Dialogue, by Actor) error
	// UpdateDialogue stores a new version: ENOTFOUND, ESTALE.
	UpdateDialogue(ctx context.Context, d *Dialogue, by Actor) error
	// DeleteDialogue removes a dialogue that has no rounds or actions:
	// ENOTFOUND, ESTALE, ECONFLICT.
	DeleteDialogue(ctx context.Context, id string, version int, by Actor) error
}

// RoundService keeps the rounds of dialogues.
type RoundService interface {
	// Round returns one round, or ENOTFOUND.
	Round(ctx context.Context, id string) (*Round, error)
	// Rounds lists a dialogue's rounds in creation order: ENOTFOUND for the dialogue.
	Rounds(ctx context.Context, dialogueID string, p Page) ([]*Round, string, error)
	// CreateRound stores a new round of r.DialogueID, giving each agenda item
	// without an id a new one: ENOTFOUND for the dialogue, ECONFLICT when a
	// round of the dialogue that sees admits (every round when sees is nil)
	// already has its number, judged in the write's transaction.
	CreateRound(ctx context.Context, r *Round, by Actor, sees func(*Round) bool) error
	// UpdateRound stores a new version (the dialogue cannot change), giving
	// each agenda item without an id, or with one an item before it has, a
	// new one: ENOTFOUND, ESTALE; ECONFLICT, as CreateRound, when it changes
	// the round's number to one taken.
	UpdateRound(ctx context.Context, r *Round, by Actor, sees func(*Round) bool) error
	// DeleteRound removes a round that has no topic sheets: ENOTFOUND, ESTALE, ECONFLICT.
	DeleteRound(ctx context.Context, id string, version int, by Actor) error
}

// SheetService keeps topic sheets.
type SheetService interface {
	// Sheet returns one topic sheet, unfiltered, or ENOTFOUND.
	Sheet(ctx context.Context, id string) (*Sheet, error)
	// Sheets lists a round's sheets in creation order: ENOTFOUND for the round.
	Sheets(ctx context.Context, roundID string, p Page) ([]*Sheet, string, error)
	// CreateSheet stores a new sheet of sh.RoundID: ENOTFOUND for the round.
	CreateSheet(ctx context.Context, sh *Sheet, by Actor) error
	// UpdateSheet stores a new version (the round cannot change): ENOTFOUND, ESTALE.
	UpdateSheet(ctx context.Context, sh *Sheet, by Actor) error
	// UpdateSheets stores new versions of several sheets at once, all of
	// them or none: ENOTFOUND, ESTALE (nothing written).
	UpdateSheets(ctx context.Context, shs []*Sheet, by Actor) error
	// ClearSheet stores a new version of a sheet, as UpdateSheet does, only
	// if no review comment on it is open, judged in the same transaction;
	// otherwise it writes nothing and returns how many are open:
	// ENOTFOUND, ESTALE.
	ClearSheet(ctx context.Context, sh *Sheet, by Actor) (open int, err error)
	// DeleteSheet removes a sheet and, in the same write, everyone's drafts
	// of it: ENOTFOUND, ESTALE.
	DeleteSheet(ctx context.Context, id string, version int, by Actor) error
}

// ActionService keeps the actions agreed in dialogues.
type ActionService interface {
	// Action returns one action, or ENOTFOUND.
	Action(ctx context.Context, id string) (*Action, error)
	// Actions lists a dialogue's actions in creation order: ENOTFOUND for the dialogue.
	Actions(ctx context.Context, dialogueID string, p Page) ([]*Action, string, error)
	// CreateAction stores a new action of a.DialogueID: ENOTFOUND for the dialogue.
	CreateAction(ctx context.Context, a *Action, by Actor) error
	// UpdateAction stores a new version (the dialogue cannot change): ENOTFOUND, ESTALE.
	UpdateAction(ctx context.Context, a *Action, by Actor) error
	// DeleteAction removes an action: ENOTFOUND, ESTALE.
	DeleteAction(ctx context.Context, id string, version int, by Actor) error
}

// UserService keeps the users who sign in.
type UserService interface {
	// User returns one user, with its password hash, or ENOTFOUND.
	User(ctx context.Context, id string) (*User, error)
	// UserByName returns the user of that name, with its password hash, or ENOTFOUND.
	UserByName(ctx context.Context, name string) (*User, error)
	// Users lists users in creation order.
	Users(ctx context.Context, p Page) ([]*User, string, error)
	// CreateUser stores a new user: ECONFLICT when the name is taken.
	CreateUser(ctx context.Context, u *User, by Actor) error
	// UpdateUser stores a new version, keeping the stored password hash when
	// u.PasswordHash is empty: ENOTFOUND, ESTALE, ECONFLICT for a taken name.
	// A change of name, role, clearance, state or password ends the user's
	// sessions in the same write.
	UpdateUser(ctx context.Context, u *User, by Actor) error
	// DeleteUser removes a user and, in the same write, their sessions and
	// drafts: ENOTFOUND, ESTALE.
	DeleteUser(ctx context.Context, id string, version int, by Actor) error
}

// AuditService answers who changed what and when.
type AuditService interface {
	// Audit lists audit records, newest first.
	Audit(ctx context.Context, p Page) ([]*AuditRecord, string, error)
	// Revision is a number that grows with every write of a stored object
	// (each one is audited) and never otherwise: two reads at the same
	// revision read the same objects. What is built from the store may be
	// kept under the revision it was read at.
	Revision(ctx context.Context) (uint64, error)
}

// HistoryService keeps every saved version of an object.
type HistoryService interface {
	// Versions lists the stored versions of an object of kind, oldest first,
	// each as it was saved (JSON): ENOTFOUND when there are none.
	Versions(ctx context.Context, kind, id string) ([]VersionRecord, error)
	// Version returns one stored version of an object, reading only that
	// one: ENOTFOUND when there is no such version.
	Version(ctx context.Context, kind, id string, version int) (VersionRecord, error)
	// VersionHeaders lists a page of the stored versions of an object,
	// oldest first, like Versions but without their Data: each with its
	// time, author, size and summary, read without reading the versions
	// themselves, and the next page's cursor ("" after the last). A page
	// costs the same however many versions there are. ENOTFOUND when there
	// are none.
	VersionHeaders(ctx context.Context, kind, id string, p Page) ([]VersionRecord, string, error)
}

// VersionRecord is one saved version of an object.
type VersionRecord struct {
	Version int
	At      time.Time
	By      string
	Deleted bool
	Data    []byte // the object's JSON as saved; nil in a list of headers
	// Size is the length of Data as saved, also where Data is not read.
	Size int
	// Summary is what a list of versions shows without reading them.
	Summary VersionSummary
	// Seen is the lowest clearance that sees what this save changed
	// (SeenFrom); "" for a save seen by whoever sees the object.
	Seen string `json:",omitempty"`
	// Raised are the later saves that raised the marking of a paragraph
	// (of a topic sheet), oldest first: what this version shows of that
	// paragraph is judged by the highest marking given it since, as well
	// as its own (see View.SheetVersionOf).
	Raised []Raise `json:",omitempty"`
}

// Raise is a save that raised a paragraph's marking: the version it wrote
// and when, the paragraph's id, and the marking it was given.
type Raise struct {
	Version   int
	At        time.Time
	Paragraph string
	Marking   string
}

// VersionSummary is what a list of an object's versions needs of each
// version without reading it: for a topic sheet, its title and the
// markings its paragraphs bear, enough to apply the clearance rule to it.
type VersionSummary struct {
	Title string
	// Markings are the distinct markings of the paragraphs, in the order
	// they first appear; empty for a sheet without paragraphs.
	Markings []string
}

// Store is everything briefpack keeps.
type Store interface {
	// Settings returns the settings fixed when the database was created.
	Settings(ctx context.Context) (Settings, error)
	AgencyService
	PersonService
	DialogueService
	RoundService
	SheetService
	ActionService
	UserService
	AuditService
	HistoryService
	SnapshotService
	CommentService
	PresenceService
	SessionService
	ReleaseService
	DraftService
	// TakeTurn returns ctx holding the database's turn to write, for a
	// write that reads and writes again and again and keeps losing to
	// other servers' writes between (a merge): while it is held, no other
	// server commits, and every read made with the context it returns
	// reads from the moment the turn was taken. end lets it go. A store
	// that one server writes returns ctx as it is.
	TakeTurn(ctx context.Context) (_ context.Context, end func(), _ error)
}

// Snapshot is a frozen pack: the exact bytes of both formats as served,
// their hashes, who froze it and when, kept unchanged forever; only who
// may read it changes, when a paragraph it may hold is raised (Raised).
type Snapshot struct {
	Meta
	RoundID string `json:"round_id"`
	Number  int    `json:"number"` // 1, 2, … within the round
	Edition string `json:"edition"`
	Marking string `json:"marking"`
	// Raised is the highest marking a paragraph of the round's sheets was
	// raised to after the pack was frozen, if above Marking: the pack may
	// hold its words, and is shown only to a reader cleared for it too.
	Raised    string            `json:"raised,omitempty"`
	Forced    bool              `json:"forced"` // frozen while the round was not ready to travel
	FrozenBy  string            `json:"frozen_by"`
	SHA256    map[string]string `json:"sha256"` // format → hex hash of its bytes
	Clearance string            `json:"clearance"`
}

// SnapshotService keeps frozen packs.
type SnapshotService interface {
	// CreateSnapshot stores a snapshot and its files (format → bytes), numbering
	// it within its round: ENOTFOUND for the round.
	CreateSnapshot(ctx context.Context, s *Snapshot, files map[string][]byte, by Actor) error
	// Snapshot returns one snapshot, or ENOTFOUND.
	Snapshot(ctx context.Context, id string) (*Snapshot, error)
	// SnapshotFile returns the stored bytes of one format, or ENOTFOUND.
	SnapshotFile(ctx context.Context, id, format string) ([]byte, error)
	// Snapshots lists a round's snapshots, oldest first.
	Snapshots(ctx context.Context, roundID string, p Page) ([]*Snapshot, string, error)
}

// ReadOnlySheets is a store that can list a round's sheets without copying
// them for a reader that promises not to modify them (the reader's view,
// which filters each into a copy of its own).
type ReadOnlySheets interface {
	SheetsReadOnly(ctx context.Context, roundID string, p Page) ([]*Sheet, string, error)
}
