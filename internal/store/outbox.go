package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/mail"
)

// Outbox is the mail waiting to be delivered; changes queue their mail
// through DB.enqueue in their own transaction.
type Outbox struct{ *DB }

var _ mail.Queue = (*Outbox)(nil)

type outboxRow struct {
	ID            int64 `gorm:"primaryKey"`
	Message       []byte
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	LastError     string
	SentAt        *time.Time
	Kind          string // which letter (mail.Kind), shown on the outbox page
	Reference     string // the case or breach it is about, if any
}

func (outboxRow) TableName() string { return "outbox" }

// enqueue writes msgs to the outbox inside tx, sealed (recipient and text are
// personal data).
func (s *DB) enqueue(tx *gorm.DB, msgs []mail.Message, now time.Time) error {
	for _, m := range msgs {
		if _, err := s.queueMail(tx, m, now); err != nil {
			return err
		}
	}
	return nil
}

// queueMail writes m to the outbox inside tx and returns its row's id. The
// seal is bound to the row id, which exists only after the insert, so the
// row is written empty first and sealed second.
func (s *DB) queueMail(tx *gorm.DB, m mail.Message, now time.Time) (int64, error) {
	r := outboxRow{Message: []byte{}, CreatedAt: now.UTC(), NextAttemptAt: now.UTC(), Kind: string(m.Kind), Reference: m.Ref}
	if err := tx.Create(&r).Error; err != nil {
		return 0, internal(err, "queue mail")
	}
	blob, err := s.sealJSON("outbox", "message", idString(r.ID), m)
	if err != nil {
		return 0, internal(err, "seal mail")
	}
	if err := tx.Model(&outboxRow{}).Where("id = ?", r.ID).Update("message", blob).Error; err != nil {
		return 0, internal(err, "queue mail")
	}
	return r.ID, nil
}

// Due implements mail.Queue: unsent mails whose next attempt is due, oldest
// first.
func (s *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]mail.Queued, error) {
	var rows []outboxRow
	err := s.db.WithContext(ctx).Where("sent_at IS NULL AND next_attempt_at <= ?", now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read outbox")
	}
	out := make([]mail.Queued, 0, len(rows))
	for _, r := range rows {
		var m mail.Message
		if err := s.openJSON("outbox", "message", idString(r.ID), r.Message, &m); err != nil {
			return nil, internal(err, "open outbox message")
		}
		out = append(out, mail.Queued{ID: r.ID, Message: m, Attempts: r.Attempts})
	}
	return out, nil
}

// NextDue implements mail.Queue.
func (s *Outbox) NextDue(ctx context.Context) (time.Time, bool, error) {
	var rows []outboxRow
	err := s.db.WithContext(ctx).Select("next_attempt_at").Where("sent_at IS NULL").
		Order("next_attempt_at").Limit(1).Find(&rows).Error
	if err != nil {
		return time.Time{}, false, internal(err, "read outbox")
	}
	if len(rows) == 0 {
		return time.Time{}, false, nil
	}
	return rows[0].NextAttemptAt, true, nil
}

// MarkSent implements mail.Queue. A breach letter (art. 34) that was sent
// makes its breach informed at that moment, if no moment is on record yet,
// in the same transaction: the register counts a person as told when the
// mail server accepted the letter, not when it was queued.
func (s *Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&outboxRow{}).Where("id = ?", id).
			Updates(map[string]any{"sent_at": at.UTC(), "last_error": ""}).Error
		if err != nil {
			return err
		}
		return tx.Exec("UPDATE breaches SET informed_at = ? WHERE informed_at IS NULL AND id IN "+
			"(SELECT breach_id FROM breach_recipients WHERE outbox_id = ?)", at.UTC(), id).Error
	})
	if err != nil {
		return internal(err, "mark mail sent")
	}
	return nil
}

// MarkFailed implements mail.Queue.
func (s *Outbox) MarkFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&outboxRow{}).Where("id = ?", id).
			Updates(map[string]any{"attempts": attempts, "next_attempt_at": next.UTC(), "last_error": lastErr})
	}).Error
	if err != nil {
		return internal(err, "mark mail failed")
	}
	return nil
}

// OutboxStats counts the queued (unsent) and sent mails.
func (s *Outbox) OutboxStats(ctx context.Context) (queued, sent int64, err error) {
	db := s.db.WithContext(ctx).Model(&outboxRow{})
	if err := db.Where("sent_at IS NULL").Count(&queued).Error; err != nil {
		return 0, 0, internal(err, "count outbox")
	}
	if err := s.db.WithContext(ctx).Model(&outboxRow{}).Where("sent_at IS NOT NULL").Count(&sent).Error; err != nil {
		return 0, 0, internal(err, "count outbox")
	}
	return queued, sent, nil
}
