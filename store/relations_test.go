package store_test

import (
	"fmt"
	"strconv"
	"testing"

	"briefpack/briefing"
)

func TestSheetService_Update(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 2)
	sh := mustSheet(t, db, r.ID, "Cybercrime")

	t.Run("OK", func(t *testing.T) {
		c := sh.Clone()
		c.Title = "Cybercrime prevention"
		c.Sections[0].Paragraphs[0].Text = "Revised."
		if err := db.UpdateSheet(ctx, c, alice); err != nil {
			t.Fatal(err)
		}
		got, err := db.Sheet(ctx, sh.ID)
		if err != nil || got.Version != 2 || got.Title != "Cybercrime prevention" || got.Sections[0].Paragraphs[0].Text != "Revised." ||
			!got.CreatedAt.Equal(sh.CreatedAt) || got.RoundID != r.ID {
			t.Fatalf("%+v, %v", got, err)
		}
	})

	t.Run("ErrStaleVersion", func(t *testing.T) {
		c := sh.Clone() // version 1, read before the update above
		c.Title = "lost"
		err := db.UpdateSheet(ctx, c, alice)
		assertError(t, err, briefing.ESTALE, "sheet "+sh.ID+" is at version 2, not 1: it was saved after you read it")
		if got, _ := db.Sheet(ctx, sh.ID); got.Title != "Cybercrime prevention" {
			t.Fatalf("overwritten: %q", got.Title)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		c := sh.Clone()
		c.ID = "999"
		assertError(t, db.UpdateSheet(ctx, c, alice), briefing.ENOTFOUND, "sheet 999 not found")
	})

	t.Run("KeepsRound", func(t *testing.T) {
		got, _ := db.Sheet(ctx, sh.ID)
		other := mustRound(t, db, d.ID, 3)
		got.RoundID = other.ID
		if err := db.UpdateSheet(ctx, got, alice); err != nil {
			t.Fatal(err)
		}
		if got.RoundID != r.ID {
			t.Fatalf("the caller's sheet says round %s", got.RoundID)
		}
		if again, _ := db.Sheet(ctx, sh.ID); again.RoundID != r.ID {
			t.Fatalf("moved to round %s", again.RoundID)
		}
		if list, _, _ := db.Sheets(ctx, other.ID, briefing.Page{}); len(list) != 0 {
			t.Fatalf("round %s lists %d sheets", other.ID, len(list))
		}
	})
}

