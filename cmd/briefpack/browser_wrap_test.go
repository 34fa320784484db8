package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// overrun lists what on the page shown ends past the window's right edge
// (an element, or a line of text inside one that fits), and says how wide
// the page is against the window: what runs past is cut off or must be
// scrolled to sideways.
const overrun = `(function () {
	var limit = document.documentElement.clientWidth + 1, over = [];
	function name(el) { return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""); }
	document.querySelectorAll("body *").forEach(function (el) {
		var r = el.getBoundingClientRect();
		if (r.width > 0 && r.right > limit && !el.closest(".offscreen, .skip")) { over.push(name(el) + " ends at " + Math.round(r.right)); }
	});
	var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n;
	while ((n = walk.nextNode())) {
		if (!n.textContent.trim() || !n.parentElement || n.parentElement.closest("textarea, select, .offscreen, .skip")) { continue; }
		var range = document.createRange();
		range.selectNodeContents(n);
		var rects = range.getClientRects();
		for (var i = 0; i < rects.length; i++) {
			if (rects[i].right > limit) { over.push("text " + JSON.stringify(n.textContent.trim().slice(0, 40)) + " ends at " + Math.round(rects[i].right)); break; }
		}
	}
	return JSON.stringify({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, over: over.slice(0, 8), count: over.length});
})()`

// TestBrowserLongWordsWrap opens the pages that show a sheet's paragraphs
// (the sheet, a version of it, the editor and its preview, the round) with
// a paragraph holding a link of 300 characters and a word longer than a
// line, and a dialogue's page with its calendar address, on a desktop
// window and on a phone: each such word breaks where it reaches the edge,
// as it does in the printed pack, and nothing on the page runs past the
// window.
func TestBrowserLongWordsWrap(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	lead := apiToken(t, ds, "lead")

	url := "https://dpmc.sharepoint.govt.nz/sites/NSG/Shared%20Documents/Forms/AllItems.aspx?id=%2Fsites%2FNSG%2FShared%20Documents%2FDialogues%2F" +
		strings.Repeat("ANZNSD%2FRound%203%2F", 8) + "Brief.docx&parent=%2Fsites%2FNSG%2FShared%20Documents"
	url += strings.Repeat("x", max(0, 300-len(url)))
	word := "Supercalifragilistic" + strings.Repeat("expialidocious", 10) + "ENDWORD"
	para := func(text string) map[string]any {
		return map[string]any{"text": text, "marking": "RESTRICTED", "withhold": ""}
	}
	sheet := map[string]any{"title": "Long words " + word, "sections": []map[string]any{{"kind": "situation", "paragraphs": []map[string]any{
		para("The brief is at " + url + " for those who can reach it."),
		para("A word longer than a line: " + word + "."),
		para("An ordinary paragraph after them."),
	}}}}
	r, b := apiDo(t, ds, lead, "POST", "/api/v1/rounds/3/sheets", sheet)
	if r.StatusCode != 201 {
		t.Fatalf("the sheet: %d %s", r.StatusCode, b)
	}
	var created struct{ ID string }
	json.Unmarshal(b, &created)
	id := created.ID

	pages := []struct{ name, path, wait string }{
		{"sheet", "/sheets/" + id, ".sheet-table"},
		{"version", "/sheets/" + id + "/versions/1", ".sheet-table"},
		{"editor", "/sheets/" + id + "/edit", "form.sheet-editor"},
		{"round", "/rounds/3", "#sheets"},
		{"dialogue", "/dialogues/1", "#rounds"},
	}
	check := func(t *testing.T, ctx context.Context, what string) {
		t.Helper()
		var out string
		do(t, ctx, "measure "+what, chromedp.Evaluate(overrun, &out))
		var got struct {
			Scroll, Client, Count int
			Over                  []string
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if got.Count > 0 || got.Scroll > got.Client {
			t.Errorf("%s runs past the window (%d px wide in %d): %d elements and lines, among them %s",
				what, got.Scroll, got.Client, got.Count, strings.Join(got.Over, "; "))
		}
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser(t, chromium, size.width, size.height)
			signIn(t, ctx, ds, "lead")
			for _, p := range pages {
				do(t, ctx, "open "+p.path, chromedp.Navigate(ds.url+p.path), chromedp.WaitVisible(p.wait, chromedp.ByQuery))
				check(t, ctx, p.name+" at "+size.name+" width")
			}
			do(t, ctx, "preview in the editor", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
				chromedp.Click(`button[value="preview"]`, chromedp.ByQuery), chromedp.WaitVisible(`.preview`, chromedp.ByQuery))
			check(t, ctx, "the editor's preview at "+size.name+" width")
			screenshot(t, ctx, "long-words-preview-"+size.name)
		})
	}
}
