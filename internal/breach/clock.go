package breach

import (
	"slices"
	"time"
)

// NotifyWithin is the period of art. 33(1): the AP must be notified without
// undue delay and, where feasible, not later than 72 hours after the
// practice became aware of the breach.
const NotifyWithin = 72 * time.Hour

// APDeadline returns the moment the AP notification is due: awareAt plus 72
// clock hours exactly. There is no extension for weekends or holidays, and a
// change to or from summer time does not move the instant: aware on Friday
// 27 March 2026 at 18:00 CET, due on Monday 30 March at 19:00 CEST, because
// the night of 29 March is an hour shorter.
func APDeadline(awareAt time.Time) time.Time { return awareAt.Add(NotifyWithin) }

// OwnTarget returns the practice's own, stricter target for notifying the
// AP: awareAt plus hours clock hours (one practice promises 48). A target of
// zero or fewer hours, or more than 72, is no target: the AP deadline is
// returned instead, since no own target may be looser than the law.
func OwnTarget(awareAt time.Time, hours int) time.Time {
	if hours <= 0 || time.Duration(hours)*time.Hour > NotifyWithin {
		return APDeadline(awareAt)
	}
	return awareAt.Add(time.Duration(hours) * time.Hour)
}

// Remaining returns the time left from now until deadline; it is negative
// once the deadline has passed.
func Remaining(now, deadline time.Time) time.Duration { return deadline.Sub(now) }

// Late reports whether a notification made at notifiedAt came after the 72
// hours from awareAt. A notification at exactly 72 hours is on time. A late
// notification must say why (art. 33(1), last sentence).
func Late(notifiedAt, awareAt time.Time) bool { return notifiedAt.After(APDeadline(awareAt)) }

// The reminder marks ReminderDue returns. The caller records a mark once its
// reminder is sent and passes the recorded marks back in.
const (
	Reminder24h     = "24h_left" // a day left
	Reminder6h      = "6h_left"  // six hours left
	ReminderOverdue = "overdue"  // the deadline has passed
)

// ReminderDue returns the reminders to send now for deadline, leaving out
// those in sentMarks; nil when none is due. Callers ask only while the
// notification is still open (not decided against, not yet submitted).
//
// Only the most urgent reminder is due at any time: a breach registered with
// five hours left gets the six-hour reminder, not the one-day reminder as
// well, and the one-day reminder is not sent late after it.
//
// Choice: besides the 24- and 6-hour reminders of the brief, one reminder
// goes out when the deadline has passed, because a late notification must
// still be made (with its reason) and nobody should miss that.
func ReminderDue(now, deadline time.Time, sentMarks []string) []string {
	left := Remaining(now, deadline)
	if left < 0 {
		return unsent(ReminderOverdue, sentMarks)
	}
	return unsent(mostUrgent(left, []threshold{{6 * time.Hour, Reminder6h}, {24 * time.Hour, Reminder24h}}), sentMarks)
}

// threshold is a reminder that is due once no more than within is left.
type threshold struct {
	within time.Duration
	mark   string
}

// mostUrgent returns the mark of the first of thresholds (most urgent
// first) whose time has come with left remaining, or "".
func mostUrgent(left time.Duration, thresholds []threshold) string {
	for _, t := range thresholds {
		if left <= t.within {
			return t.mark
		}
	}
	return ""
}

// unsent returns mark as the reminder due, unless it is empty or already in
// sentMarks.
func unsent(mark string, sentMarks []string) []string {
	if mark == "" || slices.Contains(sentMarks, mark) {
		return nil
	}
	return []string{mark}
}

// The reminder marks TargetReminderDue returns, for the practice's own
// target.
const (
	ReminderTarget12h = "target_12h_left" // twelve hours left to the own target
	ReminderTarget2h  = "target_2h_left"  // two hours left to the own target
)

// TargetReminderDue returns the reminders to send now for the practice's
// own target (OwnTarget), leaving out those in sentMarks; nil when none is
// due, and always nil when the practice has no target stricter than the AP
// deadline. As with ReminderDue only the most urgent one is due: twelve
// hours before the target, then two hours before it. Once the target has
// passed the AP deadline's own reminders take over.
func TargetReminderDue(now, awareAt time.Time, hours int, sentMarks []string) []string {
	target := OwnTarget(awareAt, hours)
	if !target.Before(APDeadline(awareAt)) {
		return nil
	}
	left := Remaining(now, target)
	if left < 0 {
		return nil
	}
	return unsent(mostUrgent(left, []threshold{{2 * time.Hour, ReminderTarget2h}, {12 * time.Hour, ReminderTarget12h}}), sentMarks)
}
