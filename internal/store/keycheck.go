package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/vault"
)

// ErrKeyMismatch is what Open returns (wrapped) when the key ring does not
// open the database's sealed check value, or, on a database that has none
// yet, none of its sealed values: the key file belongs to another database
// (or is a new one made by mistake). Open has then written no data.
var ErrKeyMismatch = errors.New("the key file does not belong to this database: its keys do not open the database's sealed check value")

// keyCheckVersion is the migration that adds the key_check table.
const keyCheckVersion = 38

// keyCheckText is the known plaintext of the check value. It is not a
// secret: the check proves that the ring holds the key it was sealed with.
var keyCheckText = []byte("avgloket key check v1")

// keyCheckAAD binds the check value to its place, as every sealed column's
// value is bound (sealedColumns lists it with Row "CAST(id AS TEXT)").
func keyCheckAAD() []byte { return vault.AAD("key_check", "value", "1") }

// openKeyCheck reports whether blob is the check value sealed under one of
// keys' versions.
func openKeyCheck(keys *vault.KeyRing, blob []byte) bool {
	pt, err := keys.Open(blob, keyCheckAAD())
	return err == nil && bytes.Equal(pt, keyCheckText)
}

// checkKeyBeforeMigrate refuses, before any migration runs, a key ring that
// does not open the check value of a database that has one. A database
// older than keyCheckVersion has none; ensureKeyCheck deals with it after
// the migrations.
func (s *Store) checkKeyBeforeMigrate(ctx context.Context) error {
	p, err := migrationProvider(s.dialect, s.writeSQL(), false)
	if err != nil {
		return err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if v < keyCheckVersion {
		return nil
	}
	var blob []byte
	err = s.writeSQL().QueryRowContext(ctx, "SELECT value FROM key_check WHERE id = 1").Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the key check value: %w", err)
	}
	if !openKeyCheck(s.vault, blob) {
		return ErrKeyMismatch
	}
	return nil
}

// ensureKeyCheck seals the check value if the database has none yet and
// then opens it. Two instances starting at once both try to insert; the
// insert keeps whichever came first and both then open that one. Before it
// seals a first check value into a database that already holds sealed
// values (one that predates the check), the ring must open one of them:
// otherwise a wrong key file would seal a check value that vouches for it.
func (s *Store) ensureKeyCheck(ctx context.Context) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		db := tx.Statement.ConnPool
		var blob []byte
		err := db.QueryRowContext(ctx, "SELECT value FROM key_check WHERE id = 1").Scan(&blob)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if blob, err = s.sealKeyCheck(ctx, tx); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("read the key check value: %w", err)
		}
		if !openKeyCheck(s.vault, blob) {
			return ErrKeyMismatch
		}
		return nil
	})
}

// sealKeyCheck inserts a check value sealed under the current key version,
// unless one is there already, and returns the one that is there.
func (s *Store) sealKeyCheck(ctx context.Context, tx *gorm.DB) ([]byte, error) {
	db := tx.Statement.ConnPool
	if err := s.opensExistingValue(ctx, db); err != nil {
		return nil, err
	}
	sealed, err := s.vault.Seal(keyCheckText, keyCheckAAD())
	if err != nil {
		return nil, err
	}
	// Through gorm, which writes the placeholder each dialect wants.
	if err := tx.Exec("INSERT INTO key_check (id, value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", sealed).Error; err != nil {
		return nil, fmt.Errorf("seal the key check value: %w", err)
	}
	var blob []byte
	if err := db.QueryRowContext(ctx, "SELECT value FROM key_check WHERE id = 1").Scan(&blob); err != nil {
		return nil, fmt.Errorf("read the key check value: %w", err)
	}
	return blob, nil
}

// opensExistingValue looks at the first sealed value of each sealed column
// and succeeds as soon as the ring opens one, or when there is none. It
// fails with ErrKeyMismatch when there are some and none opens. One value
// per column is enough to tell a wrong key file, and one damaged value
// does not stop the start.
func (s *Store) opensExistingValue(ctx context.Context, db gorm.ConnPool) error {
	found := false
	for _, c := range sealedColumns {
		if c.Table == "key_check" {
			continue
		}
		q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND length(%s) > 0 LIMIT 1",
			c.Row, quoteIdent(c.Column), quoteIdent(c.Table), quoteIdent(c.Column), quoteIdent(c.Column))
		var (
			row  string
			blob []byte
		)
		err := db.QueryRowContext(ctx, q).Scan(&row, &blob)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", c, err)
		}
		found = true
		if pt, err := s.vault.Open(blob, vault.AAD(c.Table, c.Column, row)); err == nil {
			clear(pt)
			return nil
		}
	}
	if found {
		return ErrKeyMismatch
	}
	return nil
}

// CheckKey opens the database's check value with the store's key ring: nil
// when it opens, an error matching ErrKeyMismatch when it does not (the key
// file was changed under a running portal, or the database was replaced),
// another error when it cannot be read.
func (s *Store) CheckKey(ctx context.Context) error {
	var blob []byte
	if err := s.sql.QueryRowContext(ctx, "SELECT value FROM key_check WHERE id = 1").Scan(&blob); err != nil {
		return fmt.Errorf("read the key check value: %w", err)
	}
	if !openKeyCheck(s.vault, blob) {
		return ErrKeyMismatch
	}
	return nil
}
