package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
)

// outboxPageSize is how many mails the outbox page lists at a time.
const outboxPageSize = 50

// outboxPage is the owners' view of the outbox: what each mail is and how
// its delivery goes, never to whom or what it says.
type outboxPage struct {
	base
	Rows       []outboxLine
	Total      int64
	Page       int // from 1
	Pages      int
	Prev, Next string // links to the neighbouring pages; "" at either end
	NoServer   bool   // no SMTP server is configured: nothing goes out
}

// outboxLine is one mail on the outbox page.
type outboxLine struct {
	ID        int64
	Kind      string // in words
	Ref       string
	RefURL    string
	Created   string
	Attempts  int
	LastError string
	Next      string // when it is tried again; "" once sent
	Status    mail.Status
	StatusTxt string
	Retry     bool // may be tried again now
}

func (s *Server) outbox(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	entries, total, err := s.Store.OutboxEntries(ctx, (page-1)*outboxPageSize, outboxPageSize)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "outbox.title", "outbox")
	loc := s.location(c)
	p := outboxPage{base: b, Total: total, Page: page, Pages: int((total + outboxPageSize - 1) / outboxPageSize)}
	if _, ok, err := s.Mail.Current(ctx); err == nil && !ok {
		p.NoServer = true
	}
	if page > 1 {
		p.Prev = "/staff/outbox?page=" + strconv.Itoa(page-1)
	}
	if page < p.Pages {
		p.Next = "/staff/outbox?page=" + strconv.Itoa(page+1)
	}
	for _, e := range entries {
		kind := string(e.Kind)
		if kind == "" {
			kind = "other"
		}
		l := outboxLine{ID: e.ID, Kind: b.Tr.T("outbox.kind." + kind), Ref: e.Ref, Created: b.Tr.DateTime(e.CreatedAt, loc),
			Attempts: e.Attempts, LastError: e.LastError, Status: e.Status(), StatusTxt: b.Tr.T("outbox.status." + string(e.Status()))}
		if e.Ref != "" {
			l.RefURL = "/staff/cases/" + e.Ref
			if e.Breach() {
				l.RefURL = "/staff/breaches/" + e.Ref
			}
		}
		if e.Status() != mail.StatusSent {
			l.Next, l.Retry = b.Tr.DateTime(e.NextAttempt, loc), true
		}
		p.Rows = append(p.Rows, l)
	}
	return s.render(c, http.StatusOK, "staff_outbox", p)
}

// outboxRetry makes an unsent mail due now and wakes the worker.
func (s *Server) outboxRetry(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if err := s.Store.RetryMailNow(c.Request().Context(), id, who); err != nil {
		return err
	}
	if s.MailQueued != nil {
		s.MailQueued()
	}
	s.setFlash(c, "flash.outbox_retry")
	back := "/staff/outbox"
	if page, err := strconv.Atoi(c.FormValue("page")); err == nil && page > 1 {
		back += "?page=" + strconv.Itoa(page)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// mailBanner tells owners that mails wait because no SMTP server is
// configured.
type mailBanner struct {
	Text, Settings, Outbox string // the message and the two links' words
}

// mailBanner returns the banner for an owner while mails wait and no server
// is configured; nil otherwise (and for officers).
func (s *Server) mailBanner(c echo.Context, t tr, owner bool) *mailBanner {
	if !owner {
		return nil
	}
	ctx := c.Request().Context()
	_, ok, err := s.Mail.Current(ctx)
	if err != nil || ok {
		return nil
	}
	n, err := s.Store.WaitingMails(ctx)
	if err != nil {
		s.Log.Error("mail banner", "err", err)
		return nil
	}
	if n == 0 {
		return nil
	}
	return &mailBanner{Text: s.Catalog.N(t.Lang, "outbox.banner", int(n), nil), Settings: t.T("outbox.banner_link"),
		Outbox: t.T("outbox.banner_outbox")}
}
