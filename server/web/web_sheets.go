package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server/api"
)

// pageVersion is a version in the sheet page's list: Whole when the reader
// is cleared for all of it, so that it is theirs to restore.
type pageVersion struct {
	api.VersionJSON
	Whole bool
}

// sheetPage shows one topic sheet as the pack will.
type sheetPage struct {
	Sheet    *briefing.Sheet
	Round    *briefing.Round
	Dialogue *briefing.Dialogue
	Versions []pageVersion
	// Later are the dialogue's other rounds, to roll the sheet forward into.
	Later []*briefing.Round
	// Changes are what changed since the sheet it was rolled forward from.
	Changes []briefing.ParagraphChange
	// Error is why a roll-forward was refused.
	Error *formError
	// Comments are the review comments the reader may see, oldest first,
	// with the number of the paragraph each is on.
	Comments []pageComment
	// Paragraphs are the sheet's paragraphs, numbered, to comment on.
	Paragraphs []pageParagraph
	// Comment is a comment refused, shown again in its form as it was
	// typed, with CommentError saying why.
	Comment      *briefing.Comment
	CommentError *formError
	// Whole is whether the reader sees all of the sheet: only then may
	// they submit, clear, return or delete it, and the page offers it.
	Whole bool
	// Review is a lead's Clear or Return refused (the sheet saved since,
	// say), shown again in the review form as typed, with why.
	Review *reviewForm
}

// reviewForm is a review decision's form as sent, and why it was refused.
type reviewForm struct {
	Comment string
	// Back is the page the form was sent from, where it goes back to
	// when sent again and done.
	Back  string
	Error *formError
}

// pageComment is a review comment with the place of its paragraph.
type pageComment struct {
	*briefing.Comment
	Where string // "Situational assessment, paragraph 2", or "a paragraph since removed"
}

// pageParagraph is a paragraph to choose for a comment.
type pageParagraph struct {
	ID, Where, Marking string
}

// sheetComments returns the comments on a sheet the reader may see, each
// placed, and the sheet's paragraphs numbered.
func (s *Pages) sheetComments(v *view, sh *briefing.Sheet) ([]pageComment, []pageParagraph, error) {
	where := map[string]string{}
	var paras []pageParagraph
	for _, sec := range sh.Sections {
		for j, p := range sec.Paragraphs {
			w := fmt.Sprintf("%s, paragraph %d", sec.Heading, j+1)
			where[p.ID] = w
			paras = append(paras, pageParagraph{ID: p.ID, Where: w, Marking: p.Marking})
		}
	}
	var out []pageComment
	err := eachPage(func(p briefing.Page) ([]*briefing.Comment, string, error) { return v.Comments(v.Ctx, sh.ID, p) },
		func(cm *briefing.Comment) (bool, error) {
			w := where[cm.ParagraphID]
			if w == "" {
				w = "a paragraph since removed"
			}
			out = append(out, pageComment{Comment: cm, Where: w})
			return true, nil
		})
	return out, paras, err
}

// commentsMarking is marking raised to that of each comment shown: a
// comment may be marked above its paragraph, and a page showing it is
// marked by it.
func (s *Pages) commentsMarking(marking string, shown []pageComment) string {
	for _, cm := range shown {
		marking = s.settings.Highest(marking, cm.Marking)
	}
	return marking
}

// changesMarking is marking raised to what a list of changes from an
// older text, other, shows of it: its words where a paragraph was changed
// or removed (an added one is the newer text's).
func (s *Pages) changesMarking(marking string, other *briefing.Sheet, changes []briefing.ParagraphChange) string {
	for _, ch := range changes {
		if ch.Change != briefing.ChangeAdded {
			return s.settings.Highest(marking, s.settings.SheetMarking(other))
		}
	}
	return marking
}

func (s *Pages) handleSheetPage(c echo.Context) error {
	return s.showSheet(c, http.StatusOK, nil)
}

// showSheet shows the sheet page with status, adjust (when not nil)
// adding to it what a refused form needs shown again.
func (s *Pages) showSheet(c echo.Context, status int, adjust func(*sheetPage)) error {
	v := s.view(c)
	sh, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	r, err := v.RoundByID(sh.RoundID)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	vs, err := allSheetVersions(v, sh.ID)
	if err != nil {
		return err
	}
	stored, err := v.St.Sheet(v.Ctx, sh.ID)
	if err != nil {
		return err
	}
	sp := sheetPage{Sheet: sh, Round: r, Dialogue: d, Whole: v.Set.HoldsOnly(v.User.Clearance, stored)}
	if sp.Comments, sp.Paragraphs, err = s.sheetComments(v, sh); err != nil {
		return err
	}
	err = eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
		func(x *briefing.Round) (bool, error) {
			if x.Number > r.Number {
				sp.Later = append(sp.Later, x)
			}
			return true, nil
		})
	if err != nil {
		return err
	}
	marking := s.commentsMarking(sh.Marking, sp.Comments)
	if sh.PredecessorID != "" {
		if prev, err := v.SheetByID(sh.PredecessorID); err == nil {
			sp.Changes = api.Changed(briefing.DiffSheets(prev, sh))
			marking = s.changesMarking(marking, prev, sp.Changes)
		}
	}
	for i := len(vs) - 1; i >= 0; i-- {
		sp.Versions = append(sp.Versions, pageVersion{VersionJSON: api.VersionJSON{Version: vs[i].Version, At: vs[i].Record.At, By: vs[i].Record.By, Title: vs[i].Title, Marking: vs[i].Marking}, Whole: vs[i].Whole})
	}
	if adjust != nil {
		adjust(&sp)
	}
	return s.page(c, status, "sheet", sh.Title, marking, sp)
}

