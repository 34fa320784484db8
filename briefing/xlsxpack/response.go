package xlsxpack

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
)

// sheetLetter is the worksheet of a response's letter.
const sheetLetter = "Letter"

// RenderResponse writes a response to a request as one workbook: the cover,
// the letter, the schedule, then the released parts of the pack.
func RenderResponse(w io.Writer, r *briefing.Response) error {
	p := r.Released
	f := excelize.NewFile()
	defer f.Close()
	wr := &writer{f: f, p: p, rel: true, withheld: r.WithheldInFull()}
	f.SetZipWriter(wr.zipWriter)
	if err := wr.styles(); err != nil {
		return err
	}
	line := "Released under the " + p.Settings.Act
	hf := "&C&\"-,Bold\"" + strings.ReplaceAll(line, "&", "&&")
	wr.hf = &excelize.HeaderFooterOptions{OddHeader: hf, OddFooter: hf + "&R&P / &N"}

	released := func(part string) bool {
		d := r.Release.Parts[part].Decision
		return d == briefing.DecisionReleased || d == briefing.DecisionReleasedInPart
	}
	steps := []func() error{wr.cover, func() error { return wr.letter(r) }, func() error { return wr.responseSchedule(r) }}
	if released("agenda") {
		steps = append(steps, wr.agenda)
	}
	if released("delegations") {
		steps = append(steps, wr.delegations)
	}
	if released("biographies") {
		steps = append(steps, wr.biographies)
	}
	steps = append(steps, wr.topics, wr.sheets)
	if released("actions") {
		steps = append(steps, wr.actions)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("xlsxpack: %w", err)
		}
	}
	at := p.GeneratedAt.UTC().Format(time.RFC3339)
	title := fmt.Sprintf("Response to %s – %s", r.Release.Reference, p.Dialogue.Name)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "briefpack", LastModifiedBy: "briefpack",
		Created: at, Modified: at, Language: "en"}); err != nil {
		return fmt.Errorf("xlsxpack: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsxpack: write: %w", err)
	}
	return nil
}

// letterWidth is the width of the letter's one column: narrow enough for
// A4 upright as it is. LibreOffice fits no worksheet of one column to the
// page's width (one column is one page wide to it, however wide), and
// printed each line's last words off the page at 100, and at 80 too.
const letterWidth = 70

// letter writes the response's letter, a paragraph a row, and a paragraph
// longer than a row holds in the rows below.
func (wr *writer) letter(r *briefing.Response) error {
	sw, err := wr.stream(sheetLetter, []float64{letterWidth}, false, 0)
	if err != nil {
		return err
	}
	rel := r.Release
	act := r.Settings.Act
	lines := []string{
		r.Released.GeneratedAt.UTC().Format("2 January 2006"),
		"Ref: " + rel.Reference,
		act + " request relating to " + r.Released.Dialogue.Name,
		"Thank you for your " + act + " (the Act) request received on " + longDate(rel.ReceivedOn) + ". You requested:",
	}
	lines = append(lines, strings.Split(rel.Request, "\n")...)
	lines = append(lines, r.Count)
	lines = append(lines, r.Decisions...)
	if len(r.Grounds) > 0 {
		lines = append(lines, "The grounds under which information has been withheld are:")
		lines = append(lines, r.Grounds...)
	}
	lines = append(lines, r.Review, "Yours sincerely", rel.DecisionMaker)
	if rel.DecisionMakerTitle != "" {
		lines = append(lines, rel.DecisionMakerTitle)
	}
	n := 1
	for _, l := range lines {
		pieces := rowPieces(l, letterWidth)
		if len(pieces) == 0 {
			pieces = []string{""}
		}
		for _, piece := range pieces {
			if err := sw.SetRow(row(n), []any{wr.text(piece)}); err != nil {
				return err
			}
			n++
		}
	}
	return sw.Flush()
}

// longDate writes a YYYY-MM-DD date as a letter does, "7 February 2022".
func longDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// responseSchedule writes the response's schedule of documents.
func (wr *writer) responseSchedule(r *briefing.Response) error {
	sw, err := wr.stream(sheetSchedule, []float64{6, 50, 20, 24}, true, 0)
	if err != nil {
		return err
	}
	if err := wr.headerRow(sw, "No.", "Document", "Decision", "Grounds"); err != nil {
		return err
	}
	for i, e := range r.Entries {
		gs := make([]string, len(e.Grounds))
		for j, g := range e.Grounds {
			gs[j] = r.Settings.GroundDisplay(g)
		}
		if err := sw.SetRow(row(i+2), []any{e.Number, wr.text(e.Title), wr.text(decisionText(e.Decision)), wr.text(strings.Join(gs, ", "))}); err != nil {
			return err
		}
	}
	if err := sw.SetRow(row(len(r.Entries)+3), []any{nil, wr.text(r.Count)}); err != nil {
		return err
	}
	return sw.Flush()
}

// decisionText is a decision as a schedule writes it.
func decisionText(d string) string {
	switch d {
	case briefing.DecisionReleased:
		return "Released in full"
	case briefing.DecisionReleasedInPart:
		return "Released in part"
	case briefing.DecisionWithheld:
		return "Withheld in full"
	}
	return "Out of scope"
}
