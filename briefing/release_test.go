package briefing_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"math/rand"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/packtest"
	"briefpack/briefing/xlsxpack"
	"briefpack/seeds"
	"briefpack/store"
)

// renderBoth renders a pack in both formats and returns the HTML and every
// part of the XLSX zip, uncompressed.
func renderBoth(t testing.TB, p *briefing.Pack) (string, map[string]string) {
	t.Helper()
	var h, x bytes.Buffer
	if err := htmlpack.Render(&h, p); err != nil {
		t.Fatal(err)
	}
	if err := xlsxpack.Render(&x, p); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(x.Bytes()), int64(x.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(b)
	}
	return h.String(), parts
}

// secret is a withheld token: unique, so finding it anywhere is a leak.
func secret(n int) string { return fmt.Sprintf("ZQXWITHHELD%dQZX", n) }

// randomPack builds a pack of random sheets whose withheld text is all
// secret tokens: whole paragraphs, whole sheets, and spans in every
// position Markdown allows — inside links and emphasis, at the start and
// end of a paragraph, side by side.
func randomPack(r *rand.Rand, s briefing.Settings) (*briefing.Pack, int) {
	p := packtest.Pack(s, 0)
	n := 0
	tok := func() string { n++; return secret(n) }
	forms := []func() string{
		func() string { return "plain words {{s6(a): " + tok() + "}} more words" },
		func() string { return "{{s6(a): " + tok() + "}} at the start" },
		func() string { return "at the end {{s9(2)(a): " + tok() + "}}" },
		func() string { return "adjacent {{s6(a): " + tok() + "}}{{s6(c): " + tok() + "}} spans" },
		func() string { return "*emphasis {{s6(a): " + tok() + "}} inside*" },
		func() string { return "**{{s6(a): " + tok() + " bold}}** start" },
		func() string { return "[a link {{s6(a): " + tok() + "}} here](https://example.org/" + "x)" },
		func() string { return "- a bullet {{s6(b)(i): **" + tok() + "** in bold}}" },
		func() string { return "1. numbered {{s6(d): `" + tok() + "`}}" },
		func() string { return "{{s6(a): [" + tok() + "](https://example.org)}}" },
		func() string { return "| a | b |\n|---|---|\n| {{s6(a): " + tok() + "}} | c |" },
	}
	sheets := 1 + r.Intn(4)
	for i := 0; i < sheets; i++ {
		sh := &briefing.Sheet{Meta: briefing.Meta{ID: fmt.Sprint(500 + i)}, RoundID: p.Round.ID, Title: fmt.Sprintf("Topic %d", i), Status: briefing.SheetCleared}
		if r.Intn(4) == 0 {
			sh.Title, sh.Withhold = "Title "+tok(), "s6(a)"
		}
		for _, kind := range briefing.SectionKinds[:5] {
			sec := briefing.Section{Kind: kind, Heading: briefing.DefaultHeading(kind, p.Dialogue.Home, p.Dialogue.Partner)}
			for j := r.Intn(5); j > 0; j-- {
				para := briefing.Paragraph{Marking: s.Markings[r.Intn(len(s.Markings))]}
				switch r.Intn(3) {
				case 0:
					para.Text = "released words only"
				case 1:
					para.Text = forms[r.Intn(len(forms))]()
				default:
					para.Text, para.Withhold = "- "+tok()+" withheld whole", s.Grounds[r.Intn(len(s.Grounds))]
				}
				sec.Paragraphs = append(sec.Paragraphs, para)
			}
			sh.Sections = append(sh.Sections, sec)
		}
		if err := sh.Validate(s); err != nil {
			panic(err)
		}
		p.Sheets = append(p.Sheets, sh)
		p.Agenda = append(p.Agenda, briefing.PackAgendaItem{Title: sh.Title, Sheet: sh})
	}
	p.Counterparts[0].Person.Bio = "Served {{s6(a): " + tok() + "}} abroad."
	p.Previous.Outcomes = "Agreed {{s6(a): " + tok() + "}}."
	return p, n
}

