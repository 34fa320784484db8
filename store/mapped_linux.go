package store

import (
	"os"
	"syscall"
	"unsafe"
)

// osPageSize is the size of the pages the kernel maps a file in.
var osPageSize = os.Getpagesize()

// dropMapped tells the kernel that the process no longer needs the pages of
// the mapped file that v, a value read from it and copied out, lies on
// whole: a frozen file of megabytes read once stayed mapped in the
// process, counted in its resident memory, until the machine ran short of
// memory, so that reading every frozen file of a round of 300 sheets
// frozen 22 times raised the server's resident memory by the size of them
// all (the file mapped went from 44 to 306 MiB). The pages stay in the kernel's cache of the file,
// which gives them back to the next read without a disk read; only the
// process's own mapping of them goes. The mapping is bbolt's, read-only
// and shared (MAP_SHARED, PROT_READ), so nothing is lost by it: a later
// read of the same pages maps them again. A value not wholly within the
// file's mapped bytes (one a transaction wrote and has not committed, in
// the heap) is let be.
func dropMapped(base uintptr, size int, v []byte) {
	if len(v) < 2*osPageSize || base == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(v))
	start := uintptr(p)
	if start < base || start+uintptr(len(v)) > base+uintptr(size) {
		return
	}
	off := int(-start & uintptr(osPageSize-1)) // to the first whole page
	n := (len(v) - off) &^ (osPageSize - 1)
	if n <= 0 {
		return
	}
	// An error (a kernel without madvise) leaves the pages mapped, as before.
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, off)), n), syscall.MADV_DONTNEED)
}
