package server_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// agendaItem is an agenda item as the API reads and writes it.
type agendaItem struct {
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
	Sheet string `json:"sheet_id,omitempty"`
	Lead  string `json:"lead_person_id,omitempty"`
}

// TestRound_HiddenAgendaLeadStays: an agenda item's lead above a writer is
// absent from what they read, and stays on that item — and on no other —
// whatever they do to the items they see: rename it, reorder the agenda,
// give two items one title, change another's city, rename and move it at
// once, swap titles; when they remove the item, or put a new one in its
// place, its lead goes with it. The SECRET sheet's item they cannot see
// keeps its place after the item it followed. The items are told apart by
// the ids the API gives them; a body without ids (a client from before
// them) is paired as it was, by sheet, title and place.
func TestRound_HiddenAgendaLeadStays(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	type item = agendaItem
	set := func(items ...item) {
		f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["agenda"] = items })
	}
	stored := func() []item {
		var r struct {
			Agenda []item `json:"agenda"`
		}
		f.do("admin", "GET", "/api/v1/rounds/"+w.round, nil).json(&r)
		for i := range r.Agenda {
			if r.Agenda[i].Sheet != "" {
				r.Agenda[i].Title = "" // the sheet's, on output
			}
		}
		return r.Agenda
	}
	// edit lets the RESTRICTED lead change the agenda as they read it;
	// an old client sends it back without ids.
	edit := func(oldClient bool, fn func([]item) []item) {
		f.update("lowlead", "/api/v1/rounds/"+w.round, func(m map[string]any) {
			raw, _ := json.Marshal(m["agenda"])
			var items []item
			if err := json.Unmarshal(raw, &items); err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Lead == w.secretPerson || it.Sheet == w.secretSheet {
					t.Fatalf("the lead read what is above them: %+v", items)
				}
				if it.ID == "" {
					t.Fatalf("an item read without its id: %+v", items)
				}
			}
			if oldClient {
				for i := range items {
					items[i].ID = ""
				}
			}
			m["agenda"] = fn(items)
		})
	}
	secret, open := w.secretPerson, w.person
	type agendaCase struct {
		name   string
		before []item
		edit   func([]item) []item
		want   []item
	}
	// The cases a body without ids was already right for: it still is, and
	// so is one with ids.
	both := []agendaCase{
		{"Renamed", []item{{Title: "Opening", Lead: open}, {Title: "Secret-led item", Lead: secret}},
			func(a []item) []item { a[1].Title = "Secret-led item (renamed)"; return a },
			[]item{{Title: "Opening", Lead: open}, {Title: "Secret-led item (renamed)", Lead: secret}}},
		{"SameTitles", []item{{Title: "Coffee break", Lead: secret}, {Title: "Coffee break"}},
			func(a []item) []item { return a },
			[]item{{Title: "Coffee break", Lead: secret}, {Title: "Coffee break"}}},
		{"Reordered", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}, {Title: "Close"}},
			func(a []item) []item { return []item{a[2], a[0], a[1]} },
			[]item{{Title: "Close"}, {Title: "Cyber", Lead: secret}, {Title: "Pacific"}}},
		{"RenamedWithOneAddedElsewhere", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}, {Title: "Close"}},
			func(a []item) []item { a[0].Title = "Cyber security"; return append(a[:2], item{Title: "Trade"}, a[2]) },
			[]item{{Title: "Cyber security", Lead: secret}, {Title: "Pacific"}, {Title: "Trade"}, {Title: "Close"}}},
		{"Removed", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}},
			func(a []item) []item { return a[1:] },
			[]item{{Title: "Pacific"}}},
		{"HiddenSheetFollowsRenamedItem", []item{{Title: "Opening"}, {Sheet: w.secretSheet}, {Title: "Close", Lead: secret}},
			func(a []item) []item { a[0].Title = "Welcome"; return a },
			[]item{{Title: "Welcome"}, {Sheet: w.secretSheet}, {Title: "Close", Lead: secret}}},
		{"LeadOfTheirOwn", []item{{Title: "Cyber", Lead: secret}},
			func(a []item) []item { a[0].Lead = open; return a },
			[]item{{Title: "Cyber", Lead: open}}},
	}
	// The combined edits QA found a body without ids lost or misplaced the
	// lead in: by id, each is right.
	byID := []agendaCase{
		{"RenamedAndSwapped", []item{{Title: "A", Lead: secret}, {Title: "B"}},
			func(a []item) []item { a[0].Title = "A2"; return []item{a[1], a[0]} },
			[]item{{Title: "B"}, {Title: "A2", Lead: secret}}},
		{"RenamedAndMovedToTheEnd", []item{{Title: "A", Lead: secret}, {Title: "B"}, {Title: "C"}},
			func(a []item) []item { a[0].Title = "A2"; return []item{a[1], a[2], a[0]} },
			[]item{{Title: "B"}, {Title: "C"}, {Title: "A2", Lead: secret}}},
		{"TitlesSwapped", []item{{Title: "A", Lead: secret}, {Title: "B"}},
			func(a []item) []item { a[0].Title, a[1].Title = "B", "A"; return a },
			[]item{{Title: "B", Lead: secret}, {Title: "A"}}},
		{"ReplacedInPlace", []item{{Title: "A", Lead: secret}, {Title: "B"}},
			func(a []item) []item { a[0] = item{Title: "New item"}; return a },
			[]item{{Title: "New item"}, {Title: "B"}}},
		{"RemovedAndAnotherRenamedToIt", []item{{Title: "A", Lead: secret}, {Title: "B"}, {Title: "C"}, {Title: "D"}},
			func(a []item) []item { a[3].Title = "A"; return a[1:] },
			[]item{{Title: "B"}, {Title: "C"}, {Title: "A"}}},
		{"MovedToASheet", []item{{Title: "Foreign interference", Lead: secret}, {Title: "Close"}},
			func(a []item) []item { a[0].Title, a[0].Sheet = "", w.sheet; return []item{a[1], a[0]} },
			[]item{{Title: "Close"}, {Sheet: w.sheet, Lead: secret}}},
		{"HiddenSheetFollowsMovedItem", []item{{Title: "A"}, {Sheet: w.secretSheet}, {Title: "B", Lead: secret}, {Title: "C"}},
			func(a []item) []item { a[0].Title = "A2"; return []item{a[1], a[2], a[0]} },
			[]item{{Title: "B", Lead: secret}, {Title: "C"}, {Title: "A2"}, {Sheet: w.secretSheet}}},
	}
	run := func(t *testing.T, tc agendaCase, oldClient bool) {
		set(tc.before...)
		var led string // the id of the item the SECRET person leads
		for _, it := range stored() {
			if it.Lead == secret {
				led = it.ID
			}
		}
		edit(oldClient, tc.edit)
		got := stored()
		ids := map[string]bool{}
		for i, it := range got {
			if it.ID == "" || ids[it.ID] {
				t.Errorf("item %d stored with id %q: %+v", i, it.ID, got)
			}
			ids[it.ID] = true
			if it.Lead == secret && it.ID != led {
				t.Errorf("the SECRET lead moved from item %s to item %s: %+v", led, it.ID, got)
			}
			got[i].ID = ""
		}
		g, _ := json.Marshal(got)
		want, _ := json.Marshal(tc.want)
		if string(g) != string(want) {
			t.Errorf("agenda after the RESTRICTED lead's save:\n got %s\nwant %s", g, want)
		}
	}
	for _, tc := range both {
		t.Run(tc.name, func(t *testing.T) { run(t, tc, false) })
		t.Run("OldClient/"+tc.name, func(t *testing.T) { run(t, tc, true) })
	}
	for _, tc := range byID {
		t.Run(tc.name, func(t *testing.T) { run(t, tc, false) })
	}
}

