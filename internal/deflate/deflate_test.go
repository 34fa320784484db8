package deflate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

func TestCRC32Combine(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	text := make([]byte, 1<<20)
	for i := range text {
		text[i] = byte(rnd.IntN(256))
	}
	for range 200 {
		i := rnd.IntN(len(text) + 1)
		a, b := text[:i], text[i:]
		got := CRC32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(text); got != want {
			t.Fatalf("split at %d: %08x, want %08x", i, got, want)
		}
	}
	if got := CRC32Combine(0x1234, 0, 0); got != 0x1234 {
		t.Fatalf("an empty second text changed the CRC: %08x", got)
	}
}

// TestGzipAndPieces compresses pieces of text one by one and checks that the
// gzip file and the deflate stream they join into read back as the text
// whole, with the right checksum and length.
func TestGzipAndPieces(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	words := []string{"dialogue ", "partner ", "SECRET ", "<p>", "</p>\n", "Pacific ", "cyber ", "&amp; ", "é "}
	var pieces [][]byte
	var whole []byte
	for i := range 300 {
		var b []byte
		for range rnd.IntN(3000) {
			b = append(b, words[rnd.IntN(len(words))]...)
		}
		if i%50 == 0 {
			b = nil // an empty piece joins as well
		}
		pieces = append(pieces, b)
		whole = append(whole, b...)
	}
	var fw *kflate.Writer
	var chunks []Chunk
	for _, p := range pieces {
		c, err := Compress(&fw, p)
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	gz := Gzip(chunks)
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r) // checks the CRC and the length at the end
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, whole) {
		t.Fatalf("gzip: %d bytes back, want %d", len(got), len(whole))
	}
	stream, crc, size := Pieces(chunks)
	got, err = io.ReadAll(flate.NewReader(bytes.NewReader(bytes.Join(stream, nil))))
	if err != nil || !bytes.Equal(got, whole) {
		t.Fatalf("pieces: %d bytes back, want %d (%v)", len(got), len(whole), err)
	}
	if crc != crc32.ChecksumIEEE(whole) || size != uint64(len(whole)) {
		t.Fatalf("pieces: crc %08x size %d, want %08x %d", crc, size, crc32.ChecksumIEEE(whole), len(whole))
	}
}
