// Package store keeps briefpack's data in a bbolt file. It is the only
// package that knows bbolt: it implements the interfaces package briefing
// declares, so another backend can replace it without touching the rest.
package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// schemaVersion is the format of the records; a database written by a newer
// briefpack is refused rather than misread, and an older one is migrated.
var schemaVersion = briefing.SchemaVersion()

// Buckets, all created once when a database is opened.
var (
	metaBucket     = []byte("meta") // schema version and settings
	agencyBucket   = []byte("agencies")
	personBucket   = []byte("people")
	dialogueBucket = []byte("dialogues")
	roundBucket    = []byte("rounds")
	sheetBucket    = []byte("sheets")
	actionBucket   = []byte("actions")
	userBucket     = []byte("users")
	snapshotBucket = []byte("snapshots")
	commentBucket  = []byte("comments")
	presenceBucket = []byte("presence")        // kind + 0 + id + 0 + user name → time (RFC 3339)
	sessionBucket  = []byte("sessions")        // token hash → briefing.Session
	attemptBucket  = []byte("signin_attempts") // limiter key → window start (8 bytes, Unix ns) + count (8 bytes)
	draftBucket    = []byte("drafts")          // user id + 0 + sheet id → briefing.Draft
	fileBucket     = []byte("snapshot_files")  // snapshot id (8 bytes) + format → bytes
	releaseBucket  = []byte("releases")
	releaseFiles   = []byte("release_files")  // release id (8 bytes) + format → bytes
	historyBucket  = []byte("history")        // kind + 0 + id (8 bytes) + version (8 bytes) → header (history.go)
	historyBodies  = []byte("history_bodies") // the same key → the version's JSON, compressed (history.go)
	auditBucket    = []byte("audit")          // sequence (8 bytes) → briefing.AuditRecord

	// Indexes of children by parent: parent id (8 bytes) + child id (8 bytes) → nothing.
	roundsByDialogue  = []byte("idx_rounds_by_dialogue")
	sheetsByRound     = []byte("idx_sheets_by_round")
	actionsByDialogue = []byte("idx_actions_by_dialogue")
	snapshotsByRound  = []byte("idx_snapshots_by_round")
	commentsBySheet   = []byte("idx_comments_by_sheet")
	releasesByRound   = []byte("idx_releases_by_round")
	// The unique index of user names: lower-case name → user id (8 bytes).
	usersByName = []byte("idx_users_by_name")
)

// allBuckets lists every bucket of a briefpack database.
var allBuckets = [][]byte{metaBucket, agencyBucket, personBucket, dialogueBucket, roundBucket, sheetBucket, actionBucket,
	userBucket, snapshotBucket, fileBucket, historyBucket, auditBucket, commentBucket, presenceBucket, commentsBySheet, sessionBucket,
	roundsByDialogue, sheetsByRound, actionsByDialogue, snapshotsByRound, usersByName,
	releaseBucket, releaseFiles, releasesByRound, historyBodies, attemptBucket, draftBucket, raisedBucket}

// Keys of the meta bucket.
var (
	keySchemaVersion = []byte("schema")   // decimal schema version
	keySettings      = []byte("settings") // JSON of briefing.Settings
	// keyUnfinishedCopy marks a database that a copy is being written into
	// (see Copy): what the copy is of, and when it began.
	keyUnfinishedCopy = []byte("unfinished_copy")
	// keyCursorKey is the random key that seals the audit log's page
	// cursors (see sealCursor), made with the database (migration 11).
	keyCursorKey = []byte("cursor_key")
)

const (
	// defaultTimeout is how long Open waits for a file another process holds.
	defaultTimeout = time.Second
	// defaultJurisdiction is the jurisdiction of a database created without one.
	defaultJurisdiction = "nz"
)

// ErrInUse is reported (via errors.Is) when another process holds the
// database file.
var ErrInUse = errors.New("database is in use by another briefpack process")

// inUseError names the file another process holds.
type inUseError struct{ path string }

func (e *inUseError) Error() string {
	return fmt.Sprintf("database %s is in use by another briefpack process", e.path)
}

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// Options tune Open; the zero value is the default.
type Options struct {
	// Timeout is how long Open waits for another process to let go of the
	// file before failing with ErrInUse; zero means one second.
	Timeout time.Duration
}

