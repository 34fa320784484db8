package server_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// releaseFiles makes a release of a round with the given parts and returns
// its record's HTML and XLSX answers.
func (f *fixture) releaseFiles(round string, parts map[string]any) (html, xlsx response) {
	f.t.Helper()
	_, html, xlsx = f.makeRelease(round, releaseRequest(parts))
	return html, xlsx
}

// releaseRequest is a request answered with the given parts.
func releaseRequest(parts map[string]any) map[string]any {
	return map[string]any{"reference": "OIA-2026-0001", "received_on": "2026-11-01",
		"request": "The briefing pack.", "decision_maker": "Tony Lynch", "parts": parts}
}

// makeRelease makes a release of a round and returns the answer that made
// it (its record) and its HTML and XLSX answers.
func (f *fixture) makeRelease(round string, req map[string]any) (made, html, xlsx response) {
	f.t.Helper()
	made = f.do("lead", "POST", "/api/v1/rounds/"+round+"/releases", req)
	if made.Code != 201 {
		f.t.Fatalf("release: %d %s", made.Code, made.Body.String())
	}
	var rec struct{ ID string }
	made.json(&rec)
	html = f.do("lead", "GET", "/api/v1/releases/"+rec.ID+"?format=html", nil)
	xlsx = f.do("lead", "GET", "/api/v1/releases/"+rec.ID+"?format=xlsx", nil)
	if html.Code != 200 || xlsx.Code != 200 {
		f.t.Fatalf("release files: %d, %d", html.Code, xlsx.Code)
	}
	return made, html, xlsx
}

// workbookCells is every cell of a workbook, by worksheet, row by row.
func workbookCells(t *testing.T, body []byte) map[string][][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	out := map[string][][]string{}
	for _, n := range x.GetSheetList() {
		rows, err := x.GetRows(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = rows
	}
	return out
}

// sixParts is every part besides the topic sheets with the one decision.
func sixParts(decision string) map[string]any {
	parts := map[string]any{}
	for _, k := range []string{"cover", "agenda", "delegations", "biographies", "actions", "outcomes"} {
		d := map[string]any{"decision": decision}
		if decision == "withheld" {
			d["grounds"] = []string{"s6(a)"}
		}
		parts[k] = d
	}
	return parts
}

// TestRelease_WithheldNumberedParagraph: a numbered paragraph withheld
// whole is released as its ground alone; its number is its text and is not
// kept, in either format, in the release edition, a snapshot's release
// files or a release record. A withheld bullet keeps its bullet.
func TestRelease_WithheldNumberedParagraph(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Numbered",
		para("987654321) WHOLENUMCANARY numbered.", "RESTRICTED", "s9(2)(a)"),
		para("123456789. DOTNUMCANARY numbered.", "RESTRICTED", "s9(2)(a)"),
		para("- BULLETCANARY bullet.", "RESTRICTED", "s9(2)(a)"),
		para("2. A released numbered item.", "RESTRICTED", "")))
	tokens := []string{"987654321", "123456789", "WHOLENUMCANARY", "DOTNUMCANARY", "BULLETCANARY"}

	answers := map[string]response{}
	for _, format := range []string{"html", "xlsx"} {
		answers["release edition "+format] = f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format="+format+"&edition=release", nil)
	}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]bool{"force": true})
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var snap struct{ ID string }
	r.json(&snap)
	for _, format := range []string{"html", "xlsx"} {
		answers["snapshot "+format] = f.do("lead", "GET", "/api/v1/packs/"+snap.ID+"?format="+format+"&edition=release", nil)
	}
	answers["record html"], answers["record xlsx"] = f.releaseFiles(w.round, sixParts("released"))
	for name, a := range answers {
		if a.Code != 200 {
			t.Fatalf("%s: %d", name, a.Code)
		}
		for _, found := range findCanaries(tokens, a) {
			t.Errorf("%s: %s", name, found)
		}
	}

	// The ground stands alone where the numbered paragraphs were; the
	// bullet is still a bullet; a released number is untouched.
	html := answers["release edition html"].Body.String()
	if !strings.Contains(html, `<div class="ground-para"><p>s9(2)(a)</p></div>`) {
		t.Errorf("no paragraph that is the ground alone in the HTML")
	}
	if !strings.Contains(html, `<div class="ground-para"><ul>`) {
		t.Errorf("the withheld bullet is no longer a bullet in the HTML")
	}
	cells := workbookCells(t, answers["release edition xlsx"].Body.Bytes())
	var texts []string
	for _, row := range cells["Topics"] {
		if len(row) > 3 && row[0] == "Numbered" {
			texts = append(texts, row[3])
		}
	}
	want := []string{"s9(2)(a)", "s9(2)(a)", "• s9(2)(a)", "2. A released numbered item."}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("Topics texts %q, want %q", texts, want)
	}
}

