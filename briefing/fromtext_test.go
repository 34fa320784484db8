package briefing_test

import (
	"strings"
	"testing"

	"briefpack/briefing"
)

func TestParseBrief(t *testing.T) {
	au, _ := briefing.SettingsFor("au")
	t.Run("PlainText", func(t *testing.T) {
		text := "Cyber Security\r\n\r\nSituational assessment\r\n- Threats rise. S47E\r\nA paragraph of its own.\r\n" +
			"What is Australia trying to achieve?\r\n* Norms of behaviour\r\n\r\n" +
			"What could Australia partner with Japan to achieve?\r\ns33(a)(iii)\r\n## Our approach\r\n• Capacity building in the Pacific.\r\n"
		sh, err := au.ParseBrief(text, "OFFICIAL")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sec := range sh.Sections {
			got = append(got, "#"+sec.Kind+":"+sec.Heading)
			for _, p := range sec.Paragraphs {
				got = append(got, p.Text+"|"+p.Marking+"|"+p.Withhold)
			}
		}
		want := []string{"#situation:", "- Threats rise. {{s47E: [withheld in the source]}}|OFFICIAL|", "A paragraph of its own.|OFFICIAL|",
			"#offensive:", "- Norms of behaviour|OFFICIAL|",
			"#partnering:", "[withheld in the source]|OFFICIAL|s33(a)(iii)",
			"#custom:Our approach", "- Capacity building in the Pacific.|OFFICIAL|"}
		if sh.Title != "Cyber Security" || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("title %q\n%s", sh.Title, strings.Join(got, "\n"))
		}
		if err := sh.Validate(au); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNoBrief", func(t *testing.T) {
		for _, text := range []string{"", "  \n\n", "Only a title\n"} {
			if _, err := au.ParseBrief(text, "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID {
				t.Errorf("%q: %v", text, err)
			}
		}
	})
	t.Run("ErrTwoBriefs", func(t *testing.T) {
		text := "One\t\n<b>Situational assessment</b>\t<p>Words.</p>\nTwo\t\n<b>Situational assessment</b>\t<p>More.</p>\n"
		if _, err := au.ParseBrief(text, "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID || !strings.Contains(briefing.ErrorMessage(err), `"Two"`) {
			t.Errorf("%v", err)
		}
	})
}
