package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPrintedPackKeepsEveryWord lays the HTML pack out in Chromium
// as it prints on A4 (print media, the page's width inside its margins) with
// a sheet holding what once ran off the right edge of the page: a word
// longer than a line, a table of fourteen columns and an indented code
// block, each followed by an ordinary paragraph. Whatever runs past the
// page's width is cut off on paper, the sheet's marking beside its title
// with it, so nothing may: every element and every line of text ends
// inside the page.
func TestBrowserPrintedPackKeepsEveryWord(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	officer := apiToken(t, ds, "officer")

	long := "Supercalifragilistic" + strings.Repeat("expialidocious", 14) + "ENDWORD"
	var table strings.Builder
	for row := range 3 {
		table.WriteString("|")
		for col := range 14 {
			switch row {
			case 0:
				table.WriteString(" Column" + string(rune('A'+col)) + " |")
			case 1:
				table.WriteString(" --- |")
			default:
				table.WriteString(" cellvalue" + string(rune('A'+col)) + " |")
			}
		}
		table.WriteString("\n")
	}
	code := "Before the code:\n\n    pre_block CODETEXT " + strings.Repeat("continues_without_a_break_", 6) + "CODEEND"
	normal := "An ordinary paragraph after it, which wraps within its column and ends with the words LASTWORDS."
	para := func(text string) map[string]any {
		return map[string]any{"text": text, "marking": "RESTRICTED", "withhold": ""}
	}
	sheet := map[string]any{"title": "Printed whole", "sections": []map[string]any{{"kind": "situation", "paragraphs": []map[string]any{
		para(long), para(normal), para(table.String()), para(normal), para(code), para(normal)}}}}
	if r, b := apiDo(t, ds, officer, "POST", "/api/v1/rounds/3/sheets", sheet); r.StatusCode != 201 {
		t.Fatalf("the sheet: %d %s", r.StatusCode, b)
	}
	r, pack := apiDo(t, ds, apiToken(t, ds, "lead"), "GET", "/api/v1/rounds/3/pack?format=html", nil)
	if r.StatusCode != 200 || !strings.Contains(string(pack), "ENDWORD") {
		t.Fatalf("the pack: %d", r.StatusCode)
	}
	path := filepath.Join(t.TempDir(), "pack.html")
	if err := os.WriteFile(path, pack, 0o600); err != nil {
		t.Fatal(err)
	}

	// A4 is 210 mm wide and the pack's pages have margins of 16 mm: 178 mm,
	// 673 CSS pixels, is the width a printed line has.
	const width = 673
	ctx := browser(t, chromium, width, 1000)
	var out string
	do(t, ctx, "lay the pack out for print",
		emulation.SetEmulatedMedia().WithMedia("print"),
		chromedp.Navigate("file://"+path),
		chromedp.WaitReady(`body`, chromedp.ByQuery),
		chromedp.Evaluate(`(function () {
			var limit = document.documentElement.clientWidth + 1, over = [];
			function name(el) { return el.tagName.toLowerCase() + (el.className ? "." + el.className : ""); }
			document.querySelectorAll("body *").forEach(function (el) {
				var r = el.getBoundingClientRect();
				if (r.width > 0 && r.right > limit) { over.push(name(el) + " ends at " + Math.round(r.right)); }
			});
			// Text whose element fits can still run past it.
			var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n;
			while ((n = walk.nextNode())) {
				if (!n.textContent.trim()) { continue; }
				var range = document.createRange();
				range.selectNodeContents(n);
				var rects = range.getClientRects();
				for (var i = 0; i < rects.length; i++) {
					if (rects[i].right > limit) { over.push("text " + JSON.stringify(n.textContent.trim().slice(0, 40)) + " ends at " + Math.round(rects[i].right)); break; }
				}
			}
			return JSON.stringify({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, over: over.slice(0, 12), count: over.length});
		})()`, &out))
	screenshot(t, ctx, "pack-printed-a4")
	var got struct {
		Scroll, Client, Count int
		Over                  []string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Count > 0 || got.Scroll > got.Client {
		t.Fatalf("printed on A4, the pack runs past the page (%d px wide in %d): %d elements and lines, among them %s",
			got.Scroll, got.Client, got.Count, strings.Join(got.Over, "; "))
	}
}
