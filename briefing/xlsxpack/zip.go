package xlsxpack

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/klauspost/compress/flate"

	"briefpack/internal/deflate"
)

// sortedZip is a ZIP writer that writes its entries in name order, so the
// same workbook always gives the same bytes (excelize writes streamed
// worksheets in map order). Entries are compressed as they come and kept
// compressed until Close.
type sortedZip struct {
	w       io.Writer
	entries []*zipEntry
	cur     *zipEntry
	fw      *flate.Writer
	// parts are the topic sheets' worksheets, put in after the Topics
	// worksheet when the zip is written; nil for none. topics is the Topics
	// worksheet, which takes the place of the empty one excelize wrote.
	parts  func() []*part
	topics func() []chunk
	// hidden names worksheets the workbook lists as hidden. excelize's
	// SetSheetVisible reads back every streamed worksheet to see whether it
	// is the selected tab: 50 ms of XML decoding per workbook at 1,000
	// sheets, for an attribute.
	hidden func() []string
	// out, when set, receives the workbook in pieces instead of w: see
	// pieceSink.
	out *pieceSink
}

type zipEntry struct {
	name string
	data bytes.Buffer
	// chunks, when set, are the entry's compressed data in pieces, joined
	// as the zip is written (the Topics worksheet), in place of data.
	chunks [][]byte
	crc    hash.Hash32
	size   uint64
	// raw is set for the parts patched at Close: kept uncompressed till then.
	raw bool
}

// compressedLen is the length of the entry's compressed data.
func (e *zipEntry) compressedLen() int {
	if e.chunks == nil {
		return e.data.Len()
	}
	n := 0
	for _, c := range e.chunks {
		n += len(c)
	}
	return n
}

// Create starts a new entry, finishing the one before.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, crc: crc32.NewIEEE()}
	if z.parts != nil && (name == workbookPart || name == workbookRelsPart || name == contentTypesPart || strings.HasPrefix(name, "xl/worksheets/sheet")) {
		e.raw = true
		z.cur = e
		z.entries = append(z.entries, e)
		return entryWriter{z}, nil
	}
	if z.fw == nil {
		fw, err := flate.NewWriter(&e.data, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		z.fw = fw
	} else {
		z.fw.Reset(&e.data)
	}
	z.cur = e
	z.entries = append(z.entries, e)
	return entryWriter{z}, nil
}

type entryWriter struct{ z *sortedZip }

func (w entryWriter) Write(p []byte) (int, error) {
	e := w.z.cur
	if e.raw {
		return e.data.Write(p)
	}
	e.crc.Write(p)
	e.size += uint64(len(p))
	return w.z.fw.Write(p)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	raw := z.cur.raw
	z.cur = nil
	if raw {
		return nil
	}
	return z.fw.Close()
}

// insert patches the workbook's lists of worksheets and adds the parts.
func (z *sortedZip) insert() error {
	raw := map[string][]byte{}
	for _, e := range z.entries {
		if e.raw {
			raw[e.name] = e.data.Bytes()
		}
	}
	topicsPart, err := worksheetPart(raw, sheetTopics)
	if err != nil {
		return err
	}
	coverPart, _ := worksheetPart(raw, sheetCover)
	if raw[workbookPart], err = hide(raw[workbookPart], z.hidden()); err != nil {
		return err
	}
	for name, text := range raw {
		if strings.HasPrefix(name, "xl/worksheets/") {
			raw[name] = fitToPage(text, name == coverPart)
		}
	}
	added, err := insertParts(raw, z.parts(), sheetTopics)
	if err != nil {
		return err
	}

	for _, e := range z.entries {
		if !e.raw {
			continue
		}
		text := raw[e.name]
		e.data = bytes.Buffer{}
		e.crc.Reset()
		e.crc.Write(text)
		e.size = uint64(len(text))
		if z.fw == nil {
			if z.fw, err = flate.NewWriter(&e.data, flate.BestSpeed); err != nil {
				return err
			}
		} else {
			z.fw.Reset(&e.data)
		}
		if _, err := z.fw.Write(text); err != nil {
			return err
		}
		if err := z.fw.Close(); err != nil {
			return err
		}
		e.raw = false
	}
	// The Topics worksheet takes the place of the empty one excelize wrote,
	// its chunks joined as the zip is written.
	if chunks := z.topics(); len(chunks) > 0 {
		pieces, crc, size := deflate.Pieces(chunks)
		for _, e := range z.entries {
			if e.name == topicsPart {
				e.data = bytes.Buffer{}
				e.chunks = pieces
				e.crc = fixedCRC(crc)
				e.size = size
			}
		}
	}
	for name, p := range added {
		// A kept part's bytes are the cache's: only read from here.
		e := &zipEntry{name: name, size: p.size, crc: fixedCRC(p.crc)}
		e.data = *bytes.NewBuffer(p.data)
		z.entries = append(z.entries, e)
	}
	return nil
}

