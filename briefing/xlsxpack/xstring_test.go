package xlsxpack

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// TestXString: a cell's text is written as the format's escaped string,
// an underscore that begins "_xHHHH_" written "_x005F_", and read back as
// it was; what spreadsheet programs write for such text, and for control
// characters, is read as they mean it.
func TestXString(t *testing.T) {
	t.Run("RoundTrip", func(t *testing.T) {
		for _, text := range []string{
			"plain", "snake_case_name", "my_x0020_name", "_x0041_", "id_x0041_b", "_x0041_x0042_", "_x005F_", "_x005F_x0041_",
			"a__x0041__", "_x12", "x0041_", "_x004G_", "Ends _x000D_", "_xD800_ and _xFFFF_", "日本_x00e9_", "_X0041_", "__", "_",
		} {
			var b bytes.Buffer
			xmlEscape(&b, text)
			var cell struct {
				T string `xml:",chardata"`
			}
			if err := xml.Unmarshal([]byte("<t>"+b.String()+"</t>"), &cell); err != nil {
				t.Fatalf("%q written %q: %v", text, b.String(), err)
			}
			if got := decodeXString(cell.T); got != text {
				t.Errorf("%q written %q reads back %q", text, b.String(), got)
			}
		}
	})
	t.Run("Written", func(t *testing.T) {
		for written, want := range map[string]string{
			"a_x005F_x0041_b":       "a_x0041_b",     // Excel, LibreOffice and excelize: a literal escape
			"a_x005f_x0041_b":       "a_x0041_b",     // in lower case
			"a_x005F_x005F_b":       "a_x005F_b",     // a literal "_x005F_"
			"a_x000D_b":             "a\rb",          // a carriage return, as Excel writes it
			"a_x0009_b_x000A_c":     "a\tb\nc",       // a tab and a line break
			"a_x0001_b":             "a\x01b",        // a control character (a save takes it out)
			"my_x0020_name":         "my_x0020_name", // LibreOffice writes a literal "_x0020_" so
			"_x0041_":               "_x0041_",       // no program writes A so: the text
			"_xD83D_":               "\uFFFD",        // half a character
			"_X0041_ _x00041_ _x41": "_X0041_ _x00041_ _x41",
		} {
			if got := decodeXString(written); got != want {
				t.Errorf("%q reads %q, not %q", written, got, want)
			}
		}
	})
}
