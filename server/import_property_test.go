package server_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var propWords = strings.Fields("maritime cyber Pacific resilience norms partners threat assessment officials engagement legislation")

// propText is random paragraph Markdown with what a sheet holds: bold,
// links, withheld spans, bullets and numbered lines, text that looks like a
// formula.
func propText(rng *rand.Rand) string {
	var lines []string
	for l := 0; l < 1+rng.IntN(3); l++ {
		var b strings.Builder
		switch rng.IntN(5) {
		case 0:
			b.WriteString("- ")
		case 1:
			b.WriteString("2. ")
		case 2:
			if l == 0 {
				b.WriteString("=")
			}
		}
		for i := 0; i < 3+rng.IntN(8); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			w := propWords[rng.IntN(len(propWords))]
			switch rng.IntN(9) {
			case 0:
				w = "**" + w + "**"
			case 1:
				w = "{{s6(a): " + w + " matters}}"
			case 2:
				w = "[" + w + "](https://example.org/" + w + ")"
			}
			b.WriteString(w)
		}
		lines = append(lines, b.String())
	}
	return strings.Join(lines, "\n")
}

// propTyped are words a spreadsheet user may type that Markdown or HTML
// would read as marks, each with the Markdown that keeps it as typed.
var propTyped = [][2]string{
	{"*stars*", `\*stars\*`}, {"_under_", `\_under\_`}, {"`tick`", "\\`tick\\`"}, {"<tags>", `\<tags>`}, {"A<B", `A\<B`},
	{"C>D", "C>D"}, {"&", `\&`}, {"&amp;", `\&amp;`}, {`back\slash`, `back\\slash`}, {"{braced}", "&lbrace;braced&rbrace;"},
	{"}}", "&rbrace;&rbrace;"}, {"~~struck~~", `\~\~struck\~\~`}, {"[bracket]", `\[bracket]`}, {"(http://example.org/a_b)", `(http://example.org/a\_b)`},
	{"<5%", `\<5%`}, {"**bold**", `\*\*bold\*\*`}, {"[s6(a)", `\[s6(a)`},
}

// propLineStart are what a user may type at a line's start that Markdown
// would read as a block, each with the Markdown that keeps it as typed.
var propLineStart = [][2]string{{"# ", `\# `}, {"> ", `\> `}, {"1) ", `1\) `}, {"- ", `\- `}, {"+ ", `\+ `}, {"3.  ", `3\.  `}}

// propEdit is a new text for a cell, written as a spreadsheet user would
// type it, with the Markdown it stands for: "[s9(2)(a): words]" is a
// withheld span, "• " a bullet, and every mark typed is escaped.
func propEdit(rng *rand.Rand, n int) (cell, markdown string) {
	var c, m []string
	for l := 0; l < 1+rng.IntN(2); l++ {
		var cl, ml strings.Builder
		if rng.IntN(3) == 0 {
			cl.WriteString("• ")
			ml.WriteString("- ")
		}
		if rng.IntN(4) == 0 {
			ls := propLineStart[rng.IntN(len(propLineStart))]
			cl.WriteString(ls[0])
			ml.WriteString(ls[1])
		}
		for i := 0; i < 2+rng.IntN(6); i++ {
			if i > 0 {
				cl.WriteByte(' ')
				ml.WriteByte(' ')
			}
			w := propWords[rng.IntN(len(propWords))]
			switch rng.IntN(6) {
			case 0:
				cl.WriteString("[s9(2)(a): " + w + "]")
				ml.WriteString("{{s9(2)(a): " + w + "}}")
				continue
			case 1:
				tw := propTyped[rng.IntN(len(propTyped))]
				cl.WriteString(tw[0])
				ml.WriteString(tw[1])
				continue
			}
			cl.WriteString(w)
			ml.WriteString(w)
		}
		fmt.Fprintf(&cl, " (edit %d)", n)
		fmt.Fprintf(&ml, " (edit %d)", n)
		c, m = append(c, cl.String()), append(m, ml.String())
	}
	return strings.Join(c, "\n"), strings.Join(m, "\n")
}

