package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// IsPostgresURL reports whether target names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Pool sizes on PostgreSQL. Writes are ordinary concurrent transactions, so
// the write pool bounds how many run at once; reads have a pool of their
// own. Both keep few idle connections: several instances share the server's
// max_connections.
const (
	pgMaxOpen     = 16
	pgMaxIdle     = 4
	pgMaxIdleTime = time.Minute
	// pgWriteAttempts is how often write runs fn when PostgreSQL aborts its
	// transaction for a serialization failure or a deadlock.
	pgWriteAttempts = 5
)

// openPostgres opens the PostgreSQL database at rawURL: the write pool,
// migrations (one instance at a time), then the read pool.
func openPostgres(ctx context.Context, rawURL string, keys *vault.KeyRing, log *slog.Logger) (*Store, error) {
	wdb, wsql, err := openPostgresPool(rawURL, false)
	if err != nil {
		return nil, err
	}
	d := &DB{dialect: migrations.Postgres, vault: keys, log: log, pgw: wdb}
	s := newStore(d)
	if err := s.start(ctx, func() (*gorm.DB, *sql.DB, error) { return openPostgresPool(rawURL, true) }); err != nil {
		_ = wsql.Close()
		return nil, err
	}
	return s, nil
}

// openPostgresPool opens a gorm handle and its pool over the database at
// rawURL. Every session runs in UTC and reads timestamps back in UTC; a
// read pool's sessions are read-only (default_transaction_read_only), so a
// write that bypasses write fails loudly, as query_only makes it on SQLite.
func openPostgresPool(rawURL string, readOnly bool) (*gorm.DB, *sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, errors.New("open database: the PostgreSQL URL does not parse")
	}
	q := u.Query()
	q.Set("TimeZone", "UTC")
	if readOnly {
		q.Set("default_transaction_read_only", "on")
	}
	u.RawQuery = q.Encode()
	utc := stdlib.OptionAfterConnect(func(_ context.Context, conn *pgx.Conn) error {
		conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	})
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: u.String(), OptionOpenDB: []stdlib.OptionOpenDB{utc}}), gormConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB.SetMaxOpenConns(pgMaxOpen)
	sqlDB.SetMaxIdleConns(pgMaxIdle)
	sqlDB.SetConnMaxIdleTime(pgMaxIdleTime)
	return db, sqlDB, nil
}

// writePostgres is write on PostgreSQL: fn runs in its own transaction on
// the write pool, concurrently with other writes, and the whole fn runs
// again (up to pgWriteAttempts times) when PostgreSQL aborts the
// transaction for a serialization failure or a deadlock. As on SQLite, a
// panic in fn rolls its changes back and is returned as an error. While
// write waits for a connection of the pool, ctx ending returns ctx.Err();
// once the transaction has begun ctx no longer interrupts it, so a change
// that was committed is never reported as failed.
func (d *DB) writePostgres(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	run := context.WithoutCancel(ctx)
	var err, fnErr error
	for range pgWriteAttempts {
		fnErr = nil
		began := false
		err = d.pgw.WithContext(ctx).Connection(func(conn *gorm.DB) error {
			began = true
			return conn.WithContext(run).Transaction(func(tx *gorm.DB) error {
				fnErr = callWrite(d.log, tx, fn)
				return fnErr
			})
		})
		if !began && ctx.Err() != nil {
			return ctx.Err()
		}
		if !isRetryable(err) {
			break
		}
	}
	if isRetryable(err) {
		// Every attempt was rolled back: nothing of fn is stored.
		return internal(fmt.Errorf("gave up after %d attempts: %w", pgWriteAttempts, err), "write transaction")
	}
	if err != nil && fnErr == nil {
		return internal(err, "write transaction") // BEGIN or COMMIT failed
	}
	return err
}

// forUpdate makes db's SELECT lock the rows of table that it reads until
// the write transaction ends (FOR UPDATE OF table). Writes run at READ
// COMMITTED: a write that reads a row, decides in Go and writes it back
// must lock the row as it reads it, so that a second such write waits and
// then reads what the first wrote. SQLite leaves the clause out: its one
// writer serialises every write anyway.
func forUpdate(db *gorm.DB, table string) *gorm.DB {
	return db.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: table}})
}

// lockKeys serialises, until each transaction ends, the writes that pass
// the same keys, in the order given: forUpdate for a rule over rows that
// may not exist yet (a count of sign-in failures, an idempotency key), as
// an advisory transaction lock on a hash of the key. Two keys that collide
// only wait for each other. On SQLite it does nothing (one writer).
func lockKeys(tx *gorm.DB, keys ...string) error {
	if !isPostgres(tx) || len(keys) == 0 {
		return nil
	}
	// One round trip; PostgreSQL evaluates the list in order.
	q := "SELECT " + strings.Repeat("pg_advisory_xact_lock(hashtextextended(?, 0)), ", len(keys)-1) +
		"pg_advisory_xact_lock(hashtextextended(?, 0))"
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	if err := tx.Exec(q, args...).Error; err != nil {
		return internal(err, "take a write lock")
	}
	return nil
}

// sqlState returns the SQLSTATE of a PostgreSQL error, or "".
func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// isRetryable reports a PostgreSQL serialization failure or deadlock: the
// transaction was aborted and running it again may succeed.
func isRetryable(err error) bool {
	s := sqlState(err)
	return s == "40001" || s == "40P01"
}

// errNoBackup answers Backup on PostgreSQL.
var errNoBackup = errors.New("a PostgreSQL database is backed up with pg_dump (and restored with pg_restore), not by avgloket")

// postgresMigrations is goose over the write pool, holding PostgreSQL's
// session-level advisory lock while it migrates; an instance that finds the
// lock taken tries again every second for up to five minutes.
func postgresMigrations(db *sql.DB, fsys fs.FS) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
}

// closePostgres closes both pools.
func closePostgres(d *DB) error {
	wsql, err := d.pgw.DB()
	if err != nil {
		return err
	}
	return errors.Join(d.sql.Close(), wsql.Close())
}

// isPostgres reports whether db runs on PostgreSQL, for the few statements
// whose SQL differs.
func isPostgres(db *gorm.DB) bool { return db.Name() == "postgres" }

// checkPostgres is IntegrityCheck on PostgreSQL: a constraint added NOT
// VALID, or left so, is not known to hold for the rows before it; none of
// the schema's may be.
func checkPostgres(ctx context.Context, db *sql.DB) error {
	var names sql.NullString
	err := db.QueryRowContext(ctx, `SELECT string_agg(conrelid::regclass::text || '.' || conname, ', ')
		FROM pg_constraint WHERE NOT convalidated AND connamespace = current_schema()::regnamespace`).Scan(&names)
	if err != nil {
		return err
	}
	if names.Valid {
		return fmt.Errorf("constraints not validated for every row: %s", names.String)
	}
	return nil
}
