package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
)

// The differential test of the clearance rule for the answers to writes.
// The two stores of TestHiddenDifferential are built again, step for step,
// with a few objects more (hwMakeExtras), B alone given the writes above
// the readers (hiddenSteps, and among the extras a paragraph in a sheet
// the readers see whole, comments, rounds, the round an action was raised
// in); then the ids each store gives next are made alike (hwAlign):
// whatever B made above the readers, A makes and deletes (or, for
// snapshots and releases, which are never deleted, makes in a round above
// the readers), so that an object made alike in both is given the same id
// in both, and an id of an object above the readers in B names nothing in
// A. Then each RESTRICTED reader (viewer, lowofficer, lowlead, lowsec)
// sends, in both and in the same order, every write route the router
// holds — the JSON API's POST, PUT and DELETE, and the web forms, with the
// session's CSRF token and a form id of their own (hwSteps) — with a valid
// body and with the refused ones a reader sends: a stale If-Match or
// version, a field left out, an object above them, one that does not
// exist, a paragraph they cannot see. Every answer is compared as
// TestHiddenDifferential compares GET answers (hdCompareOne): status,
// headers (Location, ETag, Briefpack-*, Set-Cookie but for the session's
// token), body; and where a form answers with a redirect, the page it
// leads to, as the same browser opens it. What each store draws at random
// (paragraph and agenda ids, tokens, a frozen file's hash) is paired as
// the writes go (hwPair). The accepted channels are hdChannels' (the
// version number counts saves above the reader; presence names colleagues
// cleared higher) and hwChannels', each as narrow as the answers show it.
// A write route no step sends fails the test.
//
// Known, logged rather than failed:
//   - left for a decision (README, "What a reader can count"): releases
//     are numbered among all of a round's, so a lead's new one is numbered
//     past those hidden from them;
//   - the DESIGN's: a sheet holding content above the writer is not saved,
//     submitted, restored, rolled forward or deleted by them, nor cleared
//     when a comment above them is open on it (403), and a round or a
//     dialogue holding sheets or rounds above them is not deleted by them:
//     what B refuses, A does. Such a step's answers may differ, so long as
//     B's hold no word above the reader.

// hwSide is one store's side of the writes.
type hwSide struct {
	t    *testing.T
	name string
	f    *fixture
	w    *hdWorld
	x    *hwExtras
	// web are the readers' browsers, signed in.
	web map[string]*pageBrowser
	// step is the step being sent, known why its answers may differ;
	// recs the answers recorded, in order.
	step, known string
	recs        []hwRecord
	// once counts the form ids sent, alike in both stores.
	once int
	// made are the ids of what the writes made, by name, as this store gave them.
	made map[string]string
	// hidden are ids of what B alone holds above the readers, as B gave
	// them: sent alike to both stores (A has no such thing).
	hidden map[string]string
}

// hwRecord is one request and its answer.
type hwRecord struct {
	step, known, user, method, path string
	answer                          hdAnswer
}

func (s *hwSide) record(user, method, path string, code int, h http.Header, body []byte) {
	s.recs = append(s.recs, hwRecord{step: s.step, known: s.known, user: user, method: method, path: path,
		answer: hdAnswer{code: code, header: h.Clone(), body: append([]byte{}, body...)}})
}

// api sends a request of the JSON API as user and records its answer.
func (s *hwSide) api(user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	r := s.f.do(user, method, path, body, headers...)
	s.record(user, method, path, r.Code, r.Header(), r.Body.Bytes())
	return r
}

// read is what user's client reads before it writes (not recorded): the
// object as JSON and its ETag, or nil.
func (s *hwSide) read(user, path string) (map[string]any, string) {
	s.t.Helper()
	r := s.f.do(user, "GET", path, nil)
	if r.Code != 200 {
		return nil, ""
	}
	var m map[string]any
	r.json(&m)
	return m, r.Header().Get("ETag")
}

// put reads an object as user, lets edit change it, and PUTs it with the
// ETag read (or the headers edit returns, when it returns any); an object
// they cannot read is PUT as {} at version 1.
func (s *hwSide) put(user, path string, edit func(m map[string]any) []string) response {
	s.t.Helper()
	m, etag := s.read(user, path)
	if m == nil {
		return s.api(user, "PUT", path, map[string]any{}, "If-Match", `"1"`)
	}
	headers := []string{"If-Match", etag}
	if h := edit(m); h != nil {
		headers = h
	}
	return s.api(user, "PUT", path, m, headers...)
}

// version is the version of an object as user reads it, 0 for none.
func (s *hwSide) version(user, path string) int {
	m, _ := s.read(user, path)
	if m == nil {
		return 0
	}
	n, _ := m["version"].(float64)
	return int(n)
}

// form sends a web form as user's browser (their CSRF token and a form id
// of its own added, unless the form has them), records the answer and, for
// a redirect, the page it leads to.
func (s *hwSide) form(user, path string, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	b := s.web[user]
	f := url.Values{}
	for k, v := range form {
		f[k] = append([]string{}, v...)
	}
	if _, ok := f["csrf_token"]; !ok {
		f.Set("csrf_token", b.csrf)
	}
	if _, ok := f["once"]; !ok {
		s.once++
		f.Set("once", fmt.Sprintf("%032x", s.once))
	}
	rec := b.send("POST", path, f)
	s.record(user, "POST", path, rec.Code, rec.Header(), rec.Body.Bytes())
	s.follow(user, b, rec)
	return rec
}

// follow opens, as b, the page a redirect leads to, and records it; an
// answer that is no redirect is recorded as none, so that both stores
// record as many answers.
func (s *hwSide) follow(user string, b *pageBrowser, rec *httptest.ResponseRecorder) {
	s.t.Helper()
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/") {
		s.record(user, "GET", "(no redirect)", 0, http.Header{}, nil)
		return
	}
	loc, _, _ = strings.Cut(loc, "#")
	r := b.send("GET", loc, nil)
	s.record(user, "GET", loc, r.Code, r.Header(), r.Body.Bytes())
}

// page opens a page as user's browser, and records it.
func (s *hwSide) page(user, path string) string {
	s.t.Helper()
	r := s.web[user].send("GET", path, nil)
	s.record(user, "GET", path, r.Code, r.Header(), r.Body.Bytes())
	return r.Body.String()
}

// editor opens the editor of a sheet as user and sends its form as it
// stands, changed by edit, with the button op pressed.
func (s *hwSide) editor(user, sheet, op string, edit map[string]string) {
	s.t.Helper()
	form := editorForm(s.page(user, "/sheets/"+sheet+"/edit"))
	for k, v := range edit {
		form.Set(k, v)
	}
	form.Set("op", op)
	s.form(user, "/sheets/"+sheet+"/edit", form)
}

// workbook sends a workbook to a round's import form as user's browser.
func (s *hwSide) workbook(user, round string, book []byte, op string) {
	s.t.Helper()
	b := s.web[user]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.csrf)
	_ = mw.WriteField("op", op)
	if book != nil {
		fw, _ := mw.CreateFormFile("workbook", "pack.xlsx")
		_, _ = fw.Write(book)
	}
	_ = mw.Close()
	path := "/rounds/" + round + "/import"
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	s.f.h.ServeHTTP(rec, req)
	b.keep(rec)
	if rec.Code >= 500 {
		s.t.Errorf("POST %s: %d %s", path, rec.Code, rec.Body.String())
	}
	s.record(user, "POST", path, rec.Code, rec.Header(), rec.Body.Bytes())
	s.follow(user, b, rec)
}

// keepMade keeps, by name, the id of what an answer made (201).
func (s *hwSide) keepMade(name string, r response) {
	if r.Code != 201 {
		return
	}
	var out struct{ ID string }
	_ = json.Unmarshal(r.Body.Bytes(), &out)
	s.made[name] = out.ID
}

// paraID is the id of the paragraph of a sheet, as user reads it, whose
// text begins with prefix ("" if none).
func (s *hwSide) paraID(user, sheet, prefix string) string {
	m, _ := s.read(user, "/api/v1/sheets/"+sheet)
	if m == nil {
		return ""
	}
	if p := hdPara(m, prefix); p != nil {
		return p["id"].(string)
	}
	return ""
}

// agendaID is the id of the item of a round's agenda, as user reads it,
// titled title ("" if none).
func (s *hwSide) agendaID(user, round, title string) string {
	m, _ := s.read(user, "/api/v1/rounds/"+round)
	if m == nil {
		return ""
	}
	for _, it := range m["agenda"].([]any) {
		if im := it.(map[string]any); im["title"] == title {
			return im["id"].(string)
		}
	}
	return ""
}

// hwStep is one write, sent by each reader it names (every reader when
// none) in turn, in both stores. route names the router's route it is of.
type hwStep struct {
	route, name string
	who         []string
	send        func(s *hwSide, user string)
	// known, when set, is why the answers may differ (a refusal that is
	// the DESIGN's, or a policy): logged, not failed, so long as B's
	// answers hold no word above the reader and refuse for content above
	// them.
	known string
}

// hwOfficers are the readers who write sheets.
var hwOfficers = []string{"lowofficer", "lowlead", "lowsec"}

// hwPair pairs what the stores drew at random for the same thing since
// the last call: the ids of paragraphs (by their sheet and text) and of
// agenda items (by their round, title and sheet), as the TOP SECRET admin
// reads them now.
func hwPair(a, b *hwSide, pairs map[string]string, from int) {
	// Read from the store itself, which is quicker than the API by far.
	ids := func(f *fixture) map[string]string { // paragraphs and agenda items, by what they are
		ctx, all := context.Background(), briefing.Page{Limit: 1000}
		out := map[string]string{}
		ds, _, err := f.db.Dialogues(ctx, all)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range ds {
			rs, _, err := f.db.Rounds(ctx, d.ID, all)
			if err != nil {
				f.t.Fatal(err)
			}
			for _, r := range rs {
				for _, it := range r.Agenda {
					out["item\x00"+r.ID+"\x00"+it.Title+"\x00"+it.SheetID] = it.ID
				}
				shs, _, err := f.db.Sheets(ctx, r.ID, all)
				if err != nil {
					f.t.Fatal(err)
				}
				for _, sh := range shs {
					for _, sec := range sh.Sections {
						for _, p := range sec.Paragraphs {
							out["paragraph\x00"+sh.ID+"\x00"+p.Text] = p.ID
						}
					}
				}
			}
		}
		return out
	}
	ia, ib := ids(a.f), ids(b.f)
	for k, idB := range ib {
		if idA, ok := ia[k]; ok && idA != idB {
			pairs[idB] = idA
		}
	}
	// What the answers since from hold: the tokens a sign-in gave, and
	// the paragraphs of a sheet previewed, never stored.
	for i := from; i < len(b.recs) && i < len(a.recs); i++ {
		var ta, tb map[string]any
		_ = json.Unmarshal(a.recs[i].answer.body, &ta)
		_ = json.Unmarshal(b.recs[i].answer.body, &tb)
		for _, k := range []string{"token", "csrf_token"} {
			if x, ok := tb[k].(string); ok && x != "" {
				if y, ok := ta[k].(string); ok {
					pairs[x] = y
				}
			}
		}
		hwPairTexts(a.recs[i].answer.body, b.recs[i].answer.body, pairs)
	}
}

// hwPairTexts pairs the ids of the paragraphs of two sheets as JSON, A's
// and B's, by their texts.
func hwPairTexts(a, b []byte, pairs map[string]string) {
	texts := func(body []byte) map[string]string {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		out := map[string]string{}
		secs, _ := m["sections"].([]any)
		for _, sec := range secs {
			ps, _ := sec.(map[string]any)["paragraphs"].([]any)
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				id, _ := pm["id"].(string)
				text, _ := pm["text"].(string)
				out[text] = id
			}
		}
		return out
	}
	pa := texts(a)
	for text, idB := range texts(b) {
		if idA := pa[text]; idA != "" && idB != "" && idA != idB {
			pairs[idB] = idA
		}
	}
}

// hwPairSnapshots pairs the hashes of the files of the snapshots of the
// world's rounds, each where the two stores' files differ by no more than
// the accepted channels and the ids paired.
func hwPairSnapshots(a, b *hwSide, pairs map[string]string, base []string) {
	var list []string
	for k, v := range pairs {
		list = append(list, k, v)
	}
	same := strings.NewReplacer(append(append([]string{}, base...), list...)...)
	channels := append(append([]hdChannel{}, hdChannels...), hwChannels...)
	for _, round := range b.w.ids["round"] {
		var sa, sb struct {
			Items []struct {
				ID            string
				SHA256        map[string]string `json:"sha256"`
				ReleaseSHA256 map[string]string `json:"release_sha256"`
			}
		}
		a.f.do("admin", "GET", "/api/v1/rounds/"+round+"/packs?limit=100", nil).json(&sa)
		b.f.do("admin", "GET", "/api/v1/rounds/"+round+"/packs?limit=100", nil).json(&sb)
		for _, snB := range sb.Items {
			for _, snA := range sa.Items {
				if snA.ID != snB.ID {
					continue
				}
				for _, q := range []string{"format=html", "format=xlsx", "format=html&edition=release", "format=xlsx&edition=release"} {
					path := "/api/v1/packs/" + snA.ID + "?" + q
					ra, rb := a.f.do("admin", "GET", path, nil), b.f.do("admin", "GET", path, nil)
					ha, hb := strings.Trim(ra.Header().Get("ETag"), `"`), strings.Trim(rb.Header().Get("ETag"), `"`)
					if ra.Code != 200 || rb.Code != 200 || ha == hb || pairs[hb] != "" {
						continue
					}
					d := hdDiff("GET", path, hdAnswer{code: 200, body: ra.Body.Bytes()}, hdAnswer{code: 200, body: rb.Body.Bytes()}, same, channels)
					if len(d.unexplained) == 0 {
						pairs[hb] = ha
					}
				}
			}
		}
	}
}

