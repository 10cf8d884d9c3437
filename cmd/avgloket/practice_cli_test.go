package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/practice"
)

// practice set and practice show keep and tell the practice without the
// setup page (API.md, "Command line"), checked by the settings page's rules.
func TestCLIPractice(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}

	// Not set up yet: a Dutch practice without a name.
	const fresh = `{"name":"","country":"NL","time_zone":"Europe/Amsterdam","calendar":"NL",` +
		`"authority":{"code":"AP","name":"Autoriteit Persoonsgegevens","url":"https://www.autoriteitpersoonsgegevens.nl"}}`
	if out := mustRun(t, envs, "practice", "show"); strings.TrimSpace(out) != fresh {
		t.Errorf("practice show before setup:\n got %s\nwant %s", out, fresh)
	}

	// A set that leaves the practice incomplete names what is missing and
	// stores nothing.
	mustFail(t, envs, []string{"practice set", "not set up", "--address is required", "--kvk is required", "--privacy-email is required"},
		"practice", "set", "--name", "Praktijk Zuid", "--country", "BE")
	if out := mustRun(t, envs, "practice", "show"); strings.TrimSpace(out) != fresh {
		t.Errorf("a refused set changed the practice:\n%s", out)
	}
	mustFail(t, envs, []string{"practice set", "nothing to set"}, "practice", "set")
	mustFail(t, envs, []string{"--country must be NL or BE"},
		"practice", "set", "--name", "Praktijk Zuid", "--address", "Kerkstraat 1, 9000 Gent", "--kvk", "0123456789",
		"--privacy-email", "privacy@zuid.example", "--country", "FR")
	// A Dutch KvK number does not pass for a Belgian practice.
	mustFail(t, envs, []string{"--kvk is not"},
		"practice", "set", "--name", "Praktijk Zuid", "--address", "Kerkstraat 1, 9000 Gent", "--kvk", "12345678",
		"--privacy-email", "privacy@zuid.example", "--country", "BE")

	// Complete: a Belgian practice, whose calendar and time zone follow its
	// country, and whose authority is the GBA.
	const zuid = `{"name":"Praktijk Zuid","country":"BE","time_zone":"Europe/Brussels","calendar":"BE",` +
		`"authority":{"code":"GBA","name":"Gegevensbeschermingsautoriteit","url":"https://www.gegevensbeschermingsautoriteit.be"}}`
	out := mustRun(t, envs, "practice", "set", "--name", "  Praktijk Zuid ", "--address", "Kerkstraat 1, 9000 Gent",
		"--kvk", "0123.456.789", "--privacy-email", "Privacy@Zuid.example", "--country", "be")
	if strings.TrimSpace(out) != zuid {
		t.Errorf("practice set printed\n%s\nwant %s", out, zuid)
	}
	if out := mustRun(t, envs, "practice", "show"); strings.TrimSpace(out) != zuid {
		t.Errorf("practice show:\n got %s\nwant %s", out, zuid)
	}
	st := openData(t, data)
	s, err := st.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.KvK != "0123456789" || s.PrivacyEmail != "privacy@zuid.example" || s.Address != "Kerkstraat 1, 9000 Gent" || !s.Configured ||
		s.CaseRetentionDays != practice.DefaultCaseRetentionDays || !s.IdentityPause {
		t.Errorf("stored settings %+v", s)
	}
	entries, err := st.AuditEntries(context.Background(), "", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var changes []audit.Entry
	for _, e := range entries {
		if e.Action == audit.SettingsUpdate {
			changes = append(changes, e)
		}
	}
	if len(changes) != 1 || changes[0].Actor != audit.System {
		t.Errorf("audit entries of the change: %+v, want one by the system", changes)
	}

	// A configured practice takes one change at a time; a calendar set apart
	// from the country stays apart.
	out = mustRun(t, envs, "practice", "set", "--country", "NL", "--kvk", "12345678", "--time-zone", "Europe/Amsterdam")
	if !strings.Contains(out, `"country":"NL","time_zone":"Europe/Amsterdam","calendar":"NL"`) || !strings.Contains(out, `"code":"AP"`) {
		t.Errorf("after moving to NL: %s", out)
	}
	mustRun(t, envs, "practice", "set", "--calendar", "BE")
	out = mustRun(t, envs, "practice", "set", "--country", "NL", "--name", "Praktijk Noord")
	if !strings.Contains(out, `"name":"Praktijk Noord","country":"NL","time_zone":"Europe/Amsterdam","calendar":"BE"`) {
		t.Errorf("a calendar set apart from the country followed it: %s", out)
	}
	mustFail(t, envs, []string{"--time-zone is not a time zone"}, "practice", "set", "--time-zone", "Mars/Olympus")
	mustFail(t, envs, []string{"--privacy-email is not an e-mail address"}, "practice", "set", "--privacy-email", "nobody")
	mustFail(t, envs, []string{"--name is required"}, "practice", "set", "--name", " ")
	mustFail(t, envs, []string{"practice show", "unexpected argument"}, "practice", "show", "extra")
}

// practice show prints exactly what GET /api/v1/practice answers.
func TestCLIPracticeShowIsTheAPIAnswer(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustRun(t, envs, "practice", "set", "--name", "Praktijk Zuid", "--address", "Kerkstraat 1, 9000 Gent",
		"--kvk", "0123456789", "--privacy-email", "privacy@zuid.example", "--country", "BE")
	mustRun(t, envs, "user", "add", "--email", "officer@zuid.example", "--name", "Test Officer", "--role", "officer")
	token := lastLine(mustRun(t, envs, "token", "add", "--email", "officer@zuid.example"))
	shown := mustRun(t, envs, "practice", "show")

	app := startApp(t, appOptions{dataDir: data})
	req, err := http.NewRequest(http.MethodGet, app.URL+"/api/v1/practice", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != strings.TrimSpace(shown) {
		t.Errorf("GET /api/v1/practice: %d %s\npractice show: %s", res.StatusCode, body, shown)
	}
}
