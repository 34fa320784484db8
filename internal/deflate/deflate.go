// Package deflate compresses a file in pieces that are kept and joined:
// each piece is compressed on its own and ends on a block boundary without
// closing the stream, so pieces joined one after another are one deflate
// stream, which a final empty block closes, and their checksums combine
// without reading the text again. A pack after one edit compresses the
// piece that changed and copies the others as they are kept.
package deflate

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Chunk is a piece of a file, compressed.
type Chunk struct {
	Data []byte // deflated, ending on a block boundary, not final
	CRC  uint32 // CRC-32 (IEEE) of the text
	Size uint64 // the text's length
}

// Compress compresses text into a chunk that can be followed by others, at
// the quickest level. fw is a compressor to reuse: nil the first time, and
// kept by the caller for the next (one per goroutine).
func Compress(fw **flate.Writer, text []byte) (Chunk, error) {
	buf := scratch.Get().(*bytes.Buffer)
	defer scratch.Put(buf)
	buf.Reset()
	if *fw == nil {
		w, err := flate.NewWriter(buf, flate.BestSpeed)
		if err != nil {
			return Chunk{}, err
		}
		*fw = w
	} else {
		(*fw).Reset(buf)
	}
	if _, err := (*fw).Write(text); err != nil {
		return Chunk{}, err
	}
	if err := (*fw).Flush(); err != nil {
		return Chunk{}, err
	}
	return Chunk{Data: bytes.Clone(buf.Bytes()), CRC: crc32.ChecksumIEEE(text), Size: uint64(len(text))}, nil
}

// scratch holds the buffers chunks are compressed into before they are
// copied out at their size: a chunk is kept (a sheet's part, in a cache),
// and one compressed into a buffer grown by guesswork held up to twice its
// size and allocated more on the way (19 MB of a workbook's 111 at 1,000
// sheets).
var scratch = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// FinalBlock is an empty final deflate block, which ends a joined stream.
var FinalBlock = func() []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Close()
	return b.Bytes()
}()

// Pieces is chunks as one deflate stream, closed: their data and the final
// block, to be written one after another, with the CRC-32 and length of
// the text it holds.
func Pieces(chunks []Chunk) (pieces [][]byte, crc uint32, size uint64) {
	pieces = make([][]byte, 0, len(chunks)+1)
	for _, c := range chunks {
		pieces = append(pieces, c.Data)
		crc = CRC32Combine(crc, c.CRC, int64(c.Size))
		size += c.Size
	}
	return append(pieces, FinalBlock), crc, size
}

// Gzip joins chunks into a gzip file (RFC 1952): a header with no name
// and no time, the joined stream, and its CRC-32 and length.
func Gzip(chunks []Chunk) []byte {
	pieces, crc, size := Pieces(chunks)
	n := 10 + 8
	for _, p := range pieces {
		n += len(p)
	}
	out := make([]byte, 0, n)
	// Magic, deflate, no flags, no time, the quickest level (XFL 4), an
	// unknown system: what compress/gzip writes at BestSpeed, less the OS.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255)
	for _, p := range pieces {
		out = append(out, p...)
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// CRC32Combine returns the CRC-32 (IEEE) of two texts joined, from the
// CRC-32 of each and the length of the second: the first's CRC times x to
// the power of the second's length in bits, modulo the polynomial, plus
// the second's (zlib's crc32_combine, as zlib 1.2.12 computes it).
func CRC32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	return multModP(x2nModP(uint64(len2), 3), crc1) ^ crc2
}

// poly is CRC-32's polynomial, reflected.
const poly = 0xedb88320

// multModP multiplies a and b modulo the polynomial (reflected: the bit
// for x^0 is the highest).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ poly
		} else {
			b >>= 1
		}
	}
}

// x2nTable holds x^(2^n) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for n := 1; n < 32; n++ {
		p = multModP(p, p)
		t[n] = p
	}
	return t
}()

// x2nModP is x^(n·2^k) modulo the polynomial.
func x2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		k++
	}
	return p
}
