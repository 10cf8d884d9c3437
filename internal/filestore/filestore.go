// Package filestore keeps uploaded files on disk, encrypted. Each file is
// written with vault.EncryptStream: a fresh AES-256 data key per file,
// wrapped by the key ring's current key-encryption key and stored in the
// file's header, and the content sealed in 64 KiB chunks, so neither Put nor
// Open ever holds a whole file in memory. The associated data (use
// vault.AAD("files", "content", id) or similar) binds a file to its place: a
// file copied or renamed to another id fails to open.
//
// Deleting a file deletes its data key with it (crypto-shredding), since the
// key exists nowhere else. That holds for the file as the file system shows
// it; blocks of a deleted file that survive on the disk, in a file-system
// snapshot or in a backup can still be opened while the key-encryption key
// that wrapped the data key exists.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/vault"
)

const (
	// suffix is appended to an id to name its file.
	suffix = ".enc"
	// tempPrefix starts the names of files that Put is still writing.
	tempPrefix = ".tmp-"
	// gcmTagSize is the authentication tag added to every stream chunk.
	gcmTagSize = 16
)

// validID is the form of a file id: lowercase letters, digits and hyphens,
// 8 to 64 of them (a UUID fits), so an id can never name a path elsewhere.
var validID = regexp.MustCompile(`^[a-z0-9-]{8,64}$`)

// Store is a folder of encrypted files named by id. It is safe for
// concurrent use; concurrent Puts of one id leave one of them in place.
type Store struct {
	dir  string
	keys *vault.KeyRing
}

// New returns a Store keeping its files in dir, which it creates (mode 0700)
// if needed. It refuses a dir that is not a folder or that grants any access
// to group or others.
func New(dir string, keys *vault.KeyRing) (*Store, error) {
	if dir == "" || keys == nil {
		return nil, errors.New("filestore: a folder and a key ring are required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: create folder: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("filestore: %s is not a folder", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("filestore: folder %s has mode %v; it must grant nothing to group or others (chmod 700)", dir, fi.Mode().Perm())
	}
	return &Store{dir: dir, keys: keys}, nil
}

// Put encrypts everything src yields under aad (non-empty) and stores it as
// file id, replacing any file with that id. It writes to a temporary file
// (mode 0600), syncs it, renames it into place and syncs the folder, so a
// crash leaves either no file or the whole file. It returns the number of
// plaintext bytes stored. On error (also an error from src, e.g. an upload
// that turned out too large, or ctx ending) nothing is stored and the error
// wraps the cause, so apperr codes of src's errors carry through. An id not
// of the form ^[a-z0-9-]{8,64}$ gives apperr.Invalid.
func (s *Store) Put(ctx context.Context, id string, src io.Reader, aad []byte) (n int64, err error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("filestore: put %s: %w", id, err)
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return 0, fmt.Errorf("filestore: put %s: %w", id, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("filestore: put %s: %w", id, err)
		}
	}()
	if n, err = s.keys.EncryptStream(tmp, ctxReader{ctx, src}, aad); err != nil {
		return 0, err
	}
	if err = tmp.Sync(); err != nil {
		return 0, err
	}
	if err = tmp.Close(); err != nil {
		return 0, err
	}
	if err = os.Rename(tmp.Name(), s.path(id)); err != nil {
		return 0, err
	}
	if err = syncDir(s.dir); err != nil {
		// The rename may not survive a crash: report failure and take the
		// file back rather than confirm it.
		_ = os.Remove(s.path(id))
		return 0, err
	}
	return n, nil
}

