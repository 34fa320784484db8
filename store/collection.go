package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"briefpack/briefing"
)

// collection stores one kind of object: its bucket, and for objects that
// belong to a parent (a round's dialogue, a sheet's round) the parent's
// bucket and the index of children by parent.
type collection[T any, P interface {
	*T
	briefing.Object
}] struct {
	kind   string
	bucket []byte
	// parentOf and setParent reach the parent id; nil for top-level kinds.
	parentOf     func(P) string
	setParent    func(P, string)
	parentKind   string
	parentBucket []byte
	index        []byte
	// encode and decode default to JSON of T.
	encode func(P) ([]byte, error)
	decode func([]byte) (P, error)
	// beforePut checks an object against the stored one (nil on create) inside
	// the write's transaction, e.g. uniqueness.
	beforePut func(tx *bolt.Tx, obj, old P) error
	// afterDelete cleans up after a deletion inside its transaction.
	afterDelete func(tx *bolt.Tx, old P) error
	// children are index buckets whose entries under an object's key block its deletion.
	children []child
}

type child struct {
	index []byte
	what  string
}

func (c *collection[T, P]) enc(obj P) ([]byte, error) {
	if c.encode != nil {
		return c.encode(obj)
	}
	return json.Marshal(obj)
}

func (c *collection[T, P]) dec(raw []byte) (P, error) {
	if c.decode != nil {
		return c.decode(raw)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return P(&v), nil
}

func (c *collection[T, P]) get(tx *bolt.Tx, id string) (P, error) {
	key, err := parseID(c.kind, id)
	if err != nil {
		return nil, err
	}
	raw := tx.Bucket(c.bucket).Get(key)
	if raw == nil {
		return nil, briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", c.kind, id)
	}
	obj, err := c.dec(raw)
	if err != nil {
		return nil, fmt.Errorf("store: decode %s %s: %w", c.kind, id, err)
	}
	return obj, nil
}

// list returns a page of the collection in id order, or of one parent's
// children when parentID is set.
func (c *collection[T, P]) list(tx *bolt.Tx, parentID string, p briefing.Page) ([]P, string, error) {
	after, err := cursorKey(p.After)
	if err != nil {
		return nil, "", err
	}
	limit := limitOf(p)
	var out []P
	var next string
	visit := func(id []byte) (bool, error) {
		if len(out) == limit {
			next = out[len(out)-1].GetMeta().ID
			return false, nil
		}
		raw := tx.Bucket(c.bucket).Get(id)
		if raw == nil {
			return true, nil
		}
		obj, err := c.dec(raw)
		if err != nil {
			return false, fmt.Errorf("store: decode %s %s: %w", c.kind, idString(id), err)
		}
		out = append(out, obj)
		return true, nil
	}
	if parentID == "" {
		cur := tx.Bucket(c.bucket).Cursor()
		k, _ := cur.First()
		if after != nil {
			k, _ = cur.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, _ = cur.Next()
			}
		}
		for ; k != nil; k, _ = cur.Next() {
			if more, err := visit(k); err != nil {
				return nil, "", err
			} else if !more {
				break
			}
		}
		return out, next, nil
	}
	pkey, err := parseID(c.parentKind, parentID)
	if err != nil {
		return nil, "", err
	}
	if tx.Bucket(c.parentBucket).Get(pkey) == nil {
		return nil, "", briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", c.parentKind, parentID)
	}
	cur := tx.Bucket(c.index).Cursor()
	start := pkey
	if after != nil {
		start = append(copyBytes(pkey), after...)
	}
	for k, _ := cur.Seek(start); k != nil && bytes.HasPrefix(k, pkey); k, _ = cur.Next() {
		if after != nil && bytes.Equal(k[8:], after) {
			continue
		}
		if more, err := visit(k[8:]); err != nil {
			return nil, "", err
		} else if !more {
			break
		}
	}
	return out, next, nil
}

// put writes an object's record, its history entry and its audit entry.
func (c *collection[T, P]) put(tx *bolt.Tx, key []byte, obj P, op string, from int, by briefing.Actor) error {
	raw, err := c.enc(obj)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", c.kind, err)
	}
	m := obj.GetMeta()
	if err := tx.Bucket(c.bucket).Put(key, raw); err != nil {
		return fmt.Errorf("store: put %s %s: %w", c.kind, m.ID, err)
	}
	if err := putHistory(tx, c.kind, key, m.Version, m.UpdatedAt, by, false, raw); err != nil {
		return err
	}
	return putAudit(tx, m.UpdatedAt, by, op, c.kind, m.ID, from, m.Version)
}

