package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"briefpack/briefing"
	"briefpack/server"
	"briefpack/store"
)

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user add", "Adds a user who can sign in. The password is read from the first line of\n"+
		"standard input (8 to 1024 characters), e.g.: printf '%s\\n' \"$PW\" | briefpack user add ...\n"+
		"A password of another length, like a mistake in the flags, is bad usage: exit code 2.\n"+
		"So is one that is not UTF-8 text, which no sign-in could send.", stdout)
	db := fs.String("db", "briefpack.db", dbHelpCreate)
	ef := addEtcdFlags(fs)
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
	// A mistake is refused before the database is opened, so that a refused
	// command neither creates one nor fixes its jurisdiction.
	if *jur != "" {
		if *jur = oneOf(*jur, briefing.Jurisdictions...); *jur == "" {
			return usageError{"user add: --jurisdiction must be nz or au"}
		}
	}
	u := &briefing.User{Name: *name, Role: briefing.Role(strings.ToLower(strings.TrimSpace(*role))), Clearance: *clearance}
	if u.Role.Rank() < 0 {
		return usageError{"user add: --role must be viewer, officer, lead, secretariat or admin"}
	}
	// Read no more than the longest password in bytes and a line's end: a
	// longer line is refused below, never cut to a shorter password.
	pw, err := bufio.NewReader(io.LimitReader(stdin, server.MaxPasswordBytes+3)).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read the password from standard input: %w", err)
	}
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" {
		return usageError{"user add: no password on standard input"}
	}
	// A password of the wrong length, or not text, is a mistake in what was
	// given, as a bad flag is: bad usage.
	if err := server.CheckPasswordRules(pw); err != nil {
		var e *briefing.Error
		if !errors.As(err, &e) || e.Fields["password"] == "" {
			return err
		}
		return usageError{"user add: the password on standard input " + e.Fields["password"]}
	}
	if u.PasswordHash, err = server.HashPassword(pw); err != nil {
		return err
	}
	// The clearance is a marking of the database's jurisdiction: an existing
	// file's own, read without writing it, or the one given, or nz for a
	// file yet to be created, is known before it is opened to write (which
	// may migrate it). A --jurisdiction that is not an existing file's is
	// the mistake to name, not the clearance it makes look wrong. An etcd
	// database without --jurisdiction may not exist yet: only a clearance
	// of no jurisdiction at all is refused before it is opened, and its own
	// is checked once it is open.
	ahead := *jur
	switch {
	case store.IsEtcdURL(*db):
		if ahead == "" {
			if ahead = jurisdictionWith(u.Clearance); ahead == "" {
				return usageError{fmt.Sprintf("user add: --clearance %q is a marking of neither nz nor au", u.Clearance)}
			}
		}
	default:
		if _, err := os.Lstat(*db); errors.Is(err, os.ErrNotExist) {
			if ahead == "" {
				ahead = "nz"
			}
		} else if ro, err := store.OpenReadOnly(*db); err == nil {
			s, err := ro.Settings(ctx)
			if err == nil {
				err = ro.UsableAs(*jur)
			}
			if cerr := ro.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			ahead = s.Jurisdiction
		}
		// A file that does not open read-only is refused by the open below,
		// in its words.
	}
	if ahead != "" {
		s, err := briefing.SettingsFor(ahead)
		if err != nil {
			return err
		}
		if err := validUser(u, s); err != nil {
			return err
		}
	}
	st, err := ef.open(*db, *jur)
	if err != nil {
		return err
	}
	defer st.Close()
	// Said whatever follows: the migration is committed.
	if from := st.MigratedFrom(); from != 0 {
		fmt.Fprintln(stderr, "briefpack: "+upgraded(*db, from, st.Schema()))
	}
	settings, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	if err := validUser(u, settings); err != nil {
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

// validUser checks a user to add against a jurisdiction's settings, taking
// its clearance in any case as the import takes markings; a mistake is one
// of the flags, so bad usage.
func validUser(u *briefing.User, s briefing.Settings) error {
	if m := s.NormalizeMarking(u.Clearance); m != "" {
		u.Clearance = m
	}
	err := u.Validate(s)
	var e *briefing.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var msgs []string
	for field, msg := range e.Fields {
		msgs = append(msgs, "--"+field+" "+msg)
	}
	sort.Strings(msgs)
	return usageError{"user add: " + strings.Join(msgs, "; ")}
}

// jurisdictionWith returns the first jurisdiction of which marking (in any
// case) is a marking, or "".
func jurisdictionWith(marking string) string {
	for _, j := range briefing.Jurisdictions {
		if s, err := briefing.SettingsFor(j); err == nil && s.NormalizeMarking(marking) != "" {
			return j
		}
	}
	return ""
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "Writes a consistent copy of a database to a new bbolt file, and never writes the database\n"+
		"itself: a file on a read-only mount, or one you may read but not write, backs up all the same.\n"+
		"The copy is the database as it stands, its schema included: a backup of a database an older\n"+
		"briefpack wrote, taken before this one first serves it, is a backup from before the upgrade\n"+
		"(this briefpack migrates a database when it opens it to write). For a running server on a\n"+
		"file, use GET /api/v1/admin/backup instead: the server holds the file. An etcd database is\n"+
		"copied as it stood at one revision, while its servers go on serving. The copy's pages are checked\n"+
		"(bbolt's check) before it takes the name --out: a database with a damaged page is not backed up.", stdout)
	db := fs.String("db", "briefpack.db", dbHelpExisting)
	ef := addEtcdFlags(fs)
	out := fs.String("out", "", "file to write; must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "out"); err != nil {
		return err
	}
	if err := mustExist(*db); err != nil {
		return err
	}
	st, err := ef.openExisting(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := writeNew(*out, func(w io.Writer) (int64, error) { return st.Backup(w) },
		func(tmp string) error { return checkBackup(ctx, st, *db, *out, tmp) })
	if err != nil {
		return err
	}
	if v := st.Schema(); v != briefing.SchemaVersion() {
		fmt.Fprintf(stdout, "backed up %s to %s (%d bytes) at schema %d, as an earlier briefpack left it: a backup from before the upgrade to schema %d\n",
			*db, *out, n, v, briefing.SchemaVersion())
		return nil
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", *db, *out, n)
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "Verifies a database: bbolt's consistency check of every page (of a file) and briefpack's\n"+
		"own invariants (every index entry points at an object; every object is indexed; every saved\n"+
		"version reads back as its header records). A server's start runs only a quick check.", stdout)
	db := fs.String("db", "briefpack.db", dbHelpExisting)
	ef := addEtcdFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkDB(ctx, *db, ef); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", *db)
	return nil
}

// afterStep is called between the steps of writing a file into place
// (writeNew, restore): tests look at the directory there, where a crash
// would leave it.
var afterStep = func(step string) {}

// partialPattern names the file a command writes beside path before it is
// renamed to path: ".x.db.briefpack-partial-NNNN" beside x.db. One left
// behind is of a run that was killed: whose it was shows in its name, and
// it is safe to delete (see the README).
func partialPattern(path string) string {
	return "." + filepath.Base(path) + ".briefpack-partial-*"
}

// writeNew writes a file that must not exist yet, through a file beside it
// given its name once whole, so a failure never leaves half a file under
// its name. check, when not nil, is given the file written whole, before it
// takes the name: when it fails, the file is removed and nothing is written.
func writeNew(path string, write func(io.Writer) (int64, error), check func(tmp string) error) (int64, error) {
	// Checked first too, so that a taken name costs no write; publish
	// checks again when it names the file.
	if _, err := os.Lstat(path); err == nil {
		return 0, existsError(path, "choose a new file")
	}
	tmp, n, err := writePartial(path, write)
	if err != nil {
		return 0, err
	}
	if check != nil {
		if err := check(tmp); err != nil {
			os.Remove(tmp)
			return 0, err
		}
	}
	afterStep("written")
	if err := publish(tmp, path, "choose a new file"); err != nil {
		return 0, err
	}
	afterStep("renamed")
	return n, syncDir(path)
}

// publish gives the whole file tmp, written beside path, the name path,
// which must not exist. It links tmp to path rather than renaming it: a
// rename would replace a file that appeared at path while tmp was written
// (another command writing the same --out), where a link fails and leaves
// that file alone. A file system without hard links gets a copy, created
// only if path does not exist. tmp is removed whatever happens; a refusal
// says what to do instead (advice).
func publish(tmp, path, advice string) error {
	err := os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = copyFile(tmp, path)
	}
	if rerr := os.Remove(tmp); err == nil && rerr != nil {
		return fmt.Errorf("create %s: remove the partial file %s beside it: %w", path, tmp, rerr)
	}
	if errors.Is(err, fs.ErrExist) {
		return existsError(path, advice)
	}
	if err != nil {
		return fileError("create", path, tmp, err)
	}
	return nil
}

