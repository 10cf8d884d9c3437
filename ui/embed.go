// Package ui embeds the templates, static files and message catalogues, so
// the binary carries everything it serves.
package ui

import "embed"

// FS holds templates/, static/ and locales/.
//
//go:embed templates static locales
var FS embed.FS
