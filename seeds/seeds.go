// Package seeds holds briefpack's demo data, written for this project from
// the source documents and embedded in the binary: the New Zealand view
// (the Australia–New Zealand National Security Dialogue, 2018 round) and
// the Australian view (the Japan–Australia Cyber Policy Dialogue).
package seeds

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"

	"briefpack/briefing"
)

//go:embed data/*.json
var data embed.FS

// Login is a demo account printed by "briefpack serve --demo".
type Login struct {
	Name      string
	Password  string // "" for an account that is Disabled
	Role      briefing.Role
	Clearance string
	// Disabled is an account an administrator disabled: it cannot sign in,
	// and the demo leaves it so.
	Disabled bool
}

// demoUsers are the demo accounts: one per role, cleared per jurisdiction.
var demoUsers = map[string][]struct {
	role      briefing.Role
	clearance string
}{
	"nz": {{briefing.RoleViewer, "RESTRICTED"}, {briefing.RoleOfficer, "SECRET"}, {briefing.RoleLead, "TOP SECRET"},
		{briefing.RoleSecretariat, "SECRET"}, {briefing.RoleAdmin, "TOP SECRET"}},
	"au": {{briefing.RoleViewer, "OFFICIAL:Sensitive"}, {briefing.RoleOfficer, "SECRET"}, {briefing.RoleLead, "TOP SECRET"},
		{briefing.RoleSecretariat, "SECRET"}, {briefing.RoleAdmin, "TOP SECRET"}},
}

// file is the shape of a seed file: objects refer to each other by "ref".
type file struct {
	Agencies []struct {
		Ref string `json:"ref"`
		briefing.Agency
	} `json:"agencies"`
	People []struct {
		Ref    string `json:"ref"`
		Agency string `json:"agency"`
		briefing.Person
	} `json:"people"`
	Dialogue briefing.Dialogue `json:"dialogue"`
	Rounds   []struct {
		Ref string `json:"ref"`
		briefing.Round
		CoChairs   []participant `json:"co_chairs"`
		Delegation []participant `json:"delegation"`
		// Agencies taking part, by ref and side.
		Agencies []struct {
			Agency string `json:"agency"`
			Side   string `json:"side"`
		} `json:"agencies"`
		Agenda []struct {
			Title string `json:"title"`
			Sheet string `json:"sheet"`
		} `json:"agenda"`
	} `json:"rounds"`
	Sheets []struct {
		Ref   string `json:"ref"`
		Round string `json:"round"`
		briefing.Sheet
	} `json:"sheets"`
	Actions []struct {
		Owner    string `json:"owner"`
		RaisedIn string `json:"raised_in"`
		briefing.Action
	} `json:"actions"`
}

type participant struct {
	Person string `json:"person"`
	Side   string `json:"side"`
}

// demo is the author of every demo write.
var demo = briefing.Actor{Name: "demo"}

// Load writes the demo data of the store's jurisdiction into an empty
// store and returns one login per role, with fresh random passwords. A
// store that already holds anything — a user, an agency, a person or a
// dialogue — is refused with ECONFLICT: the demo's users, with passwords
// printed on the terminal, would otherwise take over accounts of the same
// names (an administrator made with "user add --name admin") and read
// what the store holds.
func Load(ctx context.Context, st briefing.Store, hash func(password string) (string, error)) ([]Login, error) {
	s, err := st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if what, err := Holds(ctx, st); err != nil {
		return nil, err
	} else if what != "" {
		return nil, briefing.Errorf(briefing.ECONFLICT, "the database holds %s already: the demo data loads only into an empty one", what)
	}
	raw, err := data.ReadFile("data/" + s.Jurisdiction + ".json")
	if err != nil {
		return nil, fmt.Errorf("seeds: no demo data for %s: %w", s.Jurisdiction, err)
	}
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("seeds: %s: %w", s.Jurisdiction, err)
	}
	// The users first: sheets are held by user id.
	logins, err := ResetLogins(ctx, st, hash, nil)
	if err != nil {
		return nil, err
	}
	if err := load(ctx, st, s, &f); err != nil {
		return nil, fmt.Errorf("seeds: %w", err)
	}
	return logins, nil
}

