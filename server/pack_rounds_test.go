package server_test

import (
	"strings"
	"testing"
)

// TestPack_LastRoundMet: the pack's last round's outcomes are those of the
// last round that met: a postponed or proposed round between (which never
// met and has none) hid them, as a cancelled one did not.
func TestPack_LastRoundMet(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Outcomes Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2019-03-04", "city": "Wellington", "host": "home", "status": "held", "outcomes": "First round agreed the harbour protocol."})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2020-03-09", "city": "Singapore", "host": "partner", "status": "scheduled", "outcomes": "Second round agreed the cable review."})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 3, "starts_on": "2021-03-08", "city": "Auckland", "host": "home", "status": "postponed"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 4, "starts_on": "2022-03-08", "city": "Singapore", "host": "partner", "status": "cancelled"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 5, "host": "home", "status": "proposed"})
	r6 := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 6, "starts_on": "2027-03-08", "city": "Wellington", "host": "home", "status": "scheduled"})
	r := f.do("lead", "GET", "/api/v1/rounds/"+r6+"/pack?format=html", nil)
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	out := r.Body.String()
	// A scheduled round before this one is taken to have met, left
	// scheduled once it had.
	for _, want := range []string{"Outcomes of the 2nd round (Singapore, 9 March 2020)", "Second round agreed the cable review."} {
		if !strings.Contains(out, want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	if strings.Contains(out, "First round agreed") {
		t.Error("the pack shows the outcomes of a round before the last that met")
	}
}
