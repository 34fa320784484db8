package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// savedBetween is a store on etcd before each of whose sheet saves
// another server saves the sheet first, another paragraph of it: every
// merge through it loses, as a merge on a busy cluster may lose to the
// other servers' merges of the sheet. The other server's save gives up
// after a second, as one waiting for a turn held does.
type savedBetween struct {
	*store.DB
	other *store.DB
	t     *testing.T
	saves atomic.Int32 // the other server's saves made
}

func (s *savedBetween) UpdateSheet(ctx context.Context, sh *briefing.Sheet, by briefing.Actor) error {
	octx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	theirs, err := s.other.Sheet(octx, sh.ID)
	if err != nil {
		s.t.Error(err)
		return err
	}
	theirs.Sections[0].Paragraphs[1].Text = fmt.Sprintf("Another officer's text, saved on another server, %d.", s.saves.Load()+1)
	if err := s.other.UpdateSheet(octx, theirs, briefing.Actor{UserID: "1", Name: "secretariat"}); err == nil {
		s.saves.Add(1)
	}
	return s.DB.UpdateSheet(ctx, sh, by)
}

// TestEtcd_MergeLosingTakesATurn: a merge whose write loses to another
// server's save of the sheet every time was refused (412) after ten tries;
// after three it takes the database's turn to write, in which no other
// server's save comes between its read and its write, and is made, the
// other server's saves merged with it.
func TestEtcd_MergeLosingTakesATurn(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db := openEtcd(t, c.URL("mergeturn"), "nz")
	f := newFixtureOn(t, db)
	other := openEtcd(t, c.URL("mergeturn"), "")
	t.Cleanup(func() { other.Close() })
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber Security",
		para("Our assessment of the threat.", "RESTRICTED", ""),
		para("What the other officer keeps saving.", "RESTRICTED", ""),
		para("Held at secret.", "SECRET", "s6(a)")))
	st := &savedBetween{DB: db, other: other, t: t}
	srv, err := server.New(context.Background(), st, server.Config{Now: f.clock.Now}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	mine := f.sheet("officer", id)
	mine.Sections[0].Paragraphs[0].Text = "Our assessment of the threat, revised."
	body, _ := json.Marshal(mine)
	req := httptest.NewRequest("POST", "/api/v1/sheets/"+id+"/merge", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+f.tokens["officer"])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("a merge losing to another server's saves: %d %s (the other server saved %d times)", rec.Code, rec.Body.String(), st.saves.Load())
	}
	got, err := db.Sheet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ps := got.Sections[0].Paragraphs
	if ps[0].Text != "Our assessment of the threat, revised." || !strings.HasPrefix(ps[1].Text, "Another officer's text") || ps[2].Text != "Held at secret." {
		t.Fatalf("stored: %+v", ps)
	}
	t.Logf("made after the other server saved %d times", st.saves.Load())
}
