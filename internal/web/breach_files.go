package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
)

// breachAttach keeps a file with a breach. The form is multipart and is
// read part by part, so the file streams through the cleaner into encrypted
// storage and is never buffered whole; the CSRF token travels in the query
// so that checking it does not parse the body first. A file of the wrong
// type or size gets the error page (422, 413) and is not kept.
func (s *Server) breachAttach(c echo.Context) error {
	ref := c.Param("ref")
	part, err := filePart(c)
	if err != nil {
		return err
	}
	if part == nil {
		return apperr.InvalidFields(map[string]string{"file": "breach.file_missing"})
	}
	if _, err := s.Breaches.Attach(c.Request().Context(), breachActorOf(c), ref, part); err != nil {
		// The service's own errors stand; a failed read of the body is its
		// limit (413) or a broken upload (400).
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return err
		}
		return tooLargeOr(err)
	}
	s.setFlash(c, "breach.flash.attached")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+ref)
}

// breachFile serves an attachment of a breach, as every stored file: only
// as a download (see attachment).
func (s *Server) breachFile(c echo.Context) error {
	ref := c.Param("ref")
	return s.attachment(c, func(start func(kind, name string, size int64)) error {
		return s.Breaches.Download(c.Request().Context(), breachActorOf(c), ref, c.Param("id"), func(f breach.Attachment) {
			start(f.Kind, ref+"-bijlage-"+f.ID[:8], f.Size)
		}, c.Response())
	})
}
