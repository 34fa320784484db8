package briefing_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"briefpack/briefing"
)

var nz, _ = briefing.SettingsFor("nz")

// mergeSheetOf makes a sheet of unique paragraphs in three sections, every
// third paragraph SECRET.
func mergeSheetOf(r *rand.Rand, n int) *briefing.Sheet {
	sh := &briefing.Sheet{Meta: briefing.Meta{ID: "7", Version: 1}, RoundID: "3", Title: "Foreign Interference", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation}, {Kind: briefing.SectionOffensive}, {Kind: briefing.SectionCustom, Heading: "Our Counter Terrorism Approach"}}}
	for i := 0; i < n; i++ {
		m := "RESTRICTED"
		if i%3 == 2 {
			m = "SECRET"
		}
		s := r.IntN(len(sh.Sections))
		sh.Sections[s].Paragraphs = append(sh.Sections[s].Paragraphs, briefing.Paragraph{ID: fmt.Sprintf("p%d", i),
			Text: fmt.Sprintf("Paragraph %d: %s assessment of regional activity number %d.", i, m, r.IntN(1e6)), Marking: m})
	}
	return sh
}

// edit is one change a side made, for checking the merge kept it.
type edit struct {
	op string // "text", "delete", "insert", "move"
	id string
	to string // the new text, or the inserted text
}

// randomEdits changes a copy of sh as a writer would: texts, deletions,
// insertions and moves of the paragraphs in ids (the ones this side touches).
func randomEdits(r *rand.Rand, sh *briefing.Sheet, ids []string, side string) (*briefing.Sheet, []edit) {
	out := sh.Clone()
	var edits []edit
	for n, id := range ids {
		i, j := find(out, id)
		if i < 0 {
			continue
		}
		switch r.IntN(4) {
		case 0, 1:
			t := fmt.Sprintf("%s rewrote %s (%d).", side, id, r.IntN(1e6))
			out.Sections[i].Paragraphs[j].Text = t
			edits = append(edits, edit{"text", id, t})
		case 2:
			ps := out.Sections[i].Paragraphs
			out.Sections[i].Paragraphs = append(ps[:j:j], ps[j+1:]...)
			edits = append(edits, edit{"delete", id, ""})
		case 3:
			// Move within its section to the front.
			ps := out.Sections[i].Paragraphs
			p := ps[j]
			rest := append(ps[:j:j], ps[j+1:]...)
			out.Sections[i].Paragraphs = append([]briefing.Paragraph{p}, rest...)
			edits = append(edits, edit{"move", id, ""})
		}
		if n%3 == 0 {
			t := fmt.Sprintf("%s added a paragraph after %s (%d).", side, id, r.IntN(1e6))
			if i, j := find(out, id); i >= 0 {
				ps := out.Sections[i].Paragraphs
				np := briefing.Paragraph{Text: t, Marking: "RESTRICTED"}
				if side == "theirs" {
					np.ID = fmt.Sprintf("t%d", n)
				}
				out.Sections[i].Paragraphs = append(ps[:j+1:j+1], append([]briefing.Paragraph{np}, ps[j+1:]...)...)
				edits = append(edits, edit{"insert", "", t})
			}
		}
	}
	return out, edits
}

func find(sh *briefing.Sheet, id string) (int, int) {
	for i, sec := range sh.Sections {
		for j, p := range sec.Paragraphs {
			if p.ID == id {
				return i, j
			}
		}
	}
	return -1, -1
}

