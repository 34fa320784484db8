package server_test

import (
	"strings"
	"testing"
)

// TestPages_StatusChoicesAreLabelled: the forms that choose a status (an
// action's, added on the dialogue's page; a round's, added there or
// edited on the round's page) show each as people write it, "Not
// started", as the lists beside them do, and send its code. Before, the
// form adding an action offered "not_started" and "on_track".
func TestPages_StatusChoicesAreLabelled(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("secretariat")
	for path, want := range map[string][]string{
		"/dialogues/" + w.dialogue: {`<option value="not_started">Not started</option>`, `<option value="dropped">Dropped</option>`,
			`<option value="proposed">Proposed</option>`},
		"/rounds/" + w.round: {`<option value="scheduled" selected>Scheduled</option>`},
	} {
		page := b.open(path)
		for _, o := range want {
			if !strings.Contains(page, o) {
				t.Errorf("%s lacks %s", path, o)
			}
		}
		for _, raw := range []string{">not_started<", ">on_track<", ">at_risk<"} {
			if strings.Contains(page, raw) {
				t.Errorf("%s shows a status as its code, %s", path, raw)
			}
		}
	}
}
