package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/staff"
)

// Staff is the team: members, invitations and API tokens.
type Staff struct{ *DB }

type staffRow struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	Name         string
	Role         string
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time

	// Sign-in (migration 0003; see auth.go).
	TOTPSecret        []byte     `gorm:"column:totp_secret"` // sealed, AAD staff/totp_secret/id
	TOTPEnabledAt     *time.Time `gorm:"column:totp_enabled_at"`
	TOTPLastStep      int64      `gorm:"column:totp_last_step"`
	OIDCIssuer        *string    `gorm:"column:oidc_issuer"`
	OIDCSubject       *string    `gorm:"column:oidc_subject"`
	InvitedAt         *time.Time `gorm:"column:invited_at"`
	PasswordChangedAt *time.Time `gorm:"column:password_changed_at"`
}

func (staffRow) TableName() string { return "staff" }

type staffBranchRow struct {
	StaffID  int64 `gorm:"primaryKey"`
	BranchID int64 `gorm:"primaryKey"`
}

func (staffBranchRow) TableName() string { return "staff_branches" }

type apiTokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	StaffID    int64
	TokenHash  string
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// AddMember creates a staff account. An e-mail address already in use gives
// a Conflict error; an unknown branch code an Invalid error.
func (s *Staff) AddMember(ctx context.Context, m staff.NewMember, now time.Time) (staff.Member, error) {
	var out staff.Member
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = addMember(tx, m, now)
		return err
	})
	return out, err
}

func addMember(tx *gorm.DB, m staff.NewMember, now time.Time) (staff.Member, error) {
	var n int64
	if err := tx.Model(&staffRow{}).Where("email = ?", m.Email).Count(&n).Error; err != nil {
		return staff.Member{}, internal(err, "add staff")
	}
	if n > 0 {
		return staff.Member{}, apperr.New(apperr.Conflict, "a staff account with this e-mail address exists")
	}
	r := staffRow{Email: m.Email, Name: m.Name, Role: string(m.Role), PasswordHash: m.PasswordHash, CreatedAt: now.UTC()}
	if err := tx.Create(&r).Error; err != nil {
		return staff.Member{}, internal(err, "add staff")
	}
	for _, code := range m.Branches {
		var b branchRow
		err := tx.Where("code = ?", code).Take(&b).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return staff.Member{}, apperr.New(apperr.Invalid, "unknown branch "+code)
		}
		if err != nil {
			return staff.Member{}, internal(err, "add staff")
		}
		if err := tx.Create(&staffBranchRow{StaffID: r.ID, BranchID: b.ID}).Error; err != nil {
			return staff.Member{}, internal(err, "add staff branch")
		}
	}
	return staff.Member{ID: r.ID, Email: r.Email, Name: r.Name, Role: m.Role, Branches: m.Branches}, nil
}

// CountMembers returns the number of staff accounts.
func (s *Staff) CountMembers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&staffRow{}).Count(&n).Error; err != nil {
		return 0, internal(err, "count staff")
	}
	return n, nil
}

// MemberByEmail returns the staff account with the address, or NotFound.
func (s *Staff) MemberByEmail(ctx context.Context, email string) (staff.Member, error) {
	var r staffRow
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return staff.Member{}, notFound()
	}
	if err != nil {
		return staff.Member{}, internal(err, "read staff")
	}
	return s.member(ctx, s.db, r)
}

func (s *DB) member(ctx context.Context, db *gorm.DB, r staffRow) (staff.Member, error) {
	var codes []string
	err := db.WithContext(ctx).Table("staff_branches").
		Joins("JOIN branches ON branches.id = staff_branches.branch_id").
		Where("staff_branches.staff_id = ?", r.ID).Order("branches.code").
		Pluck("branches.code", &codes).Error
	if err != nil {
		return staff.Member{}, internal(err, "read staff branches")
	}
	return staff.Member{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: staff.Role(r.Role),
		Branches: codes, Disabled: r.DisabledAt != nil,
	}, nil
}

// AddAPIToken stores the hash of a new API token for a staff member.
func (s *Staff) AddAPIToken(ctx context.Context, staffID int64, hash, label string, now time.Time) error {
	r := apiTokenRow{StaffID: staffID, TokenHash: hash, Label: label, CreatedAt: now.UTC()}
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) }).Error; err != nil {
		return internal(err, "add token")
	}
	return nil
}

// RevokeAPIToken revokes the token with the hash. NotFound if there is no
// such live token.
func (s *Staff) RevokeAPIToken(ctx context.Context, hash string, now time.Time) error {
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&apiTokenRow{}).
			Where("token_hash = ? AND revoked_at IS NULL", hash).Update("revoked_at", now.UTC())
	})
	if res.Error != nil {
		return internal(res.Error, "revoke token")
	}
	if res.RowsAffected == 0 {
		return notFound()
	}
	return nil
}

// MemberByAPIToken returns the enabled staff member whose live token hashes
// to hash, or an Unauthorized error.
func (s *Staff) MemberByAPIToken(ctx context.Context, hash string, now time.Time) (staff.Member, error) {
	var r staffRow
	err := s.db.WithContext(ctx).Table("staff").
		Joins("JOIN api_tokens ON api_tokens.staff_id = staff.id").
		Where("api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND staff.disabled_at IS NULL", hash).
		Select("staff.*").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return staff.Member{}, apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return staff.Member{}, internal(err, "read token")
	}
	return s.member(ctx, s.db, r)
}