// editorPage is the topic-sheet editor: the working copy, which may hold
// unsaved changes, with the reasons a save was refused.
type editorPage struct {
	Sheet    *briefing.Sheet
	Round    *briefing.Round
	Dialogue *briefing.Dialogue
	Error    *formError
	// Stale is the sheet as saved now, as the reader may see it, when a
	// save was refused for what others saved since the writer's version.
	Stale   *briefing.Sheet
	Preview bool
	Dirty   bool
	Kinds   []string
	// Conflicts are the paragraphs (and fields) both the writer and someone
	// else changed since the writer's version, by paragraph id or field name,
	// shown side by side with a choice; Theirs names who made the other changes.
	Conflicts map[string]briefing.Conflict
	Theirs    string
	// Comments are the open review comments on each paragraph, by its id.
	Comments map[string][]pageComment
	// Present are the others who have had the sheet open in the last few minutes.
	Present []briefing.Presence
	// Whole says the reader sees all of the sheet as stored: only then may
	// they submit it (a submit is refused on content above them).
	Whole bool
	// Kept is when the writer's working copy of the sheet, kept on the
	// server and not shown on this page, was last changed: the page
	// without scripts offers it back (the script's own note does so
	// otherwise), as a save from this page removes it.
	Kept *time.Time
	// Floor is the lowest the page's marking may be, whatever the working
	// copy holds: the round's, or what else the page shows (Stale).
	Floor string
}

// PresentNames are the names of those Present, which the page's script
// tells the server it knows when it asks to hear of a change.
func (e editorPage) PresentNames() []string {
	names := []string{}
	for _, p := range e.Present {
		names = append(names, p.User)
	}
	return names
}

// ConflictFor returns the conflict on a paragraph id or field, if any.
func (e editorPage) ConflictFor(key string) *briefing.Conflict {
	if c, ok := e.Conflicts[key]; ok {
		return &c
	}
	return nil
}

// Place names where a conflict (by its key in Conflicts) stands in the
// working copy, as the page labels it: "Section 2, paragraph 3",
// "Section 1, heading", "Title". The conflict's own path counts from 0 in
// the sheet as the writer sent it, before what others saved was merged in.
func (e editorPage) Place(key string) string {
	switch key {
	case "title":
		return "Title"
	case "withhold":
		return "Withholding of the whole sheet"
	}
	if i, ok := headingChoice(key); ok && i < len(e.Sheet.Sections) {
		return headingPlace(i)
	}
	for i, sec := range e.Sheet.Sections {
		for j, p := range sec.Paragraphs {
			if p.ID != "" && p.ID == key {
				return paragraphPlace(i, j)
			}
		}
	}
	if c, ok := e.Conflicts[key]; ok {
		return c.Path
	}
	return key
}

// DeletedByYou reports whether the conflict on a paragraph is one the
// writer deleted and someone else changed since: the working copy holds
// their text in its place, to keep or delete.
func (e editorPage) DeletedByYou(id string) bool {
	c, ok := e.Conflicts[id]
	return ok && c.ID != "" && c.Mine == nil && c.Theirs != nil
}

// FieldError returns the message for a field of the working copy, if any.
func (e editorPage) FieldError(name string) string {
	if e.Error == nil {
		return ""
	}
	return e.Error.Fields[name]
}

// handleEditorPage is GET /sheets/:id/edit: the sheet as stored, or with
// ?working=1 the writer's working copy, kept as their draft by the change
// they last made in the editor (with &preview=1, previewed and checked as a
// save would check it). A working copy no longer kept (saved since, or
// discarded) gives the sheet as stored, saying so.
func (s *Pages) handleEditorPage(c echo.Context) error {
	v := s.view(c)
	sh, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	ep := &editorPage{Sheet: sh, Preview: c.QueryParam("preview") == "1"}
	if c.QueryParam("working") == "1" {
		working, err := s.workingCopy(v, sh)
		if err != nil {
			return err
		}
		if working == nil {
			to := "/sheets/" + sh.ID + "/edit"
			if ep.Preview {
				to += "?preview=1"
			}
			flash(c, "warning", "Your working copy is no longer kept (it was saved or discarded): this is the sheet as saved.")
			return c.Redirect(http.StatusSeeOther, to)
		}
		ep.Sheet, ep.Dirty = working, true
		if ep.Preview {
			ep.Error = toFormError(working.Validate(s.settings))
		}
		working.Marking = s.settings.SheetMarking(working)
	} else {
		d, err := s.api.Draft(v, sh.ID)
		switch {
		case briefing.ErrorCode(err) == briefing.ENOTFOUND:
		case err != nil:
			return err
		default:
			if _, whole := d.Fields["n"]; whole {
				ep.Kept = &d.At
			}
		}
	}
	return s.showEditor(c, v, http.StatusOK, ep)
}

