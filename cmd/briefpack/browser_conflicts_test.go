package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserConflictListFollowsAnInPlaceChange: on the conflict page the
// second officer takes the first's text, then adds, moves or previews a
// paragraph in place. The change applies the choices (their radio buttons
// go), and the list of conflicts above the editor must go with them: it
// stayed, naming places still to decide that were decided, at labels the
// move made wrong. What the page shows above the editor is what the
// server's answer shows there, as without scripts.
func TestBrowserConflictListFollowsAnInPlaceChange(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	ds, open := collabDemo(t)
	token := apiToken(t, ds, "officer")
	id := sheetID(t, ds, token, "Foreign Interference")
	for i, op := range []string{"add-para:0", "down-para:0:0", "preview"} {
		t.Run(op, func(t *testing.T) {
			b := open(t, "officer2", id)
			editSheet(t, ds, token, id, func(sh map[string]any) {
				p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
				p["text"] = fmt.Sprintf("The first officer's text of the first paragraph, take %d.", i)
			})
			do(t, b, "the second officer rewrites the first paragraph too", chromedp.SetValue(`#s0-p0-text`, "The second officer's text.", chromedp.ByQuery))
			saveNow(t, b, "officer2")
			var listed int
			do(t, b, "the conflict page lists the conflict", chromedp.WaitVisible(`#conflicts li`, chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelectorAll('#conflicts li').length`, &listed))
			if listed != 1 {
				t.Fatalf("the conflict page lists %d conflicts", listed)
			}
			do(t, b, "takes theirs and makes the change in place",
				chromedp.Click(`.conflict-choice input[value="theirs"]`, chromedp.ByQuery),
				chromedp.Click(`button[value="`+op+`"]`, chromedp.ByQuery),
				chromedp.WaitNotPresent(`.conflict-choice`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond))
			var left string
			do(t, b, "look above the editor", chromedp.Evaluate(`Array.prototype.map.call(document.querySelectorAll('#conflicts, #editor-error'), function (e) { return e.textContent; }).join(' | ')`, &left))
			if left != "" {
				t.Errorf("after %s, with every choice applied, the page still says: %q", op, left)
			}
			saveNow(t, b, "officer2")
		})
	}
}
