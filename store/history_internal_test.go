package store

import (
	"bytes"
	stdflate "compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// gunzipFixture writes testdata/name.db.gz out to a temporary file.
func gunzipFixture(tb testing.TB, name string) string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".db.gz"))
	must(tb, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	must(tb, err)
	path := filepath.Join(tb.TempDir(), name+".db")
	out, err := os.Create(path)
	must(tb, err)
	_, err = io.Copy(out, zr)
	must(tb, err)
	must(tb, out.Close())
	return path
}

// schema4Version is one version as schema 4 kept it, with where it was kept.
type schema4Version struct {
	kind, id string
	version  int
	rec      schema4Record
}

// readSchema4History reads every history record of a schema 4 file as
// that release read it.
func readSchema4History(tb testing.TB, path string) []schema4Version {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	must(tb, err)
	defer bdb.Close()
	var out []schema4Version
	must(tb, bdb.View(func(tx *bolt.Tx) error {
		if v, _ := readSchemaVersion(boltBucket{tx.Bucket(metaBucket)}); v != 4 {
			tb.Fatalf("the fixture is at schema %d, not 4", v)
		}
		return tx.Bucket(historyBucket).ForEach(func(k, v []byte) error {
			var rec schema4Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			out = append(out, schema4Version{string(k[:len(k)-17]), idString(k[len(k)-16 : len(k)-8]), int(btoi(k[len(k)-8:])), rec})
			return nil
		})
	}))
	return out
}

