package web_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/staff"
)

// inbox is an SMTP server in the test that keeps what it receives and
// refuses recipients with refusal's text, when set.
type inbox struct {
	host string
	port int
	got  chan delivered
}

// delivered is one message as the inbox got it.
type delivered struct {
	To   []string
	Data string
}

func startInbox(tb testing.TB, refusal string) *inbox {
	tb.Helper()
	in := &inbox{got: make(chan delivered, 16)}
	in.host, in.port = serveSMTP(tb, inboxBackend{in: in, refusal: refusal}, "inbox.example")
	return in
}

// serveSMTP runs an SMTP server with backend on a free loopback port until
// the test ends, and returns its host and port.
func serveSMTP(tb testing.TB, backend smtp.Backend, domain string) (string, int) {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := smtp.NewServer(backend)
	s.Domain = domain
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("SMTP server shutdown: %v", err)
		}
		<-done
	})
	host, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

// next waits for the next message the inbox receives.
func (in *inbox) next(tb testing.TB) delivered {
	tb.Helper()
	select {
	case d := <-in.got:
		return d
	case <-time.After(10 * time.Second):
		tb.Fatal("no message reached the SMTP server")
		return delivered{}
	}
}

// form is the settings page's mail form for this server (plain SMTP on the
// same machine) with a login.
func (in *inbox) form(password string) []string {
	return []string{"smtp.host", in.host, "smtp.port", strconv.Itoa(in.port), "smtp.security", "local",
		"smtp.username", "portaal", "smtp.password", password, "smtp.from", "Praktijk De Linde <noreply@delinde.example>"}
}

type inboxBackend struct {
	in      *inbox
	refusal string
}

func (b inboxBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

type inboxSession struct {
	b  inboxBackend
	to []string
}

func (s *inboxSession) AuthMechanisms() []string             { return nil }
func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.refusal != "" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: s.b.refusal}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.in.got <- delivered{To: s.to, Data: string(data)}
	return nil
}
func (s *inboxSession) Reset()        { s.to = nil }
func (s *inboxSession) Logout() error { return nil }

// newMailApp is a practice with a utrecht branch, its owner Els signed in
// and an officer.
func newMailApp(t *testing.T, opts ...appOption) (*testApp, *staffBrowser) {
	t.Helper()
	a := newTestServer(t, append([]appOption{withBranches("utrecht")}, opts...)...)
	a.addMember(t, "els@delinde.example", staff.Owner)
	a.addMember(t, "otto@delinde.example", staff.Officer, "utrecht")
	return a, a.signIn(t, "els@delinde.example")
}

// auditedDetails returns the details of the audit entries with action.
func (a *testApp) auditedDetails(tb testing.TB, action audit.Action) []string {
	tb.Helper()
	var out []string
	for _, e := range a.auditTrail(tb) {
		if e.Action == action {
			out = append(out, e.Detail)
		}
	}
	return out
}

