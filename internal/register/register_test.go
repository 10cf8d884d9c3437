package register_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// valid is an activity that passes Validate; each case changes one thing.
func valid() register.Activity {
	return register.Activity{
		Key: "client-file", Name: "Cliëntdossier", Purpose: "Jeugdhulp verlenen.", LegalBasis: register.LegalObligation,
		DataSubjects: []string{"Cliënten"}, DataCategories: []string{"Naam", "Gezondheid"},
		Recipients: []register.Recipient{{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL",
			Email: "privacy@ecd.example", Agreement: true}},
		Retention: register.Retention{Months: 240, From: "einde van de hulp", Ground: "Jeugdwet art. 7.3.8"},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*register.Activity)
		want   map[string]string
	}{
		{"valid", func(*register.Activity) {}, map[string]string{}},
		{"no key", func(a *register.Activity) { a.Key = "" }, map[string]string{"key": "field.required"}},
		{"upper-case key", func(a *register.Activity) { a.Key = "Client-file" }, map[string]string{"key": "activities.key_format"}},
		{"key with a space", func(a *register.Activity) { a.Key = "client file" }, map[string]string{"key": "activities.key_format"}},
		{"key with an underscore", func(a *register.Activity) { a.Key = "client_file" }, map[string]string{"key": "activities.key_format"}},
		{"key starting with a hyphen", func(a *register.Activity) { a.Key = "-file" }, map[string]string{"key": "activities.key_format"}},
		{"key with two hyphens", func(a *register.Activity) { a.Key = "client--file" }, map[string]string{"key": "activities.key_format"}},
		{"key too long", func(a *register.Activity) { a.Key = strings.Repeat("a", register.MaxKey+1) }, map[string]string{"key": "activities.key_format"}},
		{"key of digits", func(a *register.Activity) { a.Key = "art-30-2" }, map[string]string{}},
		{"no name", func(a *register.Activity) { a.Name = " " }, map[string]string{"name": "field.required"}},
		{"name of two lines", func(a *register.Activity) { a.Name = "Cliënt\ndossier" }, map[string]string{"name": "field.single_line"}},
		{"no purpose", func(a *register.Activity) { a.Purpose = "" }, map[string]string{"purpose": "field.required"}},
		{"purpose too long", func(a *register.Activity) { a.Purpose = strings.Repeat("x", register.MaxText+1) }, map[string]string{"purpose": "field.too_long"}},
		{"no legal basis", func(a *register.Activity) { a.LegalBasis = "" }, map[string]string{"legal_basis": "field.choose"}},
		{"unknown legal basis", func(a *register.Activity) { a.LegalBasis = "gut_feeling" }, map[string]string{"legal_basis": "field.choose"}},
		{"no data subjects", func(a *register.Activity) { a.DataSubjects = nil }, map[string]string{"data_subjects": "field.required"}},
		{"an empty data category", func(a *register.Activity) { a.DataCategories = []string{"Naam", ""} }, map[string]string{"data_categories": "field.required"}},
		{"too many data categories", func(a *register.Activity) { a.DataCategories = slices.Repeat([]string{"x"}, register.MaxItems+1) },
			map[string]string{"data_categories": "activities.too_many"}},
		{"recipient without a name", func(a *register.Activity) { a.Recipients[0].Name = "" }, map[string]string{"recipients.0.name": "field.required"}},
		{"recipient of an unknown kind", func(a *register.Activity) { a.Recipients[0].Kind = "friend" }, map[string]string{"recipients.0.kind": "field.choose"}},
		{"recipient without a country", func(a *register.Activity) { a.Recipients[0].Country = "" }, map[string]string{"recipients.0.country": "field.required"}},
		{"recipient in an unknown country", func(a *register.Activity) { a.Recipients[0].Country = "XX" }, map[string]string{"recipients.0.country": "activities.country"}},
		{"country in lower case", func(a *register.Activity) { a.Recipients[0].Country = "nl" }, map[string]string{"recipients.0.country": "activities.country"}},
		{"Greece by the EU's code", func(a *register.Activity) { a.Recipients[0].Country = "EL" }, map[string]string{"recipients.0.country": "activities.country"}},
		{"outside the EEA without safeguards", func(a *register.Activity) { a.Recipients[0].Country = "US" },
			map[string]string{"recipients.0.safeguards": "activities.safeguards_required"}},
		{"outside the EEA with safeguards", func(a *register.Activity) {
			a.Recipients[0].Country, a.Recipients[0].Safeguards = "US", "Standaardcontractbepalingen"
		}, map[string]string{}},
		{"Norway needs no safeguards", func(a *register.Activity) { a.Recipients[0].Country = "NO" }, map[string]string{}},
		{"the second recipient's e-mail", func(a *register.Activity) {
			a.Recipients = append(a.Recipients, register.Recipient{Name: "Gemeente", Kind: register.Controller, Country: "NL", Email: "geen adres"})
		}, map[string]string{"recipients.1.email": "field.email"}},
		{"e-mail with a display name", func(a *register.Activity) { a.Recipients[0].Email = "ECD <privacy@ecd.example>" },
			map[string]string{"recipients.0.email": "field.email"}},
		{"no e-mail is fine", func(a *register.Activity) { a.Recipients[0].Email = "" }, map[string]string{}},
		{"no recipients is fine", func(a *register.Activity) { a.Recipients = nil }, map[string]string{}},
		{"zero months", func(a *register.Activity) { a.Retention.Months = 0 }, map[string]string{"retention.months": "activities.months"}},
		{"negative months", func(a *register.Activity) { a.Retention.Months = -12 }, map[string]string{"retention.months": "activities.months"}},
		{"more than a century", func(a *register.Activity) { a.Retention.Months = register.MaxMonths + 1 }, map[string]string{"retention.months": "activities.months"}},
		{"no retention ground", func(a *register.Activity) { a.Retention.Ground = "" }, map[string]string{"retention.ground": "field.required"}},
		{"no retention start", func(a *register.Activity) { a.Retention.From = "" }, map[string]string{"retention.from": "field.required"}},
		{"security with a control character", func(a *register.Activity) { a.Security = "a\x00b" }, map[string]string{"security": "field.invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.change(&a)
			if got := a.Validate(); !maps.Equal(got, tt.want) {
				t.Errorf("Validate() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCountries(t *testing.T) {
	tests := []struct {
		code         string
		known, inEEA bool
	}{
		{"NL", true, true}, {"BE", true, true}, {"DE", true, true}, {"GR", true, true}, {"HR", true, true}, {"CY", true, true},
		{"IS", true, true}, {"LI", true, true}, {"NO", true, true},
		{"CH", true, false}, {"GB", true, false}, {"US", true, false}, {"IN", true, false}, {"SX", true, false}, {"CW", true, false},
		{"EL", false, false}, {"UK", false, false}, {"EU", false, false}, {"XX", false, false}, {"nl", false, false}, {"", false, false}, {"NLD", false, false},
	}
	for _, tt := range tests {
		if got := register.KnownCountry(tt.code); got != tt.known {
			t.Errorf("KnownCountry(%q) = %v, want %v", tt.code, got, tt.known)
		}
		if got := register.InEEA(tt.code); got != tt.inEEA {
			t.Errorf("InEEA(%q) = %v, want %v", tt.code, got, tt.inEEA)
		}
	}
	// The 27 member states and Iceland, Liechtenstein and Norway.
	n := 0
	for _, c := range strings.Fields("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO") {
		if !register.InEEA(c) || !register.KnownCountry(c) {
			t.Errorf("%s should be a known country in the EEA", c)
		}
		n++
	}
	if n != 30 {
		t.Fatalf("listed %d EEA countries, want 30", n)
	}
}

func TestLegalBasis(t *testing.T) {
	tests := []struct {
		basis                register.LegalBasis
		article              string
		portable, objectable bool
	}{
		{register.Consent, "art. 6(1)(a) AVG", true, false},
		{register.Contract, "art. 6(1)(b) AVG", true, false},
		{register.LegalObligation, "art. 6(1)(c) AVG", false, false},
		{register.VitalInterests, "art. 6(1)(d) AVG", false, false},
		{register.PublicTask, "art. 6(1)(e) AVG", false, true},
		{register.LegitimateInterests, "art. 6(1)(f) AVG", false, true},
		{"other", "", false, false},
	}
	for _, tt := range tests {
		if got := tt.basis.Article(); got != tt.article {
			t.Errorf("%s: Article() = %q, want %q", tt.basis, got, tt.article)
		}
		if tt.basis.Portable() != tt.portable || tt.basis.Objectable() != tt.objectable {
			t.Errorf("%s: Portable %v Objectable %v, want %v %v", tt.basis, tt.basis.Portable(), tt.basis.Objectable(), tt.portable, tt.objectable)
		}
	}
}

// TestTemplate: a new practice's register validates as it is, has unique
// keys, and follows the country: Dutch statutes and the referral index in
// the Netherlands, Belgian statutes and no referral index in Belgium.
func TestTemplate(t *testing.T) {
	for _, tt := range []struct {
		country   practice.Country
		keys      []string
		fileMonth int
		fileLaw   string
		booksLaw  string
		authority string
	}{
		{practice.Netherlands, []string{"client-file", "invoicing", "newsletter", "research-recordings", "referral-index", "contact-form", "privacy-requests"},
			240, "Jeugdwet art. 7.3.8", "art. 52", "Autoriteit Persoonsgegevens"},
		{practice.Belgium, []string{"client-file", "invoicing", "newsletter", "research-recordings", "contact-form", "privacy-requests"},
			360, "kwaliteitsvolle praktijkvoering", "III.86", "Gegevensbeschermingsautoriteit"},
	} {
		t.Run(string(tt.country), func(t *testing.T) {
			acts := register.Template(tt.country)
			var keys []string
			byKey := map[string]register.Activity{}
			for _, a := range acts {
				if p := a.Validate(); len(p) > 0 {
					t.Errorf("%s: %v", a.Key, p)
				}
				if a.Normalize().Key != a.Key || len(register.Changed(a, a.Normalize())) > 0 {
					t.Errorf("%s is not in normal form: %v", a.Key, register.Changed(a, a.Normalize()))
				}
				keys = append(keys, a.Key)
				byKey[a.Key] = a
			}
			if !slices.Equal(keys, tt.keys) {
				t.Fatalf("keys %v, want %v", keys, tt.keys)
			}
			file := byKey[register.KeyClientFile]
			if file.Retention.Months != tt.fileMonth || !strings.Contains(file.Retention.Ground, tt.fileLaw) || !file.SpecialCategories {
				t.Errorf("client file: %+v", file.Retention)
			}
			if !strings.Contains(byKey[register.KeyInvoicing].Retention.Ground, tt.booksLaw) {
				t.Errorf("invoicing ground %q, want %q in it", byKey[register.KeyInvoicing].Retention.Ground, tt.booksLaw)
			}
			news := byKey[register.KeyNewsletter]
			if news.LegalBasis != register.Consent || !news.DirectMarketing || len(news.OutsideEEA()) != 1 {
				t.Errorf("newsletter: basis %s, direct marketing %v, transfers %v", news.LegalBasis, news.DirectMarketing, news.OutsideEEA())
			}
			if byKey[register.KeyResearch].LegalBasis != register.Consent {
				t.Errorf("research: basis %s, want consent", byKey[register.KeyResearch].LegalBasis)
			}
			portal := byKey[register.KeyPrivacyPortal]
			if portal.LegalBasis != register.LegalObligation || !strings.Contains(portal.Retention.Ground, "12–22") {
				t.Errorf("portal: %s %q", portal.LegalBasis, portal.Retention.Ground)
			}
			if !slices.ContainsFunc(portal.Recipients, func(r register.Recipient) bool {
				return r.Kind == register.Authority && strings.HasPrefix(r.Name, tt.authority) && r.Country == string(tt.country)
			}) {
				t.Errorf("portal recipients %v lack the %s", portal.Recipients, tt.authority)
			}
			if ix, ok := byKey[register.KeyReferralIndex]; ok && (ix.LegalBasis != register.LegalObligation || !strings.Contains(ix.DataSubjects[0], "23")) {
				t.Errorf("referral index: %+v", ix)
			}
		})
	}
}

func TestNormalizeAndLines(t *testing.T) {
	a := register.Activity{Key: " client-file ", DataSubjects: []string{" Cliënten ", "", "  "},
		Recipients: []register.Recipient{{Name: " ECD ", Country: " nl ", Email: " Privacy@ECD.example "}}}
	n := a.Normalize()
	if n.Key != "client-file" || !slices.Equal(n.DataSubjects, []string{"Cliënten"}) || n.DataCategories == nil {
		t.Errorf("Normalize: %+v", n)
	}
	if r := n.Recipients[0]; r.Name != "ECD" || r.Country != "NL" || r.Email != "privacy@ecd.example" {
		t.Errorf("Normalize recipient: %+v", r)
	}
	if got := register.Lines("Naam\r\n\r\n  Adres \nGezondheid\n"); !slices.Equal(got, []string{"Naam", "Adres", "Gezondheid"}) {
		t.Errorf("Lines = %q", got)
	}
}

func TestChanged(t *testing.T) {
	a := valid()
	b := valid()
	b.Purpose = "Anders."
	b.Recipients[0].Agreement = false
	b.Retention.Months = 120
	if got := register.Changed(a, b); !slices.Equal(got, []string{"purpose", "recipients", "retention"}) {
		t.Errorf("Changed = %v", got)
	}
	if got := register.Changed(a, valid()); len(got) != 0 {
		t.Errorf("Changed of equals = %v", got)
	}
}
