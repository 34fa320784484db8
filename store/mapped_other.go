//go:build !linux

package store

// dropMapped does nothing where the kernel is not Linux: the pages of the
// mapped file a value was read from stay mapped until the memory runs
// short (see mapped_linux.go).
func dropMapped(base uintptr, size int, v []byte) {}
