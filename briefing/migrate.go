package briefing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// A Migration changes stored records from one schema version to the next.
//
// Every backend keeps each object, current and past versions alike, as the
// JSON of its domain type, so a migration is a function over that JSON and
// one list serves every backend. When a database is opened the backend runs,
// in order, each migration whose To is above the database's schema version,
// over every record of the kinds it names (current objects and their history),
// and stores the new version in the same transaction: a database is either
// wholly migrated or untouched.
//
// A migration with no Kinds changes no record's JSON but how a backend lays
// its records out (migration 5: history as headers and compressed texts);
// each backend does its own part at that schema version.
type Migration struct {
	// To is the schema version the migration produces.
	To int
	// Name says what it does, for logs and the README.
	Name string
	// Kinds are the kinds of object whose records it rewrites.
	Kinds []string
	// Record rewrites one record of kind: the JSON as stored, returning the
	// new JSON, or the same bytes when there is nothing to change.
	Record func(kind string, raw []byte) ([]byte, error)
	// Prepare, when set, is run first with a way to read every current
	// record of a kind, and returns the Record function to use: for a
	// migration that needs other records (e.g. users by name).
	Prepare func(each func(kind string, fn func(raw []byte) error) error) (func(kind string, raw []byte) ([]byte, error), error)
}

// Migrations is the ordered list of every schema change since the first
// release (schema 1). Append only: a migration that has shipped never changes.
var Migrations = []Migration{
	{To: 2, Name: "agenda items linked to a topic sheet take the sheet's title on output: stored copies are dropped",
		Kinds: []string{KindRound}, Record: dropLinkedAgendaTitles},
	{To: 3, Name: "every paragraph of a topic sheet gets a stable id",
		Kinds: []string{KindSheet}, Record: giveParagraphIDs},
	{To: 4, Name: "a topic sheet's owner is held by user id, not by name",
		Kinds: []string{KindSheet}, Prepare: ownersByID},
	{To: 5, Name: "history keeps a small header of each version apart from its text, and the text compressed: " +
		"a list of versions reads the headers only"},
	{To: 6, Name: "references to an agency that no longer exists are cleared: a person's agency, a round's participating agencies, an action's owner",
		Kinds: []string{KindPerson, KindRound, KindAction}, Prepare: dropDeletedAgencies},
	{To: 7, Name: "every agenda item of a round gets a stable id",
		Kinds: []string{KindRound}, Record: giveAgendaIDs},
	{To: 8, Name: "each database is named once, at random, in its settings (instance): what it publishes, " +
		"such as calendar UIDs, is told apart by the name, not by the address it was asked at"},
	{To: 9, Name: "each saved version of a round or a topic sheet, and the audit record of its save, keeps the lowest clearance " +
		"that sees what the save changed (SeenFrom): a list of versions and the audit log leave out a save that changed nothing the reader sees"},
	{To: 10, Name: "a topic sheet's past is judged by what was marked since: each save that raised a paragraph's marking is kept, " +
		"and a past version shows that paragraph only to a reader cleared for the marking it was raised to; each review keeps " +
		"the marking of the sheet it was made on, and its comment is shown only to a reader cleared for it"},
	{To: 11, Name: "each database keeps a random key, never shown, that seals the audit log's page cursors: they were " +
		"its records' sequence numbers, which count every write, those above the reader too"},
}

// SchemaVersion is the schema this briefpack writes: the last migration's To.
func SchemaVersion() int { return Migrations[len(Migrations)-1].To }

// MigrationsAfter returns the migrations a database at schema version v needs, in order.
func MigrationsAfter(v int) []Migration {
	var out []Migration
	for _, m := range Migrations {
		if m.To > v {
			out = append(out, m)
		}
	}
	return out
}

// dropLinkedAgendaTitles is migration 2: a round's agenda item that names a
// sheet kept a copy of the sheet's title, which a reader who may not see the
// sheet could read. The title is the sheet's own, computed on output.
func dropLinkedAgendaTitles(kind string, raw []byte) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", kind, err)
	}
	agenda, ok := rec["agenda"]
	if !ok {
		return raw, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(agenda, &items); err != nil || items == nil {
		return raw, nil // null or not a list: nothing stored to drop
	}
	changed := false
	for _, it := range items {
		var sheet string
		_ = json.Unmarshal(it["sheet_id"], &sheet)
		if _, has := it["title"]; has && sheet != "" {
			delete(it, "title")
			changed = true
		}
	}
	if !changed {
		return raw, nil
	}
	if rec["agenda"], _ = json.Marshal(items); rec["agenda"] == nil {
		return nil, fmt.Errorf("migrate %s: encode agenda", kind)
	}
	return json.Marshal(rec)
}

// giveParagraphIDs is migration 3: paragraphs get stable ids. An id is made
// from the sheet's id and the paragraph's place, so the same place in every
// stored version of a sheet gets the same id and history lines up.
func giveParagraphIDs(kind string, raw []byte) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", kind, err)
	}
	var sheetID string
	_ = json.Unmarshal(rec["id"], &sheetID)
	var sections []map[string]json.RawMessage
	if err := json.Unmarshal(rec["sections"], &sections); err != nil || sections == nil {
		return raw, nil
	}
	changed := false
	for i, sec := range sections {
		var paras []map[string]json.RawMessage
		if err := json.Unmarshal(sec["paragraphs"], &paras); err != nil {
			continue
		}
		for j, p := range paras {
			var id string
			_ = json.Unmarshal(p["id"], &id)
			if id != "" {
				continue
			}
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d", sheetID, i, j)))
			p["id"], _ = json.Marshal("m" + hex.EncodeToString(sum[:8]))
			changed = true
		}
		if sec["paragraphs"], _ = json.Marshal(paras); sec["paragraphs"] == nil {
			return nil, fmt.Errorf("migrate %s: encode paragraphs", kind)
		}
	}
	if !changed {
		return raw, nil
	}
	rec["sections"], _ = json.Marshal(sections)
	return json.Marshal(rec)
}

