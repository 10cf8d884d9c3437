package web

import (
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
)

// printLetter is a letter to print and post for a case by post: the
// acknowledgement, then one for each event the requester would otherwise
// have been mailed about.
type printLetter struct {
	Label, When, URL string
	Kind             string // the event's kind; the acknowledgement's is ackLetter
}

// ackLetter names the acknowledgement in a letter's address; events go by
// their ID.
const ackLetter = "acknowledgement"

// printLetters lists the letters of case k, oldest first, from its events
// (oldest first too).
func printLetters(t tr, k casework.Case, events []casework.Event, when func(casework.Event) string) []printLetter {
	base := "/staff/cases/" + k.Reference + "/letters/"
	out := []printLetter{{Label: t.T("case.letter." + ackLetter), When: when(casework.Event{At: k.CreatedAt}), URL: base + ackLetter, Kind: ackLetter}}
	for _, e := range events {
		if e.Visible && slices.Contains(letters.LetterKinds, string(e.Kind)) {
			out = append(out, printLetter{Label: t.T("case.letter." + string(e.Kind)), When: when(e),
				URL: base + strconv.FormatInt(e.ID, 10), Kind: string(e.Kind)})
		}
	}
	return out
}

// caseLetter sends one letter of a case by post as a PDF to print: the
// requester's name and postal address on top, for a window envelope.
func (s *Server) caseLetter(c echo.Context) error {
	ctx := c.Request().Context()
	k, events, err := s.Cases.Timeline(ctx, actorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	notFound := apperr.New(apperr.NotFound, "error.not_found")
	if !k.ByPost() {
		return notFound
	}
	var event *casework.Event
	if which := c.Param("letter"); which != ackLetter {
		id, err := strconv.ParseInt(which, 10, 64)
		if err != nil {
			return notFound
		}
		i := slices.IndexFunc(events, func(e casework.Event) bool {
			return e.ID == id && e.Visible && slices.Contains(letters.LetterKinds, string(e.Kind))
		})
		if i < 0 {
			return notFound
		}
		event = &events[i]
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	// Dated the day the letter would have been mailed.
	at, name := k.CreatedAt, k.Reference+"-"+ackLetter+".pdf"
	if event != nil {
		at, name = event.At, k.Reference+"-"+string(event.Kind)+"-"+strconv.FormatInt(event.ID, 10)+".pdf"
	}
	l, err := s.Letters.PostLetter(k, event, deadline.DateOf(at, settings.Location()))
	if err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	return s.sendPDF(c, name, s.Letters.Document(l, lang.Parse(string(k.Language)), s.Clock.Now()))
}
