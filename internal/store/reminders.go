package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
)

type reminderRunRow struct {
	Day    string `gorm:"primaryKey"`
	SentAt time.Time
}

func (reminderRunRow) TableName() string { return "reminder_runs" }

// OpenAssigned implements casework.ReminderStore. It reads no sealed
// column: a reminder needs only references, types and dates. Paused cases
// wait for the requester and are left out; a decided case is no longer due,
// but a destruction it promised is, until confirmed (cases.destroy_by, kept
// by migration 0035's triggers).
func (s *Cases) OpenAssigned(ctx context.Context, dueBy deadline.Date) ([]casework.Assignment, error) {
	var rows []struct {
		StaffID     int64
		Reference   string
		Type        string
		DueOn       string
		Destruction bool
	}
	done := string(casework.Completed)
	err := s.db.WithContext(ctx).Raw(`
		SELECT cases.assignee_id AS staff_id, cases.reference, cases.type, cases.due_on, 0 AS destruction
		FROM cases JOIN staff ON staff.id = cases.assignee_id AND staff.disabled_at IS NULL
		WHERE cases.status <> ? AND cases.outcome = '' AND cases.paused_since = '' AND cases.due_on <= ?
		UNION ALL
		SELECT cases.assignee_id, cases.reference, cases.type, cases.destroy_by, 1
		FROM cases JOIN staff ON staff.id = cases.assignee_id AND staff.disabled_at IS NULL
		WHERE cases.status <> ? AND cases.destroy_by <= ?
		ORDER BY staff_id, due_on, reference`, done, dueBy.String(), done, dueBy.String()).Scan(&rows).Error
	if err != nil {
		return nil, internal(err, "read assigned cases")
	}
	staff, err := s.Assignees(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*casework.Assignment{}
	var order []int64
	for _, r := range rows {
		a, ok := byID[r.StaffID]
		if !ok {
			for _, m := range staff {
				if m.ID == r.StaffID {
					a = &casework.Assignment{Assignee: m}
				}
			}
			if a == nil {
				continue
			}
			byID[r.StaffID] = a
			order = append(order, r.StaffID)
		}
		due, err := deadline.ParseDate(r.DueOn)
		if err != nil {
			return nil, internal(err, "read due date")
		}
		a.Items = append(a.Items, casework.ReminderItem{Reference: r.Reference, Type: casework.RequestType(r.Type), Due: due, Destruction: r.Destruction})
	}
	out := make([]casework.Assignment, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// SaveReminderRun implements casework.ReminderStore.
func (s *Cases) SaveReminderRun(ctx context.Context, day deadline.Date, at time.Time, mails []mail.Message) (bool, error) {
	ran := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		ran = false // fn may run again (writePostgres)
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&reminderRunRow{Day: day.String(), SentAt: at.UTC()})
		if res.Error != nil {
			return internal(res.Error, "record reminder run")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		ran = true
		return s.enqueue(tx, mails, at)
	})
	return ran, err
}
