package store_test

import (
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/store"
)

// TestSessions: a session is kept under its hash; a touch moves its last
// sight; ending a user's sessions ends them all; and a touch of a session
// that has ended — signed out through another server between a request's
// read and its touch — is ENOTFOUND and does not bring it back.
func TestSessions(t *testing.T) {
	db := MustOpenDB(t)
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	officer, other := mustUser(t, db, "officer"), mustUser(t, db, "other")
	for _, h := range []string{"h1", "h2", "h3"} {
		u := officer
		if h == "h3" {
			u = other
		}
		s := &briefing.Session{Hash: h, UserID: u.ID, UserVersion: u.Version, Name: u.Name, Role: u.Role, Clearance: u.Clearance, CSRF: "c", CreatedAt: at, LastSeen: at}
		if err := db.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.TouchSession(ctx, "h1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, "h1"); err != nil || !s.LastSeen.Equal(at.Add(time.Hour)) || s.UserID != officer.ID || s.CSRF != "c" {
		t.Fatalf("%v %+v", err, s)
	}
	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	assertError(t, db.TouchSession(ctx, "h1", at.Add(2*time.Hour)), briefing.ENOTFOUND, "")
	if _, err := db.Session(ctx, "h1"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("a touch brought an ended session back: %v", err)
	}
	// A new password ends the user's sessions (and only theirs), in its write.
	officer.PasswordHash = "a new password's hash"
	if err := db.UpdateUser(ctx, officer, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "h2"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("another session of the user: %v", err)
	}
	if _, err := db.Session(ctx, "h3"); err != nil {
		t.Fatalf("another user's session: %v", err)
	}
}

// TestSessionService_UserChanged: a sign-in reads the user, checks the
// password against it (slowly), and only then stores the session. A change
// to the user in between — through this server or, on etcd, another one
// on the same cluster — refuses the session: none is stored with the
// rights or password the user no longer has. A change after the session
// is stored ends it in the change's own write, with no step after it that
// a sign-in could slip past.
func TestSessionService_UserChanged(t *testing.T) {
	changes := []struct {
		name   string
		change func(db *store.DB, u *briefing.User) error
		code   string // PutSession's refusal
	}{
		{"Disable", func(db *store.DB, u *briefing.User) error {
			u.Disabled = true
			return db.UpdateUser(ctx, u, alice)
		}, briefing.ESTALE},
		{"LowerClearance", func(db *store.DB, u *briefing.User) error {
			u.Clearance = "RESTRICTED"
			return db.UpdateUser(ctx, u, alice)
		}, briefing.ESTALE},
		{"LowerRole", func(db *store.DB, u *briefing.User) error {
			u.Role = briefing.RoleViewer
			return db.UpdateUser(ctx, u, alice)
		}, briefing.ESTALE},
		{"ResetPassword", func(db *store.DB, u *briefing.User) error {
			u.PasswordHash = hash + "new"
			return db.UpdateUser(ctx, u, alice)
		}, briefing.ESTALE},
		{"Delete", func(db *store.DB, u *briefing.User) error {
			return db.DeleteUser(ctx, u.ID, u.Version, alice)
		}, briefing.ENOTFOUND},
	}
	at := epoch
	sessionOf := func(u *briefing.User, h string) *briefing.Session {
		return &briefing.Session{Hash: h, UserID: u.ID, UserVersion: u.Version, Name: u.Name, Role: u.Role,
			Clearance: u.Clearance, CSRF: "c", CreatedAt: at, LastSeen: at}
	}
	for _, c := range changes {
		t.Run(c.name+"WhileSigningIn", func(t *testing.T) {
			db := MustOpenDB(t)
			mustUser(t, db, "lead")
			read, err := db.UserByName(ctx, "lead") // the sign-in's read, before the hash is checked
			if err != nil {
				t.Fatal(err)
			}
			changed := *read
			if err := c.change(otherServer(t, db), &changed); err != nil {
				t.Fatal(err)
			}
			err = db.PutSession(ctx, sessionOf(read, "h"))
			if err == nil {
				t.Fatalf("a session was stored for the user as they were before the change")
			}
			if briefing.ErrorCode(err) != c.code {
				t.Fatalf("error %v, want %s", err, c.code)
			}
			if s, err := db.Session(ctx, "h"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
				t.Fatalf("the session is stored: %+v %v", s, err)
			}
		})
		t.Run(c.name+"AfterSigningIn", func(t *testing.T) {
			db := MustOpenDB(t)
			u := mustUser(t, db, "lead")
			bystander := mustUser(t, db, "bystander")
			for _, s := range []*briefing.Session{sessionOf(u, "h1"), sessionOf(u, "h2"), sessionOf(bystander, "h3")} {
				if err := db.PutSession(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			changed := *u
			if err := c.change(otherServer(t, db), &changed); err != nil {
				t.Fatal(err)
			}
			// Nothing but the change itself: no step after it ends the sessions.
			for _, h := range []string{"h1", "h2"} {
				if s, err := db.Session(ctx, h); briefing.ErrorCode(err) != briefing.ENOTFOUND {
					t.Fatalf("%s outlived the change: %+v %v", h, s, err)
				}
			}
			if _, err := db.Session(ctx, "h3"); err != nil {
				t.Fatalf("another user's session: %v", err)
			}
		})
	}
	t.Run("UnchangedKeepsSessions", func(t *testing.T) {
		db := MustOpenDB(t)
		u := mustUser(t, db, "lead")
		if err := db.PutSession(ctx, sessionOf(u, "h")); err != nil {
			t.Fatal(err)
		}
		same := *u
		same.PasswordHash = ""
		if err := db.UpdateUser(ctx, &same, alice); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "h"); err != nil {
			t.Fatalf("a save that changed nothing ended the session: %v", err)
		}
	})
}

// otherServer opens db's database again, as a second server on the same
// etcd cluster would; a bbolt file has one server, db itself.
func otherServer(tb testing.TB, db *store.DB) *store.DB {
	tb.Helper()
	if !store.IsEtcdURL(db.Path()) {
		return db
	}
	db2 := reopen(tb, db)
	tb.Cleanup(func() { db2.Close() })
	return db2
}
