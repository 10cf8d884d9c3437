package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/vault"
)

// fileAAD is the associated data of an uploaded file: it binds the file's
// content to its id.
func fileAAD(id string) []byte { return vault.AAD("case_files", "content", id) }

// filesDir is the folder of the encrypted uploads.
func filesDir(cfg Config) string { return filepath.Join(cfg.DataDir, "files") }

// keyMismatch explains store.ErrKeyMismatch, which a start refused with
// nothing changed: where the key file was looked for and how to point at
// the right one. A key file this start made (there was none) is removed
// again, so that it cannot be taken for the database's own.
func keyMismatch(cfg Config, err error, made bool) error {
	if !errors.Is(err, store.ErrKeyMismatch) {
		return err
	}
	where := fmt.Sprintf("the key file read was %s", cfg.KeyFile)
	if made {
		where = fmt.Sprintf("there was no key file at %s; the one this start made was removed again", cfg.KeyFile)
		if rerr := os.Remove(cfg.KeyFile); rerr != nil {
			where = fmt.Sprintf("there was no key file at %s; remove the one this start made (%v)", cfg.KeyFile, rerr)
		}
	}
	return fmt.Errorf("%w; %s. Put the key file this database was sealed with at AVGLOKET_KEY_FILE (default: keys.json in the data folder %s). No data in the database were changed",
		err, where, cfg.DataDir)
}

// keyRotate adds a key-encryption key version and makes it current. It
// does not open the database: rotation changes only the key file.
func keyRotate(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	fs := flag.NewFlagSet("key rotate", flag.ContinueOnError)
	data, err := parseFlags("key rotate", fs, args, getenv)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("", *data, "", getenv)
	if err != nil {
		return err
	}
	// A missing key file is not created here: a new ring would have nothing
	// to rotate, and a wrong path would otherwise pass silently.
	if _, err := os.Stat(cfg.KeyFile); err != nil {
		return fmt.Errorf("key rotate: no key file at %s (AVGLOKET_KEY_FILE): %w", cfg.KeyFile, errors.Unwrap(err))
	}
	keys, err := vault.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("key rotate: %w", err)
	}
	old := keys.CurrentVersion()
	v, err := keys.Rotate(cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("key rotate: %w", err)
	}
	fmt.Fprintf(stdout, "key version %d added to %s and made current (was %d); records sealed before keep opening\n", v, cfg.KeyFile, old)
	fmt.Fprintln(stdout, "next: restart the portal (it reads the key file at start), run avgloket key rewrap, then back up the key file")
	return nil
}

// keyRewrap moves every sealed value and every uploaded file to the
// current key version. The portal may keep running, provided it was
// restarted after the rotation: one still holding the old key ring could
// not open what was moved to the new version.
func keyRewrap(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("key rewrap", flag.ContinueOnError)
	batch := fs.Int("batch", 500, "rows per write transaction")
	return withKeys(ctx, "key rewrap", args, log, getenv, fs, func(cfg Config, keys *vault.KeyRing, st *store.Store) error {
		if *batch < 1 || *batch > 100_000 {
			return fmt.Errorf("key rewrap: --batch %d: want 1 to 100000", *batch)
		}
		start := time.Now()
		res, err := st.RewrapSealed(ctx, *batch)
		if err != nil {
			return fmt.Errorf("key rewrap: %w", err)
		}
		for _, c := range res.Columns {
			fmt.Fprintf(stdout, "%-26s %7d sealed, %7d rewrapped, %7d already on version %d%s\n",
				c.Column.String()+":", c.Sealed, c.Rewrapped, c.Current, res.Version, failedNote(c.Failed))
		}
		files, err := filestore.New(filesDir(cfg), keys)
		if err != nil {
			return fmt.Errorf("key rewrap: %w", err)
		}
		fc, err := rewrapFiles(ctx, st, files)
		if err != nil {
			return fmt.Errorf("key rewrap: %w", err)
		}
		fmt.Fprintf(stdout, "%-26s %7d files,  %7d rewrapped, %7d already on version %d, %d skipped (destroyed or gone)%s\n",
			"files:", fc.files, fc.rewrapped, fc.current, res.Version, fc.skipped, failedNote(fc.failed))

		t := res.Totals()
		left := t.Left() + fc.failed
		if t.Failed > 0 || fc.failed > 0 {
			first := fc.firstErr
			if len(res.Failures) > 0 {
				first = res.Failures[0]
			}
			return fmt.Errorf("key rewrap: %d sealed values and %d files could not be opened and stay on their old key version (first: %v); keep the old key version",
				t.Failed, fc.failed, first)
		}
		fmt.Fprintf(stdout, "rewrap done in %s: %d sealed values and %d files moved to key version %d; %d left on older versions%s\n",
			time.Since(start).Round(time.Millisecond), t.Rewrapped, fc.rewrapped, res.Version, left, leftNote(left))
		fmt.Fprintf(stdout, "back up the key file %s now\n", cfg.KeyFile)
		return nil
	})
}