func (c *collection[T, P]) create(tx *bolt.Tx, obj P, by briefing.Actor, now time.Time) error {
	var pkey []byte
	if c.parentOf != nil {
		var err error
		if pkey, err = parseID(c.parentKind, c.parentOf(obj)); err != nil {
			return err
		}
		if tx.Bucket(c.parentBucket).Get(pkey) == nil {
			return briefing.Errorf(briefing.ENOTFOUND, "%s %s not found", c.parentKind, c.parentOf(obj))
		}
	}
	if c.beforePut != nil {
		if err := c.beforePut(tx, obj, nil); err != nil {
			return err
		}
	}
	seq, err := tx.Bucket(c.bucket).NextSequence()
	if err != nil {
		return fmt.Errorf("store: next %s id: %w", c.kind, err)
	}
	key := itob(seq)
	*obj.GetMeta() = briefing.Meta{ID: idString(key), Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: by.Name}
	if pkey != nil {
		if err := tx.Bucket(c.index).Put(append(copyBytes(pkey), key...), nil); err != nil {
			return fmt.Errorf("store: index %s %s: %w", c.kind, idString(key), err)
		}
	}
	return c.put(tx, key, obj, "create", 0, by)
}

func (c *collection[T, P]) update(tx *bolt.Tx, obj P, by briefing.Actor, now time.Time) error {
	m := obj.GetMeta()
	old, err := c.get(tx, m.ID)
	if err != nil {
		return err
	}
	om := old.GetMeta()
	if m.Version != om.Version {
		return briefing.Errorf(briefing.ESTALE, "%s %s is at version %d, not %d: someone saved it after you read it", c.kind, m.ID, om.Version, m.Version)
	}
	if c.parentOf != nil {
		c.setParent(obj, c.parentOf(old))
	}
	if c.beforePut != nil {
		if err := c.beforePut(tx, obj, old); err != nil {
			return err
		}
	}
	key, _ := parseID(c.kind, m.ID)
	*m = briefing.Meta{ID: om.ID, Version: om.Version + 1, CreatedAt: om.CreatedAt, UpdatedAt: now, UpdatedBy: by.Name}
	return c.put(tx, key, obj, "update", om.Version, by)
}

func (c *collection[T, P]) delete(tx *bolt.Tx, id string, version int, by briefing.Actor, now time.Time) error {
	old, err := c.get(tx, id)
	if err != nil {
		return err
	}
	om := old.GetMeta()
	if version > 0 && version != om.Version {
		return briefing.Errorf(briefing.ESTALE, "%s %s is at version %d, not %d: someone saved it after you read it", c.kind, id, om.Version, version)
	}
	key, _ := parseID(c.kind, id)
	for _, ch := range c.children {
		if hasPrefixKeys(tx.Bucket(ch.index), key) {
			return briefing.Errorf(briefing.ECONFLICT, "%s %s still has %s: delete them first", c.kind, id, ch.what)
		}
	}
	if err := tx.Bucket(c.bucket).Delete(key); err != nil {
		return fmt.Errorf("store: delete %s %s: %w", c.kind, id, err)
	}
	if c.parentOf != nil {
		pkey, err := parseID(c.parentKind, c.parentOf(old))
		if err == nil {
			if err := tx.Bucket(c.index).Delete(append(pkey, key...)); err != nil {
				return fmt.Errorf("store: unindex %s %s: %w", c.kind, id, err)
			}
		}
	}
	if c.afterDelete != nil {
		if err := c.afterDelete(tx, old); err != nil {
			return err
		}
	}
	if err := putHistory(tx, c.kind, key, om.Version+1, now, by, true, nil); err != nil {
		return err
	}
	return putAudit(tx, now, by, "delete", c.kind, id, om.Version, 0)
}

// historyRecord is one saved version of an object.
type historyRecord struct {
	At      time.Time       `json:"at"`
	By      string          `json:"by"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func historyPrefix(kind string, key []byte) []byte {
	return append(append([]byte(kind), 0), key...)
}

func putHistory(tx *bolt.Tx, kind string, key []byte, version int, at time.Time, by briefing.Actor, deleted bool, data []byte) error {
	rec := historyRecord{At: at, By: by.Name, Deleted: deleted}
	if data != nil {
		rec.Data = json.RawMessage(data)
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	k := append(historyPrefix(kind, key), itob(uint64(version))...)
	if err := tx.Bucket(historyBucket).Put(k, raw); err != nil {
		return fmt.Errorf("store: put history of %s %s: %w", kind, idString(key), err)
	}
	return nil
}

func putAudit(tx *bolt.Tx, at time.Time, by briefing.Actor, op, kind, id string, from, to int) error {
	b := tx.Bucket(auditBucket)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("store: audit sequence: %w", err)
	}
	raw, err := json.Marshal(briefing.AuditRecord{Seq: seq, At: at, UserID: by.UserID, UserName: by.Name, Op: op, Kind: kind,
		ObjectID: id, FromVersion: from, ToVersion: to})
	if err != nil {
		return err
	}
	if err := b.Put(itob(seq), raw); err != nil {
		return fmt.Errorf("store: put audit: %w", err)
	}
	return nil
}
