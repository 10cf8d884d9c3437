package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// TestRegisterSeededAtStart: a practice set up before the register of
// processing activities existed (its settings stored, no register) gets its
// country's template when the portal starts, once: the next start leaves an
// owner's changes alone. A practice set with "avgloket practice set" gets
// it at once.
func TestRegisterSeededAtStart(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	st := openData(t, data)
	p := practice.Defaults()
	p.Name, p.Address, p.KvK, p.PrivacyEmail, p.Country = "Praktijk Zuid", "Kerkstraat 1, 9000 Gent", "0123456789", "privacy@zuid.example", practice.Belgium
	if err := st.SaveSettings(context.Background(), p, time.Now()); err != nil {
		t.Fatal(err)
	}
	if acts, _ := st.Activities(context.Background()); len(acts) != 0 {
		t.Fatalf("register before the start: %d activities", len(acts))
	}
	st.Close()

	keys := func(acts []register.Activity) []string {
		var out []string
		for _, a := range acts {
			out = append(out, a.Key)
		}
		return out
	}
	app := startApp(t, appOptions{dataDir: data})
	acts, err := app.store.Activities(context.Background())
	if err != nil || !slices.Equal(keys(acts), keys(register.Template(practice.Belgium))) {
		t.Fatalf("after the first start: %v, %v", keys(acts), err)
	}
	if err := app.stop(t); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	st = openData(t, data)
	news, err := st.Activity(context.Background(), register.KeyNewsletter)
	if err != nil {
		t.Fatal(err)
	}
	news.Purpose = "Geen nieuwsbrief meer."
	if _, err := st.UpdateActivity(context.Background(), register.KeyNewsletter, news, audit.Entry{At: time.Now(), Actor: audit.System}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	again := startApp(t, appOptions{dataDir: data})
	acts, err = again.store.Activities(context.Background())
	if err != nil || len(acts) != len(register.Template(practice.Belgium)) {
		t.Fatalf("after the second start: %v, %v", keys(acts), err)
	}
	if got, _ := again.store.Activity(context.Background(), register.KeyNewsletter); got.Purpose != "Geen nieuwsbrief meer." {
		t.Errorf("the second start replaced the owner's text: %q", got.Purpose)
	}

	// practice set on a fresh install.
	fresh := filepath.Join(t.TempDir(), "data")
	mustRun(t, map[string]string{"AVGLOKET_DATA_DIR": fresh}, "practice", "set", "--name", "Praktijk Noord", "--address", "Dorpsstraat 1, 9711 AA Groningen",
		"--kvk", "12345678", "--privacy-email", "privacy@noord.example")
	if acts, err := openData(t, fresh).Activities(context.Background()); err != nil ||
		!slices.Equal(keys(acts), keys(register.Template(practice.Netherlands))) {
		t.Errorf("after practice set: %v, %v", keys(acts), err)
	}
}
