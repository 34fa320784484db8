package htmlpack

import (
	"compress/flate"
	"hash/crc32"

	"briefpack/briefing"
	"briefpack/internal/deflate"
	"briefpack/internal/lru"
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
	chunks := make([]deflate.Chunk, len(pieces))
	var fw *flate.Writer
	for i, piece := range pieces {
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		if key != "" {
			if c, ok := gzParts.Get(key); ok && c.Size == uint64(len(piece)) && c.CRC == crc32.ChecksumIEEE(piece) {
				chunks[i] = c
				continue
			}
		}
		c, err := deflate.Compress(&fw, piece)
		if err != nil {
			return nil, err
		}
		chunks[i] = c
		if key != "" {
			gzParts.Put(key, c)
		}
	}
	return deflate.Gzip(chunks), nil
}
