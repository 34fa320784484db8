package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestClearance_DeleteNamesOnlySeenDependents: a refused delete names only
// the kinds of dependents the deleter sees, whatever the store finds first,
// so a round or dialogue with a hidden dependent beside one they see is
// answered exactly as one with only the dependent they see.
func TestClearance_DeleteNamesOnlySeenDependents(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	dialogue := func(partner string) string {
		return f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": partner + "–New Zealand Dialogue", "home": "New Zealand", "partner": partner, "established": "2019-03-01", "cadence_months": 12})
	}
	round := func(d, marking string) string {
		return f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2027-03-01", "city": "Suva", "host": "partner", "marking": marking})
	}
	// refusal answers a delete by lowsec, the object's id written as ID.
	refusal := func(path, id string) string {
		r := f.do("lowsec", "DELETE", path+id, nil, "If-Match", `"1"`)
		return fmt.Sprintf("%d %s", r.Code, strings.ReplaceAll(r.Body.String(), id, "ID"))
	}

	t.Run("Round", func(t *testing.T) {
		d := dialogue("Tonga")
		both, only := round(d, "RESTRICTED"), round(d, "RESTRICTED")
		f.create("officer", "/api/v1/rounds/"+both+"/sheets", sheetBody("Zanzibar Fisheries", para("Only secret zanzibar words.", "SECRET", "")))
		for _, id := range []string{both, only} {
			if r := f.do("lowlead", "POST", "/api/v1/rounds/"+id+"/packs", map[string]any{"force": true}); r.Code != 201 {
				t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
			}
		}
		got, want := refusal("/api/v1/rounds/", both), refusal("/api/v1/rounds/", only)
		if got != want || !strings.Contains(want, "still has snapshots") {
			t.Errorf("a round with a hidden sheet and a snapshot:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("Dialogue", func(t *testing.T) {
		both, only := dialogue("Niue"), dialogue("Nauru")
		round(both, "SECRET")
		for _, d := range []string{both, only} {
			f.create("secretariat", "/api/v1/dialogues/"+d+"/actions", map[string]any{"ref": "1.01", "text": "Agree a fisheries plan", "marking": "RESTRICTED"})
		}
		got, want := refusal("/api/v1/dialogues/", both), refusal("/api/v1/dialogues/", only)
		if got != want || !strings.Contains(want, "still has actions") {
			t.Errorf("a dialogue with a hidden round and an action:\n got %s\nwant %s", got, want)
		}
	})
}
