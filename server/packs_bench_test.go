package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// benchRound fills the fixture's round with n topic sheets of unique text
// (packtest's paragraphs: thirty to sixty words each, one in seven SECRET),
// five sections of six paragraphs, about 14 KB a sheet, and returns the
// round's id and the sheets' ids.
func benchRound(b testing.TB, f *fixture, n int) (string, []string) {
	b.Helper()
	w := f.world()
	s, _ := briefing.SettingsFor("nz")
	ids := make([]string, n)
	for i := range n {
		secs := packtest.Sections(s, i)
		ids[i] = f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": fmt.Sprintf("Topic %d", i+1), "sections": secs})
	}
	return w.round, ids
}

// downloader fetches a path from the fixture's handler served on loopback,
// as a client does, reading the body to its end; it returns the body's size.
func downloader(b testing.TB, f *fixture) func(user, path string) int64 {
	get := downloaderInto(b, f)
	return func(user, path string) int64 { return get(user, path, make([]byte, 256<<10)) }
}

// downloaderInto is downloader reading into a buffer of the caller's: one
// that measures the server's memory gives its clients buffers made before
// it measures, since they share its heap.
func downloaderInto(b testing.TB, f *fixture) func(user, path string, buf []byte) int64 {
	srv := httptest.NewServer(f.h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	return func(user, path string, buf []byte) int64 {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		n, _ := drainInto(resp.Body, buf)
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return n
	}
}

// BenchmarkPackAfterEdit is the live pack downloaded through the API right
// after an edit to one of its sheets (the edit outside the timer): HTML at
// 300 sheets, XLSX at 1,000. BenchmarkPackUnchanged is the same download
// with nothing changed since the last. BenchmarkFloorPrerendered is the
// limit of the HTML pack for the same content: one template over the
// paragraphs rendered beforehand; briefing/xlsxpack's BenchmarkFloorXLSX
// is the XLSX one.
func BenchmarkPackAfterEdit(b *testing.B) {
	for _, c := range []struct {
		format string
		sheets int
	}{{"html", 300}, {"xlsx", 1000}} {
		b.Run(fmt.Sprintf("%s/S=%d", c.format, c.sheets), func(b *testing.B) {
			f := newFixture(b)
			round, ids := benchRound(b, f, c.sheets)
			editsThenDownloads(b, f, downloader(b, f), ids, "/api/v1/rounds/"+round+"/pack?format="+c.format)
		})
	}
}

func BenchmarkPackUnchanged(b *testing.B) {
	f := newFixture(b)
	round, _ := benchRound(b, f, 300)
	pack := "/api/v1/rounds/" + round + "/pack?format=html"
	get := downloader(b, f)
	get("lead", pack)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.SetBytes(get("lead", pack))
	}
}

func BenchmarkFloorPrerendered(b *testing.B) {
	f := newFixture(b)
	round, _ := benchRound(b, f, 300)
	var list struct{ Items []*briefing.Sheet }
	r := f.do("lead", "GET", "/api/v1/rounds/"+round+"/sheets?limit=1000", nil)
	r.json(&list)
	if len(list.Items) < 300 {
		b.Fatalf("%d sheets", len(list.Items))
	}
	sheets := packtest.Prerender(list.Items)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := packtest.Floor(&buf, sheets); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkFreeze freezes a round of 1,000 sheets: the four files (HTML and
// XLSX, full and release) rendered and stored in the snapshot. The pack has
// been downloaded once before, as a lead does before freezing it, and the
// files a freeze makes were made ready in the background meanwhile.
func BenchmarkFreeze(b *testing.B) { benchFreeze(b, false) }

// BenchmarkFreezeAfterEdit is BenchmarkFreeze with one sheet saved right
// before each freeze (outside the timer), as when the lead clears the last
// sheet and freezes at once: the files made ready after the look are out
// of date, and the freeze joins the kept sheets with the one saved.
func BenchmarkFreezeAfterEdit(b *testing.B) { benchFreeze(b, true) }

func benchFreeze(b *testing.B, edit bool) {
	f := newFixture(b)
	round, ids := benchRound(b, f, 1000)
	f.do("admin", "GET", "/api/v1/rounds/"+round+"/pack?format=html", nil)
	f.srv.Idle()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if edit {
			b.StopTimer()
			f.update("officer", "/api/v1/sheets/"+ids[i%len(ids)], func(m map[string]any) { m["title"] = fmt.Sprintf("Saved before freeze %d", i) })
			b.StartTimer()
		}
		if r := f.do("admin", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true}); r.Code != 201 {
			b.Fatalf("freeze: %d %s", r.Code, r.Body.String())
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys>>20), "heap-sys-MiB")
}

