package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"briefpack/internal/officetest"
)

// TestXLSXPrints opens the demo's XLSX pack in a second reader, LibreOffice,
// as a delegate printing it would: converted to PDF, it runs to a sensible
// number of A4 pages (each worksheet one page wide), the cover on its own
// page, Topics' header row atop each of its pages, and no paragraph cut
// short. It needs soffice and pdftotext (Debian's libreoffice-calc-nogui and
// poppler-utils); without them it skips, saying so, unless
// BRIEFPACK_REQUIRE_LIBREOFFICE is set, as CI sets it.
func TestXLSXPrints(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	officetest.Require(t, "soffice", "pdftotext")
	ds := startDemo(t, buildBinary(t))
	lead := apiToken(t, ds, "lead")
	resp, xlsx := apiDo(t, ds, lead, "GET", "/api/v1/rounds/3/pack?format=xlsx", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("pack: %d", resp.StatusCode)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "pack.xlsx")
	if err := os.WriteFile(in, xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	out := officetest.Convert(t, "pdf", dir, in)[0]
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	text := officetest.PDFText(t, out)
	t.Logf("%d A4 pages", pages)
	// Before fitting, the same pack printed on 33 pages, long paragraphs cut to a line.
	if pages < 6 || pages > 24 {
		t.Errorf("%d pages", pages)
	}
	byPage := bytes.Split(text, []byte("\f"))
	if !bytes.Contains(byPage[0], []byte("Australia–New Zealand National Security Dialogue")) || bytes.Contains(byPage[0], []byte("Situational assessment")) {
		t.Errorf("the cover is not a page of its own:\n%s", byPage[0])
	}
	topics := 0
	topicRow := regexp.MustCompile(`(?m)^(Foreign Interference|Emerging Technologies|Rules-based order|Counter Terrorism)\s{2,}(Situational|Offensive|Defensive|What|Our|Areas)`)
	for _, p := range byPage {
		if topicRow.Match(p) {
			topics++
			if !bytes.Contains(p, []byte("Withholding")) {
				t.Errorf("a page of Topics without its header row:\n%s", p)
			}
		}
	}
	if topics < 2 {
		t.Errorf("Topics runs to %d pages: the header row's repetition is not tested", topics)
	}
	// The longest paragraphs are there to their last words, twice (Topics and the sheet's own worksheet).
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, tail := range []string{"assessing the extent and impact is difficult.", "looking forward to seeing more advice.", "the rules-based system."} {
		if strings.Count(flat, tail) < 2 {
			t.Errorf("%q is cut short or missing", tail)
		}
	}
}

// TestHTMLPrints prints the demo's HTML pack in Chromium, as a delegate
// would before travel: every page carries the marking, and a topic sheet
// that runs onto a second page repeats its title atop it.
func TestHTMLPrints(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	officetest.Require(t, "pdftotext")
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	ctx := browser(t, chromium, 1280, 800)
	signIn(t, ctx, ds, "lead")
	var pdf []byte
	do(t, ctx, "print the pack", chromedp.Navigate(ds.url+"/api/v1/rounds/3/pack?format=html&disposition=inline"),
		chromedp.WaitReady("body", chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		}))
	path := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text := officetest.PDFText(t, path)
	pages := bytes.Split(bytes.TrimRight(text, "\f"), []byte("\f"))
	t.Logf("%d A4 pages", len(pages))
	for i, p := range pages {
		if !bytes.Contains(p, []byte("TOP SECRET")) {
			t.Errorf("page %d carries no marking", i+1)
		}
	}
	// A sheet that runs past its first page: the next page, which begins no
	// other part, starts again with the sheet's title.
	continued := 0
	for _, title := range []string{"Foreign Interference", "Emerging Technologies", "Rules-based order", "Counter Terrorism"} {
		for i := 0; i+1 < len(pages); i++ {
			if !bytes.Contains(pages[i], []byte(title)) || !bytes.Contains(pages[i], []byte("Situational assessment")) {
				continue
			}
			next := pages[i+1]
			if bytes.Contains(next, []byte("Situational assessment")) || bytes.Contains(next, []byte("Open actions")) {
				break // the sheet ended on its page
			}
			continued++
			if !bytes.Contains(next, []byte(title)) {
				t.Errorf("page %d goes on with %s without its title:\n%s", i+2, title, next)
			}
			break
		}
	}
	if continued == 0 {
		t.Error("no sheet ran onto a second page: the repeated title is not tested")
	}
}
