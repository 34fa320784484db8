package seeds_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The demo's fidelity: every paragraph of a demo sheet names its source.
// "demo" means the demo wrote it, and then its text says so; any other
// source is one of the seed documents, and the paragraph's words outside
// its withheld spans are that document's, word for word. A paragraph quoted
// from the released pack (003) also reads, once redacted, exactly as the
// release prints it.

type seedFile struct {
	Rounds []struct {
		Ref         string `json:"ref"`
		Outcomes    string `json:"outcomes"`
		Purpose     string `json:"purpose"`
		KeyMessages string `json:"key_messages"`
		City        string `json:"city"`
	} `json:"rounds"`
	People []struct {
		Ref  string `json:"ref"`
		Name string `json:"name"`
		Bio  string `json:"bio"`
	} `json:"people"`
	Sheets []struct {
		Ref      string `json:"ref"`
		Sections []struct {
			Kind       string `json:"kind"`
			Paragraphs []struct {
				Source   string `json:"source"`
				Text     string `json:"text"`
				Withhold string `json:"withhold"`
			} `json:"paragraphs"`
		} `json:"sections"`
	} `json:"sheets"`
}

var withheldSpan = regexp.MustCompile(`\{\{([^:{}]+):[^{}]*\}\}`)

// tidy is how a quotation may differ from its source and still be word for
// word: whitespace, typographic apostrophes, a leading bullet, Markdown
// emphasis, the case of the first letter and the final punctuation.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "’", "'")
	s = strings.ReplaceAll(s, "**", "")
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimPrefix(s, "- ")
	s = strings.TrimPrefix(s, "• ")
	return strings.Trim(s, " .;")
}

func containsQuote(source, quote string) bool {
	if strings.Contains(source, quote) {
		return true
	}
	r, n := utf8.DecodeRuneInString(quote)
	if unicode.IsUpper(r) {
		return strings.Contains(source, string(unicode.ToLower(r))+quote[n:])
	}
	return strings.Contains(source, string(unicode.ToUpper(r))+quote[n:])
}

// quoted reports how text is not the words of source (tidied).
func quoted(source, text, name string) error {
	for _, part := range withheldSpan.Split(text, -1) {
		if q := tidy(part); q != "" && !containsQuote(source, q) {
			return fmt.Errorf("%q is not in %s word for word", q, name)
		}
	}
	if name == "003" {
		released := tidy(withheldSpan.ReplaceAllStringFunc(text, func(m string) string {
			return strings.ToUpper(withheldSpan.FindStringSubmatch(m)[1][:1]) + withheldSpan.FindStringSubmatch(m)[1][1:]
		}))
		// The whole of one of 003's paragraphs or list items, no more.
		whole := regexp.MustCompile(`>(• )?` + regexp.QuoteMeta(released) + `[.;]?</`)
		if !whole.MatchString(source) {
			return fmt.Errorf("redacted, %q does not read as 003 prints one of its paragraphs", released)
		}
	}
	return nil
}

func readSeedFile(t *testing.T, j string) seedFile {
	t.Helper()
	raw, err := os.ReadFile("data/" + j + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var f seedFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDemoFidelity(t *testing.T) {
	sources := map[string]string{}
	for _, s := range []string{"000", "001", "002", "003", "004"} {
		sources[s] = strings.ReplaceAll(seedText(t, s), "’", "'")
	}
	saysDemo := func(s string) bool { return strings.Contains(strings.ToLower(s), "demo") }
	for _, j := range []string{"nz", "au"} {
		f := readSeedFile(t, j)
		quotes, own := 0, 0
		for _, sh := range f.Sheets {
			for si, sec := range sh.Sections {
				for pi, p := range sec.Paragraphs {
					where := fmt.Sprintf("%s: sheet %s, section %d (%s), paragraph %d", j, sh.Ref, si, sec.Kind, pi)
					switch src, ok := sources[p.Source]; {
					case p.Source == "demo":
						own++
						if !saysDemo(p.Text) {
							t.Errorf("%s is the demo's own and does not say so: %q", where, p.Text)
						}
						for _, m := range withheldSpan.FindAllString(p.Text, -1) {
							if !saysDemo(m) {
								t.Errorf("%s: a withheld span that is not a marked stand-in: %q", where, m)
							}
						}
					case !ok:
						t.Errorf("%s names no source (want one of the seeds, or \"demo\")", where)
					default:
						quotes++
						if err := quoted(src, p.Text, p.Source); err != nil {
							t.Errorf("%s: %v", where, err)
						}
						// What stands in for a withheld passage says it is the demo's.
						for _, m := range withheldSpan.FindAllString(p.Text, -1) {
							if !saysDemo(m) {
								t.Errorf("%s: a withheld span that is not a marked stand-in: %q", where, m)
							}
						}
					}
				}
			}
		}
		if quotes == 0 || own == 0 {
			t.Errorf("%s: %d quoted and %d own paragraphs: the test reads nothing", j, quotes, own)
		}
		// Round records and people: what is not in a seed says it is the demo's.
		for _, r := range f.Rounds {
			for field, text := range map[string]string{"outcomes": r.Outcomes, "purpose": r.Purpose, "key messages": r.KeyMessages} {
				if text == "" || saysDemo(text) {
					continue
				}
				for _, para := range strings.Split(text, "\n\n") {
					if !inAnySource(sources, para) {
						t.Errorf("%s: round %s's %s are neither a seed's words nor marked as the demo's: %q", j, r.Ref, field, para)
					}
				}
			}
		}
		for _, p := range f.People {
			if !saysDemo(p.Name) && !inAnySource(sources, p.Name) && !inAnySource(sources, strings.TrimPrefix(strings.TrimPrefix(p.Name, "His Excellency "), "Mr ")) {
				t.Errorf("%s: person %s (%q) is in no seed and not marked as the demo's", j, p.Ref, p.Name)
			}
		}
	}
}

func inAnySource(sources map[string]string, text string) bool {
	q := tidy(text)
	for _, s := range sources {
		if containsQuote(s, q) {
			return true
		}
	}
	return false
}

// TestDemoFidelity_FailsOnAChangedWord: the comparison is strict enough to
// catch one word changed, a paraphrase, or a redaction that reads otherwise.
func TestDemoFidelity_FailsOnAChangedWord(t *testing.T) {
	s003, s002 := strings.ReplaceAll(seedText(t, "003"), "’", "'"), seedText(t, "002")
	ok := "- Working with like-minded-countries on WTO reform issues {{s6(a): stand-in}} {{s6(a): another}}"
	if err := quoted(s003, ok, "003"); err != nil {
		t.Fatalf("a faithful quotation refused: %v", err)
	}
	for _, bad := range []string{
		"- Working with like-minded countries on WTO reform issues {{s6(a): stand-in}} {{s6(a): another}}",
		"- Working with like-minded-countries on WTO reform issues {{s6(a): stand-in}}",
		"- Working with like-minded-countries on WTO reform {{s6(a): stand-in}} {{s6(a): another}}",
	} {
		if quoted(s003, bad, "003") == nil {
			t.Errorf("%q passed as 003's words", bad)
		}
	}
	if quoted(s002, "- Support for the **Budapest Convention** as a best practice model for legislative responses to cybercrime.", "002") == nil {
		t.Error("a paraphrase of 002 passed as its words")
	}
}
