package briefing

import (
	"errors"
	"fmt"
)

// Error codes. The server maps each to one HTTP status in one place.
const (
	EINVALID      = "invalid"             // bad input: 400 or 422 with field messages
	ENOTFOUND     = "not_found"           // absent, or above the reader's clearance: 404
	ECONFLICT     = "conflict"            // the request clashes with what is stored: 409
	ESTALE        = "precondition_failed" // the version written against is not the stored one: 412
	EFORBIDDEN    = "forbidden"           // role or clearance refuses the action: 403
	EUNAUTHORIZED = "unauthorized"        // no valid session or token: 401
	EUNAVAILABLE  = "unavailable"         // the store did not answer in time (a cluster without a quorum): 503
	EINTERNAL     = "internal"            // anything else; its text never leaves the server
)

// ErrStoreFull is in the chain of an error (EUNAVAILABLE) of a write the
// store refused because it has no room left (an etcd cluster past its
// quota): it reads on, and what need not be written may go without.
var ErrStoreFull = errors.New("the database is full")

// ErrMovedOn is in the chain of an error (EUNAVAILABLE) of a read the
// store can no longer answer as of the moment a request's reads are pinned
// to (ReadPin): an etcd cluster compacted it meanwhile. The request's
// reads, made again from a new pin, read the data as it is by then.
var ErrMovedOn = errors.New("the database moved on from the moment being read")

// Error is briefpack's one error type: a code for programs, a message for
// people, and per-field reasons for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Conflicts are a merge's overlapping changes (code ECONFLICT).
	Conflicts []Conflict
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("briefpack error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode reports the code of err, or EINTERNAL for anything that is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage reports the message of err, or "internal error" for anything
// that is not an *Error, so no infrastructure detail reaches a reader.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields reports the field messages of err, if it is an *Error.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// fieldErrors collects per-field validation messages.
type fieldErrors map[string]string

func (f fieldErrors) add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// err returns nil when no field failed, else an EINVALID error naming them.
func (f fieldErrors) err(what string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: what + " is not valid", Fields: map[string]string(f)}
}

// StillHas is the message of a delete refused while the object has
// dependents of a kind (what): to be deleted first, or, for snapshots and
// releases, which are never deleted, kept for good with it.
func StillHas(kind, id, what string) string {
	if what == "snapshots" || what == "releases" {
		return fmt.Sprintf("%s %s has %s, which are kept for good: it cannot be deleted", kind, id, what)
	}
	return fmt.Sprintf("%s %s still has %s: delete them first", kind, id, what)
}

// Stale is the error of a write that named another version than the
// stored one: one saved since (the usual case), or one that never was.
func Stale(kind, id string, stored, given int) error {
	if given > stored {
		return Errorf(ESTALE, "%s %s is at version %d, not %d: there is no version %d yet", kind, id, stored, given, given)
	}
	return Errorf(ESTALE, "%s %s is at version %d, not %d: it was saved after you read it", kind, id, stored, given)
}
