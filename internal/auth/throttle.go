package auth

import (
	"net/netip"
	"time"
)

// Limits bound failed sign-ins over a sliding Window (SECURITY.md item 7):
// per account, against guessing one person's password, and per address,
// against trying many accounts from one place.
type Limits struct {
	AccountFailures int
	AddressFailures int
	Window          time.Duration
}

// DefaultLimits returns 5 failures per account and 20 per address within
// 15 minutes.
func DefaultLimits() Limits {
	return Limits{AccountFailures: 5, AddressFailures: 20, Window: 15 * time.Minute}
}

// Verdict is what Decide says about a sign-in attempt.
type Verdict int

// The verdicts.
const (
	Allow          Verdict = iota // go on and check the credentials
	AccountLocked                 // too many failures for this account
	AddressLimited                // too many failures from this address
)

func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case AccountLocked:
		return "account locked"
	case AddressLimited:
		return "address limited"
	}
	return "unknown"
}

// Decide judges an attempt from the number of failures recorded in the
// window for its account and its address, the attempt being decided
// included (the service records every attempt as a failure before it
// checks the credentials, so parallel guesses cannot slip past the count).
// So the first AccountFailures attempts of an account are allowed and the
// next one is refused; likewise per address. The account lock wins when
// both apply.
func (l Limits) Decide(accountFailures, addressFailures int) Verdict {
	switch {
	case accountFailures > l.AccountFailures:
		return AccountLocked
	case addressFailures > l.AddressFailures:
		return AddressLimited
	}
	return Allow
}

// AddressKey returns the part of a client address that throttling counts
// by: the whole IPv4 address, or the /64 network of an IPv6 address (one
// household or server gets a whole /64, so counting single IPv6 addresses
// would let anyone step around the limit). A string that is not an IP
// address is returned as is.
func AddressKey(address string) string {
	a, err := netip.ParseAddr(address)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(address); err2 == nil {
			a = ap.Addr()
		} else {
			return address
		}
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}