// existsError refuses to write path, which exists.
func existsError(path, advice string) error {
	return fmt.Errorf("%s exists already: %s", path, advice)
}

// checkBackup checks the pages of the backup of st (db on the command
// line) written to tmp, before it is renamed to out: bbolt copies the
// database's pages as they are, damaged ones too, and a damaged backup
// would be found only when restore refuses it. When it fails, the database
// is checked in turn, and its own damage is what is reported. briefpack's
// invariants are not checked here: that reads every record and saved
// version, several times the cost of the backup (see the README).
func checkBackup(ctx context.Context, st *store.DB, db, out, tmp string) error {
	err := store.CheckPages(tmp)
	if err == nil {
		return nil
	}
	if serr := st.Check(ctx); serr != nil {
		return fmt.Errorf("no backup written to %s: %w", out, serr)
	}
	return fmt.Errorf("no backup written to %s: the copy written fails its check, though %s passes it: %w", out, db, partialNamed(err, tmp, out))
}

// partialNamed is err, met on the partial file tmp, told with the name the
// user gave, path.
func partialNamed(err error, tmp, path string) error {
	return &renamedError{err: err, from: tmp, to: path}
}

type renamedError struct {
	err      error
	from, to string
}

func (e *renamedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.from, e.to) }
func (e *renamedError) Unwrap() error { return e.err }

