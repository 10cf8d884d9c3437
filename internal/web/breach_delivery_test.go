package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/mail"
)

// A person counts as told, and the breach as informed, when the mail server
// accepted their letter, not when it was queued; the letter page shows each
// letter queued, sent or failed. A real SMTP server runs in the test and
// refuses one address.
func TestBreachLettersDelivered(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), breach.InformYes)
	owner := a.breachSignIn(t, "els@delinde.example")
	path := "/staff/breaches/" + r.Reference
	upload := "naam;e-mail;taal\r\nAnna de Vries;anna@example.nl;nl\r\nDina Dekker;dina@example.com;en\r\nWim Weg;weg@example.nl;nl\r\n"
	wantStatus(t, owner.upload(path+"/recipients", "csv", "ouders.csv", []byte(upload)), http.StatusOK)
	breachAt(t, owner.postForm(path+"/send"))

	// Queued: nobody is told yet.
	rec := mustRecord(t, a, r.Reference)
	if rec.Queued != 3 || rec.Told != 0 || rec.Informed == nil || rec.Informed.At != nil {
		t.Fatalf("queued: %d queued, %d told, informed %+v; want 3, 0 and no moment", rec.Queued, rec.Told, rec.Informed)
	}
	page := owner.get(path + "/letter")
	for _, email := range []string{"anna@example.nl", "dina@example.com", "weg@example.nl"} {
		if got := deliveryOf(t, page, email); got != "queued" {
			t.Errorf("letter page: %s is %q, want queued", email, got)
		}
	}

	// The worker sends them; the server refuses weg@example.nl.
	srv := startRelay(t, "weg@example.nl")
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: srv.host, Port: srv.port,
		From: "Jeugdpraktijk De Linde <noreply@delinde.example>", Insecure: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(5 * time.Minute)
	sentAt := a.clock.Now()
	n, err := mail.NewWorker(a.store, mail.Always(sender), a.clock, nil).RunOnce(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 sent", n, err)
	}

	rec = mustRecord(t, a, r.Reference)
	if rec.Told != 2 || rec.Informed == nil || rec.Informed.At == nil || !rec.Informed.At.Equal(sentAt) ||
		rec.Informed.Count.Exact == nil || *rec.Informed.Count.Exact != 2 {
		t.Errorf("sent: %d told, informed %+v; want 2 told at %v", rec.Told, rec.Informed, sentAt)
	}
	page = owner.get(path + "/letter")
	for email, want := range map[string]string{"anna@example.nl": "sent", "dina@example.com": "sent", "weg@example.nl": "failed"} {
		if got := deliveryOf(t, page, email); got != want {
			t.Errorf("letter page: %s is %q, want %s", email, got, want)
		}
	}
	text := page.text()
	for _, want := range []string{
		a.cat.T("nl", "breach.people.state.failed", map[string]any{"Attempts": 1}),
		a.cat.T("nl", "breach.letter.list_count", map[string]any{"Count": 3, "Told": 2}),
		a.cat.T("nl", "breach.letter.on_the_way", map[string]any{"Count": 1}),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter page lacks %q", want)
		}
	}
}

// deliveryOf returns the state the letter page shows for email's letter: the
// class delivery-<state> of the last cell of its row.
func deliveryOf(tb testing.TB, p *page, email string) string {
	tb.Helper()
	for _, tr := range p.find(func(n *html.Node) bool { return n.Data == "tr" }) {
		if !strings.Contains(textContent(tr), email) {
			continue
		}
		for td := tr.LastChild; td != nil; td = td.PrevSibling {
			if td.Data == "td" {
				return strings.TrimPrefix(attr(td, "class"), "delivery-")
			}
		}
	}
	tb.Errorf("no row for %s on the letter page", email)
	return ""
}

// relay is an SMTP server in the test that accepts every mail except to the
// refused addresses.
type relay struct {
	host string
	port int
}

func startRelay(tb testing.TB, refused ...string) relay {
	tb.Helper()
	host, port := serveSMTP(tb, relayBackend{refused: refused}, "relay.example")
	return relay{host: host, port: port}
}

type relayBackend struct{ refused []string }

func (b relayBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{b: b}, nil }

type relaySession struct{ b relayBackend }

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range s.b.refused {
		if strings.EqualFold(to, r) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
	}
	return nil
}
func (s *relaySession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (s *relaySession) Reset()                 {}
func (s *relaySession) Logout() error          { return nil }
