package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMerge_RaisedSinceIsNotShownBack: a writer merges from a version in
// which they saw a paragraph that has since been raised above them. What
// they typed was typed on what they saw, but the raise says those words
// were marked too low: a conflict on the paragraph shows neither them nor
// anything else of it as it was (its ground included, when the writer
// left the ground out); to the writer it is a paragraph deleted since
// (TestDraft_HiddenOrDeleted), and the merge of what they may still
// change goes through, the raised paragraph kept exactly.
func TestMerge_RaisedSinceIsNotShownBack(t *testing.T) {
	const words = "Patrol canarybase sails on the 4th."
	for _, c := range []struct {
		name    string
		rewrite string // theirs' new words, if the raise changed them
	}{
		{"WordsKept", ""},
		{"WordsChanged", "Patrol canaryrewrite sails on the 5th."},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
				map[string]string{"text": words, "marking": "RESTRICTED", "withhold": "s9(2)(g)(i)"},
				para("Open words.", "RESTRICTED", "")))
			start := f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil).Body.String()
			f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
				p := paragraphOf(m, 0, 0)
				p["marking"] = "SECRET"
				if c.rewrite != "" {
					p["text"] = c.rewrite
				}
			})
			raised := f.sheet("lead", id).Sections[0].Paragraphs[0]
			mine := func(edit func(m map[string]any)) map[string]any {
				var m map[string]any
				if err := json.Unmarshal([]byte(start), &m); err != nil {
					t.Fatal(err)
				}
				edit(m)
				return m
			}
			leaks := []string{"canarybase", "canaryrewrite"}

			// Changed by the writer: a conflict, with nothing of the paragraph but their own words.
			for _, sent := range []struct {
				name string
				edit func(p map[string]any)
			}{
				{"GroundSent", func(p map[string]any) {}},
				{"GroundLeftOut", func(p map[string]any) { delete(p, "withhold") }},
			} {
				body := mine(func(m map[string]any) {
					p := paragraphOf(m, 0, 0)
					p["text"] = "The low officer's own words."
					sent.edit(p)
				})
				r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", body)
				if r.Code != 409 {
					t.Fatalf("%s: merge %d %s", sent.name, r.Code, r.Body.String())
				}
				noneOf(t, sent.name+": the 409", r, leaks...)
				var out struct {
					Error struct {
						Conflicts []struct {
							Path   string          `json:"path"`
							Base   json.RawMessage `json:"base"`
							Theirs json.RawMessage `json:"theirs"`
							Mine   json.RawMessage `json:"mine"`
						} `json:"conflicts"`
					} `json:"error"`
				}
				r.json(&out)
				if cs := out.Error.Conflicts; len(cs) != 1 || cs[0].Path != "sections[0].paragraphs[0]" || string(cs[0].Base) != "null" || string(cs[0].Theirs) != "null" {
					t.Errorf("%s: want one conflict on the paragraph, as it was and theirs absent: %s", sent.name, r.Body.String())
				} else if sent.name == "GroundLeftOut" && strings.Contains(string(cs[0].Mine), "s9(2)(g)(i)") {
					t.Errorf("%s: the conflict gives the writer the raised paragraph's ground: %s", sent.name, cs[0].Mine)
				}
			}
			// A PUT from the version they read: refused, and says nothing of it.
			r := f.do("lowofficer", "PUT", "/api/v1/sheets/"+id, mine(func(m map[string]any) {
				paragraphOf(m, 0, 0)["text"] = "The low officer's own words."
			}), "If-Match", `"1"`)
			if r.Code != 412 && r.Code != 403 {
				t.Errorf("PUT from version 1: %d %s", r.Code, r.Body.String())
			}
			noneOf(t, "the PUT's answer", r, leaks...)

			// What they may still change is merged; the raised paragraph,
			// sent as they read it (its ground left out, as a client that
			// sends only what it changed does), is kept exactly.
			r = f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", mine(func(m map[string]any) {
				delete(paragraphOf(m, 0, 0), "withhold")
				paragraphOf(m, 0, 1)["text"] = "Open words, changed."
			}))
			if r.Code != 200 {
				t.Fatalf("a merge of the paragraph they see: %d %s", r.Code, r.Body.String())
			}
			noneOf(t, "the merge's answer", r, leaks...)
			ps := f.sheet("lead", id).Sections[0].Paragraphs
			if len(ps) != 2 || ps[0] != raised || ps[1].Text != "Open words, changed." {
				t.Errorf("after the merge: %+v, want the raised paragraph %+v kept and the other changed", ps, raised)
			}
		})
	}
}

// raisedOrDeletedSection makes a sheet whose second section, "Canary
// heading", holds one RESTRICTED paragraph, which lowofficer reads at
// version 1; then officer saves version 2, op being what became of that
// paragraph: "raise" (to SECRET), "delete" (the section left empty) or
// "delete-section" (the section deleted with it), edit anything more done
// to the section. It returns the fixture, the sheet's id and lowofficer's
// copy of version 1.
func raisedOrDeletedSection(t *testing.T, op string, edit func(sec map[string]any)) (*fixture, string, map[string]any) {
	t.Helper()
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Maritime", "sections": []map[string]any{
		{"kind": "situation", "paragraphs": []any{para("Open words.", "RESTRICTED", "")}},
		{"kind": "offensive", "heading": "Canary heading", "paragraphs": []any{para("Words of the section.", "RESTRICTED", "")}},
	}})
	v1 := f.sheetAsMap("lowofficer", id)
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		sec := sectionOf(m, 1)
		switch op {
		case "delete-section":
			m["sections"] = m["sections"].([]any)[:1]
			return
		case "raise":
			paragraphOf(m, 1, 0)["marking"] = "SECRET"
		case "delete":
			sec["paragraphs"] = []any{}
		}
		if edit != nil {
			edit(sec)
		}
	})
	return f, id, v1
}

