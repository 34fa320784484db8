package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserEnterInANewSectionsHeadingAddsIt: an officer types a new
// section's heading and presses Enter, as in any one-line field. The form's
// default button is Save, so the sheet was saved and the heading typed was
// gone; Enter there now adds the section, in place, and saves nothing.
func TestBrowserEnterInANewSectionsHeadingAddsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	id := sheetID(t, ds, apiToken(t, ds, "lead"), "Rules-based order")
	ctx := browser(t, chromium, 1280, 800)
	signIn(t, ctx, ds, "officer")
	count := `document.querySelectorAll("form.sheet-editor fieldset").length`
	var before, after int
	var headings, flash string
	do(t, ctx, "open the editor", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`#new_heading`, chromedp.ByQuery),
		chromedp.Evaluate(count, &before))
	do(t, ctx, "type a heading and press Enter", chromedp.SendKeys(`#new_heading`, "Maritime security"+kb.Enter, chromedp.ByQuery),
		chromedp.Sleep(2*time.Second))
	do(t, ctx, "read the page", chromedp.Poll(count+` > `+strconv.Itoa(before), nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(count, &after),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("form.sheet-editor input[name$='.heading']")).map(function (x) { return x.value; }).join("|")`, &headings),
		chromedp.Evaluate(`Array.from(document.querySelectorAll(".flash")).map(function (x) { return x.textContent; }).join("|")`, &flash))
	if after != before+1 || !strings.Contains(headings, "Maritime security") || strings.Contains(flash, "Saved") {
		t.Errorf("Enter in the new section's heading: %d sections, then %d; headings %q; flash %q", before, after, headings, flash)
	}
}
