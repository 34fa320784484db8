package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/server"
)

// resource describes one kind of object for the generic JSON handlers:
// how to read it through the reader's view, check it, and write it.
type resource[T briefing.Object] struct {
	kind string
	// path returns the object's URL, for Location.
	path  func(id string) string
	fresh func() T
	// get reads one object through the view (ENOTFOUND when hidden).
	get func(v *view, id string) (T, error)
	// list reads a page through the view; parent is the path's parent id.
	list func(v *view, parent string, p briefing.Page) ([]T, string, error)
	// prepare validates an object about to be written and checks it against
	// the writer; old is the stored object on update, the zero T on create.
	prepare func(v *view, obj, old T) error
	create  func(v *view, obj T) error
	update  func(v *view, obj T) error
	delete  func(v *view, id string, version int) error
	// unsent, if set, gives an update's object what its body left out and
	// is to be kept as old has it (body is the request's): a withholding
	// or a marking (see leftout.go).
	unsent func(body []byte, obj, old T)
	// parent sets the parent id of a new or updated object from the path or the stored object.
	parent func(obj T, id string)
	// parentOf returns the stored parent id of an object.
	parentOf func(obj T) string
	// output prepares an object for the reader (computed fields), if needed.
	output func(v *view, obj T) (T, error)
	// warnings are what a write should point out without refusing it,
	// answered in Warning headers (RFC 9111 code 199).
	warnings func(v *view, obj T) ([]string, error)
	// told, if set, adds to an update's answer headers saying what the
	// write changed that its body did not ask for; obj is as written, old
	// the reader's copy it was written over.
	told func(h http.Header, obj, old T)
}

// warn adds the write's warnings to the answer.
func (r *resource[T]) warn(c echo.Context, v *view, obj T) error {
	if r.warnings == nil {
		return nil
	}
	ws, err := r.warnings(v, obj)
	if err != nil {
		return err
	}
	for _, w := range ws {
		c.Response().Header().Add("Warning", `199 briefpack "`+strings.ReplaceAll(w, `"`, "'")+`"`)
	}
	return nil
}

func (r *resource[T]) out(v *view, obj T) (T, error) {
	if r.output == nil {
		return obj, nil
	}
	return r.output(v, obj)
}

// handleList is GET on a collection.
func (r *resource[T]) handleList(s *API, param string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := page(c)
		if err != nil {
			return err
		}
		v := s.view(c)
		items, next, err := r.list(v, c.Param(param), p)
		if err != nil {
			return err
		}
		for i := range items {
			if items[i], err = r.out(v, items[i]); err != nil {
				return err
			}
		}
		return list(c, items, next)
	}
}

// handleGet is GET on one object, with its ETag.
func (r *resource[T]) handleGet(s *API) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := s.view(c)
		obj, err := r.get(v, c.Param("id"))
		if err != nil {
			return err
		}
		if obj, err = r.out(v, obj); err != nil {
			return err
		}
		return one(c, http.StatusOK, obj.GetMeta().Version, obj)
	}
}

// handleCreate is POST on a collection: 201, Location and the new object.
func (r *resource[T]) handleCreate(s *API, param string) echo.HandlerFunc {
	return func(c echo.Context) error {
		obj := r.fresh()
		if err := decode(c, obj); err != nil {
			return err
		}
		*obj.GetMeta() = briefing.Meta{}
		if r.parent != nil {
			r.parent(obj, c.Param(param))
		}
		var zero T
		out, err := r.save(c, s.view(c), obj, zero, r.create)
		if err != nil {
			return err
		}
		return created(c, r.path(obj.GetMeta().ID), obj.GetMeta().Version, out)
	}
}

// save checks an object, writes it, adds the write's warnings and returns
// the reader's copy: the common part of a create and an update.
func (r *resource[T]) save(c echo.Context, v *view, obj, old T, write func(*view, T) error) (T, error) {
	var zero T
	if err := r.prepare(v, obj, old); err != nil {
		return zero, err
	}
	if err := write(v, obj); err != nil {
		return zero, err
	}
	if err := r.warn(c, v, obj); err != nil {
		return zero, err
	}
	return r.out(v, obj)
}

