package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"briefpack/briefing"
)

// TestClearance_DeleteNamesOnlySeenDependents: a refused delete names only
// the kinds of dependents the deleter sees, whatever the store finds first,
// so a round or dialogue with a hidden dependent beside one they see is
// answered exactly as one with only the dependent they see.
func TestClearance_DeleteNamesOnlySeenDependents(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	dialogue := func(partner string) string {
		return f.create("secretariat", "/api/v1/dialogues", map[string]any{"name": partner + "–New Zealand Dialogue", "home": "New Zealand", "partner": partner, "established": "2019-03-01", "cadence_months": 12})
	}
	number := 0 // each round its own number, as its dialogue requires
	round := func(d, marking string) string {
		number++
		return f.create("secretariat", "/api/v1/dialogues/"+d+"/rounds", map[string]any{"number": number, "starts_on": "2027-03-01", "city": "Suva", "host": "partner", "marking": marking})
	}
	// refusal answers a delete by lowsec, the object's id written as ID.
	refusal := func(path, id string) string {
		r := f.do("lowsec", "DELETE", path+id, nil, "If-Match", `"1"`)
		return fmt.Sprintf("%d %s", r.Code, strings.ReplaceAll(r.Body.String(), id, "ID"))
	}

	t.Run("Round", func(t *testing.T) {
		d := dialogue("Tonga")
		both, only := round(d, "RESTRICTED"), round(d, "RESTRICTED")
		f.create("officer", "/api/v1/rounds/"+both+"/sheets", sheetBody("Zanzibar Fisheries", para("Only secret zanzibar words.", "SECRET", "")))
		for _, id := range []string{both, only} {
			if r := f.do("lowlead", "POST", "/api/v1/rounds/"+id+"/packs", map[string]any{"force": true}); r.Code != 201 {
				t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
			}
		}
		got, want := refusal("/api/v1/rounds/", both), refusal("/api/v1/rounds/", only)
		if got != want || !strings.Contains(want, "has snapshots, which are kept for good") {
			t.Errorf("a round with a hidden sheet and a snapshot:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("Dialogue", func(t *testing.T) {
		both, only := dialogue("Niue"), dialogue("Nauru")
		round(both, "SECRET")
		for _, d := range []string{both, only} {
			f.create("secretariat", "/api/v1/dialogues/"+d+"/actions", map[string]any{"ref": "1.01", "text": "Agree a fisheries plan", "marking": "RESTRICTED"})
		}
		got, want := refusal("/api/v1/dialogues/", both), refusal("/api/v1/dialogues/", only)
		if got != want || !strings.Contains(want, "still has actions") {
			t.Errorf("a dialogue with a hidden round and an action:\n got %s\nwant %s", got, want)
		}
	})
}

// TestClearance_ActionMarkingByHiddenRound: an action sent back without a
// marking by a writer who cannot see the round it was raised in is answered
// as one raised in no round: the hidden round's marking is neither named
// nor used, and the action's marking is not lowered by the omission.
func TestClearance_ActionMarkingByHiddenRound(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	inHidden := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "4.01", "text": "Agree a fisheries plan", "raised_in_round_id": w.secretRound, "marking": "RESTRICTED"})
	inNone := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "4.02", "text": "Agree a fisheries plan", "marking": "RESTRICTED"})
	// resave has lowsec send an action back as read, without its marking.
	resave := func(id string) string {
		r := f.do("lowsec", "GET", "/api/v1/actions/"+id, nil)
		var a map[string]any
		r.json(&a)
		if a["raised_in_round_id"] != "" {
			t.Fatalf("lowsec reads action %s raised in round %v", id, a["raised_in_round_id"])
		}
		a["marking"] = ""
		r = f.do("lowsec", "PUT", "/api/v1/actions/"+id, a, "If-Match", r.Header().Get("ETag"))
		var out struct {
			Marking         string `json:"marking"`
			RaisedInRoundID string `json:"raised_in_round_id"`
		}
		if r.Code == 200 {
			r.json(&out)
		}
		return fmt.Sprintf("%d %q %q %s", r.Code, out.Marking, out.RaisedInRoundID, r.errorCode())
	}
	got, want := resave(inHidden), resave(inNone)
	if got != want || want != `200 "RESTRICTED" "" ` {
		t.Errorf("resaved without a marking: raised in a hidden round %s, in none %s", got, want)
	}
	var a struct {
		Marking         string `json:"marking"`
		RaisedInRoundID string `json:"raised_in_round_id"`
	}
	f.do("admin", "GET", "/api/v1/actions/"+inHidden, nil).json(&a)
	if a.Marking != "RESTRICTED" || a.RaisedInRoundID != w.secretRound {
		t.Errorf("after lowsec's save the action is %+v", a)
	}
	// A writer who sees the round gets its marking by default, as before.
	r := f.do("secretariat", "GET", "/api/v1/actions/"+inHidden, nil)
	var b map[string]any
	r.json(&b)
	b["marking"] = ""
	if r = f.do("secretariat", "PUT", "/api/v1/actions/"+inHidden, b, "If-Match", r.Header().Get("ETag")); r.Code != 200 || !strings.Contains(r.Body.String(), `"marking":"SECRET"`) {
		t.Errorf("resaved without a marking by one who sees the round: %d %s", r.Code, r.Body.String())
	}
}