// TestMigrate_FromSchema4 opens a database the release before wrote, whose
// history kept every version as one JSON record, and finds every version
// read back exactly as that release read it — time, author, deletion and
// the bytes of its JSON — from headers and compressed texts, some of them
// deltas; the versions list shows each reader what it showed before.
func TestMigrate_FromSchema4(t *testing.T) {
	path := gunzipFixture(t, "schema4")
	if err := CheckFile(path); err != nil {
		t.Fatalf("check of the schema 4 file: %v", err)
	}
	old := readSchema4History(t, path)
	if len(old) < 20 {
		t.Fatalf("the fixture holds %d versions", len(old))
	}
	db, err := Open(path, "")
	must(t, err)
	defer db.Close()
	ctx := context.Background()

	byObject := map[string][]schema4Version{}
	var deletions, secret int
	for _, o := range old {
		byObject[o.kind+"/"+o.id] = append(byObject[o.kind+"/"+o.id], o)
		got, err := db.Version(ctx, o.kind, o.id, o.version)
		must(t, err)
		wantAt, _ := json.Marshal(o.rec.At)
		gotAt, _ := json.Marshal(got.At)
		if !bytes.Equal(got.Data, o.rec.Data) || got.Deleted != o.rec.Deleted || got.By != o.rec.By ||
			!got.At.Equal(o.rec.At) || !bytes.Equal(gotAt, wantAt) || got.Size != len(o.rec.Data) {
			t.Errorf("%s %s version %d: %+v, want %+v", o.kind, o.id, o.version, got, o.rec)
		}
		if o.rec.Deleted {
			deletions++
		}
		if bytes.Contains(o.rec.Data, []byte(`"SECRET"`)) {
			secret++
		}
	}
	if deletions == 0 || secret == 0 {
		t.Fatalf("the fixture holds %d deletions and %d versions with a SECRET paragraph", deletions, secret)
	}
	for _, vs := range byObject {
		kind, id := vs[0].kind, vs[0].id
		all, err := db.Versions(ctx, kind, id)
		must(t, err)
		heads, err := allVersionHeaders(db, kind, id)
		must(t, err)
		if len(all) != len(vs) || len(heads) != len(vs) {
			t.Fatalf("%s %s: %d and %d versions, want %d", kind, id, len(all), len(heads), len(vs))
		}
		for i, o := range vs {
			if all[i].Version != o.version || !bytes.Equal(all[i].Data, o.rec.Data) || heads[i].Data != nil ||
				heads[i].Version != o.version || heads[i].Size != len(o.rec.Data) || !heads[i].At.Equal(o.rec.At) {
				t.Errorf("%s %s version %d: listed as %+v and %+v", kind, id, o.version, all[i], heads[i])
			}
		}
	}

	// The versions list, now read from headers, shows each clearance what
	// filtering every version's text showed it before, but for a save that
	// changed nothing it sees (migration 9): one whose copy at that
	// clearance is the version before's, though the whole versions differ.
	set, _ := db.Settings(ctx)
	copyAt := func(clearance string, sh *briefing.Sheet) string {
		vis, ok := set.VisibleSheet(clearance, sh)
		if !ok {
			return ""
		}
		vis.Meta = briefing.Meta{ID: vis.ID}
		b, err := json.Marshal(vis)
		must(t, err)
		return string(b)
	}
	top := set.Top()
	for _, clearance := range set.Markings {
		v := briefing.NewView(db, set, briefing.Reader{Name: "reader", Role: briefing.RoleViewer, Clearance: clearance})
		for _, vs := range byObject {
			if vs[0].kind != briefing.KindSheet {
				continue
			}
			id := vs[0].id
			got, err := allSheetVersions(v, id)
			if briefing.ErrorCode(err) == briefing.ENOTFOUND {
				continue // deleted, or hidden from this reader now
			}
			must(t, err)
			var want []briefing.SheetVersion
			var prev *briefing.Sheet // the version before, unless a deletion
			for _, o := range vs {
				if o.rec.Deleted {
					prev = nil
					continue
				}
				var sh briefing.Sheet
				must(t, json.Unmarshal(o.rec.Data, &sh))
				seen := prev == nil || copyAt(clearance, prev) != copyAt(clearance, &sh) || copyAt(top, prev) == copyAt(top, &sh)
				if vis, ok := set.VisibleSheet(clearance, &sh); ok && seen {
					want = append(want, briefing.SheetVersion{Version: o.version, Title: vis.Title, Marking: vis.Marking})
				}
				prev = &sh
			}
			if len(got) != len(want) {
				t.Fatalf("%s: sheet %s lists %d versions, want %d", clearance, id, len(got), len(want))
			}
			for i := range got {
				if got[i].Version != want[i].Version || got[i].Title != want[i].Title || got[i].Marking != want[i].Marking {
					t.Errorf("%s: sheet %s: %+v, want %+v", clearance, id, got[i], want[i])
				}
			}
		}
	}

	// The texts are compressed, most of them as deltas.
	var raw, stored, deltas int
	must(t, db.viewKV(func(tx kvTx) error {
		if v, _ := readSchemaVersion(tx.Bucket(metaBucket)); v != schemaVersion {
			t.Errorf("schema %d after open", v)
		}
		return tx.Bucket(historyBucket).ForEach(func(k, v []byte) error {
			h, err := decodeHeader(v)
			if err != nil {
				return err
			}
			raw += h.Size
			stored += len(tx.Bucket(historyBodies).Get(k))
			if h.Base != 0 {
				deltas++
			}
			return nil
		})
	}))
	if deltas == 0 || stored*3 > raw {
		t.Errorf("history keeps %d bytes of %d, %d deltas", stored, raw, deltas)
	}
	must(t, db.Check(ctx))
	must(t, db.Close())
	// A second open finds nothing to do.
	db, err = Open(path, "")
	must(t, err)
	must(t, db.Check(ctx))
}