// TestRound_AgendaIDs: an agenda item's id is the server's. A new item gets
// one; an id that names no item the writer can see — none at all, or one
// linked to a sheet above them — is refused alike, naming the field, so a
// hidden item's id is never confirmed nor shown; an id given twice is
// refused; a new round's items get new ids whatever was sent.
func TestRound_AgendaIDs(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round
	f.update("secretariat", path, func(m map[string]any) {
		m["agenda"] = []agendaItem{{Title: "Opening"}, {Sheet: w.secretSheet}, {Sheet: w.sheet}}
	})
	var full struct {
		Agenda []agendaItem `json:"agenda"`
	}
	f.do("admin", "GET", path, nil).json(&full)
	if len(full.Agenda) != 3 || full.Agenda[0].ID == "" || full.Agenda[1].ID == "" || full.Agenda[0].ID == full.Agenda[1].ID {
		t.Fatalf("agenda as stored: %+v", full.Agenda)
	}
	hidden := full.Agenda[1].ID
	for _, who := range []string{"lowlead", "viewer"} {
		if r := f.do(who, "GET", path, nil); r.Code != 200 || strings.Contains(r.Body.String(), hidden) {
			t.Errorf("%s reads the hidden item's id: %d %s", who, r.Code, r.Body.String())
		}
	}
	// put sends the RESTRICTED lead's agenda with fn's change and returns the answer.
	put := func(fn func([]agendaItem) []agendaItem) response {
		r := f.do("lowlead", "GET", path, nil)
		var m map[string]any
		r.json(&m)
		raw, _ := json.Marshal(m["agenda"])
		var items []agendaItem
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		m["agenda"] = fn(items)
		return f.do("lowlead", "PUT", path, m, "If-Match", r.Header().Get("ETag"))
	}
	unknown := put(func(a []agendaItem) []agendaItem { a[1].ID = "a-no-such-item"; return a })
	hiddenID := put(func(a []agendaItem) []agendaItem { a[1].ID = hidden; return a })
	for _, r := range []response{unknown, hiddenID} {
		if r.Code != 422 || !strings.Contains(r.Body.String(), `"agenda[1].id"`) {
			t.Errorf("an id of no item they see: %d %s", r.Code, r.Body.String())
		}
	}
	if u, h := strings.ReplaceAll(unknown.Body.String(), "a-no-such-item", hidden), hiddenID.Body.String(); u != h || strings.Contains(h, hidden) {
		t.Errorf("a hidden item's id is answered otherwise than one of no item:\n%s\n%s", u, h)
	}
	if r := put(func(a []agendaItem) []agendaItem { a[1].ID = a[0].ID; return a }); r.Code != 422 || !strings.Contains(r.Body.String(), `"agenda[1].id"`) {
		t.Errorf("an id given twice: %d %s", r.Code, r.Body.String())
	}
	var after struct {
		Agenda []agendaItem `json:"agenda"`
	}
	f.do("admin", "GET", path, nil).json(&after)
	if g, _ := json.Marshal(after.Agenda); string(g) != func() string { b, _ := json.Marshal(full.Agenda); return string(b) }() {
		t.Errorf("a refused save changed the agenda: %s", g)
	}
	// A new item gets an id of its own; the others keep theirs.
	if r := put(func(a []agendaItem) []agendaItem { return append(a, agendaItem{Title: "Close"}) }); r.Code != 200 {
		t.Fatalf("add an item: %d %s", r.Code, r.Body.String())
	}
	after.Agenda = nil
	f.do("admin", "GET", path, nil).json(&after)
	if len(after.Agenda) != 4 || after.Agenda[1].ID != hidden || after.Agenda[0].ID != full.Agenda[0].ID || after.Agenda[3].ID == "" ||
		after.Agenda[3].ID == hidden || after.Agenda[3].ID == full.Agenda[0].ID || after.Agenda[3].ID == full.Agenda[2].ID {
		t.Errorf("after adding an item: %+v (before %+v)", after.Agenda, full.Agenda)
	}
	// A new round made from another's body: its items are new.
	r := f.do("secretariat", "POST", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 9, "host": "home",
		"agenda": []agendaItem{{ID: full.Agenda[0].ID, Title: "Opening"}, {ID: full.Agenda[0].ID, Title: "Close"}}})
	var created struct {
		Agenda []agendaItem `json:"agenda"`
	}
	r.json(&created)
	if r.Code != 201 || len(created.Agenda) != 2 || created.Agenda[0].ID == "" || created.Agenda[0].ID == full.Agenda[0].ID || created.Agenda[0].ID == created.Agenda[1].ID {
		t.Errorf("a new round with ids sent: %d %s", r.Code, r.Body.String())
	}
}

