package casework

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// Ground is the legal ground for refusing a request in whole or in part.
// Which right allows which ground, and on what article, is the table of
// GroundRules.
type Ground string

// The grounds a practice can name (API.md, DOMAIN.md §8).
const (
	GroundUnfounded        Ground = "manifestly_unfounded"       // AVG art. 12(5)
	GroundIdentity         Ground = "identity_not_established"   // AVG art. 12(2) and 12(6)
	GroundNoRepresentation Ground = "no_authority"               // the representative's authority was not shown (EDPB 01/2022 §80–81)
	GroundOthers           Ground = "rights_of_others"           // access: AVG art. 15(4), BW 7:457; portability: art. 20(4)
	GroundChildInterest    Ground = "not_in_childs_interest"     // BW 7:465(4), a parent's request
	GroundStatutory        Ground = "statutory_restriction"      // AVG art. 23; UAVG art. 41(1), a letter named
	GroundDataCorrect      Ground = "data_correct"               // AVG art. 16: correct, or a professional judgement
	GroundRetention        Ground = "legal_retention"            // AVG art. 17(3)(b), with statute and end date
	GroundOtherInterest    Ground = "substantial_interest_other" // BW 7:455(2); Jeugdwet 7.3.9
	GroundLegalClaims      Ground = "legal_claims"               // AVG art. 17(3)(e)
	GroundNoRestriction    Ground = "no_restriction_ground"      // none of AVG art. 18(1)(a)–(d) applies
	GroundNotApplicable    Ground = "right_not_applicable"       // portability: art. 20(1); objection: basis not 6(1)(e)/(f)
	GroundCompelling       Ground = "compelling_grounds"         // AVG art. 21(1), never for direct marketing
	GroundOther            Ground = "other"                      // the article is named in the reasons
)

// Grounds lists every ground a right may allow.
var Grounds = []Ground{GroundUnfounded, GroundIdentity, GroundNoRepresentation, GroundOthers, GroundChildInterest,
	GroundStatutory, GroundDataCorrect, GroundRetention, GroundOtherInterest, GroundLegalClaims, GroundNoRestriction,
	GroundNotApplicable, GroundCompelling, GroundOther}

// Outcomes lists every outcome in the order the UI shows them.
var Outcomes = []Outcome{Granted, PartiallyGranted, Refused, Withdrawn}

// Refuses reports whether the outcome refuses the request in whole or in
// part: it must name a ground, and be decided within the month.
func (o Outcome) Refuses() bool { return o == Refused || o == PartiallyGranted }

// WithdrawnHows lists how a requester can withdraw their request, in the
// order the UI shows them. "Withdrawn" is an outcome only when the requester
// withdrew (DOMAIN.md §8), so the decision records how.
var WithdrawnHows = []string{"tracking_page", "email", "letter", "phone", "in_person"}

// Decision is how a case ends.
type Decision struct {
	Outcome Outcome
	// Ground is required when the request is refused in whole or in part,
	// and must be one the right allows (GroundRules).
	Ground Ground
	// Detail is the choice the ground's rule asks for (GroundRule.Details);
	// empty for a ground without one.
	Detail string
	// Statute and Until go with GroundRetention only, and are required
	// there: the law that forbids destruction (e.g. "art. 52 AWR") and the
	// last day the data are kept (YYYY-MM-DD).
	Statute string
	Until   string
	// Reasons are the explanation the requester reads. Every decision has
	// them: what was done, or why not.
	Reasons string
	// WithdrawnHow is how the requester withdrew (WithdrawnHows); required
	// with the outcome Withdrawn, and only there.
	WithdrawnHow string
	// Letter is the decision letter's text as the officer edited it before
	// sending; empty: the letter drafted from the decision is sent as is.
	Letter string
	// Statement is the approved access statement (art. 15(1)), part of an
	// access letter; empty: the letter has no such section.
	Statement string
	// Notified is how many recipients the decision tells under AVG art.
	// 19 (set by Decide and DraftLetter): the letter then says so, and
	// that the requester may ask who they are.
	Notified int
}

// articleRef finds a reference to an article of law: "art. 12", "artikel
// 7", "Article 23", or the Civil Code's "7:457".
var articleRef = regexp.MustCompile(`(?i)\bart(?:\.|ikel|icle)?\s*\d|\b\d+:\d+`)

// dossierTerm finds the statutes of the 20-year dossier term: Jeugdwet
// 7.3.8 and BW 7:454(3). The term alone never refuses a destruction
// request: the client may ask for it, and it is carried out within three
// months (BW 7:455(1), Jeugdwet 7.3.9).
var dossierTerm = regexp.MustCompile(`7\s*\.\s*3\s*\.\s*8|7\s*:\s*454`)