// BenchmarkPackAfterEditConcurrent is 16 downloads of the XLSX pack of
// 1,000 sheets arriving together on loopback right after one save: they
// wait for one build. It reports the slowest of the 16 (max-ms) against one
// download alone right after a save (single-ms), each the mean over the
// iterations, their ratio, and the builds made (builds/op): one.
func BenchmarkPackAfterEditConcurrent(b *testing.B) {
	f := newFixture(b)
	round, ids := benchRound(b, f, 1000)
	pack := "/api/v1/rounds/" + round + "/pack?format=xlsx"
	get := downloader(b, f)
	get("lead", pack)
	save := func(i int) {
		id := ids[i%len(ids)]
		r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
		var sh map[string]any
		r.json(&sh)
		editOne(sh, i%5, i%6, fmt.Sprintf("A concurrent edit (%d).", i))
		if w := f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", r.Header().Get("ETag")); w.Code != 200 {
			b.Fatalf("save: %d", w.Code)
		}
	}
	var slowest, single time.Duration // summed over the iterations
	builds := f.srv.PackRenders()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		save(2 * i)
		t0 := time.Now()
		get("lead", pack)
		single += time.Since(t0)
		save(2*i + 1)
		b.StartTimer()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var worst time.Duration
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				get("lead", pack)
				mu.Lock()
				worst = max(worst, time.Since(t0))
				mu.Unlock()
			}()
		}
		wg.Wait()
		slowest += worst
	}
	b.StopTimer()
	b.ReportMetric(float64(slowest.Milliseconds())/float64(b.N), "max-ms")
	b.ReportMetric(float64(single.Milliseconds())/float64(b.N), "single-ms")
	b.ReportMetric(float64(slowest)/float64(single), "max/single")
	b.ReportMetric(float64(f.srv.PackRenders()-builds-int64(b.N))/float64(b.N), "builds/op")
	// The control: the same bytes from Go's static file server, one alone
	// and 16 at once, with the same client: what the transfers cost on
	// this machine without any build.
	f.srv.Idle() // the look's background work (warmFreeze) is not the control's
	r := f.do("lead", "GET", pack, nil)
	dir := b.TempDir()
	if err := os.WriteFile(dir+"/pack.xlsx", r.Body.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer static.Close()
	fetch := func() {
		resp, err := static.Client().Get(static.URL + "/pack.xlsx")
		if err != nil {
			b.Fatal(err)
		}
		drain(resp.Body)
		resp.Body.Close()
	}
	var staticOne, staticMax time.Duration
	for range b.N {
		t0 := time.Now()
		fetch()
		staticOne += time.Since(t0)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var worst time.Duration
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				fetch()
				mu.Lock()
				worst = max(worst, time.Since(t0))
				mu.Unlock()
			}()
		}
		wg.Wait()
		staticMax += worst
	}
	b.ReportMetric(float64(staticMax.Milliseconds())/float64(b.N), "static-max-ms")
	b.ReportMetric(float64(staticOne.Milliseconds())/float64(b.N), "static-single-ms")
}

