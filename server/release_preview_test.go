package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// releaseForm posts the round page's "Respond to a request" form as lead.
func releaseForm(f *fixture, round, op string, form url.Values) response {
	v := url.Values{"op": {op}}
	for k, x := range form {
		v[k] = x
	}
	return f.do("lead", "POST", "/rounds/"+round+"/releases", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// TestReleaseForm_MistypedGroundKept: a part's grounds refused are shown
// again as typed, beside the message, so the lead corrects them; the box
// came back empty, the ground dropped as unknown.
func TestReleaseForm_MistypedGroundKept(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	form := url.Values{"reference": {"OIA-X"}, "received_on": {"2026-11-01"}, "request": {"All briefing."},
		"decision_maker": {"Tony Lynch"}, "part_agenda": {"released_in_part"}, "grounds_agenda": {"s99(q)"},
		"part_actions": {"withheld"}, "grounds_actions": {"s6(a), s7(z)"}}
	for _, op := range []string{"preview", "make"} {
		r := releaseForm(f, w.round, op, form)
		body := r.Body.String()
		if r.Code != 422 || !strings.Contains(body, "must be one of") {
			t.Fatalf("%s: %d", op, r.Code)
		}
		for _, want := range []string{`name="grounds_agenda" value="s99(q)"`, `name="grounds_actions" value="s6(a), s7(z)"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form lacks %s", op, want)
			}
		}
	}
}
