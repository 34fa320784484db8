package store

import (
	"encoding/binary"
	"fmt"
	"os"
)

// bbolt reads its pages through a map of the file and trusts what they
// say: an element whose offset points past its page makes the read fault
// (SIGSEGV, or SIGBUS past the file's end) and a page that points back at
// itself makes a walk recurse for ever. A reader of the store turns such a
// fault into an error (see readDamage), but bbolt's own consistency check
// reads on a goroutine of its own, where a fault cannot be caught. So
// before that check runs, walkPages reads every page it will read, with
// plain reads of the file, and makes sure each lies where the file says.

// The layout of bbolt's pages (go.etcd.io/bbolt/internal/common/page.go).
const (
	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01 // a leaf element that is a bucket
	elementLen   = 16   // a branch element: pos, ksize, pgid; a leaf one: flags, pos, ksize, vsize
	bucketHeader = 16   // a bucket's value: its root page and its sequence; an inline bucket's page follows
	noFreelist   = 0xffffffffffffffff
)

// walkPages reads every page reachable from the current meta page of the
// bbolt file at path — the freelist, every bucket's tree, inline buckets
// included — and reports the first problems with where they lie: a page
// beyond the file's last, one reached twice, one of no kind a tree holds,
// an element, key or value outside its page. The file must not change
// meanwhile: no writer may hold it.
func walkPages(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	m, err := wholeMeta(f, path)
	if err != nil {
		return err
	}
	w := &pageWalk{f: f, ps: uint64(m.pageSize), hwm: m.pgid, seen: make([]bool, m.pgid)}
	w.seen[0], w.seen[1] = true, true // the meta pages
	if m.freelist != noFreelist {
		w.freelist(m.freelist)
	}
	w.tree(m.root, "the root bucket")
	if w.err != nil {
		return w.err
	}
	if err := w.p.err(); err != nil {
		return &damagedError{path: path, why: err.Error(), advice: adviceRestore}
	}
	return nil
}

type pageWalk struct {
	f    *os.File
	ps   uint64
	hwm  uint64
	seen []bool
	p    problems
	err  error // a read of the file that failed
}

// read returns page id and its overflow pages, once: nil, with the problem
// noted, for a page that is not the file's or was reached before.
func (w *pageWalk) read(id uint64, where string) []byte {
	if w.err != nil || w.p.n >= maxProblems {
		return nil
	}
	if id < 2 || id >= w.hwm {
		w.p.add("%s: page %d is not a page of the file (it has %d)", where, id, w.hwm)
		return nil
	}
	head := make([]byte, pageHeaderLen)
	if _, err := w.f.ReadAt(head, int64(id*w.ps)); err != nil {
		w.err = fmt.Errorf("read page %d: %w", id, err)
		return nil
	}
	le := binary.LittleEndian
	overflow := uint64(le.Uint32(head[12:]))
	switch {
	case le.Uint64(head) != id:
		w.p.add("%s: page %d says it is page %d", where, id, le.Uint64(head))
		return nil
	case id+overflow >= w.hwm:
		w.p.add("%s: page %d runs over %d more pages, past the file's last", where, id, overflow)
		return nil
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i] {
			w.p.add("%s: page %d is reached twice", where, i)
			return nil
		}
	}
	for i := id; i <= id+overflow; i++ {
		w.seen[i] = true
	}
	buf := make([]byte, (overflow+1)*w.ps)
	if _, err := w.f.ReadAt(buf, int64(id*w.ps)); err != nil {
		w.err = fmt.Errorf("read page %d: %w", id, err)
		return nil
	}
	return buf
}

// freelist checks that the freelist page holds the ids it counts.
func (w *pageWalk) freelist(id uint64) {
	b := w.read(id, "the freelist")
	if b == nil {
		return
	}
	le := binary.LittleEndian
	if flags := le.Uint16(b[8:]); flags&freelistPage == 0 {
		w.p.add("the freelist: page %d has unexpected type/flags %#x", id, flags)
		return
	}
	count, start := uint64(le.Uint16(b[10:])), uint64(pageHeaderLen)
	if count == 0xFFFF { // the count overflowed into the first id
		if len(b) < pageHeaderLen+8 {
			w.p.add("the freelist: page %d is too short for its count", id)
			return
		}
		count, start = le.Uint64(b[pageHeaderLen:]), pageHeaderLen+8
	}
	if count > (uint64(len(b))-start)/8 {
		w.p.add("the freelist: page %d counts %d free pages, more than it holds", id, count)
	}
}

// tree checks the tree of a bucket whose root is page id.
func (w *pageWalk) tree(id uint64, where string) {
	if b := w.read(id, where); b != nil {
		w.page(b, fmt.Sprintf("page %d", id), where)
	}
}

// page checks a branch or leaf page (b, from its header on), and the pages
// and buckets under it.
func (w *pageWalk) page(b []byte, name, where string) {
	if len(b) < pageHeaderLen {
		w.p.add("%s: %s is too short for a page header", where, name)
		return
	}
	le := binary.LittleEndian
	flags, count := le.Uint16(b[8:]), uint64(le.Uint16(b[10:]))
	if flags != branchPage && flags != leafPage {
		w.p.add("%s: %s has unexpected type/flags %#x", where, name, flags)
		return
	}
	if pageHeaderLen+count*elementLen > uint64(len(b)) {
		w.p.add("%s: %s counts %d elements, more than it holds", where, name, count)
		return
	}
	for i := range count {
		e := pageHeaderLen + i*elementLen
		if flags == branchPage {
			pos, ksize, child := uint64(le.Uint32(b[e:])), uint64(le.Uint32(b[e+4:])), le.Uint64(b[e+8:])
			if e+pos+ksize > uint64(len(b)) {
				w.p.add("%s: %s, element %d: its key lies outside the page", where, name, i)
				return
			}
			w.tree(child, where)
			continue
		}
		eflags, pos, ksize, vsize := le.Uint32(b[e:]), uint64(le.Uint32(b[e+4:])), uint64(le.Uint32(b[e+8:])), uint64(le.Uint32(b[e+12:]))
		if e+pos+ksize+vsize > uint64(len(b)) {
			w.p.add("%s: %s, element %d: its key and value lie outside the page", where, name, i)
			return
		}
		if eflags&bucketLeaf == 0 {
			continue
		}
		key, value := b[e+pos:e+pos+ksize], b[e+pos+ksize:e+pos+ksize+vsize]
		bucket := fmt.Sprintf("bucket %q", key)
		if len(value) < bucketHeader {
			w.p.add("%s: %s, element %d: %s has no room for its header", where, name, i, bucket)
			continue
		}
		if root := le.Uint64(value); root != 0 {
			w.tree(root, bucket)
		} else {
			w.page(value[bucketHeader:], "its inline page", bucket)
		}
	}
}
