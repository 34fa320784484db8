package store_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"briefpack/briefing"
)

func TestHistoryService_Versions(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	sh := mustSheet(t, db, r.ID, "v1")
	for i := 2; i <= 4; i++ {
		sh.Title = fmt.Sprint("v", i)
		if err := db.UpdateSheet(ctx, sh, briefing.Actor{UserID: strconv.Itoa(i), Name: fmt.Sprint("officer", i)}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("OK", func(t *testing.T) {
		vs, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
		if err != nil || len(vs) != 4 {
			t.Fatalf("%d versions, %v", len(vs), err)
		}
		for i, v := range vs {
			var saved briefing.Sheet
			if err := json.Unmarshal(v.Data, &saved); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprint("v", i+1)
			if v.Version != i+1 || saved.Version != i+1 || saved.Title != want || saved.RoundID != r.ID || v.Deleted ||
				!v.At.Equal(saved.UpdatedAt) || v.By != saved.UpdatedBy {
				t.Fatalf("version %d: %+v %+v", i+1, v, saved)
			}
			if i > 0 && (v.By != fmt.Sprint("officer", i+1) || !v.At.After(vs[i-1].At)) {
				t.Fatalf("version %d by %s at %v", v.Version, v.By, v.At)
			}
		}
		// Another kind with the same id has its own history.
		dv, err := db.Versions(ctx, briefing.KindDialogue, d.ID)
		if err != nil || len(dv) != 1 {
			t.Fatalf("dialogue: %d versions, %v", len(dv), err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.Versions(ctx, briefing.KindSheet, "9")
		assertError(t, err, briefing.ENOTFOUND, "sheet 9 has no saved versions")
		_, err = db.Versions(ctx, briefing.KindSheet, "x")
		assertError(t, err, briefing.ENOTFOUND, `sheet "x" not found`)
		_, err = db.Versions(ctx, "pizza", sh.ID)
		assertError(t, err, briefing.ENOTFOUND, "pizza "+sh.ID+" has no saved versions")
	})

	t.Run("SurvivesDeletion", func(t *testing.T) {
		if err := db.DeleteSheet(ctx, sh.ID, 4, alice); err != nil {
			t.Fatal(err)
		}
		vs, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
		if err != nil || len(vs) != 5 || !vs[4].Deleted || vs[4].Version != 5 || vs[4].By != "alice" || vs[3].Deleted {
			t.Fatalf("%+v, %v", vs, err)
		}
	})
}

func TestAuditService_Audit(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)  // audit 1
	for i := 0; i < 20; i++ { // audit 2..21
		d.Notes = fmt.Sprint("note ", i)
		if err := db.UpdateDialogue(ctx, d, briefing.Actor{UserID: "7", Name: "carol"}); err != nil {
			t.Fatal(err)
		}
	}
	a := mustAgency(t, db, "NCSC")                               // audit 22
	if err := db.DeleteAgency(ctx, a.ID, 0, alice); err != nil { // audit 23
		t.Fatal(err)
	}
	// A refused write leaves no record.
	assertError(t, db.DeleteAgency(ctx, a.ID, 0, alice), briefing.ENOTFOUND, "")
	d.Version = 1
	assertError(t, db.UpdateDialogue(ctx, d, alice), briefing.ESTALE, "")

	t.Run("NewestFirst", func(t *testing.T) {
		recs, next, err := db.Audit(ctx, briefing.Page{})
		if err != nil || len(recs) != 23 || next != "" {
			t.Fatalf("%d records, next %q, %v", len(recs), next, err)
		}
		for i, r := range recs {
			if r.Seq != uint64(23-i) {
				t.Fatalf("record %d has seq %d", i, r.Seq)
			}
		}
		want := []briefing.AuditRecord{
			{Seq: 23, UserID: "1", UserName: "alice", Op: "delete", Kind: "agency", ObjectID: a.ID, FromVersion: 1, ToVersion: 0},
			{Seq: 22, UserID: "1", UserName: "alice", Op: "create", Kind: "agency", ObjectID: a.ID, FromVersion: 0, ToVersion: 1},
			{Seq: 21, UserID: "7", UserName: "carol", Op: "update", Kind: "dialogue", ObjectID: d.ID, FromVersion: 20, ToVersion: 21},
		}
		for i, w := range want {
			got := *recs[i]
			if got.At.IsZero() {
				t.Fatalf("record %d has no time", i)
			}
			got.At, got.Cursor = w.At, ""
			if got != w {
				t.Fatalf("record %d: %+v, want %+v", i, got, w)
			}
		}
		if last := recs[22]; last.Op != "create" || last.Kind != "dialogue" || last.ToVersion != 1 || !last.At.Equal(epoch.Add(1e9)) {
			t.Fatalf("oldest record %+v", last)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		for _, limit := range []int{1, 5, 7, 22, 23, 24} {
			var seqs []uint64
			p := briefing.Page{Limit: limit}
			for pages := 1; ; pages++ {
				recs, next, err := db.Audit(ctx, p)
				if err != nil || len(recs) > limit || pages > 30 {
					t.Fatalf("limit %d page %d: %d records, %v", limit, pages, len(recs), err)
				}
				for _, r := range recs {
					if len(seqs) > 0 && r.Seq >= seqs[len(seqs)-1] {
						t.Fatalf("limit %d: seq %d after %d", limit, r.Seq, seqs[len(seqs)-1])
					}
					seqs = append(seqs, r.Seq)
				}
				if next == "" {
					break
				}
				p.After = next
			}
			if len(seqs) != 23 || seqs[22] != 1 {
				t.Fatalf("limit %d: %v", limit, seqs)
			}
		}
	})

	// A cursor is sealed (migration 11): the records' numbers count every
	// write, those above the reader too, and a cursor that was one told
	// them. One this database did not give — a number, another database's,
	// one changed — is refused.
	t.Run("Cursors", func(t *testing.T) {
		recs, next, err := db.Audit(ctx, briefing.Page{Limit: 22})
		if err != nil || len(recs) != 22 || next == "" || next != recs[21].Cursor {
			t.Fatalf("the first 22: %d, %q, %v", len(recs), next, err)
		}
		if _, err := strconv.ParseUint(next, 10, 64); err == nil {
			t.Fatalf("the cursor %q is a number", next)
		}
		last, after, err := db.Audit(ctx, briefing.Page{After: next})
		if err != nil || len(last) != 1 || last[0].Seq != 1 || after != "" {
			t.Fatalf("after the 22: %v, %q, %v", last, after, err)
		}
		other := MustOpenDB(t)
		mustDialogue(t, other)
		mustDialogue(t, other)
		_, elsewhere, err := other.Audit(ctx, briefing.Page{Limit: 1})
		if err != nil || elsewhere == "" {
			t.Fatalf("another database's cursor: %q, %v", elsewhere, err)
		}
		changed := []byte(next)
		changed[0] ^= 1
		for _, c := range []string{"1000", "1", "seq", elsewhere, string(changed), next + "A"} {
			_, _, err = db.Audit(ctx, briefing.Page{After: c})
			assertError(t, err, briefing.EINVALID, "")
		}
	})
}
