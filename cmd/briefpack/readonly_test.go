package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"briefpack/briefing"
	"briefpack/store"
)

// release1 writes the database the first release wrote (schema 1, kept in
// store/testdata) into dir and returns its path.
func release1(t *testing.T, dir string) string {
	t.Helper()
	return storeFixture(t, dir, "release1")
}

// storeFixture writes the database kept in store/testdata as name.db.gz
// into dir as name.db and returns its path.
func storeFixture(t *testing.T, dir, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "store", "testdata", name+".db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// schemaOf is the schema a database file is stored at, read without
// writing it.
func schemaOf(t *testing.T, path string) int {
	t.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Schema()
}

// TestReadCommands_SourceUnchanged: backup, export and copy never write
// the database they read. Before, they opened it to write: a file an older
// briefpack wrote was migrated in place (its backup came out migrated too,
// so no pre-upgrade backup could be taken with the new binary), and a file
// on a read-only mount or one the operator could read but not write was
// refused.
func TestReadCommands_SourceUnchanged(t *testing.T) {
	bin := buildBinary(t)
	runBin := runCmd

	t.Run("OlderSchema", func(t *testing.T) {
		dir := t.TempDir()
		db := release1(t, dir)
		orig := mustRead(t, db)
		tmp := t.TempDir() // where a migrated copy is made
		for _, c := range []struct {
			args []string
			says string
		}{
			{[]string{"backup", "--db", db, "--out", filepath.Join(dir, "backup.db")}, "before the upgrade"},
			{[]string{"export", "--db", db, "--round", "3", "--format", "html", "--out", filepath.Join(dir, "pack.html")}, "wrote the html pack"},
			{[]string{"export", "--db", db, "--round", "3", "--format", "xlsx", "--edition", "release", "--out", filepath.Join(dir, "pack.xlsx")}, "wrote the xlsx pack"},
			{[]string{"copy", "--from", db, "--to", filepath.Join(dir, "copy.db")}, "and checked it"},
		} {
			cmd := exec.Command(bin, c.args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			out, errOut, code := runBin(t, cmd)
			if code != 0 || !strings.Contains(out, c.says) {
				t.Fatalf("%s: exit %d: %s %s", c.args[0], code, out, errOut)
			}
			if !bytes.Equal(mustRead(t, db), orig) {
				t.Fatalf("%s changed the file it read", c.args[0])
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("%s left %s in the temporary directory", c.args[0], left[0].Name())
			}
		}
		// The backup is the file as it stood: the pre-upgrade backup. The
		// copy is a database of this briefpack's schema.
		if v := schemaOf(t, filepath.Join(dir, "backup.db")); v != 1 {
			t.Errorf("the backup is at schema %d, not the file's 1", v)
		}
		if v := schemaOf(t, filepath.Join(dir, "copy.db")); v != briefing.SchemaVersion() {
			t.Errorf("the copy is at schema %d, not %d", v, briefing.SchemaVersion())
		}
		for _, f := range []string{"backup.db", "copy.db"} {
			if out, errOut, code := runBin(t, exec.Command(bin, "check", "--db", filepath.Join(dir, f))); code != 0 {
				t.Errorf("check %s: exit %d: %s %s", f, code, out, errOut)
			}
		}
		if !bytes.Contains(mustRead(t, filepath.Join(dir, "pack.html")), []byte("<html")) {
			t.Error("the pack is not HTML")
		}
	})

	t.Run("NotWritable", func(t *testing.T) {
		// A file that may be read and not written, in a directory that may
		// not be written either. root may write whatever the modes say, so
		// under root the commands run as nobody.
		base := t.TempDir()
		dir := filepath.Join(base, "ro")
		out := filepath.Join(base, "out")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(out, 0o777); err != nil {
			t.Fatal(err)
		}
		db := release1(t, dir)
		st, err := store.Open(db, "") // at this briefpack's schema
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		orig := mustRead(t, db)
		for _, p := range []struct {
			path string
			mode os.FileMode
		}{{db, 0o444}, {dir, 0o555}, {out, 0o777}, {base, 0o755}, {filepath.Dir(base), 0o755}, {bin, 0o755}, {filepath.Dir(bin), 0o755}, {filepath.Dir(filepath.Dir(bin)), 0o755}} {
			if err := os.Chmod(p.path, p.mode); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		for _, args := range [][]string{
			{"backup", "--db", db, "--out", filepath.Join(out, "backup.db")},
			{"export", "--db", db, "--round", "3", "--format", "html", "--out", filepath.Join(out, "pack.html")},
			{"copy", "--from", db, "--to", filepath.Join(out, "copy.db")},
			{"check", "--db", db},
		} {
			cmd := exec.Command(bin, args...)
			if os.Geteuid() == 0 {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			if o, e, code := runBin(t, cmd); code != 0 {
				t.Errorf("%s of a file it may not write: exit %d: %s %s", args[0], code, o, e)
			}
		}
		if !bytes.Equal(mustRead(t, db), orig) {
			t.Fatal("the file changed")
		}
	})

	t.Run("InUse", func(t *testing.T) {
		// A server holds the file: each command says so, as before.
		dir := t.TempDir()
		db := release1(t, dir)
		st, err := store.Open(db, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"backup", "--db", db, "--out", filepath.Join(dir, "backup.db")},
			{"export", "--db", db, "--round", "3", "--out", filepath.Join(dir, "pack.html")},
			{"copy", "--from", db, "--to", filepath.Join(dir, "copy.db")},
		} {
			if _, e, code := runBin(t, exec.Command(bin, args...)); code != 1 || !strings.Contains(e, "in use by another briefpack process") || strings.Count(e, "\n") != 1 {
				t.Errorf("%s of a file a server holds: exit %d: %q", args[0], code, e)
			}
		}
		st.Close()
		// Readers share it: a backup while another reader has it open.
		r, err := store.OpenReadOnly(db)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if o, e, code := runBin(t, exec.Command(bin, "backup", "--db", db, "--out", filepath.Join(dir, "backup.db"))); code != 0 {
			t.Errorf("backup beside another reader: exit %d: %s %s", code, o, e)
		}
	})
}
