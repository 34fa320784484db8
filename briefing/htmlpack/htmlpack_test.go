package htmlpack_test

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/packtest"
	"briefpack/templates"
)

func settings(tb testing.TB) briefing.Settings {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func render(t testing.TB, p *briefing.Pack) string {
	t.Helper()
	var b bytes.Buffer
	if err := htmlpack.Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRender_Full(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 4)
	p.Sheets[1].Sections[0].Paragraphs[0] = briefing.Paragraph{Text: "We know {{s6(a): the withheld words}} now.", Marking: "RESTRICTED"}
	p.Sheets[1].Sections[0].Paragraphs[1] = briefing.Paragraph{Text: "- A whole paragraph to withhold.", Marking: "SECRET", Withhold: "s6(a)"}
	p.Marking = "SECRET"
	out := render(t, p)
	for _, want := range []string{
		"<!doctype html>", "@page", "@top-center", "@bottom-center", `"SECRET"`, "break-before: page",
		"Synthetic Security Dialogue", "3rd round", "10 May 2018", "Wellington",
		`href="#sheet-100"`, `id="sheet-103"`, "Counterpart biographies", "Pat Partner", "Open actions", "3.07",
		"Outcomes of the 2nd round", "<strong>deepen</strong>",
		`<span class="pm">(U)</span>`, `<span class="pm">(R)</span>`,
		`<mark class="withheld"><span class="ground">[s6(a)]</span> the withheld words</mark>`,
		"[Withheld on release: s6(a)]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	// Sheets in agenda order.
	last := -1
	for _, sh := range p.Sheets {
		i := strings.Index(out, `id="sheet-`+sh.ID+`"`)
		if i < last {
			t.Fatalf("sheet %s out of order", sh.ID)
		}
		last = i
	}
	for _, para := range p.Sheets[0].Sections[2].Paragraphs {
		words := strings.Fields(strings.NewReplacer("**", "", "- ", "").Replace(para.Text))
		if !strings.Contains(out, words[len(words)-1]) {
			t.Errorf("paragraph %q missing", para.Text)
		}
	}
	if strings.Contains(out, "<script") || strings.Contains(out, "http://") || strings.Contains(out, "https://") || strings.Contains(out, "src=") {
		t.Error("the pack refers outside itself or carries script")
	}
}

// TestRender_SpansOutsideParagraphs: the round's texts, a biography, an
// agenda item's title and session, an action and a sheet's title show their
// withheld spans in the full edition as a paragraph does — highlighted and
// labelled, never as raw "{{…}}" markup — and the release edition of the
// same pack holds none of the words.
func TestRender_SpansOutsideParagraphs(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 2)
	span := func(w string) string { return "Known {{s6(a): " + w + "}} here." }
	p.Round.Purpose, p.Round.KeyMessages, p.Round.Outcomes = span("purposeword"), span("keyword"), span("outcomeword")
	p.Previous.Outcomes = span("previousword")
	p.Counterparts[0].Person.Bio = span("bioword")
	p.Agenda = append(p.Agenda, briefing.PackAgendaItem{Title: span("agendaword"), Session: span("sessionword"), StartsAt: "09:00"})
	p.Actions[0].Action.Text = span("actionword")
	p.Sheets[0].Title = span("titleword")
	p.Agenda[0].Title = p.Sheets[0].Title
	p.NotCleared = []string{span("draftword")}
	out := render(t, p)
	if strings.Contains(out, "{{") || strings.Contains(out, "}}") {
		t.Errorf("the full pack shows span markup: %s", out[strings.Index(out, "{{")-200:strings.Index(out, "{{")+100])
	}
	words := []string{"purposeword", "keyword", "outcomeword", "previousword", "bioword", "agendaword", "sessionword", "actionword", "titleword", "draftword"}
	for _, w := range words {
		if want := `<mark class="withheld"><span class="ground">[s6(a)]</span> ` + w + `</mark>`; !strings.Contains(out, want) {
			t.Errorf("the full pack lacks %s", want)
		}
	}
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	out = render(t, rel)
	for _, w := range words {
		if strings.Contains(out, w) {
			t.Errorf("the release carries %q", w)
		}
	}
}

var (
	srcAttr   = regexp.MustCompile(`<[^>]*\ssrc\s*=`)
	eventAttr = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	badTag    = regexp.MustCompile(`(?i)<\s*(script|iframe|object|embed|img|style|base|link|meta http-equiv="refresh"|form|svg|math)\b`)
)

func TestRender_Hostile(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	hostile := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror="alert(1)">`,
		`[click](javascript:alert(1))`,
		`[click](JaVaScRiPt:alert(1))`,
		`<a href="javascript:alert(1)">x</a>`,
		`<iframe src="https://evil.example/"></iframe>`,
		`![tracker](https://evil.example/pixel.png)`,
		`<style>body{background:url(https://evil.example/)}</style>`,
		`<base href="https://evil.example/">`,
		`<svg onload=alert(1)>`,
		`<div style="background:url(https://evil.example)">x</div>`,
		`<form action="https://evil.example"><input></form>`,
		`<a href="data:text/html,<script>alert(1)</script>">x</a>`,
		"\uE000s6(a)\uE001<script>alert(1)</script>\uE002",
	}
	var paras []briefing.Paragraph
	for _, h := range hostile {
		paras = append(paras, briefing.Paragraph{Text: h, Marking: "UNCLASSIFIED"})
	}
	p.Sheets[0].Sections[0].Paragraphs = paras
	p.Counterparts[0].Person.Bio = `<script>alert(2)</script>[x](javascript:alert(3))`
	p.Previous.Outcomes = `<img src=https://evil.example/x.png onerror=alert(4)>`
	p.Sheets[0].Title = `</title><script>alert(5)</script>`
	out := render(t, p)
	if m := badTag.FindString(out); m != "" && !strings.HasPrefix(strings.ToLower(m), "<style") {
		t.Errorf("a dangerous tag survived: %s", m)
	}
	if n := strings.Count(strings.ToLower(out), "<style"); n != 1 {
		t.Errorf("%d style elements; only the pack's own may be there", n)
	}
	if m := eventAttr.FindString(out); m != "" {
		t.Errorf("an event handler survived: %s", m)
	}
	// HTML typed that the pack does not keep shows as typed, as text: an
	// address may be read, but is in no tag, so nothing refers to it.
	for _, bad := range []string{"javascript:", "evil.example", "data:text/html"} {
		if m := regexp.MustCompile(`(?i)<[^>]*` + regexp.QuoteMeta(bad)).FindString(out); m != "" {
			t.Errorf("%q survived in a tag: %s", bad, m)
		}
	}
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Error("a script element survived")
	}
	if !strings.Contains(out, "&lt;iframe src=&#34;https://evil.example/&#34;&gt;&lt;/iframe&gt;") {
		t.Error("typed HTML the pack does not keep must show as typed, escaped")
	}
}

