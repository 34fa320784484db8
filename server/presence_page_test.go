package server_test

import (
	"strings"
	"testing"
)

// TestEditor_PresenceSaysItsTimeZone: the editor's note of who else has
// the sheet open gives the time they were seen in UTC and says so, as
// every other time on the pages does (and as the note the script asks
// for again each minute does). Before, the page said "seen 09:00".
func TestEditor_PresenceSaysItsTimeZone(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	if r := f.do("lead", "POST", "/api/v1/sheets/"+w.sheet+"/presence", nil); r.Code != 200 {
		t.Fatalf("presence: %d %s", r.Code, r.Body.String())
	}
	page := f.pageBrowser("officer").open("/sheets/" + w.sheet + "/edit")
	if !strings.Contains(page, "Also open by lead (seen 09:00 UTC)") {
		i := strings.Index(page, `id="presence"`)
		t.Errorf("the presence note: %.200s", page[max(i, 0):])
	}
}
