package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/representation"
)

// MaxText is the longest question, answer or reason.
const MaxText = 5000

func text(field, v string, required bool) map[string]string {
	switch {
	case strings.TrimSpace(v) == "" && required:
		return map[string]string{field: "field.required"}
	case utf8.RuneCountInString(v) > MaxText:
		return map[string]string{field: "field.too_long"}
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return map[string]string{field: "field.invalid"}
	}
	return nil
}

// Record puts on record that requirement key is satisfied, waived (with a
// reason, only where the rule table allows it) or no longer met.
func (s *Service) Record(ctx context.Context, a casework.Actor, ref, key, state, reason string) (casework.Case, error) {
	if p := text("reason", reason, state == "waived"); p != nil {
		return casework.Case{}, apperr.InvalidFields(p)
	}
	if state != "satisfied" && state != "waived" && state != "open" {
		return casework.Case{}, apperr.InvalidFields(map[string]string{"state": "field.choose"})
	}
	return s.cases.Apply(ctx, a, ref, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		if c.Status == casework.Completed {
			return casework.Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		_, needs, err := s.needs(ctx, *c)
		if err != nil {
			return casework.Change{}, err
		}
		i := slices.IndexFunc(needs, func(n Need) bool { return n.Key == key })
		if i < 0 {
			return casework.Change{}, apperr.InvalidFields(map[string]string{"key": "field.choose"})
		}
		if representation.Reserved(key) {
			return casework.Change{}, apperr.InvalidFields(map[string]string{"state": "identity.not_recordable"})
		}
		if state == "waived" && !needs[i].Waivable {
			return casework.Change{}, apperr.InvalidFields(map[string]string{"state": "identity.not_waivable"})
		}
		st := &casework.RequirementStatus{Key: key, Satisfied: state == "satisfied", Waived: state == "waived",
			Reason: strings.TrimSpace(reason), ByID: a.ID, At: s.clock.Now()}
		return casework.Change{Requirement: st, Events: []casework.Event{{Kind: casework.EventRequirement,
			Text: st.Reason, Data: map[string]string{"key": key, "state": state}}}}, nil
	})
}

// Verify records how the requester's identity was checked — the method, by
// whom, when, a note; never the document — and destroys the case's ID
// copies at once, file and key: they have served. A failed check needs a
// reason; the case page then offers a refusal.
func (s *Service) Verify(ctx context.Context, a casework.Actor, ref string, v representation.Verification) (casework.Case, []string, error) {
	return s.verify(ctx, a, ref, v, false)
}

// VerifyFirst is Verify for a case whose identity is not recorded yet: it
// is Conflict ("identity.already_recorded") when it is, verified or failed
// (the API records a check once; API.md).
func (s *Service) VerifyFirst(ctx context.Context, a casework.Actor, ref string, v representation.Verification) (casework.Case, []string, error) {
	return s.verify(ctx, a, ref, v, true)
}

func (s *Service) verify(ctx context.Context, a casework.Actor, ref string, v representation.Verification, first bool) (casework.Case, []string, error) {
	v.At, v.By = s.clock.Now(), audit.Staff(a.ID)
	if p := v.Validate(); len(p) > 0 {
		return casework.Case{}, nil, apperr.InvalidFields(p)
	}
	var destroyed []string
	c, err := s.cases.Apply(ctx, a, ref, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		if c.Status == casework.Completed {
			return casework.Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if first && c.Identity.Status != casework.IdentityUnverified {
			return casework.Change{}, apperr.New(apperr.Conflict, "identity.already_recorded")
		}
		files, err := s.store.Files(ctx, c.ID)
		if err != nil {
			return casework.Change{}, err
		}
		destroyed = destroyed[:0]
		var events []casework.Event
		for _, f := range files {
			if f.Purpose == casework.PurposeIDCopy && f.DestroyedAt == nil {
				destroyed = append(destroyed, f.ID)
				events = append(events, casework.Event{Kind: casework.EventFileDestroyed, Data: map[string]string{"purpose": f.Purpose}})
			}
		}
		at := s.clock.Now()
		status := casework.IdentityVerified
		note := strings.TrimSpace(v.Note)
		if v.Outcome == representation.Failed {
			status, note = casework.IdentityFailed, strings.TrimSpace(v.Reason)
		}
		c.Identity = casework.Identity{Status: status, Method: v.Method, VerifiedAt: &at}
		events = append([]casework.Event{{Kind: casework.EventIdentity, Text: note,
			Data: map[string]string{"outcome": string(v.Outcome), "method": v.Method, "checks": strings.Join(v.Checks, " ")}}}, events...)
		return casework.Change{Events: events, DestroyFiles: slices.Clone(destroyed),
			Requirement: &casework.RequirementStatus{Key: representation.KeyRequesterIdentity,
				Satisfied: status == casework.IdentityVerified, ByID: a.ID, At: at}}, nil
	})
	if err != nil {
		return casework.Case{}, nil, err
	}
	// Recorded as destroyed; the content goes now, or at the next sweep.
	_ = s.removeFiles(ctx, destroyed)
	return c, destroyed, nil
}

