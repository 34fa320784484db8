package briefing_test

import (
	"regexp"
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
		sh, _, err := au.ParseBrief(text, "", "OFFICIAL")
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
			if _, _, err := au.ParseBrief(text, "", "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID {
				t.Errorf("%q: %v", text, err)
			}
		}
	})
	t.Run("ErrTwoBriefs", func(t *testing.T) {
		text := "One\t\n<b>Situational assessment</b>\t<p>Words.</p>\nTwo\t\n<b>Situational assessment</b>\t<p>More.</p>\n"
		if _, _, err := au.ParseBrief(text, "", "OFFICIAL"); briefing.ErrorCode(err) != briefing.EINVALID || !strings.Contains(briefing.ErrorMessage(err), `"Two"`) {
			t.Errorf("%v", err)
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

// TestParseBrief_Markings: the text's banners and portion marks mark what
// is brought in, so nothing the source marked is kept below its marking.
func TestParseBrief_Markings(t *testing.T) {
	nz, _ := briefing.SettingsFor("nz")
	au, _ := briefing.SettingsFor("au")
	t.Run("Banners", func(t *testing.T) {
		// As QA pasted it: the banner was the title, the title a paragraph
		// of an "Introduction", the closing banner a paragraph, and all of
		// it at the round's RESTRICTED.
		text := "SECRET\nMaritime Security\nSituational assessment\n- Illegal fishing is rising in the Southern Ocean.\n- Patrol coverage is thin.\n" +
			"What could New Zealand partner with Australia to achieve?\n- Joint patrols.\nSECRET"
		sh, top, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		want := "#situation:\n- Illegal fishing is rising in the Southern Ocean.|SECRET|\n- Patrol coverage is thin.|SECRET|\n#partnering:\n- Joint patrols.|SECRET|"
		if sh.Title != "Maritime Security" || top != "SECRET" || outline(sh) != want {
			t.Fatalf("title %q, top %q\n%s", sh.Title, top, outline(sh))
		}
		if err := sh.Validate(nz); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("BannerForms", func(t *testing.T) {
		for _, c := range []struct {
			s            briefing.Settings
			banner, want string // want "" when the line is no banner
		}{
			{nz, "SECRET//NOFORN", "SECRET"}, {nz, "secret", "SECRET"}, {nz, "Top Secret // NZEO", "TOP SECRET"},
			{nz, "**CONFIDENTIAL**", "CONFIDENTIAL"}, {nz, "IN-CONFIDENCE", "IN-CONFIDENCE"},
			{au, "OFFICIAL: Sensitive", "OFFICIAL:Sensitive"}, {au, "PROTECTED//CABINET", "PROTECTED"},
			// not a marking of the scheme, or not only one
			{au, "CONFIDENTIAL", ""}, {nz, "PROTECTED", ""}, {nz, "SECRETARIAT", ""}, {nz, "SECRET briefing", ""},
			{nz, "SECRET//", ""}, {nz, "Secret?", ""},
		} {
			sh, top, err := c.s.ParseBrief(c.banner+"\nTitle\nWords.\n", "", c.s.Markings[0])
			if err != nil {
				t.Fatalf("%q: %v", c.banner, err)
			}
			got := sh.Sections[0].Paragraphs[0].Marking
			if c.want == "" {
				// Not a banner: the title. A marking it names in capitals
				// ("SECRET briefing") still marks the text, erring high.
				want := map[string]string{"SECRET briefing": "SECRET", "SECRET//": "SECRET", "Secret?": "SECRET"}[c.banner]
				if want == "" {
					want = c.s.Markings[0]
				}
				if sh.Title != c.banner && sh.Title+":" != c.banner && sh.Title+"?" != c.banner || got != want {
					t.Errorf("%q: title %q, marking %q, want %q", c.banner, sh.Title, got, want)
				}
				continue
			}
			if sh.Title != "Title" || got != c.want || top != c.want {
				t.Errorf("%q: title %q, marking %q, top %q; want the banner %s", c.banner, sh.Title, got, top, c.want)
			}
		}
	})
	t.Run("PageBanners", func(t *testing.T) {
		// Pasted across a page break: the page's banners are no paragraph.
		sh, _, err := nz.ParseBrief("CONFIDENTIAL\nTitle\nOne.\nCONFIDENTIAL\nCONFIDENTIAL\nTwo.\nCONFIDENTIAL\n", "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#custom:Introduction\nOne.|CONFIDENTIAL|\nTwo.|CONFIDENTIAL|" {
			t.Fatalf("\n%s", got)
		}
	})
	t.Run("BannerBelowTheRound", func(t *testing.T) {
		sh, top, err := nz.ParseBrief("UNCLASSIFIED\nTitle\nWords.\nUNCLASSIFIED\n", "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#custom:Introduction\nWords.|RESTRICTED|" || top != "RESTRICTED" {
			t.Fatalf("top %q\n%s", top, got)
		}
	})
	t.Run("PortionMarks", func(t *testing.T) {
		text := "Maritime Security\nSituational assessment\n(S) Patrols are thin.\n(C) Fishing is rising.\n(IC) Reports are public.\n" +
			"• (S) A bullet of the pack.\n(S) - A row of the workbook.\n(S) S6(a)\nUnmarked.\n" +
			"(s) a list item\n(O) not an nz mark\n(SECRET) a mark in words\n(S)no space\n(S)\n"
		sh, top, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join([]string{"#situation:", "Patrols are thin.|SECRET|", "Fishing is rising.|CONFIDENTIAL|", "Reports are public.|IN-CONFIDENCE|",
			"- A bullet of the pack.|SECRET|", "- A row of the workbook.|SECRET|", "[withheld in the source]|SECRET|s6(a)", "Unmarked.|SECRET|",
			"(s) a list item|SECRET|", "(O) not an nz mark|SECRET|", "a mark in words|SECRET|", "no space|SECRET|"}, "\n")
		if got := outline(sh); got != want || top != "SECRET" {
			t.Fatalf("top %q\n%s", top, got)
		}
		sh, _, err = au.ParseBrief("Cyber\n<b>Situational assessment</b>\t<ul><li>(P) Held close.</li><li>(OS) Less so.</li><li>(C) Not an au mark.</li><li>(R) Nor this.</li></ul>\n", "", "OFFICIAL")
		if err != nil {
			t.Fatal(err)
		}
		want = "#situation:\n- Held close.|PROTECTED|\n- Less so.|OFFICIAL:Sensitive|\n- (C) Not an au mark.|OFFICIAL|\n- (R) Nor this.|OFFICIAL|"
		if got := outline(sh); got != want {
			t.Fatalf("au:\n%s", got)
		}
	})
	t.Run("PortionMarkOverBanner", func(t *testing.T) {
		// The title marked, or given: the paragraphs keep their marks.
		for _, c := range []struct{ text, title string }{
			{"TOP SECRET\n(U) Title\n(R) Words.\n(U) More.\nTOP SECRET\n", ""},
			{"TOP SECRET\nTitle\n(R) Words.\n(U) More.\nTOP SECRET\n", "A title of our own"},
		} {
			sh, top, err := nz.ParseBrief(c.text, c.title, "RESTRICTED")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(sh); got != "#custom:Introduction\nWords.|RESTRICTED|\nMore.|UNCLASSIFIED|" || top != "TOP SECRET" {
				t.Fatalf("%q: top %q\n%s", c.text, top, got)
			}
		}
	})
	t.Run("BannerMarksWhatCameWithIt", func(t *testing.T) {
		// An unmarked title and heading under a SECRET banner were kept
		// with an unclassified paragraph, at UNCLASSIFIED, for every
		// reader to see. They are shown with the paragraphs (the title
		// with the whole sheet), which are marked no lower.
		text := "SECRET\nOperation QQTITLE plan\n\n## Sources and QQHEAD methods\n\n(U) An unclassified paragraph.\n\nSECRET"
		sh, top, err := nz.ParseBrief(text, "", "UNCLASSIFIED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#custom:Sources and QQHEAD methods\nAn unclassified paragraph.|SECRET|" || top != "SECRET" {
			t.Fatalf("top %q\n%s", top, got)
		}
		// The title given and the heading marked: nothing came with the
		// banner unmarked.
		sh, _, err = nz.ParseBrief(strings.Replace(text, "## Sources", "## (U) Sources", 1), "Our title", "UNCLASSIFIED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#custom:Sources and QQHEAD methods\nAn unclassified paragraph.|UNCLASSIFIED|" {
			t.Fatalf("\n%s", got)
		}
		// A standard heading is the app's words, not the text's.
		sh, _, err = nz.ParseBrief("SECRET\n(U) Title\nSituational assessment\n(U) Words.\n", "", "UNCLASSIFIED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#situation:\nWords.|UNCLASSIFIED|" {
			t.Fatalf("\n%s", got)
		}
	})
	t.Run("ControlCharacters", func(t *testing.T) {
		// A pasted document's page breaks break paragraphs; its other
		// control characters are dropped, not stored for the packs.
		sh, _, err := nz.ParseBrief("Title\n(S) One\x1b[31m.\fTwo\a.\vThree.\n", "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != "#custom:Introduction\nOne[31m.|SECRET|\nTwo.|SECRET|\nThree.|SECRET|" {
			t.Fatalf("\n%s", got)
		}
		if err := sh.Validate(nz); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("MarksAmongWords", func(t *testing.T) {
		// Where no form reads a mark, one among the words still marks its
		// paragraph (and a heading) no lower; words are not run together.
		for _, c := range []struct{ text, want string }{
			{"Title\n<b>Situational assessment</b>\t<ul><li>Partner capabilities:<ul><li>(TS) NIGHTFALL intercepts.</li></ul></li></ul>\n",
				"#situation:\n- Partner capabilities: (TS) NIGHTFALL intercepts.|TOP SECRET|"},
			{"Title\n<b>Background</b>\t<p>Public context.<br>(TS) Source GREYHOUND.</p><p>Beta<br/>Gamma</p>\n",
				"#background:\nPublic context. (TS) Source GREYHOUND.|TOP SECRET|\nBeta Gamma|TOP SECRET|"}, // the cell's block: it errs high
			// a word processor's table, pasted: heading, tab, content
			{"Title\t\nSituational assessment\t(S) The service is compromised.\nOffensive interest – what are we trying to achieve\t(TS) NIGHTFALL access.\n",
				"#situation:\nThe service is compromised.|SECRET|\n#offensive:\nNIGHTFALL access.|TOP SECRET|"},
			{"Title\n– (S) En dash.\n", "#custom:Introduction\n- En dash.|SECRET|"},
			{"Title\n● (S) Round bullet.\n", "#custom:Introduction\n- Round bullet.|SECRET|"},
			{"Title\nA. (TS) Capital letter.\n", "#custom:Introduction\nA. Capital letter.|TOP SECRET|"},
			{"Title\n(1) (S) Number in parentheses.\n", "#custom:Introduction\n(1) Number in parentheses.|SECRET|"},
			{"Title\nii. (S) Roman.\n", "#custom:Introduction\nii. Roman.|SECRET|"},
			{"Title\n1.(S) Unspaced number.\n", "#custom:Introduction\n1.(S) Unspaced number.|SECRET|"},
			{"Title\n***(S)*** Bold italics.\n", "#custom:Introduction\n***(S)*** Bold italics.|SECRET|"},
			{"Title\nS6(a) S9(2)(a) (S) Two grounds first.\n", "#custom:Introduction\n{{s6(a): [withheld in the source]}} {{s9(2)(a): [withheld in the source]}} (S) Two grounds first.|SECRET|"},
			{"Title\n## Sources (TS) and methods\nWords.\n", "#custom:Sources (TS) and methods\nWords.|TOP SECRET|"},
			// not marks
			{"Title\n(C/O) Ministry of Foreign Affairs, Wellington.\n", "#custom:Introduction\n(C/O) Ministry of Foreign Affairs, Wellington.|RESTRICTED|"},
			// a numbered commitment is no standard question by its words
			{"Title\n3.04 - Work with PILON to help strengthen cybercrime legislation in the region\n",
				"#custom:Introduction\n3.04 - Work with PILON to help strengthen cybercrime legislation in the region|RESTRICTED|"},
		} {
			sh, top, err := nz.ParseBrief(c.text, "", "RESTRICTED")
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			if got := outline(sh); got != c.want {
				t.Errorf("%q:\n%s\nwant\n%s", c.text, got, c.want)
			} else if want := strings.Split(c.want, "|")[1]; nz.Highest(want, top) != top {
				t.Errorf("%q: top %s below %s", c.text, top, want)
			}
		}
		for _, c := range []struct {
			s            briefing.Settings
			banner, want string
		}{
			{nz, "SECRET NOFORN", "SECRET"}, {nz, "TOP SECRET REL TO AUS, NZL", "TOP SECRET"}, {nz, "Classification : SECRET", "SECRET"},
			{nz, "Security classification: SECRET", "SECRET"}, {au, "SECRET AUSTEO", "SECRET"},
			{nz, "SECRET PLAN", ""}, // a heading in capitals, not caveats
		} {
			sh, _, err := c.s.ParseBrief(c.banner+"\nTitle\nWords.\n", "", c.s.Markings[0])
			if err != nil {
				t.Fatal(err)
			}
			got := sh.Sections[0].Paragraphs[0].Marking
			if c.want == "" && sh.Title != c.banner || c.want != "" && (sh.Title != "Title" || got != c.want) {
				t.Errorf("%q: title %q, marking %s; want %q", c.banner, sh.Title, got, c.want)
			}
		}
		sh, _, err := au.ParseBrief("Title\n(S AUSTEO) Caveat after a space.\n", "", "OFFICIAL")
		if err != nil || sh.Sections[0].Paragraphs[0].Marking != "SECRET" || sh.Sections[0].Paragraphs[0].Text != "Caveat after a space." {
			t.Errorf("(S AUSTEO): %v %s", err, outline(sh))
		}
	})
	t.Run("AsWordProcessorsWriteThem", func(t *testing.T) {
		// Banners and marks as a word processor, a mail client or an input
		// method writes them: each left the text at the default marking.
		for _, c := range []struct {
			s          briefing.Settings
			text, want string // want: the marking of the paragraph "Words."
		}{
			{nz, "SECRET – NZEO\nTitle\nWords.\n", "SECRET"},
			{nz, "TOP SECRET — AUSTEO\nTitle\nWords.\n", "TOP SECRET"},
			{nz, "TOP\u00a0SECRET\nTitle\nWords.\n", "TOP SECRET"},
			{nz, "[SECRET]\nTitle\nWords.\n", "SECRET"},
			{nz, "***SECRET***\nTitle\nWords.\n", "SECRET"},
			{nz, "Classification - SECRET\nTitle\nWords.\n", "SECRET"},
			{nz, "Protective marking: SECRET\nTitle\nWords.\n", "SECRET"},
			{nz, "SECRET//NZEO – Cabinet\nTitle\nWords.\n", "SECRET"},
			{au, "[SEC=SECRET]\nTitle\nWords.\n", "SECRET"},
			{au, "[SEC=SECRET, CAVEAT=SH:AUSTEO]\nTitle\nWords.\n", "SECRET"},
			{au, "Subject: Maritime brief [SEC=SECRET]\nWords.\n", "SECRET"},
			{nz, "Title\n(S//REL TO AUS & NZL) Words.\n", "SECRET"},
			{nz, "Title\n(S//REL TO: AUS, NZL) Words.\n", "SECRET"},
			{nz, "Title\n(S – NZEO) Words.\n", "SECRET"},
			{nz, "Title\n（ＴＳ） Words.\n", "TOP SECRET"},
			{nz, "Title\n•\t(S) Words.\n•\tPublic words.\n", "SECRET"},
		} {
			sh, top, err := c.s.ParseBrief(c.text, "", c.s.Markings[1])
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			var got string
			for _, sec := range sh.Sections {
				for _, p := range sec.Paragraphs {
					if strings.HasSuffix(p.Text, "Words.") {
						got = p.Marking
					}
				}
			}
			if got != c.want || c.s.Highest(top, c.want) != top {
				t.Errorf("%q: %s, top %s; want %s", c.text, outline(sh), top, c.want)
			}
		}
		// Over-marking kept within reason: acronyms, a list's letters, a
		// plural, a word in parentheses, a year.
		for _, text := range []string{"Title\ncounter-drone (C-UAS) and (C-IED) work.\n", "Title\nCopyright (C) 2023.\n", "Title\nPARTNER(S) agree.\n",
			"Title\nThe draft is (confidential) until May.\n", "Title\nOptions include: (A) engage, (B) defer, (C) decline.\n"} {
			sh, _, err := nz.ParseBrief(text, "", "RESTRICTED")
			if err != nil {
				t.Fatal(err)
			}
			if m := sh.Sections[0].Paragraphs[0].Marking; m != "RESTRICTED" {
				t.Errorf("%q marked %s", text, m)
			}
		}
		// Word's list, copied as text, is no table of headings.
		sh, _, err := nz.ParseBrief("Title\n1.\tThe frigate.\n2.\tPublic words.\n", "", "RESTRICTED")
		if err != nil || len(sh.Sections) != 1 || sh.Sections[0].Heading == "1." {
			t.Errorf("a numbered list: %v\n%s", err, outline(sh))
		}
	})
	t.Run("FourthReview", func(t *testing.T) {
		// Each of these kept words their source marks SECRET or above at a
		// lower marking; want is the lowest marking any paragraph may have.
		for _, c := range []struct {
			s          briefing.Settings
			text, want string
		}{
			{nz, "SUBJECT: Tasking of NIGHTFALL source (S)\n\n(U) Overview of the meeting.\n\n(S) The source is in place.\n", "SECRET"},
			{nz, "Brief\n\n## Tasking of NIGHTFALL (S)\n\n(U) Overview of the meeting.\n", "SECRET"},
			{nz, "Brief title\n\nThe minister will attend. (S)\n", "SECRET"},
			{au, "Title\n\nNIGHTFALL is run from Jakarta. (S)\n", "SECRET"},
			{nz, "Title\nSituational assessment\t(S) Key points:\n•\tNIGHTFALL access continues.\n•\tGREYHOUND is in place.\n", "SECRET"},
			{nz, "Title\n<b>Situational assessment</b>\t<ul><li>(U) Overview<ul><li>(S) including the source in Beijing</li></ul></li></ul>\n", "SECRET"},
			{nz, "Title\n<b>Situational assessment</b>\t<ul><li>(U) Overview<br>(S) 12 agents deployed</li></ul>\n", "SECRET"},
			{nz, "Title\n\nClassification: Secret – NZ Eyes Only\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nTop Secret – Australian Eyes Only\n\nThe agent is in place.\n", "TOP SECRET"},
			{nz, "Title\n\nSecret, NZEO\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nSecret NZ Eyes Only\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nClassification: Secret (NZEO)\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nSensitivity: Secret\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nMarking: Secret\n\nThe agent is in place.\n", "SECRET"},
			{nz, "Title\n\nClassification: Top Secret.\n\nThe agent is in place.\n", "TOP SECRET"},
			{nz, "Title\n\nTOP\u2011SECRET\n\nThe agent is in place.\n", "TOP SECRET"},
			{nz, "Title\n\nTOP\u202fSECRET\n\nThe agent is in place.\n", "TOP SECRET"},
			{nz, "Title\n\n[TS] The agent is in place.\n", "TOP SECRET"},
			{nz, "Title\n\n(S, NZEO) The agent is in place.\n", "SECRET"},
		} {
			sh, top, err := c.s.ParseBrief(c.text, "", c.s.Markings[1])
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			markedAtLeast(t, c.s, c.text, sh, top, c.want, "")
		}
		// A lettered list is no mark: "(C)" after "(A)" and "(B)".
		sh, top, err := nz.ParseBrief("Title\n\nRecommendations\n(A) Note the report.\n(B) Agree to the plan.\n(C) Direct officials to report back.\n", "", "RESTRICTED")
		if err != nil || top != "RESTRICTED" || !strings.HasSuffix(outline(sh), "\n(C) Direct officials to report back.|RESTRICTED|") {
			t.Errorf("a lettered list: %v, top %s\n%s", err, top, outline(sh))
		}
		// A hard-wrapped line beginning "released under the" is words.
		sh, _, err = nz.ParseBrief("Title\n\n(S) The documents NIGHTFALL obtained from the ministry were\nreleased under the cover of an exchange of notes, and the\nsource reports weekly on them.\n\nNext para is long enough to set the width for the wrapped text here ok.\n", "", "RESTRICTED")
		if err != nil || !strings.Contains(outline(sh), "released under the cover") {
			t.Errorf("a line lost: %v\n%s", err, outline(sh))
		}
	})
	t.Run("FifthReview", func(t *testing.T) {
		for _, c := range []struct {
			s                briefing.Settings
			text, want, word string // want: the lowest marking any paragraph may have; word: a word that must be kept
		}{
			{nz, "Brief\nSituational assessment\n(S) The agent reports that the minister\nwill work with NIGHTFALL on the transfer\nand that the money moved last week.\n", "SECRET", "NIGHTFALL"},
			{nz, "Brief\nSituational assessment\n(S) The agent reports that the minister will resign, and that her deputy, who has the background\nof a NIGHTFALL officer, takes over next week.\n", "SECRET", "resign"},
			{nz, "Brief\nSituational assessment\n1.(S) The source inside the ministry confirmed that the funds were moved to the group last week and\nthe KESTREL network in Suva received them through the exchange, as the liaison reported in March.\n", "SECRET", "KESTREL"},
			{nz, "Brief\n\nSituational assessment\n\nThe frigate's combat system was compromised during the exercise by a state actor called NIGHTFALL in\nlate March 2024, and partners have not been told; the extent of the access is still unknown to the NZDF. (S)\n", "SECRET", "NIGHTFALL"},
			{nz, "Brief\t\n<b>Situational assessment</b>\t<p>(S) Our sources in the ministry are:</p> <ul><li>KESTREL, the financier in Suva</li><li>LAPWING, the courier</li></ul>\n", "SECRET", "LAPWING"},
			{nz, "Brief\n\nSituational assessment\n(S) Sources active in Fiji\nKESTREL\tthe financier in Suva\nLAPWING\tthe courier in Nadi\n", "SECRET", "courier"},
			{nz, "Brief\nTalking points\n•\t(S) Our sources in the ministry are:\no\tKESTREL, the financier in Suva\no\tLAPWING, the courier\n", "SECRET", "LAPWING"},
			{nz, "Brief\n\nDocument classification: Secret\n\nThe agent KESTREL is in place.\n", "SECRET", "KESTREL"},
			{nz, "Brief\n\nClassification Level: Top Secret\n\nThe agent KESTREL is in place.\n", "TOP SECRET", "KESTREL"},
			{nz, "Brief\n\nSecurity Level: Secret\n\nThe agent KESTREL is in place.\n", "SECRET", "KESTREL"},
			{nz, "Brief\n\nThe agent KESTREL is in place.\n\nPage 2 of 5 Secret\n", "SECRET", "KESTREL"},
			{nz, "Brief\n\nThe agent KESTREL is in place.\n\nSecret | Department of the Prime Minister and Cabinet | Page 2 of 5\n", "SECRET", "KESTREL"},
			// ordinary prose stays at the default, its words kept
			{nz, "Brief\nOfficials will continue to monitor the situation in Solomon Islands closely\n", "RESTRICTED", "Solomon"},
			{nz, "Brief\nWe will work with the Global Internet Forum to Counter Terrorism (GIFCT) on crisis protocols\n", "RESTRICTED", "GIFCT"},
			{nz, "Brief\nIf asked about China's security agreement with Solomon Islands\n", "RESTRICTED", "China"},
		} {
			sh, top, err := c.s.ParseBrief(c.text, "", "RESTRICTED")
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			if !strings.Contains(outline(sh), c.word) {
				t.Errorf("%q: %q lost\n%s", c.text, c.word, outline(sh))
			}
			markedAtLeast(t, c.s, c.text, sh, top, c.want, "")
		}
		// The sixth review's: a mail's subject line, a Word footer with
		// its tab stops, a title-case marking in parentheses after a title.
		for _, c := range []struct {
			s          briefing.Settings
			text, want string
		}{
			{au, "From: Smith, John\nSent: Tuesday, 3 March 2024 10:00 AM\nTo: Jones, Mary\nSubject: RE: Maritime brief [SEC=SECRET]\n\nKESTREL words.\n", "SECRET"},
			{nz, "From: Smith, John\nSubject: Maritime brief [SECRET]\n\nKESTREL words.\n", "SECRET"},
			{nz, "From: Smith, John\nSubject: RE: Maritime brief (SECRET)\n\nKESTREL words.\n", "SECRET"},
			{nz, "Brief\n\nKESTREL words.\n\nNote [SECRET] in the middle.\n", "SECRET"},
			{nz, "Brief\n\nKESTREL words.\n\nSecret\tPage 2 of 5\n", "SECRET"},
			{nz, "Brief\n\nKESTREL words.\n\n2\tTop Secret\n", "TOP SECRET"},
			{nz, "Brief\n\nKESTREL words.\n\nSecret - Page 2 of 5\n", "SECRET"},
			{nz, "Brief\n\nKESTREL words.\n\nClassification: Secret\tPage 2 of 5\n", "SECRET"},
			{au, "Brief\n\nKESTREL words.\n\nSecret\tPage 2 of 5\n", "SECRET"},
			{nz, "Maritime Security Brief (Secret)\n(U) public KESTREL words.\n", "SECRET"},
			{nz, "Brief\nKESTREL words are here (Secret)\n", "SECRET"},
			{nz, "Brief\nThis paper is classified Top Secret and holds KESTREL.\n", "TOP SECRET"},
		} {
			def := c.s.Markings[1]
			sh, top, err := c.s.ParseBrief(c.text, "", def)
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			markedAtLeast(t, c.s, c.text, sh, top, c.want, "KESTREL")
		}
		// Not marks: acronyms the words before them define, copyright, a
		// title beginning with a marking's word.
		for _, c := range []struct {
			s          briefing.Settings
			text, want string
		}{
			{nz, "Brief\nThe Technical Specification (TS) sets the rules.\n", "RESTRICTED"},
			{nz, "Brief\nThe Intelligence Community (IC) met.\n", "RESTRICTED"},
			{au, "Brief\nThe operating system (OS) is patched.\n", "OFFICIAL"},
			{nz, "Brief\n(C) 2023 New Zealand Government\n", "RESTRICTED"},
			{nz, "Brief\nSecret ballot concerns\n", "RESTRICTED"},
		} {
			def := "RESTRICTED"
			if c.s.Jurisdiction == "au" {
				def = "OFFICIAL"
			}
			sh, top, err := c.s.ParseBrief(c.text, "", def)
			if err != nil {
				t.Fatal(err)
			}
			if p := sh.Sections[0].Paragraphs[0]; p.Marking != c.want || top != c.want || !strings.Contains(c.text, p.Text) {
				t.Errorf("%q: %q at %s, top %s", c.text, p.Text, p.Marking, top)
			}
		}
	})
	t.Run("MarkForms", func(t *testing.T) {
		// Portion marks as other documents write them: each was left as
		// words, its paragraph at the default marking, below its mark.
		for _, c := range []struct{ line, want, text string }{
			{"(S//NZEO) Caveated.", "SECRET", "Caveated."},
			{"(TS//SCI) Compartmented.", "TOP SECRET", "Compartmented."},
			{"(S//REL AUS, NZL) Releasable.", "SECRET", "Releasable."},
			{"(TOP SECRET) In words.", "TOP SECRET", "In words."},
			{"(Secret) In words, in lower case.", "SECRET", "In words, in lower case."},
			{"(S)Unspaced.", "SECRET", "Unspaced."},
			{"**(S)** In bold.", "SECRET", "In bold."},
			{"（S） Full-width.", "SECRET", "Full-width."},
			// The words after a mark stay as typed: full-width braces are
			// words, not a withheld span's opening.
			{"(S)｛｛ＩＭＥ｝｝ typed.", "SECRET", "｛｛ＩＭＥ｝｝ typed."},
			{"（Ｓ） ＡＢＣ（１）", "SECRET", "ＡＢＣ（１）"},
			{"＊＊(S)＊＊ Bold full-width.", "SECRET", "Bold full-width."},
			{"\u200b(S) After a zero-width space.", "SECRET", "After a zero-width space."},
			{"- (C) A bullet.", "CONFIDENTIAL", "- A bullet."},
			{"S6(a) (S) Withheld first.", "SECRET", "{{s6(a): [withheld in the source]}} Withheld first."},
			{"(S)\nOn the line after its mark.", "SECRET", "On the line after its mark."},
			{"(TS)\n\nAfter a blank line.", "TOP SECRET", "After a blank line."},
			// not marks
			{"(a) A list item.", "RESTRICTED", "(a) A list item."},
			{"(UN) A body's initials.", "RESTRICTED", "(UN) A body's initials."},
			{"(s) Lower case.", "RESTRICTED", "(s) Lower case."},
			{"(see https://www.mfat.govt.nz) An address.", "RESTRICTED", "(see https://www.mfat.govt.nz) An address."},
			{"(EU//US) trade talks went well.", "RESTRICTED", "(EU//US) trade talks went well."},
			// more forms
			{"a. (S) Lettered.", "SECRET", "a. Lettered."},
			{"1.1.1 (S) Deep.", "SECRET", "1.1.1 Deep."},
			{"(TS/SCI) Slashed.", "TOP SECRET", "Slashed."},
			{"(S/NF) Slashed.", "SECRET", "Slashed."},
			{"(S-NZEO) Hyphened.", "SECRET", "Hyphened."},
			{"> (S) Quoted.", "SECRET", "> Quoted."},
			{"*(S)* In italics.", "SECRET", "In italics."},
			{"**(S) Key point:** words.", "SECRET", "**Key point:** words."},
			{"(S)\n(R) Lower words after a higher mark.", "SECRET", "Lower words after a higher mark."},
			{"- (S)\nAfter a bullet of its mark alone.", "SECRET", "After a bullet of its mark alone."},
			{"<b>The plan</b>\t<p>(S)</p><p>After a cell's paragraph of its mark alone.</p>", "SECRET", "After a cell's paragraph of its mark alone."},
			{"<b>The plan</b>\t<ul><li>(S)</li><li>After an item of its mark alone.</li></ul>", "SECRET", "- After an item of its mark alone."},
			{"<b>The plan</b>\t(S) <ul><li>After a mark before the list.</li></ul>", "SECRET", "- After a mark before the list."},
		} {
			sh, top, err := nz.ParseBrief("Title\n"+c.line+"\n", "", "RESTRICTED")
			if err != nil {
				t.Fatalf("%q: %v", c.line, err)
			}
			p := sh.Sections[0].Paragraphs[0]
			if len(sh.Sections[0].Paragraphs) != 1 || p.Marking != c.want || p.Text != c.text || top != nz.Highest("RESTRICTED", c.want) {
				t.Errorf("%q: %s, top %s; want %q at %s", c.line, outline(sh), top, c.text, c.want)
			}
		}
		for _, banner := range []string{"Classification: SECRET", "SECRET - NZEO", "TOP SECRET - AUSTEO"} {
			sh, top, err := nz.ParseBrief(banner+"\nTitle\n(U) Words.\n", "", "UNCLASSIFIED")
			if err != nil {
				t.Fatal(err)
			}
			if sh.Title != "Title" || top == "UNCLASSIFIED" {
				t.Errorf("%q not read as a banner: title %q, top %s", banner, sh.Title, top)
			}
		}
		if sh, _, _ := nz.ParseBrief("SECRET - the plan\nWords.\n", "", "RESTRICTED"); sh == nil || sh.Title != "SECRET - the plan" {
			t.Errorf("a title in words read as a banner")
		}
		// A mark with caveats the scheme cannot read is refused, not left
		// at the default marking, wherever a mark is read.
		for _, text := range []string{"Title\n(NOFORN//X) Unreadable.\n", "Title\n## (NOFORN//X) The plan\nWords.\n",
			"Title\n<b>(S/NF//X) The plan</b>\t<ul><li>Words.</li></ul>\n", "Title\n1. (NOFORN//X) Words.\n", "Title\nS6(a) (NOFORN//X) words\n"} {
			_, _, err := nz.ParseBrief(text, "", "RESTRICTED")
			if e, ok := err.(*briefing.Error); !ok || e.Code != briefing.EINVALID || !strings.Contains(e.Message, "//X)") {
				t.Errorf("%q: an unreadable mark: %v", text, err)
			}
		}
		// A hard-wrapped text keeps a line marked after a withholding mark
		// or a deep number apart from the line before.
		wrapped := "Title\n\nThis is a fairly long line of ordinary text that the mail wrapped at\nabout seventy characters and continues on the next line in lower case.\n" +
			"S6(a) (S) Operation KESTREL begins in March.\n1.1.1 (TS) Deeper still.\n"
		sh, top, err := nz.ParseBrief(wrapped, "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		want := "#custom:Introduction\nThis is a fairly long line of ordinary text that the mail wrapped at about seventy characters and continues on the next line in lower case.|RESTRICTED|\n" +
			"{{s6(a): [withheld in the source]}} Operation KESTREL begins in March.|SECRET|\n1.1.1 Deeper still.|TOP SECRET|"
		if got := outline(sh); got != want || top != "TOP SECRET" {
			t.Errorf("hard-wrapped: top %s\n%s", top, got)
		}
		// au: OFFICIAL:Sensitive as people write it.
		for _, text := range []string{"OFFICIAL - SENSITIVE\nCyber brief\n\nSome sensitive words.\n", "Cyber brief\n(OFFICIAL-SENSITIVE) Some sensitive words.\n",
			"Cyber brief\n(OFFICIAL SENSITIVE) Some sensitive words.\n"} {
			sh, _, err := au.ParseBrief(text, "", "OFFICIAL")
			if err != nil {
				t.Fatal(err)
			}
			if p := sh.Sections[0].Paragraphs[0]; p.Marking != "OFFICIAL:Sensitive" || sh.Title != "Cyber brief" {
				t.Errorf("%q: %q at %s, title %q", text, p.Text, p.Marking, sh.Title)
			}
		}
	})
	t.Run("MarkedTitleAndHeadings", func(t *testing.T) {
		// Shown with every paragraph under them: none is marked lower.
		text := "(C) Maritime Security\n(S) Situational assessment\n(U) Patrols are thin.\n## (U) Our approach\n(U) Words.\n(TS) What is left to ask?\n"
		sh, top, err := nz.ParseBrief(text, "", "UNCLASSIFIED")
		if err != nil {
			t.Fatal(err)
		}
		want := "#situation:\nPatrols are thin.|TOP SECRET|\n#custom:Our approach\nWords.|TOP SECRET|\n#custom:What is left to ask?"
		if got := outline(sh); sh.Title != "Maritime Security" || got != want || top != "TOP SECRET" {
			t.Fatalf("title %q, top %q\n%s", sh.Title, top, got)
		}
		sh, _, _ = nz.ParseBrief(strings.TrimSuffix(text, "(TS) What is left to ask?\n"), "", "UNCLASSIFIED")
		want = "#situation:\nPatrols are thin.|SECRET|\n#custom:Our approach\nWords.|CONFIDENTIAL|"
		if got := outline(sh); got != want {
			t.Fatalf("\n%s", got)
		}
	})
	t.Run("PortionMarking", func(t *testing.T) {
		for _, s := range []briefing.Settings{nz, au} {
			for _, m := range s.Markings {
				if got := s.PortionMarking(s.PortionMark(m)); got != m {
					t.Errorf("%s: %s → %s → %q", s.Jurisdiction, m, s.PortionMark(m), got)
				}
			}
		}
		for _, c := range []struct {
			s    briefing.Settings
			mark string
		}{{nz, "(s)"}, {nz, "(O)"}, {nz, "(P)"}, {au, "(C)"}, {au, "(R)"}, {au, "(U)"}, {au, "(IC)"}, {nz, "S"}, {nz, "(SECRET)"}} {
			if got := c.s.PortionMarking(c.mark); got != "" {
				t.Errorf("%s: %s read as %s", c.s.Jurisdiction, c.mark, got)
			}
		}
	})
}

// TestParseBrief_Title: a byte order mark is no part of the title, and a
// title given leaves a first line that is a heading to begin its section.
func TestParseBrief_Title(t *testing.T) {
	nz, _ := briefing.SettingsFor("nz")
	t.Run("ByteOrderMark", func(t *testing.T) {
		sh, _, err := nz.ParseBrief("\ufeffCounter Terrorism\nSituational assessment\n- Low.\n", "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if sh.Title != "Counter Terrorism" {
			t.Fatalf("title %q", sh.Title)
		}
	})
	t.Run("GivenWithHeadingFirst", func(t *testing.T) {
		for _, text := range []string{"Situational assessment\n- Threat level is low.\n", "<b>Situational assessment</b>\t<ul><li>Threat level is low.</li></ul>\n",
			"SECRET\n## Situational assessment\n- Threat level is low.\n"} {
			sh, _, err := nz.ParseBrief(text, "Counter Terrorism", "SECRET")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(sh); sh.Title != "Counter Terrorism" || got != "#situation:\n- Threat level is low.|SECRET|" {
				t.Errorf("%q: title %q\n%s", text, sh.Title, got)
			}
		}
	})
	t.Run("GivenReplacesTitleLine", func(t *testing.T) {
		sh, _, err := nz.ParseBrief("CT\t\n<b>Situational assessment</b>\t<ul><li>Low.</li></ul>\n", "Counter Terrorism", "SECRET")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); sh.Title != "Counter Terrorism" || got != "#situation:\n- Low.|SECRET|" {
			t.Errorf("title %q\n%s", sh.Title, got)
		}
	})
}

// wrappedBrief is a brief as a mail or a text file holds it: wrapped at 72
// columns, its paragraphs and bullets separated by blank lines or begun by
// their marks, a bullet's lines indented or not, banners at its top and
// bottom.
const wrappedBrief = `RESTRICTED

Maritime Security

Situational assessment

Illegal, unreported and unregulated fishing in the Southern Ocean is
rising, and the patrol coverage that New Zealand and Australia provide
together has not kept pace with it since the last round of the dialogue.

(S) Our assessment is that a foreign fleet has fished inside the
exclusive economic zone without a licence on at least three occasions
this year, S6(a), and that it will return when the season opens.

What is New Zealand trying to achieve?
- Joint patrols with Australia that lift coverage across the Tasman and
  the Southern Ocean during the toothfish season.
* A shared picture of vessels of interest, drawn from both navies and
from the fisheries agencies of each side.

## Our approach
We want to work with Australia and the Pacific Islands Forum Fisheries
Agency, whose vessel monitoring is the best in the region, on a single
register of licensed vessels.
1. Agree the register's fields at officials' level.
2. Share it with the Agency before the next round.
Talking points

- New Zealand values the patrols Australia has flown over the last two
  seasons and would like to make them a standing arrangement.
- We propose officials meet before the next round.

RESTRICTED
`

// TestParseBrief_HardWrapped: a hard-wrapped brief is brought in a
// paragraph for each of its paragraphs and bullets, not for each line, and
// a text holding its paragraphs one to a line is read as it always was.
func TestParseBrief_HardWrapped(t *testing.T) {
	nz, _ := briefing.SettingsFor("nz")
	want := strings.Join([]string{
		"#situation:",
		"Illegal, unreported and unregulated fishing in the Southern Ocean is rising, and the patrol coverage that New Zealand and Australia provide together has not kept pace with it since the last round of the dialogue.|RESTRICTED|",
		"Our assessment is that a foreign fleet has fished inside the exclusive economic zone without a licence on at least three occasions this year, {{s6(a): [withheld in the source]}}, and that it will return when the season opens.|SECRET|",
		"#offensive:",
		"- Joint patrols with Australia that lift coverage across the Tasman and the Southern Ocean during the toothfish season.|RESTRICTED|",
		"- A shared picture of vessels of interest, drawn from both navies and from the fisheries agencies of each side.|RESTRICTED|",
		"#custom:Our approach",
		"We want to work with Australia and the Pacific Islands Forum Fisheries Agency, whose vessel monitoring is the best in the region, on a single register of licensed vessels.|RESTRICTED|",
		"1. Agree the register's fields at officials' level.|RESTRICTED|",
		"2. Share it with the Agency before the next round.|RESTRICTED|",
		"#talking_points:",
		"- New Zealand values the patrols Australia has flown over the last two seasons and would like to make them a standing arrangement.|RESTRICTED|",
		"- We propose officials meet before the next round.|RESTRICTED|",
	}, "\n")
	t.Run("OK", func(t *testing.T) {
		for name, text := range map[string]string{"LF": wrappedBrief, "CRLF": strings.ReplaceAll(wrappedBrief, "\n", "\r\n")} {
			sh, top, err := nz.ParseBrief(text, "", "RESTRICTED")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(sh); sh.Title != "Maritime Security" || top != "SECRET" || got != want {
				t.Fatalf("%s: title %q, top %q\n%s", name, sh.Title, top, got)
			}
			if err := sh.Validate(nz); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("OneParagraphALine", func(t *testing.T) {
		// The same brief as a word processor pastes it: a paragraph, a
		// bullet, a line; its long lines tell it is not wrapped.
		text := "RESTRICTED\n\nMaritime Security\n\nSituational assessment\n\n"
		for _, l := range strings.Split(want, "\n")[1:] {
			text += strings.NewReplacer("#offensive:", "What is New Zealand trying to achieve?", "#custom:", "## ", "#talking_points:", "Talking points",
				"{{s6(a): [withheld in the source]}}", "S6(a)", "|RESTRICTED|", "", "|SECRET|", "").Replace(l) + "\n"
		}
		text = strings.Replace(text, "Our assessment", "(S) Our assessment", 1)
		sh, _, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sh); got != want {
			t.Fatalf("\n%s", got)
		}
	})
	t.Run("ShortParagraphsALine", func(t *testing.T) {
		// Short lines and a blank line or two, but no line broken where
		// only wrapping breaks one: each line is its own paragraph.
		text := "Counter Terrorism\n\nSituational assessment\nThe threat level in New Zealand remains low, as the last assessment found.\n" +
			"Foreign fighters have returned from the conflict.\nReports are shared weekly.\n\nBackground\nAgreed at the leaders' meeting.\n"
		sh, _, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			t.Fatal(err)
		}
		want := "#situation:\nThe threat level in New Zealand remains low, as the last assessment found.|RESTRICTED|\n" +
			"Foreign fighters have returned from the conflict.|RESTRICTED|\nReports are shared weekly.|RESTRICTED|\n#background:\nAgreed at the leaders' meeting.|RESTRICTED|"
		if got := outline(sh); got != want {
			t.Fatalf("\n%s", got)
		}
	})
}

// FuzzParseBrief: whatever text is pasted, a sheet that validates or an
// EINVALID error, never a panic.
func FuzzParseBrief(f *testing.F) {
	nz, _ := briefing.SettingsFor("nz")
	for _, seed := range []string{"Title\nSituational assessment\n- a S6(a)\n", "T\t\n<b>H</b>\t<ul><li>• x</li></ul> <p>S6(a)</p>\n",
		"T\n## Our approach\ns9(2)(g)(i) s6(a)\n", "<p><li></p></li>\n\t\t", "T\nx s6(a)(i) s6(b)(ii).",
		"\ufeffSECRET//NZEO\n(C) T\n(S) ## H?\n• (TS) x\n(U) - S6(a)\nsecret\n", "(S)\t\n<b>(IC) H</b>\t<ul><li>(R) • y</li></ul>\n", wrappedBrief} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sh, top, err := nz.ParseBrief(text, "", "RESTRICTED")
		if err != nil {
			if briefing.ErrorCode(err) != briefing.EINVALID {
				t.Fatalf("%v", err)
			}
			return
		}
		// top is what the writer's clearance is checked against: nothing
		// brought in may be marked above it, or below the round's unless
		// the text marked it so.
		if l, ok := nz.Level(top); !ok || l < 3 {
			t.Fatalf("top %q", top)
		}
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				if !nz.Allows(top, p.Marking) {
					t.Fatalf("paragraph %q marked %s, above the text's top %s", p.Text, p.Marking, top)
				}
			}
		}
		if len(sh.Sections) > briefing.MaxSections {
			return // Validate refuses it, as it should
		}
		if err := sh.Validate(nz); err != nil && briefing.ErrorCode(err) != briefing.EINVALID {
			t.Fatalf("%v", err)
		}
		clean := strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(briefing.CleanText(text))
		clean += "\x00" + tagLike.ReplaceAllString(clean, "")
		for _, sec := range sh.Sections {
			for _, p := range sec.Paragraphs {
				// Braces in the text may open a span; so may braces that
				// only cleaning, the joining of lines, or the dropping of
				// a released pack's tags brought together ("{\x19{",
				// "{<>{").
				if _, err := nz.ParseSpans(p.Text); err != nil && !strings.Contains(clean, "{{") && !strings.Contains(clean, "}}") {
					t.Fatalf("paragraph %q does not parse: %v", p.Text, err)
				}
			}
		}
	})
}

// tagLike is what the brief's reading drops as a released pack's HTML: its
// tagRE, which takes "<<>" whole.
var tagLike = regexp.MustCompile(`(?s)<[^>]*>`)

// TestParseBrief_PortionMarkCoversItsLines: the lines that continue a
// portion-marked paragraph are marked no lower, however they are read: in a
// hard-wrapped text a line that starts like a numbered item ("3.01 of…",
// "(a) threshold…") or reads like a heading ("Was it …?"), and in a text
// not recognised as wrapped, a line after one that ended mid-sentence, or
// after a full stop (a text pasted from a PDF, its lines long, is not taken
// for wrapped, and broke its marked paragraphs there): every line of the
// block, to a blank line or another mark. It errs high. A paragraph after a
// blank line is a paragraph of its own.
func TestParseBrief_PortionMarkCoversItsLines(t *testing.T) {
	for name, tc := range map[string]struct{ text, title, secret, open, heading string }{
		"Wrapped": {text: "Cyber cooperation brief\n\nSituational assessment\n\n" +
			"(S) The source inside the ministry confirmed that funds were moved to the\n" +
			"group last week through the exchange in Wellington. The transfer was\n" +
			"routed via three shell companies as set out in the annex at paragraph\n" +
			"3.01 of the action plan agreed in Tokyo, and the amount exceeded the\n" +
			"(a) threshold in the regulations by a wide margin, which the team noted.\n" +
			"Was it Operation Nightjar?\n" +
			"The liaison officer believes so and asked us to keep the name close.\n\n" +
			"Officials meet again in March to review the arrangement and its costs,\n" +
			"which both sides expect to fall.\n",
			secret: "Nightjar|action plan|threshold|liaison", open: "Officials meet"},
		"NotRecognisedAsWrapped": {text: "Cyber cooperation brief\n\nSituational assessment\n\n" +
			"(S) Our liaison reports that the Minister's office in Canberra has\n" +
			"Approved the transfer of the NIGHTJAR material to the Five Eyes\n" +
			"Partners, subject to the caveats agreed in March.\n\n" +
			"Officials meet again in March.\n",
			secret: "Approved|Partners", open: "Officials meet"},
		"AfterAFullStop": {text: "Maritime brief\n\nSituational assessment\n\n" +
			"(S) The frigate's combat system was compromised during the exercise by a state actor in late March 2024.\n" +
			"Partners have not been told and the extent of the access is still unknown to the Defence Force today\n" +
			"and to the intelligence agencies that have been asked to assess it for the National Security Committee.\n\n" +
			"(U) Officials meet in March.\n",
			secret: "Partners have not|intelligence agencies"},
		// The text's own title line, replaced by the title given.
		"TitleGiven": {text: "(S) Operation NIGHTJAR against the\nKESTREL network in Fiji\nSituational assessment\nOfficials meet in March.\n",
			title: "Ops", secret: "KESTREL", open: "Officials meet"},
		// A bullet is an item of its own, with or without a full stop.
		"Bullets": {text: "Cyber cooperation brief\nTalking points\n- (S) Raise our concerns about the NIGHTJAR request\n- Officials meet in March\n- Offer a joint statement\n",
			secret: "NIGHTJAR", open: "Officials meet"},
		// … but bullets a marked line runs on into continue it.
		"BulletsAfterALeadIn": {text: "Bullet lead-in brief\n\nTalking points\n\n(S) We will ask the partner to act against the NIGHTJAR cell, in\nparticular against its members\n- KESTREL, the financier in Suva\n- LAPWING, the courier\n\nOfficials meet in March.\n",
			secret: "NIGHTJAR|KESTREL|LAPWING", open: "Officials meet"},
		"BulletsAfterALeadInALine": {text: "Cyber brief\nTalking points\n(S) We will ask the partner to act against the NIGHTJAR cell, in particular against its members\n- KESTREL, the financier in Suva\n- LAPWING, the courier\n",
			secret: "NIGHTJAR|KESTREL|LAPWING"},
		// A mark after an item's number or letter.
		"Numbered": {text: "Numbered brief\nTalking points\n1. (S) Raise NIGHTJAR with the partner agency.\n3.01 (S) KESTREL commitment.\n(b) (S) LAPWING too.\n\nOfficials meet in March.\n",
			secret: "NIGHTJAR|KESTREL|LAPWING|(S)", open: "Officials meet"},
		// A heading after the replaced title line is a heading.
		"TitleGivenThenHeading": {text: "(S) Operation NIGHTJAR brief\nKey points:\nOfficials meet in March.\n", title: "Given",
			open: "Officials meet", heading: "Key points"},
	} {
		t.Run(name, func(t *testing.T) {
			sh, top, err := nz.ParseBrief(tc.text, tc.title, "RESTRICTED")
			if err != nil || top != "SECRET" {
				t.Fatalf("%v, top %q", err, top)
			}
			if tc.heading != "" && !strings.Contains(outline(sh), ":"+tc.heading+"\n") {
				t.Errorf("no heading %q:\n%s", tc.heading, outline(sh))
			}
			words := strings.Split(tc.secret, "|")
			if tc.secret == "" {
				words = nil
			}
			for _, sec := range sh.Sections {
				for _, w := range words {
					if strings.Contains(sec.Heading, w) {
						t.Errorf("a heading holds %q, unmarked:\n%s", w, outline(sh))
					}
				}
				for _, p := range sec.Paragraphs {
					for _, w := range words {
						if w == "(S)" && strings.Contains(p.Text, w) {
							t.Errorf("the mark is left in %q:\n%s", p.Text, outline(sh))
						} else if strings.Contains(p.Text, w) && p.Marking != "SECRET" {
							t.Errorf("%q is marked %s:\n%s", w, p.Marking, outline(sh))
						}
					}
					if tc.open != "" && strings.Contains(p.Text, tc.open) && p.Marking != "RESTRICTED" {
						t.Errorf("%q, a paragraph of its own, is marked %s:\n%s", tc.open, p.Marking, outline(sh))
					}
				}
			}
		})
	}
}

// markedAtLeast fails t unless every paragraph of sh, the sheet ParseBrief
// made of text, that holds word ("" for every one) is marked want or
// higher, and top is too.
func markedAtLeast(t *testing.T, s briefing.Settings, text string, sh *briefing.Sheet, top, want, word string) {
	t.Helper()
	for _, sec := range sh.Sections {
		for _, p := range sec.Paragraphs {
			if strings.Contains(p.Text, word) && s.Highest(p.Marking, want) != p.Marking {
				t.Errorf("%q: %q at %s, below %s\n%s", text, p.Text, p.Marking, want, outline(sh))
			}
		}
	}
	if s.Highest(top, want) != top {
		t.Errorf("%q: top %s, below %s", text, top, want)
	}
}
