package main

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEditorBannersFollowTheMarking: an officer cleared to SECRET
// raises a paragraph of a RESTRICTED sheet to SECRET in the editor and
// previews it in place, as the pack would show it: the banners at the top
// and bottom of the page say SECRET, as the sheet's marking as it stands
// does (and as the page shown without scripts does); lowered again, they
// say RESTRICTED.
func TestBrowserEditorBannersFollowTheMarking(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	officer := apiToken(t, ds, "officer")
	sheet := map[string]any{"title": "Banners", "sections": []map[string]any{{"kind": "situation", "paragraphs": []map[string]any{
		{"text": "A restricted paragraph.", "marking": "RESTRICTED", "withhold": ""},
		{"text": "Another.", "marking": "RESTRICTED", "withhold": ""},
	}}}}
	r, b := apiDo(t, ds, officer, "POST", "/api/v1/rounds/3/sheets", sheet)
	if r.StatusCode != 201 {
		t.Fatalf("the sheet: %d %s", r.StatusCode, b)
	}
	var created struct{ ID string }
	json.Unmarshal(b, &created)

	ctx := browser(t, chromium, 1280, 800)
	signIn(t, ctx, ds, "officer")
	do(t, ctx, "open the editor", chromedp.Navigate(ds.url+"/sheets/"+created.ID+"/edit"), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery))
	// banners reads the sheet's marking as it stands and both banners in
	// one evaluation, once the marking reads want (or ten seconds pass):
	// the script replaces the preview in place, and a node read in two
	// steps could be gone between them.
	banners := func(when, want string) {
		t.Helper()
		var got struct{ Marking, Top, Bottom, TopClass, BottomClass string }
		const read = `(function(){ var m = document.getElementById('sheet-marking'), t = document.getElementById('banner-top'), b = document.getElementById('banner-bottom');
			return {Marking: m ? m.textContent.trim() : '', Top: t ? t.textContent.trim() : '', Bottom: b ? b.textContent.trim() : '',
				TopClass: t ? t.className : '', BottomClass: b ? b.className : ''} })()`
		_ = chromedp.Run(ctx, chromedp.Poll(`(function(){ var m = document.getElementById('sheet-marking'); return !!m && m.textContent.trim() === `+strconv.Quote(want)+` })()`,
			nil, chromedp.WithPollingTimeout(10*time.Second)))
		do(t, ctx, "read the banners", chromedp.Evaluate(read, &got))
		if got.Marking != want {
			t.Errorf("%s the sheet's marking as it stands reads %q, not %q", when, got.Marking, want)
		}
		if got.Top != want || got.Bottom != want {
			t.Errorf("%s the banners read %q and %q, not %q", when, got.Top, got.Bottom, want)
		}
		if got.TopClass != got.BottomClass {
			t.Errorf("%s the banners are coloured %q and %q", when, got.TopClass, got.BottomClass)
		}
	}
	banners("opened,", "RESTRICTED")
	var restricted string
	do(t, ctx, "the banner's colour", chromedp.Evaluate(`document.getElementById('banner-top').className`, &restricted))
	mark := func(level string) chromedp.Action {
		return chromedp.Tasks{chromedp.SetValue(`#s0-p0-marking`, level, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#s0-p0-marking').dispatchEvent(new Event('change', {bubbles: true}))`, nil)}
	}
	do(t, ctx, "raise a paragraph to SECRET", mark("SECRET"))
	banners("raised to SECRET,", "SECRET")
	do(t, ctx, "preview", chromedp.Evaluate(`window.__notReloaded = true`, nil), chromedp.Click(`button[value="preview"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.preview`, chromedp.ByQuery),
		chromedp.Poll(`!!document.getElementById('sheet-marking')`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	var inPlace bool
	do(t, ctx, "not reloaded", chromedp.Evaluate(`window.__notReloaded === true`, &inPlace))
	if !inPlace {
		t.Fatal("the preview reloaded the page: the script path was not taken")
	}
	banners("previewed at SECRET,", "SECRET")
	var secret string
	do(t, ctx, "the banner's colour", chromedp.Evaluate(`document.getElementById('banner-top').className`, &secret))
	if secret == restricted {
		t.Errorf("the banner at SECRET is coloured as at RESTRICTED: %q", secret)
	}
	screenshot(t, ctx, "officer-editor-preview-banners")
	// The preview is replaced in place: wait for the new one, not the old.
	do(t, ctx, "lower it again and preview", mark("RESTRICTED"), chromedp.Click(`button[value="preview"]`, chromedp.ByQuery),
		chromedp.Poll(`(function(){ var m = document.getElementById('sheet-marking'); return !!m && m.textContent.trim() === 'RESTRICTED' && !!document.querySelector('.preview') })()`,
			nil, chromedp.WithPollingTimeout(10*time.Second)))
	banners("lowered and previewed,", "RESTRICTED")
}
