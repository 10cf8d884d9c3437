package staff_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

func TestInvitationValidate(t *testing.T) {
	tests := []struct {
		name     string
		inv      staff.Invitation
		want     map[string]string
		email    string
		branches []string
	}{
		{"officer of a branch", staff.Invitation{Email: " Els@Praktijk.Example ", Name: "Els", Role: "officer", Branches: []string{"utrecht"}},
			map[string]string{}, "els@praktijk.example", []string{"utrecht"}},
		{"owner: every branch", staff.Invitation{Email: "els@praktijk.example", Name: "Els", Role: "owner", Branches: []string{"utrecht"}},
			map[string]string{}, "els@praktijk.example", nil},
		{"nothing", staff.Invitation{}, map[string]string{staff.FieldInviteEmail: "field.email",
			staff.FieldInviteName: "field.required", staff.FieldInviteRole: "field.choose"}, "", nil},
		{"two addresses", staff.Invitation{Email: "a@x.example, b@x.example", Name: "Els", Role: "officer"},
			map[string]string{staff.FieldInviteEmail: "field.email"}, "", nil},
		{"name on two lines", staff.Invitation{Email: "els@praktijk.example", Name: "Els\nBcc: x", Role: "officer"},
			map[string]string{staff.FieldInviteName: "field.single_line"}, "els@praktijk.example", nil},
		{"unknown role", staff.Invitation{Email: "els@praktijk.example", Name: "Els", Role: "admin"},
			map[string]string{staff.FieldInviteRole: "field.choose"}, "els@praktijk.example", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, got := tt.inv.Validate()
			if !maps.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
			if m.Email != tt.email || (len(got) == 0 && !slices.Equal(m.Branches, tt.branches)) {
				t.Errorf("member %+v, want address %q and branches %v", m, tt.email, tt.branches)
			}
		})
	}
}

// fakeStore records the one invitation it is asked to store.
type fakeStore struct {
	err      error
	member   staff.NewMember
	hash     string
	expires  time.Time
	who      audit.Entry
	mail     mail.Message
	invited  int
	settings practice.Settings
}

func (f *fakeStore) Settings(context.Context) (practice.Settings, error) { return f.settings, nil }

func (f *fakeStore) Invite(_ context.Context, m staff.NewMember, hash string, expires time.Time, who audit.Entry,
	compose func(staff.Member) (mail.Message, error)) (staff.Member, error) {
	if f.err != nil {
		return staff.Member{}, f.err
	}
	f.invited++
	f.member, f.hash, f.expires, f.who = m, hash, expires, who
	out := staff.Member{ID: 7, Email: m.Email, Name: m.Name, Role: m.Role, Branches: m.Branches}
	msg, err := compose(out)
	f.mail = msg
	return out, err
}

type fakeLetters struct{}

func (fakeLetters) Invitation(m staff.Member, practiceName, link, signInURL string, oidc bool) (mail.Message, error) {
	return mail.Message{To: m.Email, Subject: practiceName, Text: link + " " + signInURL}, nil
}

// An invitation is stored with the hash of the link its mail carries, valid
// for InviteValidity, audited as the owner who sent it; invalid input stores
// nothing; the store's refusals come back as the form's problems.
func TestInvite(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	st := &fakeStore{settings: practice.Settings{Name: "Praktijk De Linde"}}
	svc := staff.NewService(st, fakeLetters{}, clock.NewFake(now), "https://avg.example", false)
	who := audit.Entry{Actor: audit.Staff(1), Address: "192.0.2.1"}

	if _, err := svc.Invite(t.Context(), staff.Invitation{Email: "els", Name: "Els", Role: "officer"}, who); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("bad address: %v, want Invalid", err)
	}
	if st.invited != 0 {
		t.Fatal("an invalid invitation reached the store")
	}

	m, err := svc.Invite(t.Context(), staff.Invitation{Email: "Els@Praktijk.Example", Name: "Els", Role: "officer", Branches: []string{"utrecht"}}, who)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if m.ID != 7 || st.member.Email != "els@praktijk.example" || st.member.Role != staff.Officer || !slices.Equal(st.member.Branches, []string{"utrecht"}) {
		t.Errorf("stored %+v, returned %+v", st.member, m)
	}
	link, _, _ := strings.Cut(st.mail.Text, " ")
	token, ok := strings.CutPrefix(link, "https://avg.example/staff/welcome/")
	if !ok || casework.HashToken(token) != st.hash {
		t.Errorf("mailed link %q does not match the stored hash", link)
	}
	if !st.expires.Equal(now.Add(staff.InviteValidity)) || !st.who.At.Equal(now) || st.who.Actor != who.Actor {
		t.Errorf("expires %v, audited %+v", st.expires, st.who)
	}
	if st.mail.To != "els@praktijk.example" || st.mail.Subject != "Praktijk De Linde" {
		t.Errorf("mail %+v", st.mail)
	}

	st.err = apperr.New(apperr.Invalid, "unknown branch x")
	_, err = svc.Invite(t.Context(), staff.Invitation{Email: "jan@praktijk.example", Name: "Jan", Role: "officer", Branches: []string{"x"}}, who)
	if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Fields[staff.FieldInviteBranches] != "field.branch" {
		t.Errorf("unknown branch: %v", err)
	}
	st.err = apperr.New(apperr.Conflict, "exists")
	if _, err := svc.Invite(t.Context(), staff.Invitation{Email: "els@praktijk.example", Name: "Els", Role: "owner"}, who); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("taken address: %v, want Conflict", err)
	}
}
