package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/mail"
)

// Deliveries keeps the answer documents of cases, their downloads and the
// requesters' one-time codes (package delivery).
type Deliveries struct{ *DB }

var _ delivery.Store = (*Deliveries)(nil)

type documentRow struct {
	ID           string `gorm:"primaryKey"`
	CaseID       int64
	Name         []byte // sealed
	Kind         string
	Size         int64
	UploadedBy   *int64
	UploadedAt   time.Time
	SentAt       *time.Time
	DestroyAfter *time.Time
	DestroyedAt  *time.Time
}

func (documentRow) TableName() string { return "case_documents" }

type downloadRow struct {
	ID         int64 `gorm:"primaryKey"`
	DocumentID string
	ByStaff    *int64
	At         time.Time
}

func (downloadRow) TableName() string { return "document_downloads" }

type codesRow struct {
	CaseID       int64 `gorm:"primaryKey"`
	CodeHash     string
	CodeExpires  *time.Time
	Failures     int
	LockedUntil  *time.Time
	GrantHash    string
	GrantExpires *time.Time
}

func (codesRow) TableName() string { return "delivery_codes" }

// AddDocument implements delivery.Store: the record of a document already
// stored encrypted on disk, with an audit entry.
func (s *Deliveries) AddDocument(ctx context.Context, a casework.Actor, d delivery.Document) error {
	name, err := s.sealJSON("case_documents", "name", d.ID, d.Name)
	if err != nil {
		return internal(err, "seal document name")
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		row := documentRow{ID: d.ID, CaseID: d.CaseID, Name: name, Kind: d.Kind, Size: d.Size, UploadedBy: ref(a.ID), UploadedAt: d.UploadedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "add document")
		}
		return s.appendAudit(tx, audit.Entry{At: d.UploadedAt, Actor: auditActor(a, d.CaseID), Action: audit.FileUpload,
			Object: audit.Case(d.CaseID), Address: a.Address, Detail: "document kind=" + d.Kind})
	})
}

// Documents implements delivery.Store.
func (s *Deliveries) Documents(ctx context.Context, caseID int64) ([]delivery.Document, error) {
	var rows []documentRow
	db := s.db.WithContext(ctx)
	if err := db.Where("case_id = ?", caseID).Order("uploaded_at, seq").Find(&rows).Error; err != nil {
		return nil, internal(err, "list documents")
	}
	names, err := s.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	var downloads []struct {
		DocumentID string
		At         time.Time
		Name       *string
		ByStaff    *int64
	}
	err = db.Table("document_downloads").Select("document_downloads.document_id, document_downloads.at, document_downloads.by_staff, staff.name").
		Joins("JOIN case_documents ON case_documents.id = document_downloads.document_id").
		Joins("LEFT JOIN staff ON staff.id = document_downloads.by_staff").
		Where("case_documents.case_id = ?", caseID).Order("document_downloads.id").Scan(&downloads).Error
	if err != nil {
		return nil, internal(err, "list downloads")
	}
	out := make([]delivery.Document, len(rows))
	for i, r := range rows {
		d := delivery.Document{ID: r.ID, CaseID: r.CaseID, Kind: r.Kind, Size: r.Size, UploadedAt: r.UploadedAt,
			SentAt: timeOr(r.SentAt), DestroyAfter: timeOr(r.DestroyAfter), DestroyedAt: timeOr(r.DestroyedAt)}
		if r.UploadedBy != nil {
			d.UploadedBy = names[*r.UploadedBy]
		}
		if err := s.openJSON("case_documents", "name", r.ID, r.Name, &d.Name); err != nil {
			return nil, internal(err, "open document name")
		}
		for _, dl := range downloads {
			if dl.DocumentID != d.ID {
				continue
			}
			x := delivery.Download{At: dl.At}
			if dl.ByStaff != nil {
				x.By = "?"
				if dl.Name != nil {
					x.By = *dl.Name
				}
			}
			d.Downloads = append(d.Downloads, x)
		}
		out[i] = d
	}
	return out, nil
}

func timeOr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// staffNames maps every staff member's id to their name.
func (s *Deliveries) staffNames(ctx context.Context) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Name string
	}
	if err := s.db.WithContext(ctx).Table("staff").Select("id, name").Scan(&rows).Error; err != nil {
		return nil, internal(err, "staff names")
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// RemoveDocument implements delivery.Store.
func (s *Deliveries) RemoveDocument(ctx context.Context, a casework.Actor, caseID int64, id string, at time.Time) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND case_id = ? AND sent_at IS NULL", id, caseID).Delete(&documentRow{})
		if res.Error != nil {
			return internal(res.Error, "remove document")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: auditActor(a, caseID), Action: audit.FileDelete,
			Object: audit.Case(caseID), Address: a.Address, Detail: "document reason=removed"})
	})
}

