package casework

import (
	"context"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// ReminderDays is how many working days ahead the daily reminder looks.
const ReminderDays = 5

// ReminderHour is the local hour from which the day's reminder goes out.
const ReminderHour = 7

// ReminderItem is one case in a reminder: only its reference, type and
// dates (e-mails carry no case content). Due is the day the answer is due,
// or, with Destruction, the day a destruction was promised for that is not
// yet confirmed (a decided erasure still open).
type ReminderItem struct {
	Reference   string
	Type        RequestType
	Due         deadline.Date
	Destruction bool
}

// Assignment is a staff member with their open cases due soon or overdue.
type Assignment struct {
	Assignee Assignee
	Items    []ReminderItem
}

// ReminderStore is what the daily reminder needs from storage.
type ReminderStore interface {
	Settings(ctx context.Context) (practice.Settings, error)
	// OpenAssigned returns, per enabled staff member, their open cases due
	// on or before dueBy, by due date: undecided cases by their deadline,
	// decided ones by a destruction promised and not yet confirmed.
	OpenAssigned(ctx context.Context, dueBy deadline.Date) ([]Assignment, error)
	// SaveReminderRun records that day's reminder and queues its mails in
	// one transaction; false (and nothing queued) if day already ran.
	SaveReminderRun(ctx context.Context, day deadline.Date, at time.Time, mails []mail.Message) (bool, error)
}

// ReminderWriter writes a staff member's reminder e-mail.
type ReminderWriter interface {
	Reminder(to Assignee, items []ReminderItem, today deadline.Date, cal deadline.Calendar, queueURL string) (mail.Message, error)
}

// Reminders sends each staff member, once a day, the list of their cases
// that are overdue or due within ReminderDays working days, and of the
// destructions they promised for such a day that are not yet confirmed.
type Reminders struct {
	store   ReminderStore
	letters ReminderWriter
	clock   clock.Clock
	baseURL string
}

// NewReminders returns the daily reminder.
func NewReminders(s ReminderStore, w ReminderWriter, c clock.Clock, baseURL string) *Reminders {
	return &Reminders{store: s, letters: w, clock: c, baseURL: baseURL}
}

// RunDue sends today's reminders if it is past ReminderHour in the
// practice's time zone and they were not sent yet. It returns how many
// mails it queued; safe to call as often as one likes.
func (r *Reminders) RunDue(ctx context.Context) (int, error) {
	settings, err := r.store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	cal, err := settings.HolidayCalendar()
	if err != nil {
		return 0, err
	}
	now := r.clock.Now().In(settings.Location())
	if now.Hour() < ReminderHour {
		return 0, nil
	}
	today := deadline.DateOf(now, settings.Location())
	dueBy := today
	for n := 0; n < ReminderDays; {
		dueBy = dueBy.AddDays(1)
		if cal.IsWorkingDay(dueBy) {
			n++
		}
	}
	assigned, err := r.store.OpenAssigned(ctx, dueBy)
	if err != nil {
		return 0, err
	}
	var mails []mail.Message
	for _, a := range assigned {
		if len(a.Items) == 0 {
			continue
		}
		m, err := r.letters.Reminder(a.Assignee, a.Items, today, cal, r.baseURL+"/staff/cases?mine=1")
		if err != nil {
			return 0, err
		}
		mails = append(mails, m)
	}
	ran, err := r.store.SaveReminderRun(ctx, today, r.clock.Now(), mails)
	if err != nil || !ran {
		return 0, err
	}
	return len(mails), nil
}
