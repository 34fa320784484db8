package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFromTextLeavesTheEditorsOwnAddress: an officer pastes a brief
// into the round page's from-text form, previews it, then makes the sheet:
// the editor it opens is at its own address. The form's address ended in
// #from-text, for the preview to open at the form, and the browser kept
// that on the editor it was sent to, an address naming a part of another
// page.
func TestBrowserFromTextLeavesTheEditorsOwnAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	ctx := browser(t, chromium, 1280, 800)
	signIn(t, ctx, ds, "officer")
	const brief = "Pacific maritime domain awareness\n\nSituational assessment\n\n" +
		"- Illegal, unreported and unregulated fishing in the Pacific has risen for a third year.\n" +
		"- Partners share vessel tracking data through the regional fisheries agency.\n\n" +
		"Talking points\n\n- We welcome closer work on surveillance flights over the Tasman."
	var previewURL, previewed string
	do(t, ctx, "open the form", chromedp.Navigate(ds.url+"/rounds/3"), chromedp.WaitReady(`#from-text`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#from-text").open = true`, nil),
		chromedp.SetValue(`#ft-text`, brief, chromedp.ByQuery))
	do(t, ctx, "preview", submit(`#from-text button[value="preview"]`), chromedp.WaitVisible(`#from-text [role="status"]`, chromedp.ByQuery),
		chromedp.Location(&previewURL), chromedp.Text(`#from-text [role="status"]`, &previewed, chromedp.ByQuery))
	if !strings.Contains(previewed, "Pacific maritime domain awareness") {
		t.Fatalf("the preview shows %q", previewed)
	}
	if !strings.HasSuffix(previewURL, "#from-text") {
		t.Errorf("the preview is at %s, not at its form", previewURL)
	}
	var editorURL string
	do(t, ctx, "create", submit(`#from-text button[value="create"]`), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
		chromedp.Location(&editorURL))
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(ds.url) + `/sheets/[^/#?]+/edit$`).MatchString(editorURL) {
		t.Errorf("the editor is at %s, not at its own address", editorURL)
	}
}
