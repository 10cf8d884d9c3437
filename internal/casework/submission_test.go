package casework_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

var (
	today       = deadline.Date{Year: 2026, Month: time.November, Day: 25}
	twoBranches = []string{"amsterdam", "utrecht"}
)

// validSubmission returns a form submission of type t by a parent about a
// child, with every specific the form asks for filled in.
func validSubmission(t casework.RequestType) casework.Submission {
	s := casework.Submission{
		Type: t,
		Requester: casework.Requester{
			Name: "Jan de Vries", Email: "jan@example.nl", Phone: "+31 6 1234 5678", Relation: casework.Parent,
		},
		Branch:            "utrecht",
		Language:          casework.Dutch,
		SpecificsRequired: true,
	}
	s.Subject.Name = "Sanne de Vries"
	s.Subject.BirthDate = "2015-03-14"
	switch t {
	case casework.Rectification:
		s.Specifics.Wrong, s.Specifics.Correct = "Mijn adres", "Dorpsstraat 1, Utrecht"
	case casework.Erasure:
		s.Specifics.ErasureScope = "all"
	case casework.Portability:
		s.Specifics.Format, s.Specifics.Destination = "json", "self"
	case casework.Restriction:
		s.Specifics.RestrictionData, s.Specifics.RestrictionGround = "Het verslag van maart", "accuracy"
	case casework.Objection:
		yes := true
		s.Specifics.Processing, s.Specifics.DirectMarketing = "Nieuwsbrief", &yes
	case casework.ConsentWithdrawal:
		s.Specifics.Consents = []string{"newsletter"}
	}
	return s
}

func TestValidateAcceptsEveryRequestType(t *testing.T) {
	for _, typ := range casework.RequestTypes {
		for _, mode := range []struct {
			name     string
			required bool
		}{{"form", true}, {"api", false}} {
			t.Run(string(typ)+"/"+mode.name, func(t *testing.T) {
				s := validSubmission(typ)
				s.SpecificsRequired = mode.required
				birth, p := s.Validate(twoBranches, today)
				if len(p) != 0 {
					t.Fatalf("problems = %v, want none", p)
				}
				if want := (deadline.Date{Year: 2015, Month: time.March, Day: 14}); birth != want {
					t.Errorf("birth date = %v, want %v", birth, want)
				}
			})
		}
	}
}

