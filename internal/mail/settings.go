package mail

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"unicode"
)

// Security is how the connection to the SMTP server is protected, as the
// owner chooses it on the settings page.
type Security string

const (
	// SecuritySTARTTLS upgrades the connection with STARTTLS and sends
	// nothing to a server that does not offer it (usually port 587).
	SecuritySTARTTLS Security = "starttls"
	// SecurityTLS speaks TLS from the first byte (SMTPS, usually port 465).
	SecurityTLS Security = "tls"
	// SecurityLocal uses STARTTLS when the server offers it and goes on
	// without otherwise: a relay on the same host only
	// (AVGLOKET_SMTP_INSECURE=1).
	SecurityLocal Security = "local"
)

// Securities lists the choices, the recommended one first.
func Securities() []Security { return []Security{SecuritySTARTTLS, SecurityTLS, SecurityLocal} }

// Settings is the SMTP server as the owner sets it on the settings or setup
// page. An empty Host means no server: mails wait in the outbox.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string // stored sealed, never shown back
	From     string
	Security Security
	CAFile   string // PEM file of a private relay's CA
}

// The form fields of Settings, also the keys of Problems.
const (
	FieldHost     = "smtp.host"
	FieldPort     = "smtp.port"
	FieldUsername = "smtp.username"
	FieldPassword = "smtp.password"
	FieldFrom     = "smtp.from"
	FieldSecurity = "smtp.security"
	FieldCAFile   = "smtp.ca_file"
)

// Configured reports whether s names a server.
func (s Settings) Configured() bool { return s.Host != "" }

// Config is s as the sender takes it; helo is the name given in EHLO.
func (s Settings) Config(helo string) SMTPConfig {
	return SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From,
		Insecure: s.Security == SecurityLocal, ImplicitTLS: s.Security == SecurityTLS, HeloName: helo, CAFile: s.CAFile}
}

// Over returns s as it is to be saved over stored. The page never shows the
// password, so an empty one keeps the stored password, unless clear is set
// (the owner ticked "clear").
func (s Settings) Over(stored Settings, clear bool) Settings {
	if s.Password == "" && !clear {
		s.Password = stored.Password
	}
	return s
}

// SettingsOf is c as the settings page shows it: the server the environment
// sets.
func SettingsOf(c SMTPConfig) Settings {
	sec := SecuritySTARTTLS
	switch {
	case c.ImplicitTLS || c.Port == 465:
		sec = SecurityTLS
	case c.Insecure:
		sec = SecurityLocal
	}
	return Settings{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, From: c.From,
		Security: sec, CAFile: c.CAFile}
}

// Problems checks s as typed and returns the message id of each field at
// fault; none when s may be saved. Settings without a host are fine (no
// server). A CA file must be an absolute path to a PEM file that can be read
// now, so that a wrong path shows on the page rather than in the first mail's
// error.
func (s Settings) Problems() map[string]string {
	p := map[string]string{}
	if !s.Configured() {
		return p
	}
	c := s.Config("")
	switch {
	case strings.ContainsFunc(s.Host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }),
		strings.Contains(s.Host, ":"):
		p[FieldHost] = "smtp.host_invalid"
	}
	if s.Port < 1 || s.Port > 65535 {
		p[FieldPort] = "smtp.port_invalid"
	}
	if strings.ContainsFunc(s.Username, unicode.IsControl) {
		p[FieldUsername] = "smtp.username_invalid"
	}
	if s.Password != "" && s.Username == "" {
		p[FieldUsername] = "smtp.username_missing"
	}
	switch {
	case s.From == "":
		p[FieldFrom] = "field.required"
	default:
		if _, err := parseFrom(s.From); err != nil {
			p[FieldFrom] = "smtp.from_invalid"
		}
	}
	switch s.Security {
	case SecuritySTARTTLS, SecurityTLS, SecurityLocal:
	default:
		p[FieldSecurity] = "field.choose"
	}
	if s.CAFile != "" {
		if !filepath.IsAbs(s.CAFile) {
			p[FieldCAFile] = "smtp.ca_file_invalid"
		} else if _, err := rootsWith(s.CAFile); err != nil {
			p[FieldCAFile] = "smtp.ca_file_invalid"
		}
	}
	if len(p) == 0 {
		if err := c.Validate(); err != nil {
			p[FieldHost] = "smtp.host_invalid"
		}
	}
	return p
}

// Servers says which SMTP server the mail goes through now: the one the
// environment sets (AVGLOKET_SMTP_*), which wins, or else the one saved on
// the settings page, read anew each time so that a change there takes effect
// without a restart.
type Servers struct {
	env    *SMTPConfig
	stored func(context.Context) (Settings, error)
	helo   string
}

// NewServers returns the servers: env is the environment's (nil when it
// sets none), stored reads the saved settings, helo is the EHLO name for the
// saved server.
func NewServers(env *SMTPConfig, stored func(context.Context) (Settings, error), helo string) *Servers {
	return &Servers{env: env, stored: stored, helo: helo}
}

// FromEnv reports whether the environment sets the server, so that the
// saved settings are not used.
func (v *Servers) FromEnv() bool { return v.env != nil }

// Env returns the environment's server as the page shows it; ok is false
// when the environment sets none.
func (v *Servers) Env() (s Settings, ok bool) {
	if v.env == nil {
		return Settings{}, false
	}
	return SettingsOf(*v.env), true
}

// Current returns the server the mail goes through now; ok is false when
// none is configured.
func (v *Servers) Current(ctx context.Context) (c SMTPConfig, ok bool, err error) {
	if v.env != nil {
		return *v.env, true, nil
	}
	s, err := v.stored(ctx)
	if err != nil || !s.Configured() {
		return SMTPConfig{}, false, err
	}
	return s.Config(v.helo), true, nil
}

// ErrNoServer is returned by Sender when no server is configured.
var ErrNoServer = errors.New("mail: no SMTP server configured")

// Sender returns a sender for the current server, or an error wrapping
// ErrNoServer when there is none.
func (v *Servers) Sender(ctx context.Context) (Sender, error) {
	c, ok, err := v.Current(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoServer
	}
	return NewSMTPSender(c)
}
