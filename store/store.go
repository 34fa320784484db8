// Package store keeps briefpack's data in a bbolt file. It is the only
// package that knows bbolt: it implements the interfaces package briefing
// declares, so another backend can replace it without touching the rest.
package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// schemaVersion is the format of the records; a database written by a newer
// briefpack is refused rather than misread.
const schemaVersion = 1

// Buckets, created once when the database is opened.
var (
	metaBucket      = []byte("meta")
	agencyBucket    = []byte("agencies")
	personBucket    = []byte("people")
	dialogueBucket  = []byte("dialogues")
	roundBucket     = []byte("rounds")
	sheetBucket     = []byte("sheets")
	actionBucket    = []byte("actions")
	userBucket      = []byte("users")
	snapshotBucket  = []byte("snapshots")
	fileBucket      = []byte("snapshot_files")
	historyBucket   = []byte("history")
	auditBucket     = []byte("audit")
	roundsByDlg     = []byte("idx_rounds_by_dialogue")
	sheetsByRound   = []byte("idx_sheets_by_round")
	actionsByDlg    = []byte("idx_actions_by_dialogue")
	snapsByRound    = []byte("idx_snapshots_by_round")
	usersByName     = []byte("idx_users_by_name")
	allBuckets      = [][]byte{metaBucket, agencyBucket, personBucket, dialogueBucket, roundBucket, sheetBucket, actionBucket, userBucket, snapshotBucket, fileBucket, historyBucket, auditBucket, roundsByDlg, sheetsByRound, actionsByDlg, snapsByRound, usersByName}
	keySchema       = []byte("schema")
	keySettings     = []byte("settings")
	errInvalidRecID = errors.New("invalid id")
)

// DB is briefpack's database.
type DB struct {
	db       *bolt.DB
	path     string
	settings briefing.Settings
	// Now is the clock stamped on records; tests may replace it.
	Now func() time.Time
}

// Open opens or creates the database at path. A new database is created
// for jurisdiction ("" means nz) and keeps it for ever; opening an existing
// one with a different jurisdiction is refused. A second process opening
// the same file fails within a second with a clear error.
func Open(path, jurisdiction string) (*DB, error) {
	_, statErr := os.Stat(path)
	isNew := errors.Is(statErr, os.ErrNotExist)
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("database %s is in use by another briefpack process", path)
	} else if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{db: bdb, path: path, Now: time.Now}
	if err := db.init(jurisdiction, isNew); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) init(jurisdiction string, isNew bool) error {
	if err := consistency(db.db); err != nil {
		return fmt.Errorf("database %s fails its consistency check: %w", db.path, err)
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", b, err)
			}
		}
		meta := tx.Bucket(metaBucket)
		if raw := meta.Get(keySchema); raw != nil {
			v, _ := strconv.Atoi(string(raw))
			if v > schemaVersion {
				return fmt.Errorf("database %s was written by a newer briefpack (schema %d; this one reads %d)", db.path, v, schemaVersion)
			}
		} else if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return fmt.Errorf("store: put schema: %w", err)
		}
		if raw := meta.Get(keySettings); raw != nil {
			if err := json.Unmarshal(raw, &db.settings); err != nil {
				return fmt.Errorf("store: read settings: %w", err)
			}
			if jurisdiction != "" && jurisdiction != db.settings.Jurisdiction {
				return briefing.Errorf(briefing.EINVALID, "database %s was created for jurisdiction %s; it cannot be used as %s",
					db.path, db.settings.Jurisdiction, jurisdiction)
			}
			return nil
		}
		if jurisdiction == "" {
			jurisdiction = "nz"
		}
		s, err := briefing.SettingsFor(jurisdiction)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		db.settings = s
		_ = isNew
		return meta.Put(keySettings, raw)
	})
}

// consistency runs bbolt's own check of the file's pages.
func consistency(bdb *bolt.DB) error {
	return bdb.View(func(tx *bolt.Tx) error {
		var errs []string
		for err := range tx.Check() {
			errs = append(errs, err.Error())
			if len(errs) >= 10 {
				break
			}
		}
		if len(errs) > 0 {
			return errors.New(strings.Join(errs, "; "))
		}
		return nil
	})
}

// Close closes the database.
func (db *DB) Close() error {
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Settings returns the settings fixed when the database was created.
func (db *DB) Settings(ctx context.Context) (briefing.Settings, error) {
	return db.settings, nil
}

// Backup writes a consistent copy of the database while it goes on serving.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// itob encodes an id as an 8-byte big-endian key.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// parseID decodes an opaque id; a malformed one is not found.
func parseID(kind, id string) ([]byte, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", kind, id)
	}
	return itob(n), nil
}

func idString(k []byte) string { return strconv.FormatUint(binary.BigEndian.Uint64(k), 10) }

// cursorKey decodes a list cursor: the id of the last item of the previous page.
func cursorKey(after string) ([]byte, error) {
	if after == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(after, 10, 64)
	if err != nil || n == 0 {
		return nil, &briefing.Error{Code: briefing.EINVALID, Message: "the cursor is not valid: use the next value of a list",
			Fields: map[string]string{"cursor": "is not a cursor this list gave"}}
	}
	return itob(n), nil
}

func limitOf(p briefing.Page) int {
	switch {
	case p.Limit <= 0:
		return 100
	case p.Limit > 1000:
		return 1000
	}
	return p.Limit
}

// copyBytes copies a value out of a transaction.
func copyBytes(b []byte) []byte { return append([]byte(nil), b...) }

// hasPrefixKeys reports whether an index bucket holds any key with the prefix.
func hasPrefixKeys(b *bolt.Bucket, prefix []byte) bool {
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

func be64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