// Open decrypts file id with aad and streams its content to dst, returning
// the number of bytes written. A missing file gives apperr.NotFound, a bad
// id apperr.Invalid. A file that was tampered with, cut short, or moved from
// another id (other aad) gives an error matching vault.ErrDecrypt.
//
// Content is streamed chunk by chunk and each chunk is authenticated before
// it is written, but when an error comes back dst may already hold the
// chunks before the bad one: callers must then discard what dst received (an
// HTTP handler aborts the response, e.g. panic(http.ErrAbortHandler), so the
// client sees a failed download rather than a short file).
func (s *Store) Open(ctx context.Context, id string, dst io.Writer, aad []byte) (int64, error) {
	f, err := s.open(id)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := s.keys.DecryptStream(dst, ctxReader{ctx, f}, aad)
	if err != nil {
		return n, fmt.Errorf("filestore: open %s: %w", id, err)
	}
	return n, nil
}

// Size returns the plaintext size of file id, computed from the file's
// length without decrypting it (so it is not authenticated: Open still
// fails on a tampered file). A length that no EncryptStream output can have
// gives an error matching vault.ErrDecrypt.
func (s *Store) Size(id string) (int64, error) {
	f, err := s.open(id)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("filestore: size %s: %w", id, err)
	}
	n, ok := plainSize(fi.Size())
	if !ok {
		return 0, fmt.Errorf("filestore: size %s: %w: impossible file length %d", id, vault.ErrDecrypt, fi.Size())
	}
	return n, nil
}

// plainSize inverts the stream format's length: a header, then chunks of
// ChunkSize+tag bytes, the last one 1 to ChunkSize bytes plus tag (or just a
// tag for an empty file).
func plainSize(fileSize int64) (int64, bool) {
	const enc = vault.ChunkSize + gcmTagSize
	body := fileSize - vault.StreamHeaderSize
	if body < gcmTagSize {
		return 0, false
	}
	full, rest := body/enc, body%enc
	switch {
	case rest == 0:
		return full * vault.ChunkSize, true
	case rest < gcmTagSize, rest == gcmTagSize && full > 0:
		return 0, false
	}
	return full*vault.ChunkSize + rest - gcmTagSize, true
}

// Exists reports whether file id is stored. It is false for a bad id.
func (s *Store) Exists(id string) bool {
	if checkID(id) != nil {
		return false
	}
	fi, err := os.Stat(s.path(id))
	return err == nil && fi.Mode().IsRegular()
}

// Delete removes file id and, with it, its data key, and syncs the folder
// so the removal survives a crash. A missing file is not an error. It does
// not overwrite the file's blocks: on SSDs and journaling or copy-on-write
// file systems that would not reliably erase them anyway; what makes the
// content unreadable is that the data key is gone with the file (see the
// package comment for the limits).
func (s *Store) Delete(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.Remove(s.path(id)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("filestore: delete %s: %w", id, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("filestore: delete %s: %w", id, err)
	}
	return nil
}

// RemoveTemp removes temporary files that a Put interrupted by a crash left
// behind, if they were last written before the given time, and returns how
// many it removed. Each holds (part of) an upload and its data key, so run it
// at start-up and with the retention job, with a cut-off well before any
// Put still in progress (e.g. an hour ago).
func (s *Store) RemoveTemp(before time.Time) (int, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, fmt.Errorf("filestore: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue // gone meanwhile, or perhaps still being written
		}
		if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("filestore: %w", err)
		}
		removed++
	}
	if removed > 0 {
		if err := syncDir(s.dir); err != nil {
			return removed, fmt.Errorf("filestore: %w", err)
		}
	}
	return removed, nil
}

// open opens file id for reading, with apperr errors for a bad id or a
// missing file.
func (s *Store) open(id string) (*os.File, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &apperr.Error{Code: apperr.NotFound, Message: "error.not_found", Err: fmt.Errorf("filestore: %s: %w", id, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	return f, nil
}

func (s *Store) path(id string) string { return filepath.Join(s.dir, id+suffix) }

// checkID refuses ids that are not of the form validID.
func checkID(id string) error {
	if !validID.MatchString(id) {
		return &apperr.Error{Code: apperr.Invalid, Message: "error.invalid", Err: fmt.Errorf("filestore: invalid file id %q", id)}
	}
	return nil
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