// TestReleaseView_NoLeak is the property that matters: for random sheets,
// no withheld token survives anywhere in either release format, and no
// protective marking is left.
func TestReleaseView_NoLeak(t *testing.T) {
	s := mustSettings(t, "nz")
	check := func(seed int64) bool {
		full, n := randomPack(rand.New(rand.NewSource(seed)), s)
		rel, err := briefing.ReleaseView(full)
		if err != nil {
			t.Logf("seed %d: %v", seed, err)
			return false
		}
		h, parts := renderBoth(t, rel)
		parts["pack.html"] = h
		// A response to a request releasing every part, as one document and
		// part by part, carries no withheld word either.
		for i, one := range []bool{true, false} {
			r := &briefing.Release{Reference: "OIA-1", ReceivedOn: "2022-02-07", Request: "the packs", DecisionMaker: "A. Person",
				AsOneDocument: one, Parts: map[string]briefing.PartDecision{}}
			for _, k := range briefing.Parts {
				r.Parts[k] = briefing.PartDecision{Decision: briefing.DecisionReleased}
			}
			if err := r.Normalize(s); err != nil {
				t.Fatal(err)
			}
			view, err := briefing.ReleaseView(full)
			if err != nil {
				t.Fatal(err)
			}
			resp := briefing.BuildResponse(view, r)
			briefing.ApplyParts(view, r.Parts)
			var rh, rx bytes.Buffer
			if err := htmlpack.RenderResponse(&rh, resp); err != nil {
				t.Fatal(err)
			}
			if err := xlsxpack.RenderResponse(&rx, resp); err != nil {
				t.Fatal(err)
			}
			parts[fmt.Sprintf("response%d.html", i)] = rh.String()
			zr, err := zip.NewReader(bytes.NewReader(rx.Bytes()), int64(rx.Len()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				rc, _ := f.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				parts[fmt.Sprintf("response%d/%s", i, f.Name)] = string(b)
			}
		}
		for name, body := range parts {
			if strings.Contains(body, "ZQXWITHHELD") {
				i := strings.Index(body, "ZQXWITHHELD")
				t.Logf("seed %d: a withheld token is in %s: …%s…", seed, name, body[max(0, i-80):min(len(body), i+40)])
				return false
			}
			for _, m := range s.Markings {
				if strings.Contains(body, m) {
					t.Logf("seed %d: marking %s is in %s", seed, m, name)
					return false
				}
			}
		}
		if !strings.Contains(h, "Released under the Official Information Act 1982") {
			t.Logf("seed %d: no release line", seed)
			return false
		}
		// The full edition shows them all: the test's tokens are real.
		fh, _ := renderBoth(t, full)
		for i := 1; i <= n; i++ {
			if !strings.Contains(fh, secret(i)) && !strings.Contains(fh, html.EscapeString(secret(i))) {
				t.Logf("seed %d: the full edition lacks %s", seed, secret(i))
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 60}); err != nil {
		t.Fatal(err)
	}
}

// FuzzReleaseView feeds arbitrary paragraph text through the release view
// and the HTML renderer and the workbook's cell: text that is accepted must
// never carry the words of its spans into the release. The segments the
// workbook reads the release in are a cut of the released text.
func FuzzReleaseView(f *testing.F) {
	s := mustSettings(f, "nz")
	for _, seed := range []string{"a {{s6(a): SECRETWORD}} b", "*{{s6(a): SECRETWORD}}*", "[x {{s6(a): SECRETWORD}}](http://y)", "{{s6(a): SECRETWORD}}{{s6(c): SECRETWORD}}",
		"<http://x.test/{{s6(a): SECRETWORD}}aaa>", "[x {{s6(a): SECRETWORD}}](http://y/{{s6(c): SECRETWORD}}) b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		segs, err := s.ParseSpans(text)
		if err != nil {
			return
		}
		p := packtest.Pack(s, 0)
		sh := &briefing.Sheet{Meta: briefing.Meta{ID: "9"}, Title: "T", Sections: []briefing.Section{{Kind: "situation", Heading: "H",
			Paragraphs: []briefing.Paragraph{{Text: text, Marking: s.Markings[0]}}}}}
		p.Sheets = []*briefing.Sheet{sh}
		rel, err := briefing.ReleaseView(p)
		if err != nil {
			t.Fatal(err)
		}
		var h bytes.Buffer
		if err := htmlpack.Render(&h, rel); err != nil {
			t.Fatal(err)
		}
		rp := rel.Sheets[0].Sections[0].Paragraphs[0]
		if segs := rp.ReleasedSegments(); segs != nil {
			var joined strings.Builder
			for _, sg := range segs {
				if sg.Ground != "" && sg.Text != "" {
					t.Fatalf("%q: a span's segment holds %q", text, sg.Text)
				}
				joined.WriteString(sg.Text + sg.Ground)
			}
			if joined.String() != rp.Text {
				t.Fatalf("%q: segments join as %q, not the released %q", text, joined.String(), rp.Text)
			}
		}
		cell := xlsxpack.ReleaseText(s, briefing.Paragraph{Text: text, Marking: s.Markings[0]})
		// A word leaks if it is withheld and the release shows it, unless the
		// released text or the pack itself holds the same letters anyway.
		var plain strings.Builder
		for _, sg := range segs {
			if sg.Ground == "" {
				plain.WriteString(sg.Text + " ")
			}
		}
		for _, sg := range segs {
			for _, w := range strings.Fields(sg.Text) {
				if sg.Ground != "" && len(w) >= 6 && !strings.Contains(plain.String(), w) &&
					(strings.Contains(h.String(), html.EscapeString(w)) || strings.Contains(cell, w)) && !strings.Contains(packSkeleton, w) {
					t.Fatalf("withheld word %q of %q is in the release", w, text)
				}
			}
		}
	})
}

// packSkeleton is words every rendered pack holds, which a span may also
// hold without leaking anything.
var packSkeleton = func() string {
	s, _ := briefing.SettingsFor("nz")
	p := packtest.Pack(s, 0)
	rel, _ := briefing.ReleaseView(p)
	var h bytes.Buffer
	_ = htmlpack.Render(&h, rel)
	return h.String()
}()

var tagRE = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]+>`)

// sheetText returns the text of one topic sheet of a rendered pack.
func sheetText(t *testing.T, page, title string) string {
	t.Helper()
	i := strings.Index(page, "<h2>"+title)
	if i < 0 {
		t.Fatalf("no sheet %q", title)
	}
	j := strings.Index(page[i:], "</table>")
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(page[i:i+j], " "))), " ")
}

// TestReleaseView_Golden rebuilds the released pack of the seeds (the demo
// data holds the 2018 sheets with stand-ins where words were withheld) and
// reads the Foreign Interference and Rules-based order sheets of the
// release edition against the released document, ground for ground.
func TestReleaseView_Golden(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "golden.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seeds.Load(ctx, db, func(p string) (string, error) { return p, nil }); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	full, err := briefing.Assemble(ctx, briefing.NewView(db, s, briefing.Reader{Clearance: "TOP SECRET"}), "3", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	h, parts := renderBoth(t, rel)
	// The released document, 003: S6(a) as the Act's ground in briefpack's spelling.
	golden := map[string]string{
		"Foreign Interference": `Foreign Interference Situational assessment We are aware of foreign interference activity s6(a), but assessing the extent and impact is difficult. s6(a) Offensive interest – what are we trying to achieve Maximise the benefits of our open economy and society, while managing the risks at the margins in a proportionate way. Leverage our strengths, including high levels of transparency, trust in government, low levels of corruption and our robust media and academic communities. s6(a) s6(a) New Zealand takes foreign interference risks seriously s6(a) s6(a) s6(a) Defensive interest – what are we trying to avoid Managing (though not necessarily eliminating) risks that foreign interference poses to our economic and democratic institutions, our national security, and our national interests. s6(a) s6(a) s6(a) What is New Zealand currently doing, or actively planning to do? s6(a) s6(a) s6(a) s6(a) Ministers have agreed a work programme, and are looking forward to seeing more advice. What could New Zealand partner with Australia to achieve? s6(a) s6(a) s6(a)`,
		"Rules-based order":    `Rules-based order Situational assessment The international rules-based order is under serious, sustained challenge. s6(a) New Zealand's interests are best served under a rules-based system. Offensive interest – what are we trying to achieve Free and fair trade, including multilateral trade agreements and the inclusion of agricultural rules in the World Trade Organization. Principled security network in which NZ engages with a variety of like-minded partners. Effective, inclusive regional institutions, including in the Pacific and Southeast Asia, that can address the complex challenges states are facing. s6(a) Norms for cyber, space, and new weapons systems. Defensive interest – what are we trying to avoid Increasing militarisation in our part of the world, s6(a). Countries opting out of the rules-based order, reverting to might is right etc. Exclusion of New Zealand's interests as new systems emerge. What is New Zealand currently doing, or actively planning to do? Contributing to the international campaign against terrorism through peacekeeping operations. Highlighting the benefits of rules; speaking up when they are breached. Working with like-minded-countries on WTO reform issues s6(a) s6(a) Re-building the social compact at home (Trade for All). Addressing attribution issues in the Chemical Weapons Convention. What could New Zealand partner with Australia to achieve? Identify more coherent coalitions in favour of RBS (e.g. Alliance of Multilateralists). s6(a) Invest in developing country capacity to benefit from rules. Ensure that new regional systems s6(a) support, rather than undermine, the rules-based system. s6(a) Identify and pursue new architectures to meet reinforce the order.`,
	}
	for title, want := range golden {
		if got := sheetText(t, h, title); got != want {
			t.Errorf("%s reads\n%s\nwant\n%s", title, got, want)
		}
	}
	for name, body := range parts {
		if strings.Contains(body, "Demo stand-in") || strings.Contains(body, "demo stand-in") {
			t.Errorf("a stand-in is in %s", name)
		}
	}
	if strings.Contains(h, "Demo stand-in") || strings.Contains(h, "demo stand-in") || strings.Contains(h, "Withheld topic") {
		t.Error("a stand-in or a withheld title is in the HTML release")
	}
	if rel.WithheldInFull != 3 || !strings.Contains(h, "3 are withheld in full") {
		t.Errorf("withheld in full: %d", rel.WithheldInFull)
	}
}

// TestResponse_Golden answers a request over the demo's NZ round as 003 did:
// the pack as one document released in part, its three sheets withheld in
// full and six other documents withheld under s6(a), titles and all, make
// 003's ten documents, its count sentence and its schedule.
func TestResponse_Golden(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "golden.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seeds.Load(ctx, db, func(p string) (string, error) { return p, nil }); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	at := time.Date(2023, 2, 15, 9, 0, 0, 0, time.UTC)
	full, err := briefing.Assemble(ctx, briefing.NewView(db, s, briefing.Reader{Clearance: "TOP SECRET"}), "3", at)
	if err != nil {
		t.Fatal(err)
	}
	view, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	r := &briefing.Release{Reference: "OIA-2021/22-0953", ReceivedOn: "2022-02-07", AsOneDocument: true,
		Request:       "Copies of all other Briefing Packs produced for each Australia-New Zealand National Security Dialogue.",
		DecisionMaker: "Tony Lynch", DecisionMakerTitle: "Deputy Chief Executive"}
	for i := 0; i < 6; i++ {
		r.OtherDocuments = append(r.OtherDocuments, briefing.OtherDocument{Title: "Withheld paper",
			Decision: briefing.DecisionWithheld, Grounds: []string{"s6(a)"}})
	}
	if err := r.Normalize(s); err != nil {
		t.Fatal(err)
	}
	resp := briefing.BuildResponse(view, r)
	briefing.ApplyParts(view, r.Parts)
	if want := "I can advise that 10 documents were identified within scope of your request."; resp.Count != want {
		t.Errorf("count sentence %q, want %q", resp.Count, want)
	}
	wantDecisions := []string{
		"I have decided to withhold in full (including titles) nine of these documents, under section 6(a) of the Act.",
		"I have released one document to you in part, and information that has been withheld has been removed from the released document, under section 6(a) of the Act.",
	}
	if strings.Join(resp.Decisions, "\n") != strings.Join(wantDecisions, "\n") {
		t.Errorf("decisions\n%s\nwant\n%s", strings.Join(resp.Decisions, "\n"), strings.Join(wantDecisions, "\n"))
	}
	var h bytes.Buffer
	if err := htmlpack.RenderResponse(&h, resp); err != nil {
		t.Fatal(err)
	}
	page := h.String()
	i := strings.Index(page, `id="schedule"`)
	j := strings.Index(page[i:], "</table>")
	got := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(page[i:i+j], " "))), " ")
	want := `id="schedule"> Schedule of documents I can advise that 10 documents were identified within scope of your request. No. Document Decision Grounds 1 ` + full.Dialogue.Name + `: Briefing pack (` + full.Round.StartsOn + `) Released in part S6(a)`
	for n := 2; n <= 10; n++ {
		want += fmt.Sprintf(" %d title withheld Withheld in full S6(a)", n)
	}
	if got != want {
		t.Errorf("schedule reads\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{"Withheld paper", "Demo stand-in", "demo stand-in", "Withheld topic"} {
		if strings.Contains(page, bad) {
			t.Errorf("%q is in the response", bad)
		}
	}
}

// TestView_SharedSheetsUnchanged: the reader's view lists sheets from the
// decoded records the store keeps, without copying them; filtering them for
// a RESTRICTED reader, again and again, and making packs of them, must not
// change what the next reader — one cleared higher, or the store itself —
// is given.
func TestView_SharedSheetsUnchanged(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "shared.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seeds.Load(ctx, db, func(p string) (string, error) { return p, nil }); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	count := func(clearance string) (paras, secret int) {
		shs, _, err := briefing.NewView(db, s, briefing.Reader{Clearance: clearance}).Sheets(ctx, "3", briefing.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range shs {
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					paras++
					if p.Marking == "SECRET" || p.Marking == "TOP SECRET" {
						secret++
					}
				}
			}
		}
		return
	}
	topBefore, topSecret := count("TOP SECRET")
	for i := 0; i < 3; i++ {
		if _, secret := count("RESTRICTED"); secret != 0 {
			t.Fatal("a RESTRICTED reader was given SECRET paragraphs")
		}
		p, err := briefing.Assemble(ctx, briefing.NewView(db, s, briefing.Reader{Clearance: "RESTRICTED"}), "3", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := briefing.ReleaseView(p); err != nil {
			t.Fatal(err)
		}
	}
	top, secret := count("TOP SECRET")
	if top != topBefore || secret != topSecret || secret == 0 {
		t.Fatalf("after RESTRICTED readers, a TOP SECRET reader is given %d paragraphs (%d SECRET), was %d (%d)", top, secret, topBefore, topSecret)
	}
	stored, _, _ := db.Sheets(ctx, "3", briefing.Page{})
	n := 0
	for _, sh := range stored {
		for _, sec := range sh.Sections {
			n += len(sec.Paragraphs)
		}
	}
	if n != topBefore {
		t.Fatalf("the store holds %d paragraphs, the top reader was given %d", n, topBefore)
	}
}

// BenchmarkReleaseView makes the release edition's copy of a pack of 1,000
// sheets of unique paragraphs, some withheld whole and some with withheld
// spans, as a freeze does before it lays out the release files.
func BenchmarkReleaseView(b *testing.B) {
	p := packtest.Pack(mustSettings(b, "nz"), 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := briefing.ReleaseView(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReleaseView_WithheldParagraphForm: a withheld paragraph becomes its
// ground; a bullet keeps its bullet, but a number is the paragraph's own
// text and is not kept.
func TestReleaseView_WithheldParagraphForm(t *testing.T) {
	s := mustSettings(t, "nz")
	p := packtest.Pack(s, 0)
	sh := &briefing.Sheet{Meta: briefing.Meta{ID: "900"}, RoundID: p.Round.ID, Title: "Form", Status: briefing.SheetCleared,
		Sections: []briefing.Section{{Kind: briefing.SectionKinds[0], Paragraphs: []briefing.Paragraph{
			{Text: "987654321) words", Withhold: "s9(2)(a)"},
			{Text: "  12. words", Withhold: "s6(a)"},
			{Text: "- words", Withhold: "s6(a)"},
			{Text: "  * words", Withhold: "s6(a)"},
			{Text: "words", Withhold: "s6(a)"},
		}}}}
	p.Sheets = append(p.Sheets, sh)
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, para := range rel.Sheets[len(rel.Sheets)-1].Sections[0].Paragraphs {
		got = append(got, para.Text)
	}
	want := []string{"s9(2)(a)", "s6(a)", "- s6(a)", "* s6(a)", "s6(a)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("released %q, want %q", got, want)
	}
}

// TestReleaseView_WithheldSpanInLink: a link whose address or title holds
// a withheld span is released as its label; other links are left alone.
func TestReleaseView_WithheldSpanInLink(t *testing.T) {
	s := mustSettings(t, "nz")
	cases := map[string]string{
		"[label {{s6(a): x}}](https://example.org/{{s6(a): y}})":           "label s6(a)",
		"See [a](https://example.org/{{s9(2)(a): y}}/more) now.":           "See a now.",
		`[a](https://example.org/{{s6(a): y}} "title")`:                    "a",
		`[a](https://example.org/x "{{s6(a): y}}")`:                        "a",
		"[a](<https://example.org/{{s6(a): y z}}>)":                        "a",
		"![picture](https://example.org/{{s6(a): y}}.png)":                 "picture",
		"**[a](https://example.org/{{s6(a): y}})** and [b](https://b.org)": "**a** and [b](https://b.org)",
		"[a](https://example.org/x) and {{s6(a): y}}":                      "[a](https://example.org/x) and s6(a)",
		"[a {{s6(a): x}}](https://example.org/x)":                          "[a s6(a)](https://example.org/x)",
		"{{s6(a): [a](https://example.org/x)}}":                            "s6(a)",
	}
	for text, want := range cases {
		p := packtest.Pack(s, 0)
		p.Sheets = append(p.Sheets, &briefing.Sheet{Meta: briefing.Meta{ID: "900"}, RoundID: p.Round.ID, Title: "Links", Status: briefing.SheetCleared,
			Sections: []briefing.Section{{Kind: briefing.SectionKinds[0], Paragraphs: []briefing.Paragraph{{Text: text}}}}})
		p.Previous.Outcomes = text
		rel, err := briefing.ReleaseView(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := rel.Sheets[len(rel.Sheets)-1].Sections[0].Paragraphs[0].Text; got != want {
			t.Errorf("%q released as %q, want %q", text, got, want)
		}
		if got := rel.Previous.Outcomes; got != want {
			t.Errorf("outcomes %q released as %q, want %q", text, got, want)
		}
	}
}

