package server_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestReleases_MarkedByWhatTheyHold: a release's marking is that of the
// very pack it was made from. A TOP SECRET officer adds a TOP SECRET
// paragraph to a round and takes it out, again and again, while a lead
// makes releases of it: each release holding the paragraph is marked TOP
// SECRET. The marking was taken from a second assembly, after the release
// was made; the paragraph taken out between the two left a release holding
// it marked RESTRICTED, which a RESTRICTED lead then read (the review that
// found it saw it in 5 runs of 5).
func TestReleases_MarkedByWhatTheyHold(t *testing.T) {
	f := newFixture(t)
	f.addUser("topofficer", "officer", "TOP SECRET")
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Test Dialogue", "home": "New Zealand", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	round := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2018-05-10", "ends_on": "2018-05-11", "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED"})
	sheet := f.create("topofficer", "/api/v1/rounds/"+round+"/sheets", sheetBody("Open", para("Open words.", "RESTRICTED", "")))
	for i := 0; i < 300; i++ {
		f.create("topofficer", "/api/v1/rounds/"+round+"/sheets", sheetBody("Filler "+strings.Repeat("x", i%7+1), para(strings.Repeat("Plain words here. ", 50), "RESTRICTED", "")))
	}
	body := map[string]any{"reference": "OIA-2026-0001", "received_on": "2026-11-01", "request": "The briefing pack.",
		"decision_maker": "Tony Lynch", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			f.update("topofficer", "/api/v1/sheets/"+sheet, func(sh map[string]any) {
				sec := sh["sections"].([]any)[0].(map[string]any)
				ps := sec["paragraphs"].([]any)
				if len(ps) == 1 {
					sec["paragraphs"] = append(ps, para("Kilimanjaro top secret words.", "TOP SECRET", ""))
				} else {
					sec["paragraphs"] = ps[:1]
				}
			})
		}
	}()
	var bad []string
	holding, without := 0, 0
	for i := 0; i < 100 && len(bad) == 0 && (holding < 5 || without < 5); i++ {
		r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/releases", body)
		var made struct{ ID, Marking string }
		r.json(&made)
		if r.Code != 201 {
			t.Fatalf("release: %d %s", r.Code, r.Body.String())
		}
		html := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=html", nil).Body.String()
		if strings.Contains(html, "Kilimanjaro") {
			holding++
		} else {
			without++
		}
		if strings.Contains(html, "Kilimanjaro") && made.Marking != "TOP SECRET" {
			bad = append(bad, made.ID)
			t.Logf("release %d (%s) holds the TOP SECRET paragraph, marked %q", i, made.ID, made.Marking)
		}
	}
	stop.Store(true)
	wg.Wait()
	if len(bad) == 0 {
		if holding == 0 || without == 0 {
			t.Fatalf("%d releases held the paragraph and %d did not: the test proves nothing", holding, without)
		}
		return
	}
	// The round now holds nothing above RESTRICTED.
	f.update("topofficer", "/api/v1/sheets/"+sheet, func(sh map[string]any) {
		sec := sh["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	r := f.do("lowlead", "GET", "/api/v1/releases/"+bad[0]+"?format=html", nil)
	t.Errorf("RESTRICTED lead GET the release: %d, holds TOP SECRET words: %v", r.Code, strings.Contains(r.Body.String(), "Kilimanjaro"))
}
