package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPresenceSeenByTheFirstToOpen: two officers open the same
// sheet's editor, seconds apart. The second's page names the first as it
// loads; the first's must name the second within seconds too, without
// a reload. It said nothing until its once-a-minute question, up to a
// minute on, while the second typed into the same paragraphs. And when the
// second leaves, the first is told within seconds too.
func TestBrowserPresenceSeenByTheFirstToOpen(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	ds, open := collabDemo(t)
	id := sheetID(t, ds, apiToken(t, ds, "officer"), "Foreign Interference")
	a := open(t, "officer", id)
	time.Sleep(2 * time.Second) // the first has settled in, and asked whatever it asks at once
	b := open(t, "officer2", id)
	if s := text(t, b, "#presence"); !strings.Contains(s, "Also open by officer ") {
		t.Errorf("the second to open is not told of the first: %q", s)
	}
	err := chromedp.Run(a, chromedp.Poll(`document.getElementById('presence').textContent.indexOf('officer2') >= 0`, nil,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("the first to open is not told of the second within seconds: %q (%v)", text(t, a, "#presence"), err)
	}
	// And nothing changing, the editors do not ask again and again: each
	// holds one question, which the server answers when something changes.
	var asks int
	do(t, a, "count the questions asked", chromedp.Evaluate(`window.presenceAsks = 0; (function (f) { window.fetch = function (u) {
		if (String(u).indexOf('/presence') >= 0) { window.presenceAsks++; } return f.apply(this, arguments); }; })(window.fetch)`, nil),
		chromedp.Sleep(8*time.Second), chromedp.Evaluate(`window.presenceAsks`, &asks))
	if asks > 1 {
		t.Errorf("with nothing changing, the first editor asked %d times in eight seconds", asks)
	}
	// The second saves: their page goes and the editor comes back, and
	// they are still there to the first.
	do(t, b, "the second saves", chromedp.Click(`button[value="save"]:not(.offscreen)`, chromedp.ByQuery),
		chromedp.WaitVisible(`#presence`, chromedp.ByQuery), chromedp.Sleep(5*time.Second))
	if s := text(t, a, "#presence"); !strings.Contains(s, "officer2") {
		t.Errorf("after the second saved, the first is told: %q", s)
	}
	// The second leaves the editor (a link followed): the first is told
	// within seconds, not when the second's record grows stale, minutes on.
	var left string
	do(t, b, "leave the editor", chromedp.Evaluate(`location.href`, &left))
	do(t, b, "follow a link away", chromedp.Navigate(strings.Split(left, "/sheets/")[0]+"/"))
	err = chromedp.Run(a, chromedp.Poll(`document.getElementById('presence').textContent.indexOf('officer2') < 0`, nil,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Errorf("the first is not told within seconds that the second left: %q (%v)", text(t, a, "#presence"), err)
	}
}
