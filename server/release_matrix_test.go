package server_test

import (
	"sort"
	"strings"
	"testing"
)

// partsWorld is a round with a canary in everything each part of a pack
// holds besides its topic sheets.
type partsWorld struct {
	round, dialogue string
	// tokens by the part they belong to.
	tokens map[string][]string
}

// plantParts makes a round whose every part holds canaries of its own: its
// agencies, people, dialogue, last round, agenda and an open action.
func (f *fixture) plantParts() partsWorld {
	f.t.Helper()
	w := partsWorld{tokens: map[string][]string{}}
	home := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Department of the Prime Minister and Cabinet", "acronym": "DPMC", "country": "New Zealand"})
	partnerAg := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Department of Home Affairs", "acronym": "DHA", "country": "Australia"})
	// An agency that only takes part (delegations) and one that only owns an action (actions).
	partAg := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "CANARYPARTAGENCY Bureau", "acronym": "CANARYPAB", "country": "New Zealand"})
	actAg := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "CANARYACTOWNER Office", "acronym": "CANARYAOO", "country": "New Zealand"})
	person := func(name, title, bio, agency string) string {
		return f.create("secretariat", "/api/v1/people", map[string]any{"name": name, "title": title, "bio": bio, "agency_id": agency, "country": "New Zealand", "marking": "RESTRICTED"})
	}
	cch := person("CANARYCCHNAME Aroha", "CANARYCCHTITLE Chief", "CANARYCCHBIO leads.", home)
	ccp := person("CANARYCCPNAME Bruce", "CANARYCCPTITLE Secretary", "CANARYCCPBIO leads.", partnerAg)
	dh := person("CANARYDHNAME Mere", "CANARYDHTITLE Adviser", "CANARYDHBIO advises.", home)
	dp := person("CANARYDPNAME Sheila", "CANARYDPTITLE Director", "CANARYDPBIO directs.", partnerAg)
	w.dialogue = f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue", "home": "New Zealand", "partner": "Australia",
		"established": "2016-10-01", "cadence_months": 12, "origin": "CANARYORIGIN agreed at the leaders' meeting", "notes": "CANARYNOTES never released"})
	prev := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 2, "starts_on": "2017-03-14", "ends_on": "2017-03-14",
		"city": "CANARYPREVCITY", "host": "partner", "status": "held", "marking": "RESTRICTED", "outcomes": "CANARYPREVOUT agreed to meet again."})
	w.round = f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 3, "starts_on": "2018-05-10", "ends_on": "2018-05-11",
		"city": "CANARYCITY", "host": "home", "status": "scheduled", "marking": "RESTRICTED",
		"purpose": "CANARYPURPOSE why we meet.", "key_messages": "CANARYKEYMSG what we say.", "outcomes": "CANARYTHISOUT what was agreed.",
		"co_chairs":              []map[string]string{{"person_id": cch, "side": "home"}, {"person_id": ccp, "side": "partner"}},
		"delegation":             []map[string]string{{"person_id": dh, "side": "home"}, {"person_id": dp, "side": "partner"}},
		"participating_agencies": []map[string]string{{"agency_id": partAg, "side": "home"}}})
	sheet := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Rules-based order", para("Open words about the order.", "RESTRICTED", "")))
	f.update("lead", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["agenda"] = []map[string]any{
			{"title": "CANARYAGITEM working lunch", "session": "CANARYSESSIONA", "starts_at": "06:47", "ends_at": "07:53", "lead_person_id": dh},
			{"sheet_id": sheet, "session": "CANARYSESSIONB", "starts_at": "08:19", "ends_at": "09:31", "lead_person_id": cch},
		}
	})
	f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "97.53", "text": "CANARYACTTEXT deliver the training",
		"owner_agency_id": actAg, "raised_in_round_id": prev, "due_on": "2031-03-17", "status": "on_track"})
	w.tokens["cover"] = []string{"CANARYORIGIN", "CANARYCITY", "CANARYPURPOSE", "CANARYKEYMSG"}
	w.tokens["agenda"] = []string{"CANARYAGITEM", "CANARYSESSIONA", "CANARYSESSIONB", "06:47", "07:53", "08:19", "09:31"}
	w.tokens["delegations"] = []string{"CANARYCCHNAME", "CANARYCCHTITLE", "CANARYCCPNAME", "CANARYCCPTITLE", "CANARYDHNAME", "CANARYDHTITLE", "CANARYDPNAME", "CANARYDPTITLE", "CANARYPARTAGENCY", "CANARYPAB"}
	w.tokens["biographies"] = []string{"CANARYCCHBIO", "CANARYCCPBIO", "CANARYDHBIO", "CANARYDPBIO"}
	w.tokens["actions"] = []string{"97.53", "CANARYACTTEXT", "CANARYACTOWNER", "CANARYAOO", "2031"}
	w.tokens["outcomes"] = []string{"CANARYPREVOUT", "CANARYTHISOUT", "CANARYPREVCITY"}
	return w
}

// releaseAnswers makes a release and returns every answer a requester or the
// lead could get of it: its files, its record and the round's list.
func (f *fixture) releaseAnswers(round string, body map[string]any) map[string]response {
	f.t.Helper()
	r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/releases", body)
	if r.Code != 201 {
		f.t.Fatalf("release: %d %s", r.Code, r.Body.String())
	}
	var made struct{ ID string }
	r.json(&made)
	out := map[string]response{"made": r}
	out["html"] = f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=html", nil)
	out["xlsx"] = f.do("lead", "GET", "/api/v1/releases/"+made.ID+"?format=xlsx", nil)
	out["record"] = f.do("lead", "GET", "/api/v1/releases/"+made.ID, nil)
	out["list"] = f.do("lead", "GET", "/api/v1/rounds/"+round+"/releases", nil)
	for k, a := range out {
		if a.Code != 200 && a.Code != 201 {
			f.t.Fatalf("%s: %d", k, a.Code)
		}
	}
	return out
}

