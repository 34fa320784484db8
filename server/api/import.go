package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/briefing/xlsxpack"
	"briefpack/internal/parallel"
	"briefpack/server"
)

// ImportBodyLimit bounds the workbook an import takes: far above the
// 4 MiB of other bodies, as a pack of a thousand sheets needs, and only on
// the import routes.
const ImportBodyLimit = 64 << 20

// XLSXType is the media type of a workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// registerImportRoutes registers the import of an edited pack workbook.
func (s *API) registerImportRoutes() {
	// POST /api/v1/rounds/:id/import[?dry_run=true]: the workbook as the body.
	s.route(http.MethodPost, api+"/rounds/:id/import", briefing.RoleOfficer, s.handleImport)
	s.SetBodyLimit(http.MethodPost, api+"/rounds/:id/import", ImportBodyLimit)
}

// ImportJSON is what an import did, or a dry run would do, per sheet.
type ImportJSON struct {
	RoundID string            `json:"round_id"`
	DryRun  bool              `json:"dry_run"`
	Sheets  []ImportSheetJSON `json:"sheets"`
	// Unchanged counts the workbook's sheets nothing was changed in: they
	// keep their version.
	Unchanged int `json:"unchanged"`
	Conflicts int `json:"conflicts"`
	// WorksheetEdits are the workbook's topic sheets whose own worksheets
	// were edited: nothing there is imported, and this says so.
	WorksheetEdits []WorksheetEditJSON `json:"worksheet_edits"`
}

// WorksheetEditJSON is a topic sheet whose own worksheet (the two-column
// form, which reads as the brief does) the workbook holds edited: the
// import reads only the Topics rows, so those edits are not imported,
// whatever it does with the rows. Cell is the first cell, by row then
// column, that is not as the export wrote it ("Foreign Interference!B4").
type WorksheetEditJSON struct {
	SheetID   string `json:"sheet_id"`
	Title     string `json:"title"`
	Worksheet string `json:"worksheet"`
	Cell      string `json:"cell"`
	Message   string `json:"message"`
}

// ImportSheetJSON is one sheet's part of an import.
type ImportSheetJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Version is the one the workbook was made from, Current the stored one
	// before the import, New the one the import wrote (0 for a dry run).
	Version   int                     `json:"version"`
	Current   int                     `json:"current_version"`
	New       int                     `json:"new_version,omitempty"`
	Changed   []briefing.ImportChange `json:"changed"`
	Added     []briefing.ImportChange `json:"added"`
	Removed   []briefing.ImportChange `json:"removed"`
	Conflicts []ImportConflict        `json:"conflicts"`
	// writes says the merge leaves the sheet other than it is stored: the
	// import writes it, or a dry run would. A sheet the workbook touched
	// may merge to what is stored already (a workbook imported twice).
	writes bool
}

// Changes reports whether the import changes the sheet, or a dry run
// would, conflicts aside: what the page counts, from the merge that decides
// what is written.
func (s ImportSheetJSON) Changes() bool { return s.writes || len(s.Conflicts) > 0 }

// ChangedSheets are the sheets the import changes, or a dry run would.
func (r *ImportJSON) ChangedSheets() []ImportSheetJSON {
	var out []ImportSheetJSON
	for _, s := range r.Sheets {
		if s.Changes() {
			out = append(out, s)
		}
	}
	return out
}

// UnchangedSheets counts the workbook's sheets the import leaves at their
// version: those it changed nothing in, and those it merged to what was
// stored already.
func (r *ImportJSON) UnchangedSheets() int {
	return r.Unchanged + len(r.Sheets) - len(r.ChangedSheets())
}

