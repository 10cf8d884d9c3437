package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/staff"
)

// APITokens lists a staff member's tokens, newest first.
func (s *Staff) APITokens(ctx context.Context, staffID int64) ([]staff.APIToken, error) {
	var rows []apiTokenRow
	if err := s.db.WithContext(ctx).Where("staff_id = ?", staffID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, internal(err, "list tokens")
	}
	out := make([]staff.APIToken, len(rows))
	for i, r := range rows {
		out[i] = staff.APIToken{ID: r.ID, Label: r.Label, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
	}
	return out, nil
}

// CreateAPIToken stores the hash of a new token of staffID and audits it,
// in one transaction. It returns the token's id.
func (s *Staff) CreateAPIToken(ctx context.Context, staffID int64, hash, label string, who audit.Entry) (int64, error) {
	r := apiTokenRow{StaffID: staffID, TokenHash: hash, Label: label, CreatedAt: who.At.UTC()}
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "add token")
		}
		who.Action, who.Object = audit.TokenCreate, audit.Token(r.ID)
		return s.appendAudit(tx, who)
	})
	return r.ID, err
}

// RevokeOwnAPIToken revokes token id if it belongs to staffID and is live;
// NotFound otherwise. The revocation is audited in the same transaction.
func (s *Staff) RevokeOwnAPIToken(ctx context.Context, staffID, id int64, who audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&apiTokenRow{}).Where("id = ? AND staff_id = ? AND revoked_at IS NULL", id, staffID).
			Update("revoked_at", who.At.UTC())
		if res.Error != nil {
			return internal(res.Error, "revoke token")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		who.Action, who.Object = audit.TokenRevoke, audit.Token(id)
		return s.appendAudit(tx, who)
	})
}

// Members lists every staff account, enabled first, then by name.
func (s *Staff) Members(ctx context.Context) ([]staff.Member, error) {
	var rows []staffRow
	if err := s.db.WithContext(ctx).Order("disabled_at IS NOT NULL, name").Find(&rows).Error; err != nil {
		return nil, internal(err, "list staff")
	}
	out := make([]staff.Member, 0, len(rows))
	for _, r := range rows {
		m, err := s.member(ctx, s.db, r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// RevokeAllAPITokens revokes every live API token of the member and audits
// each, in one transaction, and returns how many there were. Other
// members' tokens are untouched.
func (s *Staff) RevokeAllAPITokens(ctx context.Context, staffID int64, who audit.Entry) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *gorm.DB) error {
		n = 0 // fn may run again (writePostgres)
		var ids []int64
		if err := tx.Model(&apiTokenRow{}).Where("staff_id = ? AND revoked_at IS NULL", staffID).Order("id").Pluck("id", &ids).Error; err != nil {
			return internal(err, "list tokens")
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Model(&apiTokenRow{}).Where("id IN ? AND revoked_at IS NULL", ids).Update("revoked_at", who.At.UTC()).Error; err != nil {
			return internal(err, "revoke tokens")
		}
		for _, id := range ids {
			e := who
			e.Action, e.Object, e.Detail = audit.TokenRevoke, audit.Token(id), "all"
			if err := s.appendAudit(tx, e); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