// TestRoundPage_AgendaForms: the round page's agenda forms (move, remove,
// time and lead, drag order, add) name items by id and act on the item the
// RESTRICTED lead saw, keeping the lead above them on its item and the
// SECRET sheet's item, absent from their page, after the item it followed.
// An id of no item on their page — the hidden item's among them — is
// refused alike; a place, as a page from before ids sent, still works.
func TestRoundPage_AgendaForms(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round
	f.update("secretariat", path, func(m map[string]any) {
		m["agenda"] = []agendaItem{{Title: "Opening"}, {Sheet: w.secretSheet}, {Title: "Cyber", Lead: w.secretPerson}, {Title: "Close"}}
	})
	var full struct {
		Agenda []agendaItem `json:"agenda"`
	}
	f.do("admin", "GET", path, nil).json(&full)
	opening, hidden, cyber, closing := full.Agenda[0].ID, full.Agenda[1].ID, full.Agenda[2].ID, full.Agenda[3].ID
	b := f.pageBrowser("lowlead")
	versionRe := regexp.MustCompile(`name="version" value="(\d+)"`)
	// press sends an agenda form of the page as it now stands.
	press := func(form map[string]string) *httptest.ResponseRecorder {
		t.Helper()
		page := b.open("/rounds/" + w.round)
		if strings.Contains(page, hidden) {
			t.Fatalf("the round page shows the hidden item's id")
		}
		vals := url.Values{"csrf_token": {b.csrf}, "version": {versionRe.FindStringSubmatch(page)[1]}}
		for k, v := range form {
			vals.Set(k, v)
		}
		return b.send("POST", "/rounds/"+w.round+"/agenda", vals)
	}
	agenda := func() string {
		full.Agenda = nil
		f.do("admin", "GET", path, nil).json(&full)
		var out []string
		for _, it := range full.Agenda {
			s := it.ID
			if it.Lead != "" {
				s += "(lead " + it.Lead + ")"
			}
			out = append(out, s)
		}
		return strings.Join(out, ",")
	}
	led := cyber + "(lead " + w.secretPerson + ")"
	for _, step := range []struct {
		name string
		form map[string]string
		want []string
	}{
		{"Up", map[string]string{"op": "up:" + cyber}, []string{led, opening, hidden, closing}},
		{"UpFromTheTop", map[string]string{"op": "up:" + cyber}, []string{led, opening, hidden, closing}},
		{"Order", map[string]string{"op": "order", "order": strings.Join([]string{closing, opening, cyber}, ",")}, []string{closing, opening, hidden, led}},
		{"Programme", map[string]string{"op": "programme:" + closing, "starts_at": "09:00", "lead_person_id": w.person}, []string{closing + "(lead " + w.person + ")", opening, hidden, led}},
		{"DownFromTheBottom", map[string]string{"op": "down:" + cyber}, []string{closing + "(lead " + w.person + ")", opening, hidden, led}},
		{"RemoveByPlace", map[string]string{"op": "remove:0"}, []string{opening, hidden, led}},
		{"Remove", map[string]string{"op": "remove:" + opening}, []string{led, hidden}},
	} {
		rec := press(step.form)
		if rec.Code != 303 {
			t.Fatalf("%s: %d %s", step.name, rec.Code, rec.Body.String())
		}
		if got, want := agenda(), strings.Join(step.want, ","); got != want {
			t.Errorf("%s: agenda %s, want %s", step.name, got, want)
		}
	}
	rec := press(map[string]string{"op": "add", "title": "Any other business"})
	if rec.Code != 303 {
		t.Fatalf("add: %d %s", rec.Code, rec.Body.String())
	}
	full.Agenda = nil
	f.do("admin", "GET", path, nil).json(&full)
	if len(full.Agenda) != 3 || full.Agenda[2].Title != "Any other business" || full.Agenda[2].ID == "" || full.Agenda[1].ID != hidden {
		t.Errorf("after add: %+v", full.Agenda)
	}
	before := agenda()
	var bodies []string
	for _, ref := range []string{hidden, "a-no-such-item"} {
		rec := press(map[string]string{"op": "remove:" + ref})
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "no longer on the agenda") {
			t.Errorf("remove %s: %d", ref, rec.Code)
		}
		// Each page gives its forms ids of their own, at random.
		body := onceIDs.ReplaceAllString(rec.Body.String(), `name="once" value="ID"`)
		bodies = append(bodies, strings.ReplaceAll(body, ref, "REF"))
	}
	if agenda() != before {
		t.Errorf("a refused form changed the agenda: %s", agenda())
	}
	if bodies[0] != bodies[1] {
		t.Errorf("the hidden item's id is answered otherwise than one of no item")
	}
	if rec := press(map[string]string{"op": "order", "order": cyber + "," + hidden + "," + full.Agenda[2].ID}); rec.Code != 422 {
		t.Errorf("an order naming the hidden item: %d", rec.Code)
	}
}

