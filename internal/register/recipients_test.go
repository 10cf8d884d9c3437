package register_test

import (
	"reflect"
	"testing"

	"github.com/avgloket/avgloket/internal/register"
)

// TestRecipientsOf: every recipient of the activities asked for, of every
// kind, once however many of them name it, and no recipient of another
// activity.
func TestRecipientsOf(t *testing.T) {
	ecd := register.Recipient{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL"}
	ecdMail := register.Recipient{Name: " ecd-leverancier ", Kind: register.Processor, Country: "NL", Email: "privacy@ecd.example"}
	town := register.Recipient{Name: "Gemeente Voorbeeld", Kind: register.Controller, Country: "NL", Email: "jeugd@gemeente.example"}
	tax := register.Recipient{Name: "Belastingdienst", Kind: register.Authority, Country: "NL"}
	mailer := register.Recipient{Name: "Nieuwsbriefdienst", Kind: register.Processor, Country: "IE", Email: "dpo@mailer.example"}
	all := []register.Activity{
		{Key: "client-file", Recipients: []register.Recipient{ecd, town}},
		{Key: "invoicing", Recipients: []register.Recipient{ecdMail, tax}},
		{Key: "newsletter", Recipients: []register.Recipient{mailer}},
		{Key: "no-recipients"},
	}
	withMail := ecd
	withMail.Email = "privacy@ecd.example"
	tests := []struct {
		name string
		keys []string
		want []register.Receiving
	}{
		{"none asked", nil, nil},
		{"one activity", []string{"client-file"}, []register.Receiving{
			{Recipient: ecd, Activities: []string{"client-file"}},
			{Recipient: town, Activities: []string{"client-file"}}}},
		{"a recipient under two activities once, with the address given under either", []string{"invoicing", "client-file"}, []register.Receiving{
			{Recipient: withMail, Activities: []string{"client-file", "invoicing"}},
			{Recipient: town, Activities: []string{"client-file"}},
			{Recipient: tax, Activities: []string{"invoicing"}}}},
		{"activity without recipients", []string{"no-recipients"}, nil},
		{"unknown key", []string{"gone"}, nil},
		{"outside the EEA too", []string{"newsletter"}, []register.Receiving{{Recipient: mailer, Activities: []string{"newsletter"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := register.RecipientsOf(all, tc.keys); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RecipientsOf(%v)\n got %+v\nwant %+v", tc.keys, got, tc.want)
			}
		})
	}
}
