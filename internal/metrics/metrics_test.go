package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/metrics"
	"github.com/avgloket/avgloket/internal/metrics/metricstest"
)

// source is a Source that answers what it is given and counts its reads.
type source struct {
	g     metrics.Gauges
	err   error
	reads int
}

func (s *source) MetricsGauges(ctx context.Context, now time.Time) (metrics.Gauges, error) {
	s.reads++
	return s.g, s.err
}

var start = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// scrape gets the handler's answer and parses it.
func scrape(tb testing.TB, m *metrics.Metrics) metricstest.Scrape {
	tb.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("scrape: status %d\n%s", rec.Code, rec.Body)
	}
	return metricstest.Parse(tb, rec.Body)
}

func want(tb testing.TB, s metricstest.Scrape, value float64, name string, labels ...string) {
	tb.Helper()
	got, ok := s.Value(name, labels...)
	if !ok {
		tb.Errorf("%s%v: no such series", name, labels)
	} else if got != value {
		tb.Errorf("%s%v = %v, want %v", name, labels, got, value)
	}
}

func TestRequestsByRouteTemplate(t *testing.T) {
	m := metrics.New(&source{}, clock.NewFake(start), slog.New(slog.DiscardHandler))
	m.Request("GET", "/volg/:token", 200, 20*time.Millisecond)
	m.Request("GET", "/volg/:token", 404, time.Millisecond)
	m.Request("POST", "/verzoek/:type", 303, time.Second)
	// Methods a client makes up share one label; so do requests no route
	// matched.
	m.Request("BREW", "/verzoek/:type", 405, time.Millisecond)
	m.Request("PROPFIND", "", 404, time.Millisecond)
	m.Request("GET", "/healthz", 0, time.Millisecond)

	s := scrape(t, m)
	want(t, s, 1, "avgloket_http_requests_total", "method", "GET", "route", "/volg/:token", "status", "2xx")
	want(t, s, 1, "avgloket_http_requests_total", "method", "GET", "route", "/volg/:token", "status", "4xx")
	want(t, s, 1, "avgloket_http_requests_total", "method", "POST", "route", "/verzoek/:type", "status", "3xx")
	want(t, s, 1, "avgloket_http_requests_total", "method", "other", "route", "/verzoek/:type", "status", "4xx")
	want(t, s, 1, "avgloket_http_requests_total", "method", "other", "route", "unmatched", "status", "4xx")
	want(t, s, 1, "avgloket_http_requests_total", "route", "/healthz", "status", "other")
	want(t, s, 2, "avgloket_http_request_duration_seconds", "method", "GET", "route", "/volg/:token")
	if got := s.LabelValues("avgloket_http_requests_total", "method"); strings.Join(got, ",") != "GET,POST,other" {
		t.Errorf("methods %v", got)
	}
}

func TestJobRuns(t *testing.T) {
	m := metrics.New(&source{}, clock.NewFake(start), slog.New(slog.DiscardHandler))
	m.JobRan("reminders", time.Second, nil)
	m.JobRan("reminders", time.Second, errors.New("database is locked"))
	m.JobRan("retention", time.Minute, nil)
	s := scrape(t, m)
	want(t, s, 2, "avgloket_job_runs_total", "job", "reminders")
	want(t, s, 1, "avgloket_job_errors_total", "job", "reminders")
	want(t, s, 1, "avgloket_job_runs_total", "job", "retention")
	want(t, s, 2, "avgloket_job_duration_seconds", "job", "reminders")
	if _, ok := s.Value("avgloket_job_errors_total", "job", "retention"); ok {
		t.Errorf("retention has an error series without an error")
	}
}

// sender fails the mails to fail@ and is stopped by a cancelled context.
type sender struct{}

func (sender) Send(ctx context.Context, m mail.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.HasPrefix(m.To, "fail@") {
		return errors.New("550 mailbox unavailable")
	}
	return nil
}

func TestMailSends(t *testing.T) {
	m := metrics.New(&source{}, clock.NewFake(start), slog.New(slog.DiscardHandler))
	senders := m.Senders(mail.Always(sender{}))
	s, err := senders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"a@example.nl", "b@example.nl", "fail@example.nl"} {
		_ = s.Send(t.Context(), mail.Message{To: to})
	}
	// A send stopped before it started is no attempt (mail.Worker).
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Send(cancelled, mail.Message{To: "c@example.nl"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled send: %v", err)
	}
	// Without a server nothing is sent, and the error passes unchanged.
	none := m.Senders(func(context.Context) (mail.Sender, error) { return nil, mail.ErrNoServer })
	if _, err := none(t.Context()); !errors.Is(err, mail.ErrNoServer) {
		t.Errorf("no server: %v", err)
	}
	sc := scrape(t, m)
	want(t, sc, 2, "avgloket_mail_sends_total", "result", "sent")
	want(t, sc, 1, "avgloket_mail_sends_total", "result", "failed")
}

func TestDatabaseGaugesAtScrape(t *testing.T) {
	clk := clock.NewFake(start)
	src := &source{g: metrics.Gauges{
		OpenCases:    map[string]int64{"received": 4, "awaiting_identity": 1, "in_progress": 0},
		OverdueCases: 2, QueuedMails: 3, FailingMails: 1, OldestQueued: start.Add(-90 * time.Second),
		OpenBreaches: 2, LateBreaches: 1,
	}}
	m := metrics.New(src, clk, slog.New(slog.DiscardHandler))
	if src.reads != 0 {
		t.Fatalf("the source was read %d times before any scrape", src.reads)
	}
	s := scrape(t, m)
	if src.reads != 1 {
		t.Errorf("one scrape read the source %d times, want once", src.reads)
	}
	want(t, s, 4, "avgloket_cases_open", "status", "received")
	want(t, s, 1, "avgloket_cases_open", "status", "awaiting_identity")
	want(t, s, 0, "avgloket_cases_open", "status", "in_progress")
	want(t, s, 2, "avgloket_cases_overdue")
	want(t, s, 3, "avgloket_outbox_queued")
	want(t, s, 90, "avgloket_outbox_oldest_queued_age_seconds")
	want(t, s, 1, "avgloket_outbox_failed")
	want(t, s, 2, "avgloket_breaches_decision_open")
	want(t, s, 1, "avgloket_breaches_decision_open_late")

	// Nothing queued: the age is 0, not the time since the epoch.
	src.g.OldestQueued, src.g.QueuedMails = time.Time{}, 0
	want(t, scrape(t, m), 0, "avgloket_outbox_oldest_queued_age_seconds")
}

// A database that cannot be read leaves its gauges out, counts the error,
// and still serves the rest.
func TestDatabaseReadFails(t *testing.T) {
	var logged strings.Builder
	src := &source{err: errors.New("database is locked")}
	m := metrics.New(src, clock.NewFake(start), slog.New(slog.NewTextHandler(&logged, nil)))
	m.Request("GET", "/healthz", 200, time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	s := metricstest.Parse(t, strings.NewReader(string(body)))
	want(t, s, 1, "avgloket_http_requests_total", "route", "/healthz")
	if _, ok := s.Value("avgloket_cases_open"); ok {
		t.Errorf("cases served without a database read")
	}
	// The handler counts an error after the scrape it happened in.
	want(t, scrape(t, m), 1, "promhttp_metric_handler_errors_total", "cause", "gathering")
	if !strings.Contains(logged.String(), "database is locked") {
		t.Errorf("the read error was not logged: %s", logged.String())
	}
}
