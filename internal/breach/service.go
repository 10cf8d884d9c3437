package breach

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// Store is the persistence the register needs; internal/store implements
// it. Every change is one transaction with its audit entry; a record outside
// the caller's scope is NotFound, as if it did not exist.
type Store interface {
	Settings(ctx context.Context) (practice.Settings, error)
	Branches(ctx context.Context) ([]practice.Branch, error)
	BreachSettings(ctx context.Context) (Settings, error)
	SaveBreachSettings(ctx context.Context, s Settings, a Actor, at time.Time) error

	// CreateBreach gives r the next reference of its year of awareness
	// and stores it, with the audit entry breach_create.
	CreateBreach(ctx context.Context, r *Record, a Actor, at time.Time) error
	// BreachByReference returns the breach, with its notifications.
	BreachByReference(ctx context.Context, ref string, scope Scope) (Record, error)
	// UpdateBreach loads the breach inside a write transaction, lets change
	// alter it, and stores it with the audit entry breach_update whose
	// detail is "step=<step>". An error from change rolls back everything.
	// A changed moment of awareness forgets the reminders sent.
	UpdateBreach(ctx context.Context, ref string, a Actor, step string, at time.Time, change func(*Record) error) (Record, error)
	// AddSubmission does what UpdateBreach does and also stores the
	// submission that submit returns, with its draft.
	AddSubmission(ctx context.Context, ref string, a Actor, at time.Time, submit func(*Record) (Submission, error)) (Record, error)
	// Submissions returns the breach's submissions to the AP with the
	// drafts sent, oldest first.
	Submissions(ctx context.Context, breachID int64) ([]Submission, error)
	// ListBreaches returns the breaches in scope that match f: those with
	// an open decision first (soonest deadline first), then the others,
	// most recently discovered first.
	ListBreaches(ctx context.Context, f Filter, scope Scope) ([]Record, error)
	// OpenDecisions counts the breaches in scope on which nothing was
	// decided or submitted yet.
	OpenDecisions(ctx context.Context, scope Scope) (OpenDecisions, error)
	// RecordBreachAccess writes that a looked at or exported breach
	// breachID (0: the register as a whole).
	RecordBreachAccess(ctx context.Context, a Actor, breachID int64, action audit.Action, detail string, at time.Time) error

	// AddRecipients puts people on the breach's list; an address already
	// on it is skipped. It returns how many were added and skipped.
	AddRecipients(ctx context.Context, ref string, a Actor, people []Recipient, at time.Time) (added, skipped int, err error)
	// People returns the breach's list of people to inform, in the order
	// they were added.
	People(ctx context.Context, breachID int64) ([]Person, error)
	// SendLetters loads the breach and the people whose letter is not yet
	// queued inside a write transaction, queues the mail compose makes for
	// each (in the same order), marks them queued and lets change update
	// the breach. When the outbox marks such a mail sent, the person counts
	// as told (Record.Told) and, the first time, the breach's Informing.At
	// becomes that moment if it has none.
	SendLetters(ctx context.Context, ref string, a Actor, at time.Time,
		compose func(Record, []Person) ([]mail.Message, error), change func(r *Record)) (Record, error)

	// Waiting returns every breach whose decision is open, with the
	// reminders already sent.
	Waiting(ctx context.Context) ([]Waiting, error)
	// Owners returns the enabled owners, who get the reminders.
	Owners(ctx context.Context) ([]Contact, error)
	// SaveReminder records reminder mark of breach breachID and queues its
	// mails, in one transaction; false (and nothing queued) when the mark
	// was already recorded.
	SaveReminder(ctx context.Context, breachID int64, mark string, at time.Time, mails []mail.Message) (bool, error)

	// AddBreachFile records attachment f of breach ref, with the audit
	// entry file_upload.
	AddBreachFile(ctx context.Context, ref string, a Actor, f Attachment) error
	// BreachFiles lists the attachments of a breach, oldest first.
	BreachFiles(ctx context.Context, breachID int64) ([]Attachment, error)
	// BreachFile returns attachment id of the breach, or NotFound.
	BreachFile(ctx context.Context, breachID int64, id string) (Attachment, error)
}

