package server_test

import (
	"strings"
	"testing"
)

// TestPages_ProseShowsWithheldSpansAsThePack: a person's biography and a
// round's purpose, key messages and outcomes, Markdown that may hold a
// withheld span, are shown on their pages as the pack's full edition
// shows them: the span's words highlighted and labelled with its ground,
// never its {{ground: words}} markup. Before, the person's page showed
// "{{s6(a): liaison to the zanzibar desk}}" as typed.
func TestPages_ProseShowsWithheldSpansAsThePack(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("secretariat", "/api/v1/people/"+w.person, func(p map[string]any) {
		p["bio"] = "Leads the **National Security Group**, {{s6(a): liaison to the zanzibar desk}}."
	})
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["purpose"] = "Agree {{s6(a): the zanzibar purpose}}."
		r["key_messages"] = "Say {{s6(a): the zanzibar message}}."
		r["outcomes"] = "Agreed {{s6(a): the zanzibar outcome}}."
	})
	b := f.pageBrowser("secretariat")
	for path, words := range map[string][]string{
		"/people/" + w.person: {"liaison to the zanzibar desk"},
		"/rounds/" + w.round:  {"the zanzibar purpose", "the zanzibar message", "the zanzibar outcome"},
	} {
		page := b.open(path)
		// The forms that edit them hold the text as typed.
		if shown := textareaTag.ReplaceAllString(page, ""); strings.Contains(shown, "{{s6(a):") {
			t.Errorf("%s shows a withheld span's markup", path)
		}
		for _, w := range words {
			if !strings.Contains(page, `<mark class="withheld"><span class="ground">[s6(a)]</span> `+w+`</mark>`) {
				t.Errorf("%s does not show %q highlighted and labelled as the pack does", path, w)
			}
		}
	}
}
