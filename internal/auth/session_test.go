package auth

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestNewSessionID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, err := NewSessionID()
		if err != nil {
			t.Fatalf("NewSessionID: %v", err)
		}
		b, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(b) != 16 {
			t.Fatalf("id %q: %d bytes (err %v), want 16 bytes base64url", id, len(b), err)
		}
		if seen[id] {
			t.Fatalf("id %q twice", id)
		}
		seen[id] = true
	}
}

func TestHashID(t *testing.T) {
	const id = "2Jc9yXoT3rO0cS9Z1Kq7uA"
	h := HashID(id)
	if len(h) != 64 || h == id || HashID(id) != h || HashID(id+"x") == h {
		t.Errorf("HashID(%q) = %q: want a stable 64-character hex digest", id, h)
	}
}

func TestDefaultSessionPolicy(t *testing.T) {
	want := SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
	if got := DefaultSessionPolicy(); got != want {
		t.Errorf("DefaultSessionPolicy() = %+v, want %+v", got, want)
	}
}

func TestSessionPolicyAlive(t *testing.T) {
	p := DefaultSessionPolicy()
	start := time.Date(2026, time.November, 25, 8, 0, 0, 0, time.UTC)
	fresh := Session{StaffID: 1, CreatedAt: start, LastSeen: start, ExpiresAt: start.Add(p.Absolute), SecondFactor: true}
	busy := fresh
	busy.LastSeen = start.Add(12*time.Hour - time.Minute) // active until the very end
	shortened := fresh
	shortened.ExpiresAt = start.Add(24 * time.Hour) // stored under an older, longer policy
	shortened.LastSeen = start.Add(12 * time.Hour)

	tests := []struct {
		name string
		s    Session
		at   time.Time
		want bool
	}{
		{"just signed in", fresh, start, true},
		{"idle just under 30 minutes", fresh, start.Add(30*time.Minute - time.Nanosecond), true},
		{"idle exactly 30 minutes", fresh, start.Add(30 * time.Minute), false},
		{"idle over 30 minutes", fresh, start.Add(31 * time.Minute), false},
		{"active, just under 12 hours", busy, start.Add(12*time.Hour - time.Nanosecond), true},
		{"active, exactly 12 hours", busy, start.Add(12 * time.Hour), false},
		{"active, past 12 hours", busy, start.Add(13 * time.Hour), false},
		{"longer stored end, policy 12 hours", shortened, start.Add(12*time.Hour + time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Alive(tt.s, tt.at); got != tt.want {
				t.Errorf("Alive at +%v = %v, want %v", tt.at.Sub(start), got, tt.want)
			}
		})
	}
}