// TestRelease_PurposeFollowsTheCover: the round's purpose and key messages
// are the cover's and are released only with it: with the cover withheld or
// out of scope neither format holds them; with it released both do, their
// withheld spans as grounds, and the schedule lists the cover.
func TestRelease_PurposeFollowsTheCover(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["purpose"] = "PURPOSECANARY why we meet {{s6(a): PURPOSESPANCANARY}}."
		r["key_messages"] = "KEYMSGCANARY what we say."
	})
	spans := []string{"PURPOSESPANCANARY"}
	cover := []string{"PURPOSECANARY", "KEYMSGCANARY", "Purpose and key messages", "Key messages"}
	for name, parts := range map[string]map[string]any{"withheld": sixParts("withheld"), "out of scope": {}} {
		t.Run(name, func(t *testing.T) {
			html, xlsx := f.releaseFiles(w.round, parts)
			for _, a := range []response{html, xlsx} {
				for _, found := range findCanaries(append(cover, spans...), a) {
					t.Errorf("%s", found)
				}
			}
			for _, row := range workbookCells(t, xlsx.Body.Bytes())["Cover"] {
				if len(row) > 0 && (row[0] == "Purpose" || row[0] == "Key messages") {
					t.Errorf("the Cover worksheet has a %s row", row[0])
				}
			}
		})
	}
	t.Run("released", func(t *testing.T) {
		parts := sixParts("withheld")
		parts["cover"] = map[string]any{"decision": "released_in_part", "grounds": []string{"s6(a)"}}
		html, xlsx := f.releaseFiles(w.round, parts)
		for _, a := range []response{html, xlsx} {
			for _, found := range findCanaries(spans, a) {
				t.Errorf("%s", found)
			}
		}
		body := html.Body.String()
		for _, want := range []string{`id="purpose"`, "PURPOSECANARY why we meet s6(a).", "KEYMSGCANARY", "<td>Briefing pack: cover</td><td>Released in part</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the HTML lacks %q", want)
			}
		}
		got := map[string]string{}
		for _, row := range workbookCells(t, xlsx.Body.Bytes())["Cover"] {
			if len(row) > 1 {
				got[row[0]] = row[1]
			}
		}
		if got["Purpose"] != "PURPOSECANARY why we meet s6(a)." || got["Key messages"] != "KEYMSGCANARY what we say." {
			t.Errorf("the Cover worksheet: purpose %q, key messages %q", got["Purpose"], got["Key messages"])
		}
	})
}

// TestRelease_LetterCountsWhatTheScheduleWithholds: with the six parts
// withheld and one sheet withheld in full, the letter, the schedule and the
// workbook's cover all give seven documents withheld in full, and only the
// sheet's title is said to be withheld.
func TestRelease_LetterCountsWhatTheScheduleWithholds(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("lead", "/api/v1/sheets/"+w.secretSheet, func(s map[string]any) { s["withhold"] = "s6(a)" })
	html, xlsx := f.releaseFiles(w.round, sixParts("withheld"))
	body := html.Body.String()
	want := "I have decided to withhold in full seven of these documents (including the title of one of them), under section 6(a) of the Act."
	if !strings.Contains(body, want) {
		t.Errorf("the letter lacks %q", want)
	}
	if strings.Contains(body, "(including titles)") {
		t.Errorf("the letter says every title is withheld")
	}
	if n := strings.Count(body, "<td>Withheld in full</td>"); n != 7 {
		t.Errorf("the schedule withholds %d documents in full, want 7", n)
	}
	cells := workbookCells(t, xlsx.Body.Bytes())
	got := ""
	for _, row := range cells["Cover"] {
		if len(row) > 1 && row[0] == "Withheld in full" {
			got = row[1]
		}
	}
	if got != "7 document(s)" {
		t.Errorf("the Cover worksheet: withheld in full %q, want 7 document(s)", got)
	}
	n := 0
	for _, row := range cells["Schedule"] {
		if len(row) > 2 && row[2] == "Withheld in full" {
			n++
		}
	}
	if n != 7 {
		t.Errorf("the Schedule worksheet withholds %d documents in full, want 7", n)
	}
	var letter []string
	for _, row := range cells["Letter"] {
		letter = append(letter, strings.Join(row, " "))
	}
	if !strings.Contains(strings.Join(letter, "\n"), want) {
		t.Errorf("the Letter worksheet lacks %q", want)
	}
}

