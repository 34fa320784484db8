// Package htmlpack renders a briefing pack as one self-contained HTML file:
// styles inline, no script, nothing loaded from anywhere, printable on A4
// with the pack's marking (or, for a release, the Act) on every page.
package htmlpack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"html"
	"html/template"
	"io"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/russross/blackfriday/v2"

	"briefpack/briefing"
	"briefpack/internal/lru"
)

// policy sanitises rendered Markdown: text formatting, lists and tables;
// no script, style, frame, form, image, event handler — and no link: a
// pack is read offline and refers to nothing outside itself, so a link
// keeps its words and loses its address. It is built once.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(keptElements...)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	return p
}()

// keptElements are the elements the policy keeps.
var keptElements = []string{"p", "br", "strong", "b", "em", "i", "u", "s", "del", "sub", "sup", "code", "pre", "blockquote",
	"ul", "ol", "li", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span"}

var kept = func() map[string]bool {
	m := make(map[string]bool, len(keptElements))
	for _, e := range keptElements {
		m[e] = true
	}
	return m
}()

// KeptHTML says whether HTML typed in Markdown (a tag, or a comment) is
// read as HTML: a bare tag of an element the policy keeps ("<sub>",
// "</u>", "<br/>"), or a comment, which the policy drops. Anything else is
// shown as typed: the parser takes "<TBC>", "<insert date>" or "<i.e. the
// venue>" for a tag, which the policy dropped, so words a writer typed went
// missing from the pack, and from a workbook's cell, and so from the
// paragraph when an edited cell came back in. A tag with anything after
// its name is words too ("<table of contents>", "<b and c>"): the policy
// keeps no attribute a writer would type. A "<script>" typed shows as
// typed too, as text.
func KeptHTML(raw []byte) bool {
	if bytes.HasPrefix(raw, []byte("<!--")) {
		return true
	}
	m := bareTag.FindSubmatch(raw)
	return m != nil && kept[strings.ToLower(string(m[1]))]
}

// bareTag is a tag of an element with nothing after its name.
var bareTag = regexp.MustCompile(`^</?([A-Za-z][A-Za-z0-9]*)\s*/?>$`)

// typedHTML is the pack's HTML renderer but for HTML typed in the
// Markdown that KeptHTML does not keep, written as text.
type typedHTML struct{ *blackfriday.HTMLRenderer }

func (r typedHTML) RenderNode(w io.Writer, n *blackfriday.Node, entering bool) blackfriday.WalkStatus {
	switch {
	case n.Type == blackfriday.HTMLSpan && !KeptHTML(n.Literal):
		template.HTMLEscape(w, n.Literal)
		return blackfriday.GoToNext
	case n.Type == blackfriday.HTMLBlock && !KeptHTML(n.Literal):
		io.WriteString(w, "<p>")
		template.HTMLEscape(w, bytes.TrimSpace(n.Literal))
		io.WriteString(w, "</p>\n")
		return blackfriday.GoToNext
	}
	return r.HTMLRenderer.RenderNode(w, n, entering)
}

// Extensions are blackfriday's common extensions less those that could reach
// outside the document: the Markdown of every pack, the workbook's too.
const Extensions = blackfriday.NoIntraEmphasis | blackfriday.Tables | blackfriday.FencedCode | blackfriday.Strikethrough |
	blackfriday.SpaceHeadings | blackfriday.BackslashLineBreak | blackfriday.DefinitionLists

// Private-use runes mark withheld spans through Markdown and sanitising;
// they are stripped from every text first, so no author can forge them.
const (
	spanOpen  = '\uE000'
	spanMid   = '\uE001'
	spanClose = '\uE002'
)

var stripSentinels = strings.NewReplacer(string(spanOpen), "", string(spanMid), "", string(spanClose), "")

// render turns Markdown into sanitised HTML. Its renderer writes plain
// HTML: no "smart" quotes or dashes, which would change the words of a
// paragraph, not only their look. A renderer holds state, so each call has
// its own.
func render(md string) string {
	md = listsAfterText(md)
	var out []byte
	guarded(func(ext blackfriday.Extensions) {
		renderer := typedHTML{blackfriday.NewHTMLRenderer(blackfriday.HTMLRendererParameters{Flags: blackfriday.HTMLFlagsNone})}
		out = blackfriday.Run([]byte(md), blackfriday.WithExtensions(ext), blackfriday.WithRenderer(renderer))
	}, func() {
		out = []byte("<p>" + template.HTMLEscapeString(md) + "</p>")
	})
	return strings.TrimSpace(string(policy.SanitizeBytes(out)))
}

// Parse reads Markdown as the pack does, into blackfriday's tree; nil for
// a text the parser cannot read (see guarded), to be taken as plain text.
func Parse(src []byte) (doc *blackfriday.Node) {
	guarded(func(ext blackfriday.Extensions) { doc = blackfriday.New(blackfriday.WithExtensions(ext)).Parse(src) },
		func() { doc = nil })
	return doc
}

// guarded runs the parser with the pack's extensions (run), and again
// without definition lists if it panics: blackfriday v2.1.0 indexes past
// the end of some ("a\n: b\n\nc\n d", nine bytes), and a save or a pack
// holding one answered 500. If that panics too, plain runs instead.
func guarded(run func(blackfriday.Extensions), plain func()) {
	for _, ext := range []blackfriday.Extensions{Extensions, Extensions &^ blackfriday.DefinitionLists} {
		ok := func() (ok bool) {
			defer func() {
				if recover() != nil {
					ok = false
				}
			}()
			run(ext)
			return true
		}()
		if ok {
			return
		}
	}
	plain()
}

var (
	// listLine begins a list item as blackfriday reads one.
	listLine = regexp.MustCompile(`^ {0,3}(?:[-*+]|[0-9]+\.)[ \t]`)
	// listFirst begins a list as one is typed under a line of text: a
	// bullet, or an item numbered 1 (a line that begins "2018. " is text).
	listFirst = regexp.MustCompile(`^ {0,3}(?:[-*+]|1\.)[ \t]+\S`)
	// ruleLine is a horizontal rule, which blackfriday reads before a list.
	ruleLine = regexp.MustCompile(`^ {0,3}(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$`)
	// fenceLine opens or closes fenced code.
	fenceLine = regexp.MustCompile("^ {0,3}(```|~~~)")
)

// listsAfterText puts an empty line before a list typed straight under a
// line of text ("Our points:", then "- first" and "- second", as a
// workbook's cell or the editor holds it), which blackfriday would read as
// more of that text and show as one run of words: the list shows as typed.
// Nothing else changes: not a list's own lines, nor a quotation's, nor
// fenced code; and no other line starts a block it did not start before,
// as blackfriday's NoEmptyLineBeforeBlock would have an indented line
// start code, "> " a quotation and "2018. " a list. A list inside a
// withheld span is a list too, the span marked in each of its blocks. A text area's
// line ends ("\r\n", as a browser sends them) are read as "\n": blackfriday
// reads "\r\n\r\n" as no empty line at all.
func listsAfterText(md string) string {
	md = strings.ReplaceAll(md, "\r\n", "\n")
	if !strings.Contains(md, "\n") {
		return md
	}
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines)+2)
	var (
		text  bool   // the line before is a line of a paragraph's text
		list  bool   // the lines before are a list's
		quote bool   // the lines before are a quotation's
		blank bool   // the line before is empty
		fence string // the fence of the code the lines are in, or ""
	)
	for _, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			text = false
		case strings.TrimSpace(l) == "":
			text, quote = false, false
		case fenceLine.MatchString(l):
			fence = fenceLine.FindStringSubmatch(l)[1]
			text, list, quote = false, false, false
		case strings.HasPrefix(trimmed, ">"), quote:
			text, list, quote = false, false, true // a quotation's lines are its own
		case ruleLine.MatchString(l):
			text, list = false, false
		case listLine.MatchString(l):
			if text && !list && listFirst.MatchString(l) {
				out = append(out, "")
			}
			text, list = false, true
		default:
			if list && blank && l == strings.TrimLeft(l, " \t") {
				list = false // a paragraph after a list
			}
			text = !list
		}
		blank = strings.TrimSpace(l) == ""
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// Markdown renders Markdown as the pack does, cached by its text.
func Markdown(md string) template.HTML {
	return template.HTML(cached("md", "", md, func() string { return render(stripSentinels.Replace(md)) }))
}

