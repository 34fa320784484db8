package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTextInAnAddedParagraphKeptThroughAReload: "what is typed
// is kept in this browser as it is typed, and offered back when the
// editor is opened again without it (after a crash, a closed tab…)": text
// typed into a paragraph added in place, the page reloaded a second later
// (before the server's copy, a few seconds after the typing stops, has it).
func TestBrowserTextInAnAddedParagraphKeptThroughAReload(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	ds, open := collabDemo(t)
	id := sheetID(t, ds, apiToken(t, ds, "lead"), "Rules-based order")
	ctx := open(t, "officer2", id)
	var n int
	do(t, ctx, "count", chromedp.Evaluate(`document.querySelectorAll("textarea[id^='s2-p']").length`, &n))
	added := fmt.Sprintf("#s2-p%d-text", n)
	words := "Typed into a paragraph added a moment ago."
	do(t, ctx, "add a paragraph and type into it", chromedp.Click(`button[value="add-para:2"]`, chromedp.ByQuery),
		chromedp.WaitVisible(added, chromedp.ByQuery), chromedp.SendKeys(added, words, chromedp.ByQuery),
		chromedp.Sleep(time.Second)) // kept in this browser 0.4 s after the typing stops
	var kept string
	do(t, ctx, "read the browser's copy", chromedp.Evaluate(`JSON.stringify(localStorage)`, &kept))
	if !strings.Contains(kept, words) {
		t.Fatalf("the browser did not keep the words: %.300s", kept)
	}
	do(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery), chromedp.Sleep(1500*time.Millisecond))
	// Whatever the page offers, taken up.
	for i := 0; i < 2; i++ {
		var offer string
		do(t, ctx, "look for an offer", chromedp.Evaluate(`(document.querySelector('#draft-open') && 'open') || (document.querySelector('#draft-note button:not(.secondary)') && 'put') || ''`, &offer))
		switch offer {
		case "open":
			do(t, ctx, "open the working copy", chromedp.Click(`#draft-open`, chromedp.ByQuery),
				chromedp.WaitVisible(`form.sheet-editor[data-unsaved]`, chromedp.ByQuery), chromedp.Sleep(time.Second))
			continue
		case "put":
			do(t, ctx, "put it back", chromedp.Click(`#draft-note button:not(.secondary)`, chromedp.ByQuery))
		}
		break
	}
	var back bool
	do(t, ctx, "look for the words", chromedp.Evaluate(`Array.from(document.querySelectorAll('textarea')).some(function (x) { return x.value.indexOf(`+"`"+words+"`"+`) >= 0; })`, &back))
	if !back {
		var where string
		do(t, ctx, "where", chromedp.Evaluate(`location.pathname + location.search + ' ' + JSON.stringify(localStorage).slice(0, 200)`, &where))
		t.Errorf("the words typed into the added paragraph are gone after the reload (at %s)", where)
	}
	apiDo(t, ds, apiToken(t, ds, "officer2"), "DELETE", "/api/v1/sheets/"+id+"/draft", nil)
}
