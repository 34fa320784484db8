package web

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server/api"
)

// roundPage is everything a delegation lead works on for one round.
type roundPage struct {
	R         *briefing.Round
	D         *briefing.Dialogue
	Form      *briefing.Round
	Error     *formError
	Marking   string
	People    map[string]*briefing.Person
	AllPeople []*briefing.Person
	// AllAgencies are every agency, to choose those taking part.
	AllAgencies []*briefing.Agency
	// Taking is the participating agencies' ids, by side, for the form.
	Taking      map[string]bool
	Agenda      []roundAgendaItem
	Sheets      []*briefing.Sheet
	Unlisted    []*briefing.Sheet
	Snapshots   []api.SnapshotJSON
	Milestones  []briefing.MilestoneDate
	Ready       bool
	NotReady    []string
	Release     []briefing.ReleaseCheckSheet
	WithheldAll int
	// WholeRound is whether the reader sees all of the round, as a release edition needs.
	WholeRound bool
	// Status, when the page's adjustment sets it, is the answer's.
	Status int
	// Partial names, for a lead who does not see the whole round, the
	// sheets holding paragraphs above them, which they may not clear or
	// return: the page offers them no button that would be refused.
	Partial map[string]bool
	// OpenComments counts the open review comments the reader may see, by sheet id.
	OpenComments map[string]int
	Overlaps     []briefing.Overlap
	// Respond is the "Respond to a request" form and the round's releases,
	// for leads.
	Respond *respondForm
	// History is the round's saved versions, newest first: a postponed
	// round keeps the dates it had.
	History []roundVersionRow
	// Import is the plan of a workbook previewed for import, or what an
	// import did.
	Import *api.ImportJSON
	// FromText is the "new sheet from text" form as typed, and its preview.
	FromText *fromTextForm
	// AgendaForm is an agenda form refused (an item added, or an item's
	// time, session and lead), shown again in its place as it was typed.
	AgendaForm *agendaForm
}

// agendaForm is an agenda item as typed in a form that was refused, and why.
type agendaForm struct {
	// For is the id of the item whose "Time, session, lead" form was
	// sent; empty for the form that adds an item.
	For   string
	Item  *briefing.AgendaItem
	Error *formError
}

// AddForm is the refused form that adds an agenda item, or nil.
func (rp *roundPage) AddForm() *agendaForm {
	if rp.AgendaForm == nil || rp.AgendaForm.For != "" {
		return nil
	}
	return rp.AgendaForm
}

// ProgrammeForm is the refused "Time, session, lead" form of the agenda
// item id, or nil.
func (rp *roundPage) ProgrammeForm(id string) *agendaForm {
	if rp.AgendaForm == nil || id == "" || rp.AgendaForm.For != id {
		return nil
	}
	return rp.AgendaForm
}

// fromTextForm is a brief's text being brought in, and the sheet it makes.
type fromTextForm struct {
	api.FromTextRequest
	Sheet *briefing.Sheet
}

type roundVersionRow struct {
	Version int
	At      time.Time
	By      string
	Round   *briefing.Round
}

type roundAgendaItem struct {
	Index int
	Title string
	Sheet *briefing.Sheet
	briefing.AgendaItem
}

func (s *Pages) handleRoundPage(c echo.Context) error {
	var r *briefing.Round
	if err := s.showRound(c, http.StatusOK, func(rp *roundPage) { r = rp.R }); err != nil {
		return err
	}
	// A round that met or was cancelled is rarely frozen again: its files
	// made ready would only push an upcoming round's out of the caches.
	if r.Status != briefing.RoundHeld && r.Status != briefing.RoundCancelled {
		s.api.WarmFreeze(mustReader(c), r.ID) // a lead and above only
	}
	return nil
}

