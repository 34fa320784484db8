package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// canaries plants a distinct token in every string field of every kind of
// object that sits above a RESTRICTED reader, and returns the tokens planted
// and the ids of everything made, by kind.
type canaryWorld struct {
	tokens []string
	ids    map[string][]string // kind → ids
	// refs are the ways an answer could name a hidden object, e.g. "sheet_id":"4".
	refs []string
}

func (cw *canaryWorld) token(where string) string {
	t := fmt.Sprintf("Kanary%02dx", len(cw.tokens)+1)
	cw.tokens = append(cw.tokens, t)
	return t + " " + where
}

func (cw *canaryWorld) add(kind, id string) { cw.ids[kind] = append(cw.ids[kind], id) }

// update reads an object, lets fn change it and saves it with If-Match.
func (f *fixture) update(user, path string, fn func(map[string]any)) {
	f.t.Helper()
	r := f.do(user, "GET", path, nil)
	if r.Code != 200 {
		f.t.Fatalf("GET %s: %d %s", path, r.Code, r.Body.String())
	}
	var obj map[string]any
	r.json(&obj)
	fn(obj)
	if p := f.do(user, "PUT", path, obj, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
		f.t.Fatalf("PUT %s: %d %s", path, p.Code, p.Body.String())
	}
}

func plantCanaries(f *fixture) *canaryWorld {
	cw := &canaryWorld{ids: map[string][]string{}}
	tok := cw.token
	agency := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Department of the Prime Minister and Cabinet", "acronym": "DPMC", "country": "New Zealand"})
	cw.add("agency", agency)
	dialogue := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue", "home": "New Zealand", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	cw.add("dialogue", dialogue)
	// People: a SECRET delegate, a visible one withheld on release.
	open := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Tony Lynch", "title": "Deputy Chief Executive", "agency_id": agency, "marking": "UNCLASSIFIED"})
	junior := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Junior Adviser", "title": "Adviser", "agency_id": agency, "marking": "RESTRICTED", "withhold": "s9(2)(a)"})
	secret := f.create("admin", "/api/v1/people", map[string]any{"name": tok("person name"), "title": tok("person title"), "country": tok("person country"), "bio": tok("person bio"), "marking": "SECRET"})
	cw.add("person", open)
	cw.add("person", junior)
	cw.add("person", secret)
	cw.refs = append(cw.refs, `"person_id":"`+secret+`"`, `href="/people/`+secret+`"`)
	// Rounds: a SECRET earlier round with outcomes, the RESTRICTED round under test, a later SECRET one.
	earlier := f.create("admin", "/api/v1/dialogues/"+dialogue+"/rounds", map[string]any{"number": 2, "starts_on": "2017-05-10", "city": tok("round city"), "host": "partner", "status": "held", "marking": "SECRET", "outcomes": tok("round outcomes")})
	round := f.create("admin", "/api/v1/dialogues/"+dialogue+"/rounds", map[string]any{"number": 3, "starts_on": "2018-05-10", "ends_on": "2018-05-11", "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED",
		"co_chairs": []map[string]string{{"person_id": open, "side": "home"}, {"person_id": secret, "side": "partner"}}, "delegation": []map[string]string{{"person_id": junior, "side": "home"}, {"person_id": secret, "side": "partner"}}})
	later := f.create("admin", "/api/v1/dialogues/"+dialogue+"/rounds", map[string]any{"number": 4, "starts_on": "2019-05-10", "city": tok("later city"), "host": "partner", "marking": "SECRET", "outcomes": tok("later outcomes")})
	cw.add("round", earlier)
	cw.add("round", round)
	cw.add("round", later)
	for _, id := range []string{earlier, later} {
		cw.refs = append(cw.refs, `"raised_in_round_id":"`+id+`"`, `href="/rounds/`+id+`"`, `"round_id":"`+id+`"`)
	}
	// Sheets: one all SECRET (title and custom heading), one mixed, one withheld in full.
	secretSheet := f.create("lead", "/api/v1/rounds/"+round+"/sheets", map[string]any{"title": tok("sheet title"), "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para(tok("secret paragraph"), "SECRET", "")}},
		{"kind": "custom", "heading": tok("secret custom heading"), "paragraphs": []any{para(tok("another secret paragraph"), "SECRET", "s6(a)")}},
	}})
	mixed := f.create("lead", "/api/v1/rounds/"+round+"/sheets", map[string]any{"title": "Foreign Interference", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("We are aware of activity {{s6(a): in one sector}}.", "RESTRICTED", ""), para(tok("mixed secret paragraph"), "SECRET", "")}},
		{"kind": "custom", "heading": tok("heading over secret paragraphs"), "paragraphs": []any{para(tok("paragraph under hidden heading"), "SECRET", "")}},
	}})
	withheld := f.create("lead", "/api/v1/rounds/"+round+"/sheets", sheetBody("Regional Security", para("Withheld in full but visible to the reader.", "RESTRICTED", "")))
	f.update("lead", "/api/v1/sheets/"+withheld, func(m map[string]any) { m["withhold"] = "s6(a)" })
	cw.add("sheet", secretSheet)
	cw.refs = append(cw.refs, `"sheet_id":"`+secretSheet+`"`, `href="/sheets/`+secretSheet+`"`, `"id":"`+secretSheet+`","round_id"`)
	cw.add("sheet", mixed)
	cw.add("sheet", withheld)
	// History: a SECRET paragraph saved in an earlier version of the mixed sheet, since removed.
	f.update("lead", "/api/v1/sheets/"+mixed, func(m map[string]any) {
		secs := m["sections"].([]any)
		sec := secs[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), para(tok("paragraph of a past version"), "SECRET", ""))
	})
	f.update("lead", "/api/v1/sheets/"+mixed, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		ps := sec["paragraphs"].([]any)
		sec["paragraphs"] = ps[:len(ps)-1]
	})
	// The agenda, as the round page makes it: the SECRET sheet linked, plus an unlinked item.
	f.update("lead", "/api/v1/rounds/"+round, func(m map[string]any) {
		m["agenda"] = []map[string]string{{"title": "Welcome and introductions"}, {"sheet_id": secretSheet, "title": tok("agenda title copy")}, {"sheet_id": mixed}, {"sheet_id": withheld}}
	})
	// Review comments: a SECRET one on a RESTRICTED paragraph, one on a SECRET paragraph.
	var mixedSheet struct {
		Sections []struct {
			Paragraphs []struct{ ID, Marking string }
		}
	}
	f.do("lead", "GET", "/api/v1/sheets/"+mixed, nil).json(&mixedSheet)
	for _, p := range mixedSheet.Sections[0].Paragraphs {
		if p.Marking == "RESTRICTED" {
			f.create("lead", "/api/v1/sheets/"+mixed+"/comments", map[string]any{"paragraph_id": p.ID, "text": tok("secret comment"), "marking": "SECRET"})
			f.create("lead", "/api/v1/sheets/"+mixed+"/comments", map[string]any{"paragraph_id": p.ID, "text": "An open question the officer may read."})
		} else {
			f.create("lead", "/api/v1/sheets/"+mixed+"/comments", map[string]any{"paragraph_id": p.ID, "text": tok("comment on a secret paragraph")})
		}
	}
	// Actions: one raised in the SECRET round (its marking by default), one marked SECRET.
	cw.add("action", f.create("secretariat", "/api/v1/dialogues/"+dialogue+"/actions", map[string]any{"ref": "3.01", "text": "Deliver cybercrime awareness training", "owner_agency_id": agency, "raised_in_round_id": round, "status": "on_track"}))
	cw.add("action", f.create("admin", "/api/v1/dialogues/"+dialogue+"/actions", map[string]any{"ref": tok("action ref"), "text": tok("action text"), "owner_agency_id": agency, "raised_in_round_id": earlier, "status": "on_track"}))
	cw.add("action", f.create("admin", "/api/v1/dialogues/"+dialogue+"/actions", map[string]any{"ref": "3.03", "text": tok("marked action text"), "raised_in_round_id": round, "status": "at_risk", "marking": "SECRET"}))
	// A SECRET snapshot of the round, frozen by a TOP SECRET lead.
	r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]bool{"force": true})
	if r.Code != 201 {
		f.t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var sn struct{ ID string }
	r.json(&sn)
	cw.add("snapshot", sn.ID)
	// A response to a request, made by someone who sees the whole round: it
	// releases what is not withheld, SECRET or not, so the reader may not have it.
	rr := f.do("lead", "POST", "/api/v1/rounds/"+round+"/releases", map[string]any{"reference": "OIA-2026/27-0001", "received_on": "2026-11-01",
		"request": "All briefing packs.", "decision_maker": "Decision Maker", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true,
		"parts": map[string]any{"biographies": map[string]any{"decision": "released"}, "outcomes": map[string]any{"decision": "released"}}})
	if rr.Code != 201 {
		f.t.Fatalf("release: %d %s", rr.Code, rr.Body.String())
	}
	var rel struct{ ID string }
	rr.json(&rel)
	cw.add("release", rel.ID)
	// A RESTRICTED snapshot, frozen at a ceiling, which the reader may have.
	r = f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true, "ceiling": "RESTRICTED"})
	if r.Code != 201 {
		f.t.Fatalf("freeze at a ceiling: %d %s", r.Code, r.Body.String())
	}
	r.json(&sn)
	cw.add("snapshot", sn.ID)
	return cw
}

