package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing/htmlpack"
)

func TestPacks(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// Put both sheets on the agenda.
	r := f.do("lead", "GET", "/api/v1/rounds/"+w.round, nil)
	var round map[string]any
	r.json(&round)
	round["agenda"] = []map[string]string{{"sheet_id": w.sheet}, {"sheet_id": w.secretSheet}}
	if r := f.do("lead", "PUT", "/api/v1/rounds/"+w.round, round, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("agenda: %d %s", r.Code, r.Body.String())
	}
	base := "/api/v1/rounds/" + w.round
	t.Run("HTML", func(t *testing.T) {
		r := f.do("lead", "GET", base+"/pack?format=html", nil)
		body := r.Body.String()
		if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") || !strings.Contains(r.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("%d %v", r.Code, r.Header())
		}
		for _, want := range []string{"Foreign Interference", "Zanzibar Operations", "Zanzibar assessment held at secret.", "SECRET", "Tony Lynch"} {
			if !strings.Contains(body, want) {
				t.Errorf("the pack lacks %q", want)
			}
		}
		if strings.Index(body, `id="sheet-`+w.sheet+`"`) > strings.Index(body, `id="sheet-`+w.secretSheet+`"`) {
			t.Error("sheets out of agenda order")
		}
		etag := r.Header().Get("ETag")
		if again := f.do("lead", "GET", base+"/pack?format=html", nil, "If-None-Match", etag); again.Code != 304 {
			t.Fatalf("unchanged pack: %d", again.Code)
		}
	})
	t.Run("Ceiling", func(t *testing.T) {
		body := f.do("lead", "GET", base+"/pack?format=html&ceiling=RESTRICTED", nil).Body.String()
		if strings.Contains(body, "Zanzibar assessment") || strings.Contains(body, "Zanzibar Operations") || !strings.Contains(body, "foreign interference activity") {
			t.Fatal("the ceiling let SECRET content through")
		}
		if r := f.do("lead", "GET", base+"/pack?format=html&ceiling=ULTRA", nil); r.Code != 422 {
			t.Fatalf("bad ceiling: %d", r.Code)
		}
	})
	t.Run("XLSX", func(t *testing.T) {
		r := f.do("lead", "GET", base+"/pack?format=xlsx", nil)
		if r.Code != 200 || r.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("%d %v", r.Code, r.Header())
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if names := x.GetSheetList(); names[3] != "Topics" {
			t.Fatalf("%q", names)
		}
	})
	t.Run("Release", func(t *testing.T) {
		body := f.do("lead", "GET", base+"/pack?format=html&edition=release", nil).Body.String()
		for _, bad := range []string{"zanzibar sector", "Zanzibar assessment", "RESTRICTED", "SECRET"} {
			if strings.Contains(body, bad) {
				t.Errorf("%q in the release", bad)
			}
		}
		if !strings.Contains(body, "foreign interference activity s6(a), but") || !strings.Contains(body, "Released under the Official Information Act 1982") {
			t.Error("the release does not read as released")
		}
		var rc struct {
			Items []struct {
				SheetID            string `json:"sheet_id"`
				Decision           string
				WithheldParagraphs int            `json:"withheld_paragraphs"`
				WithheldSpans      int            `json:"withheld_spans"`
				Grounds            map[string]int `json:"grounds"`
			}
		}
		f.do("lead", "GET", base+"/release-check", nil).json(&rc)
		if len(rc.Items) != 2 || rc.Items[0].Decision != "released in part" || rc.Items[0].WithheldParagraphs != 1 || rc.Items[0].WithheldSpans != 1 || rc.Items[0].Grounds["s6(a)"] != 2 {
			t.Fatalf("%+v", rc)
		}
	})
	t.Run("Roles", func(t *testing.T) {
		if r := f.do("viewer", "GET", base+"/pack?format=html", nil); r.Code != 403 {
			t.Fatalf("viewer export: %d", r.Code)
		}
		if r := f.do("lead", "GET", base+"/pack?format=pdf", nil); r.Code != 400 {
			t.Fatalf("bad format: %d", r.Code)
		}
		// The API's values are DESIGN.md's words, in lower case only: a
		// program writes them once; the command line takes any case.
		if r := f.do("lead", "GET", base+"/pack?format=XLSX", nil); r.Code != 400 || !strings.Contains(r.Body.String(), "must be html or xlsx") {
			t.Fatalf("format=XLSX: %d %s", r.Code, r.Body.String())
		}
	})
	t.Run("Snapshot", func(t *testing.T) {
		if r := f.do("lead", "POST", base+"/packs", map[string]any{}); r.Code != 409 || !strings.Contains(r.Body.String(), "force") {
			t.Fatalf("not ready: %d %s", r.Code, r.Body.String())
		}
		r := f.do("lead", "POST", base+"/packs", map[string]any{"force": true})
		if r.Code != 201 {
			t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
		}
		var sn struct {
			ID, Marking     string
			Number, Version int
			Forced          bool
			SHA256          map[string]string
		}
		r.json(&sn)
		if !sn.Forced || sn.Number != 1 || sn.Version != 1 || sn.Marking != "SECRET" || len(sn.SHA256["html"]) != 64 || len(sn.SHA256["xlsx"]) != 64 {
			t.Fatalf("%+v", sn)
		}
		get := func(format string) []byte {
			r := f.do("lead", "GET", "/api/v1/packs/"+sn.ID+"?format="+format, nil)
			if r.Code != 200 {
				t.Fatalf("%s: %d", format, r.Code)
			}
			return r.Body.Bytes()
		}
		html, xlsx := get("html"), get("xlsx")
		for format, b := range map[string][]byte{"html": html, "xlsx": xlsx} {
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != sn.SHA256[format] {
				t.Errorf("%s bytes do not match their hash", format)
			}
		}
		// A later edit does not move the snapshot.
		r = f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil)
		var sh map[string]any
		r.json(&sh)
		sh["title"] = "Foreign Interference (revised)"
		if r := f.do("officer", "PUT", "/api/v1/sheets/"+w.sheet, sh, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
			t.Fatalf("edit: %d", r.Code)
		}
		if !bytes.Equal(html, get("html")) || !bytes.Equal(xlsx, get("xlsx")) {
			t.Fatal("the snapshot changed after an edit")
		}
		if !strings.Contains(f.do("lead", "GET", base+"/pack?format=html", nil).Body.String(), "(revised)") {
			t.Fatal("the live pack did not follow the edit")
		}
		if r := f.do("viewer", "GET", "/api/v1/packs/"+sn.ID+"?format=html", nil); r.Code != 404 {
			t.Fatalf("a reader below the snapshot's marking: %d", r.Code)
		}
		var l struct{ Items []map[string]any }
		f.do("lead", "GET", base+"/packs", nil).json(&l)
		if len(l.Items) != 1 {
			t.Fatalf("%d snapshots listed", len(l.Items))
		}
		f.do("viewer", "GET", base+"/packs", nil).json(&l)
		if len(l.Items) != 0 {
			t.Fatal("a viewer sees a SECRET snapshot in the list")
		}
	})
}