// cache keeps rendered paragraphs by a hash of what they were rendered
// from: a paragraph is rendered and sanitised once (when it is saved, see
// Warm), not at every export. It is bounded by bytes, the least recently
// used going first; a paragraph's rendering for one edition is dropped
// once its text is saved over (by the paragraph's id: lru.PutLatest and
// GetLatest). Held until least recently used, the renderings of texts
// saved over were under the load test 42 MB of a 93 MB heap after 90 s,
// and growing.
//
// Only a text known to be the paragraph's stored one claims the slot: the
// full edition's as a pack renders a stored sheet, and the release
// edition's when it is saved (a release pack's paragraphs carry no id). A
// text rendered for a page (a past version, the editor's working copy)
// and the full text rendered as a save is checked, before it is known to
// be stored, are kept without a slot, so that they drop nothing the packs
// use.
var cache = lru.New[string](cacheBytes, func(v string) int64 { return int64(len(v)) + 64 })

// cacheBytes bounds the cache: some 100,000 paragraphs of 600 bytes.
const cacheBytes = 64 << 20

// keyBufs are buffers a cache key is hashed from.
var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// cached returns the rendering of a text of a kind, built if not kept. The
// stored text of a paragraph is kept in the slot of its id (slot), any
// other text ("" for slot) for as long as it is used.
func cached(kind, slot, text string, build func() string) string {
	key := renderKey(kind, text)
	if slot != "" {
		slot = kind + "\x00" + slot
	}
	if v, ok := cache.GetLatest(slot, key); ok {
		return v
	}
	v := build()
	cache.PutLatest(slot, key, v)
	return v
}

