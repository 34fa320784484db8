// Package briefing holds briefpack's domain: dialogues, rounds, topic sheets
// and their paragraphs, markings and withholding grounds, the clearance rule,
// and the service interfaces a store implements. It imports only the standard
// library.
package briefing

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Meta is what every stored object carries: an opaque id and a version that
// every write increments, for optimistic concurrency.
type Meta struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// GetMeta returns the object's metadata, so a store can handle every kind alike.
func (m *Meta) GetMeta() *Meta { return m }

// Object is any stored object.
type Object interface {
	GetMeta() *Meta
}

// Kinds of object, as named in the audit log, search results and errors.
const (
	KindAgency   = "agency"
	KindPerson   = "person"
	KindDialogue = "dialogue"
	KindRound    = "round"
	KindSheet    = "sheet"
	KindAction   = "action"
	KindUser     = "user"
	KindSnapshot = "snapshot"
)

// Sides of a dialogue.
const (
	SideHome    = "home"
	SidePartner = "partner"
)

// Agency is a government body taking part in dialogues.
type Agency struct {
	Meta
	Name    string `json:"name"`
	Acronym string `json:"acronym"`
	Country string `json:"country"`
}

// Validate checks an agency's fields.
func (a *Agency) Validate() error {
	fe := fieldErrors{}
	a.Name, a.Acronym, a.Country = CleanText(a.Name), CleanText(a.Acronym), CleanText(a.Country)
	requireText(fe, "name", a.Name, 200)
	limitText(fe, "acronym", a.Acronym, 40)
	limitText(fe, "country", a.Country, 100)
	noSpans(fe, "name", a.Name)
	noSpans(fe, "acronym", a.Acronym)
	noSpans(fe, "country", a.Country)
	return fe.err("agency")
}

// Person is a counterpart or a member of our delegation.
type Person struct {
	Meta
	Name     string `json:"name"`
	Title    string `json:"title"`
	AgencyID string `json:"agency_id"`
	Country  string `json:"country"`
	Bio      string `json:"bio"` // Markdown
	Marking  string `json:"marking"`
	// Withhold is empty or a ground (e.g. s9(2)(a) for an official's privacy):
	// in a release edition the person's name, title and bio become the ground.
	Withhold string `json:"withhold"`
}

// Validate checks a person's fields against the settings.
func (p *Person) Validate(s Settings) error { return p.ValidateOver(s, nil) }

// ValidateOver is Validate for a new version of read, the person as its
// writer read it (nil for a new person): a biography they left as read is
// not held to MaxMarkdownWork, which it may be from before.
func (p *Person) ValidateOver(s Settings, read *Person) error {
	if read == nil {
		read = &Person{}
	}
	fe := fieldErrors{}
	p.Name, p.Title, p.Country, p.Bio = CleanText(p.Name), CleanText(p.Title), CleanText(p.Country), CleanText(p.Bio)
	requireText(fe, "name", p.Name, 200)
	limitText(fe, "title", p.Title, 300)
	limitText(fe, "agency_id", p.AgencyID, 40)
	limitText(fe, "country", p.Country, 100)
	limitText(fe, "bio", p.Bio, 20000)
	noSpans(fe, "name", p.Name)
	noSpans(fe, "title", p.Title)
	noSpans(fe, "country", p.Country)
	s.checkSpans(fe, "bio", p.Bio)
	s.checkMarkdown(fe, "bio", p.Bio, read.Bio, "")
	s.checkMarking(fe, "marking", p.Marking)
	if g := s.NormalizeGround(p.Withhold); g != "" {
		p.Withhold = g
	}
	s.checkGround(fe, "withhold", p.Withhold)
	return fe.err("person")
}

// Dialogue is a standing series of bilateral meetings.
type Dialogue struct {
	Meta
	Name          string     `json:"name"`
	Home          string     `json:"home"`
	Partner       string     `json:"partner"`
	Established   string     `json:"established"` // YYYY-MM-DD
	Origin        string     `json:"origin"`
	CadenceMonths int        `json:"cadence_months"`
	Milestones    Milestones `json:"milestones"`
	Notes         string     `json:"notes"`
}

