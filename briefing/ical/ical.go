// Package ical writes calendars in the iCalendar format of RFC 5545: CRLF
// line ends, lines folded at 75 octets without splitting a character, text
// escaped, all-day events with stable UIDs.
package ical

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event is one all-day calendar event.
type Event struct {
	UID         string
	Sequence    int
	Summary     string
	Description string
	Location    string
	Start, End  time.Time // dates; End is exclusive
	Stamp       time.Time
	Status      string // CONFIRMED, TENTATIVE or CANCELLED
	Categories  []string
}

// Writable reports whether a date can be written as an iCalendar DATE,
// whose year has four digits: 0001 to 9999.
func Writable(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

// Write writes a calendar named calName holding events. An event that
// starts on a date Writable refuses is an error, written nowhere; one that
// ends after 9999 (its exclusive end on 1 January 10000) is given its
// length as DURATION instead of DTEND.
func Write(w io.Writer, calName string, events []Event) error {
	for _, e := range events {
		if !Writable(e.Start) {
			return fmt.Errorf("ical: event %s starts on %s, outside the years 0001 to 9999", e.UID, e.Start.Format(time.DateOnly))
		}
	}
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//briefpack//briefpack//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", Escape(calName))
	for _, e := range events {
		line("BEGIN", "VEVENT")
		line("UID", Escape(e.UID))
		line("DTSTAMP", e.Stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;VALUE=DATE", e.Start.Format("20060102"))
		end := e.End
		if !end.After(e.Start) {
			end = e.Start.AddDate(0, 0, 1)
		}
		if Writable(end) {
			line("DTEND;VALUE=DATE", end.Format("20060102"))
		} else {
			line("DURATION", fmt.Sprintf("P%dD", (end.Unix()-e.Start.Unix())/(24*60*60)))
		}
		line("SEQUENCE", fmt.Sprint(e.Sequence))
		line("SUMMARY", Escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Escape(e.Description))
		}
		if e.Location != "" {
			line("LOCATION", Escape(e.Location))
		}
		if e.Status != "" {
			line("STATUS", e.Status)
		}
		if len(e.Categories) > 0 {
			cs := make([]string, len(e.Categories))
			for i, c := range e.Categories {
				cs[i] = Escape(c)
			}
			line("CATEGORIES", strings.Join(cs, ","))
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	if len(events) == 0 {
		// A calendar holds at least one component (RFC 5545, 3.4): with no
		// event, a time zone, which puts nothing in anyone's calendar.
		for _, l := range emptyZone {
			writeFolded(bw, l)
		}
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// emptyZone is the component of a calendar without events: UTC, which no
// event refers to (they are all-day dates).
var emptyZone = []string{"BEGIN:VTIMEZONE", "TZID:UTC", "BEGIN:STANDARD", "DTSTART:19700101T000000",
	"TZOFFSETFROM:+0000", "TZOFFSETTO:+0000", "TZNAME:UTC", "END:STANDARD", "END:VTIMEZONE"}

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// Escape escapes a TEXT value: backslash, semicolon, comma and newlines.
// TEXT holds no other control character (a tab aside) and only UTF-8, so
// any other is dropped and a byte that is not UTF-8 becomes U+FFFD,
// whatever the caller let through.
func Escape(s string) string {
	s = textEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// writeFolded writes one content line folded at 75 octets: each
// continuation starts with a space and no UTF-8 sequence is split.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