// ImportConflict is a paragraph changed in the workbook and, differently,
// in the sheet since the workbook was made (or deleted on one side).
type ImportConflict struct {
	Cell        string `json:"cell,omitempty"` // Topics!D12; empty for a row the workbook deleted
	Row         int    `json:"row,omitempty"`
	SheetID     string `json:"sheet_id"`
	ParagraphID string `json:"paragraph_id,omitempty"`
	Path        string `json:"path"`
	Base        any    `json:"base"`
	Theirs      any    `json:"theirs"`
	Mine        any    `json:"mine"`
}

// handleImport is POST /api/v1/rounds/:id/import: 200 with the plan (and
// the new versions unless a dry run), 409 on conflicts, 4xx for a file that
// is not a pack workbook of the round.
func (s *API) handleImport(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != XLSXType && mt != "application/octet-stream" && mt != "application/zip") {
		return errorf(server.CodeUnsupportedMedia, "the request body must be a workbook (Content-Type: "+XLSXType+")")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	dry, err := dryRun(c.QueryParam("dry_run"))
	if err != nil {
		return err
	}
	res, err := s.Import(s.view(c), c.Param("id"), body, dry)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func dryRun(q string) (bool, error) {
	switch strings.ToLower(q) {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, &briefing.Error{Code: codeBadRequest, Message: "dry_run must be true or false", Fields: map[string]string{"dry_run": "must be true or false"}}
}

// importSheet is one sheet being imported: its plan, where each of its
// paragraphs came from in the workbook, and the result to write.
type importSheet struct {
	plan *briefing.SheetImport
	rows map[string]int // paragraph id in mine (as MergeSheet names new ones) → Topics row
	out  *briefing.Sheet
	js   ImportSheetJSON
}

// Import applies an edited pack workbook to a round's sheets through the
// merge, each sheet from the version the workbook was made from: every
// sheet or none. A dry run answers the same plan and writes nothing; so
// does a conflict, answered as ECONFLICT naming each cell. The clearance and
// role rules are those of a save (checkSheet), and content above the
// importer is kept exactly, as in every merge.
func (s *API) Import(v *view, roundID string, body []byte, dry bool) (*ImportJSON, error) {
	r, err := v.RoundByID(roundID)
	if err != nil {
		return nil, err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return nil, err
	}
	// While the workbook is read, another core works out how the workbook
	// would show each paragraph of the round's sheets as they are now: what
	// the rows are compared with to find the ones edited.
	shownc := make(chan map[string]string, 1)
	go func() {
		shown := map[string]string{}
		// Only a shortcut: should it fail, the import works the texts out itself.
		defer func() {
			_ = recover()
			shownc <- shown
		}()
		shown = s.shownTexts(v, r.ID)
	}()
	book, err := xlsxpack.ReadImport(bytes.NewReader(body), int64(len(body)), 0)
	shown := <-shownc
	if err != nil {
		return nil, err
	}
	// Another database's round and sheets may have the same ids and
	// versions, and its workbook would delete what it never held here. A
	// workbook made before the export named its database is taken as before.
	if book.Instance != "" && book.Instance != v.Set.Instance {
		return nil, importError("Import!B"+strconv.Itoa(book.InstanceRow), "the workbook was made from another briefpack database (another server's, or a copy such as a staging or training one): import it there, or download this round's pack here and make the edits in that")
	}
	if book.RoundID != r.ID {
		return nil, importError("Import!B1", "the workbook was made from another round's pack: import it on that round")
	}
	bases, gone, err := s.importBases(v, r, d, book)
	if err != nil {
		return nil, madeForHigher(v, book, err)
	}
	render := xlsxpack.TopicTexts(v.Set)
	topicText := func(p briefing.Paragraph) string {
		if t, ok := shown[p.Text+"\x00"+p.Withhold]; ok {
			return t
		}
		return render(p)
	}
	plans, err := v.Set.PlanImport(book, briefing.ImportInput{Bases: bases, Clearance: v.User.Clearance, DefaultMarking: r.Marking,
		Render: topicText})
	if err != nil {
		return nil, madeForHigher(v, book, err)
	}
	// A sheet deleted since the workbook was made, its rows untouched, is
	// no part of the import; one whose rows were edited cannot be.
	for _, p := range plans {
		cell, deleted := gone[p.SheetID]
		if !deleted {
			continue
		}
		// Named by its first edited row; rows deleted, by the Import cell.
		if rows := append(slices.Clip(p.Changed), p.Added...); len(rows) > 0 {
			cell = xlsxpack.CellName("Topics", p.Cols.Text, rows[0].Row)
		}
		return nil, importError(cell, fmt.Sprintf("the topic sheet %q was deleted after this workbook was made: its edited rows cannot be imported (restore the sheet, or leave its rows as they were)", p.Title))
	}
	edits := worksheetEdits(v, book, bases, gone, topicText)
	listed := len(bases) - len(gone)
	for try := 0; ; try++ {
		res := &ImportJSON{RoundID: r.ID, DryRun: dry, Sheets: []ImportSheetJSON{}, Unchanged: listed - len(plans), WorksheetEdits: edits}
		sheets, err := s.mergeImport(v, bases, plans, res)
		if err != nil {
			return nil, err
		}
		if dry {
			return res, nil
		}
		if res.Conflicts > 0 {
			return nil, importConflicts(res)
		}
		var outs []*briefing.Sheet
		for _, is := range sheets {
			if is.out != nil {
				outs = append(outs, is.out)
			}
		}
		if len(outs) > 0 {
			err = v.St.UpdateSheets(v.Ctx, outs, v.User.Actor())
		}
		if briefing.ErrorCode(err) == briefing.ESTALE && try < 5 {
			continue // someone saved in between: merge with theirs too
		} else if err != nil {
			return nil, err
		}
		for i, is := range sheets {
			res.Sheets[i].New = res.Sheets[i].Current
			if is.out != nil {
				res.Sheets[i].New = is.out.Version
			}
		}
		return res, nil
	}
}

// worksheetEdits are the sheets of a workbook whose own worksheets it holds
// other than the export wrote them, in the workbook's order: each compared
// with the sheet at the workbook's version as its maker saw it, which is
// the importer's copy (bases) less what is marked above the workbook. A
// workbook marked above the importer held what they cannot see, which
// their copy cannot tell from an edit: nothing is said of its worksheets,
// whatever it holds. Nor of a sheet deleted since, no part of the import,
// nor of a worksheet the workbook does not hold by its name.
func worksheetEdits(v *view, book *briefing.ImportBook, bases map[string]*briefing.Sheet, gone map[string]string, topicText func(briefing.Paragraph) string) []WorksheetEditJSON {
	out := []WorksheetEditJSON{}
	top := v.Set.NormalizeMarking(book.Marking)
	if top == "" || !v.Set.Allows(v.User.Clearance, top) {
		return out
	}
	cells := make([]string, len(book.Sheets))
	_ = parallel.Each(len(book.Sheets), func(i int, _ *struct{}) error {
		sh := book.Sheets[i]
		base, ok := bases[sh.ID]
		if _, deleted := gone[sh.ID]; !ok || deleted || sh.Worksheet == "" {
			return nil
		}
		if made, ok := v.Set.VisibleSheet(top, base); ok {
			cells[i] = xlsxpack.EditedCell(v.Set, made, sh, topicText)
		}
		return nil
	})
	for i, sh := range book.Sheets {
		if cells[i] == "" {
			continue
		}
		title := bases[sh.ID].Title
		out = append(out, WorksheetEditJSON{SheetID: sh.ID, Title: title, Worksheet: sh.Worksheet, Cell: cells[i],
			Message: fmt.Sprintf("The worksheet %q was edited, first at %s: edits made there are not imported, for only the Topics worksheet is read. Make them in the Topics rows of %q (their Text, Marking and Withholding columns) and bring the workbook back again.",
				sh.Worksheet, cells[i], title)})
	}
	return out
}

// shownTexts is each paragraph of a round's sheets, as the reader sees them
// now, as a workbook shows it, keyed by its text and withholding (all that
// the shown text depends on). It reads only through the reader's view; a
// failure leaves the map short, and the import works those texts out itself.
func (s *API) shownTexts(v *view, roundID string) map[string]string {
	shown := map[string]string{}
	render := xlsxpack.TopicTexts(v.Set)
	_ = eachPage(func(p briefing.Page) ([]*briefing.Sheet, string, error) { return v.SheetsPage(roundID, p) },
		func(sh *briefing.Sheet) (bool, error) {
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					if k := p.Text + "\x00" + p.Withhold; shown[k] == "" {
						shown[k] = render(p)
					}
				}
			}
			return true, nil
		})
	return shown
}