// SideName names a side of the dialogue (SideHome or SidePartner) by its
// country: "New Zealand", "Australia".
func (d *Dialogue) SideName(side string) string {
	if side == SidePartner {
		return d.Partner
	}
	return d.Home
}

// Milestones are the drafting deadlines of a round, in days before it starts.
type Milestones struct {
	Commissioned int `json:"commissioned"`
	DraftsDue    int `json:"drafts_due"`
	ClearanceDue int `json:"clearance_due"`
	PackFrozen   int `json:"pack_frozen"`
}

// DefaultMilestones are used when a dialogue sets none.
var DefaultMilestones = Milestones{Commissioned: 42, DraftsDue: 21, ClearanceDue: 10, PackFrozen: 3}

// Validate checks a dialogue's fields, filling defaults for milestones left at zero.
func (d *Dialogue) Validate() error {
	fe := fieldErrors{}
	requireText(fe, "name", d.Name, 300)
	requireText(fe, "home", d.Home, 100)
	requireText(fe, "partner", d.Partner, 100)
	if strings.TrimSpace(d.Established) == "" {
		fe.add("established", "is required: the date the dialogue was established, YYYY-MM-DD")
	} else {
		checkDate(fe, "established", d.Established)
	}
	limitText(fe, "origin", d.Origin, 2000)
	d.Notes = CleanText(d.Notes)
	limitText(fe, "notes", d.Notes, 20000)
	for f, v := range map[string]string{"name": d.Name, "home": d.Home, "partner": d.Partner, "origin": d.Origin} {
		noSpans(fe, f, v)
		noControl(fe, f, v)
	}
	if d.CadenceMonths < 1 || d.CadenceMonths > 120 {
		fe.add("cadence_months", "must be the months between rounds, from 1 to 120")
	}
	if d.Milestones == (Milestones{}) {
		d.Milestones = DefaultMilestones
	}
	for name, v := range map[string]int{"commissioned": d.Milestones.Commissioned, "drafts_due": d.Milestones.DraftsDue,
		"clearance_due": d.Milestones.ClearanceDue, "pack_frozen": d.Milestones.PackFrozen} {
		if v < 0 || v > 365 {
			fe.add("milestones."+name, "must be between 0 and 365 days before the round")
		}
	}
	return fe.err("dialogue")
}

// Round statuses.
const (
	RoundProposed  = "proposed"
	RoundScheduled = "scheduled"
	RoundHeld      = "held"
	RoundPostponed = "postponed"
	RoundCancelled = "cancelled"
)

// RoundStatuses lists the statuses a round may have.
var RoundStatuses = []string{RoundProposed, RoundScheduled, RoundHeld, RoundPostponed, RoundCancelled}

// Participant is a person in a round, on one side.
type Participant struct {
	PersonID string `json:"person_id"`
	Side     string `json:"side"`
}

// AgendaItem is one item of a round's agenda, optionally a topic sheet. An
// item that names a sheet has the sheet's title, computed on output and never
// stored, so it follows the sheet's clearance.
type AgendaItem struct {
	// ID is the item's stable id, server-assigned and opaque, kept through
	// every edit and move: what a save pairs the item by, so what the writer
	// cannot see of it (a lead above them) stays on it.
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	SheetID string `json:"sheet_id"`
	// StartsAt and EndsAt are local times (HH:MM), so the agenda reads as a programme.
	StartsAt string `json:"starts_at,omitempty"`
	EndsAt   string `json:"ends_at,omitempty"`
	// Session names the part of the programme the item is in ("Session 2: Regional security").
	Session string `json:"session,omitempty"`
	// LeadPersonID is who speaks to the item for our side or theirs.
	LeadPersonID string `json:"lead_person_id,omitempty"`
}

// AgencySide is an agency taking part in a round, on one side.
type AgencySide struct {
	AgencyID string `json:"agency_id"`
	Side     string `json:"side"`
}

