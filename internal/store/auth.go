package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/vault"
)

// Accounts is what staff sign in with: passwords, second factors, OIDC
// bindings and sessions, from invitation to disabling.
type Accounts struct{ *DB }

var _ auth.Store = (*Accounts)(nil)

type sessionRow struct {
	ID           int64 `gorm:"primaryKey"`
	IDHash       string
	StaffID      int64
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	SecondFactor bool
}

func (sessionRow) TableName() string { return "sessions" }

type recoveryCodeRow struct {
	ID       int64 `gorm:"primaryKey"`
	StaffID  int64
	CodeHash string
	UsedAt   *time.Time
}

func (recoveryCodeRow) TableName() string { return "recovery_codes" }

type loginFailureRow struct {
	ID         int64 `gorm:"primaryKey"`
	AccountKey string
	Address    string
	At         time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

type oidcAttemptRow struct {
	ID          int64 `gorm:"primaryKey"`
	StateHash   string
	BrowserHash string
	NonceHash   string
	Verifier    []byte // sealed, AAD oidc_attempts/verifier/state_hash
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
}

func (oidcAttemptRow) TableName() string { return "oidc_attempts" }

// totpAAD binds a sealed TOTP secret to its staff row.
func totpAAD(staffID int64) []byte { return vault.AAD("staff", "totp_secret", idString(staffID)) }

// verifierAAD binds a sealed PKCE verifier to its attempt. The row id is
// not known before the insert; the state hash is unique and fixed.
func verifierAAD(stateHash string) []byte { return vault.AAD("oidc_attempts", "verifier", stateHash) }

// conflict is the error of a conditional update that found nothing to do.
func conflict(msg string) error { return apperr.New(apperr.Conflict, msg) }

// InviteMember creates a staff account by invitation: like AddMember, and
// marked invited, which lets its owner bind an OIDC identity on first
// sign-in when the account has no password.
func (s *Accounts) InviteMember(ctx context.Context, m staff.NewMember, now time.Time) (staff.Member, error) {
	var out staff.Member
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = addMember(tx, m, now); err != nil {
			return err
		}
		if err := tx.Model(&staffRow{}).Where("id = ?", out.ID).Update("invited_at", now.UTC()).Error; err != nil {
			return internal(err, "invite staff")
		}
		return nil
	})
	return out, err
}

// MarkInvited marks an enabled account without a password and without an
// OIDC binding as invited (an account made by `user add`), so that its
// owner can bind an OIDC identity on first sign-in. NotFound if there is no
// such account; Conflict if it has a password, a binding or is disabled.
// Marking an invited account again changes nothing.
func (s *Accounts) MarkInvited(ctx context.Context, staffID int64, now time.Time) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var r staffRow
		if err := tx.Where("id = ?", staffID).Take(&r).Error; err != nil {
			return notFound()
		}
		if r.PasswordHash != "" || r.OIDCSubject != nil || r.DisabledAt != nil {
			return conflict("the account has a password, an OIDC identity or is disabled")
		}
		if r.InvitedAt != nil {
			return nil
		}
		if err := tx.Model(&staffRow{}).Where("id = ?", staffID).Update("invited_at", now.UTC()).Error; err != nil {
			return internal(err, "invite staff")
		}
		return nil
	})
}

// DisableMember disables the staff account and deletes all its sessions in
// the same transaction, so no request is served for it afterwards.
// Disabling a disabled account only deletes sessions. NotFound if there is
// no such account. who, when it names an actor, is written to the audit
// trail in the same transaction.
func (s *Accounts) DisableMember(ctx context.Context, staffID int64, who audit.Entry) error {
	now := who.At
	return s.write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&staffRow{}).Where("id = ?", staffID).Count(&n).Error; err != nil {
			return internal(err, "disable staff")
		}
		if n == 0 {
			return notFound()
		}
		if err := tx.Model(&staffRow{}).Where("id = ? AND disabled_at IS NULL", staffID).
			Update("disabled_at", now.UTC()).Error; err != nil {
			return internal(err, "disable staff")
		}
		if err := tx.Where("staff_id = ?", staffID).Delete(&sessionRow{}).Error; err != nil {
			return internal(err, "end sessions")
		}
		if who.Actor == "" {
			return nil
		}
		who.Action, who.Object = audit.StaffDisable, audit.Staff(staffID)
		return s.appendAudit(tx, who)
	})
}

