package server_test

import (
	"fmt"
	"strings"
	"sync"
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

// TestNextRound_ProposedOnce: the next round proposed twice at once (a
// button pressed twice, two of the secretariat) is stored once; the other
// is told it was proposed meanwhile (409). A round above the proposer
// does not refuse theirs, so the refusal never tells of a hidden round;
// renumbering a round to a number another they see has is refused too.
func TestNextRound_ProposedOnce(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Twice Dialogue", "home": "New Zealand", "partner": "France", "established": "2016-10-01", "cadence_months": 12})
	first := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2025-01-15", "host": "home", "status": "held"})
	// Two at once: whichever order they run in, no number is stored twice.
	// Run together, the second is refused as proposed meanwhile; run one
	// after the other (a busy machine), the second proposes the round
	// after the first's. The store's test races eight writers on one
	// number (TestCreateRound_NumberOnce).
	codes := make(chan int, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil)
			if r.Code == 409 && !strings.Contains(r.Body.String(), "The 2nd round was proposed meanwhile") {
				t.Errorf("409 %s", r.Body.String())
			}
			codes <- r.Code
		}()
	}
	wg.Wait()
	close(codes)
	made := 0
	for c := range codes {
		switch c {
		case 201:
			made++
		case 409:
		default:
			t.Fatalf("next round: %d", c)
		}
	}
	var l struct{ Items []struct{ Number int } }
	f.do("secretariat", "GET", "/api/v1/dialogues/"+d+"/rounds", nil).json(&l)
	numbers := map[int]bool{}
	for _, r := range l.Items {
		if numbers[r.Number] {
			t.Fatalf("round %d stored twice: %+v", r.Number, l.Items)
		}
		numbers[r.Number] = true
	}
	if made == 0 || len(l.Items) != 1+made {
		t.Fatalf("%d proposals made, %d rounds", made, len(l.Items))
	}
	hidden := 2 + made // the number the secretariat's next round takes

	// A TOP SECRET round of that number, above the secretariat (SECRET):
	// their next round takes it as they see it, and is made.
	f.create("admin", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": hidden, "host": "home", "status": "proposed", "marking": "TOP SECRET"})
	if r := f.do("secretariat", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil); r.Code != 201 {
		t.Fatalf("next round beside a hidden one: %d %s", r.Code, r.Body.String())
	}
	// The admin sees both, and a third of that number is refused them.
	if r := f.do("admin", "POST", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": hidden, "host": "home", "status": "proposed"}); r.Code != 409 || !strings.Contains(r.Body.String(), fmt.Sprintf("already has a round %d", hidden)) {
		t.Fatalf("a third round %d: %d %s", hidden, r.Code, r.Body.String())
	}
	// Renumbering round 1 to 2 is refused, and nothing is written.
	r := f.do("secretariat", "GET", "/api/v1/rounds/"+first, nil)
	var round map[string]any
	r.json(&round)
	round["number"] = 2
	if w := f.do("secretariat", "PUT", "/api/v1/rounds/"+first, round, "If-Match", r.Header().Get("ETag")); w.Code != 409 {
		t.Fatalf("renumbered to a taken number: %d %s", w.Code, w.Body.String())
	}
	if w := f.do("secretariat", "GET", "/api/v1/rounds/"+first, nil); w.Header().Get("ETag") != r.Header().Get("ETag") {
		t.Fatal("the refused renumbering wrote a version")
	}
}
