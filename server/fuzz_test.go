package server_test

import (
	"encoding/json"
	"testing"
)

// FuzzWriteEndpoints sends arbitrary bodies to every JSON write endpoint:
// whatever arrives, the answer is never a 5xx, and an error is always the
// contract's error body.
func FuzzWriteEndpoints(f *testing.F) {
	fx := newFixture(f)
	w := fx.world()
	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/agencies"}, {"PUT", "/api/v1/agencies/" + w.agency},
		{"POST", "/api/v1/people"}, {"PUT", "/api/v1/people/" + w.person},
		{"POST", "/api/v1/dialogues"}, {"PUT", "/api/v1/dialogues/" + w.dialogue},
		{"POST", "/api/v1/dialogues/" + w.dialogue + "/rounds"}, {"PUT", "/api/v1/rounds/" + w.round},
		{"POST", "/api/v1/rounds/" + w.round + "/sheets"}, {"PUT", "/api/v1/sheets/" + w.sheet},
		{"POST", "/api/v1/dialogues/" + w.dialogue + "/actions"}, {"PUT", "/api/v1/actions/" + w.action},
		{"POST", "/api/v1/users"}, {"POST", "/api/v1/login"}, {"POST", "/api/v1/sheets/" + w.sheet + "/review"},
		{"POST", "/api/v1/sheets/" + w.sheet + "/rollforward"}, {"POST", "/api/v1/sheets/" + w.sheet + "/restore"},
		{"POST", "/api/v1/rounds/" + w.round + "/packs"},
	}
	seeds := []string{`{}`, `[]`, `null`, `"x"`, `{"name":1}`, `{"sections":[{"kind":"custom","paragraphs":[{"text":"{{s6(a): x"}]}]}`,
		`{"title":"t","sections":[{"kind":"situation","paragraphs":[{"text":"a {{s6(a): b}}","marking":"TOP SECRET"}]}]}`,
		`{"number":-1,"starts_on":"2018-13-45","co_chairs":[{"person_id":"x"}],"agenda":[{"sheet_id":"999"}]}`,
		`{"name":"a","password":"` + string(make([]byte, 2000)) + `"}`, `{"version":"1"}`, `{"decision":"clear"}`, `{"round_id":{}}`}
	for i := range endpoints {
		for _, s := range seeds {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		e := endpoints[int(which)%len(endpoints)]
		fx.t = t
		r := fx.do("admin", e.method, e.path, body, "If-Match", "*")
		if r.Code >= 500 {
			t.Fatalf("%s %s %q: %d", e.method, e.path, body, r.Code)
		}
		if r.Code >= 400 {
			var eb struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(r.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s %s: error body %q", e.method, e.path, r.Body.String())
			}
		}
	})
}
