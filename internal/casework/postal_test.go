package casework_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
)

var dorpsstraat = casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "3511 AB", City: "Utrecht"}

func TestPostalAddressProblems(t *testing.T) {
	tests := []struct {
		name string
		a    casework.PostalAddress
		want casework.Problems
	}{
		{"Dutch", dorpsstraat, casework.Problems{}},
		{"Belgian, country named", casework.PostalAddress{Street: "Kerkpad 1", Postcode: "2000", City: "Antwerpen", Country: "België"}, casework.Problems{}},
		{"British", casework.PostalAddress{Street: "1 High Street", Postcode: "SW1A 1AA", City: "London", Country: "United Kingdom"}, casework.Problems{}},
		{"nothing", casework.PostalAddress{}, casework.Problems{casework.FieldStreet: "field.required",
			casework.FieldPostcode: "field.required", casework.FieldCity: "field.required"}},
		{"no city", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "3511 AB"}, casework.Problems{casework.FieldCity: "field.required"}},
		{"postcode without a digit", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "ABCD", City: "Utrecht"},
			casework.Problems{casework.FieldPostcode: "field.postcode"}},
		{"postcode with a sign", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "35?1", City: "Utrecht"},
			casework.Problems{casework.FieldPostcode: "field.postcode"}},
		{"street on two lines", casework.PostalAddress{Street: "Dorpsstraat 4\nBcc: x", Postcode: "3511 AB", City: "Utrecht"},
			casework.Problems{casework.FieldStreet: "field.single_line"}},
		{"city too long", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "3511 AB", City: strings.Repeat("a", casework.MaxAddressLine+1)},
			casework.Problems{casework.FieldCity: "field.too_long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Problems(); !maps.Equal(got, tt.want) {
				t.Errorf("Problems() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		name, text string
		want       casework.PostalAddress
		ok         bool
	}{
		{"Dutch", "Dorpsstraat 4\n3511 ab  Utrecht", dorpsstraat, true},
		{"Dutch, postcode without space", "Dorpsstraat 4\r\n3511AB Utrecht\n", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "3511AB", City: "Utrecht"}, true},
		{"Belgian with country", "Kerkpad 1\n2000 Antwerpen\nBelgië", casework.PostalAddress{Street: "Kerkpad 1", Postcode: "2000", City: "Antwerpen", Country: "België"}, true},
		{"two street lines", "t.a.v. mevrouw Smit\nDorpsstraat 4\n3511 AB Utrecht",
			casework.PostalAddress{Street: "t.a.v. mevrouw Smit, Dorpsstraat 4", Postcode: "3511 AB", City: "Utrecht"}, true},
		{"no postcode", "Dorpsstraat 4\nUtrecht", casework.PostalAddress{}, false},
		{"postcode line only", "3511 AB Utrecht", casework.PostalAddress{}, false},
		{"postcode far from the end", "Dorpsstraat 4\n3511 AB Utrecht\nNederland\nEuropa", casework.PostalAddress{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := casework.ParseAddress(tt.text)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseAddress(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// A request without an e-mail address needs a postal address, and only a
// channel other than web and e-mail may do without the e-mail address.
func TestValidateEmailOrAddress(t *testing.T) {
	tests := []struct {
		name     string
		channel  casework.Channel
		email    string
		address  casework.PostalAddress
		want     casework.Problems
		optional bool
	}{
		{"web with e-mail", casework.Web, "jan@example.nl", casework.PostalAddress{}, casework.Problems{}, false},
		{"web without e-mail", casework.Web, "", dorpsstraat, casework.Problems{casework.FieldEmail: "field.required"}, false},
		{"e-mail without e-mail", casework.Email, "", dorpsstraat, casework.Problems{casework.FieldEmail: "field.required"}, false},
		{"post with address", casework.Post, "", dorpsstraat, casework.Problems{}, true},
		{"phone with address", casework.Phone, "", dorpsstraat, casework.Problems{}, true},
		{"in person with address", casework.InPerson, "", dorpsstraat, casework.Problems{}, true},
		{"post with neither", casework.Post, "", casework.PostalAddress{},
			casework.Problems{casework.FieldEmail: "field.email_or_address", casework.FieldAddress: "field.email_or_address"}, true},
		{"post with half an address", casework.Post, "", casework.PostalAddress{Street: "Dorpsstraat 4"},
			casework.Problems{casework.FieldPostcode: "field.required", casework.FieldCity: "field.required"}, true},
		{"post with e-mail and a bad address", casework.Post, "jan@example.nl", casework.PostalAddress{City: "Utrecht"},
			casework.Problems{casework.FieldStreet: "field.required", casework.FieldPostcode: "field.required"}, true},
		{"post with a bad e-mail", casework.Post, "jan@", dorpsstraat, casework.Problems{casework.FieldEmail: "field.email"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.channel.EmailOptional() != tt.optional {
				t.Fatalf("%s.EmailOptional() = %v", tt.channel, !tt.optional)
			}
			s := webForm("Jan de Vries", tt.email, "")
			s.Requester.Address, s.EmailOptional = tt.address, tt.channel.EmailOptional()
			if _, got := s.Validate(nil, today); !maps.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

// A case without an e-mail address gets no tracking link and no mail: not
// at registration, and not from any later step that mails the requester.
// Once staff add an address, the acknowledgement goes there.
func TestPostalCaseQueuesNoMail(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	e := newEnv(t, now)
	sub := webForm("Gerrit Postma", "", "")
	sub.Requester.Address = dorpsstraat
	received := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	c := e.submit(t, sub, casework.Intake{Channel: casework.Post, ReceivedAt: received, DateOnly: true})
	if !c.ByPost() || c.Requester.Address != dorpsstraat || !c.ReceivedDateOnly {
		t.Fatalf("case by post %v, address %+v, date only %v", c.ByPost(), c.Requester.Address, c.ReceivedDateOnly)
	}
	ctx, a := t.Context(), casework.Actor{Scope: casework.Scope{All: true}}
	steps := []struct {
		name string
		run  func() error
	}{
		{"message", func() error { _, err := e.svc.SendMessage(ctx, a, c.Reference, "Wij zoeken het op."); return err }},
		{"extension", func() error { _, err := e.svc.Extend(ctx, a, c.Reference, "Het archief is groot."); return err }},
		{"resend", func() error { _, err := e.svc.ResendConfirmation(ctx, a, c.Reference); return err }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, queued := e.counts(t); queued != 0 {
			t.Fatalf("after %s: %d mail(s) queued, want none", s.name, queued)
		}
	}
	if len(e.letters.urls) != 0 {
		t.Errorf("tracking links written for a case by post: %v", e.letters.urls)
	}
	stored, err := e.svc.Case(ctx, a, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Requester.Address != dorpsstraat || !stored.ReceivedDateOnly {
		t.Errorf("stored address %+v, date only %v", stored.Requester.Address, stored.ReceivedDateOnly)
	}

	fix := sub
	fix.Requester.Email = "gerrit@example.nl"
	if _, err := e.svc.Correct(ctx, a, c.Reference, casework.Correction{Submission: fix, ReceivedAt: received, DateOnly: true, Channel: casework.Post}); err != nil {
		t.Fatalf("Correct: %v", err)
	}
	if _, queued := e.counts(t); queued != 1 {
		t.Errorf("after an e-mail address was added: %d mail(s) queued, want the acknowledgement", queued)
	}
}

// A case by post has no e-mail address to confirm: the queue never flags
// it as unconfirmed, and a verified identity is enough for a refusal's
// reasons to go in the letter.
func TestPostalCaseConfirmation(t *testing.T) {
	confirmedAt := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
	received := day(2026, 10, 1)
	verified := casework.Identity{Status: casework.IdentityVerified}
	tests := []struct {
		name               string
		email              string
		confirmed          *time.Time
		identity           casework.Identity
		overdue, requester bool
	}{
		{"e-mail, unconfirmed, unverified", "jan@example.nl", nil, casework.Identity{}, true, false},
		{"e-mail, unconfirmed, verified", "jan@example.nl", nil, verified, true, false},
		{"e-mail, confirmed, verified", "jan@example.nl", &confirmedAt, verified, false, true},
		{"by post, unverified", "", nil, casework.Identity{}, false, false},
		{"by post, verified", "", nil, verified, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := casework.Case{Status: casework.InProgress, ReceivedOn: received, EmailConfirmedAt: tt.confirmed, Identity: tt.identity,
				Requester: casework.Requester{Email: tt.email, Address: dorpsstraat}}
			if got := c.ConfirmationOverdue(today); got != tt.overdue {
				t.Errorf("ConfirmationOverdue = %v, want %v", got, tt.overdue)
			}
			if got := c.RequesterConfirmed(); got != tt.requester {
				t.Errorf("RequesterConfirmed = %v, want %v", got, tt.requester)
			}
		})
	}
}
