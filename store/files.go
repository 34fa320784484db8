package store

import (
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
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
