package htmlpack

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"briefpack/briefing"
	"briefpack/templates"
)

// tmpl is the pack's template, parsed once at start-up: a missing or broken
// template panics then, never during an export.
var tmpl = template.Must(template.New("pack.html").Funcs(template.FuncMap{
	"ordinal":   briefing.Ordinal,
	"date":      date,
	"portion":   func(s briefing.Settings, m string) string { return s.PortionMark(m) },
	"markdown":  Markdown,
	"release":   func(p *briefing.Pack) bool { return p.Edition == briefing.EditionRelease },
	"sheetbody": sheetBody,
	"inc":       func(i int) int { return i + 1 },
	"join":      strings.Join,
	"label":     briefing.StatusLabel,
	"side": func(p *briefing.Pack, side string) string {
		if side == briefing.SideHome {
			return p.Dialogue.Home
		}
		return p.Dialogue.Partner
	},
	"css":  cssString,
	"dict": func(k string, v any) map[string]any { return map[string]any{k: v} },
}).ParseFS(templates.FS, "pack/pack.html", "pack/pack.css"))

// Render writes the pack as one HTML file. It renders into a buffer first,
// so a failure never leaves half a file.
func Render(w io.Writer, p *briefing.Pack) error {
	var buf bytes.Buffer
	buf.Grow(4096 + 2048*len(p.Sheets)*8)
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("htmlpack: %w", err)
	}
	// An apostrophe needs no escaping in text or in the double-quoted
	// attributes the templates write; left as itself, "New Zealand's" reads
	// the same in the file as on the page.
	_, err := w.Write(bytes.ReplaceAll(buf.Bytes(), []byte("&#39;"), []byte("'")))
	return err
}

// sheetBody writes a topic sheet's two-column table: headings on the left,
// paragraphs on the right, each portion-marked in the full edition. The
// paragraphs come ready from the cache, so the sheet is put together with
// a builder rather than a template per paragraph.
func sheetBody(p *briefing.Pack, sh *briefing.Sheet) template.HTML {
	var b bytes.Buffer
	b.WriteString(`<table class="sheet"><tbody>`)
	for i, sec := range sh.Sections {
		b.WriteString(`<tr><th scope="row">`)
		b.WriteString(template.HTMLEscapeString(sec.Heading))
		b.WriteString(`</th><td>`)
		for j, para := range sec.Paragraphs {
			if p.Edition != briefing.EditionRelease && p.Changed[briefing.ChangedKey(sh.ID, i, j)] {
				b.WriteString(`<div class="para changed"><span class="changed-note">Changed since the last round</span>`)
			} else {
				b.WriteString(`<div class="para">`)
			}
			if p.Edition == briefing.EditionRelease {
				b.WriteString(string(releaseParagraph(para)))
			} else {
				b.WriteString(string(Paragraph(p.Settings, para)))
			}
			b.WriteString(`</div>`)
		}
		b.WriteString(`</td></tr>`)
	}
	b.WriteString(`</tbody></table>`)
	return template.HTML(b.String())
}

// cssString quotes text as a CSS string for the page's margin boxes,
// escaping every character that could end the string or the style sheet.
func cssString(s string) template.CSS {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == 0x7f {
			fmt.Fprintf(&b, "\\%x ", r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return template.CSS(b.String())
}
