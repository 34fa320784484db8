package api

import (
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
)

// registerSheetRoutes registers /api/v1/rounds/:id/sheets and /api/v1/sheets/:id.
func (s *API) registerSheetRoutes() {
	r := &resource[*briefing.Sheet]{
		kind:  briefing.KindSheet,
		path:  func(id string) string { return api + "/sheets/" + id },
		fresh: func() *briefing.Sheet { return &briefing.Sheet{} },
		get:   func(v *view, id string) (*briefing.Sheet, error) { return v.SheetByID(id) },
		list: func(v *view, parent string, p briefing.Page) ([]*briefing.Sheet, string, error) {
			return v.SheetsPage(parent, p)
		},
		prepare: s.PrepareSheet,
		unsent: func(body []byte, sh, old *briefing.Sheet) {
			u := leftOutOf(body, sh)
			u.keepFrom(sh, old)
			keepMarkings(sh, old)
		},
		create: func(v *view, sh *briefing.Sheet) error { return v.St.CreateSheet(v.Ctx, sh, v.User.Actor()) },
		update: func(v *view, sh *briefing.Sheet) error { return v.St.UpdateSheet(v.Ctx, sh, v.User.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.St.DeleteSheet(v.Ctx, id, ver, v.User.Actor())
		},
		parent:   func(sh *briefing.Sheet, id string) { sh.RoundID = id },
		parentOf: func(sh *briefing.Sheet) string { return sh.RoundID },
		output: func(v *view, sh *briefing.Sheet) (*briefing.Sheet, error) {
			out, ok, err := v.Visible(sh)
			if err != nil {
				return nil, err
			} else if !ok {
				return nil, briefing.Errorf(briefing.ENOTFOUND, "sheet %s not found", sh.ID)
			}
			return out, v.AsLastSeen(v.Ctx, briefing.KindSheet, &out.Meta)
		},
		// A PUT that returned a cleared sheet to draft says so, as the
		// merge does. Its writer sees the whole sheet (checkSheet), old is
		// at the version written over, and its status is theirs to see.
		told: func(h http.Header, sh, old *briefing.Sheet) {
			if sh.Status != old.Status {
				tellStatusWas(h, old.Status)
			}
		},
	}
	// GET, POST /api/v1/rounds/:id/sheets
	s.route("GET", api+"/rounds/:id/sheets", briefing.RoleViewer, r.handleList(s, "id"))
	s.route("POST", api+"/rounds/:id/sheets", briefing.RoleOfficer, r.handleCreate(s, "id"))
	// GET, PUT, DELETE /api/v1/sheets/:id
	r.registerItem(s, api+"/sheets/:id", briefing.RoleViewer, briefing.RoleOfficer, briefing.RoleOfficer, s.CheckSheetDelete)
	// POST /api/v1/sheets/:id/review {"decision": "submit"|"clear"|"return", "comment"}
	s.route(http.MethodPost, api+"/sheets/:id/review", briefing.RoleOfficer, s.handleReview)
}

// PrepareSheet validates a topic sheet about to be saved and applies the
// writer's limits: nobody saves over content they cannot see (403, nothing
// lost), nobody writes content above their clearance (403), and only a
// delegation lead clears a sheet. old is the reader's copy on update.
func (s *API) PrepareSheet(v *view, sh, old *briefing.Sheet) error {
	return s.checkSheet(v, sh, old, nil, false)
}

// prepareCopy is PrepareSheet for a sheet the store held, saved again whole
// by a restore or a roll-forward for someone who sees all of it: it is held
// to what a stored sheet may hold (ValidateStored), not to a writer's
// limits, which paragraphs hidden from lower writers legitimately take it
// past.
func (s *API) prepareCopy(v *view, sh, old *briefing.Sheet) error {
	return s.checkSheet(v, sh, old, nil, true)
}

// checkSheet is prepareSheet for a plain save (merged nil), or for the
// result of a merge, which keeps exactly the paragraphs of the stored sheet
// merged that the writer may not see: only then may a sheet holding content
// above the writer be saved by them. copied is a stored sheet saved again
// whole (see prepareCopy).
func (s *API) checkSheet(v *view, sh, old, merged *briefing.Sheet, copied bool) error {
	r, err := v.RoundByID(sh.RoundID)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	var stored *briefing.Sheet
	if old != nil {
		if stored, err = v.St.Sheet(v.Ctx, sh.ID); err != nil {
			return err
		}
		// A save against an old version is stale whatever else is wrong with it.
		if sh.Version != stored.Version {
			return briefing.Errorf(briefing.ESTALE, "sheet %s is at version %d, not %d: someone saved it after you read it", sh.ID, stored.Version, sh.Version)
		}
		if merged == nil && !v.Set.HoldsOnly(v.User.Clearance, stored) {
			return briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds paragraphs above your clearance: saving it would lose them, so it is refused; ask someone with a higher clearance")
		}
		sh.PredecessorID, sh.Reviews = stored.PredecessorID, stored.Reviews
		if sh.Status == "" {
			// Left out, it is kept: set before the sheet is validated,
			// which would take it for a draft, and so for a save that
			// moved a submitted or cleared sheet back (422).
			sh.Status = stored.Status
		}
	} else {
		// The link to a predecessor is made by the roll-forward alone (it
		// sets it after this check): a writer does not point a new sheet at
		// another, as they do not give it reviews.
		sh.PredecessorID, sh.Reviews = "", nil
	}
	switch {
	case sh.Sections != nil:
	case old == nil:
		sh.Sections = briefing.NewSheetSections()
	case merged == nil:
		// Left out of a PUT, they would empty the sheet: a client that sent
		// only a new title would delete every paragraph. [] empties it.
		// (MergeSheet refuses a merge without them the same way.)
		return fieldError("sections", "is required: send the sheet's sections ([] to empty it)")
	default:
		sh.Sections = []briefing.Section{} // the merge left none
	}
	if old != nil && merged == nil {
		if err := paragraphsSent(sh); err != nil {
			return err
		}
	}
	// The owner is held by user id; the name is the owner's, as it is now.
	switch {
	case sh.OwnerID == "" && stored != nil:
		sh.OwnerID, sh.Owner = stored.OwnerID, stored.Owner
	case sh.OwnerID == "":
		sh.OwnerID = v.User.UserID
	}
	if stored == nil || sh.OwnerID != stored.OwnerID || stored.Owner == "" {
		u, err := v.St.User(v.Ctx, sh.OwnerID)
		switch {
		case briefing.ErrorCode(err) == briefing.ENOTFOUND && copied && stored != nil:
			// A version restored whose owner has no account now: the sheet
			// stays with its owner now, not refused for a field the
			// request did not have.
			sh.OwnerID, sh.Owner = stored.OwnerID, stored.Owner
		case briefing.ErrorCode(err) == briefing.ENOTFOUND:
			return fieldError("owner_id", "must be the id of a user")
		case err != nil:
			return err
		default:
			sh.Owner = u.Name
		}
	} else {
		sh.Owner = stored.Owner
	}
	known := briefing.ParagraphIDs(stored)
	for id := range v.KnownIDs {
		known[id] = true
	}
	briefing.AssignParagraphIDs(sh, known)
	briefing.KeepOrigins(sh, stored, copied)
	markUnmarked(sh, r.Marking)
	// A merged sheet holds, besides what its writer sent (checked as they
	// sent it, see checkMine), what is hidden from them: it is held only to
	// what no sheet of writers each held to the limits can reach; so is a
	// stored sheet copied whole, which no writer sent.
	validate := sh.Validate
	if merged != nil || copied {
		validate = sh.ValidateStored
	} else if stored != nil {
		// A PUT comes from someone who sees all of it.
		validate = func(s briefing.Settings) error { return sh.ValidateAsSeen(s, stored) }
	}
	if err := validate(v.Set); err != nil {
		return err
	}
	unchanged := map[string]briefing.Paragraph{} // paragraphs kept as stored, which need no clearance check
	if merged != nil {
		for _, sec := range stored.Sections {
			for _, p := range sec.Paragraphs {
				// As the check above cleaned it: control characters an
				// earlier release stored in a paragraph above the writer
				// are taken out, which is no change of theirs.
				p.Text = briefing.CleanText(p.Text)
				unchanged[p.ID] = p
			}
		}
	}
	for i, sec := range sh.Sections {
		// A standard heading is kept empty, so it follows the dialogue's names.
		if sec.Kind != briefing.SectionCustom && sec.Heading == briefing.DefaultHeading(sec.Kind, d.Home, d.Partner) {
			sh.Sections[i].Heading = ""
		}
		if sh.Sections[i].Paragraphs == nil {
			sh.Sections[i].Paragraphs = []briefing.Paragraph{}
		}
		for j, p := range sec.Paragraphs {
			if was, ok := unchanged[p.ID]; ok && was == p {
				continue
			}
			if err := v.MarkingWithin(fieldName(i, j), p.Marking); err != nil {
				return err
			}
		}
	}
	// Render each paragraph now, once, so exports find it ready.
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			htmlpack.Warm(v.Set, p)
		}
	}
	// A save does not move a sheet along its review: submitting, clearing
	// and returning go through POST …/review, which checks who may (a lead
	// who sees all of it, no comment open, only a submitted sheet cleared)
	// and writes the review trail. A save that sent another status went
	// round all of that.
	switch {
	case sh.Status == "":
		sh.Status = briefing.SheetDraft
	case stored == nil && sh.Status != briefing.SheetDraft:
		return fieldError("status", "a new topic sheet is a draft: it is submitted and cleared through its review (POST /api/v1/sheets/{id}/review)")
	case stored != nil && sh.Status != stored.Status:
		return fieldError("status", "is "+stored.Status+": it changes only through the sheet's review (POST /api/v1/sheets/{id}/review), not a save")
	}
	if sh.Status == briefing.SheetCleared && !v.User.Role.AtLeast(briefing.RoleLead) {
		switch {
		case stored != nil && stored.Status == briefing.SheetCleared && sameContent(sh, stored):
		case stored != nil && stored.Status == briefing.SheetCleared:
			sh.Status = briefing.SheetDraft // edited after clearance: it must be cleared again
		default:
			return &briefing.Error{Code: briefing.EFORBIDDEN, Message: "only a delegation lead can clear a topic sheet",
				Fields: map[string]string{"status": "only a delegation lead can set cleared"}}
		}
	}
	return nil
}

