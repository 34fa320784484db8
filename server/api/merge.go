package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
)

// registerMergeRoutes registers the paragraph-level merge of a sheet.
func (s *API) registerMergeRoutes() {
	// POST /api/v1/sheets/:id/merge: the sheet as its writer edited it,
	// "version" the version they started from.
	s.route(http.MethodPost, api+"/sheets/:id/merge", briefing.RoleOfficer, s.handleMerge)
}

// merged is what a merge wrote.
type merged struct {
	Sheet *briefing.Sheet // the reader's copy of what was written
	// Merged counts the changes of others since the writer's version kept beside theirs;
	// From names who made them.
	Merged int
	From   []string
	// StatusWas is the status of the stored sheet the save was written
	// over, when the save changed it: a change by someone below a
	// delegation lead returns a cleared sheet to draft. Was is that status
	// whether or not the save changed it.
	StatusWas, Was string
}

// StoredVersion returns one stored version of a sheet, whole, or nil.
func (s *API) StoredVersion(v *view, id string, version int) (*briefing.Sheet, error) {
	sh, _, err := s.storedVersion(v, id, version)
	return sh, err
}

// storedVersion is StoredVersion, with the raises of the sheet's
// paragraphs saved after that version.
func (s *API) storedVersion(v *view, id string, version int) (*briefing.Sheet, []briefing.Raise, error) {
	rec, err := v.St.Version(v.Ctx, briefing.KindSheet, id, version)
	if briefing.ErrorCode(err) == briefing.ENOTFOUND || (err == nil && rec.Deleted) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	var sh briefing.Sheet
	if err := json.Unmarshal(rec.Data, &sh); err != nil {
		return nil, nil, fmt.Errorf("history of sheet %s version %d: %w", id, version, err)
	}
	return &sh, rec.Raised, nil
}

// EditorsSince names who saved a sheet after version from, up to version to
// (fifty at most), reading only those versions' headers: the saves the
// reader sees (SeesSave), as their list of versions does. A save that
// changed only what is above them named who had changed it.
func (s *API) EditorsSince(v *view, id string, from, to int) []string {
	if to <= from {
		return nil
	}
	recs, _, err := v.St.VersionHeaders(v.Ctx, briefing.KindSheet, id, briefing.Page{After: strconv.Itoa(from), Limit: min(to-from, 50)})
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, rec := range recs {
		if rec.Version > to || !v.SeesSave(rec.Seen) {
			continue
		}
		if !seen[rec.By] && rec.By != v.User.Name {
			seen[rec.By] = true
			out = append(out, rec.By)
		}
	}
	sort.Strings(out)
	return out
}

// Attempt is one merge of a writer's edit against what is stored now.
type Attempt struct {
	Res    briefing.MergeResult
	Theirs *briefing.Sheet // the stored sheet merged with, whole
	Base   *briefing.Sheet // the version the writer started from, whole
}

// MergeOnce merges a writer's edit (mine, made from mine.Version) with the
// stored sheet, writing nothing.
func (s *API) MergeOnce(v *view, id string, mine *briefing.Sheet) (*Attempt, error) {
	if mine.Version < 1 {
		return nil, fieldError("version", "must be the version of the sheet you started from")
	}
	theirs, err := v.St.Sheet(v.Ctx, id)
	if err != nil {
		return nil, err
	}
	base := theirs
	var raised []briefing.Raise // since base: none when base is theirs
	if mine.Version != theirs.Version {
		if base, raised, err = s.storedVersion(v, id, mine.Version); err != nil {
			return nil, err
		} else if base == nil || mine.Version > theirs.Version {
			return nil, fieldError("version", fmt.Sprintf("must be a saved version of this sheet (it is at version %d)", theirs.Version))
		}
	}
	if mine.Status == "" {
		// Left out, as a PUT may leave it: the writer did not change it,
		// where "" merged as a change of its own clashed with a review
		// made since (or was refused as a save moving the review).
		m := *mine
		m.Status = base.Status
		mine = &m
	}
	if !v.Set.HoldsOnly(v.User.Clearance, theirs) && briefing.NormalizeOrSame(v.Set, mine.Withhold) != base.Withhold {
		return nil, briefing.Errorf(briefing.EFORBIDDEN, "withholding the whole sheet governs paragraphs above your clearance: ask someone with a higher clearance")
	}
	since, err := s.versionsRead(v, id, base, theirs, mine)
	if err != nil {
		return nil, err
	}
	return &Attempt{Res: briefing.MergeSheet(v.Set, v.User.Clearance, base, theirs, mine, raised, since...), Theirs: theirs, Base: base}, nil
}

