package store

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/migrations"
)

var cacheWho = audit.Entry{At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Actor: audit.Staff(1), Address: "192.0.2.7"}

// Settings, branches and the SMTP server are read from memory after the
// first read; each change through the store is seen by the very next read.
func TestPracticeCacheSeesChangeAtOnce(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	p := practice.Defaults()
	p.Name = "Praktijk De Linde"
	if err := s.SaveSettings(ctx, p, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	// Read once each, so the cache holds them.
	if got, err := s.Settings(ctx); err != nil || got.Name != p.Name {
		t.Fatalf("Settings: %q, %v; want %q", got.Name, err, p.Name)
	}
	if got, err := s.Branches(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Branches: %v, %v; want none", got, err)
	}
	if got, err := s.MailSettings(ctx); err != nil || got.Configured() {
		t.Fatalf("MailSettings: %+v, %v; want none", got, err)
	}

	steps := []struct {
		name  string
		write func() error
		check func(t *testing.T)
	}{
		{"SaveSettingsAudited", func() error {
			p.Name = "Praktijk De Eik"
			return s.SaveSettingsAudited(ctx, p, cacheWho)
		}, func(t *testing.T) {
			if got, err := s.Settings(ctx); err != nil || got.Name != "Praktijk De Eik" {
				t.Errorf("Settings: %q, %v; want the new name", got.Name, err)
			}
		}},
		{"SaveSettings", func() error {
			p.ExtraDays = []deadline.Date{{Year: 2026, Month: time.December, Day: 24}}
			return s.SaveSettings(ctx, p, cacheWho.At)
		}, func(t *testing.T) {
			if got, err := s.Settings(ctx); err != nil || !slices.Equal(got.ExtraDays, p.ExtraDays) {
				t.Errorf("Settings: extra days %v, %v; want %v", got.ExtraDays, err, p.ExtraDays)
			}
		}},
		{"AddBranch", func() error {
			_, err := s.AddBranch(ctx, practice.Branch{Code: "utrecht", Name: "Utrecht"}, cacheWho.At)
			return err
		}, func(t *testing.T) {
			if got := branchCodes(t, s); !slices.Equal(got, []string{"utrecht"}) {
				t.Errorf("Branches: %v; want [utrecht]", got)
			}
		}},
		{"AddBranchAudited", func() error {
			_, err := s.AddBranchAudited(ctx, practice.Branch{Code: "amsterdam", Name: "Amsterdam"}, cacheWho)
			return err
		}, func(t *testing.T) {
			if got := branchCodes(t, s); !slices.Equal(got, []string{"amsterdam", "utrecht"}) {
				t.Errorf("Branches: %v; want [amsterdam utrecht]", got)
			}
		}},
		{"SaveMailSettingsAudited", func() error {
			return s.SaveMailSettingsAudited(ctx, mail.Settings{Host: "smtp.delinde.example", Port: 587,
				From: "noreply@delinde.example", Security: mail.SecuritySTARTTLS}, cacheWho)
		}, func(t *testing.T) {
			if got, err := s.MailSettings(ctx); err != nil || got.Host != "smtp.delinde.example" {
				t.Errorf("MailSettings: %+v, %v; want the new server", got, err)
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.write(); err != nil {
				t.Fatal(err)
			}
			st.check(t)
		})
	}
}

// A write whose transaction rolls back leaves nothing in the cache: the
// settings saved inside it are not what the next read returns, and the
// read after that still is the stored value (nothing cached from the failed
// write).
func TestPracticeCacheFailedWriteDoesNotPoison(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	p := practice.Defaults()
	p.Name = "Praktijk De Linde"
	if err := s.SaveSettingsAudited(ctx, p, cacheWho); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBranchAudited(ctx, practice.Branch{Code: "utrecht", Name: "Utrecht"}, cacheWho); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	// The audit entry, written after the row in the same transaction, fails.
	if s.dialect == migrations.Postgres {
		rawExec(t, s, `CREATE FUNCTION test_audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`)
		rawExec(t, s, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_audit_fails()`)
	} else {
		rawExec(t, s, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`)
	}
	changed := p
	changed.Name = "Praktijk Die Niet Bestaat"
	if err := s.SaveSettingsAudited(ctx, changed, cacheWho); err == nil {
		t.Fatal("SaveSettingsAudited succeeded with a failing audit trail")
	}
	if _, err := s.AddBranchAudited(ctx, practice.Branch{Code: "zwolle", Name: "Zwolle"}, cacheWho); err == nil {
		t.Fatal("AddBranchAudited succeeded with a failing audit trail")
	}
	if err := s.SaveMailSettingsAudited(ctx, mail.Settings{Host: "smtp.elders.example", Port: 25}, cacheWho); err == nil {
		t.Fatal("SaveMailSettingsAudited succeeded with a failing audit trail")
	}
	for range 2 {
		if got, err := s.Settings(ctx); err != nil || got.Name != p.Name {
			t.Errorf("Settings after a failed save: %q, %v; want %q", got.Name, err, p.Name)
		}
		if got := branchCodes(t, s); !slices.Equal(got, []string{"utrecht"}) {
			t.Errorf("Branches after a failed add: %v; want [utrecht]", got)
		}
		if got, err := s.MailSettings(ctx); err != nil || got.Configured() {
			t.Errorf("MailSettings after a failed save: %+v, %v; want none", got, err)
		}
	}
}

// A caller that changes the slices it was given does not change what the
// next caller reads.
func TestPracticeCacheHandsOutCopies(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	p := practice.Defaults()
	p.FrameOrigins = []string{"https://www.delinde.example"}
	if err := s.SaveSettings(ctx, p, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBranch(ctx, practice.Branch{Code: "utrecht", Name: "Utrecht"}, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	first, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first.FrameOrigins[0] = "https://kwaad.example"
	branches, err := s.Branches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	branches[0].Code = "kwaad"
	if got, _ := s.Settings(ctx); got.FrameOrigins[0] != "https://www.delinde.example" {
		t.Errorf("FrameOrigins = %v after a caller changed its copy", got.FrameOrigins)
	}
	if got := branchCodes(t, s); !slices.Equal(got, []string{"utrecht"}) {
		t.Errorf("Branches = %v after a caller changed its copy", got)
	}
}

// A load that began before an invalidation read the old rows: it is
// answered, but not kept, so the next read loads again.
func TestCachedDropsLoadOverlappingInvalidate(t *testing.T) {
	var c cached[string]
	same := func(v string) string { return v }
	got, err := c.get(func() (string, error) {
		c.invalidate() // a write committed while this load read the old row
		return "old", nil
	}, same)
	if err != nil || got != "old" {
		t.Fatalf("get = %q, %v; want the loaded value", got, err)
	}
	if got, _ := c.get(func() (string, error) { return "new", nil }, same); got != "new" {
		t.Errorf("after an overlapping invalidate: %q, want the value loaded again", got)
	}
	if got, _ := c.get(func() (string, error) { return "unused", nil }, same); got != "new" {
		t.Errorf("cached value: %q, want %q", got, "new")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if _, err := c.get(func() (string, error) { return "new", nil }, same); err != nil {
					t.Error(err)
				}
				c.invalidate()
			}
		})
	}
	wg.Wait()
}

func branchCodes(t *testing.T, s *Store) []string {
	t.Helper()
	bs, err := s.Branches(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.Code)
	}
	return out
}