func TestValidateProblems(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes, count
	tests := []struct {
		name     string
		typ      casework.RequestType // access when empty
		branches []string             // twoBranches when nil
		edit     func(s *casework.Submission)
		want     casework.Problems
	}{
		// Type.
		{name: "type missing", edit: func(s *casework.Submission) { s.Type = "" }, want: casework.Problems{"type": "field.choose"}},
		{name: "type unknown", edit: func(s *casework.Submission) { s.Type = "delete_everything" }, want: casework.Problems{"type": "field.choose"}},

		// Requester name.
		{name: "name required", edit: func(s *casework.Submission) { s.Requester.Name = "" }, want: casework.Problems{"requester.name": "field.required"}},
		{name: "name blank", edit: func(s *casework.Submission) { s.Requester.Name = " \t " }, want: casework.Problems{"requester.name": "field.required"}},
		{name: "name of 200 characters", edit: func(s *casework.Submission) { s.Requester.Name = long(200) }, want: casework.Problems{}},
		{name: "name too long", edit: func(s *casework.Submission) { s.Requester.Name = long(201) }, want: casework.Problems{"requester.name": "field.too_long"}},
		{name: "name invalid UTF-8", edit: func(s *casework.Submission) { s.Requester.Name = "Jan \xff" }, want: casework.Problems{"requester.name": "field.invalid"}},
		{name: "name with NUL", edit: func(s *casework.Submission) { s.Requester.Name = "Jan\x00" }, want: casework.Problems{"requester.name": "field.invalid"}},

		// Requester e-mail.
		{name: "email required", edit: func(s *casework.Submission) { s.Requester.Email = "" }, want: casework.Problems{"requester.email": "field.required"}},
		{name: "email without dot in domain", edit: func(s *casework.Submission) { s.Requester.Email = "a@b" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email with header injection", edit: func(s *casework.Submission) { s.Requester.Email = "x@y.z\r\nBcc: q@r.s" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email with LF only", edit: func(s *casework.Submission) { s.Requester.Email = "x@y.nl\nBcc:q@r.s" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email with display name", edit: func(s *casework.Submission) { s.Requester.Email = "A <a@b.nl>" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email in angle brackets", edit: func(s *casework.Submission) { s.Requester.Email = "<a@b.nl>" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email quoted display name", edit: func(s *casework.Submission) { s.Requester.Email = `"A" <a@b.nl>` }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email with comment", edit: func(s *casework.Submission) { s.Requester.Email = "a@b.nl(me)" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email list", edit: func(s *casework.Submission) { s.Requester.Email = "a@b.nl,c@d.nl" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email list with semicolon", edit: func(s *casework.Submission) { s.Requester.Email = "a@b.nl;c@d.nl" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email without at", edit: func(s *casework.Submission) { s.Requester.Email = "jan.example.nl" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email without local part", edit: func(s *casework.Submission) { s.Requester.Email = "@example.nl" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email trailing dot", edit: func(s *casework.Submission) { s.Requester.Email = "a@b.nl." }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email double dot", edit: func(s *casework.Submission) { s.Requester.Email = "a@b..nl" }, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email too long", edit: func(s *casework.Submission) {
			s.Requester.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".nl"
		}, want: casework.Problems{"requester.email": "field.email"}},
		{name: "email upper case and padded is fine", edit: func(s *casework.Submission) { s.Requester.Email = "  Jan@Example.NL " }, want: casework.Problems{}},

		// Phone.
		{name: "phone optional", edit: func(s *casework.Submission) { s.Requester.Phone = "" }, want: casework.Problems{}},
		{name: "phone with letters", edit: func(s *casework.Submission) { s.Requester.Phone = "call me" }, want: casework.Problems{"requester.phone": "field.phone"}},
		{name: "phone too short", edit: func(s *casework.Submission) { s.Requester.Phone = "12345" }, want: casework.Problems{"requester.phone": "field.phone"}},
		{name: "phone too long", edit: func(s *casework.Submission) { s.Requester.Phone = strings.Repeat("1", 21) }, want: casework.Problems{"requester.phone": "field.phone"}},
		{name: "phone with line break", edit: func(s *casework.Submission) { s.Requester.Phone = "0612345678\nBcc" }, want: casework.Problems{"requester.phone": "field.phone"}},
		{name: "phone local form", edit: func(s *casework.Submission) { s.Requester.Phone = "(030) 123-4567" }, want: casework.Problems{}},

		// Relation and subject.
		{name: "relation missing", edit: func(s *casework.Submission) { s.Requester.Relation = "" }, want: casework.Problems{"requester.relation": "field.choose"}},
		{name: "relation unknown", edit: func(s *casework.Submission) { s.Requester.Relation = "uncle" }, want: casework.Problems{"requester.relation": "field.choose"}},
		{name: "subject name required for a parent", edit: func(s *casework.Submission) { s.Subject.Name = "" }, want: casework.Problems{"subject.name": "field.required"}},
		{name: "subject name required for a guardian", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name = casework.Guardian, ""
		}, want: casework.Problems{"subject.name": "field.required"}},
		{name: "subject name required for a representative", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name = casework.Representative, ""
		}, want: casework.Problems{"subject.name": "field.required"}},
		{name: "subject name too long", edit: func(s *casework.Submission) { s.Subject.Name = long(201) }, want: casework.Problems{"subject.name": "field.too_long"}},
		{name: "birth date required for a parent", edit: func(s *casework.Submission) { s.Subject.BirthDate = "" }, want: casework.Problems{"subject.birth_date": "field.required"}},
		{name: "subject not needed for self", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name, s.Subject.BirthDate = casework.Self, "", ""
		}, want: casework.Problems{}},
		{name: "own birth date asked when the practice serves minors", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name, s.Subject.BirthDate, s.SelfBirthDateRequired = casework.Self, "", "", true
		}, want: casework.Problems{"subject.birth_date": "field.required"}},
		{name: "own birth date given when the practice serves minors", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name, s.Subject.BirthDate, s.SelfBirthDateRequired = casework.Self, "", "2016-09-01", true
		}, want: casework.Problems{}},
		{name: "parent without authority needs the child", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.Name, s.Subject.BirthDate = casework.ParentWithoutAuthority, "", ""
		}, want: casework.Problems{"subject.name": "field.required", "subject.birth_date": "field.required"}},

		// Birth date.
		{name: "birth date in Dutch order", edit: func(s *casework.Submission) { s.Subject.BirthDate = "14-03-2015" }, want: casework.Problems{"subject.birth_date": "field.date"}},
		{name: "birth date without padding", edit: func(s *casework.Submission) { s.Subject.BirthDate = "2015-3-14" }, want: casework.Problems{"subject.birth_date": "field.date"}},
		{name: "birth date that does not exist", edit: func(s *casework.Submission) { s.Subject.BirthDate = "2026-02-30" }, want: casework.Problems{"subject.birth_date": "field.date"}},
		{name: "birth date with time", edit: func(s *casework.Submission) { s.Subject.BirthDate = "2015-03-14T00:00" }, want: casework.Problems{"subject.birth_date": "field.date"}},
		{name: "birth date tomorrow", edit: func(s *casework.Submission) { s.Subject.BirthDate = "2026-11-26" }, want: casework.Problems{"subject.birth_date": "field.date_future"}},
		{name: "birth date today", edit: func(s *casework.Submission) { s.Subject.BirthDate = "2026-11-25" }, want: casework.Problems{}},
		{name: "birth date before 1900", edit: func(s *casework.Submission) { s.Subject.BirthDate = "1899-12-31" }, want: casework.Problems{"subject.birth_date": "field.date"}},
		{name: "birth date invalid for self too", edit: func(s *casework.Submission) {
			s.Requester.Relation, s.Subject.BirthDate = casework.Self, "gisteren"
		}, want: casework.Problems{"subject.birth_date": "field.date"}},

		// Branch.
		{name: "branch required with two branches", edit: func(s *casework.Submission) { s.Branch = "" }, want: casework.Problems{"branch": "field.choose"}},
		{name: "branch unknown", edit: func(s *casework.Submission) { s.Branch = "rotterdam" }, want: casework.Problems{"branch": "field.branch"}},
		{name: "branch not required with one branch", branches: []string{"utrecht"}, edit: func(s *casework.Submission) { s.Branch = "" }, want: casework.Problems{}},
		{name: "branch unknown with one branch", branches: []string{"utrecht"}, edit: func(s *casework.Submission) { s.Branch = "amsterdam" }, want: casework.Problems{"branch": "field.branch"}},
		{name: "branch given without branches", branches: []string{}, edit: func(s *casework.Submission) { s.Branch = "utrecht" }, want: casework.Problems{"branch": "field.branch"}},
		{name: "no branch without branches", branches: []string{}, edit: func(s *casework.Submission) { s.Branch = "" }, want: casework.Problems{}},

		// Details.
		{name: "details too long", edit: func(s *casework.Submission) { s.Details = long(5001) }, want: casework.Problems{"details": "field.too_long"}},
		{name: "details of 5000 characters", edit: func(s *casework.Submission) { s.Details = long(5000) }, want: casework.Problems{}},

		// Specifics on the form (SpecificsRequired).
		{name: "rectification wrong required", typ: casework.Rectification, edit: func(s *casework.Submission) { s.Specifics.Wrong = "" },
			want: casework.Problems{"specifics.wrong": "field.required"}},
		{name: "rectification correct required", typ: casework.Rectification, edit: func(s *casework.Submission) { s.Specifics.Correct = " " },
			want: casework.Problems{"specifics.correct": "field.required"}},
		{name: "rectification wrong too long", typ: casework.Rectification, edit: func(s *casework.Submission) { s.Specifics.Wrong = long(1001) },
			want: casework.Problems{"specifics.wrong": "field.too_long"}},
		{name: "erasure scope required", typ: casework.Erasure, edit: func(s *casework.Submission) { s.Specifics.ErasureScope = "" },
			want: casework.Problems{"specifics.erasure_scope": "field.choose"}},
		{name: "erasure scope unknown", typ: casework.Erasure, edit: func(s *casework.Submission) { s.Specifics.ErasureScope = "some" },
			want: casework.Problems{"specifics.erasure_scope": "field.choose"}},
		{name: "erasure part required for scope part", typ: casework.Erasure, edit: func(s *casework.Submission) { s.Specifics.ErasureScope = "part" },
			want: casework.Problems{"specifics.erasure_part": "field.required"}},
		{name: "erasure part given for scope part", typ: casework.Erasure, edit: func(s *casework.Submission) {
			s.Specifics.ErasureScope, s.Specifics.ErasurePart = "part", "De foto's"
		}, want: casework.Problems{}},
		{name: "portability format required", typ: casework.Portability, edit: func(s *casework.Submission) { s.Specifics.Format = "" },
			want: casework.Problems{"specifics.format": "field.choose"}},
		{name: "portability format unknown", typ: casework.Portability, edit: func(s *casework.Submission) { s.Specifics.Format = "xml" },
			want: casework.Problems{"specifics.format": "field.choose"}},
		{name: "portability destination required", typ: casework.Portability, edit: func(s *casework.Submission) { s.Specifics.Destination = "" },
			want: casework.Problems{"specifics.destination": "field.choose"}},
		{name: "portability destination unknown", typ: casework.Portability, edit: func(s *casework.Submission) { s.Specifics.Destination = "cloud" },
			want: casework.Problems{"specifics.destination": "field.choose"}},
		{name: "portability other controller required", typ: casework.Portability, edit: func(s *casework.Submission) { s.Specifics.Destination = "controller" },
			want: casework.Problems{"specifics.other_controller": "field.required"}},
		{name: "portability other controller given", typ: casework.Portability, edit: func(s *casework.Submission) {
			s.Specifics.Destination, s.Specifics.OtherController = "controller", "Praktijk Zuid"
		}, want: casework.Problems{}},
		{name: "objection processing required", typ: casework.Objection, edit: func(s *casework.Submission) { s.Specifics.Processing = "" },
			want: casework.Problems{"specifics.processing": "field.required"}},
		{name: "objection grounds too long", typ: casework.Objection, edit: func(s *casework.Submission) { s.Specifics.Grounds = long(1001) },
			want: casework.Problems{"specifics.grounds": "field.too_long"}},
		{name: "objection must say whether it is about direct marketing", typ: casework.Objection, edit: func(s *casework.Submission) { s.Specifics.DirectMarketing = nil },
			want: casework.Problems{"specifics.direct_marketing": "field.choose"}},
		{name: "restriction data required", typ: casework.Restriction, edit: func(s *casework.Submission) { s.Specifics.RestrictionData = "" },
			want: casework.Problems{"specifics.restriction_data": "field.required"}},
		{name: "restriction ground required", typ: casework.Restriction, edit: func(s *casework.Submission) { s.Specifics.RestrictionGround = "" },
			want: casework.Problems{"specifics.restriction_ground": "field.choose"}},
		{name: "restriction ground outside art. 18(1)", typ: casework.Restriction, edit: func(s *casework.Submission) { s.Specifics.RestrictionGround = "because" },
			want: casework.Problems{"specifics.restriction_ground": "field.choose"}},
		{name: "consent withdrawal needs one consent", typ: casework.ConsentWithdrawal, edit: func(s *casework.Submission) { s.Specifics.Consents = nil },
			want: casework.Problems{"specifics.consents": "field.choose_one"}},
		{name: "consent withdrawal unknown consent", typ: casework.ConsentWithdrawal, edit: func(s *casework.Submission) {
			s.Specifics.Consents = []string{"newsletter", "spam"}
		}, want: casework.Problems{"specifics.consents": "field.choose"}},
		{name: "consent withdrawal sharing party required", typ: casework.ConsentWithdrawal, edit: func(s *casework.Submission) {
			s.Specifics.Consents = []string{"sharing"}
		}, want: casework.Problems{"specifics.sharing_party": "field.required"}},
		{name: "consent withdrawal other consent required", typ: casework.ConsentWithdrawal, edit: func(s *casework.Submission) {
			s.Specifics.Consents = []string{"research", "other"}
		}, want: casework.Problems{"specifics.other_consent": "field.required"}},
		{name: "consent withdrawal sharing and other given", typ: casework.ConsentWithdrawal, edit: func(s *casework.Submission) {
			s.Specifics.Consents = []string{"sharing", "other"}
			s.Specifics.SharingParty, s.Specifics.OtherConsent = "School", "Foto's op de website"
		}, want: casework.Problems{}},

		// API mode: specifics optional, but some types need the wishes in
		// details when there are no specifics.
		{name: "api rectification needs details", typ: casework.Rectification, edit: apiWithout, want: casework.Problems{"details": "field.required"}},
		{name: "api objection needs details", typ: casework.Objection, edit: apiWithout, want: casework.Problems{"details": "field.required"}},
		{name: "api consent withdrawal needs details", typ: casework.ConsentWithdrawal, edit: apiWithout, want: casework.Problems{"details": "field.required"}},
		{name: "api rectification with details", typ: casework.Rectification, edit: func(s *casework.Submission) {
			apiWithout(s)
			s.Details = "Mijn adres klopt niet."
		}, want: casework.Problems{}},
		{name: "api rectification with one specific", typ: casework.Rectification, edit: func(s *casework.Submission) {
			apiWithout(s)
			s.Specifics.Wrong = "Mijn adres"
		}, want: casework.Problems{}},
		{name: "api access without details", typ: casework.Access, edit: apiWithout, want: casework.Problems{}},
		{name: "api erasure without details", typ: casework.Erasure, edit: apiWithout, want: casework.Problems{}},
		{name: "api restriction without details", typ: casework.Restriction, edit: apiWithout, want: casework.Problems{}},
		{name: "api portability without details", typ: casework.Portability, edit: apiWithout, want: casework.Problems{}},
		{name: "api erasure part still required for scope part", typ: casework.Erasure, edit: func(s *casework.Submission) {
			apiWithout(s)
			s.Specifics.ErasureScope = "part"
		}, want: casework.Problems{"specifics.erasure_part": "field.required"}},
		{name: "api unknown format still refused", typ: casework.Portability, edit: func(s *casework.Submission) {
			apiWithout(s)
			s.Specifics.Format = "xml"
		}, want: casework.Problems{"specifics.format": "field.choose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ == "" {
				typ = casework.Access
			}
			branches := tt.branches
			if branches == nil {
				branches = twoBranches
			}
			s := validSubmission(typ)
			tt.edit(&s)
			_, got := s.Validate(branches, today)
			if !maps.Equal(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
		})
	}
}

