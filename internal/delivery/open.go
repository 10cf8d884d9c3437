package delivery

import (
	"context"
	"io"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/practice"
)

// Open writes document id of case caseID to w for a download the caller
// checked and audited itself (a portability export's own link for another
// organisation, AVG art. 20(2)). It is NotFound when the case has no such
// document or it was destroyed. start is called before the first byte; on
// a tampered file it fails after writing part: callers must abort the
// response.
func (s *Service) Open(ctx context.Context, caseID int64, id string, start func(Document), w io.Writer) error {
	docs, err := s.c.Store.Documents(ctx, caseID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.ID != id || d.Destroyed() {
			continue
		}
		start(d)
		_, err = s.c.Files.Open(ctx, d.ID, w, s.c.AAD(d.ID))
		return err
	}
	return apperr.New(apperr.NotFound, "error.not_found")
}

// KeepFor is how long a document is kept once it is sent under the
// practice's settings st; an export's link to another organisation works
// as long.
func KeepFor(st practice.Settings) time.Duration { return keepFor(st) }
