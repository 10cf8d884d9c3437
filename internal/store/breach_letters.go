package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/mail"
)

type breachRecipientRow struct {
	ID         int64 `gorm:"primaryKey"`
	BreachID   int64
	EmailIndex string
	Contact    []byte
	Language   string
	AddedAt    time.Time
	ToldAt     *time.Time
	OutboxID   *int64
}

func (breachRecipientRow) TableName() string { return "breach_recipients" }

// sealedContact is a person on a breach's list, as its contact column holds
// it.
type sealedContact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// AddRecipients implements breach.Store.
func (s *Breaches) AddRecipients(ctx context.Context, ref string, a breach.Actor, people []breach.Recipient, at time.Time) (int, int, error) {
	added, skipped := 0, 0
	_, err := s.changeBreach(ctx, ref, a, "step=recipients", at, func(tx *gorm.DB, r *breach.Record) (string, error) {
		for _, p := range people {
			row := breachRecipientRow{BreachID: r.ID, EmailIndex: s.vault.Index("breach_recipient", p.Email),
				Contact: []byte{}, Language: p.Language, AddedAt: at.UTC()}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return "", internal(res.Error, "add recipient")
			}
			if res.RowsAffected == 0 {
				skipped++
				continue
			}
			blob, err := s.sealJSON("breach_recipients", "contact", idString(row.ID), sealedContact{Name: p.Name, Email: p.Email})
			if err != nil {
				return "", internal(err, "seal recipient")
			}
			if err := tx.Model(&breachRecipientRow{}).Where("id = ?", row.ID).Update("contact", blob).Error; err != nil {
				return "", internal(err, "add recipient")
			}
			added++
		}
		return fmt.Sprintf("added=%d skipped=%d", added, skipped), nil
	})
	if err != nil {
		return 0, 0, err
	}
	return added, skipped, nil
}

// recipientState is a recipient row with the state of its letter in the
// outbox.
type recipientState struct {
	ID       int64
	Contact  []byte
	Language string
	ToldAt   *time.Time
	SentAt   *time.Time
	Attempts int
}

func (s *Breaches) peopleWhere(db *gorm.DB, cond string, args ...any) ([]breach.Person, error) {
	var rows []recipientState
	err := db.Table("breach_recipients").
		Select("breach_recipients.id, breach_recipients.contact, breach_recipients.language, breach_recipients.told_at, "+
			"outbox.sent_at AS sent_at, COALESCE(outbox.attempts, 0) AS attempts").
		Joins("LEFT JOIN outbox ON outbox.id = breach_recipients.outbox_id").
		Where(cond, args...).Order("breach_recipients.id").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read recipients")
	}
	out := make([]breach.Person, 0, len(rows))
	for _, r := range rows {
		var c sealedContact
		if err := s.openJSON("breach_recipients", "contact", idString(r.ID), r.Contact, &c); err != nil {
			return nil, internal(err, "open recipient")
		}
		out = append(out, breach.Person{ID: r.ID, QueuedAt: r.ToldAt, SentAt: r.SentAt, Attempts: r.Attempts,
			Recipient: breach.Recipient{Name: c.Name, Email: c.Email, Language: r.Language}})
	}
	return out, nil
}

// People implements breach.Store.
func (s *Breaches) People(ctx context.Context, breachID int64) ([]breach.Person, error) {
	return s.peopleWhere(s.db.WithContext(ctx), "breach_recipients.breach_id = ?", breachID)
}

// SendLetters implements breach.Store. The column told_at holds when the
// letter was queued; the person is told when its outbox row is sent.
func (s *Breaches) SendLetters(ctx context.Context, ref string, a breach.Actor, at time.Time,
	compose func(breach.Record, []breach.Person) ([]mail.Message, error), change func(*breach.Record)) (breach.Record, error) {
	return s.changeBreach(ctx, ref, a, "step=letters", at, func(tx *gorm.DB, r *breach.Record) (string, error) {
		people, err := s.peopleWhere(tx, "breach_recipients.breach_id = ? AND breach_recipients.told_at IS NULL", r.ID)
		if err != nil {
			return "", err
		}
		mails, err := compose(*r, people)
		if err != nil {
			return "", err
		}
		if len(mails) != len(people) {
			return "", internal(errors.New("one mail per person"), "send letters")
		}
		for i, m := range mails {
			id, err := s.queueMail(tx, m, at)
			if err != nil {
				return "", err
			}
			err = tx.Model(&breachRecipientRow{}).Where("id = ?", people[i].ID).
				Updates(map[string]any{"told_at": at.UTC(), "outbox_id": id}).Error
			if err != nil {
				return "", internal(err, "mark recipient queued")
			}
		}
		change(r)
		return fmt.Sprintf("sent=%d", len(mails)), nil
	})
}
