package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/store"
)

// runCLI runs one command line in-process, as main does, and returns what it
// wrote to standard output and standard error and its exit code.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb strings.Builder
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// wantUsageError asserts exit code 2 with one line on standard error and
// nothing on standard output.
func wantUsageError(t *testing.T, out, errOut string, code int, args ...string) {
	t.Helper()
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "briefpack: ") {
		t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
	}
}

// TestFlags_Mistake: a bad flag is answered with one line on standard error
// and exit code 2, not with the help as well; --help still prints it.
func TestFlags_Mistake(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--bogus"},
		{"serve", "--read-timeout", "abc"},
		{"user", "add", "--bogus"},
		{"backup", "--bogus"},
		{"check", "--db"},
		{"restore", "--force=maybe"},
		{"copy", "--bogus"},
		{"export", "--bogus"},
	} {
		out, errOut, code := runCLI(t, "", args...)
		wantUsageError(t, out, errOut, code, args...)
		if !strings.Contains(errOut, "--help") {
			t.Errorf("%v: no pointer to the help: %q", args, errOut)
		}
	}
	for _, args := range [][]string{{"serve", "--help"}, {"user", "add", "-h"}, {"backup", "--help"}, {"check", "--help"}, {"restore", "--help"}, {"copy", "--help"}, {"export", "--help"}} {
		out, errOut, code := runCLI(t, "", args...)
		if code != 0 || strings.Count(out, "Usage: briefpack") != 1 || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestFlags_ServeValues: serve refuses values its flags would take to mean
// something else — a timeout of zero or less (no bound at all), proxies
// named without --trust-proxy (ignored) — with one line and exit 2, before
// it opens a database.
func TestFlags_ServeValues(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--read-timeout", "-1s"}, "--read-timeout must be a positive duration"},
		{[]string{"--write-timeout", "0s"}, "--write-timeout must be a positive duration"},
		{[]string{"--shutdown-timeout", "0"}, "--shutdown-timeout must be a positive duration"},
		{[]string{"--trusted-proxies", "10.0.0.0/8"}, "--trusted-proxies applies only with --trust-proxy"},
	} {
		args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)
		out, errOut, code := runCLI(t, "", args...)
		wantUsageError(t, out, errOut, code, args...)
		if !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %q", tc.args, errOut)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a refused serve made the database: %v", err)
	}
}

// TestFlags_DBHelp: each command's --db help says what it does with a file
// that is not there, and does it: serve and user add create one, backup,
// check and export refuse it.
func TestFlags_DBHelp(t *testing.T) {
	for _, c := range []struct {
		args    []string
		creates bool
	}{
		{[]string{"serve"}, true},
		{[]string{"user", "add"}, true},
		{[]string{"backup"}, false},
		{[]string{"check"}, false},
		{[]string{"export"}, false},
	} {
		out, _, code := runCLI(t, "", append(c.args, "--help")...)
		if code != 0 || strings.Contains(out, "created if missing") != c.creates || strings.Contains(out, "an existing bbolt file") == c.creates {
			t.Errorf("%v --help: exit %d, says %q", c.args, code, out)
		}
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, args := range [][]string{
		{"backup", "--db", missing, "--out", filepath.Join(dir, "out.db")},
		{"check", "--db", missing},
		{"export", "--db", missing, "--round", "1", "--out", filepath.Join(dir, "out.html")},
	} {
		if _, errOut, code := runCLI(t, "", args...); code != 1 || !strings.Contains(errOut, "no such file") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, missing)
		}
	}
}

