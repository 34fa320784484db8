package web

import "testing"

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"ends_on":                        "End date",
		"sections[0].paragraphs[2].text": "Section 1, paragraph 3, text",
		"participating_agencies[1].side": "Agencies taking part 2, side",
		"agenda[3].lead_person_id":       "Agenda 4, lead speaker",
		"title":                          "Title",
	} {
		if got := fieldName(in); got != want {
			t.Errorf("fieldName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fieldText("must not be before starts_on"); got != "must not be before the start date" {
		t.Errorf("fieldText: %q", got)
	}
}
