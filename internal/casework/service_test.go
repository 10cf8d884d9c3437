package casework_test

import (
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

const baseURL = "https://avg.example.nl"

// fakeLetters writes a minimal acknowledgement and remembers the tracking
// link of every case, so tests can follow it as the requester would.
type fakeLetters struct {
	mu   sync.Mutex
	urls map[string]string // reference → tracking URL
	err  error             // returned instead of a mail when set
}

func (f *fakeLetters) Acknowledgement(c casework.Case, trackingURL string) (mail.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return mail.Message{}, f.err
	}
	f.urls[c.Reference] = trackingURL
	return mail.Message{To: c.Requester.Email, Subject: "Ontvangstbevestiging " + c.Reference, Text: "Volg uw verzoek: " + trackingURL}, nil
}

// The workflow's mails are not under test here; they write nothing special.
func (f *fakeLetters) Message(c casework.Case, u string) (mail.Message, error) {
	return f.Acknowledgement(c, u)
}
func (f *fakeLetters) Extension(c casework.Case, u string) (mail.Message, error) {
	return f.Acknowledgement(c, u)
}
func (f *fakeLetters) Decision(c casework.Case, u string) (mail.Message, error) {
	return f.Acknowledgement(c, u)
}
func (f *fakeLetters) Destroyed(c casework.Case, u string) (mail.Message, error) {
	return f.Acknowledgement(c, u)
}
func (f *fakeLetters) DecisionLetter(c casework.Case, d casework.Decision, _ deadline.Date) (casework.Letter, error) {
	return casework.Letter{Reference: c.Reference, Body: d.Letter}, nil
}

// token returns the tracking token in the last mail queued for the case
// with reference ref, read from the outbox as the requester reads it (the
// acknowledgement is written before the reference exists: the fake letters
// see only casework.ReferenceSlot).
func (e *env) token(tb testing.TB, ref string) string {
	tb.Helper()
	due, err := e.store.Due(tb.Context(), e.clock.Now().Add(24*time.Hour), 1000)
	if err != nil {
		tb.Fatalf("outbox: %v", err)
	}
	u, ok := "", false
	for _, q := range due {
		if q.Message.Subject == "Ontvangstbevestiging "+ref {
			u, ok = strings.CutPrefix(q.Message.Text, "Volg uw verzoek: ")
		}
	}
	if !ok {
		tb.Fatalf("no acknowledgement was queued for %s", ref)
	}
	token, ok := strings.CutPrefix(u, baseURL+"/volg/")
	if !ok {
		tb.Fatalf("tracking URL %q does not start with %s/volg/", u, baseURL)
	}
	return token
}

// env is a case service on a real SQLite store with a fake clock.
type env struct {
	svc     *casework.Service
	store   *store.Store
	clock   *clock.Fake
	letters *fakeLetters
}

