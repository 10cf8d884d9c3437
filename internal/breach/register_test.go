package breach

import (
	"testing"
	"time"
)

// The AP form's severity word is proposed from the band and may be changed;
// the draft answers with the officer's word.
func TestSeverityWordInTheDraft(t *testing.T) {
	b := fullBreach(t) // DPC 4 × EI 0.75 + 0.25 = 3.25: high, "aanzienlijk"
	tests := []struct {
		name, word, want string
	}{
		{"proposed from the band", "", "aanzienlijk (ENISA-methode: score 3,25, ernst hoog)"},
		{"changed by the officer", "zeer groot", "zeer groot (ENISA-methode: score 3,25, ernst hoog)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.SeverityWord = tc.word
			d := APDraft(b, testController(t), b.AwareAt.Add(time.Hour), mustAmsterdam(t))
			if got, _ := d.Answer("consequences.severity"); got != tc.want {
				t.Errorf("answer %q, want %q", got, tc.want)
			}
			if p := b.Validate(b.AwareAt.Add(100 * time.Hour)); len(p) != 0 {
				t.Errorf("Validate = %v", p)
			}
		})
	}
	b.SeverityWord = "enorm"
	if p := b.Validate(b.AwareAt.Add(100 * time.Hour)); p["severity_word"] != "field.choose" {
		t.Errorf("an unknown word passes: %v", p)
	}
	b.Assessment, b.SeverityWord = nil, "beperkt"
	if got, _ := APDraft(b, testController(t), b.AwareAt, nil).Answer("consequences.severity"); got != "beperkt" {
		t.Errorf("word without an assessment: %q", got)
	}
}

func TestDecisionOpen(t *testing.T) {
	at := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		b    Breach
		open bool
	}{
		{"nothing decided", Breach{}, true},
		{"decided to notify, not yet done", Breach{Decision: &Decision{NotifyAP: true}}, true},
		{"decided not to notify", Breach{Decision: &Decision{NotifyAP: false}}, false},
		{"notified", Breach{Decision: &Decision{NotifyAP: true}, Notifications: []Notification{{Kind: NotifyInitial, SubmittedAt: at}}}, false},
		{"notified without a decision on record", Breach{Notifications: []Notification{{Kind: NotifyInitial, SubmittedAt: at}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.DecisionOpen(); got != tc.open {
				t.Errorf("DecisionOpen = %v, want %v", got, tc.open)
			}
		})
	}
}

func TestGuidanceDPC(t *testing.T) {
	tests := []struct {
		g    Guidance
		want int
	}{
		{Guidance{Base: DPCSensitive, Adjust: DPCAdjustments{Vulnerable: true}}, 4},
		{Guidance{Base: DPCSimple, Adjust: DPCAdjustments{Vulnerable: true, LargeVolume: true}}, 3},
		{Guidance{Base: DPCFinancial, Adjust: DPCAdjustments{Public: true, Outdated: true}}, 1},
		{Guidance{Base: "unknown"}, 0},
	}
	for _, tc := range tests {
		if got := tc.g.DPC(); got != tc.want {
			t.Errorf("%+v.DPC() = %d, want %d", tc.g, got, tc.want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want map[string]string
	}{
		{"empty", Settings{}, map[string]string{}},
		{"48 hours", Settings{OwnTargetHours: 48, DPO: Contact{Email: "fg@praktijk.example"}}, map[string]string{}},
		{"looser than the law", Settings{OwnTargetHours: 73}, map[string]string{"own_target_hours": "breach.own_target_range"}},
		{"bad address", Settings{Reporter: Contact{Email: "geen adres"}}, map[string]string{"reporter.email": "field.email"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.Validate()
			if len(got) != len(tc.want) {
				t.Fatalf("Validate = %v, want %v", got, tc.want)
			}
			for f, m := range tc.want {
				if got[f] != m {
					t.Errorf("%s: %q, want %q", f, got[f], m)
				}
			}
		})
	}
}
