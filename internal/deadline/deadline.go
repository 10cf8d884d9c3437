package deadline

// Deadlines are the deadlines of one request under AVG/GDPR art. 12(3): an
// answer at the latest one month after receipt, which may be extended by two
// further months if the controller tells the requester so, with reasons,
// within the first month.
//
// Every date is the last day on which the practice can still act in time
// (the period ends "with the expiry of the last hour" of that day,
// Regulation 1182/71 art. 3(2)(c) and 3(4)).
type Deadlines struct {
	// Due is the deadline in force: ExtendedDue when the period was
	// extended, OriginalDue otherwise.
	Due Date
	// OriginalDue is one month after receipt, plus the pause days, moved
	// to the next working day if needed.
	OriginalDue Date
	// ExtendedDue is three months after receipt (the month of art. 12(3)
	// plus the "two further months"), plus the pause days, moved to the
	// next working day if needed.
	ExtendedDue Date
	// ExtensionNoticeBy is the last day on which the requester may be
	// told of an extension and its reasons (art. 12(3): "within one month
	// of receipt of the request"). It equals OriginalDue.
	ExtensionNoticeBy Date
}

// Compute returns the deadlines of a request received on received, counted
// on cal, after pauseDays days of identity pause (see [PauseDays]); extended
// selects which deadline is in force as Due.
//
// Counting follows Regulation 1182/71 art. 3, as EDPB Guidelines 01/2022
// §160–161 apply it to art. 12(3):
//   - the day of receipt does not count (art. 3(1), second subparagraph);
//   - the period ends on the same date n months later, or on the last day of
//     that month if it has no such date (art. 3(2)(c)); see [AddMonths];
//   - the pause days are added as calendar days to that end (the identity
//     pause of EDPB 01/2022 §159, a practice setting);
//   - if the end is a Saturday, Sunday, public holiday or extra non-working
//     day of cal, it moves to the next working day (art. 3(4));
//     see [Calendar.NextWorkingDay].
//
// A negative pauseDays counts as 0.
func Compute(cal Calendar, received Date, pauseDays int, extended bool) Deadlines {
	original := cal.NextWorkingDay(rawEnd(received, 1, pauseDays))
	ext := cal.NextWorkingDay(rawEnd(received, 3, pauseDays))
	d := Deadlines{
		Due:               original,
		OriginalDue:       original,
		ExtendedDue:       ext,
		ExtensionNoticeBy: original,
	}
	if extended {
		d.Due = ext
	}
	return d
}

// rawEnd is the end of a period of months after received plus pauseDays,
// before any move to a working day.
func rawEnd(received Date, months, pauseDays int) Date {
	return AddMonths(received, months).AddDays(max(pauseDays, 0))
}

// PauseDays returns the length of an identity pause: the calendar days from
// the day the identity question was asked to the day the answer arrived,
// that is answered − asked, or 0 if answered is not after asked. A question
// on Monday answered on Wednesday pauses the clock for 2 days.
func PauseDays(asked, answered Date) int {
	return max(DaysBetween(asked, answered), 0)
}
