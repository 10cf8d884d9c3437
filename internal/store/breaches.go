package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
)

// Breaches is the breach register (migration 0007) with its submissions to
// the authority, letters to the people concerned, reminders, settings and
// attachments.
type Breaches struct{ *DB }

var _ breach.Store = (*Breaches)(nil)

// Machine fields are columns; every text is in body, sealed and bound to the
// breach's reference.

type breachRow struct {
	ID           int64 `gorm:"primaryKey"`
	Reference    string
	BranchID     *int64
	AwareAt      time.Time
	APDeadline   time.Time `gorm:"column:ap_deadline"`
	Kinds        string
	IncidentType string
	Assessment   string
	Band         string
	NotifyAP     *bool `gorm:"column:notify_ap"`
	InformPeople string
	DecidedAt    *time.Time
	DecidedBy    *int64
	NotifiedAt   *time.Time
	InformedAt   *time.Time
	Body         []byte
	CreatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"` // set from the service's clock
}

func (breachRow) TableName() string { return "breaches" }

// breachView is a breach row with its branch code and the size of its list
// of people to inform. The row is a named field (see caseView).
type breachView struct {
	Row        breachRow `gorm:"embedded"`
	BranchCode *string
	Recipients int
	Queued     int
	Told       int
}

// breachActor names who acted, by id only.
func breachActor(a breach.Actor) string {
	switch {
	case a.ID == 0:
		return audit.System
	case a.API:
		return audit.API(a.ID)
	}
	return audit.Staff(a.ID)
}

// breachScoped limits a breach query to scope; a breach without a branch
// is seen only with the whole practice in scope.
func breachScoped(db *gorm.DB, scope breach.Scope) *gorm.DB {
	return scoped(db, casework.Scope{All: scope.All, Branches: scope.Branches})
}

const breachSelect = "breaches.*, branches.code AS branch_code, " +
	"(SELECT COUNT(*) FROM breach_recipients r WHERE r.breach_id = breaches.id) AS recipients, " +
	"(SELECT COUNT(*) FROM breach_recipients r WHERE r.breach_id = breaches.id AND r.told_at IS NOT NULL) AS queued, " +
	"(SELECT COUNT(*) FROM breach_recipients r JOIN outbox o ON o.id = r.outbox_id " +
	"WHERE r.breach_id = breaches.id AND o.sent_at IS NOT NULL) AS told"

func breachQuery(db *gorm.DB) *gorm.DB {
	return db.Table("breaches").Select(breachSelect).Joins("LEFT JOIN branches ON branches.id = breaches.branch_id")
}

// openCondition is true for a breach whose AP decision is open
// (breach.Breach.DecisionOpen).
const openCondition = "(breaches.notified_at IS NULL AND (breaches.notify_ap IS NULL OR breaches.notify_ap = TRUE))"

// breachByRef reads breach ref within scope, with its notifications.
func (s *Breaches) breachByRef(db *gorm.DB, ref string, scope breach.Scope) (breach.Record, *int64, error) {
	var v breachView
	err := breachScoped(breachQuery(db), scope).Where("breaches.reference = ?", ref).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Record{}, nil, notFound()
	}
	if err != nil {
		return breach.Record{}, nil, internal(err, "read breach")
	}
	r, err := s.recordOf(v)
	if err != nil {
		return breach.Record{}, nil, err
	}
	ns, err := notificationsOf(db, []int64{r.ID})
	if err != nil {
		return breach.Record{}, nil, err
	}
	r.Notifications = ns[r.ID]
	return r, v.Row.DecidedBy, nil
}

// nextBreachReference hands out the next breach number of year, inside the
// write transaction: one upsert, as nextReference, so that two breaches
// registered at once never get the same number.
func nextBreachReference(tx *gorm.DB, year int) (string, error) {
	var last int
	err := tx.Raw(`INSERT INTO breach_sequences (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = breach_sequences.last + 1 RETURNING last`, year).Scan(&last).Error
	if err == nil && last == 0 {
		err = errors.New("no number returned")
	}
	if err != nil {
		return "", internal(err, "next breach reference")
	}
	return breach.FormatReference(year, last), nil
}

