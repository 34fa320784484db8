package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"briefpack/briefing/packtest"
	"briefpack/internal/etcdtest"
)

// TestLoadCluster is a delegation's fifty people on three servers sharing
// one three-member etcd cluster, every process the real one on loopback:
// 300 topic sheets of unique text entered through the API, then 50 clients
// spread over the three servers for 15 seconds (BRIEFPACK_LOAD_SECONDS to
// change) mixing sheet reads, HTML pack downloads, saves by PUT with
// If-Match to a few sheets everyone edits, saves by the merge to each
// client's own paragraph, and a freeze by a lead every few seconds. Each
// save acknowledged is read at once through another server (the sheet,
// and every fourth merge the pack), and no two packs served under one ETag
// differ. Then, on every server: every acknowledged save is in its sheet's
// history with its text, no version was acknowledged twice, each merged
// paragraph ends with the last text acknowledged for it, a stale PUT is
// 412, and the pack (HTML and XLSX) and every frozen file are the same
// bytes under the same ETag. It fails on any 5xx or failed request, a
// merge refused (no two clients share a paragraph), and a server's peak
// memory (VmHWM) under the load over 300 MB. The same mix runs first on
// one server on a bbolt file, for the comparison; the figures are logged
// as a table. It measures, so it runs only when asked:
// BRIEFPACK_LOAD=1 go test -run TestLoadCluster -v ./cmd/briefpack/
func TestLoadCluster(t *testing.T) {
	seconds := loadSeconds(t, 15)
	bin := buildBinary(t)
	var results []clusterMix
	t.Run("bbolt", func(t *testing.T) {
		w := enterRoundOn(t, bin, filepath.Join(t.TempDir(), "load.db"), 1, 300)
		t.Logf("300 sheets entered in %v", w.entered.Round(time.Millisecond))
		results = append(results, runClusterMix(t, "one server, bbolt file", w, seconds))
		w.srv.kill()
	})
	t.Run("etcd", func(t *testing.T) {
		cluster := etcdtest.Start(t, 3)
		w := enterRoundOn(t, bin, cluster.URL("load"), 3, 300)
		t.Logf("300 sheets entered through one of three servers in %v", w.entered.Round(time.Millisecond))
		results = append(results, runClusterMix(t, "three servers, three etcd members", w, seconds))
	})
	t.Logf("%d clients for %d s; latencies p50 / p99:", 50, seconds)
	t.Logf("| | reads | packs | saves (PUT) | saves (merge) | freezes | requests | peak memory per server |")
	t.Logf("|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		t.Logf("%s", r.row())
	}
}

// clusterMix is what one run of the mix measured.
type clusterMix struct {
	name     string
	lat      map[string][]time.Duration
	counts   map[string]int
	peaks    []string
	requests int
}

func (m clusterMix) row() string {
	q := func(kind string) string {
		l := m.lat[kind]
		if len(l) == 0 {
			return "none"
		}
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		at := func(f float64) time.Duration { return l[int(f*float64(len(l)-1))] }
		return fmt.Sprintf("%v / %v (%d)", at(0.5).Round(100*time.Microsecond), at(0.99).Round(100*time.Microsecond), len(l))
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %d | %s |", m.name, q("read"), q("pack"), q("save"), q("merge"), q("freeze"),
		m.requests, strings.Join(m.peaks, ", "))
}