// mustAddUser adds a user to the database file db (creating it) in-process.
func mustAddUser(t *testing.T, db, name string, flags ...string) {
	t.Helper()
	args := append([]string{"user", "add", "--db", db, "--name", name, "--role", "viewer", "--clearance", "RESTRICTED"}, flags...)
	if out, errOut, code := runCLI(t, "a long enough password for "+name+"\n", args...); code != 0 {
		t.Fatalf("%v: exit %d: %s %s", args, code, out, errOut)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRestore: restore replaces a database whatever its state, damaged ones
// first of all, and keeps the file it replaced as it was, under a name no
// earlier restore took.
func TestRestore(t *testing.T) {
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	mustAddUser(t, backup, "alice")
	want := mustRead(t, backup)

	t.Run("Damaged", func(t *testing.T) {
		orig := filepath.Join(dir, "orig.db")
		mustAddUser(t, orig, "bob")
		whole := mustRead(t, orig)
		for name, content := range map[string][]byte{
			"empty": nil,
			"short": whole[:100],
			"cut":   whole[:8192],
			"junk":  bytes.Repeat([]byte("not a database "), 1000),
		} {
			db := filepath.Join(dir, name+".db")
			if err := os.WriteFile(db, content, 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db, "--force")
			if code != 0 || !strings.Contains(out, "kept the database it replaced as "+db+".before-restore\n") {
				t.Fatalf("%s: exit %d: %q %q", name, code, out, errOut)
			}
			if !bytes.Equal(mustRead(t, db), want) {
				t.Errorf("%s: the restored file is not the backup", name)
			}
			if err := store.CheckFile(db); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !bytes.Equal(mustRead(t, db+".before-restore"), content) {
				t.Errorf("%s: the kept file is not the one replaced", name)
			}
		}
	})

	t.Run("KeepsEveryCopy", func(t *testing.T) {
		db := filepath.Join(dir, "kept.db")
		mustAddUser(t, db, "carol")
		orig := mustRead(t, db)
		for i, kept := range []string{db + ".before-restore", db + ".before-restore.1", db + ".before-restore.2"} {
			out, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db, "--force")
			if code != 0 || !strings.HasSuffix(out, "kept the database it replaced as "+kept+"\n") {
				t.Fatalf("restore %d: exit %d: %q %q", i+1, code, out, errOut)
			}
		}
		// The first keeps the original byte for byte: nothing opened it to
		// migrate it, and no later restore overwrote it.
		if !bytes.Equal(mustRead(t, db+".before-restore"), orig) {
			t.Error("the first kept copy is not the original file")
		}
		for _, kept := range []string{db + ".before-restore.1", db + ".before-restore.2", db} {
			if !bytes.Equal(mustRead(t, kept), want) {
				t.Errorf("%s is not the backup", kept)
			}
		}
	})

	t.Run("ErrInUse", func(t *testing.T) {
		db := filepath.Join(dir, "busy.db")
		mustAddUser(t, db, "dave")
		st, err := store.Open(db, "")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		before := mustRead(t, db)
		_, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db, "--force")
		if code != 1 || !strings.Contains(errOut, "in use") {
			t.Fatalf("exit %d: %q", code, errOut)
		}
		if !bytes.Equal(mustRead(t, db), before) {
			t.Error("a refused restore changed the file")
		}
		if _, err := os.Lstat(db + ".before-restore"); !os.IsNotExist(err) {
			t.Errorf("a refused restore moved the file aside: %v", err)
		}
	})

	// A --db given empty is bad usage, named: it was tried as a file
	// named "" and failed on its rename, exit code 1.
	t.Run("EmptyDB", func(t *testing.T) {
		// Given empty, a database or file names nothing, on every command:
		// bad usage, not a failure to open "".
		for _, args := range [][]string{{"restore", "--from", backup, "--db", ""}, {"check", "--db", ""}, {"serve", "--db", ""},
			{"user", "add", "--db", "", "--name", "x", "--role", "viewer", "--clearance", "RESTRICTED"},
			{"export", "--db", backup, "--round", "1", "--out", ""}, {"copy", "--from", backup, "--to", ""}, {"backup", "--db", "", "--out", "x"}} {
			out, errOut, code := runCLI(t, "", args...)
			wantUsageError(t, out, errOut, code, args...)
			if !strings.Contains(errOut, "is required") {
				t.Errorf("%v: %q", args, errOut)
			}
		}
	})

	// A --db that is a symbolic link to the database is refused, naming
	// the file it leads to, and both are left as they were. The link was
	// replaced by the restored file, and the database a server reads
	// through it left stale.
	t.Run("Symlink", func(t *testing.T) {
		db := filepath.Join(dir, "real.db")
		mustAddUser(t, db, "erin")
		before := mustRead(t, db)
		link := filepath.Join(dir, "link.db")
		if err := os.Symlink("real.db", link); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", link, "--force")
		if code != 1 || out != "" || errOut != "briefpack: refusing to restore into "+link+": it is a symbolic link (to "+db+
			"), and restore would replace the link, not the file it leads to; name that file with --db\n" {
			t.Errorf("exit %d: %q %q", code, out, errOut)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link is no longer one: %v %v", fi, err)
		}
		if !bytes.Equal(mustRead(t, db), before) {
			t.Error("a refused restore changed the database")
		}
		for _, name := range []string{db, link} {
			if m, _ := filepath.Glob(name + ".before-restore*"); len(m) != 0 {
				t.Errorf("a refused restore kept %v", m)
			}
		}
	})

	t.Run("NoForce", func(t *testing.T) {
		db := filepath.Join(dir, "noforce.db")
		if err := os.WriteFile(db, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db); code != 1 || !strings.Contains(errOut, "--force") {
			t.Fatalf("exit %d: %q", code, errOut)
		}
		if _, err := os.Lstat(db + ".before-restore"); !os.IsNotExist(err) {
			t.Errorf("restore without --force moved the file aside: %v", err)
		}
	})
}

