package briefing

import (
	"context"
	"slices"
	"strings"
	"time"
)

// KindRelease names a release record in errors and the audit log.
const KindRelease = "release"

// Decisions on a part of a pack or a document in scope of a request.
const (
	DecisionReleased       = "released"
	DecisionReleasedInPart = "released_in_part"
	DecisionWithheld       = "withheld"
	DecisionOutOfScope     = "out_of_scope"
)

// Decisions lists the decisions a part or other document may carry.
var Decisions = []string{DecisionReleased, DecisionReleasedInPart, DecisionWithheld, DecisionOutOfScope}

// DecisionLabel is a decision as a schedule writes it: "Released in part".
func DecisionLabel(d string) string {
	switch d {
	case DecisionReleased:
		return "Released in full"
	case DecisionReleasedInPart:
		return "Released in part"
	case DecisionWithheld:
		return "Withheld in full"
	}
	return "Out of scope"
}

// Parts lists the parts of a pack besides its topic sheets, in pack order.
var Parts = []string{"cover", "agenda", "delegations", "biographies", "actions", "outcomes"}

// PartDecision is the decision on one part of the pack.
type PartDecision struct {
	Decision string   `json:"decision"`
	Grounds  []string `json:"grounds"`
}

// OtherDocument is a document in scope of a request held outside briefpack.
type OtherDocument struct {
	Title string `json:"title"`
	// TitleWithheld withholds the title too, whatever the decision on the
	// content (true with "released" is refused); left out, a document
	// withheld in full has its title withheld, as 003's were.
	TitleWithheld *bool    `json:"title_withheld"`
	Decision      string   `json:"decision"`
	Grounds       []string `json:"grounds"`
}

// Release is a response to a request for official information, frozen when
// made: the letter, the schedule and the released documents, byte for byte.
type Release struct {
	Meta
	RoundID            string                  `json:"round_id"`
	Number             int                     `json:"number"`
	Reference          string                  `json:"reference"`
	ReceivedOn         string                  `json:"received_on"` // YYYY-MM-DD
	Request            string                  `json:"request"`
	DecisionMaker      string                  `json:"decision_maker"`
	DecisionMakerTitle string                  `json:"decision_maker_title"`
	AsOneDocument      bool                    `json:"as_one_document"`
	Parts              map[string]PartDecision `json:"parts"`
	OtherDocuments     []OtherDocument         `json:"other_documents"`
	MadeBy             string                  `json:"made_by"`
	// Marking is the highest marking the round held when the release was
	// made, by the full pack of its maker, who saw the whole round: only a
	// reader cleared to it may read the release, which may hold words of
	// that marking whatever the round holds since. Empty for a release
	// made before 2026-11-28, which is judged by the round as it is now.
	Marking string `json:"marking,omitempty"`
	// Count and Schedule are the letter's count sentence and its schedule,
	// as rendered when the record was made.
	Count    string            `json:"count"`
	Schedule []ResponseEntry   `json:"schedule"`
	SHA256   map[string]string `json:"sha256"`
}

// ReleaseService keeps release records.
type ReleaseService interface {
	// CreateRelease stores a release record and its files (format → bytes),
	// numbering it within its round: ENOTFOUND for the round.
	CreateRelease(ctx context.Context, r *Release, files map[string][]byte, by Actor) error
	// Release returns one release record, or ENOTFOUND.
	Release(ctx context.Context, id string) (*Release, error)
	// ReleaseFile returns the stored bytes of one format, or ENOTFOUND.
	ReleaseFile(ctx context.Context, id, format string) ([]byte, error)
	// Releases lists a round's release records, oldest first.
	Releases(ctx context.Context, roundID string, p Page) ([]*Release, string, error)
}

// Normalize fills the default decisions (out of scope for every part) and
// spells grounds as the jurisdiction does; EINVALID lists what is wrong.
func (r *Release) Normalize(s Settings) error { return r.normalize(s, time.Time{}) }

// NormalizeDated is Normalize for a letter dated on letter's day (UTC, as
// the letter prints it), which also refuses a request received after
// that day: a letter cannot answer a request not yet received, and a
// mistyped year, frozen in the release, could not be corrected after.
func (r *Release) NormalizeDated(s Settings, letter time.Time) error { return r.normalize(s, letter) }