func TestNextRound(t *testing.T) {
	f := newFixture(t)
	// The Japan–Australia Cyber Policy Dialogue of 004, seen from Australia.
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Japan–Australia Cyber Policy Dialogue", "home": "Australia", "partner": "Japan", "established": "2014-04-07", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2015-08-03", "city": "Canberra", "host": "home", "status": "held"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2016-08-02", "city": "Tokyo", "host": "partner", "status": "held"})
	r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil)
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var next map[string]any
	r.json(&next)
	// Due on 2 August 2017, long past on the fixture's clock (November 2026):
	// carried to the next date on the cadence, and the answer says so.
	if next["number"] != float64(3) || next["city"] != "Canberra" || next["starts_on"] != "2027-08-02" || next["host"] != "home" || next["status"] != "proposed" ||
		!strings.Contains(fmt.Sprint(next["note"]), "2 August 2017") {
		t.Fatalf("%v", next)
	}
	// A round at the same time as another with the same partner is saved, with a warning.
	other := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Japan–Australia Defence Dialogue", "home": "Australia", "partner": "Japan", "established": "2015-01-01", "cadence_months": 12})
	r = f.do("secretariat", "POST", "/api/v1/dialogues/"+other+"/rounds", map[string]any{"number": 1, "starts_on": "2027-08-02", "host": "home"})
	if r.Code != 201 || !strings.Contains(r.Header().Get("Warning"), "another round with Japan") {
		t.Fatalf("overlap: %d %q", r.Code, r.Header().Get("Warning"))
	}
	if r := f.do("lead", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil); r.Code != 403 {
		t.Fatalf("lead: %d", r.Code)
	}
	cal := f.do("viewer", "GET", "/api/v1/dialogues/"+d+"/calendar.ics", nil)
	body := cal.Body.String()
	if cal.Code != 200 || !strings.HasPrefix(cal.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("%d %v", cal.Code, cal.Header())
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART;VALUE=DATE:20160802\r\n", "DTEND;VALUE=DATE:20160803\r\n", "LOCATION:Tokyo\r\n",
		"STATUS:TENTATIVE\r\n", "SUMMARY:Drafts due: 3rd round", "END:VCALENDAR\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Error("a bare LF in the calendar")
	}
	// A calendar client subscribes with the user's calendar token.
	var tok struct{ Token, URL string }
	f.do("viewer", "GET", "/api/v1/calendar-token", nil).json(&tok)
	if r := f.do("", "GET", tok.URL, nil); r.Code != 200 || !strings.Contains(r.Body.String(), "BEGIN:VEVENT") {
		t.Fatalf("calendar by token: %d", r.Code)
	}
	if r := f.do("", "GET", "/api/v1/calendar.ics?token="+tok.Token+"x", nil); r.Code != 401 {
		t.Fatalf("forged calendar token: %d", r.Code)
	}
	if r := f.do("", "GET", "/api/v1/dialogues/"+d+"/calendar.ics?token="+tok.Token, nil); r.Code != 200 {
		t.Fatalf("a dialogue's calendar by token: %d", r.Code)
	}
	// The token opens the feeds and nothing else: on any path ending
	// "/calendar.ics" it signed its user in to the route that matched.
	var admin struct{ Token string }
	f.do("admin", "GET", "/api/v1/calendar-token", nil).json(&admin)
	for _, path := range []string{"/api/v1/users/calendar.ics", "/api/v1/sheets/calendar.ics", "/api/v1/packs/calendar.ics", "/api/v1/sheets/1/versions/calendar.ics"} {
		if r := f.do("", "GET", path+"?token="+admin.Token, nil); r.Code != 401 {
			t.Errorf("%s by calendar token: %d %s", path, r.Code, r.Body.String())
		}
	}
}

func TestRollForward(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
	r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/rollforward", map[string]string{"round_id": next})
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var sh map[string]any
	r.json(&sh)
	if sh["predecessor_id"] != w.sheet || sh["status"] != "draft" || sh["round_id"] != next {
		t.Fatalf("%v", sh)
	}
	id := sh["id"].(string)
	secs := sh["sections"].([]any)
	paras := secs[0].(map[string]any)["paragraphs"].([]any)
	p0 := paras[0].(map[string]any)
	p0["text"] = strings.Replace(p0["text"].(string), "is difficult", "remains difficult", 1)
	secs[0].(map[string]any)["paragraphs"] = append(paras, map[string]any{"text": "A new paragraph this year.", "marking": "RESTRICTED"})
	if r := f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", `"1"`); r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var ch struct {
		Changes []struct {
			Change string
			Words  []struct{ Op, Text string }
		}
	}
	f.do("officer", "GET", "/api/v1/sheets/"+id+"/changes", nil).json(&ch)
	kinds := map[string]int{}
	for _, c := range ch.Changes {
		kinds[c.Change]++
	}
	if kinds["changed"] != 1 || kinds["added"] != 1 || len(ch.Changes) != 2 {
		t.Fatalf("%+v", ch)
	}
	words := ch.Changes[0].Words
	var del, ins string
	for _, w := range words {
		switch w.Op {
		case "-":
			del += w.Text
		case "+":
			ins += w.Text
		}
	}
	if strings.TrimSpace(del) != "is" || strings.TrimSpace(ins) != "remains" {
		t.Fatalf("word diff %+v", words)
	}
	pack := f.do("lead", "GET", "/api/v1/rounds/"+next+"/pack?format=html", nil).Body.String()
	if n := strings.Count(pack, "Changed since the last round"); n != 2 {
		t.Errorf("the pack marks %d changed paragraphs, want 2", n)
	}
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/rollforward", map[string]string{"round_id": next}); r.Code != 403 {
		t.Fatalf("roll forward over hidden content: %d", r.Code)
	}
}