// renderKey is what the rendering of a text of a kind is kept by: a hash
// of both, from a reused buffer (hashing the text through hash.Hash's
// Write copied every paragraph's text to bytes at every export, 15 MB a
// pack of 1,000 sheets).
func renderKey(kind, text string) string {
	bp := keyBufs.Get().(*[]byte)
	b := append(append(append((*bp)[:0], kind...), 0), text...)
	sum := sha256.Sum256(b)
	*bp = b
	keyBufs.Put(bp)
	return string(sum[:])
}

// fullText renders a text for the full edition: withheld spans shown,
// highlighted and labelled with their ground; a link whose address holds
// one, as its label (UnlinkWithheld). slot is the id of the paragraph
// whose stored text it is, "" for any other text (see cache).
func fullText(s briefing.Settings, slot, text string) string {
	if sharesRelease(text) {
		// The full edition shows what the release edition does, and
		// takes its rendering, in its slot, without an entry of its own:
		// keeping the same bytes twice cost 13 MB at 1,000 sheets, and an
		// entry of its own sharing the bytes still cost the cache its
		// keys, slots and lists twice over for six paragraphs in seven,
		// some 11 MB more. A full rendering the paragraph's stored text
		// had before (one with spans) is of no more use.
		if slot != "" {
			cache.DropLatest("full\x00" + slot)
		}
		return releaseText(slot, text)
	}
	return cached("full", slot, text, func() string {
		// The spans are read from the text as stored, as the release
		// edition reads them (Redact), and the sentinels taken out of
		// each piece after: taken out first, a sentinel typed between
		// two braces made a span of words the release edition shows.
		segs, err := s.ParseSpans(s.UnlinkWithheld(text))
		if err != nil {
			// Saved text always parses; if not, show it whole rather than guess.
			return render(stripSentinels.Replace(text))
		}
		var b strings.Builder
		for _, sg := range segs {
			if sg.Ground == "" {
				b.WriteString(stripSentinels.Replace(sg.Text))
				continue
			}
			b.WriteRune(spanOpen)
			b.WriteString(stripSentinels.Replace(sg.Ground))
			b.WriteRune(spanMid)
			b.WriteString(stripSentinels.Replace(sg.Text))
			b.WriteRune(spanClose)
		}
		return nestMarks(render(b.String()))
	})
}

