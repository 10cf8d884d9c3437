package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateCreatesPrivateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	path := filepath.Join(dir, "keys.json")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("file mode 0600", func(t *testing.T) {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Fatalf("key file mode = %#o, want 0600", perm)
		}
	})
	t.Run("folder mode 0700", func(t *testing.T) {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o700 {
			t.Fatalf("key folder mode = %#o, want 0700", perm)
		}
	})
	t.Run("no temporary files left", func(t *testing.T) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Fatalf("key folder holds %d entries, want only keys.json", len(entries))
		}
	})
	t.Run("format", func(t *testing.T) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f keyFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if f.Current != 1 || len(f.Keys) != 1 || f.Keys["1"] == "" || f.IndexKey == "" {
			t.Fatalf("unexpected key file shape: current %d, %d keys", f.Current, len(f.Keys))
		}
		if f.Keys["1"] == f.IndexKey {
			t.Fatal("index key equals the KEK")
		}
	})
	t.Run("reload gives the same keys", func(t *testing.T) {
		aad := AAD("cases", "requester", "1")
		blob := mustSeal(t, k, []byte("x"), aad)
		k2, err := LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		mustOpen(t, k2, blob, aad, []byte("x"))
	})
}

func TestLoadOrCreateConcurrentCreation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	const n = 16
	rings := make([]*KeyRing, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { rings[i], errs[i] = LoadOrCreate(path) })
	}
	wg.Wait()
	aad := AAD("t", "c", "1")
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("LoadOrCreate %d: %v", i, errs[i])
		}
	}
	// Whoever won, everyone must hold the keys that are on disk.
	onDisk, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range rings {
		blob := mustSeal(t, k, []byte("x"), aad)
		if _, err := onDisk.Open(blob, aad); err != nil {
			t.Errorf("ring %d holds keys that are not in the key file", i)
		}
	}
}

func TestLoadRefusesWidePermissions(t *testing.T) {
	_, path := newRing(t)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666, 0o601} {
		t.Run(mode.String(), func(t *testing.T) {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadOrCreate(path); err == nil || !strings.Contains(err.Error(), "permissions") {
				t.Fatalf("LoadOrCreate of a %#o key file: err = %v, want a permissions error", mode, err)
			}
		})
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		t.Run(mode.String(), func(t *testing.T) {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadOrCreate(path); err != nil {
				t.Fatalf("LoadOrCreate of a %#o key file: %v", mode, err)
			}
		})
	}
}

func TestLoadRefusesNonRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(path); err == nil {
		t.Fatal("LoadOrCreate accepted a folder as key file")
	}
}