func TestDashboard(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// The round is in the future for the fixture's clock, its drafts due already.
	f.upcoming(w.round)
	type dash struct {
		MySheets []struct {
			ID, Status, Due string
			Overdue         bool
		} `json:"my_sheets"`
		LateDrafts []struct{ ID string } `json:"late_drafts"`
		Upcoming   []struct {
			ID         string
			Milestones []struct{ Kind, Due string }
		} `json:"upcoming_rounds"`
		OpenActions []struct{ Ref string } `json:"open_actions"`
	}
	var officer, viewer dash
	f.do("officer", "GET", "/api/v1/dashboard", nil).json(&officer)
	if len(officer.MySheets) != 2 || officer.MySheets[0].Due != "2026-11-10" || !officer.MySheets[0].Overdue {
		t.Fatalf("officer: %+v", officer)
	}
	if len(officer.Upcoming) != 1 || len(officer.Upcoming[0].Milestones) != 4 || officer.Upcoming[0].Milestones[1].Due != "2026-11-10" {
		t.Fatalf("upcoming: %+v", officer.Upcoming)
	}
	if len(officer.LateDrafts) != 2 || len(officer.OpenActions) != 1 || officer.OpenActions[0].Ref != "3.01" {
		t.Fatalf("officer: %+v", officer)
	}
	f.do("viewer", "GET", "/api/v1/dashboard", nil).json(&viewer)
	if len(viewer.MySheets) != 0 || len(viewer.LateDrafts) != 1 {
		t.Fatalf("viewer (who may not see the SECRET sheet): %+v", viewer)
	}
}

func TestRestore(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	r := f.do("officer", "GET", "/api/v1/sheets/"+w.sheet, nil)
	var sh map[string]any
	r.json(&sh)
	sh["title"] = "Renamed"
	if r := f.do("officer", "PUT", "/api/v1/sheets/"+w.sheet, sh, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("%d", r.Code)
	}
	r = f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/restore", map[string]int{"version": 1}, "If-Match", `"2"`)
	var got struct {
		Title   string
		Version int
	}
	r.json(&got)
	if r.Code != 200 || got.Title != "Foreign Interference" || got.Version != 3 {
		t.Fatalf("%d %+v", r.Code, got)
	}
	if r := f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/restore", map[string]int{"version": 1}, "If-Match", `"2"`); r.Code != 412 {
		t.Fatalf("stale restore: %d", r.Code)
	}
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+w.sheet+"/restore", map[string]int{"version": 1}, "If-Match", `"3"`); r.Code != 403 {
		t.Fatalf("restore over hidden content: %d", r.Code)
	}
	var vs struct{ Items []struct{ Version int } }
	f.do("officer", "GET", "/api/v1/sheets/"+w.sheet+"/versions", nil).json(&vs)
	if len(vs.Items) != 3 {
		t.Fatalf("history rewritten: %+v", vs)
	}
}

// TestPackCache_KeyedByContent: a rendered pack is reused until what it
// holds changes; a sign-in, a refused write or a write elsewhere renders
// nothing anew; sixteen requests after an edit render it once.
func TestPackCache_KeyedByContent(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round + "/pack?format=xlsx"
	get := func() string {
		r := f.do("lead", "GET", path, nil)
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		return r.Header().Get("ETag")
	}
	first := get()
	// The lead's look has the other files of a freeze made in the
	// background (not counted here); the next is not due for seconds.
	f.srv.Idle()
	n := f.srv.PackRenders()
	f.login("viewer", testPassword)
	f.do("officer", "PUT", "/api/v1/sheets/"+w.sheet, map[string]any{}, "If-Match", `"999"`)
	f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Ministry of Defence", "acronym": "MoD"})
	if get() != first || f.srv.PackRenders() != n {
		t.Fatalf("a sign-in, a refused write and an unrelated write rendered the pack again (%d → %d)", n, f.srv.PackRenders())
	}
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = "Foreign Interference (revised)" })
	var wg sync.WaitGroup
	etags := make([]string, 16)
	for i := range etags {
		wg.Add(1)
		go func() { defer wg.Done(); etags[i] = get() }()
	}
	wg.Wait()
	if got := f.srv.PackRenders(); got != n+1 {
		t.Fatalf("16 requests after an edit rendered %d packs, want 1", got-n)
	}
	for _, e := range etags {
		if e == first || e != etags[0] {
			t.Fatalf("ETags after the edit: %v (before %s)", etags, first)
		}
	}
}

// TestFreeze_MadeReadyByALook: after a lead looks at the full HTML pack,
// the other files a freeze makes (the workbook, the release edition in
// both formats) are built in the background through the lead's own view:
// downloading them, or freezing, renders nothing; each is what a request
// of the lead's would have built. An officer may not look at packs, so
// makes nothing ready.
func TestFreeze_MadeReadyByALook(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	pack := "/api/v1/rounds/" + w.round + "/pack"
	if r := f.do("officer", "GET", pack+"?format=html", nil); r.Code != 403 {
		t.Fatalf("officer: %d", r.Code)
	}
	f.srv.Idle()
	if n := f.srv.PackRenders(); n != 0 {
		t.Fatalf("%d packs rendered before anyone looked", n)
	}
	html := f.do("lead", "GET", pack+"?format=html", nil)
	if html.Code != 200 {
		t.Fatalf("html: %d", html.Code)
	}
	f.srv.Idle()
	n := f.srv.PackRenders()
	if n != 1 {
		t.Fatalf("the look rendered %d packs, want 1 (the background's are not counted)", n)
	}
	for _, q := range []string{"?format=xlsx", "?format=html&edition=release", "?format=xlsx&edition=release"} {
		r := f.do("lead", "GET", pack+q, nil)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", q, r.Code, r.Body.String())
		}
		if got := f.srv.PackRenders(); got != n {
			t.Fatalf("%s was rendered on request, not made ready", q)
		}
	}
	// The release edition made ready carries no withheld word: neither
	// the world's withheld span nor its withheld paragraph.
	rel := f.do("lead", "GET", pack+"?format=html&edition=release", nil).Body.String()
	if !strings.Contains(rel, "Foreign Interference") || strings.Contains(rel, "zanzibar sector") || strings.Contains(rel, "assessment held at secret") {
		t.Fatal("the release edition made ready is not the release edition")
	}
	// The HTML files' sections were kept compressed too, as a freeze
	// stores them.
	compressed := htmlpack.SectionsCompressed()
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true}); r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	if n := htmlpack.SectionsCompressed() - compressed; n != 0 {
		t.Fatalf("the freeze compressed %d sheets' sections, not made ready", n)
	}
}

