package store

import (
	"context"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/metrics"
)

var _ metrics.Source = (*Store)(nil)

// metricsScalars is one statement of scalar sub-queries, so that the
// numbers are read together: the overdue cases from the maintained
// case_due_counts (migration 0035), the outbox's unsent and failing mails
// through its index on sent_at, and the breaches whose decision is open
// (openCondition), all and past the 72 hours (ap_deadline). Plain SQL that
// SQLite and PostgreSQL share.
const metricsScalars = `SELECT
	(SELECT COALESCE(SUM(n), 0) FROM case_due_counts WHERE due_on < ?) AS overdue_cases,
	(SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL) AS queued_mails,
	(SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0) AS failing_mails,
	(SELECT COUNT(*) FROM breaches WHERE ` + openCondition + `) AS open_breaches,
	(SELECT COUNT(*) FROM breaches WHERE ` + openCondition + ` AND breaches.ap_deadline < ?) AS late_breaches`

// MetricsGauges implements metrics.Source: three reads that touch counts
// and indexes, not the cases themselves, whatever their number. A case is
// overdue from the day after its due date in the practice's time zone, as
// in the queue (casework.Service.Counts).
func (s *Store) MetricsGauges(ctx context.Context, now time.Time) (metrics.Gauges, error) {
	settings, err := s.Settings(ctx)
	if err != nil {
		return metrics.Gauges{}, err
	}
	today := deadline.DateOf(now, settings.Location())
	var g metrics.Gauges
	if err := s.db.WithContext(ctx).Raw(metricsScalars, today.String(), now.UTC()).
		Row().Scan(&g.OverdueCases, &g.QueuedMails, &g.FailingMails, &g.OpenBreaches, &g.LateBreaches); err != nil {
		return metrics.Gauges{}, internal(err, "read metrics")
	}

	var byStatus []struct {
		Status string
		N      int64
	}
	if err := s.db.WithContext(ctx).Table("case_counts").Select("status, COALESCE(SUM(n), 0) AS n").
		Group("status").Scan(&byStatus).Error; err != nil {
		return metrics.Gauges{}, internal(err, "read case counts")
	}
	g.OpenCases = map[string]int64{}
	for _, st := range casework.Statuses {
		if st != casework.Completed {
			g.OpenCases[string(st)] = 0
		}
	}
	for _, r := range byStatus {
		g.OpenCases[r.Status] = r.N
	}

	var oldest []outboxRow
	if err := s.db.WithContext(ctx).Select("created_at").Where("sent_at IS NULL").
		Order("created_at").Limit(1).Find(&oldest).Error; err != nil {
		return metrics.Gauges{}, internal(err, "read outbox")
	}
	if len(oldest) == 1 {
		g.OldestQueued = oldest[0].CreatedAt
	}
	return g, nil
}
