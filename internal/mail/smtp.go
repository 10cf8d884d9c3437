package mail

// This is the only file that imports the SMTP library
// (github.com/go-mail/mail/v2). Everything it returns is translated into this
// package's types and errors, so the library can be swapped here alone.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/go-mail/mail/v2"
)

// DefaultTimeout bounds each step of an SMTP conversation when
// SMTPConfig.Timeout is zero. (go-mail reads a zero timeout as "wait forever",
// which would let one stuck relay stop the outbox.)
const DefaultTimeout = 30 * time.Second

// ErrInvalidConfig is wrapped by SMTPConfig.Validate's errors.
var ErrInvalidConfig = errors.New("mail: invalid SMTP configuration")

// ErrStartTLSRequired is wrapped by SMTPSender.Send's error when STARTTLS is
// required (SMTPConfig.Insecure is false) but the server does not offer it.
// Nothing has been sent in that case, credentials included.
var ErrStartTLSRequired = errors.New("mail: server does not offer STARTTLS, which is required")

// SMTPConfig says how to reach the SMTP relay.
type SMTPConfig struct {
	Host string // host name or IPv4 address (go-mail cannot dial IPv6 literals)
	Port int    // 587 for submission with STARTTLS; 465 means implicit TLS

	// Username and Password authenticate to the relay; both empty means no
	// authentication. Credentials are only sent after STARTTLS unless
	// Insecure is set (and then, for PLAIN, only to localhost: net/smtp refuses
	// otherwise).
	Username, Password string

	// From is the sender address, optionally with a name:
	// "Praktijk De Linde <noreply@delinde.example>".
	From string

	// Insecure allows the conversation to proceed without STARTTLS. Only for
	// a relay on the same host or a trusted local network. STARTTLS is still
	// used when the relay offers it (see NewSMTPSender).
	Insecure bool

	// ImplicitTLS speaks TLS from the first byte (SMTPS) instead of
	// upgrading with STARTTLS; port 465 always does.
	ImplicitTLS bool

	// Timeout bounds each step: connecting, the greeting, and the rest of the
	// conversation. Zero means DefaultTimeout.
	Timeout time.Duration

	// HeloName is the name given in EHLO: the host of the portal's base URL.
	// Relays and spam filters check it; empty sends "localhost", which many
	// refuse or score down.
	HeloName string

	// CAFile is a PEM file of CA certificates that the relay's certificate
	// may chain to, in addition to the system roots: for a relay with a
	// certificate from the practice's own CA (AVGLOKET_SMTP_CA_FILE).
	CAFile string
}

// Validate reports whether c can be used, returning an error wrapping
// ErrInvalidConfig if not. It does not contact the server.
func (c SMTPConfig) Validate() error {
	bad := func(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidConfig, reason) }
	switch {
	case c.Host == "":
		return bad("host is empty")
	case strings.ContainsFunc(c.Host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return bad("host contains white space or control characters")
	case strings.Contains(c.Host, ":"):
		// go-mail joins host and port with "%s:%d", which breaks IPv6 literals.
		return bad("host must be a name or an IPv4 address, without a port")
	case c.Port < 1 || c.Port > 65535:
		return bad("port must be between 1 and 65535")
	case c.Password != "" && c.Username == "":
		return bad("password given without a username")
	case strings.ContainsFunc(c.Username, unicode.IsControl):
		return bad("username contains control characters")
	case c.Timeout < 0:
		return bad("timeout is negative")
	case strings.ContainsFunc(c.HeloName, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-')
	}):
		return bad("EHLO name must be a host name")
	}
	if _, err := parseFrom(c.From); err != nil {
		return bad(err.Error())
	}
	return nil
}

func parseFrom(from string) (*netmail.Address, error) {
	if from == "" {
		return nil, errors.New("from is empty")
	}
	if strings.ContainsFunc(from, unicode.IsControl) {
		return nil, errors.New("from contains control characters")
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from is not a single address: %v", err)
	}
	return a, nil
}

// SMTPSender sends messages through an SMTP relay, one connection per
// message (avgloket sends few mails). It is safe for concurrent use.
type SMTPSender struct {
	host      string
	port      int
	username  string
	password  string
	from      *netmail.Address
	idDomain  string // right-hand side of Message-IDs
	helo      string // the EHLO name; "" lets go-mail send "localhost"
	policy    gomail.StartTLSPolicy
	implicit  bool // TLS from the first byte
	timeout   time.Duration
	tlsConfig *tls.Config // cloned per dial; tests add a root CA here
}

// NewSMTPSender returns a sender for c, or an error wrapping ErrInvalidConfig.
//
// STARTTLS is mandatory unless c.Insecure is set: a relay that does not offer
// it gets nothing, not even the credentials. With c.Insecure the policy is
// opportunistic rather than "never": a relay that offers STARTTLS is still
// used encrypted, which costs nothing and protects the links in the mails on a
// shared network. The flip side is that a local relay offering STARTTLS with
// a certificate that does not verify for c.Host is refused; fix its
// certificate (or its STARTTLS offer) rather than weakening verification.
// Port 465, or c.ImplicitTLS, uses implicit TLS regardless of c.Insecure.
//
// Every message gets Date, Message-ID and "Auto-Submitted: auto-generated"
// (RFC 3834, so auto-responders stay quiet).
func NewSMTPSender(c SMTPConfig) (*SMTPSender, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	from, _ := parseFrom(c.From)
	s := &SMTPSender{
		host:      c.Host,
		port:      c.Port,
		username:  c.Username,
		password:  c.Password,
		from:      from,
		idDomain:  messageIDDomain(from.Address),
		policy:    gomail.MandatoryStartTLS,
		implicit:  c.ImplicitTLS || c.Port == 465,
		timeout:   c.Timeout,
		tlsConfig: &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12},
	}
	if c.Insecure {
		s.policy = gomail.OpportunisticStartTLS
	}
	s.helo = c.HeloName
	if c.CAFile != "" {
		roots, err := rootsWith(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		s.tlsConfig.RootCAs = roots
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	installDialHook.Do(func() { gomail.NetDialTimeout = dialWithDeadline })
	return s, nil
}

// rootsWith returns the system roots with the CA certificates of the PEM
// file path added. It fails when the file cannot be read or holds no
// certificate.
func rootsWith(path string) (*x509.CertPool, error) {
	pemData, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool() // no system roots here: the file alone
	}
	if !roots.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	return roots, nil
}

