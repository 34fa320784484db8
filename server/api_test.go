package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
)

func TestLogin(t *testing.T) {
	f := newFixture(t)
	t.Run("OK", func(t *testing.T) {
		r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
		if r.Code != 200 {
			t.Fatalf("status %d: %s", r.Code, r.Body.String())
		}
		var out struct {
			Token     string
			CSRFToken string `json:"csrf_token"`
		}
		r.json(&out)
		if out.Token == "" || out.CSRFToken == "" {
			t.Fatalf("login body %s", r.Body.String())
		}
		ck := r.Result().Cookies()
		if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Value == "" {
			t.Fatalf("cookie %+v", ck)
		}
		if f.do("", "GET", "/api/v1/me", nil, "Cookie", "briefpack_session="+ck[0].Value).Code != 200 {
			t.Fatal("cookie session refused")
		}
		if f.login("officer", testPassword) == f.login("officer", testPassword) {
			t.Fatal("a login must start a new session")
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		// The first 72 bytes match: a truncating hash would accept it.
		r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "lead", "password": testPassword[:72] + "x"})
		if r.Code != 401 || r.errorCode() != "unauthorized" {
			t.Fatalf("status %d: %s", r.Code, r.Body.String())
		}
		if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "nobody", "password": "whatever123"}); r.Code != 401 {
			t.Fatalf("unknown user: %d", r.Code)
		}
	})
	t.Run("ErrBadBody", func(t *testing.T) {
		if r := f.do("", "POST", "/api/v1/login", `{"name":`); r.Code != 400 {
			t.Fatalf("status %d", r.Code)
		}
		if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "x"}); r.Code != 400 {
			t.Fatalf("status %d", r.Code)
		}
	})
	t.Run("ErrRateLimited", func(t *testing.T) {
		var last response
		for i := 0; i < 12; i++ {
			last = f.do("", "POST", "/api/v1/login", map[string]string{"name": "admin", "password": fmt.Sprint("guess", i, "xxxx")})
		}
		if last.Code != 429 || last.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d after 12 failures", last.Code)
		}
		// Even the right password is refused while the window lasts.
		if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "admin", "password": testPassword}); r.Code != 429 {
			t.Fatalf("status %d", r.Code)
		}
		f.clock.Add(2 * time.Minute)
		f.login("admin", testPassword)
	})
}