// TestFreezePeakMemory freezes a round of 1,000 sheets and reports the
// time and the peak heap while it ran, above the heap before it. The lead
// has looked at the HTML pack first and the background has made the other
// files ready; BRIEFPACK_FREEZE_START=1 freezes an upcoming round made
// ready after a start instead; BRIEFPACK_FREEZE_WRITTEN=1 one kept ready
// while the server serves, right after its last save, nobody having
// looked; BRIEFPACK_FREEZE_COLD=1 freezes with
// nothing looked at and nothing kept (run alone: the kept parts are the
// process's). It
// measures, so it runs only when asked: BRIEFPACK_MEM=1.
func TestFreezePeakMemory(t *testing.T) {
	if os.Getenv("BRIEFPACK_MEM") == "" {
		t.Skip("set BRIEFPACK_MEM=1 to measure a freeze's peak memory")
	}
	f := newFixture(t)
	round, ids := benchRound(t, f, 1000)
	switch {
	case os.Getenv("BRIEFPACK_FREEZE_COLD") != "":
	case os.Getenv("BRIEFPACK_FREEZE_WRITTEN") != "":
		// An upcoming round just written, kept ready while the server
		// serves (KeepUpcomingReady), nobody having looked.
		f.watch()
		f.upcoming(round)
		f.update("officer", "/api/v1/sheets/"+ids[len(ids)-1], func(m map[string]any) { m["title"] = "The last sheet, saved last" })
		t0 := time.Now()
		for f.srv.MadeReady() == 0 {
			if time.Since(t0) > time.Minute {
				t.Fatal("nothing made ready in a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("made ready %v after the last save (a second of it waiting for the round to stay the same)", time.Since(t0).Round(time.Millisecond))
	case os.Getenv("BRIEFPACK_FREEZE_START") != "":
		// An upcoming round, made ready after a start (WarmUpcoming).
		f.upcoming(round)
		t0 := time.Now()
		if err := f.srv.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Logf("made ready after the start in %v (with a second's wait for the round to be quiet)", time.Since(t0).Round(time.Millisecond))
	default:
		f.do("admin", "GET", "/api/v1/rounds/"+round+"/pack?format=html", nil) // looked at before it is frozen
		f.srv.Idle()
	}
	var r response
	var took time.Duration
	before, peak := heapPeak(func() {
		t0 := time.Now()
		r = f.do("admin", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true})
		took = time.Since(t0)
	})
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	t.Logf("freeze of 1,000 sheets: %v; heap in use before %d MiB, peak %d MiB (+%d MiB)", took.Round(time.Millisecond),
		before>>20, peak>>20, (peak-before)>>20)
}

// TestConcurrentPeakMemory saves a sheet of a round of 1,000 and downloads
// its XLSX pack, first once alone and then 16 times at once after another
// save, and reports how far the heap in use rose above where it was for
// each: the 16 share one build, so they should need little more than one.
// It measures, so it runs only when asked: BRIEFPACK_MEM=1.
func TestConcurrentPeakMemory(t *testing.T) {
	if os.Getenv("BRIEFPACK_MEM") == "" {
		t.Skip("set BRIEFPACK_MEM=1 to measure the peak memory of downloads at once")
	}
	f := newFixture(t)
	round, ids := benchRound(t, f, 1000)
	pack := "/api/v1/rounds/" + round + "/pack?format=xlsx"
	download := downloaderInto(t, f)
	// The clients read into buffers of 256 KB made now: they share the
	// server's heap, and what is measured is the server's.
	bufs := make(chan []byte, 16)
	for range 16 {
		bufs <- make([]byte, 256<<10)
	}
	get := func(user, path string) {
		buf := <-bufs
		download(user, path, buf)
		bufs <- buf
	}
	get("lead", pack)
	f.srv.Idle()
	save := func(i int) {
		f.update("officer", "/api/v1/sheets/"+ids[i], func(sh map[string]any) { editOne(sh, 1, 2, fmt.Sprintf("An edit (%d) before the downloads.", i)) })
	}
	for try := range 3 {
		save(2 * try)
		b1, p1 := heapPeak(func() { get("lead", pack) })
		save(2*try + 1)
		builds := f.srv.PackRenders()
		b16, p16 := heapPeak(func() {
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() { defer wg.Done(); get("lead", pack) }()
			}
			wg.Wait()
		})
		if n := f.srv.PackRenders() - builds; n != 1 {
			t.Fatalf("16 downloads after one save made %d builds", n)
		}
		one, sixteen := float64(p1-b1)/(1<<20), float64(p16-b16)/(1<<20)
		t.Logf("heap in use above where it was: one download after a save +%.0f MiB; 16 at once +%.0f MiB (%.2f×)", one, sixteen, sixteen/one)
	}
}

// heapPeak runs fn after a collection and returns the heap in use before
// it and the most in use while it ran, sampled every 2 ms through
// runtime/metrics, which, unlike runtime.ReadMemStats, does not stop the
// world (a sampler that did took 14% of a freeze's CPU profile).
func heapPeak(fn func()) (before, peak uint64) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	inUse := func() uint64 { // HeapInuse: the spans in use, whole
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	before = inUse()
	peak = before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			peak = max(peak, inUse())
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return before, peak
}

// drain reads a body to its end in reads of 256 KB, as a browser saving a
// download does in large reads: through io.Copy's 8 KB reads the client's
// own system calls cost more than the transfer (one 10 MB download from a
// static file server took 18 ms, against 7.5 ms this way).
func drain(r io.Reader) (int64, error) { return drainInto(r, make([]byte, 256<<10)) }

// drainInto is drain reading into buf.
func drainInto(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// BenchmarkPackRolledForward is BenchmarkPackAfterEdit's HTML case over a
// round of 300 sheets each rolled forward from the round before, as a
// dialogue's packs are after its first round: each assembly finds what
// changed since the last round in every sheet (kept by the two stored
// records, so after one save one sheet is diffed again).
func BenchmarkPackRolledForward(b *testing.B) {
	f := newFixture(b)
	round, ids := benchRound(b, f, 300)
	next := f.create("secretariat", "/api/v1/dialogues/"+dialogueOf(f, round)+"/rounds", map[string]any{"number": 9, "starts_on": "2030-05-10", "city": "Suva", "host": "partner", "marking": "RESTRICTED"})
	var rolled []string
	for _, id := range ids {
		r := f.do("lead", "POST", "/api/v1/sheets/"+id+"/rollforward", map[string]any{"round_id": next})
		if r.Code != 201 {
			b.Fatalf("roll: %d %s", r.Code, r.Body.String())
		}
		var m map[string]any
		r.json(&m)
		rolled = append(rolled, m["id"].(string))
	}
	editsThenDownloads(b, f, downloader(b, f), rolled, "/api/v1/rounds/"+next+"/pack?format=html")
}

// editsThenDownloads times b.N downloads of pack by the lead, each right
// after an officer's edit to one paragraph of one of the sheets ids (the
// edit outside the timer), the pack downloaded once before.
func editsThenDownloads(b *testing.B, f *fixture, get func(user, path string) int64, ids []string, pack string) {
	if r := f.do("lead", "GET", pack, nil); r.Code != 200 {
		b.Fatalf("%d", r.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id := ids[i%len(ids)]
		r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
		var sh map[string]any
		r.json(&sh)
		editOne(sh, i%5, i%6, fmt.Sprintf("An edit (%d) to a paragraph of the %s sheet.", i, id))
		if w := f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", r.Header().Get("ETag")); w.Code != 200 {
			b.Fatalf("save: %d %s", w.Code, w.Body.String())
		}
		b.StartTimer()
		b.SetBytes(get("lead", pack))
	}
}

// dialogueOf is the dialogue of a round.
func dialogueOf(f *fixture, round string) string {
	var m map[string]any
	f.do("lead", "GET", "/api/v1/rounds/"+round, nil).json(&m)
	return m["dialogue_id"].(string)
}