// The owner saves the SMTP server on the settings page: the password is
// stored (sealed, see the store's test) and never shown again; an empty
// field keeps it, the check box clears it. Bad values are refused next to
// their fields.
func TestMailSettingsSaved(t *testing.T) {
	a, owner := newMailApp(t)
	in := startInbox(t, "")
	const secret = "relay-wachtwoord-7Q"
	if got := owner.submit("/staff/settings/mail", in.form(secret)...).location(); got != "/staff/settings#mail" {
		t.Fatalf("saved: to %s", got)
	}
	stored, err := a.store.MailSettings(t.Context())
	if err != nil || stored.Host != in.host || stored.Port != in.port || stored.Password != secret || stored.Security != mail.SecurityLocal ||
		stored.From != "Praktijk De Linde <noreply@delinde.example>" {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	p := owner.get("/staff/settings")
	if strings.Contains(p.Body, secret) {
		t.Error("the settings page shows the stored password")
	}
	if p.fieldValue("smtp.host") != in.host || !strings.Contains(p.text(), a.nl("smtp.password_hint_kept")) {
		t.Errorf("the page does not show the stored server (host %q) or that a password is kept", p.fieldValue("smtp.host"))
	}
	if details := a.auditedDetails(t, audit.SettingsUpdate); len(details) != 1 || details[0] != "mail=saved" {
		t.Errorf("audited %q, want one mail=saved", details)
	}

	// An empty password field keeps the stored password.
	form := in.form("")
	form[len(form)-1] = "Praktijk De Linde <post@delinde.example>"
	owner.submit("/staff/settings/mail", form...).location()
	if stored, _ := a.store.MailSettings(t.Context()); stored.Password != secret || stored.From != "Praktijk De Linde <post@delinde.example>" {
		t.Errorf("after saving with an empty password: %+v, want the password kept", stored)
	}
	// The check box clears it.
	owner.submit("/staff/settings/mail", append(in.form(""), "smtp.password_clear", "on")...).location()
	if stored, _ := a.store.MailSettings(t.Context()); stored.Password != "" || stored.Host != in.host {
		t.Errorf("after clearing: %+v, want no password", stored)
	}

	bad := owner.submit("/staff/settings/mail", "smtp.host", "smtp.delinde.example:25", "smtp.port", "poort", "smtp.security", "starttls",
		"smtp.from", "", "smtp.password", "zonder-naam")
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad values: status %d, want 422", bad.Status)
	}
	for field, id := range map[string]string{"smtp.host": "smtp.host_invalid", "smtp.port": "smtp.port_invalid",
		"smtp.from": "field.required", "smtp.username": "smtp.username_missing"} {
		if got := fieldError(bad, field); got != a.nl(id) {
			t.Errorf("%s: error %q, want %q", field, got, a.nl(id))
		}
	}
	if strings.Contains(bad.Body, "zonder-naam") {
		t.Error("the refused form echoes the password")
	}
	if stored, _ := a.store.MailSettings(t.Context()); stored.Host != in.host {
		t.Errorf("refused values were stored: %+v", stored)
	}
}

// With AVGLOKET_SMTP_* set, the environment's server wins: the settings
// page shows it and says so, offers no form, refuses a post, and the saved
// server is not used; the setup page says so too.
func TestMailSettingsEnvironmentWins(t *testing.T) {
	a, owner := newMailApp(t, withEnvSMTP(mail.SMTPConfig{Host: "relay.env.example", Port: 2525, From: "env@delinde.example",
		Username: "omgeving", Password: "env-geheim", Insecure: true}))
	p := owner.get("/staff/settings")
	text := p.text()
	if !strings.Contains(text, a.nl("smtp.env_note")) || !strings.Contains(text, "relay.env.example") || !strings.Contains(text, a.nl("smtp.password_set")) {
		t.Errorf("the page does not show the environment's server and say it wins:\n%s", text)
	}
	if p.hasField("smtp.host") || strings.Contains(p.Body, "env-geheim") {
		t.Error("the page offers the server's form, or shows the password, while the environment wins")
	}
	if got := owner.submit("/staff/settings/mail", "smtp.host", "smtp.delinde.example", "smtp.security", "starttls",
		"smtp.from", "noreply@delinde.example").Status; got != http.StatusConflict {
		t.Errorf("saving while the environment wins: status %d, want 409", got)
	}
	if stored, _ := a.store.MailSettings(t.Context()); stored.Configured() {
		t.Errorf("stored %+v while the environment wins", stored)
	}
	c, ok, err := a.mail.Current(t.Context())
	if err != nil || !ok || c.Host != "relay.env.example" {
		t.Errorf("mail goes through %+v (%v, %v), want the environment's server", c, ok, err)
	}

	fresh := newTestServer(t, withEnvSMTP(mail.SMTPConfig{Host: "relay.env.example", Port: 2525, From: "env@delinde.example"}))
	setup := fresh.browser(t).get("/setup/" + fresh.addSetupToken(t))
	if !strings.Contains(setup.text(), a.nl("smtp.env_note")) || setup.hasField("smtp.host") {
		t.Error("the setup page does not say the environment sets the server")
	}
}