// TestFreeze_MadeReadyByTheRoundPage: a lead who opens a round's page,
// where the Freeze button is, has the files a freeze makes built in the
// background, as a look at the pack does: the freeze that follows renders
// nothing. An officer's look at the page makes nothing ready.
func TestFreeze_MadeReadyByTheRoundPage(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	pack := "/api/v1/rounds/" + w.round + "/pack"
	if r := f.do("officer", "GET", "/rounds/"+w.round, nil); r.Code != 200 {
		t.Fatalf("officer's page: %d", r.Code)
	}
	f.srv.Idle()
	if r := f.do("lead", "GET", pack+"?format=xlsx&edition=release", nil); r.Code != 200 {
		t.Fatalf("release workbook: %d", r.Code)
	}
	if n := f.srv.PackRenders(); n != 1 {
		t.Fatalf("the lead's download after an officer's look: %d renders, want 1 (nothing made ready by the officer)", n)
	}
	if r := f.do("lead", "GET", "/rounds/"+w.round, nil); r.Code != 200 {
		t.Fatalf("lead's page: %d", r.Code)
	}
	f.srv.Idle()
	for _, q := range []string{"?format=html", "?format=xlsx", "?format=html&edition=release"} {
		if r := f.do("lead", "GET", pack+q, nil); r.Code != 200 {
			t.Fatalf("%s: %d %s", q, r.Code, r.Body.String())
		}
	}
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true}); r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	if n := f.srv.PackRenders(); n != 1 {
		t.Fatalf("after the lead opened the round's page, its downloads and freeze rendered %d files, want none", n-1)
	}
}

// TestFreeze_RoundPageOfAHeldRound: a round that has met is not made ready
// by a look at its page: its files would only push an upcoming round's out
// of the caches.
func TestFreeze_RoundPageOfAHeldRound(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) {
		m["status"] = "held"
		if m["starts_on"] == nil || m["starts_on"] == "" {
			m["starts_on"] = "2026-03-02"
		}
	})
	if r := f.do("lead", "GET", "/rounds/"+w.round, nil); r.Code != 200 {
		t.Fatalf("lead's page: %d", r.Code)
	}
	f.srv.Idle()
	if r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx", nil); r.Code != 200 {
		t.Fatalf("workbook: %d", r.Code)
	}
	if n := f.srv.PackRenders(); n != 1 {
		t.Fatalf("the workbook of a held round after a look at its page: %d renders, want 1 (nothing made ready)", n)
	}
}

// TestPack_Programme: a round's purpose, key messages, agencies on both
// sides (some with nobody listed), a timed agenda, a sheet of talking
// points, and a DRAFT mark on the sheet not yet cleared, and on it only.
func TestPack_Programme(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	home := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Ministry of Foreign Affairs and Trade", "acronym": "MFAT"})
	partner := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "National Police Agency", "acronym": "NPA"})
	tp := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Cyber Capacity Building", "status": "draft",
		"sections": []map[string]any{{"kind": "talking_points", "paragraphs": []any{para("We welcome the joint capacity programme.", "UNCLASSIFIED", "")}}}})
	// The other sheet is cleared.
	f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"})
	if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "clear"}); r.Code != 200 {
		t.Fatalf("clear: %d %s", r.Code, r.Body.String())
	}
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) {
		m["purpose"] = "Agree the **work plan** for the year."
		m["key_messages"] = "- New Zealand values the partnership."
		m["participating_agencies"] = []map[string]string{{"agency_id": w.agency, "side": "home"}, {"agency_id": home, "side": "home"}, {"agency_id": partner, "side": "partner"}}
		m["agenda"] = []map[string]any{
			{"title": "Welcome and introductions", "starts_at": "09:00", "ends_at": "09:15", "session": "Opening", "lead_person_id": w.person},
			{"sheet_id": w.sheet, "starts_at": "09:15", "ends_at": "10:30", "session": "Session 1: Regional security"},
			{"sheet_id": tp, "starts_at": "10:45", "ends_at": "12:00", "session": "Session 2: Cyber"},
		}
	})
	r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html", nil)
	body := r.Body.String()
	for _, want := range []string{"<strong>work plan</strong>", "New Zealand values the partnership", "Department of the Prime Minister and Cabinet",
		"Ministry of Foreign Affairs and Trade", "National Police Agency", "09:00–09:15", "10:45–12:00", "Session 2: Cyber", "Tony Lynch",
		"Talking points", "We welcome the joint capacity programme."} {
		if !strings.Contains(body, want) {
			t.Errorf("the HTML pack lacks %q", want)
		}
	}
	// DRAFT on the draft sheet's heading, not on the cleared one's.
	if !regexp.MustCompile(`Cyber Capacity Building <span class="mk">[A-Z ]+</span> <span class="draft">DRAFT</span>`).MatchString(body) {
		t.Error("the draft sheet carries no DRAFT mark")
	}
	if regexp.MustCompile(`Foreign Interference <span class="mk">[A-Z ]+</span> <span class="draft">DRAFT</span>`).MatchString(body) {
		t.Error("the cleared sheet is marked DRAFT")
	}
	if !strings.Contains(body, "Not cleared:</strong> Cyber Capacity Building") {
		t.Error("the cover does not list what is not cleared")
	}
	// The XLSX agrees.
	r = f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx", nil)
	xf, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	agenda, _ := xf.GetRows("Agenda")
	dels, _ := xf.GetRows("Delegations")
	all := fmt.Sprint(agenda, dels)
	for _, want := range []string{"09:15–10:30", "Session 1: Regional security", "Cyber Capacity Building (DRAFT)", "National Police Agency (NPA)", "Ministry of Foreign Affairs and Trade (MFAT)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the XLSX pack lacks %q: %v", want, all)
		}
	}
	// The release edition keeps the programme, and no DRAFT marks.
	r = f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition=release", nil)
	if rb := r.Body.String(); !strings.Contains(rb, "Session 2: Cyber") || strings.Contains(rb, ">DRAFT<") {
		t.Errorf("release edition: %d", r.Code)
	}
}

