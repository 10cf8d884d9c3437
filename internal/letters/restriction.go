package letters

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
)

// RestrictionLifting tells the requester of k, before it happens, on which
// day the restriction of processing is lifted (AVG art. 18(3)): the day,
// and the link to the tracking page, where the reason is; nothing else of
// the case.
func (w *Writer) RestrictionLifting(k casework.Case, trackingURL string) (mail.Message, error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail restriction_lifting: %w", err)
	}
	if k.Restriction == nil || !k.Restriction.Announced() {
		return mail.Message{}, fmt.Errorf("mail restriction_lifting: %s has no lifting announced", k.Reference)
	}
	on, err := deadline.ParseDate(k.Restriction.LiftOn)
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail restriction_lifting: %w", err)
	}
	authority := st.Authority()
	subject := w.cat.T(c, "mail.restriction_lifting.subject", map[string]any{"Reference": k.Reference})
	m, err := w.render("restriction_lifting", c, k.Requester.Email, subject, map[string]any{
		"Reference": k.Reference, "LiftOn": lang.Date(c, on), "Link": trackingURL, "Practice": w.practiceName(st, c),
		"Authority": authority.NameIn(string(c)), "AuthorityURL": authority.URL,
	})
	m.ReplyTo, m.Ref = st.PrivacyEmail, k.Reference
	return m, err
}

// restrictionLines says, for a restriction granted in whole or in part,
// the processing of which activities is restricted, which data, on which
// ground of art. 18(1), from when until when, and that the requester is
// told before it is lifted (art. 18(3)); empty for another right or
// outcome, or with no restriction recorded.
func (w *Writer) restrictionLines(k casework.Case, d casework.Decision, c lang.Code) string {
	r := k.Restriction
	if k.Type != casework.Restriction || (d.Outcome != casework.Granted && d.Outcome != casework.PartiallyGranted) || r == nil {
		return ""
	}
	names := make([]string, len(r.Activities))
	for i, a := range r.Activities {
		names[i] = cmp.Or(a.Name, a.Key)
	}
	period := w.cat.T(c, "letter.restriction.until_event", map[string]any{"From": dateIn(c, r.From), "Event": r.UntilEvent})
	if r.Until != "" {
		period = w.cat.T(c, "letter.restriction.until", map[string]any{"From": dateIn(c, r.From), "Until": dateIn(c, r.Until)})
	}
	lines := []string{
		w.cat.T(c, "letter.restriction.heading", nil),
		"- " + w.cat.T(c, "letter.restriction.activities", map[string]any{"Activities": strings.Join(names, ", ")}),
		"- " + w.cat.T(c, "letter.restriction.data", map[string]any{"Data": r.Data}),
		"- " + w.cat.T(c, "letter.restriction.ground."+r.Ground, nil),
		"- " + period,
		"",
		w.cat.T(c, "letter.restriction.notice", nil),
	}
	return strings.Join(lines, "\n")
}
