package briefing

import (
	"fmt"
	"time"
)

// AddMonths adds months to a date, clamping to the last day of the month
// reached: 31 January + 1 month is 28 (or 29) February, and 29 February
// 2016 + 12 months is 28 February 2017 — never a day that spills over.
func AddMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// NextRound proposes the next round of a dialogue: number + 1; the other
// side hosts; it starts cadence_months after the last round (12 when the
// dialogue sets none) and lasts as long; it meets in the city where that
// side last hosted; status proposed. The last round is the highest-numbered
// one not cancelled, and the city is that of the highest-numbered round of
// that side not cancelled: a cancelled round never met, while a postponed
// one is put off, not called off, and still meets in its city (so it counts
// as the last round too). It has no marking, so it is saved with the one a
// new round gets by default (the lowest): it holds nothing yet, and the
// last round's marking would hide it from the secretariat who must confirm
// it. With no round yet, the
// 1st round is hosted at home, cadence_months after the dialogue was
// established (no date if it records none).
//
// A date on the cadence that is already past when the round is proposed
// (today) is carried forward by whole cadences to the first one on or
// after today, and the note says so; otherwise the note is "".
func NextRound(d *Dialogue, rounds []*Round, today time.Time) (*Round, string, error) {
	r, from, err := nextRound(d, rounds)
	if err != nil || r.StartsOn == "" {
		return r, "", err
	}
	start, err := time.Parse(time.DateOnly, r.StartsOn)
	if err != nil {
		return nil, "", fmt.Errorf("briefing: next round dated %q: %w", r.StartsOn, err)
	}
	end, err := time.Parse(time.DateOnly, r.EndsOn)
	if err != nil {
		return nil, "", fmt.Errorf("briefing: next round ending %q: %w", r.EndsOn, err)
	}
	length := end.Sub(start)
	day := today.UTC().Truncate(24 * time.Hour)
	if !start.Before(day) {
		return r, "", nil
	}
	cadence := d.CadenceMonths
	if cadence <= 0 {
		cadence = 12
	}
	// Counted from the date the cadence runs from, not from the due date:
	// a round due on 28 February because 31 January has no match in it is
	// carried to the 31st of later months, not to the 28th.
	due := start
	for n := 2; start.Before(day); n++ {
		start = AddMonths(from, n*cadence)
	}
	// The first round's cadence runs from the dialogue's establishment:
	// there is no last round to count from.
	after := "the last"
	if !hasLast(rounds) {
		after = "the dialogue was established on " + from.Format("2 January 2006")
	}
	note := fmt.Sprintf("The %s round fell due on %s, %s after %s; that date has passed, so it is proposed for %s, the first date on the dialogue's cadence from today. Change it as you need.",
		Ordinal(r.Number), due.Format("2 January 2006"), Months(cadence), after, start.Format("2 January 2006"))
	r.StartsOn = start.Format(time.DateOnly)
	r.EndsOn = start.Add(length).Format(time.DateOnly)
	return r, note, nil
}

// nextRound proposes the round after rounds, and the date its cadence runs
// from: the last round's start, or the dialogue's establishment.
func nextRound(d *Dialogue, rounds []*Round) (*Round, time.Time, error) {
	next := &Round{DialogueID: d.ID, Number: 1, Host: SideHome, Status: RoundProposed}
	cadence := d.CadenceMonths
	if cadence <= 0 {
		cadence = 12
	}
	var last *Round
	for _, r := range rounds {
		if r.Number >= next.Number {
			next.Number = r.Number + 1
		}
		if r.Status != RoundCancelled && (last == nil || r.Number > last.Number) {
			last = r
		}
	}
	if last == nil {
		if d.Established != "" {
			est, err := time.Parse(time.DateOnly, d.Established)
			if err != nil {
				return nil, time.Time{}, Errorf(EINVALID, "the dialogue's established date %q is not a date", d.Established)
			}
			ns := AddMonths(est, cadence)
			if err := beforeYear10000(ns, next.Number, cadence, "the dialogue was established on "+est.Format("2 January 2006")); err != nil {
				return nil, time.Time{}, err
			}
			next.StartsOn = ns.Format(time.DateOnly)
			next.EndsOn = next.StartsOn
			return next, est, nil
		}
		return next, time.Time{}, nil
	}
	start, err := time.Parse(time.DateOnly, last.StartsOn)
	if err != nil {
		return nil, time.Time{}, Errorf(EINVALID, "the %s round has no start date to count the next one from: set it first", Ordinal(last.Number))
	}
	length := 0
	if end, err := time.Parse(time.DateOnly, last.EndsOn); err == nil && end.After(start) {
		length = int(end.Sub(start).Hours() / 24)
	}
	ns := AddMonths(start, cadence)
	since := fmt.Sprintf("the %s round met on %s", Ordinal(last.Number), start.Format("2 January 2006"))
	if err := beforeYear10000(ns.AddDate(0, 0, length), next.Number, cadence, since); err != nil {
		return nil, time.Time{}, err
	}
	next.StartsOn = ns.Format(time.DateOnly)
	next.EndsOn = ns.AddDate(0, 0, length).Format(time.DateOnly)
	next.Host = SidePartner
	if last.Host == SidePartner {
		next.Host = SideHome
	}
	var hosted *Round
	for _, r := range rounds {
		if r.Host == next.Host && r.City != "" && r.Status != RoundCancelled && (hosted == nil || r.Number > hosted.Number) {
			hosted = r
		}
	}
	if hosted != nil {
		next.City = hosted.City
	}
	return next, start, nil
}