// hide marks worksheets hidden in the workbook's list of them, as
// SetSheetVisible would: none of them is the selected tab.
func hide(wb []byte, names []string) ([]byte, error) {
	for _, name := range names {
		anchor := []byte(`<sheet name="` + name + `" `)
		at := bytes.Index(wb, anchor)
		if at < 0 {
			return nil, errors.New("xlsxpack: the workbook lists no " + name + " worksheet to hide")
		}
		at += len(anchor)
		wb = append(wb[:at:at], append([]byte(`state="hidden" `), wb[at:]...)...)
	}
	return wb, nil
}

// fixedCRC is a checksum worked out already.
type fixedCRC uint32

func (c fixedCRC) Write(p []byte) (int, error) { return len(p), nil }
func (c fixedCRC) Sum(b []byte) []byte {
	return append(b, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
}
func (c fixedCRC) Reset()         {}
func (c fixedCRC) Size() int      { return 4 }
func (c fixedCRC) BlockSize() int { return 1 }
func (c fixedCRC) Sum32() uint32  { return uint32(c) }

// AddFS is not used by briefpack's workbooks.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsxpack: AddFS is not supported") }

// Close writes every entry, in name order.
func (z *sortedZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	if z.parts != nil {
		if err := z.insert(); err != nil {
			return err
		}
	}
	sort.SliceStable(z.entries, func(i, j int) bool { return z.entries[i].name < z.entries[j].name })
	w := z.w
	if z.out != nil {
		w = z.out
	} else if bb, ok := z.w.(*bytes.Buffer); ok {
		// The workbook's size is known now: a buffer it is written to grows
		// once, not by doubling (and clearing) through megabytes.
		n := 22 // the end of the central directory
		for _, e := range z.entries {
			n += e.compressedLen() + 2*len(e.name) + 30 + 46 + 24
		}
		bb.Grow(n)
	}
	zw := zip.NewWriter(w)
	for _, e := range z.entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc.Sum32(),
			CompressedSize64: uint64(e.compressedLen()), UncompressedSize64: e.size}
		fw, err := zw.CreateRaw(hdr)
		if err != nil {
			return err
		}
		data := e.chunks
		if data == nil {
			data = [][]byte{e.data.Bytes()}
		}
		for _, d := range data {
			if z.out != nil {
				// The header goes out first, so that the data reaches the
				// sink as the slice it is (see pieceSink).
				if err := zw.Flush(); err != nil {
					return err
				}
				z.out.expect = d
			}
			if _, err := fw.Write(d); err != nil {
				return err
			}
			if z.out != nil {
				z.out.expect = nil
			}
		}
		e.data, e.chunks = bytes.Buffer{}, nil // a kept part's bytes are shared: let go, never reused
	}
	return zw.Close()
}

// pieceSink receives a workbook as the pieces it is made of: the zip's
// headers and directory copied, and each entry's compressed data — a kept
// worksheet part, a chunk of the Topics worksheet — as the slice it is,
// not copied. A pack is kept and sent as its pieces (an HTML pack is too),
// so a workbook after one edit is not copied whole into a new buffer: that
// copy was half of its build at 1,000 sheets, most of it the kernel handing
// out 11 MB of fresh memory.
//
// A write is taken as it is only when it is the very slice expected (the
// same first byte and length): archive/zip buffers small writes and passes
// large ones through, and whatever it buffers comes here copied, so what
// its buffering does changes only how much is copied, never the bytes.
type pieceSink struct {
	pieces [][]byte
	small  []byte // copied bytes not yet a piece
	expect []byte
}

func (s *pieceSink) Write(p []byte) (int, error) {
	if len(p) > 0 && len(p) == len(s.expect) && &p[0] == &s.expect[0] {
		s.cut()
		s.pieces = append(s.pieces, p)
		return len(p), nil
	}
	s.small = append(s.small, p...)
	return len(p), nil
}

// cut makes the copied bytes a piece of their own; the next are copied
// into a new buffer.
func (s *pieceSink) cut() {
	if len(s.small) > 0 {
		s.pieces = append(s.pieces, s.small)
		s.small = nil
	}
}

// done returns the pieces.
func (s *pieceSink) done() [][]byte {
	s.cut()
	return s.pieces
}