// TestRelease_WithheldSpanInLinkDestination: a link whose address holds a
// withheld span is released as its label alone, so the ground's
// parentheses do not break the Markdown.
func TestRelease_WithheldSpanInLinkDestination(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Linked",
		para("See [LINKLABEL {{s6(a): LINKSECRETA}}](https://example.org/{{s6(a): LINKSECRETB}}) today.", "RESTRICTED", ""),
		para("Open [OPENLABEL](https://example.org/open) link.", "RESTRICTED", "")))
	tokens := []string{"LINKSECRETA", "LINKSECRETB"}
	html := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition=release", nil)
	xlsx := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=release", nil)
	rh, rx := f.releaseFiles(w.round, nil)
	for _, a := range []response{html, xlsx, rh, rx} {
		for _, found := range findCanaries(tokens, a) {
			t.Errorf("%s", found)
		}
	}
	for _, h := range []response{html, rh} {
		if body := h.Body.String(); !strings.Contains(body, "<p>See LINKLABEL s6(a) today.</p>") {
			i := strings.Index(body, "LINKLABEL")
			t.Errorf("the HTML reads %q", body[max(0, i-20):min(len(body), i+60)])
		}
	}
	for _, x := range []response{xlsx, rx} {
		var texts []string
		for _, row := range workbookCells(t, x.Body.Bytes())["Topics"] {
			if len(row) > 3 && row[0] == "Linked" {
				texts = append(texts, row[3])
			}
		}
		want := []string{"See LINKLABEL s6(a) today.", "Open OPENLABEL (https://example.org/open) link."}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("Topics texts %q, want %q", texts, want)
		}
	}
}

// TestRelease_WorkbookCellFitsAfterRedaction: the release workbook read a
// paragraph's text as one, each withheld span's ground between its
// neighbours, where the full edition reads each segment on its own.
// "<http://x.test/{{s6(a): w}}aaa…>" was saved, its full edition's cells
// within a spreadsheet cell's 32,767 UTF-16 units, and the release made
// an autolink of it, its address shown twice: a Topics cell of 34,041
// units, which LibreOffice and Excel cut, in the pack and the release
// records made from the round. The release's cell is the full edition's
// with the span replaced by its ground, and fits.
func TestRelease_WorkbookCellFitsAfterRedaction(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Long address",
		para("<http://x.test/{{s6(a): WORKBOOKSECRET}}"+strings.Repeat("a", 17000)+">", "RESTRICTED", "")))
	// topicText is the paragraph's Topics cell, failing t if any cell of
	// the workbook is past a spreadsheet cell's limit.
	topicText := func(what string, r response) string {
		t.Helper()
		text := ""
		for sheet, rows := range workbookCells(t, r.Body.Bytes()) {
			for i, row := range rows {
				for j, c := range row {
					if n := len(utf16.Encode([]rune(c))); n > 32767 {
						t.Errorf("%s: %s!%s%d is %d UTF-16 units, past a spreadsheet cell's 32,767", what, sheet, string(rune('A'+j)), i+1, n)
					}
				}
				if sheet == "Topics" && len(row) > 3 && row[0] == "Long address" {
					text = row[3]
				}
			}
		}
		if text == "" {
			t.Fatalf("%s: no Topics row of the paragraph", what)
		}
		return text
	}
	full := topicText("full edition", f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=full", nil))
	want := strings.Replace(full, "[s6(a): WORKBOOKSECRET]", "s6(a)", 1)
	if want == full {
		t.Fatalf("the full edition shows no span: %.60q", full)
	}
	_, record := f.releaseFiles(w.round, nil)
	for what, r := range map[string]response{
		"release edition": f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=release", nil),
		"release record":  record,
	} {
		if got := topicText(what, r); got != want {
			t.Errorf("%s: the cell reads %.60q…, not the full edition's with its ground, %.60q…", what, got, want)
		}
	}
}

