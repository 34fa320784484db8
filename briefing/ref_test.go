package briefing_test

import (
	"slices"
	"testing"

	"briefpack/briefing"
)

func TestCompareRefs(t *testing.T) {
	refs := []string{"10.01", "2.01", "1.03", "0.01", "1.01", "1.10", "1.9", "A.2", "1", "99999999999999999999999.1", "1.03a"}
	slices.SortStableFunc(refs, briefing.CompareRefs)
	want := []string{"0.01", "1", "1.01", "1.03", "1.03a", "1.9", "1.10", "2.01", "10.01", "99999999999999999999999.1", "A.2"}
	if !slices.Equal(refs, want) {
		t.Fatalf("sorted %q, want %q", refs, want)
	}
	if briefing.CompareRefs("1.1", "1.01") != 0 {
		t.Error("1.1 and 1.01 differ")
	}
}
