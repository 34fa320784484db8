package server_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// mixedWorld is hiddenWorld at version 3: at version 2 the lead added
// "Added since." (RESTRICTED) and "Hidden added since." (SECRET) at the end
// of section 0 and put "Gone since." in place of "X two.", which they
// deleted at version 3. It returns the sheet's id, the RESTRICTED officer's
// copy of version 1, their copy of version 2, and every paragraph id the
// sheet has held, by its text.
func mixedWorld(f *fixture) (id string, v1, v2 map[string]any, ids map[string]string) {
	f.t.Helper()
	id = hiddenWorld(f)
	v1 = f.sheetAsMap("lowofficer", id)
	ids = map[string]string{}
	note := func() {
		sh, err := f.db.Sheet(context.Background(), id)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				ids[p.Text] = p.ID
			}
		}
	}
	note()
	lead := f.sheetAsMap("lead", id)
	s := sectionOf(lead, 0)
	s["paragraphs"] = append(s["paragraphs"].([]any), para("Added since.", "RESTRICTED", ""), para("Hidden added since.", "SECRET", ""))
	x := sectionOf(lead, 2)
	x["paragraphs"] = []any{x["paragraphs"].([]any)[0], para("Gone since.", "RESTRICTED", "")}
	if r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/merge", lead); r.Code != 200 {
		f.t.Fatalf("the lead's save: %d %s", r.Code, r.Body.String())
	}
	note()
	v2 = f.sheetAsMap("lowofficer", id)
	f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) {
		x := sectionOf(m, 2)
		x["paragraphs"] = x["paragraphs"].([]any)[:1]
	})
	return id, v1, v2, ids
}

// texts lists a sheet's paragraphs as the reader sees them, by section, and
// the id of each text.
func texts(m map[string]any) (string, map[string]string) {
	var secs []string
	ids := map[string]string{}
	for _, s := range m["sections"].([]any) {
		var ps []string
		for _, p := range s.(map[string]any)["paragraphs"].([]any) {
			p := p.(map[string]any)
			ps = append(ps, p["text"].(string))
			ids[p["text"].(string)] = p["id"].(string)
		}
		secs = append(secs, "["+strings.Join(ps, " ")+"]")
	}
	return strings.Join(secs, " "), ids
}

// hiddenOf is every paragraph of the stored sheet above RESTRICTED, as stored.
func hiddenOf(f *fixture, id string) string {
	f.t.Helper()
	sh, err := f.db.Sheet(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if p.Marking != "RESTRICTED" {
				b, _ := json.Marshal(p)
				out = append(out, string(rune('0'+i))+string(b))
			}
		}
	}
	return strings.Join(out, "\n")
}

// A writer whose sheet names an old version but holds paragraphs they read
// at a later one (they fetched them since) sends those paragraphs, not new
// ones: each is kept once, with its id, as the writer's change of it when
// they changed it, and a conflict when it was changed since it was added.
func TestSheetService_MergeMixedVersions(t *testing.T) {
	// withAdded is the writer's copy of version 1, "Paragraph A." edited,
	// with the paragraph added since as they read it at version 2, changed
	// by fn, at the end of section i.
	withAdded := func(v1, v2 map[string]any, i int, fn func(p map[string]any)) map[string]any {
		added := map[string]any{}
		for k, val := range paragraphOf(v2, 0, 3) {
			added[k] = val
		}
		fn(added)
		paragraphOf(v1, 0, 0)["text"] = "Edited A."
		s := sectionOf(v1, i)
		s["paragraphs"] = append(s["paragraphs"].([]any), added)
		return v1
	}
	for _, tc := range []struct {
		name  string
		i     int
		edit  func(p map[string]any)
		want  string // the sheet as the writer sees it after
		added string // the text that keeps the added paragraph's id
	}{
		{"AsRead", 0, func(p map[string]any) {}, "[Edited A. Paragraph B. Paragraph C. Added since.] [X one.]", "Added since."},
		{"Changed", 0, func(p map[string]any) { p["text"] = "Added since, as I wrote." },
			"[Edited A. Paragraph B. Paragraph C. Added since, as I wrote.] [X one.]", "Added since, as I wrote."},
		{"Unmarked", 0, func(p map[string]any) { delete(p, "marking") }, "[Edited A. Paragraph B. Paragraph C. Added since.] [X one.]", "Added since."},
		{"Moved", 1, func(p map[string]any) {}, "[Edited A. Paragraph B. Paragraph C.] [X one. Added since.]", "Added since."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id, v1, v2, ids := mixedWorld(f)
			hidden := hiddenOf(f, id)
			r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", withAdded(v1, v2, tc.i, tc.edit))
			if r.Code != 200 {
				t.Fatalf("%d %s", r.Code, r.Body.String())
			}
			got, gotIDs := texts(f.sheetAsMap("lowofficer", id))
			if got != tc.want || gotIDs[tc.added] != ids["Added since."] {
				t.Fatalf("got %s (%q has id %q), want %s with id %q", got, tc.added, gotIDs[tc.added], tc.want, ids["Added since."])
			}
			if after := hiddenOf(f, id); after != hidden {
				t.Fatalf("hidden paragraphs changed:\n%s\nwant\n%s", after, hidden)
			}
		})
	}
	t.Run("ErrChangedSince", func(t *testing.T) {
		f := newFixture(t)
		id, v1, v2, ids := mixedWorld(f)
		fresh := copyOf(t, v1)
		f.update("lead", "/api/v1/sheets/"+id, func(m map[string]any) { paragraphOf(m, 0, 5)["text"] = "Added since, then changed." })
		before := f.sheet("lead", id)
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", withAdded(v1, v2, 0, func(p map[string]any) { p["text"] = "Added since, as I wrote." }))
		var body struct {
			Error struct {
				Fields    map[string]string
				Conflicts []struct {
					Path, ID           string
					Base, Theirs, Mine map[string]any
				}
			}
		}
		r.json(&body)
		cs := body.Error.Conflicts
		if r.Code != 409 || len(cs) != 1 || cs[0].Path != "sections[0].paragraphs[3]" || cs[0].ID != ids["Added since."] || body.Error.Fields["sections[0].paragraphs[3]"] == "" ||
			cs[0].Base["text"] != "Added since." || cs[0].Theirs["text"] != "Added since, then changed." || cs[0].Mine["text"] != "Added since, as I wrote." {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		if after := f.sheet("lead", id); after.Version != before.Version {
			t.Fatalf("a conflicting merge wrote version %d", after.Version)
		}
		// Sent as they read it, it is theirs as it is now.
		r = f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", withAdded(fresh, v2, 0, func(p map[string]any) {}))
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		if got, gotIDs := texts(f.sheetAsMap("lowofficer", id)); got != "[Edited A. Paragraph B. Paragraph C. Added since, then changed.] [X one.]" || gotIDs["Added since, then changed."] != ids["Added since."] {
			t.Fatalf("got %s", got)
		}
	})
}

