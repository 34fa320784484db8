package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
)

// TestKeepUpcomingReady_PartsWhileWritten: while an upcoming round is being
// written, saves coming more often than once a second so that it never
// stays the same long enough for its files to be made, the server keeps
// ready what they are made of — each sheet's sections, worksheets and
// Topics rows, for each clearance that may freeze it, full and release —
// so that once the saves stop, every file of a freeze, for either lead,
// is joined from kept parts without one sheet laid out again.
func TestKeepUpcomingReady_PartsWhileWritten(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.upcoming(w.round)
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 12)
	for i := range ids {
		ids[i] = f.create("officer", "/api/v1/rounds/"+w.round+"/sheets",
			map[string]any{"title": fmt.Sprintf("Topic %d", i+1), "sections": packtest.Sections(s, i)})
	}
	f.watch()
	save := func(i int) {
		f.update("officer", "/api/v1/sheets/"+ids[i%len(ids)], func(m map[string]any) { m["title"] = fmt.Sprintf("Topic %d, save %d", i%len(ids)+1, i) })
	}
	// Saves five times a second until the parts have been kept at least
	// once meanwhile; the round is never the same for a second.
	i := 0
	for deadline := time.Now().Add(30 * time.Second); f.srv.PartsKept() == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no parts kept in 30 s of saves")
		}
		save(i)
		time.Sleep(200 * time.Millisecond)
	}
	if n := f.srv.MadeReady(); n != 0 {
		t.Fatalf("files were made %d times while the round changed every 200 ms", n)
	}
	// The last save, and the parts kept after it.
	kept := f.srv.PartsKept()
	save(i)
	for deadline := time.Now().Add(30 * time.Second); f.srv.PartsKept() == kept; {
		if time.Now().After(deadline) {
			t.Fatal("no parts kept after the last save")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sections, parts := htmlpack.SectionsRendered(), xlsxpack.PartsRendered()
	pack := "/api/v1/rounds/" + w.round + "/pack"
	for _, file := range freezeFiles {
		user, query, _ := strings.Cut(file, "?")
		if r := f.do(user, "GET", pack+"?"+query, nil); r.Code != 200 {
			t.Fatalf("%s: %d %s", file, r.Code, r.Body.String())
		}
		if n := htmlpack.SectionsRendered() - sections; n != 0 {
			t.Fatalf("%s: %d sheets' sections rendered, not found kept", file, n)
		}
		if n := xlsxpack.PartsRendered() - parts; n != 0 {
			t.Fatalf("%s: %d sheets' worksheets or Topics rows laid out, not found kept", file, n)
		}
	}
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true}); r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	if n := htmlpack.SectionsRendered() - sections + xlsxpack.PartsRendered() - parts; n != 0 {
		t.Fatalf("the freeze laid out %d sheets' parts", n)
	}
}
