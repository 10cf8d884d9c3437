package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/vault"
)

// mailSettingsRow is the SMTP server saved on the settings page: one row,
// id 1, the password sealed.
type mailSettingsRow struct {
	ID        int64 `gorm:"primaryKey"`
	Host      string
	Port      int
	Username  string
	Password  []byte // sealed, AAD mail_settings/password/1; nil without one
	Sender    string
	Security  string
	CAFile    string `gorm:"column:ca_file"`
	UpdatedAt time.Time
}

func (mailSettingsRow) TableName() string { return "mail_settings" }

// mailPasswordAAD binds the sealed password to the settings' one row.
func mailPasswordAAD() []byte { return vault.AAD("mail_settings", "password", idString(1)) }

// MailSettings returns the SMTP server saved on the settings page; without
// one, Settings without a host. It comes from memory after the first read
// (practiceCache).
func (s *Practice) MailSettings(ctx context.Context) (mail.Settings, error) {
	if err := s.cache.fresh(ctx, s.sql); err != nil {
		return mail.Settings{}, err
	}
	return s.cache.mail.get(func() (mail.Settings, error) { return s.readMailSettings(ctx) }, sameMail)
}

func (s *Practice) readMailSettings(ctx context.Context) (mail.Settings, error) {
	var r mailSettingsRow
	err := s.db.WithContext(ctx).Take(&r, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return mail.Settings{}, nil
	}
	if err != nil {
		return mail.Settings{}, internal(err, "read mail settings")
	}
	out := mail.Settings{Host: r.Host, Port: r.Port, Username: r.Username, From: r.Sender,
		Security: mail.Security(r.Security), CAFile: r.CAFile}
	if len(r.Password) > 0 {
		pw, err := s.vault.Open(r.Password, mailPasswordAAD())
		if err != nil {
			return mail.Settings{}, internal(err, "open mail password")
		}
		out.Password = string(pw)
	}
	return out, nil
}

// SaveMailSettingsAudited stores the SMTP server, or removes it when m has
// no host, and records that in the audit trail, in one transaction.
func (s *Practice) SaveMailSettingsAudited(ctx context.Context, m mail.Settings, who audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := s.saveMailSettings(tx, m, who.At); err != nil {
			return err
		}
		who.Action, who.Detail = audit.SettingsUpdate, "mail=saved"
		if !m.Configured() {
			who.Detail = "mail=removed"
		}
		return s.appendAudit(tx, who)
	})
}

func (s *Practice) saveMailSettings(tx *gorm.DB, m mail.Settings, now time.Time) error {
	if !m.Configured() {
		if err := tx.Delete(&mailSettingsRow{}, 1).Error; err != nil {
			return internal(err, "remove mail settings")
		}
		return nil
	}
	r := mailSettingsRow{ID: 1, Host: m.Host, Port: m.Port, Username: m.Username, Sender: m.From,
		Security: string(m.Security), CAFile: m.CAFile, UpdatedAt: now.UTC()}
	if m.Password != "" {
		sealed, err := s.vault.Seal([]byte(m.Password), mailPasswordAAD())
		if err != nil {
			return internal(err, "seal mail password")
		}
		r.Password = sealed
	}
	// Save writes every column, so a nil password clears a stored one.
	if err := tx.Save(&r).Error; err != nil {
		return internal(err, "save mail settings")
	}
	return nil
}