// AccountByEmail returns the sign-in account with the (normalised) address.
func (s *Accounts) AccountByEmail(ctx context.Context, email string) (auth.Account, error) {
	return s.accountWhere(ctx, "email = ?", email)
}

// AccountByID returns the sign-in account of the staff member.
func (s *Accounts) AccountByID(ctx context.Context, staffID int64) (auth.Account, error) {
	return s.accountWhere(ctx, "id = ?", staffID)
}

// AccountByOIDC returns the account bound to the OIDC (issuer, subject).
func (s *Accounts) AccountByOIDC(ctx context.Context, issuer, subject string) (auth.Account, error) {
	return s.accountWhere(ctx, "oidc_issuer = ? AND oidc_subject = ?", issuer, subject)
}

func (s *Accounts) accountWhere(ctx context.Context, cond string, args ...any) (auth.Account, error) {
	var r staffRow
	err := s.db.WithContext(ctx).Where(cond, args...).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return auth.Account{}, notFound()
	}
	if err != nil {
		return auth.Account{}, internal(err, "read staff")
	}
	m, err := s.member(ctx, s.db, r)
	if err != nil {
		return auth.Account{}, err
	}
	a := auth.Account{
		Member: m, PasswordHash: r.PasswordHash,
		TOTPEnabled: r.TOTPEnabledAt != nil, TOTPLastStep: r.TOTPLastStep,
		Invited: r.InvitedAt != nil,
	}
	if r.OIDCIssuer != nil && r.OIDCSubject != nil {
		a.OIDCIssuer, a.OIDCSubject = *r.OIDCIssuer, *r.OIDCSubject
	}
	if len(r.TOTPSecret) > 0 {
		secret, err := s.vault.Open(r.TOTPSecret, totpAAD(r.ID))
		if err != nil {
			return auth.Account{}, internal(err, "open totp secret")
		}
		a.TOTPSecret = string(secret)
	}
	return a, nil
}

// RehashPassword replaces the password hash oldHash by newHash; if the
// password was changed in between, it leaves the new one alone.
func (s *Accounts) RehashPassword(ctx context.Context, staffID int64, oldHash, newHash string) error {
	err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&staffRow{}).
			Where("id = ? AND password_hash = ?", staffID, oldHash).Update("password_hash", newHash)
	}).Error
	if err != nil {
		return internal(err, "rehash password")
	}
	return nil
}

// SetPassword stores a new password hash and the time of the change, and
// ends all the member's sessions, in one transaction.
func (s *Accounts) SetPassword(ctx context.Context, staffID int64, hash string, at time.Time) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&staffRow{}).Where("id = ?", staffID).
			Updates(map[string]any{"password_hash": hash, "password_changed_at": at.UTC()})
		if res.Error != nil {
			return internal(res.Error, "set password")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		if err := tx.Where("staff_id = ?", staffID).Delete(&sessionRow{}).Error; err != nil {
			return internal(err, "end sessions")
		}
		return nil
	})
}

// AddLoginFailure records an attempt and counts, in the same (immediate)
// transaction, the attempts after since for the account key and for the
// address, this one included; so parallel attempts see each other. Stale
// rows of this account and address are dropped on the way.
func (s *Accounts) AddLoginFailure(ctx context.Context, accountKey, address string, at, since time.Time) (account, addr int, err error) {
	err = s.write(ctx, func(tx *gorm.DB) error {
		// Parallel attempts on PostgreSQL: each counts after the ones
		// before it have committed.
		if err := lockKeys(tx, "login-account:"+accountKey, "login-address:"+address); err != nil {
			return err
		}
		since := since.UTC()
		if err := tx.Where("(account_key = ? OR address = ?) AND at <= ?", accountKey, address, since).
			Delete(&loginFailureRow{}).Error; err != nil {
			return internal(err, "prune login failures")
		}
		if err := tx.Create(&loginFailureRow{AccountKey: accountKey, Address: address, At: at.UTC()}).Error; err != nil {
			return internal(err, "add login failure")
		}
		var na, nb int64
		if err := tx.Model(&loginFailureRow{}).Where("account_key = ? AND at > ?", accountKey, since).Count(&na).Error; err != nil {
			return internal(err, "count login failures")
		}
		if err := tx.Model(&loginFailureRow{}).Where("address = ? AND at > ?", address, since).Count(&nb).Error; err != nil {
			return internal(err, "count login failures")
		}
		account, addr = int(na), int(nb)
		return nil
	})
	return account, addr, err
}