// apiWithout makes s an API submission without details or specifics.
func apiWithout(s *casework.Submission) {
	s.SpecificsRequired = false
	s.Details = ""
	s.Specifics = casework.Specifics{}
}

func TestValidateNormalises(t *testing.T) {
	s := validSubmission(casework.Access)
	s.Requester.Name = "  Jan de Vries \n"
	s.Requester.Email = " Jan@Example.NL\t"
	s.Subject.BirthDate = " 2015-03-14 "
	birth, p := s.Validate(twoBranches, today)
	if len(p) != 0 {
		t.Fatalf("problems = %v", p)
	}
	if s.Requester.Name != "Jan de Vries" || s.Requester.Email != "jan@example.nl" {
		t.Errorf("after Validate name %q, e-mail %q; want trimmed and the address lower-cased", s.Requester.Name, s.Requester.Email)
	}
	if birth != (deadline.Date{Year: 2015, Month: time.March, Day: 14}) {
		t.Errorf("birth = %v", birth)
	}
}

func TestValidateReceipt(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	tests := []struct {
		name     string
		received time.Time
		channel  casework.Channel
		want     casework.Problems
	}{
		{name: "now", received: now, channel: casework.Web, want: casework.Problems{}},
		{name: "letter of last month", received: now.AddDate(0, -1, 0), channel: casework.Post, want: casework.Problems{}},
		{name: "a second in the future", received: now.Add(time.Second), channel: casework.Email, want: casework.Problems{"received_at": "field.date_future"}},
		{name: "tomorrow", received: now.AddDate(0, 0, 1), channel: casework.Phone, want: casework.Problems{"received_at": "field.date_future"}},
		{name: "channel missing", received: now, channel: "", want: casework.Problems{"channel": "field.choose"}},
		{name: "channel unknown", received: now, channel: "fax", want: casework.Problems{"channel": "field.choose"}},
		{name: "both wrong", received: now.Add(time.Hour), channel: "pigeon", want: casework.Problems{"received_at": "field.date_future", "channel": "field.choose"}},
	}
	for _, ch := range casework.Channels {
		tests = append(tests, struct {
			name     string
			received time.Time
			channel  casework.Channel
			want     casework.Problems
		}{name: "channel " + string(ch), received: now, channel: ch, want: casework.Problems{}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := casework.ValidateReceipt(tt.received, now, tt.channel); !maps.Equal(got, tt.want) {
				t.Errorf("ValidateReceipt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanMove(t *testing.T) {
	statuses := []casework.Status{casework.Received, casework.AwaitingIdentity, casework.InProgress, casework.Completed, "archived"}
	allowed := map[[2]casework.Status]bool{
		{casework.Received, casework.AwaitingIdentity}:   true,
		{casework.Received, casework.InProgress}:         true,
		{casework.Received, casework.Completed}:          true,
		{casework.AwaitingIdentity, casework.InProgress}: true,
		{casework.AwaitingIdentity, casework.Completed}:  true,
		{casework.InProgress, casework.AwaitingIdentity}: true,
		{casework.InProgress, casework.Completed}:        true,
	}
	for _, from := range statuses {
		for _, to := range statuses {
			want := allowed[[2]casework.Status{from, to}]
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				if got := casework.CanMove(from, to); got != want {
					t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

func TestScopeAllows(t *testing.T) {
	tests := []struct {
		name   string
		scope  casework.Scope
		branch string
		want   bool
	}{
		{"all sees a branch", casework.Scope{All: true}, "utrecht", true},
		{"all sees no branch", casework.Scope{All: true}, "", true},
		{"own branch", casework.Scope{Branches: []string{"utrecht"}}, "utrecht", true},
		{"other branch", casework.Scope{Branches: []string{"utrecht"}}, "amsterdam", false},
		{"case without branch", casework.Scope{Branches: []string{"utrecht"}}, "", false},
		{"empty scope", casework.Scope{}, "utrecht", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.scope.Allows(tt.branch); got != tt.want {
				t.Errorf("Allows(%q) = %v, want %v", tt.branch, got, tt.want)
			}
		})
	}
}

func TestFormatReference(t *testing.T) {
	tests := []struct {
		year, seq int
		want      string
	}{
		{2026, 1, "AVG-2026-0001"},
		{2026, 42, "AVG-2026-0042"},
		{2027, 9999, "AVG-2027-9999"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := casework.FormatReference(tt.year, tt.seq); got != tt.want {
				t.Errorf("FormatReference(%d, %d) = %q", tt.year, tt.seq, got)
			}
		})
	}
}
