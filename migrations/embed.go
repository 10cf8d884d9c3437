// Package migrations embeds the numbered SQL migrations. Files are only ever
// appended: a migration that has shipped is never edited.
//
// The files are laid out by dialect. sqlite/ holds SQLite's history,
// 0001–0036, as it shipped. postgres/ starts at 0036 with one file that
// builds the schema those 36 build, in PostgreSQL's types and trigger
// language (a PostgreSQL database has no history to replay). From 0037 on, a
// migration is one file at the top when its SQL means the same on both, or a
// pair, sqlite/NNNN_x.sql and postgres/NNNN_x.sql, when it cannot (a column
// type, a trigger).
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Dialect names a database the migrations are written for.
type Dialect string

// The two databases avgloket runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// For returns dialect d's migrations as one flat folder of *.sql files, as
// goose reads them: the shared files at the top and d's own. The same number
// twice is an error.
func For(d Dialect) (fs.FS, error) {
	return pick(files, d)
}

// pick is For over the migrations in src, laid out as files is.
func pick(src fs.FS, d Dialect) (fs.FS, error) {
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("migrations: unknown dialect %q", d)
	}
	shared, err := fs.Glob(src, "*.sql")
	if err != nil {
		return nil, err
	}
	own, err := fs.Glob(src, string(d)+"/*.sql")
	if err != nil {
		return nil, err
	}
	m := flat{src: src, names: map[string]string{}}
	seen := map[string]string{}
	for _, p := range append(shared, own...) {
		name := path.Base(p)
		version, _, _ := strings.Cut(name, "_")
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migrations: %s and %s have the same number", other, p)
		}
		seen[version] = p
		m.names[name] = p
	}
	return m, nil
}

// flat shows the chosen files of src under their base names, in one
// folder.
type flat struct {
	src   fs.FS
	names map[string]string // base name → path in src
}

func (f flat) Open(name string) (fs.File, error) {
	p, ok := f.names[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.src.Open(p)
}

// Glob matches pattern against the base names; goose lists its files so.
func (f flat) Glob(pattern string) ([]string, error) {
	var out []string
	for name := range f.names {
		ok, err := path.Match(pattern, name)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}