// CreateBreach implements breach.Store. The reference's year is the year of
// awareness in the practice's time zone.
func (s *Breaches) CreateBreach(ctx context.Context, r *breach.Record, a breach.Actor, at time.Time) error {
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		ref, err := nextBreachReference(tx, r.AwareAt.In(settings.Location()).Year())
		if err != nil {
			return err
		}
		r.Reference = ref
		row, err := s.breachRowOf(tx, *r)
		if err != nil {
			return err
		}
		row.CreatedBy = ref64(a.ID)
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "insert breach")
		}
		r.ID = row.ID
		return s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.BreachCreate,
			Object: audit.Breach(row.ID), Address: a.Address})
	})
}

func ref64(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// BreachByReference implements breach.Store.
func (s *Breaches) BreachByReference(ctx context.Context, ref string, scope breach.Scope) (breach.Record, error) {
	r, _, err := s.breachByRef(s.db.WithContext(ctx), ref, scope)
	return r, err
}

// saveBreach writes r over its row inside tx. The decider's id is kept
// unless the decision was taken anew by a.
func (s *Breaches) saveBreach(tx *gorm.DB, r breach.Record, before breach.Record, decidedBy *int64, a breach.Actor) error {
	row, err := s.breachRowOf(tx, r)
	if err != nil {
		return err
	}
	row.DecidedBy = decidedBy
	if d := r.Decision; d != nil && (before.Decision == nil || !before.Decision.DecidedAt.Equal(d.DecidedAt)) {
		row.DecidedBy = ref64(a.ID)
	}
	if r.Decision == nil {
		row.DecidedBy = nil
	}
	// Select("*") writes every column, NULLs included.
	err = tx.Model(&breachRow{}).Where("id = ?", r.ID).Select("*").
		Omit("id", "reference", "created_at", "created_by").Updates(&row).Error
	if err != nil {
		return internal(err, "update breach")
	}
	if !before.AwareAt.Equal(r.AwareAt) {
		// A new moment of awareness is a new deadline: its reminders are
		// still to come.
		if err := tx.Where("breach_id = ?", r.ID).Delete(&breachReminderRow{}).Error; err != nil {
			return internal(err, "reset breach reminders")
		}
	}
	return nil
}

// changeBreach runs change on breach ref inside one write transaction and
// writes the result with its audit entry.
func (s *Breaches) changeBreach(ctx context.Context, ref string, a breach.Actor, detail string, at time.Time,
	change func(tx *gorm.DB, r *breach.Record) (string, error)) (breach.Record, error) {
	var out breach.Record
	err := s.write(ctx, func(tx *gorm.DB) error {
		// On PostgreSQL two changes at once: the second waits for the
		// first's commit and then reads what it wrote.
		if isPostgres(tx) {
			if err := tx.Exec("SELECT 1 FROM breaches WHERE reference = ? FOR UPDATE", ref).Error; err != nil {
				return internal(err, "lock breach")
			}
		}
		before, decidedBy, err := s.breachByRef(tx, ref, a.Scope)
		if err != nil {
			return err
		}
		r := before
		r.Kinds = append([]breach.Kind(nil), before.Kinds...)
		r.Notifications = append([]breach.Notification(nil), before.Notifications...)
		more, err := change(tx, &r)
		if err != nil {
			return err
		}
		r.Reference, r.ID, r.UpdatedAt = before.Reference, before.ID, at
		if err := s.saveBreach(tx, r, before, decidedBy, a); err != nil {
			return err
		}
		if more != "" {
			detail += " " + more
		}
		if err := s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.BreachUpdate,
			Object: audit.Breach(r.ID), Address: a.Address, Detail: detail}); err != nil {
			return err
		}
		out, _, err = s.breachByRef(tx, ref, a.Scope)
		return err
	})
	return out, err
}