// hwExtras are the objects the writes are tried on besides the world's,
// made alike in both stores; then, in B alone (hidden), what is added
// above the readers among them: a paragraph in a sheet the readers saw
// whole (S7), a comment on a sheet otherwise whole (S8, S9), a round of a
// dialogue that has no other (D2), a sheet of a round that has no other
// (R5), a round an action the readers see was raised in (A6), a person of
// an agency none of theirs belongs to; and a paragraph of S10 is raised
// above them in B, deleted in A, where to them it went alike.
type hwExtras struct {
	r7, s7, s8, s9, s10, d2, r5, a6 string
	// s10Seen is S10 as the RESTRICTED officer read it before its first
	// paragraph was raised above them (in B) or deleted (in A); r7Book is
	// R7's workbook as the RESTRICTED lead took it then.
	s10Seen string
	r7Book  []byte
}

func hwMakeExtras(f *fixture, w *hdWorld, hidden bool) *hwExtras {
	f.t.Helper()
	x := &hwExtras{}
	// A round of their own, so that what B adds to them does not change
	// what the readers are offered on the 3rd round's page.
	x.r7 = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 12, "starts_on": "2032-03-01", "city": "Dunedin", "host": "home", "marking": "RESTRICTED"})
	x.s7 = f.create("officer", "/api/v1/rounds/"+x.r7+"/sheets", sheetBody("Border Security", para("Uniform one.", "RESTRICTED", ""), para("Uniform two.", "RESTRICTED", "")))
	x.s8 = f.create("officer", "/api/v1/rounds/"+x.r7+"/sheets", sheetBody("Trade Security", para("Victor one.", "RESTRICTED", "")))
	x.s9 = f.create("officer", "/api/v1/rounds/"+x.r7+"/sheets", sheetBody("Health Security", para("Whiskey one.", "RESTRICTED", "")))
	x.s10 = f.create("officer", "/api/v1/rounds/"+x.r7+"/sheets", sheetBody("Energy Security", para("Xray one.", "RESTRICTED", ""), para("Xray two.", "RESTRICTED", "")))
	x.s10Seen = f.do("lowofficer", "GET", "/api/v1/sheets/"+x.s10, nil).Body.String()
	if r := f.do("officer", "POST", "/api/v1/sheets/"+x.s8+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		f.t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	x.d2 = f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Korea–New Zealand Dialogue", "partner": "Korea", "established": "2019-06-01", "cadence_months": 24})
	x.r5 = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 11, "starts_on": "2031-03-01", "city": "Nelson", "host": "home", "marking": "RESTRICTED"})
	action := map[string]any{"ref": "3.20", "text": "Share the border assessment", "status": "on_track", "marking": "RESTRICTED"}
	if hidden {
		// A round above the readers, which the action is raised in.
		// It meets when R7 does.
		r6 := f.create("admin", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 8, "starts_on": "2032-03-01", "city": "Quince Town", "host": "partner", "marking": "SECRET"})
		action["raised_in_round_id"] = r6
	}
	x.a6 = f.create("admin", "/api/v1/dialogues/"+w.dialogue+"/actions", action)
	// Taken before one of S10's paragraphs went: R7's workbook, and the
	// RESTRICTED officer's working copy of S10 (a paragraph added to it).
	x.r7Book = packBook(f, x.r7)
	b := f.pageBrowser("lowofficer")
	if rec := b.act(x.s10, b.open("/sheets/"+x.s10+"/edit"), "add-para:0", nil); rec.Code != http.StatusSeeOther {
		f.t.Fatalf("add a paragraph: %d %s", rec.Code, rec.Body.String())
	}
	if !hidden {
		// What B raises above the readers is, to them, deleted.
		f.update("lead", "/api/v1/sheets/"+x.s10, func(m map[string]any) { hdRemove(m, "Xray one") })
		return x
	}
	f.update("lead", "/api/v1/sheets/"+x.s10, func(m map[string]any) { hdPara(m, "Xray one")["marking"] = "SECRET" })
	f.update("lead", "/api/v1/sheets/"+x.s7, func(m map[string]any) {
		hdInsert(hdSection(m, "situation"), 1, para("Quince uniform, between the open ones.", "SECRET", ""))
	})
	s8 := f.sheetAsMap("lead", x.s8)
	f.create("lead", "/api/v1/sheets/"+x.s8+"/comments", map[string]any{"paragraph_id": hdPara(s8, "Victor")["id"], "text": "Quince comment on Victor.", "marking": "SECRET"})
	s9 := f.sheetAsMap("lead", x.s9)
	f.create("lead", "/api/v1/sheets/"+x.s9+"/comments", map[string]any{"paragraph_id": hdPara(s9, "Whiskey")["id"], "text": "Quince comment on Whiskey.", "marking": "SECRET"})
	f.create("admin", "/api/v1/dialogues/"+x.d2+"/rounds", map[string]any{"number": 1, "starts_on": "2031-05-01", "city": "Quince Seoul", "host": "partner", "marking": "SECRET"})
	// The 2nd agency, which nobody the readers see belongs to, has a person above them.
	f.create("admin", "/api/v1/people", map[string]any{"name": "Quince Officer", "agency_id": w.ids["agency"][1], "country": "Australia", "marking": "SECRET"})
	f.create("lead", "/api/v1/rounds/"+x.r5+"/sheets", sheetBody("Quince Sheet of the 7th", para("Quince words of the 7th.", "SECRET", "")))
	return x
}

// hwAlign has the next id of every kind be the same in A as in B: what B
// made above the readers, A makes too and deletes, so that an id that
// names an object above the readers in B names none in A; snapshots and
// releases, never deleted, are made in a round above the readers, in
// both, A making as many more as B made.
func hwAlign(t *testing.T, fa, fb *fixture, w *hdWorld) {
	t.Helper()
	num := func(id string) int { n, _ := strconv.Atoi(id); return n }
	// align makes a thing in both stores, and more in A until A's is
	// numbered as B's; drop (when not nil) deletes one.
	align := func(kind string, make func(f *fixture) string, drop func(f *fixture, id string)) (string, string) {
		idB := make(fb)
		for {
			idA := make(fa)
			switch {
			case num(idA) == num(idB):
				return idA, idB
			case num(idA) > num(idB):
				t.Fatalf("aligning %s ids: A gave %s, B %s", kind, idA, idB)
			}
			if drop != nil {
				drop(fa, idA)
			}
		}
	}
	del := func(path string) func(f *fixture, id string) {
		return func(f *fixture, id string) {
			if r := f.do("admin", "DELETE", path+id, nil); r.Code != 204 {
				t.Fatalf("DELETE %s%s: %d %s", path, id, r.Code, r.Body.String())
			}
		}
	}
	both := func(drop func(f *fixture, id string), a, b string) { drop(fa, a); drop(fb, b) }
	a, b := align("agency", func(f *fixture) string {
		return f.create("admin", "/api/v1/agencies", map[string]any{"name": "Alignment agency", "country": "New Zealand"})
	}, del("/api/v1/agencies/"))
	both(del("/api/v1/agencies/"), a, b)
	a, b = align("dialogue", func(f *fixture) string {
		return f.create("admin", "/api/v1/dialogues", map[string]any{"name": "Alignment dialogue", "partner": "Australia", "established": "2020-01-01", "cadence_months": 12})
	}, del("/api/v1/dialogues/"))
	both(del("/api/v1/dialogues/"), a, b)
	a, b = align("person", func(f *fixture) string {
		return f.create("admin", "/api/v1/people", map[string]any{"name": "Quince alignment", "country": "Australia", "marking": "SECRET"})
	}, del("/api/v1/people/"))
	both(del("/api/v1/people/"), a, b)
	a, b = align("action", func(f *fixture) string {
		return f.create("admin", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "9.99", "text": "Quince alignment", "status": "not_started", "marking": "SECRET"})
	}, del("/api/v1/actions/"))
	both(del("/api/v1/actions/"), a, b)
	// A round above the readers, kept in both, to hold the rest.
	number := 50
	round, _ := align("round", func(f *fixture) string {
		number++
		return f.create("admin", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": number, "starts_on": "2031-01-01", "city": "Quince",
			"host": "home", "status": "proposed", "marking": "SECRET"})
	}, del("/api/v1/rounds/"))
	sheetA, sheetB := align("sheet", func(f *fixture) string {
		return f.create("lead", "/api/v1/rounds/"+round+"/sheets", sheetBody("Quince alignment", para("Quince alignment paragraph.", "SECRET", "")))
	}, del("/api/v1/sheets/"))
	align("comment", func(f *fixture) string {
		id := sheetA
		if f == fb {
			id = sheetB
		}
		p := f.sheetAsMap("lead", id)
		return f.create("lead", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": hdPara(p, "Quince alignment")["id"], "text": "Quince alignment."})
	}, nil)
	both(del("/api/v1/sheets/"), sheetA, sheetB) // its comments with it
	align("snapshot", func(f *fixture) string {
		r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]bool{"force": true})
		if r.Code != 201 {
			t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
		}
		var sn struct{ ID string }
		r.json(&sn)
		return sn.ID
	}, nil)
	align("release", func(f *fixture) string {
		return f.hdRelease("lead", round, "OIA-Quince", "2026-11-05", "Quince alignment.")
	}, nil)
}

// hwChannels are the accepted channels of the answers to writes, besides
// hdChannels, each written as narrowly as the answers show it.
var hwChannels = []hdChannel{
	// The version number, as a stale write names it.
	{"version number: a stale write", func(method, path, _ string) bool { return method != "GET" }, func(s string) string {
		s = regexp.MustCompile(`is at version \d+, not \d+`).ReplaceAllString(s, "is at version #, not #")
		s = regexp.MustCompile(`there is no version \d+ yet`).ReplaceAllString(s, "there is no version # yet")
		s = regexp.MustCompile(`\(it is at version \d+\)`).ReplaceAllString(s, "(it is at version #)")
		s = regexp.MustCompile(`of this topic sheet at version \d+`).ReplaceAllString(s, "of this topic sheet at version #")
		return regexp.MustCompile(`since version \d+`).ReplaceAllString(s, "since version #")
	}},
	{"version number: an import's plan", func(method, path, _ string) bool { return method == "POST" && strings.Contains(path, "/import") },
		hdReplace(`"(current_|new_)?version":\d+`, `"${1}version":#`)},
	{"version number: page", func(_, path, _ string) bool { return !strings.HasPrefix(path, "/api/") }, func(s string) string {
		s = regexp.MustCompile(`(/sheets/\d+/versions/)\d+`).ReplaceAllString(s, "${1}#")
		s = regexp.MustCompile(`(data-label="From version">)\d+ \(now \d+\)`).ReplaceAllString(s, "${1}# (now #)")
		// A flash's words, in its cookie.
		return regexp.MustCompile(`([Vv]ersion\+)\d+`).ReplaceAllString(s, "${1}#")
	}},
	// Known, and left for a decision (README, "What a reader can count").
	{hwKnownReleases, func(method, path, _ string) bool {
		return method == "POST" && strings.HasSuffix(path, "/releases") || method == "GET" && hwRoundPage.MatchString(path)
	}, func(s string) string {
		s = regexp.MustCompile(`"number":\d+`).ReplaceAllString(s, `"number":#`)
		s = regexp.MustCompile(`Release(\+| )\d+(\+| )made`).ReplaceAllString(s, "Release$1#$2made")
		return regexp.MustCompile(`<td data-label="No.">\d+</td><td data-label="Reference">`).ReplaceAllString(s, `<td data-label="No.">#</td><td data-label="Reference">`)
	}},
}

// hwRoundPage is the path of a round's page.
var hwRoundPage = regexp.MustCompile(`^/rounds/\d+$`)

// hwKnownReleases is the known channel of releases' numbers.
const hwKnownReleases = "known, left for a decision (README): releases are numbered among all of a round's, those above the reader too"

// hwSteps are the writes sent, in order.
func hwSteps() []hwStep {
	p := &hwPlan{}
	hwAPISteps(p)
	hwFormSteps(p)
	hwFrozenSteps(p)
	hwExtraSteps(p)
	hwSignInSteps(p)
	return p.steps
}

// hwPlan is the writes to send, in order.
type hwPlan struct{ steps []hwStep }

// add is a write sent by each of who in turn (every reader when nil).
func (p *hwPlan) add(route, name string, who []string, send func(s *hwSide, user string)) {
	p.steps = append(p.steps, hwStep{route: route, name: name, who: who, send: send})
}

