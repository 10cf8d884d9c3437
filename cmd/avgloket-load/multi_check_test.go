package main

import (
	"slices"
	"testing"
	"time"
)

func TestCheckSequence(t *testing.T) {
	refs := func(rs ...string) []listedCase {
		var out []listedCase
		for _, r := range rs {
			out = append(out, listedCase{Reference: r})
		}
		return out
	}
	tests := []struct {
		name                     string
		listing                  []listedCase
		want                     int
		ok                       bool
		gaps, doubled, malformed []string
	}{
		{"1…3", refs("AVG-2026-0002", "AVG-2026-0001", "AVG-2026-0003"), 3, true, nil, nil, nil},
		{"gap", refs("AVG-2026-0001", "AVG-2026-0003"), 2, false, []string{"2026-0002"}, nil, nil},
		{"doubled", refs("AVG-2026-0001", "AVG-2026-0001", "AVG-2026-0002"), 3, false, nil, []string{"2026-0001"}, nil},
		{"new year starts at 1", refs("AVG-2026-0001", "AVG-2027-0001"), 2, true, nil, nil, nil},
		{"malformed", refs("AVG-2026-0001", "BRK-2026-0001", "AVG-26-0002", "AVG-2026-x"), 4, false,
			nil, nil, []string{"BRK-2026-0001", "AVG-26-0002", "AVG-2026-x"}},
		{"fewer than wanted", refs("AVG-2026-0001"), 2, false, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := checkSequence(tt.listing)
			if v.ok(tt.want) != tt.ok {
				t.Errorf("ok(%d) = %v, want %v: %s", tt.want, !tt.ok, tt.ok, v)
			}
			if !slices.Equal(v.Gaps, tt.gaps) || !slices.Equal(v.Doubled, tt.doubled) || !slices.Equal(v.Malformed, tt.malformed) {
				t.Errorf("got gaps %v doubled %v malformed %v, want %v %v %v", v.Gaps, v.Doubled, v.Malformed, tt.gaps, tt.doubled, tt.malformed)
			}
		})
	}
}

func TestCheckRefMail(t *testing.T) {
	const a, b = "portal-1.localhost", "portal-2.localhost"
	acked := []string{"AVG-2026-0001", "AVG-2026-0002", "AVG-2026-0003"}
	tests := []struct {
		name     string
		byRef    map[string][]string
		noRef    int
		inFlight string
		want     refMailVerdict
		ok       bool
	}{
		{"each once", map[string][]string{"AVG-2026-0001": {a}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}}, 0, "",
			refMailVerdict{Expected: 3, Once: 3}, true},
		{"one missing", map[string][]string{"AVG-2026-0001": {a}, "AVG-2026-0002": {b}}, 0, "",
			refMailVerdict{Expected: 3, Once: 2, Missing: 1}, false},
		{"twice without a kill", map[string][]string{"AVG-2026-0001": {a, b}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}}, 0, "",
			refMailVerdict{Expected: 3, Once: 2, Duplicated: 1}, false},
		{"in flight at the kill, sent again", map[string][]string{"AVG-2026-0001": {b, a}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}}, 0, "AVG-2026-0001",
			refMailVerdict{Expected: 3, Once: 2, InFlight: 1}, true},
		{"in flight, but first sent by the survivor", map[string][]string{"AVG-2026-0001": {a, b}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}}, 0, "AVG-2026-0001",
			refMailVerdict{Expected: 3, Once: 2, Duplicated: 1}, false},
		{"in flight, three times", map[string][]string{"AVG-2026-0001": {b, a, a}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}}, 0, "AVG-2026-0001",
			refMailVerdict{Expected: 3, Once: 2, Duplicated: 1}, false},
		{"another one twice beside the one in flight", map[string][]string{"AVG-2026-0001": {b, a}, "AVG-2026-0002": {b, a}, "AVG-2026-0003": {a}}, 0, "AVG-2026-0001",
			refMailVerdict{Expected: 3, Once: 1, InFlight: 1, Duplicated: 1}, false},
		{"a stranger and a mail without a reference", map[string][]string{"AVG-2026-0001": {a}, "AVG-2026-0002": {b}, "AVG-2026-0003": {a}, "AVG-2026-0009": {a}}, 1, "",
			refMailVerdict{Expected: 3, Once: 3, Strangers: 1, NoRef: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRefMail(acked, tt.byRef, tt.noRef, tt.inFlight, b, 0)
			if !equalMail(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.ok() != tt.ok {
				t.Errorf("ok = %v, want %v", got.ok(), tt.ok)
			}
		})
	}
}

func equalMail(a, b refMailVerdict) bool {
	a.Examples, b.Examples = nil, nil
	return a.Expected == b.Expected && a.Once == b.Once && a.Missing == b.Missing && a.Duplicated == b.Duplicated &&
		a.InFlight == b.InFlight && a.Strangers == b.Strangers && a.NoRef == b.NoRef && a.CutBeforeDot == b.CutBeforeDot
}

func TestReferenceIn(t *testing.T) {
	tests := []struct{ name, mail, want string }{
		{"subject", "Subject: Uw verzoek AVG-2026-0042 is ontvangen\r\n\r\nTekst.\r\n", "AVG-2026-0042"},
		{"encoded subject", "Subject: =?UTF-8?b?VXcgdmVyem9layBBVkctMjAyNi0wMDQyIOKAlCBvbnR2YW5nZW4=?=\r\n\r\nTekst.\r\n", "AVG-2026-0042"},
		{"quoted-printable text", "Subject: Ontvangen\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nUw kenmerk: AVG-2026-=\r\n10042.\r\n", "AVG-2026-10042"},
		{"none", "Subject: Ontvangen\r\n\r\nGeen kenmerk.\r\n", ""},
		{"not a mail", "geen kopregels", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := referenceIn([]byte(tt.mail)); got != tt.want {
				t.Errorf("referenceIn = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMultiRefusesWhatItCannotCheck(t *testing.T) {
	good := multiConfig{instances: 2, submissions: 10, clients: 2, mailWait: time.Minute}
	if err := good.check(); err != nil {
		t.Fatalf("%+v refused: %v", good, err)
	}
	for name, change := range map[string]func(*multiConfig){
		"no instance":            func(c *multiConfig) { c.instances = 0 },
		"too many instances":     func(c *multiConfig) { c.instances = maxInstances + 1 },
		"a kill with one":        func(c *multiConfig) { c.instances, c.kill = 1, true },
		"no submission":          func(c *multiConfig) { c.submissions = 0 },
		"no client":              func(c *multiConfig) { c.clients = 0 },
		"a database elsewhere":   func(c *multiConfig) { c.databaseURL = "postgres://avgloket@db.example:5432/avgloket" },
		"not a postgres URL":     func(c *multiConfig) { c.databaseURL = "mysql://127.0.0.1/avgloket" },
		"no wait for the mails":  func(c *multiConfig) { c.mailWait = 0 },
		"a lease beyond 10 min.": func(c *multiConfig) { c.lease = time.Hour },
	} {
		cfg := good
		change(&cfg)
		if err := cfg.check(); err == nil {
			t.Errorf("%s: %+v accepted", name, cfg)
		}
	}
	for _, u := range []string{"postgres://avgloket@127.0.0.1:55432/avgloket", "postgresql://avgloket@localhost/avgloket", "postgres:///avgloket"} {
		cfg := good
		cfg.databaseURL = u
		if err := cfg.check(); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
}
