package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/store"
)

// TestWriteSchema4Fixture writes testdata/schema4.db.gz's database when
// BRIEFPACK_WRITE_SCHEMA4 names a file to write (then gzip it by hand). It
// was run against the store as it was at schema 4, the last whose history
// kept each version as one JSON record of its full text; run against a
// later store it writes that store's format instead, so the committed
// fixture must not be regenerated.
func TestWriteSchema4Fixture(t *testing.T) {
	path := os.Getenv("BRIEFPACK_WRITE_SCHEMA4")
	if path == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA4 to write the fixture")
	}
	db, officer, must := fixtureStore(t, path)
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	d := mustDialogue(t, db)
	r1 := mustRound(t, db, d.ID, 1)
	r2 := mustRound(t, db, d.ID, 2)
	moveRound(db, r1, must)
	rng := rand.New(rand.NewPCG(2018, 6))
	// A sheet with a SECRET paragraph and a dozen versions, edited by two people.
	a := realisticSheet(rng, r1.ID, "Cyber security cooperation", 4000)
	a.OwnerID = officer.ID
	must(db.CreateSheet(ctx, a, as))
	for i := 0; i < 11; i++ {
		reviseSheet(rng, a)
		who := as
		if i%3 == 2 {
			who = alice
		}
		must(db.UpdateSheet(ctx, a, who))
	}
	// A sheet that was revised, then deleted: its history ends with a tombstone.
	b := realisticSheet(rng, r2.ID, "Pacific resilience", 3000)
	must(db.CreateSheet(ctx, b, as))
	for i := 0; i < 4; i++ {
		reviseSheet(rng, b)
		must(db.UpdateSheet(ctx, b, as))
	}
	must(db.DeleteSheet(ctx, b.ID, b.Version, alice))
	// A small sheet all SECRET, and an agency created and deleted.
	c := &briefing.Sheet{RoundID: r2.ID, Title: "Covert Canary Operation", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionCustom, Heading: "Our Counter Terrorism Approach", Paragraphs: []briefing.Paragraph{
			{Text: "The canary sings at {{s6(a): the safe house in Thorndon}}.", Marking: "SECRET", Withhold: "s6(a)"}}}}}
	must(db.CreateSheet(ctx, c, as))
	c.Status = briefing.SheetSubmitted
	must(db.UpdateSheet(ctx, c, as))
	ag := mustAgency(t, db, "Department of the Prime Minister and Cabinet")
	must(db.DeleteAgency(ctx, ag.ID, 0, alice))
	mustAction(t, db, d.ID, "3.01")
	must(db.Check(ctx))
}

