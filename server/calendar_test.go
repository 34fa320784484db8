package server_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"briefpack/briefing"
)

// calendarAt fetches a calendar feed as user, asked for at host.
func (f *fixture) calendarAt(user, path, host string) string {
	f.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Host = host
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		f.t.Fatalf("GET %s at %s: %d %s", path, host, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// calendarEvents reads a feed with an independent parser, which must
// also be able to write it back (it refuses a calendar without
// components), and returns its events by UID.
func calendarEvents(t *testing.T, feed string) map[string]goical.Event {
	t.Helper()
	cal, err := goical.NewDecoder(strings.NewReader(feed)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, feed)
	}
	if err := goical.NewEncoder(io.Discard).Encode(cal); err != nil {
		t.Fatalf("the feed is not a valid calendar: %v\n%s", err, feed)
	}
	out := map[string]goical.Event{}
	for _, e := range cal.Events() {
		out[e.Props.Get(goical.PropUID).Value] = e
	}
	return out
}

// sequence is an event's SEQUENCE.
func sequence(t *testing.T, e goical.Event) int {
	t.Helper()
	n, err := strconv.Atoi(e.Props.Get(goical.PropSequence).Value)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCalendar(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Franco–New Zealand Dialogue", "home": "New Zealand", "partner": "France", "established": "2016-10-01", "cadence_months": 12})

	t.Run("Empty", func(t *testing.T) {
		feed := f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com")
		if events := calendarEvents(t, feed); len(events) != 0 {
			t.Fatalf("%d events in an empty feed", len(events))
		}
	})

	round := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2027-03-01", "city": "Paris", "host": "partner"})

	t.Run("StableUIDs", func(t *testing.T) {
		first := f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com")
		events := calendarEvents(t, first)
		if len(events) != 5 {
			t.Fatalf("%d events, want the round and its four milestones", len(events))
		}
		for uid := range events {
			if !strings.HasPrefix(uid, "briefpack-round-"+round) || strings.Contains(uid, "example") {
				t.Errorf("UID %q", uid)
			}
		}
		// The same feed, event for event, at every address the server answers.
		for _, host := range []string{"[::1]:18200", "127.0.0.1:18201", "briefpack.internal"} {
			if got := f.calendarAt("viewer", "/api/v1/calendar.ics", host); got != first {
				t.Errorf("the feed asked for at %s differs:\n%s\n%s", host, got, first)
			}
		}
		// And in the dialogue's own feed.
		for uid := range calendarEvents(t, f.calendarAt("viewer", "/api/v1/dialogues/"+d+"/calendar.ics", "[::1]")) {
			if _, ok := events[uid]; !ok {
				t.Errorf("the dialogue's feed has UID %q, the whole feed not", uid)
			}
		}
	})

	t.Run("MovedMilestone", func(t *testing.T) {
		before := calendarEvents(t, f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com"))
		f.update("secretariat", "/api/v1/dialogues/"+d, func(m map[string]any) {
			m["milestones"] = map[string]int{"commissioned": 42, "drafts_due": 28, "clearance_due": 10, "pack_frozen": 3}
		})
		after := calendarEvents(t, f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com"))
		moved := 0
		for uid, e := range after {
			old, ok := before[uid]
			if !ok {
				t.Fatalf("UID %q is new", uid)
			}
			was, _ := old.DateTimeStart(nil)
			is, _ := e.DateTimeStart(nil)
			if !was.Equal(is) {
				moved++
				if sequence(t, e) <= sequence(t, old) {
					t.Errorf("%s moved from %v to %v, SEQUENCE %d then %d", uid, was, is, sequence(t, old), sequence(t, e))
				}
			}
		}
		if moved != 1 {
			t.Fatalf("%d events moved, want the drafts-due milestone", moved)
		}
		// A moved round still raises all of its events' sequences.
		f.update("secretariat", "/api/v1/rounds/"+round, func(m map[string]any) { m["starts_on"], m["ends_on"] = "2027-03-08", "2027-03-08" })
		for uid, e := range calendarEvents(t, f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com")) {
			if sequence(t, e) <= sequence(t, after[uid]) {
				t.Errorf("%s moved with its round, SEQUENCE %d then %d", uid, sequence(t, after[uid]), sequence(t, e))
			}
		}
	})

	t.Run("ControlCharacters", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2028-03-01", "city": "Paris\aSECRETCITY\x1b[0m", "host": "home"})
		if r.Code != 422 || errorFields(r)["city"] == "" {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		r = f.do("secretariat", "POST", "/api/v1/dialogues", map[string]any{"name": "Bell\a dialogue", "home": "New Zealand", "partner": "France", "established": "2016-10-01", "cadence_months": 12})
		if r.Code != 422 || errorFields(r)["name"] == "" {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		// Written before the check, or by any other way: escaped out of the feed.
		bell := &briefing.Round{DialogueID: d, Number: 3, StartsOn: "2029-03-01", EndsOn: "2029-03-01", City: "Paris\aSECRETCITY\x1b[0m", Host: "home", Status: "proposed", Marking: "UNCLASSIFIED"}
		if err := f.db.CreateRound(context.Background(), bell, briefing.Actor{Name: "test"}, nil); err != nil {
			t.Fatal(err)
		}
		feed := f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com")
		if strings.ContainsAny(feed, "\a\x1b") {
			t.Fatal("a control character in the feed")
		}
		e, ok := calendarEvents(t, feed)["briefpack-round-"+bell.ID+"@"+instanceOf(t, f)+".briefpack"]
		if got, _ := e.Props.Text(goical.PropLocation); !ok || got != "ParisSECRETCITY[0m" {
			t.Fatalf("location %q (%v)", got, ok)
		}
	})

	t.Run("DatesACalendarCannotHold", func(t *testing.T) {
		r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 4, "starts_on": "0000-01-01", "host": "home"})
		if r.Code != 422 || errorFields(r)["starts_on"] == "" {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		// One bad round, however stored, never takes the feed down for everyone.
		for _, x := range []*briefing.Round{
			{DialogueID: d, Number: 5, StartsOn: "0000-01-01", Host: "home", Status: "proposed", Marking: "UNCLASSIFIED"},
			{DialogueID: d, Number: 6, StartsOn: "0001-01-10", Host: "home", Status: "proposed", Marking: "UNCLASSIFIED"},
			{DialogueID: d, Number: 7, StartsOn: "9999-12-30", EndsOn: "9999-12-31", Host: "home", Status: "proposed", Marking: "UNCLASSIFIED"},
		} {
			if err := f.db.CreateRound(context.Background(), x, briefing.Actor{Name: "test"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		events := calendarEvents(t, f.calendarAt("viewer", "/api/v1/calendar.ics", "example.com"))
		if _, ok := events["briefpack-round-"+round+"@"+instanceOf(t, f)+".briefpack"]; !ok {
			t.Fatal("the good round is gone from the feed")
		}
		for uid, e := range events {
			start, err := e.DateTimeStart(nil)
			if err != nil || start.Year() < 1 || start.Year() > 9999 {
				t.Errorf("%s starts on %v (%v)", uid, start, err)
			}
		}
	})
}

// instanceOf is the name of the fixture's database.
func instanceOf(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.db.Settings(context.Background())
	if err != nil || s.Instance == "" {
		t.Fatalf("settings %+v, %v", s, err)
	}
	return s.Instance
}
