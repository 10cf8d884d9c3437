package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

type setupTokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (setupTokenRow) TableName() string { return "setup_tokens" }

// AddSetupToken stores the hash of a one-time setup link valid until
// expires.
func (s *Practice) AddSetupToken(ctx context.Context, hash string, expires time.Time) error {
	r := setupTokenRow{TokenHash: hash, ExpiresAt: expires.UTC()}
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) }).Error; err != nil {
		return internal(err, "add setup token")
	}
	return nil
}

// SetupTokenValid reports whether hash belongs to an unused, unexpired setup
// link while no staff account exists yet.
func (s *Practice) SetupTokenValid(ctx context.Context, hash string, now time.Time) (bool, error) {
	err := validSetupToken(s.db.WithContext(ctx), hash, now)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}

func validSetupToken(db *gorm.DB, hash string, now time.Time) error {
	var n int64
	if err := db.Model(&staffRow{}).Count(&n).Error; err != nil {
		return internal(err, "count staff")
	}
	if n > 0 {
		return notFound()
	}
	var r setupTokenRow
	err := db.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now.UTC()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound()
	}
	if err != nil {
		return internal(err, "read setup token")
	}
	return nil
}

// CompleteSetup stores the practice's settings, its SMTP server (when smtp
// names one) and the first owner's account, puts in the template register
// of processing activities of the practice's country, and uses up the setup
// link, in one transaction. A used, expired or
// unknown link, or one presented after an account exists, gives NotFound.
func (s *Practice) CompleteSetup(ctx context.Context, hash string, p practice.Settings, smtp mail.Settings, owner staff.NewMember, now time.Time) (staff.Member, error) {
	var m staff.Member
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := validSetupToken(tx, hash, now); err != nil {
			return err
		}
		if err := tx.Model(&setupTokenRow{}).Where("token_hash = ?", hash).Update("used_at", now.UTC()).Error; err != nil {
			return internal(err, "use setup token")
		}
		row := settingsRow(p, now)
		if err := tx.Save(&row).Error; err != nil {
			return internal(err, "save settings")
		}
		if err := s.saveMailSettings(tx, smtp, now); err != nil {
			return err
		}
		// A new practice starts from the template register (art. 30).
		if _, err := s.seedRegister(tx, p.Country, now); err != nil {
			return err
		}
		var err error
		m, err = addMember(tx, owner, now)
		return err
	})
	return m, err
}

// SaveSettingsAudited replaces the practice's settings and audits the change
// in one transaction; the first save of a practice also puts in its
// template register of processing activities (see SeedRegister).
func (s *Practice) SaveSettingsAudited(ctx context.Context, p practice.Settings, who audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		row := settingsRow(p, who.At)
		if err := tx.Save(&row).Error; err != nil {
			return internal(err, "save settings")
		}
		who.Action, who.Detail = audit.SettingsUpdate, "practice=saved"
		if err := s.appendAudit(tx, who); err != nil {
			return err
		}
		// A practice set up without the setup page (avgloket practice
		// set) gets the template register now; later saves find it seeded.
		_, err := s.seedRegister(tx, p.Country, who.At)
		return err
	})
}

// SaveSettings replaces the practice's settings.
func (s *Practice) SaveSettings(ctx context.Context, p practice.Settings, now time.Time) error {
	row := settingsRow(p, now)
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Save(&row) }).Error; err != nil {
		return internal(err, "save settings")
	}
	return nil
}
