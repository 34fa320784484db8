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
		sh, err := au.ParseBrief(text, "", "OFFICIAL")
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
			if _, err := au.ParseBrief(text, "", "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID {
				t.Errorf("%q: %v", text, err)
			}
		}
	})
	t.Run("ErrTwoBriefs", func(t *testing.T) {
		text := "One\t\n<b>Situational assessment</b>\t<p>Words.</p>\nTwo\t\n<b>Situational assessment</b>\t<p>More.</p>\n"
		if _, err := au.ParseBrief(text, "", "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID || !strings.Contains(briefing.ErrorMessage(err), `"Two"`) {
			t.Errorf("%v", err)
		}
	})
}

// TestParseBrief_Title: a byte order mark is no part of the title, and a
// title given leaves a first line that is a heading to begin its section.
func TestParseBrief_Title(t *testing.T) {
	nz, _ := briefing.SettingsFor("nz")
	t.Run("ByteOrderMark", func(t *testing.T) {
		sh, err := nz.ParseBrief("\ufeffCounter Terrorism\nSituational assessment\n- Low.\n", "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if sh.Title != "Counter Terrorism" {
			t.Fatalf("title %q", sh.Title)
		}
	})
	t.Run("GivenWithHeadingFirst", func(t *testing.T) {
		for _, text := range []string{"Situational assessment\n- Threat level is low.\n", "<b>Situational assessment</b>\t<ul><li>Threat level is low.</li></ul>\n",
			"## Situational assessment\n- Threat level is low.\n"} {
			sh, err := nz.ParseBrief(text, "Counter Terrorism", "SECRET")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(sh); sh.Title != "Counter Terrorism" || got != "#situation:\n- Threat level is low.|SECRET|" {
				t.Errorf("%q: title %q\n%s", text, sh.Title, got)
			}
		}
	})
	t.Run("GivenReplacesTitleLine", func(t *testing.T) {
		sh, err := nz.ParseBrief("CT\t\n<b>Situational assessment</b>\t<ul><li>Low.</li></ul>\n", "Counter Terrorism", "SECRET")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); sh.Title != "Counter Terrorism" || got != "#situation:\n- Low.|SECRET|" {
			t.Errorf("title %q\n%s", sh.Title, got)
		}
	})
}

// outline is a sheet brought in, one line a section or a paragraph:
// "#kind:heading", "text|marking|withhold".
func outline(sh *briefing.Sheet) string {
	var got []string
	for _, sec := range sh.Sections {
		got = append(got, "#"+sec.Kind+":"+sec.Heading)
		for _, p := range sec.Paragraphs {
			got = append(got, p.Text+"|"+p.Marking+"|"+p.Withhold)
		}
	}
	return strings.Join(got, "\n")
}

// FuzzParseBrief: whatever text is pasted, a sheet that validates or an
// EINVALID error, never a panic.
func FuzzParseBrief(f *testing.F) {
	nz, _ := briefing.SettingsFor("nz")
	for _, seed := range []string{"Title\nSituational assessment\n- a S6(a)\n", "T\t\n<b>H</b>\t<ul><li>• x</li></ul> <p>S6(a)</p>\n",
		"T\n## Our approach\ns9(2)(g)(i) s6(a)\n", "<p><li></p></li>\n\t\t", "T\nx s6(a)(i) s6(b)(ii)."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sh, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			if briefing.ErrorCode(err) != briefing.EINVALID {
				t.Fatalf("%v", err)
			}
			return
		}
		if len(sh.Sections) > briefing.MaxSections {
			return // Validate refuses it, as it should
		}
		if err := sh.Validate(nz); err != nil && briefing.ErrorCode(err) != briefing.EINVALID {
			t.Fatalf("%v", err)
		}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				if _, err := nz.ParseSpans(p.Text); err != nil && !strings.Contains(text, "{{") && !strings.Contains(text, "}}") {
					t.Fatalf("paragraph %q does not parse: %v", p.Text, err)
				}
			}
		}
	})
}
