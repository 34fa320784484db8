package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad drives the real binary from 50 concurrent clients on loopback
// for 30 seconds (BRIEFPACK_LOAD_SECONDS to change), mixing reads, pack
// exports and writes to the same sheets, then proves nothing was lost:
// every acknowledged write is in the sheet's history with its text, stale
// writes got 412, and nothing answered 5xx. It measures, so it runs only
// when asked: BRIEFPACK_LOAD=1 go test -run TestLoad -v ./cmd/briefpack/
func TestLoad(t *testing.T) {
	seconds := loadSeconds(t, 30)
	bin := buildBinary(t)
	ds := startDemo(t, bin)
	lead := signInAs(t, ds.url, "lead", ds.logins["lead"])
	_, _, b := lead.do("GET", "/api/v1/rounds/3/sheets", nil)
	var sheets struct{ Items []struct{ ID string } }
	json.Unmarshal(b, &sheets)
	targets := []string{sheets.Items[0].ID, sheets.Items[1].ID, sheets.Items[3].ID} // sheets the officer can see whole

	tr := &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	httpc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		acked     = map[string]map[int]string{} // sheet → version → text
		counts    = map[string]int{}
		fivexx    atomic.Int64
	)
	for _, id := range targets {
		acked[id] = map[int]string{}
	}
	req := func(token, method, path string, body any, hdr ...string) (int, http.Header, []byte, time.Duration) {
		var rd io.Reader
		if body != nil {
			bb, _ := json.Marshal(body)
			rd = strings.NewReader(string(bb))
		}
		r, _ := http.NewRequest(method, ds.url+path, rd)
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		start := time.Now()
		resp, err := httpc.Do(r)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return 0, nil, nil, 0
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header, data, time.Since(start)
	}
	officer := signInAs(t, ds.url, "officer", ds.logins["officer"]).token
	leadTok := lead.token
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				id := targets[(c+i)%len(targets)]
				var code int
				var d time.Duration
				kind := ""
				switch (c + i) % 10 {
				case 0, 1: // write: read, change, save against the version read
					kind = "write"
					code0, h, body, d0 := req(officer, "GET", "/api/v1/sheets/"+id, nil)
					if code0 != 200 {
						code, d = code0, d0
						break
					}
					var sh map[string]any
					json.Unmarshal(body, &sh)
					text := fmt.Sprintf("client %d write %d", c, i)
					secs := sh["sections"].([]any)
					sec := secs[0].(map[string]any)
					sec["paragraphs"] = append(sec["paragraphs"].([]any)[:1], map[string]any{"text": text, "marking": "RESTRICTED"})
					var out []byte
					code, _, out, d = req(officer, "PUT", "/api/v1/sheets/"+id, sh, "If-Match", h.Get("ETag"))
					if code == 200 {
						var saved struct{ Version int }
						json.Unmarshal(out, &saved)
						mu.Lock()
						acked[id][saved.Version] = text
						mu.Unlock()
					}
				case 2: // pack export
					kind = "pack"
					code, _, _, d = req(leadTok, "GET", "/api/v1/rounds/3/pack?format=html", nil)
				default: // reads
					kind = "read"
					code, _, _, d = req(officer, "GET", "/api/v1/sheets/"+id, nil)
				}
				if code >= 500 || code == 0 {
					fivexx.Add(1)
				}
				mu.Lock()
				latencies = append(latencies, d)
				counts[fmt.Sprintf("%s %d", kind, code)]++
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if n := fivexx.Load(); n > 0 {
		t.Errorf("%d answers were 5xx or failed", n)
	}
	// Every acknowledged write is in history; the text of a sample of them
	// is read back too (reading every one would take longer than the load).
	writes := 0
	for id, vs := range acked {
		have := versionsOf(func(path string) []byte { _, _, body, _ := req(leadTok, "GET", path, nil); return body }, id)
		n := 0
		for v, text := range vs {
			writes++
			if !have[v] {
				t.Fatalf("sheet %s version %d, acknowledged, is not in its history", id, v)
			}
			if n++; n > 100 {
				continue
			}
			code, _, body, _ := req(leadTok, "GET", fmt.Sprintf("/api/v1/sheets/%s/versions/%d", id, v), nil)
			if code != 200 || !strings.Contains(string(body), text) {
				t.Fatalf("sheet %s version %d, acknowledged with %q, lost its text", id, v, text)
			}
		}
	}
	t.Logf("%d acknowledged writes, every one in history", writes)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	t.Logf("%d requests in %ds: %.0f req/s; p50 %v, p99 %v; by kind and status: %v",
		len(latencies), seconds, float64(len(latencies))/float64(seconds), p(0.5), p(0.99), counts)

	// A repeated download of an unchanged pack, against the same bytes served static.
	_, h, pack, _ := req(leadTok, "GET", "/api/v1/rounds/3/pack?format=html", nil)
	static := filepath.Join(t.TempDir(), "pack.html")
	os.WriteFile(static, pack, 0o600)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(ln, http.FileServer(http.Dir(filepath.Dir(static))))
	defer ln.Close()
	rate := func(do func() int) float64 {
		var n atomic.Int64
		end := time.Now().Add(3 * time.Second)
		var wg sync.WaitGroup
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					if do() == 200 {
						n.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return float64(n.Load()) / 3
	}
	get := func(url, token string) int {
		r, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := httpc.Do(r)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	staticRate := rate(func() int { return get("http://"+ln.Addr().String()+"/pack.html", "") })
	packRate := rate(func() int { return get(ds.url+"/api/v1/rounds/3/pack?format=html", leadTok) })
	_, _, b = lead.do("POST", "/api/v1/rounds/3/packs", map[string]any{"force": true})
	var sn struct{ ID string }
	json.Unmarshal(b, &sn)
	snapRate := rate(func() int { return get(ds.url+"/api/v1/packs/"+sn.ID+"?format=html", leadTok) })
	t.Logf("ETag %s; %d-byte pack: static %.0f req/s, live pack %.0f req/s (%.2f), snapshot %.0f req/s (%.2f)",
		h.Get("ETag"), len(pack), staticRate, packRate, packRate/staticRate, snapRate, snapRate/staticRate)
}

// skipUnlessLoad skips a load test unless BRIEFPACK_LOAD is set: each
// measures, for long, so runs only when asked.
func skipUnlessLoad(t *testing.T) {
	t.Helper()
	if os.Getenv("BRIEFPACK_LOAD") == "" {
		t.Skip("set BRIEFPACK_LOAD=1 to run the load test")
	}
}

// loadSeconds skips a load test unless it is asked for (skipUnlessLoad)
// and returns how long its load runs: BRIEFPACK_LOAD_SECONDS, or def.
func loadSeconds(t *testing.T, def int) int {
	t.Helper()
	skipUnlessLoad(t)
	seconds := def
	fmt.Sscan(os.Getenv("BRIEFPACK_LOAD_SECONDS"), &seconds)
	return seconds
}