// workingCopy returns the writer's working copy of a sheet, kept whole as
// their draft (its form's fields, sections and paragraph ids included), or
// nil when none is: no draft, one holding only what was typed, or one whose
// counts disagree with its fields.
func (s *Pages) workingCopy(v *view, cur *briefing.Sheet) (*briefing.Sheet, error) {
	d, err := s.api.Draft(v, cur.ID)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if _, whole := d.Fields["n"]; !whole {
		return nil, nil
	}
	sh, err := sheetFromFields(func(name string) (string, bool) { v, ok := d.Fields[name]; return v, ok }, cur.ID, cur.RoundID)
	if err != nil {
		return nil, nil // not whole after all: shown, a save from it would cut the sheet short
	}
	sh.Version = d.Version // the version the editor was opened at: a save merges against it
	return sh, nil
}

func (s *Pages) showEditor(c echo.Context, v *view, status int, ep *editorPage) error {
	r, err := v.RoundByID(ep.Sheet.RoundID)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	ep.Round, ep.Dialogue, ep.Kinds = r, d, briefing.SectionKinds
	comments, _, err := s.sheetComments(v, ep.Sheet)
	if err != nil {
		return err
	}
	ep.Comments = map[string][]pageComment{}
	for _, cm := range comments {
		if !cm.Resolved {
			ep.Comments[cm.ParagraphID] = append(ep.Comments[cm.ParagraphID], cm)
		}
	}
	if ep.Present, err = s.api.Present(v, ep.Sheet.ID); err != nil {
		return err
	}
	stored, err := v.St.Sheet(v.Ctx, ep.Sheet.ID)
	if err != nil {
		return err
	}
	ep.Whole = v.Set.HoldsOnly(v.User.Clearance, stored)
	ep.Sheet.Headings(d.Home, d.Partner)
	ep.Floor = r.Marking
	if ep.Stale != nil {
		// Shown too, it marks the page as much as the round does.
		ep.Stale.Headings(d.Home, d.Partner)
		ep.Floor = s.settings.Highest(ep.Floor, s.settings.SheetMarking(ep.Stale))
	}
	marking := s.settings.Highest(ep.Floor, s.settings.SheetMarking(ep.Sheet))
	for _, sec := range ep.Sheet.Sections {
		for _, p := range sec.Paragraphs {
			marking = s.commentsMarking(marking, ep.Comments[p.ID])
		}
	}
	// A conflict shows each side of a paragraph: as it was, theirs and
	// the writer's, each with its own marking.
	for _, cf := range ep.Conflicts {
		for _, side := range []any{cf.Base, cf.Theirs, cf.Mine} {
			if p, ok := side.(*briefing.Paragraph); ok && p != nil {
				marking = s.settings.Highest(marking, p.Marking)
			}
		}
	}
	return s.page(c, status, "editor", "Edit: "+ep.Sheet.Title, marking, ep)
}

// sheetFromForm reads the editor's working copy from the form, or says why
// the form cannot be read whole.
func sheetFromForm(c echo.Context, id, roundID string) (*briefing.Sheet, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, fmt.Errorf("it could not be read")
	}
	return sheetFromFields(func(name string) (string, bool) {
		vs, ok := form[name]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return vs[0], true
	}, id, roundID)
}

// sheetFromFields reads a working copy from the editor's fields by name,
// as the form sends them or a draft keeps them, each with whether it is
// there at all. The counts of sections and of each section's paragraphs
// must be whole numbers with every field they count beside them, and no
// more: a form that did not arrive whole is refused, never read as the sheet
// without what is missing, which a save would then delete.
func sheetFromFields(field func(name string) (string, bool), id, roundID string) (*briefing.Sheet, error) {
	get := func(name string) string { v, _ := field(name); return v }
	has := func(names ...string) bool {
		for _, name := range names {
			if _, ok := field(name); !ok {
				return false
			}
		}
		return true
	}
	if !has("title", "withhold", "status", "owner_id", "n") {
		return nil, fmt.Errorf("it lacks the sheet's own fields")
	}
	sh := &briefing.Sheet{Meta: briefing.Meta{ID: id}, RoundID: roundID, Title: get("title"),
		Withhold: get("withhold"), Status: get("status"), OwnerID: get("owner_id"),
		Sections: []briefing.Section{}} // none counted is a sheet emptied, not one whose sections were left out
	sh.Version, _ = strconv.Atoi(get("version"))
	n, ok := formCount(get("n"))
	if !ok {
		return nil, fmt.Errorf("its count of sections, %q, is not a number", get("n"))
	}
	sectionAt := func(i int) string { return fmt.Sprintf("s%d.", i) }
	paragraphAt := func(i, j int) string { return fmt.Sprintf("s%d.p%d.", i, j) }
	for i := 0; i < n; i++ {
		pre := sectionAt(i)
		if !has(pre+"kind", pre+"heading", pre+"n") {
			return nil, fmt.Errorf("it counts %d sections but holds %d", n, i)
		}
		sec := briefing.Section{Kind: get(pre + "kind"), Heading: get(pre + "heading"), Paragraphs: []briefing.Paragraph{}}
		m, ok := formCount(get(pre + "n"))
		if !ok {
			return nil, fmt.Errorf("its count of paragraphs in section %d, %q, is not a number", i+1, get(pre+"n"))
		}
		for j := 0; j < m; j++ {
			pp := paragraphAt(i, j)
			if !has(pp+"id", pp+"text", pp+"marking", pp+"withhold") {
				return nil, fmt.Errorf("it counts %d paragraphs in section %d but holds %d", m, i+1, j)
			}
			sec.Paragraphs = append(sec.Paragraphs, briefing.Paragraph{ID: get(pp + "id"), Text: get(pp + "text"),
				Marking: get(pp + "marking"), Withhold: get(pp + "withhold")})
		}
		if pp := paragraphAt(i, m); has(pp+"id") || has(pp+"text") {
			return nil, fmt.Errorf("it holds more paragraphs in section %d than the %d it counts", i+1, m)
		}
		sh.Sections = append(sh.Sections, sec)
	}
	if pre := sectionAt(n); has(pre+"kind") || has(pre+"n") {
		return nil, fmt.Errorf("it holds more sections than the %d it counts", n)
	}
	return sh, nil
}

