package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"briefpack/briefing/packtest"
	"briefpack/internal/etcdtest"
)

// TestSoak is a server that runs for days, in minutes: the real binary on
// a bbolt file, then three servers on one etcd prefix of a three-member
// cluster, each driven in bursts of 50 clients for 20 s with 5 quiet
// seconds between, for BRIEFPACK_LOAD_SECONDS in all (120 unless told).
// The mix is a day's: sheet reads and pack downloads, saves by PUT and by
// the merge, sign-ins and sign-outs, editors opened (the page, presence,
// a held question of who else has the sheet, a draft) and left without
// saving, searches for words each new, and a lead's freeze now and then.
// After each quiet spell — the server gives memory back after a quiet
// second — it samples each server: resident memory and threads (/proc),
// goroutines, the heap live after a collection and open descriptors
// (GET /api/v1/admin/runtime?gc=1), and the database (the file's size;
// etcd's size, keys, watchers and leases); the records of each bucket at
// the start and the end. It fails on a 5xx, and on goroutines or
// descriptors that grew from the start (after a first burst, which fills
// what is kept by design, and 20 quiet seconds) to the end (after 20) by
// more than a few: it measures, so it runs only when asked:
// BRIEFPACK_LOAD=1 BRIEFPACK_LOAD_SECONDS=300 go test -run TestSoak -v ./cmd/briefpack/
func TestSoak(t *testing.T) {
	seconds := loadSeconds(t, 120)
	bin := buildBinary(t)
	t.Run("bbolt", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "soak.db")
		w := enterRoundOn(t, bin, file, 1, 100)
		db := func() string {
			fi, err := os.Stat(file)
			if err != nil {
				return err.Error()
			}
			return fmt.Sprintf("file %d KiB", fi.Size()>>10)
		}
		// The records of a file the server holds: of a backup it streams.
		records := func() map[string]int {
			backup := filepath.Join(t.TempDir(), "backup.db")
			code, _, b := w.admin.do("GET", "/api/v1/admin/backup", nil)
			if code != 200 {
				t.Fatalf("backup: %d", code)
			}
			os.WriteFile(backup, b, 0o600)
			return recordsOf(t, bin, backup)
		}
		soak(t, w, seconds, db, records)
	})
	t.Run("etcd", func(t *testing.T) {
		cluster := etcdtest.Start(t, 3)
		url := cluster.URL("soak")
		w := enterRoundOn(t, bin, url, 3, 100)
		soak(t, w, seconds, func() string { return etcdFigures(t, cluster) },
			func() map[string]int { return recordsOf(t, bin, url) })
		// Each server keeps one watch of its own (the cache's, which wakes
		// its editors' held questions too) and one lease (its turns'):
		// a turn waited for watches only while it waits, and a lease let go
		// is revoked or expires.
		m := etcdMetrics(t, cluster)
		if n := m["mvcc_watcher_total"]; n > 3 {
			t.Errorf("%.0f watchers on the cluster, quiet, of three servers", n)
		}
		if n := m["lease_granted_total"] - m["lease_revoked_total"]; n > 3 {
			t.Errorf("%.0f leases live on the cluster, of three servers", n)
		}
	})
}

// recordsOf counts a database's records by bucket, as briefpack copy tells
// them copying it to a new file.
func recordsOf(t *testing.T, bin, db string) map[string]int {
	out, err := exec.Command(bin, "copy", "--from", db, "--to", filepath.Join(t.TempDir(), "copy.db")).CombinedOutput()
	if err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	n := map[string]int{}
	for _, l := range strings.Split(string(out), "\n") {
		var bucket string
		var count int
		if _, err := fmt.Sscanf(l, "%s %d records", &bucket, &count); err == nil {
			n[bucket] = count
		}
	}
	return n
}

// etcdMetrics reads from the members' metrics the first's size in use and
// keys (every member's store holds the same), the leases granted and
// revoked (each member applies every grant and revoke, expiry included;
// the most any counted), and the watchers and watch streams of all of them,
// each server's being on one member or another.
func etcdMetrics(t *testing.T, c *etcdtest.Cluster) map[string]float64 {
	sum := map[string]float64{}
	for i, m := range c.Members {
		resp, err := http.Get(m.ClientURL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				continue
			}
			var v float64
			fmt.Sscan(f[1], &v)
			switch name := strings.TrimPrefix(f[0], "etcd_debugging_"); name {
			case "mvcc_watcher_total", "mvcc_watch_stream_total":
				sum[name] += v
			case "etcd_mvcc_db_total_size_in_use_in_bytes", "mvcc_keys_total":
				if i == 0 {
					sum[name] = v
				}
			case "lease_granted_total", "lease_revoked_total":
				sum[name] = max(sum[name], v)
			}
		}
		resp.Body.Close()
	}
	return sum
}

