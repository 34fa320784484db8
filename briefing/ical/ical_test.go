package ical_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"briefpack/briefing/ical"
)

func TestWrite(t *testing.T) {
	long := strings.Repeat("Ōtautahi–Canberra dialogue; notes, with commas\\and backslashes ", 4)
	ev := ical.Event{UID: "briefpack-round-7@example", Sequence: 3, Summary: long, Description: "line one\nline two",
		Location: "Tokyo, Japan", Start: time.Date(2016, 8, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2016, 8, 3, 0, 0, 0, 0, time.UTC),
		Stamp: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), Status: "CANCELLED", Categories: []string{"Round"}}
	var b bytes.Buffer
	if err := ical.Write(&b, "Japan–Australia", []ical.Event{ev}); err != nil {
		t.Fatal(err)
	}
	raw := b.String()
	for _, line := range strings.SplitAfter(raw, "\r\n") {
		if line == "" {
			continue
		}
		if !strings.HasSuffix(line, "\r\n") || strings.Contains(strings.TrimSuffix(line, "\r\n"), "\n") {
			t.Fatalf("line %q is not CRLF-ended", line)
		}
		if n := len(strings.TrimSuffix(line, "\r\n")); n > 75 {
			t.Fatalf("line of %d octets: %q", n, line)
		}
	}
	// An independent parser reads it back.
	cal, err := goical.NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	if got, _ := e.Props.Text(goical.PropSummary); got != long {
		t.Errorf("summary %q", got)
	}
	if got, _ := e.Props.Text(goical.PropDescription); got != "line one\nline two" {
		t.Errorf("description %q", got)
	}
	if got, _ := e.Props.Text(goical.PropLocation); got != "Tokyo, Japan" {
		t.Errorf("location %q", got)
	}
	start, err := e.DateTimeStart(time.UTC)
	if err != nil || !start.Equal(ev.Start) {
		t.Errorf("start %v %v", start, err)
	}
	if p := e.Props.Get(goical.PropDateTimeStart); p.ValueType() != goical.ValueDate {
		t.Errorf("DTSTART is not all-day: %v", p.ValueType())
	}
	for prop, want := range map[string]string{goical.PropUID: ev.UID, goical.PropSequence: "3", goical.PropStatus: "CANCELLED", goical.PropDateTimeStamp: "20261124T093000Z"} {
		if got := e.Props.Get(prop).Value; got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
}

// TestEscape_ControlCharacters: TEXT holds no control character but a tab
// (newlines are escaped), so any other is dropped whatever the caller let
// through, and bytes that are not UTF-8 become U+FFFD.
func TestEscape_ControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"Paris\aBELL":              "ParisBELL",
		"Paris\x1b[31mRED":         "Paris[31mRED",
		"tab\tkept":                "tab\tkept",
		"two\nlines; a, b\\c":      `two\nlines\; a\, b\\c`,
		"del\x7f c1\u0085 nul\x00": "del c1 nul",
		"bad \xff byte":            "bad \uFFFD byte",
	} {
		if got := ical.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	ev := ical.Event{UID: "u\x07@briefpack", Summary: "Round\x1b", Location: "Paris\aSECRETCITY", Start: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		Stamp: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)}
	var b bytes.Buffer
	if err := ical.Write(&b, "Cal\x01endar", []ical.Event{ev}); err != nil {
		t.Fatal(err)
	}
	for i, c := range b.String() {
		if c != '\r' && c != '\n' && c != '\t' && (c < 0x20 || c == 0x7f) {
			t.Fatalf("control character %U at %d in %q", c, i, b.String())
		}
	}
	cal, err := goical.NewDecoder(&b).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cal.Events()[0].Props.Text(goical.PropLocation); got != "ParisSECRETCITY" {
		t.Errorf("location %q", got)
	}
}

// TestWrite_Empty: a calendar holds at least one component (RFC 5545,
// 3.4) even with no event, and one that does puts nothing in a calendar.
func TestWrite_Empty(t *testing.T) {
	var b bytes.Buffer
	if err := ical.Write(&b, "briefpack", nil); err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(strings.NewReader(b.String())).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Children) == 0 {
		t.Fatalf("a calendar without components: %q", b.String())
	}
	if len(cal.Events()) != 0 {
		t.Fatalf("%d events in an empty calendar", len(cal.Events()))
	}
	// The independent encoder refuses an empty calendar, and a malformed component.
	if err := goical.NewEncoder(io.Discard).Encode(cal); err != nil {
		t.Fatal(err)
	}
}

// TestWrite_Dates: a DATE's year has four digits. An event starting
// outside 0001 to 9999 is an error; one ending on 31 December 9999 (its
// exclusive end in the year 10000) is given its length instead.
func TestWrite_Dates(t *testing.T) {
	stamp := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	for _, start := range []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		err := ical.Write(io.Discard, "c", []ical.Event{{UID: "u", Start: start, Stamp: stamp}})
		if err == nil {
			t.Errorf("an event starting on %v was written", start)
		}
	}
	last := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	if err := ical.Write(&b, "c", []ical.Event{{UID: "u", Start: last, End: last.AddDate(0, 0, 2), Stamp: stamp}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "DTSTART;VALUE=DATE:99991230\r\nDURATION:P2D\r\n") || strings.Contains(b.String(), "DTEND") {
		t.Fatalf("%q", b.String())
	}
	cal, err := goical.NewDecoder(&b).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if end, err := cal.Events()[0].DateTimeEnd(time.UTC); err != nil || !end.Equal(last.AddDate(0, 0, 2)) {
		t.Fatalf("end %v, %v", end, err)
	}
}
