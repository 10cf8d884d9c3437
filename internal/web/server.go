// Package web is avgloket's HTTP side: the public request form, the
// tracking page, the first-run setup, and the JSON API. Handlers are thin:
// they decode, call a domain service, and render. Every route is in
// routes.go; every error becomes an HTTP status in errors.go.
package web

import (
	"context"
	"fmt"
	"github.com/avgloket/avgloket/internal/delivery"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/answer"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/metrics"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/textpdf"
	"github.com/avgloket/avgloket/ui"
)

// Store is what the web layer reads and writes directly; case work goes
// through casework.Service.
type Store interface {
	Ping(ctx context.Context) error
	// /readyz: no migration left to apply, and the key ring opens the
	// database's check value.
	MigrationsPending(ctx context.Context) (bool, error)
	CheckKey(ctx context.Context) error
	Settings(ctx context.Context) (practice.Settings, error)
	Branches(ctx context.Context) ([]practice.Branch, error)
	SetupTokenValid(ctx context.Context, hash string, now time.Time) (bool, error)
	CompleteSetup(ctx context.Context, hash string, p practice.Settings, smtp mail.Settings, owner staff.NewMember, now time.Time) (staff.Member, error)
	MemberByAPIToken(ctx context.Context, hash string, now time.Time) (staff.Member, error)

	// Staff accounts and the team.
	AccountByID(ctx context.Context, staffID int64) (auth.Account, error)
	Members(ctx context.Context) ([]staff.Member, error)
	Invite(ctx context.Context, m staff.NewMember, linkHash string, expires time.Time, who audit.Entry,
		compose func(staff.Member) (mail.Message, error)) (staff.Member, error)
	InvitedMember(ctx context.Context, hash string, now time.Time) (staff.Member, error)
	AcceptInvite(ctx context.Context, hash, passwordHash string, now time.Time, address string) error
	DisableMember(ctx context.Context, staffID int64, who audit.Entry) error
	ResetSecondFactor(ctx context.Context, staffID int64, who audit.Entry) error
	AddBranchAudited(ctx context.Context, b practice.Branch, who audit.Entry) (practice.Branch, error)
	RecoveryCodesLeft(ctx context.Context, staffID int64) (int, error)
	SaveSettingsAudited(ctx context.Context, p practice.Settings, who audit.Entry) error

	// API tokens on the member's own page.
	APITokens(ctx context.Context, staffID int64) ([]staff.APIToken, error)
	CreateAPIToken(ctx context.Context, staffID int64, hash, label string, who audit.Entry) (int64, error)
	RevokeOwnAPIToken(ctx context.Context, staffID, id int64, who audit.Entry) error
	RevokeAllAPITokens(ctx context.Context, staffID int64, who audit.Entry) (int, error)

	// The SMTP server saved on the settings page, and the outbox.
	MailSettings(ctx context.Context) (mail.Settings, error)
	SaveMailSettingsAudited(ctx context.Context, m mail.Settings, who audit.Entry) error
	OutboxEntries(ctx context.Context, offset, limit int) ([]mail.Entry, int64, error)
	RetryMailNow(ctx context.Context, id int64, who audit.Entry) error
	WaitingMails(ctx context.Context) (int64, error)
	// The register of processing activities (register.go).
	registerStore
	// The consent registry (consents.go).
	consentStore
	// The register of marketing stops (objection.go).
	objectionStore
	// The decision letter of a case as it was sent, read after the case
	// itself was read through a scoped or tracking-link read.
	CaseLetter(ctx context.Context, caseID int64) (casework.Letter, bool, error)
	// The answers of a case (case_answers.go).
	answerStore
	// The export links of portability cases (portability.go).
	portabilityStore
	// The art. 19 notices of a case (notices.go).
	noticeStore

	// The accountability report (staff_report.go).
	reportStore

	// The audit trail.
	AppendAudit(ctx context.Context, e audit.Entry) error
	AuditSearch(ctx context.Context, f audit.Filter) (audit.Page, error)
	AuditNames(ctx context.Context, refs []string) (map[string]string, error)
	AuditObject(ctx context.Context, ref string) (string, error)
	VerifyAudit(ctx context.Context) (*audit.Break, int, error)
}

