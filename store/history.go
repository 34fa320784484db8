package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"

	"briefpack/briefing"
)

// History keeps every saved version of an object under one key, kind + 0 +
// id (8 bytes) + version (8 bytes), in two buckets: a small header in
// historyBucket (time, author, size, checksum, the summary a list of
// versions shows) and the version's JSON in historyBodies, compressed with
// DEFLATE — on its own (a full copy) or, between full copies, against the
// last full copy of the object as DEFLATE's preset dictionary (a delta).
// A list of versions reads headers only, which sit together on few pages;
// one version reads its header, its body and at most one full copy.

// deltaPeriod is how many versions of an object share one full copy: the
// first of every run of deltaPeriod is stored whole, the others as deltas.
// Measured on a 13 KB sheet edited a paragraph at a time: 3.7 KB a version
// compressed alone, 1.0 KB as a delta against a full copy up to 15 versions
// older, 1.3 KB up to 31.
const deltaPeriod = 16

// headerFormat is the first byte of every header; a schema 4 record, JSON,
// begins with '{'.
const headerFormat = 1

// header is what historyBucket keeps of one version.
type header struct {
	At      time.Time
	By      string
	Deleted bool   // a deletion: no body
	Size    int    // bytes of the version's JSON
	CRC     uint32 // CRC-32 (IEEE) of the version's JSON
	Base    uint64 // 0 for a full copy, else the version whose full copy is the dictionary
	Summary briefing.VersionSummary
	Seen    string // the lowest clearance that sees what the save changed; "": whoever sees the object
}

func (h *header) record(version int) briefing.VersionRecord {
	return briefing.VersionRecord{Version: version, At: h.At, By: h.By, Deleted: h.Deleted, Size: h.Size, Summary: h.Summary, Seen: h.Seen}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encode lays a header out: the format, the time as seconds, nanoseconds
// and zone offset (so it reads back exactly), then the fields in order,
// Seen last and only when it is set (schema 9): a header of a save seen
// by whoever sees the object is laid out as before.
func (h *header) encode() []byte {
	b := make([]byte, 0, 64+len(h.By)+len(h.Summary.Title))
	b = append(b, headerFormat)
	_, off := h.At.Zone()
	b = binary.AppendVarint(b, h.At.Unix())
	b = binary.AppendUvarint(b, uint64(h.At.Nanosecond()))
	b = binary.AppendVarint(b, int64(off))
	b = appendString(b, h.By)
	var flags byte
	if h.Deleted {
		flags |= 1
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(h.Size))
	b = binary.BigEndian.AppendUint32(b, h.CRC)
	b = binary.AppendUvarint(b, h.Base)
	b = appendString(b, h.Summary.Title)
	b = binary.AppendUvarint(b, uint64(len(h.Summary.Markings)))
	for _, m := range h.Summary.Markings {
		b = appendString(b, m)
	}
	if h.Seen != "" {
		b = appendString(b, h.Seen)
	}
	return b
}

var errMalformedHeader = errors.New("malformed history header")

// fieldReader decodes a header (or a journal, etcd.go) field by field;
// the first fault sticks.
type fieldReader struct {
	b   []byte
	err error
}

func (r *fieldReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errMalformedHeader, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *fieldReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errMalformedHeader, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *fieldReader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.err, r.b = errMalformedHeader, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// headerDecoder decodes the headers of a list of versions, which repeat
// the same few authors, title and markings: it keeps the strings it read
// last and gives them back when they come again, and versions whose
// markings are those of the version before share them. The zero value
// decodes one header alone.
type headerDecoder struct {
	many     bool     // decoding a list: share what repeats
	recent   []string // the last strings read, newest last
	markings []string
}

// maxRecent is how many strings a headerDecoder keeps: a few authors and a title.
const maxRecent = 8

// string copies out of the transaction's memory.
func (d *headerDecoder) string(r *fieldReader) string {
	b := r.bytes(r.uvarint())
	if !d.many {
		return string(b)
	}
	for i := len(d.recent) - 1; i >= 0; i-- {
		if d.recent[i] == string(b) {
			return d.recent[i]
		}
	}
	s := string(b)
	if len(d.recent) == maxRecent {
		d.recent = append(d.recent[:0], d.recent[1:]...)
	}
	d.recent = append(d.recent, s)
	return s
}

// decodeHeader reads a header laid out by encode.
func decodeHeader(raw []byte) (header, error) {
	var d headerDecoder
	return d.decode(raw)
}

func (d *headerDecoder) decode(raw []byte) (header, error) {
	var h header
	if len(raw) == 0 || raw[0] != headerFormat {
		return h, errMalformedHeader
	}
	r := fieldReader{b: raw[1:]}
	sec, nsec, off := r.varint(), r.uvarint(), r.varint()
	if nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
		return h, errMalformedHeader
	}
	h.At = time.Unix(sec, int64(nsec)).UTC()
	if off != 0 {
		h.At = h.At.In(time.FixedZone("", int(off)))
	}
	h.By = d.string(&r)
	flags := r.bytes(1)
	h.Deleted = len(flags) == 1 && flags[0]&1 != 0
	h.Size = int(r.uvarint())
	if crc := r.bytes(4); len(crc) == 4 {
		h.CRC = binary.BigEndian.Uint32(crc)
	}
	h.Base = r.uvarint()
	h.Summary.Title = d.string(&r)
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return h, errMalformedHeader
	}
	h.Summary.Markings = d.readMarkings(&r, int(n))
	if r.err == nil && len(r.b) != 0 {
		if h.Seen = d.string(&r); h.Seen == "" {
			return h, errMalformedHeader // an empty Seen is never written
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return h, errMalformedHeader
	}
	return h, nil
}

// readMarkings reads n markings, giving back the last list read when they
// are the same.
func (d *headerDecoder) readMarkings(r *fieldReader, n int) []string {
	if d.many && n == len(d.markings) {
		save, same := *r, true
		for i := 0; i < n && same; i++ {
			same = string(r.bytes(r.uvarint())) == d.markings[i]
		}
		if same && r.err == nil {
			return d.markings
		}
		*r = save
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, d.string(r))
	}
	d.markings = out
	return out
}

