package web

import (
	"html/template"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
)

// markdown renders Markdown exactly as the pack does: blackfriday, then
// bluemonday with the pack's policy.
func (s *Pages) markdown(md string) template.HTML { return htmlpack.Markdown(md) }

// paragraphHTML renders a paragraph of the full edition exactly as the pack
// does: portion mark, Markdown, and withheld spans flagged with their ground.
func (s *Pages) paragraphHTML(p briefing.Paragraph) template.HTML {
	return htmlpack.Paragraph(s.settings, p)
}

// spanHTML renders a plain text that may hold withheld spans (an action's
// text) exactly as the pack does: each span highlighted and labelled with
// its ground, never as its {{ground: words}} markup.
func (s *Pages) spanHTML(text string) template.HTML { return htmlpack.SpanText(s.settings, text) }
