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
// notify a breach to the Autoriteit Persoonsgegevens run out: the reference,
// the deadline and a link, never what the breach is about. Staff read Dutch.
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
var leftWords = map[string]string{breach.Reminder24h: "24 uur", breach.Reminder6h: "6 uur"}

// BreachReminder implements breach.ReminderWriter.
func (w *BreachReminders) BreachReminder(to breach.Contact, ref string, deadline time.Time, loc *time.Location, mark, link string) (mail.Message, error) {
	practice := w.practice()
	if practice == "" {
		practice = w.cat.T(lang.NL, "practice.unnamed", nil)
	}
	var buf bytes.Buffer
	err := w.t.Execute(&buf, map[string]any{
		"Name": to.Name, "Reference": ref, "Deadline": lang.DateTime(lang.NL, deadline, loc), "Mark": mark,
		"Left": leftWords[mark], "Link": link, "Practice": practice,
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail breach_reminder: %w", err)
	}
	subject := w.cat.T(lang.NL, "breach.mail.reminder."+mark, map[string]any{"Reference": ref})
	return mail.Message{To: to.Email, Subject: subject, Text: buf.String()}, nil
}