// paragraphsSent refuses a save whose section left its paragraphs out (or
// sent null): read as none, they would delete every paragraph of the
// section, as sections left out would the sheet's. [] empties a section.
func paragraphsSent(sh *briefing.Sheet) error {
	for i, sec := range sh.Sections {
		if sec.Paragraphs == nil {
			return fieldError("sections["+itoa(i)+"].paragraphs", "is required: send the section's paragraphs ([] to empty it)")
		}
	}
	return nil
}

func fieldName(i, j int) string {
	return "sections[" + itoa(i) + "].paragraphs[" + itoa(j) + "].marking"
}

// sameContent reports whether two sheets say the same thing.
func sameContent(a, b *briefing.Sheet) bool {
	return a.Title == b.Title && a.Withhold == b.Withhold && reflect.DeepEqual(a.Sections, b.Sections)
}

// CheckSheetDelete refuses to delete a sheet holding content above the
// deleter, or a cleared sheet to anyone below a delegation lead.
func (s *API) CheckSheetDelete(v *view, old *briefing.Sheet) error {
	stored, err := v.St.Sheet(v.Ctx, old.ID)
	if err != nil {
		return err
	}
	if !v.Set.HoldsOnly(v.User.Clearance, stored) {
		return briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds paragraphs above your clearance; it cannot be deleted by you")
	}
	if stored.Status == briefing.SheetCleared && !v.User.Role.AtLeast(briefing.RoleLead) {
		return briefing.Errorf(briefing.EFORBIDDEN, "a cleared topic sheet can be deleted only by a delegation lead")
	}
	return nil
}

