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
}

type zipEntry struct {
	name string
	data bytes.Buffer
	crc  hash.Hash32
	size uint64
	// raw is set for the parts patched at Close: kept uncompressed till then.
	raw bool
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
	// The Topics worksheet takes the place of the empty one excelize wrote.
	if chunks := z.topics(); len(chunks) > 0 {
		data, crc, size := deflate.Join(chunks)
		for _, e := range z.entries {
			if e.name == topicsPart {
				e.data = *bytes.NewBuffer(data)
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
	// The workbook's size is known now: a buffer it is written to grows
	// once, not by doubling (and clearing) through megabytes.
	if bb, ok := z.w.(*bytes.Buffer); ok {
		n := 22 // the end of the central directory
		for _, e := range z.entries {
			n += e.data.Len() + 2*len(e.name) + 30 + 46 + 24
		}
		bb.Grow(n)
	}
	zw := zip.NewWriter(z.w)
	for _, e := range z.entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc.Sum32(),
			CompressedSize64: uint64(e.data.Len()), UncompressedSize64: e.size}
		w, err := zw.CreateRaw(hdr)
		if err != nil {
			return err
		}
		if _, err := w.Write(e.data.Bytes()); err != nil {
			return err
		}
		e.data = bytes.Buffer{} // a kept part's bytes are shared: let go, never reused
	}
	return zw.Close()
}
