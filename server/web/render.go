package web

import (
	"html/template"
	"unicode/utf8"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
)

// paragraphHTML renders a paragraph of the full edition exactly as the pack
// does: portion mark, Markdown, and withheld spans flagged with their ground.
func (s *Pages) paragraphHTML(p briefing.Paragraph) template.HTML {
	return htmlpack.Paragraph(s.settings, p)
}

// previewHTML renders a paragraph of the editor's working copy as the pack
// would, unless a save would refuse its text as too long or as asking too
// much of the Markdown reader (briefing.MarkdownTooSlow): a text no pack
// will hold is not laid out to be shown, and the field's message says why.
func (s *Pages) previewHTML(p briefing.Paragraph) template.HTML {
	if utf8.RuneCountInString(p.Text) > briefing.MaxParagraphText || s.settings.MarkdownTooSlow(p.Text) != "" {
		return `<p class="muted small">Not previewed: a save would refuse this paragraph as it is.</p>`
	}
	return s.paragraphHTML(p)
}

// spanHTML renders a plain text that may hold withheld spans (an action's
// text) exactly as the pack does: each span highlighted and labelled with
// its ground, never as its {{ground: words}} markup.
func (s *Pages) spanHTML(text string) template.HTML { return htmlpack.SpanText(s.settings, text) }

// proseHTML renders a Markdown text that is not a paragraph (a person's
// biography, a round's purpose, key messages and outcomes) exactly as the
// pack's full edition does: withheld spans highlighted and labelled with
// their ground, never shown as their {{ground: words}} markup.
func (s *Pages) proseHTML(md string) template.HTML { return htmlpack.Prose(s.settings, md) }
