package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"briefpack/briefing"
)

// TestSession_UserAsStored: a session is honoured only while its user is
// as stored — there, not disabled, of its name, role and clearance. Such a
// session cannot be stored through PutSession any more; these are written
// as a release before it left them: made by a sign-in that raced a change
// to the user, they outlived it until their 12 hours were up.
func TestSession_UserAsStored(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "briefpack.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u := &briefing.User{Name: "racer", Role: briefing.RoleLead, Clearance: "RESTRICTED", PasswordHash: "h"}
	must(t, db.CreateUser(ctx, u, by))
	gone := &briefing.User{Name: "gone", Role: briefing.RoleLead, Clearance: "TOP SECRET", PasswordHash: "h"}
	must(t, db.CreateUser(ctx, gone, by))
	off := &briefing.User{Name: "off", Role: briefing.RoleLead, Clearance: "TOP SECRET", PasswordHash: "h", Disabled: true}
	must(t, db.CreateUser(ctx, off, by))
	must(t, db.update(ctx, func(tx kvTx) error { return users.delete(tx, gone.ID, 0, by, time.Now()) }))
	now := time.Now()
	for _, s := range []briefing.Session{
		{Hash: "ok", UserID: u.ID, Name: "racer", Role: briefing.RoleLead, Clearance: "RESTRICTED"},
		{Hash: "clearance", UserID: u.ID, Name: "racer", Role: briefing.RoleLead, Clearance: "TOP SECRET"},
		{Hash: "role", UserID: u.ID, Name: "racer", Role: briefing.RoleAdmin, Clearance: "RESTRICTED"},
		{Hash: "name", UserID: u.ID, Name: "someone", Role: briefing.RoleLead, Clearance: "RESTRICTED"},
		{Hash: "deleted", UserID: gone.ID, Name: "gone", Role: briefing.RoleLead, Clearance: "TOP SECRET"},
		{Hash: "disabled", UserID: off.ID, Name: "off", Role: briefing.RoleLead, Clearance: "TOP SECRET"},
	} {
		s.CreatedAt, s.LastSeen = now, now
		raw, err := json.Marshal(&s)
		must(t, err)
		must(t, db.update(ctx, func(tx kvTx) error { return tx.Bucket(sessionBucket).Put([]byte(s.Hash), raw) }))
	}
	if s, err := db.Session(ctx, "ok"); err != nil || s.Clearance != "RESTRICTED" {
		t.Fatalf("a session as its user is stored: %+v %v", s, err)
	}
	for _, h := range []string{"clearance", "role", "name", "deleted", "disabled"} {
		if s, err := db.Session(ctx, h); briefing.ErrorCode(err) != briefing.ENOTFOUND {
			t.Errorf("%s: honoured: %+v %v", h, s, err)
		}
	}
}

// TestReserveAttempt_SweptAfterAnHour: the windows of every caller share
// the store, and one opening its windows of a minute, sweeping the ended
// ones, leaves another's window of an hour (a form's id) until it ends.
func TestReserveAttempt_SweptAfterAnHour(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "briefpack.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	was := sweepEvery
	sweepEvery = 1 // every window opened sweeps
	defer func() { sweepEvery = was }()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if ok, _, err := db.ReserveAttempt(ctx, "form\x00once", 1, time.Hour, now); !ok || err != nil {
		t.Fatalf("the form's id: %v %v", ok, err)
	}
	for i := range 5 {
		if ok, _, err := db.ReserveAttempt(ctx, fmt.Sprint("addr\x00", i), 30, time.Minute, now.Add(time.Duration(i+2)*time.Minute)); !ok || err != nil {
			t.Fatalf("sign-in %d: %v %v", i, ok, err)
		}
	}
	if ok, _, _ := db.ReserveAttempt(ctx, "form\x00once", 1, time.Hour, now.Add(10*time.Minute)); ok {
		t.Fatal("a form's id was swept by a sign-in's minute")
	}
	n := 0
	db.ReserveAttempt(ctx, "addr\x00later", 30, time.Minute, now.Add(2*time.Hour)) // sweeps all
	tx, err := db.begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Bucket(attemptBucket).ForEach(func([]byte, []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d windows kept after all but one ended an hour before, want 1", n)
	}
}
