package store_test

import (
	"math/rand/v2"
	"os"
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
	db, err := store.Open(path, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	as := briefing.Actor{UserID: officer.ID, Name: officer.Name}
	d := mustDialogue(t, db)
	r1 := mustRound(t, db, d.ID, 1)
	r2 := mustRound(t, db, d.ID, 2)
	for i, city := range []string{"Auckland", "Christchurch", "Wellington"} {
		r1.City = city
		r1.Outcomes = prose(rand.New(rand.NewPCG(7, uint64(i))), 300)
		must(db.UpdateRound(ctx, r1, alice))
	}
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
