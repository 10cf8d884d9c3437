package migrations

import "io/fs"

// ForFS is For over the migrations in src, for tests that need a layout
// the embedded files do not have.
func ForFS(src fs.FS, d Dialect) (fs.FS, error) { return pick(src, d) }
