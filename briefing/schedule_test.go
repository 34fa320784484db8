package briefing_test

import (
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
)

func date(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2016-08-02", 12, "2017-08-02"},
		{"2017-01-31", 1, "2017-02-28"},
		{"2016-01-31", 1, "2016-02-29"},
		{"2016-02-29", 12, "2017-02-28"},
		{"2019-02-28", 12, "2020-02-28"},
		{"2018-10-31", 6, "2019-04-30"},
		{"2018-12-15", 1, "2019-01-15"},
	} {
		if got := briefing.AddMonths(date(tc.from), tc.months).Format(time.DateOnly); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

func TestNextRound(t *testing.T) {
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "2014-04-07", CadenceMonths: 12}
	r1 := &briefing.Round{Number: 1, StartsOn: "2015-08-03", EndsOn: "2015-08-03", City: "Canberra", Host: "home", Status: "held", Marking: "OFFICIAL"}
	r2 := &briefing.Round{Number: 2, StartsOn: "2016-08-02", EndsOn: "2016-08-03", City: "Tokyo", Host: "partner", Status: "held", Marking: "OFFICIAL"}
	then := date("2016-09-01") // proposed the month after the 2nd round
	t.Run("JapanAustralia", func(t *testing.T) {
		n, note, err := briefing.NextRound(d, []*briefing.Round{r1, r2}, then)
		if err != nil || n.Number != 3 || n.Host != "home" || n.City != "Canberra" || n.StartsOn != "2017-08-02" || n.EndsOn != "2017-08-03" || n.Status != "proposed" || note != "" {
			t.Fatalf("%+v %q %v", n, note, err)
		}
		r3 := &briefing.Round{Number: 3, StartsOn: n.StartsOn, City: "Canberra", Host: "home"}
		n4, _, _ := briefing.NextRound(d, []*briefing.Round{r1, r2, r3}, then)
		if n4.Host != "partner" || n4.City != "Tokyo" || n4.StartsOn != "2018-08-02" {
			t.Fatalf("alternation: %+v", n4)
		}
	})
	t.Run("First", func(t *testing.T) {
		n, _, err := briefing.NextRound(d, nil, date("2014-05-01"))
		if err != nil || n.Number != 1 || n.Host != "home" || n.StartsOn != "2015-04-07" || n.City != "" {
			t.Fatalf("%+v %v", n, err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		r3 := &briefing.Round{Number: 3, StartsOn: "2017-08-02", City: "Canberra", Host: "home", Status: "cancelled"}
		n, _, _ := briefing.NextRound(d, []*briefing.Round{r1, r2, r3}, then)
		if n.Number != 4 || n.Host != "home" || n.StartsOn != "2017-08-02" {
			t.Fatalf("%+v", n)
		}
	})
	t.Run("ErrNoDate", func(t *testing.T) {
		_, _, err := briefing.NextRound(d, []*briefing.Round{{Number: 1, Host: "home"}}, then)
		if briefing.ErrorCode(err) != briefing.EINVALID {
			t.Fatal(err)
		}
	})
}

// TestNextRound_LastMetYearsAgo: a dialogue last met in 2018 is proposed
// its next round on the first date of its cadence from today, never in the
// past, and the note says why.
func TestNextRound_LastMetYearsAgo(t *testing.T) {
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "2016-10-01", CadenceMonths: 12}
	r3 := &briefing.Round{Number: 3, StartsOn: "2018-11-15", EndsOn: "2018-11-16", City: "Wellington", Host: "home", Status: "held"}
	today := date("2026-11-27")
	n, note, err := briefing.NextRound(d, []*briefing.Round{r3}, today)
	if err != nil || n.StartsOn != "2027-11-15" || n.EndsOn != "2027-11-16" || n.Number != 4 {
		t.Fatalf("%+v %v", n, err)
	}
	if !strings.Contains(note, "15 November 2019") || !strings.Contains(note, "15 November 2027") || !strings.Contains(note, "passed") {
		t.Fatalf("note %q", note)
	}
	// Due today is not past.
	n, note, _ = briefing.NextRound(d, []*briefing.Round{r3}, date("2019-11-15"))
	if n.StartsOn != "2019-11-15" || note != "" {
		t.Fatalf("%s %q", n.StartsOn, note)
	}
}

// TestNextRound_FirstNoteSaysEstablished: a dialogue with no round (or
// only cancelled ones) counts its first round from its establishment, and
// the note says so, not that it fell due after "the last".
func TestNextRound_FirstNoteSaysEstablished(t *testing.T) {
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "2019-05-02", CadenceMonths: 12}
	cancelled := &briefing.Round{Number: 1, StartsOn: "2020-05-02", EndsOn: "2020-05-02", Host: "home", Status: "cancelled"}
	for _, rounds := range [][]*briefing.Round{nil, {cancelled}} {
		_, note, err := briefing.NextRound(d, rounds, date("2026-11-29"))
		if err != nil || !strings.Contains(note, "fell due on 2 May 2020, 12 months after the dialogue was established on 2 May 2019;") {
			t.Errorf("%d rounds: note %q, %v", len(rounds), note, err)
		}
	}
}