// TestMergeSheet_Property runs random base/theirs/mine edit scripts where
// mine is written by a RESTRICTED officer who cannot see the SECRET
// paragraphs: the merge is deterministic; when the two sides touched
// different paragraphs it succeeds and keeps every change of each side;
// when they touched the same one differently it conflicts on it; and the
// hidden paragraphs come out byte for byte, in their order.
func TestMergeSheet_Property(t *testing.T) {
	var merged, conflicted int
	defer func() {
		t.Logf("%d merges, %d conflicts", merged, conflicted)
		if merged < 100 || conflicted < 10 {
			t.Errorf("the scripts exercise too little: %d merges, %d conflicts", merged, conflicted)
		}
	}()
	for seed := uint64(1); seed <= 400; seed++ {
		r := rand.New(rand.NewPCG(seed, 17))
		base := mergeSheetOf(r, 6+r.IntN(30))
		var all []string
		for _, sec := range base.Sections {
			for _, p := range sec.Paragraphs {
				all = append(all, p.ID)
			}
		}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		split := len(all) / 2
		overlap := seed%4 == 0 && split > 0
		theirIDs := all[:split]
		var mineIDs []string
		for _, id := range all[split:] {
			if i, j := find(base, id); base.Sections[i].Paragraphs[j].Marking != "SECRET" {
				mineIDs = append(mineIDs, id)
			}
		}
		if overlap {
			// Mine also rewrites one paragraph theirs touched, when it can see it.
			for _, id := range theirIDs {
				if i, j := find(base, id); base.Sections[i].Paragraphs[j].Marking != "SECRET" {
					mineIDs = append(mineIDs, id)
					break
				}
			}
		}
		theirs, theirEdits := randomEdits(r, base, theirIDs, "theirs")
		theirs.Version = 2
		seen, _ := nz.VisibleSheet("RESTRICTED", base)
		mine, mineEdits := randomEdits(r, seen, mineIDs, "mine")
		// Some writers also rename the custom section, while it still holds
		// what they saw of it: the paragraphs they cannot see go with it.
		renamed := ""
		for i, sec := range mine.Sections {
			if sec.Kind == briefing.SectionCustom && seed%5 == 1 && len(sec.Paragraphs) > 0 {
				renamed = sec.Heading
				mine.Sections[i].Heading = "Renamed by mine"
			}
		}

		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		again := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		a, _ := json.Marshal(res)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("seed %d: the merge is not deterministic", seed)
		}
		touchedBoth := map[string]bool{}
		for _, e := range theirEdits {
			for _, f := range mineEdits {
				if e.id != "" && e.id == f.id && (e.op == "text" || e.op == "delete" || f.op == "text" || f.op == "delete") && !(e.op == "move" && f.op == "move") {
					if !(e.op == "delete" && f.op == "delete") && !(e.op == "move" || f.op == "move") {
						touchedBoth[e.id] = true
					}
				}
			}
		}
		if len(touchedBoth) > 0 {
			conflicted++
			if len(res.Conflicts) == 0 {
				t.Errorf("seed %d: both sides changed %v, and no conflict", seed, touchedBoth)
			}
			for _, c := range res.Conflicts {
				if !touchedBoth[c.ID] {
					t.Errorf("seed %d: conflict on %s, which only one side changed", seed, c.ID)
				}
			}
			continue
		}
		if len(res.Conflicts) > 0 {
			t.Errorf("seed %d: conflicts %+v where the sides touched different paragraphs", seed, res.Conflicts)
			continue
		}
		merged++
		got := res.Sheet
		text := map[string]string{}
		var all2 []string
		for _, sec := range got.Sections {
			for _, p := range sec.Paragraphs {
				text[p.ID] = p.Text
				all2 = append(all2, p.Text)
			}
		}
		joined := strings.Join(all2, "\n")
		for _, es := range [][]edit{theirEdits, mineEdits} {
			for _, e := range es {
				switch e.op {
				case "text":
					if text[e.id] != e.to {
						t.Errorf("seed %d: the edit of %s was lost: %q", seed, e.id, text[e.id])
					}
				case "delete":
					if _, ok := text[e.id]; ok {
						t.Errorf("seed %d: %s was deleted and is back", seed, e.id)
					}
				case "insert":
					if !strings.Contains(joined, e.to) {
						t.Errorf("seed %d: the inserted %q was lost", seed, e.to)
					}
				}
			}
		}
		// Hidden paragraphs: exactly theirs, each in its section and after the
		// paragraph it followed in theirs whenever that one is still there.
		type place struct {
			sec  string
			prev string
			p    briefing.Paragraph
		}
		where := func(sh *briefing.Sheet) map[string]place {
			out := map[string]place{}
			for _, sec := range sh.Sections {
				for j, p := range sec.Paragraphs {
					prev := ""
					if j > 0 {
						prev = sec.Paragraphs[j-1].ID
					}
					out[p.ID] = place{sec.Kind + sec.Heading, prev, p}
				}
			}
			return out
		}
		before, after := where(theirs), where(got)
		if renamed != "" {
			for id, w := range before {
				if w.sec == briefing.SectionCustom+renamed {
					w.sec = briefing.SectionCustom + "Renamed by mine"
					before[id] = w
				}
			}
		}
		for id, w := range before {
			if w.p.Marking != "SECRET" {
				continue
			}
			h, ok := after[id]
			switch {
			case !ok:
				t.Errorf("seed %d: hidden %s was lost", seed, id)
			case h.p != w.p || h.sec != w.sec:
				t.Errorf("seed %d: hidden %s changed: %+v → %+v", seed, id, w, h)
			case w.prev != "" && h.prev != w.prev:
				if _, still := after[w.prev]; still {
					t.Errorf("seed %d: hidden %s no longer follows %s but %q", seed, id, w.prev, h.prev)
				}
			}
		}
		for id, h := range after {
			if _, ok := before[id]; !ok && h.p.Marking == "SECRET" {
				t.Errorf("seed %d: a hidden paragraph %s appeared", seed, id)
			}
		}
	}
}

func TestMergeSheet_Cases(t *testing.T) {
	base := &briefing.Sheet{Meta: briefing.Meta{ID: "1", Version: 1}, Title: "Cyber", Status: "draft", Sections: []briefing.Section{
		{Kind: "situation", Paragraphs: []briefing.Paragraph{
			{ID: "a", Text: "Alpha.", Marking: "RESTRICTED"}, {ID: "s", Text: "Secret.", Marking: "SECRET"}, {ID: "b", Text: "Bravo.", Marking: "RESTRICTED"}}},
	}}
	edited := func(fn func(*briefing.Sheet)) *briefing.Sheet {
		c := base.Clone()
		fn(c)
		return c
	}
	visible := func(sh *briefing.Sheet) *briefing.Sheet { v, _ := nz.VisibleSheet("RESTRICTED", sh); return v }
	t.Run("OK", func(t *testing.T) {
		theirs := edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[0].Text = "Alpha, theirs." })
		mine := visible(edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[2].Text = "Bravo, mine." }))
		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		if len(res.Conflicts) != 0 || res.Merged != 1 {
			t.Fatalf("%+v", res)
		}
		ps := res.Sheet.Sections[0].Paragraphs
		if len(ps) != 3 || ps[0].Text != "Alpha, theirs." || ps[1].ID != "s" || ps[2].Text != "Bravo, mine." {
			t.Fatalf("%+v", ps)
		}
	})
	t.Run("ErrSameParagraph", func(t *testing.T) {
		theirs := edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[0].Text = "Alpha, theirs." })
		mine := visible(edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[0].Text = "Alpha, mine." }))
		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		if len(res.Conflicts) != 1 || res.Conflicts[0].Path != "sections[0].paragraphs[0]" || res.Conflicts[0].ID != "a" {
			t.Fatalf("%+v", res.Conflicts)
		}
	})
	t.Run("IdenticalIsNoConflict", func(t *testing.T) {
		theirs := edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[0].Text = "Alpha, agreed." })
		mine := visible(edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[0].Text = "Alpha, agreed." }))
		if res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil); len(res.Conflicts) != 0 {
			t.Fatalf("%+v", res.Conflicts)
		}
	})
	t.Run("ErrDeletedAndEdited", func(t *testing.T) {
		theirs := edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs[2].Text = "Bravo, theirs." })
		mine := visible(edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs = s.Sections[0].Paragraphs[:2] }))
		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		if len(res.Conflicts) != 1 || res.Conflicts[0].Mine != nil {
			t.Fatalf("%+v", res.Conflicts)
		}
	})
	t.Run("DeleteAndInsertMerge", func(t *testing.T) {
		theirs := edited(func(s *briefing.Sheet) {
			s.Sections[0].Paragraphs = append(s.Sections[0].Paragraphs, briefing.Paragraph{ID: "c", Text: "Charlie.", Marking: "RESTRICTED"})
		})
		mine := visible(edited(func(s *briefing.Sheet) { s.Sections[0].Paragraphs = s.Sections[0].Paragraphs[1:] }))
		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, nil)
		ps := res.Sheet.Sections[0].Paragraphs
		if len(res.Conflicts) != 0 || len(ps) != 3 || ps[0].ID != "s" || ps[1].ID != "b" || ps[2].ID != "c" {
			t.Fatalf("%+v %+v", res.Conflicts, ps)
		}
	})
	t.Run("HiddenKeptWhenSectionDeleted", func(t *testing.T) {
		mine := visible(base)
		mine.Sections = nil
		res := briefing.MergeSheet(nz, "RESTRICTED", base, base, mine, nil)
		if len(res.Sheet.Sections) != 1 || len(res.Sheet.Sections[0].Paragraphs) != 1 || res.Sheet.Sections[0].Paragraphs[0].ID != "s" {
			t.Fatalf("%+v", res.Sheet.Sections)
		}
	})
}

