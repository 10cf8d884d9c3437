package mail

import (
	"errors"
	"strings"
	"testing"
)

func validMessage() Message {
	return Message{
		To:      "jan@example.nl",
		Subject: "Uw verzoek is ontvangen — referentie AVG-2025-0042",
		Text:    "Bekijk de stand van uw verzoek:\nhttps://avgloket.example/v/abc\n",
	}
}

func TestMessageValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Message)
		ok     bool
	}{
		{"valid", func(*Message) {}, true},
		{"subject of exactly 200 characters", func(m *Message) { m.Subject = strings.Repeat("é", 200) }, true},
		{"plus address", func(m *Message) { m.To = "jan+avg@example.nl" }, true},
		{"reply-to", func(m *Message) { m.ReplyTo = "privacy@delinde.example" }, true},
		{"reply-to with header injection", func(m *Message) { m.ReplyTo = "a@b.c\r\nBcc: x@y.z" }, false},
		{"reply-to with display name", func(m *Message) { m.ReplyTo = "Privacy <privacy@delinde.example>" }, false},

		{"empty recipient", func(m *Message) { m.To = "" }, false},
		{"recipient with header injection", func(m *Message) { m.To = "a@b.c\r\nBcc: x@y.z" }, false},
		{"recipient with LF", func(m *Message) { m.To = "a@b.c\nBcc: x@y.z" }, false},
		{"recipient with display name", func(m *Message) { m.To = "Jan <jan@example.nl>" }, false},
		{"recipient in angle brackets", func(m *Message) { m.To = "<jan@example.nl>" }, false},
		{"recipient with comment", func(m *Message) { m.To = "jan@example.nl (Jan)" }, false},
		{"two recipients", func(m *Message) { m.To = "jan@example.nl, piet@example.nl" }, false},
		{"recipient without @", func(m *Message) { m.To = "jan.example.nl" }, false},
		{"recipient with spaces around", func(m *Message) { m.To = " jan@example.nl " }, false},
		{"recipient too long", func(m *Message) { m.To = strings.Repeat("a", 250) + "@b.nl" }, false},

		{"empty subject", func(m *Message) { m.Subject = "" }, false},
		{"blank subject", func(m *Message) { m.Subject = "  " }, false},
		{"subject with CRLF", func(m *Message) { m.Subject = "Hallo\r\nBcc: x@y.z" }, false},
		{"subject with LF", func(m *Message) { m.Subject = "Hallo\nBcc: x@y.z" }, false},
		{"subject with CR", func(m *Message) { m.Subject = "Hallo\rBcc: x@y.z" }, false},
		{"subject with NUL", func(m *Message) { m.Subject = "Hallo\x00" }, false},
		{"subject with invalid UTF-8", func(m *Message) { m.Subject = "Hallo \xff" }, false},
		{"subject of 201 characters", func(m *Message) { m.Subject = strings.Repeat("é", 201) }, false},

		{"empty text", func(m *Message) { m.Text = "" }, false},
		{"blank text", func(m *Message) { m.Text = "\n \n" }, false},
		{"text with invalid UTF-8", func(m *Message) { m.Text = "a \xff" }, false},
		{"text too long", func(m *Message) { m.Text = strings.Repeat("a", MaxTextBytes+1) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMessage()
			tt.change(&m)
			err := m.Validate()
			if tt.ok {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("Validate() = %v, want ErrInvalidMessage", err)
			}
			// The text is logged and stored: it must not repeat the value.
			for _, v := range []string{m.To, m.Subject} {
				if v != "" && strings.Contains(err.Error(), v) {
					t.Errorf("error %q repeats the value %q", err, v)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, addr, want string }{
		{"550 <jan@example.nl>: unknown", "jan@example.nl", "550 <<recipient>>: unknown"},
		{"550 <JAN@Example.NL> x, jan@example.nl", "jan@example.nl", "550 <<recipient>> x, <recipient>"},
		{"dial tcp: refused", "jan@example.nl", "dial tcp: refused"},
		{"no address", "", "no address"},
	}
	for _, tt := range tests {
		if got := redact(tt.in, tt.addr); got != tt.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tt.in, tt.addr, got, tt.want)
		}
	}
}