// importBases reads the importer's copy of each sheet the workbook's Import
// worksheet lists, at the version it was made from. A sheet that does not
// exist, or that the importer may not see, or of another round, is answered
// alike: the cell that names it. A sheet of the round deleted since, whose
// version the importer saw, is read from its history and named in gone,
// with the cell that names it:
// its rows untouched, the rest of the workbook is imported (a whole import
// was refused for a sheet someone deleted meanwhile). A row naming a sheet
// the Import worksheet does not list is PlanImport's to refuse.
func (s *API) importBases(v *view, r *briefing.Round, d *briefing.Dialogue, book *briefing.ImportBook) (map[string]*briefing.Sheet, map[string]string, error) {
	type ref struct {
		cell        string // the cell naming the sheet
		versionCell string // the cell giving its version
		version     int
	}
	refs := map[string]ref{}
	var ids []string
	for _, sh := range book.Sheets {
		refs[sh.ID] = ref{"Import!A" + strconv.Itoa(sh.Row), "Import!B" + strconv.Itoa(sh.Row), sh.Version}
		ids = append(ids, sh.ID)
	}
	bases, gone := map[string]*briefing.Sheet{}, map[string]string{}
	for _, id := range ids {
		rf := refs[id]
		cur, err := v.SheetByID(id)
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			bv, err := s.deletedBase(v, r, id, rf.version)
			if err != nil {
				return nil, nil, err
			} else if bv == nil {
				return nil, nil, importError(rf.cell, "names no topic sheet of this round")
			}
			bv.Headings(d.Home, d.Partner)
			bases[id], gone[id] = bv, rf.cell
			continue
		} else if err != nil {
			return nil, nil, err
		}
		if cur.RoundID != r.ID {
			return nil, nil, importError(rf.cell, "names a topic sheet of another round")
		}
		// Usually nothing was saved since the workbook was made: the
		// reader's copy is the base, and no old version need be read.
		var bv *briefing.Sheet
		if cur.Version == rf.version {
			bv = cur.Clone()
		} else {
			base, err := s.StoredVersion(v, id, rf.version)
			if err != nil {
				return nil, nil, err
			}
			ok := base != nil
			if ok {
				bv, ok = v.Set.VisibleSheet(v.User.Clearance, base)
			}
			if !ok {
				return nil, nil, importError(rf.versionCell, fmt.Sprintf("the topic sheet has no version %d", rf.version))
			}
		}
		bv.Version = rf.version
		bv.Headings(d.Home, d.Partner)
		bases[id] = bv
	}
	return bases, gone, nil
}

