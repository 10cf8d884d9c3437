package practice

import "github.com/avgloket/avgloket/internal/deadline"

// Profile is what integrations and the command line are told about the
// practice (API.md, GET /api/v1/practice): its name, where it is, how it
// counts days, and the supervisory authority that follows from its country.
type Profile struct {
	Name      string           `json:"name"`
	Country   Country          `json:"country"`
	TimeZone  string           `json:"time_zone"`
	Calendar  deadline.Country `json:"calendar"`
	Authority AuthorityProfile `json:"authority"`
}

// AuthorityProfile names a supervisory authority in a Profile.
type AuthorityProfile struct {
	Code string `json:"code"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Profile returns the practice's profile.
func (s Settings) Profile() Profile {
	a := s.Authority()
	return Profile{Name: s.Name, Country: s.Country, TimeZone: s.TimeZone, Calendar: s.Calendar,
		Authority: AuthorityProfile{Code: a.Code, Name: a.Name, URL: a.URL}}
}

// Units a retention period is stated in.
const (
	Years = "years"
	Days  = "days"
)

// CaseRetention states how long a completed request keeps its personal data
// (CaseRetentionDays), as public pages tell it: in whole years when the
// number of days is a multiple of 365, otherwise in days. A year of 365 days
// never outlasts a calendar year, so "2 years" for 730 days promises no
// longer keeping than the portal does.
func (s Settings) CaseRetention() (count int, unit string) {
	if d := s.CaseRetentionDays; d >= 365 && d%365 == 0 {
		return d / 365, Years
	}
	return s.CaseRetentionDays, Days
}
