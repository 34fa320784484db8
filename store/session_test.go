package store_test

import (
	"testing"
	"time"

	"briefpack/briefing"
)

// TestSessions: a session is kept under its hash; a touch moves its last
// sight; ending a user's sessions ends them all; and a touch of a session
// that has ended — signed out through another server between a request's
// read and its touch — is ENOTFOUND and does not bring it back.
func TestSessions(t *testing.T) {
	db := MustOpenDB(t)
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, h := range []string{"h1", "h2", "h3"} {
		user := "7"
		if h == "h3" {
			user = "8"
		}
		s := &briefing.Session{Hash: h, UserID: user, Name: "officer", Role: briefing.RoleOfficer, Clearance: "SECRET", CSRF: "c", CreatedAt: at, LastSeen: at}
		if err := db.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.TouchSession(ctx, "h1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, "h1"); err != nil || !s.LastSeen.Equal(at.Add(time.Hour)) || s.UserID != "7" || s.CSRF != "c" {
		t.Fatalf("%v %+v", err, s)
	}
	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	assertError(t, db.TouchSession(ctx, "h1", at.Add(2*time.Hour)), briefing.ENOTFOUND, "")
	if _, err := db.Session(ctx, "h1"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("a touch brought an ended session back: %v", err)
	}
	if err := db.DeleteUserSessions(ctx, "7"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "h2"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("another session of the user: %v", err)
	}
	if _, err := db.Session(ctx, "h3"); err != nil {
		t.Fatalf("another user's session: %v", err)
	}
}