// versionsRead returns the stored versions of a sheet after base and before
// theirs that the merge of mine needs: none unless mine holds paragraphs
// its writer read after base (briefing.Settings.LaterParagraphs), else
// those at which one of them first showed to them, up to the last.
func (s *API) versionsRead(v *view, id string, base, theirs, mine *briefing.Sheet) ([]*briefing.Sheet, error) {
	later := v.Set.LaterParagraphs(v.User.Clearance, base, theirs, mine)
	var out []*briefing.Sheet
	for n := base.Version + 1; n < theirs.Version && len(later) > 0; n++ {
		sh, err := s.StoredVersion(v, id, n)
		if err != nil {
			return nil, err
		} else if sh == nil {
			continue
		}
		// Kept only where one of them first shows: the merge reads no
		// other, so a base far behind costs the reads, not every version
		// held at once.
		shows := false
		if sv, ok := v.Set.VisibleSheet(v.User.Clearance, sh); ok {
			for pid := range briefing.ParagraphIDs(sv) {
				if later[pid] {
					delete(later, pid)
					shows = true
				}
			}
		}
		if shows {
			out = append(out, sh)
		}
	}
	return out, nil
}

// MergeSheet three-way merges a writer's edit of a sheet (mine, made from
// mine.Version) with what is stored, and writes the result: the changes that
// do not overlap are kept on both sides, the paragraphs above the writer are
// kept exactly, and an overlap is ECONFLICT with the conflicts, nothing
// written. A write that loses a race to another is merged again.
func (s *API) MergeSheet(v *view, id string, mine *briefing.Sheet) (*merged, error) {
	cur, err := v.SheetByID(id)
	if err != nil {
		return nil, err
	}
	if mine.Sections == nil {
		// Left out, they would delete every paragraph the writer sees.
		return nil, fieldError("sections", "is required: send the sheet's sections ([] to empty it)")
	}
	if err := paragraphsSent(mine); err != nil {
		return nil, err
	}
	mine, err = s.checkMine(v, cur, mine)
	if err != nil {
		return nil, err
	}
	// Merges of one sheet on this server take turns: each reads what the
	// one before it wrote, where together they read the same version and
	// all but one lost at the write (6 officers adding paragraphs at once:
	// one merge in nine refused after five tries). A turn is only a
	// courtesy between this server's requests; the version compared at the
	// write is what keeps saves from other servers, imports and reviews.
	turn := &s.mergeTurns[stripe(id)]
	turn.Lock()
	defer turn.Unlock()
	for try := 0; ; try++ {
		if try == mergeTurnAfter {
			ctx, end, err := v.St.TakeTurn(v.Ctx)
			if err != nil {
				return nil, err
			}
			defer end()
			inTurn := *v
			inTurn.Ctx = ctx
			v = &inTurn
		}
		a, err := s.MergeOnce(v, id, mine)
		if err != nil {
			return nil, err
		}
		if len(a.Res.Conflicts) > 0 {
			return nil, conflictError(a.Res.Conflicts, s.EditorsSince(v, id, mine.Version, a.Theirs.Version), mine.Version)
		}
		out := a.Res.Sheet
		out.Meta = a.Theirs.Meta
		out.RoundID = a.Theirs.RoundID
		if err := v.Set.CheckMergedCounts(v.User.Clearance, out, mine, a.Theirs); err != nil {
			return nil, savedSince{err}
		}
		if err := s.checkSheet(v, out, cur, a.Theirs, false); briefing.ErrorCode(err) == briefing.ESTALE && try < mergeTries {
			// The check reads the stored sheet again: a save that came
			// after the merge read it is merged with too, as one that comes
			// before the write is.
			continue
		} else if err != nil {
			return nil, savedSince{unplaced(v, out, err)}
		}
		// A merge that would leave its writer nothing of the sheet to see
		// (every paragraph they see deleted, those above them kept) would
		// be written and then answered as if the sheet did not exist, to
		// them and to everyone of their clearance: as deleting the sheet
		// is, it is refused to them.
		if _, ok, err := v.VisibleSheet(v.Ctx, out); err != nil {
			return nil, err
		} else if !ok {
			return nil, briefing.Errorf(briefing.EFORBIDDEN, "this topic sheet holds paragraphs above your clearance: deleting every paragraph you see would leave it only those, which you could not see; ask someone with a higher clearance")
		}
		// The answer is the sheet as written (or, when nothing was, as
		// stored), not what is stored by now: another save may already
		// have followed this one.
		answer := func(written *briefing.Sheet) (*merged, error) {
			sh, ok, err := v.VisibleSheet(v.Ctx, written)
			if err != nil {
				return nil, err
			} else if !ok {
				return nil, briefing.Errorf(briefing.ENOTFOUND, "sheet %s not found", id)
			}
			// Written or not, the copy names the last save its writer
			// sees: with nothing written, the stored sheet's last save
			// may be one of what is above them.
			if err := v.AsLastSeen(v.Ctx, briefing.KindSheet, &sh.Meta); err != nil {
				return nil, err
			}
			m := &merged{Sheet: sh, Merged: a.Res.Merged, Was: a.Theirs.Status}
			if written.Status != a.Theirs.Status {
				// A cleared sheet returned to draft by this save: the
				// clearance was merged with it, and is not kept.
				m.StatusWas = a.Theirs.Status
				if mineStatus := cmp.Or(mine.Status, a.Base.Status); mineStatus != a.Theirs.Status && a.Base.Status != a.Theirs.Status {
					m.Merged--
				}
			}
			if m.Merged > 0 {
				m.From = s.EditorsSince(v, id, mine.Version, a.Theirs.Version)
			}
			return m, nil
		}
		if out.SameContent(a.Theirs) {
			// Nothing to write: mine holds nothing theirs does not (no
			// change, or only changes saved already). A new version would
			// say the sheet changed, to every pack and reader of it.
			return answer(a.Theirs)
		}
		err = v.St.UpdateSheet(v.Ctx, out, v.User.Actor())
		if briefing.ErrorCode(err) == briefing.ESTALE && try < mergeTries {
			continue // someone saved in between: merge with theirs too
		} else if briefing.ErrorCode(err) == briefing.ESTALE {
			return nil, savedSince{err}
		} else if err != nil {
			return nil, err
		}
		return answer(out)
	}
}

