package briefing_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
)

func TestBuildResponse(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	view := &briefing.Pack{Settings: s, Edition: briefing.EditionRelease,
		Dialogue: &briefing.Dialogue{Name: "Australia-New Zealand National Security Dialogue"},
		Round:    &briefing.Round{StartsOn: "2021-03-12"}}
	for i, title := range []string{"Foreign Interference", "Emerging Technologies", "Counter-terrorism", "Cyber"} {
		view.Schedule = append(view.Schedule, briefing.ScheduleEntry{Number: i + 1, Title: title, Decision: briefing.ReleasedInPart, Grounds: []string{"s6(a)"}})
	}
	for i := 0; i < 2; i++ {
		view.Schedule = append(view.Schedule, briefing.ScheduleEntry{Number: 5 + i, Decision: briefing.WithheldInFull, Grounds: []string{"s6(a)"}})
	}
	rel := &briefing.Release{Reference: "OIA-2021/22-0953", ReceivedOn: "2022-02-07", Request: "Copies of all briefing packs",
		DecisionMaker: "Tony Lynch", DecisionMakerTitle: "Deputy Chief Executive", AsOneDocument: true}
	for i := 0; i < 7; i++ {
		rel.OtherDocuments = append(rel.OtherDocuments, briefing.OtherDocument{Title: "Secret paper",
			Decision: briefing.DecisionWithheld, Grounds: []string{"S6(a)"}})
	}
	if err := rel.Normalize(s); err != nil {
		t.Fatal(err)
	}
	t.Run("003's count sentence", func(t *testing.T) {
		resp := briefing.BuildResponse(view, rel)
		if len(resp.Entries) != 10 {
			t.Fatalf("entries = %d, want 10", len(resp.Entries))
		}
		if want := "I can advise that 10 documents were identified within scope of your request."; resp.Count != want {
			t.Errorf("count = %q, want %q", resp.Count, want)
		}
		all := strings.Join(resp.Decisions, "\n")
		for _, want := range []string{"withhold in full (including titles) nine of these documents, under section 6(a) of the Act",
			"I have released one document to you in part"} {
			if !strings.Contains(all, want) {
				t.Errorf("decisions %q lack %q", all, want)
			}
		}
		if e := resp.Entries[0]; e.Decision != briefing.DecisionReleasedInPart || !strings.Contains(e.Title, "Briefing pack") {
			t.Errorf("first entry = %+v, want the pack released in part", e)
		}
		for _, e := range resp.Entries[1:] {
			if e.Title != "title withheld" || e.Decision != briefing.DecisionWithheld {
				t.Errorf("entry %+v, want title withheld, withheld", e)
			}
		}
		if len(resp.Grounds) != 1 || !strings.Contains(resp.Grounds[0], "would be likely to prejudice the security or defence of New Zealand or the international relations of the Government of New Zealand") {
			t.Errorf("grounds = %q", resp.Grounds)
		}
		if !strings.Contains(resp.Review, "Ombudsman") || !strings.Contains(resp.Review, "section 28(3)") {
			t.Errorf("review = %q", resp.Review)
		}
	})
	t.Run("every ground has its wording", func(t *testing.T) {
		for _, j := range briefing.Jurisdictions {
			s, _ := briefing.SettingsFor(j)
			for _, g := range s.Grounds {
				if briefing.GroundWording[g] == "" {
					t.Errorf("%s ground %s has no wording", j, g)
				}
			}
		}
	})
	t.Run("parts default to out of scope", func(t *testing.T) {
		for _, k := range briefing.Parts {
			if rel.Parts[k].Decision != briefing.DecisionOutOfScope {
				t.Errorf("part %s = %q", k, rel.Parts[k].Decision)
			}
		}
	})
}

// TestBuildResponse_CleanSheets: a pack whose released sheets withhold
// nothing is released in full, a sheet withheld in full taken out of it
// being a document of its own; nothing of it in scope, it is no document.
func TestBuildResponse_CleanSheets(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	view := &briefing.Pack{Settings: s, Edition: briefing.EditionRelease,
		Dialogue: &briefing.Dialogue{Name: "Dialogue"}, Round: &briefing.Round{StartsOn: "2021-03-12"}}
	for i := 0; i < 4; i++ {
		view.Schedule = append(view.Schedule, briefing.ScheduleEntry{Number: i + 1, Title: "Open", Decision: briefing.ReleasedInFull})
	}
	rel := &briefing.Release{Reference: "R", ReceivedOn: "2022-02-07", Request: "q", DecisionMaker: "D", AsOneDocument: true}
	if err := rel.Normalize(s); err != nil {
		t.Fatal(err)
	}
	t.Run("nothing withheld", func(t *testing.T) {
		resp := briefing.BuildResponse(view, rel)
		if len(resp.Entries) != 1 || resp.Entries[0].Decision != briefing.DecisionReleased {
			t.Fatalf("%+v", resp.Entries)
		}
	})
	t.Run("a sheet withheld in full", func(t *testing.T) {
		v := *view
		v.Schedule = append(append([]briefing.ScheduleEntry{}, view.Schedule...), briefing.ScheduleEntry{Number: 5, Decision: briefing.WithheldInFull, Grounds: []string{"s6(a)"}})
		resp := briefing.BuildResponse(&v, rel)
		if len(resp.Entries) != 2 || resp.Entries[0].Decision != briefing.DecisionReleased || len(resp.Entries[0].Grounds) != 0 ||
			resp.Entries[1].Decision != briefing.DecisionWithheld {
			t.Fatalf("%+v", resp.Entries)
		}
	})
	t.Run("every sheet withheld in full", func(t *testing.T) {
		v := *view
		v.Schedule = []briefing.ScheduleEntry{{Number: 1, Decision: briefing.WithheldInFull, Grounds: []string{"s6(a)"}}}
		resp := briefing.BuildResponse(&v, rel)
		if len(resp.Entries) != 1 || resp.Entries[0].Title != "title withheld" || resp.Entries[0].Grounds[0] != "s6(a)" {
			t.Fatalf("%+v", resp.Entries)
		}
	})
}

