package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/mail"
)

type breachReminderRow struct {
	BreachID int64  `gorm:"primaryKey"`
	Mark     string `gorm:"primaryKey"`
	SentAt   time.Time
}

func (breachReminderRow) TableName() string { return "breach_reminders" }

// Waiting implements breach.Store. It reads no sealed column.
func (s *Breaches) Waiting(ctx context.Context) ([]breach.Waiting, error) {
	var rows []struct {
		ID        int64
		Reference string
		AwareAt   time.Time
	}
	err := s.db.WithContext(ctx).Table("breaches").Select("breaches.id, breaches.reference, breaches.aware_at").
		Where(openCondition).Order("breaches.ap_deadline, breaches.id").Scan(&rows).Error
	if err != nil {
		return nil, internal(err, "read open breaches")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var marks []breachReminderRow
	if err := s.db.WithContext(ctx).Joins("JOIN breaches ON breaches.id = breach_reminders.breach_id").
		Where(openCondition).Find(&marks).Error; err != nil {
		return nil, internal(err, "read breach reminders")
	}
	byID := map[int64][]string{}
	for _, m := range marks {
		byID[m.BreachID] = append(byID[m.BreachID], m.Mark)
	}
	out := make([]breach.Waiting, 0, len(rows))
	for _, r := range rows {
		out = append(out, breach.Waiting{ID: r.ID, Reference: r.Reference, AwareAt: r.AwareAt, Marks: byID[r.ID]})
	}
	return out, nil
}

// Owners implements breach.Store.
func (s *Breaches) Owners(ctx context.Context) ([]breach.Contact, error) {
	var rows []staffRow
	err := s.db.WithContext(ctx).Where("role = ? AND disabled_at IS NULL", "owner").Order("id").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "list owners")
	}
	out := make([]breach.Contact, len(rows))
	for i, r := range rows {
		out[i] = breach.Contact{Name: r.Name, Email: r.Email}
	}
	return out, nil
}

// SaveReminder implements breach.Store.
func (s *Breaches) SaveReminder(ctx context.Context, breachID int64, mark string, at time.Time, mails []mail.Message) (bool, error) {
	saved := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		saved = false // fn may run again (writePostgres)
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&breachReminderRow{BreachID: breachID, Mark: mark, SentAt: at.UTC()})
		if res.Error != nil {
			return internal(res.Error, "record breach reminder")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		saved = true
		return s.enqueue(tx, mails, at)
	})
	return saved, err
}
