package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"briefpack/briefing"
)

// argon2id parameters: OWASP's first recommendation (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits, in characters both ways. Passwords are hashed
// whole, never truncated: the longest is at most MaxPasswordBytes.
const (
	MinPassword      = 8
	MaxPassword      = 1024
	MaxPasswordBytes = MaxPassword * utf8.UTFMax
)

// passwordLength reports whether pw is within the limits; a string too many
// bytes long is refused before its characters are counted.
func passwordLength(pw string) bool {
	if len(pw) > MaxPasswordBytes {
		return false
	}
	n := utf8.RuneCountInString(pw)
	return n >= MinPassword && n <= MaxPassword
}

// CheckPasswordRules refuses a password too short or too long to hash, and
// one that is not UTF-8 text: sign-in reads only UTF-8 text, so such a
// password could never be typed to sign in. The field's message reads after
// the word "password".
func CheckPasswordRules(pw string) error {
	if !utf8.ValidString(pw) {
		return &briefing.Error{Code: briefing.EINVALID, Message: "a password must be UTF-8 text",
			Fields: map[string]string{"password": "must be UTF-8 text"}}
	}
	if !passwordLength(pw) {
		return &briefing.Error{Code: briefing.EINVALID,
			Message: fmt.Sprintf("a password must be %d to %d characters", MinPassword, MaxPassword),
			Fields:  map[string]string{"password": fmt.Sprintf("must be %d to %d characters", MinPassword, MaxPassword)}}
	}
	return nil
}

// HashPassword returns an encoded argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	if err := CheckPasswordRules(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches an encoded argon2id hash, in time
// that does not depend on where they differ.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > MaxPasswordBytes || utf8.RuneCountInString(pw) > MaxPassword {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a name is unknown, so a failed sign-in
// takes as long whether or not the user exists.
var dummyHash, _ = HashPassword("not-a-real-password")