// Reminder is what a reminder to the owners holds: the reference, the
// deadline and a link, never what the breach is about.
type Reminder struct {
	Reference string
	// Mark is the reminder's mark: Reminder24h, Reminder6h and
	// ReminderOverdue for the AP deadline, ReminderTarget12h and
	// ReminderTarget2h for the practice's own target.
	Mark string
	// Deadline is the moment the reminder is about: the authority's
	// deadline, or for a target mark the own target.
	Deadline time.Time
	// TargetHours is the own target in hours, for a target mark.
	TargetHours int
	// Authority is the practice's supervisory authority, to be notified.
	Authority practice.Authority
	Link      string
}

// ReminderWriter writes a reminder to an owner that a deadline of a breach
// is near or past.
type ReminderWriter interface {
	BreachReminder(to Contact, r Reminder, loc *time.Location) (mail.Message, error)
}

// Service runs the register: it checks every change against the rules of
// this package and hands it to the Store.
type Service struct {
	store   Store
	clock   clock.Clock
	writer  ReminderWriter
	baseURL string
	files   *attachments // nil: no attachments (see UseFiles)
}

// NewService returns the register's service. writer may be nil when the
// caller never runs the reminders; baseURL is the portal's public address.
func NewService(s Store, c clock.Clock, w ReminderWriter, baseURL string) *Service {
	return &Service{store: s, clock: c, writer: w, baseURL: strings.TrimRight(baseURL, "/")}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

// forbidden is what a staff member who is not an owner gets for an owner's
// step: the same as for a breach they may not see.
func forbidden() error { return apperr.New(apperr.NotFound, "error.not_found") }

// conflict is a step the breach's state does not allow.
func conflict(msg string) error { return apperr.New(apperr.Conflict, msg) }

// invalid turns problems into an Invalid error, nil when there are none.
func invalid(p map[string]string) error {
	if len(p) == 0 {
		return nil
	}
	return apperr.InvalidFields(p)
}

// checkBranch checks that branch exists and lies in a's scope; a breach
// without branch needs the whole practice in scope.
func (s *Service) checkBranch(ctx context.Context, a Actor, branch string) map[string]string {
	if branch == "" {
		if !a.Scope.All {
			return map[string]string{"branch": "field.required"}
		}
		return nil
	}
	branches, err := s.store.Branches(ctx)
	if err != nil {
		return map[string]string{"branch": "field.branch"}
	}
	for _, b := range branches {
		if b.Code == branch {
			if !a.Scope.Allows(branch) {
				return map[string]string{"branch": "field.branch_scope"}
			}
			return nil
		}
	}
	return map[string]string{"branch": "field.branch"}
}

// Create registers a new breach. Only the facts of b are taken; an
// assessment, decision or submission comes through their own steps. It
// returns an Invalid error naming the fields at fault.
func (s *Service) Create(ctx context.Context, a Actor, b Breach) (Record, error) {
	now := s.clock.Now()
	if b.Branch == "" && !a.Scope.All && len(a.Scope.Branches) == 1 {
		b.Branch = a.Scope.Branches[0]
	}
	b.Reference, b.Assessment, b.Decision, b.Informed, b.Notifications = "", nil, nil, nil, nil
	p := problems(b.Validate(now))
	p.merge("", s.checkBranch(ctx, a, b.Branch))
	if err := invalid(p); err != nil {
		return Record{}, err
	}
	r := Record{Breach: b, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateBreach(ctx, &r, a, now); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Get returns breach ref if a may see it, and records the view in the audit
// trail first: if that fails, nothing is returned.
func (s *Service) Get(ctx context.Context, a Actor, ref string) (Record, error) {
	r, err := s.store.BreachByReference(ctx, ref, a.Scope)
	if err != nil {
		return Record{}, err
	}
	if err := s.store.RecordBreachAccess(ctx, a, r.ID, audit.BreachView, "", s.clock.Now()); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Exists returns a NotFound error unless breach ref exists within a's
// scope. It records nothing: nothing of the breach is shown.
func (s *Service) Exists(ctx context.Context, a Actor, ref string) error {
	_, err := s.store.BreachByReference(ctx, ref, a.Scope)
	return err
}

// Export returns the breach records in scope and records the export in the
// audit trail (detail "what=<what> rows=<n>") before they are written out.
func (s *Service) Export(ctx context.Context, a Actor, what string, f Filter) ([]Record, error) {
	rs, err := s.store.ListBreaches(ctx, f, a.Scope)
	if err != nil {
		return nil, err
	}
	detail := "what=" + what + " rows=" + strconv.Itoa(len(rs))
	if err := s.store.RecordBreachAccess(ctx, a, 0, audit.BreachExport, detail, s.clock.Now()); err != nil {
		return nil, err
	}
	return rs, nil
}

// ExportOne records that one breach is exported (a draft as text or PDF, a
// letter) and returns it.
func (s *Service) ExportOne(ctx context.Context, a Actor, ref, what string) (Record, error) {
	r, err := s.store.BreachByReference(ctx, ref, a.Scope)
	if err != nil {
		return Record{}, err
	}
	if err := s.store.RecordBreachAccess(ctx, a, r.ID, audit.BreachExport, "what="+what, s.clock.Now()); err != nil {
		return Record{}, err
	}
	return r, nil
}

// List returns the breaches in scope that match f, without recording a view:
// the list shows references, titles and dates, and every breach opened from
// it is recorded by Get.
func (s *Service) List(ctx context.Context, a Actor, f Filter) ([]Record, error) {
	return s.store.ListBreaches(ctx, f, a.Scope)
}

// Open returns the breaches in a's scope that wait for the decision on
// notifying the authority: nothing decided and nothing submitted yet. The
// banner on the staff pages shows them; once the decision is recorded it is
// gone (the breach's own page still counts down until the notification).
func (s *Service) Open(ctx context.Context, a Actor) (OpenDecisions, error) {
	return s.store.OpenDecisions(ctx, a.Scope)
}

// Edit changes the facts of breach ref in one step named step (for the audit
// trail). apply gets the breach as stored and changes what the step's form
// holds, returning the problems it met reading the form (nil for none); the
// whole breach must then still be valid, or nothing is stored.
func (s *Service) Edit(ctx context.Context, a Actor, ref, step string, apply func(*Breach) map[string]string) (Record, error) {
	now := s.clock.Now()
	return s.store.UpdateBreach(ctx, ref, a, step, now, func(r *Record) error {
		before := r.Branch
		p := problems{}
		p.merge("", apply(&r.Breach))
		p.merge("", r.Validate(now))
		if r.Branch != before {
			p.merge("", s.checkBranch(ctx, a, r.Branch))
		}
		return invalid(p)
	})
}

// Assess records an ENISA assessment of breach ref, with the guided answers
// that led to it (nil through the API) and the AP form's severity word (""
// for the proposal from the band). Problems are keyed dpc, ei, …, and
// severity_word.
func (s *Service) Assess(ctx context.Context, a Actor, ref string, as Assessment, g *Guidance, word string) (Record, error) {
	// Checked inside the transaction, after the scope: a breach outside it
	// is NotFound whatever the body says.
	return s.store.UpdateBreach(ctx, ref, a, "assessment", s.clock.Now(), func(r *Record) error {
		p := problems(as.Validate())
		if word != "" && !slices.Contains(SeverityWords, word) {
			p.add("severity_word", "field.choose")
		}
		if g != nil && BaseDPC(g.Base) == 0 {
			p.add("base", "field.choose")
		}
		if err := invalid(p); err != nil {
			return err
		}
		r.Assessment, r.Guidance, r.SeverityWord = &as, g, word
		return nil
	})
}

// Decide records an owner's decision on breach ref: whether to notify the AP
// and whether to inform the people. It needs an assessment first (Conflict),
// and a reason when the decision departs from the advice (Invalid, field
// reason). d.DecidedAt and d.DecidedBy are set here.
func (s *Service) Decide(ctx context.Context, a Actor, ref string, d Decision) (Record, error) {
	if !a.Owner {
		return Record{}, forbidden()
	}
	now := s.clock.Now()
	return s.store.UpdateBreach(ctx, ref, a, "decision", now, func(r *Record) error {
		sev, ok := r.Severity()
		if !ok {
			return conflict("breach.assess_first")
		}
		if err := invalid(d.Validate(sev.Advice)); err != nil {
			return err
		}
		d.Reason = strings.TrimSpace(d.Reason)
		d.DecidedAt, d.DecidedBy = now, a.Name
		r.Decision = &d
		return nil
	})
}

// Controller returns the practice as the AP form and the letters name it,
// with a as the reporter unless the settings name another.
func (s *Service) Controller(ctx context.Context, a Actor) (Controller, *time.Location, error) {
	ps, err := s.store.Settings(ctx)
	if err != nil {
		return Controller{}, nil, err
	}
	bs, err := s.store.BreachSettings(ctx)
	if err != nil {
		return Controller{}, nil, err
	}
	loc := ps.Location()
	c := Controller{Name: ps.Name, Address: ps.Address, KvK: ps.KvK, Country: ps.Country, Sector: bs.Sector, DPO: bs.DPO,
		Reporter: bs.Reporter, ContactPerson: bs.ContactPerson, Location: loc}
	if c.DPO == (Contact{}) && ps.PrivacyEmail != "" {
		c.DPO = Contact{Email: ps.PrivacyEmail}
	}
	if strings.TrimSpace(c.Reporter.Name) == "" && !a.API {
		c.Reporter.Name, c.Reporter.Email = a.Name, a.Email
	}
	return c, loc, nil
}

// Draft returns the draft AP notification of r as of now, and the deadlines
// the practice works to.
func (s *Service) Draft(ctx context.Context, a Actor, r Record) (Draft, error) {
	ctl, loc, err := s.Controller(ctx, a)
	if err != nil {
		return Draft{}, err
	}
	return APDraft(r.Breach, ctl, s.clock.Now(), loc), nil
}

// SubmissionInput is what the owner records after submitting on the AP's
// site.
type SubmissionInput struct {
	Kind        NotificationKind
	SubmittedAt time.Time
	APReference string
	// LateReason, when not empty, replaces the breach's reason for a late
	// notification.
	LateReason string
}

// Submit records a submission to the AP: the initial notification (needs a
// decision to notify, and the AP's reference number) or a follow-up
// (supplement, change or withdrawal of a notification already made). The
// draft as it stands at the moment of submission is stored with it, so the
// next follow-up can show what changed since. A late initial notification
// needs a reason (Invalid, field late_reason).
func (s *Service) Submit(ctx context.Context, a Actor, ref string, in SubmissionInput) (Record, error) {
	if !a.Owner {
		return Record{}, forbidden()
	}
	now := s.clock.Now()
	in.APReference = strings.TrimSpace(in.APReference)
	ctl, loc, err := s.Controller(ctx, a)
	if err != nil {
		return Record{}, err
	}
	return s.store.AddSubmission(ctx, ref, a, now, func(r *Record) (Submission, error) {
		p := problems{}
		first, notified := r.FirstNotification()
		switch {
		case !in.Kind.Valid():
			p.add("kind", "field.choose")
		case in.Kind == NotifyInitial && notified:
			return Submission{}, conflict("breach.already_notified")
		case in.Kind == NotifyInitial && (r.Decision == nil || !r.Decision.NotifyAP):
			return Submission{}, conflict("breach.decide_first")
		case in.Kind != NotifyInitial && !notified:
			return Submission{}, conflict("breach.notify_first")
		case in.Kind != NotifyInitial && withdrawn(r.Breach):
			return Submission{}, conflict("breach.withdrawn")
		}
		switch {
		case in.SubmittedAt.IsZero():
			p.add("submitted_at", "field.required")
		case in.SubmittedAt.After(now):
			p.add("submitted_at", "field.date_future")
		case in.SubmittedAt.Before(r.AwareAt):
			p.add("submitted_at", "breach.submitted_before_aware")
		case notified && in.SubmittedAt.Before(first.SubmittedAt):
			p.add("submitted_at", "breach.submitted_before_initial")
		}
		if in.APReference == "" && in.Kind == NotifyInitial {
			p.add("ap_reference", "field.required")
		}
		p.text("ap_reference", in.APReference, false, MaxTitle)
		if in.APReference == "" {
			in.APReference = first.APReference
		}
		if strings.TrimSpace(in.LateReason) != "" {
			r.LateReason = strings.TrimSpace(in.LateReason)
		}
		n := Notification{Kind: in.Kind, SubmittedAt: in.SubmittedAt, APReference: in.APReference}
		r.Notifications = append(r.Notifications, n)
		if len(p) == 0 {
			for f, m := range r.Validate(now) {
				p.add(f, m)
			}
		}
		if err := invalid(p); err != nil {
			return Submission{}, err
		}
		return Submission{Notification: n, Draft: APDraft(r.Breach, ctl, in.SubmittedAt, loc), RecordedAt: now}, nil
	})
}

// withdrawn reports whether the notification of b was withdrawn.
func withdrawn(b Breach) bool {
	for _, n := range b.Notifications {
		if n.Kind == NotifyWithdrawal {
			return true
		}
	}
	return false
}

// FollowUp drafts a follow-up of kind to the AP for breach r: the answers of
// the draft as it is now that differ from the last draft submitted. It
// returns a Conflict error while nothing was submitted yet.
func (s *Service) FollowUp(ctx context.Context, a Actor, r Record, kind NotificationKind) (string, []Change, error) {
	first, ok := r.FirstNotification()
	if !ok {
		return "", nil, conflict("breach.notify_first")
	}
	subs, err := s.store.Submissions(ctx, r.ID)
	if err != nil {
		return "", nil, err
	}
	if len(subs) == 0 {
		return "", nil, conflict("breach.notify_first")
	}
	ctl, loc, err := s.Controller(ctx, a)
	if err != nil {
		return "", nil, err
	}
	changes := Diff(subs[len(subs)-1].Draft, APDraft(r.Breach, ctl, s.clock.Now(), loc))
	return FollowUpText(kind, r.Reference, first.APReference, ctl.Authority(), changes), changes, nil
}

// Submissions returns the submissions of r with the drafts sent.
func (s *Service) Submissions(ctx context.Context, r Record) ([]Submission, error) {
	return s.store.Submissions(ctx, r.ID)
}

// SaveTexts stores the owner's wording of the letter and the public notice.
func (s *Service) SaveTexts(ctx context.Context, a Actor, ref string, t Texts) (Record, error) {
	if !a.Owner {
		return Record{}, forbidden()
	}
	p := problems{}
	for f, v := range map[string]string{"letter_nl": t.LetterNL, "letter_en": t.LetterEN, "notice_nl": t.NoticeNL, "notice_en": t.NoticeEN} {
		p.text(f, v, false, MaxText)
	}
	if err := invalid(p); err != nil {
		return Record{}, err
	}
	return s.store.UpdateBreach(ctx, ref, a, "texts", s.clock.Now(), func(r *Record) error {
		r.Texts = t
		return nil
	})
}

// Upload is the outcome of a recipients upload.
type Upload struct {
	Added    int          // people put on the list
	Skipped  int          // already on the list from an earlier upload
	Problems []RowProblem // rows left out, with their line numbers
}

// AddRecipients reads a CSV of people to inform (ParseRecipients) and puts
// the valid rows on breach ref's list; the rows left out come back with
// their line numbers. Nothing is stored when no row is valid.
func (s *Service) AddRecipients(ctx context.Context, a Actor, ref string, csv io.Reader) (Upload, error) {
	if !a.Owner {
		return Upload{}, forbidden()
	}
	if _, err := s.store.BreachByReference(ctx, ref, a.Scope); err != nil {
		return Upload{}, err
	}
	valid, problems := ParseRecipients(csv)
	u := Upload{Problems: problems}
	if len(valid) == 0 {
		return u, nil
	}
	var err error
	u.Added, u.Skipped, err = s.store.AddRecipients(ctx, ref, a, valid, s.clock.Now())
	return u, err
}

// People returns the list of people to inform of r.
func (s *Service) People(ctx context.Context, r Record) ([]Person, error) {
	return s.store.People(ctx, r.ID)
}

// SendLetters queues the letter to every person on breach ref's list whose
// letter was not queued yet, one e-mail each in their language, with the
// contact point the letter names (the DPO, else the practice's privacy
// address) as Reply-To, and records on the breach how the people are told
// (art. 34). They count as told, and the breach as informed (Informing.At,
// and Count with ByEmail), as the mail server accepts their letters, not
// when they are queued: a queued letter may still bounce. It needs the decision to
// inform the people one by one (Conflict otherwise) and returns how many
// were queued now. While someone on the list reads English and the English
// letter still holds a text marked for translation (Untranslated), nothing
// is sent: an Invalid error on field letter_en.
//
// Choice: the e-mail carries the letter itself. SECURITY.md item 13 keeps
// the content of a case out of e-mails, but the art. 34 notice is the
// content the law requires to reach the person; it names the kinds of data
// and what happened, not anyone's data.
func (s *Service) SendLetters(ctx context.Context, a Actor, ref string) (int, error) {
	if !a.Owner {
		return 0, forbidden()
	}
	ctl, _, err := s.Controller(ctx, a)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	sent := 0
	_, err = s.store.SendLetters(ctx, ref, a, now, func(r Record, people []Person) ([]mail.Message, error) {
		if r.Decision == nil || r.Decision.InformPeople != InformYes {
			return nil, conflict("breach.inform_not_decided")
		}
		if len(people) == 0 {
			return nil, conflict("breach.nobody_to_tell")
		}
		text := map[string]string{"nl": r.Texts.Letter(r.Breach, ctl, "nl"), "en": r.Texts.Letter(r.Breach, ctl, "en")}
		mails := make([]mail.Message, 0, len(people))
		for _, p := range people {
			if letterLang(p.Language) == "en" && Untranslated(text["en"]) {
				return nil, apperr.InvalidFields(map[string]string{"letter_en": "breach.letter_untranslated"})
			}
			m := LetterMail(p.Email, text[letterLang(p.Language)], p.Language)
			m.Kind, m.Ref = mail.KindBreachLetter, r.Reference
			if email.Valid(ctl.DPO.Email) {
				// The letter names this contact point; a reply reaches it.
				m.ReplyTo = ctl.DPO.Email
			}
			if err := m.Validate(); err != nil {
				return nil, apperr.InvalidFields(map[string]string{"letter_" + letterLang(p.Language): "breach.letter_unsendable"})
			}
			mails = append(mails, m)
		}
		sent = len(mails)
		return mails, nil
	}, func(r *Record) {
		if r.Informed == nil {
			r.Informed = &Informing{}
		}
		// The draft's answer to "how were they told" is Dutch, like the AP's
		// form; an earlier way (by post) is kept and e-mail added to it.
		switch how := strings.TrimSpace(r.Informed.How); {
		case how == "" || how == byEmail:
			r.Informed.How, r.Informed.ByEmail = byEmail, true
		case !strings.Contains(how, byEmail):
			r.Informed.How = how + "; " + byEmail
		}
	})
	return sent, err
}

// byEmail is how the people were told when the portal sent the letters.
const byEmail = "per e-mail"

// LetterMail makes the e-mail of a letter to address: the first line of
// text becomes the subject when it is one ("Onderwerp: …" or "Subject: …");
// otherwise a plain subject in lang is used.
func LetterMail(address, text, lang string) mail.Message {
	subject := pick(letterLang(lang), "Bericht over uw gegevens", "About your personal information")
	first, rest, _ := strings.Cut(strings.TrimLeft(text, "\r\n"), "\n")
	for _, prefix := range []string{"Onderwerp:", "Subject:"} {
		if s, ok := strings.CutPrefix(strings.TrimSpace(first), prefix); ok && strings.TrimSpace(s) != "" {
			subject, text = strings.TrimSpace(s), strings.TrimLeft(rest, "\r\n")
		}
	}
	if r := []rune(subject); len(r) > mail.MaxSubjectLen {
		subject = string(r[:mail.MaxSubjectLen])
	}
	return mail.Message{To: address, Subject: subject, Text: text}
}

// InformedInput is how the people were told by other means than the
// portal's e-mail: a letter by post, a public notice.
type InformedInput struct {
	At    time.Time
	How   string
	Count Count
}

// RecordInformed records that (and how) the people affected were told.
func (s *Service) RecordInformed(ctx context.Context, a Actor, ref string, in InformedInput) (Record, error) {
	if !a.Owner {
		return Record{}, forbidden()
	}
	now := s.clock.Now()
	return s.store.UpdateBreach(ctx, ref, a, "informed", now, func(r *Record) error {
		p := problems{}
		switch {
		case in.At.IsZero():
			p.add("informed_at", "field.required")
		case in.At.After(now):
			p.add("informed_at", "field.date_future")
		}
		p.text("how", in.How, true, MaxText)
		p.merge("", in.Count.Validate("count"))
		if err := invalid(p); err != nil {
			return err
		}
		at := in.At
		r.Informed = &Informing{At: &at, How: strings.TrimSpace(in.How), Count: in.Count}
		return nil
	})
}

// Settings returns the register's settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return s.store.BreachSettings(ctx) }

// SaveSettings stores the register's settings (owners only).
func (s *Service) SaveSettings(ctx context.Context, a Actor, st Settings) error {
	if !a.Owner {
		return forbidden()
	}
	if err := invalid(st.Validate()); err != nil {
		return err
	}
	return s.store.SaveBreachSettings(ctx, st, a, s.clock.Now())
}

// RunReminders sends the owners the reminders that are due for every breach
// whose decision is open: a day left, six hours left, and the deadline
// passed (ReminderDue), and twelve and two hours before the practice's own
// target (TargetReminderDue), each once. It returns how many mails it
// queued.
func (s *Service) RunReminders(ctx context.Context) (int, error) {
	waiting, err := s.store.Waiting(ctx)
	if err != nil || len(waiting) == 0 {
		return 0, err
	}
	owners, err := s.store.Owners(ctx)
	if err != nil {
		return 0, err
	}
	ps, err := s.store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	bs, err := s.store.BreachSettings(ctx)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	queued := 0
	for _, w := range waiting {
		var due []Reminder
		for _, mark := range ReminderDue(now, APDeadline(w.AwareAt), w.Marks) {
			due = append(due, Reminder{Mark: mark, Deadline: APDeadline(w.AwareAt)})
		}
		for _, mark := range TargetReminderDue(now, w.AwareAt, bs.OwnTargetHours, w.Marks) {
			due = append(due, Reminder{Mark: mark, Deadline: OwnTarget(w.AwareAt, bs.OwnTargetHours), TargetHours: bs.OwnTargetHours})
		}
		for _, r := range due {
			r.Reference, r.Authority, r.Link = w.Reference, ps.Authority(), s.baseURL+"/staff/breaches/"+w.Reference
			var mails []mail.Message
			for _, o := range owners {
				m, err := s.writer.BreachReminder(o, r, ps.Location())
				if err != nil {
					return queued, err
				}
				mails = append(mails, m)
			}
			saved, err := s.store.SaveReminder(ctx, w.ID, r.Mark, now, mails)
			if err != nil {
				return queued, err
			}
			if saved {
				queued += len(mails)
			}
		}
	}
	return queued, nil
}