// canaryQueries are the query strings tried on each GET route: every route
// the router holds must be listed, so a route added without coverage fails.
func canaryQueries(cw *canaryWorld) map[string][]string {
	packs := []string{}
	for _, format := range []string{"html", "xlsx"} {
		for _, edition := range []string{"full", "release"} {
			for _, ceiling := range []string{"", "&ceiling=RESTRICTED", "&ceiling=TOP%20SECRET"} {
				packs = append(packs, "format="+format+"&edition="+edition+ceiling)
			}
		}
	}
	// A search echoes its words, so it looks for the words beside the tokens.
	searches := []string{"q=Kanary", "q=secret", "q=paragraph", "q=heading", "q=city", "q=person", "q=outcomes",
		"q=action", "q=agenda", "q=title", "q=s6", "q=Foreign", "q=bio"}
	diffs := []string{}
	for from := 1; from <= 4; from++ {
		for to := 1; to <= 4; to++ {
			diffs = append(diffs, fmt.Sprintf("from=%d&to=%d", from, to))
		}
	}
	none := []string{""}
	return map[string][]string{
		"/healthz": none, "/static/*": {""}, "/login": {"", "next=/rounds/2"},
		"/": none, "/search": searches, "/dialogues": none, "/dialogues/:id": none, "/rounds/:id": none,
		"/sheets/:id": none, "/sheets/:id/edit": {"", "preview=1", "working=1", "working=1&preview=1"}, "/people": none, "/people/:id": none, "/agencies": none,
		"/admin/users": none,
		"/api/v1/me":   none, "/api/v1/settings": none, "/api/v1/dashboard": none,
		"/api/v1/agencies": none, "/api/v1/agencies/:id": none, "/api/v1/people": {"", "limit=1"}, "/api/v1/people/:id": none,
		"/api/v1/dialogues": none, "/api/v1/dialogues/:id": none, "/api/v1/dialogues/:id/rounds": {"", "limit=1"},
		"/api/v1/rounds/:id": none, "/api/v1/rounds/:id/sheets": {"", "limit=1"}, "/api/v1/sheets/:id": none,
		"/api/v1/dialogues/:id/actions": {"", "limit=1"}, "/api/v1/actions/:id": none,
		"/api/v1/users": none, "/api/v1/users/:id": none,
		"/api/v1/search":          searches,
		"/api/v1/rounds/:id/pack": packs, "/api/v1/rounds/:id/release-check": none,
		"/api/v1/rounds/:id/packs": none, "/api/v1/packs/:id": append([]string{""}, packs...),
		"/api/v1/sheets/:id/versions": none, "/api/v1/sheets/:id/versions/:version": none,
		"/sheets/:id/versions/:version": {"", "compare=1", "compare=2"}, "/api/v1/sheets/:id/draft": none,
		"/api/v1/rounds/:id/versions": none, "/api/v1/audit": {"", "limit=2"}, "/api/v1/admin/backup": none, "/api/v1/admin/runtime": none,
		"/api/v1/calendar.ics": none, "/api/v1/dialogues/:id/calendar.ics": none, "/api/v1/calendar-token": none,
		"/api/v1/sheets/:id/changes": none, "/api/v1/sheets/:id/diff": diffs, "/api/v1/sheets/:id/comments": {"", "limit=1"}, "/api/v1/comments/:id": none,
		"/api/v1/rounds/:id/releases": none, "/api/v1/releases/:id": {"", "format=html", "format=xlsx"},
	}
}

