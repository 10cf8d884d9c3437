package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// staffNav is the navigation of the staff pages: who is signed in, which
// item is current, and how many of their cases need attention.
type staffNav struct {
	Name   string
	Owner  bool
	Active string
	Badge  int // the member's open cases that are overdue or due within a week
	// Breach is the banner of breaches waiting for the AP decision; nil
	// when none is.
	Breach *breachBanner
	// Mail is the owners' banner of mails waiting for an SMTP server; nil
	// when none wait or a server is configured.
	Mail *mailBanner
}

// staffBase is what every staff page's data starts from.
func (s *Server) staffBase(c echo.Context, titleID, active string) base {
	b := s.base(c, titleID)
	m := memberOf(c)
	nav := &staffNav{Name: m.Name, Owner: m.Role == staff.Owner, Active: active}
	if counts, err := s.counts(c); err == nil {
		nav.Badge = counts.MineUrgent
	}
	nav.Breach = s.breachBanner(c, b.Tr)
	nav.Mail = s.mailBanner(c, b.Tr, nav.Owner)
	b.Staff = nav
	return b
}

// counts returns the queue's counts for the signed-in member, once per
// request: the navigation's badge and the queue page both use them.
func (s *Server) counts(c echo.Context) (casework.Counts, error) {
	if k, ok := c.Get(keyCounts).(casework.Counts); ok {
		return k, nil
	}
	k, err := s.Cases.Counts(c.Request().Context(), actorOf(c))
	if err == nil {
		c.Set(keyCounts, k)
	}
	return k, err
}

const keyCounts = "counts"

// actorOf is the signed-in staff member (or API caller) as the case service
// sees them, with the address the audit trail records.
func actorOf(c echo.Context) casework.Actor {
	m := memberOf(c)
	api, _ := c.Get(keyAPI).(bool)
	return casework.Actor{ID: m.ID, Scope: m.Scope(), Address: c.RealIP(), API: api}
}

// ownerOnly lets only owners through; others get 404, as if the page did not
// exist.
func (s *Server) ownerOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if memberOf(c).Role != staff.Owner {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return next(c)
	}
}

const flashCookie = "avg_flash"

// setFlash shows the message id once, on the next page (after a redirect).
// The value is signed so that a crafted cookie cannot put text on a page.
func (s *Server) setFlash(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: id + "|" + s.Signer.Index("flash", id), Path: "/",
		MaxAge: 60, Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (s *Server) popFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Secure: s.secure, HttpOnly: true})
	id, mac, ok := strings.Cut(ck.Value, "|")
	if !ok || s.Signer.Index("flash", id) != mac || !s.Catalog.Has(id) {
		return ""
	}
	return s.Catalog.T(langOf(c), id, nil)
}

// timeLeft says in words how much time a case has: "nog 3 werkdagen",
// "vandaag", "2 dagen te laat".
func (s *Server) timeLeft(l lang.Code, k casework.Case, today deadline.Date, cal deadline.Calendar) (string, bool) {
	switch {
	case k.Status == casework.Completed:
		return "", false
	case k.Answered() && k.DestroyBy.IsZero():
		return "", false
	case k.Answered():
		return s.Catalog.T(l, "left.destroy_by", map[string]any{"Date": lang.Date(l, k.DestroyBy)}), today.After(k.DestroyBy)
	case k.Paused():
		return s.Catalog.T(l, "left.paused", nil), false
	case today.Equal(k.Deadlines.Due):
		return s.Catalog.T(l, "left.today", nil), false
	case today.After(k.Deadlines.Due):
		return s.Catalog.N(l, "left.late", deadline.DaysBetween(k.Deadlines.Due, today), nil), true
	}
	return s.Catalog.N(l, "left.working_days", cal.WorkingDaysBetween(today, k.Deadlines.Due), nil), false
}
