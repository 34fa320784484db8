package htmlpack

import (
	"hash/crc32"
	"sync/atomic"

	"github.com/klauspost/compress/flate"

	"briefpack/briefing"
	"briefpack/internal/deflate"
	"briefpack/internal/lru"
	"briefpack/internal/parallel"
)

// A frozen HTML pack is stored gzip-compressed. Its sheets' sections are
// compressed as they are kept — each once for what it was built from, on a
// block boundary so that the pieces join into one stream — and the rest of
// the pack, its cover and contents, each time: a freeze after one edit
// compresses one sheet and the frame, not five megabytes.

// gzParts keeps sheets' sections compressed, by the key their sections
// are kept by (partKey).
var gzParts = lru.New[deflate.Chunk](gzPartBytes, func(c deflate.Chunk) int64 { return int64(len(c.Data)) + 64 })

// gzPartBytes bounds the compressed sections kept: a compressed section is
// about a sixth of its section, so as many as parts keeps.
const gzPartBytes = partBytes / 4

// Keys returns what each piece Parts makes of a pack is kept by, in the
// same order: a sheet's section by its partKey, and "" for the pieces of
// the rest of the pack and a sheet not read from the store, which are
// compressed every time.
func Keys(p *briefing.Pack) []string {
	keys := make([]string, len(p.Sheets)+2)
	for i, sh := range p.Sheets {
		keys[i+1] = partKey(p, sh)
	}
	return keys
}

// Gzip compresses the pieces of a pack's file, as Parts made them and with
// the keys Keys gives them, into one gzip file. A kept compressed section
// is used only if it holds exactly the piece's text (its length and
// CRC-32, which is read at several gigabytes a second); otherwise the
// piece is compressed again.
func Gzip(pieces [][]byte, keys []string) ([]byte, error) {
	chunks, err := compressed(pieces, keys, false)
	if err != nil {
		return nil, err
	}
	return deflate.Gzip(chunks), nil
}

// KeepParts builds and keeps, without making the file, the parts of the
// pack's HTML file that are kept and not kept yet: each sheet's section,
// and the section compressed. A file made of the same pack later takes
// them as kept; what is kept is keyed by what it was built from, so parts
// made of a pack older than the one later made are used only for the
// sheets that did not change. The background keeps a round's parts ready
// this way while its sheets are being entered (server/api).
func KeepParts(p *briefing.Pack) error {
	pieces, err := Parts(p)
	if err != nil {
		return err
	}
	return KeepCompressed(pieces, Keys(p))
}

// KeepCompressed keeps compressed, as Gzip would, the sheets' sections
// among a file's pieces (those with a key) not kept compressed yet,
// without making the file.
func KeepCompressed(pieces [][]byte, keys []string) error {
	_, err := compressed(pieces, keys, true)
	return err
}

// sectionsCompressed counts the sheets' sections compressed
// (SectionsCompressed).
var sectionsCompressed atomic.Int64

// SectionsCompressed is how many sheets' sections this process has
// compressed rather than found kept compressed: what a freeze that should
// find them kept can be checked by.
func SectionsCompressed() int64 { return sectionsCompressed.Load() }

// compressed returns the pieces compressed, each a chunk of one deflate
// stream: a kept piece as kept, any other compressed anew, and kept when
// it has a key. keptOnly leaves out the pieces that have none (their
// chunks are left empty), for a caller that wants only what is kept.
func compressed(pieces [][]byte, keys []string, keptOnly bool) ([]deflate.Chunk, error) {
	chunks := make([]deflate.Chunk, len(pieces))
	key := func(i int) string {
		if i < len(keys) {
			return keys[i]
		}
		return ""
	}
	var todo []int
	for i, piece := range pieces {
		if k := key(i); k != "" {
			if c, ok := gzParts.Get(k); ok && c.Size == uint64(len(piece)) && c.CRC == crc32.ChecksumIEEE(piece) {
				chunks[i] = c
				continue
			}
		} else if keptOnly {
			continue
		}
		todo = append(todo, i)
	}
	// The rest on every processor, each with a compressor of its own.
	err := parallel.Each(len(todo), func(t int, fw **flate.Writer) error {
		i := todo[t]
		c, err := deflate.Compress(fw, pieces[i])
		if err != nil {
			return err
		}
		chunks[i] = c
		if k := key(i); k != "" {
			sectionsCompressed.Add(1)
			gzParts.Put(k, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return chunks, nil
}