// deletedBase is the importer's copy of a sheet of round r deleted since,
// at the version a workbook was made from; nil when there is none to them
// (never a sheet, of another round, or that version above them), answered
// as a sheet that does not exist is.
func (s *API) deletedBase(v *view, r *briefing.Round, id string, version int) (*briefing.Sheet, error) {
	base, err := s.StoredVersion(v, id, version)
	if err != nil || base == nil || base.RoundID != r.ID {
		return nil, err
	}
	bv, ok := v.Set.VisibleSheet(v.User.Clearance, base)
	if !ok {
		return nil, nil
	}
	bv.Version = version
	return bv, nil
}

// mergeImport merges each sheet's plan with what is stored now, and checks
// each result as a save would be, filling in the answer. Nothing is written.
// bases are the sheets at the workbook's versions, as the importer sees them.
func (s *API) mergeImport(v *view, bases map[string]*briefing.Sheet, plans []*briefing.SheetImport, res *ImportJSON) ([]*importSheet, error) {
	var out []*importSheet
	for _, p := range plans {
		is := &importSheet{plan: p, rows: map[string]int{}}
		mine := p.Mine.Clone()
		mine.Version = p.Version
		for i, sec := range mine.Sections {
			for j, para := range sec.Paragraphs {
				if row, ok := p.RowOf[para.ID]; ok {
					if strings.HasPrefix(para.ID, "new:") {
						is.rows[fmt.Sprintf("new:%d:%d", i, j)] = row
					} else {
						is.rows[para.ID] = row
					}
				}
			}
		}
		// The sheet as the workbook left it is checked before the merge, as
		// a merge checks its writer's (checkMine): every error named by its
		// cell, the limits held as the importer saw the sheet at the
		// workbook's version. The merged sheet holds paragraphs hidden from
		// them, whose places and number no answer may tell.
		mineAt, secAt := importPlaces(mine, p)
		if err := mine.Clone().ValidateAsSeen(v.Set, bases[p.SheetID]); err != nil {
			return nil, cellErrors(err, mineAt, secAt, p.Cols)
		}
		cur, err := v.SheetByID(p.SheetID)
		if err != nil {
			return nil, err
		}
		a, err := s.MergeOnce(v, p.SheetID, mine)
		if err != nil {
			return nil, err
		}
		// The rows the stored sheet already added, as a workbook imported
		// before: they merge once, and are not added again.
		same := map[string]bool{}
		changed, removed := p.Changed, p.Removed
		if tv, ok := v.Set.VisibleSheet(v.User.Clearance, a.Theirs); ok {
			same = sameAdditions(bases[p.SheetID], tv, mine)
			changed, removed = notYetApplied(tv, mine, p.Changed, p.Removed)
		}
		added := []briefing.ImportChange{}
		for _, c := range p.Added {
			if !same[fmt.Sprintf("new:row:%d", c.Row)] {
				added = append(added, c)
			}
		}
		is.js = ImportSheetJSON{ID: p.SheetID, Title: cur.Title, Version: p.Version, Current: a.Theirs.Version,
			Changed: nonNil(changed), Added: added, Removed: nonNil(removed), Conflicts: []ImportConflict{}}
		for _, cf := range a.Res.Conflicts {
			ic := ImportConflict{SheetID: p.SheetID, ParagraphID: cf.ID, Path: cf.Path, Base: cf.Base, Theirs: cf.Theirs, Mine: cf.Mine}
			if row, ok := is.rows[cf.ID]; ok {
				ic.Row, ic.Cell = row, xlsxpack.CellName("Topics", p.Cols.Text, row)
			}
			is.js.Conflicts = append(is.js.Conflicts, ic)
		}
		res.Conflicts += len(is.js.Conflicts)
		res.Sheets = append(res.Sheets, is.js)
		if len(a.Res.Conflicts) > 0 {
			continue
		}
		o := a.Res.Sheet
		o.Meta = a.Theirs.Meta
		o.RoundID = a.Theirs.RoundID
		if len(same) > 0 {
			dropAdditions(o, mine, same)
		}
		// Where each paragraph of the result came from, before the save
		// gives the new ones their ids.
		at := map[string]int{}
		for i, sec := range o.Sections {
			for j, para := range sec.Paragraphs {
				if row, ok := is.rows[para.ID]; ok {
					at[fmt.Sprintf("sections[%d].paragraphs[%d]", i, j)] = row
				}
			}
		}
		// With what others saved since the workbook's version, each
		// section holds no more than the limits, as the importer sees it.
		if err := v.Set.CheckMergedCounts(v.User.Clearance, o, mine, a.Theirs); err != nil {
			return nil, cellErrors(err, nil, secAt, p.Cols)
		}
		if err := s.checkSheet(v, o, cur, a.Theirs, false); err != nil {
			return nil, cellErrors(unplaced(v, o, err), at, nil, p.Cols)
		}
		// A workbook imported twice changes nothing the second time: the
		// sheet keeps its version.
		if unchangedSheet(o, a.Theirs) {
			o = nil
		}
		is.out = o
		res.Sheets[len(res.Sheets)-1].writes = o != nil
		out = append(out, is)
	}
	return out, nil
}

