package breach

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/filestore"
)

// Attachment is a file kept with a breach in the register: a police
// report, a photo of the damage, the AP's confirmation. Only its type (by
// content), size and time are known in clear; the file is encrypted.
type Attachment struct {
	ID         string // random; the file's name in the file store
	Kind       string // pdf, jpeg or png, as the content showed
	Size       int64
	UploadedAt time.Time
}

// Files keeps uploads encrypted on disk; internal/filestore implements it.
type Files interface {
	Put(ctx context.Context, id string, src io.Reader, aad []byte) (int64, error)
	Open(ctx context.Context, id string, dst io.Writer, aad []byte) (int64, error)
	Delete(id string) error
}

// Cleaner checks an upload's type by its content, strips image metadata
// and enforces the size limit while streaming (internal/upload.Clean).
type Cleaner func(dst io.Writer, src io.Reader, limit int64) (kind string, n int64, err error)

// DefaultAttachmentLimit is the largest attachment, 10 MB.
const DefaultAttachmentLimit = 10 << 20

// attachments are the service's collaborators for attachments; nil while
// the service keeps none.
type attachments struct {
	files Files
	clean Cleaner
	aad   func(id string) []byte
	limit int64
}

// UseFiles lets the service keep attachments in files, each upload passing
// clean and bound to its id by aad. limit <= 0 means
// DefaultAttachmentLimit.
func (s *Service) UseFiles(files Files, clean Cleaner, aad func(id string) []byte, limit int64) {
	if limit <= 0 {
		limit = DefaultAttachmentLimit
	}
	s.files = &attachments{files: files, clean: clean, aad: aad, limit: limit}
}

// KeepsFiles reports whether the service keeps attachments.
func (s *Service) KeepsFiles() bool { return s.files != nil }

// Attach keeps the file body yields with breach ref: streamed through the
// cleaner (a PDF, JPEG or PNG by its content, image metadata stripped,
// within the limit) into encrypted storage, never whole in memory. Owners
// and officers in scope may attach. The upload is audited.
func (s *Service) Attach(ctx context.Context, a Actor, ref string, body io.Reader) (Attachment, error) {
	if s.files == nil {
		return Attachment{}, conflict("breach.no_files")
	}
	if _, err := s.store.BreachByReference(ctx, ref, a.Scope); err != nil {
		return Attachment{}, err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Attachment{}, apperr.Wrap(err, "error.internal")
	}
	id := hex.EncodeToString(b)
	kind, n, err := filestore.PutChecked(ctx, s.files.files, id, s.files.aad(id), body, func(w io.Writer, r io.Reader) (string, error) {
		kind, _, err := s.files.clean(w, r, s.files.limit)
		return kind, err
	})
	if err != nil {
		return Attachment{}, err
	}
	f := Attachment{ID: id, Kind: kind, Size: n, UploadedAt: s.clock.Now()}
	if err := s.store.AddBreachFile(ctx, ref, a, f); err != nil {
		_ = s.files.files.Delete(id)
		return Attachment{}, err
	}
	return f, nil
}

// Attachments lists the files kept with r, oldest first.
func (s *Service) Attachments(ctx context.Context, r Record) ([]Attachment, error) {
	return s.store.BreachFiles(ctx, r.ID)
}

// Download writes attachment id of breach ref to w for a staff member who
// may see the breach; the download is audited first. start is called with
// the attachment before its first byte. On a tampered file it fails after
// writing part: callers must abort the response.
func (s *Service) Download(ctx context.Context, a Actor, ref, id string, start func(Attachment), w io.Writer) error {
	if s.files == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	r, err := s.store.BreachByReference(ctx, ref, a.Scope)
	if err != nil {
		return err
	}
	f, err := s.store.BreachFile(ctx, r.ID, id)
	if err != nil {
		return err
	}
	if err := s.store.RecordBreachAccess(ctx, a, r.ID, audit.FileView, "kind="+f.Kind, s.clock.Now()); err != nil {
		return err
	}
	start(f)
	_, err = s.files.files.Open(ctx, f.ID, w, s.files.aad(f.ID))
	return err
}