// TestHistory_Deltas saves a sheet past several periods and reads every
// version back exactly, one by one and all together; the check finds a
// text that does not match its header.
func TestHistory_Deltas(t *testing.T) {
	db, sh := oneSheetDB(t)
	ctx := context.Background()
	var want [][]byte
	for i := 1; i <= 2*deltaPeriod+3; i++ {
		if i > 1 {
			sh.Sections[0].Paragraphs = append(sh.Sections[0].Paragraphs,
				briefing.Paragraph{Text: "Paragraph " + strconv.Itoa(i) + " of the situation, as revised.", Marking: "RESTRICTED"})
			if i == 20 {
				sh.Sections[0].Paragraphs[0].Marking = "SECRET"
			}
			must(t, db.UpdateSheet(ctx, sh, by))
		}
		raw, _ := json.Marshal(sh)
		want = append(want, raw)
	}
	all, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
	must(t, err)
	for i, w := range want {
		one, err := db.Version(ctx, briefing.KindSheet, sh.ID, i+1)
		must(t, err)
		if !bytes.Equal(one.Data, w) || !bytes.Equal(all[i].Data, w) {
			t.Fatalf("version %d: %s, want %s", i+1, one.Data, w)
		}
	}
	heads, err := allVersionHeaders(db, briefing.KindSheet, sh.ID)
	must(t, err)
	if m := heads[19].Summary.Markings; len(m) != 2 || m[0] != "SECRET" || m[1] != "RESTRICTED" || heads[0].Summary.Title != "Cyber" {
		t.Fatalf("summaries %+v %+v", heads[0].Summary, heads[19].Summary)
	}
	must(t, db.Check(ctx))

	// A damaged text is reported by the read and by the check, not served.
	must(t, db.update(context.Background(), func(tx kvTx) error {
		k := join(historyPrefix(briefing.KindSheet, itob(1)), itob(deltaPeriod+2))
		body := tx.Bucket(historyBodies).Get(k)
		full, err := deflate(append(bytes.Clone(want[deltaPeriod+1]), ' '), nil)
		if err != nil || body == nil {
			t.Fatal(err, body)
		}
		return tx.Bucket(historyBodies).Put(k, full)
	}))
	if _, err := db.Version(ctx, briefing.KindSheet, sh.ID, deltaPeriod+2); err == nil {
		t.Fatal("a damaged version was served")
	}
	if err := db.Check(ctx); err == nil || !bytesContains(err.Error(), "does not match its header") {
		t.Fatalf("check: %v", err)
	}
	// A text kept under no header, and a header that does not decode.
	must(t, db.update(context.Background(), func(tx kvTx) error {
		k := join(historyPrefix(briefing.KindSheet, itob(1)), itob(999))
		if err := tx.Bucket(historyBodies).Put(k, []byte{1}); err != nil {
			return err
		}
		return tx.Bucket(historyBucket).Put(join(historyPrefix(briefing.KindSheet, itob(1)), itob(3)), []byte("{}"))
	}))
	err = db.Check(ctx)
	if err == nil || !bytesContains(err.Error(), "without a header") || !bytesContains(err.Error(), "version 3: malformed history header") {
		t.Fatalf("check: %v", err)
	}
}

func bytesContains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

// TestHeader_RoundTrip: a header reads back as written, the time's zone included.
func TestHeader_RoundTrip(t *testing.T) {
	for _, h := range []header{
		{At: time.Date(2018, 6, 19, 9, 30, 0, 123456789, time.UTC), By: "officer", Size: 13700, CRC: 0xdeadbeef, Base: 17,
			Summary: briefing.VersionSummary{Title: "Cyber – “quoted”", Markings: []string{"SECRET", "IN-CONFIDENCE"}}},
		{At: time.Date(1960, 1, 1, 0, 0, 0, 0, time.FixedZone("", 13*3600)), Deleted: true},
	} {
		got, err := decodeHeader(h.encode())
		must(t, err)
		a, _ := json.Marshal(h.At)
		b, _ := json.Marshal(got.At)
		if !bytes.Equal(a, b) || got.By != h.By || got.Deleted != h.Deleted || got.Size != h.Size || got.CRC != h.CRC ||
			got.Base != h.Base || got.Summary.Title != h.Summary.Title || len(got.Summary.Markings) != len(h.Summary.Markings) {
			t.Errorf("%+v read back as %+v", h, got)
		}
		enc := h.encode()
		for i := range enc {
			if _, err := decodeHeader(enc[:i]); err == nil {
				t.Errorf("a header cut to %d bytes decodes", i)
			}
		}
	}
}

