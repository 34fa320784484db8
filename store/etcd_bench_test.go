package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// BenchmarkEtcdSavesAtOnce: officers saving their own sheets at the same
// moment, through one server or three, all on one etcd member. Each of 24
// writers holds a sheet of fifteen unique paragraphs (a fifth of them
// SECRET), rewrites one paragraph and saves it with the version it holds,
// as the editor does; b.N saves in all. It reports the saves a second and
// the slowest save's share: a server that commits one write at a time
// makes every writer wait for each etcd commit of the others.
func BenchmarkEtcdSavesAtOnce(b *testing.B) {
	c := etcdtest.Start(b, 1)
	for _, servers := range []int{1, 3} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			var dbs []*DB
			for range servers {
				dbs = append(dbs, openEtcdPrefix(b, c, fmt.Sprintf("saves%d", servers)))
			}
			saveAtOnce(b, dbs, 24)
		})
	}
}

// saveAtOnce has writers save their own sheets, spread over dbs, b.N
// saves in all, and reports the saves a second and their 99th percentile.
func saveAtOnce(b *testing.B, dbs []*DB, writers int) {
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "officer"}
	r := benchRound(b, dbs[0], by)
	rng := rand.New(rand.NewPCG(11, 12))
	shs := make([]*briefing.Sheet, writers)
	for i := range shs {
		shs[i] = benchSheet(rng, r.ID, i)
		if err := dbs[0].CreateSheet(ctx, shs[i], by); err != nil {
			b.Fatal(err)
		}
	}
	texts := make([][]string, writers)
	for i := range texts {
		for range 64 {
			texts[i] = append(texts[i], benchWords(rng, 400+rng.IntN(400)))
		}
	}
	work := make(chan struct{})
	var (
		mu    sync.Mutex
		took  []time.Duration
		wg    sync.WaitGroup
		first error
	)
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, sh := dbs[w%len(dbs)], shs[w]
			for n := 0; ; n++ {
				if _, ok := <-work; !ok {
					return
				}
				sh.Sections[0].Paragraphs[n%15].Text = texts[w][n%64]
				t0 := time.Now()
				err := db.UpdateSheet(ctx, sh, by)
				d := time.Since(t0)
				mu.Lock()
				took = append(took, d)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if first != nil {
		b.Fatal(first)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "saves/s")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}

// benchRound makes a dialogue and its first round.
func benchRound(tb testing.TB, db *DB, by briefing.Actor) *briefing.Round {
	tb.Helper()
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia",
		Established: "2014-04-07", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		tb.Fatal(err)
	}
	r := &briefing.Round{DialogueID: d.ID, Number: 1, StartsOn: "2026-12-01", City: "Wellington", Host: briefing.SideHome,
		Status: briefing.RoundScheduled, Marking: "RESTRICTED"}
	if err := db.CreateRound(ctx, r, by, nil); err != nil {
		tb.Fatal(err)
	}
	return r
}

// benchSheet is topic sheet i of a round: fifteen unique paragraphs of
// 400 to 800 characters, a fifth of them SECRET.
func benchSheet(rng *rand.Rand, roundID string, i int) *briefing.Sheet {
	var ps []briefing.Paragraph
	for j := range 15 {
		m := "RESTRICTED"
		if j%5 == 2 {
			m = "SECRET"
		}
		ps = append(ps, briefing.Paragraph{Text: benchWords(rng, 400+rng.IntN(400)), Marking: m})
	}
	return &briefing.Sheet{RoundID: roundID, Title: fmt.Sprintf("Topic %d: %s", i, benchWords(rng, 30)), Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: ps}}}
}

// benchWords is n characters of words, unique to rng's draw.
func benchWords(rng *rand.Rand, n int) string {
	var sb strings.Builder
	for sb.Len() < n {
		w := make([]byte, 2+rng.IntN(9))
		for i := range w {
			w[i] = "etaoinshrdlucmfwypvbgkqjxz"[min(rng.IntN(26), rng.IntN(26))]
		}
		sb.Write(w)
		sb.WriteByte(' ')
	}
	return strings.TrimSpace(sb.String()) + "."
}

// BenchmarkEtcdRoundFirstRead: a server just started reads a round's 300
// sheets, as its first pack of the round does, from a one-member etcd.
// Each op opens the server anew (untimed).
func BenchmarkEtcdRoundFirstRead(b *testing.B) {
	c := etcdtest.Start(b, 1)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "officer"}
	writer := openEtcdPrefix(b, c, "firstread")
	cfg, err := ParseEtcdURL(c.URL("firstread"))
	if err != nil {
		b.Fatal(err)
	}
	r := benchRound(b, writer, by)
	rng := rand.New(rand.NewPCG(31, 32))
	for i := range 300 {
		if err := writer.CreateSheet(ctx, benchSheet(rng, r.ID, i), by); err != nil {
			b.Fatal(err)
		}
	}
	var reads int64
	for b.Loop() {
		b.StopTimer()
		db, err := OpenEtcd(cfg, "")
		if err != nil {
			b.Fatal(err)
		}
		before, _, _ := db.EtcdRequests()
		b.StartTimer()
		n := 0
		for p := (briefing.Page{Limit: 100}); ; {
			shs, next, err := db.SheetsReadOnly(ctx, r.ID, p)
			if err != nil {
				b.Fatal(err)
			}
			n += len(shs)
			if next == "" {
				break
			}
			p.After = next
		}
		b.StopTimer()
		if n != 300 {
			b.Fatalf("read %d sheets of 300", n)
		}
		after, _, _ := db.EtcdRequests()
		reads += after - before
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(reads)/float64(b.N), "etcd-reads/op")
}

// TestEtcd_RoundReadSideBySide: a server that has not read a round reads
// its sheets side by side, several requests in flight at once, where it
// read them one round trip after another; each is the sheet stored.
func TestEtcd_RoundReadSideBySide(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "officer"}
	url := c.URL("sidebyside")
	writer := openEtcdURL(t, url, 0)
	r := benchRound(t, writer, by)
	rng := rand.New(rand.NewPCG(41, 42))
	want := map[string]string{}
	for i := range 40 {
		sh := benchSheet(rng, r.ID, i)
		must(t, writer.CreateSheet(ctx, sh, by))
		want[sh.ID] = sh.Title
	}
	cfg, err := ParseEtcdURL(url)
	must(t, err)
	var inFlight, most atomic.Int32
	cfg.dialOptions = []grpc.DialOption{grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			if _, ok := req.(*etcdserverpb.RangeRequest); ok {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
			}
			return invoker(ctx, method, req, reply, cc, opts...)
		})}
	db, err := OpenEtcd(cfg, "")
	must(t, err)
	defer db.Close()
	most.Store(0)
	shs, _, err := db.SheetsReadOnly(ctx, r.ID, briefing.Page{Limit: 100})
	must(t, err)
	if len(shs) != len(want) {
		t.Fatalf("read %d sheets of %d", len(shs), len(want))
	}
	for _, sh := range shs {
		if want[sh.ID] != sh.Title {
			t.Fatalf("sheet %s read as %q, stored %q", sh.ID, sh.Title, want[sh.ID])
		}
	}
	if m := most.Load(); m < 2 {
		t.Fatalf("the round's sheets were read one request at a time (at most %d in flight)", m)
	}
	t.Logf("at most %d reads in flight", most.Load())
}
