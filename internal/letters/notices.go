package letters

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/register"
)

// Notices drafts the notices of AVG art. 19 (casework.Notifier): one per
// recipient, in the register, of the activities a decision concerns. The
// notice carries what the recipient must do and whom it is about — the
// person's name and birth date, as far as needed to find the data — and
// nothing of the request itself. Mailed, it stays out of the mail
// (SECURITY.md item 13): the mail carries the reference and a link of the
// recipient's own to the notice as a PDF, which works as long as sent
// documents are kept.
type Notices struct {
	w *Writer
	// register returns the practice's register as it is now.
	register func(context.Context) ([]register.Activity, error)
	baseURL  string
	clock    clock.Clock
}

var _ casework.Notifier = (*Notices)(nil)

// NewNotices returns the drafter of notices that writes with w from the
// register that activities returns; the mails' links start with baseURL
// and expire counted from clk's now.
func NewNotices(w *Writer, activities func(context.Context) ([]register.Activity, error), baseURL string, clk clock.Clock) *Notices {
	return &Notices{w: w, register: activities, baseURL: strings.TrimSuffix(baseURL, "/"), clock: clk}
}

// noticePath is the path of a notice's download link before its secret.
const noticePath = "/mededeling/"

// DraftNotices implements casework.Notifier. A notice is written in Dutch
// to a recipient in the Netherlands or Belgium, in English to one
// elsewhere; it names the practice, the person (name and birth date), the
// right, per activity what to do (erase, correct, restrict), the case's
// reference and whom to contact. A notice by mail gets a link of its own.
func (n *Notices) DraftNotices(ctx context.Context, k casework.Case, items []casework.NoticeItem, on deadline.Date) ([]casework.Notice, error) {
	all, recipients, err := n.recipients(ctx, items)
	if err != nil || len(recipients) == 0 {
		return nil, err
	}
	var out []casework.Notice
	for _, r := range recipients {
		l, err := n.w.noticeLetter(k, r, all, items, on)
		if err != nil {
			return nil, err
		}
		nt := casework.Notice{Recipient: r.Recipient.Name, Kind: string(r.Recipient.Kind), Activities: r.Activities,
			Channel: casework.NoticeByPost, Status: casework.NoticeQueued, Letter: l, Language: casework.Language(noticeLanguage(r.Recipient))}
		if r.Recipient.Email != "" {
			if err := n.byMail(&nt, k, r.Recipient); err != nil {
				return nil, err
			}
		}
		out = append(out, nt)
	}
	return out, nil
}

// CountNotices implements casework.Notifier: the recipients DraftNotices
// would write to, counted without writing.
func (n *Notices) CountNotices(ctx context.Context, _ casework.Case, items []casework.NoticeItem) (int, error) {
	_, recipients, err := n.recipients(ctx, items)
	return len(recipients), err
}

// recipients returns the register as it is now and the recipients, in it,
// of the activities of items: one notice each. No items: no register read
// and no recipients.
func (n *Notices) recipients(ctx context.Context, items []casework.NoticeItem) ([]register.Activity, []register.Receiving, error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	all, err := n.register(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Activity
	}
	return all, register.RecipientsOf(all, keys), nil
}

// byMail turns nt, the notice of case k to r, into one mailed to r with a
// new link to its letter: the mail names the practice, the article, the
// reference, the link and until when it works, and the contact.
func (n *Notices) byMail(nt *casework.Notice, k casework.Case, r register.Recipient) error {
	st, err := n.w.settings()
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	token, err := casework.NewToken()
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	c := noticeLanguage(r)
	link := &casework.NoticeLink{Token: token, Expires: n.clock.Now().Add(delivery.KeepFor(st))}
	practice := n.w.practiceName(st, c)
	m, err := n.w.render("notice_mail", c, r.Email, nt.Letter.Subject, map[string]any{
		"Recipient": r.Name, "Practice": practice, "Reference": k.Reference, "Link": n.baseURL + noticePath + token,
		"Until": lang.Date(c, deadline.DateOf(link.Expires, st.Location())), "Contact": strings.TrimSpace(st.PrivacyEmail),
	})
	if err != nil {
		return err
	}
	m.Kind, m.ReplyTo, m.Ref = mail.KindNotice, st.PrivacyEmail, k.Reference
	nt.Channel, nt.Mail, nt.Link = casework.NoticeByMail, &m, link
	return nil
}

// noticeLanguage is the language of a notice to r: Dutch in the
// Netherlands and Belgium, English elsewhere.
func noticeLanguage(r register.Recipient) lang.Code {
	if r.Country == "NL" || r.Country == "BE" {
		return lang.NL
	}
	return lang.EN
}

// noticeLetter writes the notice of case k to r, dated on.
func (w *Writer) noticeLetter(k casework.Case, r register.Receiving, all []register.Activity, items []casework.NoticeItem, on deadline.Date) (casework.Letter, error) {
	c := noticeLanguage(r.Recipient)
	st, err := w.settings()
	if err != nil {
		return casework.Letter{}, fmt.Errorf("notice: %w", err)
	}
	name := k.Subject.Name
	if name == "" {
		name = k.Requester.Name
	}
	born := ""
	if !k.Subject.BirthDate.IsZero() {
		// The date in full without its weekday, which a birth date does
		// not need: "4 maart 2012".
		_, born, _ = strings.Cut(lang.Date(c, k.Subject.BirthDate), " ")
	}
	var lines []string
	for _, it := range items {
		if !slices.Contains(r.Activities, it.Activity) {
			continue
		}
		activity := it.Activity
		if i := slices.IndexFunc(all, func(a register.Activity) bool { return a.Key == it.Activity }); i >= 0 {
			activity = all[i].Name
		}
		lines = append(lines, "- "+w.cat.T(c, "notice.item."+string(it.Action), map[string]any{"Activity": activity}))
	}
	var corrections []string
	if slices.ContainsFunc(items, func(it casework.NoticeItem) bool { return it.Action == casework.NoticeRectify }) {
		for _, it := range k.Rectification {
			if !it.Kept {
				corrections = append(corrections, "- "+w.cat.T(c, "notice.correction", map[string]any{"Field": it.Field, "New": it.New}))
			}
		}
	}
	if len(corrections) > 0 {
		corrections = append([]string{w.cat.T(c, "notice.corrections", nil)}, corrections...)
	}
	data := map[string]any{
		"Recipient": r.Recipient.Name, "Practice": w.practiceName(st, c), "Name": name, "Born": born,
		"Right": w.cat.T(c, "notice.right."+string(k.Type), nil), "Article": noticeArticle[k.Type],
		"Items": strings.Join(lines, "\n"), "Corrections": strings.Join(corrections, "\n"), "Reference": k.Reference, "Contact": strings.TrimSpace(st.PrivacyEmail),
	}
	var buf bytes.Buffer
	if err := w.templates["notice."+string(c)].Execute(&buf, data); err != nil {
		return casework.Letter{}, fmt.Errorf("notice: %w", err)
	}
	return casework.Letter{
		Subject:    w.cat.T(c, "notice.subject", map[string]any{"Practice": w.practiceName(st, c), "Reference": k.Reference}),
		Letterhead: w.letterhead(st, c),
		Recipient:  r.Recipient.Name,
		Date:       lang.Date(c, on),
		Reference:  k.Reference,
		Body:       strings.TrimSpace(buf.String()),
	}, nil
}

// noticeArticle is the article of the AVG each right that calls for notices
// rests on.
var noticeArticle = map[casework.RequestType]string{
	casework.Rectification: "16", casework.Erasure: "17", casework.Restriction: "18",
}