// TestClearance_RoundListsOverTheLimitByHiddenItems: a writer's body is held
// to 200 co-chairs, delegates and agenda items as they sent it, the hidden
// ones kept beside them; the round then holding more is sent back as read
// by a writer who sees it all, and a writer below it is refused a longer
// list exactly as on a round with nothing hidden.
func TestClearance_RoundListsOverTheLimitByHiddenItems(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	var people []map[string]string
	for i := 0; i < 201; i++ {
		id := f.create("secretariat", "/api/v1/people", map[string]any{"name": fmt.Sprintf("Delegate %d", i), "country": "New Zealand", "marking": "UNCLASSIFIED"})
		people = append(people, map[string]string{"person_id": id, "side": "home"})
	}
	var agenda []map[string]string
	for i := 0; i < 201; i++ {
		agenda = append(agenda, map[string]string{"title": fmt.Sprintf("Session %d", i)})
	}
	// put has user send a round back as read, with some lists replaced.
	put := func(user, id string, lists map[string]any) response {
		r := f.do(user, "GET", "/api/v1/rounds/"+id, nil)
		var m map[string]any
		r.json(&m)
		for k, v := range lists {
			m[k] = v
		}
		return f.do(user, "PUT", "/api/v1/rounds/"+id, m, "If-Match", r.Header().Get("ETag"))
	}
	// The world's round gets a co-chair, a delegate and an item above lowsec.
	round := w.round
	hidden := map[string]any{
		"co_chairs":  []map[string]string{{"person_id": w.secretPerson, "side": "partner"}},
		"delegation": []map[string]string{{"person_id": w.secretPerson, "side": "partner"}},
		"agenda":     []map[string]string{{"sheet_id": w.secretSheet}}}
	if r := put("secretariat", round, hidden); r.Code != 200 {
		t.Fatalf("hidden items: %d %s", r.Code, r.Body.String())
	}

	full := map[string]any{"co_chairs": people[:200], "delegation": people[:200], "agenda": agenda[:200]}
	if r := put("lowsec", round, full); r.Code != 200 {
		t.Fatalf("lowsec saves 200 of each: %d %s", r.Code, r.Body.String())
	}
	var got struct {
		CoChairs   []any `json:"co_chairs"`
		Delegation []any `json:"delegation"`
		Agenda     []any `json:"agenda"`
	}
	f.do("admin", "GET", "/api/v1/rounds/"+round, nil).json(&got)
	if len(got.CoChairs) != 201 || len(got.Delegation) != 201 || len(got.Agenda) != 201 {
		t.Fatalf("the admin reads %d co-chairs, %d delegates, %d items", len(got.CoChairs), len(got.Delegation), len(got.Agenda))
	}
	if r := put("admin", round, nil); r.Code != 200 {
		t.Errorf("the admin sends the round back as read: %d %s", r.Code, r.Body.String())
	}
	if r := put("lowsec", round, nil); r.Code != 200 {
		t.Errorf("lowsec sends the round back as read: %d %s", r.Code, r.Body.String())
	}
	// One more than lowsec read is refused as on a round with nothing hidden.
	open := f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"number": 7, "starts_on": "2027-05-10", "city": "Auckland", "host": "home", "marking": "RESTRICTED"})
	if r := put("lowsec", open, full); r.Code != 200 {
		t.Fatalf("lowsec saves 200 of each on a round with nothing hidden: %d %s", r.Code, r.Body.String())
	}
	for _, field := range []string{"co_chairs", "delegation", "agenda"} {
		over := map[string]any{"co_chairs": people[:200], "delegation": people[:200], "agenda": agenda[:200]}
		over[field] = map[string]any{"co_chairs": people, "delegation": people, "agenda": agenda}[field]
		a, b := put("lowsec", round, over), put("lowsec", open, over)
		if a.Code != 422 || a.Body.String() != b.Body.String() {
			t.Errorf("lowsec sends 201 %s: %d %s, on a round with nothing hidden %d %s", field, a.Code, a.Body.String(), b.Code, b.Body.String())
		}
	}
}

