// Package metrics is what the portal tells Prometheus: requests and their
// latency per route template, background job runs, mail sends (counted as
// they happen), and what the database holds — open and overdue cases, the
// outbox queue, breaches whose notification decision is open — read once
// per scrape from a Source. It knows neither echo nor gorm: the web layer
// reports requests with Request, the store implements Source.
//
// No label ever holds a path, a token, an id, an address or any other value
// a visitor chooses: routes are the route table's templates, methods are
// the standard ones or "other".
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
)

// Gauges is what the database holds at one moment, as Source reads it.
type Gauges struct {
	// OpenCases counts the cases not completed, by status; every open
	// status is present, zero or not.
	OpenCases map[string]int64
	// OverdueCases counts the open cases past their due date (not decided,
	// not paused), on the practice's calendar day.
	OverdueCases int64
	// QueuedMails counts the mails not sent yet; FailingMails those of them
	// whose last attempt failed (they are retried, never given up).
	QueuedMails, FailingMails int64
	// OldestQueued is when the oldest unsent mail was queued; zero when
	// nothing waits.
	OldestQueued time.Time
	// OpenBreaches counts the breaches whose AP notification decision is
	// open (breach.Breach.DecisionOpen); LateBreaches those of them past
	// the 72 hours.
	OpenBreaches, LateBreaches int64
}

// Source reads the Gauges; the store implements it. It is called once per
// scrape, so it must be cheap: maintained counts and indexed counts only.
type Source interface {
	MetricsGauges(ctx context.Context, now time.Time) (Gauges, error)
}

// sourceTimeout bounds one scrape's read of the database, below Prometheus'
// default scrape timeout of 10 seconds.
const sourceTimeout = 5 * time.Second

// Metrics holds the portal's metrics in a registry of its own (no global
// default registry). It is safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	handler  http.Handler
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobRuns  *prometheus.CounterVec
	jobFails *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	sends    *prometheus.CounterVec
}

// New returns the metrics, reading the database gauges from src at every
// scrape, with now from clk. Read errors are logged to log and reported in
// promhttp_metric_handler_errors_total; the other metrics are still served.
func New(src Source, clk clock.Clock, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avgloket_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status class.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "avgloket_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avgloket_job_runs_total",
			Help: "Background job runs, by job.",
		}, []string{"job"}),
		jobFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avgloket_job_errors_total",
			Help: "Background job runs that ended in an error, by job.",
		}, []string{"job"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "avgloket_job_duration_seconds",
			Help:    "How long a background job run took, by job.",
			Buckets: []float64{.01, .05, .25, 1, 5, 30, 120, 600},
		}, []string{"job"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avgloket_mail_sends_total",
			Help: "Attempts to hand a mail to the SMTP server, by result (sent, failed).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.jobRuns, m.jobFails, m.jobTime, m.sends,
		newStoreCollector(src, clk, log),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
	return m
}

// Handler serves the metrics in Prometheus' text (or negotiated) format.
// It does no access control: the caller puts it behind a token or on a
// listener of its own.
func (m *Metrics) Handler() http.Handler { return m.handler }

// methods are the request methods that get a label of their own; any other
// is "other", so that a client cannot add series by inventing methods.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Request records an answered request: route is the route's template as
// registered (/volg/:token, never the path), status the answer's status.
func (m *Metrics) Request(method, route string, status int, took time.Duration) {
	if !slices.Contains(methods, method) {
		method = "other"
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, statusClass(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(took.Seconds())
}

// statusClass is "2xx" for 200–299 and so on; "other" outside 100–599.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// JobRan records one run of background job job that took took and ended
// with err (nil: success).
func (m *Metrics) JobRan(job string, took time.Duration, err error) {
	m.jobRuns.WithLabelValues(job).Inc()
	m.jobTime.WithLabelValues(job).Observe(took.Seconds())
	if err != nil {
		m.jobFails.WithLabelValues(job).Inc()
	}
}

// Senders wraps the outbox worker's senders so that every attempt to send
// a mail is counted, sent or failed.
func (m *Metrics) Senders(f mail.SenderFunc) mail.SenderFunc {
	return func(ctx context.Context) (mail.Sender, error) {
		s, err := f(ctx)
		if err != nil {
			return nil, err
		}
		return countedSender{s, m.sends}, nil
	}
}

type countedSender struct {
	mail.Sender
	sends *prometheus.CounterVec
}

func (c countedSender) Send(ctx context.Context, msg mail.Message) error {
	err := c.Sender.Send(ctx, msg)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err // stopped before it started: the worker counts no attempt either
	}
	result := "sent"
	if err != nil {
		result = "failed"
	}
	c.sends.WithLabelValues(result).Inc()
	return err
}