// hwAPISteps are the JSON API's writes.
func hwAPISteps(p *hwPlan) {
	add := p.add
	// Agencies.
	add("POST /api/v1/agencies", "an agency", nil, func(s *hwSide, u string) {
		s.keepMade("agency", s.api(u, "POST", "/api/v1/agencies", map[string]any{"name": "Ministry of Defence " + u, "acronym": "MOD", "country": "New Zealand"}))
	})
	add("POST /api/v1/agencies", "an agency without a name", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/agencies", map[string]any{"acronym": "MOD"})
	})
	add("PUT /api/v1/agencies/:id", "an agency changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/agencies/"+s.made["agency"], func(m map[string]any) []string { m["country"] = "Aotearoa New Zealand"; return nil })
	})
	add("PUT /api/v1/agencies/:id", "an agency, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/agencies/"+s.made["agency"], func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	add("PUT /api/v1/agencies/:id", "an agency, without If-Match", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/agencies/"+s.w.agency, func(m map[string]any) []string { return []string{} })
	})
	add("PUT /api/v1/agencies/:id", "an agency that does not exist", nil, func(s *hwSide, u string) {
		s.api(u, "PUT", "/api/v1/agencies/999", map[string]any{"name": "None"}, "If-Match", `"1"`)
	})
	add("DELETE /api/v1/agencies/:id", "an agency deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/agencies/"+s.made["agency"], nil)
	})
	add("DELETE /api/v1/agencies/:id", "an agency that does not exist, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/agencies/999", nil)
	})

	// People.
	person := func(name, marking string) map[string]any {
		return map[string]any{"name": name, "title": "Director", "agency_id": "", "country": "New Zealand", "bio": "Joined in 2019.", "marking": marking}
	}
	add("POST /api/v1/people", "a person", nil, func(s *hwSide, u string) {
		p := person("Hana Reti "+u, "RESTRICTED")
		p["agency_id"] = s.w.agency
		s.keepMade("person", s.api(u, "POST", "/api/v1/people", p))
	})
	add("POST /api/v1/people", "a person above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/people", person("Quince person", "SECRET"))
	})
	add("POST /api/v1/people", "a person of an agency that does not exist", nil, func(s *hwSide, u string) {
		p := person("Nobody's person", "RESTRICTED")
		p["agency_id"] = "999"
		s.api(u, "POST", "/api/v1/people", p)
	})
	add("POST /api/v1/people", "a person without a name", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/people", person("", "RESTRICTED"))
	})
	add("PUT /api/v1/people/:id", "a person changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/people/"+s.w.p1, func(m map[string]any) []string { m["title"] = "Deputy Chief Executive, " + u; return nil })
	})
	add("PUT /api/v1/people/:id", "a person withheld, the withholding left out", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/people/"+s.w.p2, func(m map[string]any) []string { delete(m, "withhold"); m["bio"] = "Joined in 2015; " + u; return nil })
	})
	add("PUT /api/v1/people/:id", "a person raised above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/people/"+s.w.p1, func(m map[string]any) []string { m["marking"] = "SECRET"; return nil })
	})
	add("PUT /api/v1/people/:id", "a person, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/people/"+s.w.p1, func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	for _, id := range []struct{ name, id string }{{"above the writer", "p3"}, {"raised above the writer", "p5"}, {"above the writer in B alone", "p6"}, {"that does not exist", "999"}} {
		id := id
		add("PUT /api/v1/people/:id", "a person "+id.name, nil, func(s *hwSide, u string) {
			s.api(u, "PUT", "/api/v1/people/"+s.id(id.id), person("Changed", "RESTRICTED"), "If-Match", `"1"`)
		})
		add("DELETE /api/v1/people/:id", "a person "+id.name+", deleted", nil, func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/people/"+s.id(id.id), nil)
		})
	}
	add("DELETE /api/v1/people/:id", "a person deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/people/"+s.made["person"], nil)
	})

	// Dialogues.
	dialogue := func(name string) map[string]any {
		return map[string]any{"name": name, "home": "New Zealand", "partner": "Japan", "established": "2015-04-07", "origin": "agreed at the leaders' meeting in Tokyo", "cadence_months": 18}
	}
	add("POST /api/v1/dialogues", "a dialogue", nil, func(s *hwSide, u string) {
		s.keepMade("dialogue", s.api(u, "POST", "/api/v1/dialogues", dialogue("Japan–New Zealand Cyber Policy Dialogue "+u)))
	})
	add("POST /api/v1/dialogues", "a dialogue without a name", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/dialogues", dialogue(""))
	})
	add("PUT /api/v1/dialogues/:id", "a dialogue changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/dialogues/"+s.w.dialogue, func(m map[string]any) []string { m["origin"] = "agreed by the prime ministers, " + u; return nil })
	})
	add("PUT /api/v1/dialogues/:id", "a dialogue, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/dialogues/"+s.w.dialogue, func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	add("DELETE /api/v1/dialogues/:id", "a dialogue with rounds, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/dialogues/"+s.w.dialogue, nil)
	})
	add("DELETE /api/v1/dialogues/:id", "a dialogue deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/dialogues/"+s.made["dialogue"], nil)
	})

	// Rounds.
	add("POST /api/v1/dialogues/:id/rounds", "a round", nil, func(s *hwSide, u string) {
		s.keepMade("round", s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", hwRoundBody(6, "RESTRICTED")))
	})
	add("POST /api/v1/dialogues/:id/rounds", "a round numbered as one above the writer", nil, func(s *hwSide, u string) {
		s.keepMade("round4", s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", hwRoundBody(4, "RESTRICTED")))
	})
	add("DELETE /api/v1/rounds/:id", "a round deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/rounds/"+s.made["round4"], nil)
	})
	add("POST /api/v1/dialogues/:id/rounds", "a round above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", hwRoundBody(7, "SECRET"))
	})
	add("POST /api/v1/dialogues/:id/rounds", "a round with a co-chair above the writer", nil, func(s *hwSide, u string) {
		r := hwRoundBody(7, "RESTRICTED")
		r["co_chairs"] = []map[string]string{{"person_id": s.id("p6"), "side": "partner"}}
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", r)
	})
	add("POST /api/v1/dialogues/:id/rounds", "a round without a city", nil, func(s *hwSide, u string) {
		r := hwRoundBody(7, "RESTRICTED")
		delete(r, "city")
		r["starts_on"] = "someday"
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", r)
	})
	add("PUT /api/v1/rounds/:id", "a round's purpose changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["purpose"] = "Review the year's cooperation, " + u + "."
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round's agenda reordered", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			ag := m["agenda"].([]any)
			ag[0], ag[1] = ag[1], ag[0]
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round's agenda, an item of the writer's own added", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["agenda"] = append(m["agenda"].([]any), map[string]any{"title": "Coffee with " + u})
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round's agenda, the last item removed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			ag := m["agenda"].([]any)
			m["agenda"] = ag[:len(ag)-1]
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round's agenda, an item given the id of one above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["agenda"].([]any)[0].(map[string]any)["id"] = s.hidden["item"]
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round's agenda, an item linked to a sheet above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["agenda"] = append(m["agenda"].([]any), map[string]any{"sheet_id": s.id("s6")})
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round, a delegate above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["delegation"] = append(m["delegation"].([]any), map[string]any{"person_id": s.id("p6"), "side": "partner"})
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round, a lead speaker above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string {
			m["agenda"].([]any)[0].(map[string]any)["lead_person_id"] = s.id("p3")
			return nil
		})
	})
	add("PUT /api/v1/rounds/:id", "a round, the co-chairs emptied", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string { m["co_chairs"] = []any{}; return nil })
	})
	add("PUT /api/v1/rounds/:id", "a round, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.w.r3, func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	add("PUT /api/v1/rounds/:id", "a round, the number of one above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.made["round"], func(m map[string]any) []string { m["number"] = 4; return nil })
	})
	for _, id := range []struct{ name, id string }{{"above the writer in B alone", "r4"}, {"that does not exist", "999"}} {
		id := id
		add("PUT /api/v1/rounds/:id", "a round "+id.name, nil, func(s *hwSide, u string) {
			s.api(u, "PUT", "/api/v1/rounds/"+s.id(id.id), hwRoundBody(8, "RESTRICTED"), "If-Match", `"1"`)
		})
		add("DELETE /api/v1/rounds/:id", "a round "+id.name+", deleted", nil, func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/rounds/"+s.id(id.id), nil)
		})
	}
	add("DELETE /api/v1/rounds/:id", "a round with sheets, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/rounds/"+s.w.r3, nil)
	})
	add("POST /api/v1/dialogues/:id/rounds/next", "the next round proposed", nil, func(s *hwSide, u string) {
		s.keepMade("next", s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds/next", nil))
	})
	add("POST /api/v1/dialogues/:id/rounds/next", "the next round of a dialogue that does not exist", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/dialogues/999/rounds/next", nil)
	})

	// Topic sheets.
	add("POST /api/v1/rounds/:id/sheets", "a sheet", nil, func(s *hwSide, u string) {
		s.keepMade("sheet-"+u, s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets", sheetBody("Maritime Security "+u, para("Mike: maritime cooperation, "+u+".", "RESTRICTED", ""), para("November: port visits.", "", ""))))
	})
	add("POST /api/v1/rounds/:id/sheets", "a sheet with a paragraph above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets", sheetBody("Quince sheet", para("Quince words.", "SECRET", "")))
	})
	add("POST /api/v1/rounds/:id/sheets", "a sheet made cleared", nil, func(s *hwSide, u string) {
		b := sheetBody("Cleared at once", para("Oscar.", "RESTRICTED", ""))
		b["status"] = "cleared"
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets", b)
	})
	add("POST /api/v1/rounds/:id/sheets", "a sheet without a title", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets", sheetBody("", para("Papa.", "RESTRICTED", "")))
	})
	add("POST /api/v1/rounds/:id/sheets", "a sheet in a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.id("r4")+"/sheets", sheetBody("Quebec", para("Quebec.", "RESTRICTED", "")))
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string {
			hdPara(m, "Juliet")["text"] = "Juliet: an aim of the 2nd round, " + u + "."
			return nil
		})
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, a paragraph raised above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string { hdPara(m, "Juliet")["marking"] = "SECRET"; return nil })
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, its sections left out", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string { delete(m, "sections"); return nil })
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, without If-Match", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string { return []string{} })
	})
	add("PUT /api/v1/sheets/:id", "a sheet seen whole, a paragraph given the id of one above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string { hdPara(m, "Juliet")["id"] = s.hidden["para"]; return nil })
	})
	add("PUT /api/v1/sheets/:id", "a sheet holding paragraphs above the writer", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/sheets/"+s.w.s1, func(m map[string]any) []string { hdPara(m, "Delta")["text"] = "Delta, put."; return nil })
	})
	for _, id := range []struct{ name, id string }{{"above the writer", "s5"}, {"above the writer in B alone", "s6"}, {"that does not exist", "999"}} {
		id := id
		add("PUT /api/v1/sheets/:id", "a sheet "+id.name, nil, func(s *hwSide, u string) {
			s.api(u, "PUT", "/api/v1/sheets/"+s.id(id.id), sheetBody("Quince", para("Quince.", "RESTRICTED", "")), "If-Match", `"1"`)
		})
	}
	add("DELETE /api/v1/sheets/:id", "a sheet holding paragraphs above the writer, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/sheets/"+s.w.s1, nil)
	})
	for _, id := range []string{"s5", "s6", "999"} {
		id := id
		add("DELETE /api/v1/sheets/:id", "a sheet above the writer or none, deleted ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/sheets/"+s.id(id), nil)
		})
	}
	add("DELETE /api/v1/sheets/:id", "a sheet deleted, stale", hwOfficers, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/sheets/"+s.made["sheet-"+u], nil, "If-Match", `"7"`)
	})
	add("DELETE /api/v1/sheets/:id", "a sheet deleted", hwOfficers, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/sheets/"+s.made["sheet-"+u], nil)
	})

	// Review, comments and their resolve.
	add("POST /api/v1/sheets/:id/review", "a sheet seen whole, submitted", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("submit", ""))
	})
	add("POST /api/v1/sheets/:id/comments", "a comment", nil, func(s *hwSide, u string) {
		s.keepMade("comment-"+u, s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/comments", map[string]any{"paragraph_id": s.paraID(u, s.w.s0, "We are aware"), "text": "Is this current? " + u}))
	})
	add("POST /api/v1/sheets/:id/review", "a sheet with a comment open, cleared", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("clear", ""))
	})
	add("POST /api/v1/comments/:id/resolve", "a comment resolved", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/comments/"+s.made["comment-"+u]+"/resolve", nil)
	})
	add("POST /api/v1/sheets/:id/review", "a sheet cleared, stale", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("clear", ""), "If-Match", `"1"`)
	})
	add("POST /api/v1/sheets/:id/review", "a sheet cleared", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("clear", "Good."))
	})
	// Below a lead, a change returns it to draft, and the answer says so
	// (Briefpack-Status-Was); a lead's keeps it cleared. Cleared again
	// before each writer, it is left cleared, as the step before left it.
	add("PUT /api/v1/sheets/:id", "a cleared sheet seen whole, changed", hwOfficers, func(s *hwSide, u string) {
		hwClear(s, s.w.s0)
		s.put(u, "/api/v1/sheets/"+s.w.s0, func(m map[string]any) []string {
			hdPara(m, "Juliet")["text"] = "Juliet: an aim of the 2nd round, cleared, then changed by " + u + "."
			return nil
		})
		hwClear(s, s.w.s0)
	})
	add("POST /api/v1/sheets/:id/review", "a sheet returned without a comment", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("return", ""))
	})
	add("POST /api/v1/sheets/:id/review", "a sheet returned", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("return", "Say more, "+u+"."))
	})
	add("POST /api/v1/sheets/:id/review", "a decision that is none", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/review", hwReviewBody("approve", ""))
	})
	for _, id := range []string{"s1", "s3", "s5", "s6", "999"} {
		id := id
		for _, d := range []string{"submit", "clear", "return"} {
			d := d
			add("POST /api/v1/sheets/:id/review", "a sheet above the writer, in part or whole, or none: "+d+" ("+id+")", nil, func(s *hwSide, u string) {
				s.api(u, "POST", "/api/v1/sheets/"+s.id(id)+"/review", hwReviewBody(d, "Why."))
			})
		}
	}
	add("POST /api/v1/sheets/:id/comments", "a comment on a paragraph above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s1+"/comments", map[string]any{"paragraph_id": s.hidden["para"], "text": "What is this?"})
	})
	add("POST /api/v1/sheets/:id/comments", "a comment on a paragraph above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s2+"/comments", map[string]any{"paragraph_id": s.w.paraX, "text": "What is this?"})
	})
	add("POST /api/v1/sheets/:id/comments", "a comment on a paragraph of another sheet", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s1+"/comments", map[string]any{"paragraph_id": s.w.paraE, "text": "Wrong sheet."})
	})
	add("POST /api/v1/sheets/:id/comments", "a comment above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s1+"/comments", map[string]any{"paragraph_id": s.w.paraA, "text": "Quince.", "marking": "SECRET"})
	})
	add("POST /api/v1/sheets/:id/comments", "a comment without words", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s1+"/comments", map[string]any{"paragraph_id": s.w.paraA})
	})
	add("POST /api/v1/sheets/:id/comments", "a comment on a sheet holding paragraphs above the writer", nil, func(s *hwSide, u string) {
		s.keepMade("comment-s1", s.api(u, "POST", "/api/v1/sheets/"+s.w.s1+"/comments", map[string]any{"paragraph_id": s.w.paraD, "text": "Which partners? " + u}))
	})
	add("POST /api/v1/sheets/:id/comments", "a comment on a sheet above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.id("s6")+"/comments", map[string]any{"paragraph_id": s.hidden["para"], "text": "?"})
	})
	for _, c := range []struct{ name, id string }{{"mine", "comment-s1"}, {"resolved already", "comment-lowofficer"}, {"above the writer", "hiddenComment"}, {"above the writer in B alone", "5"},
		{"above the writer in B alone, on a paragraph they see", "6"}, {"that does not exist", "999"}} {
		c := c
		add("POST /api/v1/comments/:id/resolve", "a comment "+c.name+", resolved", nil, func(s *hwSide, u string) {
			id := c.id
			switch id {
			case "comment-s1", "comment-lowofficer":
				id = s.made[id]
			case "hiddenComment":
				id = s.w.hiddenComment
			}
			s.api(u, "POST", "/api/v1/comments/"+id+"/resolve", nil)
		})
	}

	// Restore, roll-forward.
	add("POST /api/v1/sheets/:id/restore", "a version restored", nil, func(s *hwSide, u string) {
		_, etag := s.read(u, "/api/v1/sheets/"+s.w.s0)
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/restore", map[string]int{"version": 1}, "If-Match", etag)
	})
	add("POST /api/v1/sheets/:id/restore", "a version restored, stale", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/restore", map[string]int{"version": 1}, "If-Match", `"1"`)
	})
	add("POST /api/v1/sheets/:id/restore", "a version restored, without If-Match", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/restore", map[string]int{"version": 1})
	})
	add("POST /api/v1/sheets/:id/restore", "a version that does not exist, restored", nil, func(s *hwSide, u string) {
		_, etag := s.read(u, "/api/v1/sheets/"+s.w.s0)
		s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/restore", map[string]int{"version": 999}, "If-Match", etag)
	})
	for _, id := range []string{"s1", "t1", "s6"} {
		id := id
		add("POST /api/v1/sheets/:id/restore", "a version of a sheet holding paragraphs above the writer, or above them ("+id+"), restored", nil, func(s *hwSide, u string) {
			_, etag := s.read(u, "/api/v1/sheets/"+s.id(id))
			if etag == "" {
				etag = `"1"`
			}
			s.api(u, "POST", "/api/v1/sheets/"+s.id(id)+"/restore", map[string]int{"version": 1}, "If-Match", etag)
		})
	}
	add("POST /api/v1/sheets/:id/rollforward", "a sheet rolled forward", nil, func(s *hwSide, u string) {
		s.keepMade("rolled-"+u, s.api(u, "POST", "/api/v1/sheets/"+s.w.s0+"/rollforward", map[string]string{"round_id": s.made["next"]}))
	})
	for _, rf := range []struct{ name, sheet, round string }{{"into a round above the writer in B alone", "s0", "r4"}, {"into an earlier round", "s0", "r1"},
		{"into a round that does not exist", "s0", "999"}, {"into no round", "s0", ""}, {"holding paragraphs above the writer", "s1", "next"},
		{"above the writer in B alone", "s6", "next"}} {
		rf := rf
		add("POST /api/v1/sheets/:id/rollforward", "a sheet rolled forward "+rf.name, nil, func(s *hwSide, u string) {
			round := s.id(rf.round)
			if rf.round == "next" {
				round = s.made["next"]
			}
			s.api(u, "POST", "/api/v1/sheets/"+s.id(rf.sheet)+"/rollforward", map[string]string{"round_id": round})
		})
	}

	// Merges.
	add("POST /api/v1/sheets/:id/merge", "a merge", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) { hdPara(m, "Delta")["text"] = "Delta: cooperation continues, " + u + "." })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge over a save the writer sees", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) {
			s.f.update("officer", "/api/v1/sheets/"+s.w.s1, func(m map[string]any) {
				hdPara(m, "Charlie")["text"] = "Charlie: a shared threat picture, for " + u + "."
			})
			hdPara(m, "We are aware")["text"] = "We are aware of it, " + u + "."
		})
	})
	add("POST /api/v1/sheets/:id/merge", "a merge in conflict with a save the writer sees", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) {
			s.f.update("officer", "/api/v1/sheets/"+s.w.s1, func(m map[string]any) { hdPara(m, "Delta")["text"] = "Delta, as the officer has it for " + u + "." })
			hdPara(m, "Delta")["text"] = "Delta, as " + u + " has it."
		})
	})
	add("POST /api/v1/sheets/:id/merge", "a merge from no version", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) { m["version"] = 0 })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge from a version to come", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) { m["version"] = m["version"].(float64) + 3 })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge adding a paragraph with the id of one above the writer", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) {
			sec := hdSection(m, "situation")
			sec["paragraphs"] = append(sec["paragraphs"].([]any), map[string]any{"id": s.hidden["para"], "text": "Kilo, " + u + ".", "marking": "RESTRICTED"})
		})
	})
	add("POST /api/v1/sheets/:id/merge", "a merge moving a paragraph", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) {
			sec := hdSection(m, "situation")
			ps := sec["paragraphs"].([]any)
			ps[0], ps[len(ps)-1] = ps[len(ps)-1], ps[0]
		})
	})
	add("POST /api/v1/sheets/:id/merge", "a merge deleting every paragraph the writer sees", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.t1, func(m map[string]any) {
			for _, sec := range m["sections"].([]any) {
				sec.(map[string]any)["paragraphs"] = []any{}
			}
		})
	})
	add("POST /api/v1/sheets/:id/merge", "a merge raising a paragraph above the writer", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) { hdPara(m, "Delta")["marking"] = "SECRET" })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge withholding a sheet holding paragraphs above the writer", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) { m["withhold"] = "s6(a)" })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge of a sheet seen whole, its title changed", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s0, func(m map[string]any) { m["title"] = "Foreign Interference, " + u })
	})
	for _, id := range []string{"s5", "s6", "999"} {
		id := id
		add("POST /api/v1/sheets/:id/merge", "a merge of a sheet above the writer or none ("+id+")", nil, func(s *hwSide, u string) {
			hwMerge(s, u, s.id(id), func(m map[string]any) {})
		})
	}

	// Presence and drafts.
	for _, id := range []string{"s0", "s1", "s6", "999"} {
		id := id
		add("POST /api/v1/sheets/:id/presence", "presence ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/sheets/"+s.id(id)+"/presence", nil)
		})
		add("POST /api/v1/sheets/:id/presence", "presence left ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/sheets/"+s.id(id)+"/presence?leave=1", nil)
		})
	}
	draft := func(s *hwSide, u, sheet string, fields map[string]string) {
		s.api(u, "PUT", "/api/v1/sheets/"+sheet+"/draft", map[string]any{"version": s.version(u, "/api/v1/sheets/"+sheet), "fields": fields})
	}
	add("PUT /api/v1/sheets/:id/draft", "a draft", nil, func(s *hwSide, u string) {
		draft(s, u, s.w.s1, map[string]string{"s0.p0.id": s.w.paraA, "s0.p0.text": "We are aware, drafted by " + u + "."})
		s.api(u, "GET", "/api/v1/sheets/"+s.w.s1+"/draft", nil)
	})
	add("PUT /api/v1/sheets/:id/draft", "a draft naming a paragraph above the writer in B alone", nil, func(s *hwSide, u string) {
		draft(s, u, s.w.s1, map[string]string{"s0.p1.id": s.hidden["para"], "s0.p1.text": "Drafted over it."})
		s.api(u, "GET", "/api/v1/sheets/"+s.w.s1+"/draft", nil)
	})
	add("PUT /api/v1/sheets/:id/draft", "a draft marked above the writer", nil, func(s *hwSide, u string) {
		draft(s, u, s.w.s1, map[string]string{"s0.p0.marking": "SECRET"})
	})
	add("PUT /api/v1/sheets/:id/draft", "a draft of nothing", nil, func(s *hwSide, u string) { draft(s, u, s.w.s1, map[string]string{}) })
	add("PUT /api/v1/sheets/:id/draft", "a draft of a sheet above the writer in B alone", nil, func(s *hwSide, u string) {
		draft(s, u, s.id("s6"), map[string]string{"s0.p0.text": "?"})
	})
	for _, id := range []string{"s1", "s6"} {
		id := id
		add("DELETE /api/v1/sheets/:id/draft", "a draft discarded ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/sheets/"+s.id(id)+"/draft", nil)
		})
	}

	// A workbook imported, a brief brought in.
	for _, q := range []string{"?dry_run=true", ""} {
		q := q
		add("POST /api/v1/rounds/:id/import", "a workbook imported"+q, nil, func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/import"+q, hwBook(s, u), "Content-Type", xlsxType)
		})
	}
	// A workbook whose hidden columns name what is above the writer in B
	// alone: a paragraph (in the row of one they see), a sheet.
	bookNaming := func(s *hwSide, row, column, value string) []byte {
		r := s.f.do("lowlead", "GET", "/api/v1/rounds/"+s.w.r3+"/pack?format=xlsx", nil)
		return editBook(s.t, r.Body.Bytes(), func(x *excelize.File) {
			head, err := x.GetRows("Topics")
			if err != nil {
				s.t.Fatal(err)
			}
			for i, h := range head[0] {
				if h == column {
					cell, _ := excelize.CoordinatesToCellName(i+1, topicsRow(s.t, x, row))
					if err := x.SetCellStr("Topics", cell, value); err != nil {
						s.t.Fatal(err)
					}
					return
				}
			}
			s.t.Fatalf("no Topics column %q", column)
		})
	}
	for _, c := range []struct{ name, row, column, value string }{
		{"a paragraph above the writer in B alone", "Delta", "Paragraph id", "para"},
		{"a sheet above the writer in B alone", "Delta", "Sheet id", "s6"},
		{"a sheet above the writer", "Delta", "Sheet id", "s5"},
	} {
		c := c
		for _, q := range []string{"?dry_run=true", ""} {
			q := q
			add("POST /api/v1/rounds/:id/import", "a workbook naming "+c.name+q, hwOfficers, func(s *hwSide, u string) {
				s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/import"+q, bookNaming(s, c.row, c.column, s.id(c.value)), "Content-Type", xlsxType)
			})
		}
	}
	add("POST /api/v1/rounds/:id/import", "a file that is no workbook, imported", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/import", "not a workbook", "Content-Type", xlsxType)
	})
	add("POST /api/v1/rounds/:id/import", "a workbook sent as JSON", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/import", map[string]string{}, "Content-Type", "application/json")
	})
	add("POST /api/v1/rounds/:id/import", "a workbook imported into a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.id("r4")+"/import", hwBook(s, u), "Content-Type", xlsxType)
	})
	for _, q := range []string{"?preview=true", ""} {
		q := q
		add("POST /api/v1/rounds/:id/sheets/from-text", "a brief brought in"+q, nil, func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets/from-text"+q, hwBrief("Regional Brief "+u, ""))
		})
	}
	add("POST /api/v1/rounds/:id/sheets/from-text", "a brief marked above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/sheets/from-text", hwBrief("Quince Brief", "SECRET"))
	})
	add("POST /api/v1/rounds/:id/sheets/from-text", "a brief brought into a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.id("r4")+"/sheets/from-text", hwBrief("Sierra Brief", ""))
	})

	// Actions.
	action := func(ref, round, marking string) map[string]any {
		return map[string]any{"ref": ref, "text": "Host the next exercise", "owner_agency_id": "", "raised_in_round_id": round, "due_on": "2027-06-30", "status": "on_track", "marking": marking}
	}
	add("POST /api/v1/dialogues/:id/actions", "an action", nil, func(s *hwSide, u string) {
		s.keepMade("action", s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/actions", action("3.07", s.w.r3, "")))
	})
	add("POST /api/v1/dialogues/:id/actions", "an action raised in a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/actions", action("4.02", s.id("r4"), ""))
	})
	add("POST /api/v1/dialogues/:id/actions", "an action above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/actions", action("3.08", s.w.r3, "SECRET"))
	})
	add("POST /api/v1/dialogues/:id/actions", "an action of an agency that does not exist", nil, func(s *hwSide, u string) {
		a := action("3.09", s.w.r3, "")
		a["owner_agency_id"] = "999"
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/actions", a)
	})
	add("POST /api/v1/dialogues/:id/actions", "an action without words", nil, func(s *hwSide, u string) {
		a := action("3.10", s.w.r3, "")
		delete(a, "text")
		s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/actions", a)
	})
	add("PUT /api/v1/actions/:id", "an action changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/actions/"+s.w.a1, func(m map[string]any) []string {
			m["status"] = "at_risk"
			m["text"] = "Deliver the training, " + u
			return nil
		})
	})
	add("PUT /api/v1/actions/:id", "an action, its marking and round left out", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/actions/"+s.w.a1, func(m map[string]any) []string { delete(m, "marking"); delete(m, "raised_in_round_id"); return nil })
	})
	add("PUT /api/v1/actions/:id", "an action, stale", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/actions/"+s.w.a1, func(m map[string]any) []string { return []string{"If-Match", `"1"`} })
	})
	for _, id := range []string{"a2", "a4", "a5", "999"} {
		id := id
		add("PUT /api/v1/actions/:id", "an action above the writer or none ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "PUT", "/api/v1/actions/"+s.id(id), action("9.01", "", ""), "If-Match", `"1"`)
		})
		add("DELETE /api/v1/actions/:id", "an action above the writer or none, deleted ("+id+")", nil, func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/actions/"+s.id(id), nil)
		})
	}
	add("DELETE /api/v1/actions/:id", "an action deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/actions/"+s.made["action"], nil)
	})

	// Users: the admin's.
	add("POST /api/v1/users", "a user", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/users", map[string]string{"name": "newcomer", "role": "viewer", "clearance": "RESTRICTED", "password": testPassword})
	})
	add("PUT /api/v1/users/:id", "the writer's own account", nil, func(s *hwSide, u string) {
		var me struct{ ID string }
		s.f.do(u, "GET", "/api/v1/me", nil).json(&me)
		s.api(u, "PUT", "/api/v1/users/"+me.ID, map[string]string{"name": u, "password": testPassword + " again"}, "If-Match", `"1"`)
	})
	add("DELETE /api/v1/users/:id", "an account", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/users/1", nil)
	})
}

