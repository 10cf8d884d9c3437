package auth

import (
	"testing"
	"time"
)

func TestDefaultLimits(t *testing.T) {
	want := Limits{AccountFailures: 5, AddressFailures: 20, Window: 15 * time.Minute}
	if got := DefaultLimits(); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
}

func TestDecide(t *testing.T) {
	l := DefaultLimits()
	tests := []struct {
		name             string
		account, address int
		want             Verdict
	}{
		{"first attempt", 1, 1, Allow},
		{"fifth attempt of the account", 5, 5, Allow},
		{"sixth attempt of the account", 6, 6, AccountLocked},
		{"many attempts of the account", 50, 50, AccountLocked},
		{"twentieth attempt from the address", 1, 20, Allow},
		{"twenty-first attempt from the address", 1, 21, AddressLimited},
		{"both over: the account lock wins", 6, 21, AccountLocked},
		{"nothing recorded", 0, 0, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.Decide(tt.account, tt.address); got != tt.want {
				t.Errorf("Decide(%d, %d) = %v, want %v", tt.account, tt.address, got, tt.want)
			}
		})
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"IPv4", "203.0.113.7", "203.0.113.7"},
		{"IPv4 with port", "203.0.113.7:51234", "203.0.113.7"},
		{"IPv4-mapped IPv6", "::ffff:203.0.113.7", "203.0.113.7"},
		{"IPv6 counts by /64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"IPv6 elsewhere in the same /64", "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"IPv6 with port", "[2001:db8:1:2::1]:443", "2001:db8:1:2::/64"},
		{"IPv6 with zone", "fe80::1%eth0", "fe80::/64"},
		{"not an address", "unknown", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AddressKey(tt.in); got != tt.want {
				t.Errorf("AddressKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
