package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/audit"
)

// auditPage is the owners' view of the audit trail, newest first.
type auditPage struct {
	base
	AuditRows []auditRow
	Older     string
	Verdict   string
	Broken    bool
}

type auditRow struct {
	audit.Entry
	When string
}

const auditPageSize = 100

func (s *Server) auditTrail(c echo.Context) error {
	ctx := c.Request().Context()
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	entries, err := s.Store.AuditEntriesBefore(ctx, c.QueryParam("object"), before, auditPageSize)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	// Looking at the trail is itself recorded.
	if err := s.record(c, audit.AuditView, "", ""); err != nil {
		return err
	}
	b := s.staffBase(c, "audit.title", "audit")
	p := auditPage{base: b}
	for _, e := range entries {
		p.AuditRows = append(p.AuditRows, auditRow{Entry: e, When: b.Tr.DateTime(e.At, settings.Location())})
	}
	if len(entries) == auditPageSize {
		p.Older = "/staff/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return s.render(c, http.StatusOK, "staff_audit", p)
}

func (s *Server) auditVerify(c echo.Context) error {
	brk, n, err := s.Store.VerifyAudit(c.Request().Context())
	if err != nil {
		return err
	}
	if err := s.record(c, audit.AuditVerify, "", ""); err != nil {
		return err
	}
	b := s.staffBase(c, "audit.title", "audit")
	p := auditPage{base: b, Verdict: b.Tr.T("audit.intact", "Count", n)}
	if brk != nil {
		p.Broken = true
		p.Verdict = b.Tr.T("audit.broken", "ID", brk.ID, "Reason", brk.Reason)
	}
	return s.render(c, http.StatusOK, "staff_audit", p)
}