// hwFormSteps are the web forms, as a browser without scripts sends them.
func hwFormSteps(p *hwPlan) {
	add := p.add
	add("POST /agencies", "an agency", nil, func(s *hwSide, u string) {
		s.form(u, "/agencies", hwValues("name", "Ministry of Foreign Affairs and Trade "+u, "acronym", "MFAT", "country", "New Zealand"))
	})
	add("POST /agencies", "an agency, its form sent twice", nil, func(s *hwSide, u string) {
		f := hwValues("name", "National Emergency Management Agency "+u, "acronym", "NEMA", "country", "New Zealand", "once", "sent-twice-"+u)
		s.form(u, "/agencies", f)
		s.form(u, "/agencies", f)
	})
	add("POST /agencies", "an agency without a name", nil, func(s *hwSide, u string) {
		s.form(u, "/agencies", hwValues("acronym", "MFAT"))
	})
	add("POST /agencies/:id", "an agency changed", nil, func(s *hwSide, u string) {
		s.form(u, "/agencies/"+s.w.agency, hwValues("name", "Department of the Prime Minister and Cabinet", "acronym", "DPMC", "country", "New Zealand, "+u, "version", hwVersion(s, u, "/api/v1/agencies/"+s.w.agency)))
	})
	add("POST /agencies/:id", "an agency, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/agencies/"+s.w.agency, hwValues("name", "Department of the Prime Minister and Cabinet", "acronym", "DPMC", "country", "New Zealand", "version", "1"))
	})
	add("POST /agencies/:id", "an agency that does not exist", nil, func(s *hwSide, u string) {
		s.form(u, "/agencies/999", hwValues("name", "None", "version", "1"))
	})
	webPerson := func(name, marking, version string) url.Values {
		return hwValues("name", name, "title", "Adviser", "agency_id", "", "country", "New Zealand", "bio", "Joined in 2021.", "marking", marking, "withhold", "", "version", version)
	}
	add("POST /people", "a person", nil, func(s *hwSide, u string) { s.form(u, "/people", webPerson("Aroha Ngata "+u, "RESTRICTED", "")) })
	add("POST /people", "a person above the writer", nil, func(s *hwSide, u string) { s.form(u, "/people", webPerson("Quince person", "SECRET", "")) })
	add("POST /people", "a person without a name", nil, func(s *hwSide, u string) { s.form(u, "/people", webPerson("", "RESTRICTED", "")) })
	add("POST /people/:id", "a person changed", nil, func(s *hwSide, u string) {
		s.form(u, "/people/"+s.w.p1, webPerson("Tony Lynch", "UNCLASSIFIED", hwVersion(s, u, "/api/v1/people/"+s.w.p1)))
	})
	add("POST /people/:id", "a person, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/people/"+s.w.p1, webPerson("Tony Lynch", "UNCLASSIFIED", "1"))
	})
	add("POST /people/:id", "a person raised above the writer", nil, func(s *hwSide, u string) {
		s.form(u, "/people/"+s.w.p1, webPerson("Tony Lynch", "SECRET", hwVersion(s, u, "/api/v1/people/"+s.w.p1)))
	})
	for _, id := range []string{"p3", "p6", "999"} {
		id := id
		add("POST /people/:id", "a person above the writer or none ("+id+")", nil, func(s *hwSide, u string) {
			s.form(u, "/people/"+s.id(id), webPerson("Changed", "RESTRICTED", "1"))
		})
	}
	webDialogue := func(name, version string) url.Values {
		return hwValues("name", name, "home", "New Zealand", "partner", "Australia", "established", "2016-10-01", "origin", "agreed by the prime ministers", "notes", "",
			"cadence_months", "12", "version", version)
	}
	add("POST /dialogues", "a dialogue", nil, func(s *hwSide, u string) { s.form(u, "/dialogues", webDialogue("Pacific Security Dialogue "+u, "")) })
	add("POST /dialogues", "a dialogue without a name", nil, func(s *hwSide, u string) { s.form(u, "/dialogues", webDialogue("", "")) })
	add("POST /dialogues/:id", "a dialogue changed", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue, webDialogue("Australia–New Zealand National Security Dialogue", hwVersion(s, u, "/api/v1/dialogues/"+s.w.dialogue)))
	})
	add("POST /dialogues/:id", "a dialogue, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue, webDialogue("Australia–New Zealand National Security Dialogue", "1"))
	})
	webRound := func(number, marking string) url.Values {
		return hwValues("number", number, "starts_on", "2030-05-10", "ends_on", "2030-05-11", "city", "Christchurch", "host", "home", "status", "proposed", "marking", marking,
			"outcomes", "", "purpose", "", "key_messages", "")
	}
	add("POST /dialogues/:id/rounds", "a round", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/rounds", webRound("9", "RESTRICTED"))
	})
	add("POST /dialogues/:id/rounds", "a round above the writer", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/rounds", webRound("10", "SECRET"))
	})
	add("POST /dialogues/:id/rounds", "a round with a number that is none", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/rounds", webRound("tenth", "RESTRICTED"))
	})
	add("POST /dialogues/:id/next", "the next round proposed", nil, func(s *hwSide, u string) { s.form(u, "/dialogues/"+s.w.dialogue+"/next", nil) })
	add("POST /dialogues/:id/next", "the next round of a dialogue that does not exist", nil, func(s *hwSide, u string) { s.form(u, "/dialogues/999/next", nil) })
	webAction := func(ref, round, marking string) url.Values {
		return hwValues("ref", ref, "text", "Exchange liaison officers", "owner_agency_id", "", "raised_in_round_id", round, "due_on", "", "status", "not_started", "marking", marking)
	}
	add("POST /dialogues/:id/actions", "an action", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/actions", webAction("3.11", s.w.r3, ""))
	})
	add("POST /dialogues/:id/actions", "an action raised in a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/actions", webAction("4.03", s.id("r4"), ""))
	})
	add("POST /dialogues/:id/actions", "an action above the writer", nil, func(s *hwSide, u string) {
		s.form(u, "/dialogues/"+s.w.dialogue+"/actions", webAction("3.12", s.w.r3, "SECRET"))
	})
	add("POST /actions/:id", "an action's status", nil, func(s *hwSide, u string) {
		s.form(u, "/actions/"+s.w.a3, hwValues("status", "complete", "version", hwVersion(s, u, "/api/v1/actions/"+s.w.a3)))
	})
	add("POST /actions/:id", "an action's status, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/actions/"+s.w.a3, hwValues("status", "dropped", "version", "1"))
	})
	for _, id := range []string{"a2", "a5", "999"} {
		id := id
		add("POST /actions/:id", "an action above the writer or none ("+id+")", nil, func(s *hwSide, u string) {
			s.form(u, "/actions/"+s.id(id), hwValues("status", "dropped", "version", "1"))
		})
	}
	roundForm := func(s *hwSide, u string) url.Values {
		m, _ := s.read(u, "/api/v1/rounds/"+s.w.r3)
		v := url.Values{}
		if m == nil {
			return v
		}
		for _, k := range []string{"starts_on", "ends_on", "city", "host", "status", "marking", "outcomes", "purpose", "key_messages"} {
			x, _ := m[k].(string)
			v.Set(k, x)
		}
		v.Set("number", "3")
		v.Set("version", fmt.Sprint(m["version"]))
		return v
	}
	add("POST /rounds/:id", "a round's fields", nil, func(s *hwSide, u string) {
		f := roundForm(s, u)
		f.Set("key_messages", "We value the partnership, "+u+".")
		s.form(u, "/rounds/"+s.w.r3, f)
	})
	add("POST /rounds/:id", "a round's fields, stale", nil, func(s *hwSide, u string) {
		f := roundForm(s, u)
		f.Set("version", "1")
		f.Set("key_messages", "Stale.")
		s.form(u, "/rounds/"+s.w.r3, f)
	})
	add("POST /rounds/:id", "a round raised above the writer", nil, func(s *hwSide, u string) {
		f := roundForm(s, u)
		f.Set("marking", "SECRET")
		s.form(u, "/rounds/"+s.w.r3, f)
	})
	add("POST /rounds/:id", "a round confirmed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3, hwValues("op", "confirm", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	for _, id := range []string{"r4", "999"} {
		id := id
		add("POST /rounds/:id", "a round above the writer or none, confirmed ("+id+")", nil, func(s *hwSide, u string) {
			s.form(u, "/rounds/"+s.id(id), hwValues("op", "confirm", "version", "1"))
		})
	}
	item := func(s *hwSide, u, title string) string { return s.agendaID(u, s.w.r3, title) }
	add("POST /rounds/:id/agenda", "an agenda item moved up", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "up:"+item(s, u, "Welcome and introductions"), "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item moved down", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "down:"+item(s, u, "Welcome and introductions"), "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item added", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "add", "title", "Lunch with "+u, "starts_at", "12:30", "ends_at", "13:30", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item linked to a sheet above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "add", "sheet_id", s.id("s6"), "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item led by a person above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "programme:"+item(s, u, "Lunch with "+u), "session", "Lunch", "lead_person_id", s.id("p6"),
			"version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item's time, session and lead", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "programme:"+item(s, u, "Lunch with "+u), "session", "Lunch", "starts_at", "12:00", "ends_at", "13:00",
			"lead_person_id", s.w.p1, "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item above the writer in B alone, removed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "remove:"+s.hidden["item"], "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda reordered, an item above the writer in B alone named", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "order", "order", item(s, u, "Welcome and introductions")+","+s.hidden["item"], "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda reordered", nil, func(s *hwSide, u string) {
		m, _ := s.read(u, "/api/v1/rounds/"+s.w.r3)
		var ids []string
		if m != nil {
			ag := m["agenda"].([]any)
			for i := len(ag) - 1; i >= 0; i-- {
				ids = append(ids, ag[i].(map[string]any)["id"].(string))
			}
		}
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "order", "order", strings.Join(ids, ","), "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda item removed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/agenda", hwValues("op", "remove:"+item(s, u, "Lunch with "+u), "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/agenda", "an agenda of a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.id("r4")+"/agenda", hwValues("op", "add", "title", "Quince", "version", "1"))
	})
	add("POST /rounds/:id/people", "a co-chair added", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/people", hwValues("op", "add", "person_id", s.w.p2, "side", "home", "role", "co-chair", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/people", "a delegate above the writer in B alone added", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/people", hwValues("op", "add", "person_id", s.id("p6"), "side", "partner", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/people", "a co-chair removed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/people", hwValues("op", "remove-cochair:0", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/people", "a delegate removed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/people", hwValues("op", "remove-delegate:0", "version", hwVersion(s, u, "/api/v1/rounds/"+s.w.r3)))
	})
	add("POST /rounds/:id/sheets", "a sheet, put on the agenda", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/sheets", hwValues("title", "Climate Security "+u, "agenda", "on"))
	})
	add("POST /rounds/:id/sheets", "a sheet without a title", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/sheets", hwValues("title", " "))
	})
	add("POST /rounds/:id/sheets", "a sheet in a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.id("r4")+"/sheets", hwValues("title", "Quince"))
	})
	add("POST /rounds/:id/sheets/from-text", "a brief previewed", nil, func(s *hwSide, u string) {
		b := hwBrief("Pacific Brief "+u, "")
		s.form(u, "/rounds/"+s.w.r3+"/sheets/from-text", hwValues("text", b["text"], "title", b["title"], "marking", "", "op", "preview"))
	})
	add("POST /rounds/:id/sheets/from-text", "a brief brought in", nil, func(s *hwSide, u string) {
		b := hwBrief("Pacific Brief "+u, "")
		s.form(u, "/rounds/"+s.w.r3+"/sheets/from-text", hwValues("text", b["text"], "title", b["title"], "marking", "", "op", "create"))
	})
	add("POST /rounds/:id/sheets/from-text", "a brief marked above the writer", nil, func(s *hwSide, u string) {
		b := hwBrief("Quince Brief", "")
		s.form(u, "/rounds/"+s.w.r3+"/sheets/from-text", hwValues("text", b["text"], "title", b["title"], "marking", "SECRET", "op", "preview"))
	})
	add("POST /rounds/:id/import", "a workbook previewed", nil, func(s *hwSide, u string) { s.workbook(u, s.w.r3, hwBook(s, u+" on the page"), "preview") })
	add("POST /rounds/:id/import", "a workbook imported", nil, func(s *hwSide, u string) { s.workbook(u, s.w.r3, hwBook(s, u+" on the page"), "import") })
	add("POST /rounds/:id/import", "no workbook", nil, func(s *hwSide, u string) { s.workbook(u, s.w.r3, nil, "preview") })
	add("POST /rounds/:id/import", "a workbook into a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.workbook(u, s.id("r4"), hwBook(s, u), "preview")
	})

	// The editor.
	add("POST /sheets/:id/edit", "a paragraph added to the working copy", hwOfficers, func(s *hwSide, u string) {
		s.editor(u, s.w.s1, "add-para:0", nil)
	})
	add("POST /sheets/:id/edit", "the working copy saved", hwOfficers, func(s *hwSide, u string) {
		s.page(u, "/sheets/"+s.w.s1+"/edit?working=1")
		form := editorForm(s.page(u, "/sheets/"+s.w.s1+"/edit?working=1"))
		form.Set("s0.p0.text", "We are aware of it, saved by "+u+".")
		form.Set("op", "save")
		s.form(u, "/sheets/"+s.w.s1+"/edit", form)
	})
	add("POST /sheets/:id/edit", "a save over a save the writer sees", hwOfficers, func(s *hwSide, u string) {
		form := editorForm(s.page(u, "/sheets/"+s.w.s1+"/edit"))
		s.f.update("officer", "/api/v1/sheets/"+s.w.s1, func(m map[string]any) { hdPara(m, "Charlie")["text"] = "Charlie, by the officer for " + u + "." })
		form.Set("s0.p0.text", "We are aware of it, again by "+u+".")
		form.Set("op", "save")
		s.form(u, "/sheets/"+s.w.s1+"/edit", form)
	})
	add("POST /sheets/:id/edit", "a save in conflict with a save the writer sees", hwOfficers, func(s *hwSide, u string) {
		form := editorForm(s.page(u, "/sheets/"+s.w.s1+"/edit"))
		s.f.update("officer", "/api/v1/sheets/"+s.w.s1, func(m map[string]any) {
			hdPara(m, "We are aware")["text"] = "We are aware, as the officer has it for " + u + "."
		})
		form.Set("s0.p0.text", "We are aware, as "+u+" has it.")
		form.Set("op", "save")
		s.form(u, "/sheets/"+s.w.s1+"/edit", form)
	})
	add("POST /sheets/:id/edit", "a paragraph raised above the writer", hwOfficers, func(s *hwSide, u string) {
		s.editor(u, s.w.s1, "save", map[string]string{"s0.p0.marking": "SECRET"})
	})
	add("POST /sheets/:id/edit", "a paragraph given the id of one above the writer in B alone", hwOfficers, func(s *hwSide, u string) {
		s.editor(u, s.w.s1, "save", map[string]string{"s0.p0.id": s.hidden["para"], "s0.p0.text": "Lima, " + u + "."})
	})
	add("POST /sheets/:id/edit", "a form that did not arrive whole", hwOfficers, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s1+"/edit", hwValues("title", "Foreign Interference", "op", "save"))
	})
	add("POST /sheets/:id/edit", "a sheet seen whole, saved and submitted", hwOfficers, func(s *hwSide, u string) {
		s.editor(u, s.w.s0, "submit", map[string]string{"s0.p0.text": "We are aware of foreign interference activity, " + u + "."})
	})
	for _, id := range []string{"s6", "999"} {
		id := id
		add("POST /sheets/:id/edit", "the editor of a sheet above the writer or none ("+id+")", hwOfficers, func(s *hwSide, u string) {
			form := editorForm(s.page(u, "/sheets/"+s.w.s0+"/edit"))
			form.Set("s0.p0.text", "Typed for "+id+".")
			form.Set("op", "save")
			s.form(u, "/sheets/"+s.id(id)+"/edit", form)
		})
	}
	add("POST /sheets/:id/review", "a sheet returned", nil, func(s *hwSide, u string) { hwReviewForm(s, u, s.w.s0, "return", "Tighten it, "+u+".") })
	add("POST /sheets/:id/review", "a sheet submitted", nil, func(s *hwSide, u string) { hwReviewForm(s, u, s.w.s0, "submit", "") })
	add("POST /sheets/:id/review", "a sheet cleared", nil, func(s *hwSide, u string) { hwReviewForm(s, u, s.w.s0, "clear", "") })
	add("POST /sheets/:id/review", "a sheet cleared, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s0+"/review", hwValues("decision", "clear", "comment", "Stale.", "version", "2"))
	})
	add("POST /sheets/:id/review", "a sheet returned without a comment", nil, func(s *hwSide, u string) { hwReviewForm(s, u, s.w.s0, "return", "") })
	for _, id := range []string{"s1", "s6", "999"} {
		id := id
		add("POST /sheets/:id/review", "a sheet above the writer, in part or whole, or none, returned ("+id+")", nil, func(s *hwSide, u string) {
			s.form(u, "/sheets/"+s.id(id)+"/review", hwValues("decision", "return", "comment", "Why?", "version", "1"))
		})
	}
	add("POST /sheets/:id/review", "a sheet returned, to be restored", nil, func(s *hwSide, u string) { hwReviewForm(s, u, s.w.s0, "return", "Restore it.") })
	add("POST /sheets/:id/restore", "a version restored", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s0+"/restore", hwValues("version", "1"))
	})
	for _, c := range []struct{ name, sheet, version string }{{"a version that does not exist", "s0", "999"}, {"a version of a sheet holding paragraphs above the writer", "s1", "1"},
		{"a version of a sheet above the writer in B alone", "s6", "1"}} {
		c := c
		add("POST /sheets/:id/restore", c.name+", restored", nil, func(s *hwSide, u string) {
			s.form(u, "/sheets/"+s.id(c.sheet)+"/restore", hwValues("version", c.version))
		})
	}
	add("POST /sheets/:id/rollforward", "a sheet rolled forward", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s0+"/rollforward", hwValues("round_id", s.w.r3))
	})
	for _, c := range []struct{ name, sheet, round string }{{"into a round above the writer in B alone", "s0", "r4"}, {"holding paragraphs above the writer", "s1", "r3"},
		{"above the writer in B alone", "s6", "r3"}} {
		c := c
		add("POST /sheets/:id/rollforward", "a sheet rolled forward "+c.name, nil, func(s *hwSide, u string) {
			s.form(u, "/sheets/"+s.id(c.sheet)+"/rollforward", hwValues("round_id", s.id(c.round)))
		})
	}
	add("POST /sheets/:id/comments", "a comment", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s1+"/comments", hwValues("paragraph_id", s.w.paraD, "text", "Which partners, "+u+"?", "marking", ""))
	})
	add("POST /sheets/:id/comments", "a comment on a paragraph above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s1+"/comments", hwValues("paragraph_id", s.hidden["para"], "text", "What is this?", "marking", ""))
	})
	add("POST /sheets/:id/comments", "a comment above the writer", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s1+"/comments", hwValues("paragraph_id", s.w.paraD, "text", "Quince?", "marking", "SECRET"))
	})
	add("POST /sheets/:id/comments", "a comment on a sheet above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.id("s6")+"/comments", hwValues("paragraph_id", s.hidden["para"], "text", "?", "marking", ""))
	})
	add("POST /comments/:id/resolve", "a comment resolved", nil, func(s *hwSide, u string) {
		var cs struct{ Items []struct{ ID, Text string } }
		s.f.do("admin", "GET", "/api/v1/sheets/"+s.w.s1+"/comments?limit=100", nil).json(&cs)
		id := "999"
		for _, c := range cs.Items {
			if c.Text == "Which partners, "+u+"?" {
				id = c.ID
			}
		}
		s.form(u, "/comments/"+id+"/resolve", hwValues("back", "/sheets/"+s.w.s1))
	})
	for _, id := range []string{"hiddenComment", "6", "999"} {
		id := id
		add("POST /comments/:id/resolve", "a comment above the writer or none, resolved ("+id+")", nil, func(s *hwSide, u string) {
			if id == "hiddenComment" {
				id = s.w.hiddenComment
			}
			s.form(u, "/comments/"+id+"/resolve", hwValues("back", "/sheets/"+s.w.s1))
		})
	}
	add("POST /sheets/:id/delete", "a sheet deleted", nil, func(s *hwSide, u string) {
		var l struct{ Items []struct{ ID, Title string } }
		s.f.do(u, "GET", "/api/v1/rounds/"+s.w.r3+"/sheets?limit=100", nil).json(&l)
		id := "999"
		for _, sh := range l.Items {
			if sh.Title == "Climate Security "+u {
				id = sh.ID
			}
		}
		s.form(u, "/sheets/"+id+"/delete", hwValues("version", hwVersion(s, u, "/api/v1/sheets/"+id)))
	})
	for _, id := range []string{"s1", "s6", "999"} {
		id := id
		add("POST /sheets/:id/delete", "a sheet above the writer, in part or whole, or none, deleted ("+id+")", nil, func(s *hwSide, u string) {
			s.form(u, "/sheets/"+s.id(id)+"/delete", hwValues("version", "1"))
		})
	}
	add("POST /sheets/:id/delete", "a sheet deleted, stale", nil, func(s *hwSide, u string) {
		s.form(u, "/sheets/"+s.w.s0+"/delete", hwValues("version", "1"))
	})
	add("POST /admin/users", "a user", nil, func(s *hwSide, u string) {
		s.form(u, "/admin/users", hwValues("name", "newcomer", "role", "viewer", "clearance", "RESTRICTED", "password", testPassword))
	})
	add("POST /admin/users/:id", "the writer's own account", nil, func(s *hwSide, u string) {
		var me struct{ ID string }
		s.f.do(u, "GET", "/api/v1/me", nil).json(&me)
		s.form(u, "/admin/users/"+me.ID, hwValues("name", u, "role", "admin", "clearance", "TOP SECRET", "version", "1"))
	})
	add("POST /rounds/:id/freeze", "a snapshot", nil, func(s *hwSide, u string) { s.form(u, "/rounds/"+s.w.r2+"/freeze", hwValues("force", "on")) })
	add("POST /rounds/:id/freeze", "a snapshot of a round not ready", nil, func(s *hwSide, u string) { s.form(u, "/rounds/"+s.w.r3+"/freeze", nil) })
	add("POST /rounds/:id/freeze", "a snapshot of a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.id("r4")+"/freeze", hwValues("force", "on"))
	})
	webRelease := func(reference, op string) url.Values {
		v := hwValues("reference", reference, "received_on", "2026-11-21", "request", "The 2nd round's pack.", "decision_maker", "Decision Maker",
			"decision_maker_title", "Deputy Chief Executive", "as_one_document", "on", "other_documents", "", "op", op)
		for _, p := range briefing.Parts {
			v.Set("part_"+p, briefing.DecisionOutOfScope)
			v.Set("grounds_"+p, "")
		}
		return v
	}
	add("POST /rounds/:id/releases", "a release previewed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r2+"/releases", webRelease("OIA-2026/27-0030", "preview"))
	})
	add("POST /rounds/:id/releases", "a release without a reference", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r2+"/releases", webRelease("", "make"))
	})
	add("POST /rounds/:id/releases", "a release of a round the writer sees in part", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r3+"/releases", webRelease("OIA-2026/27-0031", "preview"))
	})
	add("POST /rounds/:id/releases", "a release of a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.id("r4")+"/releases", webRelease("OIA-2026/27-0032", "make"))
	})
	add("POST /rounds/:id/releases", "a release", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.w.r2+"/releases", webRelease("OIA-2026/27-0033", "make"))
	})
}