// TestRender_TypedAngles: words typed in angle brackets ("<TBC>") are read
// by the parser as a tag, which the pack dropped with its words, in both
// editions, and the workbook's cell with them (see xlsxpack). They show as
// typed; a tag the pack keeps ("<sub>") still formats, a comment is still
// dropped.
func TestRender_TypedAngles(t *testing.T) {
	s := settings(t)
	for in, want := range map[string]string{
		"Minister to confirm <TBC> by <insert date>.":                  "<p>Minister to confirm &lt;TBC&gt; by &lt;insert date&gt;.</p>",
		"H<sub>2</sub>O, <u>firmly</u>":                                "<p>H<sub>2</sub>O, <u>firmly</u></p>",
		"before <!-- a note --> after":                                 "<p>before  after</p>",
		"<div>\nblock\n</div>":                                         "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>",
		"Confirm <i.e. the venue> and <table of contents>, <b and c>.": "<p>Confirm &lt;i.e. the venue&gt; and &lt;table of contents&gt;, &lt;b and c&gt;.</p>",
		"<code name TBC> <pre-brief date> <sub-committee chair>":       "<p>&lt;code name TBC&gt; &lt;pre-brief date&gt; &lt;sub-committee chair&gt;</p>",
		"a<br/>b <B>bold</B>":                                          "<p>a<br/>b <b>bold</b></p>",
	} {
		if got := string(htmlpack.Markdown(in)); got != want {
			t.Errorf("%q rendered %q, want %q", in, got, want)
		}
	}
	// A withheld span inside: its words marked in the full edition, its
	// ground in their place in the release, and nothing else dropped.
	p := briefing.Paragraph{ID: "p1", Text: "Confirm <TBC {{s6(a): the venue}}> today", Marking: s.Lowest()}
	full := string(htmlpack.Paragraph(s, p))
	if !strings.Contains(full, "Confirm &lt;TBC <mark") || !strings.Contains(full, "the venue</mark>&gt; today") {
		t.Errorf("full edition: %s", full)
	}
	rp, _, err := s.ReleaseParagraph(p)
	if err != nil {
		t.Fatal(err)
	}
	rel := string(htmlpack.Markdown(rp.Text))
	if strings.Contains(rel, "venue") || !strings.Contains(rel, "Confirm &lt;TBC s6(a)&gt; today") {
		t.Errorf("release edition: %s from %q", rel, rp.Text)
	}
}

func TestMarkdown_Links(t *testing.T) {
	got := string(htmlpack.Markdown("see [the Act](https://www.legislation.govt.nz/) and **this**"))
	if got != "<p>see the Act and <strong>this</strong></p>" {
		t.Fatalf("a link must keep its words and refer to nothing: %s", got)
	}
	if got := string(htmlpack.Markdown("New Zealand's \"quoted\" -- words")); !strings.Contains(got, "New Zealand&#39;s") && !strings.Contains(got, "New Zealand's") {
		t.Fatalf("words changed: %s", got)
	}
}

