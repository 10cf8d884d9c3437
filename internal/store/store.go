// Package store keeps avgloket's data in SQLite through gorm. It is the only
// package that sees gorm, SQL rows or the database file; the rest of the
// program gets domain types. Personal data are sealed with the vault before
// they reach a row.
package store

import (
	"context"
	"database/sql"
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
type DB struct {
	db    *gorm.DB
	sql   *sql.DB
	vault *vault.KeyRing
	log   *slog.Logger
	cache practiceCache // practice_cache.go
}

// newStore gives every receiver the shared d.
func newStore(d *DB) *Store {
	return &Store{DB: d, Cases: &Cases{d}, Breaches: &Breaches{d}, Staff: &Staff{d}, Accounts: &Accounts{d},
		Audit: &Audit{d}, Outbox: &Outbox{d}, Practice: &Practice{d}, Consents: &Consents{d}, Deliveries: &Deliveries{d}}
}

// DSN returns the SQLite connection string for the database file at path.
// Every pragma is in the DSN, so every pooled connection gets it, not just
// the first one (SECURITY.md item 9):
//   - journal_mode=WAL: readers do not block the writer;
//   - synchronous=FULL: a committed write survives a power cut, which a
//     register of legal deadlines must;
//   - foreign_keys=on: SQLite leaves them off unless asked;
//   - busy_timeout: wait for the writer instead of failing at once;
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so
//     a read-then-write transaction cannot fail half-way with SQLITE_BUSY.
func DSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations.
func Open(ctx context.Context, path string, keys *vault.KeyRing, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := gorm.Open(sqlite.Open(DSN(path)), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := newStore(&DB{db: db, sql: sqlDB, vault: keys, log: log})
	if err := s.Migrate(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Migrate applies the pending numbered migrations, each in its own
// transaction, and records them in goose's version table.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.sql, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
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

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes the database.
func (s *Store) Close() error { return s.sql.Close() }

// IntegrityCheck runs SQLite's integrity and foreign-key checks and returns
// an error describing the first problem.
func (s *Store) IntegrityCheck(ctx context.Context) error { return checkDB(ctx, s.sql) }

// Backup writes a consistent copy of the database to path (which must not
// exist) while the portal keeps running.
func (s *Store) Backup(ctx context.Context, path string) error {
	_, err := s.sql.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

// notFound is the error for a record that does not exist or is hidden from
// the caller; both look the same from outside.
func notFound() error { return apperr.New(apperr.NotFound, "error.not_found") }

// internal wraps a database failure for the log.
func internal(err error, what string) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", what, err), "error.internal")
}
