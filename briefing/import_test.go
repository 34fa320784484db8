package briefing_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestFromCellText_EscapedSpan: withheld words as a cell shows them
// (EscapeSpan) read back as themselves, whatever brackets and backslashes
// they hold, and the span ends where the cell's ends: no word of it is read
// as text that would be released.
func TestFromCellText_EscapedSpan(t *testing.T) {
	nz := mustSettings(t, "nz")
	for cell, want := range map[string]string{
		`[s6(a): words] after`:                     "{{s6(a): words}} after",
		`[s6(a): [stand-in\] words] after`:         "{{s6(a): [stand-in] words}} after",
		`[s6(a): a \\ b] after`:                    `{{s6(a): a \ b}} after`,
		`[s6(a): a \n b] after`:                    `{{s6(a): a \n b}} after`,
		`[s6(a): ends in a backslash\\]`:           `{{s6(a): ends in a backslash\}}`,
		`[s6(a): \]] and [s9(2)(a): second] plain`: "{{s6(a): ]}} and {{s9(2)(a): second}} plain",
		`[s6(a): never closed\]`:                   `[s6(a): never closed\]`,
		`[not a ground: words]`:                    `[not a ground: words]`,
	} {
		if got := briefing.FromCellText(nz, cell); got != want {
			t.Errorf("%q: %q, want %q", cell, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "word", " ", "[", "]", `\`, `\]`, `\\`, ":", "s6(a)", "]]"}
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		words := strings.TrimSpace(b.String())
		if words == "" {
			continue
		}
		cell := "Before [s6(a): " + briefing.EscapeSpan(words) + "] after."
		if got, want := briefing.FromCellText(nz, cell), "Before {{s6(a): "+words+"}} after."; got != want {
			t.Fatalf("%q: %q, want %q", cell, got, want)
		}
	}
}
