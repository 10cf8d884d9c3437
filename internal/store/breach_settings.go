package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
)

type breachSettingsRow struct {
	ID             int64 `gorm:"primaryKey"`
	OwnTargetHours int
	Sector         string
	Contacts       []byte
	UpdatedAt      time.Time
}

func (breachSettingsRow) TableName() string { return "breach_settings" }

// sealedContacts are the register settings' people.
type sealedContacts struct {
	DPO           breach.Contact `json:"dpo"`
	Reporter      breach.Contact `json:"reporter"`
	ContactPerson breach.Contact `json:"contact"`
}

// BreachSettings implements breach.Store: the zero Settings until an owner
// saves them.
func (s *Breaches) BreachSettings(ctx context.Context) (breach.Settings, error) {
	var r breachSettingsRow
	err := s.db.WithContext(ctx).Take(&r, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Settings{}, nil
	}
	if err != nil {
		return breach.Settings{}, internal(err, "read breach settings")
	}
	out := breach.Settings{OwnTargetHours: r.OwnTargetHours, Sector: r.Sector}
	if len(r.Contacts) > 0 {
		var c sealedContacts
		if err := s.openJSON("breach_settings", "contacts", "1", r.Contacts, &c); err != nil {
			return breach.Settings{}, internal(err, "open breach settings")
		}
		out.DPO, out.Reporter, out.ContactPerson = c.DPO, c.Reporter, c.ContactPerson
	}
	return out, nil
}

// SaveBreachSettings implements breach.Store, with the audit entry
// settings_update.
func (s *Breaches) SaveBreachSettings(ctx context.Context, st breach.Settings, a breach.Actor, at time.Time) error {
	blob, err := s.sealJSON("breach_settings", "contacts", "1", sealedContacts{DPO: st.DPO, Reporter: st.Reporter, ContactPerson: st.ContactPerson})
	if err != nil {
		return internal(err, "seal breach settings")
	}
	row := breachSettingsRow{ID: 1, OwnTargetHours: st.OwnTargetHours, Sector: st.Sector, Contacts: blob, UpdatedAt: at.UTC()}
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Save(&row).Error; err != nil {
			return internal(err, "save breach settings")
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.SettingsUpdate,
			Address: a.Address, Detail: "fields=breach_register"})
	})
}
