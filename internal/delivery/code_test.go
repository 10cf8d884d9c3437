package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func problem(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return ""
	}
	if f := ae.Fields["code"]; f != "" {
		return f
	}
	return ae.Message
}

// TestCodes walks the one-time code's rules: single use, ten minutes,
// five wrong tries lock for fifteen minutes, and then a new code works.
func TestCodes(t *testing.T) {
	type step struct {
		at    time.Duration // after t0
		issue string        // issue a code with this hash
		try   string        // or try this hash
		want  string        // the problem ("" ok)
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"right code opens a grant", []step{{issue: "h1"}, {at: time.Minute, try: "h1"}}},
		{"single use", []step{{issue: "h1"}, {try: "h1"}, {try: "h1", want: MsgExpired}}},
		{"expires after ten minutes", []step{{issue: "h1"}, {at: 10 * time.Minute, try: "h1", want: MsgExpired}}},
		{"valid just before ten minutes", []step{{issue: "h1"}, {at: 10*time.Minute - time.Second, try: "h1"}}},
		{"no code asked", []step{{try: "h1", want: MsgExpired}}},
		{"a new code replaces the old", []step{{issue: "h1"}, {issue: "h2"}, {try: "h1", want: MsgWrongCode}, {try: "h2"}}},
		{"wrong then right", []step{{issue: "h1"}, {try: "x", want: MsgWrongCode}, {try: "h1"}}},
		{"five wrong lock", []step{{issue: "h1"},
			{try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode},
			{try: "x", want: MsgLocked},
			{at: time.Minute, try: "h1", want: MsgLocked},       // the right code no longer helps
			{at: 2 * time.Minute, issue: "h2", want: MsgLocked}, // nor a new one
			{at: 15*time.Minute - time.Second, try: "h1", want: MsgLocked},
			{at: 15 * time.Minute, issue: "h3"}, {at: 16 * time.Minute, try: "h3"}}}, // then it works again
		{"the locked code is void", []step{{issue: "h1"},
			{try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode},
			{try: "x", want: MsgLocked}, {at: 15 * time.Minute, try: "h1", want: MsgExpired}}},
		{"a right code clears the count", []step{{issue: "h1"},
			{try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode}, {try: "x", want: MsgWrongCode},
			{try: "h1"}, {issue: "h2"}, {try: "x", want: MsgWrongCode}, {try: "h2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Codes
			for i, st := range tt.steps {
				now := t0.Add(st.at)
				var err error
				if st.issue != "" {
					c, err = c.Issue(st.issue, now)
				} else {
					c, err = c.Try(st.try, "grant", now)
					if err == nil && !c.Granted("grant", now) {
						t.Fatalf("step %d: a right code opened no grant", i)
					}
				}
				if got := problem(err); got != st.want || (st.want == "" && err != nil) {
					t.Fatalf("step %d: problem %q (%v), want %q", i, got, err, st.want)
				}
				if st.want == MsgLocked && apperr.CodeOf(err) != apperr.RateLimited {
					t.Fatalf("step %d: a lock is %v, want rate_limited", i, apperr.CodeOf(err))
				}
			}
		})
	}
}

// TestGrant: a grant opens only with its own secret and only for
// GrantValidity.
func TestGrant(t *testing.T) {
	c, _ := Codes{}.Issue("h", t0)
	c, err := c.Try("h", "g", t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		hash string
		at   time.Duration
		want bool
	}{{"g", 0, true}, {"g", GrantValidity - time.Second, true}, {"g", GrantValidity, false}, {"other", 0, false}, {"", 0, false}} {
		if got := c.Granted(tt.hash, t0.Add(tt.at)); got != tt.want {
			t.Errorf("Granted(%q, +%v) = %v, want %v", tt.hash, tt.at, got, tt.want)
		}
	}
	if (Codes{}).Granted("", t0) {
		t.Error("an empty grant opens an empty state")
	}
}

func TestValidCodeAndName(t *testing.T) {
	for s, want := range map[string]bool{"123456": true, "000000": true, "12345": false, "1234567": false, "12a456": false, "": false, "１２３４５６": false} {
		if ValidCode(s) != want {
			t.Errorf("ValidCode(%q) = %v", s, !want)
		}
	}
	for in, want := range map[string]string{
		`C:\export\dossier.pdf`: "dossier.pdf", "../../etc/passwd": "passwd", "a\x00b\r\n.csv": "ab.csv", "": "document", "   ": "document",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
	for range 20 {
		c, err := newCode()
		if err != nil || !ValidCode(c) {
			t.Fatalf("newCode() = %q, %v", c, err)
		}
	}
}
