package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// noneOf fails when any of words is anywhere in an answer.
func noneOf(t *testing.T, what string, r response, words ...string) {
	t.Helper()
	for _, l := range findCanaries(words, r) {
		t.Errorf("%s (%d) carries %s", what, r.Code, l)
	}
}

// TestReview_CommentMarkedAsTheSheet: a lead reviews a sheet they hold
// whole, and their comment may speak of any of it. A comment on a sheet
// holding SECRET words reached RESTRICTED readers in the sheet, its
// versions, its page and its officer's dashboard. It is marked as the
// sheet was, and absent to a reader below that.
func TestReview_CommentMarkedAsTheSheet(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		para("Open words.", "RESTRICTED", ""), para("Operation canaryreef is planned.", "SECRET", "")))
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Fatalf("submit %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "return", "comment": "Say more on canaryreef timing."}); r.Code != 200 {
		t.Fatalf("return %d %s", r.Code, r.Body.String())
	}
	for _, u := range []string{"viewer", "lowofficer", "lowlead"} {
		noneOf(t, u+"'s sheet", f.do(u, "GET", "/api/v1/sheets/"+id, nil), "canaryreef")
		noneOf(t, u+"'s sheet page", f.do(u, "GET", "/sheets/"+id, nil), "canaryreef")
		noneOf(t, u+"'s version 3", f.do(u, "GET", "/api/v1/sheets/"+id+"/versions/3", nil), "canaryreef")
		noneOf(t, u+"'s editor", f.do(u, "GET", "/sheets/"+id+"/edit", nil), "canaryreef")
	}
	for _, u := range []string{"officer", "secretariat"} {
		if r := f.do(u, "GET", "/api/v1/sheets/"+id, nil); !strings.Contains(r.Body.String(), "Say more on canaryreef timing.") {
			t.Errorf("%s, cleared for the sheet, is not shown the lead's comment: %s", u, r.Body.String())
		}
	}
	if r := f.do("officer", "GET", "/sheets/"+id+"/edit", nil); !strings.Contains(r.Body.String(), "Say more on canaryreef timing.") {
		t.Error("the editor does not show its officer why the sheet was returned")
	}

	// A RESTRICTED officer's sheet, given a SECRET paragraph by another,
	// returned with a comment on it: not on its owner's dashboard.
	own := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber", para("Open cyber words.", "RESTRICTED", "")))
	f.update("officer", "/api/v1/sheets/"+own, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = append(sec["paragraphs"].([]any), map[string]any{"text": "Secret canarycyber words.", "marking": "SECRET"})
	})
	if r := f.do("officer", "POST", "/api/v1/sheets/"+own+"/review", map[string]string{"decision": "submit"}); r.Code != 200 {
		t.Fatalf("submit %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "POST", "/api/v1/sheets/"+own+"/review", map[string]string{"decision": "return", "comment": "The canarycyber line is wrong."}); r.Code != 200 {
		t.Fatalf("return %d %s", r.Code, r.Body.String())
	}
	noneOf(t, "lowofficer's dashboard", f.do("lowofficer", "GET", "/api/v1/dashboard", nil), "canarycyber")
	noneOf(t, "lowofficer's home page", f.do("lowofficer", "GET", "/", nil), "canarycyber")
	if r := f.do("lowofficer", "GET", "/api/v1/dashboard", nil); !strings.Contains(r.Body.String(), `"returned":"lead"`) {
		t.Errorf("the dashboard no longer says who returned the sheet: %s", r.Body.String())
	}
}