func load(ctx context.Context, st briefing.Store, s briefing.Settings, f *file) error {
	ids := map[string]string{}
	ref := func(kind, r string) (string, error) {
		if r == "" {
			return "", nil
		}
		id, ok := ids[kind+":"+r]
		if !ok {
			return "", fmt.Errorf("unknown %s %q", kind, r)
		}
		return id, nil
	}
	for _, a := range f.Agencies {
		ag := a.Agency
		if err := ag.Validate(); err != nil {
			return fmt.Errorf("agency %s: %v", a.Ref, briefing.ErrorFields(err))
		}
		if err := st.CreateAgency(ctx, &ag, demo); err != nil {
			return err
		}
		ids["agency:"+a.Ref] = ag.ID
	}
	for _, p := range f.People {
		pe := p.Person
		var err error
		if pe.AgencyID, err = ref("agency", p.Agency); err != nil {
			return err
		}
		if err := pe.Validate(s); err != nil {
			return fmt.Errorf("person %s: %v", p.Ref, briefing.ErrorFields(err))
		}
		if err := st.CreatePerson(ctx, &pe, demo); err != nil {
			return err
		}
		ids["person:"+p.Ref] = pe.ID
	}
	d := f.Dialogue
	if err := d.Validate(); err != nil {
		return fmt.Errorf("dialogue: %v", briefing.ErrorFields(err))
	}
	if err := st.CreateDialogue(ctx, &d, demo); err != nil {
		return err
	}
	rounds := map[string]*briefing.Round{}
	for _, r := range f.Rounds {
		ro := r.Round
		ro.DialogueID = d.ID
		for _, list := range []struct {
			from []participant
			to   *[]briefing.Participant
		}{{r.CoChairs, &ro.CoChairs}, {r.Delegation, &ro.Delegation}} {
			for _, p := range list.from {
				id, err := ref("person", p.Person)
				if err != nil {
					return err
				}
				*list.to = append(*list.to, briefing.Participant{PersonID: id, Side: p.Side})
			}
		}
		ro.ParticipatingAgencies = nil
		for _, a := range r.Agencies {
			id, err := ref("agency", a.Agency)
			if err != nil {
				return err
			}
			ro.ParticipatingAgencies = append(ro.ParticipatingAgencies, briefing.AgencySide{AgencyID: id, Side: a.Side})
		}
		ro.Agenda = nil
		if err := ro.Validate(s); err != nil {
			return fmt.Errorf("round %s: %v", r.Ref, briefing.ErrorFields(err))
		}
		if err := st.CreateRound(ctx, &ro, demo, nil); err != nil {
			return err
		}
		ids["round:"+r.Ref] = ro.ID
		rounds[r.Ref] = &ro
	}
	for _, sh := range f.Sheets {
		t := sh.Sheet
		var err error
		if t.RoundID, err = ref("round", sh.Round); err != nil {
			return err
		}
		if t.Owner != "" {
			u, err := st.UserByName(ctx, t.Owner)
			if err != nil {
				return fmt.Errorf("sheet %s: owner %s: %w", sh.Ref, t.Owner, err)
			}
			t.OwnerID = u.ID
		}
		if err := t.Validate(s); err != nil {
			return fmt.Errorf("sheet %s: %v", sh.Ref, briefing.ErrorFields(err))
		}
		if err := st.CreateSheet(ctx, &t, demo); err != nil {
			return err
		}
		ids["sheet:"+sh.Ref] = t.ID
	}
	// The agendas name sheets, which exist only now.
	for _, r := range f.Rounds {
		if len(r.Agenda) == 0 {
			continue
		}
		ro := rounds[r.Ref]
		for _, a := range r.Agenda {
			id, err := ref("sheet", a.Sheet)
			if err != nil {
				return err
			}
			ro.Agenda = append(ro.Agenda, briefing.AgendaItem{Title: a.Title, SheetID: id})
		}
		if err := st.UpdateRound(ctx, ro, demo, nil); err != nil {
			return err
		}
	}
	for _, a := range f.Actions {
		ac := a.Action
		ac.DialogueID = d.ID
		var err error
		if ac.OwnerAgencyID, err = ref("agency", a.Owner); err != nil {
			return err
		}
		if ac.RaisedInRoundID, err = ref("round", a.RaisedIn); err != nil {
			return err
		}
		if err := ac.Validate(s); err != nil {
			return fmt.Errorf("action %s: %v", ac.Ref, briefing.ErrorFields(err))
		}
		if err := st.CreateAction(ctx, &ac, demo); err != nil {
			return err
		}
	}
	return nil
}