// hwFrozenSteps are the snapshots and releases made through the API: after
// the forms, as their numbers differ (a known channel).
func hwFrozenSteps(p *hwPlan) {
	add := p.add
	add("POST /api/v1/rounds/:id/packs", "a snapshot", nil, func(s *hwSide, u string) {
		s.keepMade("snapshot", s.api(u, "POST", "/api/v1/rounds/"+s.w.r2+"/packs", map[string]bool{"force": true}))
	})
	add("POST /api/v1/rounds/:id/packs", "a snapshot of a round not ready", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/packs", nil)
	})
	add("POST /api/v1/rounds/:id/packs", "a snapshot under a ceiling above the writer", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r2+"/packs", map[string]any{"force": true, "ceiling": "SECRET"})
	})
	add("POST /api/v1/rounds/:id/packs", "a snapshot of a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.id("r4")+"/packs", map[string]bool{"force": true})
	})
	release := func(reference string) map[string]any {
		return map[string]any{"reference": reference, "received_on": "2026-11-20", "request": "The 2nd round's pack, again.", "decision_maker": "Decision Maker",
			"decision_maker_title": "Deputy Chief Executive", "as_one_document": true}
	}
	add("POST /api/v1/rounds/:id/releases", "a release without a reference", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r2+"/releases", release(""))
	})
	add("POST /api/v1/rounds/:id/releases", "a release of a round the writer sees in part", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.w.r3+"/releases", release("OIA-2026/27-0021"))
	})
	add("POST /api/v1/rounds/:id/releases", "a release of a round above the writer in B alone", nil, func(s *hwSide, u string) {
		s.api(u, "POST", "/api/v1/rounds/"+s.id("r4")+"/releases", release("OIA-2026/27-0022"))
	})
	add("POST /api/v1/rounds/:id/releases", "a release", nil, func(s *hwSide, u string) {
		s.keepMade("release", s.api(u, "POST", "/api/v1/rounds/"+s.w.r2+"/releases", release("OIA-2026/27-0020")))
	})
}