// TestRelease_SheetListedTwice: a sheet withheld in full leaves no trace in
// a release, however many agenda items list it (a topic taken up in two
// sessions): not its title, nor an item's session or lead. A released
// sheet listed twice keeps both items. Before, the sheet was placed at its
// first item and the second lost its link to it, so the release took the
// second for a free-standing item and released it with the sheet's title.
func TestRelease_SheetListedTwice(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	whole := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "WHOLETITLECANARY Kauri", "withhold": "s6(a)",
		"sections": []map[string]any{{"kind": "situation", "paragraphs": []any{para("Open words.", "RESTRICTED", "")}}}})
	open := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Released Twice", para("Released words.", "RESTRICTED", "")))
	f.update("lead", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["agenda"] = []map[string]any{
			{"sheet_id": open, "session": "Morning", "starts_at": "09:00", "ends_at": "10:00"},
			{"sheet_id": whole, "session": "Morning", "starts_at": "10:00", "ends_at": "11:00"},
			{"sheet_id": whole, "session": "SESSIONCANARY on Kauri", "starts_at": "14:00", "ends_at": "15:00", "lead_person_id": w.person},
			{"sheet_id": open, "session": "Afternoon", "starts_at": "15:00", "ends_at": "16:00"},
		}
	})
	tokens := []string{"WHOLETITLECANARY", "SESSIONCANARY"}
	answers := map[string]response{}
	for _, format := range []string{"html", "xlsx"} {
		answers["release edition "+format] = f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format="+format+"&edition=release", nil)
	}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]bool{"force": true})
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var snap struct{ ID string }
	r.json(&snap)
	for _, format := range []string{"html", "xlsx"} {
		answers["snapshot "+format] = f.do("lead", "GET", "/api/v1/packs/"+snap.ID+"?format="+format+"&edition=release", nil)
	}
	answers["record html"], answers["record xlsx"] = f.releaseFiles(w.round, sixParts("released"))
	for name, a := range answers {
		if a.Code != 200 {
			t.Fatalf("%s: %d", name, a.Code)
		}
		for _, found := range findCanaries(tokens, a) {
			t.Errorf("%s: %s", name, found)
		}
	}
	// The released sheet keeps both its items, in the release and in the
	// full edition; the sheet withheld in full keeps its two in the full one.
	for _, c := range []struct {
		edition string
		items   []string
	}{
		{"release", []string{"Released Twice", "Released Twice"}},
		{"full", []string{"Released Twice", "WHOLETITLECANARY Kauri", "WHOLETITLECANARY Kauri", "Released Twice"}},
	} {
		r := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition="+c.edition, nil)
		var items []string
		for _, row := range workbookCells(t, r.Body.Bytes())["Agenda"][1:] {
			if len(row) > 3 && strings.Contains(row[3], "Kauri") || len(row) > 3 && strings.Contains(row[3], "Released Twice") {
				items = append(items, row[3])
			}
		}
		if strings.Join(items, "|") != strings.Join(c.items, "|") {
			t.Errorf("the %s edition's agenda lists %q, want %q", c.edition, items, c.items)
		}
	}
}