// Letters writes the paper letters of a case by post.
type Letters interface {
	// PostLetter writes the paper letter for event e of case k (the
	// acknowledgement when e is nil), dated on.
	PostLetter(k casework.Case, e *casework.Event, on deadline.Date) (casework.Letter, error)
	// Document sets a letter, written in language c, on paper.
	Document(l casework.Letter, c lang.Code, created time.Time) textpdf.Document
	// RestrictionLifting tells the requester of k, before it is lifted,
	// the day their restriction of processing ends (AVG art. 18(3)).
	RestrictionLifting(k casework.Case, trackingURL string) (mail.Message, error)
	// PortabilityTransfer is the mail with an export's link to another
	// organisation (portability.go).
	PortabilityTransfer(k casework.Case, organisation, address, link string, until time.Time) (mail.Message, error)
}

// Signer makes keyed MACs, for values the server hands the browser and must
// trust when they come back. The vault's blind index serves.
type Signer interface {
	Index(purpose, value string) string
}

// Config is the web layer's configuration.
type Config struct {
	// BaseURL is the portal's public address, e.g. https://avg.example.nl.
	// With https, cookies are Secure and HSTS is sent.
	BaseURL string
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For header is believed. Empty: the connection's address
	// is the client's, whatever headers say.
	TrustedProxies []netip.Prefix
	// RequestsPerMinute limits new requests per client address.
	RequestsPerMinute int
	// MetricsToken opens /metrics to "Authorization: Bearer <token>";
	// empty: /metrics is not found here.
	MetricsToken string
}

// Deps are the services the handlers use.
type Deps struct {
	Store     Store
	Cases     *casework.Service
	Catalog   *lang.Catalog
	Clock     clock.Clock
	Log       *slog.Logger
	Signer    Signer
	Passwords *auth.Policy
	Auth      *auth.Service
	OIDC      *auth.OIDC // nil when no OIDC provider is configured
	Letters   Letters
	Identity  *identity.Service
	// Breaches runs the breach register.
	Breaches *breach.Service
	// Staff manages the staff accounts: invitations.
	Staff *staff.Service
	// Delivery keeps answer documents and hands them to requesters.
	Delivery *delivery.Service
	// MailQueued is called after a change queued e-mail, to wake the
	// outbox worker. May be nil.
	MailQueued func()
	// Mail says which SMTP server mail goes through now: the environment's
	// or the settings page's.
	Mail *mail.Servers
	// Metrics counts requests and serves /metrics; nil: neither.
	Metrics *metrics.Metrics
}

// Server is the HTTP handler of the portal.
type Server struct {
	Deps
	cfg    Config
	secure bool
	echo   *echo.Echo
	pages  *pages
	static *staticFiles
	// answers drafts access statements (case_answers.go).
	answers *answer.Writer
}

// New builds the server: parses templates (failing fast when one is
// missing), hashes the static files and registers every route.
func New(cfg Config, d Deps) (*Server, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http(s)://host", cfg.BaseURL)
	}
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = 30
	}
	s := &Server{Deps: d, cfg: cfg, secure: u.Scheme == "https"}
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.static); err != nil {
		return nil, err
	}
	if s.answers, err = answer.NewWriter(ui.FS); err != nil {
		return nil, err
	}
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s.routes()
	return s, nil
}

// ServeHTTP serves a request. A HEAD request (link checkers, mail scanners)
// is answered like a GET on every route, without a body (RFC 9110 §9.3.2):
// the route table holds GET routes only, and echo routes HEAD to none. The
// GET runs under audit.Unseen, so a HEAD is not recorded as a view or
// export and does not confirm an e-mail address by its tracking link.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodHead {
		s.echo.ServeHTTP(w, r)
		return
	}
	get := r.Clone(audit.Unseen(r.Context()))
	get.Method = http.MethodGet
	s.echo.ServeHTTP(bodiless{w}, get)
}

// bodiless is a ResponseWriter that passes the status and headers on and
// drops the body. The server still knows the request as HEAD, so it adds
// no Content-Length of its own either.
type bodiless struct{ http.ResponseWriter }

func (b bodiless) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the server's writer.
func (b bodiless) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// Routes lists the registered routes as "METHOD path", for tests that must
// cover every one.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) notifyMail() {
	if s.MailQueued != nil {
		s.MailQueued()
	}
}
