package xlsxpack

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"sort"

	"github.com/xuri/excelize/v2"
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
}

type zipEntry struct {
	name string
	data bytes.Buffer
	crc  hash.Hash32
	size uint64
}

func newSortedZip(w io.Writer) excelize.ZipWriter { return &sortedZip{w: w} }

// Create starts a new entry, finishing the one before.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, crc: crc32.NewIEEE()}
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
	e.crc.Write(p)
	e.size += uint64(len(p))
	return w.z.fw.Write(p)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	z.cur = nil
	return z.fw.Close()
}

// AddFS is not used by briefpack's workbooks.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsxpack: AddFS is not supported") }

// Close writes every entry, in name order.
func (z *sortedZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	sort.SliceStable(z.entries, func(i, j int) bool { return z.entries[i].name < z.entries[j].name })
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
		e.data = bytes.Buffer{}
	}
	return zw.Close()
}