// The test mail goes straight to the server (not through the outbox) and
// the page reports its answer: accepted, or the server's refusal as text
// (escaped). Both are audited.
func TestMailTestButton(t *testing.T) {
	a, owner := newMailApp(t)
	before := len(a.outbox(t))

	p := owner.submit("/staff/settings/mail/test")
	if p.Status != http.StatusOK || !strings.Contains(p.textOf("mail-test-result"), a.nl("smtp.test_no_server")) {
		t.Errorf("without a server: status %d, result %q", p.Status, p.textOf("mail-test-result"))
	}

	in := startInbox(t, "")
	owner.submit("/staff/settings/mail", in.form("")...).location()
	p = owner.submit("/staff/settings/mail/test")
	want := a.cat.T("nl", "smtp.test_sent", map[string]any{"To": "els@delinde.example"})
	if p.Status != http.StatusOK || !strings.Contains(p.textOf("mail-test-result"), want) {
		t.Errorf("test mail: status %d, result %q, want %q", p.Status, p.textOf("mail-test-result"), want)
	}
	got := in.next(t)
	if len(got.To) != 1 || got.To[0] != "els@delinde.example" || !strings.Contains(got.Data, a.nl("smtp.test_subject")) {
		t.Errorf("the server got %+v, want the test mail to the owner", got)
	}
	if p := owner.submit("/staff/settings/mail/test", "smtp.test_to", "collega@delinde.example"); p.Status != http.StatusOK {
		t.Errorf("test mail to an address typed: status %d", p.Status)
	} else if got := in.next(t); len(got.To) != 1 || got.To[0] != "collega@delinde.example" {
		t.Errorf("the server got the test mail for %v, want collega@delinde.example", got.To)
	}
	if p := owner.submit("/staff/settings/mail/test", "smtp.test_to", "geen adres"); p.Status != http.StatusUnprocessableEntity ||
		fieldError(p, "smtp.test_to") != a.nl("field.email") {
		t.Errorf("test mail to a bad address: status %d, errors %v", p.Status, p.summary())
	}
	if n := len(a.outbox(t)); n != before {
		t.Errorf("the test mail went through the outbox: %d queued, want %d", n, before)
	}

	refusing := startInbox(t, "mailbox <b>onbekend</b>")
	owner.submit("/staff/settings/mail", refusing.form("")...).location()
	p = owner.submit("/staff/settings/mail/test")
	result := p.textOf("mail-test-result")
	if p.Status != http.StatusOK || !strings.Contains(result, a.nl("smtp.test_failed")) || !strings.Contains(result, "550") ||
		!strings.Contains(result, "mailbox <b>onbekend</b>") {
		t.Errorf("refused test mail: status %d, result %q; want the server's answer", p.Status, result)
	}
	if strings.Contains(p.Body, "<b>onbekend</b>") {
		t.Error("the server's answer is put on the page as HTML")
	}
	if details := a.auditedDetails(t, audit.MailTest); strings.Join(details, " ") != "result=failed result=sent result=sent result=failed" {
		t.Errorf("audited test mails %q", details)
	}
}

