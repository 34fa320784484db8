package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// TestHead: HEAD on a GET route answers as the GET would — its status,
// ETag and length, after the same checks — with no body; on a route that
// is not a GET it is still refused.
func TestHead(t *testing.T) {
	f := newFixture(t)
	cw := plantCanaries(f)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	call := func(method, user, path string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	round := cw.ids["round"][1]
	for _, c := range []struct{ user, path string }{
		{"lowlead", "/api/v1/rounds/" + round + "/pack?format=html"},
		{"lowlead", "/api/v1/rounds/" + round + "/pack?format=xlsx"},
		{"lowlead", "/api/v1/rounds/" + round},
		{"lowlead", "/api/v1/rounds/" + cw.ids["round"][0]},         // above them: 404, as for a GET
		{"viewer", "/api/v1/rounds/" + round + "/pack?format=html"}, // not a lead: 403
		{"lowlead", "/api/v1/rounds/" + round + "/pack?format=pdf"}, // 400
	} {
		get, body := call("GET", c.user, c.path)
		head, none := call("HEAD", c.user, c.path)
		if head.StatusCode != get.StatusCode || head.Header.Get("ETag") != get.Header.Get("ETag") ||
			head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(none) != 0 {
			t.Errorf("HEAD %s as %s: %d %q %q, %d bytes; GET: %d %q %q", c.path, c.user, head.StatusCode, head.Header.Get("ETag"),
				head.Header.Get("Content-Type"), len(none), get.StatusCode, get.Header.Get("ETag"), get.Header.Get("Content-Type"))
		}
		if get.StatusCode == 200 && head.ContentLength != int64(len(body)) {
			t.Errorf("HEAD %s as %s: Content-Length %d, the GET's body %d bytes", c.path, c.user, head.ContentLength, len(body))
		}
	}
	if head, _ := call("HEAD", "officer", "/api/v1/sheets/"+cw.ids["sheet"][1]+"/merge"); head.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD on a POST route: %d", head.StatusCode)
	}
	// A 405's Allow names HEAD beside GET, which answers it.
	if r, _ := call("PATCH", "officer", "/api/v1/agencies"); r.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(r.Header.Get("Allow"), "HEAD") {
		t.Errorf("PATCH on a GET route: %d, Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
}

// TestPack_IfNoneMatchAny: If-None-Match: * matches whatever pack there is
// (304), as its own tag does; a pack not there is still refused.
func TestPack_IfNoneMatchAny(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	for _, path := range []string{"/api/v1/rounds/" + w.round + "/pack?format=html", "/api/v1/rounds/" + w.round + "/pack?format=xlsx"} {
		if r := f.do("lead", "GET", path, nil, "If-None-Match", "*"); r.Code != 304 || r.Body.Len() != 0 {
			t.Errorf("GET %s with If-None-Match: *: %d, %d bytes", path, r.Code, r.Body.Len())
		}
	}
	if r := f.do("lead", "GET", "/api/v1/rounds/999/pack?format=html", nil, "If-None-Match", "*"); r.Code != 404 {
		t.Errorf("a round that is not there, with If-None-Match: *: %d", r.Code)
	}
}

// TestHead_LoggedAsHead: the access log names a HEAD a HEAD, though the
// routes answer it as a GET.
func TestHead_LoggedAsHead(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/briefpack.db", "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))
	srv, err := server.New(context.Background(), db, server.Config{Logger: logger}, web.Register)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for _, method := range []string{"HEAD", "GET"} {
		req, _ := http.NewRequest(method, ts.URL+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(logged.String(), "\n")
	var heads, gets int
	for _, l := range lines {
		if strings.Contains(l, "msg=request") && strings.Contains(l, "path=/healthz") {
			switch {
			case strings.Contains(l, "method=HEAD"):
				heads++
			case strings.Contains(l, "method=GET"):
				gets++
			}
		}
	}
	if heads != 1 || gets != 1 {
		t.Errorf("logged %d HEAD and %d GET, want one of each:\n%s", heads, gets, logged.String())
	}
}

// lockedWriter writes to w under mu: the server logs from its goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestPack_ReleaseWorkbookTagNamesItsBytes: the release workbook's tag
// moves when its bytes do, and only then: an edit to words it withholds
// leaves the tag, and a conditional download answers 304.
func TestPack_ReleaseWorkbookTagNamesItsBytes(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	path := "/api/v1/rounds/" + w.round + "/pack?format=xlsx&edition=release"
	first := f.do("lead", "GET", path, nil)
	if first.Code != 200 {
		t.Fatalf("release workbook: %d %s", first.Code, first.Body.String())
	}
	edit := func(text string) {
		f.update("officer", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
			sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)[1].(map[string]any)["text"] = text
		})
	}
	edit("Zanzibar assessment held at secret, rewritten.") // withheld in full (s6(a))
	again := f.do("lead", "GET", path, nil)
	if again.Header().Get("ETag") != first.Header().Get("ETag") || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("an edit to withheld words moved the release workbook: tag %s then %s, bytes equal %v",
			first.Header().Get("ETag"), again.Header().Get("ETag"), bytes.Equal(again.Body.Bytes(), first.Body.Bytes()))
	}
	if r := f.do("lead", "GET", path, nil, "If-None-Match", first.Header().Get("ETag")); r.Code != 304 {
		t.Errorf("conditional download after an edit to withheld words: %d", r.Code)
	}
	f.update("officer", "/api/v1/sheets/"+w.sheet, func(sh map[string]any) {
		sh["title"] = "Foreign Interference, retitled"
	})
	if r := f.do("lead", "GET", path, nil); r.Header().Get("ETag") == first.Header().Get("ETag") {
		t.Error("an edit to released words left the release workbook's tag")
	}
}
