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
	Kind          string     // which letter (mail.Kind), shown on the outbox page
	Reference     string     // the case or breach it is about, if any
	ClaimedUntil  *time.Time // set by Claim, cleared by the marks; NULL when nobody holds the mail
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

// reserveMailID takes an outbox id from its sequence, on PostgreSQL, for
// a mail that reservedMail writes later in the transaction; 0 on SQLite. A
// write that holds a serialising row (CreateCase, the case number) takes
// the id before it, so the mail is then one statement instead of two. An
// id not used leaves a gap, as a rolled-back insert does.
func reserveMailID(tx *gorm.DB) (int64, error) {
	if !isPostgres(tx) {
		return 0, nil
	}
	var id int64
	if err := tx.Raw("SELECT nextval(pg_get_serial_sequence('outbox', 'id'))").Scan(&id).Error; err != nil {
		return 0, internal(err, "reserve mail id")
	}
	return id, nil
}

// enqueueReserved is enqueue with the id from reserveMailID (0: none) for
// the first of msgs: that one is written sealed in one insert.
func (s *DB) enqueueReserved(tx *gorm.DB, id int64, msgs []mail.Message, now time.Time) error {
	if id == 0 || len(msgs) == 0 {
		return s.enqueue(tx, msgs, now)
	}
	m := msgs[0]
	blob, err := s.sealJSON("outbox", "message", idString(id), m)
	if err != nil {
		return internal(err, "seal mail")
	}
	r := outboxRow{ID: id, Message: blob, CreatedAt: now.UTC(), NextAttemptAt: now.UTC(), Kind: string(m.Kind), Reference: m.Ref}
	if err := tx.Create(&r).Error; err != nil {
		return internal(err, "queue mail")
	}
	return s.enqueue(tx, msgs[1:], now)
}

// Due returns up to limit unsent mails whose next attempt is due at now,
// oldest first, whether claimed or not. It only reads: the worker takes its
// mails with Claim.
func (s *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]mail.Queued, error) {
	var rows []outboxRow
	err := s.db.WithContext(ctx).Where("sent_at IS NULL AND next_attempt_at <= ?", now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read outbox")
	}
	return s.queued(rows)
}

// queued opens rows' messages.
func (s *Outbox) queued(rows []outboxRow) ([]mail.Queued, error) {
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

// claimable is the condition on a row that holder may claim at now: unsent,
// due, and claimed by nobody, by holder itself, or by a claim that has run
// out.
const claimable = "sent_at IS NULL AND next_attempt_at <= ? AND " +
	"(claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)"

// claimPasses bounds how often Claim looks again after losing rows to
// another portal.
const claimPasses = 3

// Claim implements mail.Queue in one write: it picks up to limit claimable
// rows, oldest first, marks them as holder's until until, and reads back the
// rows that carry exactly that claim.
//
// Two portals that claim at once never get the same row. On SQLite the
// writes are serialised. On PostgreSQL, under READ COMMITTED, both may pick
// the same ids; the second UPDATE then waits for the first's row locks and,
// once the first has committed, evaluates its WHERE again on the rows as the
// first left them. That is why the UPDATE repeats the claimable condition
// beside the ids: for a row the first portal claimed it is false, and the
// second leaves it. Having lost rows so, it picks again: a new statement
// sees the first's commit, so it finds the rows still free. (FOR UPDATE SKIP
// LOCKED would spare the wait, but it is PostgreSQL's only and this store
// does not branch on the dialect here.)
func (s *Outbox) Claim(ctx context.Context, holder string, now, until time.Time, limit int) ([]mail.Queued, error) {
	// now is compared, as it is (a mail queued at now is due at now);
	// until is stored and then looked for, in the form the database keeps.
	now, until = now.UTC(), dbTime(until)
	var rows []outboxRow
	err := s.write(ctx, func(tx *gorm.DB) error {
		for range claimPasses {
			var ids []int64
			err := tx.Model(&outboxRow{}).Where(claimable, now, now, holder).
				Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error
			if err != nil || len(ids) == 0 {
				return err
			}
			res := tx.Model(&outboxRow{}).Where("id IN ?", ids).Where(claimable, now, now, holder).
				Updates(map[string]any{"claimed_by": holder, "claimed_until": until})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == int64(len(ids)) {
				break
			}
		}
		return nil
	})
	if err == nil {
		err = s.db.WithContext(ctx).Where("claimed_by = ? AND claimed_until = ? AND sent_at IS NULL", holder, until).
			Order("next_attempt_at, id").Find(&rows).Error
	}
	if err != nil {
		return nil, internal(err, "claim outbox mails")
	}
	return s.queued(rows)
}

// NextDue implements mail.Queue. A mail that another portal holds is due
// when that claim runs out (it is sent by then, unless that portal died),
// not at its next attempt, so that the portals do not poll each other's
// mails.
func (s *Outbox) NextDue(ctx context.Context) (time.Time, bool, error) {
	var free, held []outboxRow
	err := s.db.WithContext(ctx).Select("next_attempt_at").Where("sent_at IS NULL AND claimed_until IS NULL").
		Order("next_attempt_at").Limit(1).Find(&free).Error
	if err == nil {
		err = s.db.WithContext(ctx).Select("claimed_until").Where("sent_at IS NULL AND claimed_until IS NOT NULL").
			Order("claimed_until").Limit(1).Find(&held).Error
	}
	if err != nil {
		return time.Time{}, false, internal(err, "read outbox")
	}
	var next time.Time
	if len(free) > 0 {
		next = free[0].NextAttemptAt
	}
	if len(held) > 0 && held[0].ClaimedUntil != nil && (next.IsZero() || held[0].ClaimedUntil.Before(next)) {
		next = *held[0].ClaimedUntil
	}
	return next, !next.IsZero(), nil
}

// MarkSent implements mail.Queue. A breach letter (art. 34) that was sent
// makes its breach informed at that moment, if no moment is on record yet,
// in the same transaction: the register counts a person as told when the
// mail server accepted the letter, not when it was queued.
//
// The delivery is recorded whoever holds the claim: the server has accepted
// the mail, and a mail not marked sent would be sent again. A mail already
// marked sent keeps its first time (and its breach its first moment), and
// the answer is mail.ErrSentTwice.
func (s *Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	twice := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&outboxRow{}).Where("id = ? AND sent_at IS NULL", id).
			Updates(map[string]any{"sent_at": at.UTC(), "last_error": "", "claimed_by": nil, "claimed_until": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var n int64
			err := tx.Model(&outboxRow{}).Where("id = ? AND sent_at IS NOT NULL", id).Count(&n).Error
			twice = n > 0
			return err
		}
		return tx.Exec("UPDATE breaches SET informed_at = ? WHERE informed_at IS NULL AND id IN "+
			"(SELECT breach_id FROM breach_recipients WHERE outbox_id = ?)", at.UTC(), id).Error
	})
	if err != nil {
		return internal(err, "mark mail sent")
	}
	if twice {
		return mail.ErrSentTwice
	}
	return nil
}

// MarkFailed implements mail.Queue: only while holder still holds the
// claim, since otherwise another portal has taken the mail over and its
// attempt is the one that counts.
func (s *Outbox) MarkFailed(ctx context.Context, holder string, id int64, attempts int, next time.Time, lastErr string) error {
	err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&outboxRow{}).Where("id = ? AND sent_at IS NULL AND claimed_by = ?", id, holder).
			Updates(map[string]any{"attempts": attempts, "next_attempt_at": next.UTC(), "last_error": lastErr,
				"claimed_by": nil, "claimed_until": nil})
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
