package representation

import "github.com/avgloket/avgloket/internal/deadline"

// AgeOn returns the data subject's age in completed years on the day on: the
// age the law looks at, computed from the birth date and the day a request
// was received (DOMAIN.md §4).
//
// A birthday counts as reached on the day itself, so a child born on
// 2014-03-10 is 12 on a request received on 2026-03-10 and 11 on one
// received the day before. Someone born on 29 February completes a year on
// 29 February in leap years and on 1 March in other years (on 28 February of
// a non-leap year they are still a year younger): a year without 29 February
// has no anniversary day, and 1 March is the first day that is not before
// it.
//
// Both dates must be valid ([deadline.Date.Valid]). The result is negative
// when on is before birth; callers treat that as an unknown age.
func AgeOn(birth, on deadline.Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return age
}