// writePartial writes a whole file beside path (see partialPattern) and
// syncs it, and returns its name; on failure it leaves nothing.
func writePartial(path string, write func(io.Writer) (int64, error)) (tmp string, n int64, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), partialPattern(path))
	if err != nil {
		return "", 0, fileError("create", path, "", err)
	}
	n, err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, fileError("write", path, f.Name(), err)
	}
	return f.Name(), n, nil
}

// partialName returns a name for a new bbolt file to be written beside
// path and renamed to it (see partialPattern). The name is taken and let go:
// bbolt must create the file itself, for briefpack refuses an empty file as
// damaged, and a name of random digits is nobody else's meanwhile.
func partialName(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), partialPattern(path))
	if err != nil {
		return "", fileError("create", path, "", err)
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return "", fileError("create", path, f.Name(), err)
	}
	return f.Name(), nil
}

// fileError is err, met writing path through the file tmp beside it, told
// with the name the user gave: the partial file's name (or CreateTemp's
// pattern) would only puzzle them.
func fileError(op, path, tmp string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe) && (op == "create" || pe.Path == tmp):
		err = pe.Err
	case errors.As(err, &le) && (le.Old == tmp || le.New == tmp):
		err = le.Err
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}

// syncDir makes the renames and links in path's directory durable.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("sync the directory of %s: %w", path, err)
	}
	defer d.Close()
	// Some file systems cannot sync a directory; what they keep is theirs.
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync the directory of %s: %w", path, err)
	}
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "Restores a database from a backup file: the backup is checked first (bbolt's\n"+
		"consistency check and briefpack's invariants) and refused if it fails, and the copy written beside\n"+
		"--db is checked (its pages, as backup checks its own) before it replaces --db. Stop the server first.", stdout)
	from := fs.String("from", "", "backup file to restore")
	db := fs.String("db", "briefpack.db", "database file to restore into")
	force := fs.Bool("force", false, "replace --db if it exists (even damaged), keeping it as DB.before-restore,\n"+
		"or DB.before-restore.1, .2, … if that name is taken")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "from", "db"); err != nil {
		return err
	}
	if store.IsEtcdURL(*db) {
		return usageError{"restore: into etcd, copy the backup to a new prefix: briefpack copy --from BACKUP --to etcd://host:port/prefix"}
	}
	// The new file is renamed over --db: over a symbolic link it would
	// replace the link and leave the database it leads to as it was, which
	// a server would go on serving. Refused rather than followed, so that
	// restore writes only beside the name it was given.
	if fi, err := os.Lstat(*db); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		to, err := filepath.EvalSymlinks(*db)
		if err != nil {
			to, _ = os.Readlink(*db)
		}
		return fmt.Errorf("refusing to restore into %s: it is a symbolic link (to %s), and restore would replace the link, not the file it leads to; name that file with --db", *db, to)
	}
	if err := store.CheckFile(*from); err != nil {
		return fmt.Errorf("refusing to restore %s: %w", *from, err)
	}
	afterStep("checked")
	src, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = os.Lstat(*db)
	replace := err == nil
	if replace {
		if !*force {
			return fmt.Errorf("%s exists: pass --force to replace it", *db)
		}
		// Only the lock is taken: the file may be damaged, which is why it is
		// being replaced, and is kept as it was, not migrated.
		if err := store.CheckNotInUse(*db); err != nil {
			return err
		}
	}
	// The backup is written whole beside --db and synced first; then the
	// file it replaces is kept under a second name, linked, not moved, so
	// that --db is never missing; then the new file is renamed over it. A
	// crash at any step leaves the old database or the new one at --db,
	// and at worst a partial file or a second name of the old one.
	tmp, n, err := writePartial(*db, func(w io.Writer) (int64, error) { return io.Copy(w, src) })
	if err != nil {
		return err
	}
	if err := checkRestored(*from, *db, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	afterStep("written")
	kept := ""
	if replace {
		if kept, err = keepAside(*db); err != nil {
			os.Remove(tmp)
			return err
		}
		afterStep("kept")
		if err := os.Rename(tmp, *db); err != nil {
			os.Remove(tmp)
			os.Remove(kept) // the database it was to replace is still at --db
			return fileError("replace", *db, tmp, err)
		}
	} else if err := publish(tmp, *db, "pass --force to replace it"); err != nil {
		// A file that appeared at --db meanwhile is not replaced without --force.
		return err
	}
	afterStep("renamed")
	if err := syncDir(*db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (%d bytes)\n", *db, *from, n)
	if kept != "" {
		fmt.Fprintf(stdout, "kept the database it replaced as %s\n", kept)
	}
	return nil
}

// checkRestored checks the pages of the copy of the backup from written
// to tmp, as backup checks the copy it writes, before it takes the name db:
// what was checked before is the backup, and the copy is what will be
// served. The backup may have changed since its check (a new backup being
// written under its name), or the disk have kept other bytes. When the copy
// fails, the backup is checked again, and its own damage is what is reported.
func checkRestored(from, db, tmp string) error {
	err := store.CheckPages(tmp)
	if err == nil {
		return nil
	}
	if ferr := store.CheckPages(from); ferr != nil {
		return fmt.Errorf("refusing to restore %s: it changed after its check, and now fails it; %s is left as it was: %w", from, db, ferr)
	}
	return fmt.Errorf("refusing to restore %s: the copy written beside %s fails its check, though %s passes it; %s is left as it was: %w",
		from, db, from, db, partialNamed(err, tmp, "(the copy)"))
}

// keepAside gives a database file a second name, the first of
// <db>.before-restore, <db>.before-restore.1, .2, … that is free, so that
// an earlier restore's kept copy is never overwritten, and returns it. The
// name is a hard link, made without a moment when db itself is missing; a
// file system without links gets a copy.
func keepAside(db string) (string, error) {
	for i := 0; i < 1000; i++ {
		name := db + ".before-restore"
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		err := os.Link(db, name)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			err = copyFile(db, name)
		}
		switch {
		case err == nil:
			return name, nil
		case !errors.Is(err, fs.ErrExist):
			return "", fmt.Errorf("keep %s as %s: %w", db, name, err)
		}
	}
	return "", fmt.Errorf("keep %s aside: %s.before-restore.1 to .999 are all taken: remove some", db, db)
}

