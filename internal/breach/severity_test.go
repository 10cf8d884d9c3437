package breach

import (
	"encoding/json"
	"maps"
	"testing"
)

// assess returns a valid assessment with no circumstances.
func assess(dpc int, ei float64) Assessment {
	return Assessment{DPC: dpc, EI: ei, Confidentiality: None, Integrity: None, Availability: None}
}

func TestScoreAndBand(t *testing.T) {
	with := func(a Assessment, edit func(*Assessment)) Assessment { edit(&a); return a }
	for _, tc := range []struct {
		name  string
		a     Assessment
		score float64
		band  string
	}{
		// The band edges. 1.99 and 2.99 cannot be reached: every score is
		// a multiple of 0.25, so the nearest below 2 is 1.75 and below 3 is 2.75.
		{"lowest possible", assess(1, 0.25), 0.25, BandLow},
		{"1.75, nearest below 2", with(assess(1, 1), func(a *Assessment) {
			a.Confidentiality, a.Integrity, a.Availability = KnownRecipients, Recoverable, Temporary
		}), 1.75, BandLow},
		{"2.0 exactly", assess(2, 1), 2, BandMedium},
		{"2.0 from sensitive data, hard to identify", assess(4, 0.5), 2, BandMedium},
		{"2.75, nearest below 3", with(assess(2, 1), func(a *Assessment) {
			a.Confidentiality, a.Integrity = UnknownRecipients, Recoverable
		}), 2.75, BandMedium},
		{"3.0 exactly", assess(3, 1), 3, BandHigh},
		{"3.0 from youth care, EI 0.75", assess(4, 0.75), 3, BandHigh},
		{"3.75, nearest below 4", with(assess(3, 1), func(a *Assessment) {
			a.Availability, a.Malicious = Temporary, true
		}), 3.75, BandHigh},
		{"4.0 exactly", assess(4, 1), 4, BandVeryHigh},
		{"4.0 from circumstances", with(assess(3, 1), func(a *Assessment) {
			a.Confidentiality, a.Availability = UnknownRecipients, Permanent
		}), 4, BandVeryHigh},
		{"highest possible", with(assess(4, 1), func(a *Assessment) {
			a.Confidentiality, a.Integrity, a.Availability, a.Malicious = UnknownRecipients, Unrecoverable, Permanent, true
		}), 6, BandVeryHigh},
		// One case per circumstance value, on a base of 2 × 0.5 = 1.
		{"no circumstances", assess(2, 0.5), 1, BandLow},
		{"known recipients +0.25", with(assess(2, 0.5), func(a *Assessment) { a.Confidentiality = KnownRecipients }), 1.25, BandLow},
		{"unknown recipients +0.5", with(assess(2, 0.5), func(a *Assessment) { a.Confidentiality = UnknownRecipients }), 1.5, BandLow},
		{"integrity recoverable +0.25", with(assess(2, 0.5), func(a *Assessment) { a.Integrity = Recoverable }), 1.25, BandLow},
		{"integrity unrecoverable +0.5", with(assess(2, 0.5), func(a *Assessment) { a.Integrity = Unrecoverable }), 1.5, BandLow},
		{"availability temporary +0.25", with(assess(2, 0.5), func(a *Assessment) { a.Availability = Temporary }), 1.25, BandLow},
		{"availability permanent +0.5", with(assess(2, 0.5), func(a *Assessment) { a.Availability = Permanent }), 1.5, BandLow},
		{"malicious +0.5", with(assess(2, 0.5), func(a *Assessment) { a.Malicious = true }), 1.5, BandLow},
		{"malicious tips into medium", with(assess(2, 0.75), func(a *Assessment) { a.Malicious = true }), 2, BandMedium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := tc.a.Validate(); len(p) > 0 {
				t.Fatalf("test assessment invalid: %v", p)
			}
			if got := tc.a.Score(); got != tc.score {
				t.Errorf("Score = %v, want %v", got, tc.score)
			}
			if got := Band(tc.a.Score()); got != tc.band {
				t.Errorf("Band = %q, want %q", got, tc.band)
			}
			if s := tc.a.Severity(); s.Score != tc.score || s.Band != tc.band || s.Advice != AdviceFor(tc.band) {
				t.Errorf("Severity = %+v", s)
			}
		})
	}
}

func TestBandEdges(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{0, BandLow}, {1.99, BandLow}, {2, BandMedium}, {2.99, BandMedium}, {3, BandHigh},
		{3.99, BandHigh}, {4, BandVeryHigh}, {6, BandVeryHigh},
	} {
		if got := Band(tc.score); got != tc.want {
			t.Errorf("Band(%v) = %q, want %q", tc.score, got, tc.want)
		}
	}
}

func TestAdviceAndWords(t *testing.T) {
	for _, tc := range []struct {
		band   string
		advice Advice
		word   string
	}{
		{BandLow, Advice{}, "verwaarloosbaar"},
		{BandMedium, Advice{NotifyAP: true}, "beperkt"},
		{BandHigh, Advice{NotifyAP: true, InformPeople: true}, "aanzienlijk"},
		{BandVeryHigh, Advice{NotifyAP: true, InformPeople: true}, "zeer groot"},
		{"unknown", Advice{}, ""},
	} {
		t.Run(tc.band, func(t *testing.T) {
			if got := AdviceFor(tc.band); got != tc.advice {
				t.Errorf("AdviceFor = %+v, want %+v", got, tc.advice)
			}
			if got := APSeverityWord(tc.band); got != tc.word {
				t.Errorf("APSeverityWord = %q, want %q", got, tc.word)
			}
		})
	}
}

func TestAssessmentValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Assessment)
		want map[string]string
	}{
		{"valid", func(*Assessment) {}, map[string]string{}},
		{"dpc 0", func(a *Assessment) { a.DPC = 0 }, map[string]string{"dpc": "field.choose"}},
		{"dpc 5", func(a *Assessment) { a.DPC = 5 }, map[string]string{"dpc": "field.choose"}},
		{"ei 0", func(a *Assessment) { a.EI = 0 }, map[string]string{"ei": "field.choose"}},
		{"ei 0.3", func(a *Assessment) { a.EI = 0.3 }, map[string]string{"ei": "field.choose"}},
		{"ei 2", func(a *Assessment) { a.EI = 2 }, map[string]string{"ei": "field.choose"}},
		{"everything missing", func(a *Assessment) { *a = Assessment{} }, map[string]string{
			"dpc": "field.choose", "ei": "field.choose", "confidentiality": "field.choose",
			"integrity": "field.choose", "availability": "field.choose"}},
		{"unknown circumstances", func(a *Assessment) { a.Confidentiality, a.Integrity, a.Availability = "public", "lost", "gone" },
			map[string]string{"confidentiality": "field.choose", "integrity": "field.choose", "availability": "field.choose"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := assess(3, 0.75)
			tc.edit(&a)
			if got := a.Validate(); !maps.Equal(got, tc.want) {
				t.Errorf("Validate = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAssessmentJSON reads the API's assessment body and writes the
// severity object of API.md.
func TestAssessmentJSON(t *testing.T) {
	var a Assessment
	body := `{"dpc": 4, "ei": 0.75, "confidentiality": "known_recipients", "integrity": "none", "availability": "none", "malicious": true}`
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	if p := a.Validate(); len(p) > 0 {
		t.Fatalf("Validate = %v", p)
	}
	out, err := json.Marshal(a.Severity())
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"score":3.75,"band":"high","advice":{"notify_ap":true,"inform_people":true}}`; string(out) != want {
		t.Errorf("severity JSON = %s, want %s", out, want)
	}
}

func TestDPC(t *testing.T) {
	for _, tc := range []struct {
		category string
		want     int
	}{{DPCSimple, 1}, {DPCBehavioural, 2}, {DPCFinancial, 3}, {DPCSensitive, 4}, {"unknown", 0}} {
		if got := BaseDPC(tc.category); got != tc.want {
			t.Errorf("BaseDPC(%q) = %d, want %d", tc.category, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		base int
		adj  DPCAdjustments
		want int
	}{
		{"no adjustment", 2, DPCAdjustments{}, 2},
		{"minors raise simple data", 1, DPCAdjustments{Vulnerable: true}, 2},
		{"minors: capped at 4", 4, DPCAdjustments{Vulnerable: true}, 4},
		{"large volume", 2, DPCAdjustments{LargeVolume: true}, 3},
		{"minors and volume, capped", 3, DPCAdjustments{Vulnerable: true, LargeVolume: true}, 4},
		{"public lowers", 3, DPCAdjustments{Public: true}, 2},
		{"public: floor 1", 1, DPCAdjustments{Public: true}, 1},
		{"outdated: floor 1", 1, DPCAdjustments{Outdated: true}, 1},
		{"public and outdated", 4, DPCAdjustments{Public: true, Outdated: true}, 2},
		{"raise and lower cancel out (Choice)", 4, DPCAdjustments{Vulnerable: true, Public: true}, 4},
		{"ENISA with the controller's nature raises 1 → 2", 1, DPCAdjustments{ControllerNature: true}, 2},
		{"controller's nature: public simple data still 2", 1, DPCAdjustments{ControllerNature: true, Public: true}, 2},
		{"controller's nature: no more than minors already give", 1, DPCAdjustments{ControllerNature: true, Vulnerable: true}, 2},
		{"controller's nature: behavioural stays 2", 2, DPCAdjustments{ControllerNature: true}, 2},
		{"controller's nature: financial stays 3", 3, DPCAdjustments{ControllerNature: true}, 3},
		{"controller's nature: sensitive stays 4", 4, DPCAdjustments{ControllerNature: true}, 4},
		{"controller's nature: lowered behavioural back to 2", 2, DPCAdjustments{ControllerNature: true, Outdated: true}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AdjustDPC(tc.base, tc.adj); got != tc.want {
				t.Errorf("AdjustDPC(%d, %+v) = %d, want %d", tc.base, tc.adj, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		data     []string
		special  []string
		category string
	}{
		{"nothing known", nil, nil, DPCSimple},
		{"contact only", []string{CategoryContact}, nil, DPCSimple},
		{"BSN", []string{CategoryContact, CategoryBSN}, nil, DPCFinancial},
		{"financial", []string{CategoryFinancial}, nil, DPCFinancial},
		{"youth care", []string{CategoryContact, CategoryYouthCare}, nil, DPCSensitive},
		{"special category", []string{CategoryContact}, []string{"religion"}, DPCSensitive},
	} {
		t.Run("suggest/"+tc.name, func(t *testing.T) {
			if got := SuggestDPCCategory(tc.data, tc.special); got != tc.category {
				t.Errorf("SuggestDPCCategory = %q, want %q", got, tc.category)
			}
		})
	}
}