// TestFullText_SpanInLinkAddress: in the full edition a link whose address
// or title holds a withheld span is shown as its label, as in the release,
// and the text after it whole: the ground's parentheses used to end the
// address early, leaving a stray "</mark>" and the rest of the address.
func TestFullText_SpanInLinkAddress(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	for text, want := range map[string]string{
		"See [open label](https://example.com/{{s6(a): urljuliet}}) done.": "<p>See open label done.</p>",
		`[a](https://example.org/x "{{s6(a): y}}") z`:                      "<p>a z</p>",
		"[label {{s6(a): x}}](https://example.org/{{s9(2)(a): y}}) z":      `<p>label <mark class="withheld"><span class="ground">[s6(a)]</span> x</mark> z</p>`,
		"[a](https://example.org/x) and {{s6(a): y}}":                      `<p>a and <mark class="withheld"><span class="ground">[s6(a)]</span> y</mark></p>`,
	} {
		if got := htmlpack.FullText(s, "", text); got != want {
			t.Errorf("%q\n got %s\nwant %s", text, got, want)
		}
	}
}

func TestRender_Release(t *testing.T) {
	s := settings(t)
	full := packtest.Pack(s, 3)
	full.Sheets[0].Sections[0].Paragraphs[0].Text = "Known {{s6(a): QQSECRETQQ}} facts."
	full.Sheets[2].Withhold = "s6(a)"
	full.Sheets[2].Title = "QQTITLEQQ"
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, rel)
	for _, m := range s.Markings {
		if strings.Contains(out, m) {
			t.Errorf("marking %s in the release", m)
		}
	}
	for _, bad := range []string{"QQSECRETQQ", "QQTITLEQQ", `class="pm"`} {
		if strings.Contains(out, bad) {
			t.Errorf("%s in the release", bad)
		}
	}
	for _, want := range []string{"Released under the Official Information Act 1982", "Schedule of documents", "Known s6(a) facts.", "withheld in full", "released in part"} {
		if !strings.Contains(out, want) {
			t.Errorf("the release lacks %q", want)
		}
	}
}

// TestRender_MarkedAsTheReleaseWithholds: a word the full edition shows as
// withheld is one the release edition withholds. A sentinel the renderer
// uses, typed between braces, made no span for the release edition (which
// reads the text as stored) but one for the full edition (which took the
// sentinels out first): the lead saw the words marked withheld, and the
// release printed them.
func TestRender_MarkedAsTheReleaseWithholds(t *testing.T) {
	s := settings(t)
	full := packtest.Pack(s, 1)
	full.Sheets[0].Sections[0].Paragraphs[0].Text = "Known {\uE000{s6(a): QQSHOWNQQ}\uE000} facts."
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(render(t, rel), "QQSHOWNQQ") {
		t.Fatal("the release edition withholds the words: this test no longer tries what it should")
	}
	out := render(t, full)
	i := strings.Index(out, "QQSHOWNQQ")
	if i < 0 {
		t.Fatal("the full edition lacks the words")
	}
	if strings.Contains(out[max(0, i-120):i], `class="withheld"`) {
		t.Fatalf("the full edition marks as withheld words the release shows: …%s…", out[max(0, i-120):i+9])
	}
}

// Benchmarks: the pack against its floor, both with the paragraph cache in
// the same state. Warm: every paragraph rendered beforehand (the server
// renders a paragraph when it is saved), then the pack against one minimal
// template over the pre-rendered paragraphs. Cold: nothing rendered, the
// pack against blackfriday, bluemonday and that template run in full.
// packtest's paragraphs are each their own text, so a cache cannot stand
// in for the work.

var sizes = []struct {
	name   string
	sheets int
}{{"S=40", 40}, {"S=300", 300}, {"S=1000", 1000}}

