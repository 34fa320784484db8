package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestPack_LastRoundMet: the pack's last round's outcomes are those of the
// last round that met: a postponed or proposed round between (which never
// met and has none) hid them, as a cancelled one did not.
func TestPack_LastRoundMet(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Outcomes Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2019-03-04", "city": "Wellington", "host": "home", "status": "held", "outcomes": "First round agreed the harbour protocol."})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2020-03-09", "city": "Singapore", "host": "partner", "status": "scheduled", "outcomes": "Second round agreed the cable review."})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 3, "starts_on": "2021-03-08", "city": "Auckland", "host": "home", "status": "postponed"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 4, "starts_on": "2022-03-08", "city": "Singapore", "host": "partner", "status": "cancelled"})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 5, "host": "home", "status": "proposed"})
	r6 := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 6, "starts_on": "2027-03-08", "city": "Wellington", "host": "home", "status": "scheduled"})
	r := f.do("lead", "GET", "/api/v1/rounds/"+r6+"/pack?format=html", nil)
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	out := r.Body.String()
	// A scheduled round before this one is taken to have met, left
	// scheduled once it had.
	for _, want := range []string{"Outcomes of the 2nd round (Singapore, 9 March 2020)", "Second round agreed the cable review."} {
		if !strings.Contains(out, want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	if strings.Contains(out, "First round agreed") {
		t.Error("the pack shows the outcomes of a round before the last that met")
	}
}

// TestPack_ActionsByRef: a pack's open actions are in the order of their
// refs, numbers by value, then in the order they were made, in the HTML and
// the workbook, live and frozen; they were in the order they were made.
func TestPack_ActionsByRef(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Refs Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	round := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2027-03-08", "city": "Wellington", "host": "home", "status": "scheduled"})
	for _, a := range [][2]string{{"2.01", "second-one"}, {"10.01", "tenth-one"}, {"1.03", "first-three-a"}, {"0.01", "zero-one"}, {"1.01", "first-one"}, {"1.03", "first-three-b"}} {
		f.create("secretariat", "/api/v1/dialogues/"+d+"/actions", map[string]any{"ref": a[0], "text": a[1], "status": "on_track"})
	}
	want := []string{"zero-one", "first-one", "first-three-a", "first-three-b", "second-one", "tenth-one"}
	inOrder := func(what, out string) {
		t.Helper()
		last := -1
		for _, w := range want {
			i := strings.Index(out, w)
			if i < 0 || i < last {
				t.Errorf("%s: %s out of order", what, w)
			}
			last = i
		}
	}
	xlsxText := func(b []byte) string {
		t.Helper()
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("Actions")
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, r := range rows {
			s = append(s, strings.Join(r, "|"))
		}
		return strings.Join(s, "\n")
	}
	inOrder("live HTML", f.do("lead", "GET", "/api/v1/rounds/"+round+"/pack?format=html", nil).Body.String())
	inOrder("live XLSX", xlsxText(f.do("lead", "GET", "/api/v1/rounds/"+round+"/pack?format=xlsx", nil).Body.Bytes()))
	r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true})
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	var snap struct{ ID string }
	r.json(&snap)
	inOrder("frozen HTML", f.do("lead", "GET", "/api/v1/packs/"+snap.ID+"?format=html", nil).Body.String())
	inOrder("frozen XLSX", xlsxText(f.do("lead", "GET", "/api/v1/packs/"+snap.ID+"?format=xlsx", nil).Body.Bytes()))
}

// TestPages_ActionTextSpans: the dashboard's open actions and the dialogue
// page's actions show an action's withheld span as the pack and a sheet's
// page show one, highlighted and labelled with its ground; they showed the
// raw {{s6(a): …}} markup.
func TestPages_ActionTextSpans(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Spans Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/actions", map[string]any{"ref": "1.04", "text": "Action with {{s6(a): the withheld words}} & more", "status": "on_track"})
	want := `Action with <mark class="withheld"><span class="ground">[s6(a)]</span> the withheld words</mark> &amp; more`
	for _, user := range []string{"viewer", "secretariat"} {
		for _, page := range []string{"/", "/dialogues/" + d} {
			out := f.pageBrowser(user).open(page)
			if !strings.Contains(out, want) || strings.Contains(out, "{{s6(a)") {
				i := max(0, strings.Index(out, "Action with"))
				t.Errorf("%s as %s shows the action as %q", page, user, out[i:min(len(out), i+120)])
			}
		}
	}
}

// TestPack_LastRoundWithoutCity: the heading of the last round's outcomes
// carries its date whether or not the round has a city, in both formats
// and both editions: a round without a city lost its date, the heading
// only "Outcomes of the 1st round".
func TestPack_LastRoundWithoutCity(t *testing.T) {
	f := newFixture(t)
	d := f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": "Cityless Dialogue", "home": "New Zealand", "partner": "Singapore", "established": "2018-01-01", "cadence_months": 12})
	f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 1, "starts_on": "2019-03-04", "host": "home", "status": "held", "outcomes": "The first round, held by video link, agreed the harbour protocol."})
	r2 := f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": 2, "starts_on": "2020-03-09", "city": "Singapore", "host": "partner", "status": "scheduled"})
	const want = "Outcomes of the 1st round (4 March 2019)"
	for _, edition := range []string{"full", "release"} {
		r := f.do("lead", "GET", "/api/v1/rounds/"+r2+"/pack?format=html&edition="+edition, nil)
		if r.Code != 200 {
			t.Fatalf("%s HTML: %d %s", edition, r.Code, r.Body.String())
		}
		if out := r.Body.String(); !strings.Contains(out, "<h2>"+want+"</h2>") || !strings.Contains(out, "agreed the harbour protocol") {
			t.Errorf("the %s HTML pack has no heading %q", edition, want)
		}
		r = f.do("lead", "GET", "/api/v1/rounds/"+r2+"/pack?format=xlsx&edition="+edition, nil)
		if r.Code != 200 {
			t.Fatalf("%s XLSX: %d %s", edition, r.Code, r.Body.String())
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		cover, err := x.GetRows("Cover")
		x.Close()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range cover {
			if len(row) == 2 && strings.HasPrefix(row[0], want) && strings.Contains(row[1], "agreed the harbour protocol") {
				found = true
			}
		}
		if !found {
			t.Errorf("the %s workbook's cover has no row %q: %q", edition, want, cover)
		}
	}
}