// removeFiles deletes files from disk after their destruction was recorded
// and records each removal, so no sweep visits them again. A file that
// could not be deleted stays due for the next sweep.
func (s *Service) removeFiles(ctx context.Context, ids []string) error {
	var gone []string
	for _, id := range ids {
		if err := s.files.Delete(id); err == nil {
			gone = append(gone, id)
		}
	}
	return s.store.FilesRemoved(ctx, gone, s.clock.Now())
}

// Ask sends the requester a question for identity information or a proof,
// shown on their tracking page and announced by e-mail; the case waits for
// the answer and its deadline pauses from today, the day the question is
// sent (DOMAIN.md §2 and §8). A question sent more than
// casework.UndueDelayDays after receipt is marked late on the timeline.
func (s *Service) Ask(ctx context.Context, a casework.Actor, ref, method, uploadKind, question string) (casework.Case, error) {
	if p := text("text", question, true); p != nil {
		return casework.Case{}, apperr.InvalidFields(p)
	}
	if _, ok := representation.MethodByKey(method); !ok {
		return casework.Case{}, apperr.InvalidFields(map[string]string{"method": "field.choose"})
	}
	if uploadKind != "" && !slices.Contains(casework.FilePurposes, uploadKind) {
		return casework.Case{}, apperr.InvalidFields(map[string]string{"upload": "field.choose"})
	}
	return s.cases.Apply(ctx, a, ref, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		if c.Status == casework.Completed {
			return casework.Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		open, err := s.openQuestion(ctx, c.ID)
		if err != nil {
			return casework.Change{}, err
		}
		if open != nil {
			return casework.Change{}, apperr.New(apperr.Conflict, "identity.question_open")
		}
		from := c.Status
		c.Status = casework.AwaitingIdentity
		casework.Pause(c, env)
		q := strings.TrimSpace(question)
		data := map[string]string{"method": method, "upload": uploadKind}
		if casework.QuestionLate(c.ReceivedOn, env.Today) {
			data["late"] = "1"
		}
		ch := casework.Change{
			AskInfo: &casework.InfoRequest{Method: method, UploadKind: uploadKind, Text: q, AskedAt: s.clock.Now(), AskedByID: a.ID},
			Events:  []casework.Event{{Kind: casework.EventInfoRequested, Visible: true, Text: q, Data: data}},
		}
		if from != c.Status {
			ch.Events = append([]casework.Event{{Kind: casework.EventStatus,
				Data: map[string]string{"from": string(from), "to": string(c.Status)}}}, ch.Events...)
		}
		return s.cases.WithMail(ch, *c, s.message)
	})
}

// Withdraw takes back the open question without an answer, with a reason
// the requester reads on the tracking page: the pause ends and the days it
// lasted are added to the deadline, as when an answer comes (DOMAIN.md §8).
func (s *Service) Withdraw(ctx context.Context, a casework.Actor, ref, reason string) (casework.Case, error) {
	if p := text("reason", reason, true); p != nil {
		return casework.Case{}, apperr.InvalidFields(p)
	}
	return s.cases.Apply(ctx, a, ref, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		if c.Status == casework.Completed {
			return casework.Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		open, err := s.openQuestion(ctx, c.ID)
		if err != nil {
			return casework.Change{}, err
		}
		if open == nil {
			return casework.Change{}, apperr.New(apperr.Conflict, "identity.no_open_question")
		}
		from := c.Status
		casework.Resume(c, env)
		if c.Status == casework.AwaitingIdentity {
			c.Status = casework.InProgress
		}
		events := []casework.Event{{Kind: casework.EventInfoWithdrawn, Visible: true, Text: strings.TrimSpace(reason)}}
		if from != c.Status {
			events = append(events, casework.Event{Kind: casework.EventStatus, Data: map[string]string{"from": string(from), "to": string(c.Status)}})
		}
		return casework.Change{Events: events, WithdrawInfo: &casework.InfoRequest{ID: open.ID}}, nil
	})
}

// Upload is a file a requester sends with an answer. Its purpose is the
// open question's; Purpose is what the requester's form says it is, and
// when given it must be that same purpose (a page left open while staff
// asked something else).
type Upload struct {
	Purpose string
	Body    io.Reader
}

