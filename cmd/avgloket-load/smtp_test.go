package main

import (
	"net/smtp"
	"strings"
	"testing"
)

// TestMailSinkDownThenUp: while down the sink refuses connections; once
// up it counts each accepted mail per recipient, lower-cased.
func TestMailSinkDownThenUp(t *testing.T) {
	sink, err := newMailSink()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("Subject: ontvangen\r\n\r\nUw verzoek is ontvangen.\r\n")
	if err := smtp.SendMail(sink.addr, nil, privacyEmail, []string{"a@x.example"}, msg); err == nil {
		t.Fatal("a mail went through while the sink was down")
	}
	if err := sink.up(); err != nil {
		t.Fatal(err)
	}
	defer sink.close()
	for _, to := range []string{"a@x.example", "B@x.example", "a@x.example"} {
		if err := smtp.SendMail(sink.addr, nil, privacyEmail, []string{to}, msg); err != nil {
			t.Fatalf("send to %s: %v", to, err)
		}
	}
	got := sink.received()
	if got["a@x.example"] != 2 || got["b@x.example"] != 1 || len(got) != 2 {
		t.Errorf("received %v, want a twice and b once", got)
	}
	env := strings.Join(sink.env(), " ")
	for _, want := range []string{"AVGLOKET_SMTP_HOST=127.0.0.1", "AVGLOKET_SMTP_INSECURE=1", "AVGLOKET_SMTP_PORT="} {
		if !strings.Contains(env, want) {
			t.Errorf("env %q lacks %q", env, want)
		}
	}
}
