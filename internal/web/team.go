package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// teamPage is the owner's view of the staff and the branches.
type teamPage struct {
	base
	formState
	Members  []staff.Member
	Branches []practice.Branch
	Invite   inviteForm
	Branch   practice.Branch
	Me       int64
	Roles    []string // the roles an invitation can give
	// BranchNames names each branch code, for the members' branches.
	BranchNames map[string]string
}

type inviteForm struct {
	Email, Name, Role string
	Branches          []string
}

// Has reports whether branch code was ticked.
func (f inviteForm) Has(code string) bool {
	for _, b := range f.Branches {
		if b == code {
			return true
		}
	}
	return false
}

var teamFieldOrder = []string{"invite.email", "invite.name", "invite.role", "invite.branches", "branch.code", "branch.name"}

func (s *Server) team(c echo.Context) error {
	return s.renderTeam(c, http.StatusOK, inviteForm{Role: string(staff.Officer)}, practice.Branch{}, nil)
}

func (s *Server) renderTeam(c echo.Context, status int, inv inviteForm, br practice.Branch, problems map[string]string) error {
	ctx := c.Request().Context()
	members, err := s.Store.Members(ctx)
	if err != nil {
		return err
	}
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "team.title", "team")
	names := map[string]string{}
	for _, x := range branches {
		names[x.Code] = x.Name
	}
	return s.render(c, status, "staff_team", teamPage{base: b, formState: newFormState(b.Tr, teamFieldOrder, problems),
		Members: members, Branches: branches, Invite: inv, Branch: br, Me: memberOf(c).ID,
		Roles: []string{string(staff.Officer), string(staff.Owner)}, BranchNames: names})
}

func (s *Server) invite(c echo.Context) error {
	// The team page holds two forms; their fields are named "invite.…"
	// and "branch.…", as their IDs and problems are.
	form, _ := c.FormParams()
	inv := inviteForm{Email: clean(c.FormValue("invite.email")), Name: clean(c.FormValue("invite.name")),
		Role: clean(c.FormValue("invite.role")), Branches: form["invite.branches"]}
	_, err := s.Staff.Invite(c.Request().Context(), staff.Invitation{Email: inv.Email, Name: inv.Name, Role: inv.Role, Branches: inv.Branches},
		audit.Entry{Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()})
	switch ae := apperr.As(err); {
	case err == nil:
	case ae.Code == apperr.Conflict:
		return s.renderTeam(c, http.StatusConflict, inv, practice.Branch{}, map[string]string{"invite.email": "team.email_taken"})
	case ae.Code == apperr.Invalid:
		problems := map[string]string{}
		for f, m := range ae.Fields {
			problems["invite."+f] = m
		}
		return s.renderTeam(c, http.StatusUnprocessableEntity, inv, practice.Branch{}, problems)
	default:
		return err
	}
	s.notifyMail()
	s.setFlash(c, "flash.invited")
	return c.Redirect(http.StatusSeeOther, "/staff/team")
}

func (s *Server) disableMember(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if id == memberOf(c).ID {
		return apperr.New(apperr.Conflict, "team.not_yourself")
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if err := s.Store.DisableMember(c.Request().Context(), id, who); err != nil {
		return err
	}
	s.setFlash(c, "flash.disabled")
	return c.Redirect(http.StatusSeeOther, "/staff/team")
}

// resetSecondFactor is the owner's answer to a member's lost device: their
// TOTP and recovery codes go and their sessions end, so they enrol again at
// the next sign-in. Owners cannot reset themselves: they have recovery codes.
func (s *Server) resetSecondFactor(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if id == memberOf(c).ID {
		return apperr.New(apperr.Conflict, "team.reset_not_yourself")
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if err := s.Store.ResetSecondFactor(c.Request().Context(), id, who); err != nil {
		return err
	}
	s.setFlash(c, "flash.totp_reset")
	return c.Redirect(http.StatusSeeOther, "/staff/team")
}

func (s *Server) addBranch(c echo.Context) error {
	br := practice.Branch{Code: strings.ToLower(clean(c.FormValue("branch.code"))), Name: clean(c.FormValue("branch.name"))}
	problems := map[string]string{}
	if !staff.ValidBranchCode(br.Code) {
		problems["branch.code"] = "team.branch_code"
	}
	if br.Name == "" {
		problems["branch.name"] = "field.required"
	}
	if len(problems) > 0 {
		return s.renderTeam(c, http.StatusUnprocessableEntity, inviteForm{Role: string(staff.Officer)}, br, problems)
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if _, err := s.Store.AddBranchAudited(c.Request().Context(), br, who); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			return s.renderTeam(c, http.StatusConflict, inviteForm{Role: string(staff.Officer)}, br, map[string]string{"branch.code": "branch.code_taken"})
		}
		return err
	}
	s.setFlash(c, "flash.branch_added")
	return c.Redirect(http.StatusSeeOther, "/staff/team")
}

// welcomePage lets an invited member choose a password.
type welcomePage struct {
	base
	formState
	Member staff.Member
	Action string
}

func (s *Server) welcomeForm(c echo.Context) error {
	m, err := s.Store.InvitedMember(c.Request().Context(), casework.HashToken(c.Param("token")), s.Clock.Now())
	if err != nil {
		return apperr.New(apperr.NotFound, "error.invite_link")
	}
	return s.renderWelcome(c, http.StatusOK, m, nil)
}

func (s *Server) renderWelcome(c echo.Context, status int, m staff.Member, problems map[string]string) error {
	b := s.base(c, "welcome.title")
	return s.render(c, status, "staff_welcome", welcomePage{base: b, Member: m, Action: c.Request().URL.Path,
		formState: newFormState(b.Tr, []string{"password", "password_repeat"}, problems)})
}

func (s *Server) welcomeSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	hash := casework.HashToken(c.Param("token"))
	m, err := s.Store.InvitedMember(ctx, hash, s.Clock.Now())
	if err != nil {
		return apperr.New(apperr.NotFound, "error.invite_link")
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	password, repeat := c.FormValue("password"), c.FormValue("password_repeat")
	if msg := s.Passwords.PasswordProblem(password, m.Email, settings.Name); msg != "" {
		return s.renderWelcome(c, http.StatusUnprocessableEntity, m, map[string]string{"password": msg})
	}
	if password != repeat {
		return s.renderWelcome(c, http.StatusUnprocessableEntity, m, map[string]string{"password_repeat": "password.mismatch"})
	}
	phc, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.Store.AcceptInvite(ctx, hash, phc, s.Clock.Now(), c.RealIP()); err != nil {
		return err
	}
	s.setFlash(c, "flash.welcome")
	return c.Redirect(http.StatusSeeOther, "/staff/signin")
}
