package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
)

// caseDecisionFields are the decision form's fields on the case page, the
// letter's text among them.
var caseDecisionFields = caseFields("outcome", "withdrawn_how", "ground", "detail", "statute", "until", "reasons", "letter")

// decisionOf is the decision the case page's form (or the API's body, in
// the same keys) describes.
func decisionOf(v map[string]string) casework.Decision {
	return casework.Decision{Outcome: casework.Outcome(v["outcome"]), WithdrawnHow: v["withdrawn_how"],
		Ground: casework.Ground(v["ground"]), Detail: v["detail"], Statute: v["statute"], Until: v["until"],
		Reasons: v["reasons"], Letter: v["letter"]}
}

// caseLetterDraft drafts the decision letter from the decision form and
// shows the case page again with the draft in the form, for the officer to
// read, edit and send; a decision that is not valid comes back with its
// problems (422), as sending it would.
func (s *Server) caseLetterDraft(c echo.Context) error {
	v := caseDecisionFields(c, "decision")
	l, err := s.Cases.DraftLetter(c.Request().Context(), actorOf(c), c.Param("ref"), decisionOf(v))
	if status, p, again := formProblems(nil, err); again {
		return s.renderCase(c, status, "decision", p, v)
	} else if err != nil {
		return err
	}
	v["letter"] = l.Body
	return s.renderCase(c, http.StatusOK, "decision", nil, v)
}

// sentLetter is the decision letter as the case page shows it.
type sentLetter struct {
	Letter casework.Letter
	Sent   string // when it was sent, in the page's language
	PDF    string
}

// caseLetterSection puts the decision letter of case k, once sent, on the
// case page; for a case by post the print box then offers it in place of
// the short letter about the decision.
func (s *Server) caseLetterSection(ctx context.Context, p *casePage, k casework.Case) error {
	l, ok, err := s.Store.CaseLetter(ctx, k.ID)
	if err != nil || !ok {
		return err
	}
	pdf := "/staff/cases/" + k.Reference + "/letter.pdf"
	p.SentLetter = &sentLetter{Letter: l, Sent: lang.DateTime(p.Lang, l.SentAt, p.Loc), PDF: pdf}
	for i := range p.Letters {
		if p.Letters[i].Kind == string(casework.EventDecided) {
			p.Letters[i].URL = pdf
		}
	}
	return nil
}

// caseLetterPDF sends the decision letter of a case, as sent, as a PDF to
// print and post; 409 before the case is decided.
func (s *Server) caseLetterPDF(c echo.Context) error {
	k, err := s.Cases.Case(c.Request().Context(), actorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	return s.sendDecisionLetter(c, k)
}

// apiCaseLetterPDF is GET /api/v1/cases/{reference}/letter.pdf.
func (s *Server) apiCaseLetterPDF(c echo.Context) error {
	k, err := s.Cases.Case(c.Request().Context(), actorOf(c), c.Param("reference"))
	if err != nil {
		return err
	}
	return s.sendDecisionLetter(c, k)
}

// trackLetterPDF is the decision letter for the requester, behind their
// tracking link.
func (s *Server) trackLetterPDF(c echo.Context) error {
	k, _, err := s.Cases.Track(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return err
	}
	return s.sendDecisionLetter(c, k)
}

func (s *Server) sendDecisionLetter(c echo.Context, k casework.Case) error {
	l, ok, err := s.Store.CaseLetter(c.Request().Context(), k.ID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Conflict, "case.letter_not_sent")
	}
	return s.sendPDF(c, k.Reference+"-"+string(casework.EventDecided)+".pdf",
		s.Letters.Document(l, lang.Parse(string(k.Language)), l.SentAt))
}