// A new case finds its branch's id in the cache when the branches are
// there, and only then: the write transaction never loads them itself.
func TestPracticeCacheBranchID(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	b, err := s.AddBranch(ctx, practice.Branch{Code: "utrecht", Name: "Utrecht"}, cacheWho.At)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cache.branchID("utrecht"); ok {
		t.Fatal("branch id found before the branches were read")
	}
	branchCodes(t, s)
	if id, ok := s.cache.branchID("utrecht"); !ok || id != b.ID {
		t.Errorf("branchID = %d, %v; want %d", id, ok, b.ID)
	}
	if _, ok := s.cache.branchID("zwolle"); ok {
		t.Error("an unknown code has an id")
	}
}

// Another process on the same database — `avgloket practice set` or
// `branch add` while the portal runs, or a second portal — changes what
// this one holds in memory: the very next read sees it.
func TestPracticeCacheSeesOtherProcess(t *testing.T) {
	env := newTestStore(t)
	portal, ctx := env.s, t.Context()
	other := openStore(t, env.target, env.keys)
	p := practice.Defaults()
	p.Name = "Praktijk De Linde"
	if err := portal.SaveSettings(ctx, p, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	if got, err := portal.Settings(ctx); err != nil || got.Name != p.Name {
		t.Fatalf("Settings: %q, %v; want %q", got.Name, err, p.Name)
	}
	if got := branchCodes(t, portal); len(got) != 0 {
		t.Fatalf("branches %v, want none", got)
	}
	if got, err := portal.MailSettings(ctx); err != nil || got.Configured() {
		t.Fatalf("MailSettings: %+v, %v; want none", got, err)
	}

	p.Name = "Praktijk De Eik"
	if err := other.SaveSettings(ctx, p, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	if got, err := portal.Settings(ctx); err != nil || got.Name != "Praktijk De Eik" {
		t.Errorf("after another process saved: Settings %q, %v; want the new name", got.Name, err)
	}
	if _, err := other.AddBranch(ctx, practice.Branch{Code: "zwolle", Name: "Zwolle"}, cacheWho.At); err != nil {
		t.Fatal(err)
	}
	if got := branchCodes(t, portal); !slices.Equal(got, []string{"zwolle"}) {
		t.Errorf("after another process added a branch: %v, want [zwolle]", got)
	}
	m := mail.Settings{Host: "smtp.praktijk.example", Port: 587, From: "privacy@praktijk.example", Security: mail.SecuritySTARTTLS}
	if err := other.SaveMailSettingsAudited(ctx, m, cacheWho); err != nil {
		t.Fatal(err)
	}
	if got, err := portal.MailSettings(ctx); err != nil || got.Host != m.Host {
		t.Errorf("after another process set the mail server: %+v, %v; want host %s", got, err, m.Host)
	}
}