// UpdateBreach implements breach.Store.
func (s *Breaches) UpdateBreach(ctx context.Context, ref string, a breach.Actor, step string, at time.Time, change func(*breach.Record) error) (breach.Record, error) {
	return s.changeBreach(ctx, ref, a, "step="+step, at, func(_ *gorm.DB, r *breach.Record) (string, error) {
		return "", change(r)
	})
}

// ListBreaches implements breach.Store.
func (s *Breaches) ListBreaches(ctx context.Context, f breach.Filter, scope breach.Scope) ([]breach.Record, error) {
	db := breachScoped(breachQuery(s.db.WithContext(ctx)), scope)
	switch f.State {
	case breach.StateOpen:
		db = db.Where(openCondition)
	case breach.StateDecided:
		db = db.Where("NOT " + openCondition)
	case breach.StateNotified:
		db = db.Where("breaches.notified_at IS NOT NULL")
	case breach.StateNotNotified:
		db = db.Where("breaches.notified_at IS NULL")
	}
	if f.Year > 0 {
		db = db.Where("breaches.reference LIKE ?", fmt.Sprintf("DL-%04d-%%", f.Year))
	}
	if f.Kind != "" {
		db = db.Where("(' ' || breaches.kinds || ' ') LIKE ?", "% "+string(f.Kind)+" %")
	}
	if f.Band != "" {
		db = db.Where("breaches.band = ?", f.Band)
	}
	if f.Branch != "" {
		db = db.Where("branches.code = ?", f.Branch)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		db = db.Where("breaches.reference = ?", strings.ToUpper(t))
	}
	db = db.Order("CASE WHEN " + openCondition + " THEN 0 ELSE 1 END, " +
		"CASE WHEN " + openCondition + " THEN breaches.ap_deadline END, breaches.aware_at DESC, breaches.id DESC")
	var views []breachView
	if err := db.Find(&views).Error; err != nil {
		return nil, internal(err, "list breaches")
	}
	out := make([]breach.Record, 0, len(views))
	ids := make([]int64, 0, len(views))
	for _, v := range views {
		r, err := s.recordOf(v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	ns, err := notificationsOf(s.db.WithContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Notifications = ns[out[i].ID]
	}
	return out, nil
}

// undecidedCondition is true for a breach on which nothing was decided or
// submitted yet: what the banner shows.
const undecidedCondition = "(breaches.notified_at IS NULL AND breaches.notify_ap IS NULL)"

// OpenDecisions implements breach.Store in one query: the count over all
// undecided breaches in scope, read off the row of the most urgent one.
func (s *Breaches) OpenDecisions(ctx context.Context, scope breach.Scope) (breach.OpenDecisions, error) {
	var row struct {
		Reference string
		AwareAt   time.Time
		Open      int
	}
	err := breachScoped(s.db.WithContext(ctx).Table("breaches").
		Select("breaches.reference, breaches.aware_at, COUNT(*) OVER () AS open").
		Joins("LEFT JOIN branches ON branches.id = breaches.branch_id"), scope).
		Where(undecidedCondition).Order("breaches.ap_deadline, breaches.id").Limit(1).Scan(&row).Error
	if err != nil {
		return breach.OpenDecisions{}, internal(err, "count open breaches")
	}
	return breach.OpenDecisions{Count: row.Open, Reference: row.Reference, AwareAt: row.AwareAt}, nil
}

// RecordBreachAccess implements breach.Store. Under audit.Unseen (an HTTP
// HEAD) nothing is shown, and nothing written.
func (s *Breaches) RecordBreachAccess(ctx context.Context, a breach.Actor, breachID int64, action audit.Action, detail string, at time.Time) error {
	if audit.IsUnseen(ctx) {
		return nil
	}
	object := ""
	if breachID != 0 {
		object = audit.Breach(breachID)
	}
	return s.AppendAudit(context.WithoutCancel(ctx), audit.Entry{At: at, Actor: breachActor(a), Action: action,
		Object: object, Address: a.Address, Detail: detail})
}
