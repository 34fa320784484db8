package xlsxpack_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// TestRender_ActionsMarked: the full edition's Actions worksheet has a
// Marking column giving each action's marking, as the Topics rows do; the
// release edition's has none, and no marking anywhere.
func TestRender_ActionsMarked(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	for i, m := range []string{"RESTRICTED", "SECRET", "TOP SECRET"} {
		p.Actions[i].Action.Marking = m
	}
	p.Marking = "TOP SECRET"
	rows := actionRows(t, render(t, p))
	if want := []string{"Ref", "Action", "Owner", "Raised in round", "Due", "Status", "Marking"}; !slices.Equal(rows[0], want) {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	for i, m := range []string{"RESTRICTED", "SECRET", "TOP SECRET"} {
		if r := rows[i+1]; len(r) != 7 || r[0] != p.Actions[i].Action.Ref || r[6] != m {
			t.Errorf("row %d: %q, want %s marked %s", i+2, r, p.Actions[i].Action.Ref, m)
		}
	}

	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	rows = actionRows(t, render(t, rel))
	if want := []string{"Ref", "Action", "Owner", "Raised in round", "Due", "Status"}; !slices.Equal(rows[0], want) {
		t.Fatalf("release header %q, want %q", rows[0], want)
	}
	for _, r := range rows {
		for _, c := range r {
			if slices.Contains(s.Markings, c) {
				t.Errorf("the release's Actions carry %s", c)
			}
		}
	}
}

// actionRows reads back the Actions worksheet of a workbook.
func actionRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Actions")
	if err != nil || len(rows) < 4 {
		t.Fatalf("Actions: %d rows, %v", len(rows), err)
	}
	return rows
}

// TestRender_ActionSpans: an action's withheld words show in the full
// edition's Actions worksheet flagged with their ground, "[s6(a): words]",
// as a paragraph's do, not as the markup they are typed in; the release
// edition's carry the ground in their place, not the words.
func TestRender_ActionSpans(t *testing.T) {
	s := settings(t)
	p := packtest.Pack(s, 1)
	p.Actions[0].Action.Text = "Share the {{s6(a): zanzibar liaison's}} assessment by March."
	rows := actionRows(t, render(t, p))
	if got, want := rows[1][1], "Share the [s6(a): zanzibar liaison's] assessment by March."; got != want {
		t.Errorf("full edition: %q, want %q", got, want)
	}
	rel, err := briefing.ReleaseView(p)
	if err != nil {
		t.Fatal(err)
	}
	got := actionRows(t, render(t, rel))[1][1]
	if bytes.Contains([]byte(got), []byte("zanzibar")) || bytes.Contains([]byte(got), []byte("{{")) || !bytes.Contains([]byte(got), []byte("s6(a)")) {
		t.Errorf("release edition: %q", got)
	}
}