// sheetOf makes a sheet of sections, each given as its kind, its heading and
// its paragraphs' ids; a paragraph whose id begins with "S" is SECRET, the
// rest RESTRICTED, and each one's text is its id.
func sheetOf(secs ...[]string) *briefing.Sheet {
	sh := &briefing.Sheet{Meta: briefing.Meta{ID: "1", Version: 1}, Title: "Cyber", Status: "draft"}
	for _, s := range secs {
		sec := briefing.Section{Kind: s[0], Heading: s[1], Paragraphs: []briefing.Paragraph{}}
		for _, id := range s[2:] {
			m := "RESTRICTED"
			if strings.HasPrefix(id, "S") {
				m = "SECRET"
			}
			sec.Paragraphs = append(sec.Paragraphs, briefing.Paragraph{ID: id, Text: id + ".", Marking: m})
		}
		sh.Sections = append(sh.Sections, sec)
	}
	return sh
}

// layout writes a sheet's sections as "kind:heading[id id …]", each
// paragraph by its id, with "*" after one whose text is not its id's.
func layout(sh *briefing.Sheet) string {
	var out []string
	for _, sec := range sh.Sections {
		var ps []string
		for _, p := range sec.Paragraphs {
			id := p.ID
			if p.Text != p.ID+"." {
				id += "*"
			}
			ps = append(ps, id)
		}
		out = append(out, sec.Kind+":"+sec.Heading+"["+strings.Join(ps, " ")+"]")
	}
	return strings.Join(out, " ")
}

