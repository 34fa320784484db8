package xlsxpack

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestScanner reads what spreadsheet programs write: a declaration,
// prefixed names, self-closing tags, attributes in either quotes holding
// ">" and entities, references, comments, CDATA and literal line ends.
func TestScanner(t *testing.T) {
	doc := "<?xml version=\"1.0\"?>\r\n<x:worksheet xmlns:x=\"u\"><!-- a > comment --><x:row r='2' spans=\"1:3\">" +
		"<x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t xml:space=\"preserve\"> a &lt;b&gt; &amp; &#x263A;&#65;\r\nline\rend &quot;&apos; </x:t></x:is></x:c>" +
		"<x:c r=\"B2\" s=\"a>b\"/><x:c r=\"C2\"><x:v><![CDATA[1<2]]></x:v></x:c></x:row></x:worksheet>"
	s := newScanner(strings.NewReader(doc))
	var got []string
	for {
		ev, err := s.next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		switch ev {
		case scanStart:
			got = append(got, "<"+string(s.name)+" r="+s.attr("r")+" s="+s.attr("s"))
		case scanEnd:
			got = append(got, "/"+string(s.name))
		case scanText:
			got = append(got, "'"+string(s.text)+"'")
		}
	}
	want := "'\n'|<worksheet r= s=|<row r=2 s=|<c r=A2 s=|<is r= s=|<t r= s=|' a <b> & ☺A\nline\nend \"' '|/t|/is|/c|<c r=B2 s=a>b|/c|<c r=C2 s=|<v r= s=|'1<2'|/v|/c|/row|/worksheet"
	if strings.Join(got, "|") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
	for _, bad := range []string{"<a b=c/>", "<a>&bogus;</a>", "<!DOCTYPE x [<!ENTITY e \"x\">]><a/>", "<a", "<a>x</a>trailing", "<>"} {
		s := newScanner(strings.NewReader(bad))
		var err error
		for err == nil {
			_, err = s.next()
		}
		if err == io.EOF {
			t.Errorf("%q read as well-formed", bad)
		}
	}
}

// FuzzXMLEscape: xmlEscape writes what xml.EscapeText writes, for any
// text — markup, quotes, line ends, control characters, bytes that are not
// UTF-8 and the characters XML cannot hold — with the one escape of the
// cell's format on top: the underscore beginning "_xHHHH_" written
// "_x005F_".
var xSequence = regexp.MustCompile(`^_x[0-9A-Fa-f]{4}_`)

func FuzzXMLEscape(f *testing.F) {
	for _, s := range []string{"", "plain words", `<a href="x">Tom's & Jerry's</a>`, "tab\there\r\nnew line",
		"\x00\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "\xff\xfe broken \xc3", "\xed\xa0\x80 surrogate",
		"\xef\xbf\xbe U+FFFE \xef\xbf\xbf U+FFFF \xef\xbf\xbd U+FFFD", "ends in a markup char >"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		xmlEscape(&got, s)
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		// Escaping for XML neither makes nor breaks a "_xHHHH_": its
		// characters are written as they are, and no reference holds "_".
		var cell strings.Builder
		for i, w := 0, want.String(); i < len(w); i++ {
			if xSequence.MatchString(w[i:]) {
				cell.WriteString("_x005F_")
				continue
			}
			cell.WriteByte(w[i])
		}
		if got.String() != cell.String() {
			t.Fatalf("xmlEscape(%q) = %q, want %q", s, got.String(), cell.String())
		}
	})
}
