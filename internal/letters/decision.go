package letters

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// DecisionLetter implements casework.Letters: the letter that deciding k
// with d sends on day on, in the requester's language. Its body is the
// officer's own text (d.Letter) when given, otherwise the draft of
// decisionBody. The letterhead, the address block, the date and the
// reference are the practice's and the case's as they are now, so the
// letter is stored as it was sent.
func (w *Writer) DecisionLetter(k casework.Case, d casework.Decision, on deadline.Date) (casework.Letter, error) {
	c := lang.Parse(string(k.Language))
	st, err := w.settings()
	if err != nil {
		return casework.Letter{}, fmt.Errorf("decision letter: %w", err)
	}
	body := strings.TrimSpace(strings.ReplaceAll(d.Letter, "\r\n", "\n"))
	if body == "" {
		if body, err = w.decisionBody(k, d, st, c); err != nil {
			return casework.Letter{}, err
		}
	}
	return casework.Letter{
		Subject:    w.cat.T(c, "letter.subject.decided", map[string]any{"Reference": k.Reference}),
		Letterhead: w.letterhead(st, c),
		Recipient:  recipient(k),
		Date:       lang.Date(c, on),
		Reference:  k.Reference,
		Body:       body,
	}, nil
}

// letterhead is the practice's name, address, KvK (NL) or KBO (BE) number,
// privacy e-mail address and privacy statement, one per line, as far as
// they are set.
func (w *Writer) letterhead(st practice.Settings, c lang.Code) string {
	lines := []string{w.practiceName(st, c)}
	if a := strings.TrimSpace(st.Address); a != "" {
		lines = append(lines, a)
	}
	for _, f := range []struct{ id, v string }{
		{"letter.head.kvk." + string(st.Country), st.KvK},
		{"letter.head.email", st.PrivacyEmail},
		{"letter.head.privacy", st.PrivacyURL},
	} {
		if v := strings.TrimSpace(f.v); v != "" {
			lines = append(lines, w.cat.T(c, f.id, map[string]any{"Value": v}))
		}
	}
	return strings.Join(lines, "\n")
}

// decisionBody drafts the body of the decision letter: what was decided
// for this right and outcome; for a refusal, whole or partial, the ground
// with its article, the ground's detail and what is kept until when — held
// back, in neutral words, while the requester is not confirmed
// (DOMAIN.md §8); the reasons; the access statement when there is one; and
// that the recipients of the data were told (art. 19) and that the
// requester may ask who they are; the complaint route to the practice's
// authority and the court (art. 12(4)), except for a request the requester
// withdrew.
func (w *Writer) decisionBody(k casework.Case, d casework.Decision, st practice.Settings, c lang.Code) (string, error) {
	authority := st.Authority()
	data := map[string]any{
		"Name": k.Requester.Name, "Reference": k.Reference, "Received": lang.Date(c, k.ReceivedOn),
		"Right":    w.cat.T(c, "type."+string(k.Type)+".title", nil),
		"Outcome":  w.cat.T(c, "letter.decision."+outcomeKey(k, d.Outcome), map[string]any{"Received": lang.Date(c, k.ReceivedOn)}),
		"Withheld": false, "Because": "", "Detail": "", "Kept": "", "Erasure": "", "Rectification": "", "Objection": "", "Restriction": "", "Portability": "",
		"Reasons":   strings.TrimSpace(d.Reasons),
		"Statement": strings.TrimSpace(d.Statement),
		"Route":     d.Outcome != casework.Withdrawn,
		"Authority": authority.NameIn(string(c)), "AuthorityAddress": authority.Address, "AuthorityURL": authority.URL,
		"Court":    w.cat.T(c, "letter.court."+string(st.Country), nil),
		"Contact":  strings.TrimSpace(st.PrivacyEmail),
		"Practice": w.practiceName(st, c),
		"OnBehalf": "",
		"Notified": "",
	}
	// A parent or representative reads "your data" as the data of the
	// person they act for; the letter says so once.
	if k.Requester.Relation != casework.Self && k.Subject.Name != "" && k.Subject.Name != k.Requester.Name {
		data["OnBehalf"] = k.Subject.Name
	}
	if d.Outcome.Refuses() {
		if !k.RequesterConfirmed() {
			data["Withheld"], data["Reasons"] = true, ""
		} else if d.Ground != "" {
			ground := w.cat.T(c, "ground."+string(d.Ground), nil)
			if r, ok := k.GroundRule(d.Ground); ok && r.Basis.NL != "" {
				ground += " (" + r.Basis.In(casework.Language(c)) + ")"
			}
			data["Because"] = w.cat.T(c, "track.because_"+string(d.Outcome), map[string]any{"Ground": ground})
			if d.Detail != "" {
				data["Detail"] = w.cat.T(c, "ground_detail."+string(d.Ground)+"."+d.Detail, nil)
			}
			// An erasure with items lists what is kept, on which statute
			// and until when, item by item (erasureLines): the sentence
			// would only repeat it.
			if d.Ground == casework.GroundRetention && (k.Type != casework.Erasure || len(k.Erasure) == 0) {
				data["Kept"] = w.cat.T(c, "decision.kept", map[string]any{"Statute": strings.TrimSpace(d.Statute), "Until": dateIn(c, strings.TrimSpace(d.Until))})
			}
		}
	}
	if data["Withheld"] == false {
		data["Erasure"] = w.erasureLines(k, d, c)
		data["Rectification"] = w.rectificationLines(k, d, c)
		data["Objection"] = w.objectionLines(k, d, c)
		data["Restriction"] = w.restrictionLines(k, d, c)
		data["Portability"] = w.portabilityLines(k, d, c, st.Location())
	}
	if d.Notified > 0 {
		id := "letter.notified"
		if k.ByPost() {
			id = "letter.notified_post"
		}
		data["Notified"] = w.cat.N(c, id, d.Notified, nil)
	}
	var buf bytes.Buffer
	if err := w.templates["decision_letter."+string(c)].Execute(&buf, data); err != nil {
		return "", fmt.Errorf("decision letter: %w", err)
	}
	return strings.TrimSpace(buf.String()), nil
}

