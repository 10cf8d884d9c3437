// Package store keeps avgloket's data in SQLite through gorm. It is the only
// package that sees gorm, SQL rows or the database file; the rest of the
// program gets domain types. Personal data are sealed with the vault before
// they reach a row.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// Store is the whole database: the shared DB and one receiver per
// aggregate. It promotes every receiver's methods, so a caller that works
// across aggregates (the web layer, the commands) holds a *Store, while a
// package whose interface is about one aggregate takes that receiver alone
// (casework.NewService(st.Cases, …)). Maintenance that spans every table —
// migrations, backups, integrity checks, key rewrap — is Store's own.
// It is safe for concurrent use.
type Store struct {
	*DB
	*Cases
	*Breaches
	*Staff
	*Accounts
	*Audit
	*Outbox
	*Practice
	*Consents
	*Deliveries
	*Leases
}

// The whole Store still is every aggregate's storage, for callers that hold
// it rather than one receiver.
var _ interface {
	casework.Store
	casework.ReminderStore
	identity.Store
	breach.Store
	auth.Store
	mail.Queue
} = (*Store)(nil)

// DB is the connection the receivers share, with what every aggregate does
// beside its own tables: read the practice's settings and branches
// (practice.go), write the audit trail inside its transaction (audit.go),
// queue mail in the outbox (outbox.go), seal and open columns (cases.go)
// and read a staff member's branches (staff.go).
//
// Reads go through db and sql, the read pool: deferred transactions, and
// query_only, so a write that bypasses the writer fails loudly ("attempt to
// write a readonly database"). Every write goes through write (writer.go),
// which owns the one write connection.
//
// On PostgreSQL (postgres.go) the read pool's sessions are read-only, and
// write runs each fn in its own transaction on the write pool pgw; w is nil.
type DB struct {
	db    *gorm.DB
	sql   *sql.DB
	w     *writer
	path  string
	vault *vault.KeyRing
	log   *slog.Logger
	cache practiceCache // practice_cache.go

	dialect migrations.Dialect
	pgw     *gorm.DB // PostgreSQL's write pool
	// pending is goose over the read pool, for MigrationsPending: made
	// once, it checks goose's version table once.
	pending *goose.Provider
}

// newStore gives every receiver the shared d.
func newStore(d *DB) *Store {
	return &Store{DB: d, Cases: &Cases{d}, Breaches: &Breaches{d}, Staff: &Staff{d}, Accounts: &Accounts{d},
		Audit: &Audit{d}, Outbox: &Outbox{d}, Practice: &Practice{d}, Consents: &Consents{d}, Deliveries: &Deliveries{d},
		Leases: &Leases{d}}
}

// DSN returns the connection string of the write connection to the
// database file at path. Every pragma is in the DSN, so every connection gets
// it, not just the first one (SECURITY.md item 9):
//   - journal_mode=WAL: readers do not block the writer;
//   - synchronous=FULL: a committed write survives a power cut, which a
//     register of legal deadlines must;
//   - foreign_keys=on: SQLite leaves them off unless asked;
//   - busy_timeout: wait for another process's writer instead of failing at
//     once (the portal's own writes queue in writer.go);
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so
//     a read-then-write transaction cannot fail half-way with SQLITE_BUSY;
//   - _stmt_cache_size: each connection keeps its last prepared statements,
//     so a query it has run before is not parsed again. (gorm's PrepareStmt
//     does not help here: a statement first prepared inside a transaction is
//     prepared again in every later one, and every write is in one.)
func DSN(path string) string {
	q := dsnParams()
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// readDSN is DSN for the read pool: the same pragmas, deferred transactions
// (a read transaction takes no lock and blocks nobody) and query_only.
func readDSN(path string) string {
	q := dsnParams()
	q.Set("_txlock", "deferred")
	q.Set("_query_only", "true")
	return "file:" + path + "?" + q.Encode()
}

func dsnParams() url.Values {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_stmt_cache_size", "128")
	return q
}

// Open opens the database at target, applies pending migrations and starts
// the writer; Close stops it. target is a postgres:// or postgresql:// URL
// (postgres.go), or else the path of a SQLite file, created if needed. It
// seals the key check value on the first start (keycheck.go) and returns an
// error matching ErrKeyMismatch when keys do not open it, before any
// migration runs; on a database from before the check value, when keys open
// none of its sealed values (the migrations have run then, and nothing is
// sealed).
func Open(ctx context.Context, target string, keys *vault.KeyRing, log *slog.Logger) (*Store, error) {
	if IsPostgresURL(target) {
		return openPostgres(ctx, target, keys, log)
	}
	path := target
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	wdb, wsql, err := openPool(DSN(path))
	if err != nil {
		return nil, err
	}
	// One connection: SQLite has one writer at a time, and the writer
	// goroutine is the only user.
	wsql.SetMaxOpenConns(1)
	d := &DB{dialect: migrations.SQLite, path: path, vault: keys, log: log, w: newWriter(wdb, wsql, log)}
	s := newStore(d)
	// The read pool after the migrations, so that it finds the file in WAL
	// mode.
	if err := s.start(ctx, func() (*gorm.DB, *sql.DB, error) { return openPool(readDSN(path)) }); err != nil {
		d.w.close()
		_ = wsql.Close()
		return nil, err
	}
	return s, nil
}

// start brings a store whose write side is open into service, the same on
// both databases: the key first (a key file that does not belong to the
// database stops the start before anything is written), then the
// migrations, the check value sealed on a first start, and the read pool
// openReads opens. On an error the read pool is closed again.
func (s *Store) start(ctx context.Context, openReads func() (*gorm.DB, *sql.DB, error)) error {
	err := s.checkKeyBeforeMigrate(ctx)
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err == nil {
		err = s.ensureKeyCheck(ctx)
	}
	if err == nil {
		s.db, s.sql, err = openReads()
	}
	if err == nil {
		s.pending, err = migrationProvider(s.dialect, s.sql, false)
	}
	if err != nil && s.sql != nil {
		_ = s.sql.Close()
	}
	return err
}

// openPool opens a gorm handle and its database/sql pool over dsn.
func openPool(dsn string) (*gorm.DB, *sql.DB, error) {
	db, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	return db, sqlDB, nil
}

// gormConfig is gorm's configuration on both databases. gorm's own clock
// (for columns it fills itself) gives UTC to the microsecond, which is what
// PostgreSQL keeps.
func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
}

