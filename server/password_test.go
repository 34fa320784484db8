package server_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/server"
)

// TestUsers_PasswordLengthInCharacters: the limits are characters both
// ways, so 600 two-byte characters are a password and 1025 are not.
func TestUsers_PasswordLengthInCharacters(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{strings.Repeat("é", 600), true},
		{strings.Repeat("😀", 1024), true},
		{strings.Repeat("é", 7), false},
		{strings.Repeat("é", 1025), false},
		{strings.Repeat("x", 1025), false},
	} {
		if err := server.CheckPasswordRules(tc.pw); (err == nil) != tc.ok {
			t.Errorf("%d characters, %d bytes: %v", len([]rune(tc.pw)), len(tc.pw), err)
		}
	}
	f := newFixture(t)
	pw := strings.Repeat("é", 600)
	f.create("admin", "/api/v1/users", map[string]any{"name": "accented", "role": "viewer", "clearance": "RESTRICTED", "password": pw})
	f.login("accented", pw)
}

// TestUsers_PasswordNotText: a password that is not UTF-8 text is refused,
// whatever its length: sign-in refuses a body that is not UTF-8, so such a
// password, once hashed, could never be sent to sign in.
func TestUsers_PasswordNotText(t *testing.T) {
	for _, pw := range []string{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", "a long enough password \xe9"} {
		err := server.CheckPasswordRules(pw)
		if briefing.ErrorCode(err) != briefing.EINVALID || briefing.ErrorFields(err)["password"] != "must be UTF-8 text" {
			t.Errorf("%q: %v", pw, err)
		}
		if _, err := server.HashPassword(pw); err == nil {
			t.Errorf("%q hashed", pw)
		}
	}
}
