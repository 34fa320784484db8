package htmlpack_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// TestRender_ActionsAndOutcomesMarked: in the full edition each open action
// is portion-marked as a paragraph is, and the last round's outcomes carry
// that round's marking; SECRET and TOP SECRET actions sat unmarked among
// RESTRICTED ones. The release edition carries no marking of either.
func TestRender_ActionsAndOutcomesMarked(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	for i, m := range []string{"RESTRICTED", "SECRET", "TOP SECRET"} {
		p.Actions[i].Action.Marking = m
	}
	p.Previous.Marking = "CONFIDENTIAL"
	p.Marking = "TOP SECRET"
	out := render(t, p)
	for i, pm := range []string{"(R)", "(S)", "(TS)"} {
		want := `<td>` + p.Actions[i].Action.Ref + `</td><td><span class="pm">` + pm + `</span> `
		if !strings.Contains(out, want) {
			t.Errorf("action %s is not marked %s", p.Actions[i].Action.Ref, pm)
		}
	}
	outcomes := out[strings.Index(out, `id="outcomes"`):]
	if !strings.Contains(outcomes, `<p><span class="pm">(C)</span> Both sides agreed to <strong>deepen</strong>`) {
		t.Errorf("the last round's outcomes are not marked (C):\n%s", outcomes[:min(len(outcomes), 300)])
	}

	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	out = render(t, rel)
	if strings.Contains(out, `class="pm"`) {
		t.Error("the release edition carries a portion mark")
	}
	for _, m := range []string{"(R)", "(S)", "(TS)", "(C)", "SECRET", "RESTRICTED", "CONFIDENTIAL"} {
		if strings.Contains(out, m) {
			t.Errorf("the release edition carries %s", m)
		}
	}
}
