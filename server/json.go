package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// Decode reads a JSON request body into v: 415 unless it is JSON, 413 over
// the limit, 400 for malformed JSON or a value of the wrong type (naming the
// field). Unknown fields are ignored, so the body GET returned is accepted.
func Decode(c echo.Context, v any) error {
	_, err := DecodeBody(c, v)
	return err
}

// DecodeBody is Decode, and returns the body read, for a caller that must
// also know which fields it held.
func DecodeBody(c echo.Context, v any) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, Errorf(codeUnsupportedMedia, "the request body must be JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, jsonError(err, nil, nil)
	}
	if err := checkJSONText(body); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return nil, jsonError(err, body, v)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, Errorf(codeBadRequest, "the request body must hold one JSON value")
	}
	if bytes.Contains(body, []byte(`\r`)) || bytes.Contains(body, []byte(`\u000d`)) || bytes.Contains(body, []byte(`\u000D`)) {
		lineEnds(reflect.ValueOf(v)) // a carriage return, however it is written
	}
	return body, nil
}

// lineEnds ends every line of text in a decoded body with "\n", as a form
// sends it to the pages and an import reads it: a paragraph sent with
// "\r\n" (a client on Windows) would otherwise differ from the same text
// as every other way in writes it, and show as a change, or a conflict, at
// the next merge or import that did not touch it. A password is not text
// but a secret, kept exactly as sent.
func lineEnds(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if e := v.Elem(); e.Kind() == reflect.String && v.Kind() == reflect.Interface {
			if v.CanSet() && strings.Contains(e.String(), "\r\n") {
				v.Set(reflect.ValueOf(strings.ReplaceAll(e.String(), "\r\n", "\n")))
			}
		} else {
			lineEnds(e)
		}
	case reflect.String:
		if v.CanSet() && strings.Contains(v.String(), "\r\n") {
			v.SetString(strings.ReplaceAll(v.String(), "\r\n", "\n"))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.IsExported() && !strings.Contains(strings.ToLower(name+f.Name), "password") {
				lineEnds(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			lineEnds(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Interface && !e.IsNil() {
				e = e.Elem()
			}
			if e.Kind() == reflect.String {
				if strings.Contains(e.String(), "\r\n") {
					v.SetMapIndex(k, reflect.ValueOf(strings.ReplaceAll(e.String(), "\r\n", "\n")).Convert(v.Type().Elem()))
				}
				continue
			}
			lineEnds(e)
		}
	}
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
			p := memberPath(path, key)
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
			if dup, err := duplicateKey(dec, elemPath(path, i), depth); err != nil || dup != "" {
				return dup, err
			}
		}
		_, err = dec.Token()
	}
	return "", err
}

// memberPath and elemPath name a value within a body as the client wrote
// it ("sections[0].paragraphs[1].marking"), for every walk of a body here.
func memberPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func elemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// maxJSONDepth is how deep a request body may nest arrays and objects:
// briefpack's deepest (a sheet's sections' paragraphs) is four.
const maxJSONDepth = 32

var errTooDeep = errors.New("nested too deep")

// jsonError explains a decoding error of body into v in one line, with the
// field where known, named by its path in the body as the client wrote it
// ("sections[0].paragraphs[1].marking"), never by a Go name.
func jsonError(err error, body []byte, v any) error {
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
		if te.Field == "" {
			return Errorf(codeBadRequest, "the request body must be a JSON object")
		}
		// te.Field names Go's fields ("Meta.version") and no array
		// indexes; the value's place in the body names what was sent.
		field := valuePath(body, te.Offset)
		if field == "" {
			field = te.Field[strings.LastIndex(te.Field, ".")+1:]
		}
		why := "must be a JSON " + jsonKind(te.Type.Kind().String())
		if k := te.Type.Kind().String(); strings.HasPrefix(te.Value, "number") && (strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint")) {
			why = "must be a whole number" // 1.5, or too large
		}
		return badField(field, why)
	}
	// Anything else is a type's own UnmarshalJSON refusing its value, which
	// encoding/json reports without saying where.
	if v != nil {
		if field, t := refusedPath(body, reflect.TypeOf(v), ""); field != "" {
			why := "is not a valid value"
			if t == reflect.TypeFor[time.Time]() {
				why = "must be a time as RFC 3339 text, e.g. 2018-06-19T09:00:00Z"
			}
			return badField(field, why)
		}
	}
	return Errorf(codeBadRequest, "the request body could not be read as JSON")
}

// badField is a 400 naming one field.
func badField(field, why string) error {
	return &briefing.Error{Code: codeBadRequest, Message: field + " " + why, Fields: map[string]string{field: why}}
}

// valuePath returns the path of the value of body whose first token ends at
// offset, where encoding/json reports a value of the wrong type: just after
// a scalar, or after the bracket opening an object or array. It is "" for
// the whole body or when no value ends there. Body has passed checkJSONText,
// so it nests at most maxJSONDepth deep.
func valuePath(body []byte, offset int64) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	path, _ := walkToOffset(dec, "", offset)
	return path
}

// walkToOffset reads one value, reporting its path (or a path within it)
// when it ends at offset; done says to stop reading.
func walkToOffset(dec *json.Decoder, path string, offset int64) (_ string, done bool) {
	tok, err := dec.Token()
	if err != nil || dec.InputOffset() > offset {
		return "", true
	}
	if dec.InputOffset() == offset {
		return path, true
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", true
			}
			key, _ := kt.(string)
			if p, done := walkToOffset(dec, memberPath(path, key), offset); done {
				return p, true
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if p, done := walkToOffset(dec, elemPath(path, i), offset); done {
				return p, true
			}
		}
	default:
		return "", false
	}
	_, err = dec.Token() // the closing bracket
	return "", err != nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// refusedPath reads raw alongside the Go type t it was decoded into and
// returns the path of the first value that t's own UnmarshalJSON refuses
// (a created_at that is no time), with the type refusing it; "" when none.
func refusedPath(raw []byte, t reflect.Type, path string) (string, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
			return path, t
		}
		return "", nil
	}
	var elem func(key string) (reflect.Type, bool)
	switch t.Kind() {
	case reflect.Struct:
		elem = func(key string) (reflect.Type, bool) { return jsonField(t, key) }
	case reflect.Map, reflect.Slice, reflect.Array:
		elem = func(string) (reflect.Type, bool) { return t.Elem(), true }
	default:
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || (tok != json.Delim('{') && tok != json.Delim('[')) {
		return "", nil
	}
	for i := 0; dec.More(); i++ {
		key, p := "", elemPath(path, i)
		if tok == json.Delim('{') {
			kt, err := dec.Token()
			if err != nil {
				return "", nil
			}
			key, _ = kt.(string)
			p = memberPath(path, key)
		}
		var member json.RawMessage
		if err := dec.Decode(&member); err != nil {
			return "", nil
		}
		if et, ok := elem(key); ok {
			if found, ft := refusedPath(member, et, p); found != "" {
				return found, ft
			}
		}
	}
	return "", nil
}

// jsonField returns the type of the field of struct t that encoding/json
// fills from key: the field its tag or its name matches, exactly or else in
// another case, promoted from embedded structs as encoding/json promotes them.
func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	var folded reflect.Type
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct) {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f.Type, true
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = f.Type
		}
	}
	return folded, folded != nil
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