// TestRelease_DelegationsWithheldNameNoLead: a response that withholds the
// delegations names none of the delegates, not even as an agenda item's
// lead: withheld, the lead is written as a person withheld alone is (the
// part's grounds, their agency kept); out of scope, the item names no lead.
// Before, every lead's name and agency were released in the programme.
func TestRelease_DelegationsWithheldNameNoLead(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	lead := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Wiremu LEADCANARY Parata", "title": "TITLECANARY Director",
		"agency_id": w.agency, "country": "New Zealand", "marking": "RESTRICTED"})
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["delegation"] = []map[string]string{{"person_id": lead, "side": "home"}}
		r["agenda"] = []map[string]any{{"sheet_id": w.sheet, "starts_at": "09:00", "ends_at": "10:00", "lead_person_id": lead}}
	})
	for _, c := range []struct {
		delegations map[string]any
		lead        string // what the workbook's Agenda gives as the item's lead
	}{
		{map[string]any{"decision": "withheld", "grounds": []string{"s9(2)(a)"}}, "s9(2)(a) ("},
		{map[string]any{"decision": "out_of_scope"}, ""},
		{map[string]any{"decision": "released"}, "Wiremu LEADCANARY Parata ("},
	} {
		parts := sixParts("released")
		parts["delegations"] = c.delegations
		html, xlsx := f.releaseFiles(w.round, parts)
		if c.lead != "" && strings.HasPrefix(c.lead, "Wiremu") {
			if !strings.Contains(html.Body.String(), "LEADCANARY") {
				t.Error("delegations released: the HTML does not name the lead")
			}
		} else {
			for _, a := range []response{html, xlsx} {
				for _, found := range findCanaries([]string{"LEADCANARY", "TITLECANARY"}, a) {
					t.Errorf("delegations %v: %s", c.delegations["decision"], found)
				}
			}
		}
		var leads []string
		for _, row := range workbookCells(t, xlsx.Body.Bytes())["Agenda"][1:] {
			if len(row) > 5 {
				leads = append(leads, row[5])
			} else {
				leads = append(leads, "")
			}
		}
		if len(leads) != 1 || !strings.HasPrefix(leads[0], c.lead) || (c.lead == "" && leads[0] != "") {
			t.Errorf("delegations %v: the agenda's leads are %q, want one starting %q", c.delegations["decision"], leads, c.lead)
		}
	}
}

// TestRelease_OtherDocumentTitleWithheld: a document held outside briefpack
// whose title the lead withholds is listed as "title withheld" whatever the
// decision on its content, in the HTML, the workbook and the record, and
// the letter says so; withheld in full it has its title withheld unless
// told otherwise; released in full it cannot have (422). Before, a
// document released in part was listed under the title withheld.
func TestRelease_OtherDocumentTitleWithheld(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, c := range []struct {
		doc    map[string]any
		listed string // the title the schedule gives
		letter string
	}{
		{map[string]any{"title_withheld": true, "decision": "released_in_part", "grounds": []string{"s6(a)"}}, "title withheld",
			"I have released two documents to you in part (the title of one of them withheld), and"},
		{map[string]any{"title_withheld": true, "decision": "withheld", "grounds": []string{"s6(a)"}}, "title withheld",
			"withhold in full (including its title) one of these documents"},
		{map[string]any{"decision": "withheld", "grounds": []string{"s6(a)"}}, "title withheld",
			"withhold in full (including its title) one of these documents"},
		{map[string]any{"title_withheld": false, "decision": "withheld", "grounds": []string{"s6(a)"}}, "OTHERTITLECANARY cable",
			"withhold in full one of these documents"},
	} {
		c.doc["title"] = "OTHERTITLECANARY cable"
		parts := sixParts("out_of_scope")
		parts["cover"] = map[string]any{"decision": "released"}
		req := releaseRequest(parts)
		req["other_documents"] = []any{c.doc}
		made, html, xlsx := f.makeRelease(w.round, req)
		name := fmt.Sprintf("%v %v", c.doc["decision"], c.doc["title_withheld"])
		var rec struct{ Schedule []struct{ Title string } }
		made.json(&rec)
		if n := len(rec.Schedule); n == 0 || rec.Schedule[n-1].Title != c.listed {
			t.Errorf("%s: the record's schedule is %+v, want the last listed as %q", name, rec.Schedule, c.listed)
		}
		if c.listed == "title withheld" {
			for _, a := range []response{html, xlsx} {
				for _, found := range findCanaries([]string{"OTHERTITLECANARY"}, a) {
					t.Errorf("%s: %s", name, found)
				}
			}
		}
		if body := html.Body.String(); !strings.Contains(body, c.letter) {
			t.Errorf("%s: the letter lacks %q", name, c.letter)
		}
	}
	req := releaseRequest(nil)
	req["other_documents"] = []any{map[string]any{"title": "A cable", "title_withheld": true, "decision": "released"}}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", req)
	if r.Code != 422 || !strings.Contains(r.Body.String(), "other_documents[0].title_withheld") {
		t.Errorf("a document released in full with its title withheld: %d %s", r.Code, r.Body.String())
	}
}

