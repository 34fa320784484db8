package store_test

import (
	"bytes"
	"testing"

	"briefpack/briefing"
)

func TestReleaseService_CreateRelease(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r1, r2 := mustRound(t, db, d.ID, 1), mustRound(t, db, d.ID, 2)
	files := map[string][]byte{"html": []byte("<!doctype html><p>letter</p>"), "xlsx": {1, 2, 3}}

	t.Run("OK", func(t *testing.T) {
		for i, r := range []*briefing.Round{r1, r2, r1} {
			rel := &briefing.Release{RoundID: r.ID, Reference: "OIA-1", ReceivedOn: "2022-02-07", Request: "the packs",
				DecisionMaker: "Tony Lynch", AsOneDocument: true,
				OtherDocuments: []briefing.OtherDocument{{Title: "x", Decision: briefing.DecisionWithheld, Grounds: []string{"s6(a)"}}}}
			if err := db.CreateRelease(ctx, rel, files, alice); err != nil {
				t.Fatal(err)
			}
			if want := []int{1, 1, 2}[i]; rel.Number != want || rel.ID == "" || rel.MadeBy != "alice" {
				t.Fatalf("release %d: %+v", i, rel)
			}
			got, err := db.Release(ctx, rel.ID)
			if err != nil || asJSON(t, got) != asJSON(t, rel) {
				t.Fatalf("read back %+v, %v", got, err)
			}
		}
		list, _, err := db.Releases(ctx, r1.ID, briefing.Page{})
		if err != nil || len(list) != 2 || list[1].Number != 2 {
			t.Fatalf("%+v, %v", list, err)
		}
	})

	t.Run("ByteIdentical", func(t *testing.T) {
		for format, want := range files {
			got, err := db.ReleaseFile(ctx, "1", format)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: %q, %v", format, got, err)
			}
		}
		_, err := db.ReleaseFile(ctx, "1", "pdf")
		assertError(t, err, briefing.ENOTFOUND, `release 1 has no "pdf" file`)
	})

	t.Run("ErrRoundNotFound", func(t *testing.T) {
		assertError(t, db.CreateRelease(ctx, &briefing.Release{RoundID: "99"}, files, alice), briefing.ENOTFOUND, "round 99 not found")
		if err := db.Check(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RoundBlocked", func(t *testing.T) {
		if err := db.DeleteRound(ctx, r2.ID, r2.Version, alice); err == nil {
			t.Fatal("a round with a release was deleted")
		}
	})
}
