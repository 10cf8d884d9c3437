package breach_test

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

// The service over a real SQLite store: the register's rules as an owner
// meets them.

type env struct {
	svc     *breach.Service
	st      *store.Store
	clock   *clock.Fake
	owner   breach.Actor
	officer breach.Actor
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(tb.Context(), dbtest.Target(tb, filepath.Join(dir, "db.sqlite")), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 27, 17, 30, 0, 0, time.UTC)) // Friday 18:30 in Amsterdam
	if _, err := st.AddBranch(tb.Context(), practice.Branch{Code: "utrecht", Name: "Utrecht"}, clk.Now()); err != nil {
		tb.Fatal(err)
	}
	o, err := st.AddMember(tb.Context(), staff.NewMember{Email: "o@x.example", Name: "Olga Owner", Role: staff.Owner}, clk.Now())
	if err != nil {
		tb.Fatal(err)
	}
	f, err := st.AddMember(tb.Context(), staff.NewMember{Email: "f@x.example", Name: "Frans", Role: staff.Officer, Branches: []string{"utrecht"}}, clk.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return &env{svc: breach.NewService(st, clk, nil, "http://avgloket.test"), st: st, clock: clk,
		owner:   breach.Actor{ID: o.ID, Name: o.Name, Email: o.Email, Owner: true, Scope: breach.Scope{All: true}},
		officer: breach.Actor{ID: f.ID, Name: f.Name, Scope: breach.Scope{Branches: []string{"utrecht"}}}}
}

// logged registers a lost laptop discovered on Friday 27 March 2026 at 18:00.
func (e *env) logged(tb testing.TB) breach.Record {
	tb.Helper()
	r, err := e.svc.Create(tb.Context(), e.officer, breach.Breach{Title: "Laptop kwijt", Description: "In de trein laten liggen.",
		AwareAt: time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC), Kinds: []breach.Kind{breach.Confidentiality},
		Incident: breach.LostDevice, MeasuresTaken: "Laptop op afstand gewist."})
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	return r
}

func (e *env) assess(tb testing.TB, ref string, as breach.Assessment) {
	tb.Helper()
	if _, err := e.svc.Assess(tb.Context(), e.officer, ref, as, nil, ""); err != nil {
		tb.Fatalf("Assess: %v", err)
	}
}

var veryHigh = breach.Assessment{DPC: 4, EI: 1, Confidentiality: breach.UnknownRecipients, Integrity: breach.None, Availability: breach.None}
var low = breach.Assessment{DPC: 1, EI: 0.5, Confidentiality: breach.KnownRecipients, Integrity: breach.None, Availability: breach.None}

func fields(err error) []string {
	var out []string
	for f := range apperr.As(err).Fields {
		out = append(out, f)
	}
	return out
}

func TestCreateTakesTheBranchOfASingleBranchOfficer(t *testing.T) {
	e := newEnv(t)
	r := e.logged(t)
	if r.Reference != "DL-2026-001" || r.Branch != "utrecht" {
		t.Errorf("created %s for branch %q", r.Reference, r.Branch)
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name    string
		assess  *breach.Assessment
		actor   func(*env) breach.Actor
		d       breach.Decision
		code    apperr.Code // "" for success
		problem string
	}{
		{"before any assessment", nil, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}, apperr.Conflict, ""},
		{"follows the advice", &veryHigh, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}, "", ""},
		{"departs from the advice without a reason", &veryHigh, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: false, InformPeople: breach.InformYes}, apperr.Invalid, "reason"},
		{"departs from the advice with a reason", &veryHigh, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: true, InformPeople: breach.InformNo, Reason: "Laptop was gewist voor iemand hem opende."}, "", ""},
		{"a public notice always needs a reason", &veryHigh, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: true, InformPeople: breach.InformPublicNotice}, apperr.Invalid, "reason"},
		{"low risk, not notified, no reason needed", &low, func(e *env) breach.Actor { return e.owner },
			breach.Decision{NotifyAP: false, InformPeople: breach.InformNo}, "", ""},
		{"officers do not decide", &veryHigh, func(e *env) breach.Actor { return e.officer },
			breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}, apperr.NotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.logged(t)
			if tc.assess != nil {
				e.assess(t, r.Reference, *tc.assess)
			}
			got, err := e.svc.Decide(t.Context(), tc.actor(e), r.Reference, tc.d)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Decide: %v", err)
				}
				if got.Decision == nil || got.Decision.DecidedBy != "Olga Owner" || !got.Decision.DecidedAt.Equal(e.clock.Now()) {
					t.Errorf("decision %+v", got.Decision)
				}
				return
			}
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("Decide: %v, want %s", err, tc.code)
			}
			if tc.problem != "" && strings.Join(fields(err), ",") != tc.problem {
				t.Errorf("problems %v, want %s", fields(err), tc.problem)
			}
			if back, _ := e.st.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true}); back.Decision != nil {
				t.Error("a refused decision was stored")
			}
		})
	}
}

