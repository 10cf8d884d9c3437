package staff

import (
	"context"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// InviteValidity is how long an invitation link works.
const InviteValidity = 72 * time.Hour

// Store is the persistence the staff service needs. The storage package
// implements it.
type Store interface {
	Settings(ctx context.Context) (practice.Settings, error)
	// Invite creates an invited account with a one-time link to choose a
	// password (its hash and expiry), queues the mail compose writes for
	// the new member and audits it as who, in one transaction. Conflict if
	// the address has an account; Invalid if a branch does not exist.
	Invite(ctx context.Context, m NewMember, linkHash string, expires time.Time, who audit.Entry,
		compose func(Member) (mail.Message, error)) (Member, error)
}

// Letters writes the invitation mail.
type Letters interface {
	Invitation(m Member, practiceName, link, signInURL string, oidc bool) (mail.Message, error)
}

// Service manages the practice's staff accounts.
type Service struct {
	store   Store
	letters Letters
	clock   clock.Clock
	baseURL string // the portal's public address, for the links in mails
	oidc    bool   // staff may sign in with the organisation's account
}

// NewService returns a Service. baseURL is the portal's public address
// without a trailing slash; oidc tells whether sign-in through the
// organisation's account is offered, which the invitation mentions.
func NewService(s Store, l Letters, c clock.Clock, baseURL string, oidc bool) *Service {
	return &Service{store: s, letters: l, clock: c, baseURL: baseURL, oidc: oidc}
}

// Invitation is an owner's invitation of a colleague as typed.
type Invitation struct {
	Email, Name, Role string
	Branches          []string // branch codes; ignored for an owner, who sees every branch
}

// Field names of an invitation's problems.
const (
	FieldInviteEmail    = "email"
	FieldInviteName     = "name"
	FieldInviteRole     = "role"
	FieldInviteBranches = "branches"
)

// Validate returns the problems of inv, keyed by its field names, with the
// address normalised and the role parsed when there are none.
func (inv Invitation) Validate() (NewMember, map[string]string) {
	problems := map[string]string{}
	email, ok := NormalizeEmail(inv.Email)
	if !ok {
		problems[FieldInviteEmail] = "field.email"
	}
	if msg := NameProblem(inv.Name); msg != "" {
		problems[FieldInviteName] = msg
	}
	role, ok := ParseRole(inv.Role)
	if !ok {
		problems[FieldInviteRole] = "field.choose"
	}
	m := NewMember{Email: email, Name: inv.Name, Role: role, Branches: inv.Branches}
	if role == Owner {
		m.Branches = nil // owners see every branch
	}
	return m, problems
}

// Invite creates the colleague's account and queues the invitation with a
// one-time link to choose a password (valid InviteValidity), audited as
// done by who, all in one transaction. It returns an Invalid error with
// field problems (also "branches" for a branch that does not exist), or a
// Conflict error when the address already has an account.
func (s *Service) Invite(ctx context.Context, inv Invitation, who audit.Entry) (Member, error) {
	nm, problems := inv.Validate()
	if len(problems) > 0 {
		return Member{}, apperr.InvalidFields(problems)
	}
	token, err := casework.NewToken()
	if err != nil {
		return Member{}, apperr.Wrap(err, "error.internal")
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Member{}, err
	}
	now := s.clock.Now()
	who.At = now
	m, err := s.store.Invite(ctx, nm, casework.HashToken(token), now.Add(InviteValidity), who, func(m Member) (mail.Message, error) {
		return s.letters.Invitation(m, settings.Name, s.baseURL+"/staff/welcome/"+token, s.baseURL+"/staff/signin", s.oidc)
	})
	if apperr.CodeOf(err) == apperr.Invalid {
		return Member{}, apperr.InvalidFields(map[string]string{FieldInviteBranches: "field.branch"})
	}
	return m, err
}
