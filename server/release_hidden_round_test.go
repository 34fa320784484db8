package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestRelease_ActionRaisedInARoundAboveTheLead: an action a RESTRICTED
// lead sees, raised in a round above them (the 3rd), is theirs without
// that round: it is carried into their pack of every round, where the pack
// at the highest clearance carries it only into the rounds after the 3rd,
// saying it was raised there. Nothing of the 2nd or the 4th round is hidden
// from them, and they are answered as for the same rounds beside an action
// raised in no round: before, their pack differed from the whole round's
// (by the action, or by where it was raised), and the release check, the
// release edition and the release were refused ("parts of this round are
// above your clearance"), which told them of a round they may not see.
func TestRelease_ActionRaisedInARoundAboveTheLead(t *testing.T) {
	for _, hidden := range []bool{false, true} {
		f := newFixture(t)
		d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Korea–New Zealand Dialogue", "partner": "Korea", "established": "2019-06-01", "cadence_months": 12})
		var rounds []string
		for _, n := range []int{2, 4} {
			r := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": n, "starts_on": fmt.Sprintf("202%d-05-10", n+4), "city": "Wellington", "host": "home", "marking": "RESTRICTED"})
			f.create("officer", "/api/v1/rounds/"+r+"/sheets", sheetBody("Cyber Security", para(fmt.Sprintf("Open words of round %d.", n), "RESTRICTED", "")))
			rounds = append(rounds, r)
		}
		action := map[string]any{"ref": "3.01", "text": "Exchange assessments", "status": "on_track", "marking": "RESTRICTED"}
		if hidden {
			action["raised_in_round_id"] = f.create("admin", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 3, "starts_on": "2027-05-10", "city": "Seoul", "host": "partner", "marking": "SECRET"})
		}
		f.create("admin", "/api/v1/dialogues/"+d+"/actions", action)
		for i, round := range rounds {
			for _, path := range []string{"/api/v1/rounds/" + round + "/release-check", "/api/v1/rounds/" + round + "/pack?format=html&edition=release"} {
				if r := f.do("lowlead", "GET", path, nil); r.Code != 200 {
					t.Errorf("hidden round %v: GET %s: %d %s", hidden, path, r.Code, r.Body.String())
				}
			}
			r := f.do("lowlead", "POST", "/api/v1/rounds/"+round+"/releases", map[string]any{"reference": fmt.Sprintf("OIA-%d", i), "received_on": "2026-11-01", "request": "The pack.",
				"decision_maker": "Decision Maker", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true})
			if r.Code != 201 {
				t.Errorf("hidden round %v: release of round %s: %d %s", hidden, round, r.Code, r.Body.String())
			}
			if page := f.pageBrowser("lowlead").open("/rounds/" + round); strings.Contains(page, "parts of it are above your clearance") {
				t.Errorf("hidden round %v: the page of round %s says parts of it are above the lead", hidden, round)
			}
		}
	}
}