// historyPrefix is the key prefix of every version of one object.
func historyPrefix(kind string, key []byte) []byte {
	return join([]byte(kind), []byte{0}, key)
}

// summaryOf is the summary kept of a version of obj.
func summaryOf(obj any) briefing.VersionSummary {
	if sh, ok := obj.(*briefing.Sheet); ok {
		return briefing.SummarizeSheet(sh)
	}
	return briefing.VersionSummary{}
}

// summarize is the summary of a version of kind saved as data (JSON).
func summarize(kind string, data []byte) (briefing.VersionSummary, error) {
	if kind != briefing.KindSheet {
		return briefing.VersionSummary{}, nil
	}
	var sh briefing.Sheet
	if err := json.Unmarshal(data, &sh); err != nil {
		return briefing.VersionSummary{}, err
	}
	return briefing.SummarizeSheet(&sh), nil
}

// putHistory keeps one version of an object; nil data records its deletion.
// seen is the lowest clearance that sees what the save changed (see
// briefing.SeenFrom), "" for whoever sees the object.
func putHistory(tx kvTx, kind string, key []byte, version int, at time.Time, by briefing.Actor, data []byte, sum briefing.VersionSummary, seen string) error {
	prefix := historyPrefix(kind, key)
	hk := join(prefix, itob(uint64(version)))
	h := header{At: at, By: by.Name, Deleted: data == nil, Summary: sum, Seen: seen}
	if data != nil {
		h.Size, h.CRC = len(data), crc32.ChecksumIEEE(data)
		body, base, err := compressVersion(tx, prefix, uint64(version), data)
		if err != nil {
			return fmt.Errorf("store: compress history of %s %s: %w", kind, idString(key), err)
		}
		h.Base = base
		if err := tx.Bucket(historyBodies).Put(hk, body); err != nil {
			return fmt.Errorf("store: put history of %s %s: %w", kind, idString(key), err)
		}
	}
	if err := tx.Bucket(historyBucket).Put(hk, h.encode()); err != nil {
		return fmt.Errorf("store: put history of %s %s: %w", kind, idString(key), err)
	}
	return nil
}

