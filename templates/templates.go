// Package templates holds briefpack's html/template files, CSS and script,
// embedded in the binary so a missing file fails the build or start-up,
// never a request.
package templates

import "embed"

// FS holds the web pages (pages/), their static files (static/) and the
// pack templates (pack/).
//
//go:embed pages static pack
var FS embed.FS