func (s *Pages) showRound(c echo.Context, status int, adjust func(*roundPage)) error {
	v := s.view(c)
	stored, err := v.RoundByID(c.Param("id"))
	if err != nil {
		return err
	}
	r, err := api.OutputRound(v, stored)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	rp := &roundPage{R: r, D: d, Form: r, Marking: r.Marking, People: map[string]*briefing.Person{},
		Milestones: briefing.RoundMilestones(d, r)}
	err = eachPage(v.PeoplePage, func(p *briefing.Person) (bool, error) {
		rp.People[p.ID] = p
		rp.AllPeople = append(rp.AllPeople, p)
		return true, nil
	})
	if err != nil {
		return err
	}
	// The page is marked by the people it names: the round's co-chairs,
	// delegates and agenda leads, and — to a lead or above, who has the
	// menus to add them — every person the reader may see.
	if v.User.Role.AtLeast(briefing.RoleLead) {
		for _, p := range rp.AllPeople {
			rp.Marking = s.settings.Highest(rp.Marking, p.Marking)
		}
	}
	named := func(id string) {
		if p := rp.People[id]; p != nil {
			rp.Marking = s.settings.Highest(rp.Marking, p.Marking)
		}
	}
	for _, pt := range append(append([]briefing.Participant{}, r.CoChairs...), r.Delegation...) {
		named(pt.PersonID)
	}
	for _, it := range r.Agenda {
		named(it.LeadPersonID)
	}
	rp.Taking = map[string]bool{}
	for _, pa := range r.ParticipatingAgencies {
		rp.Taking[pa.Side+":"+pa.AgencyID] = true
	}
	err = eachPage(func(p briefing.Page) ([]*briefing.Agency, string, error) { return v.Agencies(v.Ctx, p) },
		func(a *briefing.Agency) (bool, error) {
			rp.AllAgencies = append(rp.AllAgencies, a)
			return true, nil
		})
	if err != nil {
		return err
	}
	byID := map[string]*briefing.Sheet{}
	err = eachPage(func(p briefing.Page) ([]*briefing.Sheet, string, error) { return v.SheetsPage(r.ID, p) },
		func(sh *briefing.Sheet) (bool, error) {
			rp.Sheets = append(rp.Sheets, sh)
			byID[sh.ID] = sh
			rp.Marking = s.settings.Highest(rp.Marking, sh.Marking)
			return true, nil
		})
	if err != nil {
		return err
	}
	rp.OpenComments = map[string]int{}
	for _, sh := range rp.Sheets {
		err := eachPage(func(p briefing.Page) ([]*briefing.Comment, string, error) { return v.Comments(v.Ctx, sh.ID, p) },
			func(cm *briefing.Comment) (bool, error) {
				if !cm.Resolved {
					rp.OpenComments[sh.ID]++
				}
				return true, nil
			})
		if err != nil {
			return err
		}
	}
	listed := map[string]bool{}
	// The view has left out items linked to sheets the reader may not see,
	// and given linked items their sheet's title.
	for i, a := range r.Agenda {
		it := roundAgendaItem{Index: i, Title: a.Title, Sheet: byID[a.SheetID], AgendaItem: a}
		if it.Sheet != nil {
			// A sheet listed again (a topic taken up in two sessions) is
			// named once, as the freeze names it (api's notCleared).
			if it.Sheet.Status != briefing.SheetCleared && !listed[a.SheetID] {
				rp.NotReady = append(rp.NotReady, it.Sheet.Title)
			}
			listed[a.SheetID] = true
		}
		rp.Agenda = append(rp.Agenda, it)
	}
	for _, sh := range rp.Sheets {
		if !listed[sh.ID] {
			rp.Unlisted = append(rp.Unlisted, sh)
		}
	}
	// Ready to travel: an agenda that holds sheets, every one cleared.
	rp.Ready = len(listed) > 0 && len(rp.NotReady) == 0
	err = eachPage(func(p briefing.Page) ([]*briefing.Snapshot, string, error) { return v.Snapshots(v.Ctx, r.ID, p) },
		func(sn *briefing.Snapshot) (bool, error) {
			rp.Snapshots = append(rp.Snapshots, api.ToSnapshotJSON(sn))
			return true, nil
		})
	if err != nil {
		return err
	}
	if v.User.Role.AtLeast(briefing.RoleLead) {
		pack, err := briefing.Assemble(v.Ctx, v.View, r.ID, s.now())
		if err != nil {
			return err
		}
		if rp.WholeRound, err = briefing.SeesWholeRound(v.Ctx, v.View, pack); err != nil {
			return err
		}
		if rp.WholeRound {
			rp.Release = briefing.ReleaseCheck(pack)
			for _, it := range rp.Release {
				if it.Decision == briefing.WithheldInFull {
					rp.WithheldAll++
				}
			}
		} else {
			rp.Partial = map[string]bool{}
			for _, sh := range rp.Sheets {
				stored, err := v.St.Sheet(v.Ctx, sh.ID)
				if err != nil {
					return err
				}
				rp.Partial[sh.ID] = !v.Set.HoldsOnly(v.User.Clearance, stored)
			}
		}
	}
	if err := s.loadReleases(v, rp); err != nil {
		return err
	}
	rp.Overlaps, err = s.api.Overlaps(v, r)
	if err != nil {
		return err
	}
	vs, err := v.RoundVersions(v.Ctx, r.ID)
	if err != nil {
		return err
	}
	for i := len(vs) - 1; i >= 0; i-- {
		rec := vs[i].Record
		rp.History = append(rp.History, roundVersionRow{Version: rec.Version, At: rec.At, By: rec.By, Round: vs[i].Round})
	}
	if adjust != nil {
		adjust(rp)
	}
	if rp.Status != 0 {
		status = rp.Status
	}
	return s.page(c, status, "round", d.Name+" – "+briefing.Ordinal(r.Number)+" round", rp.Marking, rp)
}

