package htmlpack

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"strings"

	"briefpack/briefing"
	"briefpack/internal/lru"
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
	"sheetpart": func(sh *briefing.Sheet) template.HTML { return template.HTML(partMark + sh.ID + partEnd) },
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
	b, err := Bytes(p)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Bytes returns the pack as one HTML file. The sheets' sections are
// rendered (or taken as kept) first; the template writes the rest of the
// pack with a mark where each sheet goes, and the file is put together from
// the two in one buffer of its final size.
func Bytes(p *briefing.Pack) ([]byte, error) {
	byID := make(map[string]string, len(p.Sheets))
	size := 0
	for _, sh := range p.Sheets {
		part, err := sheetPart(p, sh)
		if err != nil {
			return nil, fmt.Errorf("htmlpack: sheet %s: %w", sh.ID, err)
		}
		byID[sh.ID] = string(part)
		size += len(part)
	}
	var frame bytes.Buffer
	frame.Grow(64 << 10)
	if err := tmpl.Execute(&frame, p); err != nil {
		return nil, fmt.Errorf("htmlpack: %w", err)
	}
	f := frame.Bytes()
	out := make([]byte, 0, len(f)+size)
	for {
		i := bytes.Index(f, []byte(partMark))
		if i < 0 {
			break
		}
		out = append(out, f[:i]...)
		f = f[i+len(partMark):]
		j := bytes.Index(f, []byte(partEnd))
		if j < 0 {
			return nil, fmt.Errorf("htmlpack: a sheet's mark is cut short")
		}
		part, ok := byID[string(f[:j])]
		if !ok {
			return nil, fmt.Errorf("htmlpack: a mark names sheet %q, not in the pack", f[:j])
		}
		out = append(out, part...)
		f = f[j+len(partEnd):]
	}
	out = append(out, f...)
	return unescapeApostrophes(out), nil
}

// partMark and partEnd enclose the id of a sheet whose section goes there.
// They hold a random word chosen at start-up: no text a user wrote, escaped
// by the template, can make one.
var partMark, partEnd = func() (string, string) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	w := hex.EncodeToString(b[:])
	return "\x00sheet-" + w + ":", ":" + w + "\x00"
}()

// unescapeApostrophes turns "&#39;" back into "'" in place. An apostrophe
// needs no escaping in text or in the double-quoted attributes the
// templates write; left as itself, "New Zealand's" reads the same in the
// file as on the page.
func unescapeApostrophes(b []byte) []byte {
	const esc = "&#39;"
	i := bytes.Index(b, []byte(esc))
	if i < 0 {
		return b
	}
	w := i
	for i < len(b) {
		if b[i] == '&' && bytes.HasPrefix(b[i:], []byte(esc)) {
			b[w] = '\''
			w++
			i += len(esc)
			continue
		}
		j := bytes.IndexByte(b[i+1:], '&')
		if j < 0 {
			j = len(b)
		} else {
			j += i + 1
		}
		w += copy(b[w:], b[i:j])
		i = j
	}
	return b[:w]
}

// A topic sheet's section of the pack (sheetPart): a sheet read from the
// store is rendered once for what its section is built from — its stored
// record, the reader's clearance (the pack's ceiling), the dialogue's sides
// (its headings), the edition, the jurisdiction and which of its paragraphs
// changed since last round — and kept: a pack after one edit renders one
// sheet and puts the others together from their parts (see sheetPart).

// parts keeps rendered sheet sections, bounded by bytes.
var parts = lru.New[string](partBytes, func(v string) int64 { return int64(len(v)) })

// partBytes bounds the sheet sections kept: some 4,000 sheets of 16 KB.
const partBytes = 64 << 20

// partKey is what a sheet's section is built from, or "" for a sheet not
// read from the store, which is rendered every time.
func partKey(p *briefing.Pack, sh *briefing.Sheet) string {
	if sh.Stored == "" {
		return ""
	}
	var k strings.Builder
	for _, s := range []string{p.Edition, p.Settings.Jurisdiction, p.Ceiling, sh.Stored, sh.Owner, p.Dialogue.Home, p.Dialogue.Partner} {
		k.WriteString(s)
		k.WriteByte(0)
	}
	if p.Edition != briefing.EditionRelease && len(p.Changed) > 0 {
		for i, sec := range sh.Sections {
			for j := range sec.Paragraphs {
				if p.Changed[briefing.ChangedKey(sh.ID, i, j)] {
					fmt.Fprintf(&k, "%d.%d ", i, j)
				}
			}
		}
	}
	return k.String()
}

func sheetPart(p *briefing.Pack, sh *briefing.Sheet) (template.HTML, error) {
	key := partKey(p, sh)
	if key != "" {
		if v, ok := parts.Get(key); ok {
			return template.HTML(v), nil
		}
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "sheet", map[string]any{"p": p, "sh": sh}); err != nil {
		return "", err
	}
	v := b.String()
	if key != "" {
		parts.Put(key, v)
	}
	return template.HTML(v), nil
}

// sheetBody writes the body of a topic sheet's two-column table (its title
// is the table's head, repeated atop each printed page): headings on the left,
// paragraphs on the right, each portion-marked in the full edition. The
// paragraphs come ready from the cache, so the sheet is put together with
// a builder rather than a template per paragraph.
func sheetBody(p *briefing.Pack, sh *briefing.Sheet) template.HTML {
	var b bytes.Buffer
	b.WriteString(`<tbody>`)
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
	b.WriteString(`</tbody>`)
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
