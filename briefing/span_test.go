package briefing_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
)

func mustSettings(t testing.TB, j string) briefing.Settings {
	t.Helper()
	s, err := briefing.SettingsFor(j)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSettings_ParseSpans(t *testing.T) {
	nz := mustSettings(t, "nz")
	t.Run("OK", func(t *testing.T) {
		segs, err := nz.ParseSpans("We are aware of activity {{S6(a): in the north}}, but {{s9(2)(g)(i):free and frank}}.")
		if err != nil {
			t.Fatal(err)
		}
		want := []briefing.Segment{{Text: "We are aware of activity "}, {Text: "in the north", Ground: "s6(a)"},
			{Text: ", but "}, {Text: "free and frank", Ground: "s9(2)(g)(i)"}, {Text: "."}}
		if len(segs) != len(want) {
			t.Fatalf("got %+v", segs)
		}
		for i := range want {
			if segs[i] != want[i] {
				t.Fatalf("segment %d: got %+v, want %+v", i, segs[i], want[i])
			}
		}
	})
	t.Run("Adjacent", func(t *testing.T) {
		red, grounds, err := nz.Redact("{{s6(a): a}}{{s6(c): b}}")
		if err != nil || red != "s6(a)s6(c)" || len(grounds) != 2 {
			t.Fatalf("%q %v %v", red, grounds, err)
		}
	})
	for name, text := range map[string]string{
		"ErrUnterminated": "open {{s6(a): never closed",
		"ErrNested":       "a {{s6(a): b {{s6(a): c}} d}}",
		"ErrEmpty":        "a {{s6(a):  }} b",
		"ErrNoGround":     "a {{just words}} b",
		"ErrUnknown":      "a {{s7: words}} b",
		"ErrOtherAct":     "a {{s47E: words}} b",
		"ErrStrayClose":   "a }} b",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := nz.ParseSpans(text)
			if briefing.ErrorCode(err) != briefing.EINVALID || briefing.ErrorMessage(err) == "" {
				t.Fatalf("%q: %v", text, err)
			}
			if _, _, err := nz.Redact(text); err == nil {
				t.Fatalf("Redact passed %q through", text)
			}
		})
	}
}

// FuzzParseSpans checks the parser never panics, and that whatever it
// accepts redacts to text holding none of the withheld words' own runs.
func FuzzParseSpans(f *testing.F) {
	nz := mustSettings(f, "nz")
	for _, s := range []string{"", "plain", "a {{s6(a): b}} c", "{{s6(a): x}}{{s6(c): y}}", "{{", "}}", "{{s6(a):}}", "*{{s6(a): **b**}}*", "[a {{s6(a): b}}](http://x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		segs, err := nz.ParseSpans(text)
		if err != nil {
			if briefing.ErrorCode(err) != briefing.EINVALID {
				t.Fatalf("error code %q", briefing.ErrorCode(err))
			}
			return
		}
		var plain, red strings.Builder
		for _, sg := range segs {
			if sg.Ground != "" && (strings.TrimSpace(sg.Text) == "" || !nz.ValidGround(sg.Ground)) {
				t.Fatalf("accepted span %+v", sg)
			}
			plain.WriteString(sg.Text)
			if sg.Ground == "" {
				red.WriteString(sg.Text)
			} else {
				red.WriteString(sg.Ground)
			}
		}
		got, _, err := nz.Redact(text)
		if err != nil {
			t.Fatalf("Redact(%q): %v", text, err)
		}
		if !strings.Contains(text, "](") && got != red.String() {
			t.Fatalf("Redact(%q) = %q; want %q", text, got, red.String())
		}
		// A link whose destination or title holds a span is released as its
		// label alone, so with a link the redacted text is not simply the
		// segments joined: it must still hold no withheld run the kept text
		// does not hold too.
		for _, sg := range segs {
			w := strings.TrimSpace(sg.Text)
			if sg.Ground != "" && len(w) >= 3 && strings.Contains(got, w) && !strings.Contains(red.String(), w) {
				t.Fatalf("Redact(%q) = %q keeps withheld %q", text, got, w)
			}
		}
		if strings.Contains(got, "{{") || strings.Contains(got, "}}") {
			t.Fatalf("redacted text keeps span syntax: %q", got)
		}
	})
}