// savedSince is a merge refused for what others saved since the writer's
// version, not for the writer's own sheet, which passed its checks: the
// sheet merged with theirs fails one, or the merge lost every race to
// their saves.
type savedSince struct{ error }

func (e savedSince) Unwrap() error { return e.error }

// SavedSince reports whether a merge (MergeSheet) was refused for what
// others saved since the writer's version: the writer needs to see it.
func SavedSince(err error) bool {
	var s savedSince
	return errors.As(err, &s)
}

// checkMine checks a writer's sheet as they sent it, before it is merged:
// every field as a save checks it (422), then every marking above them
// (403), each named by its place in their sheet ("sections[0].paragraphs[2]
// .marking"; "section 1, paragraph 3"), never by its place in the stored
// sheet, which holds paragraphs hidden from them. The limits hold it as
// they see it, or to no more than they saw at the version they started
// from (see briefing.Sheet.ValidateAsSeen). It returns the sheet to merge:
// a copy, each paragraph sent without a marking given the one it has (as
// the sheet is now, or as they saw it), or if new the round's.
func (s *API) checkMine(v *view, cur, mine *briefing.Sheet) (*briefing.Sheet, error) {
	r, err := v.RoundByID(cur.RoundID)
	if err != nil {
		return nil, err
	}
	mine = mine.Clone()
	seen := cur // what they saw at the version they started from, if it is one
	if mine.Version != cur.Version {
		seen = nil
		if mine.Version > 0 && mine.Version < cur.Version {
			base, err := s.StoredVersion(v, cur.ID, mine.Version)
			if err != nil {
				return nil, err
			} else if base != nil {
				seen, _ = v.Set.VisibleSheet(v.User.Clearance, base)
			}
		}
	}
	keepMarkings(mine, cur, seen)
	markUnmarked(mine, r.Marking)
	if err := mine.Clone().ValidateAsSeen(v.Set, seen); err != nil {
		return nil, err
	}
	for i, sec := range mine.Sections {
		for j, p := range sec.Paragraphs {
			if err := v.MarkingWithin(fieldName(i, j), p.Marking); err != nil {
				return nil, err
			}
		}
	}
	return mine, nil
}

// unplaced is an error of the check of a merged sheet as its writer may be
// told it: the merged sheet holds paragraphs hidden from them, so an error
// naming a place in it would say where they are. Their own sheet passed
// the same checks (checkMine), so such an error is of content others saved:
// it is told without its places.
func unplaced(v *view, merged *briefing.Sheet, err error) error {
	if v.Set.HoldsOnly(v.User.Clearance, merged) {
		return err
	}
	for f := range briefing.ErrorFields(err) {
		if strings.HasPrefix(f, "sections") {
			return &briefing.Error{Code: briefing.ErrorCode(err),
				Message: "the topic sheet, with what was saved since your version, cannot be saved as it stands: open it again and save your changes on what is there now"}
		}
	}
	return err
}

// mergeTries is how many times a merge is made again against a newer
// save before it gives up (412).
const mergeTries = 10