// sharesRelease says whether a text renders the same in both editions:
// it holds nothing withheld, nor anything ParseSpans would read (an empty
// text aside, which the full edition renders on its own).
func sharesRelease(text string) bool {
	return text != "" && !strings.Contains(text, "{{") && !strings.Contains(text, "}}")
}

// phrasing are the elements the sanitised Markdown may hold that a mark
// may hold too; every other element it may hold is a block.
var phrasing = map[string]bool{"strong": true, "b": true, "em": true, "i": true, "u": true, "s": true, "del": true,
	"sub": true, "sup": true, "code": true, "span": true, "br": true}

// nestMarks turns the sentinels of rendered, sanitised HTML into marks,
// each nested in the elements around it: a span that Markdown carried
// across blocks (an empty line, a list's items, a table's cells) or out of
// an element opened before it is closed where it would cross an element's
// end or a block's start, and opened again, labelled with its ground
// again in each block, at its next words. A mark left open over "</p>"
// left the words of the next blocks unmarked, and the page mis-nested.
func nestMarks(html string) string {
	type elem struct{ name, tag string }
	var (
		out      strings.Builder
		ground   string // the open span's ground
		inSpan   bool   // a span is open
		marked   bool   // and its mark is open
		inner    []elem // elements opened inside the open mark, still open
		relabel  bool   // the span crossed a block: its next mark is labelled
		closeAll = func() {
			for i := len(inner) - 1; i >= 0; i-- {
				out.WriteString("</" + inner[i].name + ">")
			}
			out.WriteString("</mark>")
			marked = false
		}
		reopen = func() {
			if relabel {
				out.WriteString(markGoesOn(ground))
			} else {
				out.WriteString(`<mark class="withheld">`)
			}
			marked, relabel, inner = true, false, nil
		}
	)
	out.Grow(len(html) + 64)
	for html != "" {
		r, size := utf8.DecodeRuneInString(html)
		switch {
		case r == spanOpen:
			rest := html[size:]
			j := strings.IndexRune(rest, spanMid)
			if j < 0 {
				html = rest // an opening without its ground: dropped
				continue
			}
			if marked {
				closeAll()
			}
			ground, inSpan = rest[:j], true
			out.WriteString(markOpen(ground))
			marked, relabel, inner = true, false, nil
			html = rest[j+len(string(spanMid)):]
		case r == spanClose:
			if marked {
				// Elements opened inside the span go on after it.
				open := inner
				closeAll()
				for _, e := range open {
					out.WriteString(e.tag)
				}
			}
			inSpan = false
			html = html[size:]
		case r == spanMid:
			html = html[size:]
		case r == '<':
			end := strings.IndexByte(html, '>')
			if end < 0 {
				end = len(html) - 1
			}
			tag := html[:end+1]
			html = html[end+1:]
			name, closing := tagName(tag)
			switch {
			case !inSpan:
			case closing && marked && len(inner) > 0 && inner[len(inner)-1].name == name:
				inner = inner[:len(inner)-1]
			case closing && marked:
				// An element opened before the mark ends: so does the mark.
				closeAll()
				relabel = relabel || !phrasing[name]
			case closing:
			case !phrasing[name]:
				if marked {
					closeAll()
				}
				relabel = true
			case !marked && name != "br":
				reopen()
				inner = append(inner, elem{name, tag})
			case marked && name != "br":
				inner = append(inner, elem{name, tag})
			}
			out.WriteString(tag)
		default:
			n := strings.IndexAny(html, "<"+string(spanOpen)+string(spanMid)+string(spanClose))
			if n < 0 {
				n = len(html)
			}
			text := html[:n]
			html = html[n:]
			if inSpan && !marked && shows(text) {
				reopen()
			}
			out.WriteString(text)
		}
	}
	if marked {
		closeAll()
	}
	return out.String()
}

