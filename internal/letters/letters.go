// Package letters writes the e-mails avgloket sends, in the reader's
// language, from the text templates in ui/templates/mail. E-mails carry
// references and links, never the content of a case (SECURITY.md item 13).
package letters

import (
	"bytes"
	"fmt"
	"github.com/avgloket/avgloket/internal/delivery"
	"io/fs"
	"slices"
	"text/template"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// Writer renders the e-mails.
type Writer struct {
	cat       *lang.Catalog
	templates map[string]*template.Template // "<name>.<lang>"
	// settings returns the practice's settings as they are now: its name
	// signs the e-mails, its country decides the authority they name.
	settings func() (practice.Settings, error)
}

// names lists the e-mail templates; each exists once per language.
var names = []string{"acknowledgement", "message", "extension", "decision", "invitation", "reminder", "letter", "decision_letter", "documents", "delivery_code", "restriction_lifting", "portability_transfer", "destroyed", "notice", "notice_mail"}

// New parses the mail templates in fsys (templates/mail/<name>.<lang>.txt)
// and fails if one is missing. settings returns the practice's current
// settings: the name for the signature, the supervisory authority for the
// complaint route. An error from it fails the e-mail, and so the change that
// sends it, rather than name the wrong authority.
func New(fsys fs.FS, cat *lang.Catalog, settings func() (practice.Settings, error)) (*Writer, error) {
	w := &Writer{cat: cat, templates: map[string]*template.Template{}, settings: settings}
	for _, n := range names {
		for _, c := range lang.Codes {
			key := n + "." + string(c)
			t, err := template.ParseFS(fsys, "templates/mail/"+key+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail template %s: %w", key, err)
			}
			w.templates[key] = t.Option("missingkey=error")
		}
	}
	return w, nil
}

func (w *Writer) render(name string, c lang.Code, to, subject string, data map[string]any) (mail.Message, error) {
	var buf bytes.Buffer
	if err := w.templates[name+"."+string(c)].Execute(&buf, data); err != nil {
		return mail.Message{}, fmt.Errorf("mail %s: %w", name, err)
	}
	return mail.Message{To: to, Subject: subject, Text: buf.String(), Kind: mail.Kind(name)}, nil
}

// Acknowledgement is the receipt sent to the requester: reference, type, due
// date and the private tracking link, which also confirms the address.
func (w *Writer) Acknowledgement(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("acknowledgement", "mail.ack.subject", k, trackingURL)
}

// Message announces a new message from the practice on the tracking page.
func (w *Writer) Message(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("message", "mail.message.subject", k, trackingURL)
}

// Extension tells the requester the deadline was extended, with the new
// date, and that they may complain to the practice's supervisory authority;
// the reason is on the tracking page.
func (w *Writer) Extension(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("extension", "mail.extension.subject", k, trackingURL)
}

// Decision tells the requester that the case is decided, and that whoever
// disagrees may complain to the practice's supervisory authority or go to
// court (AVG art. 12(4)); the answer itself is on the tracking page, so the
// route is told whatever the outcome.
func (w *Writer) Decision(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("decision", "mail.decision.subject", k, trackingURL)
}

// Destroyed tells the requester that the destruction promised in the
// decision on their erasure request was carried out; what was destroyed is
// on the tracking page, not in the mail.
func (w *Writer) Destroyed(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("destroyed", "mail.destroyed.subject", k, trackingURL)
}

// Documents tells the requester that answer documents are ready on the
// tracking page, with the link there and nothing of the documents: no
// name, no content, no link to a file (package delivery).
func (w *Writer) Documents(k casework.Case, trackingURL string) (mail.Message, error) {
	return w.caseMail("documents", "mail.documents.subject", k, trackingURL)
}

// Code carries the one-time code that opens the answer documents on the
// tracking page, valid for the minutes given; nothing else about the case
// but its reference.
func (w *Writer) Code(k casework.Case, code string) (mail.Message, error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail delivery_code: %w", err)
	}
	subject := w.cat.T(c, "mail.delivery_code.subject", map[string]any{"Reference": k.Reference})
	m, err := w.render("delivery_code", c, k.Requester.Email, subject, map[string]any{
		"Reference": k.Reference, "Code": code, "Minutes": int(delivery.CodeValidity.Minutes()), "Practice": w.practiceName(st, c),
	})
	m.ReplyTo, m.Ref = st.PrivacyEmail, k.Reference
	return m, err
}

