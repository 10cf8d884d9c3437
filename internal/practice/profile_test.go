package practice

import (
	"encoding/json"
	"testing"
)

func TestProfile(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want string
	}{
		{"Dutch practice", Settings{Name: "Praktijk Noord", Country: Netherlands, TimeZone: "Europe/Amsterdam", Calendar: Netherlands},
			`{"name":"Praktijk Noord","country":"NL","time_zone":"Europe/Amsterdam","calendar":"NL",` +
				`"authority":{"code":"AP","name":"Autoriteit Persoonsgegevens","url":"https://www.autoriteitpersoonsgegevens.nl"}}`},
		{"Belgian practice", Settings{Name: "Praktijk Zuid", Country: Belgium, TimeZone: "Europe/Brussels", Calendar: Belgium},
			`{"name":"Praktijk Zuid","country":"BE","time_zone":"Europe/Brussels","calendar":"BE",` +
				`"authority":{"code":"GBA","name":"Gegevensbeschermingsautoriteit","url":"https://www.gegevensbeschermingsautoriteit.be"}}`},
		// The calendar is a setting of its own; the authority follows the country.
		{"Belgian practice, Dutch calendar", Settings{Name: "Grens", Country: Belgium, TimeZone: "Europe/Brussels", Calendar: Netherlands},
			`{"name":"Grens","country":"BE","time_zone":"Europe/Brussels","calendar":"NL",` +
				`"authority":{"code":"GBA","name":"Gegevensbeschermingsautoriteit","url":"https://www.gegevensbeschermingsautoriteit.be"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.s.Profile())
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Profile JSON\n got %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestCaseRetention(t *testing.T) {
	tests := []struct {
		days      int
		wantCount int
		wantUnit  string
	}{
		{730, 2, Years},
		{365, 1, Years},
		{7300, 20, Years},
		{366, 366, Days},
		{364, 364, Days},
		{30, 30, Days},
		{1095, 3, Years},
	}
	for _, tt := range tests {
		n, unit := Settings{CaseRetentionDays: tt.days}.CaseRetention()
		if n != tt.wantCount || unit != tt.wantUnit {
			t.Errorf("CaseRetention(%d days) = %d %s, want %d %s", tt.days, n, unit, tt.wantCount, tt.wantUnit)
		}
	}
}
