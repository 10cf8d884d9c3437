package letters

import (
	"fmt"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/portability"
)

// PortabilityTransfer is the mail to the organisation that gets the export
// of portability case k on the requester's instruction (AVG art. 20(2)):
// who sends it, the case's reference, the download link and the last day
// it works; nothing of the data.
func (w *Writer) PortabilityTransfer(k casework.Case, organisation, address, link string, until time.Time) (mail.Message, error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return mail.Message{}, fmt.Errorf("mail portability_transfer: %w", err)
	}
	practice := w.practiceName(st, c)
	subject := w.cat.T(c, "mail.portability_transfer.subject", map[string]any{"Practice": practice, "Reference": k.Reference})
	m, err := w.render("portability_transfer", c, address, subject, map[string]any{
		"Practice": practice, "Organisation": organisation, "Reference": k.Reference, "Link": link,
		"Until": lang.Date(c, deadline.DateOf(until, st.Location())), "Contact": strings.TrimSpace(st.PrivacyEmail),
	})
	m.ReplyTo, m.Ref = st.PrivacyEmail, k.Reference
	return m, err
}

// portabilityLines says, in the decision letter of a portability case,
// what the export holds and how it was delivered (or to which
// organisation it went) when the request is granted in whole or in part,
// and, whatever the outcome, which chosen activities the right does not
// cover and why (art. 20(1)(a)); empty for another right or with nothing
// recorded.
func (w *Writer) portabilityLines(k casework.Case, d casework.Decision, c lang.Code, loc *time.Location) string {
	p := k.Portability
	if k.Type != casework.Portability || !p.Recorded() {
		return ""
	}
	var lines []string
	if granted := d.Outcome == casework.Granted || d.Outcome == casework.PartiallyGranted; granted && p.Exported() {
		var names []string
		for _, it := range portability.Portable(p.Items) {
			if len(it.Fields) > 0 {
				names = append(names, it.Name)
			}
		}
		lines = append(lines, "- "+w.cat.T(c, "letter.portability.exported", map[string]any{"Activities": strings.Join(names, ", ")}))
		switch {
		case len(p.Transfers) > 0:
			for _, t := range p.Transfers {
				lines = append(lines, "- "+w.cat.T(c, "letter.portability.transferred",
					map[string]any{"Organisation": t.Organisation, "Email": t.Email, "Date": lang.Date(c, deadline.DateOf(t.At, loc))}))
			}
		case k.ByPost():
			lines = append(lines, "- "+w.cat.T(c, "letter.portability.by_post", nil))
		default:
			lines = append(lines, "- "+w.cat.T(c, "letter.portability.download", nil))
		}
	}
	for _, it := range portability.Excluded(p.Items) {
		basis := w.cat.T(c, "activities.basis."+string(it.Basis), nil)
		if it.Basis == "" {
			basis = w.cat.T(c, "letter.portability.basis_unknown", nil)
		}
		lines = append(lines, "- "+w.cat.T(c, "letter.portability.not_covered", map[string]any{"Activity": it.Name, "Basis": basis}))
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(append([]string{w.cat.T(c, "letter.portability.heading", nil)}, lines...), "\n")
}