// Round is one meeting of a dialogue.
type Round struct {
	Meta
	DialogueID string `json:"dialogue_id"`
	Number     int    `json:"number"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on"`
	City       string `json:"city"`
	Host       string `json:"host"`
	Status     string `json:"status"`
	Marking    string `json:"marking"`
	Outcomes   string `json:"outcomes"` // Markdown
	// Purpose is why the round is held and what we want from it (Markdown);
	// KeyMessages are the messages the delegation must land (Markdown).
	Purpose     string `json:"purpose"`
	KeyMessages string `json:"key_messages"`
	// ParticipatingAgencies take part on each side, whether or not any of
	// their people is listed.
	ParticipatingAgencies []AgencySide  `json:"participating_agencies"`
	CoChairs              []Participant `json:"co_chairs"`
	Delegation            []Participant `json:"delegation"`
	Agenda                []AgendaItem  `json:"agenda"`
}

// MaxRoundList is the most co-chairs, delegates or agenda items a writer
// may give a round.
const MaxRoundList = 200

// Validate checks a round's fields, filling defaults for status and marking.
func (r *Round) Validate(s Settings) error { return r.ValidateOver(s, nil) }

// ValidateOver is Validate for a new version of read, the round as its
// writer read it (nil for a new round). A writer below some of a round
// keeps what they cannot see beside what they send, so the stored round may
// hold more than MaxRoundList people or items: each list may be sent back
// as long as it was read, and is held to MaxRoundList only when it grows
// past that. It is read, so its length is what the writer sees, and the
// answer never depends on what is hidden from them. A purpose, key
// messages or outcomes left as read are not held to MaxMarkdownWork,
// which they may be from before.
func (r *Round) ValidateOver(s Settings, read *Round) error {
	coChairs, delegation, agenda := MaxRoundList, MaxRoundList, MaxRoundList
	if read != nil {
		coChairs, delegation, agenda = max(coChairs, len(read.CoChairs)), max(delegation, len(read.Delegation)), max(agenda, len(read.Agenda))
	}
	fe := fieldErrors{}
	if r.Number < 1 || r.Number > 10000 {
		fe.add("number", "must be a round number from 1")
	}
	var start, end time.Time
	if r.StartsOn != "" {
		start = checkDate(fe, "starts_on", r.StartsOn)
	}
	if r.EndsOn == "" {
		r.EndsOn = r.StartsOn
	}
	if r.EndsOn != "" {
		end = checkDate(fe, "ends_on", r.EndsOn)
	}
	if r.StartsOn == "" && r.EndsOn != "" {
		fe.add("starts_on", "is required when the end date is given")
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		fe.add("ends_on", "must not be before the start date")
	}
	limitText(fe, "city", r.City, 100)
	noSpans(fe, "city", r.City)
	noControl(fe, "city", r.City)
	s.checkSpans(fe, "outcomes", r.Outcomes)
	if r.Host != SideHome && r.Host != SidePartner {
		fe.add("host", "must be home or partner")
	}
	if r.Status == "" {
		r.Status = RoundProposed
	}
	if !oneOf(r.Status, RoundStatuses) {
		fe.add("status", "must be one of %s", strings.Join(RoundStatuses, ", "))
	}
	if (r.Status == RoundScheduled || r.Status == RoundHeld) && r.StartsOn == "" {
		fe.add("starts_on", "is required for a round that is %s", r.Status)
	}
	if r.Marking == "" {
		r.Marking = s.Lowest()
	}
	s.checkMarking(fe, "marking", r.Marking)
	r.Outcomes, r.Purpose, r.KeyMessages = CleanText(r.Outcomes), CleanText(r.Purpose), CleanText(r.KeyMessages)
	limitText(fe, "outcomes", r.Outcomes, 50000)
	limitText(fe, "purpose", r.Purpose, 20000)
	s.checkSpans(fe, "purpose", r.Purpose)
	limitText(fe, "key_messages", r.KeyMessages, 20000)
	s.checkSpans(fe, "key_messages", r.KeyMessages)
	was := read
	if was == nil {
		was = &Round{}
	}
	s.checkMarkdown(fe, "purpose", r.Purpose, was.Purpose, "")
	s.checkMarkdown(fe, "key_messages", r.KeyMessages, was.KeyMessages, "")
	s.checkMarkdown(fe, "outcomes", r.Outcomes, was.Outcomes, "")
	if len(r.ParticipatingAgencies) > 200 {
		fe.add("participating_agencies", "must have at most 200 agencies")
	}
	seenAgency := map[string]bool{}
	for i, pa := range r.ParticipatingAgencies {
		f := fmt.Sprintf("participating_agencies[%d]", i)
		if pa.AgencyID == "" {
			fe.add(f+".agency_id", "is required")
		}
		limitText(fe, f+".agency_id", pa.AgencyID, 40)
		if pa.Side != SideHome && pa.Side != SidePartner {
			fe.add(f+".side", "must be home or partner")
		}
		if seenAgency[pa.AgencyID+"/"+pa.Side] {
			fe.add(f+".agency_id", "is listed twice on that side")
		}
		seenAgency[pa.AgencyID+"/"+pa.Side] = true
	}
	checkParticipants(fe, "co_chairs", r.CoChairs, coChairs)
	checkParticipants(fe, "delegation", r.Delegation, delegation)
	if len(r.Agenda) > agenda {
		fe.add("agenda", "must have at most %d items", agenda)
	}
	for i := range r.Agenda {
		a := &r.Agenda[i]
		f := fmt.Sprintf("agenda[%d]", i)
		a.Title, a.Session = CleanText(a.Title), CleanText(a.Session)
		if a.SheetID != "" {
			a.Title = "" // the sheet's own title, computed on output
		}
		if strings.TrimSpace(a.Title) == "" && a.SheetID == "" {
			fe.add(f+".title", "is required when no sheet is given")
		}
		limitText(fe, f+".id", a.ID, 40)
		limitText(fe, f+".title", a.Title, 300)
		limitText(fe, f+".sheet_id", a.SheetID, 40)
		s.checkSpans(fe, f+".title", a.Title)
		limitText(fe, f+".session", a.Session, 200)
		s.checkSpans(fe, f+".session", a.Session)
		limitText(fe, f+".lead_person_id", a.LeadPersonID, 40)
		times := true // both times, if given, are times of day: only then is their order worth a word
		for _, t := range []struct{ field, v string }{{"starts_at", a.StartsAt}, {"ends_at", a.EndsAt}} {
			if t.v != "" && !clockTime.MatchString(t.v) {
				fe.add(f+"."+t.field, "must be a time of day written HH:MM")
				times = false
			}
		}
		if times && a.StartsAt != "" && a.EndsAt != "" && a.EndsAt < a.StartsAt {
			fe.add(f+".ends_at", "must not be before the start time")
		}
	}
	return fe.err("round")
}

