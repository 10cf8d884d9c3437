package letters

import (
	"bytes"
	"fmt"
	"io/fs"
	"text/template"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
)

// BreachReminders writes the reminders to owners that the 72 hours to
// notify a breach to the practice's supervisory authority, or the practice's
// own stricter target, run out: the reference, the deadline and a link,
// never what the breach is about. Staff read Dutch.
type BreachReminders struct {
	cat      *lang.Catalog
	t        *template.Template
	practice func() string
}

// NewBreachReminders parses templates/mail/breach_reminder.nl.txt from fsys.
func NewBreachReminders(fsys fs.FS, cat *lang.Catalog, practiceName func() string) (*BreachReminders, error) {
	t, err := template.ParseFS(fsys, "templates/mail/breach_reminder.nl.txt")
	if err != nil {
		return nil, fmt.Errorf("mail template breach_reminder: %w", err)
	}
	return &BreachReminders{cat: cat, t: t.Option("missingkey=error"), practice: practiceName}, nil
}

// leftWords says how much time a reminder mark stands for.
var leftWords = map[string]string{breach.Reminder24h: "24 uur", breach.Reminder6h: "6 uur",
	breach.ReminderTarget12h: "12 uur", breach.ReminderTarget2h: "2 uur"}

// BreachReminder implements breach.ReminderWriter.
func (w *BreachReminders) BreachReminder(to breach.Contact, r breach.Reminder, loc *time.Location) (mail.Message, error) {
	practice := w.practice()
	if practice == "" {
		practice = w.cat.T(lang.NL, "practice.unnamed", nil)
	}
	target := r.Mark == breach.ReminderTarget12h || r.Mark == breach.ReminderTarget2h
	var buf bytes.Buffer
	err := w.t.Execute(&buf, map[string]any{
		"Name": to.Name, "Reference": r.Reference, "Deadline": lang.DateTime(lang.NL, r.Deadline, loc), "Mark": r.Mark,
		"Left": leftWords[r.Mark], "Link": r.Link, "Practice": practice, "Target": target, "Hours": r.TargetHours,
		"Authority": r.Authority.Name,
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail breach_reminder: %w", err)
	}
	subject := w.cat.T(lang.NL, "breach.mail.reminder."+r.Mark, map[string]any{"Reference": r.Reference,
		"Authority": r.Authority.Code, "Hours": r.TargetHours})
	return mail.Message{To: to.Email, Subject: subject, Text: buf.String(), Kind: mail.KindBreachReminder, Ref: r.Reference}, nil
}
