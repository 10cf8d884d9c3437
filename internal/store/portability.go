package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/register"
)

// casePortabilityRow is the record of a portability case. Body is sealed:
// the data the person provided and the organisations the export went to.
type casePortabilityRow struct {
	CaseID     int64 `gorm:"primaryKey"`
	Body       []byte
	DocumentID string
	ExportedAt *time.Time
}

func (casePortabilityRow) TableName() string { return "case_portability" }

// portabilityBody is the sealed body, in JSON.
type portabilityBody struct {
	Items     []portabilityItem     `json:"items"`
	Transfers []portabilityTransfer `json:"transfers"`
}

type portabilityItem struct {
	Activity string             `json:"activity"`
	Name     string             `json:"name"`
	Basis    string             `json:"basis"`
	Fields   portability.Fields `json:"fields"`
}

type portabilityTransfer struct {
	Organisation string    `json:"organisation"`
	Email        string    `json:"email"`
	At           time.Time `json:"at"`
}

// portabilityLinkRow is a download link of an export for another
// organisation; only the hash of its secret is kept.
type portabilityLinkRow struct {
	TokenHash    string `gorm:"primaryKey"`
	CaseID       int64
	DocumentID   string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	Downloads    int
	DownloadedAt *time.Time
}

func (portabilityLinkRow) TableName() string { return "portability_links" }

// casePortability returns the portability record of case caseID; the zero
// record when none was made.
func (s *Cases) casePortability(db *gorm.DB, caseID int64) (casework.PortabilityRecord, error) {
	var r casePortabilityRow
	err := db.Take(&r, "case_id = ?", caseID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.PortabilityRecord{}, nil
	}
	if err != nil {
		return casework.PortabilityRecord{}, internal(err, "read portability")
	}
	var b portabilityBody
	if err := s.openJSON("case_portability", "body", idString(caseID), r.Body, &b); err != nil {
		return casework.PortabilityRecord{}, internal(err, "open portability")
	}
	p := casework.PortabilityRecord{Document: r.DocumentID}
	if r.ExportedAt != nil {
		p.ExportedAt = *r.ExportedAt
	}
	for _, it := range b.Items {
		p.Items = append(p.Items, portability.Item{Activity: it.Activity, Name: it.Name, Basis: register.LegalBasis(it.Basis), Fields: it.Fields})
	}
	for _, t := range b.Transfers {
		p.Transfers = append(p.Transfers, casework.Transfer{Organisation: t.Organisation, Email: t.Email, At: t.At})
	}
	return p, nil
}

// writePortability stores the portability record a Change carries and, for
// a transfer, its download link, inside tx. The link's document is then
// destroyed when the link expires, as a sent answer document is, unless it
// was already due earlier.
func (s *Cases) writePortability(tx *gorm.DB, caseID int64, ch casework.Change) error {
	pc := ch.Portability
	if pc == nil {
		return nil
	}
	var b portabilityBody
	for _, it := range pc.Record.Items {
		b.Items = append(b.Items, portabilityItem{it.Activity, it.Name, string(it.Basis), it.Fields})
	}
	for _, t := range pc.Record.Transfers {
		b.Transfers = append(b.Transfers, portabilityTransfer{t.Organisation, t.Email, t.At.UTC()})
	}
	body, err := s.sealJSON("case_portability", "body", idString(caseID), b)
	if err != nil {
		return internal(err, "seal portability")
	}
	row := casePortabilityRow{CaseID: caseID, Body: body, DocumentID: pc.Record.Document}
	if !pc.Record.ExportedAt.IsZero() {
		row.ExportedAt = utc(&pc.Record.ExportedAt)
	}
	if err := tx.Save(&row).Error; err != nil {
		return internal(err, "record portability")
	}
	if l := pc.Link; l != nil {
		if err := tx.Create(&portabilityLinkRow{TokenHash: l.Hash, CaseID: caseID, DocumentID: l.Document,
			CreatedAt: l.Created.UTC(), ExpiresAt: l.Expires.UTC()}).Error; err != nil {
			return internal(err, "record portability link")
		}
		res := tx.Model(&documentRow{}).Where("id = ? AND case_id = ? AND destroyed_at IS NULL AND (destroy_after IS NULL OR destroy_after > ?)",
			l.Document, caseID, l.Expires.UTC()).Update("destroy_after", l.Expires.UTC())
		if res.Error != nil {
			return internal(res.Error, "keep portability document")
		}
	}
	return nil
}

// OpenPortabilityLink returns the case and the link whose secret hashes
// to hash and records a download of it from address at, audited as an
// export of the case (the organisation is not named). NotFound when there
// is no such link or it expired at at.
func (s *Cases) OpenPortabilityLink(ctx context.Context, hash, address string, at time.Time) (int64, casework.TransferLink, error) {
	var r portabilityLinkRow
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Take(&r, "token_hash = ? AND expires_at > ?", hash, at.UTC()).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return internal(err, "read portability link")
		}
		if audit.IsUnseen(ctx) {
			return nil
		}
		if err := tx.Model(&r).Updates(map[string]any{"downloads": gorm.Expr("downloads + 1"), "downloaded_at": at.UTC()}).Error; err != nil {
			return internal(err, "record portability download")
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: audit.Anonymous, Action: audit.CaseExport,
			Object: audit.Case(r.CaseID), Address: address, Detail: "portability_link"})
	})
	if err != nil {
		return 0, casework.TransferLink{}, err
	}
	return r.CaseID, linkOf(r), nil
}

// PortabilityLinks returns the export links of case caseID for other
// organisations, oldest first, with their downloads (no hashes).
func (s *Cases) PortabilityLinks(ctx context.Context, caseID int64) ([]casework.TransferLink, error) {
	var rows []portabilityLinkRow
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at").Find(&rows).Error; err != nil {
		return nil, internal(err, "read portability links")
	}
	out := make([]casework.TransferLink, len(rows))
	for i, r := range rows {
		out[i] = linkOf(r)
		out[i].Hash = ""
	}
	return out, nil
}

func linkOf(r portabilityLinkRow) casework.TransferLink {
	l := casework.TransferLink{Hash: r.TokenHash, Document: r.DocumentID, Created: r.CreatedAt, Expires: r.ExpiresAt, Downloads: r.Downloads}
	if r.DownloadedAt != nil {
		l.LastDownload = *r.DownloadedAt
	}
	return l
}
