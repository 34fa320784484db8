package server_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReleases(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	r := f.do("lead", "GET", "/api/v1/rounds/"+w.round, nil)
	var round map[string]any
	r.json(&round)
	round["agenda"] = []map[string]string{{"sheet_id": w.sheet}, {"sheet_id": w.secretSheet}}
	if r := f.do("lead", "PUT", "/api/v1/rounds/"+w.round, round, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("agenda: %d %s", r.Code, r.Body.String())
	}
	// The secret sheet is withheld in full, title and all.
	r = f.do("lead", "GET", "/api/v1/sheets/"+w.secretSheet, nil)
	var sheet map[string]any
	r.json(&sheet)
	sheet["withhold"] = "s6(a)"
	if r := f.do("lead", "PUT", "/api/v1/sheets/"+w.secretSheet, sheet, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("withhold: %d %s", r.Code, r.Body.String())
	}
	others := []map[string]any{}
	for i := 0; i < 7; i++ {
		others = append(others, map[string]any{"title": "Quokka strategy paper", "decision": "withheld in full", "grounds": []string{"S6(a)"}})
	}
	req := map[string]any{"reference": "OIA-2021/22-0953", "received_on": "2022-02-07",
		"request": "Copies of all other Briefing Packs produced for each dialogue.", "decision_maker": "Tony Lynch",
		"decision_maker_title": "Deputy Chief Executive", "as_one_document": true, "other_documents": others}
	base := "/api/v1/rounds/" + w.round + "/releases"
	var made struct {
		ID       string `json:"id"`
		Number   int    `json:"number"`
		Count    string `json:"count"`
		Schedule []struct {
			Title, Decision string
		} `json:"schedule"`
	}
	t.Run("Create", func(t *testing.T) {
		r := f.do("lead", "POST", base, req)
		if r.Code != 201 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		r.json(&made)
		// The pack is one document released in part, the sheet withheld in
		// full another, and the seven others withheld: nine in all.
		if made.ID == "" || made.Number != 1 || len(made.Schedule) != 9 || made.Schedule[0].Decision != "released_in_part" ||
			made.Count != "I can advise that 9 documents were identified within scope of your request." {
			t.Fatalf("%s", r.Body.String())
		}
		for _, e := range made.Schedule[1:] {
			if e.Title != "title withheld" || e.Decision != "withheld" {
				t.Errorf("entry %+v", e)
			}
		}
	})
	t.Run("Letter", func(t *testing.T) {
		body := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=html", nil).Body.String()
		for _, want := range []string{"Ref: OIA-2021/22-0953", "Official Information Act 1982", made.Count,
			"would be likely to prejudice the security or defence of New Zealand or the international relations of the Government of New Zealand",
			"Ombudsman", "section 28(3)", "Tony Lynch", "Deputy Chief Executive", "7 February 2022", "Copies of all other Briefing Packs",
			"S6(a)", "Foreign Interference", "withhold in full (including titles) eight of these documents, under section 6(a) of the Act",
			"I have released one document to you in part"} {
			if !strings.Contains(body, want) {
				t.Errorf("the response lacks %q", want)
			}
		}
		for _, bad := range []string{"Quokka", "Zanzibar", "zanzibar", "SECRET", `id="agenda"`, `id="delegations"`} {
			if strings.Contains(body, bad) {
				t.Errorf("%q in the response", bad)
			}
		}
	})
	t.Run("SameBytes", func(t *testing.T) {
		for _, format := range []string{"html", "xlsx"} {
			a := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format="+format, nil)
			b := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format="+format, nil)
			if a.Code != 200 || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
				t.Fatalf("%s: %d, bytes differ", format, a.Code)
			}
			if format == "xlsx" {
				x, err := excelize.OpenReader(bytes.NewReader(a.Body.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				names := x.GetSheetList()
				if names[1] != "Letter" || names[2] != "Schedule" {
					t.Errorf("worksheets %q", names)
				}
				for _, n := range names {
					rows, _ := x.GetRows(n)
					for _, row := range rows {
						for _, cell := range row {
							if strings.Contains(cell, "Quokka") || strings.Contains(cell, "anzibar") {
								t.Errorf("%s holds %q", n, cell)
							}
						}
					}
				}
				x.Close()
			}
		}
	})
	t.Run("List", func(t *testing.T) {
		var l struct {
			Items []struct{ ID string } `json:"items"`
		}
		f.do("lead", "GET", base, nil).json(&l)
		if len(l.Items) != 1 || l.Items[0].ID != made.ID {
			t.Fatalf("%+v", l)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if r := f.do("officer", "POST", base, req); r.Code != 403 {
			t.Errorf("officer: %d", r.Code)
		}
		bad := map[string]any{"reference": "", "received_on": "yesterday", "parts": map[string]any{"cover": map[string]any{"decision": "withheld"}}}
		r := f.do("lead", "POST", base, bad)
		if r.Code != 422 || !strings.Contains(r.Body.String(), "received_on") || !strings.Contains(r.Body.String(), "parts.cover.grounds") {
			t.Errorf("bad release: %d %s", r.Code, r.Body.String())
		}
	})
}

func TestReleasePage(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	page := "/rounds/" + w.round
	form := url.Values{"reference": {"OIA-2024-7"}, "received_on": {"2024-03-01"}, "request": {"All briefing packs."},
		"decision_maker": {"Tony Lynch"}, "decision_maker_title": {"Deputy Chief Executive"}, "as_one_document": {"on"},
		"part_agenda": {"released"}, "other_documents": {"Quokka paper | withheld | s6(a) | yes\nPublic paper | released | | no"}}
	post := func(op string) response {
		v := url.Values{"op": {op}}
		for k, x := range form {
			v[k] = x
		}
		return f.do("lead", "POST", page+"/releases", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	}
	t.Run("Form", func(t *testing.T) {
		body := f.do("lead", "GET", page, nil).Body.String()
		for _, want := range []string{"Respond to a request", `name="part_biographies"`, "Make the release", "No release made yet."} {
			if !strings.Contains(body, want) {
				t.Errorf("the round page lacks %q", want)
			}
		}
		if strings.Contains(f.do("officer", "GET", page, nil).Body.String(), "Respond to a request") {
			t.Error("an officer is offered the release form")
		}
	})
	t.Run("Preview", func(t *testing.T) {
		r := post("preview")
		body := r.Body.String()
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, body)
		}
		for _, want := range []string{"Preview", "I can advise that 3 documents were identified within scope of your request.",
			"title withheld", "Public paper", "Ombudsman", "Quokka paper | withheld"} {
			if !strings.Contains(body, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		var l struct{ Items []any }
		f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/releases", nil).json(&l)
		if len(l.Items) != 0 {
			t.Fatal("a preview made a release")
		}
	})
	t.Run("Make", func(t *testing.T) {
		if r := post("make"); r.Code != 303 && r.Code != 302 {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
		var l struct {
			Items []struct {
				ID    string
				Parts map[string]struct{ Decision string }
			}
		}
		f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/releases", nil).json(&l)
		if len(l.Items) != 1 || l.Items[0].Parts["agenda"].Decision != "released" || l.Items[0].Parts["cover"].Decision != "out_of_scope" {
			t.Fatalf("%+v", l)
		}
		html := f.do("lead", "GET", "/api/v1/releases/"+l.Items[0].ID+"?format=html", nil).Body.String()
		if !strings.Contains(html, `id="agenda"`) || strings.Contains(html, `id="delegations"`) || strings.Contains(html, "Quokka") {
			t.Error("the release does not follow the part decisions")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		form.Set("received_on", "soon")
		if r := post("make"); r.Code != 422 || !strings.Contains(r.Body.String(), "YYYY-MM-DD") {
			t.Fatalf("%d", r.Code)
		}
	})
}

// TestReleases_AsChecked: four sheets released, two withheld in full, as
// one document, with seven other documents in scope withheld in full under
// s6(a): ten documents, one released in part and nine withheld in full.
func TestReleases_AsChecked(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	var agenda []map[string]string
	for i, title := range []string{"Cyber", "Trade", "Pacific", "Maritime", "Withheld One", "Withheld Two"} {
		sh := sheetBody(title, para(fmt.Sprintf("Released words of %s, paragraph %d {{s6(a): hidden quokka %d}}.", title, i, i), "RESTRICTED", ""))
		if i >= 4 {
			sh["withhold"] = "s6(a)"
			sh = sheetBody("Quokka secret "+title, para("Quokka words of a sheet withheld in full.", "RESTRICTED", ""))
			sh["withhold"] = "s6(a)"
		}
		agenda = append(agenda, map[string]string{"sheet_id": f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sh)})
	}
	// The world's own sheets hold SECRET content: leave them out of this round.
	f.update("lead", "/api/v1/sheets/"+w.sheet, func(m map[string]any) { m["withhold"] = "" })
	for _, id := range []string{w.sheet, w.secretSheet} {
		r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
		f.do("officer", "DELETE", "/api/v1/sheets/"+id, nil, "If-Match", r.Header().Get("ETag"))
	}
	f.update("lead", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["agenda"] = agenda })
	others := []map[string]any{}
	for i := 0; i < 7; i++ {
		others = append(others, map[string]any{"title": fmt.Sprintf("Quokka paper %d", i), "decision": "withheld", "grounds": []string{"s6(a)"}})
	}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", map[string]any{"reference": "OIA-2026/27-0042", "received_on": "2026-11-01",
		"request": "All briefing packs for the dialogue.", "decision_maker": "Pat Decider", "decision_maker_title": "Deputy Chief Executive",
		"as_one_document": true, "other_documents": others})
	if r.Code != 201 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var made struct {
		ID       string                      `json:"id"`
		Count    string                      `json:"count"`
		Schedule []struct{ Decision string } `json:"schedule"`
	}
	r.json(&made)
	inPart, withheld := 0, 0
	for _, e := range made.Schedule {
		switch e.Decision {
		case "released_in_part":
			inPart++
		case "withheld":
			withheld++
		}
	}
	if !strings.Contains(made.Count, "10 documents") || inPart != 1 || withheld != 9 {
		t.Fatalf("count %q, %d in part, %d withheld: %s", made.Count, inPart, withheld, r.Body.String())
	}
	a := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=html", nil)
	b := f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=html", nil)
	if a.Code != 200 || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Fatalf("downloads differ: %d", a.Code)
	}
	body := a.Body.String()
	for _, want := range []string{"OIA-2026/27-0042", "Official Information Act 1982", "would be likely to prejudice the security or defence of New Zealand",
		"Ombudsman", "Pat Decider", "Released words of Cyber"} {
		if !strings.Contains(body, want) {
			t.Errorf("the response lacks %q", want)
		}
	}
	if strings.Contains(body, "quokka") || strings.Contains(body, "Quokka") {
		t.Error("a withheld word is in the response")
	}
}