// ClearLoginFailures forgets the recorded attempts for the account key.
func (s *Accounts) ClearLoginFailures(ctx context.Context, accountKey string) error {
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Where("account_key = ?", accountKey).Delete(&loginFailureRow{}) }).Error; err != nil {
		return internal(err, "clear login failures")
	}
	return nil
}

func sessionRowOf(idHash string, sess auth.Session) sessionRow {
	return sessionRow{
		IDHash: idHash, StaffID: sess.StaffID, CreatedAt: sess.CreatedAt.UTC(),
		LastSeenAt: sess.LastSeen.UTC(), ExpiresAt: sess.ExpiresAt.UTC(), SecondFactor: sess.SecondFactor,
	}
}

// CreateSession stores a session under the hash of its id.
func (s *Accounts) CreateSession(ctx context.Context, idHash string, sess auth.Session) error {
	r := sessionRowOf(idHash, sess)
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) }).Error; err != nil {
		return internal(err, "create session")
	}
	return nil
}

// SessionByHash returns the session stored under idHash, or NotFound.
func (s *Accounts) SessionByHash(ctx context.Context, idHash string) (auth.Session, error) {
	var r sessionRow
	err := s.db.WithContext(ctx).Where("id_hash = ?", idHash).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return auth.Session{}, notFound()
	}
	if err != nil {
		return auth.Session{}, internal(err, "read session")
	}
	return auth.Session{
		StaffID: r.StaffID, CreatedAt: r.CreatedAt, LastSeen: r.LastSeenAt,
		ExpiresAt: r.ExpiresAt, SecondFactor: r.SecondFactor,
	}, nil
}

// TouchSession sets the session's last request time.
func (s *Accounts) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&sessionRow{}).Where("id_hash = ?", idHash).Update("last_seen_at", at.UTC())
	}).Error
	if err != nil {
		return internal(err, "touch session")
	}
	return nil
}

// ReplaceSession deletes the session under oldHash and stores sess under
// newHash in one transaction; NotFound if oldHash is gone (signed out or
// rotated by another request meanwhile).
func (s *Accounts) ReplaceSession(ctx context.Context, oldHash, newHash string, sess auth.Session) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id_hash = ?", oldHash).Delete(&sessionRow{})
		if res.Error != nil {
			return internal(res.Error, "replace session")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		r := sessionRowOf(newHash, sess)
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "replace session")
		}
		return nil
	})
}

// DeleteSession deletes the session under idHash, if any.
func (s *Accounts) DeleteSession(ctx context.Context, idHash string) error {
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Where("id_hash = ?", idHash).Delete(&sessionRow{}) }).Error; err != nil {
		return internal(err, "delete session")
	}
	return nil
}

// DeleteSessions deletes all the sessions of the member.
func (s *Accounts) DeleteSessions(ctx context.Context, staffID int64) error {
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Where("staff_id = ?", staffID).Delete(&sessionRow{}) }).Error; err != nil {
		return internal(err, "delete sessions")
	}
	return nil
}

// SetPendingTOTP seals and stores a new TOTP secret awaiting confirmation,
// replacing an earlier pending one; Conflict if TOTP is enabled already.
func (s *Accounts) SetPendingTOTP(ctx context.Context, staffID int64, secret string) error {
	sealed, err := s.vault.Seal([]byte(secret), totpAAD(staffID))
	if err != nil {
		return internal(err, "seal totp secret")
	}
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&staffRow{}).Where("id = ? AND totp_enabled_at IS NULL", staffID).
			Updates(map[string]any{"totp_secret": sealed, "totp_last_step": 0})
	})
	if res.Error != nil {
		return internal(res.Error, "set totp secret")
	}
	if res.RowsAffected == 0 {
		return conflict("totp.already_enabled")
	}
	return nil
}

