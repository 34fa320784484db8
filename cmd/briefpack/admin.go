package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/store"
)

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user add", "Adds a user who can sign in. The password is read from the first line of\n"+
		"standard input (8 to 1024 characters), e.g.: printf '%s\\n' \"$PW\" | briefpack user add ...", stdout)
	db := fs.String("db", "briefpack.db", "database file; created if missing")
	jur := fs.String("jurisdiction", "", "nz or au, for a new database (default nz)")
	name := fs.String("name", "", "user name (letters, digits, . _ @ -)")
	role := fs.String("role", "", "viewer, officer, lead, secretariat or admin")
	clearance := fs.String("clearance", "", "the highest marking the user may see, e.g. SECRET")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "name", "role", "clearance"); err != nil {
		return err
	}
	pw, err := bufio.NewReader(io.LimitReader(stdin, server.MaxPassword+3)).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read the password from standard input: %w", err)
	}
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" {
		return usageError{"user add: no password on standard input"}
	}
	st, err := store.Open(*db, *jur)
	if err != nil {
		return err
	}
	defer st.Close()
	settings, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	u := &briefing.User{Name: *name, Role: briefing.Role(*role), Clearance: *clearance}
	if err := u.Validate(settings); err != nil {
		return err
	}
	if u.PasswordHash, err = server.HashPassword(pw); err != nil {
		return err
	}
	if err := st.CreateUser(ctx, u, briefing.Actor{Name: "briefpack user add"}); err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added user %s (%s, cleared to %s)\n", u.Name, u.Role, u.Clearance)
	return nil
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "Writes a consistent copy of a database to a new file. For a running server,\n"+
		"use GET /api/v1/admin/backup instead: the server holds the file.", stdout)
	db := fs.String("db", "briefpack.db", "database file to copy")
	out := fs.String("out", "", "file to write; must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "out"); err != nil {
		return err
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("database %s: %w", *db, err)
	}
	st, err := store.Open(*db, "")
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := writeNew(*out, func(w io.Writer) (int64, error) { return st.Backup(w) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", *db, *out, n)
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "Verifies a database file: bbolt's consistency check of every page and briefpack's\n"+
		"own invariants (every index entry points at an object; every object is indexed; every saved\n"+
		"version reads back as its header records). A server's start runs only a quick check.", stdout)
	db := fs.String("db", "briefpack.db", "database file to check")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("database %s: %w", *db, err)
	}
	if err := store.CheckFile(*db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", *db)
	return nil
}

// writeNew writes a file that must not exist yet, through a temporary file
// renamed into place, so a failure never leaves half a file under its name.
func writeNew(path string, write func(io.Writer) (int64, error)) (int64, error) {
	if _, err := os.Stat(path); err == nil {
		return 0, fmt.Errorf("%s exists already: choose a new file", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".briefpack-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return n, nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "Restores a database from a backup file: the backup is checked first (bbolt's\n"+
		"consistency check and briefpack's invariants) and refused if it fails. Stop the server first.", stdout)
	from := fs.String("from", "", "backup file to restore")
	db := fs.String("db", "briefpack.db", "database file to restore into")
	force := fs.Bool("force", false, "replace --db if it exists")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "from"); err != nil {
		return err
	}
	if err := store.CheckFile(*from); err != nil {
		return fmt.Errorf("refusing to restore %s: %w", *from, err)
	}
	if _, err := os.Stat(*db); err == nil {
		if !*force {
			return fmt.Errorf("%s exists: pass --force to replace it", *db)
		}
		// Opening it proves no server holds it.
		st, err := store.Open(*db, "")
		if err != nil {
			return err
		}
		st.Close()
		os.Rename(*db, *db+".before-restore")
	}
	src, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	n, err := writeNew(*db, func(w io.Writer) (int64, error) { return io.Copy(w, src) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (%d bytes)\n", *db, *from, n)
	return nil
}
