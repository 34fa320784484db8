package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// TestLoadFreeze freezes a round of 1,000 sheets of unique text on the real
// server, as a delegation lead would after the sheets were entered through
// the API, and reports each freeze's time and the server's peak resident
// memory while it ran (VmHWM, reset before each): first right after the
// last sheet was entered, before the server has had a quiet second to make
// the files ready; then a few seconds after a save, once it has; then
// right after one more save (BRIEFPACK_LOAD_FREEZES for more). It
// measures, so it runs only when asked: BRIEFPACK_LOAD=1
// (BRIEFPACK_LOAD_SHEETS for another number of sheets).
func TestLoadFreeze(t *testing.T) {
	skipUnlessLoad(t)
	sheets := 1000
	fmt.Sscan(os.Getenv("BRIEFPACK_LOAD_SHEETS"), &sheets)
	w := enterRound(t, sheets)
	srv, lead, officer, round, ids := w.srv, w.lead, w.officer, w.round, w.ids
	pid := srv.cmd.Process.Pid
	t.Logf("%d sheets entered in %v; the server's resident memory %s, its peak %s", sheets, w.entered.Round(time.Millisecond),
		procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM"))
	freeze := func(what string) {
		// Writing 5 to clear_refs resets the peak resident set size.
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
			t.Logf("the peak cannot be reset (%v): it is the peak since the start", err)
		}
		before := procStatus(pid, "VmRSS")
		t0 := time.Now()
		code, _, b := lead.do("POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true})
		took := time.Since(t0)
		if code != 201 {
			t.Fatalf("freeze: %d %s", code, b)
		}
		t.Logf("freeze %s: %v; resident before %s, peak while it ran %s (after it: %s of the process's own, %s of files mapped)", what, took.Round(time.Millisecond),
			before, procStatus(pid, "VmHWM"), procStatus(pid, "RssAnon"), procStatus(pid, "RssFile"))
	}
	save := func(i int) {
		code, h, b := officer.do("GET", "/api/v1/sheets/"+ids[i], nil)
		if code != 200 {
			t.Fatalf("GET sheet: %d %s", code, b)
		}
		var sh map[string]any
		json.Unmarshal(b, &sh)
		sh["title"] = fmt.Sprintf("Topic %d, saved again", i+1)
		if code, _, b := officer.do("PUT", "/api/v1/sheets/"+ids[i], sh, "If-Match", h.Get("ETag")); code != 200 {
			t.Fatalf("PUT sheet: %d %s", code, b)
		}
	}
	freeze("right after the last sheet was entered")
	save(1)
	time.Sleep(5 * time.Second) // a quiet second, and the files made ready
	freeze("5 s after a save")
	// BRIEFPACK_LOAD_FREEZES=n freezes n times right after a save: whether
	// the server's memory settles as the caches fill.
	again := 1
	fmt.Sscan(os.Getenv("BRIEFPACK_LOAD_FREEZES"), &again)
	for i := range again {
		save(2 + i)
		freeze(fmt.Sprintf("right after a save (%d)", i+1))
	}
	// Once the server is quiet, it gives back what the freezes left free.
	time.Sleep(3 * time.Second)
	t.Logf("after three quiet seconds: resident %s (%s of the process's own)", procStatus(pid, "VmRSS"), procStatus(pid, "RssAnon"))
}

// loadRound is a round entered through the API into the real server,
// for the load tests.
type loadRound struct {
	srv                  *process
	admin, lead, officer *client
	round                string
	ids                  []string      // its sheets, in the order entered
	entered              time.Duration // how long entering them took
	srvs                 []*process    // every server on the database, srv first
}

// enterRound starts the real server on a new database with an admin and a
// lead (TOP SECRET) and an officer (SECRET), and has the officer enter
// into a round a week away n topic sheets of unique text (packtest's), one
// after another through the API.
func enterRound(t *testing.T, n int) loadRound {
	t.Helper()
	return enterRoundOn(t, buildBinary(t), filepath.Join(t.TempDir(), "load.db"), 1, n)
}

// enterRoundOn is enterRound on the database db (a file, or an etcd
// address), served by the given number of servers; the sheets are entered
// through the first.
func enterRoundOn(t *testing.T, bin, db string, servers, n int) loadRound {
	t.Helper()
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", "correct horse battery staple")
	addUser(t, bin, db, "lead", "lead", "TOP SECRET", "correct horse battery staple")
	addUser(t, bin, db, "officer", "officer", "SECRET", "correct horse battery staple")
	var w loadRound
	for range servers {
		w.srvs = append(w.srvs, startServer(t, bin, db))
	}
	w.srv = w.srvs[0]
	w.admin = signInAs(t, w.srv.url, "admin", "correct horse battery staple")
	w.lead = signInAs(t, w.srv.url, "lead", "correct horse battery staple")
	w.officer = signInAs(t, w.srv.url, "officer", "correct horse battery staple")
	create := func(c *client, path string, body any) string {
		code, _, b := c.do("POST", path, body)
		if code != 201 {
			t.Fatalf("POST %s: %d %s", path, code, b)
		}
		var out struct{ ID string }
		json.Unmarshal(b, &out)
		return out.ID
	}
	d := create(w.admin, "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue",
		"home": "New Zealand", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	week := time.Now().AddDate(0, 0, 7)
	w.round = create(w.admin, "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": week.Format(time.DateOnly),
		"ends_on": week.AddDate(0, 0, 1).Format(time.DateOnly), "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED"})
	s, _ := briefing.SettingsFor("nz")
	w.ids = make([]string, n)
	start := time.Now()
	for i := range w.ids {
		w.ids[i] = create(w.officer, "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": fmt.Sprintf("Topic %d", i+1), "sections": packtest.Sections(s, i)})
	}
	w.entered = time.Since(start)
	return w
}

// procStatus reads one field of a process's /proc status, such as VmHWM.
func procStatus(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown: " + err.Error()
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			return strings.TrimSpace(strings.TrimPrefix(l, field+":"))
		}
	}
	return "unknown"
}