// sameAdditions finds the paragraphs a workbook adds (mine's, ids
// "new:row:N") that the stored sheet (theirs, as the importer sees it)
// already added since the workbook's version (base): the same content, in
// the same section, right after the same paragraph (or first), a
// paragraph matched so counting as its match for the next. Both sides made
// the same addition, as when a workbook is imported a second time; it
// merges once. A paragraph theirs held at base is never such a match: a
// second identical paragraph typed into a newer workbook is a new one.
func sameAdditions(base, theirs, mine *briefing.Sheet) map[string]bool {
	same := map[string]bool{}
	if base == nil {
		return same
	}
	inBase := briefing.ParagraphIDs(base)
	tsecs := map[string][]briefing.Paragraph{}
	tkeys := importSectionKeys(theirs)
	for i, sec := range theirs.Sections {
		tsecs[tkeys[i]] = sec.Paragraphs
	}
	used := map[string]bool{}
	mkeys := importSectionKeys(mine)
	for i, sec := range mine.Sections {
		tps := tsecs[mkeys[i]]
		prev := "" // the id, in theirs, of the paragraph before; "" for the first
		for _, p := range sec.Paragraphs {
			id := p.ID
			if strings.HasPrefix(p.ID, "new:") {
				next := 0
				if prev != "" {
					next = -1
					for j, q := range tps {
						if q.ID == prev {
							next = j + 1
						}
					}
				}
				if next >= 0 && next < len(tps) {
					q := tps[next]
					if !inBase[q.ID] && !used[q.ID] && q.Text == p.Text && q.Marking == p.Marking && q.Withhold == p.Withhold {
						same[p.ID], used[q.ID] = true, true
						id = q.ID
					}
				}
			}
			prev = id
		}
	}
	return same
}