// fixtureStore opens a fixture's database at path, with a clock that moves
// a minute from epoch at each reading and an officer cleared to SECRET,
// and returns it with a check that fails the test on an error.
func fixtureStore(t *testing.T, path string) (*store.DB, *briefing.User, func(error)) {
	db, err := store.Open(path, "nz")
	if err != nil {
		t.Fatal(err)
	}
	tick := 0
	db.Now = func() time.Time {
		tick++
		return epoch.Add(time.Duration(tick) * time.Minute)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	officer := &briefing.User{Name: "officer", Role: briefing.RoleOfficer, Clearance: "SECRET"}
	must(db.CreateUser(ctx, officer, alice))
	return db, officer, must
}

// moveRound saves three versions of a round, each in another city with
// outcomes of its own.
func moveRound(db *store.DB, r *briefing.Round, must func(error)) {
	for i, city := range []string{"Auckland", "Christchurch", "Wellington"} {
		r.City = city
		r.Outcomes = prose(rand.New(rand.NewPCG(7, uint64(i))), 300)
		must(db.UpdateRound(ctx, r, alice, nil))
	}
}

// TestWriteDeflatedFixture writes testdata/deflated.db.gz's database
// (gzip it by hand) and testdata/deflated.json, the digest of every
// version as that store read it, when BRIEFPACK_WRITE_DEFLATED names a
// directory to write them to. It was run against the store as it was at
// cccb92a, whose history was compressed by the standard library's
// compressor, each delta after its full copy written, flushed and dropped;
// run against a later store it writes that store's streams instead, so the
// committed fixture must not be regenerated.
func TestWriteDeflatedFixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_DEFLATED")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_DEFLATED to write the fixture")
	}
	db, officer, must := fixtureStore(t, filepath.Join(dir, "deflated.db"))
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	moveRound(db, r, must)
	rng := rand.New(rand.NewPCG(2026, 11))
	// A sheet of 13 KB with SECRET paragraphs through three periods of
	// deltas, and one rewritten from the ground up (a full copy early).
	a := realisticSheet(rng, r.ID, "Cyber security cooperation", 13000)
	a.OwnerID = officer.ID
	must(db.CreateSheet(ctx, a, as))
	for i := 0; i < 2*16+7; i++ {
		if i == 20 {
			b := realisticSheet(rng, r.ID, a.Title, 12000)
			a.Sections = b.Sections
		} else {
			reviseSheet(rng, a)
		}
		who := as
		if i%4 == 3 {
			who = alice
		}
		must(db.UpdateSheet(ctx, a, who))
	}
	// One revised, then deleted: its history ends with a tombstone.
	b := realisticSheet(rng, r.ID, "Pacific resilience", 5000)
	must(db.CreateSheet(ctx, b, as))
	for i := 0; i < 5; i++ {
		reviseSheet(rng, b)
		must(db.UpdateSheet(ctx, b, as))
	}
	must(db.DeleteSheet(ctx, b.ID, b.Version, alice))
	must(db.Check(ctx))
	sums, err := versionDigests(db, map[string][]string{briefing.KindRound: {r.ID}, briefing.KindSheet: {a.ID, b.ID}})
	must(err)
	out, err := json.MarshalIndent(sums, "", " ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "deflated.json"), out, 0o600))
}

