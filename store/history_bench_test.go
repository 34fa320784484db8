package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// historyDB returns a database holding one realistic topic sheet (about
// 13 KB of JSON, unique prose, a SECRET paragraph) saved n times, each save
// a desk officer's edit of a paragraph, and the sheet.
func historyDB(b *testing.B, n int) (*store.DB, *briefing.Sheet) {
	b.Helper()
	db, err := store.Open(filepath.Join(b.TempDir(), "history.db"), "nz")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	d := mustDialogue(b, db)
	r := mustRound(b, db, d.ID, 1)
	rng := rand.New(rand.NewPCG(13, 1000))
	sh := realisticSheet(rng, r.ID, "Cyber security cooperation", 13500)
	if err := db.CreateSheet(ctx, sh, alice); err != nil {
		b.Fatal(err)
	}
	for sh.Version < n {
		reviseSheet(rng, sh)
		if err := db.UpdateSheet(ctx, sh, alice); err != nil {
			b.Fatal(err)
		}
	}
	return db, sh
}

// reportSize reports the stored bytes of history per saved version and the
// size of the sheet's JSON.
func reportSize(b *testing.B, db *store.DB, sh *briefing.Sheet) {
	b.Helper()
	headers, texts, err := store.HistoryBytes(db)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(sh)
	// The dialogue and the round keep one version each: a few hundred bytes
	// against the sheet's thousands.
	b.ReportMetric(float64(headers+texts)/float64(sh.Version), "stored-B/version")
	b.ReportMetric(float64(len(raw)), "sheet-B")
}

var versionCounts = []int{10, 1000}

var topSecret = briefing.Reader{Name: "lead", Role: briefing.RoleLead, Clearance: "TOP SECRET"}

// BenchmarkVersion reads one past version of a sheet as GET
// /sheets/{id}/versions/{n} does: the current sheet for the reader, then
// that version, filtered.
func BenchmarkVersion(b *testing.B) {
	for _, n := range versionCounts {
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			db, sh := historyDB(b, n)
			set, _ := db.Settings(ctx)
			want := n / 2
			for b.Loop() {
				v := briefing.NewView(db, set, topSecret)
				got, err := v.SheetVersionOf(ctx, sh.ID, want)
				if err != nil || got.Version != want {
					b.Fatal(got, err)
				}
			}
			reportSize(b, db, sh)
		})
	}
}

// BenchmarkVersions lists a sheet's versions as GET /sheets/{id}/versions
// does: the first page, each version's time, author, title and marking as
// the reader sees it — a page of 10 and the default page of 100.
func BenchmarkVersions(b *testing.B) {
	for _, n := range versionCounts {
		for _, limit := range []int{10, 100} {
			b.Run(fmt.Sprintf("versions=%d/page=%d", n, limit), func(b *testing.B) {
				db, sh := historyDB(b, n)
				set, _ := db.Settings(ctx)
				for b.Loop() {
					v := briefing.NewView(db, set, topSecret)
					vs, _, err := v.SheetVersions(ctx, sh.ID, briefing.Page{Limit: limit})
					if err != nil || len(vs) != min(n, limit) {
						b.Fatal(len(vs), err)
					}
				}
				reportSize(b, db, sh)
			})
		}
	}
}

// BenchmarkDiff compares two past versions as GET /sheets/{id}/diff does.
func BenchmarkDiff(b *testing.B) {
	for _, n := range versionCounts {
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			db, sh := historyDB(b, n)
			set, _ := db.Settings(ctx)
			from, to := n/2, n/2+3
			for b.Loop() {
				v := briefing.NewView(db, set, topSecret)
				x, err := v.SheetVersionOf(ctx, sh.ID, from)
				if err != nil {
					b.Fatal(err)
				}
				y, err := v.SheetVersionOf(ctx, sh.ID, to)
				if err != nil {
					b.Fatal(err)
				}
				if len(briefing.DiffSheets(x, y)) == 0 {
					b.Fatal("no changes")
				}
			}
			reportSize(b, db, sh)
		})
	}
}

