package server_test

import (
	"encoding/json"
	"testing"
)

// TestRound_HiddenAgendaLeadStays: an agenda item's lead above a writer is
// absent from what they read, and stays on that item — and on no other —
// whatever they do to the items they see: rename it, reorder the agenda,
// give two items one title, change another's city; when they remove the
// item, its lead goes with it. The SECRET sheet's item they cannot see
// keeps its place after the item it followed.
func TestRound_HiddenAgendaLeadStays(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	type item struct {
		Title string `json:"title"`
		Sheet string `json:"sheet_id,omitempty"`
		Lead  string `json:"lead_person_id,omitempty"`
	}
	set := func(items ...item) {
		f.update("secretariat", "/api/v1/rounds/"+w.round, func(m map[string]any) { m["agenda"] = items })
	}
	stored := func() []item {
		var r struct {
			Agenda []item `json:"agenda"`
		}
		f.do("admin", "GET", "/api/v1/rounds/"+w.round, nil).json(&r)
		for i := range r.Agenda {
			if r.Agenda[i].Sheet != "" {
				r.Agenda[i].Title = "" // the sheet's, on output
			}
		}
		return r.Agenda
	}
	// edit lets the RESTRICTED lead change the agenda as they read it.
	edit := func(fn func([]item) []item) {
		f.update("lowlead", "/api/v1/rounds/"+w.round, func(m map[string]any) {
			raw, _ := json.Marshal(m["agenda"])
			var items []item
			if err := json.Unmarshal(raw, &items); err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Lead == w.secretPerson || it.Sheet == w.secretSheet {
					t.Fatalf("the lead read what is above them: %+v", items)
				}
			}
			m["agenda"] = fn(items)
		})
	}
	secret, open := w.secretPerson, w.person
	for _, tc := range []struct {
		name   string
		before []item
		edit   func([]item) []item
		want   []item
	}{
		{"Renamed", []item{{Title: "Opening", Lead: open}, {Title: "Secret-led item", Lead: secret}},
			func(a []item) []item { a[1].Title = "Secret-led item (renamed)"; return a },
			[]item{{Title: "Opening", Lead: open}, {Title: "Secret-led item (renamed)", Lead: secret}}},
		{"SameTitles", []item{{Title: "Coffee break", Lead: secret}, {Title: "Coffee break"}},
			func(a []item) []item { return a },
			[]item{{Title: "Coffee break", Lead: secret}, {Title: "Coffee break"}}},
		{"Reordered", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}, {Title: "Close"}},
			func(a []item) []item { return []item{a[2], a[0], a[1]} },
			[]item{{Title: "Close"}, {Title: "Cyber", Lead: secret}, {Title: "Pacific"}}},
		{"RenamedWithOneAddedElsewhere", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}, {Title: "Close"}},
			func(a []item) []item { a[0].Title = "Cyber security"; return append(a[:2], item{Title: "Trade"}, a[2]) },
			[]item{{Title: "Cyber security", Lead: secret}, {Title: "Pacific"}, {Title: "Trade"}, {Title: "Close"}}},
		{"Removed", []item{{Title: "Cyber", Lead: secret}, {Title: "Pacific"}},
			func(a []item) []item { return a[1:] },
			[]item{{Title: "Pacific"}}},
		{"HiddenSheetFollowsRenamedItem", []item{{Title: "Opening"}, {Sheet: w.secretSheet}, {Title: "Close", Lead: secret}},
			func(a []item) []item { a[0].Title = "Welcome"; return a },
			[]item{{Title: "Welcome"}, {Sheet: w.secretSheet}, {Title: "Close", Lead: secret}}},
		{"LeadOfTheirOwn", []item{{Title: "Cyber", Lead: secret}},
			func(a []item) []item { a[0].Lead = open; return a },
			[]item{{Title: "Cyber", Lead: open}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set(tc.before...)
			edit(tc.edit)
			got := stored()
			g, _ := json.Marshal(got)
			want, _ := json.Marshal(tc.want)
			if string(g) != string(want) {
				t.Errorf("agenda after the RESTRICTED lead's save:\n got %s\nwant %s", g, want)
			}
		})
	}
}