// Validate returns the problems of d per field (outcome, ground, detail,
// statute, until, reasons, withdrawn_how) as a decision on case c, decided
// on today in the practice's time zone.
func (d Decision) Validate(c Case, today deadline.Date) Problems {
	p := Problems{}
	switch {
	case !slices.Contains(Outcomes, d.Outcome):
		p.add("outcome", "field.choose")
	case c.Type == Erasure && d.Outcome == Granted && AnyKept(c.Erasure):
		// Data kept by law: the erasure is granted in part at most.
		p.add("outcome", "erasure.kept_not_granted")
	case c.Type == Rectification && d.Outcome == Granted && AnyRectificationKept(c.Rectification):
		// A correction refused: the rectification is granted in part at most.
		p.add("outcome", "rectification.kept_not_granted")
	case c.Type == Rectification && d.Outcome == PartiallyGranted && AllRectificationKept(c.Rectification):
		// Nothing corrected: a refusal (the data are correct) is what fits.
		p.add("outcome", "rectification.all_kept")
	case c.Type == Restriction && (d.Outcome == Granted || d.Outcome == PartiallyGranted) && !c.RestrictionRecorded() && !c.NoActivities:
		// The letter says what is restricted, on which ground and until when
		// (with no data processed, that there is nothing to restrict).
		p.add("outcome", "restriction.not_recorded")
	case c.Type == Erasure && d.Outcome != Granted && d.Outcome != PartiallyGranted && PendingDestructions(c.Erasure) > 0:
		// A destruction promised is a request granted, in whole or in part.
		p.add("outcome", "erasure.scheduled_granted_only")
	}
	validateObjectionDecision(p, c, d)
	refuses := d.Outcome.Refuses()
	rule, allowed := c.GroundRule(d.Ground)
	switch {
	case refuses && d.Ground == "":
		p.add("ground", "case.ground_required")
	case d.Ground != "" && !slices.Contains(Grounds, d.Ground):
		p.add("ground", "field.choose")
	case !refuses && d.Ground != "":
		p.add("ground", "case.ground_only_refusal")
	case d.Ground != "" && !allowed:
		p.add("ground", "case.ground_not_allowed")
	}
	switch {
	case allowed && len(rule.Details) > 0 && d.Detail == "":
		p.add("detail", "case.detail_required")
	case d.Detail != "" && !slices.Contains(rule.Details, d.Detail):
		p.add("detail", "case.detail_not_allowed")
	}
	d.validateRetention(p, today)
	d.validateLetter(p)
	reasons := strings.TrimSpace(d.Reasons)
	text(p, "reasons", reasons, true, MaxText)
	if d.Ground == GroundOther && reasons != "" && !articleRef.MatchString(reasons) {
		p.add("reasons", "case.reasons_article")
	}
	switch {
	case d.Outcome == Withdrawn && d.WithdrawnHow == "":
		p.add("withdrawn_how", "case.withdrawn_how_required")
	case d.Outcome != Withdrawn && d.WithdrawnHow != "":
		p.add("withdrawn_how", "case.withdrawn_how_only")
	default:
		choice(p, "withdrawn_how", d.WithdrawnHow, WithdrawnHows, false)
	}
	return p
}

// validateRetention checks the statute and end date that a refusal for a
// legal retention duty names (DOMAIN.md §5, §8).
func (d Decision) validateRetention(p Problems, today deadline.Date) {
	statute, until := strings.TrimSpace(d.Statute), strings.TrimSpace(d.Until)
	if d.Ground != GroundRetention {
		if statute != "" {
			p.add("statute", "case.retention_only")
		}
		if until != "" {
			p.add("until", "case.retention_only")
		}
		return
	}
	switch {
	case statute == "":
		p.add("statute", "case.statute_required")
	case dossierTerm.MatchString(statute):
		p.add("statute", "case.statute_dossier_term")
	default:
		text(p, "statute", statute, true, MaxShort)
	}
	if until == "" {
		p.add("until", "case.until_required")
		return
	}
	end, err := deadline.ParseDate(until)
	switch {
	case err != nil:
		p.add("until", "field.date")
	case !end.After(today):
		p.add("until", "case.until_future")
	}
}

// eventData is what the decided event records of d, machine words and
// citations only.
func (d Decision) eventData() map[string]string {
	data := map[string]string{"outcome": string(d.Outcome)}
	for k, v := range map[string]string{"ground": string(d.Ground), "detail": d.Detail,
		"statute": strings.TrimSpace(d.Statute), "until": strings.TrimSpace(d.Until), "withdrawn_how": d.WithdrawnHow} {
		if v != "" {
			data[k] = v
		}
	}
	return data
}

