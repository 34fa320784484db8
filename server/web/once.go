package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// A form that makes something — a topic sheet, a round, an agenda item, a
// snapshot, a release, a comment, a copy into the next round — carries an
// id of its own (the field "once", a new one each time the page is sent),
// and is acted on once for it. Sent twice (a second click before the page
// changed, which the pages' script prevents but a browser without it does
// not, or the back button and the same form again), it made two: two
// snapshots, two releases of one request, kept for good, the same item
// twice on the agenda. The id is reserved in the store, as sign-in
// attempts are counted, so that every server refuses the second sending
// alike; a sending refused or failed gives it back, to be corrected and
// sent again.

// onceField is the name of a form's own id.
const onceField = "once"

// onceWindow is how long a form's id is held after it was sent: at least
// as long as a sign-in's window, when the store drops those that ended.
const onceWindow = time.Hour

// newOnce is a form's own id, for the template function "once".
func newOnce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the platform is broken; nothing safe to do
	}
	return hex.EncodeToString(b[:])
}

// once acts on a form carrying its own id only the first time it is sent:
// a second sending is answered with the page it came from, told so. A
// preview ("op" preview) makes nothing and is not counted. The id is read
// as the handlers read their fields, whatever the form's encoding: read
// only from a urlencoded one, the same form sent twice as multipart was
// acted on twice. A form without an id (one that makes nothing, or the
// import's) is acted on each time.
func (s *Pages) once(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.FormValue(onceField)
		r, signed := reader(c)
		if id == "" || len(id) > 64 || !signed || c.FormValue("op") == "preview" {
			return h(c)
		}
		key := "form\x00" + r.UserID + "\x00" + id
		ctx := c.Request().Context()
		first, _, err := s.store.ReserveAttempt(ctx, key, 1, onceWindow, s.now())
		if err != nil {
			return err
		}
		if !first {
			flash(c, "warning", "That form had already been sent, so it was not acted on again. What its first sending did, if it succeeded, is shown below.")
			return c.Redirect(http.StatusSeeOther, s.formPage(c.Request()))
		}
		err = h(c)
		if err != nil || c.Response().Status >= 400 || c.Get(refusedKey) != nil {
			// Refused or failed, it may be corrected and sent again. The
			// request's own context may have ended with it.
			if rerr := s.store.ReleaseAttempt(context.WithoutCancel(ctx), key); rerr != nil {
				s.logger(c).Warn("give back a form's id", "err", rerr.Error())
			}
		}
		return err
	}
}

// refusedKey marks a request whose form was refused with nothing done,
// though answered with a redirect (refused).
const refusedKey = "briefpack.form-refused"

// refused tells the user, on the next page, that their form was refused
// and nothing was done: its id is given back, so that the same form may
// be sent again once what refused it has changed. A form answered so
// kept its id, and a second sending was told it had been sent already.
func refused(c echo.Context, text string) {
	c.Set(refusedKey, true)
	flash(c, "error", text)
}
