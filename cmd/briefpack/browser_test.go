package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the real binary, started with the demo data, in
// Debian's headless Chromium through each user's journey, and keep a
// screenshot of every main page in artifacts/screenshots (or the directory
// named by BRIEFPACK_ARTIFACTS). Without a Chromium they say so and skip,
// unless BRIEFPACK_REQUIRE_BROWSER is set (as CI sets it): then they fail.

// findChromium returns the path of a Chromium to drive.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found on PATH: the browser tests did not run (install it: apt-get install chromium)"
	if os.Getenv("BRIEFPACK_REQUIRE_BROWSER") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// demoServer is the real binary serving the demo data on loopback.
type demoServer struct {
	url    string
	logins map[string]string // name → password
}

var loginLine = regexp.MustCompile(`^\s+(\S+)\s+(\S+)\s+(viewer|officer|lead|secretariat|admin)\s`)

func startDemo(t *testing.T, bin string) *demoServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "demo.db"))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ds := &demoServer{logins: map[string]string{}}
	sc := bufio.NewScanner(stdout)
	deadline := time.After(60 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for ds.url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the server stopped before it listened")
			}
			if m := loginLine.FindStringSubmatch(l); m != nil {
				ds.logins[m[1]] = m[2]
			}
			if m := urlLine.FindStringSubmatch(l); m != nil {
				ds.url = m[1]
			}
		case <-deadline:
			t.Fatal("the demo server did not start")
		}
	}
	go func() {
		for range lines {
		}
	}()
	if len(ds.logins) != 5 {
		t.Fatalf("demo logins %v", ds.logins)
	}
	return ds
}

