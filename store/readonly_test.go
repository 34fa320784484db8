package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
	"briefpack/store"
)

// TestOpenReadOnly: a database opened to read it is never written. backup,
// export and copy open their source so; before, they opened it to write,
// which migrated a file an older briefpack wrote in place (no pre-upgrade
// backup could be taken with the new binary) and failed on a file the
// process could read but not write.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()

	t.Run("OlderSchema", func(t *testing.T) {
		path := releaseFile(t, "release1")
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp) // where the migrated copy is made
		orig := mustReadFile(t, path)
		db, err := store.OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Schema() != 1 {
			t.Fatalf("schema %d, not the file's 1", db.Schema())
		}
		// Its backup is the file as it stands: schema 1, a pre-upgrade backup.
		backup := filepath.Join(t.TempDir(), "backup.db")
		f, err := os.Create(backup)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Backup(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := store.OpenReadOnly(backup)
		if err != nil {
			t.Fatal(err)
		}
		if b.Schema() != 1 {
			t.Errorf("the backup is at schema %d, not 1", b.Schema())
		}
		b.Close()
		if err := store.CheckFile(backup); err != nil {
			t.Fatal(err)
		}
		// Its records are read through a private copy, migrated.
		m, err := db.MigratedCopy()
		if err != nil {
			t.Fatal(err)
		}
		if m.Schema() != briefing.SchemaVersion() || m.Path() != path {
			t.Errorf("the migrated copy: schema %d, path %s", m.Schema(), m.Path())
		}
		r, err := m.Round(ctx, "3")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range r.Agenda {
			if it.SheetID != "" && it.Title != "" {
				t.Errorf("the copy is not migrated: item of sheet %s stores the title %q", it.SheetID, it.Title)
			}
		}
		if err := m.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("the migrated copy left %s behind", left[0].Name())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mustReadFile(t, path), orig) {
			t.Fatal("reading the file changed it")
		}
	})

	t.Run("CurrentSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "current.db")
		w, err := store.Open(path, "au")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.CreateAgency(ctx, &briefing.Agency{Name: "Department of Home Affairs", Acronym: "HA", Country: "AU"}, briefing.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		orig := mustReadFile(t, path)
		db, err := store.OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		if db.Schema() != briefing.SchemaVersion() {
			t.Fatalf("schema %d", db.Schema())
		}
		if s, _ := db.Settings(ctx); s.Jurisdiction != "au" {
			t.Errorf("settings of %q", s.Jurisdiction)
		}
		if as, _, err := db.Agencies(ctx, briefing.Page{}); err != nil || len(as) != 1 {
			t.Fatalf("%v %v", as, err)
		}
		if err := db.Check(ctx); err != nil {
			t.Fatal(err)
		}
		err = db.CreateAgency(ctx, &briefing.Agency{Name: "Australian Signals Directorate", Acronym: "ASD", Country: "AU"}, briefing.Actor{Name: "test"})
		if err == nil || !strings.Contains(err.Error(), "read only") {
			t.Errorf("a write through a database opened to read: %v", err)
		}
		if _, err := db.Backup(io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mustReadFile(t, path), orig) {
			t.Fatal("reading the file changed it")
		}
	})

	t.Run("ErrInUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		w, err := store.Open(path, "nz")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		_, err = store.OpenReadOnly(path, store.Options{Timeout: 50 * time.Millisecond})
		if err == nil || err.Error() != "database "+path+" is in use by another briefpack process" || !errors.Is(err, store.ErrInUse) {
			t.Fatalf("a read-only open of a file a server holds: %v", err)
		}
	})

	t.Run("ReadersTogether", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shared.db")
		w, err := store.Open(path, "nz")
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		r1, err := store.OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r1.Close()
		r2, err := store.OpenReadOnly(path, store.Options{Timeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatalf("a second reader: %v", err)
		}
		r2.Close()
		// A server that would write waits for the readers, and says so.
		if _, err := store.Open(path, "", store.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, store.ErrInUse) {
			t.Fatalf("a writer beside a reader: %v", err)
		}
	})

	t.Run("ErrMissing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.db")
		if _, err := store.OpenReadOnly(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("open of a missing file: %v", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("a read-only open created the file")
		}
	})
}

func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestEtcd_ReadOnly: an etcd prefix opened to read is not written either,
// even at an older schema, which a normal open migrates in place: no key
// under it changes, and its records are read through a migrated copy.
func TestEtcd_ReadOnly(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	// A prefix at schema 1: the first release's file, copied as it stands.
	src, err := store.OpenReadOnly(releaseFile(t, "release1"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg, err := store.ParseEtcdURL(c.URL("old"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := src.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := store.OpenEtcd(cfg, s.Jurisdiction)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	revision := func() int64 {
		resp, err := cli.Get(ctx, "old/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Revision
	}
	before := revision()

	cfg.ReadOnly, cfg.MustExist = true, true
	db, err := store.OpenEtcd(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Schema() != 1 {
		t.Fatalf("schema %d, not the prefix's 1", db.Schema())
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := db.MigratedCopy()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Round(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if after := revision(); after != before {
		t.Fatalf("reading the prefix wrote to etcd: revision %d, then %d", before, after)
	}
}
