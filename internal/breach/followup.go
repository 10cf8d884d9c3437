package breach

import (
	"fmt"
	"strings"

	"github.com/avgloket/avgloket/internal/practice"
)

// Change is one answer of the AP draft that differs from what was sent.
type Change struct {
	Chapter      int
	ChapterTitle string
	QuestionID   string
	Question     string
	Old          string // "" when the question was not asked before
	New          string // "" when the question is no longer asked
}

// Diff lists the answers of now that differ from sent, chapter by chapter in
// the form's order: changed answers, questions asked now but not before, and
// questions asked before but no longer. Unchanged answers are left out.
// Questions are matched by their ID, so a question that comes or goes does
// not disturb the others.
func Diff(sent, now Draft) []Change {
	old := map[string]Question{}
	for _, c := range sent.Chapters {
		for _, q := range c.Questions {
			old[q.ID] = q
		}
	}
	seen := map[string]bool{}
	var out []Change
	for _, c := range now.Chapters {
		for _, q := range c.Questions {
			seen[q.ID] = true
			if o, ok := old[q.ID]; !ok || o.Answer != q.Answer {
				out = append(out, Change{Chapter: c.Number, ChapterTitle: c.Title, QuestionID: q.ID,
					Question: q.Text, Old: o.Answer, New: q.Answer})
			}
		}
		for _, sc := range sent.Chapters {
			if sc.Number != c.Number {
				continue
			}
			for _, q := range sc.Questions {
				if !seen[q.ID] {
					seen[q.ID] = true
					out = append(out, Change{Chapter: c.Number, ChapterTitle: c.Title, QuestionID: q.ID,
						Question: q.Text, Old: q.Answer})
				}
			}
		}
	}
	return out
}

// followUpWords are the Dutch names of the follow-up submissions.
var followUpWords = map[NotificationKind]string{
	NotifyInitial:    "Melding",
	NotifySupplement: "Aanvulling",
	NotifyChange:     "Wijziging",
	NotifyWithdrawal: "Intrekking",
}

// FollowUpText renders a follow-up submission to the authority (art.
// 33(4)): an aanvulling, wijziging or intrekking of the notification the
// authority registered as apReference, with our register reference ref, listing each changed
// answer with its old and new text. A withdrawal says that the notification
// is withdrawn; its changes, if any, give the reason.
func FollowUpText(kind NotificationKind, ref, apReference string, authority practice.Authority, changes []Change) string {
	var sb strings.Builder
	word, ok := followUpWords[kind]
	if !ok {
		word = "Vervolgmelding"
	}
	fmt.Fprintf(&sb, "%s op de melding van een datalek\n", word)
	fmt.Fprintf(&sb, "Ons kenmerk: %s\n", ref)
	if apReference = strings.TrimSpace(apReference); apReference == "" {
		apReference = Unknown
	}
	fmt.Fprintf(&sb, "Meldnummer van de %s: %s\n", authority.Name, apReference)
	if kind == NotifyWithdrawal {
		sb.WriteString("\nWij trekken deze melding in.\n")
	}
	if len(changes) == 0 {
		if kind != NotifyWithdrawal {
			sb.WriteString("\nEr zijn geen gewijzigde antwoorden.\n")
		}
		return sb.String()
	}
	sb.WriteString("\nGewijzigde antwoorden:\n")
	chapter := 0
	for _, c := range changes {
		if c.Chapter != chapter {
			chapter = c.Chapter
			fmt.Fprintf(&sb, "\n%d. %s\n", c.Chapter, c.ChapterTitle)
		}
		fmt.Fprintf(&sb, "\n%s\n", c.Question)
		sb.WriteString(indent("Was: "+orDash(c.Old, "(niet gevraagd)"), "    "))
		sb.WriteString(indent("Nu: "+orDash(c.New, "(vervallen)"), "    "))
	}
	return sb.String()
}

// orDash returns s, or alt when s is empty.
func orDash(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
