package auth

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

func TestNeedsRehash(t *testing.T) {
	hashWith := func(tb testing.TB, p argon2id.Params) string {
		tb.Helper()
		h, err := argon2id.CreateHash("correct horse battery", &p)
		if err != nil {
			tb.Fatalf("CreateHash: %v", err)
		}
		return h
	}
	current, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	weaker := func(change func(*argon2id.Params)) argon2id.Params {
		p := params
		change(&p)
		return p
	}
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{"current parameters", current, false},
		{"the dummy hash for unknown accounts", dummyHash, false},
		{"stronger parameters", hashWith(t, weaker(func(p *argon2id.Params) { p.Memory *= 2; p.Iterations++ })), false},
		{"less memory", hashWith(t, weaker(func(p *argon2id.Params) { p.Memory = 12 * 1024 })), true},
		{"fewer passes", hashWith(t, weaker(func(p *argon2id.Params) { p.Iterations = 1 })), true},
		{"shorter key", hashWith(t, weaker(func(p *argon2id.Params) { p.KeyLength = 16 })), true},
		{"not a PHC string", "plain", true},
		{"another algorithm", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRehash(tt.hash); got != tt.want {
				t.Errorf("NeedsRehash(%q) = %v, want %v", tt.hash, got, tt.want)
			}
		})
	}
}

// The dummy hash must cost what a real one costs, or unknown accounts
// would answer faster.
func TestDummyHashHasCurrentParameters(t *testing.T) {
	p, _, _, err := argon2id.DecodeHash(dummyHash)
	if err != nil {
		t.Fatalf("DecodeHash: %v", err)
	}
	if *p != params {
		t.Errorf("dummy hash parameters %+v, want %+v", *p, params)
	}
}