// TestRoundPage_StaleAgendaButtons: a page sent before someone else saved
// the round still moves, removes and adds agenda items — each named by its
// id, so the item the reader saw — on the agenda as it now stands, keeping
// the other save; a time or lead from that page is refused as stale, and
// kept in its form, to be sent again from the page as it now is.
func TestRoundPage_StaleAgendaButtons(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round
	f.update("secretariat", path, func(m map[string]any) {
		m["agenda"] = []agendaItem{{Title: "A"}, {Title: "B"}, {Title: "C"}}
	})
	b := f.pageBrowser("lead")
	page := b.open("/rounds/" + w.round)
	stale := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
	var r struct {
		City   string       `json:"city"`
		Agenda []agendaItem `json:"agenda"`
	}
	f.do("admin", "GET", path, nil).json(&r)
	a, bb, c := r.Agenda[0].ID, r.Agenda[1].ID, r.Agenda[2].ID
	// Someone else saves the round: a new city, and an item at the end.
	f.update("secretariat", path, func(m map[string]any) {
		m["city"] = "Nelson"
		m["agenda"] = append(m["agenda"].([]any), map[string]any{"title": "D"})
	})
	press := func(form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", b.csrf)
		form.Set("version", stale)
		return b.send("POST", "/rounds/"+w.round+"/agenda", form)
	}
	titles := func() string {
		r.Agenda = nil
		f.do("admin", "GET", path, nil).json(&r)
		var out []string
		for _, it := range r.Agenda {
			out = append(out, it.Title)
		}
		return r.City + ":" + strings.Join(out, ",")
	}
	for _, step := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"op": {"down:" + a}}, "Nelson:B,A,C,D"},
		{url.Values{"op": {"remove:" + c}}, "Nelson:B,A,D"},
		{url.Values{"op": {"add"}, "title": {"E"}}, "Nelson:B,A,D,E"},
	} {
		if rec := press(step.form); rec.Code != 303 {
			t.Fatalf("%v from a stale page: %d %s", step.form, rec.Code, rec.Body.String())
		}
		if got := titles(); got != step.want {
			t.Errorf("%v: %s, want %s", step.form, got, step.want)
		}
	}
	rec := press(url.Values{"op": {"programme:" + bb}, "starts_at": {"09:00"}})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Someone else saved this round after you opened it: your changes are in the form below") {
		t.Fatalf("a time from a stale page: %d", rec.Code)
	}
	// The time typed is kept in the item's form, at the version now shown:
	// sent again from there, it is saved.
	form := formWith(t, rec.Body.String(), `value="programme:`+bb+`"`)
	if !strings.Contains(form, `name="starts_at" value="09:00"`) {
		t.Fatalf("the time typed on a stale page is lost:\n%s", form)
	}
	again := formOn(t, form, "/rounds/"+w.round+"/agenda")
	again.Set("op", "programme:"+bb)
	again.Set("starts_at", "09:00")
	if rec := b.send("POST", "/rounds/"+w.round+"/agenda", again); rec.Code != 303 {
		t.Fatalf("the time sent again: %d %s", rec.Code, rec.Body.String())
	}
	var now struct {
		Agenda []map[string]any `json:"agenda"`
	}
	f.do("admin", "GET", path, nil).json(&now)
	for _, it := range now.Agenda {
		if it["id"] == bb && it["starts_at"] != "09:00" {
			t.Errorf("the time sent again was not saved: %v", it)
		}
	}
}

