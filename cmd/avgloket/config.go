package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/store"
)

// Config is everything the program is told from outside: flags first, then
// AVGLOKET_* environment variables, then defaults.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string // PostgreSQL; "": SQLite in DataDir
	KeyFile        string
	BaseURL        string
	RatePerMinute  int
	TrustedProxies []netip.Prefix
	SMTP           *mail.SMTPConfig // nil: mail stays queued
	MailInterval   time.Duration
	MailLease      time.Duration
	OIDC           *auth.OIDCConfig // nil: local accounts only
	MetricsAddr    string           // "": no listener of its own for /metrics
	MetricsToken   string           // "": no /metrics on the main listener
}

// DBPath is the SQLite database file.
func (c Config) DBPath() string { return filepath.Join(c.DataDir, "avgloket.db") }

// DBTarget is what the store opens: the PostgreSQL URL when set, else the
// SQLite file.
func (c Config) DBTarget() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return c.DBPath()
}

// env returns the environment variable AVGLOKET_<name>.
type env func(string) string

func osEnv(name string) string { return os.Getenv("AVGLOKET_" + name) }

// commonFlags registers --data and --database-url, shared by every command;
// useFlags reads --database-url after loadConfig.
func commonFlags(fs *flag.FlagSet, getenv env) *string {
	def := getenv("DATA_DIR")
	if def == "" {
		def = "./data"
	}
	fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL, postgres://…; unset: SQLite in the data folder (AVGLOKET_DATABASE_URL)")
	return fs.String("data", def, "data folder (AVGLOKET_DATA_DIR)")
}

// useFlags completes c with the common flags beyond --data.
func (c *Config) useFlags(fs *flag.FlagSet) error {
	return c.setDatabaseURL(fs.Lookup("database-url").Value.String())
}

// setDatabaseURL sets the PostgreSQL URL, "" for SQLite.
func (c *Config) setDatabaseURL(v string) error {
	if v != "" && !store.IsPostgresURL(v) {
		return errors.New("database URL: want postgres://user@host/database (--database-url, AVGLOKET_DATABASE_URL)")
	}
	c.DatabaseURL = v
	return nil
}