// newEnv returns a service whose clock stands at now, for a practice with
// the given branches (none: a practice without branches).
func newEnv(tb testing.TB, now time.Time, branches ...string) *env {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	st, err := store.Open(tb.Context(), dbtest.Target(tb, filepath.Join(dir, "avgloket.db")), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	for _, code := range branches {
		if _, err := st.AddBranch(tb.Context(), practice.Branch{Code: code, Name: strings.ToUpper(code[:1]) + code[1:]}, now); err != nil {
			tb.Fatalf("AddBranch(%s): %v", code, err)
		}
	}
	e := &env{store: st, clock: clock.NewFake(now), letters: &fakeLetters{urls: map[string]string{}}}
	e.svc = casework.NewService(st, e.letters, e.clock, baseURL)
	return e
}

// webForm is a valid submission from the public form: someone asking for
// their own data.
func webForm(name, email, branch string) casework.Submission {
	return casework.Submission{
		Type:              casework.Access,
		Requester:         casework.Requester{Name: name, Email: email, Relation: casework.Self},
		Branch:            branch,
		Language:          casework.Dutch,
		SpecificsRequired: true,
	}
}

var web = casework.Intake{Channel: casework.Web}

func (e *env) submit(tb testing.TB, sub casework.Submission, in casework.Intake) casework.Case {
	tb.Helper()
	c, replayed, err := e.svc.Submit(tb.Context(), sub, in)
	if err != nil {
		tb.Fatalf("Submit: %v", err)
	}
	if replayed {
		tb.Fatalf("Submit replayed %s without an idempotency key", c.Reference)
	}
	return c
}

// list pages through every case in scope, limit at a time.
func (e *env) list(tb testing.TB, q casework.Query, scope casework.Scope) []casework.Case {
	tb.Helper()
	var out []casework.Case
	for range 1000 {
		page, err := e.svc.List(tb.Context(), q, scope)
		if err != nil {
			tb.Fatalf("List: %v", err)
		}
		out = append(out, page.Cases...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
	tb.Fatal("List does not end")
	return nil
}

// counts returns the number of stored cases and queued mails.
func (e *env) counts(tb testing.TB) (cases, queued int) {
	tb.Helper()
	q, _, err := e.store.OutboxStats(tb.Context())
	if err != nil {
		tb.Fatalf("OutboxStats: %v", err)
	}
	return len(e.list(tb, casework.Query{}, casework.Scope{All: true})), int(q)
}

func refsOf(cs []casework.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Reference
	}
	return out
}

func nlCalendar(tb testing.TB) deadline.Calendar {
	tb.Helper()
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func day(y int, m time.Month, d int) deadline.Date { return deadline.Date{Year: y, Month: m, Day: d} }

func wantCode(tb testing.TB, err error, code apperr.Code) *apperr.Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err = nil, want %s", code)
	}
	e := apperr.As(err)
	if e.Code != code {
		tb.Fatalf("err = %v, want code %s", err, code)
	}
	return e
}

func TestSubmitWebRequest(t *testing.T) {
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		now        time.Time
		receivedOn deadline.Date
		due        deadline.Date
		reference  string
	}{
		// 25 Dec (Christmas, Friday) → 26 Dec (Boxing Day, Saturday) → Sunday → Monday 28 Dec.
		{name: "due date moves past Christmas and the weekend", now: time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC),
			receivedOn: day(2026, 11, 25), due: day(2026, 12, 28), reference: "AVG-2026-0001"},
		// 22:30 UTC on 31 July is 00:30 on 1 August in Amsterdam (CEST).
		{name: "late evening UTC is the next day in Amsterdam", now: time.Date(2026, 7, 31, 22, 30, 0, 0, time.UTC),
			receivedOn: day(2026, 8, 1), due: day(2026, 9, 1), reference: "AVG-2026-0001"},
		// 23:30 UTC on 31 December is New Year's Day in Amsterdam: the new year's numbering.
		{name: "new year in Amsterdam starts a new sequence", now: time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC),
			receivedOn: day(2027, 1, 1), due: day(2027, 2, 1), reference: "AVG-2027-0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.now)
			c := e.submit(t, webForm("Jan de Vries", "Jan@Example.NL", ""), web)
			if c.Reference != tt.reference {
				t.Errorf("reference = %s, want %s", c.Reference, tt.reference)
			}
			if c.Status != casework.Received || c.Channel != casework.Web || c.Identity.Status != casework.IdentityUnverified {
				t.Errorf("status %s, channel %s, identity %s; want received, web, unverified", c.Status, c.Channel, c.Identity.Status)
			}
			if !c.ReceivedAt.Equal(tt.now) || c.ReceivedAt.Location().String() != "Europe/Amsterdam" {
				t.Errorf("received at %v, want %v in Amsterdam time", c.ReceivedAt, tt.now.In(amsterdam))
			}
			if c.ReceivedOn != tt.receivedOn {
				t.Errorf("received on %v, want %v", c.ReceivedOn, tt.receivedOn)
			}
			want := deadline.Compute(nlCalendar(t), tt.receivedOn, 0, false)
			if c.Deadlines != want || c.Due() != tt.due {
				t.Errorf("deadlines = %+v, want %+v (due %v)", c.Deadlines, want, tt.due)
			}
			if c.Requester.Email != "jan@example.nl" || c.Subject.Name != "Jan de Vries" {
				t.Errorf("requester e-mail %q, subject %q; want the address lower-cased and the requester as subject", c.Requester.Email, c.Subject.Name)
			}

			stored, err := e.svc.Case(t.Context(), casework.Actor{Scope: casework.Scope{All: true}}, c.Reference)
			if err != nil {
				t.Fatalf("Case: %v", err)
			}
			if stored.ID != c.ID || stored.Deadlines != c.Deadlines || stored.ReceivedOn != c.ReceivedOn ||
				!stored.ReceivedAt.Equal(c.ReceivedAt) || stored.Requester != c.Requester || stored.Subject != c.Subject ||
				stored.Status != c.Status || stored.Language != c.Language || stored.EmailConfirmedAt != nil {
				t.Errorf("stored case = %+v\nwant %+v", stored, c)
			}

			second := e.submit(t, webForm("Piet Jansen", "piet@example.nl", ""), web)
			if wantRef := tt.reference[:len(tt.reference)-4] + "0002"; second.Reference != wantRef {
				t.Errorf("second reference = %s, want %s", second.Reference, wantRef)
			}

			due, err := e.store.Due(t.Context(), tt.now, 10)
			if err != nil {
				t.Fatalf("Due: %v", err)
			}
			if len(due) != 2 || due[0].Message.To != "jan@example.nl" || due[1].Message.To != "piet@example.nl" {
				t.Fatalf("outbox = %+v, want the two acknowledgements", due)
			}
			if !strings.Contains(due[0].Message.Text, baseURL+"/volg/"+e.token(t, c.Reference)) {
				t.Errorf("acknowledgement text %q lacks the tracking link", due[0].Message.Text)
			}
		})
	}
}

