package store_test

import (
	"fmt"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// TestDraftService_Gone: a draft is its author's of one sheet, kept until
// it is saved or thrown away. A sheet deleted, or an author deleted, can
// never be given one back (a deleted sheet is not restored; a user's id is
// never used again), so their drafts go with them: they were kept for good,
// each up to 2 MiB, one more for every editor left unsaved on every sheet
// or by every person deleted.
func TestDraftService_Gone(t *testing.T) {
	db := MustOpenDB(t)
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	var sheets []*briefing.Sheet
	for i := range 4 {
		sheets = append(sheets, mustSheet(t, db, r.ID, fmt.Sprintf("Topic %d", i+1)))
	}
	carol, dave := mustUser(t, db, "carol"), mustUser(t, db, "dave")
	text := strings.Repeat("Wellington proposes a standing exchange on cyber norms. ", 200)
	for _, u := range []*briefing.User{carol, dave} {
		for _, sh := range sheets {
			d := &briefing.Draft{Version: sh.Version, Fields: map[string]string{"s0p0.text": text}}
			if err := db.PutDraft(ctx, u.ID, sh.ID, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	count := func() int {
		t.Helper()
		n, err := store.Records(db, "drafts")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 8 {
		t.Fatalf("%d drafts, want 8", n)
	}
	// The first sheet deleted: its two drafts go, the others stay.
	if err := db.DeleteSheet(ctx, sheets[0].ID, sheets[0].Version, alice); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 6 {
		t.Fatalf("%d drafts after a sheet was deleted, want 6", n)
	}
	if _, err := db.Draft(ctx, dave.ID, sheets[1].ID); err != nil {
		t.Fatalf("dave's draft of another sheet: %v", err)
	}
	// Carol deleted: her three drafts left go, dave's stay.
	u, err := db.User(ctx, carol.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, carol.ID, u.Version, alice); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d drafts after a user was deleted, want 3", n)
	}
	for _, sh := range sheets[1:] {
		if _, err := db.Draft(ctx, dave.ID, sh.ID); err != nil {
			t.Fatalf("dave's draft of sheet %s: %v", sh.ID, err)
		}
	}
}

// TestDraftService_GoneMeanwhile: a draft kept as its sheet, or its author,
// is deleted is refused as of nothing (ENOTFOUND), in the same write that
// would keep it: the server checks the sheet before it keeps the draft, and
// a delete committed between the two left a draft no one could be given
// back, for good.
func TestDraftService_GoneMeanwhile(t *testing.T) {
	db := MustOpenDB(t)
	r := mustRound(t, db, mustDialogue(t, db).ID, 1)
	sh := mustSheet(t, db, r.ID, "Maritime security")
	carol, dave := mustUser(t, db, "carol"), mustUser(t, db, "dave")
	d := &briefing.Draft{Version: sh.Version, Fields: map[string]string{"s0p0.text": "Wellington proposes a standing exchange on cyber norms."}}
	if err := db.DeleteSheet(ctx, sh.ID, sh.Version, alice); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDraft(ctx, carol.ID, sh.ID, d); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("a draft of a deleted sheet: %v, want ENOTFOUND", err)
	}
	other := mustSheet(t, db, r.ID, "Cyber norms")
	u, err := db.User(ctx, dave.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, dave.ID, u.Version, alice); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDraft(ctx, dave.ID, other.ID, d); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("a draft of a deleted user: %v, want ENOTFOUND", err)
	}
	if n, err := store.Records(db, "drafts"); err != nil {
		t.Fatal(err)
	} else if n != 0 {
		t.Fatalf("%d drafts kept, want none", n)
	}
	if err := db.PutDraft(ctx, carol.ID, other.ID, d); err != nil {
		t.Fatalf("a draft of a sheet and a user both there: %v", err)
	}
}
