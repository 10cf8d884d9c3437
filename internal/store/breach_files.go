package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
)

type breachFileRow struct {
	ID         string `gorm:"primaryKey"`
	BreachID   int64
	Kind       string
	Size       int64
	UploadedBy *int64
	UploadedAt time.Time
}

func (breachFileRow) TableName() string { return "breach_files" }

func attachmentOf(r breachFileRow) breach.Attachment {
	return breach.Attachment{ID: r.ID, Kind: r.Kind, Size: r.Size, UploadedAt: r.UploadedAt}
}

// AddBreachFile implements breach.Store.
func (s *Breaches) AddBreachFile(ctx context.Context, ref string, a breach.Actor, f breach.Attachment) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		r, _, err := s.breachByRef(tx, ref, a.Scope)
		if err != nil {
			return err
		}
		row := breachFileRow{ID: f.ID, BreachID: r.ID, Kind: f.Kind, Size: f.Size, UploadedBy: ref64(a.ID), UploadedAt: f.UploadedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "add breach file")
		}
		return s.appendAudit(tx, audit.Entry{At: f.UploadedAt, Actor: breachActor(a), Action: audit.FileUpload,
			Object: audit.Breach(r.ID), Address: a.Address, Detail: "kind=" + f.Kind})
	})
}

// BreachFiles implements breach.Store.
func (s *Breaches) BreachFiles(ctx context.Context, breachID int64) ([]breach.Attachment, error) {
	var rows []breachFileRow
	if err := s.db.WithContext(ctx).Where("breach_id = ?", breachID).Order("uploaded_at, seq").Find(&rows).Error; err != nil {
		return nil, internal(err, "list breach files")
	}
	out := make([]breach.Attachment, len(rows))
	for i, r := range rows {
		out[i] = attachmentOf(r)
	}
	return out, nil
}

// BreachFile implements breach.Store.
func (s *Breaches) BreachFile(ctx context.Context, breachID int64, id string) (breach.Attachment, error) {
	var r breachFileRow
	err := s.db.WithContext(ctx).Where("breach_id = ? AND id = ?", breachID, id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Attachment{}, notFound()
	}
	if err != nil {
		return breach.Attachment{}, internal(err, "read breach file")
	}
	return attachmentOf(r), nil
}