// Invitation invites a new staff member (in Dutch, the staff's language):
// a one-time link to choose a password, and the sign-in page for those who
// use their organisation's account.
func (w *Writer) Invitation(m staff.Member, practiceName, link, signInURL string, oidc bool) (mail.Message, error) {
	if practiceName == "" {
		practiceName = w.cat.T(lang.NL, "practice.unnamed", nil)
	}
	subject := w.cat.T(lang.NL, "mail.invitation.subject", map[string]any{"Practice": practiceName})
	return w.render("invitation", lang.NL, m.Email, subject, map[string]any{
		"Name": m.Name, "Practice": practiceName, "Link": link, "SignIn": signInURL, "OIDC": oidc,
		"Role": w.cat.T(lang.NL, "role."+string(m.Role), nil),
	})
}

// Reminder lists a staff member's cases that are overdue or due soon, and
// the destructions promised that are to be confirmed soon or are late, by
// reference and date only (in Dutch, the staff's language).
func (w *Writer) Reminder(to casework.Assignee, items []casework.ReminderItem, today deadline.Date, cal deadline.Calendar, queueURL string) (mail.Message, error) {
	type line struct {
		Reference, Type, Due, Left string
		Destruction                bool
	}
	var lines []line
	late := 0
	for _, it := range items {
		l := line{Reference: it.Reference, Type: w.cat.T(lang.NL, "type."+string(it.Type)+".title", nil), Due: lang.Date(lang.NL, it.Due),
			Destruction: it.Destruction}
		switch {
		case today.After(it.Due):
			late++
			l.Left = w.cat.N(lang.NL, "left.late", deadline.DaysBetween(it.Due, today), nil)
		case today.Equal(it.Due):
			l.Left = w.cat.T(lang.NL, "left.today", nil)
		default:
			l.Left = w.cat.N(lang.NL, "left.working_days", cal.WorkingDaysBetween(today, it.Due), nil)
		}
		lines = append(lines, l)
	}
	st, err := w.settings()
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail reminder: %w", err)
	}
	subject := w.cat.N(lang.NL, "mail.reminder.subject", len(items), map[string]any{"Late": late})
	return w.render("reminder", lang.NL, to.Email, subject, map[string]any{
		"Name": to.Name, "Lines": lines, "Queue": queueURL, "Practice": w.practiceName(st, lang.NL),
	})
}

func (w *Writer) practiceName(st practice.Settings, c lang.Code) string {
	if st.Name != "" {
		return st.Name
	}
	return w.cat.T(c, "practice.unnamed", nil)
}

// caseMail writes mail name about case k, with the practice's privacy
// address as Reply-To. Every case mail gets the same facts; none holds what
// the request or the answer says.
func (w *Writer) caseMail(name, subjectID string, k casework.Case, trackingURL string) (mail.Message, error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail %s: %w", name, err)
	}
	authority := st.Authority()
	subject := w.cat.T(c, subjectID, map[string]any{"Reference": k.Reference})
	m, err := w.render(name, c, k.Requester.Email, subject, map[string]any{
		"Reference":    k.Reference,
		"Type":         w.cat.T(c, "type."+string(k.Type)+".title", nil),
		"Received":     lang.Date(c, k.ReceivedOn),
		"Due":          lang.Date(c, k.Deadlines.Due),
		"Immediate":    k.ImmediateEffect(),
		"Link":         trackingURL,
		"Practice":     w.practiceName(st, c),
		"Authority":    authority.NameIn(string(c)),
		"AuthorityURL": authority.URL,
	})
	// The mails invite a reply; it goes to the practice, not the relay's
	// no-reply sender.
	m.ReplyTo, m.Ref = st.PrivacyEmail, k.Reference
	return m, err
}