// DB is briefpack's database. It implements briefing.Store and is safe for
// concurrent use.
type DB struct {
	kv kv
	// group commits the writes that arrive while one is committing, in
	// one transaction after it (see groupCommit); nil when read-only.
	group    *groupCommit
	path     string
	settings briefing.Settings
	// schema is the schema version the database is stored at: this
	// briefpack's, except in a database opened to read only (OpenReadOnly).
	schema int
	// migratedFrom is the schema version the open found the database at
	// when it migrated it (MigratedFrom); 0 when it migrated nothing.
	migratedFrom int
	// readOnly is a database opened to read it and never write it.
	readOnly bool
	// tmpDir, when set, holds the database's file and goes when it closes
	// (MigratedCopy).
	tmpDir string

	// Now is the clock stamped on records; tests may replace it before use.
	Now func() time.Time

	// presence wakes those waiting on a bbolt file's presence records (on
	// etcd, the watch's: see presenceHub).
	presence presenceHub
}

var _ briefing.Store = (*DB)(nil)

// timeoutOf is how long an open waits for another process's lock on the
// file: the last Options.Timeout given, else defaultTimeout.
func timeoutOf(opts []Options) time.Duration {
	timeout := defaultTimeout
	for _, o := range opts {
		if o.Timeout > 0 {
			timeout = o.Timeout
		}
	}
	return timeout
}

// Open opens the database at path, creating it if it does not exist. A new
// database is created for jurisdiction ("" means nz) and keeps it for ever;
// opening an existing one with a different jurisdiction is EINVALID, and ""
// accepts whatever it was created with. A second process opening the same
// file fails after Options.Timeout with ErrInUse. The file must be whole (its
// meta pages valid, its length what they say) and pass a quick check of its
// buckets' first and last pages, whose cost does not grow with the file;
// bbolt's full consistency check and briefpack's invariants are Check's. A
// database of a newer schema is refused.
func Open(path, jurisdiction string, opts ...Options) (*DB, error) {
	timeout := timeoutOf(opts)
	// Refuse a bad jurisdiction before the file is created, not after.
	if jurisdiction != "" {
		if _, err := briefing.SettingsFor(jurisdiction); err != nil {
			return nil, err
		}
	}
	// The file is mapped a gigabyte at a time, as etcd maps its own, so that
	// a growing file (a frozen pack adds megabytes) is not remapped, with
	// every node in memory copied out of the old map, at each commit; the
	// map is address space, not memory. Free pages are kept in a map, which
	// finds room without scanning a list.
	bdb, err := openBolt(path, &bolt.Options{Timeout: timeout, InitialMmapSize: 1 << 30, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, err
	}
	db := &DB{kv: &boltKV{db: bdb, path: path}, path: path, Now: time.Now}
	db.group = &groupCommit{db: db}
	if err := db.init(jurisdiction); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// OpenReadOnly opens the existing database file at path to read it, and
// never writes it: not to migrate it, not to add a bucket, not to commit an
// empty transaction. A file on a read-only mount, or one the process may
// read but not write, opens all the same. It takes bbolt's shared lock: it
// fails with ErrInUse after Options.Timeout while a server holds the file,
// and other readers may hold it alongside. The file is checked as Open
// checks it, and a database of a newer schema, or a copy that did not
// finish, is refused. One an older briefpack wrote is opened as it stands,
// at its own schema (Schema): Backup copies it so; to read its records, read
// a MigratedCopy.
func OpenReadOnly(path string, opts ...Options) (*DB, error) {
	bdb, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: timeoutOf(opts)})
	if err != nil {
		return nil, err
	}
	db := &DB{kv: &boltKV{db: bdb, path: path}, path: path, Now: time.Now, readOnly: true}
	if err := db.initReadOnly(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// openBolt opens the bbolt file, telling a busy file from a broken one.
// Opening reads the freelist's page through the map: a fault there is a
// damaged file too (see readDamage).
func openBolt(path string, o *bolt.Options) (bdb *bolt.DB, err error) {
	if err := checkWhole(path); err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if err = readDamage(path, r); err == nil {
				panic(r)
			}
		}
	}()
	bdb, err = bolt.Open(path, 0o600, o)
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, &inUseError{path}
	} else if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return bdb, nil
}

