package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoadMerge is the drafting-together load: 50 clients for 30 seconds
// (BRIEFPACK_LOAD_SECONDS to change) editing paragraphs of the same three
// sheets through the merge, each client its own paragraph, so that several
// clients share each paragraph. It reports acknowledged merges, conflicts
// and p99; it fails on a 5xx, on a conflict naming a paragraph the client did
// not edit, and on any acknowledged write missing: each acknowledged text is
// in the version the merge answered, and each paragraph ends with the text
// of the last merge acknowledged for it. BRIEFPACK_LOAD=1 to run it.
func TestLoadMerge(t *testing.T) {
	seconds := loadSeconds(t, 30)
	ds := startDemo(t, buildBinary(t))
	lead := signInAs(t, ds.url, "lead", ds.logins["lead"])
	officer := signInAs(t, ds.url, "officer", ds.logins["officer"]).token
	_, _, b := lead.do("GET", "/api/v1/rounds/3/sheets", nil)
	var list struct{ Items []struct{ ID string } }
	json.Unmarshal(b, &list)
	targets := []string{list.Items[0].ID, list.Items[1].ID, list.Items[3].ID}

	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}, Timeout: 30 * time.Second}
	req := func(method, path string, body any) (int, []byte, time.Duration) {
		var rd io.Reader
		if body != nil {
			bb, _ := json.Marshal(body)
			rd = strings.NewReader(string(bb))
		}
		r, _ := http.NewRequest(method, ds.url+path, rd)
		r.Header.Set("Authorization", "Bearer "+officer)
		r.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := httpc.Do(r)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return 0, nil, 0
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, data, time.Since(start)
	}
	type ack struct {
		version int
		text    string
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		acked     = map[string][]ack{} // sheet/paragraph id → acknowledged texts
		byVersion = map[string]map[int][]string{}
		merges    int
		conflicts int
		fivexx    int
	)
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				id := targets[c%len(targets)]
				code, body, _ := req("GET", "/api/v1/sheets/"+id, nil)
				if code != 200 {
					continue
				}
				var sh map[string]any
				json.Unmarshal(body, &sh)
				paras := sh["sections"].([]any)[0].(map[string]any)["paragraphs"].([]any)
				j := (c / len(targets)) % len(paras) // several clients share each paragraph
				p := paras[j].(map[string]any)
				pid := p["id"].(string)
				text := fmt.Sprintf("client %d merge %d", c, i)
				p["text"] = text
				time.Sleep(time.Duration(c%7) * time.Millisecond) // let others save in between
				code, out, d := req("POST", "/api/v1/sheets/"+id+"/merge", sh)
				mu.Lock()
				latencies = append(latencies, d)
				switch {
				case code == 200:
					merges++
					var saved struct{ Version int }
					json.Unmarshal(out, &saved)
					acked[id+"/"+pid] = append(acked[id+"/"+pid], ack{saved.Version, text})
					if byVersion[id] == nil {
						byVersion[id] = map[int][]string{}
					}
					byVersion[id][saved.Version] = append(byVersion[id][saved.Version], text)
				case code == 409:
					conflicts++
					if want := fmt.Sprintf("sections[0].paragraphs[%d]", j); !strings.Contains(string(out), want) {
						t.Errorf("a conflict that does not name the paragraph edited (%s): %s", want, out)
					}
				case code >= 500 || code == 0:
					fivexx++
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if fivexx > 0 {
		t.Errorf("%d answers were 5xx or failed", fivexx)
	}
	missing := 0
	for id, vs := range byVersion {
		for v, texts := range vs {
			code, body, _ := req("GET", fmt.Sprintf("/api/v1/sheets/%s/versions/%d", id, v), nil)
			for _, text := range texts {
				if code != 200 || !strings.Contains(string(body), text) {
					missing++
					t.Errorf("sheet %s version %d, acknowledged with %q, does not hold it", id, v, text)
				}
			}
		}
	}
	for key, acks := range acked {
		id, pid, _ := strings.Cut(key, "/")
		sort.Slice(acks, func(a, b int) bool { return acks[a].version < acks[b].version })
		last := acks[len(acks)-1]
		_, body, _ := req("GET", "/api/v1/sheets/"+id, nil)
		var sh struct {
			Sections []struct{ Paragraphs []struct{ ID, Text string } }
		}
		json.Unmarshal(body, &sh)
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				if p.ID == pid && p.Text != last.text {
					missing++
					t.Errorf("paragraph %s of sheet %s ends %q, not the last acknowledged %q (version %d)", pid, id, p.Text, last.text, last.version)
				}
			}
		}
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	t.Logf("%ds, 50 clients: %d acknowledged merges, %d conflicts (same paragraph only), %d acknowledged writes missing; merge p50 %v, p99 %v",
		seconds, merges, conflicts, missing, p(0.5), p(0.99))
}