// LetterKinds are the letters a case by post (casework.Case.ByPost) sends on
// paper instead of a mail: the acknowledgement, and each event the
// requester would otherwise have read on the tracking page.
var LetterKinds = []string{"acknowledgement", string(casework.EventMessage), string(casework.EventExtended),
	string(casework.EventInfoRequested), string(casework.EventInfoWithdrawn), string(casework.EventDecided),
	string(casework.EventRestrictionLifting), string(casework.EventDestroyed)}

// Letter writes the paper letter to the requester of k, in their language:
// the acknowledgement when e is nil, otherwise the letter for event e (one
// of LetterKinds). Unlike a mail it carries what the tracking page would
// show — the message, the question, the reasons — since it goes in a
// sealed envelope to the requester's address; a refusal's ground and
// reasons are held back, as on the tracking page, until the requester is
// confirmed (casework.Case.RequesterConfirmed). It returns the subject and
// the body.
func (w *Writer) Letter(k casework.Case, e *casework.Event) (subject, body string, err error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return "", "", fmt.Errorf("letter: %w", err)
	}
	kind, subjectID := "acknowledgement", "mail.ack.subject"
	data := map[string]any{"Text": "", "Outcome": "", "Because": "", "Withheld": false, "LiftOn": "", "Destroyed": []string(nil)}
	if e != nil {
		kind, subjectID = string(e.Kind), "letter.subject."+string(e.Kind)
		data["Text"] = e.Text
		if on, err := deadline.ParseDate(e.Data["on"]); err == nil {
			data["LiftOn"] = lang.Date(c, on)
		}
		if e.Kind == casework.EventDecided {
			outcome := casework.Outcome(e.Data["outcome"])
			data["Outcome"] = w.cat.T(c, "outcome."+string(outcome), nil)
			if outcome.Refuses() && !k.RequesterConfirmed() {
				data["Withheld"], data["Text"] = true, ""
			} else if g := e.Data["ground"]; g != "" && outcome.Refuses() {
				ground := w.cat.T(c, "ground."+g, nil)
				if r, ok := k.GroundRule(casework.Ground(g)); ok && r.Basis.NL != "" {
					ground += " (" + r.Basis.In(casework.Language(c)) + ")"
				}
				data["Because"] = w.cat.T(c, "track.because_"+string(outcome), map[string]any{"Ground": ground})
			}
		}
	}
	if kind == string(casework.EventDestroyed) {
		data["Destroyed"] = w.destroyedLines(k, c)
	}
	if !slices.Contains(LetterKinds, kind) {
		return "", "", fmt.Errorf("letter: no letter for %q", kind)
	}
	authority := st.Authority()
	due := k.Deadlines.Due
	if e != nil && e.Data["due"] != "" {
		if d, err := deadline.ParseDate(e.Data["due"]); err == nil {
			due = d
		}
	}
	for key, v := range map[string]any{
		"Kind": kind, "Reference": k.Reference, "Type": w.cat.T(c, "type."+string(k.Type)+".title", nil),
		"Received": lang.Date(c, k.ReceivedOn), "Due": lang.Date(c, due), "Immediate": k.ImmediateEffect(),
		"Practice": w.practiceName(st, c), "Authority": authority.NameIn(string(c)), "AuthorityURL": authority.URL,
	} {
		data[key] = v
	}
	m, err := w.render("letter", c, "", w.cat.T(c, subjectID, map[string]any{"Reference": k.Reference}), data)
	return m.Subject, m.Text, err
}
