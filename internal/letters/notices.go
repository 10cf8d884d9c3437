package letters

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/register"
)

// Notices drafts the notices of AVG art. 19 (casework.Notifier): one per
// recipient, in the register, of the activities a decision concerns. Unlike
// the requester's e-mails, a notice carries what the recipient must do and
// whom it is about — the person's name and birth date, as far as needed to
// find the data, and nothing of the request itself: a recipient cannot act
// on a link to a page it may not open.
type Notices struct {
	w *Writer
	// register returns the practice's register as it is now.
	register func(context.Context) ([]register.Activity, error)
}

var _ casework.Notifier = (*Notices)(nil)

// NewNotices returns the drafter of notices that writes with w from the
// register that activities returns.
func NewNotices(w *Writer, activities func(context.Context) ([]register.Activity, error)) *Notices {
	return &Notices{w: w, register: activities}
}

// DraftNotices implements casework.Notifier. A notice is written in Dutch
// to a recipient in the Netherlands or Belgium, in English to one
// elsewhere; it names the practice, the person (name and birth date), the
// right, per activity what to do (erase, correct, restrict), the case's
// reference and whom to contact.
func (n *Notices) DraftNotices(ctx context.Context, k casework.Case, items []casework.NoticeItem, on deadline.Date) ([]casework.Notice, error) {
	if len(items) == 0 {
		return nil, nil
	}
	all, err := n.register(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Activity
	}
	var out []casework.Notice
	for _, r := range register.RecipientsOf(all, keys) {
		l, err := n.w.noticeLetter(k, r, all, items, on)
		if err != nil {
			return nil, err
		}
		nt := casework.Notice{Recipient: r.Recipient.Name, Kind: string(r.Recipient.Kind), Activities: r.Activities,
			Channel: casework.NoticeByPost, Status: casework.NoticeQueued, Letter: l, Language: casework.Language(noticeLanguage(r.Recipient))}
		if r.Recipient.Email != "" {
			st, err := n.w.settings()
			if err != nil {
				return nil, fmt.Errorf("notice: %w", err)
			}
			nt.Channel = casework.NoticeByMail
			nt.Mail = &mail.Message{To: r.Recipient.Email, Subject: l.Subject, Text: l.Body + "\n\n" + l.Letterhead,
				Kind: mail.KindNotice, ReplyTo: st.PrivacyEmail, Ref: k.Reference}
		}
		out = append(out, nt)
	}
	return out, nil
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