// init checks the file, creates the buckets of a new database with the
// settings of its jurisdiction, and reads the settings of an existing one.
func (db *DB) init(jurisdiction string) error {
	return db.update(context.Background(), func(tx kvTx) error {
		// The full check reads every page, which grows with the file: it is
		// briefpack check's. Opening checks what every start relies on.
		if err := quickCheck(tx); err != nil {
			return fmt.Errorf("database %s is damaged or is not a briefpack database: %w", db.path, err)
		}
		if err := db.initBuckets(tx); err != nil {
			return err
		}
		var err error
		db.settings, err = initSettings(tx, db.path, jurisdiction)
		db.schema = schemaVersion
		return err
	})
}

// initReadOnly checks a database opened to read only as init does, its
// buckets and settings included (whole: a reader met a lost bucket as a nil
// one), and reads its schema version and settings, in a read transaction.
func (db *DB) initReadOnly() (err error) {
	tx, err := db.begin(context.Background(), false)
	if err != nil {
		return err
	}
	defer end(tx, &err)
	if err := quickCheck(tx); err != nil {
		return fmt.Errorf("database %s is damaged or is not a briefpack database: %w", db.path, err)
	}
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		return fmt.Errorf("database %s is not a briefpack database", db.path)
	}
	if db.schema, err = db.storedSchema(meta); err != nil {
		return err
	}
	if err := db.whole(tx, db.schema); err != nil {
		return err
	}
	db.settings, err = readSettings(meta, db.path, "")
	return err
}

// initBuckets creates the buckets and the schema version of a new database,
// and checks and migrates an existing one. An existing database is never
// given a bucket or settings it lost: that is damage, refused (whole), for
// a database made anew would serve as empty, or in another jurisdiction,
// what was lost. Only the buckets a later release added (laterBuckets) are
// made, in a database an older briefpack wrote, as it is migrated.
func (db *DB) initBuckets(tx kvTx) error {
	path := db.path
	db.migratedFrom = 0 // a transaction run again may find it migrated by another server
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		// A bbolt file with buckets but no meta bucket belongs to some other program.
		if err := tx.ForEach(func([]byte, kvBucket) error { return errNotBriefpack }); err != nil {
			return fmt.Errorf("database %s is not a briefpack database", path)
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		if err := tx.Bucket(metaBucket).Put(keySchemaVersion, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return fmt.Errorf("store: put schema version: %w", err)
		}
		return nil
	}
	v, err := db.storedSchema(meta)
	if err != nil {
		return err
	}
	if err := db.whole(tx, v); err != nil {
		return err
	}
	if err := migrate(tx, v); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if v < schemaVersion {
		db.migratedFrom = v
		for _, name := range laterBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
	}
	return nil
}

// whole refuses an existing database at schema v that lacks a bucket or
// its settings, in the words of Check: one an older briefpack wrote may
// lack only the buckets added since (laterBuckets), one at this schema
// none.
func (db *DB) whole(tx kvTx, v int) error {
	if lacked := lackedBuckets(tx, v); len(lacked) > 0 {
		return fmt.Errorf("database %s is damaged: it lacks the %s bucket", db.path, lacked[0])
	}
	if tx.Bucket(metaBucket).Get(keySettings) == nil {
		return fmt.Errorf("database %s is damaged: it lacks its settings", db.path)
	}
	return nil
}

var errNotBriefpack = errors.New("not a briefpack database")

// storedSchema returns the schema version of an existing database, refusing
// one a newer briefpack wrote and a copy that did not finish.
func (db *DB) storedSchema(meta kvBucket) (int, error) {
	v, err := readSchemaVersion(meta)
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", db.path, err)
	}
	if v > schemaVersion {
		return 0, fmt.Errorf("database %s was written by a newer briefpack (schema %d; this one reads up to %d)", db.path, v, schemaVersion)
	}
	if raw := meta.Get(keyUnfinishedCopy); raw != nil {
		return 0, fmt.Errorf("database %s %w", db.path, unfinishedCopy(raw, db.clearHint()))
	}
	return v, nil
}

func readSchemaVersion(meta kvBucket) (int, error) {
	raw := meta.Get(keySchemaVersion)
	if raw == nil {
		return 0, errors.New("no schema version: not a briefpack database")
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("malformed schema version %q", raw)
	}
	return v, nil
}

// initSettings writes the settings of a new database and reads those of an
// existing one, refusing a different jurisdiction. Every briefpack wrote
// the settings with the meta bucket: an existing database without them is
// refused before (whole).
func initSettings(tx kvTx, path, jurisdiction string) (briefing.Settings, error) {
	meta := tx.Bucket(metaBucket)
	if meta.Get(keySettings) != nil {
		// Named by migration 8 if it was made before databases were named.
		return readSettings(meta, path, jurisdiction)
	}
	if jurisdiction == "" {
		jurisdiction = defaultJurisdiction
	}
	s, err := briefing.SettingsFor(jurisdiction)
	if err != nil {
		return s, err
	}
	if err := keepCursorKey(meta); err != nil {
		return s, err
	}
	return s, putSettings(meta, &s)
}

