package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/jobs"
)

// Leases are the background jobs' leases (table job_leases), through which
// the portals sharing this database run each job once.
type Leases struct{ *DB }

var _ jobs.Leases = (*Leases)(nil)

type leaseRow struct {
	Name      string `gorm:"primaryKey"`
	Holder    string
	ExpiresAt time.Time
	StartedAt *time.Time
	EndedAt   *time.Time
	LastError string
}

func (leaseRow) TableName() string { return "job_leases" }

// TakeLease implements jobs.Leases. The UPDATE re-checks the expiry in its
// own WHERE, so of two portals that try at once the second finds the row
// already taken (SQLite: the writes are serialised; PostgreSQL, READ
// COMMITTED: the second UPDATE waits for the first's row lock and then
// evaluates its WHERE again on the new row) and changes nothing. A job new
// to the database gets its row by an INSERT that does nothing when another
// portal inserted it first.
//
// The holder's own lease counts as taken like anyone's: after a run it is
// given back with the time the job is due next, so a portal that looks again
// before then must not run the job early, and during a run the portal does
// not look (its runner runs one job at a time).
func (s *Leases) TakeLease(ctx context.Context, job, holder string, now, until time.Time) (bool, error) {
	started := dbTime(now)
	var taken bool
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&leaseRow{}).Where("name = ? AND expires_at <= ?", job, now.UTC()).
			Updates(map[string]any{"holder": holder, "expires_at": dbTime(until), "started_at": started})
		if res.Error != nil || res.RowsAffected == 1 {
			taken = res.RowsAffected == 1
			return res.Error
		}
		res = tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&leaseRow{Name: job, Holder: holder, ExpiresAt: dbTime(until), StartedAt: &started})
		taken = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, internal(err, "take job lease")
	}
	return taken, nil
}

// FinishLease implements jobs.Leases.
func (s *Leases) FinishLease(ctx context.Context, job, holder string, ended time.Time, lastErr string, next time.Time) (bool, error) {
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&leaseRow{}).Where("name = ? AND holder = ?", job, holder).
			Updates(map[string]any{"holder": "", "expires_at": dbTime(next), "ended_at": dbTime(ended), "last_error": lastErr})
	})
	if res.Error != nil {
		return false, internal(res.Error, "finish job lease")
	}
	return res.RowsAffected == 1, nil
}

// dbTime is t as the database keeps it: in UTC, to the microsecond (all
// PostgreSQL keeps), so that a time written and looked for again is the
// same on both databases. Times that are only compared stay as they are.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
