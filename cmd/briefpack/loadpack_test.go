package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"briefpack/briefing/packtest"
)

// TestLoadPack is the pack under load, as a delegation's people use it the
// week before travel: 300 topic sheets of unique text (one paragraph in
// seven SECRET) entered through the API, then 50 clients for 15 seconds
// (BRIEFPACK_LOAD_SECONDS to change) mixing sheet reads (70%), HTML pack
// downloads (15%) and saves (15%). Half the pack downloads go to a static
// file server holding the same bytes, in the same run with the same
// clients: the ratio of the two is the figure. It reports p50 and p99 by
// kind, the server's peak memory (its VmHWM) and the CPU time the server
// and the clients had, and fails on any 5xx or short download. It
// measures, so it runs only when asked:
// BRIEFPACK_LOAD=1 go test -run TestLoadPack -v ./cmd/briefpack/
func TestLoadPack(t *testing.T) {
	seconds := loadSeconds(t, 15)
	sheets := 300
	fmt.Sscan(os.Getenv("BRIEFPACK_LOAD_SHEETS"), &sheets)
	w := enterRound(t, sheets)
	srv, admin, officer, round, ids := w.srv, w.admin, w.officer, w.round, w.ids
	t.Logf("%d sheets entered in %v", sheets, w.entered.Round(time.Millisecond))

	// BRIEFPACK_LOAD_READALL=1 has the clients read each pack whole into
	// memory instead; BRIEFPACK_LOAD_STATIC_ONLY=1 sends every pack download
	// to the static server (the control: what the clients cost themselves).
	readAll := os.Getenv("BRIEFPACK_LOAD_READALL") != ""
	staticOnly := os.Getenv("BRIEFPACK_LOAD_STATIC_ONLY") != ""
	tr := &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	httpc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	do := func(base, token, method, path string, body []byte, hdr ...string) (int, http.Header, []byte, time.Duration) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		r, _ := http.NewRequest(method, base+path, rd)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		t0 := time.Now()
		resp, err := httpc.Do(r)
		if err != nil {
			return 0, nil, nil, time.Since(t0)
		}
		var data []byte
		if method == "GET" && strings.Contains(path, "pack") && !readAll {
			// A pack is saved as it arrives, as a browser or curl saves a
			// download: counted here, and short is a failure.
			n, err := io.Copy(io.Discard, resp.Body)
			if err != nil || (resp.ContentLength >= 0 && n != resp.ContentLength) {
				resp.Body.Close()
				return 0, nil, nil, time.Since(t0)
			}
		} else {
			data, _ = io.ReadAll(resp.Body)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header, data, time.Since(t0)
	}
	packPath := "/api/v1/rounds/" + round + "/pack?format=html"
	// The static server's copy of the pack is read whole (do counts a
	// pack's bytes and keeps none).
	code, _, pack := admin.do("GET", packPath, nil)
	if code != 200 || len(pack) < 1<<20 {
		t.Fatalf("pack: %d, %d bytes", code, len(pack))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pack.html"), pack, 0o600)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.FileServer(http.Dir(dir)))
	defer ln.Close()
	static := "http://" + ln.Addr().String()
	t.Logf("the pack: %d bytes", len(pack))

	var (
		mu     sync.Mutex
		lat    = map[string][]time.Duration{}
		counts = map[string]int{}
		bad    atomic.Int64
	)
	srvCPU0, ownCPU0 := processCPU(srv.cmd.Process.Pid), ownCPU()
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(c), 7))
			toStatic := c%2 == 0
			for i := 0; time.Now().Before(deadline); i++ {
				id := ids[rnd.IntN(len(ids))]
				var kind string
				var code int
				var d time.Duration
				switch x := rnd.IntN(100); {
				case x < 70:
					kind = "read"
					code, _, _, d = do(srv.url, officer.token, "GET", "/api/v1/sheets/"+id, nil)
				case x < 85:
					if toStatic = !toStatic; toStatic || staticOnly {
						kind = "static"
						code, _, _, d = do(static, "", "GET", "/pack.html", nil)
					} else {
						kind = "pack"
						code, _, _, d = do(srv.url, admin.token, "GET", packPath, nil)
					}
				default:
					kind = "save"
					c0, h, body, _ := do(srv.url, officer.token, "GET", "/api/v1/sheets/"+id, nil)
					if c0 != 200 {
						code = c0
						break
					}
					var sh map[string]any
					json.Unmarshal(body, &sh)
					sec := sh["sections"].([]any)[rnd.IntN(5)].(map[string]any)
					ps := sec["paragraphs"].([]any)
					p := ps[rnd.IntN(len(ps))].(map[string]any)
					p["text"] = packtest.Paragraph(100000+c, i)
					out, _ := json.Marshal(sh)
					code, _, _, d = do(srv.url, officer.token, "PUT", "/api/v1/sheets/"+id, out, "If-Match", h.Get("ETag"))
				}
				if code == 0 || code >= 500 {
					bad.Add(1)
				}
				mu.Lock()
				lat[kind] = append(lat[kind], d)
				counts[kind+" "+strconv.Itoa(code)]++
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d answers were 5xx or failed", n)
	}
	q := func(kind string, f float64) time.Duration {
		l := lat[kind]
		if len(l) == 0 {
			return 0
		}
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		return l[int(f*float64(len(l)-1))]
	}
	for _, k := range []string{"read", "save", "pack", "static"} {
		t.Logf("%-6s %6d requests  p50 %8v  p99 %8v", k, len(lat[k]), q(k, 0.5).Round(time.Microsecond), q(k, 0.99).Round(time.Microsecond))
	}
	t.Logf("pack p99 / static p99: %.2f; by kind and status: %v", float64(q("pack", 0.99))/float64(q("static", 0.99)), counts)
	t.Logf("server peak memory (VmHWM): %s", procStatus(srv.cmd.Process.Pid, "VmHWM"))
	t.Logf("CPU time in %d s: the server %v, the clients and the static server %v",
		seconds, (processCPU(srv.cmd.Process.Pid) - srvCPU0).Round(time.Millisecond), (ownCPU() - ownCPU0).Round(time.Millisecond))
}

// processCPU reads the user and system time a process has had from /proc
// (in clock ticks of 10 ms, as Linux reports them to user space).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond
}

// ownCPU is the user and system time this test process has had.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
