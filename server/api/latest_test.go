package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/lru"
	"briefpack/server"
	"briefpack/store"
)

// TestPackSlots_Bounded downloads the packs of many rounds, in both formats
// and at two ceilings, through the real router, with a pack cache that
// holds a few of them: the slots remembered (a round's format, edition and
// ceiling, and the key of its last pack) are no more than the packs kept.
// They were a map pruned never, one entry more for every round, format,
// edition and ceiling ever downloaded on the server.
func TestPackSlots_Bounded(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "briefpack.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const pw = "a long enough password for the lead"
	hash, err := server.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	by := briefing.Actor{Name: "test"}
	if err := db.CreateUser(ctx, &briefing.User{Name: "lead", Role: briefing.RoleLead, Clearance: "TOP SECRET", PasswordHash: hash}, by); err != nil {
		t.Fatal(err)
	}
	var a *API
	srv, err := server.New(ctx, db, server.Config{}, func(s *server.Server) error { a = Register(s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Room for a few packs only, so that most are dropped as they age.
	a.packs = lru.New(256<<10, func(cp *cachedPack) int64 { return int64(cp.parts.Len()) })
	h := srv.Handler()
	do := func(method, path, token, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	w := do(http.MethodPost, "/api/v1/login", "", `{"name":"lead","password":"`+pw+`"}`)
	var login struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &login); err != nil || login.Token == "" {
		t.Fatalf("login: %d %s", w.Code, w.Body.String())
	}
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia", Established: "2012-02-01", CadenceMonths: 6}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	const rounds = 60
	for n := 1; n <= rounds; n++ {
		r := &briefing.Round{DialogueID: d.ID, Number: n, StartsOn: fmt.Sprintf("%d-%02d-14", 2012+n/2, 3+6*(n%2)), City: []string{"Wellington", "Canberra"}[n%2],
			Host: []string{"home", "partner"}[n%2], Status: "held", Marking: "RESTRICTED",
			Outcomes: fmt.Sprintf("The %s round agreed to review maritime domain awareness arrangements, item %d.", briefing.Ordinal(n), n*37)}
		if err := db.CreateRound(ctx, r, by, nil); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"format=html", "format=xlsx", "format=html&ceiling=RESTRICTED", "format=xlsx&edition=release"} {
			if w := do(http.MethodGet, "/api/v1/rounds/"+r.ID+"/pack?"+q, login.Token, ""); w.Code != http.StatusOK {
				t.Fatalf("round %d, %s: %d %s", n, q, w.Code, w.Body.String())
			}
		}
	}
	kept, slots := a.packs.Len(), a.packSlots()
	t.Logf("%d rounds, 4 packs each: %d packs kept, %d slots remembered", rounds, kept, slots)
	if kept >= rounds*4 {
		t.Fatalf("%d packs kept of %d: the cache was not small enough to drop any", kept, rounds*4)
	}
	if slots > kept {
		t.Errorf("%d slots remembered for %d packs kept", slots, kept)
	}
}

// packSlots counts the slots whose last pack is remembered.
func (s *API) packSlots() int { return s.packs.Slots() }
