package server_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// draftAnswer is what a writer is told of a draft naming one paragraph id,
// typed at a version: the PUT's and the GET's status, body and headers, with
// the id itself and each request's own id taken out, so that the answers
// for different ids can be compared whole.
func (f *fixture) draftAnswer(user, sheet, id string, version int) string {
	f.t.Helper()
	path := "/api/v1/sheets/" + sheet + "/draft"
	draft := map[string]any{"version": version, "fields": map[string]string{"s0.p0.id": id, "s0.p0.text": "typed", "s0.p0.marking": "RESTRICTED"}}
	var out []string
	for _, r := range []response{f.do(user, "PUT", path, draft), f.do(user, "GET", path, nil)} {
		h := r.Header().Clone()
		h.Del("X-Request-Id")
		h.Del("Date")
		var names []string
		for k := range h {
			names = append(names, k+": "+strings.Join(h[k], ", "))
		}
		sort.Strings(names)
		out = append(out, fmt.Sprintf("%d %s\n%s", r.Code, strings.ReplaceAll(r.Body.String(), id, "ID"), strings.Join(names, "\n")))
	}
	f.do(user, "DELETE", path, nil)
	return strings.Join(out, "\n--\n")
}

// TestDraft_HiddenOrDeleted: a draft is judged only by what its writer may
// see, so it never tells a paragraph marked above them since from one
// deleted since, nor one hidden from them from one that never was.
func TestDraft_HiddenOrDeleted(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	// Version 1: A, B, C the RESTRICTED writer sees; D and E above them.
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber Security",
		para("Paragraph A stays.", "RESTRICTED", ""), para("Paragraph B is raised.", "RESTRICTED", ""),
		para("Paragraph C is deleted.", "RESTRICTED", ""), para("Paragraph D stays secret.", "SECRET", ""),
		para("Paragraph E secret and deleted.", "SECRET", "")))
	if low := f.sheet("lowofficer", id); len(low.Sections[0].Paragraphs) != 3 {
		t.Fatalf("the writer sees %d paragraphs", len(low.Sections[0].Paragraphs))
	}
	ps := f.sheet("officer", id).Sections[0].Paragraphs
	a, b, c, d, e := ps[0], ps[1], ps[2], ps[3], ps[4]
	// Version 2: B raised above the writer, C and E deleted.
	withID := func(id, text, marking string) map[string]string {
		m := para(text, marking, "")
		m["id"] = id
		return m
	}
	f.putSheet("officer", id, 1, sheetBody("Cyber Security", withID(a.ID, a.Text, a.Marking), withID(b.ID, b.Text, "SECRET"), withID(d.ID, d.Text, d.Marking)))
	random := "pzzzzzzzzzzzzzzzz"

	t.Run("TypedAtWhatTheySaw", func(t *testing.T) {
		// B and C were the writer's to type over at version 1: their
		// drafts come back alike, and the merge decides at the save.
		hiddenNow, deleted := f.draftAnswer("lowofficer", id, b.ID, 1), f.draftAnswer("lowofficer", id, c.ID, 1)
		if hiddenNow != deleted {
			t.Errorf("a paragraph marked above the writer since is told from one deleted since:\n%s\n====\n%s", hiddenNow, deleted)
		}
		if !strings.HasPrefix(deleted, "204 \n") || !strings.Contains(deleted, "\n--\n200 ") || !strings.Contains(deleted, `"typed"`) {
			t.Errorf("a draft over a paragraph deleted since is not given back:\n%s", deleted)
		}
		// Saved through the merge, each is the same conflict: changed by
		// the writer, gone since.
		merge := func(pid string) string {
			body := sheetBody("Cyber Security", withID(a.ID, a.Text, a.Marking), withID(pid, "typed", "RESTRICTED"))
			body["version"] = 1
			r := f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/merge", body)
			return fmt.Sprintf("%d %s", r.Code, strings.ReplaceAll(strings.ReplaceAll(r.Body.String(), pid, "ID"), b.Text, c.Text))
		}
		if mb, mc := merge(b.ID), merge(c.ID); mb != mc || !strings.HasPrefix(mb, "409 ") {
			t.Errorf("the merge tells them apart:\n%s\n====\n%s", mb, mc)
		}
	})
	t.Run("NeverTheirs", func(t *testing.T) {
		// Ids the writer was not shown at the draft's version (above them
		// then, kept or deleted since, or no paragraph at all) are alike,
		// and not given back.
		want := f.draftAnswer("lowofficer", id, random, 1)
		if !strings.Contains(want, "\n--\n404 ") {
			t.Errorf("a draft naming no paragraph the writer saw: %s", want)
		}
		for name, pid := range map[string]string{"D": d.ID, "E": e.ID} {
			if got := f.draftAnswer("lowofficer", id, pid, 1); got != want {
				t.Errorf("paragraph %s, above the writer at version 1, is told from no paragraph:\n%s\n====\n%s", name, got, want)
			}
		}
		// At version 2 none of B to E nor a made-up id is theirs.
		want = f.draftAnswer("lowofficer", id, random, 2)
		for name, pid := range map[string]string{"B": b.ID, "C": c.ID, "D": d.ID, "E": e.ID} {
			if got := f.draftAnswer("lowofficer", id, pid, 2); got != want {
				t.Errorf("paragraph %s at version 2 is told from no paragraph:\n%s\n====\n%s", name, got, want)
			}
		}
	})
	t.Run("Editor", func(t *testing.T) {
		// The page without scripts opens a kept draft whole as the working
		// copy: one naming B and one naming C open alike.
		open := func(pid string) string {
			body := map[string]any{"version": 1, "fields": map[string]string{"title": "Cyber Security", "withhold": "", "status": "draft", "owner_id": "", "n": "1",
				"s0.kind": "situation", "s0.heading": "", "s0.n": "1", "s0.p0.id": pid, "s0.p0.text": "typed over it", "s0.p0.marking": "RESTRICTED", "s0.p0.withhold": ""}}
			if r := f.do("lowofficer", "PUT", "/api/v1/sheets/"+id+"/draft", body); r.Code != http.StatusNoContent {
				t.Fatalf("put: %d %s", r.Code, r.Body.String())
			}
			r := f.do("lowofficer", "GET", "/sheets/"+id+"/edit?working=1", nil)
			return fmt.Sprintf("%d %s", r.Code, strings.ReplaceAll(r.Body.String(), pid, "ID"))
		}
		if ob, oc := open(b.ID), open(c.ID); ob != oc || !strings.HasPrefix(ob, "200 ") || !strings.Contains(ob, "typed over it") {
			t.Errorf("the working copy tells them apart, or is lost: %.300s\n====\n%.300s", ob, oc)
		}
	})
}

// TestDraft_Cleaned: a draft is kept with its texts cleaned as a save
// cleans them, so a terminal's escape, a bell or a NUL pasted into the
// editor does not come back into its page; a page break still breaks the
// line.
func TestDraft_Cleaned(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/sheets/" + w.sheet + "/draft"
	typed := "Red \x1b[31malert\x07 here\x00.\fNext page."
	draft := map[string]any{"version": 1, "fields": map[string]string{"title": "Cyber\x1b Security", "s0.p0.text": typed, "s0.p0.marking": "RESTRICTED"}}
	if r := f.do("officer", "PUT", path, draft); r.Code != 204 {
		t.Fatalf("put: %d %s", r.Code, r.Body.String())
	}
	r := f.do("officer", "GET", path, nil)
	var got struct {
		Fields map[string]string `json:"fields"`
	}
	r.json(&got)
	if want := "Red [31malert here.\nNext page."; r.Code != 200 || got.Fields["s0.p0.text"] != want || got.Fields["title"] != "Cyber Security" {
		t.Fatalf("the draft came back %d %q, title %q; want the text %q", r.Code, got.Fields["s0.p0.text"], got.Fields["title"], want)
	}
}
