package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/staff"
)

type inviteTokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	StaffID   int64
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (inviteTokenRow) TableName() string { return "invite_tokens" }

// Invite creates an invited staff account with a one-time link to choose a
// password (hash and expiry), queues the invitation mail that compose writes
// for the new member and audits it, all in one transaction.
func (s *Staff) Invite(ctx context.Context, m staff.NewMember, linkHash string, expires time.Time, who audit.Entry,
	compose func(staff.Member) (mail.Message, error)) (staff.Member, error) {
	var out staff.Member
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = addMember(tx, m, who.At); err != nil {
			return err
		}
		if err := tx.Model(&staffRow{}).Where("id = ?", out.ID).Update("invited_at", who.At.UTC()).Error; err != nil {
			return internal(err, "invite staff")
		}
		if err := tx.Create(&inviteTokenRow{StaffID: out.ID, TokenHash: linkHash, ExpiresAt: expires.UTC()}).Error; err != nil {
			return internal(err, "invite link")
		}
		msg, err := compose(out)
		if err != nil {
			return internal(err, "invitation mail")
		}
		if err := s.enqueue(tx, []mail.Message{msg}, who.At); err != nil {
			return err
		}
		who.Action, who.Object, who.Detail = audit.StaffInvite, audit.Staff(out.ID), "role="+string(m.Role)
		return s.appendAudit(tx, who)
	})
	return out, err
}

// InvitedMember returns the member whose unused, unexpired invitation link
// hashes to hash, or NotFound.
func (s *Staff) InvitedMember(ctx context.Context, hash string, now time.Time) (staff.Member, error) {
	var t inviteTokenRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now.UTC()).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return staff.Member{}, notFound()
	}
	if err != nil {
		return staff.Member{}, internal(err, "read invitation")
	}
	var r staffRow
	if err := s.db.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", t.StaffID).Take(&r).Error; err != nil {
		return staff.Member{}, notFound()
	}
	return s.member(ctx, s.db, r)
}

// AcceptInvite sets the first password of the member invited by the link
// and uses the link up, in one transaction; NotFound if the link is no
// longer valid.
func (s *Staff) AcceptInvite(ctx context.Context, hash, passwordHash string, now time.Time, address string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var t inviteTokenRow
		err := tx.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now.UTC()).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return internal(err, "read invitation")
		}
		// Conditional, so that the link is used once when it is
		// followed twice at once (PostgreSQL: the second waits for the
		// first's commit and then finds it used).
		use := tx.Model(&inviteTokenRow{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now.UTC())
		if use.Error != nil {
			return internal(use.Error, "use invitation")
		}
		if use.RowsAffected == 0 {
			return notFound()
		}
		res := tx.Model(&staffRow{}).Where("id = ? AND disabled_at IS NULL AND oidc_subject IS NULL", t.StaffID).
			Updates(map[string]any{"password_hash": passwordHash, "password_changed_at": now.UTC()})
		if res.Error != nil {
			return internal(res.Error, "set password")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		return s.appendAudit(tx, audit.Entry{At: now, Actor: audit.Staff(t.StaffID), Action: audit.PasswordChange,
			Object: audit.Staff(t.StaffID), Address: address, Detail: "via=invitation"})
	})
}