// ownersByID is migration 4: a sheet names its owner by user id (owner_id),
// so that a new user given an old user's name does not inherit their
// sheets. The owner named is the user of that name when the database is
// migrated; a name no user has leaves owner_id empty.
func ownersByID(each func(kind string, fn func(raw []byte) error) error) (func(kind string, raw []byte) ([]byte, error), error) {
	ids := map[string]string{} // lower-case name → id
	err := each(KindUser, func(raw []byte) error {
		var u struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		ids[strings.ToLower(u.Name)] = u.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(kind string, raw []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("migrate %s: %w", kind, err)
		}
		if _, done := rec["owner_id"]; done {
			return raw, nil
		}
		var owner string
		_ = json.Unmarshal(rec["owner"], &owner)
		id := ids[strings.ToLower(owner)]
		if id == "" {
			return raw, nil
		}
		rec["owner_id"], _ = json.Marshal(id)
		return json.Marshal(rec)
	}, nil
}

// dropDeletedAgencies is migration 6. Before f22ca08, deleting an agency
// left the people, rounds and actions that named it pointing at nothing,
// and each such object's own GET body was refused by its PUT (422: "must be
// the id of an agency") until someone found and removed a reference the
// pages could not show. Deleting an agency now clears those references in
// the same transaction; this clears the ones left before, in current
// records and their history alike, as that delete would have.
func dropDeletedAgencies(each func(kind string, fn func(raw []byte) error) error) (func(kind string, raw []byte) ([]byte, error), error) {
	exists := map[string]bool{}
	err := each(KindAgency, func(raw []byte) error {
		var a struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		exists[a.ID] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(kind string, raw []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("migrate %s: %w", kind, err)
		}
		gone := func(id string) bool { return id != "" && !exists[id] }
		changed := false
		switch kind {
		case KindPerson, KindAction:
			field := "agency_id"
			if kind == KindAction {
				field = "owner_agency_id"
			}
			var id string
			if v, ok := rec[field]; ok {
				if err := json.Unmarshal(v, &id); err != nil {
					return nil, fmt.Errorf("migrate %s: %s: %w", kind, field, err)
				}
			}
			if gone(id) {
				rec[field], changed = json.RawMessage(`""`), true
			}
		case KindRound:
			var sides []map[string]json.RawMessage
			if v, ok := rec["participating_agencies"]; ok && string(v) != "null" {
				if err := json.Unmarshal(v, &sides); err != nil {
					return nil, fmt.Errorf("migrate %s: participating_agencies: %w", kind, err)
				}
			}
			kept := sides[:0]
			for _, side := range sides {
				var id string
				_ = json.Unmarshal(side["agency_id"], &id)
				if gone(id) {
					changed = true
					continue
				}
				kept = append(kept, side)
			}
			if changed {
				if rec["participating_agencies"], err = json.Marshal(kept); err != nil {
					return nil, err
				}
			}
		}
		if !changed {
			return raw, nil
		}
		return json.Marshal(rec) // as the store wrote it: its texts were escaped by json.Marshal then too
	}, nil
}

// giveAgendaIDs is migration 7: agenda items get stable ids, so a save
// pairs a writer's items with the stored ones by id rather than by guess.
// An id is made from the round's id and what the item is — its sheet, or
// for a plain item its title — and which of the items with that sheet or
// title it is, counted from the start: every stored version gives an item
// the same id as long as it keeps its sheet or title, wherever it has moved
// to (a renamed plain item gets another from the version that renamed it).
// Not from its place, unlike migration 3: a reader who knows the round's id
// could then find from the ids they see where items hidden from them stand.
func giveAgendaIDs(kind string, raw []byte) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", kind, err)
	}
	var roundID string
	_ = json.Unmarshal(rec["id"], &roundID)
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(rec["agenda"], &items); err != nil || items == nil {
		return raw, nil // null or not a list: no item to give an id
	}
	used, count := map[string]bool{}, map[string]int{}
	for _, it := range items {
		var id string
		_ = json.Unmarshal(it["id"], &id)
		used[id] = id != ""
	}
	changed := false
	for i, it := range items {
		var id, sheet, title string
		_ = json.Unmarshal(it["id"], &id)
		if id != "" {
			continue
		}
		_ = json.Unmarshal(it["sheet_id"], &sheet)
		_ = json.Unmarshal(it["title"], &title)
		key := fmt.Sprintf("%s/agenda/sheet/%q", roundID, sheet)
		if sheet == "" {
			key = fmt.Sprintf("%s/agenda/title/%q", roundID, title)
		}
		n := count[key]
		count[key]++
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", key, n)))
		id = "g" + hex.EncodeToString(sum[:8])
		if used[id] { // never met; were it, the item's place settles it
			sum = sha256.Sum256([]byte(fmt.Sprintf("%s/agenda/%d", roundID, i)))
			id = "g" + hex.EncodeToString(sum[:8])
		}
		used[id] = true
		it["id"], _ = json.Marshal(id)
		changed = true
	}
	if !changed {
		return raw, nil
	}
	var err error
	if rec["agenda"], err = json.Marshal(items); err != nil {
		return nil, fmt.Errorf("migrate %s: encode agenda: %w", kind, err)
	}
	return json.Marshal(rec) // as the store wrote it: its texts were escaped by json.Marshal then too
}