// TestRoundPage_NewSheetAgendaFull: a sheet made on the round page when the
// agenda cannot take it (full) is made, and the editor says, as an error,
// why it is not on the agenda.
func TestRoundPage_NewSheetAgendaFull(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) {
		items := make([]agendaItem, 200)
		for i := range items {
			items[i] = agendaItem{Title: fmt.Sprintf("Item %d", i+1)}
		}
		m["agenda"] = items
	})
	b := f.pageBrowser("lead")
	b.open("/rounds/" + w.round)
	rec := b.send("POST", "/rounds/"+w.round+"/sheets", url.Values{"csrf_token": {b.csrf}, "title": {"Pacific fisheries"}, "agenda": {"on"}})
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/sheets/") {
		t.Fatalf("new sheet: %d %s", rec.Code, rec.Body.String())
	}
	page := b.open(rec.Header().Get("Location"))
	msg := regexp.MustCompile(`class="flash error"[^>]*>([^<]*)`).FindStringSubmatch(page)
	if msg == nil || !strings.Contains(html.UnescapeString(msg[1]), "not put on the agenda") || !strings.Contains(msg[1], "200") {
		t.Fatalf("the editor does not say why the sheet is not on the agenda: %v", msg)
	}
}

// TestRoundPage_StaleEditKeepsWhatWasTyped: the round's edit form sent after
// someone else saved the round is refused, and shows again what was typed
// (the outcomes may be a page long), not the stored round alone; sent again
// from that page, it is saved.
func TestRoundPage_StaleEditKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round
	b := f.pageBrowser("secretariat")
	page := b.open("/rounds/" + w.round)
	stale := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
	var r map[string]any
	f.do("admin", "GET", path, nil).json(&r)
	f.update("admin", path, func(m map[string]any) { m["purpose"] = "Purpose as the admin saved it." })
	form := url.Values{"csrf_token": {b.csrf}, "version": {stale}, "number": {fmt.Sprint(r["number"])},
		"starts_on": {fmt.Sprint(r["starts_on"])}, "ends_on": {fmt.Sprint(r["ends_on"])}, "city": {"Queenstown"},
		"host": {fmt.Sprint(r["host"])}, "status": {fmt.Sprint(r["status"])}, "marking": {fmt.Sprint(r["marking"])},
		"outcomes": {"QQTYPED outcomes, a page of them."}, "purpose": {"Purpose as the admin saved it."}}
	rec := b.send("POST", "/rounds/"+w.round, form)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "your changes are in the form below") {
		t.Fatalf("a stale edit: %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), "QQTYPED outcomes") || !strings.Contains(rec.Body.String(), `value="Queenstown"`) {
		t.Fatal("what was typed is not on the page")
	}
	var got map[string]any
	f.do("admin", "GET", path, nil).json(&got)
	if got["city"] == "Queenstown" || got["purpose"] != "Purpose as the admin saved it." {
		t.Fatalf("the stale edit was written: %v", got)
	}
	// Sent again from the page it was kept on: at the version it shows.
	form.Set("version", regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(rec.Body.String())[1])
	if rec := b.send("POST", "/rounds/"+w.round, form); rec.Code != 303 {
		t.Fatalf("sent again: %d %s", rec.Code, rec.Body.String())
	}
	f.do("admin", "GET", path, nil).json(&got)
	if got["city"] != "Queenstown" || got["outcomes"] != "QQTYPED outcomes, a page of them." {
		t.Fatalf("not saved: %v", got)
	}
}

