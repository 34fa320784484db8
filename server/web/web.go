package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/templates"
)

// pageData is what every page's template receives; Body is the page's own.
type pageData struct {
	Title    string
	Nav      string
	Reader   briefing.Reader
	Signed   bool
	CSRF     string
	Flash    []flashMsg
	Marking  string
	Settings briefing.Settings
	Body     any
}

// MarkingClass colours the banner by how high the page's marking is.
func (p pageData) MarkingClass() string { return markingClass(p.Settings, p.Marking) }

// markingClass is the banner's colour for a marking, by how high it is.
func markingClass(set briefing.Settings, marking string) string {
	i, _ := set.Level(marking)
	n := len(set.Markings)
	switch {
	case i >= n-2:
		return "m-high"
	case i >= n/2:
		return "m-mid"
	}
	return "m-low"
}

// Allows reports whether the reader's clearance covers a marking, so pages
// offer only the markings they may write.
func (p pageData) Allows(marking string) bool { return p.Settings.Allows(p.Reader.Clearance, marking) }

// Can reports whether the reader has at least the role.
func (p pageData) Can(role string) bool { return p.Reader.Role.AtLeast(briefing.Role(role)) }

type flashMsg struct {
	Kind, Text string
}

// pageFuncs are the helpers templates may call.
func (s *Pages) pageFuncs() template.FuncMap {
	return template.FuncMap{
		"portion":        s.settings.PortionMark,
		"once":           newOnce,
		"ordinal":        briefing.Ordinal,
		"onlyTopicsRead": func() string { return onlyTopicsRead },
		"months":         briefing.Months,
		"inc":            func(i int) int { return i + 1 },
		"dec":            func(i int) int { return i - 1 },
		"join":           strings.Join,
		"label":          briefing.StatusLabel,
		"date":           humanDate,
		// decision and ground write a release's decisions and grounds as
		// its letter and schedule do, so a preview says what the release will.
		"decision":  briefing.DecisionLabel,
		"ground":    s.settings.GroundDisplay,
		"part":      briefing.PartTitle,
		"lines":     func(text string) []string { return strings.Split(text, "\n") },
		"eq2":       func(a, b string) bool { return a == b },
		"plain":     s.settings.Plain,
		"prose":     s.proseHTML,
		"paragraph": func(p briefing.Paragraph) template.HTML { return s.paragraphHTML(p) },
		"preview":   s.previewHTML,
		"spans":     s.spanHTML,
		"conflictText": func(v any) template.HTML {
			switch x := v.(type) {
			case *briefing.Paragraph:
				if x == nil {
					return `<em class="muted">deleted</em>`
				}
				return s.paragraphHTML(*x) // portion-marked as the pack marks it, once
			case string:
				return template.HTML(template.HTMLEscapeString(x))
			}
			return `<em class="muted">deleted</em>`
		},
		// within lists the markings of the scheme up to a clearance: what a
		// reader cleared to it may choose.
		"within": func(clearance string) []string {
			var out []string
			for _, m := range s.settings.Markings {
				if s.settings.Allows(clearance, m) {
					out = append(out, m)
				}
			}
			return out
		},
		// kindName is a section kind as people call it.
		"kindName": func(kind, home, partner string) string {
			if kind == briefing.SectionCustom {
				return "a heading of your own"
			}
			return briefing.DefaultHeading(kind, home, partner)
		},
		// bannerClasses are the banner's colours for the scheme's markings,
		// in its order: the editor's script colours the banners by them.
		"bannerClasses": func() []string {
			out := make([]string, len(s.settings.Markings))
			for i, m := range s.settings.Markings {
				out[i] = markingClass(s.settings, m)
			}
			return out
		},
		"fieldName": fieldName,
		"fieldText": fieldText,
		"dict":      dict,
		"list":      listOf,
		"json": func(v any) string {
			b, _ := jsonMarshal(v)
			return string(b)
		},
	}
}

// loadPages parses every page with the base layout, once, at start-up: a
// missing or broken template fails New, never a request.
func (s *Pages) loadPages() error {
	names, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "base.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(s.pageFuncs()).ParseFS(templates.FS, "pages/base.html", "pages/partials.html", n)
		if err != nil {
			return fmt.Errorf("templates: %s: %w", n, err)
		}
		if err := checkReferences(t); err != nil {
			return fmt.Errorf("templates: %s: %w", n, err)
		}
		s.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return nil
}

// checkReferences fails when a template calls one that is not defined, which
// html/template would otherwise find only when a request renders it.
func checkReferences(t *template.Template) error {
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		var missing error
		var walk func(n parse.Node)
		walk = func(n parse.Node) {
			switch n := n.(type) {
			case *parse.TemplateNode:
				if t.Lookup(n.Name) == nil && missing == nil {
					missing = fmt.Errorf("template %q calls undefined template %q", tt.Name(), n.Name)
				}
			case *parse.ListNode:
				if n != nil {
					for _, c := range n.Nodes {
						walk(c)
					}
				}
			case *parse.IfNode:
				walk(n.List)
				walk(n.ElseList)
			case *parse.RangeNode:
				walk(n.List)
				walk(n.ElseList)
			case *parse.WithNode:
				walk(n.List)
				walk(n.ElseList)
			}
		}
		walk(tt.Tree.Root)
		if missing != nil {
			return missing
		}
	}
	return nil
}

