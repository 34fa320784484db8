package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// Transport-level error codes, beside the domain's.
const (
	codeBadRequest           = "bad_request"
	codeTooLarge             = "too_large"
	codeUnsupportedMedia     = "unsupported_media_type"
	codePreconditionRequired = "precondition_required"
	codeRateLimited          = "rate_limited"
	codeMethodNotAllowed     = "method_not_allowed"
	codeNotAcceptable        = "not_acceptable"
	codeHeaderTooLarge       = "header_too_large"
)

// statusOf is the one place an error code becomes an HTTP status.
var statusOf = map[string]int{
	briefing.EINVALID:        http.StatusUnprocessableEntity,
	briefing.ENOTFOUND:       http.StatusNotFound,
	briefing.ECONFLICT:       http.StatusConflict,
	briefing.ESTALE:          http.StatusPreconditionFailed,
	briefing.EFORBIDDEN:      http.StatusForbidden,
	briefing.EUNAUTHORIZED:   http.StatusUnauthorized,
	briefing.EINTERNAL:       http.StatusInternalServerError,
	briefing.EUNAVAILABLE:    http.StatusServiceUnavailable,
	codeBadRequest:           http.StatusBadRequest,
	codeTooLarge:             http.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	codePreconditionRequired: http.StatusPreconditionRequired,
	codeRateLimited:          http.StatusTooManyRequests,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	codeNotAcceptable:        http.StatusNotAcceptable,
	codeHeaderTooLarge:       http.StatusRequestHeaderFieldsTooLarge,
}

// codeOfStatus turns the statuses echo itself answers into our codes.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            codeBadRequest,
	http.StatusUnauthorized:          briefing.EUNAUTHORIZED,
	http.StatusForbidden:             briefing.EFORBIDDEN,
	http.StatusNotFound:              briefing.ENOTFOUND,
	http.StatusMethodNotAllowed:      codeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: codeTooLarge,
	http.StatusUnsupportedMediaType:  codeUnsupportedMedia,
	http.StatusTooManyRequests:       codeRateLimited,
}

type errorBody struct {
	Error errorDetail `json:"error"`
	// Conflicts repeats the merge conflicts at the top level, for clients
	// that look for them beside the error rather than in it.
	Conflicts []briefing.Conflict `json:"conflicts,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fields is always there, empty when no field is at fault, as the
	// contract's error shape has it: a client may read it unguarded.
	Fields map[string]string `json:"fields"`
	// Conflicts are a merge's overlapping changes: path, base, theirs, mine.
	Conflicts []briefing.Conflict `json:"conflicts,omitempty"`
}

// Errorf returns a domain-style error with a transport code.
func Errorf(code, msg string) error { return &briefing.Error{Code: code, Message: msg} }

// statusClientGone is the status logged for a request whose client went
// away before it was answered (nginx's "client closed request"); no client
// is there to read it.
const statusClientGone = 499

// handleError is echo's HTTPErrorHandler: every error leaves the server as
// the contract's body; internal errors are logged with the request id and
// shown only as "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) && errors.Is(c.Request().Context().Err(), context.Canceled) {
		// The client went away (a closed tab, an editor's held question
		// given up, a dropped connection) and what was under way gave up
		// with it: nothing is wrong with the server, and nobody reads the
		// answer. Logged as what it is, with nginx's 499 for the access
		// log, not as an internal error among those that are.
		s.logger(c).Info("client went away before the answer", "path", c.Request().URL.Path)
		c.Response().WriteHeader(statusClientGone)
		return
	}
	code, msg, fields := briefing.ErrorCode(err), briefing.ErrorMessage(err), briefing.ErrorFields(err)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = codeOfStatus[he.Code]
		if code == "" {
			code = briefing.EINTERNAL
		}
		msg = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code != http.StatusInternalServerError {
			msg = m
		}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code, msg, fields = codeTooLarge, "the request body is larger than the limit", nil
	}
	// The router lists the methods it has routes for; a GET route answers
	// HEAD too (headAsGet).
	if allow := c.Response().Header().Get(echo.HeaderAllow); strings.Contains(allow, http.MethodGet) && !strings.Contains(allow, http.MethodHead) {
		c.Response().Header().Set(echo.HeaderAllow, allow+", "+http.MethodHead)
	}
	status, ok := statusOf[code]
	if !ok {
		code, status = briefing.EINTERNAL, http.StatusInternalServerError
	}
	log := s.logger(c)
	switch {
	case status == http.StatusServiceUnavailable:
		// The store is out of reach: said as it is, and when to try again.
		log.Error("store unavailable", "err", err.Error())
		c.Response().Header().Set("Retry-After", "5")
		fields = nil
	case status >= 500:
		log.Error("internal error", "err", err.Error())
		msg, fields = "internal error", nil
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		log.Warn("access refused", "status", status, "code", code, "reason", msg)
	case status == http.StatusNotFound:
		// Absent, or above the reader's clearance: the answer does not say which, the log line is kept.
		log.Info("not found or above clearance", "path", c.Request().URL.Path, "reason", msg)
	}
	if code == briefing.EINTERNAL {
		msg = "internal error"
	}
	if s.ErrorPage != nil && !isAPI(c) && c.Request().URL.Path != "/healthz" && s.ErrorPage(c, status, msg) {
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	c.Response().WriteHeader(status)
	var conflicts []briefing.Conflict
	var be *briefing.Error
	if errors.As(err, &be) && status == http.StatusConflict {
		conflicts = be.Conflicts
	}
	if fields == nil {
		fields = map[string]string{}
	}
	_ = json.NewEncoder(c.Response()).Encode(errorBody{Error: errorDetail{Code: code, Message: msg, Fields: fields, Conflicts: conflicts}, Conflicts: conflicts})
}
