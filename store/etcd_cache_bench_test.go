package store

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// BenchmarkEtcdSheetsWhileOthersSave: a server that has read a round's
// 300 sheets once, as a pack does (one request, one revision), reads them
// again, while another server saves sheets of the round one after
// another; it reports the reads the second costs etcd. A server keeps the
// values it reads, and its watch keeps them true, but a value read as of
// a revision the watch had passed by the time it came back was not kept:
// under saves every few milliseconds the watch passes a read of 300 values
// long before it ends, and a server that had not read the round before a
// stream of saves read most of it from etcd at every pack. Each op opens
// the reading server anew (untimed), as after a start.
func BenchmarkEtcdSheetsWhileOthersSave(b *testing.B) {
	c := etcdtest.Start(b, 1)
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "officer"}
	writer := openEtcdPrefix(b, c, "others")
	cfg, err := ParseEtcdURL(c.URL("others"))
	if err != nil {
		b.Fatal(err)
	}
	r := benchRound(b, writer, by)
	rng := rand.New(rand.NewPCG(21, 22))
	const n = 300
	shs := make([]*briefing.Sheet, n)
	for i := range shs {
		shs[i] = benchSheet(rng, r.ID, i)
		if err := writer.CreateSheet(ctx, shs[i], by); err != nil {
			b.Fatal(err)
		}
	}
	texts := make([]string, 64)
	for i := range texts {
		texts[i] = benchWords(rng, 400+rng.IntN(400))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failed error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			sh := shs[i%10]
			sh.Sections[0].Paragraphs[i%15].Text = texts[i%64]
			if err := writer.UpdateSheet(ctx, sh, by); err != nil {
				failed = err
				return
			}
		}
	}()
	readAll := func(reader *DB) {
		got, next, err := reader.SheetsReadOnly(briefing.WithReadPin(ctx), r.ID, briefing.Page{Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != n || next != "" {
			b.Fatalf("%d sheets (next %q), not %d", len(got), next, n)
		}
	}
	var reads int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		reader, err := OpenEtcd(cfg, "")
		if err != nil {
			b.Fatal(err)
		}
		readAll(reader) // the first read of each sheet is etcd's whatever the cache does
		before, _, _ := reader.EtcdRequests()
		b.StartTimer()
		readAll(reader)
		after, _, _ := reader.EtcdRequests()
		reads += after - before
		b.StopTimer()
		reader.Close()
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	b.ReportMetric(float64(reads)/float64(b.N), "etcd-reads/op")
}