// ReviewRequest is the body of POST /api/v1/sheets/:id/review.
type ReviewRequest struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
}

// Review applies one clearance step to a sheet: an officer submits it, a
// delegation lead clears it or returns it with a comment. It changes only
// the status and the review trail of the stored sheet, so nothing of it is
// lost whoever reviews it. version 0 reviews the current version.
func (s *API) Review(v *view, id string, version int, req ReviewRequest) (*briefing.Sheet, error) {
	if _, err := v.SheetByID(id); err != nil {
		return nil, err
	}
	stored, err := v.St.Sheet(v.Ctx, id)
	if err != nil {
		return nil, err
	}
	// Submitting, clearing or returning a sheet vouches for all of it.
	if !v.Set.HoldsOnly(v.User.Clearance, stored) {
		return nil, briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds content above your clearance: only someone who can see all of it may submit, clear or return it")
	}
	// Made against the version checked: written at a version If-Match
	// named ahead of it, a save landing between would be written over with
	// what was read, and a SECRET paragraph it added lost.
	if stored.Version, err = heldTo(version, stored.Version, briefing.KindSheet, id); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	switch req.Decision {
	case briefing.ReviewSubmit:
		if stored.Status != briefing.SheetDraft {
			return nil, briefing.Errorf(briefing.ECONFLICT, "only a draft can be submitted; this sheet is %s", stored.Status)
		}
		stored.Status = briefing.SheetSubmitted
	case briefing.ReviewClear, briefing.ReviewReturn:
		if !v.User.Role.AtLeast(briefing.RoleLead) {
			return nil, briefing.Errorf(briefing.EFORBIDDEN, "only a delegation lead can clear or return a topic sheet")
		}
		if req.Decision == briefing.ReviewClear {
			// A lead clears what its officer has put forward, nothing else.
			if stored.Status != briefing.SheetSubmitted {
				return nil, briefing.Errorf(briefing.ECONFLICT, "only a submitted sheet can be cleared; this sheet is %s: its officer submits it first", briefing.StatusLabel(stored.Status))
			}
			stored.Status = briefing.SheetCleared
		} else {
			if len(req.Comment) == 0 {
				fields["comment"] = "say why the sheet is returned"
			}
			stored.Status = briefing.SheetDraft
		}
	default:
		fields["decision"] = "must be submit, clear or return"
	}
	if len(req.Comment) > 5000 {
		fields["comment"] = "must be at most 5000 characters"
	}
	if len(fields) > 0 {
		return nil, &briefing.Error{Code: briefing.EINVALID, Message: "the review is not valid", Fields: fields}
	}
	stored.Reviews = append(stored.Reviews, briefing.Review{At: s.now().UTC(), By: v.User.Name, Decision: req.Decision, Comment: req.Comment,
		Marking: s.settings.SheetMarking(stored)})
	if req.Decision == briefing.ReviewClear {
		// No comment may be open, judged as the sheet is written: one
		// made meanwhile is never left open on a cleared sheet.
		open, err := v.St.ClearSheet(v.Ctx, stored, v.User.Actor())
		if err != nil {
			return nil, err
		}
		if open > 0 {
			return nil, s.openCommentsError(v, id, open)
		}
		return v.SheetByID(id)
	}
	if err := v.St.UpdateSheet(v.Ctx, stored, v.User.Actor()); err != nil {
		return nil, err
	}
	return v.SheetByID(id)
}

// handleReview is POST /api/v1/sheets/:id/review; If-Match is optional.
func (s *API) handleReview(c echo.Context) error {
	var req ReviewRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	sh, err := s.Review(s.view(c), c.Param("id"), version, req)
	if err != nil {
		return err
	}
	return one(c, http.StatusOK, sh.Version, sh)
}

// markUnmarked gives each paragraph sent without a marking the round's, as
// one added from a workbook or a brief is given: the lowest marking would
// be a guess downward, which a reader below the round would then be shown.
func markUnmarked(sh *briefing.Sheet, round string) {
	for i := range sh.Sections {
		for j := range sh.Sections[i].Paragraphs {
			if p := &sh.Sections[i].Paragraphs[j]; p.Marking == "" {
				p.Marking = round
			}
		}
	}
}