func checkParticipants(fe fieldErrors, field string, ps []Participant, most int) {
	if len(ps) > most {
		fe.add(field, "must have at most %d people", most)
	}
	seen := map[string]bool{}
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if p.PersonID == "" {
			fe.add(f+".person_id", "is required")
		}
		limitText(fe, f+".person_id", p.PersonID, 40)
		if p.Side != SideHome && p.Side != SidePartner {
			fe.add(f+".side", "must be home or partner")
		}
		if seen[p.PersonID] {
			fe.add(f+".person_id", "is listed twice")
		}
		seen[p.PersonID] = true
	}
}

// Action statuses.
const (
	ActionNotStarted = "not_started"
	ActionOnTrack    = "on_track"
	ActionAtRisk     = "at_risk"
	ActionComplete   = "complete"
	ActionDropped    = "dropped"
)

// ActionStatuses lists the statuses an action may have.
var ActionStatuses = []string{ActionNotStarted, ActionOnTrack, ActionAtRisk, ActionComplete, ActionDropped}

// Action is a commitment agreed in a dialogue, tracked to completion.
type Action struct {
	Meta
	DialogueID      string `json:"dialogue_id"`
	Ref             string `json:"ref"`
	Text            string `json:"text"`
	OwnerAgencyID   string `json:"owner_agency_id"`
	RaisedInRoundID string `json:"raised_in_round_id"`
	DueOn           string `json:"due_on"`
	Status          string `json:"status"`
	// Marking is the action's own; by default that of the round it was
	// raised in (see View.ActionMarking), filled in when it is saved.
	Marking string `json:"marking"`
}