// TestRelease_DelegationsWithheldNameNoCounterpart: the counterparts whose
// biographies a response releases are the partner side of the delegations,
// so with the delegations withheld each is written as a person withheld
// alone is (the delegations' grounds for name, title and biography, the
// agency kept), and with them out of scope the biography is released
// without its subject's name and title. Before, every partner co-chair and
// delegate was named, with title, under "Counterpart biographies".
func TestRelease_DelegationsWithheldNameNoCounterpart(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	partner := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Hamish PARTNERCANARY McTavish", "title": "PTITLECANARY First Assistant Secretary",
		"agency_id": w.agency, "country": "Australia", "bio": "BIOCANARY served in Jakarta.", "marking": "RESTRICTED"})
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["co_chairs"] = []map[string]string{{"person_id": w.person, "side": "home"}, {"person_id": partner, "side": "partner"}}
	})
	for _, c := range []struct {
		delegations map[string]any
		hidden      []string // what the release must not hold
		bio         string   // the biography as released
	}{
		{map[string]any{"decision": "withheld", "grounds": []string{"s9(2)(a)"}}, []string{"PARTNERCANARY", "PTITLECANARY", "BIOCANARY"},
			`<div class="bio"><h3>s9(2)(a)</h3>`},
		{map[string]any{"decision": "out_of_scope"}, []string{"PARTNERCANARY", "PTITLECANARY"},
			"<p>BIOCANARY served in Jakarta.</p>"},
		{map[string]any{"decision": "released"}, nil,
			`<div class="bio"><h3>Hamish PARTNERCANARY McTavish</h3>`},
	} {
		parts := sixParts("released")
		parts["delegations"] = c.delegations
		html, xlsx := f.releaseFiles(w.round, parts)
		for _, a := range []response{html, xlsx} {
			for _, found := range findCanaries(c.hidden, a) {
				t.Errorf("delegations %v: %s", c.delegations["decision"], found)
			}
		}
		body := html.Body.String()
		if !strings.Contains(body, c.bio) {
			i := strings.Index(body, `id="biographies"`)
			t.Errorf("delegations %v: the biographies lack %q: %s", c.delegations["decision"], c.bio, body[max(0, i):min(len(body), i+400)])
		}
	}
}

// TestRelease_CoverNotReleasedHasNoRoundFacts: the round's city, dates and
// host are the cover's, and a response with the cover withheld or out of
// scope carries none of them, in the HTML's cover or the workbook's Cover
// worksheet; the dialogue's name and the round's number, which name the
// document, stay. Before, both formats gave all four.
func TestRelease_CoverNotReleasedHasNoRoundFacts(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) { r["city"] = "CITYCANARY" })
	facts := []string{"CITYCANARY", "10 May 2018", "11 May 2018", "hosted by"}
	for _, c := range []struct {
		cover map[string]any
		out   bool
	}{
		{map[string]any{"decision": "withheld", "grounds": []string{"s6(a)"}}, true},
		{map[string]any{"decision": "out_of_scope"}, true},
		{map[string]any{"decision": "released"}, false},
	} {
		parts := sixParts("released")
		parts["cover"] = c.cover
		html, xlsx := f.releaseFiles(w.round, parts)
		body := html.Body.String()
		for _, tk := range facts {
			if strings.Contains(body, tk) == c.out {
				t.Errorf("cover %v: the HTML holds %q: %v", c.cover["decision"], tk, !c.out)
			}
		}
		if !strings.Contains(body, `<div class="round">3rd round</div>`) && c.out {
			t.Errorf("cover %v: the HTML's cover does not name the round", c.cover["decision"])
		}
		rows := map[string]string{}
		for _, row := range workbookCells(t, xlsx.Body.Bytes())["Cover"] {
			if len(row) > 1 {
				rows[row[0]] = row[1]
			}
		}
		for _, k := range []string{"City", "Host", "Starts on", "Ends on"} {
			if _, ok := rows[k]; ok == c.out {
				t.Errorf("cover %v: the Cover worksheet's %s row: %q", c.cover["decision"], k, rows[k])
			}
		}
		if rows["Round"] != "3rd round" {
			t.Errorf("cover %v: the Cover worksheet gives the round as %q", c.cover["decision"], rows["Round"])
		}
	}
}