// notYetApplied leaves out of a plan's changed and removed paragraphs
// those the stored sheet (theirs, as the importer sees it) already says:
// a paragraph whose text, marking and withholding it holds as the workbook
// has them, a paragraph it no longer holds. A workbook imported a second
// time lists none of its edits again; one holding applied and new edits
// lists only the new. What is written is the merge's, whatever is listed.
func notYetApplied(theirs, mine *briefing.Sheet, changed, removed []briefing.ImportChange) (ch, rm []briefing.ImportChange) {
	held := map[string]briefing.Paragraph{}
	for _, sec := range theirs.Sections {
		for _, p := range sec.Paragraphs {
			held[p.ID] = p
		}
	}
	edited := map[string]briefing.Paragraph{}
	for _, sec := range mine.Sections {
		for _, p := range sec.Paragraphs {
			edited[p.ID] = p
		}
	}
	for _, c := range changed {
		t, inTheirs := held[c.ParagraphID]
		m, inMine := edited[c.ParagraphID]
		if inTheirs && inMine && t.Text == m.Text && t.Marking == m.Marking && t.Withhold == m.Withhold {
			continue
		}
		ch = append(ch, c)
	}
	for _, c := range removed {
		if _, ok := held[c.ParagraphID]; ok {
			rm = append(rm, c)
		}
	}
	return ch, rm
}

