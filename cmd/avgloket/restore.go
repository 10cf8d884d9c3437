package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/vault"
)

// dbFiles are the database file and the files SQLite keeps beside it.
func dbFiles(cfg Config) []string {
	db := cfg.DBPath()
	return []string{db, db + "-wal", db + "-shm", db + "-journal"}
}

// restore puts a backup made by `avgloket backup` in place as the database
// of a data folder that has none, and checks it before it calls it done:
// SQLite's integrity and foreign-key checks, the key file against the
// check value, the migrations, and the audit chain. On any failure it
// removes what it wrote, leaving the folder as it found it.
func restore(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	flags := flag.NewFlagSet("restore", flag.ContinueOnError)
	from := flags.String("from", "", "the backup file (made by avgloket backup)")
	data, err := parseFlags("restore", flags, args, getenv)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("", *data, "", getenv)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*from) == "" {
		return errors.New("restore: --from FILE is required")
	}
	src, err := filepath.Abs(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, f := range dbFiles(cfg) {
		if _, err := os.Lstat(f); err == nil {
			return fmt.Errorf("restore: %s exists: the data folder %s holds a database already; restore into a data folder without one (--data or AVGLOKET_DATA_DIR)", f, cfg.DataDir)
		}
	}
	// The key file is not in the backup and nothing opens without it: it
	// must be in place first, and is never made here.
	if _, err := os.Stat(cfg.KeyFile); err != nil {
		return fmt.Errorf("restore: no key file at %s: put the key file that goes with the backup there first, or point AVGLOKET_KEY_FILE at it", cfg.KeyFile)
	}
	keys, err := vault.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("restore: key file: %w", err)
	}
	_, statErr := os.Stat(cfg.DataDir)
	madeDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("restore: create data folder: %w", err)
	}
	if err := restoreChecked(ctx, cfg, keys, src, stdout, log); err != nil {
		for _, f := range dbFiles(cfg) {
			_ = os.Remove(f)
		}
		if madeDir {
			_ = os.Remove(cfg.DataDir)
		}
		return fmt.Errorf("restore: %w; nothing was kept in %s", err, cfg.DataDir)
	}
	return nil
}

// restoreChecked copies src into place and runs the checks, printing each.
func restoreChecked(ctx context.Context, cfg Config, keys *vault.KeyRing, src string, stdout io.Writer, log *slog.Logger) error {
	size, err := store.RestoreFile(src, cfg.DBPath())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s (%d bytes, mode 0600)\n", src, cfg.DBPath(), size)
	if err := store.CheckFile(ctx, cfg.DBPath()); err != nil {
		return fmt.Errorf("the backup %s fails its check: %w", src, err)
	}
	fmt.Fprintln(stdout, "integrity_check ok, foreign_key_check ok")
	present, err := store.KeyCheckFile(ctx, cfg.DBPath(), keys)
	if errors.Is(err, store.ErrKeyMismatch) {
		return fmt.Errorf("the key file %s does not belong to the backup: its keys do not open the backup's check value", cfg.KeyFile)
	}
	if err != nil {
		return fmt.Errorf("read the key check value: %w", err)
	}
	// Open applies the migrations the backup lacks; on a backup from
	// before the check value it seals one, once the key file has opened
	// one of the backup's sealed values.
	st, err := store.Open(ctx, cfg.DBPath(), keys, log)
	if errors.Is(err, store.ErrKeyMismatch) {
		return fmt.Errorf("the key file %s does not belong to the backup: its keys open none of the backup's sealed values", cfg.KeyFile)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	if present {
		fmt.Fprintf(stdout, "key file %s opens the backup's check value\n", cfg.KeyFile)
	} else {
		fmt.Fprintf(stdout, "the backup predates the key check value; key file %s opens its sealed values, and the check value is sealed now\n", cfg.KeyFile)
	}
	if err := st.CheckKey(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	line, err := verifyAudit(ctx, st)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintln(stdout, line)
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restore done; uploaded files are not in a backup: copy the files/ folder of the same time to %s\n", filesDir(cfg))
	return nil
}