func BenchmarkPackHTML(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			var buf bytes.Buffer
			_ = htmlpack.Render(&buf, p) // warm, as after the paragraphs were saved
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := htmlpack.Render(&buf, p); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

func BenchmarkFloorHTMLPrerendered(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			sheets := packtest.Prerender(p.Sheets)
			var buf bytes.Buffer
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := packtest.Floor(&buf, sheets); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

func BenchmarkPackHTMLCold(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				htmlpack.ClearCache()
				buf.Reset()
				if err := htmlpack.Render(&buf, p); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

func BenchmarkFloorHTML(b *testing.B) {
	s := settings(b)
	for _, sz := range sizes {
		p := packtest.Pack(s, sz.sheets)
		b.Run(sz.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := packtest.Floor(&buf, packtest.Prerender(p.Sheets)); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

// FuzzParagraph renders arbitrary paragraph text as the full edition does:
// nothing executable or external may come out of it.
func FuzzParagraph(f *testing.F) {
	s := settings(f)
	for _, seed := range []string{"<script>x</script>", "[a](javascript:x)", "<img src=x onerror=y>", "a {{s6(a): <b onclick=x>b</b>}} c", "\uE000s6(a)\uE001<script>\uE002"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := strings.ToLower(string(htmlpack.Paragraph(s, briefing.Paragraph{Text: text, Marking: "RESTRICTED"})))
		if m := badTag.FindString(out); m != "" {
			t.Fatalf("%q gave %s", text, m)
		}
		if m := eventAttr.FindString(out); m != "" {
			t.Fatalf("%q gave an event handler: %s", text, m)
		}
		if strings.Contains(out, `href="javascript:`) || srcAttr.MatchString(out) {
			t.Fatalf("%q gave %s", text, out)
		}
	})
}

// TestRender_SheetPartsSavedOver: a sheet's section saved over is dropped
// when the new one is kept, not held until it is the least recently used;
// the other sheets' sections, and the same sheet's under another ceiling,
// stay.
func TestRender_SheetPartsSavedOver(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 3)
	low := packtest.Pack(s, 3)
	low.Ceiling = "RESTRICTED"
	for i := range p.Sheets {
		p.Sheets[i].Stored = "saved-over-1-" + p.Sheets[i].ID
		low.Sheets[i].Stored = p.Sheets[i].Stored
	}
	render(t, p)
	render(t, low)
	was, other, lower := htmlpack.PartKey(p, p.Sheets[0]), htmlpack.PartKey(p, p.Sheets[1]), htmlpack.PartKey(low, low.Sheets[0])
	p.Sheets[0].Stored = "saved-over-2-" + p.Sheets[0].ID
	render(t, p)
	if htmlpack.Kept(was) {
		t.Error("the section of the sheet as it was before its save is still kept")
	}
	if !htmlpack.Kept(htmlpack.PartKey(p, p.Sheets[0])) || !htmlpack.Kept(other) || !htmlpack.Kept(lower) {
		t.Error("a section still of use was dropped")
	}
}

// TestWarm_SavedOver: a paragraph's renderings are dropped once its text
// is saved over — the release edition's when the new text is saved, the
// full edition's when a pack renders the new text — and only then: a page
// showing another text under the paragraph's id (a past version, the
// editor's working copy), or a save checked and never stored, drops
// nothing a pack uses; another paragraph's renderings stay.
func TestWarm_SavedOver(t *testing.T) {
	s := settings(t)
	before := "The text of paragraph one before its save, {{s6(a): withheld words}}, unique to this test."
	after := "The text of paragraph one after its save, unique to this test."
	other := "The text of paragraph two, unique to this test."
	p := packtest.Pack(s, 1)
	sh := p.Sheets[0]
	sh.Stored = "warm-saved-over-1"
	sh.Sections[0].Paragraphs[0].ID, sh.Sections[0].Paragraphs[0].Text = "p-saved-over-1", before
	sh.Sections[0].Paragraphs[1].ID, sh.Sections[0].Paragraphs[1].Text = "p-saved-over-2", other
	htmlpack.Warm(s, sh.Sections[0].Paragraphs[0])
	htmlpack.Warm(s, sh.Sections[0].Paragraphs[1])
	render(t, p)
	redacted, _, err := s.Redact(before)
	if err != nil {
		t.Fatal(err)
	}
	if !htmlpack.RenderingKept("full", before) || !htmlpack.RenderingKept("release", redacted) {
		t.Fatal("a paragraph warmed is not kept")
	}
	// A page shows another text under the paragraph's id.
	htmlpack.Paragraph(s, briefing.Paragraph{ID: "p-saved-over-1", Text: "A working copy, unique to this test."})
	if !htmlpack.RenderingKept("full", before) {
		t.Fatal("a page's rendering of another text dropped the stored text's")
	}
	// The paragraph is saved with a new text, and the pack rendered again.
	htmlpack.Warm(s, briefing.Paragraph{ID: "p-saved-over-1", Text: after})
	if htmlpack.RenderingKept("release", redacted) {
		t.Error("the release rendering of the text saved over is still kept")
	}
	if !htmlpack.RenderingKept("full", before) {
		t.Error("the full rendering of the stored text went before any pack rendered the new one")
	}
	sh.Sections[0].Paragraphs[0].Text = after
	sh.Stored = "warm-saved-over-2"
	render(t, p)
	if htmlpack.RenderingKept("full", before) {
		t.Error("the full rendering of the text saved over is still kept after the pack rendered the new one")
	}
	if !htmlpack.RenderingKept("full", after) || !htmlpack.RenderingKept("full", other) || !htmlpack.RenderingKept("release", other) {
		t.Error("a rendering still of use was dropped")
	}
}

// storedPieces returns the pieces and keys of the HTML file of a pack of n
// sheets as if read from the store, each with a digest made of prefix and
// its id.
func storedPieces(t *testing.T, n int, prefix string) ([][]byte, []string) {
	t.Helper()
	p := packtest.Pack(settings(t), n)
	for _, sh := range p.Sheets {
		sh.Stored = prefix + sh.ID
	}
	pieces, err := htmlpack.Parts(p)
	if err != nil {
		t.Fatal(err)
	}
	return pieces, htmlpack.Keys(p)
}

// TestTag_NamesTheBytes: a pack's tag is the same whether its pieces'
// hashes come from the kept sections or are computed afresh; it changes
// with any byte of any piece, a kept section's copy given in its place
// included, and a piece under a kept section's key that is not that
// section is hashed, not taken for it.
func TestTag_NamesTheBytes(t *testing.T) {
	pieces, keys := storedPieces(t, 5, "tag-digest-")
	tag := htmlpack.Tag(pieces, keys)
	if fresh := htmlpack.Tag(pieces, nil); fresh != tag {
		t.Fatalf("the tag from kept hashes %s differs from the tag hashed afresh %s", tag, fresh)
	}
	copies := make([][]byte, len(pieces))
	for i, pc := range pieces {
		copies[i] = bytes.Clone(pc)
	}
	if got := htmlpack.Tag(copies, keys); got != tag {
		t.Fatal("the same bytes in copies of the pieces give another tag")
	}
	copies[2][len(copies[2])/2] ^= 1 // a byte of a sheet's section, in a copy
	if got := htmlpack.Tag(copies, keys); got == tag || got != htmlpack.Tag(copies, nil) {
		t.Fatal("a changed copy of a kept section was tagged as the section")
	}
}

// TestRender_SheetParts: a sheet read from the store is rendered once per
// what its section is built from. The same stored record under another
// ceiling, edition, owner or changed paragraph is rendered afresh, never
// taken from the part kept for the first; and the file holds no mark.
func TestRender_SheetParts(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 3)
	for _, sh := range p.Sheets {
		sh.Stored = "digest-" + sh.ID
	}
	first := render(t, p)
	if !strings.Contains(first, "(5.2).") {
		t.Fatal("the pack lacks a paragraph")
	}
	if strings.ContainsRune(first, 0) || strings.Contains(first, "sheet-") && strings.Contains(first, ":\x00") {
		t.Fatal("a sheet's mark is left in the file")
	}
	// The same sheets again: the same bytes.
	if again := render(t, p); again != first {
		t.Fatal("the same pack renders differently from its kept parts")
	}
	// A lower ceiling: the reader's copy of the same record holds less; the
	// part for the higher clearance must not be used.
	low := packtest.Pack(s, 3)
	for _, sh := range low.Sheets {
		sh.Stored = "digest-" + sh.ID
		var secs []briefing.Section
		for _, sec := range sh.Sections {
			sec.Paragraphs = sec.Paragraphs[:1]
			secs = append(secs, sec)
		}
		sh.Sections = secs
	}
	low.Ceiling = "RESTRICTED"
	out := render(t, low)
	if strings.Contains(out, "(5.2).") {
		t.Fatal("a part kept for a higher ceiling was used for a lower one")
	}
	// Changed since last round: a new key.
	p.Changed = map[string]bool{briefing.ChangedKey(p.Sheets[0].ID, 0, 0): true}
	if out := render(t, p); !strings.Contains(out, "Changed since the last round") {
		t.Fatal("a part kept without the changed mark was used")
	}
	// Another owner name (a renamed user) is another key too.
	p.Changed = nil
	p.Sheets[0].Owner = "someone else"
	if k1, k2 := htmlpack.PartKey(p, p.Sheets[0]), htmlpack.PartKey(p, p.Sheets[1]); k1 == k2 || k1 == "" {
		t.Fatal("part keys collide")
	}
}

// TestGzip: a pack's pieces compressed into a gzip file read back as the
// pack, byte for byte, the first time (nothing kept) and again (each
// sheet's section from its kept compressed copy); a kept copy that does
// not hold exactly the piece's text is not used.
func TestGzip(t *testing.T) {
	pieces, keys := storedPieces(t, 40, "gzip-digest-")
	if len(keys) != len(pieces) || keys[0] != "" || keys[1] == "" || keys[len(keys)-1] != "" {
		t.Fatalf("%d keys for %d pieces: first %q, second %q", len(keys), len(pieces), keys[0], keys[1])
	}
	want := bytes.Join(pieces, nil)
	gunzip := func(gz []byte) []byte {
		t.Helper()
		r, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r) // checks the CRC-32 and length at the end
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for i := range 2 {
		gz, err := htmlpack.Gzip(pieces, keys)
		if err != nil {
			t.Fatal(err)
		}
		if got := gunzip(gz); !bytes.Equal(got, want) {
			t.Fatalf("round %d: %d bytes back, want %d", i, len(got), len(want))
		}
		if len(gz) > len(want)/3 {
			t.Fatalf("round %d: %d bytes compressed to %d", i, len(want), len(gz))
		}
	}
	// The same keys over other text (as if a section were rendered
	// differently for the same key): the kept copies are not used.
	other := make([][]byte, len(pieces))
	for i, pc := range pieces {
		other[i] = bytes.ReplaceAll(pc, []byte("the"), []byte("THE"))
	}
	gz, err := htmlpack.Gzip(other, keys)
	if err != nil {
		t.Fatal(err)
	}
	if got := gunzip(gz); !bytes.Equal(got, bytes.Join(other, nil)) {
		t.Fatal("a kept compressed section was used for other text")
	}
}

// TestFullText_EscapedLinkIsText: "\[label](address)" is text in both
// editions — the backslash keeps the bracket, and a span in the address
// stays a span, highlighted in the full edition and withheld in the release.
func TestFullText_EscapedLinkIsText(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	text := `\[label](http://x.example/p?{{s6(a): secretseven}}) and \<http://a.example>`
	full := htmlpack.FullText(s, "", text)
	for _, want := range []string{"[label](http://x.example/p?", `<mark class="withheld"><span class="ground">[s6(a)]</span> secretseven</mark>`, "&lt;http://a.example&gt;"} {
		if !strings.Contains(full, want) {
			t.Errorf("full edition %s lacks %s", full, want)
		}
	}
	red, _, err := s.Redact(text)
	if err != nil {
		t.Fatal(err)
	}
	if want := `\[label](http://x.example/p?s6(a)) and \<http://a.example>`; red != want {
		t.Errorf("released as %q, want %q", red, want)
	}
}

// TestRender_ListAfterALine: a list typed straight under a line of text
// ("Our points:", then "- first"), as a workbook's cell or the editor
// (whose text area sends "\r\n") holds it, shows as a list in both
// editions: its withheld span highlighted in the full one, its ground in
// the release.
func TestRender_ListAfterALine(t *testing.T) {
	s := settings(t)
	for name, text := range map[string]string{
		"LF":   "Our points:\n- first {{s6(a): QQWITHHELDQQ}}\n- second",
		"CRLF": "Our points:\r\n- first {{s6(a): QQWITHHELDQQ}}\r\n- second",
	} {
		full := packtest.Pack(s, 2)
		full.Sheets[0].Sections[0].Paragraphs[0] = briefing.Paragraph{Text: text, Marking: "RESTRICTED"}
		want := `<p><span class="pm">(R)</span> Our points:</p>` + "\n\n<ul>\n" +
			`<li>first <mark class="withheld"><span class="ground">[s6(a)]</span> QQWITHHELDQQ</mark></li>` + "\n<li>second</li>\n</ul>"
		if out := render(t, full); !strings.Contains(out, want) {
			i := strings.Index(out, "Our points:")
			t.Errorf("%s: the full edition shows\n%s\nwant\n%s", name, out[max(0, i-40):min(len(out), i+200)], want)
		}
		rel, err := briefing.ReleaseView(full)
		if err != nil {
			t.Fatal(err)
		}
		out := render(t, rel)
		if want := "<p>Our points:</p>\n\n<ul>\n<li>first s6(a)</li>\n<li>second</li>\n</ul>"; !strings.Contains(out, want) {
			i := strings.Index(out, "Our points:")
			t.Errorf("%s: the release shows\n%s\nwant\n%s", name, out[max(0, i-40):min(len(out), i+200)], want)
		}
		if strings.Contains(out, "QQWITHHELDQQ") {
			t.Errorf("%s: a withheld word in the release", name)
		}
	}
}

// TestMarkdown_ListAfterALineOnly: a list typed under a line of text is
// a list, and nothing else renders otherwise: a list's own lines, a
// quotation's, fenced code, an indented line, a line beginning with a
// number that is not 1 and a heading; and a list inside a withheld span
// is a list, the span marked in each of its blocks.
func TestMarkdown_ListAfterALineOnly(t *testing.T) {
	s := settings(t)
	for md, want := range map[string]string{
		"Our points:\n- first\n- second":  "<p>Our points:</p>\n\n<ul>\n<li>first</li>\n<li>second</li>\n</ul>",
		"Our points:\n* first\n+ second":  "<p>Our points:</p>\n\n<ul>\n<li>first</li>\n<li>second</li>\n</ul>",
		"Steps:\n1. one\n2. two":          "<p>Steps:</p>\n\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>",
		"- a\n\nThen:\n- b":               "<ul>\n<li>a</li>\n</ul>\n\n<p>Then:</p>\n\n<ul>\n<li>b</li>\n</ul>",
		"One.\r\n\r\nTwo.":                "<p>One.</p>\n\n<p>Two.</p>",
		"Our points:\n\n- first":          "<p>Our points:</p>\n\n<ul>\n<li>first</li>\n</ul>",
		"in the year\n2018. Then more":    "<p>in the year\n2018. Then more</p>",
		"A line\n    indented more":       "<p>A line\n    indented more</p>",
		"A line\n> not quoted":            "<p>A line\n&gt; not quoted</p>",
		"> q\nlazy\n- a":                  "<blockquote>\n<p>q\nlazy\n- a</p>\n</blockquote>",
		"- a\nlazy\n- b":                  "<ul>\n<li>a\nlazy</li>\n<li>b</li>\n</ul>",
		"- a\n  - b\n- c":                 "<ul>\n<li>a\n\n<ul>\n<li>b</li>\n</ul></li>\n<li>c</li>\n</ul>",
		"text\n```\n- code\n```":          "<p>text</p>\n\n<pre><code>- code\n</code></pre>",
		"Para\n- - -":                     "<p>Para</p>\n\n<hr>",
		"Title\n---":                      "<p>Title</p>\n\n<hr>",
		"a **b**\nc":                      "<p>a <strong>b</strong>\nc</p>",
		"### Heading\n- a":                "<h3>Heading</h3>\n\n<ul>\n<li>a</li>\n</ul>",
		"Dash-led -not a list\n-1 either": "<p>Dash-led -not a list\n-1 either</p>",
	} {
		if got := string(htmlpack.Markdown(md)); got != want {
			t.Errorf("%q\n got %q\nwant %q", md, got, want)
		}
	}
	// A list inside a withheld span is a list, as one outside it: the
	// span marked in each block, not "- first" as words of the line.
	text := "Our points {{s6(a): in full:\n- first}}"
	if got, want := htmlpack.FullText(s, "", text), `<p>Our points <mark class="withheld"><span class="ground">[s6(a)]</span> in full:</mark></p>`+
		"\n\n<ul>\n"+`<li><mark class="withheld"><span class="ground goes-on">[s6(a)]</span> first</mark></li>`+"\n</ul>"; got != want {
		t.Errorf("%q\n got %q\nwant %q", text, got, want)
	}
}

// TestRender_SpanAcrossBlocks: a withheld span that Markdown carries across
// blocks — an empty line, into a list or a quotation, from one item to the
// next, across a table's cells, out of bold text — is in the full edition
// one mark per block, each nested inside its block and labelled with the
// ground, every withheld word inside one; a mark opened in one paragraph
// used to be closed after the next began. The release edition carries
// none of the words.
func TestRender_SpanAcrossBlocks(t *testing.T) {
	s := settings(t)
	texts := []string{
		"Before {{s6(a): QQone QQtwo\n\nQQthree QQfour}} after.",
		"Lead {{s6(a): QQone\n\n- QQtwo\n- QQthree}} tail.",
		"Lead {{s6(a): QQone\n- QQtwo\n- QQthree}} tail.",
		"Our points:\n\n- first {{s6(a): QQone\n- QQtwo}} second\n\nThen {{s9(2)(a): QQthree}}.",
		"- item {{s6(a): QQone\n\n  QQtwo}} after.",
		"Before {{s6(a): QQone\n\n> QQtwo\n\n### QQthree}} after.",
		"| a | b |\n|---|---|\n| {{s6(a): QQone | QQtwo}} |",
		"a **{{s6(a): QQone** QQtwo}} and **b {{s6(a): QQthree** QQfour}} c",
	}
	full := packtest.Pack(s, 2)
	paras := full.Sheets[0].Sections[0].Paragraphs[:0]
	for _, text := range texts {
		p := briefing.Paragraph{Text: text, Marking: "RESTRICTED"}
		html := string(htmlpack.Paragraph(s, p))
		if err := marksNested(html); err != nil {
			t.Errorf("%q: %v\n%s", text, err, html)
		}
		for _, label := range []string{"[s6(a)]", "[s9(2)(a)]"} {
			if strings.Contains(text, label[1:len(label)-1]) && !strings.Contains(html, `<mark class="withheld"><span class="ground">`+label+`</span> `) {
				t.Errorf("%q: no mark labelled %s\n%s", text, label, html)
			}
		}
		paras = append(paras, p)
	}
	full.Sheets[0].Sections[0].Paragraphs = paras
	out := render(t, full)
	for _, p := range paras {
		if !strings.Contains(out, string(htmlpack.Paragraph(s, p))) {
			t.Errorf("the pack does not show %q as Paragraph does", p.Text)
		}
	}
	rel, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	out = render(t, rel)
	if strings.Contains(out, "QQ") {
		i := strings.Index(out, "QQ")
		t.Errorf("a withheld word in the release: …%s…", out[max(0, i-80):min(len(out), i+40)])
	}
	for _, want := range []string{"<p>Before s6(a) after.</p>", "<p>Lead s6(a) tail.</p>", "<li>first s6(a) second</li>"} {
		if !strings.Contains(out, want) {
			t.Errorf("the release lacks %s", want)
		}
	}
}

// marksNested reads a fragment of the pack's HTML and reports an element
// closed while another opened inside it is still open, a block inside a
// mark, or a withheld word (one beginning "QQ") outside every mark.
func marksNested(fragment string) error {
	d := xml.NewDecoder(strings.NewReader("<root>" + fragment + "</root>"))
	d.Entity = xml.HTMLEntity
	inline := map[string]bool{"strong": true, "em": true, "code": true, "span": true, "br": true, "del": true}
	var stack []string
	marks := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			if marks > 0 && !inline[name] {
				return fmt.Errorf("<%s> inside a mark", name)
			}
			if name == "br" || name == "hr" {
				continue
			}
			if name == "mark" {
				marks++
			}
			stack = append(stack, name)
		case xml.EndElement:
			name := tok.Name.Local
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Errorf("</%s> closes <%s>", name, strings.Join(stack, "><"))
			}
			stack = stack[:len(stack)-1]
			if name == "mark" {
				marks--
			}
		case xml.CharData:
			for _, w := range strings.Fields(string(tok)) {
				if strings.HasPrefix(w, "QQ") && marks == 0 {
					return fmt.Errorf("%s is not in a mark", w)
				}
			}
		}
	}
	if len(stack) != 0 {
		return fmt.Errorf("<%s> left open", strings.Join(stack, "><"))
	}
	return nil
}

