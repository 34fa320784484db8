package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"briefpack/internal/etcdtest"
)

// BenchmarkEtcdOpen opens a database on a one-member etcd as every start
// does (a server's, and a command's read-only open: check, backup, copy
// --from), new and holding records and frozen files of a database in long
// use: the history headers, texts and audit records of records/3 saves
// each, and files frozen packs' files of 1.2 MiB, kept in chunks. Its
// quick check read each bucket's first and last pages, frozen files and
// all, and an open took 23–26 ms new, 58 ms at 10,000 records and 340–349
// ms at 100,000 (89, 105 and 249 requests); it takes 11–14 ms at each
// size (33 requests), on this machine.
func BenchmarkEtcdOpen(b *testing.B) {
	c := etcdtest.Start(b, 1)
	for _, size := range []struct{ records, files int }{{0, 0}, {10000, 8}, {100000, 80}} {
		b.Run(fmt.Sprintf("records=%d,files=%d", size.records, size.files), func(b *testing.B) {
			url := c.URL(fmt.Sprintf("open%d", size.records))
			cfg, err := ParseEtcdURL(url)
			if err != nil {
				b.Fatal(err)
			}
			db, err := OpenEtcd(cfg, "nz")
			if err != nil {
				b.Fatal(err)
			}
			fillForOpen(b, db, size.records, size.files)
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				name := "open"
				if ro {
					name = "read-only"
				}
				b.Run(name, func(b *testing.B) {
					cfg := cfg
					cfg.ReadOnly, cfg.MustExist = ro, ro
					var reads int64
					for b.Loop() {
						db, err := OpenEtcd(cfg, "")
						if err != nil {
							b.Fatal(err)
						}
						r, _, _ := db.EtcdRequests()
						reads += r
						if err := db.Close(); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
				})
			}
		})
	}
}

// fillForOpen writes records keys, a third each to the history headers,
// the history texts and the audit log, of the sizes a save writes there,
// and files values of 1.2 MiB to the frozen packs' files.
func fillForOpen(b *testing.B, db *DB, records, files int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	value := func(n int) []byte {
		v := make([]byte, n)
		for i := range v {
			v[i] = byte(rng.Uint32())
		}
		return v
	}
	buckets := []struct {
		name []byte
		size int
	}{{historyBucket, 120}, {historyBodies, 900}, {auditBucket, 300}}
	const batch = 100
	for i := 0; i < records; i += batch {
		err := db.update(ctx, func(tx kvTx) error {
			for j := i; j < min(i+batch, records); j++ {
				bk := buckets[j%len(buckets)]
				if err := tx.Bucket(bk.name).Put(append([]byte("sheet\x00"), itob(uint64(j))...), value(bk.size)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < files; i++ {
		err := db.update(ctx, func(tx kvTx) error {
			return tx.Bucket(fileBucket).Put(append(itob(uint64(i+1)), "html"...), value(chunkSize+chunkSize/5))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
