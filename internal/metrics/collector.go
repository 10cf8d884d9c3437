package metrics

import (
	"context"
	"log/slog"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/avgloket/avgloket/internal/clock"
)

// storeCollector turns one Source read per scrape into gauges: nothing
// polls the database between scrapes.
type storeCollector struct {
	src   Source
	clock clock.Clock
	log   *slog.Logger

	openCases, overdueCases             *prometheus.Desc
	queued, oldestAge, failing          *prometheus.Desc
	openBreaches, lateBreaches, readErr *prometheus.Desc
}

func newStoreCollector(src Source, clk clock.Clock, log *slog.Logger) *storeCollector {
	return &storeCollector{src: src, clock: clk, log: log,
		openCases: prometheus.NewDesc("avgloket_cases_open",
			"Cases not completed, by status.", []string{"status"}, nil),
		overdueCases: prometheus.NewDesc("avgloket_cases_overdue",
			"Open cases past their due date (neither decided nor paused).", nil, nil),
		queued: prometheus.NewDesc("avgloket_outbox_queued",
			"Mails in the outbox not sent yet.", nil, nil),
		oldestAge: prometheus.NewDesc("avgloket_outbox_oldest_queued_age_seconds",
			"Age of the oldest mail not sent yet; 0 when none waits.", nil, nil),
		failing: prometheus.NewDesc("avgloket_outbox_failed",
			"Mails not sent yet whose last attempt failed (retried with back-off, never given up).", nil, nil),
		openBreaches: prometheus.NewDesc("avgloket_breaches_decision_open",
			"Breaches whose AP notification decision is open: undecided, or to be notified and not yet submitted.", nil, nil),
		lateBreaches: prometheus.NewDesc("avgloket_breaches_decision_open_late",
			"Breaches whose AP notification decision is open past the 72 hours (AVG art. 33(1)).", nil, nil),
		// Only ever sent as an invalid metric, carrying a failed read.
		readErr: prometheus.NewDesc("avgloket_metrics_database_read",
			"The database read of a scrape.", nil, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.openCases, c.overdueCases, c.queued, c.oldestAge, c.failing,
		c.openBreaches, c.lateBreaches, c.readErr} {
		ch <- d
	}
}

// Collect reads the database once. When the read fails, the scrape carries
// an error for these gauges (logged, and counted by promhttp) instead of
// numbers that would look true.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()
	now := c.clock.Now()
	g, err := c.src.MetricsGauges(ctx, now)
	if err != nil {
		c.log.Error("metrics: read the database", "err", err)
		ch <- prometheus.NewInvalidMetric(c.readErr, err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	statuses := make([]string, 0, len(g.OpenCases))
	for s := range g.OpenCases {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	for _, s := range statuses {
		gauge(c.openCases, float64(g.OpenCases[s]), s)
	}
	gauge(c.overdueCases, float64(g.OverdueCases))
	gauge(c.queued, float64(g.QueuedMails))
	age := 0.0
	if !g.OldestQueued.IsZero() {
		age = max(now.Sub(g.OldestQueued), 0).Seconds()
	}
	gauge(c.oldestAge, age)
	gauge(c.failing, float64(g.FailingMails))
	gauge(c.openBreaches, float64(g.OpenBreaches))
	gauge(c.lateBreaches, float64(g.LateBreaches))
}
