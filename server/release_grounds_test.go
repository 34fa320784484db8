package server_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// groundsRound is a round whose only withholding is in its people: a
// home delegate withheld alone (s9(2)(a)) who leads a plain agenda item,
// a partner delegate withheld alone (s6(d)) and a partner delegate whose
// biography has a span withheld (s9(2)(g)(i)); the partner delegates are
// the counterparts. It has the given topic sheets besides.
func (f *fixture) groundsRound(sheets ...map[string]any) string {
	f.t.Helper()
	ag := f.create("secretariat", "/api/v1/agencies", map[string]any{"name": "Department of the Prime Minister and Cabinet", "acronym": "DPMC", "country": "New Zealand"})
	person := func(name, bio, withhold string) string {
		return f.create("secretariat", "/api/v1/people", map[string]any{"name": name, "title": "Adviser", "bio": bio, "agency_id": ag,
			"marking": "RESTRICTED", "withhold": withhold})
	}
	lead := person("LEADCANARY Aroha", "Leads.", "s9(2)(a)")
	alone := person("ALONECANARY Bruce", "Directs.", "s6(d)")
	spanned := person("Sheila Spanned", "Served {{s9(2)(g)(i): BIOSPANCANARY}} in Jakarta.", "")
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue", "home": "New Zealand", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	r := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 3, "starts_on": "2018-05-10", "ends_on": "2018-05-11", "city": "Wellington", "host": "home", "status": "scheduled", "marking": "RESTRICTED",
		"delegation": []map[string]string{{"person_id": lead, "side": "home"}, {"person_id": alone, "side": "partner"}, {"person_id": spanned, "side": "partner"}},
		"agenda":     []map[string]any{{"title": "Working lunch", "session": "Session 1", "starts_at": "12:00", "lead_person_id": lead}}})
	for _, sh := range sheets {
		f.create("officer", "/api/v1/rounds/"+r+"/sheets", sh)
	}
	return r
}

// releaseSchedule is a release record's schedule, as "decision grounds"
// by title (the last of a title listed twice).
func releaseSchedule(made response) map[string]string {
	var rec struct {
		Schedule []struct {
			Title, Decision string
			Grounds         []string
		}
	}
	made.json(&rec)
	out := map[string]string{}
	for _, e := range rec.Schedule {
		out[e.Title] = strings.TrimSpace(e.Decision + " " + strings.Join(e.Grounds, ","))
	}
	return out
}

// releasedDocuments is an HTML response less its letter and schedule: the
// released documents alone.
func releasedDocuments(html string) string {
	html = regexp.MustCompile(`(?s)<section class="part letter" id="letter">.*?</section>`).ReplaceAllString(html, "")
	return regexp.MustCompile(`(?s)<section class="part" id="schedule">.*?</section>`).ReplaceAllString(html, "")
}