func etcdFigures(t *testing.T, c *etcdtest.Cluster) string {
	m := etcdMetrics(t, c)
	return fmt.Sprintf("in use %.0f KiB, keys %.0f, watchers %.0f on %.0f streams, leases granted %.0f, revoked %.0f",
		m["etcd_mvcc_db_total_size_in_use_in_bytes"]/1024, m["mvcc_keys_total"], m["mvcc_watcher_total"], m["mvcc_watch_stream_total"],
		m["lease_granted_total"], m["lease_revoked_total"])
}

// soakSample is one server's figures after a quiet spell.
type soakSample struct {
	Goroutines int    `json:"goroutines"`
	HeapLive   uint64 `json:"heap_live_bytes"`
	OpenFiles  int    `json:"open_files"`
	GaveBack   int64  `json:"gave_back"`
	rss        string
	threads    string
}

func soak(t *testing.T, w loadRound, seconds int, db func() string, records func() map[string]int) {
	tr := &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	httpc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var bad atomic.Int64
	var mu sync.Mutex
	counts := map[string]int{}
	do := func(ctx context.Context, base, token, method, path string, body []byte, hdr ...string) (int, http.Header, []byte) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		r, _ := http.NewRequestWithContext(ctx, method, base+path, rd)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := httpc.Do(r)
		if err != nil {
			if ctx.Err() == nil {
				t.Errorf("%s %s on %s: %v", method, path, base, err)
				bad.Add(1)
			}
			return 0, nil, nil
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s on %s: %d %s", method, path, base, resp.StatusCode, data)
			bad.Add(1)
		}
		return resp.StatusCode, resp.Header, data
	}
	bg := context.Background()
	sample := func() []soakSample {
		var out []soakSample
		for _, srv := range w.srvs {
			var s soakSample
			// Resident memory as the quiet left it, then the counts after
			// a collection.
			pid := srv.cmd.Process.Pid
			rss, threads := procStatus(pid, "VmRSS"), procStatus(pid, "Threads")
			_, _, b := do(bg, srv.url, w.admin.token, "GET", "/api/v1/admin/runtime?gc=1", nil)
			json.Unmarshal(b, &s)
			s.rss, s.threads = rss, threads
			out = append(out, s)
		}
		return out
	}
	logSample := func(at string, ss []soakSample) {
		for i, s := range ss {
			t.Logf("%s server %d: %d goroutines, heap live %d MiB, %d open files, RSS %s, %s threads, gave back %d times",
				at, i, s.Goroutines, s.HeapLive>>20, s.OpenFiles, s.rss, s.threads, s.GaveBack)
		}
		t.Logf("%s database: %s", at, db())
	}
	password := "correct horse battery staple"
	ids := w.ids
	hot := ids[:10]
	packPath := "/api/v1/rounds/" + w.round + "/pack"
	// One burst: 50 clients, client c on server c modulo their number.
	burst := func(n int, until time.Time) {
		var wg sync.WaitGroup
		for c := range 50 {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				base := w.srvs[c%len(w.srvs)].url
				rnd := rand.New(rand.NewPCG(uint64(c), uint64(n)))
				officer := w.officer.token
				lastFreeze := time.Now()
				for i := 0; time.Now().Before(until); i++ {
					id := ids[rnd.IntN(len(ids))]
					kind, code := "", 0
					switch x := rnd.IntN(100); {
					case c == 0 && time.Since(lastFreeze) > 5*time.Second:
						kind = "freeze"
						lastFreeze = time.Now()
						code, _, _ = do(bg, base, w.lead.token, "POST", "/api/v1/rounds/"+w.round+"/packs", []byte(`{"force":true}`))
					case x < 35:
						kind = "read"
						code, _, _ = do(bg, base, officer, "GET", "/api/v1/sheets/"+id, nil)
					case x < 45:
						kind = "pack"
						q := []string{"?format=html", "?format=xlsx", "?format=html&edition=release"}[rnd.IntN(3)]
						code, _, _ = do(bg, base, w.admin.token, "GET", packPath+q, nil)
					case x < 53:
						kind = "save"
						id := hot[rnd.IntN(len(hot))]
						c0, h, b := do(bg, base, officer, "GET", "/api/v1/sheets/"+id, nil)
						if code = c0; c0 != 200 {
							break
						}
						var sh map[string]any
						json.Unmarshal(b, &sh)
						ps := sh["sections"].([]any)[rnd.IntN(5)].(map[string]any)["paragraphs"].([]any)
						ps[rnd.IntN(len(ps))].(map[string]any)["text"] = packtest.Paragraph(300000+c, n*100000+i)
						out, _ := json.Marshal(sh)
						if rnd.IntN(2) == 0 {
							code, _, _ = do(bg, base, officer, "PUT", "/api/v1/sheets/"+id, out, "If-Match", h.Get("ETag"))
						} else {
							kind = "merge"
							code, _, _ = do(bg, base, officer, "POST", "/api/v1/sheets/"+id+"/merge", out)
						}
					case x < 61:
						// A sign-in, a look around, a sign-out.
						kind = "sign-in"
						c0, _, b := do(bg, base, "", "POST", "/api/v1/login", []byte(`{"name":"officer","password":"`+password+`"}`))
						if code = c0; c0 != 200 {
							break
						}
						var l struct{ Token string }
						json.Unmarshal(b, &l)
						do(bg, base, l.Token, "GET", "/api/v1/me", nil)
						do(bg, base, l.Token, "GET", "/", nil)
						code, _, _ = do(bg, base, l.Token, "POST", "/api/v1/logout", nil)
					case x < 78:
						// An editor opened and left without saving: the
						// page, presence, a held question given up on, a
						// draft kept or thrown away, and the leave.
						kind = "editor"
						code, _, _ = do(bg, base, officer, "GET", "/sheets/"+id+"/edit", nil)
						do(bg, base, officer, "POST", "/api/v1/sheets/"+id+"/presence", nil)
						ctx, cancel := context.WithTimeout(bg, time.Duration(200+rnd.IntN(800))*time.Millisecond)
						do(ctx, base, officer, "POST", "/api/v1/sheets/"+id+"/presence?wait=1", nil)
						cancel()
						draft := fmt.Sprintf(`{"version":1,"fields":{"s0p0.text":%q}}`, packtest.Paragraph(400000+c, n*100000+i))
						do(bg, base, officer, "PUT", "/api/v1/sheets/"+id+"/draft", []byte(draft))
						if rnd.IntN(2) == 0 {
							do(bg, base, officer, "DELETE", "/api/v1/sheets/"+id+"/draft", nil)
						}
						do(bg, base, officer, "POST", "/api/v1/sheets/"+id+"/presence?leave=1", nil)
					case x < 86:
						kind = "search"
						code, _, _ = do(bg, base, officer, "GET", fmt.Sprintf("/api/v1/search?q=word%d-%d-%d", n, c, i), nil)
					default:
						kind = "page"
						code, _, _ = do(bg, base, officer, "GET", "/sheets/"+id, nil)
					}
					mu.Lock()
					counts[fmt.Sprint(kind, " ", code)]++
					mu.Unlock()
				}
			}(c)
		}
		wg.Wait()
	}
	// Quiet: the clients' idle connections closed, so that the goroutines
	// and descriptors counted are the server's own.
	quiet := func(d time.Duration) {
		tr.CloseIdleConnections()
		time.Sleep(d)
	}
	// A first burst warms what is kept by design (caches to their bounds,
	// pools, connections); the figures after it are the start.
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	burst(0, time.Now().Add(20*time.Second))
	quiet(20 * time.Second)
	first := sample()
	logSample("start", first)
	before := records()
	n := 1
	for ; time.Now().Before(end); n++ {
		burst(n, time.Now().Add(20*time.Second))
		quiet(5 * time.Second)
		logSample(fmt.Sprintf("after burst %d", n), sample())
	}
	// The end, after as long a quiet as the start's: what the last burst
	// left in the background done.
	quiet(15 * time.Second)
	last := sample()
	logSample(fmt.Sprintf("end, %d bursts", n), last)
	t.Logf("requests by kind and status: %v", counts)
	after := records()
	var grew []string
	for b, n := range after {
		grew = append(grew, fmt.Sprintf("%s %d→%d", b, before[b], n))
	}
	sort.Strings(grew)
	t.Logf("records by bucket, from the first quiet spell to the last: %s", strings.Join(grew, ", "))
	if bad.Load() > 0 {
		t.Errorf("%d answers were 5xx or failed", bad.Load())
	}
	for i := range w.srvs {
		if g := last[i].Goroutines - first[i].Goroutines; g > 10 {
			t.Errorf("server %d: goroutines grew from %d to %d", i, first[i].Goroutines, last[i].Goroutines)
		}
		if f := last[i].OpenFiles - first[i].OpenFiles; f > 10 {
			t.Errorf("server %d: open files grew from %d to %d", i, first[i].OpenFiles, last[i].OpenFiles)
		}
	}
}