// TestReleases_NoSpanInTheLetter: the letter and schedule print the
// request, the reference, the decision maker and the other documents'
// titles as written, in the file released, so a withheld span in one is
// refused, naming the field, not released word for word.
func TestReleases_NoSpanInTheLetter(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	good := func() map[string]any {
		return map[string]any{"reference": "OIA-2025-1", "received_on": "2025-01-02", "request": "All briefing packs, please.",
			"decision_maker": "Tony Lynch", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true,
			"other_documents": []map[string]any{{"title": "Note on the dialogue", "decision": "released_in_part", "grounds": []string{"s6(a)"}}}}
	}
	for field, set := range map[string]func(map[string]any){
		"request":              func(m map[string]any) { m["request"] = "All about {{s6(a): zanzibar}} please" },
		"reference":            func(m map[string]any) { m["reference"] = "OIA {{s6(a): zanzibar}}" },
		"decision_maker":       func(m map[string]any) { m["decision_maker"] = "{{s6(a): zanzibar}}" },
		"decision_maker_title": func(m map[string]any) { m["decision_maker_title"] = "Head of {{s6(a): zanzibar}}" },
		"other_documents[0].title": func(m map[string]any) {
			m["other_documents"].([]map[string]any)[0]["title"] = "Note {{s6(a): zanzibar}}"
		},
	} {
		body := good()
		set(body)
		r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", body)
		var e struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		_ = jsonUnmarshal(r.Body.String(), &e)
		if r.Code != 422 || e.Error.Fields[field] == "" {
			t.Errorf("%s with a span: %d %s", field, r.Code, r.Body.String())
		}
	}
	// A field is named by its path in the body, as a 400 names it.
	body := good()
	body["other_documents"].([]map[string]any)[0]["grounds"] = []string{"s99"}
	var e struct {
		Error struct{ Fields map[string]string } `json:"error"`
	}
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", body)
	_ = jsonUnmarshal(r.Body.String(), &e)
	if r.Code != 422 || e.Error.Fields["other_documents[0].grounds[0]"] == "" {
		t.Errorf("a bad ground: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", good()); r.Code != 201 {
		t.Fatalf("a release without spans: %d %s", r.Code, r.Body.String())
	}
}

// TestReleases_HeldToWhatTheyHeld: a release may be read only by a reader
// cleared to what the round held when it was made. A RESTRICTED lead who
// comes to see the whole round, once its SECRET paragraph is gone, does
// not read the release made while it was there, which holds it; a release
// made since, they do.
func TestReleases_HeldToWhatTheyHeld(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	body := map[string]any{"reference": "OIA-2026-0001", "received_on": "2026-11-01", "request": "The briefing pack.",
		"decision_maker": "Tony Lynch", "decision_maker_title": "Deputy Chief Executive", "as_one_document": true}
	release := func() string {
		t.Helper()
		r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/releases", body)
		var made struct{ ID, Marking string }
		r.json(&made)
		if r.Code != 201 || made.ID == "" {
			t.Fatalf("release: %d %s", r.Code, r.Body.String())
		}
		return made.ID
	}
	before := release()
	if b := f.do("lead", "GET", "/api/v1/releases/"+before+"?format=html", nil).Body.String(); !strings.Contains(b, "Only secret zanzibar words.") {
		t.Fatal("the release does not hold the SECRET paragraph: the test proves nothing")
	}
	// The round comes to hold nothing above RESTRICTED: the SECRET sheet's
	// paragraph rewritten and lowered, the other SECRET paragraph gone.
	f.update("officer", "/api/v1/sheets/"+w.secretSheet, func(sh map[string]any) {
		p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
		p["text"], p["marking"] = "Words anyone cleared to the round may read.", "RESTRICTED"
	})
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
		sec := sh["sections"].([]any)[0].(map[string]any)
		sec["paragraphs"] = sec["paragraphs"].([]any)[:1]
	})
	if r := f.do("lowlead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition=release", nil); r.Code != 200 {
		t.Fatalf("the RESTRICTED lead does not see the whole round yet: %d %s", r.Code, r.Body.String())
	}
	after := release()
	for _, path := range []string{"/api/v1/releases/" + before, "/api/v1/releases/" + before + "?format=html", "/api/v1/releases/" + before + "?format=xlsx"} {
		if r := f.do("lowlead", "GET", path, nil); r.Code != 404 {
			t.Errorf("GET %s as the RESTRICTED lead: %d, want 404 (%.200s)", path, r.Code, r.Body.String())
		}
	}
	r := f.do("lowlead", "GET", "/api/v1/rounds/"+w.round+"/releases", nil)
	if r.Code != 200 || strings.Contains(r.Body.String(), `"id":"`+before+`"`) || !strings.Contains(r.Body.String(), `"id":"`+after+`"`) {
		t.Errorf("the RESTRICTED lead's list of releases: %d %s", r.Code, r.Body.String())
	}
	if r := f.do("lowlead", "GET", "/api/v1/releases/"+after+"?format=html", nil); r.Code != 200 || strings.Contains(r.Body.String(), "zanzibar") {
		t.Errorf("the release made since, as the RESTRICTED lead: %d", r.Code)
	}
	if r := f.do("lead", "GET", "/api/v1/releases/"+before+"?format=html", nil); r.Code != 200 {
		t.Errorf("the release made before, as the TOP SECRET lead: %d", r.Code)
	}
}
