package htmlpack

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"briefpack/briefing"
)

// letterTmpl is a response's letter and schedule, which take the place of
// the release edition's own schedule.
var letterTmpl = template.Must(template.New("letter").Funcs(template.FuncMap{
	"date":     date,
	"decision": briefing.DecisionLabel,
	"ground":   func(s briefing.Settings, g string) string { return s.GroundDisplay(g) },
}).Parse(`<section class="part letter" id="letter">
<p>{{.Released.GeneratedAt.Format "2 January 2006"}}</p>
<p>Ref: {{.Release.Reference}}</p>
<h2>{{.Settings.Act}} request{{with .Title}} relating to {{.}}{{end}}</h2>
<p>Thank you for your {{.Settings.Act}} (the Act) request received on {{date .Release.ReceivedOn}}. You requested:</p>
<blockquote>{{range .RequestLines}}<p><em>{{.}}</em></p>{{end}}</blockquote>
<p>{{.Count}}{{range .Decisions}} {{.}}{{end}}</p>
{{if .Grounds}}<p>The grounds under which information has been withheld are:</p>
<ul>{{range .Grounds}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p>{{.Review}}</p>
<p>Yours sincerely</p>
<p class="signature"><strong>{{.Release.DecisionMaker}}</strong>{{with .Release.DecisionMakerTitle}}<br>{{.}}{{end}}</p>
</section>
<section class="part" id="schedule">
<h2>Schedule of documents</h2>
<p>{{.Count}}</p>
<table>
<thead><tr><th>No.</th><th>Document</th><th>Decision</th><th>Grounds</th></tr></thead>
<tbody>{{$s := .Settings}}{{range .Entries}}<tr><td>{{.Number}}</td><td>{{.Title}}</td><td>{{decision .Decision}}</td><td>{{range $i, $g := .Grounds}}{{if $i}}, {{end}}{{ground $s $g}}{{end}}</td></tr>{{end}}</tbody>
</table>
</section>
`))

// partSections are the pack's sections of each part besides the cover.
var partSections = map[string]string{"agenda": "agenda", "delegations": "delegations", "biographies": "biographies",
	"actions": "actions", "outcomes": "outcomes"}

// RenderResponse writes a response to a request as one HTML file: the
// letter and schedule, then the released documents, with the parts not
// released left out.
func RenderResponse(w io.Writer, r *briefing.Response) error {
	var pack bytes.Buffer
	if err := Render(&pack, r.Released); err != nil {
		return err
	}
	var letter bytes.Buffer
	data := struct {
		*briefing.Response
		Title        string
		RequestLines []string
	}{Response: r, RequestLines: strings.Split(r.Release.Request, "\n")}
	if r.Released.Dialogue != nil {
		data.Title = r.Released.Dialogue.Name
	}
	if err := letterTmpl.Execute(&letter, data); err != nil {
		return fmt.Errorf("htmlpack: letter: %w", err)
	}
	out := bytes.ReplaceAll(letter.Bytes(), []byte("&#39;"), []byte("'"))
	body := pack.Bytes()
	if cut, ok := cutSection(body, "schedule"); ok {
		body = cut
	}
	for _, part := range briefing.Parts {
		d := r.Release.Parts[part].Decision
		if id := partSections[part]; id != "" && d != briefing.DecisionReleased && d != briefing.DecisionReleasedInPart {
			if cut, ok := cutSection(body, id); ok {
				body = cut
			}
			body = cutBetween(body, `<li><a href="#`+id+`">`, "</li>")
		}
	}
	// The letter goes where the contents begin, after the cover.
	at := bytes.Index(body, []byte(`<section class="part" id="contents">`))
	if at < 0 {
		return fmt.Errorf("htmlpack: the pack has no contents section")
	}
	var buf bytes.Buffer
	buf.Write(body[:at])
	buf.Write(out)
	buf.Write(body[at:])
	_, err := w.Write(buf.Bytes())
	return err
}

// cutSection removes the part section with the given id.
func cutSection(b []byte, id string) ([]byte, bool) {
	out := cutBetween(b, `<section class="part" id="`+id+`">`, "</section>")
	return out, len(out) != len(b)
}

// cutBetween removes the first run of b from start to the end that follows.
func cutBetween(b []byte, start, end string) []byte {
	i := bytes.Index(b, []byte(start))
	if i < 0 {
		return b
	}
	j := bytes.Index(b[i:], []byte(end))
	if j < 0 {
		return b
	}
	j += i + len(end)
	out := make([]byte, 0, len(b))
	out = append(out, b[:i]...)
	return append(out, b[j:]...)
}
