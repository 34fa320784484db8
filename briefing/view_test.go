package briefing_test

import (
	"context"
	"path/filepath"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// sheetReads is a store that counts the reads of each sheet by id.
type sheetReads struct {
	briefing.Store
	n map[string]int
}

func (s *sheetReads) Sheet(ctx context.Context, id string) (*briefing.Sheet, error) {
	s.n[id]++
	return s.Store.Sheet(ctx, id)
}

// TestView_OriginsReadOnce: the links of a sheet's paragraphs to those of
// its predecessor are judged by the predecessor as it is stored now, read
// once a request however many paragraphs link to it and versions of the
// sheet are read: a paragraph above the reader there is not linked to.
func TestView_OriginsReadOnce(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "origins.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set, err := db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := briefing.Actor{Name: "test"}
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia", Established: "2016-10-01", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	var rounds [2]*briefing.Round
	for i, number := range []int{3, 4} {
		rounds[i] = &briefing.Round{DialogueID: d.ID, Number: number, StartsOn: "2018-05-10", City: "Wellington", Host: "home", Status: briefing.RoundProposed, Marking: "RESTRICTED"}
		if err := db.CreateRound(ctx, rounds[i], by, nil); err != nil {
			t.Fatal(err)
		}
	}
	old := &briefing.Sheet{RoundID: rounds[0].ID, Title: "Maritime", Status: briefing.SheetDraft, Sections: []briefing.Section{{Kind: briefing.SectionSituation}}}
	for i := 0; i < 20; i++ {
		marking := "RESTRICTED"
		if i%2 == 1 {
			marking = "SECRET"
		}
		old.Sections[0].Paragraphs = append(old.Sections[0].Paragraphs, briefing.Paragraph{Text: "Words.", Marking: marking})
	}
	if err := db.CreateSheet(ctx, old, by); err != nil {
		t.Fatal(err)
	}
	if old, err = db.Sheet(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	cur := old.Clone()
	cur.Meta, cur.RoundID, cur.PredecessorID = briefing.Meta{}, rounds[1].ID, old.ID
	for j := range cur.Sections[0].Paragraphs {
		p := &cur.Sections[0].Paragraphs[j]
		p.OriginID, p.ID, p.Marking = p.ID, "", "RESTRICTED"
	}
	if err := db.CreateSheet(ctx, cur, by); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if cur, err = db.Sheet(ctx, cur.ID); err != nil {
			t.Fatal(err)
		}
		cur.Title += " again"
		if err := db.UpdateSheet(ctx, cur, by); err != nil {
			t.Fatal(err)
		}
	}

	st := &sheetReads{Store: db, n: map[string]int{}}
	v := briefing.NewView(st, set, briefing.Reader{Name: "reader", Role: briefing.RoleViewer, Clearance: "RESTRICTED"})
	read := []*briefing.Sheet{}
	sh, err := v.Sheet(ctx, cur.ID)
	if err != nil {
		t.Fatal(err)
	}
	read = append(read, sh)
	for n := 1; n <= 3; n++ {
		sh, err := v.SheetVersionOf(ctx, cur.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		read = append(read, sh)
	}
	list, _, err := v.Sheets(ctx, rounds[1].ID, briefing.Page{})
	if err != nil {
		t.Fatal(err)
	}
	read = append(read, list...)
	if st.n[old.ID] != 1 {
		t.Errorf("the predecessor was read %d times for one request, want once", st.n[old.ID])
	}
	for _, sh := range read {
		if sh.PredecessorID != old.ID {
			t.Fatalf("version %d: predecessor %q, want %q", sh.Version, sh.PredecessorID, old.ID)
		}
		for j, p := range sh.Sections[0].Paragraphs {
			if want := old.Sections[0].Paragraphs[j]; (p.OriginID == want.ID) != (want.Marking == "RESTRICTED") || (p.OriginID != "" && p.OriginID != want.ID) {
				t.Errorf("version %d, paragraph %d: origin %q, rolled forward from %s paragraph %s", sh.Version, j, p.OriginID, want.Marking, want.ID)
			}
		}
	}
}
