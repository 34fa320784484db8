package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"briefpack/store"
)

func TestCheckNotInUse(t *testing.T) {
	t.Run("ErrInUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		db, err := store.Open(path, "nz")
		if err != nil {
			t.Fatal(err)
		}
		err = store.CheckNotInUse(path, store.Options{Timeout: 50 * time.Millisecond})
		if err == nil || err.Error() != "database "+path+" is in use by another briefpack process" || !errors.Is(err, store.ErrInUse) {
			t.Fatalf("a held file: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := store.CheckNotInUse(path); err != nil {
			t.Fatalf("after the close: %v", err)
		}
	})

	// A damaged file, which Open refuses, is free; it is not changed.
	t.Run("Damaged", func(t *testing.T) {
		dir := t.TempDir()
		good := filepath.Join(dir, "good.db")
		db, err := store.Open(good, "nz")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		whole, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string][]byte{
			"empty":     nil,
			"short":     whole[:100],
			"cut":       whole[:len(whole)/2],
			"junk":      bytes.Repeat([]byte("junk"), 4096),
			"untouched": whole,
		} {
			path := filepath.Join(dir, name+".db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := store.CheckNotInUse(path); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
				t.Errorf("%s: the check changed the file", name)
			}
		}
	})

	t.Run("Missing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.db")
		if err := store.CheckNotInUse(path); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the check created %s: %v", path, err)
		}
	})
}