// importSectionKeys names each section of a sheet for matching it across
// versions: its kind, or a custom section's heading, with the occurrence.
func importSectionKeys(sh *briefing.Sheet) []string {
	seen := map[string]int{}
	keys := make([]string, len(sh.Sections))
	for i, sec := range sh.Sections {
		k := sec.Kind
		if sec.Kind == briefing.SectionCustom {
			k += ":" + sec.Heading
		}
		seen[k]++
		keys[i] = fmt.Sprintf("%s#%d", k, seen[k])
	}
	return keys
}

// dropAdditions takes out of a merged sheet the paragraphs of mine that
// sameAdditions matched: the merge names mine's new paragraphs by their
// place in mine ("new:1:2"), and keeps theirs' beside them.
func dropAdditions(o, mine *briefing.Sheet, same map[string]bool) {
	drop := map[string]bool{}
	for i, sec := range mine.Sections {
		for j, p := range sec.Paragraphs {
			if same[p.ID] {
				drop[fmt.Sprintf("new:%d:%d", i, j)] = true
			}
		}
	}
	for i := range o.Sections {
		ps := o.Sections[i].Paragraphs[:0:0]
		for _, p := range o.Sections[i].Paragraphs {
			if !drop[p.ID] {
				ps = append(ps, p)
			}
		}
		if ps == nil {
			ps = []briefing.Paragraph{}
		}
		o.Sections[i].Paragraphs = ps
	}
}

// unchangedSheet reports whether a merged sheet says exactly what the
// stored one does, fields and paragraphs alike; a section without
// paragraphs is the same whether the store gave it an empty list or none.
func unchangedSheet(a, b *briefing.Sheet) bool {
	if a.Title != b.Title || a.Withhold != b.Withhold || a.Status != b.Status || a.OwnerID != b.OwnerID || len(a.Sections) != len(b.Sections) {
		return false
	}
	for i, sa := range a.Sections {
		sb := b.Sections[i]
		if sa.Kind != sb.Kind || sa.Heading != sb.Heading || len(sa.Paragraphs) != len(sb.Paragraphs) {
			return false
		}
		for j, p := range sa.Paragraphs {
			if p != sb.Paragraphs[j] {
				return false
			}
		}
	}
	return true
}

func nonNil(cs []briefing.ImportChange) []briefing.ImportChange {
	if cs == nil {
		return []briefing.ImportChange{}
	}
	return cs
}

// importPlaces is, for a sheet as the workbook left it, the Topics row of
// each of its paragraphs a row holds ("sections[1].paragraphs[2]" → 12),
// and the cell naming each section a row of it names
// ("sections[1].paragraphs" → "Topics!B14"): the Section cell of the last
// row added to it, else of its last row.
func importPlaces(mine *briefing.Sheet, p *briefing.SheetImport) (map[string]int, map[string]string) {
	at, secAt := map[string]int{}, map[string]string{}
	for i, sec := range mine.Sections {
		added := false
		for j, para := range sec.Paragraphs {
			row, ok := p.RowOf[para.ID]
			if !ok {
				continue
			}
			at[fmt.Sprintf("sections[%d].paragraphs[%d]", i, j)] = row
			if isNew := strings.HasPrefix(para.ID, "new:"); isNew || !added {
				secAt[fmt.Sprintf("sections[%d].paragraphs", i)] = xlsxpack.CellName("Topics", p.Cols.Section, row)
				added = isNew
			}
		}
	}
	return at, secAt
}

var (
	paraField = regexp.MustCompile(`^(sections\[\d+\]\.paragraphs\[\d+\])(?:\.(\w+))?$`)
	// paraPlace is where a save's reason says a paragraph is ("section 2,
	// paragraph 3"), which the cell says instead.
	paraPlace = regexp.MustCompile(`^section \d+, paragraph \d+(?:: | )`)
)

