package practice

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/plaintext"
)

// Field names of the public contact settings.
const (
	FieldPrivacyURL   = "practice.privacy_url"
	FieldFrameOrigins = "practice.frame_origins"
)

// MaxFrameOrigins is how many websites may frame the public pages at most.
const MaxFrameOrigins = 10

// hostName is a host name in ASCII (an internationalised name in its xn--
// form): dot-separated labels of letters, digits and inner hyphens.
var hostName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validateContact normalises the privacy statement's address and the
// origins allowed to frame the public pages, and adds the fields at fault
// to p.
func (s *Settings) validateContact(p map[string]string) {
	s.PrivacyURL = strings.TrimSpace(s.PrivacyURL)
	switch {
	case s.PrivacyURL == "":
	case !plaintext.Line(s.PrivacyURL):
		p[FieldPrivacyURL] = "field.single_line"
	case utf8.RuneCountInString(s.PrivacyURL) > 500:
		p[FieldPrivacyURL] = "field.too_long"
	case !httpsURL(s.PrivacyURL):
		p[FieldPrivacyURL] = "field.https_url"
	}
	origins := make([]string, 0, len(s.FrameOrigins))
	for _, o := range s.FrameOrigins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		n, ok := Origin(o)
		if !ok {
			p[FieldFrameOrigins] = "settings.frame_origin"
			return
		}
		if !slices.Contains(origins, n) {
			origins = append(origins, n)
		}
	}
	if len(origins) > MaxFrameOrigins {
		p[FieldFrameOrigins] = "settings.frame_origins_many"
		return
	}
	s.FrameOrigins = origins
}

// httpsURL reports whether u is an absolute https address of a named host,
// without a login in it.
func httpsURL(u string) bool {
	v, err := url.Parse(u)
	if err != nil || v.Scheme != "https" || v.User != nil || v.Opaque != "" {
		return false
	}
	_, ok := Origin("https://" + v.Host)
	return ok
}

// Origin reads o as a web origin that may frame the public pages:
// https://host or https://host:port, nothing more (no path, query, login or
// wildcard), and returns it in its normal form (lower case, without the
// default port 443 and a closing slash). A value that is not such an origin
// gives false: it would go into a Content-Security-Policy header as it is.
func Origin(o string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(o), "https://")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" || strings.ContainsAny(rest, "/?#@*\\ ;,'\"") {
		return "", false
	}
	host, port := rest, ""
	if h, pt, err := net.SplitHostPort(rest); err == nil {
		if pt == "" {
			return "", false
		}
		host, port = h, pt
	} else if strings.Contains(rest, ":") {
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return "", false // an IPv6 literal: no practice's website lives there
	} else if ip == nil && (len(host) > 253 || !hostName.MatchString(host)) {
		return "", false
	}
	switch n, err := strconv.Atoi(port); {
	case port == "" || port == "443":
		return "https://" + host, true
	case err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port:
		return "", false
	}
	return "https://" + host + ":" + port, true
}

// ParseFrameOrigins splits the settings page's list of origins, one a line
// (spaces and commas separate too); Validate checks each.
func ParseFrameOrigins(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ' ' || r == '\t' || r == ',' })
}

// FrameAncestors is the frame-ancestors source list of the public pages:
// the origins allowed to frame them, or 'none'.
func (s Settings) FrameAncestors() string {
	if len(s.FrameOrigins) == 0 {
		return "'none'"
	}
	return strings.Join(s.FrameOrigins, " ")
}