// TestReleaseView_ReleasedSegments: a paragraph released in part keeps
// where its full edition's segments were, each span its ground alone, so
// that the workbook reads its text between the grounds as it reads the
// full edition's, each piece on its own: read as one text, the release
// made "<http://x.test/" and "aaa>" about a span an autolink the full
// edition did not, its address shown twice. The segments are a cut of the
// released text, nothing more: a link released as its label keeps its
// label's ground, and a paragraph with no span, or withheld in full, has
// none.
func TestReleaseView_ReleasedSegments(t *testing.T) {
	s := mustSettings(t, "nz")
	for _, tc := range []struct {
		para briefing.Paragraph
		want []briefing.Segment
	}{
		{briefing.Paragraph{Text: "<http://x.test/{{s6(a): w}}aaa>"},
			[]briefing.Segment{{Text: "<http://x.test/"}, {Ground: "s6(a)"}, {Text: "aaa>"}}},
		{briefing.Paragraph{Text: "{{s6(a): w}}{{S6(C): x}} and"},
			[]briefing.Segment{{Ground: "s6(a)"}, {Ground: "s6(c)"}, {Text: " and"}}},
		// A link released as its label is a piece of its own, as it was
		// not one with the text around it in the full edition.
		{briefing.Paragraph{Text: "See [a {{s6(a): x}}](https://example.org/{{s6(c): y}}) now."},
			[]briefing.Segment{{Text: "See "}, {Text: "a "}, {Ground: "s6(a)"}, {Text: " now."}}},
		{briefing.Paragraph{Text: "[a](https://example.org/{{s6(c): y}}) now."},
			[]briefing.Segment{{Text: "a"}, {Text: " now."}}},
		{briefing.Paragraph{Text: "<http://x.test/[l](http://y.test/{{s6(a): w}})aaa>"},
			[]briefing.Segment{{Text: "<http://x.test/"}, {Text: "l"}, {Text: "aaa>"}}},
		{briefing.Paragraph{Text: "No span."}, nil},
		{briefing.Paragraph{Text: "- {{s6(a): w}}", Withhold: "s6(a)"}, nil},
	} {
		rp, _, err := s.ReleaseParagraph(tc.para)
		if err != nil {
			t.Fatal(err)
		}
		got := rp.ReleasedSegments()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: segments %q, want %q", tc.para.Text, got, tc.want)
		}
		var joined strings.Builder
		for _, sg := range got {
			joined.WriteString(sg.Text + sg.Ground)
		}
		if got != nil && joined.String() != rp.Text {
			t.Errorf("%q: segments join as %q, not the released %q", tc.para.Text, joined.String(), rp.Text)
		}
		p := packtest.Pack(s, 0)
		p.Sheets = []*briefing.Sheet{{Meta: briefing.Meta{ID: "900"}, RoundID: p.Round.ID, Title: "Segments", Status: briefing.SheetCleared,
			Sections: []briefing.Section{{Kind: briefing.SectionKinds[0], Paragraphs: []briefing.Paragraph{tc.para}}}}}
		rel, err := briefing.ReleaseView(p)
		if err != nil {
			t.Fatal(err)
		}
		if v := rel.Sheets[0].Sections[0].Paragraphs[0]; v.Text != rp.Text || fmt.Sprint(v.ReleasedSegments()) != fmt.Sprint(got) {
			t.Errorf("%q: the release view has %q %q", tc.para.Text, v.Text, v.ReleasedSegments())
		}
	}
}