// TestNextRound_CarriedFromTheMonthEnd: a round that fell due at a month's
// end and has passed is carried on the cadence counted from the last round,
// so it keeps that day where the month has one: a monthly dialogue that met
// on 31 January fell due on 28 February, and is proposed for 30 November
// (November's last day), not the 28th.
func TestNextRound_CarriedFromTheMonthEnd(t *testing.T) {
	d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "2016-10-01", CadenceMonths: 1}
	last := &briefing.Round{Number: 7, StartsOn: "2025-01-31", EndsOn: "2025-01-31", Host: "home", Status: "held"}
	for today, want := range map[string]string{"2026-11-25": "2026-11-30", "2026-12-02": "2026-12-31", "2027-02-01": "2027-02-28"} {
		n, note, err := briefing.NextRound(d, []*briefing.Round{last}, date(today))
		if err != nil || n.StartsOn != want {
			t.Errorf("today %s: proposed %s, want %s (%v)", today, n.StartsOn, want, err)
		}
		if !strings.Contains(note, "28 February 2025") {
			t.Errorf("note %q", note)
		}
	}
	// From the dialogue's establishment likewise.
	d = &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "2025-08-31", CadenceMonths: 1}
	if n, _, _ := briefing.NextRound(d, nil, date("2026-04-02")); n.StartsOn != "2026-04-30" {
		t.Errorf("from the establishment: %s", n.StartsOn)
	}
}

// TestNextRound_PastYear9999: a round that would fall past the year 9999
// is refused, never proposed on no date at all (and then carried to
// today, as if it had fallen due in the year 1).
func TestNextRound_PastYear9999(t *testing.T) {
	today := date("2026-11-27")
	t.Run("OK", func(t *testing.T) {
		d := &briefing.Dialogue{Meta: briefing.Meta{ID: "1"}, Established: "9999-10-31", CadenceMonths: 2}
		n, _, err := briefing.NextRound(d, nil, today)
		if err != nil || n.StartsOn != "9999-12-31" {
			t.Fatalf("%+v %v", n, err)
		}
		last := &briefing.Round{Number: 1, StartsOn: "9999-11-01", EndsOn: "9999-11-30", Host: "home"}
		n, _, err = briefing.NextRound(&briefing.Dialogue{CadenceMonths: 1}, []*briefing.Round{last}, today)
		if err != nil || n.StartsOn != "9999-12-01" || n.EndsOn != "9999-12-30" {
			t.Fatalf("%+v %v", n, err)
		}
	})
	for name, tc := range map[string]struct {
		d      *briefing.Dialogue
		rounds []*briefing.Round
		want   string
	}{
		"Established": {&briefing.Dialogue{Established: "9999-12-31", CadenceMonths: 1}, nil,
			"the 1st round cannot be proposed: the dialogue was established on 31 December 9999, and 1 month after that is past the year 9999, the last a date can be written in"},
		"LastRound": {&briefing.Dialogue{Established: "2016-10-01", CadenceMonths: 12}, []*briefing.Round{{Number: 4, StartsOn: "9999-01-10", EndsOn: "9999-01-10", Host: "home"}},
			"the 5th round cannot be proposed: the 4th round met on 10 January 9999, and 12 months after that is past the year 9999, the last a date can be written in"},
		"EndsPast": {&briefing.Dialogue{Established: "2016-10-01", CadenceMonths: 2}, []*briefing.Round{{Number: 1, StartsOn: "9999-10-01", EndsOn: "9999-11-01", Host: "home"}},
			"the 2nd round cannot be proposed: the 1st round met on 1 October 9999, and 2 months after that is past the year 9999, the last a date can be written in"},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			n, note, err := briefing.NextRound(tc.d, tc.rounds, today)
			if briefing.ErrorCode(err) != briefing.EINVALID || briefing.ErrorMessage(err) != tc.want {
				t.Fatalf("%+v %q %v", n, note, err)
			}
		})
	}
}

