package seeds_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/seeds"
	"briefpack/store"
)

func fakeHash(pw string) (string, error) { return "hash:" + pw, nil }

func open(t *testing.T, j string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), j)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return db
}

// allSheets returns every sheet of every round of the store's one dialogue.
func allSheets(t *testing.T, db *store.DB) (*briefing.Dialogue, []*briefing.Round, map[string][]*briefing.Sheet) {
	t.Helper()
	ctx := context.Background()
	ds, _, err := db.Dialogues(ctx, briefing.Page{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("%v, %d dialogues", err, len(ds))
	}
	rs, _, _ := db.Rounds(ctx, ds[0].ID, briefing.Page{})
	sheets := map[string][]*briefing.Sheet{}
	for _, r := range rs {
		sheets[r.ID], _, _ = db.Sheets(ctx, r.ID, briefing.Page{})
	}
	return ds[0], rs, sheets
}

func TestLoad_NZ(t *testing.T) {
	ctx := context.Background()
	db := open(t, "nz")
	logins, err := seeds.Load(ctx, db, fakeHash)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 5 {
		t.Fatalf("%d logins", len(logins))
	}
	for _, l := range logins {
		u, err := db.UserByName(ctx, l.Name)
		if err != nil || u.PasswordHash != "hash:"+l.Password || len(l.Password) < 16 {
			t.Fatalf("%+v: %v", l, err)
		}
	}
	d, rs, sheets := allSheets(t, db)
	// Three rounds from the sources, and an upcoming one that says it is the demo's.
	if d.Name != "Australia–New Zealand National Security Dialogue" || len(rs) != 4 || !strings.Contains(rs[3].Purpose, "Demo round, upcoming") || rs[3].StartsOn < "2027-01-01" {
		t.Fatalf("%s, %d rounds", d.Name, len(rs))
	}
	r := rs[2]
	var titles []string
	byID := map[string]*briefing.Sheet{}
	for _, sh := range sheets[r.ID] {
		byID[sh.ID] = sh
	}
	for _, a := range r.Agenda {
		sh := byID[a.SheetID]
		if sh == nil {
			t.Fatalf("agenda item %+v names no sheet of the round", a)
		}
		if sh.Withhold == "" {
			titles = append(titles, sh.Title)
		}
	}
	if strings.Join(titles, "|") != "Foreign Interference|Emerging Technologies|Rules-based order|Counter Terrorism" {
		t.Fatalf("agenda %v", titles)
	}
	s, _ := db.Settings(ctx)
	var text strings.Builder
	for _, sh := range sheets[r.ID] {
		if err := sh.Validate(s); err != nil {
			t.Fatalf("%s: %v", sh.Title, briefing.ErrorFields(err))
		}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				text.WriteString(p.Text + "\n")
			}
		}
	}
	for _, want := range []string{
		"Maximise the benefits of our open economy and society, while managing the risks at the margins in a proportionate way.",
		"Ministers have agreed a work programme, and are looking forward to seeing more advice.",
		"Identify and pursue new architectures to meet reinforce the order.",
		"National terrorism threat level remains at Low.",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("missing %q", want)
		}
	}
	if _, err := seeds.Load(ctx, db, fakeHash); briefing.ErrorCode(err) != briefing.ECONFLICT {
		t.Fatalf("second load: %v", err)
	}
	// A session of the old password, and a user an administrator
	// disabled: the reset ends the one and leaves the other as it is,
	// disabled, its password unchanged and none printed.
	lead, err := db.UserByName(ctx, "lead")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSession(ctx, &briefing.Session{Hash: "old", UserID: lead.ID, UserVersion: lead.Version, Name: "lead", Role: lead.Role, Clearance: lead.Clearance, CreatedAt: time.Now(), LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
	viewer, err := db.UserByName(ctx, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	viewer.Disabled = true
	if err := db.UpdateUser(ctx, viewer, briefing.Actor{Name: "admin"}); err != nil {
		t.Fatal(err)
	}
	again, err := seeds.ResetLogins(ctx, db, fakeHash, nil)
	if err != nil || len(again) != 5 || again[1].Password == logins[1].Password ||
		again[0] != (seeds.Login{Name: "viewer", Role: briefing.RoleViewer, Clearance: "RESTRICTED", Disabled: true}) {
		t.Fatalf("reset: %v %+v", err, again)
	}
	if _, err := db.Session(ctx, "old"); briefing.ErrorCode(err) != briefing.ENOTFOUND {
		t.Fatalf("a session of the old password outlives the reset: %v", err)
	}
	if v, _ := db.UserByName(ctx, "viewer"); !v.Disabled || v.Version != viewer.Version || v.PasswordHash != "hash:"+logins[0].Password {
		t.Fatalf("the reset changed a user an administrator had disabled: %+v", v)
	}
}

// TestLoad_NZReleaseReadsLikeTheSeed redacts the Rules-based order sheet
// the way a release does and compares it with the released document.
func TestLoad_NZReleaseReadsLikeTheSeed(t *testing.T) {
	ctx := context.Background()
	db := open(t, "nz")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	_, _, sheets := allSheets(t, db)
	var got []string
	for _, list := range sheets {
		for _, sh := range list {
			if sh.Title != "Rules-based order" {
				continue
			}
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					if p.Withhold != "" {
						got = append(got, "- "+p.Withhold)
						continue
					}
					red, _, err := s.Redact(p.Text)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, red)
				}
			}
		}
	}
	want := []string{
		"- The international rules-based order is under serious, sustained challenge. s6(a)",
		"- New Zealand's interests are best served under a rules-based system.",
	}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Fatalf("paragraph %d: got %q, want %q", i, got[i], w)
		}
	}
	if len(got) != 19 {
		t.Fatalf("%d paragraphs, want the 19 of the released sheet", len(got))
	}
	if got[11] != "- Working with like-minded-countries on WTO reform issues s6(a) s6(a)" {
		t.Fatalf("%q", got[11])
	}
}

