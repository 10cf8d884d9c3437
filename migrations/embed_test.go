package migrations_test

import (
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/avgloket/avgloket/migrations"
)

var dialects = []migrations.Dialect{migrations.SQLite, migrations.Postgres}

// names lists the *.sql files of fsys's top folder.
func names(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	got, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// version is the number a migration's file name starts with.
func version(t *testing.T, name string) int {
	t.Helper()
	v, _, _ := strings.Cut(name, "_")
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s: no number: %v", name, err)
	}
	return n
}

// For gives goose, per dialect, every file of the folder on disk that is
// shared or the dialect's own, under its base name, and each opens as a
// goose migration.
func TestForListsTheDialectsFiles(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			fsys, err := migrations.For(d)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, pattern := range []string{"*.sql", string(d) + "/*.sql"} {
				paths, err := filepath.Glob(pattern)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range paths {
					want = append(want, filepath.Base(p))
				}
			}
			slices.Sort(want)
			got := names(t, fsys)
			if !slices.Equal(got, want) {
				t.Fatalf("For(%s) lists %v, want the files on disk %v", d, got, want)
			}
			for _, name := range got {
				b, err := fs.ReadFile(fsys, name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !strings.HasPrefix(string(b), "-- +goose Up\n") {
					t.Errorf("%s does not start with -- +goose Up", name)
				}
			}
		})
	}
}

// SQLite replays its history from 0001 without a gap; PostgreSQL starts
// at the baseline 0036.
func TestForVersions(t *testing.T) {
	first := map[migrations.Dialect]int{migrations.SQLite: 1, migrations.Postgres: 36}
	for _, d := range dialects {
		fsys, err := migrations.For(d)
		if err != nil {
			t.Fatal(err)
		}
		got := names(t, fsys)
		if len(got) == 0 {
			t.Fatalf("For(%s) lists no file", d)
		}
		for i, name := range got {
			if v := version(t, name); v != first[d]+i {
				t.Errorf("For(%s): %s is number %d, want %d", d, name, v, first[d]+i)
			}
		}
	}
	if got := names(t, mustFor(t, migrations.Postgres))[0]; got != "0036_schema.sql" {
		t.Errorf("PostgreSQL's first migration is %s, want 0036_schema.sql", got)
	}
}

// From the baseline on, each version is there for both dialects: a
// migration is shared or a pair, never one dialect's alone.
func TestForEveryVersionFromBaselineForBoth(t *testing.T) {
	versions := map[migrations.Dialect]map[int]string{}
	for _, d := range dialects {
		versions[d] = map[int]string{}
		for _, name := range names(t, mustFor(t, d)) {
			versions[d][version(t, name)] = name
		}
	}
	for _, d := range dialects {
		for v, name := range versions[d] {
			if v < 36 {
				continue
			}
			for _, other := range dialects {
				if _, ok := versions[other][v]; !ok {
					t.Errorf("%s/%s has no %s counterpart numbered %04d", d, name, other, v)
				}
			}
		}
	}
}

func TestForRefusesANumberUsedTwice(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("-- +goose Up\nSELECT 1;\n")}
	tests := []struct {
		name  string
		files []string
		bad   bool
	}{
		{"shared and own", []string{"0037_jobs.sql", "sqlite/0037_keys.sql"}, true},
		{"twice in one folder", []string{"sqlite/0038_a.sql", "sqlite/0038_b.sql"}, true},
		{"twice at the top", []string{"0039_a.sql", "0039_b.sql"}, true},
		{"a pair", []string{"sqlite/0037_jobs.sql", "postgres/0037_jobs.sql"}, false},
		{"the other dialect's", []string{"postgres/0037_a.sql", "postgres/0037_b.sql"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fstest.MapFS{}
			for _, p := range tt.files {
				src[p] = file
			}
			fsys, err := migrations.ForFS(src, migrations.SQLite)
			if tt.bad {
				if err == nil || !strings.Contains(err.Error(), "same number") {
					t.Fatalf("ForFS(%v) = %v, want the same number refused", tt.files, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ForFS(%v): %v", tt.files, err)
			}
			var want []string
			for _, p := range tt.files {
				if dir := path.Dir(p); dir == "." || dir == "sqlite" {
					want = append(want, path.Base(p))
				}
			}
			if got := names(t, fsys); !slices.Equal(got, want) {
				t.Errorf("ForFS(%v) lists %v, want %v", tt.files, got, want)
			}
		})
	}
}

func TestForRefusesAnUnknownDialect(t *testing.T) {
	if _, err := migrations.For("mysql"); err == nil {
		t.Error("For(mysql) gave migrations")
	}
}

func mustFor(t *testing.T, d migrations.Dialect) fs.FS {
	t.Helper()
	fsys, err := migrations.For(d)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}
