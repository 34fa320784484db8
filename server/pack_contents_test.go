package server_test

import (
	"regexp"
	"testing"
)

// TestPack_ContentsNameThePartsAsHeaded: each entry of the HTML pack's
// contents reads as the heading of the part it leads to, in both
// editions, a timed agenda included. Before, the contents said "Agenda"
// of a part headed "Programme" once its items had times; the design's word
// is agenda.
func TestPack_ContentsNameThePartsAsHeaded(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("lead", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["agenda"] = []map[string]any{{"title": "Opening remarks", "starts_at": "09:00", "ends_at": "09:30", "session": "Session one"}}
	})
	entry := regexp.MustCompile(`<li><a href="#([a-z-]+)">([^<]*)</a></li>`)
	for _, edition := range []string{"full", "release"} {
		r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition="+edition, nil)
		if r.Code != 200 {
			t.Fatalf("%s pack: %d", edition, r.Code)
		}
		pack := r.Body.String()
		found := false
		for _, m := range entry.FindAllStringSubmatch(pack, -1) {
			h := regexp.MustCompile(`<section class="part" id="` + regexp.QuoteMeta(m[1]) + `">\s*<h2>([^<]*)`).FindStringSubmatch(pack)
			if h == nil {
				continue // a sheet's part, headed by its table
			}
			if m[1] == "agenda" {
				found = true
			}
			if h[1] != m[2] {
				t.Errorf("%s edition: the contents say %q of the part headed %q", edition, m[2], h[1])
			}
		}
		if !found {
			t.Errorf("%s edition: no agenda in the contents", edition)
		}
	}
}