// compressVersion compresses a version's JSON as a delta against the full
// copy the version before it uses, or, at the start of a period (or when a
// delta saves little), on its own; base is the full copy's version, 0 for
// a full copy.
func compressVersion(tx kvTx, prefix []byte, version uint64, data []byte) ([]byte, uint64, error) {
	var base uint64
	if version > 1 {
		if raw := tx.Bucket(historyBucket).Get(join(prefix, itob(version-1))); raw != nil {
			prev, err := decodeHeader(raw)
			if err != nil {
				return nil, 0, err
			}
			if !prev.Deleted {
				base = prev.Base
				if base == 0 {
					base = version - 1
				}
			}
		}
	}
	if base != 0 && version-base < deltaPeriod {
		dict, err := inflate(tx.Bucket(historyBodies).Get(join(prefix, itob(base))), nil, len(data))
		if err != nil {
			return nil, 0, fmt.Errorf("full copy of version %d: %w", base, err)
		}
		delta, err := deflate(data, dict)
		if err != nil {
			return nil, 0, err
		}
		// A version rewritten from the ground up starts a new period.
		if len(delta) < len(data)/4 {
			return delta, base, nil
		}
	}
	full, err := deflate(data, nil)
	return full, 0, err
}

// Compressors are reused: a DEFLATE writer allocates most of a megabyte.
var (
	writers = sync.Pool{New: func() any { w, _ := flate.NewWriter(io.Discard, flate.DefaultCompression); return w }}
	readers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// deflate compresses data, against dict when it is not nil, into a stream
// that inflate reads with the same dictionary. Compressors are pooled (a
// DEFLATE writer allocates most of a megabyte) and given the dictionary
// as they are reset: under a stream of saves, making one for each cost
// 0.8 MB of memory to clear and collect. A 15 KB sheet against its full
// copy takes about 0.05 ms (BenchmarkDeflateDelta).
func deflate(data, dict []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	if len(dict) > maxDictionary {
		dict = dict[len(dict)-maxDictionary:]
	}
	w.ResetDict(&buf, dict)
	defer w.ResetDict(io.Discard, nil) // a pooled writer keeps no text of ours
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxDictionary is as much of a dictionary as DEFLATE can refer back to.
const maxDictionary = 32 << 10

// inflate decompresses a body, against dict for a delta, into a buffer
// made for about size bytes. The bytes it returns are its own, not the
// transaction's.
func inflate(body, dict []byte, size int) ([]byte, error) {
	if body == nil {
		return nil, errors.New("no body")
	}
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(body), dict); err != nil {
		return nil, err
	}
	// bytes.Buffer reads into at least 512 free bytes, and needs them to see the end.
	// The size is a hint, bounded so a damaged header cannot ask for much.
	out := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), 1<<20)+bytes.MinRead))
	if _, err := out.ReadFrom(r); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// errDamagedVersion is a body that does not give back what its header says.
var errDamagedVersion = errors.New("its stored text does not match its header")