// shows reports whether a run of HTML text shows anything: a span's words
// after a break open a mark there only if they do, so a block holding only
// a word joiner (a cell's text read back) is not given an empty label.
func shows(text string) bool {
	for _, r := range html.UnescapeString(text) {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// tagName returns the lower-case name of an HTML tag, "<p>" or "</p>", and
// whether it is an end tag.
func tagName(tag string) (string, bool) {
	t := strings.TrimPrefix(tag, "<")
	closing := strings.HasPrefix(t, "/")
	t = strings.TrimPrefix(t, "/")
	n := strings.IndexFunc(t, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') })
	if n < 0 {
		n = len(t)
	}
	return strings.ToLower(t[:n]), closing
}

// markOpen opens a withheld span in the full edition; the span's words and
// "</mark>" follow.
func markOpen(ground string) string {
	return `<mark class="withheld"><span class="ground">[` + template.HTMLEscapeString(ground) + `]</span> `
}

// markGoesOn opens the mark of a withheld span's words in a block after
// the one it began in, labelled again (a reader of that block alone sees
// its ground), its label marked as one that goes on, so a mark that is not
// the span's beginning can be told from one that is.
func markGoesOn(ground string) string {
	return `<mark class="withheld"><span class="ground goes-on">[` + template.HTMLEscapeString(ground) + `]</span> `
}

// prose renders a Markdown text of the round's (its purpose, key messages,
// outcomes, a counterpart's biography) as a paragraph's is rendered: in the
// full edition with its withheld spans highlighted and labelled, in the
// release edition (whose texts are already redacted) as Markdown.
func prose(p *briefing.Pack, md string) template.HTML {
	if p.Edition == briefing.EditionRelease {
		return Markdown(md)
	}
	return Prose(p.Settings, md)
}

// Prose renders a Markdown text of the full edition that is not a
// paragraph (a counterpart's biography, a round's purpose, key messages or
// outcomes) as the pack's full edition does: its withheld spans
// highlighted and labelled with their ground, never as their
// {{ground: words}} markup. The pages show such texts so.
func Prose(s briefing.Settings, md string) template.HTML { return template.HTML(fullText(s, "", md)) }

// markedProse renders a Markdown text of the full edition as prose does,
// portion-marked with marking in its first block as a paragraph is: the
// last round's outcomes, marked with that round's marking.
func markedProse(p *briefing.Pack, md, marking string) template.HTML {
	var b bytes.Buffer
	mark := ""
	if marking != "" {
		mark = p.Settings.PortionMark(marking)
	}
	writePortionMarked(&b, fullText(p.Settings, "", md), mark)
	return template.HTML(b.String())
}

// SpanText renders a plain text of the full edition that may hold withheld
// spans as the pack shows it: escaped, each span highlighted and labelled
// with its ground. The pages show an action's text so.
func SpanText(s briefing.Settings, text string) template.HTML { return spanText(s, text) }

// spanText renders a plain text that may hold withheld spans (a sheet's
// title, an agenda item's title or session, an action's text): escaped,
// each span highlighted and labelled with its ground as in a paragraph. A
// release's texts are already redacted and hold none.
func spanText(s briefing.Settings, text string) template.HTML {
	segs, err := s.ParseSpans(text)
	if err != nil || (len(segs) == 1 && segs[0].Ground == "") {
		return template.HTML(template.HTMLEscapeString(text))
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.Ground == "" {
			b.WriteString(template.HTMLEscapeString(sg.Text))
			continue
		}
		b.WriteString(markOpen(sg.Ground))
		b.WriteString(template.HTMLEscapeString(sg.Text))
		b.WriteString(`</mark>`)
	}
	return template.HTML(b.String())
}

// Warm renders a paragraph's text into the cache, for the full edition and
// the release edition, so the next export of either finds it ready; the
// server calls it when a paragraph is saved, before the save is stored.
// The full text is claimed for the paragraph by the next pack; the release
// text, which no pack can claim, is claimed now: should the save not be
// stored, the stored text's release rendering is made again when a release
// edition next needs it.
func Warm(s briefing.Settings, p briefing.Paragraph) {
	fullText(s, "", p.Text)
	if red, _, err := s.Redact(p.Text); err == nil {
		releaseText(p.ID, red)
	}
}

// WarmStore renders every paragraph of every topic sheet in the store into
// the cache, oldest round first, so the first packs after a start are as
// quick as later ones. It stops when ctx ends and reports how many
// paragraphs it rendered; the cache's bound still applies.
func WarmStore(ctx context.Context, st briefing.Store) (int, error) {
	s, err := st.Settings(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	pages := func(list func(briefing.Page) (string, error)) error {
		pg := briefing.Page{Limit: 200}
		for {
			next, err := list(pg)
			if err != nil || next == "" {
				return err
			}
			pg.After = next
		}
	}
	err = pages(func(pg briefing.Page) (string, error) {
		ds, next, err := st.Dialogues(ctx, pg)
		for _, d := range ds {
			if err == nil {
				err = pages(func(pg briefing.Page) (string, error) {
					rs, next, err := st.Rounds(ctx, d.ID, pg)
					for _, r := range rs {
						if err == nil {
							err = pages(func(pg briefing.Page) (string, error) {
								shs, next, err := st.Sheets(ctx, r.ID, pg)
								for _, sh := range shs {
									for _, sec := range sh.Sections {
										for _, p := range sec.Paragraphs {
											if ctx.Err() != nil {
												return "", ctx.Err()
											}
											Warm(s, p)
											n++
										}
									}
								}
								return next, err
							})
						}
					}
					return next, err
				})
			}
		}
		return next, err
	})
	return n, err
}

// writePortionMarked writes a paragraph's html with the portion mark
// inside its first block.
func writePortionMarked(b *bytes.Buffer, html, mark string) {
	if mark == "" {
		b.WriteString(html)
		return
	}
	at := 0
	for _, open := range []string{"<p>", "<li>", "<h3>", "<h4>", "<td>", "<blockquote>"} {
		if i := strings.Index(html, open); i >= 0 && i < 40 {
			at = i + len(open)
			break
		}
	}
	b.WriteString(html[:at])
	b.WriteString(`<span class="pm">`)
	b.WriteString(template.HTMLEscapeString(mark))
	b.WriteString(`</span> `)
	b.WriteString(html[at:])
}

// Paragraph renders one paragraph of the full edition as the pack shows it:
// portion-marked, with withheld spans and a withheld paragraph flagged.
func Paragraph(s briefing.Settings, p briefing.Paragraph) template.HTML {
	var b bytes.Buffer
	writeParagraph(&b, s, p, "") // a page's, maybe of a text not stored
	return template.HTML(b.String())
}

// writeParagraph writes Paragraph's HTML; slot is the paragraph's id when
// its text is the stored one (see cache), "" otherwise.
func writeParagraph(b *bytes.Buffer, s briefing.Settings, p briefing.Paragraph, slot string) {
	if p.Withhold != "" {
		b.WriteString(`<div class="withheld-para"><span class="ground">[Withheld on release: `)
		b.WriteString(template.HTMLEscapeString(p.Withhold))
		b.WriteString(`]</span>`)
	}
	writePortionMarked(b, fullText(s, slot, p.Text), s.PortionMark(p.Marking))
	if p.Withhold != "" {
		b.WriteString(`</div>`)
	}
}

// releaseText renders the text of a paragraph of the release view, whose
// every withheld word has been replaced by its ground already; slot is
// the paragraph's id when it is rendered as saved (see Warm), "" otherwise.
func releaseText(slot, text string) string {
	return cached("release", slot, text, func() string { return render(stripSentinels.Replace(text)) })
}

// writeReleaseParagraph writes a paragraph of the release view as the pack
// shows it: a paragraph withheld whole marked as such.
func writeReleaseParagraph(b *bytes.Buffer, p briefing.Paragraph) {
	html := releaseText("", p.Text)
	if p.Withhold == "" {
		b.WriteString(html)
		return
	}
	b.WriteString(`<div class="ground-para">`)
	b.WriteString(html)
	b.WriteString(`</div>`)
}
