package seeds_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/seeds"
)

// released is a sheet's words as its release edition reads them, section
// by section: a paragraph withheld in full is its ground, a withheld span
// its ground inline; list marks are left out.
func released(t *testing.T, s briefing.Settings, sh *briefing.Sheet, home, partner string) []string {
	t.Helper()
	var out []string
	for _, sec := range sh.Sections {
		h := sec.Heading
		if h == "" {
			h = briefing.DefaultHeading(sec.Kind, home, partner)
		}
		out = append(out, "## "+h)
		for _, p := range sec.Paragraphs {
			if p.Withhold != "" {
				out = append(out, p.Withhold)
				continue
			}
			red, _, err := s.Redact(p.Text)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimPrefix(red, "- "))
		}
	}
	return out
}

// TestParseBrief_003 brings in the text of each topic sheet of the released
// 2018 pack (003) and finds the words the demo's sheet of that title
// releases: the same sections, paragraphs, withheld paragraphs and spans.
func TestParseBrief_003(t *testing.T) {
	raw, err := os.ReadFile("testdata/sources/003_a7d3d719d61451e4.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Each sheet starts with its title line: a title and a tab, no heading.
	blocks := map[string]string{}
	var title string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasSuffix(line, "\t") && !strings.Contains(line, "<") {
			title = strings.TrimSpace(line)
		}
		if title != "" {
			blocks[title] += line + "\n"
		}
	}
	ctx := context.Background()
	db := open(t, "nz")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	d, _, sheets := allSheets(t, db)
	found := 0
	for _, list := range sheets {
		for _, sh := range list {
			text, ok := blocks[sh.Title]
			if !ok {
				continue
			}
			found++
			got, _, err := s.ParseBrief(text, "", "RESTRICTED")
			if err != nil {
				t.Fatalf("%s: %v", sh.Title, err)
			}
			if got.Title != sh.Title {
				t.Errorf("title %q, want %q", got.Title, sh.Title)
			}
			if err := got.Validate(s); err != nil {
				t.Fatalf("%s: %v", sh.Title, err)
			}
			g, w := released(t, s, got, d.Home, d.Partner), released(t, s, sh, d.Home, d.Partner)
			if strings.Join(g, "\n") != strings.Join(w, "\n") {
				for i := 0; i < len(g) || i < len(w); i++ {
					var a, b string
					if i < len(g) {
						a = g[i]
					}
					if i < len(w) {
						b = w[i]
					}
					if a != b {
						t.Errorf("%s, line %d:\n from text %q\n demo      %q", sh.Title, i, a, b)
					}
				}
			}
		}
	}
	if found != 4 {
		t.Fatalf("%d of the demo's sheets are in 003, want 4 (%d blocks)", found, len(blocks))
	}
}