func TestSession(t *testing.T) {
	f := newFixture(t)
	t.Run("Anonymous", func(t *testing.T) {
		if r := f.do("", "GET", "/api/v1/dialogues", nil); r.Code != 401 || r.errorCode() != "unauthorized" {
			t.Fatalf("status %d", r.Code)
		}
		if r := f.do("", "GET", "/api/v1/dialogues", nil, "Authorization", "Bearer forged-token"); r.Code != 401 {
			t.Fatalf("forged token: %d", r.Code)
		}
		if r := f.do("", "GET", "/healthz", nil); r.Code != 200 {
			t.Fatalf("healthz: %d", r.Code)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		tok := f.login("viewer", testPassword)
		f.tokens["v2"] = tok
		if r := f.do("v2", "POST", "/api/v1/logout", nil); r.Code != 204 {
			t.Fatalf("logout %d", r.Code)
		}
		if r := f.do("v2", "GET", "/api/v1/me", nil); r.Code != 401 {
			t.Fatalf("after logout %d", r.Code)
		}
	})
	t.Run("IdleTimeout", func(t *testing.T) {
		f.tokens["v3"] = f.login("viewer", testPassword)
		f.clock.Add(3 * time.Hour)
		if r := f.do("v3", "GET", "/api/v1/me", nil); r.Code != 401 {
			t.Fatalf("after idle timeout %d", r.Code)
		}
	})
	t.Run("AbsoluteTimeout", func(t *testing.T) {
		f.tokens["v4"] = f.login("viewer", testPassword)
		for i := 0; i < 13; i++ {
			f.clock.Add(time.Hour)
			f.do("v4", "GET", "/api/v1/me", nil)
		}
		if r := f.do("v4", "GET", "/api/v1/me", nil); r.Code != 401 {
			t.Fatalf("after absolute timeout %d", r.Code)
		}
	})
	t.Run("DisabledUser", func(t *testing.T) {
		f.tokens["admin"] = f.login("admin", testPassword)
		f.tokens["viewer"] = f.login("viewer", testPassword)
		r := f.do("admin", "GET", "/api/v1/users?limit=1000", nil)
		var users struct{ Items []map[string]any }
		r.json(&users)
		var id string
		for _, u := range users.Items {
			if u["name"] == "viewer" {
				id = u["id"].(string)
			}
		}
		u := f.do("admin", "GET", "/api/v1/users/"+id, nil)
		var body map[string]any
		u.json(&body)
		body["disabled"] = true
		if r := f.do("admin", "PUT", "/api/v1/users/"+id, body, "If-Match", u.Header().Get("ETag")); r.Code != 200 {
			t.Fatalf("disable: %d %s", r.Code, r.Body.String())
		}
		if r := f.do("viewer", "GET", "/api/v1/me", nil); r.Code != 401 {
			t.Fatalf("disabled user's session: %d", r.Code)
		}
		if r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "viewer", "password": testPassword}); r.Code != 401 {
			t.Fatalf("disabled user's login: %d", r.Code)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/healthz", "/api/v1/dialogues", "/", "/api/v1/nothing"} {
		r := f.do("viewer", "GET", path, nil)
		h := r.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("Cache-Control") != "no-store" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestCRUD(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	cases := []struct {
		name, collection, item string
		user                   string
		body                   map[string]any
		field                  string // a field to change on update
		value                  any
	}{
		{"agency", "/api/v1/agencies", "/api/v1/agencies/", "secretariat", map[string]any{"name": "Ministry of Foreign Affairs and Trade", "acronym": "MFAT", "country": "New Zealand"}, "acronym", "MFAT2"},
		{"person", "/api/v1/people", "/api/v1/people/", "secretariat", map[string]any{"name": "Rob McKinnon", "title": "Assistant Secretary", "country": "Australia", "bio": "", "marking": "UNCLASSIFIED"}, "title", "First Assistant Secretary"},
		{"dialogue", "/api/v1/dialogues", "/api/v1/dialogues/", "secretariat", map[string]any{"name": "Japan–Australia Cyber Policy Dialogue", "home": "Australia", "partner": "Japan", "established": "2014-04-07", "cadence_months": 12}, "origin", "agreed at the leaders' meeting in Tokyo, 7 April 2014"},
		{"round", "/api/v1/dialogues/" + w.dialogue + "/rounds", "/api/v1/rounds/", "secretariat", map[string]any{"number": 9, "starts_on": "2020-08-02", "city": "Tokyo", "host": "partner"}, "city", "Osaka"},
		{"sheet", "/api/v1/rounds/" + w.round + "/sheets", "/api/v1/sheets/", "officer", sheetBody("Rules-based order", para("The international rules-based order is under serious, sustained challenge.", "RESTRICTED", "")), "title", "Rules-based order (revised)"},
		{"action", "/api/v1/dialogues/" + w.dialogue + "/actions", "/api/v1/actions/", "secretariat", map[string]any{"ref": "3.02", "text": "Promote the Budapest Convention", "status": "not_started"}, "text", "Promote the Budapest Convention across the Indo-Pacific"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := f.create(tc.user, tc.collection, tc.body)
			r := f.do(tc.user, "GET", tc.item+id, nil)
			if r.Code != 200 || r.Header().Get("ETag") != `"1"` {
				t.Fatalf("get: %d %q", r.Code, r.Header().Get("ETag"))
			}
			var got map[string]any
			r.json(&got)
			if got["id"] != id || got["version"] != float64(1) {
				t.Fatalf("get: %v", got)
			}
			// The list holds it.
			var l struct {
				Items []map[string]any
				Next  string
			}
			f.do(tc.user, "GET", tc.collection+"?limit=1000", nil).json(&l)
			found := false
			for _, it := range l.Items {
				found = found || it["id"] == id
			}
			if !found {
				t.Fatalf("list lacks %s", id)
			}
			// PUT needs If-Match: 428 without, 412 when stale; the body GET returned is accepted.
			got[tc.field] = tc.value
			if r := f.do(tc.user, "PUT", tc.item+id, got); r.Code != 428 || r.errorCode() != "precondition_required" {
				t.Fatalf("put without If-Match: %d", r.Code)
			}
			r = f.do(tc.user, "PUT", tc.item+id, got, "If-Match", `"1"`)
			if r.Code != 200 || r.Header().Get("ETag") != `"2"` {
				t.Fatalf("put: %d %s", r.Code, r.Body.String())
			}
			var put map[string]any
			r.json(&put)
			if put[tc.field] != tc.value || put["version"] != float64(2) {
				t.Fatalf("put: %v", put)
			}
			got[tc.field] = "lost update"
			if r := f.do(tc.user, "PUT", tc.item+id, got, "If-Match", `"1"`); r.Code != 412 || r.errorCode() != "precondition_failed" {
				t.Fatalf("stale put: %d", r.Code)
			}
			var again map[string]any
			f.do(tc.user, "GET", tc.item+id, nil).json(&again)
			if again[tc.field] != tc.value {
				t.Fatalf("a stale write changed %s to %v", tc.field, again[tc.field])
			}
			if r := f.do(tc.user, "DELETE", tc.item+id, nil, "If-Match", `"1"`); r.Code != 412 {
				t.Fatalf("stale delete: %d", r.Code)
			}
			if r := f.do(tc.user, "DELETE", tc.item+id, nil); r.Code != 204 {
				t.Fatalf("delete: %d %s", r.Code, r.Body.String())
			}
			if r := f.do(tc.user, "GET", tc.item+id, nil); r.Code != 404 || r.errorCode() != "not_found" {
				t.Fatalf("after delete: %d", r.Code)
			}
		})
	}
	t.Run("ErrDeleteDialogueWithRounds", func(t *testing.T) {
		if r := f.do("secretariat", "DELETE", "/api/v1/dialogues/"+w.dialogue, nil); r.Code != 409 {
			t.Fatalf("status %d", r.Code)
		}
	})
	t.Run("Pagination", func(t *testing.T) {
		for i := 0; i < 7; i++ {
			f.create("secretariat", "/api/v1/agencies", map[string]any{"name": fmt.Sprint("Agency ", i), "country": "New Zealand"})
		}
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			var l struct {
				Items []map[string]any
				Next  string
			}
			f.do("viewer", "GET", "/api/v1/agencies?limit=3&cursor="+cursor, nil).json(&l)
			pages++
			for _, it := range l.Items {
				if seen[it["id"].(string)] {
					t.Fatalf("%v listed twice", it["id"])
				}
				seen[it["id"].(string)] = true
			}
			if l.Next == "" {
				break
			}
			cursor = l.Next
		}
		if len(seen) != 8 || pages != 3 {
			t.Fatalf("%d agencies in %d pages", len(seen), pages)
		}
		// The cursor may also be passed back as ?next=.
		var first, second struct {
			Items []map[string]any
			Next  string
		}
		f.do("viewer", "GET", "/api/v1/agencies?limit=3", nil).json(&first)
		f.do("viewer", "GET", "/api/v1/agencies?limit=3&next="+first.Next, nil).json(&second)
		if len(second.Items) != 3 || second.Items[0]["id"] == first.Items[0]["id"] {
			t.Fatalf("?next= did not page on: %v", second.Items)
		}
	})
}

// An agency in use is deleted with the references to it, so that what
// referred to it still round-trips: its GET body is accepted by its PUT.
// People above the deleter's clearance are cleared too, and the deletion
// says nothing of them.
func TestCRUD_DeleteAgencyInUse(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	hidden := f.create("admin", "/api/v1/people", map[string]any{"name": "Deep Source", "agency_id": w.agency, "country": "Australia", "marking": "TOP SECRET"})
	other := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Ministry of Defence", "country": "New Zealand"})
	var round map[string]any
	r := f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil)
	r.json(&round)
	round["participating_agencies"] = []map[string]string{{"agency_id": w.agency, "side": "home"}, {"agency_id": other, "side": "home"}}
	if r := f.do("secretariat", "PUT", "/api/v1/rounds/"+w.round, round, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("round: %d %s", r.Code, r.Body.String())
	}

	if r := f.do("secretariat", "DELETE", "/api/v1/agencies/"+w.agency, nil); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	for _, tc := range []struct{ user, path, field string }{
		{"secretariat", "/api/v1/people/" + w.person, "agency_id"},
		{"admin", "/api/v1/people/" + hidden, "agency_id"},
		{"secretariat", "/api/v1/actions/" + w.action, "owner_agency_id"},
		{"secretariat", "/api/v1/rounds/" + w.round, "participating_agencies"},
	} {
		r := f.do(tc.user, "GET", tc.path, nil)
		var got map[string]any
		r.json(&got)
		if tc.field == "participating_agencies" {
			if pa, _ := got[tc.field].([]any); len(pa) != 1 || pa[0].(map[string]any)["agency_id"] != other {
				t.Errorf("%s: %s %v", tc.path, tc.field, got[tc.field])
			}
		} else if got[tc.field] != "" {
			t.Errorf("%s: %s %v", tc.path, tc.field, got[tc.field])
		}
		if p := f.do(tc.user, "PUT", tc.path, got, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
			t.Errorf("%s: the body GET returned, PUT back: %d %s", tc.path, p.Code, p.Body.String())
		}
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	t.Run("MalformedJSON", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/agencies", `{"name": "x",`)
		if r.Code != 400 || r.errorCode() != "bad_request" {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
	t.Run("WrongType", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/dialogues", `{"name": "x", "partner": "y", "cadence_months": "twelve"}`)
		if r.Code != 400 || !strings.Contains(r.Body.String(), `"cadence_months"`) {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
	t.Run("Validation", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2018-02-30", "host": "neither", "marking": "ULTRA"})
		if r.Code != 422 || r.errorCode() != "invalid" {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		for _, field := range []string{"starts_on", "host", "marking"} {
			if !strings.Contains(r.Body.String(), `"`+field+`"`) {
				t.Errorf("fields lack %s: %s", field, r.Body.String())
			}
		}
	})
	t.Run("BadSpan", func(t *testing.T) {
		for _, text := range []string{"open {{s6(a): never closed", "nested {{s6(a): a {{s6(a): b}} c}}", "empty {{s6(a):   }}", "unknown {{s99: words}}", "au ground {{s47E: words}}", "stray }} close"} {
			r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Bad", para("fine", "RESTRICTED", ""), para(text, "RESTRICTED", "")))
			if r.Code != 422 || !strings.Contains(r.Body.String(), "sections[0].paragraphs[1].text") {
				t.Errorf("%q: %d %s", text, r.Code, r.Body.String())
			}
		}
		r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Bad", para("fine", "RESTRICTED", "s99")))
		if r.Code != 422 || !strings.Contains(r.Body.String(), "sections[0].paragraphs[0].withhold") {
			t.Errorf("bad ground: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		big := `{"name": "` + strings.Repeat("x", 5<<20) + `"}`
		if r := f.do("secretariat", "POST", "/api/v1/agencies", big); r.Code != 413 || r.errorCode() != "too_large" {
			t.Fatalf("%d", r.Code)
		}
	})
	t.Run("TooLargeFormOfUnknownLength", func(t *testing.T) {
		// A form past the limit sent in chunks, its length unsaid, was
		// answered 403 as a form without its CSRF token.
		b := f.pageBrowser("secretariat")
		for _, path := range []string{"/dialogues", "/api/v1/agencies"} {
			body := io.MultiReader(strings.NewReader("csrf_token="+url.QueryEscape(b.csrf)+"&name="), strings.NewReader(strings.Repeat("a", 5<<20)))
			req := httptest.NewRequest("POST", path, body)
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for name, value := range b.cookies {
				req.AddCookie(&http.Cookie{Name: name, Value: value})
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != 413 {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
	})
	t.Run("UnsupportedMediaType", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/agencies", `name=x`, "Content-Type", "text/plain")
		if r.Code != 415 {
			t.Fatalf("%d", r.Code)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, p := range []string{"/api/v1/agencies/999999", "/api/v1/sheets/not-an-id", "/api/v1/nothing", "/api/v1/rounds/%00/sheets"} {
			if r := f.do("admin", "GET", p, nil); r.Code != 404 || r.errorCode() != "not_found" {
				t.Errorf("%s: %d %s", p, r.Code, r.Body.String())
			}
		}
	})
	t.Run("ShapeAlwaysWhole", func(t *testing.T) {
		// The contract's error shape, fields and all, whatever the status:
		// a client may read error.fields unguarded.
		for _, r := range []response{
			f.do("admin", "GET", "/api/v1/agencies/999999", nil),                       // 404
			f.do("", "GET", "/api/v1/agencies", nil),                                   // 401
			f.do("secretariat", "PUT", "/api/v1/agencies/1", map[string]any{}),         // 428
			f.do("secretariat", "DELETE", "/api/v1/dialogues/1", nil, "If-Match", "9"), // 412 or 404
		} {
			var e struct {
				Error struct {
					Code   string             `json:"code"`
					Fields *map[string]string `json:"fields"`
				} `json:"error"`
			}
			if err := jsonUnmarshal(r.Body.String(), &e); err != nil || e.Error.Code == "" || e.Error.Fields == nil {
				t.Errorf("%d %s", r.Code, r.Body.String())
			}
		}
	})
	t.Run("BadLimit", func(t *testing.T) {
		if r := f.do("viewer", "GET", "/api/v1/agencies?limit=-4", nil); r.Code != 400 {
			t.Fatalf("%d", r.Code)
		}
	})
	t.Run("BadParent", func(t *testing.T) {
		if r := f.do("secretariat", "POST", "/api/v1/dialogues/424242/rounds", map[string]any{"number": 1, "host": "home"}); r.Code != 404 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		r := f.do("secretariat", "PUT", "/api/v1/rounds/"+w.round, map[string]any{"number": 3, "host": "home", "marking": "RESTRICTED", "agenda": []map[string]string{{"title": "x", "sheet_id": "424242"}}}, "If-Match", `*`)
		if r.Code != 422 || !strings.Contains(r.Body.String(), "agenda[0].sheet_id") {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	r := f.do("", "POST", "/api/v1/login", map[string]string{"name": "secretariat", "password": testPassword})
	cookie := "briefpack_session=" + r.Result().Cookies()[0].Value
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	r.json(&login)
	post := func(body, ctype string, headers ...string) int {
		req := httptest.NewRequest("POST", "/api/v1/agencies", strings.NewReader(body))
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Content-Type", ctype)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec.Code
	}
	const agency = `{"name":"CSRF Agency","country":"New Zealand"}`
	if c := post(agency, "text/plain"); c != 403 {
		t.Errorf("a cross-site form post with the cookie: %d", c)
	}
	if c := post(agency, "application/json", "Origin", "http://evil.example"); c != 403 {
		t.Errorf("a cross-origin JSON post: %d", c)
	}
	if c := post(agency, "application/json", "Sec-Fetch-Site", "cross-site"); c != 403 {
		t.Errorf("a cross-site fetch: %d", c)
	}
	if c := post(agency, "application/json"); c != 201 {
		t.Errorf("a same-site JSON post: %d", c)
	}
	if c := post(agency, "application/json", "X-CSRF-Token", login.CSRF); c != 201 {
		t.Errorf("a JSON post with the token: %d", c)
	}
	if c := post("", "application/x-www-form-urlencoded"); c != 403 {
		t.Errorf("an empty cross-site form post: %d", c)
	}
	if c := post(agency, "application/json", "Authorization", "Bearer "+f.tokens["secretariat"], "Cookie", ""); c != 201 {
		t.Errorf("a bearer post: %d", c)
	}
	// Signing out with the cookie and no body at all.
	req := httptest.NewRequest("POST", "/api/v1/logout", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 204 {
		t.Errorf("a cookie sign-out: %d", rec.Code)
	}
}

func TestClearance(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	t.Run("PersonAboveReader", func(t *testing.T) {
		if r := f.do("viewer", "GET", "/api/v1/people/"+w.secretPerson, nil); r.Code != 404 {
			t.Fatalf("%d", r.Code)
		}
		if r := f.do("officer", "GET", "/api/v1/people/"+w.secretPerson, nil); r.Code != 200 {
			t.Fatalf("%d", r.Code)
		}
		body := f.do("viewer", "GET", "/api/v1/people", nil).Body.String()
		if strings.Contains(body, "Covert") || !strings.Contains(body, "Tony Lynch") {
			t.Fatalf("list: %s", body)
		}
	})
	t.Run("RoundAboveReader", func(t *testing.T) {
		if r := f.do("viewer", "GET", "/api/v1/rounds/"+w.secretRound, nil); r.Code != 404 {
			t.Fatalf("%d", r.Code)
		}
		if r := f.do("viewer", "GET", "/api/v1/rounds/"+w.secretRound+"/sheets", nil); r.Code != 404 {
			t.Fatalf("%d", r.Code)
		}
		body := f.do("viewer", "GET", "/api/v1/dialogues/"+w.dialogue+"/rounds", nil).Body.String()
		if strings.Contains(body, w.secretRound) && strings.Contains(body, "Canberra") {
			t.Fatalf("list: %s", body)
		}
	})
	t.Run("ParagraphsAboveReader", func(t *testing.T) {
		r := f.do("viewer", "GET", "/api/v1/sheets/"+w.sheet, nil)
		if r.Code != 200 || strings.Contains(strings.ToLower(r.Body.String()), "zanzibar assessment") || !strings.Contains(r.Body.String(), "foreign interference activity") {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		var sh briefing.Sheet
		r.json(&sh)
		if sh.Marking != "RESTRICTED" || len(sh.Sections[0].Paragraphs) != 1 || sh.Sections[0].Heading != "Situational assessment" {
			t.Fatalf("%+v", sh)
		}
		var full briefing.Sheet
		f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil).json(&full)
		if full.Marking != "SECRET" || len(full.Sections[0].Paragraphs) != 2 {
			t.Fatalf("%+v", full)
		}
		if r := f.do("viewer", "GET", "/api/v1/sheets/"+w.secretSheet, nil); r.Code != 404 {
			t.Fatalf("a sheet wholly above the reader: %d", r.Code)
		}
		body := f.do("viewer", "GET", "/api/v1/rounds/"+w.round+"/sheets", nil).Body.String()
		if strings.Contains(strings.ToLower(body), "zanzibar assessment") || strings.Contains(body, "Zanzibar Operations") {
			t.Fatalf("list: %s", body)
		}
	})
	t.Run("Search", func(t *testing.T) {
		body := f.do("viewer", "GET", "/api/v1/search?q=zanzibar", nil).Body.String()
		if strings.Contains(strings.ToLower(body), "zanzibar") && !strings.Contains(body, `"items":[]`) {
			// The span words of the RESTRICTED paragraph are visible to the viewer.
			var res struct{ Items []map[string]string }
			_ = jsonUnmarshal(body, &res)
			for _, it := range res.Items {
				if it["id"] != w.sheet || it["kind"] != "sheet" || strings.Contains(strings.ToLower(it["snippet"]), "assessment held") {
					t.Fatalf("viewer's search found %v", it)
				}
			}
		}
		body = f.do("officer", "GET", "/api/v1/search?q=zanzibar", nil).Body.String()
		for _, want := range []string{w.secretSheet, w.secretPerson, w.sheet} {
			if !strings.Contains(body, `"`+want+`"`) {
				t.Fatalf("officer's search lacks %s: %s", want, body)
			}
		}
		// limit is read as a list's is: fewer hits, or 400.
		var one struct{ Items []map[string]string }
		_ = jsonUnmarshal(f.do("officer", "GET", "/api/v1/search?q=zanzibar&limit=1", nil).Body.String(), &one)
		if len(one.Items) != 1 {
			t.Errorf("limit=1: %d hits", len(one.Items))
		}
		if r := f.do("officer", "GET", "/api/v1/search?q=zanzibar&limit=abc", nil); r.Code != 400 {
			t.Errorf("limit=abc: %d", r.Code)
		}
		// Snippets are text as people read it, not Markdown or span marks.
		var res struct{ Items []map[string]string }
		_ = jsonUnmarshal(body, &res)
		for _, it := range res.Items {
			if sn := it["snippet"]; strings.Contains(sn, "**") || strings.Contains(sn, "{{") || strings.HasPrefix(sn, "- ") {
				t.Errorf("a snippet in Markdown: %q", sn)
			}
		}
	})
	t.Run("SaveOverHiddenContent", func(t *testing.T) {
		r := f.do("lowofficer", "GET", "/api/v1/sheets/"+w.sheet, nil)
		var sh map[string]any
		r.json(&sh)
		sh["title"] = "Foreign Interference (edited)"
		if r := f.do("lowofficer", "PUT", "/api/v1/sheets/"+w.sheet, sh, "If-Match", r.Header().Get("ETag")); r.Code != 403 {
			t.Fatalf("save over hidden content: %d %s", r.Code, r.Body.String())
		}
		var full briefing.Sheet
		f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil).json(&full)
		if full.Title != "Foreign Interference" || len(full.Sections[0].Paragraphs) != 2 || full.Version != 1 {
			t.Fatalf("something was lost: %+v", full)
		}
		if r := f.do("lowofficer", "DELETE", "/api/v1/sheets/"+w.sheet, nil); r.Code != 403 {
			t.Fatalf("delete over hidden content: %d", r.Code)
		}
	})
	t.Run("WriteAboveWriter", func(t *testing.T) {
		r := f.do("lowofficer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Too high", para("x", "SECRET", "")))
		if r.Code != 403 {
			t.Fatalf("%d", r.Code)
		}
		r = f.do("secretariat", "POST", "/api/v1/people", map[string]any{"name": "x", "country": "y", "marking": "TOP SECRET"})
		if r.Code != 403 {
			t.Fatalf("%d", r.Code)
		}
	})
	t.Run("PeopleInRounds", func(t *testing.T) {
		r := f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil)
		var round map[string]any
		r.json(&round)
		round["delegation"] = []map[string]string{{"person_id": w.secretPerson, "side": "partner"}}
		if r := f.do("secretariat", "PUT", "/api/v1/rounds/"+w.round, round, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		// A RESTRICTED lead does not see the SECRET delegate, and their save keeps them.
		r = f.do("lowlead", "GET", "/api/v1/rounds/"+w.round, nil)
		if strings.Contains(r.Body.String(), `"person_id":"`+w.secretPerson+`"`) {
			t.Fatalf("a person above the reader is listed: %s", r.Body.String())
		}
		r.json(&round)
		round["agenda"] = []map[string]string{{"title": "Opening remarks"}}
		if r := f.do("lowlead", "PUT", "/api/v1/rounds/"+w.round, round, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		if body := f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil).Body.String(); !strings.Contains(body, `"person_id":"`+w.secretPerson+`"`) || !strings.Contains(body, "Opening remarks") {
			t.Fatalf("the save lost what the writer could not see: %s", body)
		}
	})
	t.Run("Clearing", func(t *testing.T) {
		// A save does not move a sheet along its review, whoever sends it
		// and by whichever route: the review's own checks (submitted
		// first, no comment open, a lead who sees all of it) and its trail
		// would be gone round.
		r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil)
		var sh map[string]any
		r.json(&sh)
		for _, status := range []string{"cleared", "submitted"} {
			sh["status"] = status
			for _, user := range []string{"officer", "lead"} {
				if r := f.do(user, "PUT", "/api/v1/sheets/"+w.sheet, sh, "If-Match", r.Header().Get("ETag")); r.Code != 422 || !strings.Contains(r.Body.String(), "review") {
					t.Fatalf("%s saves status %s: %d %s", user, status, r.Code, r.Body.String())
				}
				if r := f.do(user, "POST", "/api/v1/sheets/"+w.sheet+"/merge", sh); r.Code != 422 {
					t.Fatalf("%s merges status %s: %d %s", user, status, r.Code, r.Body.String())
				}
			}
		}
		if got := f.sheet("officer", w.sheet); got.Status != "draft" {
			t.Fatalf("the sheet is %s", got.Status)
		}
		if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Born cleared", "status": "cleared"}); r.Code != 422 {
			t.Fatalf("a sheet created cleared: %d %s", r.Code, r.Body.String())
		}
		// Through the review, the lead clears it.
		f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"})
		if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "clear"}); r.Code != 200 {
			t.Fatalf("lead clears: %d %s", r.Code, r.Body.String())
		}
		// The editor says what a save will do to the cleared sheet: the
		// lead's keeps it cleared, the officer's sends it back to draft.
		for user, want := range map[string]string{"lead": "A change you save keeps it cleared", "officer": "Saving a change sends it back to draft"} {
			if page := f.pageBrowser(user).open("/sheets/" + w.sheet + "/edit"); !strings.Contains(page, want) {
				t.Errorf("%s's editor does not say %q", user, want)
			}
		}
		for _, c := range []struct{ user, status string }{{"lead", "cleared"}, {"officer", "draft"}} {
			f.update(c.user, "/api/v1/sheets/"+w.sheet, func(sh map[string]any) { editOne(sh, 0, 0, "Edited by the "+c.user+".") })
			if got := f.sheet("lead", w.sheet); got.Status != c.status {
				t.Fatalf("after the %s's change the sheet is %s, want %s", c.user, got.Status, c.status)
			}
		}
	})
}

// TestSearch_TextAsRead: words are found, and shown in snippets, as a
// reader reads them, not as they are kept: a paragraph brought in from a
// workbook keeps "R&D" as "R\&D", braces as references, and a word joiner
// before each line.
func TestSearch_TextAsRead(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	kept := `R\&D for the \*Pacific\* desk &lbrace;draft&rbrace;, \&amp; not a reference, &ampx; neither, AT&amp;T is` + "\n&NoBreak;\\- typed dash"
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Research", para(kept, "RESTRICTED", "")))
	for q, want := range map[string]string{
		"r&d":          "R&D for the *Pacific* desk {draft}, &amp; not a reference, &ampx; neither, AT&T is - typed dash",
		"at&t":         "AT&T is",
		"{draft}":      "{draft}",
		"*pacific*":    "*Pacific*",
		"- typed dash": "- typed dash",
	} {
		var res struct{ Items []map[string]string }
		if err := jsonUnmarshal(f.do("officer", "GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Body.String(), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 1 || !strings.Contains(res.Items[0]["snippet"], want) {
			t.Errorf("search %q: %v, want one hit whose snippet holds %q", q, res.Items, want)
		}
	}
}
