package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
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
	// advice, for a bbolt file whose pages are damaged (a database, not
	// some other file), is the way on: a backup.
	advice string
}

// Advice on a database file whose pages are damaged: found by the check,
// or by a read that failed.
const (
	adviceRestore = "restore it from a backup"
	adviceCheck   = "run briefpack check on it, and restore it from a backup"
)

func (e *damagedError) Error() string {
	if e.advice != "" {
		return fmt.Sprintf("database %s is damaged: %s; %s", e.path, e.why, e.advice)
	}
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
	_, err = wholeMeta(f, path)
	return err
}

// wholeMeta returns the current meta page of the bbolt file f, the valid
// one of the two with the higher transaction id, having checked that the
// file holds every page it counts.
func wholeMeta(f *os.File, path string) (meta, error) {
	st, err := f.Stat()
	if err != nil {
		return meta{}, fmt.Errorf("open database %s: %w", path, err)
	}
	size := st.Size()
	if size == 0 {
		return meta{}, &damagedError{path: path, why: "the file is empty"}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return meta{}, fmt.Errorf("read database %s: %w", path, err)
	}
	m0, ok0 := readMeta(head[:n])
	if !ok0 && n < pageHeaderLen+metaLen {
		return meta{}, &damagedError{path: path, why: fmt.Sprintf("the file is only %d bytes long", size)}
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
		return meta{}, &damagedError{path: path, why: "neither of its two meta pages is valid"}
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return meta{}, &damagedError{path: path, why: fmt.Sprintf("the file is %d bytes long but holds pages up to byte %d: it was cut short", size, need)}
	}
	return best, nil
}

// meta is what checkWhole and walkPages need of a bbolt meta page.
type meta struct {
	pageSize uint32
	root     uint64 // the page of the root bucket
	freelist uint64 // the freelist's page, or noFreelist
	pgid     uint64 // the high water mark: pages 0 to pgid-1 are the file's
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
	out := meta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	if out.pageSize < 512 || out.pageSize > 1<<20 {
		return meta{}, false
	}
	return out, true
}

// readDamage returns the error for r, a panic recovered from a read of the
// bbolt file at path, when the file's damage raised it, and nil otherwise.
// bbolt maps the file and trusts its pages: a damaged one makes a read
// fault on the map (a panic only on a goroutine that asked for one with
// debug.SetPanicOnFault, as every transaction's does), or makes bbolt
// itself panic (a page of the wrong kind, an element out of its slice). A
// panic raised in briefpack's own code is a bug, not damage. It must be
// called by the deferred function that recovered r, while the frames that
// panicked are still on the stack.
func readDamage(path string, r any) error {
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		return &damagedError{path: path, why: fmt.Sprintf("a page cannot be read (a fault at address %#x)", f.Addr()), advice: adviceCheck}
	}
	if !raisedInBolt() {
		return nil
	}
	return &damagedError{path: path, why: fmt.Sprintf("a page cannot be read (%v)", r), advice: adviceCheck}
}

// raisedInBolt reports whether the panic being recovered was raised by
// bbolt's code rather than by briefpack's, judged by the innermost of the
// two on the stack below the panic.
func raisedInBolt() bool {
	pcs := make([]uintptr, 128)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case !panicking:
		case strings.HasPrefix(f.Function, "go.etcd.io/bbolt."):
			return true
		case strings.HasPrefix(f.Function, "briefpack/"):
			return false
		}
		if !more {
			return false
		}
	}
}

// onMap runs fn, which reads what tx read from the file on a goroutine of
// its own (a worker decoding a page of values), as the transaction's own
// reads run: a fault on a damaged page is an error, not a crash.
func onMap(tx kvTx, fn func() error) (err error) {
	bt, ok := tx.(boltTx)
	if !ok {
		return fn()
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if err = readDamage(bt.path, r); err == nil {
				panic(r)
			}
		}
	}()
	return fn()
}