// TestSnapshots_SameContentSameBytes: two snapshots of the same content,
// frozen the same day, hold the same bytes in every format, so their
// digests match; a change to a sheet changes them.
func TestSnapshots_SameContentSameBytes(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	freeze := func() map[string]string {
		r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true})
		if r.Code != 201 {
			t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
		}
		var sn struct {
			SHA256        map[string]string `json:"sha256"`
			ReleaseSHA256 map[string]string `json:"release_sha256"`
		}
		r.json(&sn)
		out := map[string]string{}
		for k, v := range sn.SHA256 {
			out[k] = v
		}
		for k, v := range sn.ReleaseSHA256 {
			out["release."+k] = v
		}
		return out
	}
	first := freeze()
	f.clock.Add(90 * time.Minute)
	second := freeze()
	if len(first) < 2 {
		t.Fatalf("files %v", first)
	}
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s: the same content frozen twice gave different bytes", k)
		}
	}
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) { sh["title"] = "Foreign Interference, revised" })
	third := freeze()
	if third["html"] == first["html"] || third["xlsx"] == first["xlsx"] {
		t.Error("a changed sheet froze to the same bytes")
	}
}

// TestReview_ClearsOnlySubmitted: a lead clears what its officer submitted;
// a draft never submitted, or a sheet cleared already, is 409 and unchanged.
func TestReview_ClearsOnlySubmitted(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	review := func(user, decision string) response {
		return f.do(user, "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": decision, "comment": "checked"})
	}
	if r := review("lead", "clear"); r.Code != 409 || !strings.Contains(r.Body.String(), "submits it first") {
		t.Fatalf("clearing a draft: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "GET", "/api/v1/sheets/"+w.sheet, nil); !strings.Contains(r.Body.String(), `"status":"draft"`) {
		t.Fatal("a refused clearance changed the sheet")
	}
	if r := review("officer", "submit"); r.Code != 200 {
		t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	if r := review("lead", "clear"); r.Code != 200 {
		t.Fatalf("clearing a submitted sheet: %d %s", r.Code, r.Body.String())
	}
	if r := review("lead", "clear"); r.Code != 409 {
		t.Fatalf("clearing it again: %d", r.Code)
	}
}

// TestDashboard_ClearanceQueue: a lead's dashboard lists the sheets waiting
// for clearance; an officer's shows the comment a sheet was returned with,
// and so does its editor.
func TestDashboard_ClearanceQueue(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.do("officer", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "submit"})
	var d struct {
		ToClear  []struct{ ID string } `json:"to_clear"`
		MySheets []struct {
			ID, Returned string
		} `json:"my_sheets"`
	}
	f.do("lead", "GET", "/api/v1/dashboard", nil).json(&d)
	if len(d.ToClear) != 1 || d.ToClear[0].ID != w.sheet {
		t.Fatalf("lead's queue %+v", d.ToClear)
	}
	f.do("officer", "GET", "/api/v1/dashboard", nil).json(&d)
	if len(d.ToClear) != 0 {
		t.Fatalf("an officer has a clearance queue: %+v", d.ToClear)
	}
	if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/review", map[string]string{"decision": "return", "comment": "Source the second claim."}); r.Code != 200 {
		t.Fatalf("return: %d %s", r.Code, r.Body.String())
	}
	f.do("officer", "GET", "/api/v1/dashboard", nil).json(&d)
	found := false
	for _, s := range d.MySheets {
		found = found || (s.ID == w.sheet && strings.Contains(s.Returned, "Source the second claim."))
	}
	if !found {
		t.Fatalf("the officer's dashboard does not show the return: %+v", d.MySheets)
	}
	if page := f.do("officer", "GET", "/sheets/"+w.sheet+"/edit", nil).Body.String(); !strings.Contains(page, "Source the second claim.") {
		t.Fatal("the editor does not show why the sheet was returned")
	}
}

// TestPack_PreviewAndCeiling: the round page offers a preview (the HTML
// pack shown in place, framed only by briefpack's own pages) and an export
// at a lower clearance; a download stays an attachment no page may frame.
func TestPack_PreviewAndCeiling(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	base := "/api/v1/rounds/" + w.round + "/pack?format=html"
	dl := f.do("lead", "GET", base, nil)
	if !strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment") || !strings.Contains(dl.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("download: %q %q", dl.Header().Get("Content-Disposition"), dl.Header().Get("Content-Security-Policy"))
	}
	in := f.do("lead", "GET", base+"&disposition=inline", nil)
	if !strings.HasPrefix(in.Header().Get("Content-Disposition"), "inline") || !strings.Contains(in.Header().Get("Content-Security-Policy"), "frame-ancestors 'self'") ||
		in.Header().Get("X-Frame-Options") != "SAMEORIGIN" || in.Body.String() != dl.Body.String() {
		t.Fatalf("preview: %q %q", in.Header().Get("Content-Disposition"), in.Header().Get("Content-Security-Policy"))
	}
	page := f.do("lead", "GET", "/rounds/"+w.round, nil).Body.String()
	if !strings.Contains(page, `disposition=inline`) || !strings.Contains(page, `id="export-ceiling"`) || !strings.Contains(page, `<option value="RESTRICTED"`) {
		t.Fatal("the round page offers no preview or export at a lower clearance")
	}
	low := f.do("lead", "GET", base+"&ceiling=RESTRICTED", nil).Body.String()
	if strings.Contains(low, "zanzibar assessment") || len(low) >= len(dl.Body.String()) {
		t.Fatal("the pack at a lower clearance holds what is above it")
	}
}

// TestVersionPage: any past version of a sheet is shown as it was saved,
// with what changed from the one before, word by word; a reader is shown
// only what they may see of either.
func TestVersionPage(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
		p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
		p["text"] = strings.Replace(p["text"].(string), "difficult", "hard to judge", 1)
	})
	page := f.do("officer", "GET", "/sheets/"+w.sheet+"/versions/2", nil)
	if page.Code != 200 {
		t.Fatalf("%d", page.Code)
	}
	body := page.Body.String()
	if !strings.Contains(body, "<ins>hard to judge") || !strings.Contains(body, "<del>difficult") || !strings.Contains(body, "Changed since version 1") {
		t.Fatalf("no word-level comparison:\n%s", body)
	}
	if old := f.do("officer", "GET", "/sheets/"+w.sheet+"/versions/1", nil).Body.String(); !strings.Contains(old, "difficult") {
		t.Fatal("version 1 is not shown as it was")
	}
	if r := f.do("viewer", "GET", "/sheets/"+w.secretSheet+"/versions/1", nil); r.Code != 404 {
		t.Fatalf("a version of a sheet above the reader: %d", r.Code)
	}
	if !strings.Contains(f.do("officer", "GET", "/sheets/"+w.sheet, nil).Body.String(), "/versions/2#changes") {
		t.Fatal("the sheet page does not link its versions")
	}
}