// keyUse is what each key version seals: values in the database and
// files in the file store. Files recorded as destroyed are counted apart:
// the retention sweep removes them, and retiring their version is what
// makes a surviving copy unreadable.
type keyUse struct {
	sealed     map[uint32]int64
	unreadable int64 // sealed values that are not vault blobs
	files      map[uint32]int64
	destroyed  map[uint32]int64
	badFiles   int64 // files without a readable header
}

// countKeyUse counts what every key version seals.
func countKeyUse(ctx context.Context, cfg Config, keys *vault.KeyRing, st *store.Store) (keyUse, error) {
	sv, err := st.CountSealedVersions(ctx)
	if err != nil {
		return keyUse{}, err
	}
	u := keyUse{sealed: sv.Sealed, unreadable: sv.Unreadable, files: map[uint32]int64{}, destroyed: map[uint32]int64{}}
	files, err := filestore.New(filesDir(cfg), keys)
	if err != nil {
		return keyUse{}, err
	}
	err = files.Walk(ctx, func(id string) error {
		v, err := files.KeyVersion(id)
		switch {
		case apperr.Is(err, apperr.NotFound):
			return nil // removed since the folder was read
		case errors.Is(err, vault.ErrDecrypt):
			u.badFiles++
			return nil
		case err != nil:
			return err
		}
		destroyed, err := st.FileDestroyed(ctx, id)
		if err != nil {
			return err
		}
		if destroyed {
			u.destroyed[v]++
		} else {
			u.files[v]++
		}
		return nil
	})
	return u, err
}

// keyStatus prints, per key version, how many sealed values and files it
// seals, and which version is current. Versions that seal something but are
// missing from the key file are listed too: what they seal does not open.
func keyStatus(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("key status", flag.ContinueOnError)
	return withKeys(ctx, "key status", args, log, getenv, fs, func(cfg Config, keys *vault.KeyRing, st *store.Store) error {
		u, err := countKeyUse(ctx, cfg, keys, st)
		if err != nil {
			return fmt.Errorf("key status: %w", err)
		}
		held := keys.Versions()
		versions := slices.Concat(held, slices.Collect(maps.Keys(u.sealed)), slices.Collect(maps.Keys(u.files)), slices.Collect(maps.Keys(u.destroyed)))
		slices.Sort(versions)
		fmt.Fprintf(stdout, "key file %s\n", cfg.KeyFile)
		for _, v := range slices.Compact(versions) {
			note := ""
			switch {
			case v == keys.CurrentVersion():
				note = " (current)"
			case !slices.Contains(held, v):
				note = " (NOT IN THE KEY FILE: these do not open)"
			}
			fmt.Fprintf(stdout, "key version %d%s: %d sealed values, %d files%s\n", v, note, u.sealed[v], u.files[v], destroyedNote(u.destroyed[v]))
		}
		if u.unreadable > 0 || u.badFiles > 0 {
			fmt.Fprintf(stdout, "not readable at all: %d sealed values, %d files (damaged)\n", u.unreadable, u.badFiles)
		}
		fmt.Fprintln(stdout, "a version other than the current one that seals no value and no file can be retired: avgloket key retire --version N")
		return nil
	})
}

func destroyedNote(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d destroyed files the retention sweep removes)", n)
}