// TestMerge_HeadingOfSectionGoneSince: lowofficer renames, from version
// 1, a section every paragraph of which they saw has since been deleted,
// or raised above them, while officer added a paragraph to it and renamed
// it too. The conflict on the heading is the same either way: as no
// conflict shows a paragraph gone since as it was, lest it tell a raise
// from a deletion, none shows the heading of a section all they saw of
// which is gone so ("base" null).
func TestMerge_HeadingOfSectionGoneSince(t *testing.T) {
	conflictBase := func(op string) string {
		f, id, v1 := raisedOrDeletedSection(t, op, func(sec map[string]any) {
			sec["paragraphs"] = append(sec["paragraphs"].([]any), para("Added since.", "RESTRICTED", ""))
			sec["heading"] = "Their heading"
		})
		sectionOf(v1, 1)["heading"] = "My heading"
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", v1)
		var out struct {
			Error struct {
				Conflicts []struct {
					Path string          `json:"path"`
					Base json.RawMessage `json:"base"`
				} `json:"conflicts"`
			} `json:"error"`
		}
		r.json(&out)
		if r.Code != 409 || len(out.Error.Conflicts) != 1 || out.Error.Conflicts[0].Path != "sections[1].heading" {
			t.Fatalf("%s: want one conflict on the heading: %d %s", op, r.Code, r.Body.String())
		}
		return string(out.Error.Conflicts[0].Base)
	}
	deleted, raised := conflictBase("delete"), conflictBase("raise")
	if deleted != raised {
		t.Errorf("the heading's conflict tells a raise from a deletion: base %s after a deletion, %s after a raise", deleted, raised)
	}
}

// TestMerge_SectionRaisedAwayIsNotRenamed: lowofficer renames, from
// version 1, a section all of whose paragraphs have since been raised
// above them, a section they see nothing of now. To them it was deleted:
// the rename is dropped, as it is when the section was deleted, and
// nothing is written, whether or not officer renamed it too. Written over
// the SECRET section, it let a writer below the section change what heads
// it, and its answer (a new version, its ETag) told them the paragraphs
// were raised, not deleted, and whether the hidden heading had changed.
func TestMerge_SectionRaisedAwayIsNotRenamed(t *testing.T) {
	answer := func(op string, rename bool) (etag, merged, stored string) {
		f, id, v1 := raisedOrDeletedSection(t, op, func(sec map[string]any) {
			if rename {
				sec["heading"] = "Their heading"
			}
		})
		sectionOf(v1, 1)["heading"] = "My heading"
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", v1)
		if r.Code != 200 {
			t.Fatalf("%s: merge %d %s", op, r.Code, r.Body.String())
		}
		sh := f.sheet("lead", id)
		if len(sh.Sections) > 1 {
			stored = sh.Sections[1].Heading
		}
		return r.Header().Get("ETag"), r.Header().Get("Briefpack-Merged"), stored
	}
	etagDeleted, mergedDeleted, _ := answer("delete-section", false)
	etagRaised, mergedRaised, stored := answer("raise", false)
	etagRaisedRenamed, mergedRaisedRenamed, _ := answer("raise", true)
	if stored != "Canary heading" {
		t.Errorf("a writer below the section renamed it: stored heading %q", stored)
	}
	if etagRaised != etagRaisedRenamed || mergedRaised != mergedRaisedRenamed {
		t.Errorf("the answer tells whether the hidden heading was renamed since: ETag %s, merged %s; %s, %s when it was", etagRaised, mergedRaised, etagRaisedRenamed, mergedRaisedRenamed)
	}
	if etagRaised != etagDeleted || mergedRaised != mergedDeleted {
		t.Errorf("the answer tells a raise from a deletion: ETag %s, merged %s; %s, %s when the section was deleted", etagRaised, mergedRaised, etagDeleted, mergedDeleted)
	}
}

// TestMerge_DeletedSinceShownToTheTop: the lead, cleared for the top of
// the scheme, changes from version 1 a paragraph officer has since
// deleted. Nothing can be raised above them, so nothing a raise hides is
// told by showing it: the conflict shows the paragraph as it was ("base"),
// and a ground they left out is kept in their "mine", as for any paragraph
// the writer sees.
func TestMerge_DeletedSinceShownToTheTop(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Maritime",
		map[string]string{"text": "Words as they were.", "marking": "RESTRICTED", "withhold": "s9(2)(g)(i)"},
		para("Other words.", "RESTRICTED", "")))
	v1 := f.sheetAsMap("lead", id)
	f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) {
		s := sectionOf(m, 0)
		s["paragraphs"] = s["paragraphs"].([]any)[1:]
	})
	p := paragraphOf(v1, 0, 0)
	p["text"] = "The lead's words."
	delete(p, "withhold")
	r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/merge", v1)
	var out struct {
		Error struct {
			Conflicts []struct {
				Base *struct {
					Text string `json:"text"`
				} `json:"base"`
				Mine *struct {
					Withhold string `json:"withhold"`
				} `json:"mine"`
			} `json:"conflicts"`
		} `json:"error"`
	}
	r.json(&out)
	if r.Code != 409 || len(out.Error.Conflicts) != 1 {
		t.Fatalf("want one conflict: %d %s", r.Code, r.Body.String())
	}
	c := out.Error.Conflicts[0]
	if c.Base == nil || c.Base.Text != "Words as they were." {
		t.Errorf("the lead's conflict on a paragraph deleted since shows no base: %s", r.Body.String())
	}
	if c.Mine == nil || c.Mine.Withhold != "s9(2)(g)(i)" {
		t.Errorf("the lead's ground left out is lost from their paragraph: %s", r.Body.String())
	}
}
