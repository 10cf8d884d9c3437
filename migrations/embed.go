// Package migrations embeds the numbered SQL migrations. Files are only ever
// appended: a migration that has shipped is never edited.
package migrations

import "embed"

// FS holds the *.sql files, applied in the order of their numbers.
//
//go:embed *.sql
var FS embed.FS