func TestLoadRefusesMalformedKeyFile(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	idx := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 33))
	tests := []struct {
		name    string
		content string
	}{
		{"empty file", ``},
		{"not JSON", `current=1`},
		{"JSON array", `[]`},
		{"truncated", `{"current":1,"keys":{"1":"` + key + `"}`},
		{"trailing data", `{"current":1,"keys":{"1":"` + key + `"},"index_key":"` + idx + `"} {}`},
		{"unknown field", `{"current":1,"keys":{"1":"` + key + `"},"index_key":"` + idx + `","kek":"x"}`},
		{"no keys", `{"current":1,"keys":{},"index_key":"` + idx + `"}`},
		{"current missing", `{"current":2,"keys":{"1":"` + key + `"},"index_key":"` + idx + `"}`},
		{"current zero", `{"keys":{"1":"` + key + `"},"index_key":"` + idx + `"}`},
		{"version zero", `{"current":0,"keys":{"0":"` + key + `"},"index_key":"` + idx + `"}`},
		{"version leading zero", `{"current":1,"keys":{"01":"` + key + `"},"index_key":"` + idx + `"}`},
		{"version not a number", `{"current":1,"keys":{"1":"` + key + `","x":"` + key + `"},"index_key":"` + idx + `"}`},
		{"version too large", `{"current":1,"keys":{"1":"` + key + `","4294967296":"` + key + `"},"index_key":"` + idx + `"}`},
		{"key too short", `{"current":1,"keys":{"1":"` + short + `"},"index_key":"` + idx + `"}`},
		{"key too long", `{"current":1,"keys":{"1":"` + long + `"},"index_key":"` + idx + `"}`},
		{"key not base64", `{"current":1,"keys":{"1":"!!!!"},"index_key":"` + idx + `"}`},
		{"key url base64", `{"current":1,"keys":{"1":"` + strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32))) + `"},"index_key":"` + idx + `"}`},
		{"index key missing", `{"current":1,"keys":{"1":"` + key + `"}}`},
		{"index key short", `{"current":1,"keys":{"1":"` + key + `"},"index_key":"` + short + `"}`},
		{"key not a string", `{"current":1,"keys":{"1":1},"index_key":"` + idx + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreate(path)
			if err == nil {
				t.Fatal("LoadOrCreate accepted a malformed key file")
			}
			for _, secret := range []string{key, idx, short, long} {
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:16]) {
					t.Fatalf("error quotes key material: %v", err)
				}
			}
			// The file must be left alone, not replaced by fresh keys.
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Fatal("LoadOrCreate modified a malformed key file")
			}
		})
	}
	t.Run("valid control", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "keys.json")
		content := `{"current":2,"keys":{"1":"` + key + `","2":"` + key + `"},"index_key":"` + idx + `"}`
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		if k.CurrentVersion() != 2 {
			t.Fatalf("current = %d, want 2", k.CurrentVersion())
		}
	})
}

func TestRotateKeepsFilePrivate(t *testing.T) {
	k, path := newRing(t)
	if _, err := k.Rotate(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode after Rotate = %#o, want 0600", perm)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("key folder holds %d entries after Rotate, want 1", len(entries))
	}
}

func TestLoadOrCreateEmptyPath(t *testing.T) {
	if _, err := LoadOrCreate(""); err == nil {
		t.Fatal("LoadOrCreate(\"\") succeeded")
	}
}

// Retire removes an old version from the ring and the key file, keeping
// the file's mode; it refuses the current version, an unknown one and a key
// file that differs from the ring.
func TestRetire(t *testing.T) {
	k, path := newRing(t)
	aad := AAD("cases", "details", "1")
	old := mustSeal(t, k, []byte("verslag"), aad)
	if _, err := k.Rotate(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		v    uint32
		want string
	}{
		{"current", 2, "current version"},
		{"unknown", 7, "no version 7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := k.Retire(path, tt.v); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Retire(%d) = %v, want an error with %q", tt.v, err, tt.want)
			}
		})
	}
	mustOpen(t, k, old, aad, []byte("verslag"))

	if err := k.Retire(path, 1); err != nil {
		t.Fatalf("Retire(1): %v", err)
	}
	mustFailOpen(t, k, old, aad)
	if k.CurrentVersion() != 2 {
		t.Errorf("current version %d after Retire, want 2", k.CurrentVersion())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o400 {
		t.Errorf("key file mode after Retire = %#o, want 0400", perm)
	}
	reloaded, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reloaded.kek(1); ok {
		t.Error("the key file still holds version 1")
	}
	if _, ok := reloaded.kek(2); !ok || reloaded.CurrentVersion() != 2 {
		t.Error("the key file lost version 2")
	}
	if entries, err := os.ReadDir(filepath.Dir(path)); err != nil || len(entries) != 1 {
		t.Errorf("key folder holds %d entries after Retire, want 1 (%v)", len(entries), err)
	}

	// A key file another process changed since is not overwritten.
	if _, err := reloaded.Rotate(path); err != nil {
		t.Fatal(err)
	}
	if err := k.Retire(path, 2); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Errorf("Retire with a stale ring = %v, want a refusal", err)
	}
	if again, err := LoadOrCreate(path); err != nil || again.CurrentVersion() != 3 {
		t.Errorf("the refused Retire changed the key file: %v", err)
	}
}