// installDialHook guards the one change this package makes to go-mail's
// package state. go-mail (v2.3.0) sets its read/write deadline only after
// net/smtp has read the server's greeting, so a relay that accepts the
// connection and never greets would block a send, and with it the outbox
// and shutdown, forever. dialWithDeadline puts the deadline on the connection
// before the greeting. It only adds a deadline go-mail then replaces, and
// nothing else in avgloket uses go-mail, so the change is safe to make
// process-wide.
var installDialHook sync.Once

func dialWithDeadline(network, address string, timeout time.Duration) (net.Conn, error) {
	conn, err := net.DialTimeout(network, address, timeout)
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

// Send validates m, then connects, authenticates if configured, and delivers
// m. It returns an error wrapping ErrInvalidMessage (nothing sent),
// ErrStartTLSRequired (nothing sent), ctx's error if ctx is done before the
// connection is made, or the connection or server error. Once connected, the
// conversation is bounded by the configured timeout per step rather than by
// ctx, because go-mail takes no context.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	msg := gomail.NewMessage() // UTF-8, quoted-printable body
	// From and Subject are encoded here, not by go-mail: its encoded words
	// run to 75 characters after the field name (lines over RFC 2047's 76)
	// and leave ' & ( . raw in a display name, where §5(3) forbids them.
	msg.SetHeader("From", formatAddress(s.from.Address, s.from.Name))
	msg.SetAddressHeader("To", m.To, "")
	if m.ReplyTo != "" {
		msg.SetAddressHeader("Reply-To", m.ReplyTo, "")
	}
	msg.SetHeader("Subject", encodeWords(m.Subject))
	msg.SetDateHeader("Date", time.Now())
	msg.SetHeader("Message-ID", "<"+rand.Text()+"@"+s.idDomain+">")
	msg.SetHeader("Auto-Submitted", "auto-generated")
	msg.SetBody("text/plain", m.Text)

	// A fresh Dialer per send: go-mail's Dial stores the chosen auth
	// mechanism in the Dialer, so sharing one between goroutines races.
	d := &gomail.Dialer{
		Host:           s.host,
		Port:           s.port,
		Username:       s.username,
		Password:       s.password,
		SSL:            s.implicit,
		TLSConfig:      s.tlsConfig.Clone(),
		StartTLSPolicy: s.policy,
		Timeout:        s.timeout,
		RetryFailure:   true, // re-dial once if MAIL FROM times out; nothing was sent yet
		LocalName:      s.helo,
	}
	if err := d.DialAndSend(msg); err != nil {
		var noTLS gomail.StartTLSUnsupportedError
		if errors.As(err, &noTLS) {
			return fmt.Errorf("mail: %s:%d: %w", s.host, s.port, ErrStartTLSRequired)
		}
		var sendErr *gomail.SendError
		if errors.As(err, &sendErr) {
			err = sendErr.Cause // drop go-mail's "could not send email 1"
		}
		return fmt.Errorf("mail: send via %s:%d: %w", s.host, s.port, err)
	}
	return nil
}

// maxWordBytes is how many bytes of text go into one encoded word: base64
// makes 52 characters of 39 bytes, and with "=?UTF-8?b?" and "?=" the word is
// 64 characters, so that "Subject: " or "From: " and a word fit a line of 76
// (RFC 2047 §2), and so does a folded line of one space and a word.
const maxWordBytes = 39

// encodeWords returns s as it is when it is printable ASCII, and otherwise
// as base64 encoded words of at most maxWordBytes bytes each (split between
// characters, never inside one), separated by spaces, which a reader drops
// between encoded words. Base64 uses only letters, digits, + / and =, the
// characters RFC 2047 §5(3) allows in a phrase such as a display name.
func encodeWords(s string) string {
	ascii := !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r > '~' })
	if ascii {
		return s
	}
	var words []string
	for s != "" {
		n := 0
		for _, r := range s {
			l := utf8.RuneLen(r)
			if n+l > maxWordBytes && n > 0 {
				break
			}
			n += l
		}
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// formatAddress writes "name <address>": the name as encoded words when it
// is not ASCII, as a quoted string otherwise.
func formatAddress(address, name string) string {
	switch enc := encodeWords(name); {
	case name == "":
		return address
	case enc != name:
		return enc + " <" + address + ">"
	default:
		q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
		return `"` + q + `" <` + address + ">"
	}
}

// messageIDDomain returns the domain of the From address for Message-IDs, or
// a placeholder when it is not plain ASCII (go-mail would encode it).
func messageIDDomain(addr string) string {
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	for _, r := range domain {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-') {
			return "avgloket.invalid"
		}
	}
	if domain == "" {
		return "avgloket.invalid"
	}
	return domain
}