// sheetGone answers an editor's form for a sheet no longer there for its
// writer (deleted, or marked above them, since the editor was opened) with
// the texts the form holds, to copy elsewhere: the page without scripts
// keeps them nowhere else. They are what the writer's own page sent.
func (s *Pages) sheetGone(c echo.Context) error {
	type typed struct{ Label, Text string }
	var texts []typed
	if sh, err := sheetFromForm(c, c.Param("id"), ""); err == nil {
		if strings.TrimSpace(sh.Title) != "" {
			texts = append(texts, typed{"Title", sh.Title})
		}
		for i, sec := range sh.Sections {
			if strings.TrimSpace(sec.Heading) != "" {
				texts = append(texts, typed{headingPlace(i), sec.Heading})
			}
			for j, p := range sec.Paragraphs {
				if strings.TrimSpace(p.Text) != "" {
					texts = append(texts, typed{paragraphPlace(i, j), p.Text})
				}
			}
		}
	}
	body := map[string]any{"Title": "Not saved: the topic sheet is not there",
		"Message": "This topic sheet is no longer there for you: since you opened it, it was deleted, or marked above your clearance. Nothing was saved.",
		"Typed":   texts}
	return s.page(c, http.StatusNotFound, "error", "Not saved", "", body)
}

// addSection adds to the working copy the section the form's "Add a
// section" fields name: its kind (custom by default) and heading.
func addSection(c echo.Context, sh *briefing.Sheet) {
	kind := c.FormValue("new_kind")
	if kind == "" {
		kind = briefing.SectionCustom
	}
	sh.Sections = append(sh.Sections, briefing.Section{Kind: kind, Heading: c.FormValue("new_heading"), Paragraphs: []briefing.Paragraph{}})
}

// paragraphPlace and headingPlace name a place in a sheet as the editor
// labels it, counting from 1.
func paragraphPlace(i, j int) string { return fmt.Sprintf("Section %d, paragraph %d", i+1, j+1) }
func headingPlace(i int) string      { return fmt.Sprintf("Section %d, heading", i+1) }

// editorFields are a working copy as the editor's form holds it, field by
// field: what sheetFromFields reads back. The version is kept beside them.
func editorFields(sh *briefing.Sheet) map[string]string {
	f := map[string]string{"title": sh.Title, "withhold": sh.Withhold, "status": sh.Status, "owner_id": sh.OwnerID,
		"n": strconv.Itoa(len(sh.Sections))}
	for i, sec := range sh.Sections {
		pre := fmt.Sprintf("s%d.", i)
		f[pre+"kind"], f[pre+"heading"], f[pre+"n"] = sec.Kind, sec.Heading, strconv.Itoa(len(sec.Paragraphs))
		for j, p := range sec.Paragraphs {
			pp := fmt.Sprintf("%sp%d.", pre, j)
			f[pp+"id"], f[pp+"text"], f[pp+"marking"], f[pp+"withhold"] = p.ID, p.Text, p.Marking, p.Withhold
		}
	}
	return f
}

