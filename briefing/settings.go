package briefing

import "strings"

// Settings are fixed when a database is created: whose government briefpack
// speaks for, its protective markings and its withholding grounds.
type Settings struct {
	Jurisdiction string   `json:"jurisdiction"` // "nz" or "au"
	Home         string   `json:"home"`         // e.g. "New Zealand"
	Markings     []string `json:"markings"`     // ordered low to high
	Grounds      []string `json:"grounds"`      // withholding grounds under the Act
	Act          string   `json:"act"`          // named on release editions
	PortionMarks []string `json:"portion_marks"`
	// Instance names the database, made at random when it is created (or
	// first opened by a briefpack that names databases) and kept for ever:
	// what it publishes, such as calendar events, is told apart from
	// another database's by it, whichever server or address serves it.
	Instance string `json:"instance,omitempty"`
}

// Jurisdictions lists the jurisdictions a database can be created for.
var Jurisdictions = []string{"nz", "au"}

// SettingsFor returns the settings of a jurisdiction, or EINVALID.
func SettingsFor(jurisdiction string) (Settings, error) {
	switch jurisdiction {
	case "nz":
		return Settings{
			Jurisdiction: "nz",
			Home:         "New Zealand",
			Markings:     []string{"UNCLASSIFIED", "IN-CONFIDENCE", "SENSITIVE", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"},
			PortionMarks: []string{"U", "IC", "SENS", "R", "C", "S", "TS"},
			Grounds:      []string{"s6(a)", "s6(b)(i)", "s6(b)(ii)", "s6(c)", "s6(d)", "s9(2)(a)", "s9(2)(b)(ii)", "s9(2)(f)(iv)", "s9(2)(g)(i)", "s9(2)(h)"},
			Act:          "Official Information Act 1982",
		}, nil
	case "au":
		return Settings{
			Jurisdiction: "au",
			Home:         "Australia",
			Markings:     []string{"UNOFFICIAL", "OFFICIAL", "OFFICIAL:Sensitive", "PROTECTED", "SECRET", "TOP SECRET"},
			PortionMarks: []string{"UO", "O", "OS", "P", "S", "TS"},
			Grounds:      []string{"s33(a)(i)", "s33(a)(iii)", "s33(b)", "s34", "s37", "s47C", "s47E", "s47F"},
			Act:          "Freedom of Information Act 1982",
		}, nil
	}
	return Settings{}, &Error{Code: EINVALID, Message: "unknown jurisdiction " + quote(jurisdiction) + ": use nz or au",
		Fields: map[string]string{"jurisdiction": "must be nz or au"}}
}

// Level returns the rank of a marking in the scheme (0 = lowest) and whether
// the marking belongs to the scheme at all.
func (s Settings) Level(marking string) (int, bool) {
	for i, m := range s.Markings {
		if m == marking {
			return i, true
		}
	}
	return -1, false
}

// Lowest returns the lowest marking of the scheme.
func (s Settings) Lowest() string { return s.Markings[0] }

// Top returns the highest marking of the scheme: a reader cleared to it sees
// everything.
func (s Settings) Top() string { return s.Markings[len(s.Markings)-1] }

// Highest returns the higher of two markings of the scheme; an empty or unknown
// marking counts as the lowest.
func (s Settings) Highest(a, b string) string {
	la, _ := s.Level(a)
	lb, _ := s.Level(b)
	if la < 0 && lb < 0 {
		return s.Lowest()
	}
	if lb > la {
		return b
	}
	return a
}

// Allows is the clearance rule: a reader cleared to clearance may see content
// bearing marking. An unknown clearance sees nothing; an unknown marking is
// treated as the highest, so a bad record fails closed.
func (s Settings) Allows(clearance, marking string) bool {
	c, ok := s.Level(clearance)
	if !ok {
		return false
	}
	m, ok := s.Level(marking)
	if !ok {
		return false
	}
	return m <= c
}

// PortionMark returns the short mark printed before a paragraph, e.g. "(R)".
func (s Settings) PortionMark(marking string) string {
	if i, ok := s.Level(marking); ok && i < len(s.PortionMarks) {
		return "(" + s.PortionMarks[i] + ")"
	}
	return "(" + marking + ")"
}

// PortionMarking is PortionMark read backwards: the marking whose portion
// mark is exactly mark ("(S)" → "SECRET"), or "" if no marking of the
// scheme prints it. Only the marks the app itself prints are read, in
// their own case: "(s)" or "(c)" may as well number a list.
func (s Settings) PortionMarking(mark string) string {
	for _, m := range s.Markings {
		if s.PortionMark(m) == mark {
			return m
		}
	}
	return ""
}

// ValidGround reports whether g is a withholding ground of the jurisdiction.
func (s Settings) ValidGround(g string) bool {
	for _, x := range s.Grounds {
		if x == g {
			return true
		}
	}
	return false
}

// NormalizeGround returns the jurisdiction's spelling of a ground typed in
// any case ("S6(a)" → "s6(a)"), or "" if it is not one.
func (s Settings) NormalizeGround(g string) string {
	g = strings.TrimSpace(g)
	for _, x := range s.Grounds {
		if strings.EqualFold(x, g) {
			return x
		}
	}
	return ""
}

// checkMarking adds a field error unless m is a marking of the scheme.
func (s Settings) checkMarking(fe fieldErrors, field, m string) {
	if _, ok := s.Level(m); !ok {
		fe.add(field, "must be one of %s", strings.Join(s.Markings, ", "))
	}
}

// checkGround adds a field error unless g is empty or a ground of the jurisdiction.
func (s Settings) checkGround(fe fieldErrors, field, g string) {
	if g != "" && !s.ValidGround(g) {
		fe.add(field, "must be empty or one of %s", strings.Join(s.Grounds, ", "))
	}
}

func quote(s string) string { return "\"" + s + "\"" }

// NormalizeOrSame returns the jurisdiction's spelling of a ground, or g
// itself when it is not one, for comparing what a writer sent with what is stored.
func NormalizeOrSame(s Settings, g string) string {
	if n := s.NormalizeGround(g); n != "" {
		return n
	}
	return g
}
