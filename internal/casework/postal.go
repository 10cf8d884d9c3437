package casework

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/plaintext"
)

// PostalAddress is where letters to a requester without an e-mail address
// go: a request that came by post, by phone or in person may be registered
// with an address instead (API.md, POST /api/v1/cases). The requester's
// name heads the address. Country is empty for the practice's own country.
type PostalAddress struct {
	Street   string `json:"street"`
	Postcode string `json:"postcode"`
	City     string `json:"city"`
	Country  string `json:"country,omitempty"`
}

// Field names of the address's parts, in the staff form; the API takes the
// address as one text (FieldAddress).
const (
	FieldAddress  = "requester.address"
	FieldStreet   = "requester.address.street"
	FieldPostcode = "requester.address.postcode"
	FieldCity     = "requester.address.city"
	FieldCountry  = "requester.address.country"
)

// MaxAddressLine is the longest part of an address, in characters.
const MaxAddressLine = 100

// postcodePattern accepts the postcodes of the Netherlands (1234 AB),
// Belgium (1234) and most other countries: letters, digits, spaces and
// dashes with at least one digit.
var postcodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$`)

// IsZero reports whether no part of the address was given.
func (a PostalAddress) IsZero() bool {
	return a.Street == "" && a.Postcode == "" && a.City == "" && a.Country == ""
}

// Lines returns the address as it goes on an envelope, without the name.
func (a PostalAddress) Lines() []string {
	if a.IsZero() {
		return nil
	}
	lines := []string{a.Street, strings.TrimSpace(a.Postcode + "  " + a.City)}
	if a.Country != "" {
		lines = append(lines, strings.ToUpper(a.Country))
	}
	return lines
}

// String returns the address as one text with line breaks, as the API
// shows it.
func (a PostalAddress) String() string { return strings.Join(a.Lines(), "\n") }

func (a *PostalAddress) trim() {
	for _, f := range []*string{&a.Street, &a.Postcode, &a.City, &a.Country} {
		*f = strings.Join(strings.Fields(*f), " ")
	}
	a.Postcode = strings.ToUpper(a.Postcode)
}

// Problems returns what is wrong with the address, keyed by the form's
// field names: street, postcode and city are required, each one line of at
// most MaxAddressLine characters, and the postcode holds a digit.
func (a PostalAddress) Problems() Problems {
	p := Problems{}
	for _, f := range []struct {
		field, v string
		required bool
	}{{FieldStreet, a.Street, true}, {FieldPostcode, a.Postcode, true}, {FieldCity, a.City, true}, {FieldCountry, a.Country, false}} {
		switch {
		case f.v == "" && f.required:
			p.add(f.field, "field.required")
		case utf8.RuneCountInString(f.v) > MaxAddressLine:
			p.add(f.field, "field.too_long")
		case !plaintext.Line(f.v):
			p.add(f.field, "field.single_line")
		}
	}
	if a.Postcode != "" && (!postcodePattern.MatchString(a.Postcode) || !strings.ContainsAny(a.Postcode, "0123456789")) {
		p.add(FieldPostcode, "field.postcode")
	}
	return p
}

// addressLine is the postcode-and-city line of an address written as one
// text: a postcode of digits, optionally with two letters (1234 AB), then
// the city.
var addressLine = regexp.MustCompile(`^([0-9]{4,5}(?: ?[A-Za-z]{2})?|[A-Za-z]{1,2}-?[0-9]{4,5})\s+(.+)$`)

// ParseAddress reads an address written as one text with line breaks, as
// the API takes it: the street (one or more lines), a line with the
// postcode and the city, and optionally the country. ok is false when no
// line holds a postcode and a city after a street.
func ParseAddress(text string) (a PostalAddress, ok bool) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	for i := len(lines) - 1; i > 0; i-- {
		m := addressLine.FindStringSubmatch(lines[i])
		if m == nil || len(lines)-i > 2 {
			continue
		}
		a = PostalAddress{Street: strings.Join(lines[:i], ", "), Postcode: m[1], City: m[2]}
		if i+1 < len(lines) {
			a.Country = lines[i+1]
		}
		a.trim()
		return a, true
	}
	return PostalAddress{}, false
}

// EmailOptional reports whether a request that came through c may be
// registered without an e-mail address, with a postal address instead:
// one that did not come by web or e-mail (API.md).
func (c Channel) EmailOptional() bool { return c == Post || c == Phone || c == InPerson }

// ByPost reports whether the requester has no e-mail address: every letter
// the case sends is then printed and posted instead of mailed.
func (c Case) ByPost() bool { return c.Requester.Email == "" }