// TestDrafts: a person's unsaved draft of a sheet is kept on the server for
// them alone, refused above their clearance, and gone once they save.
func TestDrafts(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/sheets/" + w.sheet + "/draft"
	if r := f.do("officer", "GET", path, nil); r.Code != 404 {
		t.Fatalf("no draft yet: %d", r.Code)
	}
	draft := map[string]any{"version": 1, "fields": map[string]string{"title": "Foreign Interference", "s0.p0.text": "Typed before the crash.", "s0.p0.marking": "RESTRICTED"}}
	if r := f.do("officer", "PUT", path, draft); r.Code != 204 {
		t.Fatalf("put: %d %s", r.Code, r.Body.String())
	}
	r := f.do("officer", "GET", path, nil)
	if r.Code != 200 || !strings.Contains(r.Body.String(), "Typed before the crash.") {
		t.Fatalf("get: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "GET", path, nil); r.Code != 404 {
		t.Fatalf("another person read the draft: %d", r.Code)
	}
	if r := f.do("lowofficer", "PUT", path, map[string]any{"fields": map[string]string{"s0.p0.marking": "SECRET"}}); r.Code != 403 && r.Code != 404 {
		t.Fatalf("a draft above its author's clearance: %d", r.Code)
	}
	if r := f.do("viewer", "PUT", path, draft); r.Code != 403 {
		t.Fatalf("a viewer kept a draft: %d", r.Code)
	}
	// A marking the scheme does not have is a bad field (422), not one above its author.
	if r := f.do("officer", "PUT", path, map[string]any{"version": 1, "fields": map[string]string{"s0.p0.marking": "ULTRA"}}); r.Code != 422 || errorFields(r)["s0.p0.marking"] == "" {
		t.Fatalf("a draft marked ULTRA: %d %s", r.Code, r.Body.String())
	}
	// A draft naming a paragraph its author may not see (now) is not given back, whatever its marking says.
	secret := f.sheet("officer", w.sheet).Sections[0].Paragraphs[1]
	above := map[string]any{"version": 1, "fields": map[string]string{"s0.p0.id": secret.ID, "s0.p0.text": secret.Text, "s0.p0.marking": "RESTRICTED"}}
	if r := f.do("lowofficer", "PUT", path, above); r.Code != 204 {
		t.Fatalf("put: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowofficer", "GET", path, nil); r.Code != 404 || strings.Contains(r.Body.String(), secret.Text) {
		t.Fatalf("a draft naming a paragraph above its author: %d %s", r.Code, r.Body.String())
	}
	// Saving the sheet from the editor removes the draft.
	lr := f.do("", "POST", "/api/v1/login", map[string]string{"name": "officer", "password": testPassword})
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	lr.json(&login)
	cookie := "briefpack_session=" + lr.Result().Cookies()[0].Value
	send := func(method, target string, body io.Reader) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, body)
		req.Header.Set("Cookie", cookie)
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	page := send("GET", "/sheets/"+w.sheet+"/edit", nil).Body.String()
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<(?:input|select)[^>]* name="([^"]+)"(?:[^>]* value="([^"]*)")?`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(strings.TrimPrefix(m[2], "\n")))
	}
	for _, m := range regexp.MustCompile(`(?s)<select class="marking" id="[^"]*" name="([^"]+)">.*?<option value="([^"]*)" selected>`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	form.Set("csrf_token", login.CSRF)
	form.Set("op", "save")
	form.Set("s0.p0.text", "Typed before the crash, and saved.")
	if rec := send("POST", "/sheets/"+w.sheet+"/edit", strings.NewReader(form.Encode())); rec.Code != 303 {
		t.Fatalf("save from the editor: %d %s", rec.Code, rec.Body.String())
	}
	if r := f.do("officer", "GET", path, nil); r.Code != 404 {
		t.Fatalf("the draft outlived the save: %d", r.Code)
	}
}

// TestPack_NeverOlderThanAcknowledged: while one writer saves a sheet's
// title again and again, readers asking for the pack at once — sharing
// builds, waiting for the next one — are each given a pack holding at
// least the last title acknowledged before they asked, never an older
// one, and the builds are fewer than the requests.
func TestPack_NeverOlderThanAcknowledged(t *testing.T) {
	f := newFixture(t)
	// A round of realistic sheets, so a build takes long enough for saves
	// to be acknowledged while it runs.
	round, ids := benchRound(t, f, 120)
	path := "/api/v1/rounds/" + round + "/pack?format=html"
	sheet := "/api/v1/sheets/" + ids[0]
	title := regexp.MustCompile(`Topic 1, save (\d+)`)
	var acked, seen atomic.Int64
	const saves, readers, reads = 60, 6, 25
	renders := f.srv.PackRenders()
	var wg sync.WaitGroup
	errs := make(chan string, readers*reads+saves)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= saves; i++ {
			r := f.do("officer", "GET", sheet, nil)
			var obj map[string]any
			r.json(&obj)
			obj["title"] = fmt.Sprintf("Topic 1, save %d", i)
			if p := f.do("officer", "PUT", sheet, obj, "If-Match", r.Header().Get("ETag")); p.Code != 200 {
				errs <- fmt.Sprintf("save %d: %d %s", i, p.Code, p.Body.String())
				return
			}
			acked.Store(int64(i))
		}
	}()
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range reads {
				before := acked.Load()
				r := f.do("lead", "GET", path, nil)
				if r.Code != 200 {
					errs <- fmt.Sprintf("pack: %d", r.Code)
					return
				}
				var got int64
				if m := title.FindStringSubmatch(r.Body.String()); m != nil {
					got, _ = strconv.ParseInt(m[1], 10, 64)
				}
				if got < before {
					errs <- fmt.Sprintf("a pack asked for after save %d was acknowledged holds save %d", before, got)
				}
				if got > 0 {
					seen.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if m := title.FindStringSubmatch(f.do("lead", "GET", path, nil).Body.String()); m == nil || m[1] != strconv.Itoa(saves) {
		t.Fatalf("the pack after the last save holds %v", m)
	}
	if seen.Load() == 0 {
		t.Fatal("no pack asked for during the saves held any of them")
	}
	if n := f.srv.PackRenders() - renders; n >= readers*reads {
		t.Errorf("%d requests rendered %d packs", readers*reads, n)
	} else {
		t.Logf("%d requests during %d saves rendered %d packs; %d held a save", readers*reads, saves, n, seen.Load())
	}
}

// TestWarmUpcoming: after a start, the files a freeze of an upcoming round
// would make are built in the background for each clearance a lead (or
// above) holds, through that lead's view: downloading them, or freezing,
// renders nothing, and the release edition made ready carries no withheld
// word. A round already past is left alone.
func TestWarmUpcoming(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.upcoming(w.round)
	if err := f.srv.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.PackRenders(); n != 0 {
		t.Fatalf("%d packs rendered on request before anyone asked", n)
	}
	pack := "/api/v1/rounds/" + w.round + "/pack"
	f.madeReady(pack, freezeFiles...)
	f.madeReady(pack, "admin?format=xlsx") // another role of a clearance made ready finds them
	rel := f.do("lead", "GET", pack+"?format=html&edition=release", nil).Body.String()
	if !strings.Contains(rel, "Foreign Interference") || strings.Contains(rel, "zanzibar sector") || strings.Contains(rel, "assessment held at secret") {
		t.Fatal("the release edition made ready is not the release edition")
	}
	low := f.do("lowlead", "GET", pack+"?format=html", nil).Body.String()
	if strings.Contains(low, "assessment held at secret") {
		t.Fatal("the RESTRICTED lead's pack made ready holds a SECRET paragraph")
	}
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true}); r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	if n := f.srv.PackRenders(); n != 0 {
		t.Fatalf("the freeze rendered %d files", n)
	}
	// The SECRET round was in 2019: nothing of it was made ready.
	if r := f.do("lead", "GET", "/api/v1/rounds/"+w.secretRound+"/pack?format=html", nil); r.Code != 200 {
		t.Fatalf("past round: %d", r.Code)
	}
	if n := f.srv.PackRenders(); n != 1 {
		t.Fatalf("the past round's pack: %d renders, want 1 (not made ready)", n)
	}
}