// TestBuildResponse_TitlesWithheld: the letter says titles are withheld
// only for the documents whose titles the schedule withholds, and counts
// the documents withheld in full as the schedule does.
func TestBuildResponse_TitlesWithheld(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	view := &briefing.Pack{Settings: s, Edition: briefing.EditionRelease,
		Dialogue: &briefing.Dialogue{Name: "Dialogue"}, Round: &briefing.Round{StartsOn: "2021-03-12"},
		Schedule: []briefing.ScheduleEntry{{Number: 1, Title: "Open", Decision: briefing.ReleasedInFull}}}
	withheldSheet := briefing.ScheduleEntry{Number: 2, Decision: briefing.WithheldInFull, Grounds: []string{"s6(a)"}}
	parts := func(decision string) map[string]briefing.PartDecision {
		m := map[string]briefing.PartDecision{}
		for _, k := range briefing.Parts {
			m[k] = briefing.PartDecision{Decision: decision}
			if decision == briefing.DecisionWithheld {
				m[k] = briefing.PartDecision{Decision: decision, Grounds: []string{"s6(a)"}}
			}
		}
		return m
	}
	for _, c := range []struct {
		name     string
		sheets   int // sheets withheld in full
		parts    string
		withheld int
		want     string
	}{
		{"six parts and a sheet", 1, briefing.DecisionWithheld, 7,
			"I have decided to withhold in full seven of these documents (including the title of one of them), under section 6(a) of the Act."},
		{"six parts and two sheets", 2, briefing.DecisionWithheld, 8,
			"I have decided to withhold in full eight of these documents (including the titles of two of them), under section 6(a) of the Act."},
		{"six parts", 0, briefing.DecisionWithheld, 6,
			"I have decided to withhold in full six of these documents, under section 6(a) of the Act."},
		{"a sheet", 1, briefing.DecisionReleased, 1,
			"I have decided to withhold in full (including its title) one of these documents, under section 6(a) of the Act."},
		{"two sheets", 2, briefing.DecisionReleased, 2,
			"I have decided to withhold in full (including titles) two of these documents, under section 6(a) of the Act."},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := *view
			v.Schedule = append([]briefing.ScheduleEntry{}, view.Schedule...)
			for i := 0; i < c.sheets; i++ {
				v.Schedule = append(v.Schedule, withheldSheet)
			}
			rel := &briefing.Release{Reference: "R", ReceivedOn: "2022-02-07", Request: "q", DecisionMaker: "D", Parts: parts(c.parts)}
			if err := rel.Normalize(s); err != nil {
				t.Fatal(err)
			}
			resp := briefing.BuildResponse(&v, rel)
			if !strings.Contains(strings.Join(resp.Decisions, "\n"), c.want) {
				t.Errorf("decisions %q lack %q", resp.Decisions, c.want)
			}
			if n := resp.WithheldInFull(); n != c.withheld {
				t.Errorf("withheld in full %d, want %d", n, c.withheld)
			}
		})
	}
}

// TestBuildResponse_Notes: a part the lead chose to release that prints
// grounds is scheduled in part, and the response tells the lead why in a
// note, naming the cause: a withheld person, withheld words, or both.
func TestBuildResponse_Notes(t *testing.T) {
	s, _ := briefing.SettingsFor("nz")
	lead := &briefing.PackPerson{Person: &briefing.Person{Meta: briefing.Meta{ID: "7"}, Name: "s9(2)(a)"}, Grounds: []string{"s9(2)(a)"}}
	view := &briefing.Pack{Settings: s, Edition: briefing.EditionRelease, Round: &briefing.Round{StartsOn: "2021-03-12"},
		Agenda:      []briefing.PackAgendaItem{{Title: "Opening", Lead: lead}, {Title: "Close", Lead: lead}},
		TextGrounds: map[string][]string{"outcomes": {"s6(a)"}}}
	rel := &briefing.Release{Reference: "OIA-1", ReceivedOn: "2022-02-07", Request: "packs", DecisionMaker: "T. Lynch",
		Parts: map[string]briefing.PartDecision{"agenda": {Decision: "released"}, "delegations": {Decision: "released"},
			"outcomes": {Decision: "released_in_part", Grounds: []string{"s9(2)(h)"}}}}
	if err := rel.Normalize(s); err != nil {
		t.Fatal(err)
	}
	resp := briefing.BuildResponse(view, rel)
	want := []string{
		"Agenda is scheduled “Released in part” under S9(2)(a), not “Released in full” as chosen, because a person named in it is withheld.",
		"Outcomes of the last round is scheduled under S6(a) besides the grounds you gave, because words in it are withheld.",
	}
	if strings.Join(resp.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes = %q, want %q", resp.Notes, want)
	}
}
