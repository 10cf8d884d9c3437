// Package staff holds the practice's staff accounts and what each may see:
// owners see everything; officers see the cases of their branches, or all
// cases when they belong to no branch (the head office).
package staff

import (
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/plaintext"
)

// Role is what a staff member may do.
type Role string

// The roles.
const (
	Owner   Role = "owner"   // everything: settings, users, branches, breach register
	Officer Role = "officer" // the cases of their branches
)

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	switch Role(s) {
	case Owner, Officer:
		return Role(s), true
	}
	return "", false
}

// Member is a staff account.
type Member struct {
	ID       int64
	Email    string
	Name     string
	Role     Role
	Branches []string // branch codes; empty for owners and head-office officers
	Disabled bool
}

// NewMember is a staff account to create.
type NewMember struct {
	Email        string
	Name         string
	Role         Role
	Branches     []string // branch codes; each must exist
	PasswordHash string   // argon2id PHC string, or empty for OIDC-only accounts
}

// APIToken is a member's API token as its owner sees it: never the token
// itself, which is shown once and stored only as a hash.
type APIToken struct {
	ID         int64
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Scope returns the cases the member may see.
func (m Member) Scope() casework.Scope {
	if m.Role == Owner || len(m.Branches) == 0 {
		return casework.Scope{All: true}
	}
	return casework.Scope{Branches: m.Branches}
}

var branchCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidBranchCode reports whether code is a usable branch code: lower-case
// letters, digits and dashes, at most 40 characters.
func ValidBranchCode(code string) bool { return branchCode.MatchString(code) }

// MaxName is the longest name of a staff member, in characters.
const MaxName = 200

// NameProblem returns the message ID of what is wrong with name, a staff
// member's name already trimmed, or "" when it may be stored: it is
// required, at most MaxName characters, and one line without control
// characters, since it goes into the header of the mails they get.
func NameProblem(name string) string {
	switch {
	case name == "":
		return "field.required"
	case utf8.RuneCountInString(name) > MaxName:
		return "field.too_long"
	case !plaintext.Line(name):
		return "field.single_line"
	}
	return ""
}

// NormalizeEmail returns s as a staff member's address is stored
// (email.Normalize), or false if that is not a valid address (email.Valid).
func NormalizeEmail(s string) (string, bool) {
	s = email.Normalize(s)
	if !email.Valid(s) {
		return "", false
	}
	return s, true
}