// TestFreeze_MadeReadyWhileAnotherRoundIsEdited: the files a freeze makes
// are made ready once the round looked at stays the same for a second,
// however much another round is being written meanwhile.
func TestFreeze_MadeReadyWhileAnotherRoundIsEdited(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	other := f.create("officer", "/api/v1/rounds/"+w.secretRound+"/sheets", map[string]any{"title": "Elsewhere",
		"sections": []map[string]any{{"kind": "situation", "paragraphs": []any{para("A paragraph being written.", "SECRET", "")}}}})
	// The writer notes the longest time between two of its writes: under
	// warmSettle, the store is never quiet for that long.
	stop := make(chan struct{})
	type written struct {
		n   int
		gap time.Duration
	}
	writes := make(chan written, 1)
	go func() {
		n, last, gap := 0, time.Now(), time.Duration(0)
		defer func() { writes <- written{n, max(gap, time.Since(last))} }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			r := f.do("officer", "GET", "/api/v1/sheets/"+other, nil)
			var sh map[string]any
			r.json(&sh)
			sh["title"] = fmt.Sprintf("Elsewhere, written %d times", n+1)
			if f.do("officer", "PUT", "/api/v1/sheets/"+other, sh, "If-Match", r.Header().Get("ETag")).Code == 200 {
				n++
				gap, last = max(gap, time.Since(last)), time.Now()
			}
		}
	}()
	pack := "/api/v1/rounds/" + w.round + "/pack"
	if r := f.do("lead", "GET", pack+"?format=html", nil); r.Code != 200 {
		t.Fatalf("look: %d", r.Code)
	}
	f.srv.Idle()
	close(stop)
	if wr := <-writes; wr.n < 3 || wr.gap >= time.Second {
		t.Fatalf("the other round was written %d times, at most %v apart, while the files were made ready: the store was quiet, not a test of it", wr.n, wr.gap)
	}
	before := f.srv.PackRenders()
	for _, q := range []string{"?format=xlsx", "?format=html&edition=release", "?format=xlsx&edition=release"} {
		if r := f.do("lead", "GET", pack+q, nil); r.Code != 200 {
			t.Fatalf("%s: %d", q, r.Code)
		}
		if f.srv.PackRenders() != before {
			t.Fatalf("%s was rendered on request: nothing was made ready while another round was written", q)
		}
	}
}

// TestKeepUpcomingReady: while the server serves, the files a freeze of an
// upcoming round would make are made ready again once the round has been
// written and has then stayed the same for a second — whoever wrote it,
// and with nobody having looked at its pack — so the lead's freeze right
// after the last save renders nothing.
func TestKeepUpcomingReady(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.upcoming(w.round)
	f.watch()
	readyAfter := func(n int64, what string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); f.srv.MadeReady() <= n; {
			if time.Now().After(deadline) {
				t.Fatalf("%s: nothing made ready in 30 s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	readyAfter(0, "the upcoming round as it was")
	// An officer edits one sheet and adds another; the lead clears the new one.
	made := f.srv.MadeReady()
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["title"] = "Foreign Interference, revised" })
	late := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Late Arrival", para("A paragraph written the night before the trip.", "RESTRICTED", "")))
	for _, step := range []struct{ user, decision string }{{"officer", "submit"}, {"lead", "clear"}} {
		if r := f.do(step.user, "POST", "/api/v1/sheets/"+late+"/review", map[string]any{"decision": step.decision}); r.Code != 200 {
			t.Fatalf("%s: %d %s", step.decision, r.Code, r.Body.String())
		}
	}
	readyAfter(made, "the round after its last save")
	pack := "/api/v1/rounds/" + w.round + "/pack"
	f.madeReady(pack, freezeFiles...)
	full := f.do("lead", "GET", pack+"?format=html", nil).Body.String()
	if !strings.Contains(full, "the night before the trip") || !strings.Contains(full, "Foreign Interference, revised") {
		t.Fatal("the pack made ready is not the round as last saved")
	}
	if low := f.do("lowlead", "GET", pack+"?format=html", nil).Body.String(); strings.Contains(low, "secret zanzibar words") {
		t.Fatal("the RESTRICTED lead's pack made ready holds a SECRET paragraph")
	}
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]any{"force": true}); r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	if n := f.srv.PackRenders(); n != 0 {
		t.Fatalf("the freeze rendered %d files", n)
	}
	// Nothing written since: the watch makes nothing more.
	made = f.srv.MadeReady()
	time.Sleep(2500 * time.Millisecond)
	if n := f.srv.MadeReady(); n != made {
		t.Fatalf("made ready %d more times with nothing written", n-made)
	}
}