// copyFile copies a file to a new one, synced.
func copyFile(from, to string) (err error) {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
	}
	return err
}

// mustExist refuses a database file that is not there; an etcd address is
// tried when opened.
func mustExist(db string) error {
	if store.IsEtcdURL(db) {
		return nil
	}
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("database %s: %w", db, err)
	}
	return nil
}

// checkDB checks a database file read-only, or an etcd database in place.
func checkDB(ctx context.Context, db string, ef *etcdFlags) error {
	if !store.IsEtcdURL(db) {
		if err := mustExist(db); err != nil {
			return err
		}
		return store.CheckFile(db)
	}
	st, err := ef.openExisting(db)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Check(ctx)
}

func runCopy(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("copy", "Copies a whole database to a new one, between backends or within one: a bbolt file to\n"+
		"an etcd cluster and back. The source is read as it stood at one moment and checked first; the\n"+
		"destination must hold no records (a new file, or an unused etcd prefix), and is checked on arrival.\n"+
		"The source is never written: one an older briefpack wrote is copied through a private copy\n"+
		"migrated to this briefpack's schema (in the temporary directory), and stays as it was.\n"+
		"A copy into a file is written beside --to under a name of its own and renamed to it once whole\n"+
		"and checked: a copy that does not finish leaves no file at --to. One into etcd that does not finish\n"+
		"(stopped, killed) leaves a prefix every command refuses, saying how to clear it. Stop the\n"+
		"servers of a file first; servers on etcd may go on serving the source (a copy whose revision\n"+
		"etcd compacts meanwhile starts again at the latest, three times at most).", stdout)
	from := fs.String("from", "", "database to copy: a bbolt file or etcd://host:port[,…][/prefix]")
	to := fs.String("to", "", "database to create: a new bbolt file or an unused etcd://…/prefix")
	ef := addEtcdFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "from", "to"); err != nil {
		return err
	}
	if err := checkDB(ctx, *from, ef); err != nil {
		return fmt.Errorf("refusing to copy %s: %w", *from, err)
	}
	if !store.IsEtcdURL(*to) {
		if _, err := os.Lstat(*to); err == nil {
			return existsError(*to, "copy only into a new database")
		}
	}
	src, err := ef.openCurrent(*from, stdout)
	if err != nil {
		return err
	}
	defer src.Close()
	settings, err := src.Settings(ctx)
	if err != nil {
		return err
	}
	// A new file is written beside --to and renamed to it only once whole
	// and checked, so that a copy killed midway leaves no file there, only a
	// partial one (see partialPattern). An etcd prefix cannot be renamed: a
	// copy into one is marked as unfinished until its last write (store.Copy).
	target, told := *to, func(err error) error { return err }
	if !store.IsEtcdURL(*to) {
		if target, err = partialName(*to); err != nil {
			return err
		}
		told = func(err error) error { return partialNamed(err, target, *to) }
		defer func() {
			if err != nil {
				os.Remove(target) // after dst's Close, deferred below
			}
		}()
	}
	dst, err := ef.open(target, settings.Jurisdiction)
	if err != nil {
		return told(err)
	}
	defer dst.Close()
	total := 0
	err = store.Copy(ctx, src, dst, func(bucket string, n int) {
		if bucket == "" {
			// etcd compacted the revision read: what was written is
			// emptied out, and the copy starts again.
			total = 0
			fmt.Fprintf(stdout, "etcd compacted the revision being copied: starting again at the latest (try %d, of three at most)\n", n)
			return
		}
		total += n
		if n > 0 {
			fmt.Fprintf(stdout, "  %-24s %7d records\n", bucket, n)
		}
	})
	if err != nil {
		return told(err)
	}
	if err := dst.Check(ctx); err != nil {
		return fmt.Errorf("the copy in %s fails its check: %w", *to, told(err))
	}
	if err := dst.Close(); err != nil {
		return told(err)
	}
	if target != *to {
		afterStep("written")
		if err := publish(target, *to, "copy only into a new database"); err != nil {
			return err
		}
		if err := syncDir(*to); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "copied %s to %s (%d records), and checked it\n", *from, *to, total)
	return nil
}
