package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/vault"
)

// walkBatch is how many folder entries Walk reads at a time.
const walkBatch = 256

// Walk calls fn with the id of every stored file, in no particular order,
// reading the folder walkBatch entries at a time, so memory does not grow
// with the number of files. Files that Put is still writing are not
// included. Files added or removed during the walk may or may not be seen.
// It stops at the first error from fn or when ctx ends.
func (s *Store) Walk(ctx context.Context, fn func(id string) error) error {
	d, err := os.Open(s.dir)
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	defer d.Close()
	for {
		entries, rerr := d.ReadDir(walkBatch)
		for _, e := range entries {
			name := e.Name()
			id, ok := strings.CutSuffix(name, suffix)
			if !ok || strings.HasPrefix(name, tempPrefix) || !e.Type().IsRegular() || checkID(id) != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(id); err != nil {
				return err
			}
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("filestore: %w", rerr)
		}
	}
}

// KeyVersion reports which key-encryption key version file id's header
// names, reading the header only (vault KeyRing.KeyVersion: it does not
// authenticate, and it reports versions the ring does not hold). A missing
// file gives apperr.NotFound; a file too short for a header, vault.ErrDecrypt.
func (s *Store) KeyVersion(id string) (uint32, error) {
	f, err := s.open(id)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	hdr := make([]byte, vault.StreamHeaderSize)
	if _, err := io.ReadFull(f, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("filestore: %s: %w: file shorter than a header", id, vault.ErrDecrypt)
		}
		return 0, fmt.Errorf("filestore: %s: %w", id, err)
	}
	return s.keys.KeyVersion(hdr)
}

// Rewrap moves file id to the key ring's current key-encryption key
// version: the data key in its header is wrapped again (vault
// RewrapStreamHeader, which authenticates the header against aad); the
// encrypted chunks are not touched. It reports whether the file changed; a
// file already on the current version is left alone.
//
// The new file is written in full under a temporary name (mode 0600), synced
// and renamed over the old one, and the folder is synced: a crash leaves
// either the old file or the new one, never a torn header, plus at worst a
// temporary file that RemoveTemp clears. (Rewriting just the header in place
// would be cheaper, but a crash during that write could leave a header that
// opens with no key, losing the file.) Before the rename it checks that the
// name still refers to the file it copied: a file deleted (destroyed) or
// replaced meanwhile is not brought back, and Rewrap returns apperr.NotFound
// as for a missing file. A Delete that comes between that check and the
// rename can still see the file reappear; the retention sweep, which removes
// every file recorded as destroyed each time it runs, removes it again.
//
// Only the header is authenticated: a file whose chunks were tampered with
// still fails when it is opened. A header that does not open with aad, or is
// on a newer version than the ring's current one, gives an error matching
// vault.ErrDecrypt and the file is left as it is.
func (s *Store) Rewrap(id string, aad []byte) (changed bool, err error) {
	f, err := s.open(id)
	if err != nil {
		return false, err
	}
	defer f.Close()
	hdr := make([]byte, vault.StreamHeaderSize)
	if _, err := io.ReadFull(f, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return false, fmt.Errorf("filestore: rewrap %s: %w: file shorter than a header", id, vault.ErrDecrypt)
		}
		return false, fmt.Errorf("filestore: rewrap %s: %w", id, err)
	}
	cur := s.keys.CurrentVersion()
	if ver, err := s.keys.KeyVersion(hdr); err == nil && ver > cur {
		return false, fmt.Errorf("filestore: rewrap %s: %w: key version %d is newer than the current version %d", id, vault.ErrDecrypt, ver, cur)
	}
	out, changed, err := s.keys.RewrapStreamHeader(hdr, aad)
	if err != nil {
		return false, fmt.Errorf("filestore: rewrap %s: %w", id, err)
	}
	if !changed {
		return false, nil
	}
	if err := s.replace(id, f, out); err != nil {
		return false, err
	}
	return true, nil
}

// replace writes header followed by the rest of f (positioned after the old
// header) to a temporary file and renames it to id's name, if that name
// still refers to f.
func (s *Store) replace(id string, f *os.File, header []byte) (err error) {
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("filestore: rewrap %s: %w", id, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			if !apperr.Is(err, apperr.NotFound) {
				err = fmt.Errorf("filestore: rewrap %s: %w", id, err)
			}
		}
	}()
	if _, err = tmp.Write(header); err != nil {
		return err
	}
	if _, err = io.Copy(tmp, f); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	was, err := f.Stat()
	if err != nil {
		return err
	}
	if now, lerr := os.Lstat(s.path(id)); lerr != nil || !os.SameFile(was, now) {
		return &apperr.Error{Code: apperr.NotFound, Message: "error.not_found",
			Err: fmt.Errorf("filestore: rewrap %s: the file was deleted or replaced meanwhile", id)}
	}
	if err = os.Rename(tmp.Name(), s.path(id)); err != nil {
		return err
	}
	// The new file has the same content for every reader; if this sync
	// fails the rename may not survive a crash, which leaves the old file.
	return syncDir(s.dir)
}