// keepForm shows the round's edit form again as the user sent it, with why
// it was refused. The page is marked as high as what they typed, within
// their clearance.
func (rp *roundPage) keepForm(v *view, r *briefing.Round, fe *formError) {
	rp.Form, rp.Error = r, fe
	rp.Taking = map[string]bool{}
	for _, pa := range r.ParticipatingAgencies {
		rp.Taking[pa.Side+":"+pa.AgencyID] = true
	}
	if v.Set.Allows(v.User.Clearance, r.Marking) {
		rp.Marking = v.Set.Highest(rp.Marking, r.Marking)
	}
}

// saveRoundForm saves a changed round through the same checks as the API,
// and answers the form: a flash and back to the round, or the page again
// with the reason. keep shows the form sent again as it was typed, with
// why it was refused, also when the round changed meanwhile (a purpose,
// the outcomes or an agenda item may be long); nil is a button's single
// change, simply made again, whose refusal shows the round's edit form.
func (s *Pages) saveRoundForm(c echo.Context, v *view, r, old *briefing.Round, done string, keep func(*roundPage, *formError)) error {
	err := api.PrepareRound(v, r, old)
	if err == nil {
		err = v.St.UpdateRound(v.Ctx, r, v.User.Actor(), v.SeesRound)
	}
	if err != nil {
		if !isFormError(err) {
			return err
		}
		fe := toFormError(err)
		if briefing.ErrorCode(err) == briefing.ESTALE {
			if keep == nil {
				fe.Message = "Someone else changed this round after you opened it: look again and redo your change."
				return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) { rp.Error = fe })
			}
			// What they typed is kept beside the round as it now is;
			// saved again, the form is written at the version now shown.
			fe.Message = "Someone else saved this round after you opened it: your changes are in the form below, unsaved. The round as it is now is shown above it: check yours against it before you save again."
		}
		if keep == nil {
			keep = func(rp *roundPage, fe *formError) { rp.keepForm(v, r, fe) }
		}
		return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) { keep(rp, fe) })
	}
	return redirect(c, "/rounds/"+r.ID, done)
}