// formWith is the form on page holding marker (its button's value, say),
// from its opening tag to its end.
func formWith(t *testing.T, page, marker string) string {
	t.Helper()
	for _, f := range strings.Split(page, "<form")[1:] {
		f, _, _ = strings.Cut(f, "</form>")
		if strings.Contains(f, marker) {
			return "<form" + f + "</form>"
		}
	}
	t.Fatalf("no form holding %s on the page", marker)
	return ""
}

// TestRoundPage_RefusedAgendaFormsKeepWhatWasTyped: an agenda item added,
// or an item's time, session and lead, refused (an end before the start)
// comes back in its own form, open, as it was typed, with why next to the
// field at fault, and nothing saved; corrected and sent again from that
// page, it is saved. Before, the page came back with the form empty, and
// the typing was lost.
func TestRoundPage_RefusedAgendaFormsKeepWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round
	b := f.pageBrowser("lead")
	agenda := func() []map[string]any {
		var r struct{ Agenda []map[string]any }
		f.do("admin", "GET", path, nil).json(&r)
		return r.Agenda
	}

	add := formOn(t, b.open("/rounds/"+w.round), "/rounds/"+w.round+"/agenda")
	add.Set("op", "add")
	add.Set("title", "Working lunch with the partner delegation")
	add.Set("session", "Session three")
	add.Set("starts_at", "12:30")
	add.Set("ends_at", "11:00") // before it starts
	add.Set("lead_person_id", w.person)
	rec := b.send("POST", "/rounds/"+w.round+"/agenda", add)
	if rec.Code != 422 {
		t.Fatalf("an item ending before it starts: %d", rec.Code)
	}
	page := rec.Body.String()
	form := formWith(t, page, `value="add"`)
	for _, want := range []string{`name="title" value="Working lunch with the partner delegation"`, `name="session" value="Session three"`,
		`name="starts_at" value="12:30"`, `name="ends_at" value="11:00" class="invalid"`, `<option value="` + w.person + `" selected>`,
		"must not be before the start time"} {
		if !strings.Contains(form, want) {
			t.Errorf("the refused add form lacks %s:\n%s", want, form)
		}
	}
	if !strings.Contains(page, "<details open><summary>Add an agenda item") {
		t.Error("the refused add form is not open")
	}
	if n := len(agenda()); n != 0 {
		t.Fatalf("a refused item was added: %d items", n)
	}
	// Corrected on the page shown, it is added (the form's id given back).
	again := formOn(t, form, "/rounds/"+w.round+"/agenda")
	for _, k := range []string{"title", "session", "starts_at", "lead_person_id"} {
		again.Set(k, add.Get(k))
	}
	again.Set("op", "add")
	again.Set("ends_at", "13:30")
	if rec := b.send("POST", "/rounds/"+w.round+"/agenda", again); rec.Code != 303 {
		t.Fatalf("the corrected item: %d %s", rec.Code, rec.Body.String())
	}
	items := agenda()
	if len(items) != 1 || items[0]["ends_at"] != "13:30" || items[0]["session"] != "Session three" {
		t.Fatalf("after the corrected add: %v", items)
	}
	id := items[0]["id"].(string)

	// The item's own "Time, session, lead" form, refused alike.
	prog := formOn(t, formWith(t, b.open("/rounds/"+w.round), `value="programme:`+id+`"`), "/rounds/"+w.round+"/agenda")
	prog.Set("op", "programme:"+id)
	prog.Set("starts_at", "16:00")
	prog.Set("ends_at", "15:15")
	prog.Set("session", "Closing session")
	rec = b.send("POST", "/rounds/"+w.round+"/agenda", prog)
	if rec.Code != 422 {
		t.Fatalf("a time ending before it starts: %d", rec.Code)
	}
	page = rec.Body.String()
	form = formWith(t, page, `value="programme:`+id+`"`)
	for _, want := range []string{`name="session" value="Closing session"`, `name="starts_at" value="16:00"`,
		`name="ends_at" value="15:15" class="invalid"`, "must not be before the start time"} {
		if !strings.Contains(form, want) {
			t.Errorf("the refused programme form lacks %s:\n%s", want, form)
		}
	}
	if !strings.Contains(page, `<details class="inline" open><summary class="small">Time, session, lead`) {
		t.Error("the refused programme form is not open")
	}
	if strings.Contains(formWith(t, page, `value="add"`), "Closing session") {
		t.Error("the programme form's typing is in the add form")
	}
	if items := agenda(); items[0]["starts_at"] != "12:30" || items[0]["session"] != "Session three" {
		t.Errorf("a refused time was saved: %v", items[0])
	}
}

// TestRoundPage_NotReadyNamesASheetOnce: a sheet not cleared that the
// agenda lists twice (a topic taken up in two sessions) is named once in
// the round page's "Not ready to travel", as the freeze's refusal names it.
// Before, the page named it once per item.
func TestRoundPage_NotReadyNamesASheetOnce(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime Kauri", para("Words.", "RESTRICTED", "")))
	f.update("lead", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["agenda"] = []map[string]any{{"sheet_id": id, "session": "Morning"}, {"sheet_id": id, "session": "Afternoon"}}
	})
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]bool{})
	if r.Code != 409 || strings.Count(r.Body.String(), "Maritime Kauri") != 1 {
		t.Errorf("freeze: %d %s", r.Code, r.Body.String())
	}
	page := f.pageBrowser("lead").open("/rounds/" + w.round)
	m := regexp.MustCompile(`Not ready to travel</span>: ([^<]*) not cleared`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the round page does not say it is not ready to travel")
	}
	if n := strings.Count(m[1], "Maritime Kauri"); n != 1 {
		t.Errorf("the round page names the sheet %d times: %q", n, m[1])
	}
}