// EnableTOTP enables the pending TOTP secret, provided it is still secret
// (another enrolment may have replaced it meanwhile), with step as the last
// step used, and replaces the member's recovery codes by recoveryHashes,
// in one transaction. Conflict if there is no such pending secret.
func (s *Accounts) EnableTOTP(ctx context.Context, staffID int64, secret string, step int64, at time.Time, recoveryHashes []string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var r staffRow
		// Locked as read: of two confirmations at once, the second finds
		// TOTP enabled, and the recovery codes shown are the ones stored.
		err := forUpdate(tx, "staff").Where("id = ? AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL", staffID).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return conflict("totp.not_started")
		}
		if err != nil {
			return internal(err, "enable totp")
		}
		current, err := s.vault.Open(r.TOTPSecret, totpAAD(staffID))
		if err != nil {
			return internal(err, "open totp secret")
		}
		if string(current) != secret {
			return conflict("totp.not_started")
		}
		if err := tx.Model(&staffRow{}).Where("id = ?", staffID).
			Updates(map[string]any{"totp_enabled_at": at.UTC(), "totp_last_step": step}).Error; err != nil {
			return internal(err, "enable totp")
		}
		return replaceRecoveryCodes(tx, staffID, recoveryHashes)
	})
}

// AdvanceTOTPStep sets the last TOTP step used to step if it is higher
// than the stored one and TOTP is enabled, and reports whether it did. As
// one UPDATE it is a compare-and-set: of two requests with the same code
// only one succeeds.
func (s *Accounts) AdvanceTOTPStep(ctx context.Context, staffID int64, step int64) (bool, error) {
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&staffRow{}).
			Where("id = ? AND totp_enabled_at IS NOT NULL AND totp_last_step < ?", staffID, step).
			Update("totp_last_step", step)
	})
	if res.Error != nil {
		return false, internal(res.Error, "advance totp step")
	}
	return res.RowsAffected == 1, nil
}

// UseRecoveryCode marks the member's unused recovery code with the hash as
// used at at, and reports whether there was one.
func (s *Accounts) UseRecoveryCode(ctx context.Context, staffID int64, hash string, at time.Time) (bool, error) {
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&recoveryCodeRow{}).
			Where("staff_id = ? AND code_hash = ? AND used_at IS NULL", staffID, hash).
			Update("used_at", at.UTC())
	})
	if res.Error != nil {
		return false, internal(res.Error, "use recovery code")
	}
	return res.RowsAffected == 1, nil
}

// ReplaceRecoveryCodes deletes the member's recovery codes, used or not,
// and stores recoveryHashes instead, in one transaction; Conflict if TOTP is
// not enabled.
func (s *Accounts) ReplaceRecoveryCodes(ctx context.Context, staffID int64, recoveryHashes []string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&staffRow{}).Where("id = ? AND totp_enabled_at IS NOT NULL", staffID).Count(&n).Error; err != nil {
			return internal(err, "replace recovery codes")
		}
		if n == 0 {
			return conflict("totp.not_enabled")
		}
		return replaceRecoveryCodes(tx, staffID, recoveryHashes)
	})
}

// ResetSecondFactor removes the member's TOTP secret (pending or enabled)
// and recovery codes and ends their sessions, for a lost device: at the
// next sign-in they enrol again. who, with its Actor set, is recorded as
// StaffUpdate "totp=reset" in the same transaction. NotFound for an unknown
// member.
func (s *Accounts) ResetSecondFactor(ctx context.Context, staffID int64, who audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&staffRow{}).Where("id = ?", staffID).
			Updates(map[string]any{"totp_secret": nil, "totp_enabled_at": nil, "totp_last_step": 0})
		if res.Error != nil {
			return internal(res.Error, "reset totp")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		if err := tx.Where("staff_id = ?", staffID).Delete(&recoveryCodeRow{}).Error; err != nil {
			return internal(err, "delete recovery codes")
		}
		if err := tx.Where("staff_id = ?", staffID).Delete(&sessionRow{}).Error; err != nil {
			return internal(err, "end sessions")
		}
		who.Action, who.Object, who.Detail = audit.StaffUpdate, audit.Staff(staffID), "totp=reset"
		return s.appendAudit(tx, who)
	})
}

// RecoveryCodesLeft returns how many unused recovery codes the member has.
func (s *Accounts) RecoveryCodesLeft(ctx context.Context, staffID int64) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&recoveryCodeRow{}).Where("staff_id = ? AND used_at IS NULL", staffID).Count(&n).Error
	if err != nil {
		return 0, internal(err, "count recovery codes")
	}
	return int(n), nil
}