// keyRetire removes an old key version from the key file once nothing is
// sealed under it. It refuses the current version and any version that
// still seals a value or a file.
func keyRetire(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("key retire", flag.ContinueOnError)
	version := fs.Uint("version", 0, "the key version to remove")
	return withKeys(ctx, "key retire", args, log, getenv, fs, func(cfg Config, keys *vault.KeyRing, st *store.Store) error {
		v := uint32(*version)
		switch {
		case *version == 0 || uint(v) != *version:
			return errors.New("key retire: --version N is required (avgloket key status lists the versions)")
		case v == keys.CurrentVersion():
			return fmt.Errorf("key retire: version %d is the current version, which seals everything new; rotate first (avgloket key rotate), restart the portal and run avgloket key rewrap", v)
		case !slices.Contains(keys.Versions(), v):
			return fmt.Errorf("key retire: the key file %s has no version %d (avgloket key status lists the versions)", cfg.KeyFile, v)
		}
		u, err := countKeyUse(ctx, cfg, keys, st)
		if err != nil {
			return fmt.Errorf("key retire: %w", err)
		}
		if u.sealed[v] > 0 || u.files[v] > 0 {
			return fmt.Errorf("key retire: version %d still seals %d values and %d files; run avgloket key rewrap to move them to version %d (after restarting every portal since the rotation), then retire",
				v, u.sealed[v], u.files[v], keys.CurrentVersion())
		}
		if err := keys.Retire(cfg.KeyFile, v); err != nil {
			return fmt.Errorf("key retire: %w", err)
		}
		fmt.Fprintf(stdout, "key version %d removed from %s; versions left: %v, current %d\n", v, cfg.KeyFile, keys.Versions(), keys.CurrentVersion())
		if n := u.destroyed[v]; n > 0 {
			fmt.Fprintf(stdout, "%d destroyed files on version %d no longer open; the retention sweep removes them\n", n, v)
		}
		fmt.Fprintf(stdout, "back up the key file now; a backup of the database or of the files made while version %d sealed them needs an older copy of the key file\n", v)
		return nil
	})
}

func failedNote(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d FAILED", n)
}

func leftNote(n int64) string {
	if n == 0 {
		return ""
	}
	return " (changed while this ran: run key rewrap again)"
}

type fileCounts struct {
	files, current, rewrapped, skipped, failed int64
	firstErr                                   error
}

// rewrapFiles moves every uploaded file's header to the current key
// version, leaving alone files recorded as destroyed (the retention sweep
// removes them; they should not outlive the old key).
func rewrapFiles(ctx context.Context, st *store.Store, files *filestore.Store) (fileCounts, error) {
	var n fileCounts
	err := files.Walk(ctx, func(id string) error {
		n.files++
		destroyed, err := st.FileDestroyed(ctx, id)
		if err != nil {
			return err
		}
		if destroyed {
			n.skipped++
			return nil
		}
		changed, err := files.Rewrap(id, fileAAD(id))
		switch {
		case apperr.Is(err, apperr.NotFound):
			n.skipped++
		case errors.Is(err, vault.ErrDecrypt):
			n.failed++
			if n.firstErr == nil {
				n.firstErr = err
			}
		case err != nil:
			return err
		case changed:
			n.rewrapped++
		default:
			n.current++
		}
		return nil
	})
	return n, err
}

// backup writes an online backup of the database to a new file and checks
// it. The key file is not part of it.
func backup(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	to := fs.String("to", "", "the backup file to create (must not exist)")
	return withKeys(ctx, "backup", args, log, getenv, fs, func(cfg Config, _ *vault.KeyRing, st *store.Store) error {
		if strings.TrimSpace(*to) == "" {
			return errors.New("backup: --to FILE is required")
		}
		path, err := filepath.Abs(*to)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		size, err := st.BackupTo(ctx, path)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(stdout, "backup written to %s (%d bytes, mode 0600); integrity and foreign-key checks ok\n", path, size)
		fmt.Fprintf(stdout, "the key file %s is not in the backup and the backup cannot be read without it: back it up separately, to another place\n", cfg.KeyFile)
		return nil
	})
}

// withKeys is withStore for commands that need the key ring and the
// configuration as well.
func withKeys(ctx context.Context, name string, args []string, log *slog.Logger, getenv env, fs *flag.FlagSet,
	do func(Config, *vault.KeyRing, *store.Store) error) error {
	data, err := parseFlags(name, fs, args, getenv)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("", *data, "", getenv)
	if err == nil {
		err = cfg.useFlags(fs)
	}
	if err != nil {
		return err
	}
	keys, st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return do(cfg, keys, st)
}
