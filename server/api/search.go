package api

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// SearchHit is one search result.
type SearchHit struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
	// Marking is the marking of what was found, so a page listing hits
	// is marked as the highest of them.
	Marking string `json:"marking"`
}

// maxHits bounds one search's results.
const maxHits = 50

// registerSearchRoutes registers GET /api/v1/search.
func (s *API) registerSearchRoutes() {
	// GET /api/v1/search?q=words
	s.route(http.MethodGet, api+"/search", briefing.RoleViewer, s.handleSearch)
}

func (s *API) handleSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" || utf8.RuneCountInString(q) > 200 {
		return &briefing.Error{Code: codeBadRequest, Message: "q must hold 1 to 200 characters of words to search for",
			Fields: map[string]string{"q": "must hold 1 to 200 characters"}}
	}
	hits, err := s.Search(s.view(c), q)
	if err != nil {
		return err
	}
	return list(c, hits, "")
}

// Search finds every word of q, in any case, in what the reader may see of
// dialogues, rounds, topic sheets and people. It reads only through the
// view, so nothing above the reader can match or appear in a snippet.
func (s *API) Search(v *view, q string) ([]SearchHit, error) {
	words := strings.Fields(strings.ToLower(q))
	var hits []SearchHit
	add := func(kind, id, marking, title string, texts ...string) bool {
		all := strings.ToLower(title + "\n" + strings.Join(texts, "\n"))
		for _, w := range words {
			if !strings.Contains(all, w) {
				return len(hits) < maxHits
			}
		}
		plain := make([]string, 0, len(texts)+1)
		for _, t := range append([]string{title}, texts...) {
			plain = append(plain, plainText(v.Set, t))
		}
		hits = append(hits, SearchHit{Kind: kind, ID: id, Title: title, Snippet: snippet(plain, words[0]), Marking: marking})
		return len(hits) < maxHits
	}
	err := eachPage(func(p briefing.Page) ([]*briefing.Dialogue, string, error) { return v.Dialogues(v.Ctx, p) },
		func(d *briefing.Dialogue) (bool, error) {
			if !add(briefing.KindDialogue, d.ID, v.Set.Lowest(), d.Name, d.Partner, d.Origin, d.Notes) {
				return false, nil
			}
			more := true
			err := eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
				func(r *briefing.Round) (bool, error) {
					title := d.Name + " – round " + itoa(r.Number)
					if more = add(briefing.KindRound, r.ID, r.Marking, title, r.City, r.StartsOn, r.Outcomes); !more {
						return false, nil
					}
					return more, eachPage(func(p briefing.Page) ([]*briefing.Sheet, string, error) { return v.SheetsPage(r.ID, p) },
						func(sh *briefing.Sheet) (bool, error) {
							more = add(briefing.KindSheet, sh.ID, sh.Marking, sh.Title, s.sheetText(sh)...)
							return more, nil
						})
				})
			return more, err
		})
	if err != nil {
		return nil, err
	}
	if len(hits) < maxHits {
		err = eachPage(func(p briefing.Page) ([]*briefing.Person, string, error) { return v.PeoplePage(p) },
			func(p *briefing.Person) (bool, error) {
				return add(briefing.KindPerson, p.ID, p.Marking, p.Name, p.Title, p.Country, p.Bio), nil
			})
	}
	return hits, err
}

// sheetText is a sheet's searchable text: headings and paragraphs, spans written out.
func (s *API) sheetText(sh *briefing.Sheet) []string {
	var out []string
	for _, sec := range sh.Sections {
		out = append(out, sec.Heading)
		for _, p := range sec.Paragraphs {
			out = append(out, s.settings.Plain(p.Text))
		}
	}
	return out
}

// snippet returns about 160 characters around the first text holding word.
// plainText is Markdown as a reader reads it: withheld spans as their
// words, without emphasis, list or link marks.
func plainText(set briefing.Settings, t string) string {
	t = set.Plain(t)
	t = mdLink.ReplaceAllString(t, "$1")
	t = mdListMark.ReplaceAllString(t, "")
	return mdEmphasis.Replace(t)
}

var (
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdListMark = regexp.MustCompile(`(?m)^\s*(?:[-*+]|\d{1,9}[.)])\s+`)
	mdEmphasis = strings.NewReplacer("**", "", "__", "", "`", "")
)

func snippet(texts []string, word string) string {
	for _, t := range texts {
		i := strings.Index(strings.ToLower(t), word)
		if i < 0 {
			continue
		}
		r := []rune(t)
		at := utf8.RuneCountInString(strings.ToLower(t)[:i])
		from, to := max(0, at-60), min(len(r), at+100)
		out := strings.Join(strings.Fields(string(r[from:to])), " ")
		if from > 0 {
			out = "…" + out
		}
		if to < len(r) {
			out += "…"
		}
		return out
	}
	return ""
}