func TestRoundService_Update(t *testing.T) {
	t.Run("KeepsDialogue", func(t *testing.T) {
		db := MustOpenDB(t)
		d, other := mustDialogue(t, db), mustDialogue(t, db)
		r := mustRound(t, db, d.ID, 1)
		r.DialogueID = other.ID
		if err := db.UpdateRound(ctx, r, alice, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Round(ctx, r.ID); got.DialogueID != d.ID || r.DialogueID != d.ID {
			t.Fatalf("moved to dialogue %s", got.DialogueID)
		}
	})
}

func TestActionService_Update(t *testing.T) {
	t.Run("KeepsDialogue", func(t *testing.T) {
		db := MustOpenDB(t)
		d, other := mustDialogue(t, db), mustDialogue(t, db)
		a := mustAction(t, db, d.ID, "3.01")
		a.DialogueID = "nonsense"
		if err := db.UpdateAction(ctx, a, alice); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Action(ctx, a.ID); got.DialogueID != d.ID {
			t.Fatalf("moved to dialogue %s", got.DialogueID)
		}
		if list, _, _ := db.Actions(ctx, other.ID, briefing.Page{}); len(list) != 0 {
			t.Fatalf("dialogue %s lists %d actions", other.ID, len(list))
		}
	})
}

func TestCreate_ErrParentNotFound(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)

	t.Run("Round", func(t *testing.T) {
		round := &briefing.Round{DialogueID: "7", Number: 1}
		assertError(t, db.CreateRound(ctx, round, alice, nil), briefing.ENOTFOUND, "dialogue 7 not found")
		if round.ID != "" || round.Version != 0 || !round.CreatedAt.IsZero() {
			t.Fatalf("a refused create changed the caller's round: %+v", round.Meta)
		}
		assertError(t, db.CreateRound(ctx, &briefing.Round{Number: 1}, alice, nil), briefing.ENOTFOUND, `dialogue "" not found`)
	})
	t.Run("Sheet", func(t *testing.T) {
		assertError(t, db.CreateSheet(ctx, &briefing.Sheet{RoundID: "42"}, alice), briefing.ENOTFOUND, "round 42 not found")
		assertError(t, db.CreateSheet(ctx, &briefing.Sheet{RoundID: "nope"}, alice), briefing.ENOTFOUND, `round "nope" not found`)
		// A dialogue's id is not a round's.
		assertError(t, db.CreateSheet(ctx, &briefing.Sheet{RoundID: "2"}, alice), briefing.ENOTFOUND, "round 2 not found")
	})
	t.Run("Action", func(t *testing.T) {
		assertError(t, db.CreateAction(ctx, &briefing.Action{DialogueID: "7"}, alice), briefing.ENOTFOUND, "dialogue 7 not found")
	})
	t.Run("Snapshot", func(t *testing.T) {
		s := &briefing.Snapshot{RoundID: "9"}
		assertError(t, db.CreateSnapshot(ctx, s, map[string][]byte{"html": {1}}, alice), briefing.ENOTFOUND, "round 9 not found")
		if s.ID != "" || s.Number != 0 {
			t.Fatalf("a refused create changed the caller's snapshot: %+v", s)
		}
	})
	t.Run("NothingWritten", func(t *testing.T) {
		for _, list := range []func() (int, error){
			func() (int, error) { l, _, err := db.Rounds(ctx, d.ID, briefing.Page{}); return len(l), err },
			func() (int, error) { l, _, err := db.Sheets(ctx, r.ID, briefing.Page{}); return len(l), err },
			func() (int, error) { l, _, err := db.Actions(ctx, d.ID, briefing.Page{}); return len(l), err },
			func() (int, error) { l, _, err := db.Snapshots(ctx, r.ID, briefing.Page{}); return len(l), err },
		} {
			if n, err := list(); err != nil || n > 1 {
				t.Fatalf("%d listed, %v", n, err)
			}
		}
	})
}

func TestDialogueService_Delete(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	a := mustAction(t, db, d.ID, "3.01")

	t.Run("ErrHasRounds", func(t *testing.T) {
		assertError(t, db.DeleteDialogue(ctx, d.ID, 1, alice), briefing.ECONFLICT, "dialogue "+d.ID+" still has rounds: delete them first")
	})
	t.Run("ErrHasActions", func(t *testing.T) {
		if err := db.DeleteRound(ctx, r.ID, 1, alice); err != nil {
			t.Fatal(err)
		}
		assertError(t, db.DeleteDialogue(ctx, d.ID, 0, alice), briefing.ECONFLICT, "dialogue "+d.ID+" still has actions: delete them first")
	})
	t.Run("OK", func(t *testing.T) {
		if err := db.DeleteAction(ctx, a.ID, 0, alice); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteDialogue(ctx, d.ID, 1, alice); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.Rounds(ctx, d.ID, briefing.Page{})
		assertError(t, err, briefing.ENOTFOUND, "dialogue "+d.ID+" not found")
	})
}