// TestClearance_NewSheetOnTheAgendaKeepsHidden: a topic sheet made from the
// round page and put on its agenda by a lead below some of the round keeps
// the co-chairs, delegates and agenda items above them, as any save of
// theirs does.
func TestClearance_NewSheetOnTheAgendaKeepsHidden(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	r := f.do("secretariat", "GET", "/api/v1/rounds/"+w.round, nil)
	var m map[string]any
	r.json(&m)
	m["co_chairs"] = []map[string]string{{"person_id": w.person, "side": "home"}, {"person_id": w.secretPerson, "side": "partner"}}
	m["delegation"] = []map[string]string{{"person_id": w.secretPerson, "side": "partner"}}
	m["agenda"] = []map[string]string{{"sheet_id": w.secretSheet}, {"title": "Opening", "lead_person_id": w.secretPerson}}
	if r := f.do("secretariat", "PUT", "/api/v1/rounds/"+w.round, m, "If-Match", r.Header().Get("ETag")); r.Code != 200 {
		t.Fatalf("hidden items: %d %s", r.Code, r.Body.String())
	}
	b := f.pageBrowser("lowlead")
	rec := b.send("POST", "/rounds/"+w.round+"/sheets", url.Values{"csrf_token": {b.csrf}, "title": {"Fisheries"}, "agenda": {"on"}})
	sheet := strings.TrimSuffix(strings.TrimPrefix(rec.Header().Get("Location"), "/sheets/"), "/edit")
	if rec.Code != 303 || sheet == "" {
		t.Fatalf("new sheet: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	st, err := f.db.Round(t.Context(), w.round)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%v %v", st.CoChairs, st.Delegation)
	for _, a := range st.Agenda {
		got += fmt.Sprintf(" [%q %q %q]", a.Title, a.SheetID, a.LeadPersonID)
	}
	want := fmt.Sprintf(`[{%s home} {%s partner}] [{%s partner}] ["" %q ""] ["Opening" "" %q] ["" %q ""]`, w.person, w.secretPerson, w.secretPerson, w.secretSheet, w.secretPerson, sheet)
	if got != want {
		t.Errorf("the stored round after lowlead's new sheet:\n got %s\nwant %s", got, want)
	}
}

// TestDeleteRound_ActionsKeepItsMarking: an action stored without a
// marking of its own takes its round's; deleting the round gives it that
// marking, so it is not left to default to the lowest and shown to every
// reader, and drops the reference to a round that is gone.
func TestDeleteRound_ActionsKeepItsMarking(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	a := &briefing.Action{DialogueID: w.dialogue, Ref: "4.09", Text: "Zanzibar liaison to report", RaisedInRoundID: w.secretRound, Status: "on_track"}
	if err := f.db.CreateAction(context.Background(), a, briefing.Actor{Name: "seed"}); err != nil {
		t.Fatal(err)
	}
	if body := f.do("viewer", "GET", "/api/v1/dialogues/"+w.dialogue+"/actions", nil).Body.String(); strings.Contains(body, "Zanzibar") {
		t.Fatalf("before: the viewer lists %s", body)
	}
	if r := f.do("admin", "DELETE", "/api/v1/rounds/"+w.secretRound, nil); r.Code != 204 {
		t.Fatalf("delete the round: %d %s", r.Code, r.Body.String())
	}
	if body := f.do("viewer", "GET", "/api/v1/dialogues/"+w.dialogue+"/actions", nil).Body.String(); strings.Contains(body, "Zanzibar") {
		t.Fatalf("after: the viewer lists %s", body)
	}
	var got struct {
		Marking         string `json:"marking"`
		RaisedInRoundID string `json:"raised_in_round_id"`
	}
	f.do("admin", "GET", "/api/v1/actions/"+a.ID, nil).json(&got)
	if got.Marking != "SECRET" || got.RaisedInRoundID != "" {
		t.Fatalf("the action after its round: %+v", got)
	}
}