// TestUserAdd_Mistakes: a bad --role, --clearance or --jurisdiction is bad
// usage, one clear line and exit code 2, refused before the database is
// opened: a new one is not created, so its jurisdiction is not fixed.
func TestUserAdd_Mistakes(t *testing.T) {
	dir := t.TempDir()
	const pw = "a long enough password\n"
	db := filepath.Join(dir, "new.db")
	for _, c := range []struct {
		flags []string
		says  string
	}{
		{[]string{"--role", "bogus", "--clearance", "SECRET"}, "user add: --role must be viewer, officer, lead, secretariat or admin"},
		{[]string{"--role", "lead", "--clearance", "BOGUS"}, "user add: --clearance must be one of UNCLASSIFIED, IN-CONFIDENCE, SENSITIVE, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET"},
		{[]string{"--role", "lead", "--clearance", "SECRET", "--jurisdiction", "xx"}, "user add: --jurisdiction must be nz or au"},
		// A new database is nz unless told otherwise: PROTECTED is au's.
		{[]string{"--role", "lead", "--clearance", "PROTECTED"}, "user add: --clearance must be one of UNCLASSIFIED,"},
		{[]string{"--role", "lead", "--clearance", "RESTRICTED", "--jurisdiction", "au"}, "user add: --clearance must be one of UNOFFICIAL, OFFICIAL,"},
		{[]string{"--role", "lead", "--clearance", "SECRET", "--name", "no spaces"}, "user add: --name must be"},
	} {
		args := append([]string{"user", "add", "--db", db, "--name", "alice"}, c.flags...)
		out, errOut, code := runCLI(t, pw, args...)
		wantUsageError(t, out, errOut, code, args...)
		if !strings.HasPrefix(errOut, "briefpack: "+c.says) {
			t.Errorf("%v: %q, want %q", c.flags, errOut, c.says)
		}
		if _, err := os.Lstat(db); !os.IsNotExist(err) {
			t.Fatalf("%v created the database: %v", c.flags, err)
		}
	}

	// An existing database's own jurisdiction decides, whatever the default;
	// a clearance is taken in any case, as the import takes markings.
	au := filepath.Join(dir, "au.db")
	mustAddUser(t, au, "admin", "--jurisdiction", "au", "--clearance", "protected")
	out, errOut, code := runCLI(t, pw, "user", "add", "--db", au, "--name", "bob", "--role", "lead", "--clearance", "official:sensitive")
	if code != 0 || !strings.Contains(out, "cleared to OFFICIAL:Sensitive") {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, pw, "user", "add", "--db", au, "--name", "carol", "--role", "lead", "--clearance", "CONFIDENTIAL")
	wantUsageError(t, out, errOut, code, "CONFIDENTIAL in au")
	if !strings.HasPrefix(errOut, "briefpack: user add: --clearance must be one of UNOFFICIAL,") {
		t.Errorf("%q", errOut)
	}
}

