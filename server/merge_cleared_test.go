package server_test

import (
	"strings"
	"testing"
)

// review moves a sheet along its review as user, failing unless done.
func (f *fixture) review(user, sheet, decision string) {
	f.t.Helper()
	if r := f.do(user, "POST", "/api/v1/sheets/"+sheet+"/review", map[string]string{"decision": decision, "comment": "Seen."}); r.Code != 200 {
		f.t.Fatalf("%s %s: %d %s", user, decision, r.Code, r.Body.String())
	}
}

// TestMerge_ClearedMeanwhileIsTold: an officer edits a draft; meanwhile it
// is submitted and a delegation lead clears it; the officer's merge saves,
// and, as any change by someone below a lead does to a cleared sheet,
// returns it to draft. The answer says so, in Briefpack-Status-Was (the
// status the save found, when the save changed it), and does not count the
// clearance among the changes merged beside the writer's: it was not kept.
// A sheet only submitted meanwhile stays submitted, and no such header is
// sent; nor is one to a lead, whose save keeps a sheet cleared.
func TestMerge_ClearedMeanwhileIsTold(t *testing.T) {
	for _, c := range []struct {
		name, writer string
		decisions    []string
		status, was  string
	}{
		{"Cleared", "officer", []string{"submit", "clear"}, "draft", "cleared"},
		{"ClearedAboveTheWriter", "lowofficer", []string{"submit", "clear"}, "draft", "cleared"},
		{"Submitted", "officer", []string{"submit"}, "submitted", ""},
		{"ClearedByALeadWriting", "lead", []string{"submit", "clear"}, "cleared", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			mine := f.sheet(c.writer, w.sheet)
			for _, d := range c.decisions {
				who := "lead"
				if d == "submit" {
					who = "secretariat"
				}
				f.review(who, w.sheet, d)
			}
			mine.Sections[0].Paragraphs[0].Text = "The writer's change, made while the sheet was reviewed."
			r := f.do(c.writer, "POST", "/api/v1/sheets/"+w.sheet+"/merge", mine)
			if r.Code != 200 {
				t.Fatalf("merge: %d %s", r.Code, r.Body.String())
			}
			var got sheetJSON
			r.json(&got)
			if got.Status != c.status {
				t.Errorf("status %q, want %q", got.Status, c.status)
			}
			if was := r.Header().Get("Briefpack-Status-Was"); was != c.was {
				t.Errorf("Briefpack-Status-Was %q, want %q", was, c.was)
			}
			if c.was != "" && r.Header().Get("Briefpack-Merged") != "0" {
				t.Errorf("the clearance the save undid is counted as merged: Briefpack-Merged %q", r.Header().Get("Briefpack-Merged"))
			}
		})
	}
}

// TestEditor_ClearedMeanwhileIsTold: the editor's Save over a sheet a lead
// cleared while it was open returns it to draft, and the message says who
// had cleared it and that the save returned it to draft; a sheet opened
// cleared (the page warned) is told it too. One submitted meanwhile stays
// submitted, and the message says that; one a lead saves stays cleared.
func TestEditor_ClearedMeanwhileIsTold(t *testing.T) {
	for _, c := range []struct {
		name, writer   string
		before, during []string
		status         string
		want, wantNot  []string
	}{
		{"Cleared", "officer", nil, []string{"submit", "clear"}, "draft",
			[]string{"lead cleared this sheet while you were editing", "your save returned it to draft"}, []string{"together with"}},
		{"OpenedCleared", "officer", []string{"submit", "clear"}, nil, "draft",
			[]string{"your save returned it to draft"}, nil},
		{"Submitted", "officer", nil, []string{"submit"}, "submitted",
			[]string{"secretariat submitted this sheet for clearance while you were editing", "it stays submitted"}, []string{"returned it to draft"}},
		{"ClearedByALeadWriting", "lead", nil, []string{"submit", "clear"}, "cleared",
			[]string{"admin cleared this sheet while you were editing", "keeps it cleared"}, []string{"returned it to draft"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			review := func(ds []string) {
				for _, d := range ds {
					who := "lead"
					if c.writer == "lead" {
						who = "admin"
					}
					if d == "submit" {
						who = "secretariat"
					}
					f.review(who, w.sheet, d)
				}
			}
			review(c.before)
			b := f.pageBrowser(c.writer)
			page := b.open("/sheets/" + w.sheet + "/edit")
			review(c.during)
			seeOther(t, b.act(w.sheet, page, "save", map[string]string{"s0.p0.text": "The writer's change, made in the editor."}), "/sheets/"+w.sheet+"/edit")
			msg := flashOf(b.open("/sheets/" + w.sheet + "/edit"))
			for _, s := range c.want {
				if !strings.Contains(msg, s) {
					t.Errorf("the message lacks %q: %q", s, msg)
				}
			}
			for _, s := range c.wantNot {
				if strings.Contains(msg, s) {
					t.Errorf("the message says %q: %q", s, msg)
				}
			}
			if st := f.sheet("lead", w.sheet).Status; st != c.status {
				t.Errorf("status %q, want %q", st, c.status)
			}
		})
	}
}

// TestPut_ClearedIsTold: a PUT of a whole sheet by someone below a
// delegation lead, over a cleared sheet, returns it to draft, as the merge
// does, and its answer says so in Briefpack-Status-Was as the merge's does;
// a PUT that changes nothing of a cleared sheet keeps it cleared, and one
// over a sheet only submitted, or by a lead, changes no status: neither
// sends the header.
func TestPut_ClearedIsTold(t *testing.T) {
	for _, c := range []struct {
		name, writer string
		decisions    []string
		change       bool
		status, was  string
	}{
		{"Cleared", "officer", []string{"submit", "clear"}, true, "draft", "cleared"},
		{"ClearedUnchanged", "officer", []string{"submit", "clear"}, false, "cleared", ""},
		{"Submitted", "officer", []string{"submit"}, true, "submitted", ""},
		{"ClearedByALeadWriting", "lead", []string{"submit", "clear"}, true, "cleared", ""},
		{"Draft", "officer", nil, true, "draft", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.world()
			for _, d := range c.decisions {
				who := "lead"
				if d == "submit" {
					who = "secretariat"
				}
				f.review(who, w.sheet, d)
			}
			r := f.do(c.writer, "GET", "/api/v1/sheets/"+w.sheet, nil)
			m := map[string]any{}
			r.json(&m)
			if c.change {
				paragraphOf(m, 0, 0)["text"] = "The writer's change to the assessment, put whole."
			}
			r = f.do(c.writer, "PUT", "/api/v1/sheets/"+w.sheet, m, "If-Match", r.Header().Get("ETag"))
			if r.Code != 200 {
				t.Fatalf("PUT: %d %s", r.Code, r.Body.String())
			}
			var got sheetJSON
			r.json(&got)
			if got.Status != c.status {
				t.Errorf("status %q, want %q", got.Status, c.status)
			}
			if was, ok := r.Header()["Briefpack-Status-Was"]; c.was == "" && ok || c.was != "" && (len(was) != 1 || was[0] != c.was) {
				t.Errorf("Briefpack-Status-Was %q, want %q", was, c.was)
			}
		})
	}
}