// readSettings reads an existing database's settings, refusing a different
// jurisdiction; it writes nothing, so a database opened to read only is
// read as it stands, named or not.
func readSettings(meta kvBucket, path, jurisdiction string) (briefing.Settings, error) {
	var s briefing.Settings
	if err := json.Unmarshal(meta.Get(keySettings), &s); err != nil {
		return s, fmt.Errorf("store: read settings of %s: %w", path, err)
	}
	return s, usableAs(path, s, jurisdiction)
}

// UsableAs refuses jurisdiction ("" is any) for a database created for
// another, as Open refuses it: an open to read only takes none, so that a
// command can tell before it opens the database to write.
func (db *DB) UsableAs(jurisdiction string) error {
	return usableAs(db.path, db.settings, jurisdiction)
}

func usableAs(path string, s briefing.Settings, jurisdiction string) error {
	if jurisdiction != "" && jurisdiction != s.Jurisdiction {
		return &briefing.Error{Code: briefing.EINVALID,
			Message: fmt.Sprintf("database %s was created for jurisdiction %s and cannot be used as %s: the command that creates a database fixes its jurisdiction",
				path, s.Jurisdiction, jurisdiction),
			Fields: map[string]string{"jurisdiction": "must be " + s.Jurisdiction + " for this database"}}
	}
	return nil
}

// putSettings names the database if it has no name yet and writes its settings.
func putSettings(meta kvBucket, s *briefing.Settings) error {
	if s.Instance == "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("store: name the database: %w", err)
		}
		s.Instance = hex.EncodeToString(b)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store: encode settings: %w", err)
	}
	if err := meta.Put(keySettings, raw); err != nil {
		return fmt.Errorf("store: put settings: %w", err)
	}
	return nil
}