// TestRelease_LetterCitesEveryGroundApplied: a part released whose
// released content withholds anything — a span of the cover's purpose, a
// delegate withheld alone, a counterpart written as the delegations'
// ground — is scheduled released in part with those grounds besides the
// lead's, and the letter cites each, as one document too. Before, such a
// part was "Released in full" and its grounds went uncited, though the
// released pack printed them.
func TestRelease_LetterCitesEveryGroundApplied(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	junior := f.create("secretariat", "/api/v1/people", map[string]any{"name": "JUNIORCANARY Adviser", "title": "Adviser",
		"agency_id": w.agency, "marking": "RESTRICTED", "withhold": "s9(2)(a)"})
	partner := f.create("secretariat", "/api/v1/people", map[string]any{"name": "PARTNERCANARY", "agency_id": w.agency, "marking": "RESTRICTED"})
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["purpose"] = "We meet {{s9(2)(g)(i): PURPOSESPANCANARY}}."
		r["delegation"] = []map[string]string{{"person_id": junior, "side": "home"}, {"person_id": partner, "side": "partner"}}
	})
	schedule := func(t *testing.T, made response) map[string]string {
		var rec struct {
			Schedule []struct {
				Title, Decision string
				Grounds         []string
			}
		}
		made.json(&rec)
		out := map[string]string{}
		for _, e := range rec.Schedule {
			out[e.Title] = e.Decision + " " + strings.Join(e.Grounds, ",")
		}
		return out
	}
	t.Run("PartByPart", func(t *testing.T) {
		made, html, _ := f.makeRelease(w.round, releaseRequest(sixParts("released")))
		body := html.Body.String()
		for _, tk := range []string{"PURPOSESPANCANARY", "JUNIORCANARY"} {
			if strings.Contains(body, tk) {
				t.Fatalf("%s released", tk)
			}
		}
		for _, want := range []string{"section 9(2)(g)(i)", "section 9(2)(a)",
			"<td>Briefing pack: cover</td><td>Released in part</td><td>S9(2)(g)(i)</td>",
			"<td>Delegations</td><td>Released in part</td><td>S9(2)(a)</td>",
			"<td>Agenda</td><td>Released in full</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the response lacks %q", want)
			}
		}
		if got := schedule(t, made)["Briefing pack: cover"]; got != "released_in_part s9(2)(g)(i)" {
			t.Errorf("the record schedules the cover %q", got)
		}
	})
	t.Run("DelegationsWithheld", func(t *testing.T) {
		// The biographies print the partner delegate as the delegations'
		// ground, and the lead's own ground comes first.
		parts := sixParts("released")
		parts["delegations"] = map[string]any{"decision": "withheld", "grounds": []string{"s6(b)(i)"}}
		parts["biographies"] = map[string]any{"decision": "released_in_part", "grounds": []string{"s6(a)"}}
		made, html, _ := f.makeRelease(w.round, releaseRequest(parts))
		got := schedule(t, made)
		if got["Biographies"] != "released_in_part s6(a),s6(b)(i)" || got["Delegations"] != "withheld s6(b)(i)" {
			t.Errorf("the record schedules the biographies %q, the delegations %q", got["Biographies"], got["Delegations"])
		}
		if body := html.Body.String(); strings.Contains(body, "PARTNERCANARY") || !strings.Contains(body, "section 6(b)(i)") {
			t.Errorf("the biographies name the partner delegate, or the letter does not cite section 6(b)(i)")
		}
	})
	t.Run("AsOneDocument", func(t *testing.T) {
		parts := sixParts("released")
		req := releaseRequest(parts)
		req["as_one_document"] = true
		made, html, _ := f.makeRelease(w.round, req)
		var rec struct {
			Schedule []struct{ Grounds []string }
		}
		made.json(&rec)
		if gs := strings.Join(rec.Schedule[0].Grounds, ","); !strings.Contains(gs, "s9(2)(g)(i)") || !strings.Contains(gs, "s9(2)(a)") {
			t.Errorf("the pack is released in part under %s", gs)
		}
		body := html.Body.String()
		for _, want := range []string{"section 9(2)(g)(i)", "section 9(2)(a)"} {
			if !strings.Contains(body, want) {
				t.Errorf("the letter does not cite %s", want)
			}
		}
	})
}

// TestRelease_SheetTitledLetter: a topic sheet titled "Letter" takes
// another worksheet name in a response's workbook, whose letter is the
// worksheet "Letter". Before, the two clashed.
func TestRelease_SheetTitledLetter(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Letter", para("Words of the sheet titled Letter.", "RESTRICTED", "")))
	_, xlsx := f.releaseFiles(w.round, sixParts("released"))
	cells := workbookCells(t, xlsx.Body.Bytes())
	if len(cells["Letter"]) == 0 || !strings.Contains(fmt.Sprint(cells["Letter (2)"]), "Words of the sheet titled Letter.") {
		names := []string{}
		for n := range cells {
			names = append(names, n)
		}
		t.Errorf("the response's worksheets: %q", names)
	}
}