// TestHistory_DeflatedByTheReleaseBefore opens a database whose history
// the standard library's compressor wrote (testdata/deflated.db.gz, see
// TestWriteDeflatedFixture), deltas and full copies, and reads every
// version, one by one and as lists, exactly as that release did: from the
// file, and from its copy on the run's backend (etcd in TestSuiteOnEtcd).
func TestHistory_DeflatedByTheReleaseBefore(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "deflated.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(releaseFile(t, "deflated"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deltas, whole, err := store.HistoryDeltas(db)
	if err != nil {
		t.Fatal(err)
	}
	if deltas < 30 || whole < 5 {
		t.Fatalf("the fixture keeps %d deltas and %d whole versions: it would test little", deltas, whole)
	}
	t.Logf("%d deltas, %d whole", deltas, whole)
	objects := map[string][]string{}
	for k := range want {
		parts := strings.Split(k, "/")
		if parts[2] == "list" {
			objects[parts[0]] = append(objects[parts[0]], parts[1])
		}
	}
	// Read where it was written, and copied (briefpack copy) onto the
	// run's backend: on etcd too, the streams are read as that release
	// read them.
	copied := openNew(t)
	defer copied.Close()
	if err := store.Copy(ctx, db, copied, nil); err != nil {
		t.Fatal(err)
	}
	for _, on := range []*store.DB{db, copied} {
		got, err := versionDigests(on, objects)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) < 50 {
			t.Errorf("%s: %d versions and lists read, the release before read %d", on.Path(), len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s reads differently from the release before", on.Path(), k)
			}
		}
		if err := on.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// versionDigests reads every version of each object (kind → ids), one by
// one and as a list, and returns the SHA-256 of each as JSON, by
// "kind/id/version" ("kind/id/list" for the list).
func versionDigests(db *store.DB, objects map[string][]string) (map[string]string, error) {
	sums := map[string]string{}
	digest := func(v any) string {
		b, _ := json.Marshal(v)
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	for kind, ids := range objects {
		for _, id := range ids {
			vs, err := db.Versions(ctx, kind, id)
			if err != nil {
				return nil, err
			}
			// Seen is not of that release: migration 9 gives it to a save
			// some readers do not see (TestMigrate_FromSchema8).
			for i := range vs {
				vs[i].Seen = ""
			}
			sums[kind+"/"+id+"/list"] = digest(vs)
			for _, v := range vs {
				one, err := db.Version(ctx, kind, id, v.Version)
				if err != nil {
					return nil, fmt.Errorf("%s %s version %d: %w", kind, id, v.Version, err)
				}
				one.Seen = ""
				sums[fmt.Sprintf("%s/%s/%d", kind, id, v.Version)] = digest(one)
			}
		}
	}
	return sums, nil
}

// TestWriteSchema5Fixture writes testdata/schema5.db.gz's database (gzip it
// by hand) and testdata/schema5.json, the ids it names, when
// BRIEFPACK_WRITE_SCHEMA5 names a directory to write them to. It was run
// against the store as it was before f22ca08, when deleting an agency left
// the people, rounds and actions that named it pointing at nothing; run
// against a later store it leaves no such reference, so the committed
// fixture must not be regenerated.
func TestWriteSchema5Fixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_SCHEMA5")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA5 to write the fixture")
	}
	db, _, must := fixtureStore(t, filepath.Join(dir, "schema5.db"))
	defer db.Close()
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	gone := &briefing.Agency{Name: "Department of the Prime Minister and Cabinet", Acronym: "DPMC", Country: "New Zealand"}
	must(db.CreateAgency(ctx, gone, alice))
	kept := &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Acronym: "MFAT", Country: "New Zealand"}
	must(db.CreateAgency(ctx, kept, alice))
	// People: one of the agency deleted, edited once (its history names it
	// twice), one SECRET of it, and one of the agency kept.
	p1 := &briefing.Person{Name: "Rebecca Kitteridge", Title: "Chief Executive", AgencyID: gone.ID, Country: "New Zealand", Marking: "UNCLASSIFIED"}
	must(db.CreatePerson(ctx, p1, alice))
	p1.Title = "Secretary of the Department"
	must(db.UpdatePerson(ctx, p1, alice))
	p2 := &briefing.Person{Name: "Tony Lynch", Title: "Deputy Chief Executive", AgencyID: gone.ID, Country: "New Zealand", Marking: "SECRET", Withhold: "s9(2)(a)"}
	must(db.CreatePerson(ctx, p2, alice))
	p3 := &briefing.Person{Name: "Chris Seed", Title: "Secretary", AgencyID: kept.ID, Country: "New Zealand", Marking: "UNCLASSIFIED"}
	must(db.CreatePerson(ctx, p3, alice))
	// The round: the agency deleted on both sides, between the one kept.
	r.ParticipatingAgencies = []briefing.AgencySide{{AgencyID: gone.ID, Side: briefing.SideHome}, {AgencyID: kept.ID, Side: briefing.SideHome}, {AgencyID: gone.ID, Side: briefing.SidePartner}}
	must(db.UpdateRound(ctx, r, alice, nil))
	// Actions: one owned by the agency deleted, one by the agency kept.
	a1 := mustAction(t, db, d.ID, "3.01")
	a1.OwnerAgencyID = gone.ID
	must(db.UpdateAction(ctx, a1, alice))
	a2 := mustAction(t, db, d.ID, "3.02")
	a2.OwnerAgencyID = kept.ID
	must(db.UpdateAction(ctx, a2, alice))
	must(db.DeleteAgency(ctx, gone.ID, gone.Version, alice))
	must(db.Check(ctx))
	ids, err := json.MarshalIndent(map[string]string{"gone": gone.ID, "kept": kept.ID, "round": r.ID,
		"person_gone": p1.ID, "person_secret": p2.ID, "person_kept": p3.ID, "action_gone": a1.ID, "action_kept": a2.ID}, "", " ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "schema5.json"), ids, 0o600))
}

