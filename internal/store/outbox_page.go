package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
)

// OutboxEntries returns up to limit mails of the outbox, newest first,
// after skipping offset, and how many there are in all. The sealed message
// is not read: the page shows what the mail is, not what it says.
func (s *Outbox) OutboxEntries(ctx context.Context, offset, limit int) ([]mail.Entry, int64, error) {
	var total int64
	if err := s.db.WithContext(ctx).Model(&outboxRow{}).Count(&total).Error; err != nil {
		return nil, 0, internal(err, "count outbox")
	}
	var rows []outboxRow
	err := s.db.WithContext(ctx).Omit("message").Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, 0, internal(err, "read outbox")
	}
	out := make([]mail.Entry, len(rows))
	for i, r := range rows {
		out[i] = mail.Entry{ID: r.ID, Kind: mail.Kind(r.Kind), Ref: r.Reference, CreatedAt: r.CreatedAt,
			Attempts: r.Attempts, LastError: r.LastError, NextAttempt: r.NextAttemptAt, SentAt: utc(r.SentAt)}
	}
	return out, total, nil
}

// RetryMailNow makes the unsent mail id due now and records that in the
// audit trail, in one transaction. A sent or unknown mail gives NotFound.
func (s *Outbox) RetryMailNow(ctx context.Context, id int64, who audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&outboxRow{}).Where("id = ? AND sent_at IS NULL", id).Update("next_attempt_at", who.At.UTC())
		if res.Error != nil {
			return internal(res.Error, "retry mail")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		who.Action, who.Object = audit.MailRetry, audit.Outbox(id)
		return s.appendAudit(tx, who)
	})
}

// WaitingMails counts the mails not sent yet.
func (s *Outbox) WaitingMails(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&outboxRow{}).Where("sent_at IS NULL").Count(&n).Error; err != nil {
		return 0, internal(err, "count outbox")
	}
	return n, nil
}
