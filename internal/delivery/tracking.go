package delivery

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/mail"
)

// Public is what the tracking page shows of a case's documents.
type Public struct {
	// Documents are the documents sent to the requester, destroyed ones
	// included.
	Documents []Document
	// Available reports whether some sent document may still be
	// downloaded; RemovedOn is when the last ones were destroyed, when all
	// are.
	Available bool
	RemovedOn time.Time
	// ByPost: the requester has no e-mail address; the documents come by
	// post.
	ByPost bool
	// Granted: this browser entered a right code and may download.
	Granted bool
	// Pending: a code was sent and may still be entered; LockedUntil is
	// set while wrong tries lock the codes.
	Pending     bool
	LockedUntil time.Time
}

// Tracking returns what the tracking page shows of case k's documents to
// the browser that holds grant ("" for none).
func (s *Service) Tracking(ctx context.Context, k casework.Case, grant string) (Public, error) {
	docs, err := s.c.Store.Documents(ctx, k.ID)
	if err != nil {
		return Public{}, err
	}
	now := s.c.Clock.Now()
	p := Public{ByPost: k.ByPost()}
	for _, d := range docs {
		if !d.Sent() {
			continue
		}
		p.Documents = append(p.Documents, d)
		if d.Destroyed() {
			if d.DestroyedAt.After(p.RemovedOn) {
				p.RemovedOn = d.DestroyedAt
			}
		} else {
			p.Available = true
		}
	}
	if p.Available {
		p.RemovedOn = time.Time{}
	}
	if !p.Available || p.ByPost {
		return p, nil
	}
	codes, err := s.c.Store.Codes(ctx, k.ID)
	if err != nil {
		return Public{}, err
	}
	p.Granted = codes.Granted(grantHash(grant), now)
	p.Pending = codes.Pending(now)
	if codes.Locked(now) {
		p.LockedUntil = codes.LockedUntil
	}
	return p, nil
}

// RequestCode e-mails a new one-time code to the requester of the case
// behind tracking token: only while sent documents are available and the
// requester has an e-mail address, and not while wrong tries lock the
// codes (RateLimited). It replaces any code sent before.
func (s *Service) RequestCode(ctx context.Context, token string) error {
	k, err := s.c.Cases.ByToken(ctx, token)
	if err != nil {
		return err
	}
	if err := s.available(ctx, k); err != nil {
		return err
	}
	code, err := newCode()
	if err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	m, err := s.c.Mails.Code(k, code)
	if err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	now := s.c.Clock.Now()
	return s.c.Store.UpdateCodes(ctx, k.ID, now, func(codes Codes) (Codes, *mail.Message, error) {
		next, err := codes.Issue(s.codeHash(k.ID, code), now)
		if err != nil {
			return codes, nil, err
		}
		return next, &m, nil
	})
}

// EnterCode checks a code the requester entered for the case behind
// tracking token (see Codes.Try). A right code returns the grant: a secret
// for the requester's browser that opens the documents for GrantValidity.
// A code not of six digits is refused without counting as a try.
func (s *Service) EnterCode(ctx context.Context, token, code string) (grant string, err error) {
	k, err := s.c.Cases.ByToken(ctx, token)
	if err != nil {
		return "", err
	}
	if err := s.available(ctx, k); err != nil {
		return "", err
	}
	if !ValidCode(code) {
		return "", apperr.InvalidFields(map[string]string{"code": MsgCodeForm})
	}
	if grant, err = newSecret(); err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	now := s.c.Clock.Now()
	err = s.c.Store.UpdateCodes(ctx, k.ID, now, func(codes Codes) (Codes, *mail.Message, error) {
		next, err := codes.Try(s.codeHash(k.ID, code), grantHash(grant), now)
		return next, nil, err
	})
	if err != nil {
		return "", err
	}
	return grant, nil
}

// Download writes document id of the case behind tracking token to w for
// the browser holding grant, a secret that EnterCode returned for this case
// and that has not expired (otherwise Forbidden with MsgNoGrant: the
// tracking link alone opens no document). Only documents sent and not
// destroyed are served; the download is recorded and audited first, from
// address. start is called before the first byte; on a tampered file it
// fails after writing part: callers must abort the response.
func (s *Service) Download(ctx context.Context, token, grant, address, id string, start func(Document), w io.Writer) error {
	k, err := s.c.Cases.ByToken(ctx, token)
	if err != nil {
		return err
	}
	codes, err := s.c.Store.Codes(ctx, k.ID)
	if err != nil {
		return err
	}
	if !codes.Granted(grantHash(grant), s.c.Clock.Now()) {
		return apperr.New(apperr.Forbidden, MsgNoGrant)
	}
	docs, err := s.c.Store.Documents(ctx, k.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.ID == id && !d.Sent() {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
	}
	a := casework.Actor{Requester: true, Address: address, Scope: casework.Scope{All: true}}
	return s.download(ctx, a, k, id, start, w)
}

// available refuses a code for a case without documents to download, or
// by post.
func (s *Service) available(ctx context.Context, k casework.Case) error {
	if k.ByPost() {
		return apperr.New(apperr.Conflict, "delivery.by_post")
	}
	p, err := s.Tracking(ctx, k, "")
	if err != nil {
		return err
	}
	if !p.Available {
		return apperr.New(apperr.Conflict, "delivery.none_available")
	}
	return nil
}

func (s *Service) codeHash(caseID int64, code string) string {
	return s.c.Hash("delivery-code", strconv.FormatInt(caseID, 10)+":"+code)
}

// grantHash is what the store keeps of a grant: its SHA-256 (a grant is a
// long random secret; "" stays "").
func grantHash(grant string) string {
	if grant == "" {
		return ""
	}
	return casework.HashToken(grant)
}
