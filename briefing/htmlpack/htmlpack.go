package htmlpack

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"briefpack/briefing"
	"briefpack/internal/lru"
	"briefpack/internal/parallel"
	"briefpack/templates"
)

// tmpl is the pack's template, parsed once at start-up: a missing or broken
// template panics then, never during an export.
var tmpl = template.Must(template.New("pack.html").Funcs(template.FuncMap{
	"ordinal":    briefing.Ordinal,
	"date":       date,
	"portion":    func(s briefing.Settings, m string) string { return s.PortionMark(m) },
	"markdown":   Markdown,
	"prose":      prose,
	"marked":     markedProse,
	"spans":      func(p *briefing.Pack, text string) template.HTML { return spanText(p.Settings, text) },
	"release":    func(p *briefing.Pack) bool { return p.Edition == briefing.EditionRelease },
	"sheetparts": func() template.HTML { return template.HTML(partsMark) },
	"contents":   contents,
	"inc":        func(i int) int { return i + 1 },
	"join":       strings.Join,
	"label":      briefing.StatusLabel,
	"side":       func(p *briefing.Pack, side string) string { return p.Dialogue.SideName(side) },
	"css":        cssString,
	"dict":       func(k string, v any) map[string]any { return map[string]any{k: v} },
}).ParseFS(templates.FS, "pack/pack.html", "pack/pack.css"))