// readBody returns the JSON of a version whose header is h. fulls caches
// the full copies read so far (version → JSON) when the caller reads many.
func readBody(tx kvTx, prefix []byte, version uint64, h *header, fulls map[uint64][]byte) ([]byte, error) {
	bodies := tx.Bucket(historyBodies)
	var dict []byte
	if h.Base != 0 {
		if h.Base >= version {
			return nil, fmt.Errorf("version %d is a delta against the later version %d", version, h.Base)
		}
		dict = fulls[h.Base]
		if dict == nil {
			var err error
			// The full copy is about the size of the version made against it.
			if dict, err = inflate(bodies.Get(join(prefix, itob(h.Base))), nil, h.Size+h.Size/8); err != nil {
				return nil, fmt.Errorf("full copy of version %d: %w", h.Base, err)
			}
			if fulls != nil {
				fulls[h.Base] = dict
			}
		}
	}
	data, err := inflate(bodies.Get(join(prefix, itob(version))), dict, h.Size)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", version, err)
	}
	if len(data) != h.Size || crc32.ChecksumIEEE(data) != h.CRC {
		return nil, fmt.Errorf("version %d: %w", version, errDamagedVersion)
	}
	if h.Base == 0 && fulls != nil {
		fulls[version] = data
	}
	return data, nil
}

// readVersion returns one version of an object, or ok false when it has none.
func readVersion(tx kvTx, kind string, key []byte, version int) (rec briefing.VersionRecord, ok bool, err error) {
	prefix := historyPrefix(kind, key)
	raw := tx.Bucket(historyBucket).Get(join(prefix, itob(uint64(version))))
	if raw == nil {
		return rec, false, nil
	}
	h, err := decodeHeader(raw)
	if err != nil {
		return rec, false, fmt.Errorf("store: history of %s %s version %d: %w", kind, idString(key), version, err)
	}
	rec = h.record(version)
	if !h.Deleted {
		if rec.Data, err = readBody(tx, prefix, uint64(version), &h, nil); err != nil {
			return rec, false, fmt.Errorf("store: history of %s %s: %w", kind, idString(key), err)
		}
	}
	return rec, true, nil
}

// readVersions returns every version of an object, oldest first, with
// their JSON when withData, else headers only.
// readHeaderPage reads up to limit version headers after version after,
// and whether there are more.
func readHeaderPage(tx kvTx, kind string, key []byte, after uint64, limit int) ([]briefing.VersionRecord, bool, error) {
	prefix := historyPrefix(kind, key)
	d := headerDecoder{many: true}
	var out []briefing.VersionRecord
	cur := within(tx.Bucket(historyBucket).Cursor(), prefix)
	for k, v := cur.Seek(join(prefix, itob(after+1))); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		version := btoi(k[len(prefix):])
		h, err := d.decode(v)
		if err != nil {
			return nil, false, fmt.Errorf("store: history of %s %s version %d: %w", kind, idString(key), version, err)
		}
		out = append(out, h.record(int(version)))
	}
	return out, false, nil
}