// hwExtraSteps are the writes on what B alone adds above the readers among
// the extras (hwExtras): last, as what A then writes and B refuses makes
// the two differ.
func hwExtraSteps(p *hwPlan) {
	add := p.add
	add("PUT /api/v1/actions/:id", "an action raised in a round above the writer in B alone, changed", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/actions/"+s.x.a6, func(m map[string]any) []string { m["status"] = "at_risk"; delete(m, "marking"); return nil })
	})
	add("POST /actions/:id", "an action raised in a round above the writer in B alone, its status", nil, func(s *hwSide, u string) {
		s.form(u, "/actions/"+s.x.a6, hwValues("status", "complete", "version", hwVersion(s, u, "/api/v1/actions/"+s.x.a6)))
	})
	add("PUT /api/v1/rounds/:id", "a round meeting when one above the writer in B alone does", nil, func(s *hwSide, u string) {
		s.put(u, "/api/v1/rounds/"+s.x.r7, func(m map[string]any) []string { m["purpose"] = "Border and trade, " + u + "."; return nil })
	})
	add("POST /api/v1/dialogues/:id/rounds", "a round made to meet when one above the writer in B alone does", nil, func(s *hwSide, u string) {
		r := hwRoundBody(20, "RESTRICTED")
		r["starts_on"], r["ends_on"] = "2032-03-01", "2032-03-02"
		s.keepMade("round20", s.api(u, "POST", "/api/v1/dialogues/"+s.w.dialogue+"/rounds", r))
	})
	add("POST /rounds/:id", "a round meeting when one above the writer in B alone does, confirmed", nil, func(s *hwSide, u string) {
		s.form(u, "/rounds/"+s.made["round20"], hwValues("op", "confirm", "version", hwVersion(s, u, "/api/v1/rounds/"+s.made["round20"])))
	})
	// Saves above the writer, in B alone, while they edit.
	hiddenSave := func(s *hwSide, u string) {
		if s.name == "B" {
			s.f.update("lead", "/api/v1/sheets/"+s.w.s1, func(m map[string]any) {
				hdPara(m, "Quince inserted")["text"] = "Quince inserted between the open ones, while " + u + " edits."
			})
		}
	}
	add("POST /api/v1/sheets/:id/merge", "a merge over a save above the writer in B alone", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.w.s1, func(m map[string]any) {
			hiddenSave(s, u)
			hdPara(m, "Delta")["text"] = "Delta, while above " + u + " saves went on."
		})
	})
	add("POST /sheets/:id/edit", "a save over a save above the writer in B alone", hwOfficers, func(s *hwSide, u string) {
		form := editorForm(s.page(u, "/sheets/"+s.w.s1+"/edit"))
		hiddenSave(s, u)
		form.Set("s0.p0.text", "We are aware, while above "+u+" saves went on.")
		form.Set("op", "save")
		s.form(u, "/sheets/"+s.w.s1+"/edit", form)
	})
	mergeSeen := func(s *hwSide, u string, edit func(m map[string]any)) {
		var m map[string]any
		if err := json.Unmarshal([]byte(s.x.s10Seen), &m); err != nil {
			s.t.Fatal(err)
		}
		edit(m)
		s.api(u, "POST", "/api/v1/sheets/"+s.x.s10+"/merge", m)
	}
	taken := func(s *hwSide, row, text string) []byte {
		return editBook(s.t, s.x.r7Book, func(x *excelize.File) {
			if err := x.SetCellStr("Topics", fmt.Sprintf("D%d", topicsRow(s.t, x, row)), text); err != nil {
				s.t.Fatal(err)
			}
		})
	}
	for _, q := range []string{"?dry_run=true", ""} {
		q := q
		add("POST /api/v1/rounds/:id/import", "a workbook changing a paragraph raised above the writer since in B, deleted in A"+q, hwOfficers, func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/rounds/"+s.x.r7+"/import"+q, taken(s, "Xray one", "Xray one, imported by "+u+"."), "Content-Type", xlsxType)
		})
	}
	// The pages these answer with say which sheets hold content above
	// the writer: in B, S7 and S10 (a raised paragraph is held, where a
	// deleted one is gone), as the DESIGN has them say.
	const raised = "DESIGN: a sheet holding content above the writer says so on its pages and its round's; a paragraph raised above them is held, one deleted is not"
	p.steps = append(p.steps,
		hwStep{route: "POST /rounds/:id/import", name: "a workbook changing a paragraph raised above the writer since in B, deleted in A", who: hwOfficers, known: raised, send: func(s *hwSide, u string) {
			s.workbook(u, s.x.r7, taken(s, "Xray one", "Xray one, imported on the page by "+u+"."), "preview")
		}},
		hwStep{route: "POST /sheets/:id/edit", name: "a working copy holding a paragraph raised above the writer since in B, deleted in A, saved", who: []string{"lowofficer"}, known: raised, send: func(s *hwSide, u string) {
			form := editorForm(s.page(u, "/sheets/"+s.x.s10+"/edit?working=1"))
			form.Set("s0.p0.text", "Xray one, kept in the working copy.")
			form.Set("op", "save")
			s.form(u, "/sheets/"+s.x.s10+"/edit", form)
		}},
	)
	add("POST /api/v1/sheets/:id/merge", "a merge changing a paragraph raised above the writer since in B, deleted in A", hwOfficers, func(s *hwSide, u string) {
		mergeSeen(s, u, func(m map[string]any) { hdPara(m, "Xray one")["text"] = "Xray one, changed by " + u + "." })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge deleting a paragraph raised above the writer since in B, deleted in A", hwOfficers, func(s *hwSide, u string) {
		mergeSeen(s, u, func(m map[string]any) { hdRemove(m, "Xray one") })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge beside a paragraph raised above the writer since in B, deleted in A", hwOfficers, func(s *hwSide, u string) {
		mergeSeen(s, u, func(m map[string]any) { hdPara(m, "Xray two")["text"] = "Xray two, changed by " + u + "." })
	})
	add("POST /api/v1/sheets/:id/merge", "a merge of a sheet holding a paragraph above the writer in B alone", hwOfficers, func(s *hwSide, u string) {
		hwMerge(s, u, s.x.s7, func(m map[string]any) { hdPara(m, "Uniform two")["text"] = "Uniform two, merged by " + u + "." })
	})
	const holds = "DESIGN: nobody saves, submits, restores, rolls forward or deletes a sheet holding content above them (403); so a sheet the writer sees whole in A is refused to them in B"
	p.steps = append(p.steps,
		hwStep{route: "PUT /api/v1/sheets/:id", name: "a sheet holding a paragraph above the writer in B alone", known: holds, send: func(s *hwSide, u string) {
			s.put(u, "/api/v1/sheets/"+s.x.s7, func(m map[string]any) []string {
				hdPara(m, "Uniform one")["text"] = "Uniform one, put by " + u + "."
				return nil
			})
		}},
		hwStep{route: "POST /api/v1/sheets/:id/review", name: "a sheet holding a paragraph above the writer in B alone, submitted", known: holds, send: func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/sheets/"+s.x.s7+"/review", hwReviewBody("submit", ""))
		}},
		hwStep{route: "POST /api/v1/sheets/:id/review", name: "a sheet holding a comment above the writer in B alone, cleared", known: "a comment above the lead on a sheet makes it one holding content above them (api.openCommentsError): refused as such", send: func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/sheets/"+s.x.s8+"/review", hwReviewBody("clear", ""))
		}},
		hwStep{route: "POST /sheets/:id/review", name: "a sheet holding a paragraph above the writer in B alone, returned", known: holds, send: func(s *hwSide, u string) {
			hwReviewForm(s, u, s.x.s7, "return", "Why, "+u+"?")
		}},
		hwStep{route: "POST /api/v1/sheets/:id/restore", name: "a sheet holding a paragraph above the writer in B alone, its first version restored", known: holds, send: func(s *hwSide, u string) {
			_, etag := s.read(u, "/api/v1/sheets/"+s.x.s7)
			s.api(u, "POST", "/api/v1/sheets/"+s.x.s7+"/restore", map[string]int{"version": 1}, "If-Match", etag)
		}},
		hwStep{route: "POST /sheets/:id/edit", name: "a sheet holding a paragraph above the writer in B alone, saved and submitted", who: hwOfficers, known: holds, send: func(s *hwSide, u string) {
			s.editor(u, s.x.s7, "submit", map[string]string{"s0.p1.text": "Uniform two, saved by " + u + "."})
		}},
		hwStep{route: "POST /api/v1/sheets/:id/rollforward", name: "a sheet holding a paragraph above the writer in B alone, rolled forward", known: holds, send: func(s *hwSide, u string) {
			s.api(u, "POST", "/api/v1/sheets/"+s.x.s7+"/rollforward", map[string]string{"round_id": s.made["next"]})
		}},
		hwStep{route: "POST /sheets/:id/delete", name: "a sheet holding a paragraph above the writer in B alone, deleted", who: []string{"lowofficer"}, known: holds, send: func(s *hwSide, u string) {
			s.form(u, "/sheets/"+s.x.s7+"/delete", hwValues("version", hwVersion(s, u, "/api/v1/sheets/"+s.x.s7)))
		}},
		hwStep{route: "DELETE /api/v1/sheets/:id", name: "a sheet holding a paragraph above the writer in B alone, deleted", known: holds, send: func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/sheets/"+s.x.s7, nil)
		}},
		hwStep{route: "DELETE /api/v1/rounds/:id", name: "a round whose only sheet is above the writer in B alone, deleted", known: "policy (api.refusedForHidden): a round holding sheets above the writer is not deleted by them, its refusal naming no kind they cannot see", send: func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/rounds/"+s.x.r5, nil)
		}},
		hwStep{route: "DELETE /api/v1/dialogues/:id", name: "a dialogue whose only round is above the writer in B alone, deleted", known: "policy (api.refusedForHidden): a dialogue holding rounds above the writer is not deleted by them, its refusal naming no kind they cannot see", send: func(s *hwSide, u string) {
			s.api(u, "DELETE", "/api/v1/dialogues/"+s.x.d2, nil)
		}},
	)
	add("DELETE /api/v1/agencies/:id", "an agency a person above the writer in B alone belongs to, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/agencies/"+s.w.ids["agency"][1], nil)
	})
	add("DELETE /api/v1/sheets/:id", "a sheet with a comment above the writer in B alone, deleted", nil, func(s *hwSide, u string) {
		s.api(u, "DELETE", "/api/v1/sheets/"+s.x.s9, nil)
	})
}

