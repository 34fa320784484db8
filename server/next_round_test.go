package server_test

import (
	"strings"
	"testing"
)

// TestNextRound_PastYear9999: a dialogue whose next round would fall past
// the year 9999 is refused with a 422 that says why, and no round is made;
// before, it was proposed for today with a note that it "fell due on 1
// January 0001".
func TestNextRound_PastYear9999(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Last Dialogue", "home": "New Zealand", "partner": "France", "established": "9999-12-31", "cadence_months": 1})
	r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil)
	if r.Code != 422 || r.errorCode() != "invalid" || !strings.Contains(r.Body.String(), "past the year 9999") {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var l struct{ Items []map[string]any }
	f.do("secretariat", "GET", "/api/v1/dialogues/"+d+"/rounds", nil).json(&l)
	if len(l.Items) != 0 {
		t.Fatalf("a round was made: %v", l.Items)
	}
	// A cadence of one month is said so.
	d = f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Monthly Dialogue", "home": "New Zealand", "partner": "France", "established": "2016-10-01", "cadence_months": 1})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2025-01-15", "host": "home", "status": "held"})
	var next struct{ Note string }
	f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil).json(&next)
	if !strings.Contains(next.Note, ", 1 month after the last") {
		t.Fatalf("note %q", next.Note)
	}
	if page := f.pageBrowser("secretariat").open("/dialogues/" + d); !strings.Contains(page, "A round every 1 month.") {
		t.Fatal("the dialogue page does not say a round every 1 month")
	}
}
