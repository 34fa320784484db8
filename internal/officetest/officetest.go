// Package officetest runs a second reader of briefpack's files for its
// tests, as a delegate would: LibreOffice (soffice) converts a workbook (to
// PDF, to print it, or to a workbook as Calc saves it) and pdftotext reads
// a PDF's text. Where they are not installed the test is skipped, saying
// so, unless BRIEFPACK_REQUIRE_LIBREOFFICE is set (as CI sets it), when it
// fails.
package officetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// packages are the Debian packages that install each tool.
var packages = map[string]string{"soffice": "libreoffice-calc-nogui", "pdftotext": "poppler-utils"}

// Require returns the paths of the tools named ("soffice", "pdftotext"),
// or skips (fails under CI) the test when any is missing: a test asks
// before it does the work their use needs.
func Require(tb testing.TB, tools ...string) []string {
	tb.Helper()
	var paths, missing, install, errs []string
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing, install, errs = append(missing, tool), append(install, packages[tool]), append(errs, err.Error())
		}
		paths = append(paths, p)
	}
	if len(missing) > 0 {
		what, is := strings.Join(missing, " and "), "is"
		if len(missing) > 1 {
			is = "are"
		}
		if os.Getenv("BRIEFPACK_REQUIRE_LIBREOFFICE") != "" {
			tb.Fatalf("%s %s required: %s", what, is, strings.Join(errs, "; "))
		}
		tb.Skipf("%s %s not installed (apt-get install %s); set BRIEFPACK_REQUIRE_LIBREOFFICE=1 to fail instead",
			what, is, strings.Join(install, " "))
	}
	return paths
}

// Convert has LibreOffice convert files, headless, to the format to names
// (soffice's --convert-to: "pdf", "xlsx:Calc MS Excel 2007 XML") into
// outdir, with a user profile of its own, and returns the files it wrote,
// one for each, named as the file it was made from.
func Convert(tb testing.TB, to, outdir string, files ...string) []string {
	tb.Helper()
	soffice := Require(tb, "soffice")[0]
	args := []string{"--headless", "-env:UserInstallation=file://" + filepath.Join(tb.TempDir(), "profile"), "--convert-to", to, "--outdir", outdir}
	cmd := exec.Command(soffice, append(args, files...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("soffice: %v %s", err, out)
	}
	ext, _, _ := strings.Cut(to, ":")
	var made []string
	for _, f := range files {
		base := filepath.Base(f)
		made = append(made, filepath.Join(outdir, strings.TrimSuffix(base, filepath.Ext(base))+"."+ext))
	}
	return made
}

// PDFText returns the text of a PDF as pdftotext lays it out (-layout),
// each page ending in a form feed.
func PDFText(tb testing.TB, pdf string) []byte {
	tb.Helper()
	pdftotext := Require(tb, "pdftotext")[0]
	text, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext %s: %v", pdf, err)
	}
	return text
}