// hwSignInSteps sign one reader in and out, and every reader's browser out:
// last.
func hwSignInSteps(p *hwPlan) {
	add := p.add
	add("POST /api/v1/login", "a sign-in", []string{"lowofficer"}, func(s *hwSide, u string) {
		r := s.api("", "POST", "/api/v1/login", map[string]string{"name": u, "password": testPassword})
		var out struct{ Token string }
		_ = json.Unmarshal(r.Body.Bytes(), &out)
		s.made["token-"+u] = out.Token
	})
	add("POST /api/v1/login", "a sign-in with a wrong password", []string{"lowofficer"}, func(s *hwSide, u string) {
		s.api("", "POST", "/api/v1/login", map[string]string{"name": u, "password": "not the password at all"})
	})
	add("POST /api/v1/logout", "a sign-out", []string{"lowofficer"}, func(s *hwSide, u string) {
		s.api("", "POST", "/api/v1/logout", nil, "Authorization", "Bearer "+s.made["token-"+u])
	})
	add("POST /login", "a sign-in", []string{"lowofficer"}, func(s *hwSide, u string) {
		b := &pageBrowser{f: s.f, cookies: map[string]string{}}
		rec := b.send("POST", "/login", hwValues("name", u, "password", testPassword, "next", "/sheets/"+s.w.s1))
		s.record(u, "POST", "/login", rec.Code, rec.Header(), rec.Body.Bytes())
		s.follow(u, b, rec)
	})
	add("POST /login", "a sign-in with a wrong password", []string{"lowofficer"}, func(s *hwSide, u string) {
		b := &pageBrowser{f: s.f, cookies: map[string]string{}}
		rec := b.send("POST", "/login", hwValues("name", u, "password", "not the password at all", "next", "/"))
		s.record(u, "POST", "/login", rec.Code, rec.Header(), rec.Body.Bytes())
	})
	add("POST /logout", "a sign-out", nil, func(s *hwSide, u string) { s.form(u, "/logout", nil) })
}

