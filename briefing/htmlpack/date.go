package htmlpack

import "time"

// date writes a YYYY-MM-DD date as people read it: "2 August 2016".
func date(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}