// TestRender_ScheduleCountsOne: a release of one document says so, not "1
// documents were identified".
func TestRender_ScheduleCountsOne(t *testing.T) {
	s := settings(t)
	for n, want := range map[int]string{1: "<p>1 document was identified. </p>", 2: "<p>2 documents were identified. </p>"} {
		rel, err := briefing.ReleaseView(packtest.Pack(s, n))
		if err != nil {
			t.Fatal(err)
		}
		if out := render(t, rel); !strings.Contains(out, want) {
			i := strings.Index(out, `id="schedule"`)
			t.Errorf("%d documents: want %q in\n%s", n, want, out[i:i+200])
		}
	}
}

// TestKeepParts: the sections KeepParts keeps, and keeps compressed, are
// the ones a file of the same pack then takes as kept, and that file is
// the same bytes as one built with nothing kept, in both editions.
func TestKeepParts(t *testing.T) {
	full := packtest.Pack(settings(t), 4)
	release, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*briefing.Pack{full, release} {
		stored := func(tag string) {
			for _, sh := range p.Sheets {
				sh.Stored = fmt.Sprintf("%s, %s, %s, test %p", tag, p.Edition, sh.ID, p)
			}
		}
		stored("built whole")
		want := render(t, p)
		stored("kept first")
		if err := htmlpack.KeepParts(p); err != nil {
			t.Fatal(err)
		}
		for _, sh := range p.Sheets {
			key := htmlpack.PartKey(p, sh)
			if !htmlpack.Kept(key) || !htmlpack.GzKept(key) {
				t.Errorf("%s sheet %s: section kept %v, compressed %v", p.Edition, sh.ID, htmlpack.Kept(key), htmlpack.GzKept(key))
			}
		}
		if got := render(t, p); got != want {
			t.Errorf("%s: the file from the parts kept first differs from one built whole", p.Edition)
		}
		pieces, err := htmlpack.Parts(p)
		if err != nil {
			t.Fatal(err)
		}
		gz, err := htmlpack.Gzip(pieces, htmlpack.Keys(p))
		if err != nil {
			t.Fatal(err)
		}
		r, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || string(got) != want {
			t.Errorf("%s: the compressed file from the parts kept first is not the file (%v)", p.Edition, err)
		}
	}
}