// TestReleaseView_SpanInTitle: a sheet whose title holds a withheld span,
// and nothing else withheld, is released in part on the ground of its title,
// in the schedule and in the release check alike.
func TestReleaseView_SpanInTitle(t *testing.T) {
	s := mustSettings(t, "nz")
	p := packtest.Pack(s, 0)
	p.Sheets = []*briefing.Sheet{{Meta: briefing.Meta{ID: "900"}, RoundID: p.Round.ID, Title: "Liaison with {{s6(b)(i): the Zanzibar office}}", Status: briefing.SheetCleared,
		Sections: []briefing.Section{{Kind: briefing.SectionKinds[0], Paragraphs: []briefing.Paragraph{{Text: "Nothing withheld here."}}}}}}
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	if e := rel.Schedule[0]; e.Title != "Liaison with s6(b)(i)" || e.Decision != briefing.ReleasedInPart || strings.Join(e.Grounds, ",") != "s6(b)(i)" {
		t.Errorf("schedule entry %+v", e)
	}
	rc := briefing.ReleaseCheck(p)
	if rc[0].Decision != briefing.ReleasedInPart || rc[0].WithheldSpans != 1 || rc[0].Grounds["s6(b)(i)"] != 1 {
		t.Errorf("release check %+v", rc[0])
	}
}