func TestSubmitStaffIntake(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	tests := []struct {
		name       string
		receivedAt time.Time
		channel    casework.Channel
		receivedOn deadline.Date
		due        deadline.Date
	}{
		// 20 Oct + 1 month = Friday 20 Nov: already overdue when registered.
		{name: "letter of last month", receivedAt: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC), channel: casework.Post,
			receivedOn: day(2026, 10, 20), due: day(2026, 11, 20)},
		// Sunday 31 May + 1 month = 30 June (no 31 June), a Tuesday.
		{name: "month end", receivedAt: time.Date(2026, 5, 31, 8, 0, 0, 0, time.UTC), channel: casework.Email,
			receivedOn: day(2026, 5, 31), due: day(2026, 6, 30)},
		{name: "phone call a minute ago", receivedAt: now.Add(-time.Minute), channel: casework.Phone,
			receivedOn: day(2026, 11, 25), due: day(2026, 12, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, now)
			c := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), casework.Intake{Channel: tt.channel, ReceivedAt: tt.receivedAt})
			if !c.ReceivedAt.Equal(tt.receivedAt) || c.ReceivedOn != tt.receivedOn || c.Channel != tt.channel {
				t.Errorf("received %v on %v by %s; want %v on %v by %s", c.ReceivedAt, c.ReceivedOn, c.Channel, tt.receivedAt, tt.receivedOn, tt.channel)
			}
			if want := deadline.Compute(nlCalendar(t), tt.receivedOn, 0, false); c.Deadlines != want || c.Due() != tt.due {
				t.Errorf("deadlines = %+v, want %+v (due %v)", c.Deadlines, want, tt.due)
			}
			if !c.CreatedAt.Equal(now) {
				t.Errorf("created at %v, want the clock's %v", c.CreatedAt, now)
			}
		})
	}
}

