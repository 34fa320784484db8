package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestReleaseForm_LeadWhoDoesNotSeeTheWholeRound: the release form sent by
// a lead who does not see the whole round (a paragraph raised above them
// after their page was sent) is refused, 403, on the round's page, saying
// why; with a field left out it was a 500, the page having no release form
// to show again.
func TestReleaseForm_LeadWhoDoesNotSeeTheWholeRound(t *testing.T) {
	f := newFixture(t)
	w := f.world() // the round holds a SECRET paragraph: lowlead (RESTRICTED) sees part of it
	b := f.pageBrowser("lowlead")
	b.open("/rounds/" + w.round)
	for _, op := range []string{"preview", "make"} {
		for _, ref := range []string{"", "OIA-2026-001"} {
			form := url.Values{"csrf_token": {b.csrf}, "op": {op}, "reference": {ref}, "received_on": {"2026-11-01"},
				"request": {"All briefing on the 3rd round."}, "decision_maker": {"A. Person"}, "decision_maker_title": {"Director"}}
			rec := b.send("POST", "/rounds/"+w.round+"/releases", form)
			if rec.Code != 403 || !strings.Contains(rec.Body.String(), "sees the whole round") {
				t.Errorf("op %s, reference %q: %d", op, ref, rec.Code)
			}
		}
	}
	var rels struct{ Items []any }
	f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/releases", nil).json(&rels)
	if len(rels.Items) != 0 {
		t.Errorf("%d releases made", len(rels.Items))
	}
}
