package mail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSettingsProblems(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("no certificate here"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := Settings{Host: "smtp.delinde.example", Port: 587, Username: "portaal", Password: "geheim",
		From: "Praktijk De Linde <noreply@delinde.example>", Security: SecuritySTARTTLS}
	tests := []struct {
		name   string
		change func(*Settings)
		want   map[string]string
	}{
		{"good", func(*Settings) {}, map[string]string{}},
		{"no server at all", func(s *Settings) { *s = Settings{} }, map[string]string{}},
		{"host with a port", func(s *Settings) { s.Host = "smtp.delinde.example:587" }, map[string]string{FieldHost: "smtp.host_invalid"}},
		{"host with a space", func(s *Settings) { s.Host = "smtp delinde" }, map[string]string{FieldHost: "smtp.host_invalid"}},
		{"port 0", func(s *Settings) { s.Port = 0 }, map[string]string{FieldPort: "smtp.port_invalid"}},
		{"port too high", func(s *Settings) { s.Port = 70000 }, map[string]string{FieldPort: "smtp.port_invalid"}},
		{"password without user", func(s *Settings) { s.Username = "" }, map[string]string{FieldUsername: "smtp.username_missing"}},
		{"no sender", func(s *Settings) { s.From = "" }, map[string]string{FieldFrom: "field.required"}},
		{"two senders", func(s *Settings) { s.From = "a@delinde.example, b@delinde.example" }, map[string]string{FieldFrom: "smtp.from_invalid"}},
		{"unknown security", func(s *Settings) { s.Security = "ssl3" }, map[string]string{FieldSecurity: "field.choose"}},
		{"relative CA file", func(s *Settings) { s.CAFile = "ca.pem" }, map[string]string{FieldCAFile: "smtp.ca_file_invalid"}},
		{"missing CA file", func(s *Settings) { s.CAFile = filepath.Join(dir, "missing.pem") }, map[string]string{FieldCAFile: "smtp.ca_file_invalid"}},
		{"CA file without a certificate", func(s *Settings) { s.CAFile = notPEM }, map[string]string{FieldCAFile: "smtp.ca_file_invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.change(&s)
			got := s.Problems()
			if len(got) != len(tt.want) {
				t.Fatalf("Problems() = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("Problems()[%s] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// The security choice becomes the sender's TLS settings and back.
func TestSettingsConfig(t *testing.T) {
	for _, sec := range Securities() {
		s := Settings{Host: "smtp.delinde.example", Port: 2525, From: "noreply@delinde.example", Security: sec}
		c := s.Config("avg.delinde.example")
		if c.HeloName != "avg.delinde.example" || c.Insecure != (sec == SecurityLocal) || c.ImplicitTLS != (sec == SecurityTLS) {
			t.Errorf("%s: Config = %+v", sec, c)
		}
		if back := SettingsOf(c); back != s {
			t.Errorf("%s: SettingsOf(Config) = %+v, want %+v", sec, back, s)
		}
	}
	if got := SettingsOf(SMTPConfig{Host: "h", Port: 465}).Security; got != SecurityTLS {
		t.Errorf("port 465 shows as %s, want tls", got)
	}
}

// An empty password keeps the stored one unless it is cleared; a new one
// replaces it.
func TestSettingsOver(t *testing.T) {
	stored := Settings{Host: "smtp.delinde.example", Password: "oud"}
	tests := []struct {
		name     string
		typed    string
		clear    bool
		wantPass string
	}{
		{"empty keeps", "", false, "oud"},
		{"empty and clear", "", true, ""},
		{"new replaces", "nieuw", false, "nieuw"},
		{"new wins over clear", "nieuw", true, "nieuw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Settings{Host: "smtp2.delinde.example", Password: tt.typed}.Over(stored, tt.clear)
			if got.Password != tt.wantPass || got.Host != "smtp2.delinde.example" {
				t.Errorf("Over = %+v, want password %q and the typed host", got, tt.wantPass)
			}
		})
	}
}

// The environment's server wins over the saved one, which is read anew on
// every call; without either there is no server.
func TestServers(t *testing.T) {
	saved := Settings{}
	stored := func(context.Context) (Settings, error) { return saved, nil }
	v := NewServers(nil, stored, "avg.delinde.example")
	if _, err := v.Sender(t.Context()); !errors.Is(err, ErrNoServer) {
		t.Fatalf("nothing configured: Sender error %v, want ErrNoServer", err)
	}
	saved = Settings{Host: "smtp.delinde.example", Port: 587, From: "noreply@delinde.example", Security: SecurityTLS}
	c, ok, err := v.Current(t.Context())
	if err != nil || !ok || c.Host != "smtp.delinde.example" || !c.ImplicitTLS || c.HeloName != "avg.delinde.example" {
		t.Fatalf("saved server: Current = %+v, %v, %v", c, ok, err)
	}
	if s, err := v.Sender(t.Context()); err != nil || s == nil {
		t.Fatalf("saved server: Sender = %v, %v", s, err)
	}
	if v.FromEnv() {
		t.Error("FromEnv without an environment server")
	}
	env := NewServers(&SMTPConfig{Host: "relay.env.example", Port: 25, From: "env@delinde.example", Insecure: true}, stored, "")
	c, ok, err = env.Current(t.Context())
	if err != nil || !ok || c.Host != "relay.env.example" || !env.FromEnv() {
		t.Errorf("environment server: Current = %+v, %v, %v; want the environment's", c, ok, err)
	}
	if s, ok := env.Env(); !ok || s.Host != "relay.env.example" || s.Security != SecurityLocal {
		t.Errorf("Env() = %+v, %v", s, ok)
	}
}
