package ical_test

import (
	"bytes"
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