var routeParam = regexp.MustCompile(`:[a-z_]+`)

// eachGETRoute calls fn with each GET route the router holds and the query
// strings queries gives it; a route queries does not name fails t, as not
// covered by what.
func eachGETRoute(t *testing.T, f *fixture, queries map[string][]string, what string, fn func(path string, qs []string)) {
	t.Helper()
	for _, rt := range f.srv.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if method != http.MethodGet {
			continue
		}
		qs, ok := queries[path]
		if !ok {
			t.Errorf("GET %s is not covered by %s", path, what)
			continue
		}
		fn(path, qs)
	}
}

// TestCanary plants a token in every string field of everything above a
// RESTRICTED reader, then calls every GET route the router holds — API and
// pages, every format, edition and ceiling, with every id there is — as
// RESTRICTED readers, each call right after the same call by a reader of
// the same role cleared for everything, and fails on any token in any byte
// of any answer, headers and every part of an XLSX zip included.
// canaryPaths is every GET route of the router with every id of the
// canaries' world in each of its parameters, and each query tried on it.
func canaryPaths(t *testing.T, f *fixture, cw *canaryWorld) []string {
	queries := canaryQueries(cw)
	var allIDs []string
	seen := map[string]bool{}
	for _, ids := range cw.ids {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				allIDs = append(allIDs, id)
			}
		}
	}
	sort.Strings(allIDs)
	var paths []string
	eachGETRoute(t, f, queries, "the canary test: add it to canaryQueries", func(path string, qs []string) {
		for _, p := range expand(path, allIDs) {
			for _, q := range qs {
				if q != "" {
					p2 := p + "?" + q
					paths = append(paths, p2)
				} else {
					paths = append(paths, p)
				}
			}
		}
	})
	return paths
}

func TestCanary(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	paths := canaryPaths(t, f, cw)
	// Each request is made first by a reader of the same role cleared for
	// everything, at the same revision of the store: whatever the server
	// keeps of an answer, and shares between readers, must never reach
	// one it was not made for. A release edition asked for with a ceiling
	// by a TOP SECRET lead was kept as the RESTRICTED lead's, who then
	// downloaded it (403 when asked first).
	f.addUser("topviewer", "viewer", "TOP SECRET")
	f.addUser("topofficer", "officer", "TOP SECRET")
	primer := map[string]string{"lowlead": "lead", "viewer": "topviewer", "lowofficer": "topofficer"}
	calls := 0
	for _, reader := range []string{"lowlead", "viewer", "lowofficer"} {
		for _, p := range paths {
			if strings.Contains(p, "/static/") {
				p = "/static/app.css"
			}
			f.do(primer[reader], "GET", p, nil)
			r := f.do(reader, "GET", p, nil)
			calls += 2
			for _, leak := range findCanaries(append(cw.tokens, cw.refs...), r) {
				t.Errorf("%s GET %s (%d): %s", reader, p, r.Code, leak)
			}
		}
	}
	t.Logf("%d GET requests, %d tokens planted", calls, len(cw.tokens))
	// The reader's answers are not empty: the test would pass on a server that said nothing.
	r := f.do("lowlead", "GET", "/api/v1/rounds/"+cw.ids["round"][1]+"/pack?format=html", nil)
	if r.Code != 200 || !strings.Contains(r.Body.String(), "Foreign Interference") || !strings.Contains(r.Body.String(), "Welcome and introductions") {
		t.Fatalf("the RESTRICTED lead's pack lacks what they may see: %d", r.Code)
	}
	r = f.do("lowlead", "GET", "/rounds/"+cw.ids["round"][1], nil)
	if r.Code != 200 || !strings.Contains(r.Body.String(), "Foreign Interference") {
		t.Fatalf("the round page as the RESTRICTED lead: %d", r.Code)
	}
	// And the same routes do show the tokens to someone cleared for them.
	r = f.do("lead", "GET", "/api/v1/rounds/"+cw.ids["round"][1]+"/pack?format=html", nil)
	if len(findCanaries(cw.tokens, r)) == 0 {
		t.Fatal("the TOP SECRET lead's pack shows no token: the test plants nothing")
	}
}

