// Package delivery hands answer documents to the requester without e-mail
// attachments (AVG art. 15(3), the copy of the data; art. 20): officers
// upload them to a case, checked by content and stored encrypted; when they
// are sent, the requester gets a mail without content that points to the
// tracking page, asks there for a one-time code by e-mail and, with it,
// downloads each document. Documents are destroyed a set number of days
// after they were sent. A case by post gets no mail: its documents are
// printed and posted.
package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// Document is an answer document of a case. Its content is in the file
// store under ID, encrypted; Name is the uploaded file's own name, shown to
// staff only (downloads get a name the server makes).
type Document struct {
	ID           string
	CaseID       int64
	Name         string
	Kind         string // pdf, jpeg, png, csv, json or zip, as the content showed
	Size         int64
	UploadedBy   string // the staff member's name
	UploadedAt   time.Time
	SentAt       time.Time // zero until sent
	DestroyAfter time.Time // zero until sent
	DestroyedAt  time.Time // zero while the file exists
	Downloads    []Download
}

// Sent reports whether the document was sent to the requester.
func (d Document) Sent() bool { return !d.SentAt.IsZero() }

// Destroyed reports whether the document's file was destroyed.
func (d Document) Destroyed() bool { return !d.DestroyedAt.IsZero() }

// Download is one download of a document.
type Download struct {
	At time.Time
	By string // the staff member's name; "" for the requester
}

// Store keeps the documents' records, their downloads and the codes; the
// store package implements it. Every write is audited in its transaction.
type Store interface {
	Settings(ctx context.Context) (practice.Settings, error)
	AddDocument(ctx context.Context, a casework.Actor, d Document) error
	// Documents lists a case's documents, oldest first, with their
	// downloads.
	Documents(ctx context.Context, caseID int64) ([]Document, error)
	// RemoveDocument deletes the record of a document not yet sent;
	// NotFound if there is none such.
	RemoveDocument(ctx context.Context, a casework.Actor, caseID int64, id string, at time.Time) error
	RecordDownload(ctx context.Context, a casework.Actor, d Document, at time.Time) error
	Codes(ctx context.Context, caseID int64) (Codes, error)
	// UpdateCodes runs step on a case's codes in one write transaction,
	// stores the codes it returns and queues its mail, if any, with them
	// (also when step's error is not nil, which UpdateCodes returns after
	// the commit). Two updates of one case's codes never run at once;
	// step may run more than once and must have no other effect.
	UpdateCodes(ctx context.Context, caseID int64, at time.Time, step func(Codes) (Codes, *mail.Message, error)) error
	// DocumentsDue lists the documents whose time is up and that are not
	// destroyed yet.
	DocumentsDue(ctx context.Context, now time.Time) ([]Document, error)
	DocumentDestroyed(ctx context.Context, d Document, at time.Time) error
}

// Files keeps uploads encrypted on disk; internal/filestore implements it.
type Files interface {
	Put(ctx context.Context, id string, src io.Reader, aad []byte) (int64, error)
	Open(ctx context.Context, id string, dst io.Writer, aad []byte) (int64, error)
	Delete(id string) error
}

// Checker checks a document's type by its content and enforces the size
// limit while streaming it to dst (internal/upload.Document).
type Checker func(dst io.Writer, src io.Reader, limit int64) (kind string, n int64, err error)

// Mails writes the requester's mails (internal/letters).
type Mails interface {
	// Documents says that documents are ready on the tracking page, with
	// the link; nothing of the documents.
	Documents(k casework.Case, trackingURL string) (mail.Message, error)
	// Code carries a one-time code.
	Code(k casework.Case, code string) (mail.Message, error)
}

// Config are the Service's collaborators.
type Config struct {
	Cases *casework.Service
	Store Store
	Files Files
	Check Checker
	// AAD binds a file's ciphertext to its id.
	AAD   func(id string) []byte
	Mails Mails
	// Hash is a keyed hash (the vault's blind index): codes have only a
	// million values, so a plain hash would give them away.
	Hash  func(purpose, value string) string
	Clock clock.Clock
	// Limit is the largest document in bytes; <= 0 means DefaultLimit.
	Limit int64
}

// DefaultLimit is the largest document: 200 MB.
const DefaultLimit = 200 << 20

// MaxName is the longest document name kept, in characters.
const MaxName = 200

// Service runs the upload and delivery of answer documents.
type Service struct{ c Config }

// New returns the Service.
func New(c Config) *Service {
	if c.Limit <= 0 {
		c.Limit = DefaultLimit
	}
	return &Service{c: c}
}

// CleanName makes an uploaded file's name fit to show: its last path
// element, without control characters, at most MaxName characters; a name
// that is empty then becomes "document".
func CleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > MaxName {
		name = string(r[:MaxName])
	}
	if name == "" || name == "." || name == "/" {
		return "document"
	}
	return name
}

