package store_test

import (
	"fmt"
	"slices"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// seenOf lists the Seen of every version of an object and of the audit
// record of each save of it, oldest first.
func seenOf(t *testing.T, db *store.DB, kind, id string) (versions, audit []string) {
	t.Helper()
	vs, _, err := db.VersionHeaders(ctx, kind, id, briefing.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		versions = append(versions, v.Seen)
	}
	recs, _, err := db.Audit(ctx, briefing.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range slices.Backward(recs) {
		if a.Kind == kind && a.ObjectID == id {
			audit = append(audit, fmt.Sprintf("%d:%s", a.ToVersion, a.Seen))
		}
	}
	return versions, audit
}

// TestHistory_Seen: each save of a topic sheet or a round keeps, with its
// version and its audit record, the lowest clearance that sees what it
// changed; migration 9 gives a database that kept none the same.
func TestHistory_Seen(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1) // RESTRICTED
	ts := &briefing.Person{Name: "Hidden Delegate", Country: "New Zealand", Marking: "TOP SECRET"}
	if err := db.CreatePerson(ctx, ts, alice); err != nil {
		t.Fatal(err)
	}
	sh := &briefing.Sheet{RoundID: r.ID, Title: "Cyber", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "Visible words.", Marking: "RESTRICTED"}}}}}
	if err := db.CreateSheet(ctx, sh, alice); err != nil {
		t.Fatal(err)
	}
	save := func(edit func(ps []briefing.Paragraph) []briefing.Paragraph) {
		t.Helper()
		sh.Sections[0].Paragraphs = edit(sh.Sections[0].Paragraphs)
		if err := db.UpdateSheet(ctx, sh, alice); err != nil {
			t.Fatal(err)
		}
	}
	save(func(ps []briefing.Paragraph) []briefing.Paragraph {
		return append(ps, briefing.Paragraph{Text: "Hidden words.", Marking: "TOP SECRET"})
	})
	save(func(ps []briefing.Paragraph) []briefing.Paragraph { ps[1].Text = "Hidden words, edited."; return ps })
	save(func(ps []briefing.Paragraph) []briefing.Paragraph {
		return append(ps, briefing.Paragraph{Text: "Secret words.", Marking: "SECRET"})
	})
	save(func(ps []briefing.Paragraph) []briefing.Paragraph { ps[0].Text = "Visible words, changed."; return ps })
	save(func(ps []briefing.Paragraph) []briefing.Paragraph { return ps }) // nothing changed: seen by all

	r.Delegation = []briefing.Participant{{PersonID: ts.ID, Side: briefing.SideHome}}
	if err := db.UpdateRound(ctx, r, alice, nil); err != nil {
		t.Fatal(err)
	}
	r.City = "Auckland"
	if err := db.UpdateRound(ctx, r, alice, nil); err != nil {
		t.Fatal(err)
	}

	wantSheet := []string{"", "TOP SECRET", "TOP SECRET", "SECRET", "RESTRICTED", ""}
	wantSheetAudit := []string{"1:", "2:TOP SECRET", "3:TOP SECRET", "4:SECRET", "5:RESTRICTED", "6:"}
	wantRound := []string{"", "TOP SECRET", "RESTRICTED"}
	wantRoundAudit := []string{"1:", "2:TOP SECRET", "3:RESTRICTED"}
	check := func(when string) {
		t.Helper()
		vs, audit := seenOf(t, db, briefing.KindSheet, sh.ID)
		if !slices.Equal(vs, wantSheet) || !slices.Equal(audit, wantSheetAudit) {
			t.Errorf("%s: the sheet's saves are seen from %q, their audit records %q; want %q, %q", when, vs, audit, wantSheet, wantSheetAudit)
		}
		vs, audit = seenOf(t, db, briefing.KindRound, r.ID)
		if !slices.Equal(vs, wantRound) || !slices.Equal(audit, wantRoundAudit) {
			t.Errorf("%s: the round's saves are seen from %q, their audit records %q; want %q, %q", when, vs, audit, wantRound, wantRoundAudit)
		}
	}
	check("as saved")

	if err := store.ForgetSeen(db); err != nil {
		t.Fatal(err)
	}
	if vs, _ := seenOf(t, db, briefing.KindSheet, sh.ID); slices.ContainsFunc(vs, func(s string) bool { return s != "" }) {
		t.Fatalf("forgotten: %q", vs)
	}
	if err := store.MarkSeen(db); err != nil {
		t.Fatal(err)
	}
	check("migrated")
}