// TestKeepUpcomingReady_WaitsWhileAnswering: the files are made only
// while the server answers no request — a head start never takes the
// processors from one — and then as soon as it answers none.
func TestKeepUpcomingReady_WaitsWhileAnswering(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.upcoming(w.round)
	// A request whose body is slow to come: answered all the while.
	srv := httptest.NewServer(f.h)
	body, send := io.Pipe()
	defer srv.Close()
	defer send.Close() // first: the server's Close waits for the request
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/dialogues", body)
	req.Header.Set("Authorization", "Bearer "+f.tokens["secretariat"])
	req.Header.Set("Content-Type", "application/json")
	answered := make(chan int)
	go func() {
		resp, err := srv.Client().Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	for f.srv.Answering() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	f.watch()
	time.Sleep(3 * time.Second) // the round stays the same for longer than a second
	if n := f.srv.MadeReady(); n != 0 {
		t.Fatal("files were made while a request was being answered")
	}
	io.WriteString(send, `{"name": "A dialogue begun slowly", "home": "New Zealand", "partner": "Fiji", "established": "2020-01-01", "cadence_months": 12}`)
	send.Close()
	if code := <-answered; code != 201 {
		t.Fatalf("the slow request: %d", code)
	}
	for deadline := time.Now().Add(30 * time.Second); f.srv.MadeReady() == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("nothing made ready once no request was being answered")
		}
	}
	f.madeReady("/api/v1/rounds/"+w.round+"/pack", freezeFiles...)
}

// upcoming dates a round a week after the fixture's today (2026-11-24):
// upcoming, as the dashboard and the rounds kept ready count it.
func (f *fixture) upcoming(round string) {
	f.t.Helper()
	f.update("secretariat", "/api/v1/rounds/"+round, func(m map[string]any) {
		m["starts_on"], m["ends_on"] = "2026-12-01", "2026-12-02"
	})
}

// watch runs the work the server does while it serves (Watch, as serve
// does) until the test ends, and stops it before the store closes.
func (f *fixture) watch() {
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { defer close(watched); f.srv.Watch(ctx) }()
	f.t.Cleanup(func() { cancel(); <-watched })
}

// madeReady downloads files of a round's pack, each named by its reader
// and query ("lead?format=xlsx&edition=release"), and fails if any was
// rendered on request rather than found made ready (the server must have
// rendered none before).
func (f *fixture) madeReady(pack string, files ...string) {
	f.t.Helper()
	for _, file := range files {
		user, query, _ := strings.Cut(file, "?")
		r := f.do(user, "GET", pack+"?"+query, nil)
		if r.Code != 200 {
			f.t.Fatalf("%s: %d %s", file, r.Code, r.Body.String())
		}
		if n := f.srv.PackRenders(); n != 0 {
			f.t.Fatalf("%s was rendered on request, not made ready", file)
		}
	}
}

// freezeFiles are the files a freeze by the fixture's lead makes (HTML and
// XLSX, full and release), and by its RESTRICTED lead (the full two: it
// does not see the whole round).
var freezeFiles = []string{"lead?format=html", "lead?format=xlsx", "lead?format=html&edition=release",
	"lead?format=xlsx&edition=release", "lowlead?format=html", "lowlead?format=xlsx"}

// TestDashboard_TodayInUTC: servers in different zones agree on the day
// (and so on what is overdue, late or upcoming), as they do on a pack's.
func TestDashboard_TodayInUTC(t *testing.T) {
	f := newFixture(t)
	var dash struct {
		Today string `json:"today"`
	}
	// 10:00 UTC on the 24th is still the 23rd twelve hours west.
	f.clock.mu.Lock()
	f.clock.t = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).In(time.FixedZone("UTC-12", -12*3600))
	f.clock.mu.Unlock()
	r := f.do("viewer", "GET", "/api/v1/dashboard", nil)
	r.json(&dash)
	if dash.Today != "2026-11-24" {
		t.Fatalf("today is %q on a server twelve hours west, want 2026-11-24 (%d %s)", dash.Today, r.Code, r.Body.String())
	}
}

// TestPack_ETagIgnoresHiddenEdits: a live pack's entity tag names the bytes
// its reader is given, so an edit they cannot see — a SECRET paragraph
// changed in a sheet a RESTRICTED lead reads — leaves their tag as it was,
// and their conditional download answers 304, as if nothing had been
// written. An edit they see changes it. (The workbook is not tried: it
// carries each sheet's version for the import, and a version, like the
// sheet's own tag, counts every save.)
func TestPack_ETagIgnoresHiddenEdits(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	base := "/api/v1/rounds/" + w.round + "/pack?format="
	editPara := func(user, text string, secret bool) {
		f.update(user, "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
			for _, p := range sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any) {
				p := p.(map[string]any)
				if (p["marking"] == "SECRET") == secret {
					p["text"] = text
					return
				}
			}
			t.Fatalf("no paragraph to edit (secret %v)", secret)
		})
	}
	for _, format := range []string{"html"} {
		t.Run(format, func(t *testing.T) {
			first := f.do("lowlead", "GET", base+format, nil)
			etag := first.Header().Get("ETag")
			if first.Code != 200 || etag == "" {
				t.Fatalf("%d %q", first.Code, etag)
			}
			editPara("lead", "A secret zanzibar line, changed for the "+format+" pack.", true)
			r := f.do("lowlead", "GET", base+format, nil, "If-None-Match", etag)
			if r.Code != 304 || r.Header().Get("ETag") != etag {
				t.Fatalf("after an edit the reader cannot see: %d, tag %s, was %s", r.Code, r.Header().Get("ETag"), etag)
			}
			if again := f.do("lowlead", "GET", base+format, nil); !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
				t.Fatal("the bytes changed with an edit the reader cannot see")
			}
			editPara("lead", "A restricted line, changed for the "+format+" pack.", false)
			if r := f.do("lowlead", "GET", base+format, nil, "If-None-Match", etag); r.Code != 200 || r.Header().Get("ETag") == etag {
				t.Fatalf("after an edit the reader sees: %d, tag %s", r.Code, r.Header().Get("ETag"))
			}
		})
	}
}
