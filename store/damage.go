package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// The layout of a bbolt file's two meta pages, read before the file is
// mapped into memory: bbolt trusts its meta page, and a file cut short after
// it makes the mapped pages beyond the end fault (SIGBUS) instead of failing.
const (
	metaMagic     = 0xED0CDAED
	pageHeaderLen = 16
	metaLen       = 64 // magic … checksum
)

// ErrDamaged is reported (via errors.Is) for a file that is not whole.
var ErrDamaged = errors.New("the database file is damaged")

type damagedError struct {
	path, why string
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("database %s is damaged or is not a briefpack database: %s", e.path, e.why)
}

func (e *damagedError) Is(target error) bool { return target == ErrDamaged }

// checkWhole refuses a file that cannot be a whole bbolt database: empty, too
// short for its meta pages, with no valid meta page, or shorter than the
// pages its meta page says it holds. A file that does not exist passes: Open
// creates it.
func checkWhole(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	size := st.Size()
	if size == 0 {
		return &damagedError{path, "the file is empty"}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read database %s: %w", path, err)
	}
	m0, ok0 := readMeta(head[:n])
	if !ok0 && n < pageHeaderLen+metaLen {
		return &damagedError{path, fmt.Sprintf("the file is only %d bytes long", size)}
	}
	var best meta
	found := false
	if ok0 {
		best, found = m0, true
	}
	// The second meta page sits one page after the first.
	ps := int64(4096)
	if ok0 {
		ps = int64(m0.pageSize)
	}
	second := make([]byte, pageHeaderLen+metaLen)
	if k, _ := f.ReadAt(second, ps); k == len(second) {
		if m1, ok := readMeta(second); ok && (!found || m1.txid > best.txid) {
			best, found = m1, true
		}
	}
	if !found {
		return &damagedError{path, "neither of its two meta pages is valid"}
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return &damagedError{path, fmt.Sprintf("the file is %d bytes long but holds pages up to byte %d: it was cut short", size, need)}
	}
	return nil
}

// meta is what checkWhole needs of a bbolt meta page.
type meta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// readMeta decodes and verifies the meta page at the start of b.
func readMeta(b []byte) (meta, bool) {
	if len(b) < pageHeaderLen+metaLen {
		return meta{}, false
	}
	m := b[pageHeaderLen : pageHeaderLen+metaLen]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != metaMagic || le.Uint32(m[4:]) != 2 {
		return meta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return meta{}, false
	}
	out := meta{pageSize: le.Uint32(m[8:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	if out.pageSize < 512 || out.pageSize > 1<<20 {
		return meta{}, false
	}
	return out, true
}
