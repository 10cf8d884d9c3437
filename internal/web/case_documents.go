package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
)

// documentBodyLimit is the answer documents' upload limit: the 200 MB file
// with room for the multipart framing. Only the upload route has it; the
// rest of the portal keeps its small limits.
const documentBodyLimit = "201MiB"

// transferTime is how long one upload or download of an answer document
// may take: 200 MB over a slow line takes minutes, more than the portal's
// 30-second request time-out and the server's read and write time-outs,
// which these routes lift for themselves.
const transferTime = 30 * time.Minute

// longTransfers are the routes that lift the time-outs (see
// longTransfer).
var longTransfers = map[string]bool{
	"/staff/cases/:ref/documents":     true,
	"/staff/cases/:ref/documents/:id": true,
	"/volg/:token/documents/:id":      true,
}

// longTransfer gives a document's upload or download transferTime: the
// connection's read and write deadlines move, and the request's context
// gets that long instead of the usual 30 seconds (which the time-out
// middleware skips for these routes).
func longTransfer(c echo.Context) context.CancelFunc {
	rc := http.NewResponseController(c.Response().Writer)
	until := time.Now().Add(transferTime)
	_ = rc.SetReadDeadline(until) // not every writer (a test recorder) has deadlines
	_ = rc.SetWriteDeadline(until)
	ctx, cancel := context.WithTimeout(c.Request().Context(), transferTime)
	c.SetRequest(c.Request().WithContext(ctx))
	return cancel
}

// caseDocuments is the case page's section of answer documents.
type caseDocuments struct {
	Tr        tr
	CSRF      string
	Reference string
	// Upload is where the upload form posts, with the CSRF token in the
	// query so that checking it does not parse the 200 MB body.
	Upload string
	// ByPost: the requester has no e-mail address; the documents go by
	// post, printed.
	ByPost    bool
	Documents []documentLine
	Unsent    int
	Error     string // the upload's or the sending's problem
	Open      bool   // the case is not completed
}

// documentLine is one document as staff see it.
type documentLine struct {
	delivery.Document
	Size      string
	Uploaded  string
	Sent      string
	Destroy   string
	Destroyed string
	Downloads []string
}

// caseDocumentsOf builds the section for case k; problem is a message of
// the last upload or sending, if it failed.
func (s *Server) caseDocumentsOf(ctx context.Context, b base, k casework.Case, loc *time.Location, problem string) (*caseDocuments, error) {
	docs, err := s.Delivery.Documents(ctx, k)
	if err != nil {
		return nil, err
	}
	sec := &caseDocuments{Tr: b.Tr, CSRF: b.CSRF, Reference: k.Reference, ByPost: k.ByPost(), Error: problem,
		Upload: "/staff/cases/" + url.PathEscape(k.Reference) + "/documents?_csrf=" + url.QueryEscape(b.CSRF),
		Open:   k.Status != casework.Completed}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return b.Tr.DateTime(t, loc)
	}
	for _, d := range docs {
		l := documentLine{Document: d, Size: sizeText(d.Size), Uploaded: at(d.UploadedAt), Sent: at(d.SentAt),
			Destroy: at(d.DestroyAfter), Destroyed: at(d.DestroyedAt)}
		for _, dl := range d.Downloads {
			who := dl.By
			if who == "" {
				who = b.Tr.T("documents.by_requester")
			}
			l.Downloads = append(l.Downloads, at(dl.At)+" · "+who)
		}
		if !d.Sent() && !d.Destroyed() {
			sec.Unsent++
		}
		sec.Documents = append(sec.Documents, l)
	}
	return sec, nil
}

// sizeText writes a size in bytes the way people read it (kB, MB).
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// documentUpload keeps an answer document with the case. The form is
// multipart and is read part by part: the file streams through the content
// check into encrypted storage and is never buffered whole. A file of the
// wrong type comes back on the case page next to the field (422); one over
// 200 MB gets 413.
func (s *Server) documentUpload(c echo.Context) error {
	defer longTransfer(c)()
	ref := c.Param("ref")
	// The case first: another branch learns nothing, and no body is read
	// for a case out of scope.
	k, err := s.Cases.Case(c.Request().Context(), actorOf(c), ref)
	if err != nil {
		return err
	}
	part, err := filePart(c)
	if err != nil {
		return err
	}
	if part == nil {
		return s.renderCase(c, http.StatusUnprocessableEntity, "documents", map[string]string{"file": "documents.file_missing"}, nil)
	}
	_, err = s.Delivery.Upload(c.Request().Context(), actorOf(c), k, part.FileName(), part)
	if err == nil {
		s.setFlash(c, "documents.flash_uploaded")
		return c.Redirect(http.StatusSeeOther, "/staff/cases/"+url.PathEscape(ref)+"#h-documents")
	}
	var ae *apperr.Error
	switch {
	case apperr.CodeOf(err) == apperr.Invalid && errors.As(err, &ae):
		return s.renderCase(c, http.StatusUnprocessableEntity, "documents", map[string]string{"file": ae.Message}, nil)
	case errors.As(err, &ae):
		return err
	}
	return tooLargeOr(err)
}

// documentRemove deletes a document not yet sent.
func (s *Server) documentRemove(c echo.Context) error {
	ref := c.Param("ref")
	if err := s.Delivery.Remove(c.Request().Context(), actorOf(c), ref, c.Param("id")); err != nil {
		return err
	}
	s.setFlash(c, "documents.flash_removed")
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+url.PathEscape(ref)+"#h-documents")
}

// documentsSend sends the documents to the requester: a mail without
// content pointing to the tracking page, or, for a case by post, no mail
// (the page then lists them to print).
func (s *Server) documentsSend(c echo.Context) error {
	ref := c.Param("ref")
	k, err := s.Delivery.Send(c.Request().Context(), actorOf(c), ref)
	if err != nil && apperr.CodeOf(err) == apperr.Conflict {
		return s.renderCase(c, http.StatusConflict, "documents", map[string]string{"form": apperr.As(err).Message}, nil)
	}
	if err != nil {
		return err
	}
	s.notifyMail()
	if k.ByPost() {
		s.setFlash(c, "documents.flash_sent_post")
	} else {
		s.setFlash(c, "documents.flash_sent")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+url.PathEscape(ref)+"#h-documents")
}

// documentDownload serves a document to staff (to check it, or to print
// it for a case by post), as every stored file: only as a download.
func (s *Server) documentDownload(c echo.Context) error {
	defer longTransfer(c)()
	ref := c.Param("ref")
	return s.attachment(c, func(start func(kind, name string, size int64)) error {
		return s.Delivery.StaffDownload(c.Request().Context(), actorOf(c), ref, c.Param("id"), func(d delivery.Document) {
			start(d.Kind, documentName(ref, d), d.Size)
		}, c.Response())
	})
}

// documentName is the server-made name a document downloads under (the
// extension follows from its kind).
func documentName(ref string, d delivery.Document) string {
	return ref + "-document-" + d.ID[:8]
}