// runClusterMix drives the mix against w's servers, client c on server c
// modulo their number, and checks what it acknowledged on each.
func runClusterMix(t *testing.T, name string, w loadRound, seconds int) clusterMix {
	t.Helper()
	srvs := w.srvs
	tr := &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	httpc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	do := func(base, token, method, path string, body []byte, hdr ...string) (int, http.Header, []byte, time.Duration) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		r, _ := http.NewRequest(method, base+path, rd)
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		t0 := time.Now()
		resp, err := httpc.Do(r)
		if err != nil {
			t.Errorf("%s %s on %s: %v", method, path, base, err)
			return 0, nil, nil, time.Since(t0)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Errorf("%s %s on %s: %v after %d bytes", method, path, base, err, len(data))
			return 0, nil, nil, time.Since(t0)
		}
		return resp.StatusCode, resp.Header, data, time.Since(t0)
	}
	ids := w.ids
	merged := ids[:5] // each client merges its own paragraph of one of these
	hot := ids[5:15]  // everyone saves these by PUT
	packPath := "/api/v1/rounds/" + w.round + "/pack?format=html"
	type saved struct {
		mark   string
		client int
	}
	var (
		mu      sync.Mutex
		lat     = map[string][]time.Duration{}
		counts  = map[string]int{}
		acked   = map[string]map[int]saved{} // sheet → version → the save acknowledged as it
		lastOf  = map[string]string{}        // sheet/paragraph id → the last text a merge acknowledged
		stale   = map[string]string{}        // sheet → an ETag a later save made stale
		bad     atomic.Int64
		freezes atomic.Int64
		packs   = map[string][32]byte{} // ETag → the digest of the pack served under it
		frozen  []string                // the snapshots the freezes made
	)
	// seen checks that a save acknowledged by one server is read by the
	// next request on another: the sheet at that version or later and, now
	// and then after a merge, the pack with the merged text (no other
	// client writes that paragraph; a PUT's paragraph another PUT may
	// have changed since).
	seen := func(c, i int, id string, version int, mark string, merge bool) {
		other := srvs[(c+1)%len(srvs)].url
		_, _, b, _ := do(other, w.officer.token, "GET", "/api/v1/sheets/"+id, nil)
		var sh struct{ Version int }
		json.Unmarshal(b, &sh)
		if sh.Version < version {
			t.Errorf("sheet %s version %d, acknowledged, read right after as version %d on %s", id, version, sh.Version, other)
		}
		if merge && i%4 == 0 {
			if _, _, p, _ := do(other, w.admin.token, "GET", packPath, nil); !bytes.Contains(p, []byte(mark)) {
				t.Errorf("sheet %s version %d, acknowledged with %q, not in the pack downloaded right after from %s", id, version, mark, other)
			}
		}
	}
	ack := func(id string, version int, s saved) {
		mu.Lock()
		defer mu.Unlock()
		if acked[id] == nil {
			acked[id] = map[int]saved{}
		}
		if was, ok := acked[id][version]; ok {
			t.Errorf("sheet %s version %d acknowledged twice: to client %d (%s) and client %d (%s)", id, version, was.client, was.mark, s.client, s.mark)
		}
		acked[id][version] = s
	}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			base := srvs[c%len(srvs)].url
			rnd := rand.New(rand.NewPCG(uint64(c), 11))
			lastFreeze := time.Now()
			for i := 0; time.Now().Before(deadline); i++ {
				var kind string
				var code int
				var d time.Duration
				switch x := rnd.IntN(100); {
				case c == 0 && time.Since(lastFreeze) > 4*time.Second:
					// The lead freezes the round now and then.
					kind = "freeze"
					lastFreeze = time.Now()
					var b []byte
					code, _, b, d = do(base, w.lead.token, "POST", "/api/v1/rounds/"+w.round+"/packs", []byte(`{"force":true}`))
					if code == 201 {
						freezes.Add(1)
						var sn struct{ ID string }
						json.Unmarshal(b, &sn)
						mu.Lock()
						frozen = append(frozen, sn.ID)
						mu.Unlock()
					} else if code < 500 && code != 0 {
						t.Errorf("freeze on %s: %d %s", base, code, b)
					}
				case x < 60:
					kind = "read"
					code, _, _, d = do(base, w.officer.token, "GET", "/api/v1/sheets/"+ids[rnd.IntN(len(ids))], nil)
				case x < 75:
					kind = "pack"
					var h http.Header
					var b []byte
					code, h, b, d = do(base, w.admin.token, "GET", packPath, nil)
					if code == 200 {
						sum := sha256.Sum256(b)
						mu.Lock()
						if was, ok := packs[h.Get("ETag")]; ok && was != sum {
							t.Errorf("two packs under the ETag %s differ (the second from %s)", h.Get("ETag"), base)
						}
						packs[h.Get("ETag")] = sum
						mu.Unlock()
					}
				case x < 88:
					// A save by PUT against the version read: another
					// client's save in between makes it 412.
					kind = "save"
					id := hot[rnd.IntN(len(hot))]
					c0, h, body, _ := do(base, w.officer.token, "GET", "/api/v1/sheets/"+id, nil)
					if c0 != 200 {
						code = c0
						break
					}
					var sh map[string]any
					json.Unmarshal(body, &sh)
					sec := sh["sections"].([]any)[rnd.IntN(5)].(map[string]any)
					ps := sec["paragraphs"].([]any)
					mark := fmt.Sprintf("Put mark %d-%d.", c, i)
					ps[rnd.IntN(len(ps))].(map[string]any)["text"] = packtest.Paragraph(100000+c, i) + " " + mark
					out, _ := json.Marshal(sh)
					var b []byte
					code, _, b, d = do(base, w.officer.token, "PUT", "/api/v1/sheets/"+id, out, "If-Match", h.Get("ETag"))
					switch code {
					case 200:
						var v struct{ Version int }
						json.Unmarshal(b, &v)
						ack(id, v.Version, saved{mark, c})
						mu.Lock()
						stale[id] = h.Get("ETag")
						mu.Unlock()
						seen(c, i, id, v.Version, mark, false)
					case 412:
					default:
						if code < 500 && code != 0 {
							t.Errorf("PUT on %s: %d %s", base, code, b)
						}
					}
				default:
					// A save by the merge of the client's own paragraph:
					// no other client writes it, so it is never refused.
					kind = "merge"
					id := merged[c%len(merged)]
					c0, _, body, _ := do(base, w.officer.token, "GET", "/api/v1/sheets/"+id, nil)
					if c0 != 200 {
						code = c0
						break
					}
					var sh map[string]any
					json.Unmarshal(body, &sh)
					k := c / len(merged)
					p := sh["sections"].([]any)[k/6].(map[string]any)["paragraphs"].([]any)[k%6].(map[string]any)
					mark := fmt.Sprintf("Merge mark %d-%d.", c, i)
					text := packtest.Paragraph(200000+c, i) + " " + mark
					p["text"] = text
					out, _ := json.Marshal(sh)
					var b []byte
					code, _, b, d = do(base, w.officer.token, "POST", "/api/v1/sheets/"+id+"/merge", out)
					switch {
					case code == 200:
						var v struct{ Version int }
						json.Unmarshal(b, &v)
						ack(id, v.Version, saved{mark, c})
						mu.Lock()
						lastOf[id+"/"+p["id"].(string)] = text
						mu.Unlock()
						seen(c, i, id, v.Version, mark, true)
					case code < 500 && code != 0:
						t.Errorf("a merge of client %d's own paragraph refused on %s: %d %s", c, base, code, b)
					}
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
	// The servers' peak memory under the load, before the checks below
	// read every frozen file through each of them.
	m := clusterMix{name: name, lat: lat, counts: counts}
	for s, srv := range srvs {
		hwm := procStatus(srv.cmd.Process.Pid, "VmHWM")
		m.peaks = append(m.peaks, hwm)
		var kb int
		fmt.Sscan(hwm, &kb)
		if kb > 300<<10 {
			t.Errorf("server %d's peak memory (VmHWM) under the load, %s, is over 300 MB", s, hwm)
		}
	}
	if n := bad.Load(); n > 0 {
		t.Errorf("%d answers were 5xx or failed", n)
	}
	requests := 0
	for _, l := range lat {
		requests += len(l)
	}
	t.Logf("%s: %d requests; by kind and status: %v", name, requests, counts)
	if freezes.Load() == 0 {
		t.Errorf("no freeze was made")
	}

	// On every server: every acknowledged save in history with its text,
	// each merged paragraph as its last acknowledged merge left it, a
	// stale PUT refused, and the pack the same bytes under the same tag.
	saves := 0
	for _, vs := range acked {
		saves += len(vs)
	}
	var pack []byte
	var tag string
	files := map[string]string{} // path → server 0's digest and ETag
	for s, srv := range srvs {
		get := func(path string) (int, []byte) {
			code, _, b, _ := do(srv.url, w.lead.token, "GET", path, nil)
			return code, b
		}
		for id, vs := range acked {
			have := versionsOf(func(path string) []byte { _, b := get(path); return b }, id)
			for v, sv := range vs {
				if !have[v] {
					t.Errorf("server %d: sheet %s version %d, acknowledged, is not in its history", s, id, v)
					continue
				}
				if code, b := get(fmt.Sprintf("/api/v1/sheets/%s/versions/%d", id, v)); code != 200 || !bytes.Contains(b, []byte(sv.mark)) {
					t.Errorf("server %d: sheet %s version %d, acknowledged with %q, does not hold it (%d)", s, id, v, sv.mark, code)
				}
			}
		}
		for _, id := range merged {
			_, b := get("/api/v1/sheets/" + id)
			var sh struct {
				Sections []struct{ Paragraphs []struct{ ID, Text string } }
			}
			json.Unmarshal(b, &sh)
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					if want, ok := lastOf[id+"/"+p.ID]; ok && p.Text != want {
						t.Errorf("server %d: paragraph %s of sheet %s is not the last merge acknowledged for it", s, p.ID, id)
					}
				}
			}
		}
		for id, etag := range stale {
			_, _, b, _ := do(srv.url, w.officer.token, "GET", "/api/v1/sheets/"+id, nil)
			if code, _, out, _ := do(srv.url, w.officer.token, "PUT", "/api/v1/sheets/"+id, b, "If-Match", etag); code != 412 {
				t.Errorf("server %d: a PUT of sheet %s with the stale If-Match %s: %d %s", s, id, etag, code, out)
			}
			break
		}
		code, h, b, _ := do(srv.url, w.admin.token, "GET", packPath, nil)
		if code != 200 {
			t.Fatalf("server %d: the pack: %d", s, code)
		}
		if s == 0 {
			pack, tag = b, h.Get("ETag")
		} else if !bytes.Equal(b, pack) || h.Get("ETag") != tag {
			t.Errorf("server %d's pack (%d bytes, ETag %s) is not server 0's (%d bytes, ETag %s)", s, len(b), h.Get("ETag"), len(pack), tag)
		}
		// The workbook and every frozen file too.
		paths := []string{"/api/v1/rounds/" + w.round + "/pack?format=xlsx"}
		for _, id := range frozen {
			paths = append(paths, "/api/v1/packs/"+id+"?format=html", "/api/v1/packs/"+id+"?format=xlsx")
		}
		for _, path := range paths {
			code, h, b, _ := do(srv.url, w.admin.token, "GET", path, nil)
			if code != 200 {
				t.Errorf("server %d: %s: %d", s, path, code)
				continue
			}
			got := fmt.Sprintf("%x %s", sha256.Sum256(b), h.Get("ETag"))
			if s == 0 {
				files[path] = got
			} else if files[path] != got {
				t.Errorf("server %d's %s (digest and ETag %s) is not server 0's (%s)", s, path, got, files[path])
			}
		}
	}
	t.Logf("%s: %d saves acknowledged (%d by PUT refused as stale), every one in history with its text on each of %d servers; %d freezes; the pack %d bytes, ETag %s, the same from each",
		name, saves, counts["save 412"], len(srvs), freezes.Load(), len(pack), tag)

	m.requests = requests
	// Reading every frozen file (two of each freeze's four) through each
	// server raises its peak as its cache of frozen files fills, to the
	// cache's bound and the collector's room above it: told, not held to
	// the bound of the load (see the README, "Reading many frozen packs";
	// TestFrozenReadsMemory holds what is live to the caches' bounds).
	// With it, what the server holds now, of its own and of the files
	// mapped, and again after three quiet seconds, once it has given back
	// what the reads left free.
	held := func() []string {
		var out []string
		for _, srv := range srvs {
			pid := srv.cmd.Process.Pid
			out = append(out, fmt.Sprintf("%s (%s its own, %s files mapped)", procStatus(pid, "VmRSS"), procStatus(pid, "RssAnon"), procStatus(pid, "RssFile")))
		}
		return out
	}
	var after []string
	for _, srv := range srvs {
		after = append(after, procStatus(srv.cmd.Process.Pid, "VmHWM"))
	}
	now := held()
	time.Sleep(3 * time.Second)
	t.Logf("%s: peak memory under the load %v; after reading the files of %d freezes through each server %v, resident then %v, three quiet seconds later %v",
		name, m.peaks, len(frozen), after, now, held())
	return m
}
