package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	sections, parts, compressed := htmlpack.SectionsRendered(), xlsxpack.PartsRendered(), htmlpack.SectionsCompressed()
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
	if n := htmlpack.SectionsCompressed() - compressed; n != 0 {
		t.Fatalf("the freeze compressed %d sheets' sections", n)
	}
}

// TestKeepUpcomingReady_PartsNotBesideTwoRequests: the parts of a round
// being written are kept ready only while the server answers one request
// at most — beside one person or script writing, never beside several
// people at once — and as soon as it answers one again.
func TestKeepUpcomingReady_PartsNotBesideTwoRequests(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.upcoming(w.round)
	// Two requests whose bodies are slow to come: answered all the while.
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	answered := make(chan int, 2)
	var sends []*io.PipeWriter
	for i := range 2 {
		body, send := io.Pipe()
		sends = append(sends, send)
		defer send.Close() // before the server's Close, which waits for the request
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/dialogues", body)
		req.Header.Set("Authorization", "Bearer "+f.tokens["secretariat"])
		req.Header.Set("Content-Type", "application/json")
		go func() {
			resp, err := srv.Client().Do(req)
			if err != nil {
				answered <- 0
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		for f.srv.Answering() < int64(i+1) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	f.watch()
	save := func(i int) {
		f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = fmt.Sprintf("Foreign Interference, save %d", i) })
	}
	i := 0
	for range 15 { // three seconds of saves, never a quiet second
		save(i)
		i++
		time.Sleep(200 * time.Millisecond)
	}
	if n := f.srv.PartsKept(); n != 0 {
		t.Fatalf("parts were kept %d times beside two requests", n)
	}
	for k, send := range sends {
		fmt.Fprintf(send, `{"name": "A dialogue begun slowly (%d)", "home": "New Zealand", "partner": "Fiji", "established": "2020-01-01", "cadence_months": 12}`, k)
		send.Close()
		if code := <-answered; code != 201 {
			t.Fatalf("a slow request: %d", code)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); f.srv.PartsKept() == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no parts kept in 30 s of saves once the two requests were answered")
		}
		save(i)
		time.Sleep(200 * time.Millisecond)
	}
}