// RecordDownload implements delivery.Store.
func (s *Deliveries) RecordDownload(ctx context.Context, a casework.Actor, d delivery.Document, at time.Time) error {
	if audit.IsUnseen(ctx) {
		return nil
	}
	return s.write(context.WithoutCancel(ctx), func(tx *gorm.DB) error {
		row := downloadRow{DocumentID: d.ID, At: at.UTC()}
		if !a.Requester {
			row.ByStaff = ref(a.ID)
		}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "record download")
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: auditActor(a, d.CaseID), Action: audit.FileView,
			Object: audit.Case(d.CaseID), Address: a.Address, Detail: "document kind=" + d.Kind})
	})
}

// Codes implements delivery.Store.
func (s *Deliveries) Codes(ctx context.Context, caseID int64) (delivery.Codes, error) {
	return codesOf(s.db.WithContext(ctx), caseID)
}

func codesOf(db *gorm.DB, caseID int64) (delivery.Codes, error) {
	var r codesRow
	err := db.Take(&r, "case_id = ?", caseID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return delivery.Codes{}, nil
	}
	if err != nil {
		return delivery.Codes{}, internal(err, "read codes")
	}
	return delivery.Codes{Hash: r.CodeHash, Expires: timeOr(r.CodeExpires), Failures: r.Failures, LockedUntil: timeOr(r.LockedUntil),
		GrantHash: r.GrantHash, GrantExpires: timeOr(r.GrantExpires)}, nil
}

// UpdateCodes implements delivery.Store. The codes are read inside the
// write transaction, after a lock on the case's codes on PostgreSQL, so
// tries entered at once each count and a code is used once.
func (s *Deliveries) UpdateCodes(ctx context.Context, caseID int64, at time.Time, step func(delivery.Codes) (delivery.Codes, *mail.Message, error)) error {
	var stepErr error
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := lockKeys(tx, "delivery-codes:"+idString(caseID)); err != nil {
			return err
		}
		c, err := codesOf(tx, caseID)
		if err != nil {
			return err
		}
		var m *mail.Message
		c, m, stepErr = step(c)
		row := codesRow{CaseID: caseID, CodeHash: c.Hash, CodeExpires: timePtr(c.Expires), Failures: c.Failures,
			LockedUntil: timePtr(c.LockedUntil), GrantHash: c.GrantHash, GrantExpires: timePtr(c.GrantExpires)}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return internal(err, "save codes")
		}
		if m == nil {
			return nil
		}
		return s.enqueue(tx, []mail.Message{*m}, at)
	})
	if err != nil {
		return err
	}
	return stepErr
}

// DocumentsDue implements delivery.Store.
func (s *Deliveries) DocumentsDue(ctx context.Context, now time.Time) ([]delivery.Document, error) {
	var rows []documentRow
	err := s.db.WithContext(ctx).Where("destroyed_at IS NULL AND destroy_after IS NOT NULL AND destroy_after <= ?", now.UTC()).
		Order("destroy_after").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "documents due")
	}
	out := make([]delivery.Document, len(rows))
	for i, r := range rows {
		out[i] = delivery.Document{ID: r.ID, CaseID: r.CaseID, Kind: r.Kind}
	}
	return out, nil
}

// DocumentDestroyed implements delivery.Store: the record stays, marked
// destroyed, with its name blanked; the timeline and the audit trail say so.
func (s *Deliveries) DocumentDestroyed(ctx context.Context, d delivery.Document, at time.Time) error {
	name, err := s.sealJSON("case_documents", "name", d.ID, "")
	if err != nil {
		return internal(err, "seal document name")
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&documentRow{}).Where("id = ? AND destroyed_at IS NULL", d.ID).
			Updates(map[string]any{"destroyed_at": at.UTC(), "name": name})
		if res.Error != nil {
			return internal(res.Error, "destroy document")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: audit.System, Action: audit.FileDelete,
			Object: audit.Case(d.CaseID), Detail: "document reason=expired"})
	})
}

// sendDocuments marks a case's unsent documents sent, in UpdateCase's
// transaction (casework.Change.SendDocuments).
func sendDocuments(tx *gorm.DB, caseID int64, d casework.DocumentsSent) error {
	res := tx.Model(&documentRow{}).Where("case_id = ? AND sent_at IS NULL AND destroyed_at IS NULL", caseID).
		Updates(map[string]any{"sent_at": d.At.UTC(), "destroy_after": d.DestroyAfter.UTC()})
	if res.Error != nil {
		return internal(res.Error, "send documents")
	}
	if res.RowsAffected == 0 {
		return conflict("delivery.nothing_to_send")
	}
	return nil
}