// TestWriteSchema6Fixture writes testdata/schema6.db.gz's database (gzip it
// by hand) and testdata/schema6.json, the ids it names and every version of
// its rounds as that store read them, when BRIEFPACK_WRITE_SCHEMA6 names a
// directory to write them to. It was run against the store as it was at
// schema 6 (9e33319), when agenda items had no ids; run against a later
// store it writes items with ids, so the committed fixture must not be
// regenerated.
func TestWriteSchema6Fixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_SCHEMA6")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA6 to write the fixture")
	}
	db, officer, must := fixtureStore(t, filepath.Join(dir, "schema6.db"))
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	d := mustDialogue(t, db)
	r1 := mustRound(t, db, d.ID, 1)
	r2 := mustRound(t, db, d.ID, 2) // never given an agenda: stored as null
	open := &briefing.Person{Name: "Chris Seed", Title: "Secretary", Country: "New Zealand", Marking: "UNCLASSIFIED"}
	must(db.CreatePerson(ctx, open, alice))
	secret := &briefing.Person{Name: "Tony Lynch", Title: "Deputy Chief Executive", Country: "New Zealand", Marking: "SECRET", Withhold: "s9(2)(a)"}
	must(db.CreatePerson(ctx, secret, alice))
	cyber := mustSheet(t, db, r1.ID, "Cyber security cooperation")
	canary := &briefing.Sheet{RoundID: r1.ID, Title: "Covert Canary Operation", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionCustom, Heading: "Our Counter Terrorism Approach", Paragraphs: []briefing.Paragraph{
			{Text: "The canary sings at {{s6(a): the safe house in Thorndon}}.", Marking: "SECRET", Withhold: "s6(a)"}}}}}
	must(db.CreateSheet(ctx, canary, as))
	// Round 1's agenda through five versions: items linked to sheets, one
	// to the SECRET sheet, a plain item led by the SECRET person; then
	// reordered, two items of one title added, one renamed.
	welcome := briefing.AgendaItem{Title: "Welcome and introductions", LeadPersonID: open.ID}
	cyberItem := briefing.AgendaItem{SheetID: cyber.ID}
	canaryItem := briefing.AgendaItem{SheetID: canary.ID}
	pacific := briefing.AgendaItem{Title: "Pacific resilience", LeadPersonID: secret.ID}
	coffee := briefing.AgendaItem{Title: "Coffee break", StartsAt: "10:30", EndsAt: "10:45"}
	for _, agenda := range [][]briefing.AgendaItem{
		{welcome, cyberItem, pacific},
		{welcome, cyberItem, canaryItem, pacific},
		{welcome, pacific, cyberItem, canaryItem},
		{welcome, coffee, pacific, coffee, cyberItem, canaryItem},
	} {
		r1.Agenda = agenda
		must(db.UpdateRound(ctx, r1, alice, nil))
	}
	r1.Agenda[0].Title, r1.Agenda[0].Session = "Opening remarks", "Session 1: Strategic outlook"
	must(db.UpdateRound(ctx, r1, alice, nil))
	// A third round with one plain item, saved once.
	r3 := mustRound(t, db, d.ID, 3)
	r3.Agenda = []briefing.AgendaItem{{Title: "Next round", StartsAt: "16:00"}}
	must(db.UpdateRound(ctx, r3, alice, nil))
	must(db.Check(ctx))
	versions := map[string][]json.RawMessage{}
	for _, r := range []*briefing.Round{r1, r2, r3} {
		vs, err := db.Versions(ctx, briefing.KindRound, r.ID)
		must(err)
		for _, v := range vs {
			versions[r.ID] = append(versions[r.ID], json.RawMessage(v.Data))
		}
	}
	out, err := json.MarshalIndent(map[string]any{
		"ids": map[string]string{"round": r1.ID, "round_empty": r2.ID, "round_one": r3.ID, "sheet": cyber.ID, "sheet_secret": canary.ID,
			"person": open.ID, "person_secret": secret.ID},
		"rounds": versions,
	}, "", " ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "schema6.json"), out, 0o600))
}