// Open reports whether the action is still to be done.
func (a *Action) Open() bool { return a.Status != ActionComplete && a.Status != ActionDropped }

// Validate checks an action's fields against the settings.
func (a *Action) Validate(s Settings) error {
	fe := fieldErrors{}
	requireText(fe, "ref", a.Ref, 40)
	a.Ref, a.Text = CleanText(a.Ref), CleanText(a.Text)
	requireText(fe, "text", a.Text, 5000)
	noSpans(fe, "ref", a.Ref)
	s.checkSpans(fe, "text", a.Text)
	limitText(fe, "owner_agency_id", a.OwnerAgencyID, 40)
	limitText(fe, "raised_in_round_id", a.RaisedInRoundID, 40)
	if a.DueOn != "" {
		checkDate(fe, "due_on", a.DueOn)
	}
	if a.Status == "" {
		a.Status = ActionNotStarted
	}
	if !oneOf(a.Status, ActionStatuses) {
		fe.add("status", "must be one of %s", strings.Join(ActionStatuses, ", "))
	}
	if a.Marking != "" {
		s.checkMarking(fe, "marking", a.Marking)
	}
	return fe.err("action")
}

// Role is what a user may do; each role has every right of those before it.
type Role string

// Roles, low to high.
const (
	RoleViewer      Role = "viewer"
	RoleOfficer     Role = "officer"
	RoleLead        Role = "lead"
	RoleSecretariat Role = "secretariat"
	RoleAdmin       Role = "admin"
)

// Roles lists the roles low to high.
var Roles = []Role{RoleViewer, RoleOfficer, RoleLead, RoleSecretariat, RoleAdmin}

// Rank returns the role's place in Roles, or -1 if it is not a role.
func (r Role) Rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// AtLeast reports whether r has every right of min.
func (r Role) AtLeast(min Role) bool { return r.Rank() >= 0 && r.Rank() >= min.Rank() }

// User is someone who signs in.
type User struct {
	Meta
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	Clearance string `json:"clearance"`
	Disabled  bool   `json:"disabled"`
	// PasswordHash is an encoded argon2id hash; it never leaves the store or server.
	PasswordHash string `json:"-"`
}

// clockTime is a local time of day, HH:MM.
var clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

var userName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// Validate checks a user's fields against the settings.
func (u *User) Validate(s Settings) error {
	fe := fieldErrors{}
	if !userName.MatchString(u.Name) {
		fe.add("name", "must be 1 to 64 letters, digits or . _ @ -, starting with a letter or digit")
	}
	if u.Role.Rank() < 0 {
		fe.add("role", "must be one of viewer, officer, lead, secretariat, admin")
	}
	s.checkMarking(fe, "clearance", u.Clearance)
	return fe.err("user")
}

// Actor is who makes a change, as recorded in the audit log.
type Actor struct {
	UserID string
	Name   string
}

// AuditRecord answers who changed what, when, from which version to which.
type AuditRecord struct {
	// Seq is the record's place in the log. It counts every write, those
	// of objects above the reader too, and is never shown: the next
	// page's cursor after the record is Cursor, sealed by the store.
	Seq         uint64    `json:"-"`
	Cursor      string    `json:"-"`
	At          time.Time `json:"at"`
	UserID      string    `json:"user_id"`
	UserName    string    `json:"user"`
	Op          string    `json:"op"` // create, update, delete
	Kind        string    `json:"kind"`
	ObjectID    string    `json:"object_id"`
	FromVersion int       `json:"from_version"`
	ToVersion   int       `json:"to_version"`
	// Seen is the lowest clearance that sees what the change did
	// (SeenFrom); "" when whoever sees the object sees it. It is kept with
	// the record but not shown: a reader is shown only the records they see.
	Seen string `json:"-"`
}