// handleUpdate is PUT on one object: If-Match names the version it was
// read at; computed fields and ids in the body are ignored.
func (r *resource[T]) handleUpdate(s *API) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := s.view(c)
		id := c.Param("id")
		old, err := r.get(v, id)
		if err != nil {
			return err
		}
		asked, err := ifMatch(c)
		if err != nil {
			return err
		}
		version, err := heldTo(asked, old.GetMeta().Version, r.kind, id)
		if err != nil {
			return err
		}
		obj := r.fresh()
		body, err := server.DecodeBody(c, obj)
		if err != nil {
			return err
		}
		if r.unsent != nil {
			r.unsent(body, obj, old)
		}
		*obj.GetMeta() = briefing.Meta{ID: id, Version: version}
		if r.parent != nil {
			r.parent(obj, r.parentOf(old))
		}
		out, err := r.save(c, v, obj, old, r.update)
		if err != nil {
			return err
		}
		if r.told != nil {
			r.told(c.Response().Header(), obj, old)
		}
		return one(c, http.StatusOK, obj.GetMeta().Version, out)
	}
}

// handleDelete is DELETE on one object: 204; If-Match is optional.
//
// The delete is held to the version read and checked (heldTo): made with
// no version, it removed whatever was stored by then, so a sheet a SECRET
// officer's merge had just given a paragraph was deleted by a RESTRICTED
// officer whom the check, made a moment before, had let delete it, and the
// merge, answered 200, was lost. Without If-Match (or with *), it is read,
// checked and tried again if a save came between.
func (r *resource[T]) handleDelete(s *API, check func(v *view, old T) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := s.view(c)
		id := c.Param("id")
		old, err := r.get(v, id)
		if err != nil {
			return err
		}
		asked, err := optionalIfMatch(c)
		if err != nil {
			return err
		}
		for try := 1; ; try++ {
			version, err := heldTo(asked, old.GetMeta().Version, r.kind, id)
			if err != nil {
				return err
			}
			if check != nil {
				if err := check(v, old); err != nil {
					return err
				}
			}
			err = r.delete(v, id, version)
			if asked != 0 || try == deleteTries || briefing.ErrorCode(err) != briefing.ESTALE {
				if err != nil {
					return err
				}
				return c.NoContent(http.StatusNoContent)
			}
			if old, err = r.get(v, id); err != nil {
				return err
			}
		}
	}
}

// deleteTries bounds how often a delete without If-Match reads and checks
// its object again when saves keep coming between; after the last, it is
// answered 412 as any stale write is.
const deleteTries = 3

// heldTo returns the version a write is made against: the version read and
// checked. If-Match naming any other (asked > 0) is stale — one ahead of
// it too, which a save landing between the check and the write would make
// match, and the write would go over what was never checked; none, or *
// (asked 0 or -1), is the version read.
func heldTo(asked, read int, kind, id string) (int, error) {
	if asked > 0 && asked != read {
		return 0, briefing.Stale(kind, id, read, asked)
	}
	return read, nil
}

// register adds the collection and item routes of a top-level resource.
func (r *resource[T]) register(s *API, collection, item string, read, write briefing.Role) {
	s.route(http.MethodGet, collection, read, r.handleList(s, ""))
	s.route(http.MethodPost, collection, write, r.handleCreate(s, ""))
	r.registerItem(s, item, read, write, write, nil)
}

// registerItem adds GET, PUT and DELETE on one object.
func (r *resource[T]) registerItem(s *API, item string, read, write, del briefing.Role, delCheck func(*view, T) error) {
	s.route(http.MethodGet, item, read, r.handleGet(s))
	s.route(http.MethodPut, item, write, r.handleUpdate(s))
	s.route(http.MethodDelete, item, del, r.handleDelete(s, delCheck))
}
