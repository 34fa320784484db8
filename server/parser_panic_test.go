package server_test

import (
	"strings"
	"testing"
)

// TestSave_TextTheParserPanicsOn: blackfriday v2.1.0 panics on the nine
// bytes "a\n: b\n\nc\n d" (a definition list); a save holding them, the
// sheet's page and the packs answered 500. They are read without
// definition lists.
func TestSave_TextTheParserPanicsOn(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Glossary", para("a\n: b\n\nc\n d", "RESTRICTED", "")))
	for _, path := range []string{"/sheets/" + id, "/sheets/" + id + "/edit", "/api/v1/rounds/" + w.round + "/pack?format=html",
		"/api/v1/rounds/" + w.round + "/pack?format=xlsx", "/api/v1/rounds/" + w.round + "/pack?format=html&edition=release"} {
		if r := f.do("lead", "GET", path, nil); r.Code != 200 {
			t.Errorf("%s: %d %s", path, r.Code, r.Body.String()[:min(200, r.Body.Len())])
		} else if strings.HasSuffix(path, "format=html") && !strings.Contains(r.Body.String(), "<p>c\nd</p>") && !strings.Contains(r.Body.String(), "c\n d") {
			t.Errorf("%s does not show the paragraph's last words", path)
		}
	}
}