// TestRewriteHistory_Schema5 runs a record migration over history kept as
// headers and texts, as a migration after schema 5 will: every version
// is rewritten, deltas against their full copy's new text, and summaries
// follow the new text.
func TestRewriteHistory_Schema5(t *testing.T) {
	db, sh := oneSheetDB(t)
	ctx := context.Background()
	for i := 2; i <= deltaPeriod+5; i++ {
		sh.Sections[0].Paragraphs = append(sh.Sections[0].Paragraphs, briefing.Paragraph{Text: "Paragraph " + strconv.Itoa(i), Marking: "RESTRICTED"})
		must(t, db.UpdateSheet(ctx, sh, by))
	}
	must(t, db.DeleteSheet(ctx, sh.ID, sh.Version, by))
	before, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
	must(t, err)
	rename := func(raw []byte) ([]byte, error) {
		return bytes.ReplaceAll(raw, []byte(`"title":"Cyber"`), []byte(`"title":"Cyber policy"`)), nil
	}
	must(t, db.update(context.Background(), func(tx kvTx) error { return rewriteHistory(tx, briefing.KindSheet, rename) }))
	after, err := db.Versions(ctx, briefing.KindSheet, sh.ID)
	must(t, err)
	heads, err := allVersionHeaders(db, briefing.KindSheet, sh.ID)
	must(t, err)
	if len(after) != len(before) || !after[len(after)-1].Deleted {
		t.Fatalf("%d versions, want %d ending in a deletion", len(after), len(before))
	}
	for i := range before {
		want, _ := rename(before[i].Data)
		if !bytes.Equal(after[i].Data, want) || !after[i].At.Equal(before[i].At) || after[i].By != before[i].By {
			t.Fatalf("version %d: %s, want %s", i+1, after[i].Data, want)
		}
		if !before[i].Deleted && heads[i].Summary.Title != "Cyber policy" {
			t.Fatalf("version %d: summary %+v", i+1, heads[i].Summary)
		}
	}
	must(t, db.Check(ctx))
}

// allVersionHeaders reads every page of an object's version headers, seven
// at a time, so that the pages' seams are crossed.
func allVersionHeaders(db *DB, kind, id string) ([]briefing.VersionRecord, error) {
	var out []briefing.VersionRecord
	p := briefing.Page{Limit: 7}
	for {
		recs, next, err := db.VersionHeaders(context.Background(), kind, id, p)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		if next == "" {
			return out, nil
		}
		p.After = next
	}
}

// allSheetVersions reads every page of a sheet's versions as a reader sees them.
func allSheetVersions(v *briefing.View, id string) ([]briefing.SheetVersion, error) {
	var out []briefing.SheetVersion
	p := briefing.Page{Limit: 7}
	for {
		vs, next, err := v.SheetVersions(context.Background(), id, p)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
		if next == "" {
			return out, nil
		}
		p.After = next
	}
}

// oneSheetDB is a new database holding one sheet, "Cyber", with an empty
// situation section, in a round of a dialogue; closed when the test ends.
func oneSheetDB(t *testing.T) (*DB, *briefing.Sheet) {
	t.Helper()
	db, r := oneRoundDB(t)
	sh := &briefing.Sheet{RoundID: r.ID, Title: "Cyber", Sections: []briefing.Section{{Kind: briefing.SectionSituation}}}
	must(t, db.CreateSheet(context.Background(), sh, by))
	return db, sh
}

// oneRoundDB is a new bbolt database holding one round of one dialogue,
// closed when the test ends.
func oneRoundDB(t *testing.T) (*DB, *briefing.Round) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), "nz")
	must(t, err)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Dialogue", Home: "New Zealand", Partner: "Australia"}
	must(t, db.CreateDialogue(ctx, d, by))
	r := &briefing.Round{DialogueID: d.ID, Number: 1, Host: briefing.SideHome}
	must(t, db.CreateRound(ctx, r, by, nil))
	return db, r
}