// roundForEdit reads a round for a form: the stored round, to be written
// at the version read when the form names it or none (formVersion).
func (s *Pages) roundForEdit(c echo.Context, v *view) (*briefing.Round, *briefing.Round, error) {
	old, err := v.RoundByID(c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	// The form works on the round as the reader sees it; people hidden
	// from them are put back when it is saved.
	seen, err := api.OutputRound(v, old)
	if err != nil {
		return nil, nil, err
	}
	r := *seen
	r.CoChairs = append([]briefing.Participant(nil), seen.CoChairs...)
	r.Delegation = append([]briefing.Participant(nil), seen.Delegation...)
	r.Agenda = append([]briefing.AgendaItem(nil), seen.Agenda...)
	r.Version = formVersion(c, old.Version, old.Version)
	return &r, old, nil
}

// handleUpdateRoundForm is POST /rounds/:id: the round's own fields, or a
// quick confirm / postpone.
func (s *Pages) handleUpdateRoundForm(c echo.Context) error {
	v := s.view(c)
	r, old, err := s.roundForEdit(c, v)
	if err != nil {
		return err
	}
	switch c.FormValue("op") {
	case "confirm":
		r.Status = briefing.RoundScheduled
	case "postpone":
		r.Status = briefing.RoundPostponed
	case "held":
		r.Status = briefing.RoundHeld
	case "cancel":
		r.Status = briefing.RoundCancelled
	default:
		keep := func(rp *roundPage, fe *formError) { rp.keepForm(v, r, fe) }
		if fe := roundFromForm(c, r); fe != nil {
			return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) { keep(rp, fe) })
		}
		return s.saveRoundForm(c, v, r, old, "Round saved: "+r.Status+".", keep)
	}
	return s.saveRoundForm(c, v, r, old, "Round saved: "+r.Status+".", nil)
}

// handleAgendaForm is POST /rounds/:id/agenda: move, add or remove items.
// The page names an item by its id ("up:ID", an order of ids), so a form
// acts on the item the reader saw, and the save pairs every item it sends
// back by id; a number is an item's place, as pages sent before items had
// ids.
func (s *Pages) handleAgendaForm(c echo.Context) error {
	v := s.view(c)
	r, old, err := s.roundForEdit(c, v)
	if err != nil {
		return err
	}
	gone := func() error {
		return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) {
			rp.Error = &formError{Message: "That agenda item is no longer on the agenda as you see it: look again."}
		})
	}
	op, arg, _ := strings.Cut(c.FormValue("op"), ":")
	n := len(r.Agenda)
	i := -1
	switch op {
	case "up", "down", "remove", "programme":
		if i = agendaIndex(r.Agenda, arg); i < 0 {
			return gone()
		}
	}
	// An item named by its id is the item the reader saw, wherever the
	// agenda has moved since their page was sent: moving it, removing it or
	// adding one applies to the agenda as it stands, and is not refused
	// because someone else saved the round meanwhile. A time or lead, and
	// a whole new order, are judged against the round the page showed.
	if op == "add" || ((op == "up" || op == "down" || op == "remove") && r.Agenda[i].ID == arg) {
		r.Version = old.Version
	}
	// The add and "Time, session, lead" forms are typed: refused, they come
	// back as typed (the save tidies the item it is given), with why.
	var keep func(*roundPage, *formError)
	typed := func(at int, it briefing.AgendaItem, id string) {
		keep = func(rp *roundPage, fe *formError) {
			rp.AgendaForm = &agendaForm{For: id, Item: &it, Error: itemError(fe, at)}
		}
	}
	switch {
	case op == "up" && i > 0:
		r.Agenda[i-1], r.Agenda[i] = r.Agenda[i], r.Agenda[i-1]
	case op == "down" && i < n-1:
		r.Agenda[i+1], r.Agenda[i] = r.Agenda[i], r.Agenda[i+1]
	case op == "remove":
		r.Agenda = append(r.Agenda[:i], r.Agenda[i+1:]...)
	case op == "add":
		item := briefing.AgendaItem{Title: strings.TrimSpace(c.FormValue("title")), SheetID: c.FormValue("sheet_id")}
		programmeFromForm(c, &item)
		typed(len(r.Agenda), item, "")
		r.Agenda = append(r.Agenda, item)
	case op == "programme":
		programmeFromForm(c, &r.Agenda[i])
		typed(i, r.Agenda[i], r.Agenda[i].ID)
	case op == "order":
		var next []briefing.AgendaItem
		seen := map[int]bool{}
		for _, f := range strings.Split(c.FormValue("order"), ",") {
			j := agendaIndex(r.Agenda, f)
			if j < 0 || seen[j] {
				return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) {
					rp.Error = &formError{Message: "The new agenda order was not understood: try the move buttons."}
				})
			}
			seen[j] = true
			next = append(next, r.Agenda[j])
		}
		if len(next) != n {
			return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) {
				rp.Error = &formError{Message: "The new agenda order was not understood: try the move buttons."}
			})
		}
		r.Agenda = next
	default:
		return redirect(c, "/rounds/"+r.ID, "")
	}
	return s.saveRoundForm(c, v, r, old, "Agenda saved.", keep)
}

