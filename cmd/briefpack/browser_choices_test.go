package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// collabDemo is the demo with a second SECRET officer, officer2, and
// opens a sheet's editor for someone in a browser of their own that
// leaves a page with unsaved text when asked.
func collabDemo(t *testing.T) (ds *demoServer, open func(t *testing.T, name, id string) context.Context) {
	t.Helper()
	chromium := findChromium(t)
	ds = startDemo(t, buildBinary(t))
	pw := "a passphrase for the second officer"
	if r, body := apiDo(t, ds, apiToken(t, ds, "admin"), "POST", "/api/v1/users",
		map[string]any{"name": "officer2", "role": "officer", "clearance": "SECRET", "password": pw}); r.StatusCode != 201 {
		t.Fatalf("new user: %d %s", r.StatusCode, body)
	}
	ds.logins["officer2"] = pw
	return ds, func(t *testing.T, name, id string) context.Context {
		ctx := browser(t, chromium, 1280, 800)
		chromedp.ListenTarget(ctx, func(ev any) {
			if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
			}
		})
		signIn(t, ctx, ds, name)
		do(t, ctx, name+" opens the editor", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery))
		return ctx
	}
}

// saveNow presses Save and returns the message the page comes back with.
func saveNow(t *testing.T, ctx context.Context, who string) string {
	t.Helper()
	do(t, ctx, who+" saves", submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	return text(t, ctx, ".flash")
}

// TestBrowserConflictChoiceKeptThroughAnAddedParagraph: on the conflict
// page the second officer takes the first's text, then adds a paragraph
// (in place) before saving. The save keeps the first officer's text, as
// chosen.
func TestBrowserConflictChoiceKeptThroughAnAddedParagraph(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	ds, open := collabDemo(t)
	id := sheetID(t, ds, apiToken(t, ds, "lead"), "Foreign Interference")
	a, b := open(t, "officer", id), open(t, "officer2", id)
	theirs := "The first officer's text of the first paragraph."
	do(t, a, "the first officer rewrites the first paragraph", chromedp.SetValue(`#s0-p0-text`, theirs, chromedp.ByQuery))
	if s := saveNow(t, a, "officer"); !strings.HasPrefix(s, "Saved") {
		t.Fatalf("the first save: %q", s)
	}
	do(t, b, "the second officer rewrites it too", chromedp.SetValue(`#s0-p0-text`, "The second officer's text.", chromedp.ByQuery))
	saveNow(t, b, "officer2")
	do(t, b, "takes theirs and adds a paragraph", chromedp.WaitVisible(`.conflict-choice`, chromedp.ByQuery),
		chromedp.Click(`.conflict-choice input[value="theirs"]`, chromedp.ByQuery),
		chromedp.Click(`button[value="add-para:1"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`.conflict-choice`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond))
	saveNow(t, b, "officer2")
	_, body := apiDo(t, ds, apiToken(t, ds, "lead"), "GET", "/api/v1/sheets/"+id, nil)
	if !strings.Contains(string(body), theirs) {
		t.Errorf("the save put the second officer's text over the first's, which they chose to take: %.400s", body)
	}
}