// TestDeflate_AgainstADictionary: a version compressed against a full copy
// comes back exactly, through the reader with that copy as its dictionary,
// whatever their sizes — a dictionary longer than DEFLATE's window, an
// empty text, a text that shares nothing with it — that reads back the
// same through the standard library's reader, and one that shares
// most of it (within the window DEFLATE refers back to) is a small
// fraction of its size.
func TestDeflate_AgainstADictionary(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	word := func() string {
		return []string{"regional", "security", "cooperation", "maritime", "partners", "the", "minister", "agreed", "cyber", "capacity"}[r.Intn(10)]
	}
	textOf := func(n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(word())
			b.WriteByte(" .,"[r.Intn(3)])
		}
		return b.Bytes()[:n]
	}
	for i := range 300 {
		dict := textOf(1 + r.Intn(50<<10))
		var data []byte
		switch i % 3 {
		case 0: // an edit of the dictionary
			data = append(append(append([]byte(nil), dict[:len(dict)/2]...), textOf(r.Intn(400))...), dict[len(dict)/2:]...)
		case 1: // nothing in common
			data = bytes.Repeat([]byte{byte(r.Intn(256))}, r.Intn(20000))
		default:
			data = textOf(r.Intn(30000))
		}
		body, err := deflate(data, dict)
		must(t, err)
		back, err := inflate(body, dict, len(data))
		must(t, err)
		if !bytes.Equal(back, data) {
			t.Fatalf("case %d (%d bytes against %d): came back different", i, len(data), len(dict))
		}
		// The standard library's reader reads it the same: it is DEFLATE
		// with a preset dictionary, whatever compressed it.
		std, err := io.ReadAll(stdflate.NewReaderDict(bytes.NewReader(body), dict[max(0, len(dict)-maxDictionary):]))
		if err != nil || !bytes.Equal(std, data) {
			t.Fatalf("case %d: the standard library's reader: %v", i, err)
		}
		if i%3 == 0 && len(dict) > 4000 && len(dict) <= maxDictionary && len(body) > len(data)/10 {
			t.Fatalf("case %d: an edit of %d bytes compressed to %d against its copy", i, len(data), len(body))
		}
	}
}

// BenchmarkDeflateDelta compresses a 15 KB sheet of packtest's unique
// paragraphs with one paragraph changed against its full copy: as deflate
// does it, with a pooled compressor reset with the copy as its dictionary,
// and as it did before, with the standard library's pooled compressor
// given the copy as text, flushed, and its output until then dropped. Each
// reports the delta's size (bytes/delta).
func BenchmarkDeflateDelta(b *testing.B) {
	s, _ := briefing.SettingsFor("nz")
	secs := packtest.Sections(s, 3)
	full, _ := json.Marshal(secs)
	secs[2]["paragraphs"].([]map[string]string)[1]["text"] = packtest.Paragraph(999, 1)
	data, _ := json.Marshal(secs)
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for i := 0; i < b.N; i++ {
			var err error
			if out, err = deflate(data, full); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(out)), "bytes/delta")
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		pool := sync.Pool{New: func() any { w, _ := stdflate.NewWriter(io.Discard, stdflate.DefaultCompression); return w }}
		var n int
		for i := 0; i < b.N; i++ {
			var buf bytes.Buffer
			w := pool.Get().(*stdflate.Writer)
			w.Reset(&buf)
			w.Write(full)
			w.Flush()
			skip := buf.Len()
			w.Write(data)
			w.Close()
			pool.Put(w)
			n = buf.Len() - skip
		}
		b.ReportMetric(float64(n), "bytes/delta")
	})
}

// TestJudgePast_Again: migration 10 run a second time writes what the
// first wrote: the raises are found anew, not added to those kept.
func TestJudgePast_Again(t *testing.T) {
	db, err := Open(gunzipFixture(t, "schema9"), "")
	must(t, err)
	defer db.Close()
	kept := func() map[string]string {
		out := map[string]string{}
		tx, err := db.begin(context.Background(), false)
		must(t, err)
		defer end(tx, &err)
		must(t, tx.Bucket(raisedBucket).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		}))
		return out
	}
	first := kept()
	if len(first) != 1 {
		t.Fatalf("the raises of %d sheets are kept, want 1", len(first))
	}
	must(t, db.update(context.Background(), judgePast))
	if again := kept(); !reflect.DeepEqual(again, first) {
		t.Errorf("run again, the raises kept are %q, want %q", again, first)
	}
	must(t, db.Check(context.Background()))
}