func TestRoundService_Delete(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	sh := mustSheet(t, db, r.ID, "Cyber")

	t.Run("ErrHasSheets", func(t *testing.T) {
		assertError(t, db.DeleteRound(ctx, r.ID, 0, alice), briefing.ECONFLICT, "round "+r.ID+" still has topic sheets: delete them first")
	})
	t.Run("ErrHasSnapshots", func(t *testing.T) {
		if err := db.DeleteSheet(ctx, sh.ID, 1, alice); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": []byte("x")}, alice); err != nil {
			t.Fatal(err)
		}
		assertError(t, db.DeleteRound(ctx, r.ID, 0, alice), briefing.ECONFLICT, "round "+r.ID+" has snapshots, which are kept for good: it cannot be deleted")
		if _, err := db.Round(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAgencyService_Delete(t *testing.T) {
	db := MustOpenDB(t)
	gone, kept := mustAgency(t, db, "Government Communications Security Bureau"), mustAgency(t, db, "Ministry of Defence")
	person := func(agencyID string) *briefing.Person {
		t.Helper()
		p := &briefing.Person{Name: "Andrew Hampton", Title: "Director-General", AgencyID: agencyID, Country: "New Zealand", Marking: "SECRET"}
		if err := db.CreatePerson(ctx, p, alice); err != nil {
			t.Fatal(err)
		}
		return p
	}
	member, other := person(gone.ID), person(kept.ID)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	r.ParticipatingAgencies = []briefing.AgencySide{{AgencyID: gone.ID, Side: briefing.SideHome},
		{AgencyID: kept.ID, Side: briefing.SideHome}, {AgencyID: gone.ID, Side: briefing.SidePartner}}
	if err := db.UpdateRound(ctx, r, alice, nil); err != nil {
		t.Fatal(err)
	}
	untouched := mustRound(t, db, d.ID, 2)
	owned, unowned := mustAction(t, db, d.ID, "3.01"), mustAction(t, db, d.ID, "3.02")
	owned.OwnerAgencyID = gone.ID
	if err := db.UpdateAction(ctx, owned, alice); err != nil {
		t.Fatal(err)
	}
	bob := briefing.Actor{UserID: "2", Name: "bob"}

	t.Run("ErrStaleVersion", func(t *testing.T) {
		assertError(t, db.DeleteAgency(ctx, gone.ID, 2, bob), briefing.ESTALE, "")
		if p, _ := db.Person(ctx, member.ID); p.AgencyID != gone.ID || p.Version != 1 {
			t.Fatalf("a refused delete changed the person: %+v", p)
		}
	})
	// The references go with the agency, in its transaction: a person's own
	// GET body must stay one its PUT accepts.
	t.Run("ClearsReferences", func(t *testing.T) {
		if err := db.DeleteAgency(ctx, gone.ID, 1, bob); err != nil {
			t.Fatal(err)
		}
		p, err := db.Person(ctx, member.ID)
		if err != nil || p.AgencyID != "" || p.Version != 2 || p.UpdatedBy != "bob" || p.Name != member.Name {
			t.Fatalf("person %+v, %v", p, err)
		}
		if p, _ := db.Person(ctx, other.ID); p.AgencyID != kept.ID || p.Version != 1 {
			t.Fatalf("a person of another agency: %+v", p)
		}
		got, err := db.Round(ctx, r.ID)
		if err != nil || len(got.ParticipatingAgencies) != 1 || got.ParticipatingAgencies[0].AgencyID != kept.ID || got.Version != 3 {
			t.Fatalf("round %+v, %v", got, err)
		}
		if got, _ := db.Round(ctx, untouched.ID); got.Version != 1 {
			t.Fatalf("a round without the agency was saved again: version %d", got.Version)
		}
		a, err := db.Action(ctx, owned.ID)
		if err != nil || a.OwnerAgencyID != "" || a.Version != 3 {
			t.Fatalf("action %+v, %v", a, err)
		}
		if a, _ := db.Action(ctx, unowned.ID); a.Version != 1 {
			t.Fatalf("an action of no agency was saved again: version %d", a.Version)
		}
		vs, err := db.Versions(ctx, briefing.KindPerson, member.ID)
		if err != nil || len(vs) != 2 || vs[1].By != "bob" {
			t.Fatalf("the person's history: %+v, %v", vs, err)
		}
		if err := db.Check(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		assertError(t, db.DeleteAgency(ctx, gone.ID, 0, bob), briefing.ENOTFOUND, "agency "+gone.ID+" not found")
	})
}

// collect reads every page of a list, failing on a duplicate, an id out of
// creation order or a page over its limit, and returns the ids and the
// number of pages.
func collect[P briefing.Object](tb testing.TB, limit int, list func(briefing.Page) ([]P, string, error)) ([]string, int) {
	tb.Helper()
	var ids []string
	seen := map[string]bool{}
	p := briefing.Page{Limit: limit}
	var last uint64
	for pages := 1; ; pages++ {
		items, next, err := list(p)
		if err != nil {
			tb.Fatal(err)
		}
		if len(items) > pageSize(limit) {
			tb.Fatalf("page of %d items for limit %d", len(items), limit)
		}
		for _, it := range items {
			id := it.GetMeta().ID
			n, err := strconv.ParseUint(id, 10, 64)
			if err != nil || n <= last || seen[id] {
				tb.Fatalf("id %s after %d on page %d", id, last, pages)
			}
			last = n
			seen[id] = true
			ids = append(ids, id)
		}
		if next == "" {
			return ids, pages
		}
		if len(items) == 0 {
			tb.Fatalf("empty page %d with a next cursor %q", pages, next)
		}
		p.After = next
	}
}

// pageSize is the most items a page of a list asking for limit may hold.
func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return 100
	case limit > 1000:
		return 1000
	}
	return limit
}

func TestRoundService_Rounds(t *testing.T) {
	db := MustOpenDB(t)
	d, other, empty := mustDialogue(t, db), mustDialogue(t, db), mustDialogue(t, db)
	var want []string
	for i := 1; i <= 25; i++ {
		want = append(want, mustRound(t, db, d.ID, i).ID)
		if i%3 == 0 {
			mustRound(t, db, other.ID, i)
		}
	}
	list := func(id string) func(briefing.Page) ([]*briefing.Round, string, error) {
		return func(p briefing.Page) ([]*briefing.Round, string, error) { return db.Rounds(ctx, id, p) }
	}

	t.Run("Pages", func(t *testing.T) {
		for _, tc := range []struct{ limit, pages int }{{7, 4}, {5, 5}, {25, 1}, {26, 1}, {1, 25}, {0, 1}, {-3, 1}, {5000, 1}} {
			ids, pages := collect(t, tc.limit, list(d.ID))
			if fmt.Sprint(ids) != fmt.Sprint(want) || pages != tc.pages {
				t.Fatalf("limit %d: %d pages of %v", tc.limit, pages, ids)
			}
		}
		if ids, _ := collect(t, 4, list(other.ID)); len(ids) != 8 {
			t.Fatalf("other dialogue: %v", ids)
		}
		rs, next, err := db.Rounds(ctx, empty.ID, briefing.Page{})
		if err != nil || len(rs) != 0 || next != "" {
			t.Fatalf("empty dialogue: %d rounds, next %q, %v", len(rs), next, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := db.Rounds(ctx, "77", briefing.Page{})
		assertError(t, err, briefing.ENOTFOUND, "dialogue 77 not found")
		_, _, err = db.Rounds(ctx, "", briefing.Page{})
		assertError(t, err, briefing.ENOTFOUND, `dialogue "" not found`)
	})
	t.Run("ErrInvalidCursor", func(t *testing.T) {
		for _, after := range []string{"garbage", "0", "-1", "01"} {
			_, _, err := db.Rounds(ctx, d.ID, briefing.Page{After: after})
			assertError(t, err, briefing.EINVALID, "the cursor is not valid: use the next value a list returned")
		}
	})
	t.Run("CursorOfDeletedItem", func(t *testing.T) {
		rs, next, err := db.Rounds(ctx, d.ID, briefing.Page{Limit: 3})
		if err != nil || next != rs[2].ID {
			t.Fatalf("next %q, %v", next, err)
		}
		if err := db.DeleteRound(ctx, next, 0, alice); err != nil {
			t.Fatal(err)
		}
		rs, _, err = db.Rounds(ctx, d.ID, briefing.Page{After: next, Limit: 1})
		if err != nil || len(rs) != 1 || rs[0].ID != want[3] {
			t.Fatalf("after a deleted cursor: %v, %v", rs, err)
		}
	})
}

func TestSheetService_Sheets(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r1, r2 := mustRound(t, db, d.ID, 1), mustRound(t, db, d.ID, 2)
	for i := 0; i < 30; i++ {
		mustSheet(t, db, []string{r1.ID, r2.ID}[i%2], fmt.Sprint("Topic ", i))
	}
	for _, r := range []*briefing.Round{r1, r2} {
		ids, pages := collect(t, 4, func(p briefing.Page) ([]*briefing.Sheet, string, error) { return db.Sheets(ctx, r.ID, p) })
		if len(ids) != 15 || pages != 4 {
			t.Fatalf("round %s: %d sheets in %d pages", r.ID, len(ids), pages)
		}
	}
	_, _, err := db.Sheets(ctx, "3", briefing.Page{})
	assertError(t, err, briefing.ENOTFOUND, "round 3 not found")
}

func TestActionService_Actions(t *testing.T) {
	db := MustOpenDB(t)
	d, other := mustDialogue(t, db), mustDialogue(t, db)
	for i := 0; i < 12; i++ {
		mustAction(t, db, d.ID, fmt.Sprintf("3.%02d", i))
	}
	mustAction(t, db, other.ID, "1.01")
	ids, pages := collect(t, 5, func(p briefing.Page) ([]*briefing.Action, string, error) { return db.Actions(ctx, d.ID, p) })
	if len(ids) != 12 || pages != 3 {
		t.Fatalf("%d actions in %d pages", len(ids), pages)
	}
	_, _, err := db.Actions(ctx, "x", briefing.Page{})
	assertError(t, err, briefing.ENOTFOUND, `dialogue "x" not found`)
}

func TestAgencyService_Agencies(t *testing.T) {
	db := MustOpenDB(t)
	const n = 1001
	for i := 0; i < n; i++ {
		mustAgency(t, db, fmt.Sprint("Agency ", i))
	}
	for _, tc := range []struct{ limit, pages, first int }{{0, 11, 100}, {1000, 2, 1000}, {2000, 2, 1000}, {333, 4, 333}} {
		var first int
		ids, pages := collect(t, tc.limit, func(p briefing.Page) ([]*briefing.Agency, string, error) {
			items, next, err := db.Agencies(ctx, p)
			if p.After == "" {
				first = len(items)
			}
			return items, next, err
		})
		if len(ids) != n || pages != tc.pages || first != tc.first {
			t.Fatalf("limit %d: %d agencies in %d pages, first page %d", tc.limit, len(ids), pages, first)
		}
	}
	// A deleted agency leaves no gap in a page.
	if err := db.DeleteAgency(ctx, "2", 0, alice); err != nil {
		t.Fatal(err)
	}
	as, next, err := db.Agencies(ctx, briefing.Page{Limit: 2})
	if err != nil || len(as) != 2 || as[1].ID != "3" || next != "3" {
		t.Fatalf("%v %q %v", as, next, err)
	}
	empty := MustOpenDB(t)
	as, next, err = empty.Agencies(ctx, briefing.Page{})
	if err != nil || len(as) != 0 || next != "" {
		t.Fatalf("empty: %v %q %v", as, next, err)
	}
	_, _, err = empty.People(ctx, briefing.Page{After: "x"})
	assertError(t, err, briefing.EINVALID, "")
}