// TestRelease_LetterCitesOnlyGroundsPrinted: a part is scheduled under,
// and the letter cites, the grounds its content prints once the
// delegations' decision has rewritten the agenda's leads and the
// counterparts — and every ground printed is cited. Before, the grounds
// were taken before that rewriting: with the delegations out of scope the
// agenda, its lead gone, was still "released in part, s9(2)(a)", and with
// them withheld under s6(a) the agenda and the biographies, their people
// written as s6(a), still cited each person's own ground and the
// biography's span, printed nowhere.
func TestRelease_LetterCitesOnlyGroundsPrinted(t *testing.T) {
	f := newFixture(t)
	r := f.groundsRound()
	used := []string{"s6(a)", "s6(d)", "s9(2)(a)", "s9(2)(g)(i)"}
	for _, c := range []struct {
		delegations map[string]any
		want        map[string]string // schedule entries by title
	}{
		{map[string]any{"decision": "out_of_scope"}, map[string]string{
			"Agenda": "released", "Biographies": "released_in_part s6(d),s9(2)(g)(i)"}},
		{map[string]any{"decision": "withheld", "grounds": []string{"s6(a)"}}, map[string]string{
			"Agenda": "released_in_part s6(a)", "Biographies": "released_in_part s6(a)", "Delegations": "withheld s6(a)"}},
		{map[string]any{"decision": "released"}, map[string]string{
			"Agenda": "released_in_part s9(2)(a)", "Biographies": "released_in_part s6(d),s9(2)(g)(i)", "Delegations": "released_in_part s9(2)(a),s6(d)"}},
	} {
		name := c.delegations["decision"].(string)
		parts := sixParts("out_of_scope")
		parts["agenda"] = map[string]any{"decision": "released"}
		parts["biographies"] = map[string]any{"decision": "released"}
		parts["delegations"] = c.delegations
		made, html, _ := f.makeRelease(r, releaseRequest(parts))
		got := releaseSchedule(made)
		for title, want := range c.want {
			if got[title] != want {
				t.Errorf("delegations %s: %s scheduled %q, want %q", name, title, got[title], want)
			}
		}
		body := html.Body.String()
		released := releasedDocuments(body)
		for _, g := range used {
			cited := strings.Contains(body, "section "+strings.TrimPrefix(g, "s")+" ")
			printed := strings.Contains(strings.ToLower(released), g)
			// The delegations withheld print nothing, yet are cited.
			if c.delegations["decision"] == "withheld" && slices.Contains(c.delegations["grounds"].([]string), g) {
				printed = true
			}
			if cited != printed {
				t.Errorf("delegations %s: %s cited %v, printed %v", name, g, cited, printed)
			}
		}
	}
}

// TestRelease_OneDocumentIsWhatItReleases: as one document, the pack is
// what is in scope of it less the sheets withheld in full, each a
// document of its own: released in full when what it releases withholds
// nothing, in part under the grounds that prints, and no document at all
// when nothing of it is in scope. Before, with every part out of scope
// and the only sheet withheld, the empty pack was counted as a second
// document withheld in full, under no ground; and a clean pack with a
// sheet withheld was "released in part" under none, or under the grounds
// of other parts only.
func TestRelease_OneDocumentIsWhatItReleases(t *testing.T) {
	f := newFixture(t)
	secret := map[string]any{"title": "SECRETTITLECANARY", "withhold": "s6(a)",
		"sections": []map[string]any{{"kind": "situation", "paragraphs": []any{para("Secret words.", "RESTRICTED", "")}}}}
	withheldOnly := f.groundsRound(secret)
	both := f.groundsRound(secret, sheetBody("Rules-based order", para("Open words about the order.", "RESTRICTED", "")))
	for _, c := range []struct {
		name     string
		round    string
		released []string // the parts released; the others out of scope
		want     []string // the schedule, "decision grounds" in order
		count    string
	}{
		{"NothingInScope", withheldOnly, nil, []string{"withheld s6(a)"},
			"I can advise that 1 document was identified within scope of your request."},
		{"Clean", both, []string{"cover", "actions"}, []string{"released", "withheld s6(a)"},
			"I can advise that 2 documents were identified within scope of your request."},
		{"PeopleWithheldAlone", both, []string{"delegations"}, []string{"released_in_part s9(2)(a),s6(d)", "withheld s6(a)"},
			"I can advise that 2 documents were identified within scope of your request."},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := sixParts("out_of_scope")
			for _, k := range c.released {
				parts[k] = map[string]any{"decision": "released"}
			}
			req := releaseRequest(parts)
			req["as_one_document"] = true
			made, html, _ := f.makeRelease(c.round, req)
			var rec struct {
				Count    string
				Schedule []struct {
					Decision string
					Grounds  []string
				}
			}
			made.json(&rec)
			var got []string
			for _, e := range rec.Schedule {
				got = append(got, strings.TrimSpace(e.Decision+" "+strings.Join(e.Grounds, ",")))
			}
			if !slices.Equal(got, c.want) || rec.Count != c.count {
				t.Errorf("scheduled %q, %q; want %q, %q", got, rec.Count, c.want, c.count)
			}
			if !strings.Contains(html.Body.String(), c.count) {
				t.Errorf("the letter does not say %q", c.count)
			}
		})
	}
}
