package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// Decode reads a JSON request body into v: 415 unless it is JSON, 413 over
// the limit, 400 for malformed JSON or a value of the wrong type (naming the
// field). Unknown fields are ignored, so the body GET returned is accepted.
func Decode(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return Errorf(codeUnsupportedMedia, "the request body must be JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return Errorf(codeBadRequest, "the request body must hold one JSON value")
	}
	return nil
}

// checkJSONText refuses what encoding/json would accept silently and
// change: invalid UTF-8 and unpaired surrogate escapes (both read as
// U+FFFD, so the text stored would not be the text sent) and an object that
// names a key twice (the last would win unseen).
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return Errorf(codeBadRequest, "the request body is not valid UTF-8 text")
	}
	if i := loneSurrogate(body); i >= 0 {
		return Errorf(codeBadRequest, fmt.Sprintf("the request body holds an unpaired surrogate escape (at byte %d): it is not valid Unicode text", i))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if key, err := duplicateKey(dec, "", 0); errors.Is(err, errTooDeep) {
		return Errorf(codeBadRequest, fmt.Sprintf("the request body nests arrays and objects more than %d deep", maxJSONDepth))
	} else if err != nil {
		return nil // malformed JSON: Decode explains it
	} else if key != "" {
		return &briefing.Error{Code: codeBadRequest, Message: fmt.Sprintf("%s is given twice in the request body", key),
			Fields: map[string]string{key: "is given twice"}}
	}
	return nil
}

// loneSurrogate returns the offset of a \uD800–\uDFFF escape that is not
// half of a pair, or -1.
func loneSurrogate(b []byte) int {
	hex4 := func(i int) (uint16, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return uint16(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\\' {
			i++ // an escaped backslash
			continue
		}
		u, ok := hex4(i)
		if !ok {
			continue
		}
		switch {
		case u >= 0xD800 && u <= 0xDBFF:
			if lo, ok := hex4(i + 6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return i
		case u >= 0xDC00 && u <= 0xDFFF:
			return i
		}
		i += 5
	}
	return -1
}

// duplicateKey walks one JSON value and returns the path of the first key an
// object gives twice, or "".
func duplicateKey(dec *json.Decoder, path string, depth int) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		// Each level holds its path while the levels under it are read: a
		// body of nothing but brackets cost memory in the square of its
		// depth (40 KB of them, 600 MB), before any sign-in.
		if depth++; depth > maxJSONDepth {
			return "", errTooDeep
		}
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", err
			}
			key, _ := kt.(string)
			p := key
			if path != "" {
				p = path + "." + key
			}
			if seen[key] {
				return p, nil
			}
			seen[key] = true
			if dup, err := duplicateKey(dec, p, depth); err != nil || dup != "" {
				return dup, err
			}
		}
		_, err = dec.Token()
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if dup, err := duplicateKey(dec, path+"["+strconv.Itoa(i)+"]", depth); err != nil || dup != "" {
				return dup, err
			}
		}
		_, err = dec.Token()
	}
	return "", err
}

// maxJSONDepth is how deep a request body may nest arrays and objects:
// briefpack's deepest (a sheet's sections' paragraphs) is four.
const maxJSONDepth = 32

var errTooDeep = errors.New("nested too deep")

// jsonError explains a decoding error in one line, with the field where known.
func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return Errorf(codeBadRequest, "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(codeBadRequest, "the request body is cut short: it is not complete JSON")
	case errors.As(err, &se):
		return Errorf(codeBadRequest, fmt.Sprintf("the request body is not valid JSON (at byte %d)", se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return Errorf(codeBadRequest, "the request body must be a JSON object")
		}
		return &briefing.Error{Code: codeBadRequest, Message: fmt.Sprintf("%s must be a JSON %s", field, jsonKind(te.Type.Kind().String())),
			Fields: map[string]string{field: "must be a JSON " + jsonKind(te.Type.Kind().String())}}
	}
	return Errorf(codeBadRequest, "the request body could not be read as JSON")
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice", k == "array":
		return "array"
	case k == "struct", k == "map":
		return "object"
	case k == "bool":
		return "boolean"
	}
	return k
}

// IfMatch returns the version a write is made against, from If-Match: 428
// without it, and 412 for a value that is no version (it matches nothing).
// "*" matches the current version, returned as -1.
func IfMatch(c echo.Context) (int, error) {
	v := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if v == "" {
		return 0, Errorf(codePreconditionRequired, "send If-Match with the ETag you read, so a newer save is not overwritten")
	}
	if v == "*" {
		return -1, nil
	}
	v = strings.TrimPrefix(v, "W/")
	n, err := strconv.Atoi(strings.Trim(v, `"`))
	if err != nil || n < 1 {
		return 0, Errorf(briefing.ESTALE, "If-Match "+strconv.Quote(v)+" matches no version of this object")
	}
	return n, nil
}

// OptionalIfMatch is ifMatch for DELETE, where the header may be left out (0).
func OptionalIfMatch(c echo.Context) (int, error) {
	if c.Request().Header.Get("If-Match") == "" {
		return 0, nil
	}
	v, err := IfMatch(c)
	if v < 0 {
		v = 0
	}
	return v, err
}

func ETag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// One writes an object with its ETag.
func One(c echo.Context, status int, version int, v any) error {
	c.Response().Header().Set("ETag", ETag(version))
	return c.JSON(status, v)
}

// Created writes a new object: 201, Location, ETag and the object.
func Created(c echo.Context, location string, version int, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return One(c, http.StatusCreated, version, v)
}

// listBody is the shape of every list.
type listBody[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func List[T any](c echo.Context, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, listBody[T]{Items: items, Next: next})
}

// PageParams reads ?limit= and ?cursor= (or ?next=, ?after=, ?page=): 400 for a bad limit.
func PageParams(c echo.Context) (briefing.Page, error) {
	p := briefing.Page{Limit: 100}
	// The cursor is the "next" of the page before; it is accepted under the
	// names clients commonly give it.
	for _, name := range []string{"cursor", "next", "after", "page"} {
		if v := c.QueryParam(name); v != "" {
			p.After = v
			break
		}
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return p, &briefing.Error{Code: codeBadRequest, Message: "limit must be a number from 1 to 1000",
				Fields: map[string]string{"limit": "must be a number from 1 to 1000"}}
		}
		p.Limit = n
	}
	return p, nil
}

// eachPage calls fn for every item of a paged list until fn says stop.
func EachPage[T any](fetch func(briefing.Page) ([]T, string, error), fn func(T) (bool, error)) error {
	p := briefing.Page{Limit: 500}
	for {
		items, next, err := fetch(p)
		if err != nil {
			return err
		}
		for _, it := range items {
			if more, err := fn(it); err != nil || !more {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}
