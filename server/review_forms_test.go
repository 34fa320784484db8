package server_test

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var flashText = regexp.MustCompile(`class="flash ([^"]*)"[^>]*>([^<]*)`)

// review sends the review form of a sheet as user's browser and returns the
// kind and text of the message on the page it is sent back to.
func (b *pageBrowser) review(t *testing.T, sheet string, version int, decision, comment string) (kind, text string) {
	t.Helper()
	rec := b.send("POST", "/sheets/"+sheet+"/review", url.Values{"csrf_token": {b.csrf}, "version": {strconv.Itoa(version)},
		"decision": {decision}, "comment": {comment}})
	page := b.open(seeOther(t, rec, "/sheets/"+sheet))
	m := flashText.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("%s at version %d: no message on the page", decision, version)
	}
	return m[1], html.UnescapeString(m[2])
}

// TestPages_ReviewSentTwice: a decision sent twice (the button pressed
// twice, or two leads at once) finds the sheet where it asked for it, and
// says so; one on a sheet changed otherwise since is refused, as stale.
// Before, the second press said "Not done: the sheet changed since you
// opened the page" of a sheet it had just cleared.
func TestPages_ReviewSentTwice(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Open words", para("Plain words.", "RESTRICTED", "")))
	officer, lead := f.pageBrowser("officer"), f.pageBrowser("lead")
	for _, c := range []struct {
		b                  *pageBrowser
		version            int
		decision, comment  string
		first, second, now string
	}{
		{officer, 1, "submit", "", `"Open words" is now submitted.`, `Already submitted for clearance: "Open words" was submitted for clearance by officer; nothing more was done.`, "submitted"},
		{lead, 2, "clear", "", `"Open words" is now cleared.`, `Already cleared: "Open words" was cleared by lead; nothing more was done.`, "cleared"},
		{lead, 3, "return", "Say more.", `"Open words" is now draft.`, `Already returned to draft: "Open words" was returned to draft by lead; nothing more was done.`, "draft"},
	} {
		if kind, text := c.b.review(t, id, c.version, c.decision, c.comment); kind != "ok" || text != c.first {
			t.Errorf("%s: %s %q, want %q", c.decision, kind, text, c.first)
		}
		if kind, text := c.b.review(t, id, c.version, c.decision, c.comment); kind != "ok" || text != c.second {
			t.Errorf("%s again: %s %q, want %q", c.decision, kind, text, c.second)
		}
		if sh := f.sheet("lead", id); sh.Status != c.now || sh.Version != c.version+1 {
			t.Errorf("%s twice: the sheet is %s at version %d, want %s at %d", c.decision, sh.Status, sh.Version, c.now, c.version+1)
		}
	}
	// A comment typed the second time is said to be left out.
	if _, text := lead.review(t, id, 3, "return", "Something else."); !strings.HasSuffix(text, "nothing more was done. The comment you typed was not added.") {
		t.Errorf("another comment: %q", text)
	}
	// Stale: cleared at version 6, then saved by the lead (still cleared,
	// version 7). A Clear from version 5 would vouch for text its lead has
	// not read: refused, although the sheet stands cleared.
	officer.review(t, id, 4, "submit", "")
	lead.review(t, id, 5, "clear", "")
	// Nor is a decision not the sender's to make said to be done.
	if kind, text := officer.review(t, id, 5, "clear", ""); kind != "error" || strings.Contains(text, "Already") {
		t.Errorf("an officer's clear: %s %q", kind, text)
	}
	f.update("lead", "/api/v1/sheets/"+id, func(sh map[string]any) { editOne(sh, 0, 0, "Words the lead changed.") })
	if sh := f.sheet("lead", id); sh.Status != "cleared" || sh.Version != 7 {
		t.Fatalf("the sheet is %s at version %d", sh.Status, sh.Version)
	}
	// (The page is shown again, the lead's comment kept in its form:
	// TestPages_RefusedReviewKeepsComment.)
	rec := lead.send("POST", "/sheets/"+id+"/review", url.Values{"csrf_token": {lead.csrf}, "version": {"5"}, "decision": {"clear"}})
	if m := flashText.FindStringSubmatch(rec.Body.String()); rec.Code != 412 || m == nil || m[1] != "error" ||
		!strings.Contains(html.UnescapeString(m[2]), "Not done: the sheet changed since you opened the page") {
		t.Errorf("a stale clear: %d %q", rec.Code, m)
	}
}

// TestPages_RefusedReviewKeepsComment: a lead's Return (or Clear) refused
// because someone saved the sheet since it was opened comes back as the
// sheet page, the sheet as it now is, with the comment typed still in the
// review form and why it was refused; sent again from there it is done, and
// goes back to the page it was first sent from (the round's, say). Before,
// a flash and a redirect lost the comment.
func TestPages_RefusedReviewKeepsComment(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	lead := f.pageBrowser("lead")
	comment := "Paragraph two overstates the assessment: cite the source & soften the second sentence."
	type reviewed struct {
		Version int `json:"version"`
		Reviews []struct {
			Decision string `json:"decision"`
			Comment  string `json:"comment"`
		} `json:"reviews"`
	}
	sheet := func(id string) (out reviewed) {
		f.do("lead", "GET", "/api/v1/sheets/"+id, nil).json(&out)
		return out
	}
	for _, c := range []struct {
		name, from, back string
	}{
		{"FromTheSheet", "/sheets/", "/sheets/"},
		{"FromTheRound", "/rounds/" + w.round, "/rounds/" + w.round + "#sheets"},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody("Cyber "+c.name, para("Plain words.", "RESTRICTED", "")))
			if strings.HasSuffix(c.from, "/") {
				c.from, c.back = c.from+id, c.back+id
			}
			form := formOn(t, lead.open(c.from), "/sheets/"+id+"/review")
			// Meanwhile the officer saves a change.
			f.update("officer", "/api/v1/sheets/"+id, func(m map[string]any) { m["title"] = "Cyber (" + c.name + ")" })
			before := sheet(id)
			form.Set("decision", "return")
			form.Set("comment", comment)
			rec := lead.send("POST", "/sheets/"+id+"/review", form)
			if rec.Code != 412 {
				t.Fatalf("a return on a sheet saved since: %d", rec.Code)
			}
			page := rec.Body.String()
			review := formWith(t, page, `name="decision" value="return"`)
			for _, want := range []string{`name="comment" value="` + html.EscapeString(comment) + `"`,
				"Not done: the sheet changed since you opened the page", "Cyber (" + c.name + ")",
				`name="version" value="` + strconv.Itoa(before.Version) + `"`} {
				if !strings.Contains(review, want) && !strings.Contains(page, want) {
					t.Errorf("the page after the refusal lacks %s", want)
				}
			}
			if !strings.Contains(review, `value="`+html.EscapeString(comment)+`"`) {
				t.Errorf("the review form lost the comment:\n%s", review)
			}
			if got := sheet(id); got.Version != before.Version || len(got.Reviews) != len(before.Reviews) {
				t.Fatalf("a refused return was recorded: version %d, %d reviews", got.Version, len(got.Reviews))
			}
			// Sent again from the page shown, it is done.
			again := formOn(t, review, "/sheets/"+id+"/review")
			again.Set("decision", "return")
			again.Set("comment", comment)
			seeOther(t, lead.send("POST", "/sheets/"+id+"/review", again), c.back)
			got := sheet(id)
			if n := len(got.Reviews); n != len(before.Reviews)+1 || got.Reviews[n-1].Comment != comment {
				t.Errorf("the return sent again: %+v", got.Reviews)
			}
		})
	}
}
