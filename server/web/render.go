package web

import (
	"html/template"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
)

// paragraphHTML renders a paragraph of the full edition exactly as the pack
// does: portion mark, Markdown, and withheld spans flagged with their ground.
func (s *Pages) paragraphHTML(p briefing.Paragraph) template.HTML {
	return htmlpack.Paragraph(s.settings, p)
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