// BenchmarkOpen opens a database as every start does, at 10 and 1,000
// saved versions of a sheet: the check at open must not read every page.
func BenchmarkOpen(b *testing.B) {
	for _, n := range versionCounts {
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			db, _ := historyDB(b, n)
			path := db.Path()
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				db, err := store.Open(path, "")
				if err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSheetsNotReadBefore reads every sheet of a round of 1,000
// realistic sheets (13.5 KB of unique prose each, SECRET paragraphs among
// them) that nothing has read since a start, as the first pack of the
// round does: every sheet is decoded.
func BenchmarkSheetsNotReadBefore(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "sheets.db"), "nz")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	r := mustRound(b, db, mustDialogue(b, db).ID, 1)
	rng := rand.New(rand.NewPCG(7, 1000))
	for i := range 1000 {
		if err := db.CreateSheet(ctx, realisticSheet(rng, r.ID, fmt.Sprintf("Topic %d", i+1), 13500), alice); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		store.ForgetDecoded()
		n := 0
		for p := (briefing.Page{Limit: 1000}); ; {
			page, next, err := db.SheetsReadOnly(ctx, r.ID, p)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page)
			if next == "" {
				break
			}
			p.After = next
		}
		if n != 1000 {
			b.Fatalf("%d sheets", n)
		}
	}
}

// BenchmarkAuditPage reads a page of 100 of the audit log's records, the
// newest and a page 4,000 records deep, as GET /api/v1/audit does, with
// 5,000 records (a dialogue saved 5,000 times), on a bbolt file and a
// one-member etcd, a save between reads. Read in descending order, an etcd
// 3.4 range is read whole in the server before its first page comes back:
// the newest page cost what the whole log did (15.1 ms against 1.4 ms read
// in ascending ranges, on this machine).
func BenchmarkAuditPage(b *testing.B) {
	const records = 5000
	for _, backend := range []string{"bbolt", "etcd1"} {
		b.Run(backend, func(b *testing.B) {
			db := benchDB(b, backend)
			d := mustDialogue(b, db)
			for i := 1; i < records; i++ {
				d.Notes = fmt.Sprintf("Notes of the dialogue, saved for the %dth time.", i)
				if err := db.UpdateDialogue(ctx, d, alice); err != nil {
					b.Fatal(err)
				}
			}
			next := "" // after 4,000 records: deep in the log
			for range 4 {
				recs, after, err := db.Audit(ctx, briefing.Page{After: next, Limit: 1000})
				if err != nil || len(recs) != 1000 || after == "" {
					b.Fatal(len(recs), err)
				}
				next = after
			}
			for _, page := range []struct {
				name  string
				after string
			}{{"first", ""}, {"deep", next}} {
				b.Run(page.name, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						// A save between reads, as on a server in use: what a
						// server keeps of the reads before is of no use.
						b.StopTimer()
						d.Notes = fmt.Sprintf("Notes saved between reads, %d.", i)
						if err := db.UpdateDialogue(ctx, d, alice); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
						recs, _, err := db.Audit(ctx, briefing.Page{After: page.after, Limit: 100})
						if err != nil || len(recs) != 100 {
							b.Fatal(len(recs), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkVersionHeadersAmongMany reads the first page of one object's
// versions, as GET /api/v1/sheets/{id}/versions does, from a history
// bucket holding 20,000 versions of 2,000 objects, on a bbolt file and a
// one-member etcd, the object saved between reads (so that what a server
// kept of the read before is of no use). The object read is the first of
// the bucket: every other object's versions lie beyond its own.
func BenchmarkVersionHeadersAmongMany(b *testing.B) {
	const objects, saves = 2000, 10
	for _, backend := range []string{"bbolt", "etcd1"} {
		b.Run(backend, func(b *testing.B) {
			db := benchDB(b, backend)
			var first *briefing.Dialogue
			for i := range objects {
				d := mustDialogue(b, db)
				for s := 1; s < saves; s++ {
					d.Notes = fmt.Sprintf("Notes of dialogue %d, saved for the %dth time.", i, s)
					if err := db.UpdateDialogue(ctx, d, alice); err != nil {
						b.Fatal(err)
					}
				}
				if first == nil {
					first = d
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				first.Notes = fmt.Sprintf("Notes saved between reads, %d.", i)
				if err := db.UpdateDialogue(ctx, first, alice); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				vs, _, err := db.VersionHeaders(ctx, briefing.KindDialogue, first.ID, briefing.Page{Limit: 10})
				if err != nil || len(vs) != 10 {
					b.Fatal(len(vs), err)
				}
			}
		})
	}
}

// benchDB opens a new database on the backend: "bbolt", a file, or
// "etcd1", a one-member etcd.
func benchDB(b *testing.B, backend string) *store.DB {
	var db *store.DB
	var err error
	if backend == "bbolt" {
		db, err = store.Open(filepath.Join(b.TempDir(), "bench.db"), "nz")
	} else {
		c := etcdtest.Start(b, 1)
		var cfg store.EtcdConfig
		if cfg, err = store.ParseEtcdURL(c.URL("bench")); err == nil {
			db, err = store.OpenEtcd(cfg, "nz")
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}