// formCount reads a count the editor's form sends beside what it counts: a
// whole number, none below zero.
func formCount(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// handleEditorForm is POST /sheets/:id/edit. Moving, adding and deleting
// paragraphs and sections change the working copy, which is kept as the
// writer's draft and shown again by a redirect to GET ?working=1, at what
// was acted on: a refresh shows it again and never sends the change twice.
// Only Save (or Save and submit) writes the sheet, against the version the
// editor was opened at, so someone else's save in between is never
// overwritten unseen; a refused save is shown in the answer itself.
func (s *Pages) handleEditorForm(c echo.Context) error {
	v := s.view(c)
	cur, err := v.SheetByID(c.Param("id"))
	if briefing.ErrorCode(err) == briefing.ENOTFOUND {
		return s.sheetGone(c)
	}
	if err != nil {
		return err
	}
	sh, err := sheetFromForm(c, cur.ID, cur.RoundID)
	if err != nil {
		// Read as it came, the working copy would lack what the form did not
		// bring, and a save (or a draft saved later) would delete it: the sheet
		// as stored is shown instead, nothing changed.
		ep := &editorPage{Sheet: cur, Error: &formError{Message: "Nothing was changed: the editor's form did not arrive whole (" +
			err.Error() + "). This is the sheet as saved; make your change again."}}
		return s.showEditor(c, v, http.StatusBadRequest, ep)
	}
	ep := &editorPage{Sheet: sh, Dirty: true}
	op := c.FormValue("op")
	name, args, _ := strings.Cut(op, ":")
	idx := func(k int) int {
		parts := strings.Split(args, ":")
		if k >= len(parts) {
			return -1
		}
		n, err := strconv.Atoi(parts[k])
		if err != nil {
			return -1
		}
		return n
	}
	// A change made on the conflict page (a paragraph added, a preview)
	// keeps the choices made there in the working copy it keeps: lost, the
	// save after it put the writer's text back over what they chose to take.
	saving := name == "save" || name == "submit"
	if !saving {
		if err := s.applyChoices(c, v, sh, headingChoices); err != nil {
			return err
		}
	}
	i, j := idx(0), idx(1)
	secOK := i >= 0 && i < len(sh.Sections)
	paraOK := secOK && j >= 0 && j < len(sh.Sections[i].Paragraphs)
	// at is the anchor of what was acted on, where it stands now: a
	// section ("s2") or a paragraph ("s2-p3"), as the editor names them.
	section := func(i int) string { return fmt.Sprintf("s%d", i) }
	para := func(i, j int) string { return fmt.Sprintf("s%d-p%d", i, j) }
	at := ""
	switch {
	case name == "add-para" && secOK:
		// A new paragraph starts at its round's marking, as the API, the
		// workbook and a brief give one: the lowest would be a guess downward.
		marking := s.settings.Lowest()
		if r, err := v.RoundByID(cur.RoundID); err == nil && r.Marking != "" {
			marking = r.Marking
		}
		sh.Sections[i].Paragraphs = append(sh.Sections[i].Paragraphs, briefing.Paragraph{Marking: marking})
		at = para(i, len(sh.Sections[i].Paragraphs)-1)
	case name == "del-para" && paraOK:
		ps := sh.Sections[i].Paragraphs
		sh.Sections[i].Paragraphs = append(ps[:j], ps[j+1:]...)
		switch n := len(sh.Sections[i].Paragraphs); {
		case j < n:
			at = para(i, j) // the one that took its place
		case n > 0:
			at = para(i, n-1)
		default:
			at = section(i)
		}
	case name == "up-para" && paraOK && j > 0:
		ps := sh.Sections[i].Paragraphs
		ps[j-1], ps[j] = ps[j], ps[j-1]
		at = para(i, j-1)
	case name == "down-para" && paraOK && j < len(sh.Sections[i].Paragraphs)-1:
		ps := sh.Sections[i].Paragraphs
		ps[j+1], ps[j] = ps[j], ps[j+1]
		at = para(i, j+1)
	case name == "add-section":
		addSection(c, sh)
		at = section(len(sh.Sections) - 1)
	case name == "del-section" && secOK:
		sh.Sections = append(sh.Sections[:i], sh.Sections[i+1:]...)
		if n := len(sh.Sections); n > 0 {
			at = section(min(i, n-1))
		}
	case name == "up-section" && secOK && i > 0:
		sh.Sections[i-1], sh.Sections[i] = sh.Sections[i], sh.Sections[i-1]
		at = section(i - 1)
	case name == "down-section" && secOK && i < len(sh.Sections)-1:
		sh.Sections[i+1], sh.Sections[i] = sh.Sections[i], sh.Sections[i+1]
		at = section(i + 1)
	case saving:
		return s.saveEditor(c, v, cur, ep, name == "submit")
	}
	if err := s.applyChoices(c, v, sh, otherChoices); err != nil {
		return err
	}
	d := &briefing.Draft{Version: sh.Version, Fields: editorFields(sh)}
	if err := s.api.KeepDraft(v, cur.ID, d); err != nil {
		code := briefing.ErrorCode(err)
		if code != briefing.EINVALID && code != briefing.EFORBIDDEN {
			return err
		}
		// Not kept (a marking above the writer's clearance, or more than a
		// draft holds): the working copy is shown here, as a refused save is.
		ep.Error = toFormError(err)
		ep.Error.Message = "Your working copy could not be kept: " + ep.Error.Message
		status := http.StatusUnprocessableEntity
		if code == briefing.EFORBIDDEN {
			status = http.StatusForbidden
		}
		return s.showEditor(c, v, status, ep)
	}
	to := "/sheets/" + cur.ID + "/edit?working=1"
	if name == "preview" {
		to += "&preview=1"
	}
	if at != "" {
		to += "#" + at
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// saveEditor saves the working copy; on any refusal the editor is shown
// again with the user's text intact and the reason.
func (s *Pages) saveEditor(c echo.Context, v *view, cur *briefing.Sheet, ep *editorPage, submit bool) error {
	sh := ep.Sheet
	// A paragraph added and left empty is dropped rather than refused: nothing typed is lost.
	for i := range sh.Sections {
		ps := sh.Sections[i].Paragraphs[:0]
		for _, p := range sh.Sections[i].Paragraphs {
			if strings.TrimSpace(p.Text) != "" {
				ps = append(ps, p)
			}
		}
		sh.Sections[i].Paragraphs = ps
	}
	// A new section's heading typed and not added is added: Enter in it
	// presses the form's default button, Save, where the page's script does
	// not make it press Add section. Nothing typed is lost.
	if strings.TrimSpace(c.FormValue("new_heading")) != "" {
		addSection(c, sh)
	}
	if err := s.applyChoices(c, v, sh, allChoices); err != nil {
		return err
	}
	opened := sh.Status // as the page had it: the status of the version the writer started from
	m, err := s.api.MergeSheet(v, cur.ID, sh)
	if err != nil {
		switch briefing.ErrorCode(err) {
		case briefing.ECONFLICT:
			return s.showConflicts(c, v, ep, err)
		case briefing.EINVALID, briefing.EFORBIDDEN, briefing.ESTALE:
			// The page comes back with the writer's text on it, whatever
			// refused the save: a sheet saved again and again by others
			// while this one was merged (ESTALE) included.
			ep.Error = toFormError(err)
			ep.Error.Message = "Not saved: " + ep.Error.Message
			if api.SavedSince(err) {
				// Refused for what others saved since, which the page
				// shows, to compare and make room in.
				if now, err := v.SheetByID(cur.ID); err == nil {
					ep.Stale = now
					ep.Error.Message += " The sheet as saved since you opened it is shown above your text."
				}
			}
			status := http.StatusUnprocessableEntity
			switch briefing.ErrorCode(err) {
			case briefing.EFORBIDDEN:
				status = http.StatusForbidden
			case briefing.ESTALE:
				status = http.StatusPreconditionFailed
				ep.Error.Message += " Save again: your text is below."
			}
			return s.showEditor(c, v, status, ep)
		}
		return err
	}
	sh = m.Sheet
	// Saved: the draft kept on the server for this sheet has served.
	if err := v.St.DeleteDraft(v.Ctx, v.User.UserID, sh.ID); err != nil {
		s.Logger(c).Error("removing a saved draft", "sheet", sh.ID, "err", err)
	}
	merged, status := m.Merged, statusNote(v, opened, m.Was, m.StatusWas, m.Sheet)
	if m.Was != opened && m.StatusWas == "" {
		merged = max(merged-1, 0) // the review made meanwhile, kept: told apart, in status
	}
	msg := "Saved (version " + strconv.Itoa(sh.Version) + ")."
	if merged > 0 {
		// Named only when someone else saved since: the changes may be the
		// writer's own, saved from another page of the sheet.
		who := ""
		if len(m.From) > 0 {
			who = " " + strings.Join(m.From, " and ")
		}
		msg = fmt.Sprintf("Saved (version %d), together with %d change(s)%s saved while you were editing.", sh.Version, merged, who)
	}
	if submit && sh.Status == briefing.SheetDraft {
		if _, err := s.api.Review(v, sh.ID, sh.Version, api.ReviewRequest{Decision: briefing.ReviewSubmit}); err != nil {
			flash(c, "error", strings.TrimSpace("Saved, but not submitted: "+briefing.ErrorMessage(err)+" "+status))
			return c.Redirect(http.StatusSeeOther, "/sheets/"+sh.ID+"/edit")
		}
		msg = "Saved and submitted for clearance."
	}
	if status != "" {
		flash(c, "warning", msg+" "+status)
		return c.Redirect(http.StatusSeeOther, "/sheets/"+sh.ID+"/edit")
	}
	return redirect(c, "/sheets/"+sh.ID+"/edit", msg)
}

// statusNote says what became of a sheet's review while its writer edited
// it and what their save did to it: above all, that a save by someone below
// a delegation lead returned a cleared sheet to draft, which must be
// cleared again. opened is the status as their page had it, was as the
// save found it, statusWas was when the save changed it, and sh the sheet
// as saved; "" when neither moved it.
func statusNote(v *view, opened, was, statusWas string, sh *briefing.Sheet) string {
	now := sh.Status
	if was == opened {
		if statusWas == briefing.SheetCleared {
			return "This sheet was cleared: your save returned it to draft, and a delegation lead must clear it again before it travels."
		}
		return ""
	}
	// Who moved it: the last review that put it where the save found it.
	who := "Someone"
	for i := len(sh.Reviews) - 1; i >= 0; i-- {
		if r := sh.Reviews[i]; decided[r.Decision].status == was {
			who = r.By
			if r.By == v.User.Name {
				who = "You"
			}
			break
		}
	}
	switch {
	case was == briefing.SheetCleared && now == briefing.SheetDraft:
		return who + " cleared this sheet while you were editing: your save returned it to draft, and a delegation lead must clear it again before it travels."
	case was == briefing.SheetCleared:
		return who + " cleared this sheet while you were editing: as a delegation lead, your save keeps it cleared."
	case was == briefing.SheetSubmitted:
		return who + " submitted this sheet for clearance while you were editing: it stays submitted, with your change in it, for a delegation lead to clear."
	default:
		return who + " returned this sheet to draft while you were editing."
	}
}

// handleReviewForm is POST /sheets/:id/review: submit, clear or return.
func (s *Pages) handleReviewForm(c echo.Context) error {
	v := s.view(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	back := safeNext(c.FormValue("back"))
	if back == "/" {
		back = "/sheets/" + c.Param("id")
	}
	req := api.ReviewRequest{Decision: c.FormValue("decision"), Comment: c.FormValue("comment")}
	sh, err := s.api.Review(v, c.Param("id"), version, req)
	if err != nil {
		if !isUserError(err) {
			return err
		}
		if msg := alreadyDecided(v, c.Param("id"), version, req, err); msg != "" {
			return redirect(c, back, msg)
		}
		msg := briefing.ErrorMessage(err)
		if briefing.ErrorCode(err) == briefing.ESTALE {
			msg = "the sheet changed since you opened the page: look again before deciding"
		}
		for _, f := range briefing.ErrorFields(err) {
			msg += "; " + f
		}
		if (req.Decision == briefing.ReviewClear || req.Decision == briefing.ReviewReturn) && v.User.Role.AtLeast(briefing.RoleLead) {
			// The lead's comment may be long: it is kept in the review form
			// of the sheet as it now is, to be looked at and sent again at
			// the version shown, not lost to a redirect.
			status := http.StatusUnprocessableEntity
			switch briefing.ErrorCode(err) {
			case briefing.ESTALE:
				status = http.StatusPreconditionFailed
				msg += ". It is shown below as it now is, your comment kept in the form"
			case briefing.ECONFLICT:
				status = http.StatusConflict
			}
			fe := &formError{Message: "Not done: " + msg + ".", Fields: briefing.ErrorFields(err)}
			return s.showSheet(c, status, func(sp *sheetPage) {
				sp.Review = &reviewForm{Comment: req.Comment, Back: back, Error: fe}
			})
		}
		flash(c, "error", "Not done: "+msg+".")
		return c.Redirect(http.StatusSeeOther, back)
	}
	return redirect(c, back, fmt.Sprintf("%q is now %s.", sh.Title, sh.Status))
}

// decided is where each review decision puts a sheet, and how it is said.
var decided = map[string]struct{ status, done string }{
	briefing.ReviewSubmit: {briefing.SheetSubmitted, "submitted for clearance"},
	briefing.ReviewClear:  {briefing.SheetCleared, "cleared"},
	briefing.ReviewReturn: {briefing.SheetDraft, "returned to draft"},
}

// alreadyDecided is what to say when a decision refused as stale had been
// made already: the write right after the version it was made against was
// that same decision (a button pressed twice, or two leads clearing at
// once), so the sheet stands where it would put it, its text as read. A
// decision on a sheet changed any other way since is refused, as stale.
func alreadyDecided(v *view, id string, version int, req api.ReviewRequest, err error) string {
	d, ok := decided[req.Decision]
	if !ok || version <= 0 || briefing.ErrorCode(err) != briefing.ESTALE {
		return ""
	}
	if req.Decision != briefing.ReviewSubmit && !v.User.Role.AtLeast(briefing.RoleLead) {
		return "" // not theirs to decide: the refusal stands
	}
	sh, err := v.SheetByID(id)
	if err != nil || sh.Version != version+1 || sh.Status != d.status || len(sh.Reviews) == 0 {
		return ""
	}
	last := sh.Reviews[len(sh.Reviews)-1]
	if last.Decision != req.Decision {
		return ""
	}
	msg := fmt.Sprintf("Already %s: %q was %s by %s; nothing more was done.", d.done, sh.Title, d.done, last.By)
	if req.Comment != "" && req.Comment != last.Comment {
		msg += " The comment you typed was not added."
	}
	return msg
}

// handleRollForwardForm is POST /sheets/:id/rollforward: the sheet copied
// into a later round as a new draft, opened in the editor.
func (s *Pages) handleRollForwardForm(c echo.Context) error {
	sh, err := s.api.RollForward(s.view(c), c.Param("id"), c.FormValue("round_id"))
	if err != nil {
		if !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN {
			return err
		}
		refused(c, "Not rolled forward: "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, "/sheets/"+c.Param("id"))
	}
	return redirect(c, "/sheets/"+sh.ID+"/edit", "Rolled forward as a new draft: revise it for this round.")
}

// handleDeleteSheetForm is POST /sheets/:id/delete, under the API's rules.
func (s *Pages) handleDeleteSheetForm(c echo.Context) error {
	v := s.view(c)
	sh, err := v.SheetByID(c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.api.CheckSheetDelete(v, sh); err != nil {
		flash(c, "error", "Not deleted: "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, "/sheets/"+sh.ID)
	}
	// Held to the version read and checked: with no version, or another, a
	// save between the check and the delete was deleted too.
	// (formVersion's 0 would be a delete of whatever is stored: not made.)
	err = briefing.Errorf(briefing.ESTALE, "the sheet changed")
	if version := formVersion(c, sh.Version, sh.Version); version != 0 {
		err = v.St.DeleteSheet(v.Ctx, sh.ID, version, v.User.Actor())
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		flash(c, "error", "Not deleted: the sheet changed since you opened it; look again.")
		return c.Redirect(http.StatusSeeOther, "/sheets/"+sh.ID)
	}
	return redirect(c, "/rounds/"+sh.RoundID+"#sheets", fmt.Sprintf("Deleted %q.", sh.Title))
}

// handleRestoreForm is POST /sheets/:id/restore: an old version saved as
// the newest, under the API's rules.
func (s *Pages) handleRestoreForm(c echo.Context) error {
	v := s.view(c)
	id := c.Param("id")
	n, _ := strconv.Atoi(c.FormValue("version"))
	cur, err := v.SheetByID(id)
	if err != nil {
		return err
	}
	out, err := s.api.RestoreSheet(v, cur, cur.Version, n)
	if err != nil {
		if !isUserError(err) && briefing.ErrorCode(err) != briefing.EFORBIDDEN && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			return err
		}
		flash(c, "error", "Not restored: "+briefing.ErrorMessage(err))
		return c.Redirect(http.StatusSeeOther, "/sheets/"+id)
	}
	return redirect(c, "/sheets/"+id, fmt.Sprintf("Version %d restored as version %d, a draft.", n, out.Version))
}

// headingChoice reads the key of a section heading's conflict choice
// ("s2"): the section's place in the working copy.
func headingChoice(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "s"))
	return n, strings.HasPrefix(id, "s") && err == nil && n >= 0
}

// choices says which of the conflict choices a form carries are applied:
// a heading's names its section by its place in the form, and so is
// applied before a change that may move sections; a paragraph's (and the
// sheet's own fields') names it by id, and is applied after a change,
// since it may delete the paragraph.
type choices int

const (
	headingChoices choices = 1 << iota
	otherChoices
	allChoices = headingChoices | otherChoices
)

// applyChoices applies the writer's choice on each conflict the editor
// showed (those of which): "theirs" replaces their working copy of a
// paragraph (or a field) with what is stored at the version the form now
// names; "mine" keeps it; "delete" (offered for a paragraph the writer
// deleted and someone else changed, shown with their text) takes it out of
// the working copy.
func (s *Pages) applyChoices(c echo.Context, v *view, sh *briefing.Sheet, which choices) error {
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	var theirs *briefing.Sheet
	for key, vals := range form {
		id, ok := strings.CutPrefix(key, "choose.")
		if _, heading := headingChoice(id); !ok || (heading && which&headingChoices == 0) || (!heading && which&otherChoices == 0) {
			continue
		}
		if len(vals) > 0 && vals[0] == "delete" {
			deleteParagraph(sh, id)
			continue
		}
		if len(vals) == 0 || vals[0] != "theirs" {
			continue
		}
		if theirs == nil {
			stored, err := s.api.StoredVersion(v, sh.ID, sh.Version)
			if err != nil || stored == nil {
				return err
			}
			if theirs, _ = v.Set.VisibleSheet(v.User.Clearance, stored); theirs == nil {
				return nil
			}
		}
		if i, ok := headingChoice(id); ok {
			// A section's heading: theirs came with the form, beside the choice.
			if i < len(sh.Sections) {
				sh.Sections[i].Heading = form.Get("theirs." + id)
			}
			continue
		}
		switch id {
		case "title":
			sh.Title = theirs.Title
		case "withhold":
			sh.Withhold = theirs.Withhold
		default:
			if tp := paragraphOf(theirs, id); tp == nil {
				deleteParagraph(sh, id) // they deleted it: so be it
			} else if p := paragraphOf(sh, id); p != nil {
				*p = *tp
			}
		}
	}
	return nil
}

// paragraphOf is the paragraph id of a sheet, in place, or nil.
func paragraphOf(sh *briefing.Sheet, id string) *briefing.Paragraph {
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			if p := &sh.Sections[i].Paragraphs[j]; p.ID == id {
				return p
			}
		}
	}
	return nil
}