// outcomeKey names the sentence that says what was decided: one per right
// and outcome, one for a withdrawn request whatever the right, and its own
// for an objection to direct marketing that was honoured, which takes
// effect from receipt (DOMAIN.md §8), and its own for a request granted
// when none of the register's activities concern the person: the practice
// processes no data about them, which answers an access request (art.
// 15(1)) and leaves nothing to erase, correct, restrict, export or stop.
func outcomeKey(k casework.Case, o casework.Outcome) string {
	switch {
	case o == casework.Withdrawn:
		return string(o)
	case k.NoActivities && o == casework.Granted && k.Type != casework.ConsentWithdrawal:
		return string(k.Type) + ".no_data"
	case k.Type == casework.Objection && k.ImmediateEffect() && o == casework.Granted:
		return "objection_direct_marketing." + string(o)
	}
	return string(k.Type) + "." + string(o)
}

// erasureLines lists, for an erasure granted in whole or in part, what was
// erased, what will be destroyed by when, and what is kept, on which
// statute and until when (DOMAIN.md §5); empty for another right or
// outcome, or with no items recorded.
func (w *Writer) erasureLines(k casework.Case, d casework.Decision, c lang.Code) string {
	if k.Type != casework.Erasure || (d.Outcome != casework.Granted && d.Outcome != casework.PartiallyGranted) || len(k.Erasure) == 0 {
		return ""
	}
	lines := []string{w.cat.T(c, "letter.erasure.heading", nil)}
	for _, it := range k.Erasure {
		name := cmp.Or(it.Name, it.Activity)
		args := map[string]any{"Activity": name, "System": it.System, "Ground": it.Ground, "Until": it.Until}
		id := "letter.erasure.erased"
		switch {
		case it.Kept():
			id = "letter.erasure.kept"
			args["Until"] = dateIn(c, it.Until)
		case it.Action == casework.ErasureScheduled:
			id = "letter.erasure.scheduled"
			args["Due"] = dateIn(c, it.Due)
		case it.System != "":
			id = "letter.erasure.erased_in"
		}
		lines = append(lines, "- "+w.cat.T(c, id, args))
	}
	return strings.Join(lines, "\n")
}

// destroyedLines names, for the letter that tells a requester by post that
// the promised destructions were carried out, each activity destroyed and
// the day.
func (w *Writer) destroyedLines(k casework.Case, c lang.Code) []string {
	var out []string
	for _, it := range k.Erasure {
		if it.Action != casework.ErasureScheduled || it.ErasedOn == "" {
			continue
		}
		name := cmp.Or(it.Name, it.Activity)
		out = append(out, w.cat.T(c, "letter.erasure.destroyed", map[string]any{"Activity": name, "On": dateIn(c, it.ErasedOn)}))
	}
	return out
}

// dateIn writes the day s (YYYY-MM-DD) in language c; s as it is when it is
// no date.
func dateIn(c lang.Code, s string) string {
	if d, err := deadline.ParseDate(s); err == nil {
		return lang.Date(c, d)
	}
	return s
}