// hasLast reports whether any of rounds counts as the last round a next
// one is proposed after: one not cancelled.
func hasLast(rounds []*Round) bool {
	for _, r := range rounds {
		if r.Status != RoundCancelled {
			return true
		}
	}
	return false
}

// beforeYear10000 refuses a proposed round that would end past 9999, the
// last year a date (YYYY-MM-DD) can be written in: it would be stored as
// no date at all.
func beforeYear10000(end time.Time, number, cadence int, since string) error {
	if end.Year() <= 9999 {
		return nil
	}
	return Errorf(EINVALID, "the %s round cannot be proposed: %s, and %s after that is past the year 9999, the last a date can be written in",
		Ordinal(number), since, Months(cadence))
}

func itoa(n int) string { return fmt.Sprint(n) }

// Months writes a number of months as people say it: 1 month, 6 months.
func Months(n int) string {
	if n == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", n)
}

// Ordinal writes a round number as people say it: 1st, 2nd, 3rd, 11th, 22nd.
func Ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// MilestoneDate is one drafting deadline of a round.
type MilestoneDate struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Due   string `json:"due"` // YYYY-MM-DD
}

// RoundMilestones computes a round's drafting deadlines from its dialogue's
// offsets: sheets commissioned, drafts due, clearance due and pack frozen.
// A round without a start date has none.
func RoundMilestones(d *Dialogue, r *Round) []MilestoneDate {
	start, err := time.Parse(time.DateOnly, r.StartsOn)
	if err != nil {
		return nil
	}
	m := d.Milestones
	if m == (Milestones{}) {
		m = DefaultMilestones
	}
	at := func(days int) string { return start.AddDate(0, 0, -days).Format(time.DateOnly) }
	return []MilestoneDate{
		{Kind: "commissioned", Title: "Sheets commissioned", Due: at(m.Commissioned)},
		{Kind: "drafts_due", Title: "Drafts due", Due: at(m.DraftsDue)},
		{Kind: "clearance_due", Title: "Clearance due", Due: at(m.ClearanceDue)},
		{Kind: "pack_frozen", Title: "Pack frozen", Due: at(m.PackFrozen)},
	}
}

// Overlap warns that a round meets at the same time as another.
type Overlap struct {
	RoundID string `json:"round_id"`
	Reason  string `json:"reason"`
}

// Overlaps lists the rounds whose dates overlap r's and that share a
// co-chair with it, or whose dialogue has the same partner: a warning for
// the secretariat, not a refusal. Cancelled rounds are ignored.
func Overlaps(r *Round, others []*Round, partnerOf func(dialogueID string) string) []Overlap {
	span := func(x *Round) (time.Time, time.Time, bool) {
		s, err := time.Parse(time.DateOnly, x.StartsOn)
		if err != nil {
			return s, s, false
		}
		e, err := time.Parse(time.DateOnly, x.EndsOn)
		if err != nil || e.Before(s) {
			e = s
		}
		return s, e, true
	}
	rs, re, ok := span(r)
	if !ok || r.Status == RoundCancelled {
		return nil
	}
	chairs := map[string]bool{}
	for _, p := range r.CoChairs {
		chairs[p.PersonID] = true
	}
	var out []Overlap
	for _, o := range others {
		if o.ID == r.ID || o.Status == RoundCancelled {
			continue
		}
		os, oe, ok := span(o)
		if !ok || os.After(re) || oe.Before(rs) {
			continue
		}
		shared := false
		for _, p := range o.CoChairs {
			shared = shared || chairs[p.PersonID]
		}
		switch {
		case shared:
			out = append(out, Overlap{RoundID: o.ID, Reason: fmt.Sprintf("a co-chair is also at the %s round on %s", Ordinal(o.Number), o.StartsOn)})
		case partnerOf(o.DialogueID) != "" && partnerOf(o.DialogueID) == partnerOf(r.DialogueID):
			out = append(out, Overlap{RoundID: o.ID, Reason: fmt.Sprintf("another round with %s, the %s, meets on %s", partnerOf(o.DialogueID), Ordinal(o.Number), o.StartsOn)})
		}
	}
	return out
}
