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

// Write writes a calendar named calName holding events.
func Write(w io.Writer, calName string, events []Event) error {
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
		line("DTEND;VALUE=DATE", end.Format("20060102"))
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
	line("END", "VCALENDAR")
	return bw.Flush()
}

// Escape escapes a TEXT value: backslash, semicolon, comma and newlines.
func Escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
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