// Upload keeps a document for case k, which the caller read in actor a's
// scope (casework.Service.Case) before it began to read the body: streamed
// through the checker into encrypted storage, never whole in memory. The
// upload is audited.
func (s *Service) Upload(ctx context.Context, a casework.Actor, k casework.Case, name string, body io.Reader) (Document, error) {
	id, err := newID()
	if err != nil {
		return Document{}, apperr.Wrap(err, "error.internal")
	}
	kind, n, err := filestore.PutChecked(ctx, s.c.Files, id, s.c.AAD(id), body, func(w io.Writer, r io.Reader) (string, error) {
		kind, _, err := s.c.Check(w, r, s.c.Limit)
		return kind, err
	})
	if err != nil {
		return Document{}, err
	}
	d := Document{ID: id, CaseID: k.ID, Name: CleanName(name), Kind: kind, Size: n, UploadedAt: s.c.Clock.Now()}
	if err := s.c.Store.AddDocument(ctx, a, d); err != nil {
		_ = s.c.Files.Delete(id)
		return Document{}, err
	}
	return d, nil
}

// Documents lists the documents of case k, oldest first.
func (s *Service) Documents(ctx context.Context, k casework.Case) ([]Document, error) {
	return s.c.Store.Documents(ctx, k.ID)
}

// Remove deletes a document of case ref that was not sent yet, record and
// file. It is audited.
func (s *Service) Remove(ctx context.Context, a casework.Actor, ref, id string) error {
	k, err := s.c.Cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	if err := s.c.Store.RemoveDocument(ctx, a, k.ID, id, s.c.Clock.Now()); err != nil {
		return err
	}
	if err := s.c.Files.Delete(id); err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	return nil
}

// Send marks the documents of case ref that were not sent yet as sent and,
// in the same transaction, queues the mail that tells the requester they
// are on the tracking page (no content, no link to a file). A case by post
// gets no mail: the officer prints the documents and posts them. The
// documents are destroyed the practice's DocumentDays after today. Nothing
// to send is a conflict.
func (s *Service) Send(ctx context.Context, a casework.Actor, ref string) (casework.Case, error) {
	k, err := s.c.Cases.Case(ctx, a, ref)
	if err != nil {
		return casework.Case{}, err
	}
	docs, err := s.c.Store.Documents(ctx, k.ID)
	if err != nil {
		return casework.Case{}, err
	}
	n := 0
	for _, d := range docs {
		if !d.Sent() && !d.Destroyed() {
			n++
		}
	}
	if n == 0 {
		return casework.Case{}, apperr.New(apperr.Conflict, "delivery.nothing_to_send")
	}
	return s.c.Cases.Apply(ctx, a, ref, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		now := s.c.Clock.Now()
		ch := casework.Change{
			Events: []casework.Event{{At: now, Kind: casework.EventDocumentsSent, ActorID: a.ID,
				Data: map[string]string{"count": strconv.Itoa(n)}}},
			SendDocuments: &casework.DocumentsSent{At: now, DestroyAfter: now.Add(KeepFor(env.Settings))},
		}
		return s.c.Cases.WithMail(ch, *c, s.c.Mails.Documents)
	})
}

// KeepFor is how long a document is kept once it is sent under the
// practice's settings st; an export's link to another organisation works
// as long.
func KeepFor(st practice.Settings) time.Duration {
	days := st.DocumentDays
	if days <= 0 {
		days = practice.DefaultDocumentDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// StaffDownload writes document id of case ref to w for a staff member who
// may see the case (a case by post: to print it); the download is recorded
// and audited first. start is called with the document before its first
// byte. On a tampered file it fails after writing part: callers must abort
// the response.
func (s *Service) StaffDownload(ctx context.Context, a casework.Actor, ref, id string, start func(Document), w io.Writer) error {
	k, err := s.c.Cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	return s.download(ctx, a, k, id, start, w)
}

func (s *Service) download(ctx context.Context, a casework.Actor, k casework.Case, id string, start func(Document), w io.Writer) error {
	d, err := s.document(ctx, k.ID, id)
	if err != nil {
		return err
	}
	if d.Destroyed() {
		return apperr.New(apperr.NotFound, "delivery.removed")
	}
	if err := s.c.Store.RecordDownload(ctx, a, d, s.c.Clock.Now()); err != nil {
		return err
	}
	start(d)
	_, err = s.c.Files.Open(ctx, d.ID, w, s.c.AAD(d.ID))
	return err
}

// document is document id of case caseID, destroyed or not; NotFound
// "error.not_found" when the case has no such document.
func (s *Service) document(ctx context.Context, caseID int64, id string) (Document, error) {
	docs, err := s.c.Store.Documents(ctx, caseID)
	if err != nil {
		return Document{}, err
	}
	for _, d := range docs {
		if d.ID == id {
			return d, nil
		}
	}
	return Document{}, apperr.New(apperr.NotFound, "error.not_found")
}

// Sweep destroys the documents whose time is up: file first, then the
// record, so that a crash in between is finished by the next run. It
// returns how many it destroyed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.c.Clock.Now()
	due, err := s.c.Store.DocumentsDue(ctx, now)
	if err != nil {
		return 0, err
	}
	for i, d := range due {
		if err := s.c.Files.Delete(d.ID); err != nil {
			return i, err
		}
		if err := s.c.Store.DocumentDestroyed(ctx, d, now); err != nil {
			return i, err
		}
	}
	return len(due), nil
}

func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
