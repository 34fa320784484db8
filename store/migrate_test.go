package store_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// releaseFile writes the demo database that the first release (schema 1)
// wrote, with a SECRET sheet put on a RESTRICTED round's agenda the way its
// round page did (the sheet's title copied into the item), into a temporary file.
func releaseFile(tb testing.TB, name string) string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".db.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), name+".db")
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// openFile opens a database file on the run's backend: the file itself on
// bbolt, its records loaded into a new database on etcd.
func openFile(t *testing.T, path string) *store.DB {
	t.Helper()
	if backendEtcd == nil {
		db, err := store.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	fresh := openNew(t)
	if err := store.LoadRaw(fresh, path); err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	return reopen(t, fresh)
}

func TestMigrate_FromRelease1(t *testing.T) {
	path := releaseFile(t, "release1")
	// The file as the first release left it passes this release's check too.
	if err := store.CheckFile(path); err != nil {
		t.Fatalf("check of the schema 1 file: %v", err)
	}
	db, err := store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := db.Round(ctx, "3")
	if err != nil {
		t.Fatal(err)
	}
	var linked, unlinked int
	for _, it := range r.Agenda {
		if it.SheetID != "" {
			linked++
			if it.Title != "" {
				t.Errorf("agenda item of sheet %s still stores the title %q", it.SheetID, it.Title)
			}
		} else {
			unlinked++
			if it.Title != "Welcome and introductions" {
				t.Errorf("unlinked item lost its title: %q", it.Title)
			}
		}
	}
	if linked != 8 || unlinked != 1 {
		t.Errorf("agenda has %d linked and %d unlinked items, want 8 and 1", linked, unlinked)
	}
	// History is migrated too: no past version of the round keeps the copied title.
	vs, err := db.Versions(ctx, briefing.KindRound, "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if strings.Contains(string(v.Data), "Covert Canary Operation") {
			t.Errorf("round version %d still holds the sheet's title: %s", v.Version, v.Data)
		}
	}
	// Everything else survives: the sheet itself keeps its title.
	sh, err := db.Sheet(ctx, "8")
	if err != nil || sh.Title != "Covert Canary Operation" {
		t.Fatalf("sheet 8: %v %v", sh, err)
	}
	// Migration 3: every paragraph of every sheet, current and past, has an
	// id, unique in its sheet and the same at the same place in every version.
	for id := 1; id <= 8; id++ {
		sid := strconv.Itoa(id)
		sh, err := db.Sheet(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				if p.ID == "" || seen[p.ID] {
					t.Errorf("sheet %s: paragraph %q has id %q", sid, p.Text, p.ID)
				}
				seen[p.ID] = true
			}
		}
		vs, err := db.Versions(ctx, briefing.KindSheet, sid)
		if err != nil {
			t.Fatal(err)
		}
		last := vs[len(vs)-1]
		if !strings.Contains(string(last.Data), `"id":"m`) {
			t.Errorf("sheet %s: its history holds no paragraph ids: %.200s", sid, last.Data)
		}
		for pid := range seen {
			if !strings.Contains(string(last.Data), pid) {
				t.Errorf("sheet %s: paragraph id %s differs between the sheet and its history", sid, pid)
			}
		}
	}
	// Migration 4: sheets are held by user id: the demo's sheets by the officer.
	officer, err := db.UserByName(ctx, "officer")
	if err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 7; id++ {
		sh, err := db.Sheet(ctx, strconv.Itoa(id))
		if err != nil {
			t.Fatal(err)
		}
		if sh.OwnerID != officer.ID {
			t.Errorf("sheet %d: owner %q has owner_id %q, want the officer's %q", id, sh.Owner, sh.OwnerID, officer.ID)
		}
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// A second open finds nothing to do and the file stays valid.
	db, err = store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMigrations_Ordered(t *testing.T) {
	last := 1
	for _, m := range briefing.Migrations {
		if m.To != last+1 {
			t.Errorf("migration %q goes to %d after %d: migrations are numbered one by one", m.Name, m.To, last)
		}
		last = m.To
	}
	if briefing.SchemaVersion() != last {
		t.Errorf("SchemaVersion %d, last migration %d", briefing.SchemaVersion(), last)
	}
}

// TestMigrate_FromSchema5 opens a database the release before wrote at
// schema 5 (testdata/schema5.db.gz, see TestWriteSchema5Fixture), where an
// agency deleted left its people, a round's participating agencies and an
// action pointing at it, and finds every such reference gone, in current
// records and in their history, every other one kept, and nothing else
// changed: no version added, the names and titles as they were.
func TestMigrate_FromSchema5(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "schema5.json"))
	if err != nil {
		t.Fatal(err)
	}
	var id map[string]string
	if err := json.Unmarshal(raw, &id); err != nil {
		t.Fatal(err)
	}
	path := releaseFile(t, "schema5")
	if err := store.CheckFile(path); err != nil {
		t.Fatalf("check of the schema 5 file: %v", err)
	}
	db, err := store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	gone, kept := id["gone"], id["kept"]

	if _, err := db.Agency(ctx, gone); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("the agency deleted: %v", err)
	}
	// Current records.
	for _, c := range []struct {
		person, agency, title string
		version               int
	}{{id["person_gone"], "", "Secretary of the Department", 2}, {id["person_secret"], "", "Deputy Chief Executive", 1}, {id["person_kept"], kept, "Secretary", 1}} {
		p, err := db.Person(ctx, c.person)
		if err != nil {
			t.Fatal(err)
		}
		if p.AgencyID != c.agency || p.Title != c.title || p.Version != c.version {
			t.Errorf("person %s: agency %q, title %q, version %d; want %q, %q, %d", c.person, p.AgencyID, p.Title, p.Version, c.agency, c.title, c.version)
		}
	}
	r, err := db.Round(ctx, id["round"])
	if err != nil {
		t.Fatal(err)
	}
	if want := []briefing.AgencySide{{AgencyID: kept, Side: briefing.SideHome}}; !reflect.DeepEqual(r.ParticipatingAgencies, want) || r.City != "Wellington" {
		t.Errorf("round: participating %+v in %s, want %+v in Wellington", r.ParticipatingAgencies, r.City, want)
	}
	for action, agency := range map[string]string{id["action_gone"]: "", id["action_kept"]: kept} {
		a, err := db.Action(ctx, action)
		if err != nil {
			t.Fatal(err)
		}
		if a.OwnerAgencyID != agency || a.Version != 2 || a.Text == "" {
			t.Errorf("action %s: owner %q, version %d, want %q, 2", action, a.OwnerAgencyID, a.Version, agency)
		}
	}
	// History: every version before the delete named the agency; none does now.
	named := 0
	for _, o := range []struct{ kind, id string }{
		{briefing.KindPerson, id["person_gone"]}, {briefing.KindPerson, id["person_secret"]},
		{briefing.KindRound, id["round"]}, {briefing.KindAction, id["action_gone"]},
	} {
		vs, err := db.Versions(ctx, o.kind, o.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			var rec struct {
				AgencyID      string                `json:"agency_id"`
				OwnerAgencyID string                `json:"owner_agency_id"`
				Sides         []briefing.AgencySide `json:"participating_agencies"`
			}
			if err := json.Unmarshal(v.Data, &rec); err != nil {
				t.Fatal(err)
			}
			for _, s := range rec.Sides {
				if s.AgencyID == gone {
					t.Errorf("%s %s version %d still names the agency deleted: %s", o.kind, o.id, v.Version, v.Data)
				}
				if s.AgencyID == kept {
					named++
				}
			}
			if (o.kind == briefing.KindPerson && rec.AgencyID != "") || rec.OwnerAgencyID != "" {
				t.Errorf("%s %s version %d still names an agency: %s", o.kind, o.id, v.Version, v.Data)
			}
		}
	}
	if named == 0 {
		t.Error("the round's history lost the agency kept")
	}
	// Migration 8: the database, made before databases were named, is
	// named, and keeps the name.
	settings, err := db.Settings(ctx)
	if err != nil || settings.Instance == "" {
		t.Fatalf("settings after migration: %+v %v", settings, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
}

// TestMigrate_FromSchema6 opens a database written at schema 6
// (testdata/schema6.db.gz, see TestWriteSchema6Fixture), whose agenda items
// had no ids, and finds every item of every version of every round given
// one, unique in its round; an item given the same id in every version
// that has it with the same sheet or title, wherever it moved; the SECRET
// lead still on its item; and nothing else changed, no version added.
func TestMigrate_FromSchema6(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "schema6.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		IDs    map[string]string            `json:"ids"`
		Rounds map[string][]json.RawMessage `json:"rounds"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	path := releaseFile(t, "schema6")
	if err := store.CheckFile(path); err != nil {
		t.Fatalf("check of the schema 6 file: %v", err)
	}
	db, err := store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// byItem: for round 1, the ids given to each item, by what it is.
	byItem := map[string]map[string]bool{}
	for roundID, before := range fx.Rounds {
		vs, err := db.Versions(ctx, briefing.KindRound, roundID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(before) {
			t.Fatalf("round %s has %d versions, had %d", roundID, len(vs), len(before))
		}
		var last map[string]any
		for i, v := range vs {
			var got, want map[string]any
			if err := json.Unmarshal(v.Data, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(before[i], &want); err != nil {
				t.Fatal(err)
			}
			items, _ := got["agenda"].([]any)
			ids := map[string]bool{}
			titles := map[string]int{}
			for j, x := range items {
				it := x.(map[string]any)
				id, _ := it["id"].(string)
				if id == "" || ids[id] {
					t.Errorf("round %s version %d item %d: id %q (empty, or another item's)", roundID, v.Version, j, id)
				}
				ids[id] = true
				delete(it, "id")
				key := fmt.Sprint(it["sheet_id"])
				if key == "" {
					key = fmt.Sprint(it["title"])
					key += "#" + strconv.Itoa(titles[key])
					titles[fmt.Sprint(it["title"])]++
				}
				if roundID == fx.IDs["round"] {
					if byItem[key] == nil {
						byItem[key] = map[string]bool{}
					}
					byItem[key][id] = true
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round %s version %d changed beyond its agenda ids:\n got %v\nwant %v", roundID, v.Version, got, want)
			}
			if err := json.Unmarshal(v.Data, &last); err != nil {
				t.Fatal(err)
			}
		}
		// The current round is its last version, ids and all.
		r, err := db.Round(ctx, roundID)
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := json.Marshal(r)
		var now map[string]any
		if err := json.Unmarshal(cur, &now); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(now["agenda"], last["agenda"]) || r.Version != len(before) {
			t.Errorf("round %s version %d: agenda %v, its last version's %v", roundID, r.Version, now["agenda"], last["agenda"])
		}
	}
	// Round 1's items, through five versions: linked to a sheet, to the
	// SECRET sheet, plain (one led by the SECRET person), two of one title,
	// one renamed in the last version.
	for key, n := range map[string]int{
		fx.IDs["sheet"]: 1, fx.IDs["sheet_secret"]: 1, "Pacific resilience#0": 1,
		"Welcome and introductions#0": 1, "Opening remarks#0": 1, "Coffee break#0": 1, "Coffee break#1": 1,
	} {
		if len(byItem[key]) != n {
			t.Errorf("round 1's item %q has ids %v across its versions, want %d", key, byItem[key], n)
		}
	}
	if len(byItem) != 7 {
		t.Errorf("round 1's items: %v", byItem)
	}
	all := map[string]bool{}
	for _, ids := range byItem {
		for id := range ids {
			if all[id] {
				t.Errorf("two of round 1's items share id %s", id)
			}
			all[id] = true
		}
	}
	r, err := db.Round(ctx, fx.IDs["round"])
	if err != nil {
		t.Fatal(err)
	}
	if lead := r.Agenda[2]; lead.Title != "Pacific resilience" || lead.LeadPersonID != fx.IDs["person_secret"] {
		t.Errorf("the SECRET-led item after migration: %+v", lead)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
	// A save after it keeps the ids, and gives a new item one of its own.
	before := append([]briefing.AgendaItem(nil), r.Agenda...)
	r.Agenda = append([]briefing.AgendaItem{r.Agenda[5]}, append(r.Agenda[:5:5], briefing.AgendaItem{Title: "Close"})...)
	if err := db.UpdateRound(ctx, r, briefing.Actor{UserID: "1", Name: "alice"}, nil); err != nil {
		t.Fatal(err)
	}
	r, err = db.Round(ctx, fx.IDs["round"])
	if err != nil {
		t.Fatal(err)
	}
	if r.Agenda[0].ID != before[5].ID || r.Agenda[1].ID != before[0].ID || r.Agenda[6].ID == "" || all[r.Agenda[6].ID] {
		t.Errorf("after a save: %+v (before %+v)", r.Agenda, before)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after a save: %v", err)
	}
}

// TestMigrate_MigratedFrom: a database opened to write tells the schema it
// found when it migrated it, so that the command that opened it can say an
// older briefpack no longer opens it; it told nothing, and a migration was
// silent. A new database, or one migrated already, tells 0.
func TestMigrate_MigratedFrom(t *testing.T) {
	path := releaseFile(t, "release1")
	for i, want := range []int{1, 0} {
		db, err := store.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := db.MigratedFrom(); got != want || db.Schema() != briefing.SchemaVersion() {
			t.Errorf("open %d: migrated from %d to %d, want from %d to %d", i+1, got, db.Schema(), want, briefing.SchemaVersion())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "new.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.MigratedFrom(); got != 0 {
		t.Errorf("a new database migrated from %d", got)
	}
}

// TestMigrate_FromSchema8: a database written by the release before,
// whose saves kept no record of who sees what they changed, is migrated so
// that each save of a sheet or a round, and its audit record, is seen from
// the lowest clearance whose copy it changed: a RESTRICTED reader's lists
// leave out the saves that changed only TOP SECRET or SECRET content. It
// runs on the run's backend: on etcd (TestSuiteOnEtcd), the file's buckets
// are laid on a new prefix as they lie, schema 8 and all, and the open that
// follows migrates them there.
func TestMigrate_FromSchema8(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "schema8.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids map[string]string
	if err := json.Unmarshal(raw, &ids); err != nil {
		t.Fatal(err)
	}
	path := releaseFile(t, "schema8")
	if err := store.CheckFile(path); err != nil {
		t.Fatalf("check of the schema 8 file: %v", err)
	}
	db := openFile(t, path)
	defer db.Close()
	if got := db.MigratedFrom(); got != 8 {
		t.Fatalf("migrated from schema %d, want 8", got)
	}
	for _, c := range []struct {
		kind, id    string
		seen, audit []string
	}{
		{briefing.KindSheet, ids["sheet"], []string{"", "TOP SECRET", "TOP SECRET", "SECRET", "RESTRICTED", ""},
			[]string{"1:", "2:TOP SECRET", "3:TOP SECRET", "4:SECRET", "5:RESTRICTED", "6:"}},
		{briefing.KindRound, ids["round"], []string{"", "TOP SECRET", "RESTRICTED"}, []string{"1:", "2:TOP SECRET", "3:RESTRICTED"}},
	} {
		seen, audit := seenOf(t, db, c.kind, c.id)
		if !slices.Equal(seen, c.seen) || !slices.Equal(audit, c.audit) {
			t.Errorf("%s %s: saves seen from %q, audit records %q; want %q, %q", c.kind, c.id, seen, audit, c.seen, c.audit)
		}
	}
	set, err := db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := briefing.NewView(db, set, briefing.Reader{Name: "reader", Role: briefing.RoleLead, Clearance: "RESTRICTED"})
	svs, _, err := v.SheetVersions(ctx, ids["sheet"], briefing.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var sheetVersions []int
	for _, x := range svs {
		sheetVersions = append(sheetVersions, x.Version)
	}
	rvs, err := v.RoundVersions(ctx, ids["round"])
	if err != nil {
		t.Fatal(err)
	}
	var roundVersions []int
	for _, x := range rvs {
		roundVersions = append(roundVersions, x.Version)
	}
	if !slices.Equal(sheetVersions, []int{1, 5, 6}) || !slices.Equal(roundVersions, []int{1, 3}) {
		t.Errorf("a RESTRICTED reader is shown the sheet's versions %v and the round's %v", sheetVersions, roundVersions)
	}
	recs, _, err := v.Audit(ctx, briefing.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range recs {
		if (a.Kind == briefing.KindSheet && a.ToVersion >= 2 && a.ToVersion <= 4) || (a.Kind == briefing.KindRound && a.ToVersion == 2) {
			t.Errorf("a RESTRICTED reader is shown the audit record %+v", a)
		}
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
}

// TestMigrate_FromSchema9: a database schema 9 wrote (fixture_test.go,
// TestWriteSchema9Fixture) gains the raises of its sheets' paragraphs, read
// from their history; its reviews the marking of the sheet each was made
// on, raised by later raises, in every stored copy; and a pack frozen
// before a raise the raise's marking. A RESTRICTED reader then reads
// neither the lead's comment on the deleted SECRET paragraph, nor the
// officer's comment quoting a paragraph raised since, nor that paragraph
// in the versions before it was raised, nor the pack frozen before.
func TestMigrate_FromSchema9(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "schema9.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids map[string]string
	if err := json.Unmarshal(raw, &ids); err != nil {
		t.Fatal(err)
	}
	path := releaseFile(t, "schema9")
	db := openFile(t, path)
	defer db.Close()
	if got := db.MigratedFrom(); got != 9 {
		t.Fatalf("migrated from schema %d, want 9", got)
	}
	// The raises, as each version is read, made by version 3 at its time.
	v3, err := db.Version(ctx, briefing.KindSheet, ids["raised"], 3)
	if err != nil {
		t.Fatal(err)
	}
	raised := map[int]string{}
	for version := 1; version <= 4; version++ {
		rec, err := db.Version(ctx, briefing.KindSheet, ids["raised"], version)
		if err != nil {
			t.Fatal(err)
		}
		raised[version] = fmt.Sprint(rec.Raised)
	}
	want := fmt.Sprint([]briefing.Raise{{Version: 3, At: v3.At, Paragraph: ids["patrol"], Marking: "SECRET"},
		{Version: 3, At: v3.At, Paragraph: ids["harbour"], Marking: "SECRET"}})
	if raised[1] != want || raised[2] != want || raised[3] != "[]" || raised[4] != "[]" {
		t.Errorf("raised after each version: %v; want %s after the first two, none after the others", raised, want)
	}
	// The reviews' markings, now and in a past version.
	markings := func(sh *briefing.Sheet) (out []string) {
		for _, r := range sh.Reviews {
			out = append(out, r.Marking)
		}
		return out
	}
	for id, want := range map[string][]string{ids["returned"]: {"SECRET", "SECRET", "RESTRICTED", "RESTRICTED"}, ids["raised"]: {"SECRET"}} {
		cur, err := db.Sheet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := markings(cur); !slices.Equal(got, want) {
			t.Errorf("the reviews of sheet %s are marked %q, want %q", id, got, want)
		}
	}
	rec, err := db.Version(ctx, briefing.KindSheet, ids["returned"], 3)
	if err != nil {
		t.Fatal(err)
	}
	var r3 briefing.Sheet
	if err := json.Unmarshal(rec.Data, &r3); err != nil {
		t.Fatal(err)
	}
	if got := markings(&r3); !slices.Equal(got, []string{"SECRET", "SECRET"}) {
		t.Errorf("the reviews of version 3 are marked %q", got)
	}
	// The packs.
	for id, want := range map[string]string{ids["pack_before"]: "SECRET", ids["pack_after"]: ""} {
		sn, err := db.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sn.Raised != want {
			t.Errorf("pack %s is marked raised %q, want %q", id, sn.Raised, want)
		}
	}
	// As readers see them.
	set, err := db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	low := briefing.NewView(db, set, briefing.Reader{Name: "reader", Role: briefing.RoleLead, Clearance: "RESTRICTED"})
	high := briefing.NewView(db, set, briefing.Reader{Name: "reader", Role: briefing.RoleLead, Clearance: "SECRET"})
	sh, err := low.Sheet(ctx, ids["returned"])
	if err != nil {
		t.Fatal(err)
	}
	if sh.Reviews[1].Comment != "" || sh.Reviews[3].Comment != "Still thin on the open words." {
		t.Errorf("a RESTRICTED reader reads the comments %q and %q", sh.Reviews[1].Comment, sh.Reviews[3].Comment)
	}
	if sh, err = high.Sheet(ctx, ids["returned"]); err != nil || !strings.Contains(sh.Reviews[1].Comment, "Kestrel") {
		t.Errorf("a SECRET reader does not read the lead's comment: %v %+v", err, sh)
	}
	if sh, err = low.Sheet(ctx, ids["raised"]); err != nil || sh.Reviews[0].Comment != "" {
		t.Errorf("a RESTRICTED reader reads the comment quoting the raised paragraph: %v %+v", err, sh)
	}
	if _, err := low.Snapshot(ctx, ids["pack_before"]); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Errorf("a RESTRICTED reader is given the pack frozen before the raise: %v", err)
	}
	if _, err := low.Snapshot(ctx, ids["pack_after"]); err != nil {
		t.Errorf("a RESTRICTED reader is refused the pack frozen after: %v", err)
	}
	texts := func(sh *briefing.Sheet) (out []string) {
		for _, p := range sh.Sections[0].Paragraphs {
			out = append(out, p.Marking+" "+p.Text)
		}
		return out
	}
	for _, c := range []struct {
		v       *briefing.View
		version int
		want    []string
	}{
		{low, 1, []string{"RESTRICTED Plain words."}},
		{high, 1, []string{"RESTRICTED The patrol sails from Devonport on the 4th.", "RESTRICTED A harbour visit to Suva is planned.", "RESTRICTED Plain words."}},
		{low, 4, []string{"RESTRICTED The patrol sails later in the month.", "RESTRICTED Plain words."}},
	} {
		sh, err := c.v.SheetVersionOf(ctx, ids["raised"], c.version)
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(sh); !slices.Equal(got, c.want) {
			t.Errorf("version %d as read: %q, want %q", c.version, got, c.want)
		}
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
}

// TestMigrate_FromSchema10: a database schema 10 wrote (fixture_test.go,
// TestWriteSchema10Fixture), whose audit log's cursors were its records'
// sequence numbers, gains a key that seals them: its log pages through
// whole, newest first, with cursors that are not numbers, and a number is
// refused as one; it checks.
func TestMigrate_FromSchema10(t *testing.T) {
	db := openFile(t, releaseFile(t, "schema10"))
	defer db.Close()
	if got := db.MigratedFrom(); got != 10 {
		t.Fatalf("migrated from schema %d, want 10", got)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	all, _, err := db.Audit(ctx, briefing.Page{})
	if err != nil || len(all) < 6 {
		t.Fatalf("the log: %d records, %v", len(all), err)
	}
	var seqs []uint64
	p := briefing.Page{Limit: 2}
	for pages := 0; pages < 10; pages++ {
		recs, next, err := db.Audit(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			seqs = append(seqs, r.Seq)
		}
		if next == "" {
			break
		}
		if _, err := strconv.ParseUint(next, 10, 64); err == nil {
			t.Fatalf("the cursor %q is a number", next)
		}
		p.After = next
	}
	if len(seqs) != len(all) || seqs[0] != all[0].Seq || seqs[len(seqs)-1] != 1 {
		t.Fatalf("paged through: %v; the log holds %d", seqs, len(all))
	}
	_, _, err = db.Audit(ctx, briefing.Page{After: strconv.FormatUint(all[1].Seq, 10)})
	if briefing.ErrorCode(err) != briefing.EINVALID {
		t.Fatalf("a number as a cursor: %v", err)
	}
}