// itemError is why an agenda form was refused, the fields of its item (at
// place i of the agenda sent) named as the form names them: "ends_at", not
// "agenda[3].ends_at".
func itemError(fe *formError, i int) *formError {
	prefix := fmt.Sprintf("agenda[%d].", i)
	out := &formError{Message: fe.Message, Fields: map[string]string{}}
	for k, msg := range fe.Fields {
		out.Fields[strings.TrimPrefix(k, prefix)] = msg
	}
	return out
}

// agendaIndex finds an item of the agenda as the reader sees it: by its
// id, or by its place for a page sent before items had ids. -1 when there
// is no such item — an id of an item hidden from them included.
func agendaIndex(agenda []briefing.AgendaItem, ref string) int {
	if ref == "" {
		return -1
	}
	for i, a := range agenda {
		if a.ID == ref {
			return i
		}
	}
	if i, err := strconv.Atoi(ref); err == nil && i >= 0 && i < len(agenda) {
		return i
	}
	return -1
}

// handlePeopleForm is POST /rounds/:id/people: add or remove co-chairs and delegates.
func (s *Pages) handlePeopleForm(c echo.Context) error {
	v := s.view(c)
	r, old, err := s.roundForEdit(c, v)
	if err != nil {
		return err
	}
	op, arg, _ := strings.Cut(c.FormValue("op"), ":")
	switch op {
	case "add":
		p := briefing.Participant{PersonID: c.FormValue("person_id"), Side: c.FormValue("side")}
		if c.FormValue("role") == "co-chair" {
			r.CoChairs = append(r.CoChairs, p)
		} else {
			r.Delegation = append(r.Delegation, p)
		}
	case "remove-cochair", "remove-delegate":
		list := &r.Delegation
		if op == "remove-cochair" {
			list = &r.CoChairs
		}
		i, err := strconv.Atoi(arg)
		if err == nil && i >= 0 && i < len(*list) {
			*list = append((*list)[:i], (*list)[i+1:]...)
		}
	}
	return s.saveRoundForm(c, v, r, old, "Delegations saved.", nil)
}

