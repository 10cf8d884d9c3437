package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// BackupTo writes a consistent copy of the database to the new file path
// while the portal may keep writing (SQLite's VACUUM INTO reads one snapshot;
// writers are not blocked), and checks the copy. The file is created first,
// exclusively and with mode 0600, so an existing file is never overwritten
// and the copy is never readable by others, not even while it is written;
// VACUUM INTO accepts an empty file. The copy is synced to disk, then opened
// read-only and put through the integrity and foreign-key checks
// (CheckFile). On any failure the file is removed and the error says why.
// It returns the size of the copy.
//
// The copy holds sealed values only: without the key file it cannot be read,
// and the key file is not in it.
func (s *Store) BackupTo(ctx context.Context, path string) (size int64, err error) {
	if s.dialect == migrations.Postgres {
		return 0, errNoBackup
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%s exists already; a backup never overwrites a file", path)
	}
	if err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(path)
			_ = os.Remove(path + "-journal")
		}
	}()
	if err := s.Backup(ctx, path); err != nil {
		return 0, fmt.Errorf("VACUUM INTO: %w", err)
	}
	if err := syncPath(path); err != nil {
		return 0, err
	}
	if err := syncPath(filepath.Dir(path)); err != nil {
		return 0, err
	}
	if err := CheckFile(ctx, path); err != nil {
		return 0, fmt.Errorf("the copy fails its check: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// CheckFile opens the SQLite database file at path read-only, without
// applying migrations or changing it, and runs the same checks as
// IntegrityCheck.
func CheckFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	return checkDB(ctx, db)
}

// checkDB runs SQLite's integrity and foreign-key checks and returns an
// error describing the first problem.
func checkDB(ctx context.Context, db *sql.DB) error {
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var (
			table, parent string
			rowid         sql.NullInt64
			fkid          int64
		)
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return errors.New("foreign_key_check found a dangling reference")
		}
		return fmt.Errorf("foreign_key_check: %s rowid %d refers to a missing %s row", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// syncPath flushes a file or folder to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// RestoreFile copies the backup at from to the new database file to, which
// must not exist: to a temporary file (mode 0600) in to's folder, synced,
// then moved into place by a hard link, which fails rather than overwrite a
// database that appeared meanwhile, and the folder synced. A file that is
// not an SQLite database is refused before anything is written. It checks
// nothing else (CheckFile does) and leaves no temporary file behind. It
// returns the size of the copy.
func RestoreFile(from, to string) (size int64, err error) {
	src, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(src, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return 0, fmt.Errorf("%s is not an SQLite database (a backup made by avgloket backup is one)", from)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	dir := filepath.Dir(to)
	tmp, err := os.CreateTemp(dir, ".restore-*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	if size, err = io.Copy(tmp, src); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Link(tmp.Name(), to); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, fmt.Errorf("%s exists already; a restore never overwrites a database", to)
		}
		return 0, err
	}
	return size, syncPath(dir)
}

// KeyCheckFile opens the SQLite database file at path read-only, without
// migrating it, and reports whether it holds a key check value; if it
// does, keys must open it (an error matching ErrKeyMismatch if not). A
// database from before migration 0038 has none.
func KeyCheckFile(ctx context.Context, path string, keys *vault.KeyRing) (present bool, err error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'key_check'").Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	var blob []byte
	err = db.QueryRowContext(ctx, "SELECT value FROM key_check WHERE id = 1").Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !openKeyCheck(keys, blob) {
		return true, ErrKeyMismatch
	}
	return true, nil
}
