package practice

import "github.com/avgloket/avgloket/internal/deadline"

// Country is where the practice is established. It decides the supervisory
// authority (DOMAIN.md §9) and the form of the KvK/KBO number.
type Country = deadline.Country

// The countries a practice can be in.
const (
	Netherlands = deadline.NL
	Belgium     = deadline.BE
)

// Countries lists the countries in the order forms show them.
var Countries = []Country{Netherlands, Belgium}

// Authority is a supervisory authority (AVG art. 51): where people complain
// about a practice and where it notifies breaches.
type Authority struct {
	Code string // AP or GBA (API.md)
	// Name is the authority's name in its own language, as letters and
	// pages name it in Dutch.
	Name string
	// NameEN is the name as English texts give it, the official name in
	// brackets.
	NameEN  string
	URL     string
	Address string
}

// The authorities of the two countries (DOMAIN.md §9).
var (
	AP = Authority{Code: "AP", Name: "Autoriteit Persoonsgegevens",
		NameEN:  "Dutch Data Protection Authority (Autoriteit Persoonsgegevens)",
		URL:     "https://www.autoriteitpersoonsgegevens.nl",
		Address: "Postbus 93374, 2509 AJ Den Haag"}
	GBA = Authority{Code: "GBA", Name: "Gegevensbeschermingsautoriteit",
		NameEN:  "Belgian Data Protection Authority (Gegevensbeschermingsautoriteit)",
		URL:     "https://www.gegevensbeschermingsautoriteit.be",
		Address: "Drukpersstraat 35, 1000 Brussel"}
)

// AuthorityOf returns the supervisory authority of a practice in country:
// the GBA for Belgium, the AP otherwise.
func AuthorityOf(country Country) Authority {
	if country == Belgium {
		return GBA
	}
	return AP
}

// Authority returns the practice's supervisory authority.
func (s Settings) Authority() Authority { return AuthorityOf(s.Country) }

// NameIn returns the authority's name for a text in language lang ("nl" or
// "en").
func (a Authority) NameIn(lang string) string {
	if lang == "en" {
		return a.NameEN
	}
	return a.Name
}