// expand substitutes every id for each parameter of a route's path.
func expand(path string, ids []string) []string {
	if strings.HasSuffix(path, "/*") {
		return []string{path}
	}
	out := []string{path}
	for {
		loc := routeParam.FindStringIndex(out[0])
		if loc == nil {
			return out
		}
		var next []string
		for _, p := range out {
			vals := ids
			if p[loc[0]:loc[1]] == ":version" {
				vals = []string{"1", "2", "3", "4"}
			}
			for _, v := range vals {
				next = append(next, p[:loc[0]]+url.PathEscape(v)+p[loc[1]:])
			}
		}
		out = next
	}
}

// findCanaries reports every token found in an answer: its headers, its
// body, and, for a zip (XLSX), every part of it uncompressed.
func findCanaries(tokens []string, r response) []string {
	var hay []string
	for k, vs := range r.Header() {
		hay = append(hay, "header "+k+": "+strings.Join(vs, ", "))
	}
	body := r.Body.Bytes()
	hay = append(hay, "body: "+string(body))
	if bytes.HasPrefix(body, []byte("PK")) {
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			return []string{"a zip that does not open: " + err.Error()}
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				return []string{"zip part " + zf.Name + ": " + err.Error()}
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			hay = append(hay, "zip part "+zf.Name+": "+string(b))
		}
	}
	var found []string
	for _, h := range hay {
		for _, tk := range tokens {
			if i := strings.Index(h, tk); i >= 0 {
				where, _, _ := strings.Cut(h, ": ")
				lo, hi := max(0, i-60), min(len(h), i+40)
				found = append(found, fmt.Sprintf("%s in %s: …%s…", tk, where, h[lo:hi]))
			}
		}
	}
	return found
}