// TestWriteSchema8Fixture writes testdata/schema8.db.gz's database (gzip it
// by hand) and testdata/schema8.json, the ids it names, when
// BRIEFPACK_WRITE_SCHEMA8 names a directory to write them to. It was run
// against the store as it was at schema 8 (3bc4c54), before a save kept
// who sees what it changed; run against a later store it keeps that, so
// the committed fixture must not be regenerated. A RESTRICTED sheet and
// round, each saved with changes only a TOP SECRET reader sees.
func TestWriteSchema8Fixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_SCHEMA8")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA8 to write the fixture")
	}
	db, officer, must := fixtureStore(t, filepath.Join(dir, "schema8.db"))
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1) // RESTRICTED
	ts := &briefing.Person{Name: "Hidden Delegate", Country: "New Zealand", Marking: "TOP SECRET"}
	must(db.CreatePerson(ctx, ts, alice))
	sh := &briefing.Sheet{RoundID: r.ID, Title: "Cyber", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "Visible words.", Marking: "RESTRICTED"}}}}}
	must(db.CreateSheet(ctx, sh, as))
	// 2: a TOP SECRET paragraph added; 3: only it edited; 4: a SECRET
	// paragraph added; 5: the RESTRICTED one edited; 6: nothing changed.
	ps := &sh.Sections[0].Paragraphs
	*ps = append(*ps, briefing.Paragraph{Text: "Hidden words.", Marking: "TOP SECRET"})
	must(db.UpdateSheet(ctx, sh, alice))
	(*ps)[1].Text = "Hidden words, edited."
	must(db.UpdateSheet(ctx, sh, alice))
	*ps = append(*ps, briefing.Paragraph{Text: "Secret words.", Marking: "SECRET"})
	must(db.UpdateSheet(ctx, sh, alice))
	(*ps)[0].Text = "Visible words, changed."
	must(db.UpdateSheet(ctx, sh, as))
	must(db.UpdateSheet(ctx, sh, as))
	// The round: 2: a TOP SECRET delegate added; 3: another city.
	r.Delegation = []briefing.Participant{{PersonID: ts.ID, Side: briefing.SideHome}}
	must(db.UpdateRound(ctx, r, alice, nil))
	r.City = "Auckland"
	must(db.UpdateRound(ctx, r, alice, nil))
	must(db.Check(ctx))
	ids, err := json.MarshalIndent(map[string]string{"sheet": sh.ID, "round": r.ID, "person_ts": ts.ID}, "", " ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "schema8.json"), ids, 0o600))
}