// The outbox page lists each mail's reference, kind, status, attempts and
// last error, never its recipient, subject or text; pages of 50; "retry
// now" makes a failed mail due now, for owners only.
func TestOutboxPage(t *testing.T) {
	a, owner := newMailApp(t)
	ref := a.fileRequest(t, "Anna de Vries", "anna@voorbeeld.example", "utrecht")
	p := owner.get("/staff/outbox")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	text := p.text()
	for _, want := range []string{ref, a.nl("outbox.kind.acknowledgement"), a.nl("outbox.status.waiting"), a.nl("outbox.no_server")} {
		if !strings.Contains(text, want) {
			t.Errorf("outbox page lacks %q", want)
		}
	}
	queued := a.outbox(t)
	if len(queued) != 1 {
		t.Fatalf("%d mails queued, want the acknowledgement", len(queued))
	}
	for _, secret := range []string{"anna@voorbeeld.example", queued[0].Message.Subject, "/volg/"} {
		if strings.Contains(p.Body, secret) {
			t.Errorf("outbox page shows %q of the mail", secret)
		}
	}
	if !strings.Contains(p.Body, `href="/staff/cases/`+ref+`"`) {
		t.Error("the reference does not link to its case")
	}

	// The server refuses it: failed, with its error, due again later.
	refusing := startInbox(t, "mailbox vol")
	owner.submit("/staff/settings/mail", refusing.form("")...).location()
	if _, err := mail.NewWorker(a.store, a.mail.Sender, a.clock, nil).RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	text = owner.get("/staff/outbox").text()
	if !strings.Contains(text, a.nl("outbox.status.failed")) || !strings.Contains(text, "mailbox vol") || strings.Contains(text, "anna@voorbeeld.example") {
		t.Errorf("after a refusal the page does not show the failure (or shows the address):\n%s", text)
	}
	if due, _ := a.store.Due(t.Context(), a.clock.Now(), 10); len(due) != 0 {
		t.Fatalf("the failed mail is due at once, want a back-off")
	}
	officer := a.signIn(t, "otto@delinde.example")
	id := strconv.FormatInt(queued[0].ID, 10)
	if got := officer.submit("/staff/outbox/" + id + "/retry").Status; got != http.StatusNotFound {
		t.Errorf("officer's retry: status %d, want 404", got)
	}
	if got := owner.submit("/staff/outbox/"+id+"/retry", "page", "1").location(); got != "/staff/outbox" {
		t.Errorf("retry: to %s", got)
	}
	if due, _ := a.store.Due(t.Context(), a.clock.Now(), 10); len(due) != 1 {
		t.Errorf("after retry now: %d mails due, want 1", len(due))
	}
	if details := a.auditTrail(t); !containsAction(details, audit.MailRetry, audit.Outbox(queued[0].ID)) {
		t.Error("retry now is not audited")
	}
	if got := owner.submit("/staff/outbox/999999/retry").Status; got != http.StatusNotFound {
		t.Errorf("retry of an unknown mail: status %d, want 404", got)
	}

	// Paging: 50 a page, newest first.
	for i := range 50 {
		a.fileRequest(t, "Kind "+strconv.Itoa(i), "ouder"+strconv.Itoa(i)+"@voorbeeld.example", "utrecht")
	}
	first := owner.get("/staff/outbox")
	if strings.Contains(first.text(), ref) || !strings.Contains(first.Body, `href="/staff/outbox?page=2"`) {
		t.Error("page 1 shows the oldest mail or has no link to page 2")
	}
	if second := owner.get("/staff/outbox?page=2"); !strings.Contains(second.text(), ref) || !strings.Contains(second.Body, `href="/staff/outbox?page=1"`) {
		t.Error("page 2 does not show the oldest mail or link back")
	}
}

// fieldError is the error the page's summary gives for field.
func fieldError(p *page, field string) string {
	return p.summary()["#f-"+strings.ReplaceAll(field, ".", "-")]
}

func containsAction(entries []audit.Entry, action audit.Action, object string) bool {
	for _, e := range entries {
		if e.Action == action && e.Object == object {
			return true
		}
	}
	return false
}

