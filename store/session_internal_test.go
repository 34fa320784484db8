package store

import (
	"context"
	"encoding/json"
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