func TestSubmit(t *testing.T) {
	friday := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC) // 18:00 CET
	deadline := friday.Add(72 * time.Hour)                  // Monday 19:00 CEST
	tests := []struct {
		name   string
		decide bool
		before []breach.SubmissionInput
		in     breach.SubmissionInput
		code   apperr.Code
		fields string
	}{
		{"initial, on time", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline, APReference: "M-1"}, "", ""},
		{"initial, a minute late, no reason", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline.Add(time.Minute), APReference: "M-1"},
			apperr.Invalid, "late_reason"},
		{"initial, late, with a reason", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline.Add(time.Hour), APReference: "M-1",
				LateReason: "De omvang werd pas maandagavond duidelijk."}, "", ""},
		{"initial without a decision", false, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline, APReference: "M-1"}, apperr.Conflict, ""},
		{"initial without the AP's number", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline}, apperr.Invalid, "ap_reference"},
		{"in the future", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline.Add(24 * time.Hour), APReference: "M-1"},
			apperr.Invalid, "submitted_at"},
		{"before the discovery", true, nil,
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: friday.Add(-time.Hour), APReference: "M-1"},
			apperr.Invalid, "submitted_at"},
		{"a follow-up before the notification", true, nil,
			breach.SubmissionInput{Kind: breach.NotifySupplement, SubmittedAt: deadline}, apperr.Conflict, ""},
		{"a second initial", true, []breach.SubmissionInput{{Kind: breach.NotifyInitial, SubmittedAt: friday.Add(time.Hour), APReference: "M-1"}},
			breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: deadline, APReference: "M-2"}, apperr.Conflict, ""},
		{"a follow-up after a withdrawal", true, []breach.SubmissionInput{
			{Kind: breach.NotifyInitial, SubmittedAt: friday.Add(time.Hour), APReference: "M-1"},
			{Kind: breach.NotifyWithdrawal, SubmittedAt: friday.Add(2 * time.Hour)}},
			breach.SubmissionInput{Kind: breach.NotifyChange, SubmittedAt: deadline}, apperr.Conflict, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.clock.Set(deadline.Add(3 * time.Hour))
			r := e.logged(t)
			e.assess(t, r.Reference, veryHigh)
			if tc.decide {
				if _, err := e.svc.Decide(t.Context(), e.owner, r.Reference, breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}); err != nil {
					t.Fatal(err)
				}
			}
			for _, in := range tc.before {
				if _, err := e.svc.Submit(t.Context(), e.owner, r.Reference, in); err != nil {
					t.Fatalf("earlier submission: %v", err)
				}
			}
			got, err := e.svc.Submit(t.Context(), e.owner, r.Reference, tc.in)
			if tc.code != "" {
				if apperr.CodeOf(err) != tc.code || strings.Join(fields(err), ",") != tc.fields {
					t.Fatalf("Submit: %v (fields %v), want %s %s", err, fields(err), tc.code, tc.fields)
				}
				if subs, _ := e.svc.Submissions(t.Context(), r); len(subs) != len(tc.before) {
					t.Errorf("%d submissions after a refusal, want %d", len(subs), len(tc.before))
				}
				return
			}
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			subs, err := e.svc.Submissions(t.Context(), got)
			if err != nil || len(subs) != 1 {
				t.Fatalf("Submissions = %d, %v", len(subs), err)
			}
			// The draft as sent: with the delay's reason when late.
			why, asked := subs[0].Draft.Answer("timeline.late_reason")
			if late := breach.Late(tc.in.SubmittedAt, friday); asked != late || (late && why != tc.in.LateReason) {
				t.Errorf("draft asks the delay: %v %q (late %v)", asked, why, late)
			}
			if a, _ := subs[0].Draft.Answer("reporter.name"); a != "Olga Owner" {
				t.Errorf("reporter %q", a)
			}
		})
	}
}