// TestRelease_WorkbookCellLinkReleasedAsLabel: a link whose address holds a
// span is released as its label alone. The text either side of it is not
// read as one piece with it: "<http://x.test/" + label + "aaa…>" made an
// autolink the full edition never formed, its address shown twice, and
// the release workbook's cell was past a spreadsheet cell's 32,767 units.
func TestRelease_WorkbookCellLinkReleasedAsLabel(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	text := "<http://x.test/[l](http://y.test/{{s6(a): " + strings.Repeat("W", 200) + "}})" + strings.Repeat("a", 17000) + ">"
	r := f.do("officer", "POST", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Long address", para(text, "RESTRICTED", "")))
	if r.Code == 422 {
		return // refused at the save, which is as good
	} else if r.Code != 201 {
		t.Fatalf("save: %d %.200s", r.Code, r.Body.String())
	}
	check := func(what string, body []byte) {
		for sheet, rows := range workbookCells(t, body) {
			for i, row := range rows {
				for j, c := range row {
					if n := len(utf16.Encode([]rune(c))); n > 32767 {
						t.Errorf("%s: %s!%s%d is %d UTF-16 units, past 32,767 (saved paragraph)", what, sheet, string(rune('A'+j)), i+1, n)
					}
				}
			}
		}
	}
	full := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=full", nil)
	check("full edition", full.Body.Bytes())
	rel := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=release", nil)
	check("release edition", rel.Body.Bytes())
	_, record := f.releaseFiles(w.round, nil)
	check("release record", record.Body.Bytes())
}

// TestWorkbook_BiographiesAndLastOutcomesHeldToTheReader: the workbook's
// Biographies worksheet and the last round's outcomes on its Cover hold
// only what the reader sees: a counterpart or a last round marked above
// the reader, or above the ceiling they asked for, is not there; in the
// release edition no span's words of a biography and no marking.
func TestWorkbook_BiographiesAndLastOutcomesHeldToTheReader(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	low := f.create("secretariat", "/api/v1/people", map[string]any{"name": "Open Counterpart", "country": "Australia", "bio": "plain bio {{s6(a): quokkabiospan}}", "marking": "RESTRICTED"})
	f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 5, "starts_on": "2020-05-10", "city": "Quokkaville", "host": "partner", "status": "held", "marking": "SECRET", "outcomes": "quokkaoutcome agreed"})
	r6 := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 6, "starts_on": "2021-05-10", "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED",
		"co_chairs": []map[string]string{{"person_id": w.person, "side": "home"}, {"person_id": w.secretPerson, "side": "partner"}, {"person_id": low, "side": "partner"}}})
	for _, c := range []struct{ user, q string }{{"lead", "&ceiling=RESTRICTED"}, {"lowlead", ""}} {
		r := f.do(c.user, "GET", "/api/v1/rounds/"+r6+"/pack?format=xlsx&edition=full"+c.q, nil)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", c.user, r.Code, r.Body.String())
		}
		cells := workbookCells(t, r.Body.Bytes())
		sawLow := false
		for sheet, rows := range cells {
			for _, row := range rows {
				for _, v := range row {
					for _, bad := range []string{"Covert Contact", "zanzibar", "Quokkaville", "quokkaoutcome", "5th"} {
						if strings.Contains(v, bad) {
							t.Errorf("%s%s: %s holds %q: %.120q", c.user, c.q, sheet, bad, v)
						}
					}
					sawLow = sawLow || strings.Contains(v, "Open Counterpart")
				}
			}
		}
		if !sawLow {
			t.Errorf("%s: no Open Counterpart in Biographies", c.user)
		}
	}
	// Release edition, lead sees all: no span words of a counterpart's bio.
	r := f.do("lead", "GET", "/api/v1/rounds/"+r6+"/pack?format=xlsx&edition=release", nil)
	for sheet, rows := range workbookCells(t, r.Body.Bytes()) {
		for _, row := range rows {
			for _, v := range row {
				if strings.Contains(v, "quokkabiospan") || strings.Contains(v, "SECRET") {
					t.Errorf("release: %s holds %.120q", sheet, v)
				}
			}
		}
	}
}