// cellErrors renames a save's field errors after the workbook's cells:
// sections[1].paragraphs[2].text becomes Topics!D12 (at gives each
// paragraph's row), sections[1].paragraphs the cell secAt gives it; a
// reason's "section 2, paragraph 3" is left out, the cell saying where.
func cellErrors(err error, at map[string]int, secAt map[string]string, cols briefing.ImportColumns) error {
	be, ok := err.(*briefing.Error)
	if !ok || len(be.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, why := range be.Fields {
		if cell, ok := secAt[k]; ok {
			fields[cell] = why
			continue
		}
		m := paraField.FindStringSubmatch(k)
		row, found := 0, false
		if m != nil {
			row, found = at[m[1]]
		}
		if !found {
			fields[k] = why
			continue
		}
		why = paraPlace.ReplaceAllString(why, "")
		col := cols.Text
		switch m[2] {
		case "marking":
			col = cols.Marking
		case "withhold":
			col = cols.Withhold
		}
		fields[xlsxpack.CellName("Topics", col, row)] = why
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msg := be.Message
	if len(keys) > 0 {
		msg = be.Message + ": " + keys[0] + " " + fields[keys[0]]
	}
	return &briefing.Error{Code: be.Code, Message: msg, Fields: fields}
}

// importConflicts is the 409 of an import: every conflicting cell named,
// per sheet and row, and nothing written.
func importConflicts(res *ImportJSON) error {
	fields := map[string]string{}
	var cs []briefing.Conflict
	for _, sh := range res.Sheets {
		for _, c := range sh.Conflicts {
			key := c.Cell
			if key == "" {
				key = "sheets[" + sh.ID + "].paragraphs[" + c.ParagraphID + "]"
			}
			switch {
			case c.Mine == nil:
				fields[key] = "the workbook deleted this paragraph; it was changed since the workbook was made"
			case c.Theirs == nil:
				fields[key] = "the workbook changed this paragraph; it was deleted since the workbook was made"
			default:
				fields[key] = fmt.Sprintf("changed in the workbook and in topic sheet %q since version %d", sh.Title, sh.Version)
			}
			cs = append(cs, briefing.Conflict{Path: c.Path, ID: c.ParagraphID, Base: c.Base, Theirs: c.Theirs, Mine: c.Mine,
				SheetID: c.SheetID, Cell: c.Cell, Row: c.Row})
		}
	}
	what := "paragraphs were"
	if res.Conflicts == 1 {
		what = "paragraph was"
	}
	return &briefing.Error{Code: briefing.ECONFLICT, Fields: fields, Conflicts: cs,
		Message: fmt.Sprintf("Nothing imported: %d %s changed both in the workbook and since it was made. Download the pack again, or make those changes in the editor.", res.Conflicts, what)}
}

// madeForHigher adds to a refusal of a workbook marked above the importer
// what to do about it: one made for a reader cleared higher holds sheets
// and rows the importer cannot see, refused as unknown (or as above them),
// which a workbook exported for their clearance does not. It is judged by
// the workbook's own marking, which the importer holds, so it tells
// nothing of what the round holds above them.
func madeForHigher(v *view, book *briefing.ImportBook, err error) error {
	var e *briefing.Error
	marking := v.Set.NormalizeMarking(book.Marking)
	if !errors.As(err, &e) || (e.Code != briefing.EINVALID && e.Code != briefing.EFORBIDDEN) || marking == "" || v.Set.Allows(v.User.Clearance, marking) {
		return err
	}
	out := *e
	out.Message = strings.TrimRight(e.Message, ".") + fmt.Sprintf(". This workbook is marked %s, above your clearance (%s): made for a reader cleared higher, it holds rows you cannot import. Import one exported for readers cleared to %s (a delegation lead exports it from the round page, \"Export at that clearance\").",
		marking, v.User.Clearance, v.User.Clearance)
	return &out
}

// importError is a 422 naming the workbook's cell.
func importError(cell, why string) error {
	return &briefing.Error{Code: briefing.EINVALID, Message: cell + ": " + why, Fields: map[string]string{cell: why}}
}