// approvedStatement is the access statement an access letter carries: the
// officer's approved text when access is granted, in whole or in part, and
// none otherwise (an unapproved draft is never sent).
func (s *Service) approvedStatement(ctx context.Context, c Case, d Decision) (string, error) {
	if c.Type != Access || (d.Outcome != Granted && d.Outcome != PartiallyGranted) {
		return "", nil
	}
	st, err := s.store.AccessStatement(ctx, c.ID)
	if err != nil || !st.Approved() {
		return "", err
	}
	return st.Text, nil
}

// DecisionGate can stop a decision: granting a request about a child, for
// instance, waits until the proofs and consents are on record.
type DecisionGate interface {
	// CanDecide returns a Conflict error saying what is missing, or nil.
	CanDecide(ctx context.Context, c Case, d Decision) error
}

// UseGate adds gates that every decision must pass, after those added
// before; the first gate that refuses stops the decision, and the gates
// after it are not asked.
func (s *Service) UseGate(gates ...DecisionGate) { s.gates = append(s.gates, gates...) }

// Decide completes the case with an outcome and reasons, and tells the
// requester (a refusal names its ground and the right to complain to the
// practice's supervisory authority and to go to court, AVG art. 12(4)).
// A rectification, erasure or restriction granted in whole or in part
// also makes the notices of AVG art. 19 (NoticeItems, the Notifier), their
// mails queued in the same transaction, and the letter says so.
// It returns Invalid with the problems of Decision.Validate, and changes
// nothing then. A refusal decided after the deadline in force (the
// original one, or the extended one; identity pauses added) is recorded as
// late in the decided event's data ("late": "true"): art. 12(4) asks for it
// within the month. An erasure granted with a destruction promised for a
// later day is answered but stays in progress until the destruction is
// confirmed (ConfirmDestruction); a decided case is not decided again.
func (s *Service) Decide(ctx context.Context, a Actor, ref string, d Decision) (Case, error) {
	return s.update(ctx, a, ref, func(c *Case, today deadline.Date, cal deadline.Calendar, _ practice.Settings) (Change, error) {
		if !CanMove(c.Status, Completed) {
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if c.Answered() {
			return Change{}, apperr.New(apperr.Conflict, "case.decided")
		}
		if p := d.Validate(*c, today); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		for _, g := range s.gates {
			if err := g.CanDecide(ctx, *c, d); err != nil {
				return Change{}, err
			}
		}
		from, to := c.Status, Completed
		if c.Type == Erasure && PendingDestructions(c.Erasure) > 0 {
			to = InProgress
		}
		resume(c, today, cal)
		c.Status, c.Outcome = to, d.Outcome
		data := d.eventData()
		if d.Outcome.Refuses() && today.After(c.Deadlines.Due) {
			data["late"] = "true"
		}
		var ch Change
		if from != to {
			ch.Events = append(ch.Events, Event{Kind: EventStatus, Data: map[string]string{"from": string(from), "to": string(to)}})
		}
		ch.Events = append(ch.Events, Event{Kind: EventDecided, Visible: true, Text: strings.TrimSpace(d.Reasons), Data: data})
		ch.WithdrawConsents = d.WithdrawsConsents(*c)
		statement, err := s.approvedStatement(ctx, *c, d)
		if err != nil {
			return Change{}, err
		}
		d.Statement = statement
		if ch.Notices, err = s.notices(ctx, *c, d.Outcome, today); err != nil {
			return Change{}, err
		}
		if d.Notified = len(ch.Notices); d.Notified > 0 {
			ch.Events = append(ch.Events, noticesEvent(ch.Notices))
		}
		letter, err := s.letters.DecisionLetter(*c, d, today)
		if err != nil {
			return Change{}, apperr.Wrap(err, "error.internal")
		}
		ch.Letter = &letter
		return s.withMail(ch, *c, s.letters.Decision)
	})
}

// WithdrawsConsents reports whether deciding c with d withdraws the
// consents chosen on it: a consent withdrawal (AVG art. 7(3)) granted in
// whole or in part. A refusal or a withdrawn request withdraws none.
func (d Decision) WithdrawsConsents(c Case) bool {
	return c.Type == ConsentWithdrawal && (d.Outcome == Granted || d.Outcome == PartiallyGranted)
}

// DecidedLate reports whether e is a refusal, whole or partial, decided
// after the deadline in force.
func (e Event) DecidedLate() bool { return e.Kind == EventDecided && e.Data["late"] == "true" }

// RequesterConfirmed reports whether the requester's identity was verified
// and their e-mail address confirmed. Until both are, what a refusal rests
// on is held back from them (DOMAIN.md §8): a refusal can itself reveal
// that a care relationship exists. A case by post has no e-mail address to
// confirm: there the verified identity suffices.
func (c Case) RequesterConfirmed() bool {
	return c.Identity.Status == IdentityVerified && (c.EmailConfirmedAt != nil || c.ByPost())
}