// deleteParagraph takes the paragraph id out of a working copy, if it is there.
func deleteParagraph(sh *briefing.Sheet, id string) {
	for i := range sh.Sections {
		ps := sh.Sections[i].Paragraphs
		for j := range ps {
			if ps[j].ID == id {
				sh.Sections[i].Paragraphs = append(ps[:j:j], ps[j+1:]...)
				return
			}
		}
	}
}

// showConflicts shows the editor again after a save that overlapped someone
// else's: the working copy holds everything they saved that did not overlap,
// and the writer's own text where it did, each overlap shown side by side
// (as it was, theirs, yours) with a choice; the form now names their version,
// so saving applies the choices without conflict. Nothing was saved.
func (s *Pages) showConflicts(c echo.Context, v *view, ep *editorPage, cerr error) error {
	from := ep.Sheet.Version
	a, err := s.api.MergeOnce(v, ep.Sheet.ID, ep.Sheet)
	if err != nil {
		return err
	}
	working, _ := v.Set.VisibleSheet(v.User.Clearance, a.Res.Sheet)
	if working == nil {
		working = ep.Sheet
	}
	working.Meta = a.Theirs.Meta
	working.RoundID = a.Theirs.RoundID
	ep.Sheet = working
	ep.Conflicts = map[string]briefing.Conflict{}
	taken := map[int]bool{}
	for _, cf := range a.Res.Conflicts {
		key := cf.ID
		if key == "" {
			key = cf.Path
		}
		// A heading's conflict is shown at its section of the working
		// copy, which holds the writer's heading ("s2", as the section's
		// anchor), so that theirs can be chosen there.
		if strings.HasSuffix(cf.Path, "].heading") {
			for i, sec := range working.Sections {
				if mine, _ := cf.Mine.(string); !taken[i] && sec.Heading == mine {
					taken[i], key = true, "s"+strconv.Itoa(i)
					break
				}
			}
		}
		ep.Conflicts[key] = cf
	}
	ep.Theirs = strings.Join(s.api.EditorsSince(v, working.ID, from, a.Theirs.Version), " and ")
	ep.Error = &formError{Message: briefing.ErrorMessage(cerr) + " Your text is kept below; nothing is saved until you choose and save again."}
	return s.showEditor(c, v, http.StatusConflict, ep)
}