// An id in a writer's sheet that the stored sheet holds above their
// clearance is answered as one it never held, or one deleted since: a new
// paragraph, byte for byte the same answer, the hidden paragraph untouched.
func TestSheetService_MergeMixedHidden(t *testing.T) {
	stamps := regexp.MustCompile(`"(created_at|updated_at)":"[^"]*"`)
	pids := regexp.MustCompile(`"p[a-z0-9]{16}"`)
	answer := func(t *testing.T, sent func(ids map[string]string) string) (string, string) {
		t.Helper()
		f := newFixture(t)
		id, v1, _, ids := mixedWorld(f)
		hidden := hiddenOf(f, id)
		s := sectionOf(v1, 0)
		s["paragraphs"] = append(s["paragraphs"].([]any), map[string]any{"id": sent(ids), "text": "Smuggled.", "marking": "RESTRICTED"})
		r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", v1)
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		if after := hiddenOf(f, id); after != hidden {
			t.Fatalf("hidden paragraphs changed:\n%s\nwant\n%s", after, hidden)
		}
		label := map[string]string{}
		for text, pid := range ids {
			label[`"`+pid+`"`] = `"id of ` + text + `"`
		}
		norm := func(s string) string {
			s = stamps.ReplaceAllString(s, `"$1":"…"`)
			return pids.ReplaceAllStringFunc(s, func(pid string) string {
				if l, ok := label[pid]; ok {
					return l
				}
				return `"a new id"`
			})
		}
		stored, err := f.db.Sheet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		whole, _ := json.Marshal(stored)
		head := r.Header().Get("ETag") + " " + r.Header().Get("Briefpack-Merged") + " " + r.Header().Get("Briefpack-Merged-From")
		return head + " " + norm(r.Body.String()), norm(string(whole))
	}
	want, wantStored := answer(t, func(map[string]string) string { return "pnosuchparagraph" })
	if !strings.Contains(want, `{"id":"a new id","text":"Smuggled."`) {
		t.Fatalf("an unknown id is not a new paragraph: %s", want)
	}
	for _, tc := range []struct{ name, text string }{
		{"HiddenAtBothVersions", "Hidden one."},
		{"HiddenAddedSince", "Hidden added since."},
		{"AddedThenDeleted", "Gone since."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gotStored := answer(t, func(ids map[string]string) string { return ids[tc.text] })
			if got != want {
				t.Errorf("answer\n%s\nwant, as for an id never held,\n%s", got, want)
			}
			if gotStored != wantStored {
				t.Errorf("stored\n%s\nwant, as for an id never held,\n%s", gotStored, wantStored)
			}
		})
	}
}

// copyOf is a deep copy of a sheet read as a map.
func copyOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
