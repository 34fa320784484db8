package main

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserRefusedFormFocusesTheField: a form refused for one of its
// fields comes back with the focus on that field, with scripts and
// without, as the agenda's and the editor's forms do: the round's form
// (Starts on after Ends on), the form adding a user (a short password),
// the comment form (an empty comment) and the review form (Return without
// a comment). Before, the focus landed on the round form's first field,
// Number, and on nothing at all (the page's body) in the others.
func TestBrowserRefusedFormFocusesTheField(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	open := func(sel string) chromedp.Action {
		return chromedp.Evaluate(`document.querySelector('`+sel+`').closest('details') && (document.querySelector('`+sel+`').closest('details').open = true)`, nil)
	}
	forms := []struct {
		name, user, path, wait string
		fill                   chromedp.Action
		button, want           string
	}{
		{"round", "secretariat", "/rounds/3", "#f-starts_on",
			chromedp.Tasks{open("#f-starts_on"), chromedp.SetValue(`#f-starts_on`, "2018-11-20", chromedp.ByQuery)},
			`form.stack button[value="save"]`, "f-ends_on"},
		{"user", "admin", "/admin/users", "#u-name",
			chromedp.Tasks{chromedp.SendKeys(`#u-name`, "shortpassword", chromedp.ByQuery), chromedp.SendKeys(`#u-password`, "short", chromedp.ByQuery)},
			`form[action="/admin/users"] button`, "u-password"},
		{"comment", "officer", "/sheets/1", "#c-text",
			chromedp.SetValue(`#c-text`, "   ", chromedp.ByQuery),
			`#comment-form button`, "c-text"},
		{"review", "lead", "/sheets/1", "#r-comment",
			chromedp.Tasks{},
			`#review button[value="return"]`, "r-comment"},
	}
	for _, scripts := range []bool{true, false} {
		name := "WithScripts"
		if !scripts {
			name = "WithoutScripts"
		}
		t.Run(name, func(t *testing.T) {
			for _, f := range forms {
				ctx := browser(t, chromium, 1280, 800)
				if !scripts {
					do(t, ctx, "disable scripts", emulation.SetScriptExecutionDisabled(true))
				}
				signIn(t, ctx, ds, f.user)
				var focused string
				do(t, ctx, "refuse the "+f.name+" form", chromedp.Navigate(ds.url+f.path), chromedp.WaitVisible(f.wait, chromedp.ByQuery),
					f.fill, submit(f.button), chromedp.WaitVisible(`[role="alert"]`, chromedp.ByQuery), chromedp.Sleep(200))
				// The focus is read with scripts back on: the page was laid out without them.
				if !scripts {
					do(t, ctx, "enable scripts to read the focus", emulation.SetScriptExecutionDisabled(false))
				}
				do(t, ctx, "read the focus", chromedp.Evaluate(`document.activeElement.id || document.activeElement.tagName`, &focused))
				if focused != f.want {
					t.Errorf("the refused %s form puts the focus on %q, not the field at fault %s", f.name, focused, f.want)
				}
			}
		})
	}
}