// TestNextRound_NoteSaysOneMonth: a cadence of one month is "1 month".
func TestNextRound_NoteSaysOneMonth(t *testing.T) {
	d := &briefing.Dialogue{Established: "2016-10-01", CadenceMonths: 1}
	last := &briefing.Round{Number: 2, StartsOn: "2025-01-15", EndsOn: "2025-01-15", Host: "home"}
	_, note, err := briefing.NextRound(d, []*briefing.Round{last}, date("2026-11-27"))
	if err != nil || !strings.Contains(note, "15 February 2025, 1 month after the last") || strings.Contains(note, "months") {
		t.Fatalf("note %q, %v", note, err)
	}
}

func TestRoundMilestones(t *testing.T) {
	ms := briefing.RoundMilestones(&briefing.Dialogue{}, &briefing.Round{StartsOn: "2017-08-02"})
	want := []string{"2017-06-21", "2017-07-12", "2017-07-23", "2017-07-30"}
	for i, m := range ms {
		if m.Due != want[i] {
			t.Errorf("%s: %s, want %s", m.Kind, m.Due, want[i])
		}
	}
}

func TestOverlaps(t *testing.T) {
	r := &briefing.Round{Meta: briefing.Meta{ID: "1"}, DialogueID: "a", StartsOn: "2017-08-02", EndsOn: "2017-08-03", CoChairs: []briefing.Participant{{PersonID: "p"}}}
	same := &briefing.Round{Meta: briefing.Meta{ID: "2"}, DialogueID: "b", Number: 2, StartsOn: "2017-08-03", CoChairs: []briefing.Participant{{PersonID: "p"}}}
	partner := &briefing.Round{Meta: briefing.Meta{ID: "3"}, DialogueID: "c", Number: 4, StartsOn: "2017-08-01", EndsOn: "2017-08-02"}
	apart := &briefing.Round{Meta: briefing.Meta{ID: "4"}, DialogueID: "c", StartsOn: "2017-09-01"}
	partners := map[string]string{"a": "Japan", "b": "Korea", "c": "Japan"}
	got := briefing.Overlaps(r, []*briefing.Round{r, same, partner, apart}, func(id string) string { return partners[id] })
	if len(got) != 2 || got[0].RoundID != "2" || got[1].RoundID != "3" {
		t.Fatalf("%+v", got)
	}
}

func TestDiffWords(t *testing.T) {
	ops := briefing.DiffWords("the order is under challenge", "the order is under serious challenge")
	if len(ops) != 3 || ops[1].Op != "+" || ops[1].Text != "serious " {
		t.Fatalf("%+v", ops)
	}
	if ops := briefing.DiffWords("same", "same"); len(ops) != 1 || ops[0].Op != "=" {
		t.Fatalf("%+v", ops)
	}
}