// Nothing is stored for a refused submission: no case, no mail, no
// reference used up.
func TestSubmitRefusedStoresNothing(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	tests := []struct {
		name     string
		sub      func() casework.Submission
		in       casework.Intake
		letters  error
		code     apperr.Code
		wantFlds map[string]string
	}{
		{name: "received in the future", sub: func() casework.Submission { return webForm("Jan", "jan@example.nl", "utrecht") },
			in: casework.Intake{Channel: casework.Post, ReceivedAt: now.Add(time.Hour)}, code: apperr.Invalid,
			wantFlds: map[string]string{"received_at": "field.date_future"}},
		{name: "invalid e-mail", sub: func() casework.Submission { return webForm("Jan", "a@b", "utrecht") },
			in: web, code: apperr.Invalid, wantFlds: map[string]string{"requester.email": "field.email"}},
		{name: "branch missing with two branches", sub: func() casework.Submission { return webForm("Jan", "jan@example.nl", "") },
			in: web, code: apperr.Invalid, wantFlds: map[string]string{"branch": "field.choose"}},
		{name: "unknown branch", sub: func() casework.Submission { return webForm("Jan", "jan@example.nl", "rotterdam") },
			in: web, code: apperr.Invalid, wantFlds: map[string]string{"branch": "field.branch"}},
		{name: "no channel", sub: func() casework.Submission { return webForm("Jan", "jan@example.nl", "utrecht") },
			in: casework.Intake{}, code: apperr.Invalid, wantFlds: map[string]string{"channel": "field.choose"}},
		{name: "acknowledgement cannot be written", sub: func() casework.Submission { return webForm("Jan", "jan@example.nl", "utrecht") },
			in: web, letters: errors.New("template broken"), code: apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, now, "amsterdam", "utrecht")
			e.letters.err = tt.letters
			c, replayed, err := e.svc.Submit(t.Context(), tt.sub(), tt.in)
			ae := wantCode(t, err, tt.code)
			if tt.wantFlds != nil && !equalFields(ae.Fields, tt.wantFlds) {
				t.Errorf("fields = %v, want %v", ae.Fields, tt.wantFlds)
			}
			if c.Reference != "" || replayed {
				t.Errorf("Submit returned case %q, replayed %v with the error", c.Reference, replayed)
			}
			if cases, queued := e.counts(t); cases != 0 || queued != 0 {
				t.Errorf("after a refused submission: %d cases, %d queued mails; want none", cases, queued)
			}
			// The refused submission did not use up a reference.
			e.letters.err = nil
			if ok := e.submit(t, webForm("Jan", "jan@example.nl", "utrecht"), web); ok.Reference != "AVG-2026-0001" {
				t.Errorf("next reference = %s, want AVG-2026-0001", ok.Reference)
			}
		})
	}
}

func equalFields(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSubmitIdempotency(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	e := newEnv(t, now)
	sub := webForm("Jan de Vries", "jan@example.nl", "")
	sub.Details = "Graag een kopie van mijn dossier."
	in := casework.Intake{Channel: casework.Web, IdempotencyKey: "order-7f3a"}

	first, replayed, err := e.svc.Submit(t.Context(), sub, in)
	if err != nil || replayed {
		t.Fatalf("first Submit: replayed %v, err %v", replayed, err)
	}

	t.Run("same key and request replays", func(t *testing.T) {
		e.clock.Advance(time.Minute) // a client retrying a little later
		again, replayed, err := e.svc.Submit(t.Context(), sub, in)
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if !replayed || again.Reference != first.Reference || again.ID != first.ID {
			t.Errorf("replay = %s (replayed %v), want %s replayed", again.Reference, replayed, first.Reference)
		}
		if !again.Deadlines.Due.Equal(first.Deadlines.Due) || again.Requester != first.Requester {
			t.Errorf("replayed case %+v differs from the first %+v", again, first)
		}
	})
	t.Run("same key and request with other padding replays", func(t *testing.T) {
		padded := sub
		padded.Requester.Name, padded.Requester.Email = " Jan de Vries ", "JAN@example.nl"
		again, replayed, err := e.svc.Submit(t.Context(), padded, in)
		if err != nil || !replayed || again.Reference != first.Reference {
			t.Errorf("Submit = %s, replayed %v, err %v; want a replay of %s", again.Reference, replayed, err, first.Reference)
		}
	})
	t.Run("same key and another request conflicts", func(t *testing.T) {
		other := sub
		other.Details = "Iets anders."
		c, replayed, err := e.svc.Submit(t.Context(), other, in)
		wantCode(t, err, apperr.Conflict)
		if c.Reference != "" || replayed {
			t.Errorf("conflict returned case %q, replayed %v", c.Reference, replayed)
		}
	})
	t.Run("same key for a letter of another day conflicts", func(t *testing.T) {
		letter := in
		letter.Channel, letter.ReceivedAt = casework.Post, now.Add(-24*time.Hour)
		_, _, err := e.svc.Submit(t.Context(), sub, letter)
		wantCode(t, err, apperr.Conflict)
	})
	if cases, queued := e.counts(t); cases != 1 || queued != 1 {
		t.Errorf("after replays and conflicts: %d cases, %d mails; want 1, 1", cases, queued)
	}
	t.Run("another key files a new case", func(t *testing.T) {
		next, replayed, err := e.svc.Submit(t.Context(), sub, casework.Intake{Channel: casework.Web, IdempotencyKey: "order-7f3b"})
		if err != nil || replayed || next.Reference != "AVG-2026-0002" {
			t.Errorf("Submit = %s, replayed %v, err %v; want AVG-2026-0002", next.Reference, replayed, err)
		}
	})
}

// Two clients retrying the same request at once get one case between them.
func TestSubmitIdempotencyConcurrent(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC))
	sub := webForm("Jan de Vries", "jan@example.nl", "")
	in := casework.Intake{Channel: casework.Web, IdempotencyKey: "retry-storm"}
	const n = 8
	var wg sync.WaitGroup
	refs := make([]string, n)
	replays := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			var c casework.Case
			c, replays[i], errs[i] = e.svc.Submit(t.Context(), sub, in)
			refs[i] = c.Reference
		})
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Submit %d: %v", i, errs[i])
		}
		if refs[i] != "AVG-2026-0001" {
			t.Errorf("Submit %d: reference %q, want AVG-2026-0001", i, refs[i])
		}
		if !replays[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d submissions were not replays, want exactly 1", fresh)
	}
	if cases, queued := e.counts(t); cases != 1 || queued != 1 {
		t.Errorf("%d cases, %d mails; want 1, 1", cases, queued)
	}
}