// AddOIDCAttempt stores an OIDC sign-in under way, the PKCE verifier sealed.
func (s *Accounts) AddOIDCAttempt(ctx context.Context, a auth.OIDCAttempt) error {
	sealed, err := s.vault.Seal([]byte(a.Verifier), verifierAAD(a.StateHash))
	if err != nil {
		return internal(err, "seal verifier")
	}
	r := oidcAttemptRow{
		StateHash: a.StateHash, BrowserHash: a.BrowserHash, NonceHash: a.NonceHash, Verifier: sealed,
		CreatedAt: a.CreatedAt.UTC(), ExpiresAt: a.ExpiresAt.UTC(),
	}
	if err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) }).Error; err != nil {
		return internal(err, "add oidc attempt")
	}
	return nil
}

// TakeOIDCAttempt marks the unused attempt with the state hash as used and
// returns it, in one transaction; NotFound if it is unknown or was used.
// Expiry and the browser are the caller's to check.
func (s *Accounts) TakeOIDCAttempt(ctx context.Context, stateHash string, at time.Time) (auth.OIDCAttempt, error) {
	var r oidcAttemptRow
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Where("state_hash = ? AND used_at IS NULL", stateHash).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return internal(err, "read oidc attempt")
		}
		res := tx.Model(&oidcAttemptRow{}).Where("id = ? AND used_at IS NULL", r.ID).Update("used_at", at.UTC())
		if res.Error != nil {
			return internal(res.Error, "use oidc attempt")
		}
		if res.RowsAffected == 0 {
			return notFound()
		}
		return nil
	})
	if err != nil {
		return auth.OIDCAttempt{}, err
	}
	verifier, err := s.vault.Open(r.Verifier, verifierAAD(r.StateHash))
	if err != nil {
		return auth.OIDCAttempt{}, internal(err, "open verifier")
	}
	return auth.OIDCAttempt{
		StateHash: r.StateHash, BrowserHash: r.BrowserHash, NonceHash: r.NonceHash,
		Verifier: string(verifier), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
	}, nil
}

// BindOIDC binds (issuer, subject) to the account, which must be invited,
// enabled, without a password and not bound yet; Conflict otherwise, or
// when the identity is bound to another account already.
func (s *Accounts) BindOIDC(ctx context.Context, staffID int64, issuer, subject string) error {
	res := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&staffRow{}).
			Where("id = ? AND invited_at IS NOT NULL AND disabled_at IS NULL AND password_hash = '' AND oidc_subject IS NULL", staffID).
			Updates(map[string]any{"oidc_issuer": issuer, "oidc_subject": subject})
	})
	if res.Error != nil {
		if isUniqueViolation(res.Error) {
			return conflict("signin.oidc_bound")
		}
		return internal(res.Error, "bind oidc")
	}
	if res.RowsAffected == 0 {
		return conflict("signin.oidc_not_invited")
	}
	return nil
}

// isUniqueViolation reports a unique constraint's refusal, on either
// database (PostgreSQL's SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") || sqlState(err) == "23505")
}

// PruneAuth deletes sessions past their absolute end or idle since
// idleBefore, OIDC attempts past their end, and recorded sign-in attempts
// at or before failuresBefore.
func (s *Accounts) PruneAuth(ctx context.Context, now, idleBefore, failuresBefore time.Time) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		steps := []struct {
			what  string
			model any
			cond  string
			arg   []any
		}{
			{"sessions", &sessionRow{}, "expires_at <= ? OR last_seen_at <= ?", []any{now.UTC(), idleBefore.UTC()}},
			{"oidc attempts", &oidcAttemptRow{}, "expires_at <= ?", []any{now.UTC()}},
			{"login failures", &loginFailureRow{}, "at <= ?", []any{failuresBefore.UTC()}},
		}
		for _, st := range steps {
			if err := tx.Where(st.cond, st.arg...).Delete(st.model).Error; err != nil {
				return internal(err, fmt.Sprintf("prune %s", st.what))
			}
		}
		return nil
	})
}

// replaceRecoveryCodes deletes the member's recovery codes, used or not, and
// stores recoveryHashes instead, inside tx.
func replaceRecoveryCodes(tx *gorm.DB, staffID int64, recoveryHashes []string) error {
	if err := tx.Where("staff_id = ?", staffID).Delete(&recoveryCodeRow{}).Error; err != nil {
		return internal(err, "replace recovery codes")
	}
	for _, h := range recoveryHashes {
		if err := tx.Create(&recoveryCodeRow{StaffID: staffID, CodeHash: h}).Error; err != nil {
			return internal(err, "add recovery code")
		}
	}
	return nil
}
