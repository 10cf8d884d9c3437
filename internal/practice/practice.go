// Package practice holds the practice's own details and settings: who the
// controller is (for letters and the supervisory authority's forms), its
// time zone and holiday calendar (for deadlines), and its branches.
package practice

import (
	"fmt"
	"time"

	"github.com/avgloket/avgloket/internal/deadline"
)

// DefaultIDCopyDays is how long an ID copy is kept at most by default.
const DefaultIDCopyDays = 30

// DefaultDocumentDays is how long answer documents are kept after they were
// sent to the requester, by default.
const DefaultDocumentDays = 30

// DefaultCaseRetentionDays is how long a completed case keeps its personal
// data by default: two years, enough to answer a complaint to the
// supervisory authority about how the request was handled. A setting.
const DefaultCaseRetentionDays = 730

// DefaultTimeZone is the practice's time zone until the owner sets another.
const DefaultTimeZone = "Europe/Amsterdam"

// DefaultTimeZoneIn returns the time zone a practice in country starts
// with: Brussels time in Belgium, Amsterdam time otherwise.
func DefaultTimeZoneIn(country Country) string {
	if country == Belgium {
		return "Europe/Brussels"
	}
	return DefaultTimeZone
}

// Settings are the practice's details. The zero value is not usable; start
// from Defaults.
type Settings struct {
	Name         string
	Address      string
	KvK          string // Kamer van Koophandel number (or Belgian KBO number)
	PrivacyEmail string
	// PrivacyURL is the https address of the practice's own privacy
	// statement, linked from every public page; empty: no link.
	PrivacyURL string
	// FrameOrigins are the https origins (the practice's own website) that
	// may show the public pages in a frame; none: nobody may.
	FrameOrigins []string
	// Country decides the supervisory authority (AP or GBA) and the form of
	// the KvK/KBO number.
	Country  Country
	TimeZone string
	Calendar deadline.Country
	// ExtraDays are days equated to public holidays by decree (Algemene
	// termijnenwet art. 3(3)), not the practice's own closing days.
	ExtraDays []deadline.Date
	// IdentityPause suspends the deadline while the practice waits for
	// identity information (EDPB 01/2022 §159). On by default.
	IdentityPause bool
	// ServesMinors: the practice helps children, so the public form asks
	// the birth date of a requester who asks for themselves (a child under
	// 12 needs a parent, BW 7:465(1)). On by default.
	ServesMinors bool
	Configured   bool // the owner has completed the first-run setup
	// RepresentationRules is the practice's own table of who may act for a
	// minor (JSON of package representation); empty: the Dutch default.
	RepresentationRules string
	// IDCopyDays is how long an ID copy may be kept at most, when identity
	// is not recorded sooner (then it goes at once).
	IDCopyDays int
	// DocumentDays is how long answer documents (the copy of the data) stay
	// downloadable after they were sent; then they are destroyed.
	DocumentDays int
	// CaseRetentionDays is how long a completed case keeps its personal
	// data; then it is anonymised (SECURITY.md item 12).
	CaseRetentionDays int
	// RecordsRetention says, in the practice's own words, how long it keeps
	// its client files (from its register, AVG art. 30), for people who ask
	// for erasure; empty: the form says only that some data must be kept.
	RecordsRetention Texts
}

// Texts is a text the practice writes itself, once per language of the
// portal.
type Texts struct{ NL, EN string }

// In returns the text for language lang ("nl" or "en").
func (t Texts) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.NL
}

// Defaults returns the settings of a practice that has not been set up yet:
// Dutch calendar, Amsterdam time, identity pause on, serving minors.
func Defaults() Settings {
	return Settings{Country: Netherlands, TimeZone: DefaultTimeZone, Calendar: deadline.NL, IdentityPause: true, ServesMinors: true, IDCopyDays: DefaultIDCopyDays,
		DocumentDays: DefaultDocumentDays, CaseRetentionDays: DefaultCaseRetentionDays}
}

// Location returns the practice's time zone. It falls back to Amsterdam
// time only if the stored name is unknown to the system, which Validate
// prevents.
func (s Settings) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc, _ = time.LoadLocation(DefaultTimeZone)
	}
	return loc
}

// HolidayCalendar returns the calendar deadlines are counted in.
func (s Settings) HolidayCalendar() (deadline.Calendar, error) {
	cal, err := deadline.NewCalendar(s.Calendar, s.ExtraDays)
	if err != nil {
		return deadline.Calendar{}, fmt.Errorf("practice calendar: %w", err)
	}
	return cal, nil
}

// Branch is a location of the practice. Staff of a branch see its cases.
type Branch struct {
	ID   int64
	Code string // short, URL-safe, e.g. "utrecht"
	Name string
}
