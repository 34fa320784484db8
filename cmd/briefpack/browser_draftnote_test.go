package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDraftNoteSaysWhatChanged: a draft the server kept opens whole
// as the working copy when its paragraphs do not stand as the page's do.
// When nobody has saved the sheet since, that is the writer's own doing (a
// paragraph they added in place and never saved), and the note says so:
// before, it said the text was "typed before the sheet changed around it",
// of a sheet nobody had changed.
func TestBrowserDraftNoteSaysWhatChanged(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	ds, open := collabDemo(t)
	id := sheetID(t, ds, apiToken(t, ds, "lead"), "Counter Terrorism")
	ctx := open(t, "officer2", id)
	words := "Typed into a paragraph added in place, and never saved."
	do(t, ctx, "add a paragraph, type into it and leave", chromedp.Click(`button[value="add-para:0"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#s0-p4-text`, chromedp.ByQuery), chromedp.SendKeys(`#s0-p4-text`, words, chromedp.ByQuery),
		chromedp.Sleep(4*time.Second), // kept on the server a few seconds after the typing stops
		chromedp.Navigate(ds.url+"/"), chromedp.WaitVisible(`#my-sheets`, chromedp.ByQuery))
	other := open(t, "officer2", id) // another machine: nothing in its storage
	do(t, other, "the server's copy is offered", chromedp.WaitVisible(`#draft-open`, chromedp.ByQuery))
	if s := text(t, other, "#draft-note"); strings.Contains(s, "changed around it") || !strings.Contains(s, "paragraphs you added, moved or deleted") {
		t.Errorf("nobody saved the sheet, and the draft note says %q", s)
	}
	do(t, other, "open it as the working copy", chromedp.Click(`#draft-open`, chromedp.ByQuery),
		chromedp.WaitVisible(`form.sheet-editor[data-unsaved]`, chromedp.ByQuery))
	if v := value(t, other, "#s0-p4-text"); v != words {
		t.Fatalf("the working copy does not hold the added paragraph: %q", v)
	}
	// Someone saves the sheet meanwhile: then it did change around the draft.
	do(t, other, "leave", chromedp.Navigate(ds.url+"/"), chromedp.WaitVisible(`#my-sheets`, chromedp.ByQuery))
	editSheet(t, ds, apiToken(t, ds, "lead"), id, func(sh map[string]any) { sh["title"] = "Counter Terrorism (lead's title)" })
	third := open(t, "officer2", id)
	do(t, third, "the server's copy is offered", chromedp.WaitVisible(`#draft-open`, chromedp.ByQuery))
	if s := text(t, third, "#draft-note"); !strings.Contains(s, "changed around it") {
		t.Errorf("the sheet was saved since, and the draft note says %q", s)
	}
}
