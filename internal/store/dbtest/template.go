package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"sync"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/migrations"
)

// templateLock is the advisory lock key under which one test process builds
// a template while the others, started at the same moment by go test, wait.
const templateLock = 0x61766774 // "avgt"

// templates remembers, per admin URL, the template this process found or
// built.
var templates sync.Map // admin URL → *templateOnce

type templateOnce struct {
	once sync.Once
	name string
	err  error
}

// migratedTemplate returns the name of a database on the admin URL's server
// that holds every PostgreSQL migration and nothing else, building it if it
// is not there. Its name carries a hash of the migration files, so a changed
// migration gets a template of its own; templates are kept between runs
// (one small database per version of the migrations, on a server that is
// there for tests).
func migratedTemplate(admin string) (string, error) {
	v, _ := templates.LoadOrStore(admin, &templateOnce{})
	t := v.(*templateOnce)
	t.once.Do(func() { t.name, t.err = buildTemplate(context.Background(), admin) })
	return t.name, t.err
}

func buildTemplate(ctx context.Context, admin string) (string, error) {
	fsys, err := migrations.For(migrations.Postgres)
	if err != nil {
		return "", err
	}
	sum, err := hashFiles(fsys)
	if err != nil {
		return "", err
	}
	name := "avgloket_tmpl_" + sum
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", templateLock) }()
	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	// A template left half-built by a killed run is made again: it is
	// marked a template (datistemplate) only once migrated.
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create the template database: %w", err)
	}
	if err := migrate(ctx, admin, name, fsys); err != nil {
		return "", fmt.Errorf("migrate the template database: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true"); err != nil {
		return "", err
	}
	return name, nil
}

// migrate applies every migration to the database name on admin's server.
func migrate(ctx context.Context, admin, name string, fsys fs.FS) error {
	u, err := url.Parse(admin)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// hashFiles is a short hash of fsys's *.sql files, names and contents.
func hashFiles(fsys fs.FS) (string, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
