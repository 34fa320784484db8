package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// crud drives the create, read, update and delete methods of one kind
// through the same checks.
type crud[T any, P interface {
	*T
	briefing.Object
}] struct {
	kind string
	// fresh returns a new, unsaved object, creating its parents.
	fresh func(tb testing.TB, db *store.DB) P
	// The kind's methods, as method expressions: (*store.DB).Sheet.
	get    func(*store.DB, context.Context, string) (P, error)
	create func(*store.DB, context.Context, P, briefing.Actor) error
	update func(*store.DB, context.Context, P, briefing.Actor) error
	remove func(*store.DB, context.Context, string, int, briefing.Actor) error
	// edit changes one field to s; edited reads it back.
	edit   func(P, string)
	edited func(P) string
}

// malformedIDs are ids no object has; none may panic.
var malformedIDs = []string{"", "0", "01", "-1", "+1", " 1", "1 ", "x", "1e3", "0x10", "18446744073709551616", "99999", "1/2"}

// asJSON renders an object as it is served, to compare what was stored.
func asJSON(tb testing.TB, v any) string {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

func (c crud[T, P]) run(t *testing.T) {
	t.Run("Create", func(t *testing.T) {
		db := MustOpenDB(t)
		obj := c.fresh(t, db)
		if err := c.create(db, ctx, obj, alice); err != nil {
			t.Fatal(err)
		}
		m := obj.GetMeta()
		if m.ID != "1" || m.Version != 1 || m.CreatedAt.IsZero() || !m.CreatedAt.Equal(m.UpdatedAt) || m.UpdatedBy != "alice" {
			t.Fatalf("created %s: %+v", c.kind, *m)
		}
		got, err := c.get(db, ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if asJSON(t, got) != asJSON(t, obj) {
			t.Fatalf("stored %s\n%s\nread back\n%s", c.kind, asJSON(t, obj), asJSON(t, got))
		}
		second := c.fresh(t, db)
		if err := c.create(db, ctx, second, alice); err != nil {
			t.Fatal(err)
		}
		if second.GetMeta().ID != "2" {
			t.Fatalf("second %s has id %q", c.kind, second.GetMeta().ID)
		}
	})

	t.Run("Get", func(t *testing.T) {
		t.Run("ErrNotFound", func(t *testing.T) {
			db := MustOpenDB(t)
			if err := c.create(db, ctx, c.fresh(t, db), alice); err != nil {
				t.Fatal(err)
			}
			for _, id := range malformedIDs {
				got, err := c.get(db, ctx, id)
				if got != nil {
					t.Fatalf("%q: got %+v", id, got)
				}
				assertError(t, err, briefing.ENOTFOUND, "")
			}
			_, err := c.get(db, ctx, "2")
			assertError(t, err, briefing.ENOTFOUND, c.kind+" 2 not found")
			_, err = c.get(db, ctx, "x")
			assertError(t, err, briefing.ENOTFOUND, c.kind+` "x" not found`)
		})
	})

	t.Run("Update", func(t *testing.T) {
		db := MustOpenDB(t)
		obj := c.fresh(t, db)
		if err := c.create(db, ctx, obj, alice); err != nil {
			t.Fatal(err)
		}
		created := *obj.GetMeta()

		t.Run("OK", func(t *testing.T) {
			edit := P(new(T))
			*edit = *obj
			c.edit(edit, "second")
			if err := c.update(db, ctx, edit, briefing.Actor{UserID: "2", Name: "bob"}); err != nil {
				t.Fatal(err)
			}
			m := edit.GetMeta()
			if m.ID != created.ID || m.Version != 2 || !m.CreatedAt.Equal(created.CreatedAt) || !m.UpdatedAt.After(created.UpdatedAt) || m.UpdatedBy != "bob" {
				t.Fatalf("updated meta %+v, created %+v", *m, created)
			}
			got, err := c.get(db, ctx, created.ID)
			if err != nil || c.edited(got) != "second" || got.GetMeta().Version != 2 || asJSON(t, got) != asJSON(t, edit) {
				t.Fatalf("read back %+v, %v", got, err)
			}
		})

		t.Run("ErrStaleVersion", func(t *testing.T) {
			late := P(new(T))
			*late = *obj // still at version 1
			c.edit(late, "lost")
			err := c.update(db, ctx, late, alice)
			assertError(t, err, briefing.ESTALE, fmt.Sprintf("%s %s is at version 2, not 1: it was saved after you read it", c.kind, created.ID))
			if late.GetMeta().Version != 1 || c.edited(late) != "lost" {
				t.Fatalf("a refused update changed the caller's %s: %+v", c.kind, *late.GetMeta())
			}
			// A version ahead of the stored one was never saved at all.
			ahead := P(new(T))
			*ahead = *obj
			ahead.GetMeta().Version = 7
			assertError(t, c.update(db, ctx, ahead, alice), briefing.ESTALE, fmt.Sprintf("%s %s is at version 2, not 7: there is no version 7 yet", c.kind, created.ID))
			got, _ := c.get(db, ctx, created.ID)
			if c.edited(got) != "second" || got.GetMeta().Version != 2 {
				t.Fatalf("a stale update was written: %q version %d", c.edited(got), got.GetMeta().Version)
			}
			late.GetMeta().Version = 3
			assertError(t, c.update(db, ctx, late, alice), briefing.ESTALE, "")
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			for _, id := range malformedIDs {
				gone := P(new(T))
				*gone = *obj
				gone.GetMeta().ID = id
				assertError(t, c.update(db, ctx, gone, alice), briefing.ENOTFOUND, "")
				if gone.GetMeta().ID != id {
					t.Fatalf("a refused update changed the id %q to %q", id, gone.GetMeta().ID)
				}
			}
		})
	})

	t.Run("Delete", func(t *testing.T) {
		db := MustOpenDB(t)
		obj := c.fresh(t, db)
		if err := c.create(db, ctx, obj, alice); err != nil {
			t.Fatal(err)
		}
		id := obj.GetMeta().ID
		if err := c.update(db, ctx, obj, alice); err != nil {
			t.Fatal(err)
		}

		t.Run("ErrStaleVersion", func(t *testing.T) {
			err := c.remove(db, ctx, id, 1, alice)
			assertError(t, err, briefing.ESTALE, fmt.Sprintf("%s %s is at version 2, not 1: it was saved after you read it", c.kind, id))
			if _, err := c.get(db, ctx, id); err != nil {
				t.Fatalf("a stale delete removed it: %v", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			for _, bad := range malformedIDs {
				assertError(t, c.remove(db, ctx, bad, 0, alice), briefing.ENOTFOUND, "")
			}
		})
		t.Run("OK", func(t *testing.T) {
			if err := c.remove(db, ctx, id, 2, alice); err != nil {
				t.Fatal(err)
			}
			_, err := c.get(db, ctx, id)
			assertError(t, err, briefing.ENOTFOUND, c.kind+" "+id+" not found")
			assertError(t, c.remove(db, ctx, id, 0, alice), briefing.ENOTFOUND, c.kind+" "+id+" not found")
			// Ids are never handed out again.
			again := c.fresh(t, db)
			if err := c.create(db, ctx, again, alice); err != nil {
				t.Fatal(err)
			}
			if again.GetMeta().ID == id {
				t.Fatalf("id %s handed out again", id)
			}
		})
		t.Run("History", func(t *testing.T) {
			vs, err := db.Versions(ctx, c.kind, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 3 || vs[0].Version != 1 || vs[1].Version != 2 || vs[2].Version != 3 || !vs[2].Deleted || vs[2].Data != nil {
				t.Fatalf("versions %+v", vs)
			}
			var first T
			if err := json.Unmarshal(vs[0].Data, &first); err != nil || P(&first).GetMeta().Version != 1 || P(&first).GetMeta().ID != id {
				t.Fatalf("version 1 as saved: %s, %v", vs[0].Data, err)
			}
			if vs[0].By != "alice" || !vs[1].At.After(vs[0].At) || vs[0].Deleted {
				t.Fatalf("versions %+v", vs)
			}
		})
		t.Run("Audit", func(t *testing.T) {
			recs, _, err := db.Audit(ctx, briefing.Page{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var mine []*briefing.AuditRecord
			for _, r := range recs {
				if r.Kind == c.kind && r.ObjectID == id {
					mine = append(mine, r)
				}
			}
			want := []struct {
				op       string
				from, to int
			}{{"delete", 2, 0}, {"update", 1, 2}, {"create", 0, 1}} // newest first
			if len(mine) != len(want) {
				t.Fatalf("audit of %s %s: %d records", c.kind, id, len(mine))
			}
			for i, w := range want {
				r := mine[i]
				if r.Op != w.op || r.FromVersion != w.from || r.ToVersion != w.to || r.UserName != "alice" || r.UserID != "1" || r.At.IsZero() {
					t.Errorf("audit record %d: %+v, want %+v", i, *r, w)
				}
			}
		})
	})
}

func TestAgencyService_CRUD(t *testing.T) {
	crud[briefing.Agency, *briefing.Agency]{
		kind: briefing.KindAgency,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Agency {
			return &briefing.Agency{Name: "Department of the Prime Minister and Cabinet", Acronym: "DPMC", Country: "New Zealand"}
		},
		get:    (*store.DB).Agency,
		create: (*store.DB).CreateAgency,
		update: (*store.DB).UpdateAgency,
		remove: (*store.DB).DeleteAgency,
		edit:   func(a *briefing.Agency, s string) { a.Acronym = s },
		edited: func(a *briefing.Agency) string { return a.Acronym },
	}.run(t)
}

func TestPersonService_CRUD(t *testing.T) {
	crud[briefing.Person, *briefing.Person]{
		kind: briefing.KindPerson,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Person {
			return &briefing.Person{Name: "Hamish Cooper", Title: "Director", Country: "New Zealand",
				Bio: "Joined **DPMC** in 2016.", Marking: "UNCLASSIFIED"}
		},
		get:    (*store.DB).Person,
		create: (*store.DB).CreatePerson,
		update: (*store.DB).UpdatePerson,
		remove: (*store.DB).DeletePerson,
		edit:   func(p *briefing.Person, s string) { p.Bio = s },
		edited: func(p *briefing.Person) string { return p.Bio },
	}.run(t)
}

func TestDialogueService_CRUD(t *testing.T) {
	crud[briefing.Dialogue, *briefing.Dialogue]{
		kind: briefing.KindDialogue,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Dialogue {
			return &briefing.Dialogue{Name: "Japan–Australia Cyber Policy Dialogue", Home: "Australia", Partner: "Japan",
				Origin: "agreed at the leaders' meeting in Tokyo, 7 April 2014", CadenceMonths: 12, Milestones: briefing.DefaultMilestones}
		},
		get:    (*store.DB).Dialogue,
		create: (*store.DB).CreateDialogue,
		update: (*store.DB).UpdateDialogue,
		remove: (*store.DB).DeleteDialogue,
		edit:   func(d *briefing.Dialogue, s string) { d.Notes = s },
		edited: func(d *briefing.Dialogue) string { return d.Notes },
	}.run(t)
}

func TestRoundService_CRUD(t *testing.T) {
	crud[briefing.Round, *briefing.Round]{
		kind: briefing.KindRound,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Round {
			return &briefing.Round{DialogueID: mustDialogue(tb, db).ID, Number: 2, StartsOn: "2016-08-02", City: "Tokyo",
				Host: briefing.SidePartner, Status: briefing.RoundHeld, Marking: "UNCLASSIFIED",
				CoChairs: []briefing.Participant{{PersonID: "1", Side: briefing.SideHome}}, Agenda: []briefing.AgendaItem{{Title: "Cybercrime"}}}
		},
		get: (*store.DB).Round,
		create: func(db *store.DB, ctx context.Context, r *briefing.Round, by briefing.Actor) error {
			return db.CreateRound(ctx, r, by, nil)
		},
		update: func(db *store.DB, ctx context.Context, r *briefing.Round, by briefing.Actor) error {
			return db.UpdateRound(ctx, r, by, nil)
		},
		remove: (*store.DB).DeleteRound,
		edit:   func(r *briefing.Round, s string) { r.Outcomes = s },
		edited: func(r *briefing.Round) string { return r.Outcomes },
	}.run(t)
}

func TestSheetService_CRUD(t *testing.T) {
	crud[briefing.Sheet, *briefing.Sheet]{
		kind: briefing.KindSheet,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Sheet {
			r := mustRound(tb, db, mustDialogue(tb, db).ID, 1)
			return &briefing.Sheet{RoundID: r.ID, Title: "Cybercrime", Status: briefing.SheetDraft,
				Sections: []briefing.Section{{Kind: briefing.SectionCustom, Heading: "Our Counter Terrorism Approach",
					Paragraphs: []briefing.Paragraph{{Text: "Text.", Marking: "RESTRICTED", Withhold: "s6(a)"}}}}}
		},
		get:    (*store.DB).Sheet,
		create: (*store.DB).CreateSheet,
		update: (*store.DB).UpdateSheet,
		remove: (*store.DB).DeleteSheet,
		edit:   func(sh *briefing.Sheet, s string) { sh.Title = s },
		edited: func(sh *briefing.Sheet) string { return sh.Title },
	}.run(t)
}

func TestActionService_CRUD(t *testing.T) {
	crud[briefing.Action, *briefing.Action]{
		kind: briefing.KindAction,
		fresh: func(tb testing.TB, db *store.DB) *briefing.Action {
			return &briefing.Action{DialogueID: mustDialogue(tb, db).ID, Ref: "3.01", Text: "Share assessments.",
				DueOn: "2019-06-30", Status: briefing.ActionOnTrack}
		},
		get:    (*store.DB).Action,
		create: (*store.DB).CreateAction,
		update: (*store.DB).UpdateAction,
		remove: (*store.DB).DeleteAction,
		edit:   func(a *briefing.Action, s string) { a.Status = s },
		edited: func(a *briefing.Action) string { return a.Status },
	}.run(t)
}

func TestUserService_CRUD(t *testing.T) {
	n := 0
	crud[briefing.User, *briefing.User]{
		kind: briefing.KindUser,
		fresh: func(tb testing.TB, db *store.DB) *briefing.User {
			n++
			return &briefing.User{Name: fmt.Sprintf("officer%d", n), Role: briefing.RoleOfficer, Clearance: "SECRET", PasswordHash: "$argon2id$x"}
		},
		get:    (*store.DB).User,
		create: (*store.DB).CreateUser,
		update: (*store.DB).UpdateUser,
		remove: (*store.DB).DeleteUser,
		edit:   func(u *briefing.User, s string) { u.Clearance = s },
		edited: func(u *briefing.User) string { return u.Clearance },
	}.run(t)
}
