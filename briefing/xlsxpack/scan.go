package xlsxpack

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
)

// scanner reads the XML of a worksheet or a shared-strings table as a
// stream of start tags, end tags and text: only what a spreadsheet part
// holds (elements, attributes, text, the five named entities and character
// references, comments, processing instructions, CDATA). It is several times
// quicker than encoding/xml on a large Topics worksheet, because it makes no
// token values it does not need; a document type declaration, which no
// workbook part has, is refused, and so are malformed tags and references.
type scanner struct {
	r *bufio.Reader
	// The current event: the element's local name (its prefix dropped) and
	// attributes for a start, the text for a text.
	name  []byte
	attrs []scanAttr
	text  []byte
	// closing is an end owed for a start that closed itself ("<c/>").
	closing []byte
	tag     []byte
}

type scanAttr struct{ name, value []byte }

type scanEvent int

const (
	scanStart scanEvent = iota + 1
	scanEnd
	scanText
)

var errXML = errors.New("malformed XML")

func newScanner(r io.Reader) *scanner { return &scanner{r: bufio.NewReaderSize(r, 64<<10)} }

// scanners keeps scanners for worksheets, read one after another: a
// workbook of a thousand topic sheets has a thousand worksheets, each of
// which took a 64 KiB buffer of its own, as did each worksheet an import
// compares with them.
var scanners = sync.Pool{New: func() any { return newScanner(nil) }}

// reset makes s a scanner of r, keeping its buffers.
func (s *scanner) reset(r io.Reader) {
	s.r.Reset(r)
	s.name, s.text, s.closing = nil, nil, nil
	s.attrs, s.tag = s.attrs[:0], s.tag[:0]
}

// next reads the next event; io.EOF at the end of the part.
func (s *scanner) next() (scanEvent, error) {
	if s.closing != nil {
		s.name, s.closing = s.closing, nil
		return scanEnd, nil
	}
	// Text up to the next tag.
	s.text = s.text[:0]
	for {
		chunk, err := s.r.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			s.text = append(s.text, chunk...)
			continue
		}
		if err == io.EOF {
			s.text = append(s.text, chunk...)
			if len(bytes.TrimSpace(s.text)) > 0 {
				return 0, errXML // text after the last element
			}
			return 0, io.EOF
		} else if err != nil {
			return 0, err
		}
		s.text = append(s.text, chunk[:len(chunk)-1]...)
		break
	}
	if len(s.text) > 0 {
		// The tag just seen is read at the next call.
		if err := s.r.UnreadByte(); err != nil {
			return 0, err
		}
		t, err := unescape(s.text)
		if err != nil {
			return 0, err
		}
		s.text = t
		return scanText, nil
	}
	return s.readTag()
}

// readTag reads a tag after its "<".
func (s *scanner) readTag() (scanEvent, error) {
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, readErr(err)
	}
	switch b {
	case '?':
		if err := s.skipUntil("?>"); err != nil {
			return 0, err
		}
		return s.next()
	case '!':
		head, _ := s.r.Peek(7)
		switch {
		case bytes.HasPrefix(head, []byte("--")):
			if err := s.skipUntil("-->"); err != nil {
				return 0, err
			}
			return s.next()
		case bytes.HasPrefix(head, []byte("[CDATA[")):
			_, _ = s.r.Discard(7)
			body, err := s.readUntil("]]>")
			if err != nil {
				return 0, err
			}
			s.text = append(s.text[:0], body...)
			return scanText, nil
		}
		return 0, errXML // a document type declaration, or worse
	case '/':
		tag, err := s.readUntil(">")
		if err != nil {
			return 0, err
		}
		s.name = localName(bytes.TrimSpace(tag))
		return scanEnd, nil
	}
	if err := s.r.UnreadByte(); err != nil {
		return 0, err
	}
	// A start tag: up to the ">" that is outside any quoted value, read a
	// buffer's worth at a time.
	s.tag = s.tag[:0]
	var quote byte
	for done := false; !done; {
		chunk, err := s.r.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return 0, readErr(err)
		}
		for _, c := range chunk {
			if quote != 0 {
				if c == quote {
					quote = 0
				}
			} else if c == '"' || c == '\'' {
				quote = c
			}
		}
		s.tag = append(s.tag, chunk...)
		if err == nil && quote == 0 {
			s.tag = s.tag[:len(s.tag)-1] // the ">"
			done = true
		}
	}
	tag := s.tag
	self := len(tag) > 0 && tag[len(tag)-1] == '/'
	if self {
		tag = tag[:len(tag)-1]
	}
	i := bytes.IndexAny(tag, " \t\r\n")
	if i < 0 {
		i = len(tag)
	}
	if i == 0 {
		return 0, errXML
	}
	s.name = localName(tag[:i])
	s.attrs = s.attrs[:0]
	rest := tag[i:]
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		eq := bytes.IndexByte(rest, '=')
		if eq <= 0 {
			return 0, errXML
		}
		name := bytes.TrimSpace(rest[:eq])
		rest = bytes.TrimLeft(rest[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return 0, errXML
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return 0, errXML
		}
		val, err := unescape(rest[1 : 1+end])
		if err != nil {
			return 0, err
		}
		s.attrs = append(s.attrs, scanAttr{name, val})
		rest = rest[2+end:]
	}
	if self {
		s.closing = s.name
	}
	return scanStart, nil
}

// attr is the value of an attribute of the current start tag named name
// without a prefix, or "".
func (s *scanner) attr(name string) string {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return string(a.value)
		}
	}
	return ""
}

// is reports whether the current element's local name is name.
func (s *scanner) is(name string) bool { return string(s.name) == name }

// skipUntil reads past the next occurrence of end.
func (s *scanner) skipUntil(end string) error {
	_, err := s.readUntil(end)
	return err
}

// readUntil reads up to and past end, returning what came before it (in a
// buffer the next tag reuses).
func (s *scanner) readUntil(end string) ([]byte, error) {
	out := s.tag[:0]
	defer func() { s.tag = out[:0] }()
	last := end[len(end)-1]
	for {
		chunk, err := s.r.ReadSlice(last)
		out = append(out, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		} else if err != nil {
			return nil, readErr(err)
		}
		if bytes.HasSuffix(out, []byte(end)) {
			return out[:len(out)-len(end)], nil
		}
	}
}

// readErr is a read's failure: the part ending inside a tag is malformed
// XML; anything else (the bound on unpacking, say) is itself.
func readErr(err error) error {
	if err == io.EOF {
		return errXML
	}
	return err
}

// localName drops a name's prefix ("x:row" is "row").
func localName(n []byte) []byte {
	if i := bytes.IndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// unescape reads XML text: entities and character references become their
// characters, and line ends written literally become "\n", as XML says.
func unescape(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return b, nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 2 || semi > 12 {
				return nil, errXML
			}
			ent := string(b[i+1 : i+semi])
			switch ent {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "quot":
				out = append(out, '"')
			case "apos":
				out = append(out, '\'')
			default:
				if ent[0] != '#' {
					return nil, errXML
				}
				var n uint64
				var err error
				if len(ent) > 1 && (ent[1] == 'x' || ent[1] == 'X') {
					n, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					n, err = strconv.ParseUint(ent[1:], 10, 32)
				}
				if err != nil || n > utf8.MaxRune {
					return nil, errXML
				}
				out = utf8.AppendRune(out, rune(n))
			}
			i += semi
		default:
			out = append(out, c)
		}
	}
	return out, nil
}