// propPara is a paragraph of the model; cell, for one a row typed in, is
// what was typed, which the workbook must show again.
type propPara struct{ id, text, marking, withhold, cell string }

// TestImport_Property exports a round's pack, edits random cells of its
// Topics worksheet (texts, markings, withholdings, rows deleted and added),
// imports it, and checks that every sheet is exactly what the edits say:
// each edited paragraph as edited, every other byte for byte as it was;
// and that the next workbook shows each text typed exactly as typed, the
// marks in it (stars, angle brackets, a "# " at a line's start) included.
func TestImport_Property(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	markings := []string{"UNCLASSIFIED", "IN-CONFIDENCE", "RESTRICTED", "SECRET"}
	grounds := []string{"", "", "s6(a)", "s9(2)(g)(i)"}
	kinds := []string{"situation", "offensive", "defensive", "current", "partnering"}
	setup := rand.New(rand.NewPCG(1, 2))
	var sheets []string
	for s := 0; s < 4; s++ {
		var secs []map[string]any
		for _, k := range kinds {
			var ps []map[string]string
			for p := 0; p < setup.IntN(4); p++ {
				ps = append(ps, para(propText(setup), markings[setup.IntN(len(markings))], grounds[setup.IntN(len(grounds))]))
			}
			if ps == nil {
				ps = []map[string]string{}
			}
			secs = append(secs, map[string]any{"kind": k, "paragraphs": ps})
		}
		sheets = append(sheets, f.create("lead", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": fmt.Sprintf("Property sheet %d", s), "sections": secs}))
	}
	changes := 0
	for iter := 0; iter < 25; iter++ {
		rng := rand.New(rand.NewPCG(uint64(iter), 99))
		// The model: each sheet's sections as the edits will leave them.
		model := map[string][][]propPara{}
		versions := map[string]int{}
		for _, id := range append(sheets, w.sheet, w.secretSheet) {
			sh := f.sheet("lead", id)
			versions[id] = sh.Version
			secs := make([][]propPara, len(sh.Sections))
			for i, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					secs[i] = append(secs[i], propPara{id: p.ID, text: p.Text, marking: p.Marking, withhold: p.Withhold})
				}
			}
			model[id] = secs
		}
		edited := map[string]bool{}
		book := editBook(t, f.xlsxPack("lead", w.round, ""), func(x *excelize.File) {
			rows, err := x.GetRows("Topics")
			if err != nil {
				t.Fatal(err)
			}
			var deletes []int
			for n := len(rows); n >= 2; n-- {
				r := rows[n-1]
				for len(r) < 9 {
					r = append(r, "")
				}
				sid, pid := r[6], r[8]
				var target *propPara
				for i := range model[sid] {
					for j := range model[sid][i] {
						if model[sid][i][j].id == pid {
							target = &model[sid][i][j]
						}
					}
				}
				if target == nil {
					t.Fatalf("row %d names %s/%s, not in the model", n, sid, pid)
				}
				switch rng.IntN(8) {
				case 0:
					cell, md := propEdit(rng, iter)
					_ = x.SetCellStr("Topics", fmt.Sprintf("D%d", n), cell)
					target.text, target.cell = md, cell
					edited[sid] = true
				case 1:
					m := markings[rng.IntN(len(markings))]
					_ = x.SetCellStr("Topics", fmt.Sprintf("E%d", n), strings.ToLower(m))
					edited[sid] = edited[sid] || m != target.marking
					target.marking = m
				case 2:
					g := grounds[rng.IntN(len(grounds))]
					_ = x.SetCellStr("Topics", fmt.Sprintf("F%d", n), g)
					edited[sid] = edited[sid] || g != target.withhold
					target.withhold = g
				case 3:
					deletes = append(deletes, n)
					target.id = "" // deleted
					edited[sid] = true
				}
			}
			for _, n := range deletes { // bottom up, so the numbers hold
				if err := x.RemoveRow("Topics", n); err != nil {
					t.Fatal(err)
				}
			}
			// New rows, typed at the bottom with no ids: each joins the end
			// of its section.
			last := len(rows) - len(deletes)
			for a := 0; a < rng.IntN(3); a++ {
				sid := sheets[rng.IntN(len(sheets))]
				sec := rng.IntN(len(kinds))
				cell, md := propEdit(rng, iter)
				last++
				heading := []string{"Situational assessment", "Offensive interest – what are we trying to achieve",
					"Defensive interest – what are we trying to avoid", "What is New Zealand currently doing, or actively planning to do?",
					"What could New Zealand partner with Australia to achieve?"}[sec]
				if err := x.SetSheetRow("Topics", fmt.Sprintf("A%d", last), &[]any{fmt.Sprintf("Property sheet %d", indexOf(sheets, sid)), heading, nil, cell, "RESTRICTED", ""}); err != nil {
					t.Fatal(err)
				}
				model[sid][sec] = append(model[sid][sec], propPara{id: "new", text: md, marking: "RESTRICTED", cell: cell})
				edited[sid] = true
			}
		})
		r := f.importBook("lead", w.round, book, "")
		changes += strings.Count(r.Body.String(), `"row":`)
		if r.Code != 200 {
			t.Fatalf("iteration %d: import %d %s", iter, r.Code, r.Body.String())
		}
		typed := map[string]propPara{} // by paragraph id
		for id, secs := range model {
			got := f.sheet("lead", id)
			want := versions[id]
			if edited[id] {
				want++
			}
			if got.Version != want {
				t.Errorf("iteration %d: sheet %s at version %d, want %d", iter, id, got.Version, want)
			}
			for i, sec := range secs {
				var exp []propPara
				for _, p := range sec {
					if p.id != "" {
						exp = append(exp, p)
					}
				}
				if len(got.Sections[i].Paragraphs) != len(exp) {
					t.Fatalf("iteration %d: sheet %s section %d has %d paragraphs, want %d", iter, id, i, len(got.Sections[i].Paragraphs), len(exp))
				}
				for j, p := range got.Sections[i].Paragraphs {
					e := exp[j]
					if (e.id != "new" && p.ID != e.id) || p.Text != e.text || p.Marking != e.marking || p.Withhold != e.withhold {
						t.Fatalf("iteration %d: sheet %s paragraph %d.%d is %+v, want %+v", iter, id, i, j, p, e)
					}
					if e.cell != "" {
						typed[p.ID] = e
					}
				}
			}
		}
		rows, err := topicsRows(f.xlsxPack("lead", w.round, ""))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			e, ok := typed[r[8]]
			if !ok {
				continue
			}
			delete(typed, r[8])
			want := e.cell
			if e.withhold != "" {
				want = "[withheld on release: " + e.withhold + "] " + want
			}
			if r[3] != want {
				t.Fatalf("iteration %d: typed %q, read as %q, which the next workbook shows as %q", iter, e.cell, e.text, r[3])
			}
		}
		if len(typed) > 0 {
			t.Fatalf("iteration %d: %d typed paragraphs are not in the next workbook", iter, len(typed))
		}
	}
	if changes < 100 {
		t.Fatalf("only %d rows changed or added in all: the test tests little", changes)
	}
	t.Logf("%d rows changed or added in 25 imports", changes)
}

// topicsRows are a workbook's Topics rows, each with its nine cells.
func topicsRows(book []byte) ([][]string, error) {
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		return nil, err
	}
	defer x.Close()
	rows, err := x.GetRows("Topics")
	for i := range rows {
		for len(rows[i]) < 9 {
			rows[i] = append(rows[i], "")
		}
	}
	return rows, err
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