func requireText(fe fieldErrors, field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		fe.add(field, "is required")
		return
	}
	limitText(fe, field, v, max)
}

func limitText(fe fieldErrors, field, v string, max int) {
	if !utf8.ValidString(v) {
		fe.add(field, "must be valid UTF-8 text")
	} else if utf8.RuneCountInString(v) > max {
		fe.add(field, "must be at most %d characters", max)
	} else if strings.ContainsRune(v, 0) {
		fe.add(field, "must not contain NUL characters")
	}
}

// CleanText is a text without the control characters it has no use for: a
// page break, a word processor's line break and Unicode's line and
// paragraph separators break the line there, and any other control
// character but the tab, the line break and the carriage return is
// dropped. They mean nothing to a reader, and went into the packs as they
// were (the HTML file holding bytes no browser shows, a terminal's escapes
// among them). Saves clean every text a pack or a page shows (a one-line
// field that refuses line breaks refuses what is left); they clean rather
// than refuse, as a sheet stored before held them, in paragraphs its next
// writer may not see.
func CleanText(t string) string {
	if strings.IndexFunc(t, unclean) < 0 {
		return t
	}
	return strings.Map(func(r rune) rune {
		if badControl(r) {
			return -1
		}
		return r
	}, pastedBreaks.Replace(t))
}

// pastedBreaks are the breaks a pasted text may hold other than the line
// break: a page's (form feed), a word processor's line break (vertical
// tab), the next-line control and Unicode's line and paragraph separators.
var pastedBreaks = strings.NewReplacer("\f", "\n", "\v", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n\n")

func unclean(r rune) bool { return badControl(r) || r == '\u2028' || r == '\u2029' }

// badControl tells a control character a text of several lines has no use
// for: any but the line break, the carriage return and the tab.
func badControl(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }

// checkDate adds a field error unless v is a YYYY-MM-DD date, and returns
// it. Year 0000 parses but is refused: no calendar, pack or letter can
// write it (the iCalendar feed, for one, holds years 0001 to 9999).
func checkDate(fe fieldErrors, field, v string) time.Time {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.add(field, "must be a date written YYYY-MM-DD")
	} else if t.Year() < 1 {
		fe.add(field, "must be a date from 0001-01-01 to 9999-12-31")
		return time.Time{}
	}
	return t
}

// noControl refuses control characters (a tab aside) in a one-line field:
// they mean nothing to a reader, and a calendar or other export that
// writes the field cannot hold them.
func noControl(fe fieldErrors, field, v string) {
	if strings.IndexFunc(v, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0 {
		fe[field] = "must not contain control characters or line breaks" // over limitText's, which allows line breaks
	}
}

func oneOf(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// noSpans refuses "{{" and "}}" in a field that is printed as it is, in the
// release edition too: a withheld span there would be released verbatim, and
// a stray brace would block every release of the round later.
func noSpans(fe fieldErrors, field, v string) {
	if strings.Contains(v, "{{") || strings.Contains(v, "}}") {
		fe.add(field, "must not contain {{ or }}: withheld words belong in a paragraph's text")
	}
}

// checkSpans refuses a field whose withheld spans do not parse: free text
// that the release edition redacts as it redacts paragraphs.
func (s Settings) checkSpans(fe fieldErrors, field, v string) {
	if _, err := s.ParseSpans(v); err != nil {
		fe.add(field, "%s", ErrorMessage(err))
	}
}

// StatusLabel is how a status is written for people, as the sources write
// it: "On track", not on_track. Packs and pages print it; the API keeps the code.
func StatusLabel(status string) string {
	if status == "" {
		return ""
	}
	w := strings.ReplaceAll(status, "_", " ")
	return strings.ToUpper(w[:1]) + w[1:]
}