// TestMergeSheet_Sections merges edits of sections — their headings, and
// sections renamed, deleted or added — and a paragraph kept on a conflict.
// Mine is written by a RESTRICTED officer, who cannot see the paragraphs
// whose ids begin with "S".
func TestMergeSheet_Sections(t *testing.T) {
	sit, cus := briefing.SectionSituation, briefing.SectionCustom
	const def = "Situational assessment" // as a form or GET fills it in
	heading := func(i int, h string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) { s.Sections[i].Heading = h }
	}
	text := func(id, to string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			for i := range s.Sections {
				for j := range s.Sections[i].Paragraphs {
					if s.Sections[i].Paragraphs[j].ID == id {
						s.Sections[i].Paragraphs[j].Text = to
					}
				}
			}
		}
	}
	drop := func(id string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			for i := range s.Sections {
				ps := s.Sections[i].Paragraphs[:0]
				for _, p := range s.Sections[i].Paragraphs {
					if p.ID != id {
						ps = append(ps, p)
					}
				}
				s.Sections[i].Paragraphs = ps
			}
		}
	}
	dropSection := func(i int) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) { s.Sections = append(s.Sections[:i:i], s.Sections[i+1:]...) }
	}
	raise := func(id string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			i, j := find(s, id)
			s.Sections[i].Paragraphs[j].Marking = "SECRET"
		}
	}
	for _, tc := range []struct {
		name         string
		base         *briefing.Sheet
		theirs, mine []func(*briefing.Sheet) // mine's edits are made to what the RESTRICTED officer sees
		want         string                  // the merged layout, when there is no conflict
		conflicts    []string                // the conflicts' paths, else
		merged       int
	}{{
		name: "TheirHeadingKeptWhenMineSendsTheDefault",
		base: sheetOf([]string{sit, "", "a", "b"}), theirs: []func(*briefing.Sheet){heading(0, "Our own situational heading")},
		mine: []func(*briefing.Sheet){heading(0, def), text("b", "Bravo, mine.")},
		want: "situation:Our own situational heading[a b*]", merged: 1,
	}, {
		name: "TheirHeadingKeptWhenMineSendsNone",
		base: sheetOf([]string{sit, "", "a"}), theirs: []func(*briefing.Sheet){heading(0, "Our own situational heading")},
		mine: []func(*briefing.Sheet){text("a", "Alpha, mine.")},
		want: "situation:Our own situational heading[a*]", merged: 1,
	}, {
		name: "MyHeadingKept",
		base: sheetOf([]string{sit, "", "a", "b"}), theirs: []func(*briefing.Sheet){text("a", "Alpha, theirs.")},
		mine: []func(*briefing.Sheet){heading(0, "My situational heading")},
		want: "situation:My situational heading[a* b]", merged: 1,
	}, {
		name: "MyHeadingBackToTheDefault",
		base: sheetOf([]string{sit, "Once our own", "a"}), theirs: []func(*briefing.Sheet){text("a", "Alpha, theirs.")},
		mine: []func(*briefing.Sheet){heading(0, def)},
		want: "situation:" + def + "[a*]", merged: 1,
	}, {
		name: "SameHeadingOnBothSides",
		base: sheetOf([]string{sit, "", "a"}), theirs: []func(*briefing.Sheet){heading(0, "Agreed heading")},
		mine: []func(*briefing.Sheet){heading(0, "Agreed heading")},
		want: "situation:Agreed heading[a]", merged: 0, // mine makes theirs' change itself
	}, {
		name: "ErrHeadingChangedOnBothSides",
		base: sheetOf([]string{sit, "", "a"}), theirs: []func(*briefing.Sheet){heading(0, "Their heading")},
		mine:      []func(*briefing.Sheet){heading(0, "My heading")},
		conflicts: []string{"sections[0].heading"},
	}, {
		name: "CustomSectionRenamedByTheirs",
		base: sheetOf([]string{cus, "Old name", "a", "b"}), theirs: []func(*briefing.Sheet){heading(0, "New name")},
		mine: []func(*briefing.Sheet){text("b", "Bravo, mine.")},
		want: "custom:New name[a b*]", merged: 1,
	}, {
		name: "CustomSectionRenamedByMine",
		base: sheetOf([]string{cus, "Old name", "a", "b"}), theirs: []func(*briefing.Sheet){text("a", "Alpha, theirs.")},
		mine: []func(*briefing.Sheet){heading(0, "New name")},
		want: "custom:New name[a* b]", merged: 1,
	}, {
		name:   "ErrCustomSectionRenamedOnBothSides",
		base:   sheetOf([]string{sit, "", "x"}, []string{cus, "Old name", "a", "b"}),
		theirs: []func(*briefing.Sheet){heading(1, "Renamed by o1")}, mine: []func(*briefing.Sheet){heading(1, "Renamed by o2")},
		conflicts: []string{"sections[1].heading"},
	}, {
		name:   "ErrEmptyCustomSectionRenamedOnBothSides",
		base:   sheetOf([]string{sit, "", "x"}, []string{cus, "Old name"}, []string{cus, "Last", "y"}),
		theirs: []func(*briefing.Sheet){heading(1, "Renamed by o1")}, mine: []func(*briefing.Sheet){heading(1, "Renamed by o2")},
		conflicts: []string{"sections[1].heading"},
	}, {
		name: "CustomSectionRenamedAndOtherAdded",
		base: sheetOf([]string{cus, "Old name", "a"}),
		theirs: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections = append(s.Sections, briefing.Section{Kind: cus, Heading: "Theirs", Paragraphs: []briefing.Paragraph{{ID: "t", Text: "t.", Marking: "RESTRICTED"}}})
		}},
		mine: []func(*briefing.Sheet){heading(0, "New name")},
		want: "custom:New name[a] custom:Theirs[t]", merged: 1,
	}, {
		name:   "ParagraphMovedIntoAnotherSection",
		base:   sheetOf([]string{cus, "A", "a"}, []string{cus, "B"}),
		theirs: []func(*briefing.Sheet){heading(1, "B, theirs")},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections[1].Paragraphs, s.Sections[0].Paragraphs = s.Sections[0].Paragraphs, []briefing.Paragraph{}
		}},
		want: "custom:A[] custom:B, theirs[a]", merged: 1,
	}, {
		name: "HiddenStaysInPlaceWhenMineRenamesItsSection",
		base: sheetOf([]string{cus, "Old name", "R1", "S2", "R3"}),
		mine: []func(*briefing.Sheet){heading(0, "New name")},
		want: "custom:New name[R1 S2 R3]",
	}, {
		name: "HiddenStaysInPlaceWhenTheirsRenamesItsSection",
		base: sheetOf([]string{cus, "Old name", "R1", "S2", "R3"}), theirs: []func(*briefing.Sheet){heading(0, "New name")},
		mine: []func(*briefing.Sheet){text("R3", "R3, mine.")},
		want: "custom:New name[R1 S2 R3*]", merged: 1,
	}, {
		name: "HiddenKeepsItsOwnSectionOfTheSameHeading",
		base: sheetOf([]string{cus, "Notes", "Ra", "Sb"}, []string{cus, "Notes", "Rc"}),
		mine: []func(*briefing.Sheet){dropSection(0)},
		want: "custom:Notes[Sb] custom:Notes[Rc]",
	}, {
		name: "SectionOfTheSameHeadingDeletedIsThatOne",
		base: sheetOf([]string{cus, "Notes", "Ra"}, []string{cus, "Notes", "Rc"}), theirs: []func(*briefing.Sheet){text("Rc", "Rc, theirs.")},
		mine: []func(*briefing.Sheet){dropSection(0)},
		want: "custom:Notes[Rc*]", merged: 1,
	}, {
		name: "HiddenStaysInItsSectionWhenTheirsLeftOnlyIt",
		base: sheetOf([]string{cus, "Mixed", "Ra", "Sb"}), theirs: []func(*briefing.Sheet){drop("Ra")},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections[0].Paragraphs = append(s.Sections[0].Paragraphs, briefing.Paragraph{Text: "m.", Marking: "RESTRICTED"})
		}},
		want: "custom:Mixed[Sb new:0:1*]", merged: 1,
	}, {
		name: "HiddenFollowsMyRenameWhenTheirsLeftOnlyIt",
		base: sheetOf([]string{cus, "Mixed", "Ra", "Sb"}, []string{cus, "Other", "Rc"}), theirs: []func(*briefing.Sheet){drop("Ra")},
		mine: []func(*briefing.Sheet){heading(0, "Renamed")},
		want: "custom:Renamed[Sb] custom:Other[Rc]", merged: 1,
	}, {
		// Theirs renamed a section after deleting all the writer saw of it:
		// the new heading is as hidden as what is left under it, so it is
		// not put over what the writer adds, nor named in a conflict with a
		// rename of theirs; the section keeps its hidden paragraphs and name.
		name: "HiddenRenameNotShownWhenMineAddsToItsSection",
		base: sheetOf([]string{cus, "Mixed", "Ra", "Sb"}), theirs: []func(*briefing.Sheet){drop("Ra"), heading(0, "Hidden name")},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections[0].Paragraphs = append(s.Sections[0].Paragraphs, briefing.Paragraph{Text: "m.", Marking: "RESTRICTED"})
		}},
		want: "custom:Hidden name[Sb] custom:Mixed[new:0:1*]", merged: 1,
	}, {
		name: "HiddenRenameNotInConflictWithMine",
		base: sheetOf([]string{cus, "Mixed", "Ra", "Sb"}, []string{cus, "Other", "Rc"}), theirs: []func(*briefing.Sheet){drop("Ra"), heading(0, "Hidden name")},
		mine: []func(*briefing.Sheet){heading(0, "Renamed")},
		want: "custom:Hidden name[Sb] custom:Other[Rc]", merged: 1, // to the writer, theirs deleted it
	}, {
		// Theirs raised above the writer all they saw of a section: to
		// them the section was deleted, and their rename of it goes with
		// it; the section keeps its name.
		name: "RenameDroppedWhenTheirsRaisedAllISawOfIt",
		base: sheetOf([]string{sit, "", "a"}, []string{cus, "Mixed", "Rb"}), theirs: []func(*briefing.Sheet){raise("Rb")},
		mine: []func(*briefing.Sheet){heading(1, "Renamed")},
		want: "situation:[a] custom:Mixed[Rb]", merged: 1,
	}, {
		// As in HiddenFollowsMyRenameWhenTheirsLeftOnlyIt, Ra raised
		// rather than deleted: the section holding a paragraph hidden
		// from the writer at base too is theirs to rename either way.
		name: "HiddenFollowsMyRenameWhenTheirsRaisedWhatISaw",
		base: sheetOf([]string{cus, "Mixed", "Ra", "Sb"}, []string{cus, "Other", "Rc"}), theirs: []func(*briefing.Sheet){raise("Ra")},
		mine: []func(*briefing.Sheet){heading(0, "Renamed")},
		want: "custom:Renamed[Ra Sb] custom:Other[Rc]", merged: 1,
	}, {
		name: "BothAddTheSameSection",
		base: sheetOf([]string{sit, "", "a"}),
		theirs: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections = append(s.Sections, briefing.Section{Kind: cus, Heading: "Extra", Paragraphs: []briefing.Paragraph{{ID: "t", Text: "t.", Marking: "RESTRICTED"}}})
		}},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections = append(s.Sections, briefing.Section{Kind: cus, Heading: "Extra", Paragraphs: []briefing.Paragraph{{Text: "m.", Marking: "RESTRICTED"}}})
		}},
		want: "situation:[a] custom:Extra[new:1:0* t]", merged: 1,
	}, {
		name: "ErrDeletedAndEditedKeepsItsPlace",
		base: sheetOf([]string{sit, "", "P0", "P1", "P2", "P3"}), theirs: []func(*briefing.Sheet){drop("P1")},
		mine: []func(*briefing.Sheet){text("P1", "P1, mine.")},
		want: "situation:[P0 P1* P2 P3]", conflicts: []string{"sections[0].paragraphs[1]"},
	}, {
		// Deleted by mine, changed by theirs: theirs is kept in its place,
		// for the editor to show it there to keep or delete.
		name: "ErrEditedAndDeletedKeepsTheirsInItsPlace",
		base: sheetOf([]string{sit, "", "P0", "P1", "P2", "P3"}), theirs: []func(*briefing.Sheet){text("P1", "P1, theirs.")},
		mine: []func(*briefing.Sheet){drop("P1")},
		want: "situation:[P0 P1* P2 P3]", conflicts: []string{"sections[0].paragraphs[1]"},
	}, {
		name:   "SectionDeletedByTheirsKeepsItsPlaceForMyParagraph",
		base:   sheetOf([]string{cus, "A", "a"}, []string{cus, "B", "b"}, []string{cus, "C", "c"}),
		theirs: []func(*briefing.Sheet){drop("b"), dropSection(1)},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections[1].Paragraphs = append(s.Sections[1].Paragraphs, briefing.Paragraph{Text: "m.", Marking: "RESTRICTED"})
		}},
		want: "custom:A[a] custom:B[new:1:1*] custom:C[c]", merged: 1,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			theirs := tc.base.Clone()
			for _, fn := range tc.theirs {
				fn(theirs)
			}
			theirs.Version = 2
			mine, _ := nz.VisibleSheet("RESTRICTED", tc.base)
			for _, fn := range tc.mine {
				fn(mine)
			}
			res := briefing.MergeSheet(nz, "RESTRICTED", tc.base, theirs, mine, nil)
			var paths []string
			for _, c := range res.Conflicts {
				paths = append(paths, c.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tc.conflicts, " ") {
				t.Fatalf("conflicts %v, want %v: %+v", paths, tc.conflicts, res.Conflicts)
			}
			// Nothing the writer cannot see reaches them: neither in the
			// merged sheet as they will read it nor in a conflict.
			seen, _ := nz.VisibleSheet("RESTRICTED", res.Sheet)
			if strings.Contains(fmt.Sprintf("%+v %+v", seen, res.Conflicts), "Hidden") {
				t.Errorf("the writer is shown hidden content: %s, conflicts %+v", layout(seen), res.Conflicts)
			}
			if got := layout(res.Sheet); tc.want != "" && got != tc.want {
				t.Fatalf("merged\n %s\nwant\n %s", got, tc.want)
			}
			if len(tc.conflicts) == 0 && res.Merged != tc.merged {
				t.Errorf("merged %d changes, want %d", res.Merged, tc.merged)
			}
		})
	}
}