// loadConfig completes and checks the configuration, returning a one-line
// error naming the setting at fault.
func loadConfig(addr, dataDir, baseURL string, getenv env) (Config, error) {
	c := Config{Addr: addr, DataDir: dataDir, BaseURL: baseURL, RatePerMinute: 30, MailInterval: time.Minute}
	if c.DataDir == "" {
		return c, errors.New("data folder: empty (set --data or AVGLOKET_DATA_DIR)")
	}
	if err := c.setDatabaseURL(getenv("DATABASE_URL")); err != nil {
		return c, err
	}
	c.KeyFile = getenv("KEY_FILE")
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "keys.json")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return c, fmt.Errorf("address %q: want host:port (AVGLOKET_ADDR)", c.Addr)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = getenv("BASE_URL")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != strings.TrimRight(u.Path, "/") {
			return c, fmt.Errorf("base URL %q: want http(s)://host without a trailing slash (AVGLOKET_BASE_URL)", c.BaseURL)
		}
	}
	if v := getenv("RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return c, fmt.Errorf("AVGLOKET_RATE_LIMIT %q: want requests per minute, 1 to 10000", v)
		}
		c.RatePerMinute = n
	}
	if v := getenv("MAIL_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return c, fmt.Errorf("AVGLOKET_MAIL_LEASE %q: want a duration from 1s to 1h, e.g. 5m", v)
		}
		c.MailLease = d
	}
	for _, p := range strings.FieldsFunc(getenv("TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return c, fmt.Errorf("AVGLOKET_TRUSTED_PROXIES: %q is not a CIDR range", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	if c.MetricsAddr = getenv("METRICS_ADDR"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("AVGLOKET_METRICS_ADDR %q: want host:port", c.MetricsAddr)
		}
	}
	if c.MetricsToken = getenv("METRICS_TOKEN"); c.MetricsToken != "" && len(c.MetricsToken) < 32 {
		return c, errors.New("AVGLOKET_METRICS_TOKEN: want at least 32 characters (openssl rand -hex 32)")
	}
	smtp, err := smtpConfig(getenv, c.BaseURL)
	if err != nil {
		return c, err
	}
	c.SMTP = smtp
	if c.OIDC, err = oidcConfig(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// oidcConfig reads the OIDC provider's settings; all of issuer, client id
// and secret, or none.
func oidcConfig(getenv env) (*auth.OIDCConfig, error) {
	o := &auth.OIDCConfig{Issuer: getenv("OIDC_ISSUER"), ClientID: getenv("OIDC_CLIENT_ID"),
		ClientSecret: getenv("OIDC_CLIENT_SECRET"), RedirectURL: getenv("OIDC_REDIRECT_URL"), RoleClaim: getenv("OIDC_ROLE_CLAIM")}
	if o.Issuer == "" && o.ClientID == "" && o.ClientSecret == "" {
		return nil, nil
	}
	if o.Issuer == "" || o.ClientID == "" || o.ClientSecret == "" {
		return nil, errors.New("OIDC settings: set AVGLOKET_OIDC_ISSUER, AVGLOKET_OIDC_CLIENT_ID and AVGLOKET_OIDC_CLIENT_SECRET together")
	}
	if u, err := url.Parse(o.Issuer); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("AVGLOKET_OIDC_ISSUER %q: want the provider's https URL", o.Issuer)
	}
	o.RequireAMR, o.RequireACR = valueList(getenv("OIDC_REQUIRE_AMR")), valueList(getenv("OIDC_REQUIRE_ACR"))
	return o, nil
}

// valueList splits a comma-separated setting, dropping spaces and empty
// entries.
func valueList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// smtpVars are the SMTP settings' environment variables besides SMTP_HOST.
var smtpVars = []string{"SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_INSECURE", "SMTP_CA_FILE"}

// heloName is the name the relay is greeted with (EHLO): the host name of
// baseURL, or "" (go-mail's "localhost") when it is an IP address.
func heloName(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && net.ParseIP(u.Hostname()) == nil {
		// A name; an IP address would need the [literal] form, and a
		// portal reached by IP address has no name to give.
		return u.Hostname()
	}
	return ""
}

// smtpConfig reads the SMTP settings; nil when the environment sets none,
// and then the server saved on the settings page is used. Any AVGLOKET_SMTP_*
// without AVGLOKET_SMTP_HOST is an error: the environment would half win.
func smtpConfig(getenv env, baseURL string) (*mail.SMTPConfig, error) {
	host := getenv("SMTP_HOST")
	if host == "" {
		for _, v := range smtpVars {
			if getenv(v) != "" {
				return nil, fmt.Errorf("AVGLOKET_%s is set without AVGLOKET_SMTP_HOST: set both, or neither to use the settings page", v)
			}
		}
		return nil, nil
	}
	s := &mail.SMTPConfig{Host: host, Port: 587, Username: getenv("SMTP_USER"), Password: getenv("SMTP_PASSWORD"),
		From: getenv("SMTP_FROM"), Insecure: getenv("SMTP_INSECURE") == "1", CAFile: getenv("SMTP_CA_FILE"),
		HeloName: heloName(baseURL)}
	if v := getenv("SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("AVGLOKET_SMTP_PORT %q: want a port number", v)
		}
		s.Port = n
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("SMTP settings: %w", err)
	}
	if s.CAFile != "" {
		// Read now, so that a wrong path stops the start, not the first mail.
		if _, err := mail.NewSMTPSender(*s); err != nil {
			return nil, fmt.Errorf("AVGLOKET_SMTP_CA_FILE %q: %w", s.CAFile, err)
		}
	}
	return s, nil
}