// A follow-up lists what changed since the last submission, and only that.
func TestFollowUp(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC))
	r := e.logged(t)
	e.assess(t, r.Reference, veryHigh)
	if _, err := e.svc.Decide(t.Context(), e.owner, r.Reference, breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.FollowUp(t.Context(), e.owner, r, breach.NotifySupplement); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("follow-up before the notification: %v, want Conflict", err)
	}
	if _, err := e.svc.Submit(t.Context(), e.owner, r.Reference, breach.SubmissionInput{Kind: breach.NotifyInitial,
		SubmittedAt: e.clock.Now(), APReference: "M-2026-77"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour)
	r, err := e.svc.Edit(t.Context(), e.owner, r.Reference, "measures", func(b *breach.Breach) map[string]string {
		b.MeasuresTaken = "Laptop teruggevonden bij de NS."
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	text, changes, err := e.svc.FollowUp(t.Context(), e.owner, r, breach.NotifyChange)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].QuestionID != "followup.measures_taken" {
		t.Fatalf("changes %+v, want the measures taken only", changes)
	}
	for _, want := range []string{"Wijziging op de melding van een datalek", "M-2026-77",
		"Was: Laptop op afstand gewist.", "Nu: Laptop teruggevonden bij de NS."} {
		if !strings.Contains(text, want) {
			t.Errorf("follow-up lacks %q:\n%s", want, text)
		}
	}
}

// An edit whose form could not be read whole stores nothing, even where the
// rest would be valid.
func TestEditWithProblemsStoresNothing(t *testing.T) {
	e := newEnv(t)
	r := e.logged(t)
	_, err := e.svc.Edit(t.Context(), e.officer, r.Reference, "data", func(b *breach.Breach) map[string]string {
		b.PeopleDescription = "Gewijzigd"
		return map[string]string{"people.exact": "breach.number"}
	})
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("Edit: %v, want Invalid", err)
	}
	back, err := e.st.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil || back.PeopleDescription != "" {
		t.Errorf("stored %q, %v", back.PeopleDescription, err)
	}
}

// The letters go one per person, only when the decision is to tell each.
func TestSendLetters(t *testing.T) {
	e := newEnv(t)
	r := e.logged(t)
	e.assess(t, r.Reference, veryHigh)
	up, err := e.svc.AddRecipients(t.Context(), e.owner, r.Reference, strings.NewReader("email,language\na@example.nl,nl\nb@example.nl,en\nb@example.nl,en\n"))
	if err != nil || up.Added != 2 || len(up.Problems) != 1 || up.Problems[0].Line != 4 {
		t.Fatalf("AddRecipients = %+v, %v", up, err)
	}
	if _, err := e.svc.SendLetters(t.Context(), e.owner, r.Reference); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("SendLetters before deciding to inform: %v, want Conflict", err)
	}
	if _, err := e.svc.Decide(t.Context(), e.owner, r.Reference, breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendLetters(t.Context(), e.officer, r.Reference); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("SendLetters by an officer: %v, want NotFound", err)
	}
	// The English draft holds the measures as typed, in Dutch, marked for
	// translation: nothing goes until the owner translated them.
	n, err := e.svc.SendLetters(t.Context(), e.owner, r.Reference)
	if ae := apperr.As(err); apperr.CodeOf(err) != apperr.Invalid || ae.Fields["letter_en"] != "breach.letter_untranslated" || n != 0 {
		t.Fatalf("SendLetters with an untranslated English letter = %d, %v, want Invalid letter_en", n, err)
	}
	if due, err := e.st.Due(t.Context(), e.clock.Now(), 10); err != nil || len(due) != 0 {
		t.Fatalf("outbox after a refused send = %d, %v, want empty", len(due), err)
	}
	en := breach.Letter(r.Breach, breach.Controller{Name: "Praktijk"}, "en")
	if !breach.Untranslated(en) {
		t.Fatalf("the English draft is not marked for translation:\n%s", en)
	}
	translated := strings.ReplaceAll(en, "[TRANSLATE INTO ENGLISH: Laptop op afstand gewist.]", "The laptop was wiped remotely.")
	if _, err := e.svc.SaveTexts(t.Context(), e.owner, r.Reference, breach.Texts{LetterEN: translated}); err != nil {
		t.Fatal(err)
	}
	n, err = e.svc.SendLetters(t.Context(), e.owner, r.Reference)
	if err != nil || n != 2 {
		t.Fatalf("SendLetters = %d, %v", n, err)
	}
	due, err := e.st.Due(t.Context(), e.clock.Now(), 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("outbox = %d, %v", len(due), err)
	}
	want := map[string]string{"a@example.nl": "Laptop op afstand gewist.", "b@example.nl": "The laptop was wiped remotely."}
	for _, q := range due {
		if q.Message.Validate() != nil || !strings.Contains(q.Message.Text, want[q.Message.To]) {
			t.Errorf("mail %+v", q.Message)
		}
		if q.Message.To == "b@example.nl" && (strings.Contains(q.Message.Text, "gewist") || breach.Untranslated(q.Message.Text)) {
			t.Errorf("the English mail holds Dutch:\n%s", q.Message.Text)
		}
	}
}