// TestMergeSheet_LaterParagraphs merges a writer's sheet that names base
// but holds a paragraph they read at a later version (c, added at version
// 2): it is that paragraph, never a second copy of it, its base being c as
// it first showed to them. Mine is written by a RESTRICTED officer, who
// cannot see the paragraphs whose ids begin with "S".
func TestMergeSheet_LaterParagraphs(t *testing.T) {
	sit := briefing.SectionSituation
	base := sheetOf([]string{sit, "", "a", "S1", "b"})
	v2 := sheetOf([]string{sit, "", "a", "S1", "b", "c", "S2"})
	v2.Version = 2
	v3 := v2.Clone() // c changed since it was added
	v3.Version = 3
	v3.Sections[0].Paragraphs[3].Text = "c, theirs."
	// mine is base as the writer saw it, with p added at its end.
	mine := func(p briefing.Paragraph) *briefing.Sheet {
		m, _ := nz.VisibleSheet("RESTRICTED", base)
		m.Sections[0].Paragraphs = append(m.Sections[0].Paragraphs, p)
		return m
	}
	c := func(text string) briefing.Paragraph {
		return briefing.Paragraph{ID: "c", Text: text, Marking: "RESTRICTED"}
	}
	for _, tc := range []struct {
		name      string
		since     []*briefing.Sheet
		theirs    *briefing.Sheet
		p         briefing.Paragraph
		want      string
		text      string // c's text after
		conflicts []string
	}{
		{"AsRead", nil, v2, c("c."), "situation:[a S1 b c S2]", "c.", nil},
		{"Changed", nil, v2, c("c, mine."), "situation:[a S1 b c* S2]", "c, mine.", nil},
		{"TheirsChangedSince", []*briefing.Sheet{v2}, v3, c("c."), "situation:[a S1 b c* S2]", "c, theirs.", nil},
		{"SameChangeSince", []*briefing.Sheet{v2}, v3, c("c, theirs."), "situation:[a S1 b c* S2]", "c, theirs.", nil},
		{"ErrChangedSince", []*briefing.Sheet{v2}, v3, c("c, mine."), "", "c, mine.", []string{"sections[0].paragraphs[2]"}},
		// Without the versions between, c is as theirs holds it: the writer's change wins.
		{"WithoutVersionsSince", nil, v3, c("c, mine."), "situation:[a S1 b c* S2]", "c, mine.", nil},
		// c stored with a form feed by an earlier release, cleaned by the
		// save since: no change of theirs to clash with the writer's.
		{"CleanedSince", []*briefing.Sheet{withText(v2, 3, "c.\fpage two")}, withText(v3, 3, "c.\npage two"), c("c, mine."), "situation:[a S1 b c* S2]", "c, mine.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := briefing.MergeSheet(nz, "RESTRICTED", base, tc.theirs, mine(tc.p), nil, tc.since...)
			var paths []string
			for _, cf := range res.Conflicts {
				paths = append(paths, cf.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tc.conflicts, " ") {
				t.Fatalf("conflicts %v, want %v: %+v", paths, tc.conflicts, res.Conflicts)
			}
			if len(res.Conflicts) > 0 {
				cf := res.Conflicts[0]
				if cf.ID != "c" || cf.Base.(*briefing.Paragraph).Text != "c." || cf.Theirs.(*briefing.Paragraph).Text != "c, theirs." || cf.Mine.(*briefing.Paragraph).Text != "c, mine." {
					t.Fatalf("conflict %+v", cf)
				}
				return
			}
			if got := layout(res.Sheet); got != tc.want {
				t.Fatalf("merged\n %s\nwant\n %s", got, tc.want)
			}
			if i, j := find(res.Sheet, "c"); res.Sheet.Sections[i].Paragraphs[j].Text != tc.text {
				t.Fatalf("c is %q, want %q", res.Sheet.Sections[i].Paragraphs[j].Text, tc.text)
			}
		})
	}
	t.Run("BroughtWithinClearance", func(t *testing.T) {
		// S3, hidden at base, is RESTRICTED now: the writer read it since.
		base := sheetOf([]string{sit, "", "a", "S3"})
		theirs := base.Clone()
		theirs.Version = 2
		theirs.Sections[0].Paragraphs[1].Marking = "RESTRICTED"
		m, _ := nz.VisibleSheet("RESTRICTED", base)
		m.Sections[0].Paragraphs = append(m.Sections[0].Paragraphs, briefing.Paragraph{ID: "S3", Text: "S3, mine.", Marking: "RESTRICTED"})
		res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, m, nil)
		if got := layout(res.Sheet); len(res.Conflicts) != 0 || got != "situation:[a S3*]" || res.Sheet.Sections[0].Paragraphs[1].Text != "S3, mine." {
			t.Fatalf("%s %+v", got, res.Conflicts)
		}
	})
	t.Run("HiddenIsUnknown", func(t *testing.T) {
		// An id theirs holds above the writer is answered as one it never
		// held: a new paragraph, the same merge byte for byte.
		merged := func(id string) string {
			res := briefing.MergeSheet(nz, "RESTRICTED", base, v3, mine(briefing.Paragraph{ID: id, Text: "Smuggled.", Marking: "RESTRICTED"}), nil, v2)
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		want := merged("pnosuchparagraph")
		if !strings.Contains(want, `{"id":"new:0:2","text":"Smuggled."`) || !strings.Contains(want, `{"id":"S1","text":"S1."`) || !strings.Contains(want, `{"id":"S2","text":"S2."`) {
			t.Fatalf("an unknown id is not a new paragraph: %s", want)
		}
		for _, id := range []string{"S1", "S2"} {
			if got := merged(id); got != want {
				t.Errorf("with %s\n %s\nwant\n %s", id, got, want)
			}
		}
	})
}