// hwRoundBody is a round's body for the API.
func hwRoundBody(number int, marking string) map[string]any {
	return map[string]any{"number": number, "starts_on": "2028-05-10", "ends_on": "2028-05-11", "city": "Auckland", "host": "home", "status": "proposed", "marking": marking}
}

// hwReviewBody is a review decision's body.
func hwReviewBody(decision, comment string) map[string]string {
	return map[string]string{"decision": decision, "comment": comment}
}

// hwClear clears a sheet as the lead (not recorded), submitting it first
// if it is a draft; one cleared already is left as it is.
func hwClear(s *hwSide, sheet string) {
	s.t.Helper()
	for _, d := range []string{"submit", "clear"} {
		var sh struct{ Status string }
		s.f.do("lead", "GET", "/api/v1/sheets/"+sheet, nil).json(&sh)
		if sh.Status == "cleared" || d == "clear" && sh.Status != "submitted" || d == "submit" && sh.Status != "draft" {
			continue
		}
		if r := s.f.do("lead", "POST", "/api/v1/sheets/"+sheet+"/review", hwReviewBody(d, "")); r.Code != 200 {
			s.t.Fatalf("%s: %s sheet %s: %d %s", s.name, d, sheet, r.Code, r.Body.String())
		}
	}
}

// hwMerge reads a sheet as u, lets edit change it, and merges it (a sheet
// they cannot read is merged as a sheet of their own at version 1).
func hwMerge(s *hwSide, u, sheet string, edit func(m map[string]any)) response {
	m, _ := s.read(u, "/api/v1/sheets/"+sheet)
	if m == nil {
		m = sheetBody("Quince", para("Quince.", "RESTRICTED", ""))
		m["version"] = 1
	}
	edit(m)
	return s.api(u, "POST", "/api/v1/sheets/"+sheet+"/merge", m)
}

// hwBook is the 3rd round's workbook as the RESTRICTED lead downloads it
// now, a row edited by u.
func hwBook(s *hwSide, u string) []byte {
	r := s.f.do("lowlead", "GET", "/api/v1/rounds/"+s.w.r3+"/pack?format=xlsx", nil)
	if r.Code != 200 {
		s.t.Fatalf("pack: %d %s", r.Code, r.Body.String())
	}
	return editBook(s.t, r.Body.Bytes(), func(x *excelize.File) {
		if err := x.SetCellStr("Topics", fmt.Sprintf("D%d", topicsRow(s.t, x, "Golf")), "Golf: we welcome the exercise, "+u+"."); err != nil {
			s.t.Fatal(err)
		}
	})
}

// hwBrief is the body bringing in a brief's text as a topic sheet.
func hwBrief(title, marking string) map[string]string {
	return map[string]string{"text": title + "\t\n<b>Situational assessment</b>\t<ul><li>• Romeo: regional cooperation is growing.</li></ul>\n", "title": title, "marking": marking}
}

// hwValues is a form of key, value pairs.
func hwValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// hwVersion is the version of an object as u reads it, as a form sends it.
func hwVersion(s *hwSide, u, path string) string { return strconv.Itoa(s.version(u, path)) }

// hwReviewForm sends a sheet's review form as u, at the version they read.
func hwReviewForm(s *hwSide, u, sheet, decision, comment string) {
	s.form(u, "/sheets/"+sheet+"/review", hwValues("decision", decision, "comment", comment, "version", hwVersion(s, u, "/api/v1/sheets/"+sheet)))
}

// id is an object of the world by its name in hdWorld ("p6"), or the
// name itself.
func (s *hwSide) id(name string) string {
	if id, ok := s.hidden[name]; ok {
		return id
	}
	w := s.w
	switch name {
	case "p1":
		return w.p1
	case "p2":
		return w.p2
	case "p3":
		return w.p3
	case "p5":
		return w.p5
	case "p6":
		return w.p6
	case "r1":
		return w.r1
	case "r2":
		return w.r2
	case "r3":
		return w.r3
	case "r4":
		return w.r4
	case "s0":
		return w.s0
	case "s1":
		return w.s1
	case "s2":
		return w.s2
	case "s3":
		return w.s3
	case "s5":
		return w.s5
	case "s6":
		return w.s6
	case "t0":
		return w.t0
	case "t1":
		return w.t1
	case "a1":
		return w.a1
	case "a2":
		return w.a2
	case "a4":
		return w.a4
	case "a5":
		return w.a5
	}
	return name
}

// TestHiddenDifferentialWrites runs on a bbolt file and on etcd with two
// servers to each store (hdEachRun): there the objects the writes are
// tried on, the writes above the readers and the ids' alignment are made
// through the second server, after the readers' server has read every GET
// answer once, and the readers' writes are sent to the first once its
// watch has seen them. It does not run on one etcd member, where the
// writes above the readers and the readers' are made on one server: that
// took a quarter of a minute more (a minute under the race detector), and
// the readers' server of the run of two makes their writes, and
// TestHiddenDifferential's run on one member the writes above them.
func TestHiddenDifferentialWrites(t *testing.T) { hdEachRun(t, false, testHiddenDifferentialWrites) }

func testHiddenDifferentialWrites(t *testing.T, run *hdRun) {
	start := time.Now()
	a, b := hwWorlds(t, run)
	pairs := map[string]string{}
	// S10's paragraphs, as the officer read them before one went.
	hwPairTexts([]byte(a.x.s10Seen), []byte(b.x.s10Seen), pairs)
	base := hdIDPairs(t, a.f, b.f, b.w)
	hwSend(a, b, hwSteps(), pairs, base)
	t.Logf("%d writes and pages each, %v", len(a.recs), time.Since(start))
	hwRoutesSent(t, a)
	if len(a.recs) != len(b.recs) {
		t.Fatalf("A recorded %d answers, B %d", len(a.recs), len(b.recs))
	}
	var list []string
	for k, v := range pairs {
		list = append(list, k, v)
	}
	hwCompare(t, a, b, strings.NewReplacer(append(append(base, hdIDPairs(t, a.f, b.f, b.w)...), list...)...))
}

// hwWorlds builds the two stores, A and B, as the differential test of
// writes starts from (its comment says how), the readers signed in.
func hwWorlds(t *testing.T, run *hdRun) (a, b *hwSide) {
	fa, ga := run.open(t, "a")
	fb, gb := run.open(t, "b")
	fa.db.Now, fb.db.Now = fa.clock.Now, fb.clock.Now
	tick := func(d time.Duration) { fa.clock.Add(d); fb.clock.Add(d) }
	wa, wb := buildHDWorld(fa), buildHDWorld(fb)
	tick(20 * time.Minute)
	raiseStep(fa, wa)
	raiseStep(fb, wb)
	if run.twoServers {
		// The readers' server reads everything as they do, before the
		// writes above them.
		paths := hdPaths(t, fb, wb, hdVersions(fb, wb))
		hdRecord(fa, wa, paths)
		hdRecord(fb, wb, paths)
	}
	tick(20 * time.Minute)
	xa, xb := hwMakeExtras(ga, wa, false), hwMakeExtras(gb, wb, true)
	if ida, idb := fmt.Sprint(xa.r7, xa.s7, xa.s8, xa.s9, xa.s10, xa.d2, xa.r5, xa.a6), fmt.Sprint(xb.r7, xb.s7, xb.s8, xb.s9, xb.s10, xb.d2, xb.r5, xb.a6); ida != idb {
		t.Fatalf("the extras differ: %s and %s", ida, idb)
	}
	hiddenSteps(gb, wb)
	hwAlign(t, ga, gb, wb)
	hdAwaitWatch(t, fa, fb)
	tick(time.Minute)
	// What B alone holds above the readers, by B's ids, sent alike to both.
	hidden := map[string]string{"p6": wb.p6, "r4": wb.r4, "s6": wb.s6, "a5": wb.a5}
	var inserted string
	fb.hdParaIDs(wb.s1, map[string]*string{"Quince inserted": &inserted})
	hidden["para"] = inserted
	var r3 struct {
		Agenda []struct {
			ID      string
			SheetID string `json:"sheet_id"`
		}
	}
	fb.do("admin", "GET", "/api/v1/rounds/"+wb.r3, nil).json(&r3)
	for _, it := range r3.Agenda {
		if it.SheetID == wb.s6 {
			hidden["item"] = it.ID
		}
	}
	if hidden["para"] == "" || hidden["item"] == "" {
		t.Fatalf("B's hidden paragraph and agenda item: %v", hidden)
	}
	side := func(name string, f *fixture, w *hdWorld, x *hwExtras) *hwSide {
		s := &hwSide{t: t, name: name, f: f, w: w, x: x, web: map[string]*pageBrowser{}, made: map[string]string{}, hidden: hidden}
		for _, u := range hdReaders {
			s.web[u] = f.pageBrowser(u)
		}
		return s
	}
	return side("A", fa, wa, xa), side("B", fb, wb, xb)
}

// hwSend sends the steps, each by each reader it names, in A then in B,
// pairing what a write made.
func hwSend(a, b *hwSide, steps []hwStep, pairs map[string]string, base []string) {
	for _, st := range steps {
		who := st.who
		if who == nil {
			who = hdReaders
		}
		for _, u := range who {
			n := len(a.recs)
			for _, s := range []*hwSide{a, b} {
				s.step, s.known = st.route+": "+st.name, st.known
				st.send(s, u)
			}
			// What a write made is paired; a refused one made nothing.
			for _, r := range a.recs[n:] {
				if r.method != "GET" && r.answer.code < 400 {
					hwPair(a, b, pairs, n)
					if strings.HasSuffix(r.path, "/packs") || strings.HasSuffix(r.path, "/freeze") {
						hwPairSnapshots(a, b, pairs, base)
					}
					break
				}
			}
		}
	}
}

// hwRoutesSent fails the test for every write route the router holds that
// no step sent.
func hwRoutesSent(t *testing.T, a *hwSide) {
	t.Helper()
	param := regexp.MustCompile(`:[a-z]+|\*`)
	for _, rt := range a.f.srv.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if method == http.MethodGet {
			continue
		}
		re := regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(path), `[^/?]+`) + `(\?.*)?$`)
		sent := false
		for _, r := range a.recs {
			if r.method == method && re.MatchString(r.path) {
				sent = true
				break
			}
		}
		if !sent {
			t.Errorf("%s is not sent by the differential test of writes: add a step to hwSteps", rt)
		}
	}
}

// hwCompare compares A's answers with B's, in order, B's written in A's
// ids by same: a difference no accepted channel explains fails the test;
// one in a step whose difference is known is logged, so long as B's answer
// holds no word above the reader.
func hwCompare(t *testing.T, a, b *hwSide, same *strings.Replacer) {
	t.Helper()
	accepted := map[string]int{}
	known := map[string][]string{}
	leaks := 0
	channels := append(append([]hdChannel{}, hdChannels...), hwChannels...)
	for i, ra := range a.recs {
		rb := b.recs[i]
		if ra.user != rb.user || ra.method != rb.method || ra.path != same.Replace(rb.path) {
			if ra.known != "" && ra.user == rb.user && ra.method == rb.method && !strings.Contains(strings.ToLower(rb.path), "quince") {
				known[ra.known] = append(known[ra.known], fmt.Sprintf("[%s] %s: A was sent to %s, B to %s", ra.step, ra.user, ra.path, rb.path))
				continue
			}
			t.Errorf("%s: A sent %s %s %s, B %s %s %s", ra.step, ra.user, ra.method, ra.path, rb.user, rb.method, rb.path)
			continue
		}
		k := fmt.Sprintf("[%s] %s %s %s", ra.step, ra.user, ra.method, ra.path)
		if os.Getenv("HD_VERBOSE") != "" {
			t.Logf("%s: %d %.200s", k, ra.answer.code, ra.answer.body)
		}
		if ra.known == "" {
			leaks += hdCompareOne(t, k, ra.method, ra.path, ra.answer, rb.answer, same, channels, accepted)
			continue
		}
		d := hdDiff(ra.method, ra.path, ra.answer, rb.answer, same, channels)
		switch {
		case len(d.unexplained) == 0:
		case bytes.Contains(bytes.ToLower(rb.answer.body), []byte("quince")):
			t.Errorf("LEAK: %s (%d/%d): B's answer holds words above the reader: %s", k, ra.answer.code, rb.answer.code, d.unexplained[0])
			leaks++
		default:
			known[ra.known] = append(known[ra.known], fmt.Sprintf("%s (%d/%d) %.300s", k, ra.answer.code, rb.answer.code, d.unexplained[0]))
		}
	}
	var cs []string
	for c, n := range accepted {
		cs = append(cs, fmt.Sprintf("%s: %d", c, n))
	}
	sort.Strings(cs)
	t.Logf("differences explained by accepted channels:\n\t%s", strings.Join(cs, "\n\t"))
	var whys []string
	for why := range known {
		whys = append(whys, why)
	}
	sort.Strings(whys)
	for _, why := range whys {
		t.Logf("known, left as it is (%s): %d answers differ, the first:\n\t%s", why, len(known[why]), known[why][0])
	}
	t.Logf("%d differences unexplained", leaks)
}