func TestLetterMail(t *testing.T) {
	tests := []struct {
		name, text, lang, subject, body string
	}{
		{"Dutch subject line", "Onderwerp: datalek\n\nBeste lezer,\n", "nl", "datalek", "Beste lezer,\n"},
		{"English subject line", "\nSubject: a breach\nDear reader,", "en", "a breach", "Dear reader,"},
		{"no subject line", "Beste lezer,", "nl", "Bericht over uw gegevens", "Beste lezer,"},
		{"empty subject line", "Onderwerp:\nBeste lezer,", "en", "About your personal information", "Onderwerp:\nBeste lezer,"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := breach.LetterMail("x@example.nl", tc.text, tc.lang)
			if m.Subject != tc.subject || m.Text != tc.body || m.To != "x@example.nl" {
				t.Errorf("LetterMail = %+v", m)
			}
		})
	}
}

// An officer of the breach's branch is refused every owners' step
// (NotFound, as for a breach they cannot see) and nothing changes; the
// owner then takes the same step, so the refusal is the role's.
func TestOfficersDoNotTakeTheOwnersSteps(t *testing.T) {
	steps := []struct {
		name string
		do   func(e *env, a breach.Actor, ref string) error
	}{
		{"decide", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.Decide(t.Context(), a, ref, breach.Decision{NotifyAP: true, InformPeople: breach.InformYes})
			return err
		}},
		{"submit", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.Submit(t.Context(), a, ref, breach.SubmissionInput{Kind: breach.NotifyInitial, SubmittedAt: e.clock.Now(), APReference: "M-1"})
			return err
		}},
		{"save texts", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.SaveTexts(t.Context(), a, ref, breach.Texts{LetterNL: "Beste lezer,"})
			return err
		}},
		{"add recipients", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.AddRecipients(t.Context(), a, ref, strings.NewReader("email,language\nc@example.nl,nl\n"))
			return err
		}},
		{"send letters", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.SendLetters(t.Context(), a, ref)
			return err
		}},
		{"record informed", func(e *env, a breach.Actor, ref string) error {
			_, err := e.svc.RecordInformed(t.Context(), a, ref, breach.InformedInput{At: e.clock.Now(), How: "per brief", Count: breach.Exactly(1)})
			return err
		}},
		{"save settings", func(e *env, a breach.Actor, _ string) error {
			return e.svc.SaveSettings(t.Context(), a, breach.Settings{OwnTargetHours: 48})
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.logged(t)
			e.assess(t, r.Reference, veryHigh)
			if _, err := e.svc.Decide(t.Context(), e.owner, r.Reference, breach.Decision{NotifyAP: true, InformPeople: breach.InformYes}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AddRecipients(t.Context(), e.owner, r.Reference, strings.NewReader("email,language\na@example.nl,nl\n")); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
			state := func() string {
				t.Helper()
				back, err := e.st.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
				if err != nil {
					t.Fatal(err)
				}
				people, err := e.svc.People(t.Context(), back)
				if err != nil {
					t.Fatal(err)
				}
				subs, err := e.svc.Submissions(t.Context(), back)
				if err != nil {
					t.Fatal(err)
				}
				settings, err := e.svc.Settings(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				due, err := e.st.Due(t.Context(), e.clock.Now(), 10)
				if err != nil {
					t.Fatal(err)
				}
				// JSON follows the pointers (assessment, decision, informing).
				js, err := json.Marshal([]any{back, people, len(subs), settings, len(due)})
				if err != nil {
					t.Fatal(err)
				}
				return string(js)
			}
			before := state()
			if err := st.do(e, e.officer, r.Reference); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("an officer: %v, want NotFound", err)
			}
			if after := state(); after != before {
				t.Errorf("the refused step changed the register:\n%s\nwas\n%s", after, before)
			}
			if err := st.do(e, e.owner, r.Reference); err != nil {
				t.Fatalf("the owner: %v", err)
			}
			if after := state(); after == before {
				t.Error("the owner's step changed nothing: the refusal proves nothing")
			}
		})
	}
}
