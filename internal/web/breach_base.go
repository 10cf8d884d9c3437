package web

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// breachActorOf is the signed-in staff member (or API caller) as the breach
// register sees them.
func breachActorOf(c echo.Context) breach.Actor {
	m := memberOf(c)
	api, _ := c.Get(keyAPI).(bool)
	sc := m.Scope()
	return breach.Actor{ID: m.ID, Name: m.Name, Email: m.Email, Owner: m.Role == staff.Owner,
		Scope: breach.Scope{All: sc.All, Branches: sc.Branches}, Address: c.RealIP(), API: api}
}

// breachBanner is the banner on every staff page while a breach in the
// member's scope waits for the decision on notifying the authority: the most
// urgent one with its time left, and how many more wait. Once the decision
// is recorded it is gone.
type breachBanner struct {
	Heading, Text, Link, URL string
	Late                     bool
}

// breachBanner reads the open decisions in one query; on an error the page
// goes without the banner rather than failing.
func (s *Server) breachBanner(c echo.Context, t tr) *breachBanner {
	if s.Breaches == nil {
		return nil
	}
	open, err := s.Breaches.Open(c.Request().Context(), breachActorOf(c))
	if err != nil {
		s.Log.Error("breach banner", "err", err)
		return nil
	}
	if open.Count == 0 {
		return nil
	}
	l := t.Lang
	loc := s.location(c)
	left, late := s.countdown(l, s.Clock.Now(), open.Deadline())
	b := &breachBanner{Late: late, URL: "/staff/breaches/" + open.Reference,
		Heading: t.T("breach.banner.heading", "Reference", open.Reference),
		Text:    t.T("breach.banner.text", "Left", left, "Deadline", lang.DateTime(l, open.Deadline(), loc)),
		Link:    t.T("breach.banner.link")}
	if open.Count > 1 {
		b.Text += " " + s.Catalog.N(l, "breach.banner.more", open.Count-1, nil)
	}
	return b
}

// location is the practice's time zone.
func (s *Server) location(c echo.Context) *time.Location {
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return time.UTC
	}
	return settings.Location()
}

// countdown says in words how long until deadline, in clock hours and
// minutes (the 72 hours of art. 33 are clock hours), or how long it is past.
func (s *Server) countdown(l lang.Code, now, deadline time.Time) (string, bool) {
	left := breach.Remaining(now, deadline)
	late := left < 0
	if late {
		left = -left
	}
	left = left.Truncate(time.Minute)
	data := map[string]any{"Hours": int(left / time.Hour), "Minutes": int(left % time.Hour / time.Minute)}
	if late {
		return s.Catalog.T(l, "breach.overdue", data), true
	}
	return s.Catalog.T(l, "breach.left", data), false
}

// maxFormText caps a text typed into a breach form before it is shown again:
// long enough that the length check still sees a text that is too long.
const maxFormText = breach.MaxText + 1000

// cleanText trims a typed text and caps it at maxFormText characters,
// without splitting a character.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxFormText {
		s = string([]rune(s)[:maxFormText])
	}
	return s
}

// localTime reads a day (yyyy-mm-dd) and a time of day (hh:mm, optional:
// the start of the day) in loc. ok is false when either is malformed.
func localTime(day, clock string, loc *time.Location) (time.Time, bool) {
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}, false
	}
	if clock == "" {
		return d, true
	}
	hm, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hm.Hour(), hm.Minute(), 0, 0, loc), true
}

// dayAndTime writes t in loc as the day and time fields of a form.
func dayAndTime(t *time.Time, loc *time.Location) (string, string) {
	if t == nil || t.IsZero() {
		return "", ""
	}
	l := t.In(loc)
	return l.Format("2006-01-02"), l.Format("15:04")
}