// page renders a page into a buffer, then sends it, so a template error
// never sends half a page.
func (s *Pages) page(c echo.Context, status int, name, title, marking string, body any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	r, signed := reader(c)
	if marking == "" {
		marking = s.settings.Lowest()
	}
	d := pageData{Title: title, Nav: name, Reader: r, Signed: signed, Marking: marking, Settings: s.settings, Body: body, Flash: takeFlash(c)}
	d.CSRF = server.CSRFToken(c)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", d); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

const flashCookie = "briefpack_flash"

// maxFlash bounds a flash's text, in bytes: a longer one is not shown.
const maxFlash = 500

// flash leaves a message for the next page the user sees.
func flash(c echo.Context, kind, text string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + "|" + text), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: server.SecureCookie(c), MaxAge: 60})
}

func takeFlash(c echo.Context) []flashMsg {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: server.SecureCookie(c), MaxAge: -1})
	v, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(v, "|")
	if !ok || len(text) > maxFlash {
		return nil
	}
	return []flashMsg{{Kind: kind, Text: text}}
}

// redirect is the answer to a successful form: flash, then 303.
func redirect(c echo.Context, to, msg string) error {
	if msg != "" {
		flash(c, "ok", msg)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// formError is a rejected form: the page shown again with what was typed and why.
type formError struct {
	Message string
	Fields  map[string]string
}

// Details are the lines a form's message shows under it, "Field: why",
// in field order, leaving out a field the message already names with its
// why: a workbook refused for one cell said the same sentence twice.
func (e *formError) Details() []string { return e.DetailsBut() }

// DetailsBut are Details but for the fields named, each said beside its
// field on the page.
func (e *formError) DetailsBut(beside ...string) []string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		if !slices.Contains(beside, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		if why := e.Fields[k]; !strings.Contains(e.Message, k+": "+why) {
			out = append(out, fieldName(k)+": "+fieldText(why))
		}
	}
	return out
}

func toFormError(err error) *formError {
	if err == nil {
		return nil
	}
	return &formError{Message: briefing.ErrorMessage(err), Fields: briefing.ErrorFields(err)}
}

// isUserError reports whether an error is the user's to fix on the form (shown
// again), rather than a refusal or failure (shown as an error page).
func isUserError(err error) bool {
	switch briefing.ErrorCode(err) {
	case briefing.EINVALID, briefing.ESTALE, briefing.ECONFLICT, server.CodeBadRequest:
		return true
	}
	return false
}

// isFormError reports whether an error is the user's to fix on the form:
// a user error, or a refusal that names the field it refuses (a marking
// above the writer's clearance), so the form is shown again with what was
// typed, not a bare error page that loses it.
func isFormError(err error) bool {
	return isUserError(err) || briefing.ErrorCode(err) == briefing.EFORBIDDEN && len(briefing.ErrorFields(err)) > 0
}

// formStatus is the status a form refused for err is shown again with: 403
// when the writer is not cleared for what they sent, else 422.
func formStatus(err error) int {
	if briefing.ErrorCode(err) == briefing.EFORBIDDEN {
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

func humanDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// handleStatic is GET /static/*: the pages' CSS and script.
func (s *Pages) handleStatic(c echo.Context) error {
	name := path.Clean("/" + c.Param("*"))
	b, err := fs.ReadFile(templates.FS, "static"+name)
	if err != nil {
		return briefing.Errorf(briefing.ENOTFOUND, "no such file")
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, ct, b)
}

// fieldNames are the API's field names as the forms call them.
var fieldNames = map[string]string{
	"starts_on": "Start date", "ends_on": "End date", "cadence_months": "Months between rounds", "established": "Established",
	"agency_id": "Agency", "person_id": "Person", "lead_person_id": "Lead speaker", "owner_id": "Held by", "due_on": "Due date",
	"raised_in_round_id": "Raised in round", "key_messages": "Key messages", "participating_agencies": "Agencies taking part",
	"starts_at": "Starts at", "ends_at": "Ends at", "received_on": "Received on", "decision_maker": "Decision-maker",
	"decision_maker_title": "Decision-maker's title", "other_documents": "Other documents", "as_one_document": "As one document",
}

var fieldPath = regexp.MustCompile(`([a-z_]+)\[(\d+)\]`)

// fieldName is an API field path as a person reads it: "ends_on" is "End
// date", "sections[0].paragraphs[2].text" is "Section 1, paragraph 3, text".
func fieldName(path string) string {
	var parts []string
	for _, p := range strings.Split(path, ".") {
		if m := fieldPath.FindStringSubmatch(p); m != nil {
			n, _ := strconv.Atoi(m[2])
			name := strings.TrimSuffix(strings.ReplaceAll(m[1], "_", " "), "s")
			if w, ok := fieldNames[m[1]]; ok {
				name = strings.ToLower(w)
			}
			parts = append(parts, name+" "+strconv.Itoa(n+1))
			continue
		}
		if w, ok := fieldNames[p]; ok {
			parts = append(parts, strings.ToLower(w))
		} else {
			parts = append(parts, strings.ReplaceAll(p, "_", " "))
		}
	}
	out := strings.Join(parts, ", ")
	if out == "" {
		return out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

var snakeWord = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)

// inTextNames are the fields whose labels read badly inside a sentence
// ("must not be before the starts at").
var inTextNames = map[string]string{"starts_at": "start time", "ends_at": "end time"}

// fieldText is a field's message with any API field names in it as words.
func fieldText(msg string) string {
	return snakeWord.ReplaceAllStringFunc(msg, func(w string) string {
		if n, ok := inTextNames[w]; ok {
			return "the " + n
		}
		if n, ok := fieldNames[w]; ok {
			return "the " + strings.ToLower(n)
		}
		return strings.ReplaceAll(w, "_", " ")
	})
}
