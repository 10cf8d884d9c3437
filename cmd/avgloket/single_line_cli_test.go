package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// practice set and user add refuse a name with a line break, as the pages
// do, and store nothing: the name would add a header to every mail.
func TestCLIRefusesControlCharactersInNames(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	set := []string{"practice", "set", "--address", "Straat 1, 3511 AA Utrecht", "--kvk", "12345678",
		"--privacy-email", "privacy@praktijk.example", "--country", "NL"}
	mustRun(t, envs, append(set, "--name", "Praktijk Test")...)

	mustFail(t, envs, []string{"practice set", "--name must be a single line"},
		"practice", "set", "--name", "Praktijk Test\r\nBcc: x@evil.example")
	if out := mustRun(t, envs, "practice", "show"); !strings.Contains(out, `"name":"Praktijk Test"`) {
		t.Errorf("a refused name changed the practice:\n%s", out)
	}
	mustFail(t, envs, []string{"user add", "--name must be a single line"},
		"user", "add", "--email", "nieuw@praktijk.example", "--name", "Test Nieuw\r\nBcc: x@evil.example", "--role", "officer")
	members, err := openData(t, data).Members(t.Context())
	if err != nil || len(members) != 0 {
		t.Errorf("members after a refused user add: %v (err %v)", members, err)
	}
}
