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