// TestRender_StylesEveryClass: every class the pack's template gives an
// element is styled in the pack's own style sheet: rules written outside
// the template that makes it (after its end) were in no pack, and the
// DRAFT marks printed as plain words.
func TestRender_StylesEveryClass(t *testing.T) {
	p := packtest.Pack(settings(t), 3)
	out := render(t, p)
	style := out[strings.Index(out, "<style>"):strings.Index(out, "</style>")]
	src, err := fs.ReadFile(templates.FS, "pack/pack.html")
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]bool{}
	for _, m := range regexp.MustCompile(`class="([^"{]+)"`).FindAllStringSubmatch(string(src), -1) {
		for _, c := range strings.Fields(m[1]) {
			classes[c] = true
		}
	}
	if len(classes) < 10 || !classes["draft"] {
		t.Fatalf("classes read from the template: %v", classes)
	}
	for c := range classes {
		if !regexp.MustCompile(`\.` + regexp.QuoteMeta(c) + `\b`).MatchString(style) {
			t.Errorf("class %q is given by the pack's template and styled nowhere in the pack", c)
		}
	}
}

// TestMarkdown_ParserPanics: blackfriday v2.1.0 panics on some definition
// lists; the text is read without them, every word kept, and no request
// holding it fails.
func TestMarkdown_ParserPanics(t *testing.T) {
	for _, in := range []string{"a\n: b\n\nc\n d", "Term one\n: its meaning\n\nTerm two\n definition"} {
		got := string(htmlpack.Markdown(in))
		for _, w := range strings.Fields(strings.NewReplacer(":", " ").Replace(in)) {
			if !strings.Contains(got, w) {
				t.Errorf("%q rendered %q: %q is missing", in, got, w)
			}
		}
		if htmlpack.Parse([]byte(in)) == nil {
			t.Errorf("%q is not parsed without definition lists", in)
		}
	}
}
