package store

import (
	"bytes"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/vault"
)

// The SMTP password is sealed at rest: the column holds a vault blob, not
// the password, and the store opens it again; saving without a password
// clears it, and saving without a host removes the server. Each save is
// audited.
func TestMailSettingsPasswordSealed(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	if got, err := s.MailSettings(ctx); err != nil || got.Configured() {
		t.Fatalf("before any save: %+v, %v; want no server", got, err)
	}
	const secret = "relay-wachtwoord-7Q!"
	want := mail.Settings{Host: "smtp.delinde.example", Port: 587, Username: "portaal", Password: secret,
		From: "Praktijk De Linde <noreply@delinde.example>", Security: mail.SecuritySTARTTLS, CAFile: "/etc/ssl/delinde-ca.pem"}
	who := audit.Entry{At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Actor: audit.Staff(1), Address: "192.0.2.7"}
	if err := s.SaveMailSettingsAudited(ctx, want, who); err != nil {
		t.Fatalf("save: %v", err)
	}
	var raw []byte
	if err := s.db.WithContext(ctx).Raw("SELECT password FROM mail_settings WHERE id = 1").Row().Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte(secret)) {
		t.Fatalf("password column = %q, want a sealed blob without the password", raw)
	}
	if _, err := env.keys.Open(raw, vault.AAD("mail_settings", "password", "2")); err == nil {
		t.Error("the sealed password opens under another row's binding")
	}
	got, err := s.MailSettings(ctx)
	if err != nil || got != want {
		t.Fatalf("read back: %+v, %v; want %+v", got, err, want)
	}

	want.Password = ""
	if err := s.SaveMailSettingsAudited(ctx, want, who); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MailSettings(ctx); err != nil || got.Password != "" {
		t.Errorf("after saving without a password: %+v, %v; want none", got, err)
	}
	if err := s.SaveMailSettingsAudited(ctx, mail.Settings{}, who); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MailSettings(ctx); err != nil || got.Configured() {
		t.Errorf("after saving without a host: %+v, %v; want no server", got, err)
	}
	var details []string
	if err := s.db.Raw("SELECT detail FROM audit_log WHERE action = ? ORDER BY id", string(audit.SettingsUpdate)).Scan(&details).Error; err != nil {
		t.Fatal(err)
	}
	if len(details) != 3 || details[0] != "mail=saved" || details[2] != "mail=removed" {
		t.Errorf("audited %q, want two saves and a removal", details)
	}
}

// The outbox page's rows carry kind and reference, newest first, with
// paging; retry makes an unsent mail due now (audited) and refuses a sent
// one.
func TestOutboxEntriesAndRetry(t *testing.T) {
	s := newTestStore(t).s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var refs []string
	for i := range 3 {
		c := mustCreate(t, s, newCase(t, caseSpec{at: at.Add(time.Duration(i) * time.Minute)}), func(c casework.Case) ([]mail.Message, error) {
			return []mail.Message{{To: c.Requester.Email, Subject: "Ontvangen", Text: "Uw verzoek", Kind: mail.KindAcknowledgement, Ref: c.Reference}}, nil
		})
		refs = append(refs, c.Reference)
	}
	page, total, err := s.OutboxEntries(ctx, 0, 2)
	if err != nil || total != 3 || len(page) != 2 {
		t.Fatalf("first page: %d of %d, %v; want 2 of 3", len(page), total, err)
	}
	if page[0].Ref != refs[2] || page[0].Kind != mail.KindAcknowledgement || page[0].Status() != mail.StatusWaiting {
		t.Errorf("newest row = %+v, want %s's waiting acknowledgement", page[0], refs[2])
	}
	rest, _, err := s.OutboxEntries(ctx, 2, 2)
	if err != nil || len(rest) != 1 || rest[0].Ref != refs[0] {
		t.Fatalf("second page = %+v, %v; want the oldest", rest, err)
	}

	id := rest[0].ID
	later := at.Add(3 * time.Hour)
	if err := markFailed(t, s, id, 1, later.Add(time.Hour), "421 try again"); err != nil {
		t.Fatal(err)
	}
	who := audit.Entry{At: later, Actor: audit.Staff(1)}
	if err := s.RetryMailNow(ctx, id, who); err != nil {
		t.Fatalf("retry: %v", err)
	}
	due, err := s.Due(ctx, later, 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due after retry: %d, %v; want all three", len(due), err)
	}
	if err := s.MarkSent(ctx, id, later); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryMailNow(ctx, id, who); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("retry of a sent mail: %v, want NotFound", err)
	}
	if n, err := s.WaitingMails(ctx); err != nil || n != 2 {
		t.Errorf("WaitingMails = %d, %v; want 2", n, err)
	}
	var objects []string
	if err := s.db.Raw("SELECT object FROM audit_log WHERE action = ?", string(audit.MailRetry)).Scan(&objects).Error; err != nil {
		t.Fatal(err)
	}
	if len(objects) != 1 || objects[0] != audit.Outbox(id) {
		t.Errorf("audited retries %q, want one of %s", objects, audit.Outbox(id))
	}
}
