package server_test

import (
	"fmt"
	"html"
	"net/url"
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

// TestNextRound_CityAndMarking: the next round meets where its host last
// met, a cancelled round (which never met) not counted, and holds nothing
// yet, so it has a new round's default marking, not the last round's:
// proposed after a TOP SECRET round, it was marked TOP SECRET and hidden
// from the SECRET secretariat who must confirm it, and sent to the city of
// a cancelled round.
func TestNextRound_CityAndMarking(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Singapore Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2019-03-04", "city": "Wellington", "host": "home", "status": "held", "marking": "RESTRICTED"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2020-03-09", "city": "Singapore", "host": "partner", "status": "held", "marking": "RESTRICTED"})
	f.create("admin", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 3, "starts_on": "2021-03-08", "city": "Auckland", "host": "home", "status": "held", "marking": "TOP SECRET"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 4, "starts_on": "2022-03-08", "city": "Sentosa", "host": "partner", "status": "cancelled", "marking": "RESTRICTED"})
	r := f.do("admin", "POST", "/api/v1/dialogues/"+d+"/rounds/next", nil)
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var next struct {
		ID, City, Host, Marking string
		Number                  int
	}
	r.json(&next)
	if next.Number != 5 || next.Host != "partner" || next.City != "Singapore" || next.Marking != "UNCLASSIFIED" {
		t.Fatalf("proposed %+v, want the 5th round in Singapore, UNCLASSIFIED", next)
	}
	if g := f.do("secretariat", "GET", "/api/v1/rounds/"+next.ID, nil); g.Code != 200 {
		t.Fatalf("the secretariat cannot see the proposed round: %d", g.Code)
	}
}

// TestNextRound_FirstRoundSaysSo: the first round of a dialogue counts its
// cadence from the dialogue's establishment and has no city to meet in
// yet, and what the page and the API say of it says so: before, the page
// said it was proposed "in ." and the note that it fell due "12 months
// after the last", of a dialogue that had no round.
func TestNextRound_FirstRoundSaysSo(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Fiji Dialogue", "home": "New Zealand", "partner": "Fiji", "established": "2019-05-02", "cadence_months": 12})
	b := f.pageBrowser("secretariat")
	r := b.send("POST", "/dialogues/"+d+"/next", url.Values{"csrf_token": {b.csrf}})
	if r.Code != 303 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	msg := html.UnescapeString(flashOf(b.open(r.Header().Get("Location"))))
	if !strings.HasPrefix(msg, "Proposed the 1st round") || strings.Contains(msg, " in .") || strings.Contains(msg, "after the last") ||
		!strings.Contains(msg, "12 months after the dialogue was established on 2 May 2019") {
		t.Errorf("the page says %q", msg)
	}
	// Its second round, hosted by the partner that has never hosted, has no city either.
	r = b.send("POST", "/dialogues/"+d+"/next", url.Values{"csrf_token": {b.csrf}})
	if msg := html.UnescapeString(flashOf(b.open(r.Header().Get("Location")))); !strings.HasPrefix(msg, "Proposed the 2nd round") || strings.Contains(msg, " in .") {
		t.Errorf("the page says %q", msg)
	}
	// A third, at home again, meets in the city of the first once it has one.
	var l struct{ Items []struct{ ID string } }
	f.do("secretariat", "GET", "/api/v1/dialogues/"+d+"/rounds", nil).json(&l)
	var first map[string]any
	g := f.do("secretariat", "GET", "/api/v1/rounds/"+l.Items[0].ID, nil)
	g.json(&first)
	first["city"] = "Wellington"
	if p := f.do("secretariat", "PUT", "/api/v1/rounds/"+l.Items[0].ID, first, "If-Match", g.Header().Get("ETag")); p.Code != 200 {
		t.Fatalf("%d %s", p.Code, p.Body.String())
	}
	r = b.send("POST", "/dialogues/"+d+"/next", url.Values{"csrf_token": {b.csrf}})
	if msg := html.UnescapeString(flashOf(b.open(r.Header().Get("Location")))); !strings.HasPrefix(msg, "Proposed the 3rd round: 2 May 2029 in Wellington.") {
		t.Errorf("the page says %q", msg)
	}
}
