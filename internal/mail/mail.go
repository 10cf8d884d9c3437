// Package mail sends avgloket's e-mails: plain-text notices that carry links
// and references, never the content of a case (SECURITY.md item 13).
//
// Mails are not sent from request handlers. The change that causes a mail
// writes it to an outbox table in the same database transaction (see Queue),
// and a Worker delivers what is due, retrying with back-off. A crash between
// the commit and the send therefore loses nothing; the price is that a mail
// whose delivery succeeded but could not be recorded is sent again
// (at-least-once delivery).
//
// smtp.go is the only file that knows the SMTP library (go-mail), so it can be
// swapped without touching the rest.
package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/email"
)

// Limits on a Message, checked by Validate.
const (
	MaxSubjectLen = 200      // characters (runes), not bytes
	MaxTextBytes  = 64 << 10 // a notice with links, not a document
)

const (
	redacted = "<recipient>" // stands in for the address in error texts
)

// ErrInvalidMessage is wrapped by Message.Validate's errors. Their text never
// repeats the offending value, so it may be logged and stored.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Message is one plain-text e-mail to one recipient. It carries links and
// references only, never the content of a case: that is the caller's duty,
// since this package cannot tell the one from the other.
type Message struct {
	To      string // a bare address such as "jan@example.nl"; no display name
	Subject string
	Text    string // plain text, UTF-8
	// ReplyTo is where a reply goes: the practice's privacy address, since
	// the From address is a relay's no-reply. A bare address like To, or
	// empty for none.
	ReplyTo string `json:",omitempty"`
	// Kind names the letter (a Kind constant) and Ref the case or breach
	// reference it is about, if any: what the owners' outbox page shows of
	// a mail without opening it. Neither is part of the mail itself.
	Kind Kind   `json:"-"`
	Ref  string `json:"-"`
}

// Kind says which letter a Message is.
type Kind string

// The letters avgloket sends.
const (
	KindAcknowledgement Kind = "acknowledgement"
	KindMessage         Kind = "message"
	KindExtension       Kind = "extension"
	KindDecision        Kind = "decision"
	KindInvitation      Kind = "invitation"
	KindReminder        Kind = "reminder"
	KindBreachReminder  Kind = "breach_reminder"
	KindBreachLetter    Kind = "breach_letter"
	KindDocuments       Kind = "documents"
	KindDeliveryCode    Kind = "delivery_code"
	// KindRestrictionLifting tells a requester beforehand that a
	// restriction of processing is lifted (AVG art. 18(3)).
	KindRestrictionLifting Kind = "restriction_lifting"
	// KindPortabilityTransfer: a portability export's link to another
	// organisation (AVG art. 20(2)).
	KindPortabilityTransfer Kind = "portability_transfer"
	// KindNotice tells a recipient of the data of a rectification,
	// erasure or restriction (AVG art. 19).
	KindNotice Kind = "notice"
)

// Kinds lists every Kind, e.g. for the words of the outbox page.
func Kinds() []Kind {
	return []Kind{KindAcknowledgement, KindMessage, KindExtension, KindDecision, KindInvitation,
		KindReminder, KindBreachReminder, KindBreachLetter, KindDocuments, KindDeliveryCode, KindRestrictionLifting, KindPortabilityTransfer, KindNotice}
}

// Validate reports whether m may be sent. It returns an error wrapping
// ErrInvalidMessage when
//   - To, or ReplyTo when set, is not exactly one bare address as email.Valid
//     reads it (no display name, no angle brackets, no comments, no list, no
//     control characters such as CR or LF, a dot in the domain);
//   - Subject is empty or blank, longer than MaxSubjectLen characters, not
//     valid UTF-8, or contains CR, LF or another control character (which
//     could inject header fields);
//   - Text is empty or blank, not valid UTF-8, or longer than MaxTextBytes.
func (m Message) Validate() error {
	if err := validateRecipient(m.To); err != nil {
		return err
	}
	if m.ReplyTo != "" {
		if err := validateRecipient(m.ReplyTo); err != nil {
			return fmt.Errorf("reply-to: %w", err)
		}
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		return invalid("subject is empty")
	case strings.ContainsAny(m.Subject, "\r\n"):
		return invalid("subject contains a line break")
	case !utf8.ValidString(m.Subject):
		return invalid("subject is not valid UTF-8")
	case strings.ContainsFunc(m.Subject, unicode.IsControl):
		return invalid("subject contains a control character")
	case utf8.RuneCountInString(m.Subject) > MaxSubjectLen:
		return invalid(fmt.Sprintf("subject is longer than %d characters", MaxSubjectLen))
	}
	switch {
	case strings.TrimSpace(m.Text) == "":
		return invalid("text is empty")
	case !utf8.ValidString(m.Text):
		return invalid("text is not valid UTF-8")
	case len(m.Text) > MaxTextBytes:
		return invalid(fmt.Sprintf("text is longer than %d bytes", MaxTextBytes))
	}
	return nil
}

func validateRecipient(to string) error {
	switch {
	case to == "":
		return invalid("recipient is empty")
	case len(to) > email.MaxLen:
		return invalid("recipient is too long")
	case !utf8.ValidString(to):
		return invalid("recipient is not valid UTF-8")
	case strings.ContainsFunc(to, unicode.IsControl):
		// CR and LF above all: "a@b.c\r\nBcc: x@y.z".
		return invalid("recipient contains a control character")
	case !email.Valid(to):
		// Anything net/mail would strip or unquote (a display name, "<…>",
		// a comment, quoting) is refused too: the header and the envelope
		// must both say exactly what the caller stored.
		return invalid("recipient is not one bare address")
	}
	return nil
}

func invalid(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidMessage, reason) }

// Sender delivers one message. Implementations validate m and refuse an
// invalid one without sending anything. An error means the message may not
// have been delivered and can be retried.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// redact replaces every occurrence of addr in s, ignoring case (servers echo
// addresses in their replies, sometimes lower-cased), so that an error text
// can be logged and stored without the recipient's address.
func redact(s, addr string) string {
	if addr == "" {
		return s
	}
	ls, la := strings.ToLower(s), strings.ToLower(addr)
	if len(ls) != len(s) || len(la) != len(addr) {
		// Lower-casing changed byte offsets (rare Unicode); exact match only.
		return strings.ReplaceAll(s, addr, redacted)
	}
	var b strings.Builder
	for {
		i := strings.Index(ls, la)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(redacted)
		s, ls = s[i+len(la):], ls[i+len(la):]
	}
}