// mergeTurnAfter is how many tries a merge loses before it takes the
// database's turn to write (TakeTurn): on several servers the merges of
// one sheet lose to one another's, and one server's could lose ten times
// in a row and be refused. In the turn nothing else is committed between
// its read and its write.
const mergeTurnAfter = 3

// mergeStripes is how many turns the merges of all sheets share.
const mergeStripes = 64

// stripe is which of the merge turns a sheet takes.
func stripe(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % mergeStripes)
}

// conflictError is the 409 of a merge: each conflicting paragraph (or
// heading, or the title) named by its place in the writer's sheet, with the
// three versions of it.
func conflictError(cs []briefing.Conflict, who []string, version int) error {
	fields := map[string]string{}
	count := map[string]int{}
	for _, c := range cs {
		what := conflictPart(c.Path)
		count[what]++
		switch {
		case c.Mine == nil:
			fields[c.Path] = "you deleted this " + what + "; it was changed since you opened the sheet"
		case c.Theirs == nil:
			fields[c.Path] = "you changed this " + what + "; it was deleted since you opened the sheet"
		default:
			fields[c.Path] = "changed both by you and since you opened the sheet"
		}
	}
	by := "another save" // none named: it may be the writer's own, from another page
	if len(who) > 0 {
		by = strings.Join(who, " and ")
	}
	var parts []string
	for _, what := range []string{"paragraph", "heading", "title", "holder", "status", "withholding"} {
		switch n := count[what]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+what)
		default:
			parts = append(parts, fmt.Sprintf("%d %ss", n, what))
		}
	}
	verb := "was"
	if len(cs) != 1 {
		verb = "were"
	}
	return &briefing.Error{Code: briefing.ECONFLICT, Fields: fields, Conflicts: cs,
		Message: fmt.Sprintf("Not saved: %s %s changed both by you and by %s since version %d. Choose, for each, which text to keep.", strings.Join(parts, " and "), verb, by, version)}
}

// conflictPart is what a conflict's path names: a paragraph, a section's
// heading, or one of the sheet's own fields.
func conflictPart(path string) string {
	switch {
	case path == "title":
		return "title"
	case path == "owner_id":
		return "holder"
	case path == "status":
		return "status"
	case path == "withhold":
		return "withholding"
	case strings.HasSuffix(path, ".heading"):
		return "heading"
	}
	return "paragraph"
}

// handleMerge is POST /api/v1/sheets/:id/merge: 200 and the merged sheet
// with its ETag (Briefpack-Merged and -Merged-From saying what was merged
// from whom, Briefpack-Status-Was the status the save changed), or 409
// with the conflicts.
func (s *API) handleMerge(c echo.Context) error {
	mine := &briefing.Sheet{}
	body, err := server.DecodeBody(c, mine)
	if err != nil {
		return err
	}
	v := s.view(c)
	if u := leftOutOf(body, mine); u.any() {
		// Kept as they are now; a paragraph gone since, as the writer
		// read it, if sent as read. Either way the merge sees no change
		// of the writer's.
		// (Markings left out are kept by checkMine, for the editor too.)
		cur, err := v.SheetByID(c.Param("id"))
		if err != nil {
			return err
		}
		u.keepFrom(mine, cur)
		if u.any() && mine.Version > 0 && mine.Version < cur.Version {
			// A paragraph gone from them since (deleted, or raised above
			// them, which they cannot tell apart), as they read it, but
			// only one sent as it was: the merge then sees no change of
			// theirs to it, and answers nothing of it. One they changed is
			// a conflict, whose "mine" must not give them a raised
			// paragraph's ground they did not send. Nothing can be raised
			// above a writer cleared for the top of the scheme: theirs
			// keep their grounds, changed or not.
			base, err := v.SheetVersionAsSeen(v.Ctx, cur.ID, mine.Version)
			if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
				return err
			}
			if v.Allows(v.Set.Top()) {
				u.keepFrom(mine, base)
			} else {
				u.keepFromUnchanged(base)
			}
		}
	}
	m, err := s.MergeSheet(v, c.Param("id"), mine)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Briefpack-Merged", fmt.Sprint(m.Merged))
	if len(m.From) > 0 {
		h.Set("Briefpack-Merged-From", strings.Join(m.From, ", "))
	}
	if m.StatusWas != "" {
		tellStatusWas(h, m.StatusWas)
	}
	return one(c, http.StatusOK, m.Sheet.Version, m.Sheet)
}

// tellStatusWas says in an answer to a save the status of the sheet it was
// written over, which the save changed (a cleared sheet returned to draft).
func tellStatusWas(h http.Header, was string) {
	h.Set("Briefpack-Status-Was", was)
}