func TestLoad_AU(t *testing.T) {
	ctx := context.Background()
	db := open(t, "au")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	d, rs, _ := allSheets(t, db)
	if d.Partner != "Japan" || len(rs) != 4 || rs[1].StartsOn != "2016-08-02" || rs[1].City != "Tokyo" || rs[0].City != "Canberra (demo date and place)" {
		t.Fatalf("%+v %+v", d, rs)
	}
	as, _, _ := db.Actions(ctx, d.ID, briefing.Page{})
	var refs []string
	for _, a := range as {
		refs = append(refs, a.Ref)
	}
	if strings.Join(refs, ",") != "3.01,3.02,3.03,3.04,3.05,3.06,3.07" {
		t.Fatalf("%v", refs)
	}
	ags, _, _ := db.Agencies(ctx, briefing.Page{})
	names := map[string]bool{}
	for _, a := range ags {
		names[a.Acronym] = true
	}
	for _, want := range []string{"NISC", "NSS", "CIRO", "NPA", "MIC", "PSIA", "MOFA", "METI", "MOD", "JPCERT/CC", "PM&C", "DFAT", "CERT Australia", "Defence"} {
		if !names[want] {
			t.Errorf("agency %s missing", want)
		}
	}
}

// The demo's junior delegate is withheld under s9(2)(a): the release
// edition prints the ground where their name, title and biography were,
// and the full pack still names them.
func TestLoad_NZWithheldDelegate(t *testing.T) {
	ctx := context.Background()
	db := open(t, "nz")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	_, rounds, _ := allSheets(t, db)
	var r3 *briefing.Round
	for _, r := range rounds {
		if r.Number == 3 {
			r3 = r
		}
	}
	v := briefing.NewView(db, s, briefing.Reader{Clearance: "TOP SECRET"})
	full, err := briefing.Assemble(ctx, v, r3.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rel, err := briefing.ReleaseEdition(ctx, v, r3.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var fb, rb bytes.Buffer
	if err := htmlpack.Render(&fb, full); err != nil {
		t.Fatal(err)
	}
	if err := htmlpack.Render(&rb, rel); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fb.String(), "Alex Tane") {
		t.Error("the full pack does not name the junior delegate")
	}
	if strings.Contains(rb.String(), "Alex Tane") || strings.Contains(rb.String(), "Policy Adviser") || !strings.Contains(rb.String(), "s9(2)(a)") {
		t.Error("the release edition does not withhold the junior delegate under s9(2)(a)")
	}
}

// The AU round 2 lists every agency 004 names as taking part, on both sides:
// ten Japanese (MOFA chairing among them) and four Australian.
func TestLoad_AURound2Agencies(t *testing.T) {
	ctx := context.Background()
	db := open(t, "au")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	_, rounds, _ := allSheets(t, db)
	for _, r := range rounds {
		if r.Number != 2 {
			continue
		}
		sides := map[string]int{}
		for _, pa := range r.ParticipatingAgencies {
			sides[pa.Side]++
		}
		if sides["home"] != 4 || sides["partner"] != 10 {
			t.Fatalf("round 2 agencies by side: %v, want 4 Australian and 10 Japanese", sides)
		}
		return
	}
	t.Fatal("no round 2")
}

// seedText is a source document with its whitespace collapsed, read from
// the copy kept in testdata/sources so the fidelity tests run anywhere.
// Where the originals sit beside the repository, the copy must equal them.
func seedText(t *testing.T, prefix string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "sources", prefix+"_*.txt"))
	if len(files) != 1 {
		t.Fatalf("no source document %s in testdata/sources", prefix)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if orig, err := os.ReadFile(filepath.Join("..", "..", "shared", "seeds", filepath.Base(files[0]))); err == nil && !bytes.Equal(orig, b) {
		t.Fatalf("testdata/sources/%s differs from the source document beside the repository", filepath.Base(files[0]))
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestLoad_AUQuotesVerbatim: what the demo quotes is word for word its
// source: the 2nd round's outcomes are 004's, and commitments 3.01–3.07 are
// the Strategy's (002), each compared with the text of the seed.
func TestLoad_AUQuotesVerbatim(t *testing.T) {
	ctx := context.Background()
	db := open(t, "au")
	if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
		t.Fatal(err)
	}
	s004, s002 := seedText(t, "004"), seedText(t, "002")
	d, rs, sheets := allSheets(t, db)
	for _, p := range strings.Split(rs[1].Outcomes, "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); !strings.Contains(s004, p) {
			t.Errorf("round 2's outcomes are not 004's words: %q", p)
		}
	}
	as, _, _ := db.Actions(ctx, d.ID, briefing.Page{})
	for _, a := range as {
		if !strings.Contains(s002, a.Ref+" - "+a.Text) {
			t.Errorf("action %s is not the Strategy's wording: %q", a.Ref, a.Text)
		}
	}
	// The sheets that quote later texts belong to a round after them.
	for _, r := range rs {
		if len(sheets[r.ID]) > 0 && r.StartsOn < "2021-01-01" {
			t.Errorf("round %d (%s) holds sheets quoting texts of 2017–2021", r.Number, r.StartsOn)
		}
	}
}