// TestHistory_RaisedParagraphHiddenInThePast: raising a paragraph's
// marking says its words were marked too low. They stayed readable below
// the new marking in every version before the raise: the version, the
// diff, the version pages. A past version now shows a paragraph only to a
// reader cleared for the highest marking it was raised to since, deleted
// since or not; and a restore of such a version needs that clearance too.
func TestHistory_RaisedParagraphHiddenInThePast(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		para("Open words.", "RESTRICTED", ""), para("Patrol canarypatrol sails on the 4th.", "RESTRICTED", ""),
		para("A harbour visit to canaryharbour.", "RESTRICTED", "")))
	// 2: both raised, words unchanged.
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		ps := m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)
		ps[1].(map[string]any)["marking"] = "SECRET"
		ps[2].(map[string]any)["marking"] = "SECRET"
	})
	// 3: the harbour visit deleted.
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:2]
	})
	for _, u := range []string{"viewer", "lowofficer", "lowlead"} {
		for _, path := range []string{"/api/v1/sheets/" + id + "/versions/1", "/api/v1/sheets/" + id + "/diff?from=1&to=2",
			"/api/v1/sheets/" + id + "/diff?from=1&to=3", "/sheets/" + id + "/versions/1", "/sheets/" + id + "/versions/2",
			"/sheets/" + id + "/versions/1?compare=3", "/api/v1/sheets/" + id + "/versions"} {
			r := f.do(u, "GET", path, nil)
			noneOf(t, u+"'s "+path, r, "canarypatrol", "canaryharbour")
			if strings.HasSuffix(path, "/versions/1") && !strings.Contains(r.Body.String(), "Open words.") {
				t.Errorf("%s's %s (%d) does not show what they may read: %s", u, path, r.Code, r.Body.String())
			}
		}
	}
	// A reader cleared for the raise reads the version as it was, marked as it was.
	r := f.do("officer", "GET", "/api/v1/sheets/"+id+"/versions/1", nil)
	if body := r.Body.String(); !strings.Contains(body, "canarypatrol") || !strings.Contains(body, "canaryharbour") || strings.Contains(body, `"SECRET"`) {
		t.Errorf("officer's version 1: %s", body)
	}
	// A RESTRICTED officer may not restore version 1: it would bring the
	// deleted paragraph back below the marking it was raised to.
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"3"`); r.Code != 403 {
		t.Errorf("lowofficer restoring version 1: %d %s", r.Code, r.Body.String())
	}
	noneOf(t, "lowofficer's sheet page", f.do("lowofficer", "GET", "/sheets/"+id, nil), "canarypatrol", "canaryharbour")
}

// TestComments_OnAParagraphRaisedThenDeleted: a comment on a paragraph
// deleted since is shown to whoever sees the sheet; but one raised above
// the reader before it went had its comments, which may quote it, shown
// again once it was deleted.
func TestComments_OnAParagraphRaisedThenDeleted(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		para("Open words.", "RESTRICTED", ""), para("Patrol sails on the 4th.", "RESTRICTED", ""), para("Other words.", "RESTRICTED", "")))
	sh := f.sheet("officer", id)
	raisedID, goneID := sh.Sections[0].Paragraphs[1].ID, sh.Sections[0].Paragraphs[2].ID
	f.create("lowofficer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": raisedID, "text": "Is canarypatrol the right name?"})
	f.create("lowofficer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": goneID, "text": "Drop the other words, canaryother."})
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		m["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[1].(map[string]any)["marking"] = "SECRET"
	})
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		sec := m["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	r := f.do("viewer", "GET", "/api/v1/sheets/"+id+"/comments", nil)
	noneOf(t, "viewer's comments", r, "canarypatrol")
	if !strings.Contains(r.Body.String(), "canaryother") {
		t.Errorf("a comment on a deleted paragraph never raised is not shown: %s", r.Body.String())
	}
	if r := f.do("officer", "GET", "/api/v1/sheets/"+id+"/comments", nil); !strings.Contains(r.Body.String(), "canarypatrol") {
		t.Errorf("officer, cleared for the raise, is not shown the comment: %s", r.Body.String())
	}
}

// firstParas is the first section's paragraphs of a sheet's JSON.
func firstParas(m map[string]any) []any { return paras(m["sections"].([]any)[0]) }

// TestRaise_WhatSpokeOfTheWords: a raise says words were marked too low.
// What was made of them before it and shown at their old marking — a
// review's comment quoting them, a comment on their paragraph (lowered
// again since), a pack frozen holding them — is shown from then on only to
// readers cleared for the raise; and restoring a version from before it
// keeps the raise.
func TestRaise_WhatSpokeOfTheWords(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		para("Open words.", "RESTRICTED", ""), para("Patrol canarypatrol sails on the 4th.", "RESTRICTED", "")))
	pid := f.sheet("officer", id).Sections[0].Paragraphs[1].ID
	if r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit", "comment": "Is 'canarypatrol' the ship's name?"}); r.Code != 200 {
		t.Fatalf("submit %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowlead", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "return", "comment": "Check canarypatrol's date."}); r.Code != 200 {
		t.Fatalf("return %d %s", r.Code, r.Body.String())
	}
	f.create("lowofficer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": pid, "text": "Is canarypatrol right?"})
	r := f.do("lowlead", "POST", "/api/v1/rounds/"+w.round+"/packs", nil)
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var sn struct{ ID string }
	r.json(&sn)
	// The raise, then the paragraph written anew and lowered again.
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) { firstParas(m)[1].(map[string]any)["marking"] = "SECRET" })
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		p := firstParas(m)[1].(map[string]any)
		p["marking"], p["text"] = "RESTRICTED", "Patrols continue."
	})
	after := f.create("lowofficer", "/api/v1/sheets/"+id+"/comments", map[string]any{"paragraph_id": pid, "text": "Better now, canaryafter."})
	_ = after
	for _, u := range []string{"viewer", "lowofficer", "lowlead"} {
		for _, path := range []string{"/api/v1/sheets/" + id, "/sheets/" + id, "/sheets/" + id + "/edit", "/api/v1/sheets/" + id + "/comments",
			"/api/v1/sheets/" + id + "/versions/3", "/api/v1/rounds/" + w.round + "/packs", "/api/v1/packs/" + sn.ID + "?format=html",
			"/api/v1/packs/" + sn.ID + "?format=xlsx", "/api/v1/dashboard", "/"} {
			noneOf(t, u+"'s "+path, f.do(u, "GET", path, nil), "canarypatrol")
		}
	}
	if r := f.do("viewer", "GET", "/api/v1/packs/"+sn.ID+"?format=html", nil); r.Code != 404 {
		t.Errorf("viewer's frozen pack: %d", r.Code)
	}
	if r := f.do("viewer", "GET", "/api/v1/sheets/"+id+"/comments", nil); !strings.Contains(r.Body.String(), "canaryafter") {
		t.Errorf("a comment made after the paragraph was lowered is hidden: %s", r.Body.String())
	}
	for _, path := range []string{"/api/v1/sheets/" + id, "/api/v1/sheets/" + id + "/comments", "/api/v1/packs/" + sn.ID + "?format=html"} {
		if r := f.do("officer", "GET", path, nil); !strings.Contains(r.Body.String(), "canarypatrol") {
			t.Errorf("officer, cleared for the raise, is not shown %s: %d %s", path, r.Code, r.Body.String())
		}
	}
	if r := f.do("officer", "GET", "/api/v1/rounds/"+w.round+"/packs", nil); !strings.Contains(r.Body.String(), `"raised":"SECRET"`) {
		t.Errorf("the list of packs does not say the pack was raised: %s", r.Body.String())
	}
	if r := f.do("officer", "GET", "/rounds/"+w.round, nil); !strings.Contains(r.Body.String(), "raised to SECRET since") {
		t.Errorf("the round's page does not say the pack was raised")
	}
	// Version 1 put back: the paragraph keeps the marking it was raised to.
	if r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/restore", map[string]int{"version": 1}, "If-Match", `"5"`); r.Code != 200 {
		t.Fatalf("restore: %d %s", r.Code, r.Body.String())
	}
	noneOf(t, "viewer's sheet after the restore", f.do("viewer", "GET", "/api/v1/sheets/"+id, nil), "canarypatrol")
	if got := f.sheet("officer", id).Sections[0].Paragraphs[1]; got.Marking != "SECRET" || !strings.Contains(got.Text, "canarypatrol") {
		t.Errorf("restored, the paragraph is %+v", got)
	}
}

// TestRaise_AboveTheReaderTakesNothingFromThem: a paragraph raised from
// above a reader to higher still takes from them nothing they could read
// — not the pack they froze, which never held it, nor a review's comment,
// now or in a past version, which could not quote it — so it tells them
// nothing of the raise. (Raised, every pack of the round and every review
// of the sheet was taken from them: their own pack went from the round's
// list, their comment from the sheet.) A raise of words they could read
// takes both (TestRaise_WhatSpokeOfTheWords).
func TestRaise_AboveTheReaderTakesNothingFromThem(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime", para("Patrols sail on the 4th.", "RESTRICTED", "")))
	for _, rv := range []struct{ user, decision, comment string }{{"lowofficer", "submit", ""}, {"lowlead", "return", "Check the date of the patrols."}} {
		if r := f.do(rv.user, "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": rv.decision, "comment": rv.comment}); r.Code != 200 {
			t.Fatalf("%s: %d %s", rv.decision, r.Code, r.Body.String())
		}
	}
	returned := f.sheet("officer", id).Version
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		firstParas(m)[0].(map[string]any)["text"] = "Patrols sail on the 5th."
		m["sections"].([]any)[0].(map[string]any)["paragraphs"] = append(firstParas(m), para("The patrols' orders.", "SECRET", ""))
	})
	r := f.do("lowlead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]bool{"force": true})
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var sn struct{ ID string }
	r.json(&sn)
	reads := []string{"/api/v1/packs/" + sn.ID + "?format=html", "/api/v1/rounds/" + w.round + "/packs",
		"/api/v1/sheets/" + id, fmt.Sprintf("/api/v1/sheets/%s/versions/%d", id, returned), "/sheets/" + id}
	version := regexp.MustCompile(`"version":\d+|name="version" value="\d+"|version \d+|name="once" value="[0-9a-f]+"`)
	before := map[string]string{}
	for _, p := range reads {
		r := f.do("lowlead", "GET", p, nil)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", p, r.Code, r.Body.String())
		}
		before[p] = version.ReplaceAllString(r.Body.String(), "#")
	}
	if !strings.Contains(before["/api/v1/sheets/"+id], "Check the date") || !strings.Contains(before[fmt.Sprintf("/api/v1/sheets/%s/versions/%d", id, returned)], "Check the date") {
		t.Fatalf("the RESTRICTED lead does not see their own review's comment: %s", before["/api/v1/sheets/"+id])
	}
	// The SECRET paragraph raised to TOP SECRET: the same to them, but for
	// the sheet's version number.
	f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { firstParas(m)[1].(map[string]any)["marking"] = "TOP SECRET" })
	for _, p := range reads {
		r := f.do("lowlead", "GET", p, nil)
		if got := version.ReplaceAllString(r.Body.String(), "#"); r.Code != 200 || got != before[p] {
			t.Errorf("GET %s after a raise above the reader of words they never saw: %d %s", p, r.Code, r.Body.String())
		}
	}
	// Those cleared for the raise lose nothing either: the pack is theirs.
	if r := f.do("lead", "GET", "/api/v1/packs/"+sn.ID+"?format=html", nil); r.Code != 200 {
		t.Errorf("the TOP SECRET lead's GET of the pack: %d", r.Code)
	}
}