// TestMergeSheet_RaisedSince: a conflict shows the writer nothing of a
// paragraph as it was before a save raised it above them — neither from
// base nor from the version they first read it in, lowered again since or
// not — nor the heading of a section all of whose paragraphs they saw were
// raised so. The merge is otherwise the same: to the writer a paragraph
// above them now was deleted since, and neither is shown as it was, nor
// the heading of a section that held only such paragraphs.
func TestMergeSheet_RaisedSince(t *testing.T) {
	sit, off := briefing.SectionSituation, briefing.SectionOffensive
	base := sheetOf([]string{sit, "", "a", "b"}, []string{off, "Canary heading", "c"})
	v2 := sheetOf([]string{sit, "", "a", "b", "d"}, []string{off, "Canary heading", "c"})
	v2.Version = 2
	// 3: a and c raised above the writer, d too; 4: d lowered again,
	// rewritten, and the offensive section, given e, renamed.
	v3 := v2.Clone()
	v3.Version = 3
	for _, id := range []string{"a", "c", "d"} {
		i, j := find(v3, id)
		v3.Sections[i].Paragraphs[j].Marking = "SECRET"
	}
	theirs := v3.Clone()
	theirs.Version = 4
	theirs.Sections[0].Paragraphs[2] = briefing.Paragraph{ID: "d", Text: "d, theirs.", Marking: "RESTRICTED"}
	theirs.Sections[1].Heading = "Their heading"
	theirs.Sections[1].Paragraphs = append(theirs.Sections[1].Paragraphs, briefing.Paragraph{ID: "e", Text: "e.", Marking: "RESTRICTED"})
	raised := []briefing.Raise{{Version: 3, Paragraph: "a", Marking: "SECRET"}, {Version: 3, Paragraph: "c", Marking: "SECRET"}, {Version: 3, Paragraph: "d", Marking: "SECRET"}}
	// Mine: base as the writer saw it, d as they read it at version 2, all
	// rewritten, and the offensive section renamed.
	mine, _ := nz.VisibleSheet("RESTRICTED", base)
	mine.Sections[0].Paragraphs[0].Text = "a, mine."
	mine.Sections[0].Paragraphs = append(mine.Sections[0].Paragraphs, briefing.Paragraph{ID: "d", Text: "d, mine.", Marking: "RESTRICTED"})
	mine.Sections[1].Heading = "My heading"
	mine.Sections[1].Paragraphs[0].Text = "c, mine."

	for _, tc := range []struct {
		name   string
		raised []briefing.Raise
		bases  map[string]any // each conflict's path → its base
	}{
		// Told no raise, a and c are gone from theirs as the writer sees
		// it: deleted since, as far as the merge knows, shown as it was
		// no more than one raised, and so is the heading of the section
		// c alone held.
		{"NotTold", nil, map[string]any{"sections[0].paragraphs[0]": nil, "sections[0].paragraphs[2]": "d.", "sections[1].paragraphs[0]": nil, "sections[1].heading": nil}},
		{"Raised", raised, map[string]any{"sections[0].paragraphs[0]": nil, "sections[0].paragraphs[2]": nil, "sections[1].paragraphs[0]": nil, "sections[1].heading": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := briefing.MergeSheet(nz, "RESTRICTED", base, theirs, mine, tc.raised, v2, v3)
			got := conflictBases(res.Conflicts)
			for _, cf := range res.Conflicts {
				if p, ok := cf.Theirs.(*briefing.Paragraph); ok && p.Marking == "SECRET" {
					t.Errorf("%s: theirs is above the writer: %+v", cf.Path, p)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.bases) {
				t.Errorf("conflicts' bases %v, want %v", got, tc.bases)
			}
			out, err := json.Marshal(res.Conflicts)
			if err != nil {
				t.Fatal(err)
			}
			if tc.raised != nil && strings.Contains(string(out), "Canary") {
				t.Errorf("the conflicts tell the raised heading: %s", out)
			}
		})
	}
}

// TestMergeSheet_DeletedSinceByClearance: a and c, which the writer
// changed, were deleted since, and the section c alone held was renamed on
// both sides. Below the top of the scheme the writer is shown neither
// paragraph as it was, nor the heading (a raise would look the same);
// cleared for the top, above whom nothing can be raised, they are shown
// all three as they were.
func TestMergeSheet_DeletedSinceByClearance(t *testing.T) {
	sit, off := briefing.SectionSituation, briefing.SectionOffensive
	base := sheetOf([]string{sit, "", "a", "b"}, []string{off, "Canary heading", "c"})
	theirs := sheetOf([]string{sit, "", "b"}, []string{off, "Their heading", "e"})
	theirs.Version = 2
	for _, tc := range []struct {
		clearance string
		bases     map[string]any // each conflict's path → its base
	}{
		{"SECRET", map[string]any{"sections[0].paragraphs[0]": nil, "sections[1].heading": nil, "sections[1].paragraphs[0]": nil}},
		{"TOP SECRET", map[string]any{"sections[0].paragraphs[0]": "a.", "sections[1].heading": "Canary heading", "sections[1].paragraphs[0]": "c."}},
	} {
		t.Run(tc.clearance, func(t *testing.T) {
			mine := base.Clone()
			mine.Sections[0].Paragraphs[0].Text = "a, mine."
			mine.Sections[1].Paragraphs[0].Text = "c, mine."
			mine.Sections[1].Heading = "My heading"
			got := conflictBases(briefing.MergeSheet(nz, tc.clearance, base, theirs, mine, nil).Conflicts)
			if fmt.Sprint(got) != fmt.Sprint(tc.bases) {
				t.Errorf("conflicts' bases %v, want %v", got, tc.bases)
			}
		})
	}
}

// withText is a copy of sh whose j-th paragraph of its first section reads text.
func withText(sh *briefing.Sheet, j int, text string) *briefing.Sheet {
	c := sh.Clone()
	c.Sections[0].Paragraphs[j].Text = text
	return c
}

// TestMergeSheet_AddedOnBothSides merges a new paragraph of mine that
// theirs added too since base, alike in words, marking and withholding and
// in the same section: most often the writer's own save sent again (a
// client retrying after a timeout, a form posted twice). It is that
// paragraph, taken once, in theirs' place; paired one to one, in order;
// never one in another section, nor one above the writer. Mine is written
// by a RESTRICTED officer, who cannot see the paragraphs whose ids begin
// with "S".
func TestMergeSheet_AddedOnBothSides(t *testing.T) {
	sit, cus := briefing.SectionSituation, briefing.SectionCustom
	// add puts a paragraph of text n. (marked m, with id if theirs) after
	// the one of id after ("" first) in section i.
	add := func(i int, after, id, n, m string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			at := 0
			for j, p := range s.Sections[i].Paragraphs {
				if p.ID == after {
					at = j + 1
				}
			}
			ps := s.Sections[i].Paragraphs
			p := briefing.Paragraph{ID: id, Text: n + ".", Marking: m}
			s.Sections[i].Paragraphs = append(ps[:at:at], append([]briefing.Paragraph{p}, ps[at:]...)...)
		}
	}
	text := func(id, to string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			i, j := find(s, id)
			s.Sections[i].Paragraphs[j].Text = to
		}
	}
	toFront := func(id string) func(*briefing.Sheet) {
		return func(s *briefing.Sheet) {
			i, j := find(s, id)
			ps := s.Sections[i].Paragraphs
			p := ps[j]
			s.Sections[i].Paragraphs = append([]briefing.Paragraph{p}, append(ps[:j:j], ps[j+1:]...)...)
		}
	}
	base := sheetOf([]string{sit, "", "a", "b", "S1", "c"}, []string{cus, "Other", "d"})
	const R = "RESTRICTED"
	for _, tc := range []struct {
		name         string
		theirs, mine []func(*briefing.Sheet)
		want         string
		merged       int
	}{{
		name:   "SentAgain",
		theirs: []func(*briefing.Sheet){text("a", "a, mine."), add(0, "a", "t1", "n", R)},
		mine:   []func(*briefing.Sheet){text("a", "a, mine."), add(0, "a", "", "n", R)},
		want:   "situation:[a* t1* b S1 c] custom:Other[d]", merged: 0,
	}, {
		name:   "SentAgainAfterAnotherSave",
		theirs: []func(*briefing.Sheet){add(0, "a", "t1", "n", R), text("c", "c, theirs.")},
		mine:   []func(*briefing.Sheet){add(0, "a", "", "n", R)},
		want:   "situation:[a t1* b S1 c*] custom:Other[d]", merged: 1,
	}, {
		name:   "TwoAlikeInOneSave",
		theirs: []func(*briefing.Sheet){add(0, "b", "t1", "n", R), add(0, "t1", "t2", "n", R)},
		mine:   []func(*briefing.Sheet){add(0, "b", "", "n", R), add(0, "b", "", "n", R)},
		want:   "situation:[a b t1* t2* S1 c] custom:Other[d]", merged: 0,
	}, {
		// Mine holds one more alike than theirs added: it is new, after them
		// (and after S1, which follows t1 in theirs).
		name:   "OneMoreInMine",
		theirs: []func(*briefing.Sheet){add(0, "b", "t1", "n", R)},
		mine:   []func(*briefing.Sheet){add(0, "b", "", "n", R), add(0, "b", "", "n", R)},
		want:   "situation:[a b t1* S1 new:0:3* c] custom:Other[d]", merged: 0,
	}, {
		// Theirs added one more alike than mine: it stays, theirs.
		name:   "OneMoreInTheirs",
		theirs: []func(*briefing.Sheet){add(0, "b", "t1", "n", R), add(0, "t1", "t2", "n", R)},
		mine:   []func(*briefing.Sheet){add(0, "b", "", "n", R)},
		want:   "situation:[a b t1* t2* S1 c] custom:Other[d]", merged: 1,
	}, {
		// Mine's order of the section wins; the paragraph both added stands where theirs put it.
		name:   "TheirPlaceWhenMineReorders",
		theirs: []func(*briefing.Sheet){add(0, "a", "t1", "n", R)},
		mine:   []func(*briefing.Sheet){toFront("c"), add(0, "b", "", "n", R)},
		want:   "situation:[c a t1* b S1] custom:Other[d]", merged: 0,
	}, {
		name:   "NotInAnotherSection",
		theirs: []func(*briefing.Sheet){add(0, "a", "t1", "n", R)},
		mine:   []func(*briefing.Sheet){add(1, "d", "", "n", R)},
		want:   "situation:[a t1* b S1 c] custom:Other[d new:1:1*]", merged: 1,
	}, {
		name:   "NotOtherwiseMarked",
		theirs: []func(*briefing.Sheet){add(0, "a", "t1", "n", "UNCLASSIFIED")},
		mine:   []func(*briefing.Sheet){add(0, "a", "", "n", R)},
		want:   "situation:[a new:0:1* t1* b S1 c] custom:Other[d]", merged: 1,
	}, {
		name:   "NotOneMineHolds",
		theirs: []func(*briefing.Sheet){add(0, "a", "t1", "n", R)},
		mine:   []func(*briefing.Sheet){add(0, "a", "t1", "n", R), add(0, "t1", "", "n", R)},
		want:   "situation:[a t1* new:0:2* b S1 c] custom:Other[d]", merged: 0,
	}, {
		// A section added on both sides is one, and so is what both put in it.
		name: "InASectionAddedOnBothSides",
		theirs: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections = append(s.Sections, briefing.Section{Kind: cus, Heading: "Extra", Paragraphs: []briefing.Paragraph{{ID: "t1", Text: "n.", Marking: R}}})
		}},
		mine: []func(*briefing.Sheet){func(s *briefing.Sheet) {
			s.Sections = append(s.Sections, briefing.Section{Kind: cus, Heading: "Extra", Paragraphs: []briefing.Paragraph{{Text: "n.", Marking: R}}})
		}},
		want: "situation:[a b S1 c] custom:Other[d] custom:Extra[t1*]", merged: 0,
	}, {
		// Above the writer, never paired (the server refuses such a marking
		// from them, and the merge does not rely on it): both stay.
		name:   "NotAboveTheWriter",
		theirs: []func(*briefing.Sheet){add(0, "b", "S2", "n", "SECRET")},
		mine:   []func(*briefing.Sheet){add(0, "b", "", "n", "SECRET")},
		want:   "situation:[a b S2* S1 new:0:2* c] custom:Other[d]", merged: 0,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			theirs := base.Clone()
			for _, fn := range tc.theirs {
				fn(theirs)
			}
			theirs.Version = 2
			mine, _ := nz.VisibleSheet(R, base)
			for _, fn := range tc.mine {
				fn(mine)
			}
			res := briefing.MergeSheet(nz, R, base, theirs, mine, nil)
			if len(res.Conflicts) != 0 {
				t.Fatalf("conflicts %+v", res.Conflicts)
			}
			if got := layout(res.Sheet); got != tc.want {
				t.Fatalf("merged\n %s\nwant\n %s", got, tc.want)
			}
			if res.Merged != tc.merged {
				t.Errorf("merged %d changes, want %d", res.Merged, tc.merged)
			}
		})
	}
	t.Run("HiddenTellsNothing", func(t *testing.T) {
		// The writer's copy of the merge, and its count, are the same
		// whether or not a paragraph above them reads as theirs does.
		merged := func(hidden string) string {
			theirs := base.Clone()
			add(0, "b", "S2", hidden, "SECRET")(theirs)
			theirs.Version = 2
			mine, _ := nz.VisibleSheet(R, base)
			add(0, "b", "", "n", R)(mine)
			res := briefing.MergeSheet(nz, R, base, theirs, mine, nil)
			seen, _ := nz.VisibleSheet(R, res.Sheet)
			b, err := json.Marshal(struct {
				Seen   *briefing.Sheet
				Merged int
			}{seen, res.Merged})
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if alike, other := merged("n"), merged("x"); alike != other || !strings.Contains(alike, `"id":"new:0:2","text":"n."`) {
			t.Fatalf("with a hidden paragraph alike\n %s\nwith another\n %s", alike, other)
		}
	})
}

// conflictBases gives each conflict's base by its path: a paragraph's
// text, a heading, or nil.
func conflictBases(cs []briefing.Conflict) map[string]any {
	got := map[string]any{}
	for _, cf := range cs {
		switch b := cf.Base.(type) {
		case *briefing.Paragraph:
			got[cf.Path] = b.Text
		default:
			got[cf.Path] = b
		}
	}
	return got
}