// TestLoad_MarkdownWithinWork: the limit on what a paragraph's Markdown
// asks of the packs' reader (briefing.MaxMarkdownWork) is far from
// briefing prose. Every paragraph of the demo, either jurisdiction's, and
// every paragraph a source document's text is brought in as, repeated to
// as long as a paragraph may be, is within it; so is each source document
// itself, cut to that length, as one paragraph.
func TestLoad_MarkdownWithinWork(t *testing.T) {
	ctx := context.Background()
	long := func(text string) string {
		r := []rune(strings.Repeat(text+" ", briefing.MaxParagraphText/len([]rune(text+" "))+1))
		return string(r[:briefing.MaxParagraphText])
	}
	check := func(t *testing.T, s briefing.Settings, where, text string) {
		t.Helper()
		if why := s.MarkdownTooSlow(long(text)); why != "" {
			t.Errorf("%s, %.60q, at a paragraph's length: %s", where, text, why)
		}
	}
	for _, j := range []string{"nz", "au"} {
		t.Run(j, func(t *testing.T) {
			db := open(t, j)
			if _, err := seeds.Load(ctx, db, fakeHash); err != nil {
				t.Fatal(err)
			}
			s, _ := db.Settings(ctx)
			_, _, sheets := allSheets(t, db)
			n := 0
			for _, shs := range sheets {
				for _, sh := range shs {
					for _, sec := range sh.Sections {
						for _, p := range sec.Paragraphs {
							check(t, s, sh.Title, p.Text)
							n++
						}
					}
				}
			}
			if n < 20 {
				t.Fatalf("%d paragraphs", n)
			}
		})
	}
	s, _ := briefing.SettingsFor("nz")
	files, _ := filepath.Glob("testdata/sources/*.txt")
	if len(files) < 5 {
		t.Fatalf("%d source documents", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(t, s, f, string(raw))
		sh, _, err := s.ParseBrief(string(raw), "", "")
		if err != nil {
			continue // not a brief's shape
		}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				check(t, s, f, p.Text)
			}
		}
	}
}
