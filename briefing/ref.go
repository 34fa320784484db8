package briefing

import (
	"cmp"
	"strings"
)

// CompareRefs orders action refs as people number them: runs of digits by
// their value, the rest by its characters, so 1.01 < 1.03 < 2.01 < 10.01.
// Refs that differ only in leading zeros ("1.1", "1.01") compare equal, and
// keep the order they came in.
func CompareRefs(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da == 0 || db == 0 {
			if a[0] != b[0] {
				return cmp.Compare(a[0], b[0])
			}
			a, b = a[1:], b[1:]
			continue
		}
		// Compared as written, without leading zeros: a run of any length,
		// never an overflowing number.
		na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
		if c := cmp.Compare(len(na), len(nb)); c != 0 {
			return c
		}
		if c := strings.Compare(na, nb); c != 0 {
			return c
		}
		a, b = a[da:], b[db:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits is the length of the run of ASCII digits s begins with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