// Dialect is the database the store runs on.
func (d *DB) Dialect() migrations.Dialect { return d.dialect }

// Migrate applies the pending numbered migrations, each in its own
// transaction, and records them in goose's version table. It runs on the
// write connection, beside the writer: while a migration holds the
// connection, writes wait for it. On PostgreSQL it holds goose's session
// lock while it works, so when several instances start at once one
// migrates and the others wait for it, then find nothing pending.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := migrationProvider(s.dialect, s.writeSQL(), true)
	if err != nil {
		return err
	}
	// A new database takes a moment: say so before the wait.
	status, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	pending := 0
	for _, m := range status {
		if m.State == goose.StatePending {
			pending++
		}
	}
	if pending > 0 {
		s.log.Info("applying database migrations", "pending", pending)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, r := range res {
		s.log.Info("migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// migrationProvider is goose over db with dialect d's embedded migrations.
// One that is migrating holds PostgreSQL's session lock while it works, so
// when several instances start at once one migrates and the others wait.
func migrationProvider(d migrations.Dialect, db *sql.DB, migrating bool) (*goose.Provider, error) {
	fsys, err := migrations.For(d)
	if err != nil {
		return nil, err
	}
	var p *goose.Provider
	switch {
	case d == migrations.Postgres && migrating:
		p, err = postgresMigrations(db, fsys)
	case d == migrations.Postgres:
		p, err = goose.NewProvider(goose.DialectPostgres, db, fsys)
	default:
		p, err = goose.NewProvider(goose.DialectSQLite3, db, fsys)
	}
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// writeSQL is the pool writes go through: SQLite's one write connection,
// or PostgreSQL's write pool.
func (d *DB) writeSQL() *sql.DB {
	if d.dialect == migrations.Postgres {
		sqlDB, _ := d.pgw.DB() // gorm over database/sql: never fails
		return sqlDB
	}
	return d.w.sql
}

// MigrationsPending reports whether a migration embedded in this binary is
// not applied to the database. It reads only, on the read pool, and does
// not wait for a migration another instance is running. A database that
// has migrations this binary does not know (a newer instance migrated it)
// has none pending.
func (s *Store) MigrationsPending(ctx context.Context) (bool, error) {
	pending, err := s.pending.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	return pending, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close finishes the writes already asked for, stops the writer and closes
// the database. Writes asked for afterwards fail. Closing twice is harmless.
func (s *Store) Close() error {
	if s.dialect == migrations.Postgres {
		return closePostgres(s.DB)
	}
	s.w.close()
	return errors.Join(s.sql.Close(), s.w.sql.Close())
}

// IntegrityCheck runs SQLite's integrity and foreign-key checks and returns
// an error describing the first problem. PostgreSQL checks every row as it
// is written; there it finds any constraint that is not enforced on every
// row (checkPostgres).
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.dialect == migrations.Postgres {
		return checkPostgres(ctx, s.sql)
	}
	return checkDB(ctx, s.sql)
}

// Backup writes a consistent copy of the database to path (which must not
// exist) while the portal keeps running. VACUUM INTO reads one snapshot and
// writes only the new file, but SQLite refuses it on a query_only
// connection, and on the write connection it would hold up every write for
// as long as the copy takes; so it gets a connection of its own.
// A PostgreSQL database is backed up with its own tools.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect == migrations.Postgres {
		return errNoBackup
	}
	db, err := sql.Open("sqlite3", DSN(s.path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

// notFound is the error for a record that does not exist or is hidden from
// the caller; both look the same from outside.
func notFound() error { return apperr.New(apperr.NotFound, "error.not_found") }

// internal wraps a database failure for the log.
func internal(err error, what string) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", what, err), "error.internal")
}