// Answer takes the requester's answer to the open question from the
// tracking page: text and, when asked, a file. A file is taken only when
// the question asked for one, and always as the purpose the question named,
// so that an ID copy is destroyed like one; any other file is refused
// (Invalid on "file") before anything is stored. The file is checked by its
// content, stripped of metadata and stored encrypted while it streams in;
// an ID copy is kept at most the practice's set number of days. The
// deadline's pause ends and the case goes back to work.
func (s *Service) Answer(ctx context.Context, token, address, answer string, up *Upload) (casework.Case, error) {
	c, err := s.cases.ByToken(ctx, token)
	if err != nil {
		return casework.Case{}, err
	}
	if p := text("answer", answer, up == nil); p != nil {
		return casework.Case{}, apperr.InvalidFields(p)
	}
	open, err := s.openQuestion(ctx, c.ID)
	if err != nil {
		return casework.Case{}, err
	}
	if open == nil {
		return casework.Case{}, apperr.New(apperr.Conflict, "identity.no_open_question")
	}
	var file *casework.File
	if up != nil {
		switch {
		case open.UploadKind == "":
			return casework.Case{}, apperr.InvalidFields(map[string]string{"file": "identity.no_upload_asked"})
		case up.Purpose != "" && up.Purpose != open.UploadKind:
			return casework.Case{}, apperr.InvalidFields(map[string]string{"file": "identity.upload_purpose"})
		}
		if file, err = s.store1(ctx, open.UploadKind, up.Body); err != nil {
			return casework.Case{}, err
		}
	}
	actor := casework.Actor{Requester: true, Address: address, Scope: casework.Scope{All: true}}
	out, err := s.cases.Apply(ctx, actor, c.Reference, func(c *casework.Case, env casework.Env) (casework.Change, error) {
		from := c.Status
		casework.Resume(c, env)
		if c.Status == casework.AwaitingIdentity {
			c.Status = casework.InProgress
		}
		data := map[string]string{}
		if file != nil {
			data["file"] = file.Purpose
		}
		events := []casework.Event{{Kind: casework.EventInfoAnswered, Visible: true, Text: strings.TrimSpace(answer), Data: data}}
		if from != c.Status {
			events = append(events, casework.Event{Kind: casework.EventStatus, Data: map[string]string{"from": string(from), "to": string(c.Status)}})
		}
		return casework.Change{Events: events, AnswerInfo: &casework.InfoRequest{ID: open.ID, Answer: strings.TrimSpace(answer)}, AddFile: file}, nil
	})
	if err != nil && file != nil {
		_ = s.files.Delete(file.ID) // never recorded: nothing to mark
	}
	return out, err
}

// store1 streams an upload for purpose through the cleaner into the
// encrypted file store, never holding it whole in memory.
func (s *Service) store1(ctx context.Context, purpose string, body io.Reader) (*casework.File, error) {
	id, err := newFileID()
	if err != nil {
		return nil, apperr.Wrap(err, "error.internal")
	}
	kind, n, err := filestore.PutChecked(ctx, s.files, id, s.aad(id), body, func(w io.Writer, r io.Reader) (string, error) {
		kind, _, err := s.clean(w, r, s.limit)
		return kind, err
	})
	if err != nil {
		return nil, err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		_ = s.files.Delete(id)
		return nil, err
	}
	now := s.clock.Now()
	f := &casework.File{ID: id, Purpose: purpose, Kind: kind, Size: n, UploadedAt: now}
	if purpose == casework.PurposeIDCopy {
		until := now.Add(time.Duration(settings.IDCopyDays) * 24 * time.Hour)
		f.DestroyAfter = &until
	}
	return f, nil
}

func newFileID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Download writes file id of case ref to w for a staff member who may see
// the case; the download is audited first. On a tampered file it fails
// after writing part: callers must abort the response.
func (s *Service) Download(ctx context.Context, a casework.Actor, ref, id string, start func(casework.File), w io.Writer) error {
	c, err := s.cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	f, err := s.store.File(ctx, c.ID, id)
	if err != nil {
		return err
	}
	if err := s.store.RecordCaseAccess(ctx, a, c.ID, audit.FileView, s.clock.Now()); err != nil {
		return err
	}
	start(f)
	_, err = s.files.Open(ctx, f.ID, w, s.aad(f.ID))
	return err
}

// Sweep destroys ID copies whose time is up and removes from disk any file
// whose destruction is on record. It returns how many it removed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	ids, err := s.store.FilesDue(ctx, s.clock.Now())
	if err != nil {
		return 0, err
	}
	return len(ids), s.removeFiles(ctx, ids)
}