// Holds returns what a store holds that Load refuses to load beside
// ("dialogues", "users", "agencies" or "people", the first found), or ""
// for a store Load loads into. It only reads.
func Holds(ctx context.Context, st briefing.Store) (string, error) {
	one := briefing.Page{Limit: 1}
	for _, kind := range []struct {
		what  string
		count func() (int, error)
	}{
		{"dialogues", func() (int, error) { l, _, err := st.Dialogues(ctx, one); return len(l), err }},
		{"users", func() (int, error) { l, _, err := st.Users(ctx, one); return len(l), err }},
		{"agencies", func() (int, error) { l, _, err := st.Agencies(ctx, one); return len(l), err }},
		{"people", func() (int, error) { l, _, err := st.People(ctx, one); return len(l), err }},
	} {
		if n, err := kind.count(); err != nil {
			return "", err
		} else if n > 0 {
			return kind.what, nil
		}
	}
	return "", nil
}

// IsDemo reports whether a store holds the demo data: its first dialogue
// was created by the demo loader. Serving a real database with --demo must
// not add demo accounts to it.
func IsDemo(ctx context.Context, st briefing.Store) (bool, error) {
	ds, _, err := st.Dialogues(ctx, briefing.Page{Limit: 1})
	if err != nil || len(ds) == 0 {
		return false, err
	}
	vs, err := st.Versions(ctx, briefing.KindDialogue, ds[0].ID)
	if err != nil {
		return false, err
	}
	return len(vs) > 0 && vs[0].By == demo.Name, nil
}

// ResetLogins gives each demo user a new random password, creating the
// ones that do not exist yet: after Load, and again whenever a demo
// database is served anew, so there is always a login to print. A user for
// whom keep (when not nil) returns a password, one that still signs them
// in, keeps it and is not written. As any password reset does, a new one
// ends the user's sessions, on every server. A user an administrator
// disabled is left as they are, disabled, and returned so, without a
// password: the administrator meant it.
func ResetLogins(ctx context.Context, st briefing.Store, hash func(string) (string, error), keep func(*briefing.User) string) ([]Login, error) {
	s, err := st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []Login
	for _, du := range demoUsers[s.Jurisdiction] {
		u, err := st.UserByName(ctx, string(du.role))
		switch briefing.ErrorCode(err) {
		case "":
		case briefing.ENOTFOUND:
			u = nil
		default:
			return nil, err
		}
		switch {
		case u != nil && u.Disabled:
			out = append(out, Login{Name: u.Name, Role: u.Role, Clearance: u.Clearance, Disabled: true})
			continue
		case u != nil && keep != nil:
			if pw := keep(u); pw != "" {
				out = append(out, Login{Name: u.Name, Password: pw, Role: u.Role, Clearance: u.Clearance})
				continue
			}
		}
		pw := password()
		h, err := hash(pw)
		if err != nil {
			return nil, err
		}
		if u != nil {
			u.PasswordHash = h
			err = st.UpdateUser(ctx, u, demo) // ends the sessions of the old password
		} else {
			u = &briefing.User{Name: string(du.role), Role: du.role, Clearance: du.clearance, PasswordHash: h}
			err = st.CreateUser(ctx, u, demo)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Login{Name: u.Name, Password: pw, Role: u.Role, Clearance: u.Clearance})
	}
	return out, nil
}

// password returns a random 20-character password.
func password() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
