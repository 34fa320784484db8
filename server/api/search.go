package api

import (
	"html"
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
	// A search is not paged: it answers its first maxHits hits, or fewer
	// with ?limit=, read as every list reads it (400 when it is no number
	// from 1 to 1000).
	pg, err := page(c)
	if err != nil {
		return err
	}
	hits, err := s.Search(s.view(c), q)
	if err != nil {
		return err
	}
	if c.QueryParam("limit") != "" && len(hits) > pg.Limit {
		hits = hits[:pg.Limit]
	}
	return list(c, hits, "")
}

// Search finds every word of q, in any case, in what the reader may see of
// dialogues, rounds, topic sheets and people. It reads only through the
// view, so nothing above the reader can match or appear in a snippet.
func (s *API) Search(v *view, q string) ([]SearchHit, error) {
	words := strings.Fields(strings.ToLower(q))
	var hits []SearchHit
	// Words are found in the text as people read it, so that "R&D" finds
	// a paragraph brought in from a workbook, where it is kept as "R\&D".
	var plain []string
	add := func(kind, id, marking, title string, texts ...string) bool {
		plain = append(plain[:0], title)
		for _, t := range texts {
			plain = append(plain, plainText(v.Set, t))
		}
		all := strings.ToLower(strings.Join(plain, "\n"))
		for _, w := range words {
			if !strings.Contains(all, w) {
				return len(hits) < maxHits
			}
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

// sheetText is a sheet's searchable text: headings and paragraphs.
func (s *API) sheetText(sh *briefing.Sheet) []string {
	var out []string
	for _, sec := range sh.Sections {
		out = append(out, sec.Heading)
		for _, p := range sec.Paragraphs {
			out = append(out, p.Text)
		}
	}
	return out
}

// plainText is Markdown as a reader reads it: withheld spans as their
// words, without emphasis, list or link marks, and with what stands for a
// character written as it (a mark escaped with a backslash, "&lbrace;",
// "&amp;"), as an imported paragraph keeps what was typed; the invisible
// word joiners an import puts before a line are dropped.
func plainText(set briefing.Settings, t string) string {
	t = set.Plain(t)
	if strings.Contains(t, "](") {
		t = mdLink.ReplaceAllString(t, "$1")
	}
	if listed(t) {
		t = mdListMark.ReplaceAllString(t, "")
	}
	if strings.ContainsAny(t, "*_`") {
		t = mdEmphasis.Replace(t)
	}
	if strings.ContainsAny(t, "\\&") {
		t = unescapeMarkdown(t)
	}
	return t
}

// listed says whether a line of t may begin with a list's mark: a bullet
// or a digit after any spaces.
func listed(t string) bool {
	for {
		l := strings.TrimLeft(t, " \t")
		if l != "" && (strings.IndexByte("-*+", l[0]) >= 0 || l[0] >= '0' && l[0] <= '9') {
			return true
		}
		i := strings.IndexByte(t, '\n')
		if i < 0 {
			return false
		}
		t = t[i+1:]
	}
}

// unescapeMarkdown writes each backslash escape of ASCII punctuation and
// each character reference as the character it stands for, in one pass
// (so that a typed "&amp;", kept as "\&amp;", reads "&amp;"), and drops the
// invisible word joiners.
func unescapeMarkdown(t string) string {
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case c == '\\' && i+1 < len(t) && isPunct(t[i+1]):
			b.WriteByte(t[i+1])
			i += 2
			continue
		case c == '&':
			if j := strings.IndexByte(t[i:min(len(t), i+40)], ';'); j > 0 {
				// Only a whole reference, which stands for one character
				// (or two): "&ampx;" is no reference in Markdown, though
				// HTML reads its "&amp" and leaves "x;", three.
				if ref := t[i : i+j+1]; utf8.RuneCountInString(html.UnescapeString(ref)) <= 2 && html.UnescapeString(ref) != ref {
					b.WriteString(html.UnescapeString(ref))
					i += j + 1
					continue
				}
			}
		}
		b.WriteByte(c)
		i++
	}
	return strings.ReplaceAll(b.String(), briefing.WordJoiner, "")
}

// isPunct is ASCII punctuation, which Markdown lets a backslash escape.
func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

var (
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdListMark = regexp.MustCompile(`(?m)^\s*(?:[-*+]|\d{1,9}[.)])\s+`)
	mdEmphasis = strings.NewReplacer("**", "", "__", "", "`", "")
)

// snippet returns about 160 characters around the first text holding word.
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
