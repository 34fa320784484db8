package store

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// CheckNotInUse fails with ErrInUse, after Options.Timeout (one second when
// zero), while another process holds the database file at path, as a server
// does. Unlike Open it neither checks nor changes the file, so that a damaged
// one can be proved free before it is replaced; a file that does not exist is
// not in use.
func CheckNotInUse(path string, opts ...Options) error {
	timeout := timeoutOf(opts)
	// bbolt takes its lock on the file just after opening it, so an open that
	// got that far and failed did so on what the file holds, with the lock
	// free. Read-only, bbolt reads no page but its two meta pages (no
	// freelist), which a damaged file cannot make fault, and writes nothing.
	opened := false
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			opened = err == nil
			return f, err
		}})
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return &inUseError{path}
	case err == nil:
		return bdb.Close()
	case opened, errors.Is(err, os.ErrNotExist):
		return nil
	}
	return fmt.Errorf("open database %s: %w", path, err)
}