// artifacts is where screenshots go.
func artifacts(t *testing.T) string {
	dir := os.Getenv("BRIEFPACK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a fresh headless Chromium (its own cookies) at a window size.
func browser(t *testing.T, chromium string, width, height int) context.Context {
	t.Helper()
	// The profile is removed by hand once Chromium has gone: t.TempDir's
	// cleanup could race with the browser still writing to it.
	profile, err := os.MkdirTemp("", "briefpack-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts, chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(width, height))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(int64(width), int64(height), 1, width < 600)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks a form's button and waits for the page it leads to (the
// old page is marked first, so its flash is not mistaken for the new one).
func submit(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`document.body.setAttribute('data-old', '1')`, nil),
		chromedp.Click(sel, chromedp.ByQuery),
		chromedp.WaitReady(`body:not([data-old])`, chromedp.ByQuery),
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	do(t, ctx, "screenshot "+name, chromedp.FullScreenshot(&png, 80))
	if err := os.WriteFile(filepath.Join(artifacts(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	do(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func signIn(t *testing.T, ctx context.Context, ds *demoServer, name string) {
	t.Helper()
	do(t, ctx, "sign in as "+name,
		chromedp.Navigate(ds.url+"/"),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, name, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, ds.logins[name], chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#my-sheets`, chromedp.ByQuery))
}

// apiToken signs in over the API, for the changes a test makes behind the browser's back.
func apiToken(t *testing.T, ds *demoServer, name string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": ds.logins[name]})
	resp, err := http.Post(ds.url+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Token
}

// serverDraftBack opens a sheet's editor where the server kept the
// signed-in writer's draft, and checks that it is offered as the server's
// and that putting it back puts words into field.
func serverDraftBack(t *testing.T, ctx context.Context, ds *demoServer, id, field, words string) {
	t.Helper()
	do(t, ctx, "open the sheet", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`#draft-note`, chromedp.ByQuery))
	if s := text(t, ctx, "#draft-note"); !strings.Contains(s, "The server kept") {
		t.Errorf("draft note %q", s)
	}
	do(t, ctx, "put it back", chromedp.Click(`#draft-note button`, chromedp.ByQuery))
	if v := value(t, ctx, field); !strings.Contains(v, strings.TrimSpace(words)) {
		t.Errorf("the draft kept on the server did not come back: %q", v)
	}
}

// editSheet changes a sheet over the API as the holder of token does
// behind the browser's back: read, changed by fn, and saved at the version
// read.
func editSheet(t *testing.T, ds *demoServer, token, id string, fn func(sh map[string]any)) {
	t.Helper()
	resp, b := apiDo(t, ds, token, "GET", "/api/v1/sheets/"+id, nil)
	var sh map[string]any
	json.Unmarshal(b, &sh)
	fn(sh)
	if r, body := apiDo(t, ds, token, "PUT", "/api/v1/sheets/"+id, sh, "If-Match", resp.Header.Get("ETag")); r.StatusCode != 200 {
		t.Fatalf("a save behind the browser's back: %d %s", r.StatusCode, body)
	}
}

func apiDo(t *testing.T, ds *demoServer, token, method, path string, body any, header ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ds.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// sheetID finds a demo sheet's id by title through the API.
func sheetID(t *testing.T, ds *demoServer, token, title string) string {
	t.Helper()
	_, b := apiDo(t, ds, token, "GET", "/api/v1/rounds/3/sheets", nil)
	var l struct{ Items []struct{ ID, Title string } }
	json.Unmarshal(b, &l)
	for _, it := range l.Items {
		if it.Title == title {
			return it.ID
		}
	}
	t.Fatalf("no sheet %q", title)
	return ""
}

func TestBrowserJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))

	t.Run("DeskOfficer", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "officer")
		if s := text(t, ctx, "#banner-top"); s != "SECRET" {
			t.Errorf("banner %q", s)
		}
		screenshot(t, ctx, "officer-dashboard")
		ct := sheetID(t, ds, apiToken(t, ds, "officer"), "Counter Terrorism")
		do(t, ctx, "open the editor",
			chromedp.Navigate(ds.url+"/sheets/"+ct+"/edit"),
			chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
			chromedp.SendKeys(`#s0-p0-text`, " Updated in the browser.", chromedp.ByQuery),
			chromedp.Click(`button[value="add-para:0"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#s0-p4-text`, chromedp.ByQuery),
			chromedp.SendKeys(`#s0-p4-text`, "A **new** paragraph with {{s6(a): withheld words}}.", chromedp.ByQuery),
			chromedp.SetValue(`#s0-p4-marking`, "CONFIDENTIAL", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#s0-p4-marking').dispatchEvent(new Event('change', {bubbles: true}))`, nil),
		)
		if s := text(t, ctx, "#s0-p4-marking-pm"); s != "(C)" {
			t.Errorf("live portion mark %q", s)
		}
		if s := text(t, ctx, "#sheet-marking"); s != "SECRET" {
			t.Errorf("rolled-up marking %q", s)
		}
		do(t, ctx, "preview", chromedp.Click(`button[value="preview"]`, chromedp.ByQuery), chromedp.WaitVisible(`.preview mark.withheld`, chromedp.ByQuery))
		screenshot(t, ctx, "officer-editor-preview")
		do(t, ctx, "save and submit", submit(`button[value="submit"]`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "submitted for clearance") {
			t.Fatalf("flash %q", s)
		}
		// Someone else saves another part first: the save merges with theirs.
		et := sheetID(t, ds, apiToken(t, ds, "officer"), "Emerging Technologies")
		lead := apiToken(t, ds, "lead")
		// The lead has the sheet open too: the officer sees so before they collide.
		if r, body := apiDo(t, ds, lead, "POST", "/api/v1/sheets/"+et+"/presence", nil); r.StatusCode != 200 {
			t.Fatalf("presence: %d %s", r.StatusCode, body)
		}
		do(t, ctx, "open another editor", chromedp.Navigate(ds.url+"/sheets/"+et+"/edit"), chromedp.WaitVisible(`#title`, chromedp.ByQuery))
		if s := text(t, ctx, "#presence"); !strings.Contains(s, "Also open by lead") {
			t.Errorf("presence %q", s)
		}
		editSheet(t, ds, lead, et, func(sh map[string]any) { sh["title"] = "Emerging Technologies (lead's edit)" })
		mine := " My words must not be lost."
		do(t, ctx, "save stale", chromedp.SendKeys(`#s0-p0-text`, mine, chromedp.ByQuery),
			submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "Saved") || !strings.Contains(s, "lead") {
			t.Errorf("merged save message %q", s)
		}
		if s := value(t, ctx, "#title"); s != "Emerging Technologies (lead's edit)" {
			t.Errorf("the lead's title was not merged: %q", s)
		}
		// The same paragraph changed by both: the conflict is shown side by
		// side, the officer's text stays on screen, and their choice saves.
		editSheet(t, ds, lead, et, func(sh map[string]any) {
			p := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
			p["text"] = "The lead's rewrite of the first paragraph."
		})
		mine = " A second addition of mine."
		do(t, ctx, "save in conflict", chromedp.SendKeys(`#s0-p0-text`, mine, chromedp.ByQuery),
			submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.conflict-choice`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash.error"); !strings.Contains(s, "Not saved") || !strings.Contains(s, "lead") {
			t.Errorf("conflict message %q", s)
		}
		if s := text(t, ctx, ".conflict-choice"); !strings.Contains(s, "The lead's rewrite") || !strings.Contains(s, "A second addition of mine.") {
			t.Errorf("the conflict does not show both sides: %q", s)
		}
		if kept := value(t, ctx, "#s0-p0-text"); !strings.Contains(kept, strings.TrimSpace(mine)) {
			t.Errorf("the text was not kept: %q", kept)
		}
		screenshot(t, ctx, "officer-conflict")
		do(t, ctx, "keep mine and save", submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.HasPrefix(s, "Saved") {
			t.Errorf("after choosing: %q", s)
		}
		if kept := value(t, ctx, "#s0-p0-text"); !strings.Contains(kept, strings.TrimSpace(mine)) {
			t.Errorf("the chosen text was not saved: %q", kept)
		}
		screenshot(t, ctx, "officer-stale-save")
	})

	t.Run("EditInPlace", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "officer")
		fi := sheetID(t, ds, apiToken(t, ds, "officer"), "Foreign Interference")
		var before, after float64
		var focused string
		var marker bool
		var n int // paragraphs in section 4 before one is added
		do(t, ctx, "open a long sheet and work far down it",
			chromedp.Navigate(ds.url+"/sheets/"+fi+"/edit"),
			chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll("textarea[id^='s3-p']").length`, &n),
			chromedp.Evaluate(`window.__notReloaded = true; document.querySelector('button[value="add-para:3"]').scrollIntoView({block: 'center'}); window.scrollY`, &before))
		added := fmt.Sprintf("s3-p%d-text", n)
		if before < 1000 {
			t.Fatalf("the editor is not long enough to test scrolling: %v", before)
		}
		do(t, ctx, "add a paragraph there", chromedp.Click(`button[value="add-para:3"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#`+added, chromedp.ByQuery), chromedp.Sleep(200),
			chromedp.Evaluate(`window.scrollY`, &after), chromedp.Evaluate(`document.activeElement.id`, &focused),
			chromedp.Evaluate(`window.__notReloaded === true`, &marker))
		if !marker {
			t.Error("adding a paragraph reloaded the page")
		}
		if focused != added {
			t.Errorf("the focus is on %q, not the new paragraph %s", focused, added)
		}
		// The button stays where it was on screen: the page scrolled by what was added above it.
		if d := after - before; d < 0 || d > 400 {
			t.Errorf("the page moved from %v to %v", before, after)
		}
		do(t, ctx, "type in it and move it up", chromedp.SendKeys(`#`+added, "Added in place.", chromedp.ByQuery),
			chromedp.Click(fmt.Sprintf(`button[value="up-para:3:%d"]`, n), chromedp.ByQuery),
			chromedp.Poll(fmt.Sprintf(`document.querySelector('#s3-p%d-text').value === 'Added in place.'`, n-1), nil, chromedp.WithPollingTimeout(10*time.Second)))
		if v := value(t, ctx, fmt.Sprintf("#s3-p%d-text", n-1)); v != "Added in place." {
			t.Errorf("after moving up, paragraph %d reads %q; paragraph %d %q", n, v, n+1, value(t, ctx, "#"+added))
		}
		var still bool
		do(t, ctx, "not reloaded", chromedp.Evaluate(`window.__notReloaded === true`, &still))
		if !still {
			t.Error("moving a paragraph reloaded the page")
		}
		screenshot(t, ctx, "officer-edit-in-place")
		// A refused save: the page opens at the paragraph the message is about.
		var y float64
		var at string
		bad := fmt.Sprintf("#s3-p%d-text", n-1)
		do(t, ctx, "save a paragraph the server refuses", chromedp.SetValue(bad, "Withheld under {{no-such-ground: these words}}.", chromedp.ByQuery),
			submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.field-error`, chromedp.ByQuery), chromedp.Sleep(300),
			chromedp.Evaluate(`window.scrollY`, &y), chromedp.Evaluate(`document.activeElement.id`, &at))
		if y < 1000 || at != bad[1:] {
			t.Errorf("after a refused save the page is at %v with the focus on %q, not at paragraph %s", y, at, bad)
		}
		screenshot(t, ctx, "officer-refused-save-at-its-paragraph")
	})

	t.Run("SessionEndsBeforeTheSave", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "officer")
		rbo := sheetID(t, ds, apiToken(t, ds, "officer"), "Rules-based order")
		words := " Words typed before the session ended."
		do(t, ctx, "type into the editor",
			chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
			chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
			chromedp.SendKeys(`#s0-p1-text`, words, chromedp.ByQuery),
			chromedp.Sleep(700)) // the browser keeps it after a pause in typing
		// The session ends (idle, a restart, a sign-out elsewhere) before the save.
		do(t, ctx, "the session ends", chromedp.ActionFunc(func(ctx context.Context) error { return network.ClearBrowserCookies().Do(ctx) }))
		// The save asks for the password in place, signs in again and saves.
		do(t, ctx, "save without a session", chromedp.Click(`button[value="save"]:not(.offscreen)`, chromedp.ByQuery),
			chromedp.WaitVisible(`#reauth-password`, chromedp.ByQuery))
		if kept := value(t, ctx, "#s0-p1-text"); !strings.Contains(kept, strings.TrimSpace(words)) {
			t.Fatalf("the typed words left the page: %q", kept)
		}
		screenshot(t, ctx, "officer-reauth-in-place")
		do(t, ctx, "sign in again in place", chromedp.SendKeys(`#reauth-password`, ds.logins["officer"], chromedp.ByQuery),
			chromedp.Evaluate(`document.body.setAttribute('data-old', '1')`, nil),
			chromedp.Click(`#reauth-go`, chromedp.ByQuery),
			chromedp.WaitReady(`body:not([data-old])`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.HasPrefix(s, "Saved") {
			t.Errorf("after signing in again: %q", s)
		}
		_, body := apiDo(t, ds, apiToken(t, ds, "officer"), "GET", "/api/v1/sheets/"+rbo, nil)
		if !strings.Contains(string(body), strings.TrimSpace(words)) {
			t.Fatal("the words typed before the session ended were not saved")
		}
		// Saved: opened again, nothing is offered.
		do(t, ctx, "open it once more", chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery))
		var offered bool
		do(t, ctx, "no draft offered", chromedp.Evaluate(`!!document.getElementById('draft-note')`, &offered))
		if offered {
			t.Error("a saved draft is offered again")
		}
	})

	t.Run("DraftOnAnotherMachine", func(t *testing.T) {
		a := browser(t, chromium, 1280, 800)
		signIn(t, a, ds, "officer")
		et := sheetID(t, ds, apiToken(t, ds, "officer"), "Foreign Interference")
		words := "Typed on one machine, "
		do(t, a, "type on the first machine", chromedp.Navigate(ds.url+"/sheets/"+et+"/edit"),
			chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
			chromedp.SendKeys(`#s1-p0-text`, words, chromedp.ByQuery),
			chromedp.Sleep(4*time.Second)) // kept on the server a few seconds after the typing stops
		// The tab reloaded (or crashed and came back): this browser offers its own copy.
		chromedp.ListenTarget(a, func(ev any) {
			if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				go chromedp.Run(a, page.HandleJavaScriptDialog(true))
			}
		})
		do(t, a, "reload the editor", chromedp.Navigate(ds.url+"/sheets/"+et+"/edit"), chromedp.WaitVisible(`#draft-note`, chromedp.ByQuery))
		if s := text(t, a, "#draft-note"); !strings.Contains(s, "This browser kept") {
			t.Errorf("after a reload: %q", s)
		}
		b := browser(t, chromium, 1280, 800) // another machine: nothing in its storage
		signIn(t, b, ds, "officer")
		serverDraftBack(t, b, ds, et, "#s1-p0-text", words)
		screenshot(t, b, "officer-draft-from-server")
		// Leaving with the restored text unsaved asks first: the officer says leave.
		chromedp.ListenTarget(b, func(ev any) {
			if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				go chromedp.Run(b, page.HandleJavaScriptDialog(true))
			}
		})
		do(t, b, "discard it after all", chromedp.Navigate(ds.url+"/sheets/"+et+"/edit"), chromedp.WaitVisible(`#draft-note`, chromedp.ByQuery),
			chromedp.Click(`#draft-note button.secondary`, chromedp.ByQuery), chromedp.Sleep(300))
		if r, _ := apiDo(t, ds, apiToken(t, ds, "officer"), "GET", "/api/v1/sheets/"+et+"/draft", nil); r.StatusCode != 404 {
			t.Errorf("a discarded draft is still kept: %d", r.StatusCode)
		}
	})

	t.Run("DraftOnASharedMachine", func(t *testing.T) {
		// A second officer, cleared to RESTRICTED: they see Rules-based
		// order without its SECRET paragraph, the second of its fifth
		// section, so their second paragraph there is another.
		pw := "a passphrase for the shared machine"
		if r, body := apiDo(t, ds, apiToken(t, ds, "admin"), "POST", "/api/v1/users",
			map[string]any{"name": "officer2", "role": "officer", "clearance": "RESTRICTED", "password": pw}); r.StatusCode != 201 {
			t.Fatalf("new user: %d %s", r.StatusCode, body)
		}
		ds.logins["officer2"] = pw
		rbo := sheetID(t, ds, apiToken(t, ds, "officer"), "Rules-based order")
		ctx := browser(t, chromium, 1280, 800)
		chromedp.ListenTarget(ctx, func(ev any) { // leaving unsaved text asks first: leave
			if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
			}
		})
		signIn(t, ctx, ds, "officer")
		// opened opens the sheet's editor and says whether it offers a
		// draft and what the browser keeps once it has looked.
		opened := func(what string) (offered bool, kept string) {
			do(t, ctx, what, chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
				chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond),
				chromedp.Evaluate(`!!document.getElementById('draft-note')`, &offered),
				chromedp.Evaluate(`JSON.stringify(window.localStorage)`, &kept))
			return offered, kept
		}
		secret := " Typed into the SECRET paragraph and never saved."
		var kept string
		do(t, ctx, "type into the SECRET paragraph", chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
			chromedp.WaitVisible(`#s4-p1-text`, chromedp.ByQuery),
			chromedp.SendKeys(`#s4-p1-text`, secret, chromedp.ByQuery),
			chromedp.Sleep(4*time.Second), // kept on the server a few seconds after the typing stops
			chromedp.Evaluate(`JSON.stringify(window.localStorage)`, &kept))
		if !strings.Contains(kept, strings.TrimSpace(secret)) {
			t.Fatalf("the draft was not kept in this browser: %.300s", kept)
		}
		// They walk away without signing out; their session ends, and the
		// next person signs in on the same browser.
		do(t, ctx, "the session ends", network.ClearBrowserCookies())
		signIn(t, ctx, ds, "officer2")
		offered, kept := opened("the next person opens the same sheet")
		if offered {
			t.Error("another person's draft is offered")
		}
		if strings.Contains(kept, strings.TrimSpace(secret)) || strings.Contains(kept, "briefpack-draft") {
			t.Errorf("another person's draft is still kept in this browser: %.300s", kept)
		}
		// The officer comes back: their own draft is on the server still
		// (what they typed in the last three seconds before they left
		// would have been in this browser alone, and is gone with it).
		do(t, ctx, "the session ends again", network.ClearBrowserCookies())
		signIn(t, ctx, ds, "officer")
		serverDraftBack(t, ctx, ds, rbo, "#s4-p1-text", secret)
		if r, _ := apiDo(t, ds, apiToken(t, ds, "officer"), "DELETE", "/api/v1/sheets/"+rbo+"/draft", nil); r.StatusCode != 204 {
			t.Errorf("discarding the draft: %d", r.StatusCode)
		}
		// The officer types into the fifth section's first paragraph; before
		// they come back to it, the lead marks that paragraph TOP SECRET,
		// above them. The paragraph in its place on their page is then
		// another: the draft this browser kept is not offered, and goes.
		do(t, ctx, "open the sheet afresh", chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
			chromedp.WaitVisible(`#s4-p0-text`, chromedp.ByQuery), chromedp.Evaluate(`localStorage.clear()`, nil),
			chromedp.SendKeys(`#s4-p0-text`, " Typed before it was marked above me.", chromedp.ByQuery), chromedp.Sleep(time.Second),
			chromedp.Evaluate(`JSON.stringify(window.localStorage)`, &kept))
		if !strings.Contains(kept, "Typed before it was marked above me.") {
			t.Fatalf("the draft was not kept in this browser: %.300s", kept)
		}
		lead := apiToken(t, ds, "lead")
		// Marks the paragraph, and says how it was marked before.
		remark := func(marking string) (was string) {
			editSheet(t, ds, lead, rbo, func(sh map[string]any) {
				p := sh["sections"].([]any)[4].(map[string]any)["paragraphs"].([]any)[0].(map[string]any)
				was, p["marking"] = p["marking"].(string), marking
			})
			return was
		}
		defer remark(remark("TOP SECRET"))
		// The server has the draft too, sent as the page was left: that one
		// may only be offered whole, as a working copy whose save answers
		// that paragraph as deleted since, never put back field by field
		// into the page.
		var putBack bool
		_, kept = opened("the officer comes back to it")
		do(t, ctx, "look for a draft put back by field", chromedp.Evaluate(`!!document.querySelector('#draft-note button:not(.secondary)')`, &putBack))
		if putBack {
			t.Error("a draft of a paragraph marked above its writer since is offered to be put back in place")
		}
		if strings.Contains(kept, "Typed before it was marked above me.") {
			t.Errorf("a draft of a paragraph marked above its writer since is still kept: %.300s", kept)
		}
		apiDo(t, ds, apiToken(t, ds, "officer"), "DELETE", "/api/v1/sheets/"+rbo+"/draft", nil)
		// The officer types into the first section's second paragraph and
		// leaves it on the server; the lead then adds a paragraph before it.
		// On another machine the draft is not put back by position (into the
		// lead's paragraph): it opens whole as the working copy, and the
		// save merges both.
		mine := " Typed before the lead added a paragraph."
		var pid string
		do(t, ctx, "type into the second paragraph", chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
			chromedp.WaitVisible(`#s0-p1-text`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('input[name="s0.p1.id"]').value`, &pid),
			chromedp.SendKeys(`#s0-p1-text`, mine, chromedp.ByQuery), chromedp.Sleep(4*time.Second))
		editSheet(t, ds, lead, rbo, func(sh map[string]any) {
			sec := sh["sections"].([]any)[0].(map[string]any)
			sec["paragraphs"] = append([]any{map[string]any{"text": "The lead's new first paragraph.", "marking": "RESTRICTED"}}, sec["paragraphs"].([]any)...)
		})
		other := browser(t, chromium, 1280, 800)
		signIn(t, other, ds, "officer")
		do(t, other, "open the sheet on another machine", chromedp.Navigate(ds.url+"/sheets/"+rbo+"/edit"),
			chromedp.WaitVisible(`#draft-open`, chromedp.ByQuery))
		if s := text(t, other, "#draft-note"); !strings.Contains(s, "changed around it") {
			t.Errorf("draft note %q", s)
		}
		do(t, other, "open it as the working copy", chromedp.Click(`#draft-open`, chromedp.ByQuery),
			chromedp.WaitVisible(`form.sheet-editor[data-unsaved]`, chromedp.ByQuery))
		if v := value(t, other, "#s0-p1-text"); !strings.Contains(v, strings.TrimSpace(mine)) {
			t.Fatalf("the working copy does not hold the draft: %q", v)
		}
		do(t, other, "save it", submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, other, ".flash"); !strings.HasPrefix(s, "Saved") {
			t.Errorf("after saving the working copy: %q", s)
		}
		_, b := apiDo(t, ds, lead, "GET", "/api/v1/sheets/"+rbo, nil)
		var saved struct {
			Sections []struct {
				Paragraphs []struct{ ID, Text string }
			}
		}
		json.Unmarshal(b, &saved)
		ps := saved.Sections[0].Paragraphs
		if len(ps) < 3 || ps[0].Text != "The lead's new first paragraph." || ps[2].ID != pid || !strings.Contains(ps[2].Text, strings.TrimSpace(mine)) {
			t.Errorf("the merge did not keep both: %+v", ps[:min(len(ps), 3)])
		}
	})

	t.Run("DelegationLead", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "lead")
		do(t, ctx, "round page", chromedp.Navigate(ds.url+"/rounds/3"), chromedp.WaitVisible(`#agenda`, chromedp.ByQuery))
		first := text(t, ctx, "ol.agenda li:first-child a")
		do(t, ctx, "move down", submit(`ol.agenda li:first-child button[value^="down:"]`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if second := text(t, ctx, "ol.agenda li:nth-child(2) a"); second != first {
			t.Errorf("agenda not reordered: %q", second)
		}
		ct := sheetID(t, ds, apiToken(t, ds, "lead"), "Counter Terrorism")
		do(t, ctx, "clear with comment",
			chromedp.SendKeys(`#c-`+ct, "Cleared for travel.", chromedp.ByQuery),
			submit(`form[action="/sheets/`+ct+`/review"] button[value="clear"]`),
			chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "cleared") {
			t.Errorf("flash %q", s)
		}
		// The freeze is sent once: once pressed, the button waits and says
		// what is being done, so a second press sends nothing.
		var waiting string
		do(t, ctx, "freeze",
			chromedp.Evaluate(`document.body.setAttribute('data-old', '1')`, nil),
			chromedp.Evaluate(`new Promise(function (done) {
				var b = document.querySelector('form[action="/rounds/3/freeze"] button');
				b.click();
				setTimeout(function () { done(b.disabled + " " + b.form.getAttribute("aria-busy") + " " + b.textContent); }, 0);
			})`, &waiting, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			chromedp.WaitReady(`body:not([data-old])`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if waiting != "true true Freezing the pack…" {
			t.Errorf("the freeze button, once pressed: %q", waiting)
		}
		flash := text(t, ctx, ".flash")
		if strings.Contains(flash, "not ready") {
			do(t, ctx, "force freeze", chromedp.Click(`input[name=force]`, chromedp.ByQuery),
				submit(`form[action="/rounds/3/freeze"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
			flash = text(t, ctx, ".flash")
		}
		if !strings.Contains(flash, "snapshot 1") {
			t.Fatalf("freeze: %q", flash)
		}
		if s := text(t, ctx, "#snapshots + .table-wrap"); !regexp.MustCompile(`[0-9a-f]{64}`).MatchString(s) {
			t.Errorf("no hash in the snapshot list: %q", s)
		}
		if s := text(t, ctx, "#release-check + p + .table-wrap"); !strings.Contains(s, "released in part") || !strings.Contains(s, "withheld in full") {
			t.Errorf("release check %q", s)
		}
		screenshot(t, ctx, "lead-round")
		// The release edition, as a reader would open the downloaded file.
		_, rel := apiDo(t, ds, apiToken(t, ds, "lead"), "GET", "/api/v1/rounds/3/pack?format=html&edition=release", nil)
		path := filepath.Join(t.TempDir(), "release.html")
		os.WriteFile(path, rel, 0o600)
		do(t, ctx, "open the release", chromedp.Navigate("file://"+path), chromedp.WaitVisible(`#schedule`, chromedp.ByQuery))
		if s := text(t, ctx, "body"); !strings.Contains(s, "Released under the Official Information Act 1982") || strings.Contains(s, "stand-in") {
			t.Error("the release edition does not read as released")
		}
		screenshot(t, ctx, "lead-release-edition")
	})

	t.Run("Secretariat", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "secretariat")
		do(t, ctx, "dialogue", chromedp.Navigate(ds.url+"/dialogues/1"), chromedp.WaitVisible(`#rounds`, chromedp.ByQuery))
		do(t, ctx, "propose next", submit(`form[action="/dialogues/1/next"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		// After the demo's upcoming 4th round in Canberra, the 5th is at home.
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "Proposed the 5th round") || !strings.Contains(s, "Wellington") {
			t.Fatalf("flash %q", s)
		}
		do(t, ctx, "confirm", submit(`button[value="confirm"]`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "scheduled") {
			t.Errorf("flash %q", s)
		}
		do(t, ctx, "add an action", chromedp.Navigate(ds.url+"/dialogues/1"), chromedp.WaitVisible(`#actions`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll('details').forEach(d => d.open = true)`, nil),
			chromedp.SendKeys(`form[action="/dialogues/1/actions"] #f-ref`, "3.01", chromedp.ByQuery),
			chromedp.SendKeys(`form[action="/dialogues/1/actions"] #f-text`, "Exchange threat assessments before the next round.", chromedp.ByQuery),
			submit(`form[action="/dialogues/1/actions"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "Action 3.01 added") {
			t.Errorf("flash %q", s)
		}
		screenshot(t, ctx, "secretariat-dialogue")
		// Last round's sheet rolled forward into the new round.
		do(t, ctx, "roll forward", chromedp.Navigate(ds.url+"/sheets/1"), chromedp.WaitVisible(`#rollforward`, chromedp.ByQuery),
			submit(`form[action="/sheets/1/rollforward"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "Rolled forward") {
			t.Errorf("flash %q", s)
		}
		do(t, ctx, "people", chromedp.Navigate(ds.url+"/people"), chromedp.WaitVisible(`#new`, chromedp.ByQuery),
			chromedp.SendKeys(`form[action="/people"] #f-name`, "Morgan Lee (demo)", chromedp.ByQuery),
			chromedp.SendKeys(`form[action="/people"] #f-country`, "Australia", chromedp.ByQuery),
			submit(`form[action="/people"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		screenshot(t, ctx, "secretariat-person")
	})

	t.Run("AdminAndSearch", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "admin")
		do(t, ctx, "add a user", chromedp.Navigate(ds.url+"/admin/users"), chromedp.WaitVisible(`#u-name`, chromedp.ByQuery),
			chromedp.SendKeys(`#u-name`, "newofficer", chromedp.ByQuery),
			chromedp.SendKeys(`#u-password`, "a long enough password", chromedp.ByQuery),
			submit(`form[action="/admin/users"] button`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "newofficer") {
			t.Errorf("flash %q", s)
		}
		screenshot(t, ctx, "admin-users")
		do(t, ctx, "search", chromedp.Navigate(ds.url+"/search?q=rules-based"), chromedp.WaitVisible(`main ul`, chromedp.ByQuery))
		screenshot(t, ctx, "search")
	})

	t.Run("Viewer", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		signIn(t, ctx, ds, "viewer")
		do(t, ctx, "sheet", chromedp.Navigate(ds.url+"/rounds/3"), chromedp.WaitVisible(`#sheets`, chromedp.ByQuery))
		if s := text(t, ctx, "main"); strings.Contains(s, "Withheld topic C") {
			t.Error("a RESTRICTED viewer sees a TOP SECRET sheet")
		}
		do(t, ctx, "sign out", submit(`form[action="/logout"] button`), chromedp.WaitVisible(`#name`, chromedp.ByQuery))
	})

	t.Run("Phone", func(t *testing.T) {
		ctx := browser(t, chromium, 390, 844)
		signIn(t, ctx, ds, "lead")
		for _, page := range []struct{ name, path string }{{"phone-dashboard", "/"}, {"phone-round", "/rounds/3"}, {"phone-editor", "/sheets/1/edit"}} {
			var overflow bool
			do(t, ctx, page.name, chromedp.Navigate(ds.url+page.path), chromedp.WaitVisible(`main`, chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
			if overflow {
				t.Errorf("%s is wider than a 390-pixel phone", page.path)
			}
			screenshot(t, ctx, page.name)
		}
	})

	t.Run("NoJavaScript", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		do(t, ctx, "disable scripts", emulation.SetScriptExecutionDisabled(true))
		signIn(t, ctx, ds, "officer")
		id := sheetID(t, ds, apiToken(t, ds, "officer"), "Rules-based order")
		do(t, ctx, "edit without script", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`#title`, chromedp.ByQuery),
			submit(`button[value="down-para:0:0"]`), chromedp.WaitVisible(`form.sheet-editor`, chromedp.ByQuery),
			submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		if s := text(t, ctx, ".flash"); !strings.Contains(s, "Saved") {
			t.Errorf("flash %q", s)
		}
	})

	// Without scripts a change is a form sent and answered with a redirect:
	// the working copy is shown at an address a reload shows again, and
	// sends nothing twice.
	t.Run("NoJavaScriptReload", func(t *testing.T) {
		ctx := browser(t, chromium, 1280, 800)
		do(t, ctx, "disable scripts", emulation.SetScriptExecutionDisabled(true))
		signIn(t, ctx, ds, "officer")
		token := apiToken(t, ds, "officer")
		id := sheetID(t, ds, token, "Foreign Interference")
		count := func(what string) int {
			var n int
			do(t, ctx, what, chromedp.Evaluate(`document.querySelectorAll("textarea[id^='s0-p']").length`, &n))
			return n
		}
		do(t, ctx, "open the editor", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`#title`, chromedp.ByQuery))
		n := count("count the paragraphs")
		added := fmt.Sprintf("s0-p%d", n)
		var where, target string
		do(t, ctx, "add a paragraph", submit(`button[value="add-para:0"]`), chromedp.WaitVisible(`#`+added+`-text`, chromedp.ByQuery),
			chromedp.Evaluate(`location.pathname + location.search + location.hash`, &where),
			chromedp.Evaluate(`(document.querySelector(':target') || {}).id || ''`, &target))
		if want := "/sheets/" + id + "/edit?working=1#" + added; where != want {
			t.Errorf("after adding a paragraph the address is %q, not %q", where, want)
		}
		if target != added {
			t.Errorf("the page is at %q, not the added paragraph %s", target, added)
		}
		if got := count("count after adding"); got != n+1 {
			t.Fatalf("%d paragraphs after adding one to %d", got, n)
		}
		if s := text(t, ctx, `p[role="status"].muted`); !strings.Contains(s, "unsaved changes") {
			t.Errorf("the working copy does not say it is unsaved: %q", s)
		}
		screenshot(t, ctx, "officer-no-script-working-copy")
		for i := 0; i < 2; i++ {
			do(t, ctx, "reload", chromedp.Evaluate(`document.body.setAttribute('data-old', '1')`, nil), chromedp.Reload(),
				chromedp.WaitReady(`body:not([data-old])`, chromedp.ByQuery), chromedp.WaitVisible(`#`+added+`-text`, chromedp.ByQuery))
			if got := count("count after reloading"); got != n+1 {
				t.Fatalf("%d paragraphs after reloading: the paragraph was added again", got)
			}
		}
		words := "Typed without scripts, after a reload."
		do(t, ctx, "type and save", chromedp.SendKeys(`#`+added+`-text`, words, chromedp.ByQuery),
			submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
			chromedp.Evaluate(`location.pathname + location.search`, &where))
		if s := text(t, ctx, ".flash"); !strings.HasPrefix(s, "Saved") || where != "/sheets/"+id+"/edit" {
			t.Errorf("after the save: %q at %q", s, where)
		}
		_, body := apiDo(t, ds, token, "GET", "/api/v1/sheets/"+id, nil)
		var sh struct {
			Sections []struct{ Paragraphs []struct{ Text string } }
		}
		json.Unmarshal(body, &sh)
		if len(sh.Sections) == 0 {
			t.Fatalf("no sections saved: %s", body)
		}
		if ps := sh.Sections[0].Paragraphs; len(ps) != n+1 || ps[n].Text != words {
			t.Errorf("saved %d paragraphs in the first section, not %d ending with the typed one: %s", len(ps), n+1, body)
		}
		if r, _ := apiDo(t, ds, token, "GET", "/api/v1/sheets/"+id+"/draft", nil); r.StatusCode != 404 {
			t.Errorf("the working copy is still kept after the save: %d", r.StatusCode)
		}
	})
	fmt.Fprintln(os.Stderr, "screenshots in", artifacts(t))
}

// value reads a form control's value.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var v string
	do(t, ctx, "read "+sel, chromedp.Value(sel, &v, chromedp.ByQuery))
	return v
}

// Two writers in two browsers: the first saves a paragraph, the second
// saves another and the save merges both. What the second browser kept of
// their typing is then theirs alone: it offers back nothing of the first
// writer's paragraph as it stood before (putting that back and saving
// would undo the first writer's save unseen), and it still offers text
// typed and never saved.
func TestBrowserTwoWritersKeptText(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	chromium := findChromium(t)
	ds := startDemo(t, buildBinary(t))
	lead := apiToken(t, ds, "lead")
	id := sheetID(t, ds, lead, "Emerging Technologies")
	o1, o2 := browser(t, chromium, 1280, 800), browser(t, chromium, 1280, 800)
	for _, ctx := range []context.Context{o1, o2} { // leaving unsaved text asks first: leave
		chromedp.ListenTarget(ctx, func(ev any) {
			if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
			}
		})
	}
	signIn(t, o1, ds, "officer")
	signIn(t, o2, ds, "lead")
	edit := chromedp.Tasks{chromedp.Navigate(ds.url + "/sheets/" + id + "/edit"), chromedp.WaitVisible(`#s0-p2-text`, chromedp.ByQuery)}
	do(t, o1, "o1 opens the editor", edit)
	do(t, o2, "o2 opens the editor", edit)
	old := value(t, o2, "#s0-p0-text")
	// replace puts words in a paragraph as typing would, all of it replaced.
	replace := func(sel, words string) chromedp.Action {
		return chromedp.Tasks{chromedp.Evaluate(`document.querySelector('`+sel+`').value = ''`, nil), chromedp.SendKeys(sel, words, chromedp.ByQuery)}
	}
	theirs := "The first writer's saved paragraph."
	do(t, o1, "o1 changes the first paragraph and saves", replace(`#s0-p0-text`, theirs), chromedp.Sleep(700*time.Millisecond),
		submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	if s := text(t, o1, ".flash"); !strings.HasPrefix(s, "Saved") {
		t.Fatalf("o1's save: %q", s)
	}
	mine := " The second writer's addition."
	do(t, o2, "o2 changes the second paragraph and saves", chromedp.SendKeys(`#s0-p1-text`, mine, chromedp.ByQuery), chromedp.Sleep(700*time.Millisecond),
		submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond))
	if s := text(t, o2, ".flash"); !strings.HasPrefix(s, "Saved") || !strings.Contains(s, "officer") {
		t.Fatalf("o2's save did not merge with o1's: %q", s)
	}
	if v := value(t, o2, "#s0-p0-text"); v != theirs {
		t.Fatalf("after the merged save the first paragraph reads %q", v)
	}
	// stored says what the browser keeps of this sheet.
	stored := func(ctx context.Context) string {
		var kept string
		do(t, ctx, "read the browser's storage", chromedp.Evaluate(`JSON.stringify(window.localStorage)`, &kept))
		return kept
	}
	// offered says what the page offers of a kept draft, if anything, and
	// putting it back, what the first paragraph then reads.
	offered := func(ctx context.Context) (note, p0 string) {
		do(t, ctx, "look for a draft offered", chromedp.Evaluate(`(document.getElementById('draft-note') || {}).textContent || ''`, &note))
		if note == "" {
			return "", ""
		}
		do(t, ctx, "put it back", chromedp.Click(`#draft-note button:not(.secondary)`, chromedp.ByQuery))
		return note, value(t, ctx, "#s0-p0-text")
	}
	if note, p0 := offered(o2); note != "" {
		t.Errorf("after the merged save o2 is offered a kept draft (%q); put back, the first paragraph reads %q", note, p0)
	}
	if kept := stored(o2); strings.Contains(kept, old) {
		t.Errorf("o2's browser still keeps the first paragraph as it was before o1's save: %.300s", kept)
	}
	do(t, o2, "o2 opens the editor again", edit, chromedp.Sleep(500*time.Millisecond))
	if note, p0 := offered(o2); note != "" {
		t.Errorf("opened again after the merged save, o2 is offered a kept draft (%q); put back, the first paragraph reads %q", note, p0)
	}
	// Typed and not saved: o2 types into the third paragraph and leaves
	// without saving; o1 saves the first paragraph again meanwhile.
	unsaved := " Typed by o2 and never saved."
	do(t, o2, "o2 types and leaves", chromedp.SendKeys(`#s0-p2-text`, unsaved, chromedp.ByQuery), chromedp.Sleep(700*time.Millisecond),
		chromedp.Navigate(ds.url+"/"), chromedp.WaitVisible(`#my-sheets`, chromedp.ByQuery))
	theirs = "The first writer's second save."
	do(t, o1, "o1 saves again", edit, replace(`#s0-p0-text`, theirs), chromedp.Sleep(700*time.Millisecond),
		submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	do(t, o2, "o2 comes back", chromedp.Navigate(ds.url+"/sheets/"+id+"/edit"), chromedp.WaitVisible(`#draft-note`, chromedp.ByQuery))
	note, p0 := offered(o2)
	if !strings.Contains(note, "This browser kept") || !strings.Contains(note, "(1 field(s))") {
		t.Errorf("the unsaved text is offered as %q", note)
	}
	if p0 != theirs {
		t.Errorf("putting the unsaved text back changed o1's paragraph to %q", p0)
	}
	if v := value(t, o2, "#s0-p2-text"); !strings.Contains(v, strings.TrimSpace(unsaved)) {
		t.Fatalf("the unsaved text did not come back: %q", v)
	}
	do(t, o2, "o2 saves it", submit(`button[value="save"]:not(.offscreen)`), chromedp.WaitVisible(`.flash`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond))
	_, b := apiDo(t, ds, lead, "GET", "/api/v1/sheets/"+id, nil)
	var saved struct {
		Sections []struct{ Paragraphs []struct{ Text string } }
	}
	json.Unmarshal(b, &saved)
	if ps := saved.Sections[0].Paragraphs; len(ps) < 3 || ps[0].Text != theirs || !strings.Contains(ps[1].Text, strings.TrimSpace(mine)) || !strings.Contains(ps[2].Text, strings.TrimSpace(unsaved)) {
		t.Errorf("the sheet saved does not hold all three writers' changes: %+v", ps[:min(len(ps), 3)])
	}
	if note, _ := offered(o2); note != "" {
		t.Errorf("a saved draft is offered again: %q", note)
	}
}