func (r *Release) normalize(s Settings, letter time.Time) error {
	fe := fieldErrors{}
	r.Reference = strings.TrimSpace(CleanText(r.Reference))
	r.Request = strings.TrimSpace(CleanText(r.Request))
	r.DecisionMaker = strings.TrimSpace(CleanText(r.DecisionMaker))
	r.DecisionMakerTitle = strings.TrimSpace(CleanText(r.DecisionMakerTitle))
	if r.Reference == "" {
		fe.add("reference", "is required")
	}
	if r.Request == "" {
		fe.add("request", "is required: the requester's words")
	}
	if r.DecisionMaker == "" {
		fe.add("decision_maker", "is required")
	}
	// The letter and the schedule print these as written, in the file
	// released: a withheld span in one would be released word for word.
	for _, f := range [][2]string{{"reference", r.Reference}, {"request", r.Request},
		{"decision_maker", r.DecisionMaker}, {"decision_maker_title", r.DecisionMakerTitle}} {
		noSpans(fe, f[0], f[1])
	}
	if _, err := time.Parse("2006-01-02", r.ReceivedOn); err != nil {
		fe.add("received_on", "must be a date, YYYY-MM-DD")
	} else if t := checkDate(fe, "received_on", r.ReceivedOn); !letter.IsZero() && t.After(letter.UTC()) {
		fe.add("received_on", "must not be after the letter's date, %s: the request is answered after it is received", letter.UTC().Format("2 January 2006"))
	}
	if r.Parts == nil {
		r.Parts = map[string]PartDecision{}
	}
	for k := range r.Parts {
		if !slices.Contains(Parts, k) {
			fe.add("parts."+k, "is not a part: use %s", strings.Join(Parts, ", "))
		}
	}
	for _, k := range Parts {
		d, ok := r.Parts[k]
		if !ok || d.Decision == "" {
			d.Decision = DecisionOutOfScope
		}
		d.Decision = normalizeDecision(d.Decision)
		d.Grounds = checkDecision(s, fe, "parts."+k, d.Decision, d.Grounds)
		r.Parts[k] = d
	}
	for i := range r.OtherDocuments {
		o := &r.OtherDocuments[i]
		f := "other_documents[" + itoa(i) + "]" // named as the body's paths are, as a 400 names them
		o.Title = strings.TrimSpace(CleanText(o.Title))
		if o.Title == "" {
			fe.add(f+".title", "is required")
		}
		noSpans(fe, f+".title", o.Title)
		o.Decision = normalizeDecision(o.Decision)
		o.Grounds = checkDecision(s, fe, f, o.Decision, o.Grounds)
		switch {
		case o.TitleWithheld == nil:
			// Left out, a document withheld in full has its title withheld.
			withheld := o.Decision == DecisionWithheld
			o.TitleWithheld = &withheld
		case *o.TitleWithheld && o.Decision == DecisionReleased:
			// A document whose title is withheld is not released in full:
			// dropping either word would release a title or misstate the
			// decision, so the lead says which they meant.
			fe.add(f+".title_withheld", "cannot be true for a document released in full: its title withheld, it is released in part")
		}
	}
	return fe.err("the release")
}

// normalizeDecision accepts a decision as people write it: "withheld in
// full", "Released-in-part", "released_in_full".
func normalizeDecision(d string) string {
	d = strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(d)))
	switch d {
	case "withheld_in_full", "refused":
		return DecisionWithheld
	case "released_in_full", "release":
		return DecisionReleased
	case "in_part", "partially_released", "part_released":
		return DecisionReleasedInPart
	case "not_in_scope", "outside_scope":
		return DecisionOutOfScope
	}
	return d
}

func checkDecision(s Settings, fe fieldErrors, field, decision string, grounds []string) []string {
	if !slices.Contains(Decisions, decision) {
		fe.add(field+".decision", "must be one of %s", strings.Join(Decisions, ", "))
	}
	out := []string{}
	for j, g := range grounds {
		n := s.NormalizeGround(g)
		if n == "" || !s.ValidGround(n) {
			fe.add(field+".grounds["+itoa(j)+"]", "must be one of %s", strings.Join(s.Grounds, ", "))
			continue
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if (decision == DecisionWithheld || decision == DecisionReleasedInPart) && len(grounds) == 0 {
		fe.add(field+".grounds", "needs at least one ground for %s", decision)
	}
	if (decision == DecisionReleased || decision == DecisionOutOfScope) && len(grounds) > 0 {
		fe.add(field+".grounds", "must be empty for %s", decision)
	}
	return out
}
