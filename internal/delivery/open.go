package delivery

import (
	"context"
	"io"

	"github.com/avgloket/avgloket/internal/apperr"
)

// Open writes document id of case caseID to w for a download the caller
// checked and audited itself (a portability export's own link for another
// organisation, AVG art. 20(2)). It is NotFound when the case has no such
// document or it was destroyed. start is called before the first byte; on
// a tampered file it fails after writing part: callers must abort the
// response.
func (s *Service) Open(ctx context.Context, caseID int64, id string, start func(Document), w io.Writer) error {
	d, err := s.document(ctx, caseID, id)
	if err != nil {
		return err
	}
	if d.Destroyed() {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	start(d)
	_, err = s.c.Files.Open(ctx, d.ID, w, s.c.AAD(d.ID))
	return err
}