// TestWriteSchema9Fixture writes testdata/schema9.db.gz's database (gzip it
// by hand) and testdata/schema9.json, the ids it names, when
// BRIEFPACK_WRITE_SCHEMA9 names a directory to write them to. It was run
// against the store as it was at schema 9 (b46ba56), when a review kept no
// marking, a frozen pack none raised, and a save that raised a paragraph's
// marking left no trace the paragraph's past versions were judged by; run
// against a later store it keeps these, so the committed fixture must not
// be regenerated.
//
// The sheet "Returned" is returned by a lead with a comment on its SECRET
// paragraph, which its officer then deletes (the sheet is RESTRICTED
// after), and returned again with a comment on what is left. The sheet
// "Raised" has three RESTRICTED paragraphs and is submitted with a comment
// quoting one (version 2); a pack of the round is frozen; in its third
// version two paragraphs are raised to SECRET, words unchanged; in its
// fourth one of them is written anew and lowered again, and the other
// deleted; a second pack is frozen after.
func TestWriteSchema9Fixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_SCHEMA9")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA9 to write the fixture")
	}
	db, officer, must := fixtureStore(t, filepath.Join(dir, "schema9.db"))
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	lead := briefing.Actor{UserID: "2", Name: "lead"}
	r := mustRound(t, db, mustDialogue(t, db).ID, 1) // RESTRICTED
	ret := &briefing.Sheet{RoundID: r.ID, Title: "Returned", Status: briefing.SheetDraft, OwnerID: officer.ID,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "Open words.", Marking: "RESTRICTED"}, {Text: "Operation Kestrel is planned for March.", Marking: "SECRET"}}}}}
	must(db.CreateSheet(ctx, ret, as))
	review := func(sh *briefing.Sheet, by briefing.Actor, decision, status, comment string) {
		sh.Status = status
		sh.Reviews = append(sh.Reviews, briefing.Review{At: db.Now().UTC(), By: by.Name, Decision: decision, Comment: comment})
		must(db.UpdateSheet(ctx, sh, by))
	}
	review(ret, as, briefing.ReviewSubmit, briefing.SheetSubmitted, "")
	review(ret, lead, briefing.ReviewReturn, briefing.SheetDraft, "Say more on Kestrel: its timing and who leads.")
	ret.Sections[0].Paragraphs = ret.Sections[0].Paragraphs[:1]
	must(db.UpdateSheet(ctx, ret, as))
	review(ret, as, briefing.ReviewSubmit, briefing.SheetSubmitted, "Ready again.")
	review(ret, lead, briefing.ReviewReturn, briefing.SheetDraft, "Still thin on the open words.")

	raised := &briefing.Sheet{RoundID: r.ID, Title: "Raised", Status: briefing.SheetDraft, OwnerID: officer.ID,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "The patrol sails from Devonport on the 4th.", Marking: "RESTRICTED"},
			{Text: "A harbour visit to Suva is planned.", Marking: "RESTRICTED"},
			{Text: "Plain words.", Marking: "RESTRICTED"}}}}}
	must(db.CreateSheet(ctx, raised, as))
	review(raised, as, briefing.ReviewSubmit, briefing.SheetSubmitted, "Ready: the patrol from Devonport is in.")
	before := &briefing.Snapshot{RoundID: r.ID, Edition: "full", Marking: "RESTRICTED", FrozenBy: "lead", Clearance: "RESTRICTED"}
	must(db.CreateSnapshot(ctx, before, map[string][]byte{"html": []byte("<p>The patrol sails from Devonport on the 4th.</p>")}, lead))
	raised.Status = briefing.SheetDraft
	ps := raised.Sections[0].Paragraphs
	ps[0].Marking, ps[1].Marking = "SECRET", "SECRET"
	must(db.UpdateSheet(ctx, raised, as))
	ps[0].Text, ps[0].Marking = "The patrol sails later in the month.", "RESTRICTED"
	raised.Sections[0].Paragraphs = []briefing.Paragraph{ps[0], ps[2]}
	must(db.UpdateSheet(ctx, raised, as))
	after := &briefing.Snapshot{RoundID: r.ID, Edition: "full", Marking: "RESTRICTED", FrozenBy: "lead", Clearance: "RESTRICTED"}
	must(db.CreateSnapshot(ctx, after, map[string][]byte{"html": []byte("<p>The patrol sails later in the month.</p>")}, lead))
	must(db.Check(ctx))
	ids, err := json.MarshalIndent(map[string]string{"returned": ret.ID, "raised": raised.ID,
		"patrol": ps[0].ID, "harbour": ps[1].ID, "plain": ps[2].ID, "pack_before": before.ID, "pack_after": after.ID}, "", " ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "schema9.json"), ids, 0o600))
}

// TestWriteSchema10Fixture writes testdata/schema10.db.gz's database (gzip
// it by hand) when BRIEFPACK_WRITE_SCHEMA10 names a directory to write it
// to. It was run against the store as it was at schema 10 (de302e5), when
// a database kept no key for its audit log's cursors, which were the
// records' sequence numbers: the committed fixture must not be regenerated.
// It holds a dialogue, a round and a sheet saved three times: seven audit
// records.
func TestWriteSchema10Fixture(t *testing.T) {
	dir := os.Getenv("BRIEFPACK_WRITE_SCHEMA10")
	if dir == "" {
		t.Skip("set BRIEFPACK_WRITE_SCHEMA10 to write the fixture")
	}
	db, officer, must := fixtureStore(t, filepath.Join(dir, "schema10.db"))
	defer db.Close()
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	sh := &briefing.Sheet{RoundID: r.ID, Title: "Audited", Status: briefing.SheetDraft, OwnerID: officer.ID,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{{Text: "First words.", Marking: "RESTRICTED"}}}}}
	must(db.CreateSheet(ctx, sh, as))
	for _, text := range []string{"Second words.", "Third words."} {
		sh.Sections[0].Paragraphs[0].Text = text
		must(db.UpdateSheet(ctx, sh, as))
	}
	must(db.Check(ctx))
}