func TestTrack(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	e := newEnv(t, now)
	c := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), web)
	other := e.submit(t, webForm("Piet Jansen", "piet@example.nl", ""), web)
	token := e.token(t, c.Reference)
	fresh, err := casework.NewToken()
	if err != nil {
		t.Fatal(err)
	}

	wrong := []struct {
		name, token string
	}{
		{"empty", ""},
		{"short", "abc"},
		{"one character short", token[:len(token)-1]},
		{"one character more", token + "A"},
		{"too long", strings.Repeat("A", 65)},
		{"well-formed but unknown", fresh},
		{"other case's token in upper case", strings.ToUpper(e.token(t, other.Reference))},
		{"hash of the token", casework.HashToken(token)},
	}
	for _, w := range wrong {
		t.Run("refused: "+w.name, func(t *testing.T) {
			got, _, err := e.svc.Track(t.Context(), w.token, "192.0.2.1")
			wantCode(t, err, apperr.NotFound)
			if got.Reference != "" {
				t.Errorf("Track returned %s with NotFound", got.Reference)
			}
		})
	}
	t.Run("wrong tokens confirm nothing", func(t *testing.T) {
		for _, ref := range []string{c.Reference, other.Reference} {
			got, err := e.svc.Case(t.Context(), casework.Actor{Scope: casework.Scope{All: true}}, ref)
			if err != nil || got.EmailConfirmedAt != nil {
				t.Errorf("%s: confirmed at %v, err %v; want unconfirmed", ref, got.EmailConfirmedAt, err)
			}
		}
	})

	e.clock.Advance(2 * time.Hour)
	confirmed := e.clock.Now()
	t.Run("right token confirms the address", func(t *testing.T) {
		got, _, err := e.svc.Track(t.Context(), token, "192.0.2.1")
		if err != nil {
			t.Fatalf("Track: %v", err)
		}
		if got.Reference != c.Reference || got.Requester.Name != "Jan de Vries" {
			t.Errorf("Track = %s (%s), want %s", got.Reference, got.Requester.Name, c.Reference)
		}
		if got.EmailConfirmedAt == nil || !got.EmailConfirmedAt.Equal(confirmed) {
			t.Errorf("EmailConfirmedAt = %v, want %v", got.EmailConfirmedAt, confirmed)
		}
		stored, err := e.svc.Case(t.Context(), casework.Actor{Scope: casework.Scope{All: true}}, c.Reference)
		if err != nil || stored.EmailConfirmedAt == nil || !stored.EmailConfirmedAt.Equal(confirmed) {
			t.Errorf("stored EmailConfirmedAt = %v (err %v), want %v", stored.EmailConfirmedAt, err, confirmed)
		}
		if o, _ := e.svc.Case(t.Context(), casework.Actor{Scope: casework.Scope{All: true}}, other.Reference); o.EmailConfirmedAt != nil {
			t.Errorf("the other case got confirmed too")
		}
	})
	t.Run("following the link again keeps the first confirmation", func(t *testing.T) {
		e.clock.Advance(24 * time.Hour)
		got, _, err := e.svc.Track(t.Context(), token, "192.0.2.1")
		if err != nil || got.EmailConfirmedAt == nil || !got.EmailConfirmedAt.Equal(confirmed) {
			t.Errorf("EmailConfirmedAt = %v (err %v), want still %v", got.EmailConfirmedAt, err, confirmed)
		}
	})
	t.Run("link expires", func(t *testing.T) {
		e.clock.Set(now.Add(casework.TrackingLinkValidity - time.Second))
		if _, _, err := e.svc.Track(t.Context(), token, "192.0.2.1"); err != nil {
			t.Errorf("Track just before expiry: %v", err)
		}
		e.clock.Set(now.Add(casework.TrackingLinkValidity))
		_, _, err := e.svc.Track(t.Context(), token, "192.0.2.1")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestListOrderAndPaging(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	// Letters registered in this order get references 0001..0007; their
	// due dates (receipt + 1 month, next working day) order them otherwise.
	received := []time.Time{
		time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC),   // 0001 due Fri 20 Nov
		time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC),    // 0002 due Tue 3 Nov
		time.Date(2026, 10, 20, 15, 0, 0, 0, time.UTC),  // 0003 due Fri 20 Nov
		time.Date(2026, 10, 24, 9, 0, 0, 0, time.UTC),   // 0004 due Tue 24 Nov
		time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),    // 0005 due Mon 2 Nov (1 Nov is a Sunday)
		time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), // 0006 received 1 Nov in Amsterdam, due Tue 1 Dec
		time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),   // 0007 due Mon 28 Dec
	}
	for i, at := range received {
		c := e.submit(t, webForm("Klant "+string(rune('A'+i)), "klant@example.nl", ""), casework.Intake{Channel: casework.Post, ReceivedAt: at})
		if want := casework.FormatReference(2026, i+1); c.Reference != want {
			t.Fatalf("reference %s, want %s", c.Reference, want)
		}
	}
	all := []string{"AVG-2026-0005", "AVG-2026-0002", "AVG-2026-0001", "AVG-2026-0003", "AVG-2026-0004", "AVG-2026-0006", "AVG-2026-0007"}

	t.Run("pages of three", func(t *testing.T) {
		var pages [][]string
		q := casework.Query{Limit: 3}
		for {
			page, err := e.svc.List(t.Context(), q, casework.Scope{All: true})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			pages = append(pages, refsOf(page.Cases))
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		want := [][]string{all[0:3], all[3:6], all[6:]}
		if !slices.EqualFunc(pages, want, slices.Equal) {
			t.Errorf("pages = %v, want %v", pages, want)
		}
	})
	tests := []struct {
		name string
		q    casework.Query
		want []string
	}{
		{name: "default limit", q: casework.Query{}, want: all},
		{name: "limit above the cap", q: casework.Query{Limit: 10_000}, want: all},
		{name: "page of one", q: casework.Query{Limit: 1}, want: all},
		{name: "exact fit", q: casework.Query{Limit: 7}, want: all},
		{name: "overdue on 25 November", q: casework.Query{Limit: 2, Overdue: true}, want: all[:5]},
		{name: "due before 24 November", q: casework.Query{Limit: 2, DueBefore: day(2026, 11, 24)}, want: all[:4]},
		{name: "status received", q: casework.Query{Status: casework.Received}, want: all},
		{name: "status completed", q: casework.Query{Status: casework.Completed}},
		{name: "type access", q: casework.Query{Type: casework.Access}, want: all},
		{name: "type erasure", q: casework.Query{Type: casework.Erasure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refsOf(e.list(t, tt.q, casework.Scope{All: true})); !slices.Equal(got, tt.want) {
				t.Errorf("list = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("exact fit has no next page", func(t *testing.T) {
		page, err := e.svc.List(t.Context(), casework.Query{Limit: 7}, casework.Scope{All: true})
		if err != nil || len(page.Cases) != 7 || page.Next != "" {
			t.Errorf("List limit 7 = %d cases, next %q, err %v; want 7 and no next page", len(page.Cases), page.Next, err)
		}
	})
	t.Run("tampered cursor", func(t *testing.T) {
		_, err := e.svc.List(t.Context(), casework.Query{Limit: 3, Cursor: "not a cursor"}, casework.Scope{All: true})
		if ae := wantCode(t, err, apperr.Invalid); ae.Fields["cursor"] == "" {
			t.Errorf("fields = %v, want cursor", ae.Fields)
		}
	})
}

func TestScope(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC), "amsterdam", "utrecht")
	ams := e.submit(t, webForm("Anna Alfa", "anna@example.nl", "amsterdam"), web)
	utr := e.submit(t, webForm("Bert Beta", "bert@example.nl", "utrecht"), web)
	if ams.Branch != "amsterdam" || utr.Branch != "utrecht" {
		t.Fatalf("branches = %q, %q", ams.Branch, utr.Branch)
	}
	tests := []struct {
		name    string
		scope   casework.Scope
		visible []string
	}{
		{name: "owner sees all", scope: casework.Scope{All: true}, visible: []string{ams.Reference, utr.Reference}},
		{name: "officer of utrecht", scope: casework.Scope{Branches: []string{"utrecht"}}, visible: []string{utr.Reference}},
		{name: "officer of amsterdam", scope: casework.Scope{Branches: []string{"amsterdam"}}, visible: []string{ams.Reference}},
		{name: "officer of both", scope: casework.Scope{Branches: []string{"amsterdam", "utrecht"}}, visible: []string{ams.Reference, utr.Reference}},
		{name: "officer of an unknown branch", scope: casework.Scope{Branches: []string{"rotterdam"}}},
		{name: "officer without branches", scope: casework.Scope{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ref := range []string{ams.Reference, utr.Reference} {
				got, err := e.svc.Case(t.Context(), casework.Actor{Scope: tt.scope}, ref)
				if slices.Contains(tt.visible, ref) {
					if err != nil || got.Reference != ref {
						t.Errorf("Case(%s) = %q, %v; want it", ref, got.Reference, err)
					}
					continue
				}
				wantCode(t, err, apperr.NotFound)
				if got.Reference != "" || got.Requester.Name != "" {
					t.Errorf("Case(%s) returned data with NotFound: %+v", ref, got)
				}
			}
			if got := refsOf(e.list(t, casework.Query{}, tt.scope)); !slices.Equal(got, tt.visible) {
				t.Errorf("List = %v, want %v", got, tt.visible)
			}
			// Searching for a hidden case finds nothing either.
			for _, text := range []string{ams.Reference, "Anna Alfa"} {
				found := refsOf(e.list(t, casework.Query{Text: text}, tt.scope))
				if wantAms := slices.Contains(tt.visible, ams.Reference); wantAms != slices.Contains(found, ams.Reference) {
					t.Errorf("search %q = %v; visible %v", text, found, tt.visible)
				}
			}
		})
	}
	t.Run("single branch is implied", func(t *testing.T) {
		one := newEnv(t, time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC), "utrecht")
		c := one.submit(t, webForm("Anna Alfa", "anna@example.nl", ""), web)
		if c.Branch != "utrecht" {
			t.Errorf("branch = %q, want utrecht", c.Branch)
		}
		if _, err := one.svc.Case(t.Context(), casework.Actor{Scope: casework.Scope{Branches: []string{"utrecht"}}}, c.Reference); err != nil {
			t.Errorf("officer of the only branch: %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC))
	own := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), web)
	child := webForm("Maria Jansen", "maria@example.nl", "")
	child.Requester.Relation = casework.Parent
	child.Subject.Name, child.Subject.BirthDate = "Sanne Jansen", "2015-03-14"
	parent := e.submit(t, child, web)
	e.submit(t, webForm("Jan de Vries-Bakker", "jdvb@example.nl", ""), web)

	tests := []struct {
		text string
		want []string
	}{
		{"Jan de Vries", []string{own.Reference}},
		{"  jan   DE vries ", []string{own.Reference}},
		{"JAN DE VRIES", []string{own.Reference}},
		{"Sanne Jansen", []string{parent.Reference}}, // the data subject
		{"maria jansen", []string{parent.Reference}}, // the requester
		{"Jan", nil}, // full names only
		{"de Vries", nil},
		{"jan@example.nl", nil}, // e-mail addresses are not indexed
		{own.Reference, []string{own.Reference}},
		{strings.ToLower(parent.Reference), []string{parent.Reference}},
		{" " + parent.Reference + " ", []string{parent.Reference}},
		{"AVG-2026-0099", nil},
		{"AVG-2026-000", nil}, // no prefix match on references
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := refsOf(e.list(t, casework.Query{Text: tt.text}, casework.Scope{All: true})); !slices.Equal(got, tt.want) {
				t.Errorf("search %q = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
