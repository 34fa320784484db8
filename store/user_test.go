package store_test

import (
	"bytes"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

const hash = "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"

func mustUser(tb testing.TB, db *store.DB, name string) *briefing.User {
	tb.Helper()
	u := &briefing.User{Name: name, Role: briefing.RoleLead, Clearance: "SECRET", PasswordHash: hash + name}
	if err := db.CreateUser(ctx, u, alice); err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestUserService_CreateUser(t *testing.T) {
	db := MustOpenDB(t)
	u := mustUser(t, db, "Alice")

	t.Run("OK", func(t *testing.T) {
		got, err := db.User(ctx, u.ID)
		if err != nil || got.PasswordHash != hash+"Alice" || got.Name != "Alice" || got.Role != briefing.RoleLead {
			t.Fatalf("%+v, %v", got, err)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			dup := &briefing.User{Name: name, Role: briefing.RoleViewer, Clearance: "SECRET"}
			err := db.CreateUser(ctx, dup, alice)
			assertError(t, err, briefing.ECONFLICT, "a user with name "+name+" exists already")
			if f := briefing.ErrorFields(err); f["name"] != "is taken" {
				t.Fatalf("fields %v", f)
			}
			if dup.ID != "" || dup.Version != 0 {
				t.Fatalf("a refused create changed the caller's user: %+v", dup.Meta)
			}
		}
		if us, _, _ := db.Users(ctx, briefing.Page{}); len(us) != 1 {
			t.Fatalf("%d users", len(us))
		}
	})
}

func TestUserService_UserByName(t *testing.T) {
	db := MustOpenDB(t)
	mustUser(t, db, "alice")
	bob := mustUser(t, db, "Bob.Smith@dpmc")

	t.Run("OK", func(t *testing.T) {
		for _, name := range []string{"Bob.Smith@dpmc", "bob.smith@DPMC"} {
			got, err := db.UserByName(ctx, name)
			if err != nil || got.ID != bob.ID || got.PasswordHash != hash+"Bob.Smith@dpmc" {
				t.Fatalf("%q: %+v, %v", name, got, err)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.UserByName(ctx, "carol")
		assertError(t, err, briefing.ENOTFOUND, `no user is named "carol"`)
		_, err = db.UserByName(ctx, "")
		assertError(t, err, briefing.ENOTFOUND, `no user is named ""`)
	})
}

func TestUserService_UpdateUser(t *testing.T) {
	db := MustOpenDB(t)
	u := mustUser(t, db, "alice")
	mustUser(t, db, "bob")

	t.Run("KeepsPasswordHash", func(t *testing.T) {
		c := *u
		c.PasswordHash = ""
		c.Clearance = "TOP SECRET"
		if err := db.UpdateUser(ctx, &c, alice); err != nil {
			t.Fatal(err)
		}
		got, _ := db.User(ctx, u.ID)
		if got.PasswordHash != hash+"alice" || got.Clearance != "TOP SECRET" || c.PasswordHash != hash+"alice" {
			t.Fatalf("%+v", got)
		}
		*u = *got
	})
	t.Run("ReplacesPasswordHash", func(t *testing.T) {
		u.PasswordHash = "$argon2id$new"
		if err := db.UpdateUser(ctx, u, alice); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByName(ctx, "alice"); got.PasswordHash != "$argon2id$new" || got.Version != 3 {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		c := *u
		c.Name, c.PasswordHash = "BOB", "$argon2id$lost"
		assertError(t, db.UpdateUser(ctx, &c, alice), briefing.ECONFLICT, "a user with name BOB exists already")
		if got, _ := db.User(ctx, u.ID); got.Name != "alice" || got.PasswordHash != "$argon2id$new" || got.Version != 3 {
			t.Fatalf("written anyway: %+v", got)
		}
	})
	t.Run("Rename", func(t *testing.T) {
		u.Name = "Alice.Jones"
		if err := db.UpdateUser(ctx, u, alice); err != nil {
			t.Fatal(err)
		}
		if got, err := db.UserByName(ctx, "alice.jones"); err != nil || got.ID != u.ID {
			t.Fatalf("%+v, %v", got, err)
		}
		_, err := db.UserByName(ctx, "alice")
		assertError(t, err, briefing.ENOTFOUND, "")
		// The old name is free again.
		mustUser(t, db, "alice")
	})
	t.Run("RenameCase", func(t *testing.T) {
		u.Name = "ALICE.JONES"
		if err := db.UpdateUser(ctx, u, alice); err != nil {
			t.Fatal(err)
		}
		if got, err := db.UserByName(ctx, "Alice.Jones"); err != nil || got.Name != "ALICE.JONES" {
			t.Fatalf("%+v, %v", got, err)
		}
	})
}

func TestUserService_DeleteUser(t *testing.T) {
	db := MustOpenDB(t)
	u := mustUser(t, db, "alice")
	if err := db.DeleteUser(ctx, u.ID, 1, alice); err != nil {
		t.Fatal(err)
	}
	_, err := db.UserByName(ctx, "alice")
	assertError(t, err, briefing.ENOTFOUND, "")
	again := mustUser(t, db, "Alice")
	if again.ID == u.ID {
		t.Fatal("id handed out again")
	}
}

// TestUserService_PasswordHashStaysInside checks that history and audit,
// which are served, never hold a password hash.
func TestUserService_PasswordHashStaysInside(t *testing.T) {
	db := MustOpenDB(t)
	u := mustUser(t, db, "alice")
	u.Role = briefing.RoleAdmin
	if err := db.UpdateUser(ctx, u, alice); err != nil {
		t.Fatal(err)
	}
	vs, err := db.Versions(ctx, briefing.KindUser, u.ID)
	if err != nil || len(vs) != 2 {
		t.Fatalf("%v, %v", vs, err)
	}
	for _, v := range vs {
		if bytes.Contains(v.Data, []byte("argon2id")) || !bytes.Contains(v.Data, []byte(`"name":"alice"`)) {
			t.Fatalf("version %d: %s", v.Version, v.Data)
		}
	}
	recs, _, _ := db.Audit(ctx, briefing.Page{})
	if s := asJSON(t, recs); bytes.Contains([]byte(s), []byte("argon2id")) {
		t.Fatalf("audit %s", s)
	}
}
