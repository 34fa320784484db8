package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

// TestBrowserPrintedPackTablesKeepWordsWhole lays the HTML pack out in
// Chromium as it prints on A4 (as TestBrowserPrintedPackKeepsEveryWord
// does), in both editions, live and frozen: the demo's programme,
// delegations and open actions, and Markdown tables in a round's purpose and
// in a sheet's paragraphs whose words fit their columns. No word in any
// table may be split across lines, as "New Zealan|d", "Dele|gate" and
// "2." over "01" once were when a column was squeezed below its longest
// word, save a URL of 200 characters with no break in it, which must break
// and still end inside the page: in a paragraph, in a table's cell and in
// an open action.
func TestBrowserPrintedPackTablesKeepWordsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	officer, secretariat, lead := apiToken(t, ds, "officer"), apiToken(t, ds, "secretariat"), apiToken(t, ds, "lead")

	const token = "A1b2C3d4e5" // the URL's, and only the URL's, words hold it
	url := "https://example.org/" + strings.Repeat(token, 18)
	terms := "| Term | Meaning |\n| --- | --- |\n" +
		"| Counterterrorism | What each side does to prevent, detect and respond to terrorism at home and abroad, and how the two work together on it. |\n" +
		"| Interoperability | How readily the two sides' agencies, systems and people can work together. |\n"
	measures := "| Ref | Measure | Lead | Partner | Due | Status |\n| --- | --- | --- | --- | --- | --- |\n" +
		"| 1.1 | Exchange liaison officers between the two services and report on progress at each round. | Customs | Border Force | December | Ongoing |\n" +
		"| 1.2 | Publish a joint statement on the protection of undersea cables. | Foreign Affairs | DFAT | March | Delayed |\n"
	para := func(text string) map[string]any {
		return map[string]any{"text": text, "marking": "RESTRICTED", "withhold": ""}
	}
	sheet := map[string]any{"title": "Tables whole", "sections": []map[string]any{{"kind": "situation", "paragraphs": []map[string]any{
		para(terms), para(measures), para("The report is at " + url + " for those who want it."),
		para("| Document | Address |\n| --- | --- |\n| Report | " + url + " |\n")}}}}
	if r, b := apiDo(t, ds, officer, "POST", "/api/v1/rounds/3/sheets", sheet); r.StatusCode != 201 {
		t.Fatalf("the sheet: %d %s", r.StatusCode, b)
	}
	action := map[string]any{"ref": "2.03", "text": "Circulate the report at " + url + " before the round.", "raised_in_round_id": "2"}
	if r, b := apiDo(t, ds, secretariat, "POST", "/api/v1/dialogues/1/actions", action); r.StatusCode != 201 {
		t.Fatalf("the action: %d %s", r.StatusCode, b)
	}
	// A timed agenda is a programme, a table; the purpose holds a Markdown table outside any sheet.
	resp, b := apiDo(t, ds, secretariat, "GET", "/api/v1/rounds/3", nil)
	var round map[string]any
	if err := json.Unmarshal(b, &round); err != nil {
		t.Fatal(err)
	}
	for i, it := range round["agenda"].([]any) {
		item := it.(map[string]any)
		item["starts_at"], item["ends_at"] = fmt.Sprintf("%02d:00", 9+i), fmt.Sprintf("%02d:45", 9+i)
		item["session"] = "Plenary session on regional security cooperation"
	}
	round["purpose"] = terms
	if r, b := apiDo(t, ds, secretariat, "PUT", "/api/v1/rounds/3", round, "If-Match", resp.Header.Get("ETag")); r.StatusCode != 200 {
		t.Fatalf("the programme: %d %s", r.StatusCode, b)
	}

	packs := map[string]string{}
	for _, edition := range []string{"full", "release"} {
		packs["live "+edition] = "/api/v1/rounds/3/pack?format=html&edition=" + edition
	}
	r, b := apiDo(t, ds, lead, "POST", "/api/v1/rounds/3/packs", map[string]any{"force": true})
	var snapshot struct{ ID string }
	if err := json.Unmarshal(b, &snapshot); r.StatusCode != 201 || err != nil || snapshot.ID == "" {
		t.Fatalf("the freeze: %d %s", r.StatusCode, b)
	}
	for _, edition := range []string{"full", "release"} {
		packs["frozen "+edition] = "/api/v1/packs/" + snapshot.ID + "?format=html&edition=" + edition
	}

	// A4 is 210 mm wide and the pack's pages have margins of 16 mm: 178 mm,
	// 673 CSS pixels, is the width a printed line has.
	ctx := browser(t, chromium, 673, 1000)
	dir := t.TempDir()
	for _, name := range []string{"live full", "live release", "frozen full", "frozen release"} {
		r, pack := apiDo(t, ds, lead, "GET", packs[name], nil)
		if r.StatusCode != 200 || !strings.Contains(string(pack), "Interoperability") || !strings.Contains(string(pack), url) ||
			!strings.Contains(string(pack), "Border Force") {
			t.Fatalf("the %s pack: %d", name, r.StatusCode)
		}
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".html")
		if err := os.WriteFile(path, pack, 0o600); err != nil {
			t.Fatal(err)
		}
		var out string
		do(t, ctx, "lay the "+name+" pack out for print",
			emulation.SetEmulatedMedia().WithMedia("print"),
			chromedp.Navigate("file://"+path),
			chromedp.WaitReady(`body`, chromedp.ByQuery),
			chromedp.Evaluate(strings.ReplaceAll(`(function () {
				var limit = document.documentElement.clientWidth + 1, split = [], over = [], words = 0, urls = 0;
				function lines(range) {
					var tops = {};
					Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width > 0) { tops[Math.round(r.top)] = true; } });
					return Object.keys(tops).length;
				}
				// Every table but a sheet's own, whose cells are paragraphs; a
				// word ends at a space or after a dash, where a line may break.
				document.querySelectorAll("table:not(.sheet)").forEach(function (table) {
					var walk = document.createTreeWalker(table, NodeFilter.SHOW_TEXT), n;
					while ((n = walk.nextNode())) {
						var re = /[^\s\-\u2013\u2014]+[\-\u2013\u2014]?/g, m;
						while ((m = re.exec(n.textContent))) {
							var range = document.createRange();
							range.setStart(n, m.index);
							range.setEnd(n, m.index + m[0].length);
							if (m[0].indexOf(TOKEN) >= 0) { urls++; continue; }
							words++;
							if (lines(range) > 1) { split.push(m[0] + " (" + (table.closest("section[id]") || {}).id + ")"); }
						}
					}
				});
				var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n;
				while ((n = walk.nextNode())) {
					if (!n.textContent.trim()) { continue; }
					var range = document.createRange();
					range.selectNodeContents(n);
					var rects = range.getClientRects();
					for (var i = 0; i < rects.length; i++) {
						if (rects[i].right > limit) { over.push(JSON.stringify(n.textContent.trim().slice(0, 40)) + " ends at " + Math.round(rects[i].right)); break; }
					}
				}
				return JSON.stringify({words: words, urls: urls, split: split, over: over, scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth});
			})()`, "TOKEN", strconv.Quote(token)), &out))
		screenshot(t, ctx, "pack-tables-"+strings.ReplaceAll(name, " ", "-"))
		var got struct {
			Words, URLs, Scroll, Client int
			Split, Over                 []string
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		// The demo's delegations and actions, the programme and the tables
		// above: hundreds of words; the URL in a table's cell and an action.
		if got.Words < 200 || got.URLs < 2 {
			t.Fatalf("the %s pack: %d words in its tables and %d URLs, not the tables expected", name, got.Words, got.URLs)
		}
		if len(got.Split) > 0 {
			t.Errorf("printed on A4, the %s pack splits %d of the %d words in its tables across lines: %s",
				name, len(got.Split), got.Words, strings.Join(got.Split[:min(len(got.Split), 20)], ", "))
		}
		if len(got.Over) > 0 || got.Scroll > got.Client {
			t.Errorf("printed on A4, the %s pack runs past the page (%d px wide in %d): %s",
				name, got.Scroll, got.Client, strings.Join(got.Over[:min(len(got.Over), 12)], "; "))
		}
	}
}