// Close closes the database, and removes the file of a MigratedCopy.
func (db *DB) Close() error {
	err := db.kv.close()
	if db.tmpDir != "" {
		if rerr := os.RemoveAll(db.tmpDir); err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Schema returns the schema version the database is stored at: this
// briefpack's (briefing.SchemaVersion), unless it was opened to read only
// as an older briefpack left it.
func (db *DB) Schema() int { return db.schema }

// MigratedFrom returns the schema version the database was at when it was
// opened to write and migrated to this briefpack's (Schema), or 0 when the
// open migrated nothing: a new database, or one at this schema already. An
// older briefpack no longer opens a database it migrated; the store says
// nothing of it itself, its caller tells the person who opened it.
func (db *DB) MigratedFrom() int { return db.migratedFrom }

// MigratedCopy returns a private copy of the database migrated to this
// briefpack's schema, for reading one an older briefpack wrote without
// writing it: the database as it stood at one moment (as Backup copies it),
// in a bbolt file in a new temporary directory, which the copy's Close
// removes. The copy's messages name the database it was made from.
func (db *DB) MigratedCopy() (_ *DB, err error) {
	dir, err := os.MkdirTemp("", "briefpack-migrated-")
	if err != nil {
		return nil, fmt.Errorf("store: migrate a copy of %s: %w", db.path, err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	path := filepath.Join(dir, "migrated.db")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: migrate a copy of %s: %w", db.path, err)
	}
	_, err = db.Backup(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("store: migrate a copy of %s: %w", db.path, err)
	}
	m, err := Open(path, "")
	if err != nil {
		return nil, fmt.Errorf("store: migrate a copy of %s: %w", db.path, err)
	}
	m.path, m.tmpDir = db.path, dir
	return m, nil
}

// Path returns the file the database is kept in.
func (db *DB) Path() string { return db.path }

// Settings returns the settings fixed when the database was created.
func (db *DB) Settings(ctx context.Context) (briefing.Settings, error) {
	s := db.settings
	// The caller gets its own slices: the settings never change.
	s.Markings = slices.Clone(s.Markings)
	s.Grounds = slices.Clone(s.Grounds)
	s.PortionMarks = slices.Clone(s.PortionMarks)
	return s, nil
}

// Backup writes a consistent copy of the database to w while it goes on
// serving, and returns the number of bytes written.
// The copy is a bbolt file whatever the backend: of an etcd database, every
// bucket as it stood at one revision.
func (db *DB) Backup(w io.Writer) (int64, error) {
	bk, ok := db.kv.(*boltKV)
	if !ok {
		return db.backupByCopy(context.Background(), w)
	}
	tx, err := bk.db.Begin(false)
	if err != nil {
		return 0, fmt.Errorf("store: begin backup: %w", err)
	}
	defer tx.Rollback()
	n, err := tx.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("store: backup %s: %w", db.path, err)
	}
	return n, nil
}

// begin starts a transaction unless the request has gone away. Write
// transactions go through update, which runs them again when another
// server committed first.
func (db *DB) begin(ctx context.Context, writable bool) (kvTxn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return db.kv.begin(ctx, writable)
}

// update runs fn in a write transaction and commits it. When the commit
// loses to another server's (etcd only: a bbolt file has one writer), fn is
// run again in a new transaction, which sees that server's write (on etcd,
// in a turn of its own once it has lost a few: see etcdWriter): fn must
// leave nothing behind outside the transaction that a second run would
// repeat. fn's own errors are returned as they are. On a bbolt file, fn
// may share its transaction with the writes that arrived with it, and run
// again if one of them fails (groupCommit).
func (db *DB) update(ctx context.Context, fn func(kvTx) error) error {
	if db.readOnly {
		return fmt.Errorf("store: database %s was opened to read only", db.path)
	}
	if db.group != nil && !inTurn(ctx) {
		return db.group.run(ctx, fn)
	}
	return db.updateAlone(ctx, fn)
}

// updateAlone is update in a transaction of fn's own.
func (db *DB) updateAlone(ctx context.Context, fn func(kvTx) error) error {
	if w, ok := db.kv.(writerKV); ok {
		var end func()
		var err error
		if ctx, end, err = w.writer(ctx, ctx); err != nil {
			return err
		}
		defer end()
	}
	for {
		err := db.attempt(ctx, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
	}
}

// attempt runs fn once in a write transaction and commits it; the
// transaction ends whatever happens, a panic in fn included, so that the
// writer's lock is never left held.
func (db *DB) attempt(ctx context.Context, fn func(kvTx) error) error {
	tx, err := db.begin(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after a commit, nothing
	err = fn(tx)
	if f := tx.failure(); f != nil {
		err = f // what fn made of a failed read is beside the point
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		if errors.Is(err, errRetry) {
			return err
		}
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// now is the time stamped on a write.
func (db *DB) now() time.Time { return db.Now().UTC() }

// itob encodes an id or a version as an 8-byte big-endian key.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// btoi decodes an 8-byte big-endian key; anything else is 0.
func btoi(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// idString returns the opaque id users see for an 8-byte key.
func idString(k []byte) string { return strconv.FormatUint(btoi(k), 10) }

// parseKey decodes an opaque id: the decimal of a sequence, written without
// sign or leading zeros. ok is false for anything else.
func parseKey(id string) ([]byte, bool) {
	if id == "" || len(id) > 20 || id[0] == '0' {
		return nil, false
	}
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, false
	}
	return itob(n), true
}

// notFound is the error for an id of kind that is not stored.
func notFound(kind, id string) error {
	if _, ok := parseKey(id); ok {
		return briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", kind, id)
	}
	return briefing.Errorf(briefing.ENOTFOUND, "%s %q not found", kind, id)
}

// keyOf decodes an id of kind; a malformed one is simply not found.
func keyOf(kind, id string) ([]byte, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(kind, id)
	}
	return k, nil
}

// cursorKey decodes a list cursor: the id of the last item of the previous
// page. The first page has none.
func cursorKey(after string) ([]byte, error) {
	if after == "" {
		return nil, nil
	}
	k, ok := parseKey(after)
	if !ok {
		return nil, &briefing.Error{Code: briefing.EINVALID, Message: "the cursor is not valid: use the next value a list returned",
			Fields: map[string]string{"cursor": "is not a cursor this list gave"}}
	}
	return k, nil
}

// Page sizes.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

func limitOf(p briefing.Page) int {
	switch {
	case p.Limit <= 0:
		return defaultLimit
	case p.Limit > maxLimit:
		return maxLimit
	}
	return p.Limit
}

// join returns a new slice holding the parts one after another, so keys
// built from a shared prefix never alias.
func join(parts ...[]byte) []byte {
	var n int
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