// handleNewSheetForm is POST /rounds/:id/sheets: a new topic sheet with the
// five standard sections, put on the agenda, then opened in the editor.
func (s *Pages) handleNewSheetForm(c echo.Context) error {
	v := s.view(c)
	sh := &briefing.Sheet{RoundID: c.Param("id"), Title: strings.TrimSpace(c.FormValue("title"))}
	if err := s.api.PrepareSheet(v, sh, nil); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.showRound(c, http.StatusUnprocessableEntity, func(rp *roundPage) { rp.Error = toFormError(err) })
	}
	if err := v.St.CreateSheet(v.Ctx, sh, v.User.Actor()); err != nil {
		return err
	}
	if c.FormValue("agenda") == "on" && v.User.Role.AtLeast(briefing.RoleLead) {
		if err := s.addToAgenda(c, v, sh); err != nil {
			if !isUserError(err) {
				return err
			}
			// The sheet is made: the editor, with why the agenda is not.
			fe := toFormError(err)
			why := strings.TrimSuffix(fe.Message, ".")
			for _, k := range slices.Sorted(maps.Keys(fe.Fields)) {
				why += "; " + k + " " + fe.Fields[k]
			}
			flash(c, "error", "Topic sheet created, but not put on the agenda: "+why+". Draft it below, and add it to the agenda from the round's page.")
			return c.Redirect(http.StatusSeeOther, "/sheets/"+sh.ID+"/edit")
		}
	}
	return redirect(c, "/sheets/"+sh.ID+"/edit", "Topic sheet created: draft it below.")
}

// addToAgenda puts a new sheet last on its round's agenda as the agenda
// stands, through the same checks as the API: the people, items and leads
// hidden from the reader are put back, never lost, and a round saved by
// someone else meanwhile is read again rather than overwritten.
func (s *Pages) addToAgenda(c echo.Context, v *view, sh *briefing.Sheet) error {
	for try := 1; ; try++ {
		r, old, err := s.roundForEdit(c, v)
		if err != nil {
			return err
		}
		r.Version = old.Version
		r.Agenda = append(r.Agenda, briefing.AgendaItem{SheetID: sh.ID}) // its title is the sheet's
		if err = api.PrepareRound(v, r, old); err == nil {
			err = v.St.UpdateRound(v.Ctx, r, v.User.Actor(), v.SeesRound)
		}
		if briefing.ErrorCode(err) != briefing.ESTALE || try == 3 {
			return err
		}
	}
}

// handleFreezeForm is POST /rounds/:id/freeze.
func (s *Pages) handleFreezeForm(c echo.Context) error {
	sn, err := s.api.Freeze(c, c.Param("id"), api.FreezeRequest{Force: c.FormValue("force") == "on"})
	if err != nil {
		if briefing.ErrorCode(err) == briefing.ECONFLICT {
			// The API asks for "force"; the page has a box to tick.
			fe := toFormError(err)
			fe.Message = strings.Replace(fe.Message, `send "force": true to freeze it anyway`, `tick "Freeze although it is not ready" to freeze it as it is`, 1)
			return s.showRound(c, http.StatusConflict, func(rp *roundPage) { rp.Error = fe })
		}
		return err
	}
	return redirect(c, "/rounds/"+c.Param("id")+"#snapshots", "Pack frozen as snapshot "+strconv.Itoa(sn.Number)+".")
}

// handleImportForm is POST /rounds/:id/import: the workbook uploaded as
// "workbook"; "preview" shows the plan and writes nothing, "import" applies
// it (all sheets or none) and says what changed.
func (s *Pages) handleImportForm(c echo.Context) error {
	again := func(status int, err error, plan *api.ImportJSON) error {
		return s.showRound(c, status, func(rp *roundPage) { rp.Error, rp.Import = toFormError(err), plan })
	}
	fh, err := c.FormFile("workbook")
	if err != nil {
		return again(http.StatusUnprocessableEntity, &briefing.Error{Code: briefing.EINVALID,
			Message: "choose the pack workbook (XLSX) to import", Fields: map[string]string{"workbook": "choose a file"}}, nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, api.ImportBodyLimit+1))
	if err != nil {
		return err
	}
	dry := c.FormValue("op") != "import"
	res, err := s.api.Import(s.view(c), c.Param("id"), body, dry)
	if err != nil {
		if !isUserError(err) {
			return err
		}
		status := http.StatusUnprocessableEntity
		if briefing.ErrorCode(err) == briefing.ECONFLICT {
			status = http.StatusConflict
		}
		return again(status, err, nil)
	}
	if dry {
		return again(http.StatusOK, nil, res)
	}
	// Counted as the preview counts them: a sheet that merged to what was
	// stored already (a workbook imported twice) was not written.
	msg := fmt.Sprintf("Workbook imported: %d topic sheet(s) changed, %d unchanged.", len(res.ChangedSheets()), res.UnchangedSheets())
	switch {
	case len(res.WorksheetEdits) > 0:
		msg += " " + worksheetsNotRead(res.WorksheetEdits, maxFlash-len(msg)-1)
	case len(res.ChangedSheets()) == 0:
		msg += " " + onlyTopicsRead
	}
	return redirect(c, "/rounds/"+c.Param("id")+"#import", msg)
}