// addUser makes a user of the fixture's database and signs them in.
func (f *fixture) addUser(name string, role string, clearance string) {
	f.t.Helper()
	err := f.db.CreateUser(context.Background(), &briefing.User{Name: name, Role: briefing.Role(role), Clearance: clearance, PasswordHash: fixedHash}, briefing.Actor{Name: "test"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.tokens[name] = f.login(name, testPassword)
}

func TestClearance_ReleaseNeedsTheWholeRound(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	round := cw.ids["round"][1]
	for _, format := range []string{"html", "xlsx"} {
		r := f.do("lowlead", "GET", "/api/v1/rounds/"+round+"/pack?format="+format+"&edition=release", nil)
		if r.Code != 403 || !strings.Contains(r.Body.String(), "see the whole round") {
			t.Errorf("%s release for a RESTRICTED lead: %d %s", format, r.Code, r.Body.String())
		}
	}
	if r := f.do("lowlead", "GET", "/api/v1/rounds/"+round+"/release-check", nil); r.Code != 403 {
		t.Errorf("release check for a RESTRICTED lead: %d", r.Code)
	}
	// Someone who sees everything gets it, with the withheld delegate's name as the ground.
	r := f.do("lead", "GET", "/api/v1/rounds/"+round+"/pack?format=html&edition=release&ceiling=RESTRICTED", nil)
	body := r.Body.String()
	if r.Code != 200 || strings.Contains(body, "Junior Adviser") || !strings.Contains(body, "s9(2)(a)") || !strings.Contains(body, "Department of the Prime Minister and Cabinet") {
		t.Fatalf("release for a TOP SECRET lead: %d", r.Code)
	}
	if !strings.Contains(body, "The names, titles and biographies of 1 person under s9(2)(a) are withheld") {
		t.Errorf("the schedule does not mention the withheld person")
	}
	// A ceiling does not apply to the release edition: it is the whole round's.
	if !strings.Contains(body, "Kanary") {
		t.Errorf("the release edition at a ceiling left out what the round holds")
	}
	r = f.do("lead", "GET", "/api/v1/rounds/"+round+"/pack?format=xlsx&edition=release", nil)
	for _, leak := range findCanaries([]string{"Junior Adviser"}, r) {
		t.Errorf("XLSX release: %s", leak)
	}
	// The full pack still names them.
	r = f.do("lowlead", "GET", "/api/v1/rounds/"+round+"/pack?format=html", nil)
	if !strings.Contains(r.Body.String(), "Junior Adviser") {
		t.Errorf("the full pack lost the withheld delegate's name")
	}
	// A snapshot frozen by someone who cannot see the whole round holds no release edition.
	r = f.do("lowlead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]bool{"force": true})
	var sn struct {
		ID            string
		ReleaseSHA256 map[string]string `json:"release_sha256"`
	}
	r.json(&sn)
	if r.Code != 201 || len(sn.ReleaseSHA256) != 0 {
		t.Fatalf("freeze by a RESTRICTED lead: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowlead", "GET", "/api/v1/packs/"+sn.ID+"?format=html&edition=release", nil); r.Code != 404 {
		t.Errorf("release file of that snapshot: %d", r.Code)
	}
}

func TestClearance_ReferencesAreAnsweredAsMissing(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	dialogue, round := cw.ids["dialogue"][0], cw.ids["round"][1]
	secretSheet, secretPerson, secretRound := cw.ids["sheet"][0], cw.ids["person"][2], cw.ids["round"][0]
	const missing = "999"
	// The same answer, word for word, for a hidden object and for none.
	same := func(what string, send func(id string) response) {
		t.Helper()
		a, hidden := send(missing), send(what)
		if a.Code != 422 || hidden.Code != a.Code || hidden.Body.String() != a.Body.String() {
			t.Errorf("a hidden %s is answered %d %s; a missing one %d %s", what, hidden.Code, hidden.Body.String(), a.Code, a.Body.String())
		}
	}
	same(secretSheet, func(id string) response {
		r := f.do("lowsec", "GET", "/api/v1/rounds/"+round, nil)
		var m map[string]any
		r.json(&m)
		m["agenda"] = []map[string]string{{"title": "Welcome and introductions"}, {"sheet_id": id}}
		return f.do("lowsec", "PUT", "/api/v1/rounds/"+round, m, "If-Match", r.Header().Get("ETag"))
	})
	same(secretPerson, func(id string) response {
		r := f.do("lowsec", "GET", "/api/v1/rounds/"+round, nil)
		var m map[string]any
		r.json(&m)
		m["delegation"] = append(m["delegation"].([]any), map[string]string{"person_id": id, "side": "partner"})
		return f.do("lowsec", "PUT", "/api/v1/rounds/"+round, m, "If-Match", r.Header().Get("ETag"))
	})
	same(secretRound, func(id string) response {
		return f.do("lowsec", "POST", "/api/v1/dialogues/"+dialogue+"/actions", map[string]any{"ref": "9.99", "text": "Probe", "raised_in_round_id": id})
	})
	// Proposing the next round counts only the rounds the caller sees: no
	// refusal that discloses a SECRET round, and nothing copied from one.
	r := f.do("lowsec", "POST", "/api/v1/dialogues/"+dialogue+"/rounds/next", nil)
	if r.Code != 201 {
		t.Fatalf("next round for a RESTRICTED secretariat: %d %s", r.Code, r.Body.String())
	}
	for _, leak := range findCanaries(cw.tokens, r) {
		t.Errorf("next round: %s", leak)
	}
	var next struct {
		Number  int
		Marking string
		City    string
	}
	r.json(&next)
	// A new round's default marking, as it holds nothing yet.
	if next.Number != 4 || next.Marking != "UNCLASSIFIED" {
		t.Errorf("next round from what the caller sees: %+v", next)
	}
}

func TestClearance_WritesKeepWhatTheWriterCannotSee(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	round := cw.ids["round"][1]
	// A RESTRICTED lead reorders the agenda they see: the hidden item stays, in place.
	r := f.do("lowlead", "GET", "/api/v1/rounds/"+round, nil)
	var m map[string]any
	r.json(&m)
	agenda := m["agenda"].([]any)
	if len(agenda) != 3 {
		t.Fatalf("the RESTRICTED lead's agenda: %v", agenda)
	}
	agenda[1], agenda[2] = agenda[2], agenda[1]
	if p := f.do("lowlead", "PUT", "/api/v1/rounds/"+round, m, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
		t.Fatalf("reorder: %d %s", p.Code, p.Body.String())
	}
	stored, err := f.db.Round(context.Background(), round)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range stored.Agenda {
		got = append(got, a.SheetID+"/"+a.Title)
	}
	want := []string{"/Welcome and introductions", cw.ids["sheet"][0] + "/", cw.ids["sheet"][2] + "/", cw.ids["sheet"][1] + "/"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stored agenda %v, want %v", got, want)
	}
	if len(stored.CoChairs) != 2 || len(stored.Delegation) != 2 {
		t.Errorf("the save lost hidden people: %+v %+v", stored.CoChairs, stored.Delegation)
	}
	// Actions: by default marked as the round they were raised in.
	for _, id := range cw.ids["action"] {
		a, err := f.db.Action(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Marking == "" {
			t.Errorf("action %s stored without a marking", id)
		}
	}
	if r := f.do("lowlead", "GET", "/api/v1/actions/"+cw.ids["action"][1], nil); r.Code != 404 {
		t.Errorf("an action raised in a SECRET round: %d", r.Code)
	}
	if r := f.do("lowlead", "GET", "/api/v1/actions/"+cw.ids["action"][0], nil); r.Code != 200 || !strings.Contains(r.Body.String(), `"marking":"RESTRICTED"`) {
		t.Errorf("an action raised in the RESTRICTED round: %d %s", r.Code, r.Body.String())
	}
}

func TestSafeNext(t *testing.T) {
	f := newFixture(t)
	for _, next := range []string{"/%09/evil.example/x", "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example",
		"/%5cevil.example", "/%2F%2Fevil.example", "/ /evil.example", "javascript:alert(1)", "/a\n/b", "/%0a/evil.example"} {
		r := f.do("viewer", "GET", "/login?next="+url.QueryEscape(next), nil)
		if loc := r.Header().Get("Location"); r.Code != 303 || loc != "/" {
			t.Errorf("next=%q: %d Location %q", next, r.Code, loc)
		}
	}
	r := f.do("viewer", "GET", "/login?next="+url.QueryEscape("/rounds/2?x=1#agenda"), nil)
	if loc := r.Header().Get("Location"); loc != "/rounds/2?x=1#agenda" {
		t.Errorf("a path on this server: %q", loc)
	}
}

func TestSignIn_Limits(t *testing.T) {
	t.Run("ConcurrentGuesses", func(t *testing.T) {
		f := newFixture(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 300; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": "a wrong guess of a password"})
				mu.Lock()
				codes[r.Code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[401] != 10 || codes[429] != 290 {
			t.Fatalf("300 concurrent wrong sign-ins: %v; want exactly 10 checked (401), the rest refused (429)", codes)
		}
	})
	t.Run("RotatingForwardedFor", func(t *testing.T) {
		db, err := store.Open(t.TempDir()+"/b.db", "nz")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		srv, err := server.New(context.Background(), db, server.Config{TrustProxy: true}, web.Register)
		if err != nil {
			t.Fatal(err)
		}
		n429 := 0
		for i := 0; i < 40; i++ {
			req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(`{"name":"officer","password":"a wrong guess of a password"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "127.0.0.1:5555" // the proxy
			// The client sends its own header; the proxy appends the client's address.
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.0.%d.%d, 192.168.7.9", i/250, i%250))
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code == 429 {
				n429++
			}
		}
		if n429 != 30 {
			t.Fatalf("rotating X-Forwarded-For: %d of 40 refused, want 30 (the limit is the client's, 192.168.7.9)", n429)
		}
	})
}

func TestInput_Refused(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, tc := range []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"InvalidUTF8", "/api/v1/agencies", "{\"name\":\"Bad \xff\xfe bytes\"}", 400, "UTF-8"},
		{"LoneSurrogate", "/api/v1/agencies", `{"name":"Bad \ud800 escape"}`, 400, "surrogate"},
		{"DuplicateKey", "/api/v1/agencies", `{"name":"One","name":"Two"}`, 400, "name is given twice"},
		{"CadenceZero", "/api/v1/dialogues", `{"name":"D","partner":"Fiji","established":"2016-01-01","cadence_months":0}`, 422, "cadence_months"},
		{"CadenceNull", "/api/v1/dialogues", `{"name":"D","partner":"Fiji","established":"2016-01-01","cadence_months":null}`, 422, "cadence_months"},
		{"EstablishedEmpty", "/api/v1/dialogues", `{"name":"D","partner":"Fiji","established":"","cadence_months":12}`, 422, "established"},
		{"ScheduledWithoutDates", "/api/v1/dialogues/" + w.dialogue + "/rounds", `{"number":9,"host":"home","status":"scheduled"}`, 422, "starts_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("secretariat", "POST", tc.path, tc.body)
			if r.Code != tc.status || !strings.Contains(r.Body.String(), tc.want) || !strings.HasPrefix(r.Body.String(), `{"error":{"code":`) {
				t.Fatalf("%d %s", r.Code, r.Body.String())
			}
		})
	}
	t.Run("NestedTooDeep", func(t *testing.T) {
		// Before any sign-in: 4 MB of brackets took the server's memory
		// into gigabytes. One more level than allowed is refused at once,
		// at the sign-in as at any write; a deep body within it is read.
		for _, depth := range []int{33, 2 << 20} {
			req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "127.0.0.1:5556"
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), "more than 32 deep") {
				t.Fatalf("%d levels: %d %s", depth, rec.Code, rec.Body.String())
			}
		}
		deep := `{"name":"Deep","country":"Fiji","x":` + strings.Repeat("[", 30) + strings.Repeat("]", 30) + `}`
		if r := f.do("secretariat", "POST", "/api/v1/agencies", deep); r.Code == 400 {
			t.Fatalf("31 levels: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("HeaderTooLarge", func(t *testing.T) {
		r := f.do("viewer", "GET", "/api/v1/search?q="+strings.Repeat("a", 40<<10), nil)
		if r.Code != 431 || !strings.Contains(r.Body.String(), `"code":"header_too_large"`) {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
}

// A value of the wrong type is named by its place in the body as the client
// wrote it, never by the Go names it is decoded into ("Meta.version"), and
// with the indexes of the arrays it is in.
func TestInput_WrongTypeNamesTheFieldAsSent(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	sheet := func(marking string) string {
		return `{"title":"T","sections":[{"kind":"situation","paragraphs":[{"text":"a","marking":"RESTRICTED"},{"text":"b","marking":` + marking + `}]}]}`
	}
	for _, tc := range []struct {
		name, method, path, body, field, why string
	}{
		{"Version", "POST", "/api/v1/agencies", `{"name":"N","version":"x"}`, "version", "must be a JSON number"},
		{"VersionFraction", "POST", "/api/v1/agencies", `{"name":"N","version":1.5}`, "version", "must be a whole number"},
		{"ID", "POST", "/api/v1/agencies", `{"name":"N","id":5}`, "id", "must be a JSON string"},
		{"IDObject", "POST", "/api/v1/agencies", `{"name":"N","id":{"a":[1]}}`, "id", "must be a JSON string"},
		{"KeyInAnotherCase", "POST", "/api/v1/agencies", `{"name":"N","Version":"x"}`, "Version", "must be a JSON number"},
		{"Nested", "POST", "/api/v1/rounds/" + w.round + "/sheets", sheet("7"), "sections[0].paragraphs[1].marking", "must be a JSON string"},
		{"NestedArray", "POST", "/api/v1/rounds/" + w.round + "/sheets", sheet(`["SECRET"]`), "sections[0].paragraphs[1].marking", "must be a JSON string"},
		{"SectionsObject", "POST", "/api/v1/rounds/" + w.round + "/sheets", `{"title":"T","sections":{"kind":"situation"}}`, "sections", "must be a JSON array"},
		{"CreatedAt", "POST", "/api/v1/agencies", `{"name":"N","created_at":"yesterday"}`, "created_at", "must be a time as RFC 3339 text, e.g. 2018-06-19T09:00:00Z"},
		{"CreatedAtNumber", "PUT", "/api/v1/people/" + w.person, `{"name":"N","marking":"UNCLASSIFIED","created_at":5}`, "created_at", "must be a time as RFC 3339 text, e.g. 2018-06-19T09:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("secretariat", tc.method, tc.path, tc.body, "If-Match", "*")
			var b struct {
				Error struct {
					Code, Message string
					Fields        map[string]string
				}
			}
			r.json(&b)
			if r.Code != 400 || b.Error.Code != "bad_request" || len(b.Error.Fields) != 1 || b.Error.Fields[tc.field] != tc.why ||
				b.Error.Message != tc.field+" "+tc.why {
				t.Fatalf("%d %s", r.Code, r.Body.String())
			}
		})
	}
	// Nothing in any error names a Go field.
	for _, body := range []string{`{"version":"x"}`, `{"id":5}`, `{"updated_at":true}`, `{"updated_by":1}`} {
		if r := f.do("secretariat", "POST", "/api/v1/agencies", body); strings.Contains(r.Body.String(), "Meta") {
			t.Errorf("%s: %s", body, r.Body.String())
		}
	}
}

func TestUsers_NoSelfPromotion(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowadmin", "admin", "RESTRICTED")
	var me struct{ ID string }
	f.do("lowadmin", "GET", "/api/v1/me", nil).json(&me)
	if me.ID == "" {
		var m map[string]any
		f.do("lowadmin", "GET", "/api/v1/me", nil).json(&m)
		if u, ok := m["user"].(map[string]any); ok {
			me.ID, _ = u["id"].(string)
		}
	}
	r := f.do("lowadmin", "GET", "/api/v1/users/"+me.ID, nil)
	var u map[string]any
	r.json(&u)
	u["clearance"] = "TOP SECRET"
	if p := f.do("lowadmin", "PUT", "/api/v1/users/"+me.ID, u, "If-Match", r.Header().Get("ETag")); p.Code != 403 {
		t.Fatalf("raising one's own clearance: %d %s", p.Code, p.Body.String())
	}
	if p := f.do("lowadmin", "POST", "/api/v1/users", map[string]any{"name": "accomplice", "role": "admin", "clearance": "TOP SECRET", "password": "a long enough password"}); p.Code != 403 {
		t.Fatalf("making an account above one's clearance: %d %s", p.Code, p.Body.String())
	}
	if p := f.do("lowadmin", "GET", "/api/v1/admin/backup", nil); p.Code != 403 {
		t.Fatalf("a backup for a RESTRICTED admin: %d", p.Code)
	}
	if p := f.do("admin", "GET", "/api/v1/admin/backup", nil); p.Code != 200 {
		t.Fatalf("a backup for a TOP SECRET admin: %d", p.Code)
	}
	// A rename ends the user's sessions.
	var list struct{ Items []map[string]any }
	f.do("admin", "GET", "/api/v1/users", nil).json(&list)
	for _, it := range list.Items {
		if it["name"] != "viewer" {
			continue
		}
		id := it["id"].(string)
		r := f.do("admin", "GET", "/api/v1/users/"+id, nil)
		var v map[string]any
		r.json(&v)
		v["name"] = "viewer2"
		if p := f.do("admin", "PUT", "/api/v1/users/"+id, v, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
			t.Fatalf("rename: %d %s", p.Code, p.Body.String())
		}
		if p := f.do("viewer", "GET", "/api/v1/me", nil); p.Code != 401 {
			t.Fatalf("the renamed user's session goes on: %d", p.Code)
		}
	}
}

func TestInput_Braces(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		field      string
	}{
		{"SpanInHeading", "/api/v1/rounds/" + w.round + "/sheets", map[string]any{"title": "Cyber", "sections": []map[string]any{
			{"kind": "custom", "heading": "Heading {{s6(a): words}}", "paragraphs": []any{para("Text.", "RESTRICTED", "")}}}}, "sections[0].heading"},
		{"StrayInTitle", "/api/v1/rounds/" + w.round + "/sheets", map[string]any{"title": "Q&A }} follow-up"}, "title"},
		{"StrayInBio", "/api/v1/people", map[string]any{"name": "A Person", "bio": "Joined in {{ 2015", "marking": "UNCLASSIFIED"}, "bio"},
		{"SpanInName", "/api/v1/people", map[string]any{"name": "{{s9(2)(a): Hidden Name}}", "marking": "UNCLASSIFIED"}, "name"},
		{"StrayInCity", "/api/v1/dialogues/" + w.dialogue + "/rounds", map[string]any{"number": 8, "host": "home", "city": "Welling}}ton"}, "city"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := "secretariat"
			r := f.do(user, "POST", tc.path, tc.body)
			var b struct {
				Error struct{ Fields map[string]string }
			}
			r.json(&b)
			if r.Code != 422 || b.Error.Fields[tc.field] == "" {
				t.Fatalf("%d %s", r.Code, r.Body.String())
			}
		})
	}
}

// TestSessions_SharedByServers: two servers over one store honour each
// other's sessions, and a sign-out or a change of the user through one ends
// the session on both.
func TestSessions_SharedByServers(t *testing.T) {
	f := newFixture(t)
	other, err := server.New(context.Background(), f.db, server.Config{Now: f.clock.Now}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, token string) int {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	tok := f.login("viewer", testPassword)
	if get(other.Handler(), tok) != 200 {
		t.Fatal("a session made on one server is not honoured by the other")
	}
	f.tokens["v2"] = tok
	if r := f.do("v2", "POST", "/api/v1/logout", nil); r.Code != 204 {
		t.Fatalf("logout: %d", r.Code)
	}
	if get(other.Handler(), tok) != 401 {
		t.Fatal("a sign-out on one server leaves the session alive on the other")
	}
}

// TestLists_NoCursorToNothing: a page of a list says there is a next only
// when the reader may see something on it: a cursor to an empty page
// would tell them that objects above their clearance follow.
func TestLists_NoCursorToNothing(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, path := range []string{"/api/v1/people", "/api/v1/dialogues/" + w.dialogue + "/rounds", "/api/v1/rounds/" + w.round + "/sheets"} {
		for _, limit := range []string{"1", "2"} {
			cursor, pages := "", 0
			for {
				var page struct {
					Items []map[string]any `json:"items"`
					Next  string           `json:"next"`
				}
				r := f.do("viewer", "GET", path+"?limit="+limit+"&cursor="+cursor, nil)
				if r.Code != 200 {
					t.Fatalf("%s: %d %s", path, r.Code, r.Body.String())
				}
				r.json(&page)
				if pages > 0 && len(page.Items) == 0 {
					t.Fatalf("%s?limit=%s: a cursor led to a page of nothing", path, limit)
				}
				pages++
				if page.Next == "" {
					break
				}
				cursor = page.Next
			}
		}
	}
}

// TestClearance_DeleteWithHiddenDependents: a dialogue or round that still
// has dependents only above the reader is not deleted, and the refusal
// does not say what it has, as for a sheet holding paragraphs above them;
// dependents they see are named as before.
func TestClearance_DeleteWithHiddenDependents(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	dialogue := func(partner string) string {
		return f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": partner + "–New Zealand Dialogue", "home": "New Zealand", "partner": partner, "established": "2019-03-01", "cadence_months": 12})
	}
	round := func(d, marking string) string {
		return f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2027-03-01", "city": "Suva", "host": "partner", "marking": marking})
	}
	hidden := dialogue("Fiji")
	round(hidden, "SECRET")
	seen := dialogue("Samoa")
	open := round(seen, "RESTRICTED")
	f.create("officer", "/api/v1/rounds/"+open+"/sheets", sheetBody("Zanzibar Fisheries", para("Only secret zanzibar words.", "SECRET", "")))
	if r := f.do("lowsec", "DELETE", "/api/v1/dialogues/"+hidden, nil, "If-Match", `"1"`); r.Code != 403 || strings.Contains(r.Body.String(), "round") {
		t.Errorf("a dialogue with only a hidden round: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowsec", "DELETE", "/api/v1/rounds/"+open, nil, "If-Match", `"1"`); r.Code != 403 || strings.Contains(r.Body.String(), "sheet") {
		t.Errorf("a round with only a hidden sheet: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowsec", "DELETE", "/api/v1/dialogues/"+seen, nil, "If-Match", `"1"`); r.Code != 409 || !strings.Contains(r.Body.String(), "still has rounds") {
		t.Errorf("a dialogue with a round the reader sees: %d %s", r.Code, r.Body.String())
	}
}

// TestAudit_Releases: a release's making is in the audit log of those who
// may see the release, and of no one else.
func TestAudit_Releases(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	rel := cw.ids["release"][0]
	listed := func(user string) bool {
		t.Helper()
		var page struct {
			Items []struct {
				Kind     string `json:"kind"`
				ObjectID string `json:"object_id"`
			} `json:"items"`
		}
		r := f.do(user, "GET", "/api/v1/audit?limit=1000", nil)
		if r.Code != 200 {
			t.Fatalf("audit as %s: %d %s", user, r.Code, r.Body.String())
		}
		r.json(&page)
		for _, it := range page.Items {
			if it.Kind == "release" && it.ObjectID == rel {
				return true
			}
		}
		return false
	}
	for user, want := range map[string]bool{"admin": true, "lead": true, "lowlead": false} {
		if got := listed(user); got != want {
			t.Errorf("the release's making listed for %s: %v, want %v", user, got, want)
		}
	}
}
