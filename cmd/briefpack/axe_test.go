package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestAccessibility runs axe-core (the npm package, installed by CI; its
// axe.min.js named by BRIEFPACK_AXE) over every page each user reaches, in
// Chromium, and fails on any serious or critical violation. Without axe it
// skips, saying so, unless BRIEFPACK_REQUIRE_AXE is set, as CI sets it.
func TestAccessibility(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	path := os.Getenv("BRIEFPACK_AXE")
	src, err := os.ReadFile(path)
	if path == "" || err != nil {
		if os.Getenv("BRIEFPACK_REQUIRE_AXE") != "" {
			t.Fatalf("axe-core is required (BRIEFPACK_AXE=%q): %v", path, err)
		}
		t.Skip("set BRIEFPACK_AXE to axe-core's axe.min.js (npm install axe-core) to check the pages")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	check := func(t *testing.T, user string, paths []string) {
		ctx := browser(t, chromium, 1280, 800)
		if user != "" {
			signIn(t, ctx, ds, user)
		}
		for _, p := range paths {
			var out string
			do(t, ctx, "open "+p, chromedp.Navigate(ds.url+p), chromedp.WaitReady("body", chromedp.ByQuery),
				chromedp.Evaluate(string(src), nil),
				chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations
					.filter(v => v.impact === 'serious' || v.impact === 'critical')
					.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`,
					&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
			var vs []struct {
				ID, Impact, Help string
				Nodes            []string
			}
			if err := json.Unmarshal([]byte(out), &vs); err != nil {
				t.Fatalf("%s: axe answered %q", p, out)
			}
			for _, v := range vs {
				t.Errorf("%s as %s: %s (%s) — %s at %s", p, user, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
			}
		}
	}
	officer := apiToken(t, ds, "officer")
	rbo := sheetID(t, ds, officer, "Rules-based order")
	t.Run("SignIn", func(t *testing.T) { check(t, "", []string{"/login"}) })
	t.Run("Officer", func(t *testing.T) {
		check(t, "officer", []string{"/", "/dialogues", "/dialogues/1", "/rounds/3", "/sheets/" + rbo, "/sheets/" + rbo + "/edit",
			"/sheets/" + rbo + "/versions/1", "/search?q=rules", "/people", "/agencies"})
	})
	t.Run("Lead", func(t *testing.T) { check(t, "lead", []string{"/", "/rounds/3", "/rounds/4"}) })
	t.Run("Admin", func(t *testing.T) { check(t, "admin", []string{"/admin/users"}) })
}
