package server_test

import (
	"strings"
	"testing"
)

// TestRoundForm_EndBeforeStartInPlainWords: a round ending before it
// starts is refused in words, beside the field and in the page's message,
// never naming "starts_on"; so is an agenda item's end time (API alike).
func TestRoundForm_EndBeforeStartInPlainWords(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	b := f.pageBrowser("secretariat")
	form := formOn(t, b.open("/rounds/"+w.round), "/rounds/"+w.round)
	for k, v := range map[string]string{"op": "save", "number": "3", "starts_on": "2018-05-12", "ends_on": "2018-05-11", "city": "Wellington",
		"host": "home", "status": "scheduled", "marking": "RESTRICTED"} {
		form.Set(k, v)
	}
	rec := b.send("POST", "/rounds/"+w.round, form)
	page := rec.Body.String()
	if rec.Code != 422 || !strings.Contains(page, `<p class="field-error" id="e-ends_on">must not be before the start date</p>`) ||
		!strings.Contains(page, "End date: must not be before the start date") || strings.Contains(page, "starts_on</") {
		t.Errorf("round form: %d %s", rec.Code, page)
	}
	r := f.do("lead", "PUT", "/api/v1/rounds/"+w.round, map[string]any{"number": 3, "starts_on": "2018-05-10", "host": "home", "marking": "RESTRICTED",
		"agenda": []map[string]any{{"title": "Lunch", "starts_at": "12:00", "ends_at": "11:00"}}}, "If-Match", "*")
	if r.Code != 422 || !strings.Contains(r.Body.String(), `"agenda[0].ends_at":"must not be before the start time"`) {
		t.Errorf("agenda: %d %s", r.Code, r.Body.String())
	}
}

// TestImportForm_AnotherRoundsWorkbookSaidOnce: a workbook of another
// round, uploaded on the round page, is refused with its cell and why
// said once; the page said the same sentence twice, as the message and
// again as the cell's line.
func TestImportForm_AnotherRoundsWorkbookSaidOnce(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	book := f.do("lead", "GET", "/api/v1/rounds/"+w.round+"/pack?format=xlsx", nil).Body.Bytes()
	b := f.pageBrowser("lead")
	b.open("/rounds/" + w.secretRound)
	rec := b.sendWorkbook(w.secretRound, book, "preview")
	page := rec.Body.String()
	if n := strings.Count(page, "another round&#39;s pack"); rec.Code != 422 || n != 1 {
		t.Errorf("%d, said %d times: %s", rec.Code, n, page)
	}
}
