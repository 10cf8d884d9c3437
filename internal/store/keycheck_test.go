package store

import (
	"bytes"
	"database/sql"
	"errors"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// otherKeys is a key ring that has never sealed anything in the test's
// database.
func otherKeys(tb testing.TB) *vault.KeyRing {
	tb.Helper()
	k, err := vault.LoadOrCreate(filepath.Join(tb.TempDir(), "other-keys.json"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// rawDB is a connection of the test's own to the test's database, past
// any store; gorm writes each dialect's placeholders.
func rawDB(tb testing.TB, env *testEnv) *gorm.DB {
	tb.Helper()
	var (
		raw   *gorm.DB
		sqlDB *sql.DB
		err   error
	)
	if dbtest.OnPostgres() {
		raw, sqlDB, err = openPostgresPool(env.target, false)
	} else {
		raw, sqlDB, err = openPool(DSN(env.dbPath))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sqlDB.Close() })
	return raw
}

// rawMigrations is goose over raw, on the test's dialect.
func rawMigrations(tb testing.TB, raw *gorm.DB) *goose.Provider {
	tb.Helper()
	d := migrations.SQLite
	if dbtest.OnPostgres() {
		d = migrations.Postgres
	}
	sqlDB, err := raw.DB()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := migrationProvider(d, sqlDB, false)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// keyCheckValue is the database's check value as stored, nil if none.
func keyCheckValue(tb testing.TB, raw *gorm.DB) []byte {
	tb.Helper()
	var blob []byte
	err := raw.Raw("SELECT value FROM key_check WHERE id = 1").Row().Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return blob
}

// appliedVersions lists the versions goose recorded.
func appliedVersions(tb testing.TB, raw *gorm.DB) []int64 {
	tb.Helper()
	var out []int64
	if err := raw.Raw("SELECT version_id FROM goose_db_version ORDER BY id").Scan(&out).Error; err != nil {
		tb.Fatal(err)
	}
	return out
}

// The first Open seals the check value; the same keys open the database
// again, other keys are refused with ErrKeyMismatch and nothing changes.
func TestKeyCheckRefusesAnotherKeyFile(t *testing.T) {
	env := newTestStore(t)
	seedSealed(t, env.s)
	env.s.Close()
	raw := rawDB(t, env)
	first := keyCheckValue(t, raw)
	if first == nil {
		t.Fatal("Open sealed no check value")
	}
	if pt, err := env.keys.Open(first, vault.AAD("key_check", "value", "1")); err != nil || !bytes.Equal(pt, keyCheckText) {
		t.Fatalf("the check value opens as %q, %v", pt, err)
	}
	versions := appliedVersions(t, raw)

	s := openStore(t, env.target, env.keys)
	if err := s.CheckKey(t.Context()); err != nil {
		t.Errorf("CheckKey with the database's own keys: %v", err)
	}
	s.Close()

	_, err := Open(t.Context(), env.target, otherKeys(t), slog.New(slog.DiscardHandler))
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Open with another key file: %v, want ErrKeyMismatch", err)
	}
	if !bytes.Equal(keyCheckValue(t, raw), first) || !slices.Equal(appliedVersions(t, raw), versions) {
		t.Error("the refused Open changed the check value or the migrations")
	}
}

// A database from before the check value (migration 0038) that holds
// sealed values gets its check value only from keys that open them.
func TestKeyCheckOnADatabaseWithoutOne(t *testing.T) {
	env := newTestStore(t)
	seedSealed(t, env.s)
	env.s.Close()
	raw := rawDB(t, env)
	if _, err := rawMigrations(t, raw).DownTo(t.Context(), keyCheckVersion-1); err != nil {
		t.Fatalf("down: %v", err)
	}

	_, err := Open(t.Context(), env.target, otherKeys(t), slog.New(slog.DiscardHandler))
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Open with another key file: %v, want ErrKeyMismatch", err)
	}
	if keyCheckValue(t, raw) != nil {
		t.Fatal("another key file sealed a check value")
	}

	s := openStore(t, env.target, env.keys)
	if err := s.CheckKey(t.Context()); err != nil {
		t.Errorf("CheckKey after the upgrade: %v", err)
	}
}

// Two instances starting at once on a database without a check value
// agree on one.
func TestKeyCheckSealedOnceByConcurrentOpens(t *testing.T) {
	env := newTestStore(t)
	env.s.Close()
	raw := rawDB(t, env)
	for range 5 {
		if err := raw.Exec("DELETE FROM key_check").Error; err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				s, err := Open(t.Context(), env.target, env.keys, slog.New(slog.DiscardHandler))
				if err == nil {
					err = s.CheckKey(t.Context())
					s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
		var n int
		if err := raw.Raw("SELECT count(*) FROM key_check").Row().Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d check values, %v", n, err)
		}
	}
}

// CheckKey fails once the check value is one the ring cannot open, as
// when the key file changed under a running portal.
func TestCheckKey(t *testing.T) {
	env := newTestStore(t)
	if err := env.s.CheckKey(t.Context()); err != nil {
		t.Fatalf("CheckKey: %v", err)
	}
	foreign, err := otherKeys(t).Seal(keyCheckText, keyCheckAAD())
	if err != nil {
		t.Fatal(err)
	}
	if err := rawDB(t, env).Exec("UPDATE key_check SET value = ?", foreign).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.s.CheckKey(t.Context()); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("CheckKey with a foreign check value: %v, want ErrKeyMismatch", err)
	}
}

// MigrationsPending is false after Open and true once the last migration
// is rolled back.
func TestMigrationsPending(t *testing.T) {
	env := newTestStore(t)
	if pending, err := env.s.MigrationsPending(t.Context()); err != nil || pending {
		t.Fatalf("MigrationsPending after Open = %v, %v", pending, err)
	}
	if _, err := rawMigrations(t, rawDB(t, env)).Down(t.Context()); err != nil {
		t.Fatalf("down: %v", err)
	}
	if pending, err := env.s.MigrationsPending(t.Context()); err != nil || !pending {
		t.Errorf("MigrationsPending after a rollback = %v, %v", pending, err)
	}
}

// CountSealedVersions counts every sealed value once, under the version
// its header names, before and after a rotation and rewrap; a value that is
// not a vault blob counts as unreadable.
func TestCountSealedVersions(t *testing.T) {
	env := newTestStore(t)
	seedSealed(t, env.s)
	want := func(snap map[string]sealedValue) map[uint32]int64 {
		out := map[uint32]int64{}
		for _, v := range snap {
			out[v.version]++
		}
		return out
	}
	check := func(what string, wantSealed map[uint32]int64, wantUnreadable int64) {
		t.Helper()
		got, err := env.s.CountSealedVersions(t.Context())
		if err != nil {
			t.Fatalf("%s: CountSealedVersions: %v", what, err)
		}
		if !maps.Equal(got.Sealed, wantSealed) || got.Unreadable != wantUnreadable {
			t.Errorf("%s: counted %v and %d unreadable, want %v and %d", what, got.Sealed, got.Unreadable, wantSealed, wantUnreadable)
		}
	}
	before := want(sealedSnapshot(t, env.s))
	if len(before) != 1 || before[1] < int64(len(SealedColumns())) {
		t.Fatalf("the seed holds %v", before)
	}
	check("after the seed", before, 0)

	if _, err := env.keys.Rotate(filepath.Join(env.dir, "keys", "keys.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.s.RewrapSealed(t.Context(), 7); err != nil {
		t.Fatal(err)
	}
	check("after the rewrap", map[uint32]int64{2: before[1]}, 0)

	if err := rawDB(t, env).Exec("UPDATE info_requests SET answer = ?", []byte{0x00, 0xff}).Error; err != nil {
		t.Fatal(err)
	}
	check("with a damaged value", map[uint32]int64{2: before[1] - 1}, 1)
}

// BenchmarkReadiness measures what one /readyz costs the database, check by
// check, beside Ping (what /healthz costs).
func BenchmarkReadiness(b *testing.B) {
	env := newTestStore(b)
	for _, bb := range []struct {
		name string
		fn   func() error
	}{
		{"Ping", func() error { return env.s.Ping(b.Context()) }},
		{"MigrationsPending", func() error { _, err := env.s.MigrationsPending(b.Context()); return err }},
		{"CheckKey", func() error { return env.s.CheckKey(b.Context()) }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if err := bb.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