func readVersions(tx kvTx, kind string, key []byte, withData bool) ([]briefing.VersionRecord, error) {
	prefix := historyPrefix(kind, key)
	var out []briefing.VersionRecord
	var fulls map[uint64][]byte
	if withData {
		fulls = map[uint64][]byte{}
	}
	d := headerDecoder{many: true}
	cur := within(tx.Bucket(historyBucket).Cursor(), prefix)
	// Read in ascending order only: on etcd 3.4 a step back (to size out by
	// the last version's number, as this did) reads the whole range below
	// in the server, every object's history before this one's.
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		version := btoi(k[len(prefix):])
		h, err := d.decode(v)
		if err != nil {
			return nil, fmt.Errorf("store: history of %s %s version %d: %w", kind, idString(key), version, err)
		}
		rec := h.record(int(version))
		if withData && !h.Deleted {
			if rec.Data, err = readBody(tx, prefix, version, &h, fulls); err != nil {
				return nil, fmt.Errorf("store: history of %s %s: %w", kind, idString(key), err)
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// schema4Record is how schema 4 and before kept a version: one JSON record
// holding the whole text; a deletion left one without data.
type schema4Record struct {
	At      time.Time       `json:"at"`
	By      string          `json:"by"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// splitHistory is migration 5: every version kept as a schema 4 record is
// rewritten as a header and a compressed body, object by object, oldest
// version first so that deltas find their full copies.
func splitHistory(tx kvTx) error {
	b := tx.Bucket(historyBucket)
	if _, err := tx.CreateBucketIfNotExists(historyBodies); err != nil {
		return fmt.Errorf("create bucket %s: %w", historyBodies, err)
	}
	type version struct {
		n   uint64
		rec schema4Record
	}
	var from []byte // the first key not yet rewritten
	for {
		// The cursor is made afresh after each object's writes.
		cur := b.Cursor()
		k, v := cur.Seek(from)
		if k == nil {
			return nil
		}
		if len(k) < 17 || k[len(k)-17] != 0 {
			return fmt.Errorf("history key %x is malformed", k)
		}
		prefix := bytes.Clone(k[:len(k)-8])
		var vs []version
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var rec schema4Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("history record %x: %w", k, err)
			}
			vs = append(vs, version{btoi(k[len(prefix):]), rec})
		}
		if k != nil {
			from = bytes.Clone(k)
		}
		kind, key := string(prefix[:len(prefix)-9]), prefix[len(prefix)-8:]
		for _, x := range vs {
			var data []byte
			var sum briefing.VersionSummary
			if !x.rec.Deleted {
				if data = x.rec.Data; data == nil {
					return fmt.Errorf("history of %s %s version %d holds neither a text nor a deletion", kind, idString(key), x.n)
				}
				var err error
				if sum, err = summarize(kind, data); err != nil {
					return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), x.n, err)
				}
			}
			if err := putHistory(tx, kind, key, int(x.n), x.rec.At, briefing.Actor{Name: x.rec.By}, data, sum, ""); err != nil {
				return err
			}
		}
		if k == nil {
			return nil
		}
	}
}

// historyKeys are the keys of every object of kind with history, in order.
func historyKeys(tx kvTx, kind string) [][]byte {
	kp := append([]byte(kind), 0)
	var keys [][]byte
	cur := within(tx.Bucket(historyBucket).Cursor(), kp)
	for k, _ := cur.Seek(kp); k != nil && bytes.HasPrefix(k, kp); k, _ = cur.Next() {
		if key := k[len(kp) : len(k)-8]; len(keys) == 0 || !bytes.Equal(keys[len(keys)-1], key) {
			keys = append(keys, bytes.Clone(key))
		}
	}
	return keys
}

// rewriteHistory applies a record migration to every saved version of the
// objects of kind, in whichever layout the history is at that point of the
// migrations: schema 4 records, or headers and bodies.
func rewriteHistory(tx kvTx, kind string, fn func([]byte) ([]byte, error)) error {
	b := tx.Bucket(historyBucket)
	kp := append([]byte(kind), 0)
	k, v := within(b.Cursor(), kp).Seek(kp)
	if k == nil || !bytes.HasPrefix(k, kp) {
		return nil
	}
	if len(v) > 0 && v[0] == '{' {
		return rewrite(b, kp, func(raw []byte) ([]byte, error) { return migrateHistory(raw, fn) })
	}
	for _, key := range historyKeys(tx, kind) {
		vs, err := readVersions(tx, kind, key, true)
		if err != nil {
			return err
		}
		changed := false
		for i := range vs {
			if vs[i].Deleted {
				continue
			}
			nd, err := fn(vs[i].Data)
			if err != nil {
				return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), vs[i].Version, err)
			}
			if !bytes.Equal(nd, vs[i].Data) {
				vs[i].Data, changed = nd, true
				if vs[i].Summary, err = summarize(kind, nd); err != nil {
					return fmt.Errorf("history of %s %s version %d: %w", kind, idString(key), vs[i].Version, err)
				}
			}
		}
		if !changed {
			continue
		}
		// Rewritten oldest first, a delta is made against its full copy's new text.
		for _, x := range vs {
			if err := putHistory(tx, kind, key, x.Version, x.At, briefing.Actor{Name: x.By}, x.Data, x.Summary, x.Seen); err != nil {
				return err
			}
		}
	}
	return nil
}
