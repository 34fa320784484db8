package htmlpack

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"

	"briefpack/internal/lru"
)

// A live pack's entity tag names the bytes its reader is given — not what
// the pack was built from, whose sheets stand for their stored records,
// hidden paragraphs and all: a tag made from that moved with an edit the
// reader could not see. Hashing five megabytes for every pack built after
// a save would cost more than joining the pack, so each sheet's section is
// hashed once, as it is kept, and the tag is the hash of the pieces'
// hashes: the same bytes in the same pieces, the same tag, on any server.

// pieceSum is a kept section's SHA-256, with the length and CRC-32 that
// show it is the piece's (as Gzip checks its kept chunks).
type pieceSum struct {
	size int
	crc  uint32
	sum  [sha256.Size]byte
}

// sums keeps sheets' sections' hashes, by the key their sections are kept by.
var sums = lru.New[pieceSum](sumBytes, func(pieceSum) int64 { return 64 })

// sumBytes bounds the hashes kept: as many as parts keeps sections, and more.
const sumBytes = 1 << 20

// Tag returns an entity tag for the file whose pieces Parts made, with the
// keys Keys gives them: 32 hex digits of a SHA-256 over each piece's own.
func Tag(pieces [][]byte, keys []string) string {
	h := sha256.New()
	for i, piece := range pieces {
		var k string
		if i < len(keys) {
			k = keys[i]
		}
		if k != "" {
			crc := crc32.ChecksumIEEE(piece)
			if s, ok := sums.Get(k); ok && s.size == len(piece) && s.crc == crc {
				h.Write(s.sum[:])
				continue
			}
			s := pieceSum{size: len(piece), crc: crc, sum: sha256.Sum256(piece)}
			sums.Put(k, s)
			h.Write(s.sum[:])
			continue
		}
		s := sha256.Sum256(piece)
		h.Write(s[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil))[:32] + `"`
}