// worksheetsNotRead says which topic sheets' own worksheets an import
// found edited, and that those edits were not imported, in no more than
// room bytes (a flash's): as many worksheets named, each with its first
// cell edited, as fit, the rest counted.
func worksheetsNotRead(edits []api.WorksheetEditJSON, room int) string {
	const tail = " Only the Topics worksheet is read: make those edits in its rows and bring the workbook back again."
	head := "Not imported: edits in the worksheet "
	if len(edits) > 1 {
		head = "Not imported: edits in the worksheets "
	}
	said := ""
	for i, e := range edits {
		item := fmt.Sprintf("%q (first at %s)", e.Worksheet, e.Cell)
		if i > 0 {
			item = ", " + item
		}
		more := ""
		if rest := len(edits) - i - 1; rest > 0 {
			more = fmt.Sprintf(" and %d more", rest)
		}
		if i > 0 && len(head)+len(said)+len(item)+len(more)+1+len(tail) > room {
			return head + said + fmt.Sprintf(" and %d more", len(edits)-i) + "." + tail
		}
		said += item
	}
	return head + said + "." + tail
}

// onlyTopicsRead is said of an import that changed nothing: an edit made
// anywhere but the Topics worksheet (a topic sheet's own worksheet, which
// reads as the brief does, above all) is not read, and would otherwise be
// lost without a word.
const onlyTopicsRead = "Only the Topics worksheet is read: an edit made in a topic sheet's own worksheet, or anywhere else in the workbook, is not imported. Make it in the Topics worksheet (its Text, Marking and Withholding columns) and bring the workbook back again."

// handleFromTextForm is POST /rounds/:id/sheets/from-text: "preview" shows
// the sheet the text makes (sections, paragraphs, markings) with the text
// kept; "create" makes it and opens it in the editor.
func (s *Pages) handleFromTextForm(c echo.Context) error {
	v := s.view(c)
	form := &fromTextForm{FromTextRequest: api.FromTextRequest{Text: c.FormValue("text"), Title: c.FormValue("title"), Marking: c.FormValue("marking")}}
	sh, err := s.api.SheetFromText(v, c.Param("id"), form.FromTextRequest)
	if err != nil {
		if !isFormError(err) {
			return err
		}
		return s.showRound(c, formStatus(err), func(rp *roundPage) { rp.Error, rp.FromText = toFormError(err), form })
	}
	if c.FormValue("op") != "create" {
		return s.showRound(c, http.StatusOK, func(rp *roundPage) {
			sh.Headings(rp.D.Home, rp.D.Partner)
			form.Sheet = sh
			rp.FromText = form
			// The page shows the sheet previewed: it is marked no lower.
			rp.Marking = s.settings.Highest(rp.Marking, sh.Marking)
		})
	}
	if err := v.St.CreateSheet(v.Ctx, sh, v.User.Actor()); err != nil {
		return err
	}
	return redirect(c, "/sheets/"+sh.ID+"/edit", "Topic sheet made from the text: check it below.")
}

// programmeFromForm reads an agenda item's times, session and lead.
func programmeFromForm(c echo.Context, it *briefing.AgendaItem) {
	it.StartsAt = strings.TrimSpace(c.FormValue("starts_at"))
	it.EndsAt = strings.TrimSpace(c.FormValue("ends_at"))
	it.Session = strings.TrimSpace(c.FormValue("session"))
	it.LeadPersonID = c.FormValue("lead_person_id")
}
