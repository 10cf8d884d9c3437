package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/lang"
)

// grantCookie carries the download grant a right one-time code opens. Its
// path is the tracking link's own, so the browser sends it only there; it
// is HttpOnly and SameSite=Strict, and the server keeps only its hash.
const grantCookie = "avg_documents"

// trackDocuments is the tracking page's section of answer documents.
type trackDocuments struct {
	delivery.Public
	Tr      tr
	CSRF    string
	Base    string // the tracking link's path
	Removed string // the date the documents were removed
	Locked  string // until when codes are locked
	Problem string // what was wrong with the code entered
	Sizes   map[string]string
	Via     string // how to reach the practice
}

// trackDocumentsOf builds the section for case k as the request's browser
// sees it; problem is a message about the code just entered.
func (s *Server) trackDocumentsOf(c echo.Context, b base, k casework.Case, loc *time.Location, problem string) (*trackDocuments, error) {
	token := c.Param("token")
	grant := ""
	if ck, err := c.Cookie(grantCookie); err == nil {
		grant = ck.Value
	}
	p, err := s.Delivery.Tracking(c.Request().Context(), k, grant)
	if err != nil || len(p.Documents) == 0 {
		return nil, err
	}
	sec := &trackDocuments{Public: p, Tr: b.Tr, CSRF: b.CSRF, Base: "/volg/" + url.PathEscape(token), Problem: problem, Sizes: map[string]string{},
		Via: b.Contact.Via}
	if !p.RemovedOn.IsZero() {
		sec.Removed = lang.Date(b.Lang, deadline.DateOf(p.RemovedOn, loc))
	}
	if !p.LockedUntil.IsZero() {
		sec.Locked = b.Tr.DateTime(p.LockedUntil, loc)
	}
	for _, d := range p.Documents {
		sec.Sizes[d.ID] = sizeText(d.Size)
	}
	return sec, nil
}

// trackCodeRequest e-mails the requester a one-time code for the documents.
func (s *Server) trackCodeRequest(c echo.Context) error {
	token := c.Param("token")
	err := s.Delivery.RequestCode(c.Request().Context(), token)
	if err == nil {
		s.notifyMail()
		return c.Redirect(http.StatusSeeOther, "/volg/"+url.PathEscape(token)+"#documents")
	}
	switch apperr.CodeOf(err) {
	case apperr.RateLimited, apperr.Conflict:
		return s.renderTrackDocuments(c, statusOf(apperr.CodeOf(err)), apperr.As(err).Message)
	}
	return err
}

// trackCodeEnter checks the code; a right one sets the grant cookie and
// shows the download links.
func (s *Server) trackCodeEnter(c echo.Context) error {
	token := c.Param("token")
	grant, err := s.Delivery.EnterCode(c.Request().Context(), token, clean(c.FormValue("code")))
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			switch {
			case ae.Fields["code"] != "":
				return s.renderTrackDocuments(c, http.StatusUnprocessableEntity, ae.Fields["code"])
			case ae.Code == apperr.RateLimited || ae.Code == apperr.Conflict:
				return s.renderTrackDocuments(c, statusOf(ae.Code), ae.Message)
			}
		}
		return err
	}
	c.SetCookie(&http.Cookie{Name: grantCookie, Value: grant, Path: "/volg/" + token, MaxAge: int(delivery.GrantValidity.Seconds()),
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return c.Redirect(http.StatusSeeOther, "/volg/"+url.PathEscape(token)+"#documents")
}

// trackDocument serves a document to the requester whose browser holds a
// grant for this case: streamed, decrypted on the way, as a download.
func (s *Server) trackDocument(c echo.Context) error {
	defer longTransfer(c)()
	grant := ""
	if ck, err := c.Cookie(grantCookie); err == nil {
		grant = ck.Value
	}
	return s.attachment(c, func(start func(kind, name string, size int64)) error {
		return s.Delivery.Download(c.Request().Context(), c.Param("token"), grant, c.RealIP(), c.Param("id"), func(d delivery.Document) {
			start(d.Kind, "document-"+d.ID[:8], d.Size)
		}, c.Response())
	})
}

// renderTrackDocuments draws the tracking page with a problem in the
// documents' section.
func (s *Server) renderTrackDocuments(c echo.Context, status int, problem string) error {
	c.Set(keyDocumentsProblem, problem)
	return s.renderTrack(c, status, "")
}

// keyDocumentsProblem holds, for renderTrack, the problem of the code
// just entered or asked for.
const keyDocumentsProblem = "documents_problem"
