package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// respondForm is the round page's "Respond to a request": the form as
// filled in, the decision on each part, and a preview once asked for.
type respondForm struct {
	Release   *briefing.Release
	Parts     []respondPart
	Others    string // other documents, one a line: title | decision | grounds | title withheld
	Decisions []string
	Preview   *briefing.Response
	Releases  []*briefing.Release
}

type respondPart struct {
	Name     string
	Decision string
	Grounds  string
}

// newRespondForm is the form for a release, filled from rel.
func newRespondForm(rel *briefing.Release, others string) *respondForm {
	f := &respondForm{Release: rel, Others: others, Decisions: briefing.Decisions}
	for _, k := range briefing.Parts {
		d := rel.Parts[k]
		if d.Decision == "" {
			d.Decision = briefing.DecisionOutOfScope
		}
		f.Parts = append(f.Parts, respondPart{Name: k, Decision: d.Decision, Grounds: strings.Join(d.Grounds, ", ")})
	}
	return f
}

// keepTyped puts back in the parts' boxes the grounds as the lead typed
// them: the release, refused, has dropped those it does not know, and a
// box emptied of a mistyped ground cannot be corrected.
func (f *respondForm) keepTyped(c echo.Context) {
	for i, p := range f.Parts {
		f.Parts[i].Grounds = strings.TrimSpace(c.FormValue("grounds_" + p.Name))
	}
}

// splitGrounds reads a list of grounds typed with commas or spaces.
func splitGrounds(s string) []string {
	out := []string{}
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		out = append(out, g)
	}
	return out
}

// releaseFromForm reads the form: other documents are one a line,
// "title | decision | grounds | title withheld (yes or no)".
func releaseFromForm(c echo.Context) (*briefing.Release, string) {
	rel := &briefing.Release{Reference: c.FormValue("reference"), ReceivedOn: c.FormValue("received_on"),
		Request: strings.ReplaceAll(c.FormValue("request"), "\r\n", "\n"), DecisionMaker: c.FormValue("decision_maker"),
		DecisionMakerTitle: c.FormValue("decision_maker_title"), AsOneDocument: c.FormValue("as_one_document") == "on",
		Parts: map[string]briefing.PartDecision{}}
	for _, k := range briefing.Parts {
		rel.Parts[k] = briefing.PartDecision{Decision: c.FormValue("part_" + k), Grounds: splitGrounds(c.FormValue("grounds_" + k))}
	}
	others := strings.ReplaceAll(c.FormValue("other_documents"), "\r\n", "\n")
	for _, line := range strings.Split(others, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "|")
		for len(cols) < 4 {
			cols = append(cols, "")
		}
		o := briefing.OtherDocument{Title: strings.TrimSpace(cols[0]), Decision: strings.TrimSpace(cols[1]), Grounds: splitGrounds(cols[2])}
		switch strings.ToLower(strings.TrimSpace(cols[3])) {
		case "yes", "y", "true":
			o.TitleWithheld = &[]bool{true}[0]
		case "no", "n", "false":
			o.TitleWithheld = &[]bool{false}[0]
		}
		rel.OtherDocuments = append(rel.OtherDocuments, o)
	}
	return rel, others
}

// handleReleaseForm is POST /rounds/:id/releases: "Preview" shows the
// letter and schedule on the round page; "Make the release" freezes it.
func (s *Pages) handleReleaseForm(c echo.Context) error {
	rel, others := releaseFromForm(c)
	// A lead who no longer sees the whole round (a paragraph raised above
	// them since their page was sent) has no release form to show it again
	// in: their letter, refused on a field first, was answered 500 there.
	// They are told why, as the API would (403), on the round's page.
	partial := func(rp *roundPage) bool {
		if rp.Respond != nil {
			return false
		}
		rp.Error = &formError{Message: "Not done: a release is made only by someone who sees the whole round, and parts of it are now above your clearance."}
		rp.Status = http.StatusForbidden
		return true
	}
	if c.FormValue("op") != "make" {
		resp, err := s.api.BuildResponse(c, c.Param("id"), rel)
		if err != nil && !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN {
			return err
		}
		status := http.StatusOK
		if err != nil {
			status = formStatus(err)
		}
		return s.showRound(c, status, func(rp *roundPage) {
			if partial(rp) {
				return
			}
			rp.Error = toFormError(err)
			f := newRespondForm(rel, others)
			f.Releases = rp.Respond.Releases
			if err == nil {
				f.Preview = resp
			} else {
				f.keepTyped(c)
			}
			rp.Respond = f
		})
	}
	if err := s.api.MakeRelease(c, c.Param("id"), rel); err != nil {
		if !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN {
			return err
		}
		return s.showRound(c, formStatus(err), func(rp *roundPage) {
			if partial(rp) {
				return
			}
			rp.Error = toFormError(err)
			f := newRespondForm(rel, others)
			f.Releases = rp.Respond.Releases
			f.keepTyped(c)
			rp.Respond = f
		})
	}
	return redirect(c, "/rounds/"+c.Param("id")+"#releases", "Release "+strconv.Itoa(rel.Number)+" made: "+rel.Reference+".")
}

// loadReleases fills the round page's release form and list, for leads.
func (s *Pages) loadReleases(v *view, rp *roundPage) error {
	if !v.User.Role.AtLeast(briefing.RoleLead) || !rp.WholeRound {
		return nil // a release is made, and seen, only by someone who sees the whole round
	}
	rp.Respond = newRespondForm(&briefing.Release{}, "")
	return eachPage(func(p briefing.Page) ([]*briefing.Release, string, error) { return v.Releases(v.Ctx, rp.R.ID, p) },
		func(r *briefing.Release) (bool, error) {
			rp.Respond.Releases = append(rp.Respond.Releases, r)
			return true, nil
		})
}
