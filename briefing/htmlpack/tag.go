package htmlpack

import (
	"crypto/sha256"
	"encoding/hex"
)

// A live pack's entity tag names the bytes its reader is given — not what
// the pack was built from, whose sheets stand for their stored records,
// hidden paragraphs and all: a tag made from that moved with an edit the
// reader could not see. Hashing five megabytes for every pack built after
// a save would cost more than joining the pack, so each sheet's section is
// hashed once, as it is kept, and the tag is the hash of the pieces'
// hashes: the same bytes in the same pieces, the same tag, on any server.

// Tag returns an entity tag for the file whose pieces Parts made, with the
// keys Keys gives them: 32 hex digits of a SHA-256 over each piece's own.
// A piece that is a kept section itself — the same bytes in memory, which
// the cache holds and nobody changes — has its hash from the cache; any
// other is hashed. Telling a kept piece by its bytes' length and CRC-32, as
// before, read the whole pack at every build: under the load mix half of
// what a build after a save cost.
func Tag(pieces [][]byte, keys []string) string {
	h := sha256.New()
	for i, piece := range pieces {
		if i < len(keys) && keys[i] != "" && len(piece) > 0 {
			if v, ok := parts.Get(keys[i]); ok && len(v.html) == len(piece) && &v.html[0] == &piece[0] {
				h.Write(v.sum[:])
				continue
			}
		}
		s := sha256.Sum256(piece)
		h.Write(s[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil))[:32] + `"`
}