// Owners see a banner on staff pages while mails wait and no server is
// configured; officers do not, and it goes once a server is set.
func TestMailBanner(t *testing.T) {
	a, owner := newMailApp(t)
	officer := a.signIn(t, "otto@delinde.example")
	banner := func(b *staffBrowser) string {
		for _, n := range b.get("/staff/cases").find(func(n *html.Node) bool { return hasClass(n, "mail-banner") }) {
			return textContent(n)
		}
		return ""
	}
	if got := banner(owner); got != "" {
		t.Errorf("banner without waiting mail: %q", got)
	}
	a.fileRequest(t, "Anna de Vries", "anna@voorbeeld.example", "utrecht")
	a.fileRequest(t, "Bram de Vries", "bram@voorbeeld.example", "utrecht")
	want := a.cat.N("nl", "outbox.banner", 2, nil)
	if got := banner(owner); !strings.Contains(got, want) {
		t.Errorf("owner's banner %q, want %q", got, want)
	}
	if p := owner.get("/staff/cases"); !strings.Contains(p.Body, `href="/staff/settings#mail"`) {
		t.Error("the banner does not link to the settings")
	}
	if got := banner(officer); got != "" {
		t.Errorf("an officer sees the banner %q", got)
	}
	in := startInbox(t, "")
	owner.submit("/staff/settings/mail", in.form("")...).location()
	if got := banner(owner); got != "" {
		t.Errorf("banner with a server configured: %q", got)
	}
}

// End to end: the owner sets the server on the settings page and the
// worker, built once before, sends the queued acknowledgement through it;
// the parent's tracking link arrives.
func TestWorkerUsesServerFromSettingsPage(t *testing.T) {
	a, owner := newMailApp(t)
	worker := mail.NewWorker(a.store, a.mail.Sender, a.clock, nil)
	ref := a.fileRequest(t, "Anna de Vries", "anna@voorbeeld.example", "utrecht")
	if n, err := worker.RunOnce(t.Context()); n != 0 || err != nil {
		t.Fatalf("without a server: RunOnce = %d, %v; want nothing sent", n, err)
	}
	in := startInbox(t, "")
	owner.submit("/staff/settings/mail", in.form("relay-wachtwoord")...).location()
	if n, err := worker.RunOnce(t.Context()); n != 1 || err != nil {
		t.Fatalf("after saving the server: RunOnce = %d, %v; want the acknowledgement sent", n, err)
	}
	got := in.next(t)
	if len(got.To) != 1 || got.To[0] != "anna@voorbeeld.example" || !strings.Contains(got.Data, ref) ||
		!trackingLink.MatchString(strings.ReplaceAll(got.Data, "=\r\n", "")) {
		t.Errorf("the server got %+v, want the acknowledgement of %s with its tracking link", got.To, ref)
	}
	if text := owner.get("/staff/outbox").text(); !strings.Contains(text, a.nl("outbox.status.sent")) {
		t.Error("the outbox page does not show the mail as sent")
	}
}

// The setup page takes the server too (optional); a bad port is refused
// next to its field and nothing is set up.
func TestSetupTakesMailServer(t *testing.T) {
	a := newTestServer(t)
	token := a.addSetupToken(t)
	path := "/setup/" + token
	b := a.browser(t)
	csrf, _ := b.formTokens(path)
	form := validSetup(csrf)
	form.Set("smtp.host", "smtp.delinde.example")
	form.Set("smtp.port", "99999")
	form.Set("smtp.security", "tls")
	form.Set("smtp.from", "noreply@delinde.example")
	p := b.post(path, form)
	if p.Status != http.StatusUnprocessableEntity || fieldError(p, "smtp.port") != a.nl("smtp.port_invalid") {
		t.Fatalf("bad port: status %d, errors %v", p.Status, p.summary())
	}
	if n, _ := a.store.CountMembers(t.Context()); n != 0 {
		t.Fatal("set up despite the bad port")
	}
	form.Set("smtp.port", "")
	form.Set("smtp.username", "portaal")
	form.Set("smtp.password", "relay-wachtwoord")
	if p := b.post(path, form); p.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.Status, p.text())
	}
	got, err := a.store.MailSettings(t.Context())
	if err != nil || got.Host != "smtp.delinde.example" || got.Port != 465 || got.Security != mail.SecurityTLS || got.Password != "relay-wachtwoord" {
		t.Errorf("stored %+v, %v; want the server with the usual TLS port", got, err)
	}
}