// TestRelease_PartsNotReleasedLeaveNoTrace: for each part withheld or out
// of scope (the others released), nothing that belongs to that part appears
// in any answer of the release: the HTML, every zip part of the workbook,
// the record and the list. Before, a cover not released left its city in
// both formats, and delegations not released their partner side's names in
// the biographies.
func TestRelease_PartsNotReleasedLeaveNoTrace(t *testing.T) {
	f := newFixture(t)
	w := f.plantParts()
	// Every token appears in the full edition, or the matrix proves nothing.
	full := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition=full", nil).Body.String()
	for part, toks := range w.tokens {
		for _, tk := range toks {
			switch tk {
			case "CANARYORIGIN", "CANARYCCHBIO", "CANARYDHBIO", "CANARYACTOWNER":
				continue // the pack prints neither the origin, home-side biographies nor an owner's full name
			}
			if !strings.Contains(full, tk) {
				t.Errorf("the full edition lacks %s's %s", part, tk)
			}
		}
	}
	var parts []string
	for p := range w.tokens {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	for _, part := range parts {
		for _, decision := range []string{"withheld", "out_of_scope"} {
			t.Run(part+"/"+decision, func(t *testing.T) {
				ps := sixParts("released")
				d := map[string]any{"decision": decision}
				if decision == "withheld" {
					d["grounds"] = []string{"s6(a)"}
				}
				ps[part] = d
				for name, a := range f.releaseAnswers(w.round, releaseRequest(ps)) {
					for _, found := range findCanaries(append(w.tokens[part], "CANARYNOTES"), a) {
						t.Errorf("%s: %s", name, found)
					}
				}
			})
		}
	}
}

// TestRelease_SpansAndWithheldPeopleInEveryPart: a withheld span in a
// sheet's title, an agenda item's title and session and the outcomes, and a
// person withheld alone who is a partner delegate and an item's lead, are
// released as their grounds in every answer of a release, as one document
// or part by part.
func TestRelease_SpansAndWithheldPeopleInEveryPart(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Pacific {{s6(a): CANARYTSPAN Tonga}} posture", para("Open words.", "RESTRICTED", "")))
	counter := f.create("secretariat", "/api/v1/people", map[string]any{"name": "CANARYWPNAME", "title": "CANARYWPTITLE", "bio": "CANARYWPBIO", "agency_id": w.agency, "marking": "RESTRICTED", "withhold": "s9(2)(a)"})
	f.update("secretariat", "/api/v1/rounds/"+w.round, func(r map[string]any) {
		r["delegation"] = []map[string]string{{"person_id": counter, "side": "partner"}}
		r["agenda"] = []map[string]any{{"title": "Lunch {{s6(a): CANARYAGSPAN}}", "session": "S {{s6(a): CANARYSESSSPAN}}", "lead_person_id": counter}}
		r["outcomes"] = "Out {{s6(a): CANARYOUTSPAN}}"
	})
	for _, one := range []bool{true, false} {
		req := releaseRequest(sixParts("released"))
		req["as_one_document"] = one
		got := f.releaseAnswers(w.round, req)
		for name, a := range got {
			for _, found := range findCanaries([]string{"CANARYTSPAN", "CANARYWPNAME", "CANARYWPTITLE", "CANARYWPBIO", "CANARYAGSPAN", "CANARYSESSSPAN", "CANARYOUTSPAN"}, a) {
				t.Errorf("%v %s: %s", one, name, found)
			}
		}
	}
}

// TestRelease_WorkbookHoldsWhatItsLetterReleases: every part released, the
// workbook of a response holds every word of each part the HTML response
// holds, as its letter and schedule say both release them, and so does
// the full edition's workbook of the full HTML pack. Before, neither
// workbook had the counterparts' biographies or the last round's outcomes,
// which the response's letter listed as released.
func TestRelease_WorkbookHoldsWhatItsLetterReleases(t *testing.T) {
	f := newFixture(t)
	w := f.plantParts()
	_, html, xlsx := f.makeRelease(w.round, releaseRequest(sixParts("released")))
	fullHTML := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=html&edition=full", nil)
	fullXLSX := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx&edition=full", nil)
	for _, c := range []struct {
		name       string
		html, xlsx response
	}{{"response", html, xlsx}, {"full edition", fullHTML, fullXLSX}} {
		for part, toks := range w.tokens {
			for _, tk := range toks {
				if tk == "2031" {
					continue // the action's due date, a date in the workbook
				}
				if strings.Contains(c.html.Body.String(), tk) && len(findCanaries([]string{tk}, c.xlsx)) == 0 {
					t.Errorf("%s: the HTML holds %s's %s, the workbook does not", c.name, part, tk)
				}
			}
		}
	}
	for _, want := range []string{"CANARYCCPBIO", "CANARYDPBIO", "CANARYPREVOUT"} {
		if !strings.Contains(html.Body.String(), want) {
			t.Errorf("the HTML response lacks %s: the test proves nothing", want)
		}
	}
	bios := workbookCells(t, xlsx.Body.Bytes())["Biographies"]
	if len(bios) != 3 || strings.Join(bios[0], "|") != "Side|Name|Title|Agency|Biography" || !strings.HasPrefix(bios[1][1], "CANARYCCPNAME") {
		t.Errorf("the response's Biographies worksheet: %q", bios)
	}
}
