package store

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/klauspost/compress/gzip"

	"briefpack/briefing"
)

// Frozen files (snapshots, releases) are stored compressed unless they are
// compressed already: an HTML pack takes a sixth of its size, so a freeze
// writes and syncs a fraction of the bytes. A stored file says which it is
// by its first bytes — gzip's magic number, which neither an HTML file nor
// an XLSX workbook (a zip) begins with — so files stored whole by an
// earlier release read as they are.

var gzipMagic = []byte{0x1f, 0x8b}

// packFile returns the bytes to store for a frozen file.
func packFile(b []byte) ([]byte, error) {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, gzipMagic) {
		return b, nil // a zip is compressed already; gzip only to tell it apart
	}
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unpackFile returns a stored frozen file as it was given, copied out of the
// transaction's memory.
func unpackFile(v []byte) ([]byte, error) {
	if !bytes.HasPrefix(v, gzipMagic) {
		return bytes.Clone(v), nil
	}
	r, err := gzip.NewReader(bytes.NewReader(v))
	if err != nil {
		return nil, fmt.Errorf("store: a stored file does not decompress: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("store: a stored file does not decompress: %w", err)
	}
	return out, nil
}

// packFiles packs every file of a freeze.
func packFiles(files map[string][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte, len(files))
	for f, b := range files {
		p, err := packFile(b)
		if err != nil {
			return nil, fmt.Errorf("store: compress the %s file: %w", f, err)
		}
		out[f] = p
	}
	return out, nil
}

// putFiles stores a frozen object's files under its key in bucket b, each
// under the key and its format, and after them the key's four ends
// (fileEnds), which keep the next freeze from writing this one's files
// again.
//
// bbolt keeps a bucket's keys in leaf pages of at least two keys each,
// splits a leaf only where what comes before passes half a page, and
// splits no leaf of four keys or fewer, however large their values: a
// frozen file of megabytes shares its leaf with its neighbours. A freeze's
// keys go at the end of the bucket, into the leaf that holds the last keys
// there, and a leaf that changes is written again whole; so each freeze
// wrote the last files of the freeze before it again, as large as its own
// (23 MB at 1,000 sheets, which made a freeze's commit 30-185 ms where it
// is 16-25 ms now). Four small keys after the files leave the last file
// in a leaf with at most one of them, and the others in a leaf of their
// own, which is the one the next object's keys join, whatever the sizes of
// the files before (three did not when the first file was under half a
// page: the last file stayed in a leaf of four). On etcd they are four
// small keys and no more.
func putFiles(b kvBucket, key []byte, files map[string][]byte, of string) error {
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if err := b.Put(join(key, []byte(f)), files[f]); err != nil {
			return fmt.Errorf("store: put %s %s file: %w", of, f, err)
		}
	}
	for _, end := range fileEnds {
		if err := b.Put(join(key, end), []byte{}); err != nil {
			return fmt.Errorf("store: put %s: %w", of, err)
		}
	}
	return nil
}

// getFile returns a copy of the file of one format of a frozen object (a
// kind of object, id id) from bucket b, as putFiles stored it: ENOTFOUND
// for a format it has none of, which no end key (fileEnds) is taken for.
func getFile(b kvBucket, id, format, kind string) ([]byte, error) {
	key, _ := parseKey(id)
	v := b.Get(join(key, []byte(format)))
	if v == nil || !isFormat(format) {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "%s %s has no %q file", kind, id, format)
	}
	// The bytes live in the file's memory map only while the transaction
	// does; copied out, the map's pages of them are let go.
	out, err := unpackFile(v)
	letGo(b, v)
	return out, err
}

// fileEnds are what follows a frozen object's formats in its files' bucket:
// no format (which is text) holds the byte 0xff, so none is taken for one.
var fileEnds = [][]byte{{0xff, 0xfc}, {0xff, 0xfd}, {0xff, 0xfe}, {0xff, 0xff}}