// TestUserAdd_JurisdictionFirst: a --jurisdiction that is not an existing
// file's is the mistake named, whatever the clearance. The clearance was
// checked against the jurisdiction given first, and a marking of the
// file's own jurisdiction was refused as not one of the other's.
func TestUserAdd_JurisdictionFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nz.db")
	mustAddUser(t, db, "admin")
	before := mustRead(t, db)
	for _, clearance := range []string{"RESTRICTED", "PROTECTED"} {
		out, errOut, code := runCLI(t, "a long enough password\n", "user", "add", "--db", db, "--jurisdiction", "au", "--name", "bob", "--role", "viewer", "--clearance", clearance)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 ||
			!strings.HasPrefix(errOut, "briefpack: database "+db+" was created for jurisdiction nz and cannot be used as au") {
			t.Errorf("--clearance %s: exit %d, %q %q", clearance, code, out, errOut)
		}
	}
	if !bytes.Equal(mustRead(t, db), before) {
		t.Error("a refused user add changed the database")
	}
}

// demoRound is a database the demo was loaded into by a server started
// on it, then stopped: its file, and its first dialogue's first round.
func demoRound(t *testing.T) (db, round string) {
	t.Helper()
	m := MustRunMain(t, true, "nz")
	ctx := context.Background()
	ds, _, err := m.DB.Dialogues(ctx, briefing.Page{})
	if err != nil || len(ds) == 0 {
		t.Fatalf("%d dialogues: %v", len(ds), err)
	}
	rs, _, err := m.DB.Rounds(ctx, ds[0].ID, briefing.Page{})
	if err != nil || len(rs) == 0 {
		t.Fatalf("%d rounds: %v", len(rs), err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return m.DBPath, rs[0].ID
}

// TestExport_Ceiling: a ceiling that is not a marking is bad usage (exit 2,
// one line); one typed in lower case is taken, as the import takes markings.
func TestExport_Ceiling(t *testing.T) {
	db, round := demoRound(t)
	dir := t.TempDir()
	export := func(ceiling, out string) (string, string, int) {
		return runCLI(t, "", "export", "--db", db, "--round", round, "--ceiling", ceiling, "--out", filepath.Join(dir, out))
	}
	out, errOut, code := export("BOGUS", "bogus.html")
	wantUsageError(t, out, errOut, code, "--ceiling BOGUS")
	if errOut != "briefpack: export: --ceiling must be one of UNCLASSIFIED, IN-CONFIDENCE, SENSITIVE, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET\n" {
		t.Errorf("%q", errOut)
	}
	out, errOut, code = export("restricted", "restricted.html")
	if code != 0 || !strings.Contains(out, "marked ") {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	upper, errOut, code := export("RESTRICTED", "upper.html")
	if code != 0 {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	// The pack's marking is the same: the lower-case ceiling was applied.
	marking := func(s string) string { return s[strings.Index(s, "marked "):strings.Index(s, ") to ")] }
	if marking(out) != marking(upper) {
		t.Errorf("restricted and RESTRICTED made different packs: %q, %q", out, upper)
	}
	if _, errOut, code := runCLI(t, "", "export", "--db", db, "--round", round, "--edition", "release", "--ceiling", "SECRET", "--out", filepath.Join(dir, "r.html")); code != 2 {
		t.Errorf("a ceiling on the release edition: exit %d, %q", code, errOut)
	}
}

// watchSteps has afterStep call see at each step of a write into place,
// for the rest of the test.
func watchSteps(t *testing.T, see func(step string)) {
	old := afterStep
	afterStep = see
	t.Cleanup(func() { afterStep = old })
}

// partials lists the partial files beside path.
func partials(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".briefpack-partial-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRestore_NeverWithoutDB stops at each step of a restore --force, where
// a crash could stop it: the file at --db is there at every one, the old
// database or the new one whole, and the backup was written whole beside it
// before the old one was touched.
func TestRestore_NeverWithoutDB(t *testing.T) {
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	mustAddUser(t, backup, "alice")
	want := mustRead(t, backup)
	db := filepath.Join(dir, "live.db")
	mustAddUser(t, db, "bob")
	old := mustRead(t, db)
	var steps []string
	watchSteps(t, func(step string) {
		steps = append(steps, step)
		now, err := os.ReadFile(db)
		switch {
		case err != nil:
			t.Errorf("after %q: no database at --db: %v", step, err)
		case step == "renamed" && !bytes.Equal(now, want):
			t.Errorf("after %q: --db is not the backup", step)
		case step != "renamed" && !bytes.Equal(now, old):
			t.Errorf("after %q: --db is not the database it replaces", step)
		}
		if p := partials(t, db); step == "written" && (len(p) != 1 || !bytes.Equal(mustRead(t, p[0]), want)) {
			t.Errorf("after %q: the backup is not written whole beside --db: %v", step, p)
		}
	})
	out, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db, "--force")
	if code != 0 {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	if strings.Join(steps, " ") != "checked written kept renamed" {
		t.Errorf("steps %v", steps)
	}
	if !bytes.Equal(mustRead(t, db), want) || !bytes.Equal(mustRead(t, db+".before-restore"), old) {
		t.Error("the restored or the kept file is wrong")
	}
	if p := partials(t, db); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}

// TestRestore_CopyChecked: restore checks the pages of the copy it wrote
// before the copy takes --db's name, as backup checks its own. The copy can
// differ from the backup restore checked when the backup changes after its
// check (a new backup written under the same name): the test damages the
// backup's root page there, between its check and its copy, and the copy
// carries the damage. Before, restore put the damaged copy at --db and said
// "restored"; now it fails with one line, --db is left as it was, and
// neither a partial file nor a kept second name is left.
func TestRestore_CopyChecked(t *testing.T) {
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	mustAddUser(t, backup, "alice")
	db := filepath.Join(dir, "live.db")
	mustAddUser(t, db, "bob")
	old := mustRead(t, db)
	var steps []string
	watchSteps(t, func(step string) {
		steps = append(steps, step)
		if step == "checked" {
			damageRootPage(t, backup)
		}
	})
	out, errOut, code := runCLI(t, "", "restore", "--from", backup, "--db", db, "--force")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 ||
		!strings.HasPrefix(errOut, "briefpack: refusing to restore "+backup+": it changed after its check") ||
		!strings.Contains(errOut, "database "+backup+" is damaged") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Join(steps, " ") != "checked" {
		t.Errorf("steps %v: the damaged copy went on", steps)
	}
	if !bytes.Equal(mustRead(t, db), old) {
		t.Error("the refused restore changed --db")
	}
	if _, err := os.Lstat(db + ".before-restore"); !os.IsNotExist(err) {
		t.Errorf("the refused restore kept --db aside: %v", err)
	}
	if p := partials(t, db); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}

// damageRootPage makes the root page of the bbolt file at path say it is
// another page, as a disk might: the check's walk of the pages finds it.
func damageRootPage(t *testing.T, path string) {
	t.Helper()
	raw := mustRead(t, path)
	le := binary.LittleEndian
	ps := int(le.Uint32(raw[16+8:]))
	meta := 16 // the meta page with the higher transaction id
	if le.Uint64(raw[ps+16+48:]) > le.Uint64(raw[16+48:]) {
		meta += ps
	}
	root := int(le.Uint64(raw[meta+16:]))
	le.PutUint64(raw[root*ps:], uint64(root+1))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestWriteNew_PartialFile: backup, export and restore write their file
// beside it under a name that says whose it is (what a kill -9 would leave,
// for a person to recognise and delete), and leave nothing else once done.
func TestWriteNew_PartialFile(t *testing.T) {
	db, round := demoRound(t)
	dir := t.TempDir()
	for _, c := range []struct {
		out  string
		args []string
	}{
		{"backup.db", []string{"backup", "--db", db, "--out"}},
		{"pack.html", []string{"export", "--db", db, "--round", round, "--out"}},
		{"restored.db", []string{"restore", "--from", db, "--db"}},
	} {
		out := filepath.Join(dir, c.out)
		seen := false
		watchSteps(t, func(step string) {
			if step != "written" {
				return
			}
			seen = true
			p := partials(t, out)
			if len(p) != 1 || !strings.HasPrefix(filepath.Base(p[0]), "."+c.out+".briefpack-partial-") {
				t.Errorf("%s: beside %s while it is written: %v", c.args[0], c.out, p)
			}
		})
		if o, e, code := runCLI(t, "", append(c.args, out)...); code != 0 || !seen {
			t.Fatalf("%s: exit %d, step seen %v: %q %q", c.args[0], code, seen, o, e)
		}
		if p := partials(t, out); len(p) != 0 {
			t.Errorf("%s: left behind %v", c.args[0], p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("the directory holds %d files, want the 3 written", len(entries))
	}
}

// TestUserAdd_PasswordInCharacters: the password on standard input is
// counted in characters, as the server counts it, and kept whole: 600
// two-byte characters are a password, 1025 are not.
func TestUserAdd_PasswordInCharacters(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	for _, pw := range []string{strings.Repeat("é", 600), strings.Repeat("😀", 1024)} {
		name := fmt.Sprintf("u%d", len(pw))
		if out, errOut, code := runCLI(t, pw+"\n", "user", "add", "--db", db, "--name", name, "--role", "viewer", "--clearance", "RESTRICTED"); code != 0 {
			t.Fatalf("%d characters, %d bytes: exit %d: %s %s", utf8.RuneCountInString(pw), len(pw), code, out, errOut)
		}
		st, err := store.Open(db, "nz")
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.UserByName(context.Background(), name)
		st.Close()
		if err != nil || !server.VerifyPassword(u.PasswordHash, pw) {
			t.Fatalf("%d characters, %d bytes: not kept whole: %v", utf8.RuneCountInString(pw), len(pw), err)
		}
	}
	for _, pw := range []string{strings.Repeat("é", 1025), strings.Repeat("😀", 1025), strings.Repeat("x", 5000)} {
		out, errOut, code := runCLI(t, pw+"\n", "user", "add", "--db", db, "--name", "refused", "--role", "viewer", "--clearance", "RESTRICTED")
		wantUsageError(t, out, errOut, code)
	}
}

// TestUserAdd_PasswordLength: a password too short or too long is bad
// usage, as any other mistake in what user add is given: one line, exit
// code 2, and no database created. The help says so.
func TestUserAdd_PasswordLength(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "u.db")
	for _, pw := range []string{"short", strings.Repeat("x", 1025)} {
		cmd := exec.Command(bin, "user", "add", "--db", db, "--name", "alice", "--role", "viewer", "--clearance", "RESTRICTED")
		cmd.Stdin = strings.NewReader(pw + "\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		want := "briefpack: user add: the password on standard input must be 8 to 1024 characters\n"
		if code := cmd.ProcessState.ExitCode(); code != 2 || stderr.String() != want || stdout.String() != "" {
			t.Errorf("a %d-character password: exit %d, %q %q", len(pw), code, stdout.String(), stderr.String())
		}
		if _, err := os.Lstat(db); !os.IsNotExist(err) {
			t.Fatalf("a %d-character password created the database: %v", len(pw), err)
		}
	}
	help, err := exec.Command(bin, "user", "add", "--help").Output()
	if err != nil || !strings.Contains(string(help), "(8 to 1024 characters)") || !strings.Contains(string(help), "A password of another length, like a mistake in the flags, is bad usage: exit code 2.") ||
		!strings.Contains(string(help), "Exit codes: 0 success, 1 failure, 2 bad usage.") {
		t.Errorf("user add --help: %v\n%s", err, help)
	}
}

// TestUserAdd_PasswordNotText: a password that is not UTF-8 text is bad
// usage, one line and exit code 2, and no database is created. It was
// added, and could never sign in: sign-in refuses a body that is not UTF-8.
func TestUserAdd_PasswordNotText(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	args := []string{"user", "add", "--db", db, "--name", "alice", "--role", "viewer", "--clearance", "RESTRICTED"}
	out, errOut, code := runCLI(t, "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\n", args...)
	wantUsageError(t, out, errOut, code, args...)
	if want := "briefpack: user add: the password on standard input must be UTF-8 text\n"; errOut != want {
		t.Errorf("%q, want %q", errOut, want)
	}
	if _, err := os.Lstat(db); !os.IsNotExist(err) {
		t.Fatalf("the refused password created the database: %v", err)
	}
}

// lineWatcher is a standard output that calls see with each line written
// to it, as it is written: a test looks at the disk there, mid-command.
type lineWatcher struct {
	strings.Builder
	see func(line string)
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			w.see(line)
		}
	}
	return w.Builder.Write(p)
}

// TestCopy_ToFileNeverHalfWritten copies a database into a new file and
// looks at the directory after the first bucket, where a kill would stop
// the copy. Before, the copy was written at --to itself: a kill left a file
// there that every command refused as an unfinished copy, and a copy
// stopped by an error left it too. Now --to does not exist until the copy
// is whole and checked: it is written beside it as a partial file, which a
// copy that fails removes.
func TestCopy_ToFileNeverHalfWritten(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	mustAddUser(t, src, "alice")
	mustAddUser(t, src, "bob")
	midway := func(t *testing.T, to string) {
		t.Helper()
		if _, err := os.Lstat(to); !os.IsNotExist(err) {
			t.Errorf("midway: %s exists already: %v", to, err)
		}
		if p := partials(t, to); len(p) != 1 {
			t.Errorf("midway: partial files %v, want the one being written", p)
		}
	}

	t.Run("OK", func(t *testing.T) {
		to := filepath.Join(dir, "copy.db")
		seen := false
		out := &lineWatcher{see: func(line string) {
			if strings.Contains(line, " records") && !seen {
				seen = true
				midway(t, to)
			}
		}}
		var errb strings.Builder
		if code := run(context.Background(), []string{"copy", "--from", src, "--to", to}, strings.NewReader(""), out, &errb); code != 0 || !seen {
			t.Fatalf("exit %d (a bucket copied: %v): %q %q", code, seen, out.String(), errb.String())
		}
		if err := store.CheckFile(to); err != nil {
			t.Error(err)
		}
		if p := partials(t, to); len(p) != 0 {
			t.Errorf("left behind: %v", p)
		}
	})

	t.Run("Stopped", func(t *testing.T) {
		to := filepath.Join(dir, "stopped.db")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		out := &lineWatcher{see: func(line string) {
			if strings.Contains(line, " records") {
				midway(t, to)
				cancel()
			}
		}}
		var errb strings.Builder
		code := run(ctx, []string{"copy", "--from", src, "--to", to}, strings.NewReader(""), out, &errb)
		if e := errb.String(); code != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, to) || strings.Contains(e, "partial") {
			t.Fatalf("a copy stopped midway: exit %d, %q %q", code, out.String(), errb.String())
		}
		if _, err := os.Lstat(to); !os.IsNotExist(err) {
			t.Errorf("a stopped copy left %s: %v", to, err)
		}
		if p := partials(t, to); len(p) != 0 {
			t.Errorf("left behind: %v", p)
		}
	})
}

// TestWriteNew_NameTakenMeanwhile: a file that appears at the name given
// while the command writes its own beside it (another export to the same
// --out, say) is never replaced. The name was checked only before the
// write, and the finished file renamed over whatever was there since: two
// exports to one --out, one of them with a lower ceiling, both said they
// wrote it, and the file held the other's pack. Now the command fails with
// one line, leaves that file as it is and no partial file behind.
func TestWriteNew_NameTakenMeanwhile(t *testing.T) {
	db, round := demoRound(t)
	dir := t.TempDir()
	for _, c := range []struct {
		out    string
		args   []string
		advice string
	}{
		{"pack.html", []string{"export", "--db", db, "--round", round, "--ceiling", "RESTRICTED", "--out"}, "choose a new file"},
		{"backup.db", []string{"backup", "--db", db, "--out"}, "choose a new file"},
		{"restored.db", []string{"restore", "--from", db, "--db"}, "pass --force to replace it"},
		{"copy.db", []string{"copy", "--from", db, "--to"}, "copy only into a new database"},
	} {
		out := filepath.Join(dir, c.out)
		theirs := []byte("another command's " + c.out)
		watchSteps(t, func(step string) {
			if step == "written" {
				if err := os.WriteFile(out, theirs, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		})
		o, e, code := runCLI(t, "", append(c.args, out)...)
		if want := "briefpack: " + out + " exists already: " + c.advice + "\n"; code != 1 || e != want || strings.Contains(o, "wrote") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q, want %q", c.args[0], code, o, e, want)
		}
		if !bytes.Equal(mustRead(t, out), theirs) {
			t.Errorf("%s replaced the file that appeared at %s", c.args[0], c.out)
		}
		if p := partials(t, out); len(p) != 0 {
			t.Errorf("%s: left behind %v", c.args[0], p)
		}
	}
}

// TestInUse_SaysWhatToDo: a command refused because a server holds the
// file says, beside that, what to do instead, in one line: before, each
// said only that the file was "in use by another briefpack process".
func TestInUse_SaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	mustAddUser(t, db, "admin")
	st, err := store.Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, "stop the server that holds it, or serve another --db"},
		{[]string{"user", "add", "--db", db, "--name", "second", "--role", "viewer", "--clearance", "SECRET"}, "add the user on that server (its /admin/users page, or POST /api/v1/users), or stop it first"},
		{[]string{"backup", "--db", db, "--out", filepath.Join(dir, "backup.db")}, "download a backup from that server (GET /api/v1/admin/backup), or stop it first"},
		{[]string{"export", "--db", db, "--round", "1", "--out", filepath.Join(dir, "pack.html")}, "download the pack from that server (GET /api/v1/rounds/ID/pack), or stop it first"},
		{[]string{"check", "--db", db}, "stop the server that holds it first"},
		{[]string{"copy", "--from", db, "--to", filepath.Join(dir, "copy.db")}, "stop the server that holds it first"},
		{[]string{"restore", "--from", db, "--db", filepath.Join(dir, "restored.db")}, "stop the server that holds it first"},
	} {
		_, e, code := runCLI(t, "a password of some length\n", tc.args...)
		if code != 1 || !strings.Contains(e, "in use by another briefpack process") || !strings.Contains(e, tc.want) || strings.Count(e, "\n") != 1 {
			t.Errorf("%s: exit %d: %q", strings.Join(tc.args[:1], " "), code, e)
		}
	}
	// So does a server whose address another program listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, e, code := runCLI(t, "", "serve", "--db", filepath.Join(dir, "other.db"), "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(e, "address already in use") || !strings.Contains(e, "choose another with --addr") || strings.Count(e, "\n") != 1 {
		t.Errorf("serve on an address taken: exit %d: %q", code, e)
	}
}

// TestFlags_AnyCase: every flag that takes one of a few words takes it in
// any case, as --ceiling and --clearance take a marking: --format XLSX
// was refused while --ceiling secret was taken. What is written is the
// same as for the word in lower case.
func TestFlags_AnyCase(t *testing.T) {
	db, round := demoRound(t)
	dir := t.TempDir()
	export := func(out string, flags ...string) string {
		t.Helper()
		args := append([]string{"export", "--db", db, "--round", round, "--out", filepath.Join(dir, out)}, flags...)
		stdout, errOut, code := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %q", flags, code, errOut)
		}
		return stdout
	}
	for _, tc := range []struct {
		out   string
		flags []string
		want  string
	}{
		{"upper.xlsx", []string{"--format", "XLSX"}, "wrote the xlsx pack of round " + round + " (full edition"},
		{"mixed.html", []string{"--format", "Html", "--edition", "Full"}, "wrote the html pack of round " + round + " (full edition"},
		{"release.xlsx", []string{"--format", "xlsx", "--edition", "RELEASE"}, "(release edition, marked for release)"},
	} {
		if got := export(tc.out, tc.flags...); !strings.Contains(got, tc.want) {
			t.Errorf("%v: %q", tc.flags, got)
		}
	}
	lower := export("lower.xlsx", "--format", "xlsx", "--edition", "release")
	if b := mustRead(t, filepath.Join(dir, "upper.xlsx")); !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("--format XLSX wrote no workbook: %q", b[:min(len(b), 16)])
	}
	if got := export("again.xlsx", "--format", "XLSX", "--edition", "Release"); got[strings.Index(got, "("):strings.Index(got, ") to ")] != lower[strings.Index(lower, "("):strings.Index(lower, ") to ")] {
		t.Errorf("Release and release: %q, %q", got, lower)
	}

	users := filepath.Join(dir, "au.db")
	out, errOut, code := runCLI(t, "a long enough password for alice\n", "user", "add", "--db", users, "--jurisdiction", "AU",
		"--name", "alice", "--role", "Officer", "--clearance", "official:sensitive")
	if code != 0 || out != "added user alice (officer, cleared to OFFICIAL:Sensitive)\n" {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	st, err := store.OpenReadOnly(users)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Settings(context.Background())
	st.Close()
	if err != nil || s.Jurisdiction != "au" {
		t.Fatalf("--jurisdiction AU made a database of %q: %v", s.Jurisdiction, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e strings.Builder
	served := filepath.Join(dir, "served.db")
	if code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", served, "--jurisdiction", "Au", "--log", "JSON"}, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("exit %d: %q", code, e.String())
	}
	if !strings.HasPrefix(e.String(), "{") || !strings.Contains(o.String(), "(au, Australia)") {
		t.Errorf("--log JSON --jurisdiction Au: stdout %q, stderr %q", o.String(), e.String())
	}
}