// Render writes the pack as one HTML file. It renders the whole file
// before it writes, so a failure never leaves half a file.
func Render(w io.Writer, p *briefing.Pack) error {
	ps, err := Parts(p)
	if err != nil {
		return err
	}
	for _, b := range ps {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Bytes returns the pack as one HTML file.
func Bytes(p *briefing.Pack) ([]byte, error) {
	ps, err := Parts(p)
	if err != nil {
		return nil, err
	}
	return bytes.Join(ps, nil), nil
}

// Parts returns the pack as one HTML file in pieces, to be written one
// after the other: the sheets' sections, rendered (or taken as kept)
// first, and between them the rest of the pack, which the template writes
// with a mark where each sheet goes. A sheet's piece is the one kept, so a
// pack after one edit copies no other sheet's bytes; the pieces must not be
// changed.
func Parts(p *briefing.Pack) ([][]byte, error) {
	var frame bytes.Buffer
	frame.Grow(64 << 10)
	if err := tmpl.Execute(&frame, p); err != nil {
		return nil, fmt.Errorf("htmlpack: %w", err)
	}
	// The mark holds no '&', so the frame can lose its escaped apostrophes
	// whole, before it is cut.
	f := unescapeApostrophes(frame.Bytes())
	i := bytes.Index(f, []byte(partsMark))
	if i < 0 || bytes.Contains(f[i+len(partsMark):], []byte(partsMark)) {
		return nil, fmt.Errorf("htmlpack: the template must place the sheets once")
	}
	out := make([][]byte, len(p.Sheets)+2)
	out[0], out[len(out)-1] = f[:i:i], f[i+len(partsMark):]
	// The sections kept are taken as they are; the others (after a start,
	// or for a reader whose sections nobody has asked for) are rendered on
	// every processor.
	var todo []int
	for k, sh := range p.Sheets {
		if v, ok := keptPart(p, sh); ok {
			out[k+1] = v
		} else {
			todo = append(todo, k)
		}
	}
	err := parallel.Each(len(todo), func(t int, _ *struct{}) error {
		sh := p.Sheets[todo[t]]
		part, err := sheetPart(p, sh)
		if err != nil {
			return fmt.Errorf("htmlpack: sheet %s: %w", sh.ID, err)
		}
		out[todo[t]+1] = part
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// partsMark is where the sheets' sections go in the frame. It holds a
// random word chosen at start-up: no text a user wrote, escaped by the
// template, can make one.
var partsMark = func() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "\x00sheets-" + hex.EncodeToString(b[:]) + "\x00"
}()

// contents lists the sheets in the pack's table of contents, each linking
// to its section: written here rather than by the template, whose
// escapers cost a reflective call each for every sheet of every pack.
func contents(s briefing.Settings, sheets []*briefing.Sheet) template.HTML {
	var b strings.Builder
	for _, sh := range sheets {
		b.WriteString(`<li><a href="#sheet-`)
		b.WriteString(template.HTMLEscapeString(url.PathEscape(sh.ID)))
		b.WriteString(`">`)
		b.WriteString(string(spanText(s, sh.Title)))
		b.WriteString(`</a></li>`)
	}
	return template.HTML(b.String())
}

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
var parts = lru.New[keptSection](partBytes, func(v keptSection) int64 { return int64(len(v.html)) + sha256.Size })

// keptSection is a sheet's section as kept, with its SHA-256, for the
// pack's tag (see Tag).
type keptSection struct {
	html []byte
	sum  [sha256.Size]byte
}

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

// keptPart is a sheet's section as kept, if it is.
func keptPart(p *briefing.Pack, sh *briefing.Sheet) ([]byte, bool) {
	if key := partKey(p, sh); key != "" {
		if v, ok := parts.Get(key); ok {
			return v.html, true
		}
	}
	return nil, false
}

// sectionBufs are buffers sections are written into before they are kept.
var sectionBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sheetPart renders a sheet's section of the file, its apostrophes
// unescaped as the rest of the file's are, and keeps it.
func sheetPart(p *briefing.Pack, sh *briefing.Sheet) ([]byte, error) {
	sectionsRendered.Add(1)
	key := partKey(p, sh)
	// Written into a reused buffer and copied out at its size: the section
	// is kept, and one written into a buffer grown by doubling was
	// allocated nearly twice over (14 MB a pack of 1,000 sheets).
	b := sectionBufs.Get().(*bytes.Buffer)
	defer sectionBufs.Put(b)
	b.Reset()
	if err := tmpl.ExecuteTemplate(b, "sheet", map[string]any{"p": p, "sh": sh}); err != nil {
		return nil, err
	}
	writeSheetBody(b, p, sh)
	b.WriteString("</table>\n</section>\n")
	v := bytes.Clone(unescapeApostrophes(b.Bytes()))
	if key != "" {
		parts.PutLatest(p.SheetSlot(sh), key, keptSection{html: v, sum: sha256.Sum256(v)})
	}
	return v, nil
}

// sectionsRendered counts the sheets' sections rendered (SectionsRendered).
var sectionsRendered atomic.Int64

// SectionsRendered is how many sheets' sections this process has rendered
// rather than found kept, in either edition: what a pack or a freeze that
// should find them kept can be checked by.
func SectionsRendered() int64 { return sectionsRendered.Load() }

// writeSheetBody writes the body of a topic sheet's two-column table (its
// title is the table's head, repeated atop each printed page): headings on
// the left, paragraphs on the right, each portion-marked in the full
// edition. The paragraphs come ready from the cache and are written where
// the section is written, not through a template per paragraph nor joined
// into a string first.
func writeSheetBody(b *bytes.Buffer, p *briefing.Pack, sh *briefing.Sheet) {
	b.WriteString(`<tbody>`)
	for i, sec := range sh.Sections {
		b.WriteString(`<tr><th scope="row">`)
		b.WriteString(template.HTMLEscapeString(sec.Heading))
		b.WriteString(`</th><td>`)
		for j, para := range sec.Paragraphs {
			if p.Edition == briefing.EditionRelease {
				b.WriteString(`<div class="para">`)
				writeReleaseParagraph(b, para)
			} else {
				if p.Changed[briefing.ChangedKey(sh.ID, i, j)] {
					b.WriteString(`<div class="para changed"><span class="changed-note">Changed since the last round</span>`)
				} else {
					b.WriteString(`<div class="para">`)
				}
				writeParagraph(b, p.Settings, para, stored(sh, para))
			}
			b.WriteString(`</div>`)
		}
		b.WriteString(`</td></tr>`)
	}
	b.WriteString(`</tbody>`)
}

// stored is the slot a paragraph's rendering is kept in as a pack renders
// it (see cache): its id when its sheet was read from the store, so that
// the text is the stored one; none for a sheet made up for a preview.
func stored(sh *briefing.Sheet, para briefing.Paragraph) string {
	if sh.Stored == "" {
		return ""
	}
	return para.ID
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
