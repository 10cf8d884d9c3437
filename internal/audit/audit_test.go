package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// testMAC is HMAC-SHA256 under a fixed key, as the vault's index would be.
func testMAC(key string) func(string) string {
	return func(v string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(v))
		return hex.EncodeToString(m.Sum(nil))
	}
}

var mac = testMAC("test key")

var t0 = time.Date(2026, time.November, 25, 9, 30, 0, 123456789, time.UTC)

func sample() Entry {
	return Entry{ID: 7, At: t0, Actor: Staff(3), Action: CaseView, Object: Case(12),
		Address: "192.0.2.10", Detail: "tab=documents"}
}

func TestChainHashCoversEveryField(t *testing.T) {
	base := ChainHash(mac, "prev", sample())
	if len(base) != 64 {
		t.Fatalf("ChainHash = %q, want 64 hex characters", base)
	}
	tests := []struct {
		name   string
		prev   string
		change func(*Entry)
	}{
		{"id", "prev", func(e *Entry) { e.ID++ }},
		{"at by a nanosecond", "prev", func(e *Entry) { e.At = e.At.Add(time.Nanosecond) }},
		{"actor", "prev", func(e *Entry) { e.Actor = Staff(4) }},
		{"action", "prev", func(e *Entry) { e.Action = CaseExport }},
		{"object", "prev", func(e *Entry) { e.Object = Case(13) }},
		{"address", "prev", func(e *Entry) { e.Address = "192.0.2.11" }},
		{"detail", "prev", func(e *Entry) { e.Detail = "tab=letters" }},
		{"prev", "prev2", func(*Entry) {}},
		{"other key", "prev", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample()
			m := mac
			if tt.change == nil {
				m = testMAC("another key")
			} else {
				tt.change(&e)
			}
			if got := ChainHash(m, tt.prev, e); got == base {
				t.Errorf("changing %s left the chain value unchanged", tt.name)
			}
		})
	}
}

func TestChainHashIgnoresStoredChainFieldsAndZone(t *testing.T) {
	e := sample()
	base := ChainHash(mac, "p", e)
	e.Prev, e.Hash = "something", "else"
	e.At = e.At.In(time.FixedZone("CET", 3600))
	if got := ChainHash(mac, "p", e); got != base {
		t.Errorf("ChainHash depends on Prev/Hash fields or the time zone: %s != %s", got, base)
	}
}

// Moving characters across a field boundary must change the value: the
// encoding is length-prefixed, not concatenated.
func TestChainHashFieldBoundaries(t *testing.T) {
	tests := []struct {
		name string
		a, b func(*Entry) (prev string)
	}{
		{"object/address", func(e *Entry) string { e.Object, e.Address = "ab", "c"; return "" },
			func(e *Entry) string { e.Object, e.Address = "a", "bc"; return "" }},
		{"address/detail", func(e *Entry) string { e.Address, e.Detail = "1.2.3.4", "x"; return "" },
			func(e *Entry) string { e.Address, e.Detail = "1.2.3.", "4x"; return "" }},
		{"actor/action", func(e *Entry) string { e.Actor, e.Action = "system", "c"; return "" },
			func(e *Entry) string { e.Actor, e.Action = "syste", "mc"; return "" }},
		{"prev/at", func(e *Entry) string { return "ab" },
			func(e *Entry) string { return "a" }},
		{"detail empty vs object empty", func(e *Entry) string { e.Object, e.Detail = "x", ""; return "" },
			func(e *Entry) string { e.Object, e.Detail = "", "x"; return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ea, eb := sample(), sample()
			pa, pb := tt.a(&ea), tt.b(&eb)
			if ChainHash(mac, pa, ea) == ChainHash(mac, pb, eb) {
				t.Error("different field splits give the same chain value")
			}
		})
	}
}

func TestSealHead(t *testing.T) {
	s := SealHead(mac, 5, "abc")
	for name, other := range map[string]string{
		"id":   SealHead(mac, 6, "abc"),
		"hash": SealHead(mac, 5, "abd"),
		"key":  SealHead(testMAC("other"), 5, "abc"),
	} {
		if other == s {
			t.Errorf("changing the %s left the seal unchanged", name)
		}
	}
	// A head seal is never the chain value of an entry with the same data.
	if s == ChainHash(mac, "abc", Entry{ID: 5}) {
		t.Error("head seal and chain value share a domain")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Entry)
		field  string // "" = valid
	}{
		{"sample", func(*Entry) {}, ""},
		{"system without address or object", func(e *Entry) { e.Actor, e.Address, e.Object = System, "", "" }, ""},
		{"anonymous sign-in failure", func(e *Entry) {
			e.Actor, e.Action, e.Object, e.Detail = Anonymous, SignInFailed, Staff(2), "reason=wrong_password"
		}, ""},
		{"requester", func(e *Entry) { e.Actor, e.Action = Requester(12), RequestTrack }, ""},
		{"api", func(e *Entry) { e.Actor = API(3) }, ""},
		{"ipv6 address", func(e *Entry) { e.Address = "2001:db8::1" }, ""},
		{"detail of exactly MaxDetail", func(e *Entry) { e.Detail = strings.Repeat("x", MaxDetail) }, ""},
		{"every object kind", func(e *Entry) { e.Object = Branch(1) }, ""},

		{"zero time", func(e *Entry) { e.At = time.Time{} }, "at"},
		{"year 10000", func(e *Entry) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "at"},
		{"actor is an e-mail", func(e *Entry) { e.Actor = "jan@example.nl" }, "actor"},
		{"actor is a name", func(e *Entry) { e.Actor = "Jan de Vries" }, "actor"},
		{"actor empty", func(e *Entry) { e.Actor = "" }, "actor"},
		{"actor with name as id", func(e *Entry) { e.Actor = "staff:jan" }, "actor"},
		{"actor with leading zero", func(e *Entry) { e.Actor = "staff:07" }, "actor"},
		{"actor id zero", func(e *Entry) { e.Actor = "staff:0" }, "actor"},
		{"actor of unknown kind", func(e *Entry) { e.Actor = "case:1" }, "actor"},
		{"unknown action", func(e *Entry) { e.Action = "case_peek" }, "action"},
		{"empty action", func(e *Entry) { e.Action = "" }, "action"},
		{"object is a reference with letters", func(e *Entry) { e.Object = "case:AVG-2026-0001" }, "object"},
		{"object of unknown kind", func(e *Entry) { e.Object = "person:1" }, "object"},
		{"object without kind", func(e *Entry) { e.Object = "12" }, "object"},
		{"object negative", func(e *Entry) { e.Object = "case:-1" }, "object"},
		{"address not an IP", func(e *Entry) { e.Address = "praktijk.example.nl" }, "address"},
		{"address with port", func(e *Entry) { e.Address = "192.0.2.1:443" }, "address"},
		{"detail with an e-mail address", func(e *Entry) { e.Detail = "to=jan@example.nl" }, "detail"},
		{"detail too long", func(e *Entry) { e.Detail = strings.Repeat("x", MaxDetail+1) }, "detail"},
		{"detail with a newline", func(e *Entry) { e.Detail = "a\nb" }, "detail"},
		{"detail with non-ASCII", func(e *Entry) { e.Detail = "naam=Zoë" }, "detail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample()
			tt.change(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), ": "+tt.field+" ") {
				t.Errorf("Validate = %q, want it to name field %q", err, tt.field)
			}
			// The error must not repeat what might be personal data.
			for _, v := range []string{e.Actor, e.Object, e.Address, e.Detail} {
				if len(v) > 3 && strings.Contains(err.Error(), v) {
					t.Errorf("Validate error %q quotes the value %q", err, v)
				}
			}
		})
	}
}

func TestActions(t *testing.T) {
	all := Actions()
	seen := map[Action]bool{}
	for _, a := range all {
		if seen[a] {
			t.Errorf("action %q listed twice", a)
		}
		seen[a] = true
		if !a.Known() {
			t.Errorf("%q not Known", a)
		}
	}
	for _, a := range []Action{SignIn, SignInFailed, SignOut, AccessDenied, CaseView, CaseCreate, CaseUpdate,
		CaseStatus, CaseAssign, CaseNote, CaseMessage, CaseExtend, CaseDecide, CaseExport, FileView, FileUpload,
		FileDelete, BreachView, BreachCreate, BreachUpdate, SettingsUpdate, StaffInvite, StaffUpdate, StaffDisable,
		TokenCreate, TokenRevoke, SetupComplete, RequestTrack, MailTest, MailRetry} {
		if !seen[a] {
			t.Errorf("Actions lacks %q", a)
		}
	}
	all[0] = "changed"
	if Actions()[0] != SignIn {
		t.Error("Actions returns the package's own slice")
	}
}

// chain builds an intact trail of n entries and its head, as the store does.
func chain(n int) ([]Entry, Head) {
	var out []Entry
	prev := ""
	for i := 1; i <= n; i++ {
		e := Entry{ID: int64(i), At: t0.Add(time.Duration(i) * time.Second), Actor: Staff(int64(i%3 + 1)),
			Action: CaseView, Object: Case(int64(i%4 + 1)), Address: "192.0.2.1", Prev: prev}
		e.Hash = ChainHash(mac, prev, e)
		prev = e.Hash
		out = append(out, e)
	}
	if n == 0 {
		return nil, Head{}
	}
	last := out[n-1]
	return out, Head{LastID: last.ID, LastHash: last.Hash, Seal: SealHead(mac, last.ID, last.Hash)}
}

// seq streams entries the way the store does, counting what was read.
func seq(entries []Entry, read *int) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range entries {
			*read++
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestVerify(t *testing.T) {
	const n = 10
	tests := []struct {
		name   string
		tamper func(es []Entry, h Head) ([]Entry, Head)
		id     int64     // 0 = intact
		kind   BreakKind // when broken
		intact int       // entries reported intact
	}{
		{"intact", func(es []Entry, h Head) ([]Entry, Head) { return es, h }, 0, "", n},
		{"detail edited", func(es []Entry, h Head) ([]Entry, Head) {
			es[4].Detail = "x=1"
			return es, h
		}, 5, Edited, 4},
		{"actor edited", func(es []Entry, h Head) ([]Entry, Head) {
			es[0].Actor = Staff(99)
			return es, h
		}, 1, Edited, 0},
		{"time edited", func(es []Entry, h Head) ([]Entry, Head) {
			es[6].At = es[6].At.Add(-time.Hour)
			return es, h
		}, 7, Edited, 6},
		{"edited and hash recomputed with another key", func(es []Entry, h Head) ([]Entry, Head) {
			es[2].Detail = "x=1"
			es[2].Hash = ChainHash(testMAC("guess"), es[2].Prev, es[2])
			return es, h
		}, 3, Edited, 2},
		{"last entry edited", func(es []Entry, h Head) ([]Entry, Head) {
			es[n-1].Object = Case(99)
			return es, h
		}, n, Edited, n - 1},
		{"middle entry deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return slices.Delete(es, 4, 5), h
		}, 5, Missing, 4},
		{"first entry deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return es[1:], h
		}, 1, Missing, 0},
		{"middle entry deleted and the rest renumbered", func(es []Entry, h Head) ([]Entry, Head) {
			es = slices.Delete(es, 4, 5)
			for i := range es {
				es[i].ID = int64(i + 1)
			}
			return es, h
		}, 5, Unlinked, 4},
		{"last entry deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:n-1], h
		}, n, Missing, n - 1},
		{"last three deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:n-3], h
		}, n - 2, Missing, n - 3},
		{"last deleted and head copied from the entry before", func(es []Entry, h Head) ([]Entry, Head) {
			es = es[:n-1]
			last := es[n-2]
			return es, Head{LastID: last.ID, LastHash: last.Hash, Seal: h.Seal}
		}, n, HeadMismatch, n - 1},
		{"every entry deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return nil, h
		}, 1, Missing, 0},
		{"head deleted", func(es []Entry, h Head) ([]Entry, Head) {
			return es, Head{}
		}, n, HeadMismatch, n},
		{"entry appended without the head", func(es []Entry, h Head) ([]Entry, Head) {
			more, _ := chain(n + 1)
			return more, h
		}, n + 1, HeadMismatch, n + 1},
		{"head hash edited", func(es []Entry, h Head) ([]Entry, Head) {
			h.LastHash = es[0].Hash
			return es, h
		}, n + 1, HeadMismatch, n},
		{"two entries swapped in order", func(es []Entry, h Head) ([]Entry, Head) {
			es[3], es[4] = es[4], es[3]
			return es, h
		}, 4, Missing, 3},
		{"entry repeated", func(es []Entry, h Head) ([]Entry, Head) {
			return slices.Insert(es, 5, es[4]), h
		}, 5, Reordered, 5},
		{"two entries swapped with their ids", func(es []Entry, h Head) ([]Entry, Head) {
			es[3], es[4] = es[4], es[3]
			es[3].ID, es[4].ID = 4, 5
			return es, h
		}, 4, Unlinked, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, h := chain(n)
			es, h = tt.tamper(es, h)
			read := 0
			brk, intact, err := Verify(seq(es, &read), h, mac)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if intact != tt.intact {
				t.Errorf("intact = %d, want %d", intact, tt.intact)
			}
			if tt.id == 0 {
				if brk != nil {
					t.Fatalf("Verify = %v, want intact", brk)
				}
				return
			}
			if brk == nil {
				t.Fatalf("Verify found no break, want one at %d", tt.id)
			}
			if brk.ID != tt.id || brk.Kind != tt.kind {
				t.Errorf("Verify = {%d %s %q}, want ID %d kind %s", brk.ID, brk.Kind, brk.Reason, tt.id, tt.kind)
			}
			if brk.Reason == "" {
				t.Error("break without a reason")
			}
			// It stops at the first break instead of reading on.
			if brk.Kind != HeadMismatch && brk.Kind != Missing && read > intact+1 {
				t.Errorf("read %d entries after a break after %d", read, intact)
			}
		})
	}
}

func TestVerifyEmpty(t *testing.T) {
	brk, n, err := Verify(seq(nil, new(int)), Head{}, mac)
	if brk != nil || n != 0 || err != nil {
		t.Errorf("Verify(empty) = %v, %d, %v; want nil, 0, nil", brk, n, err)
	}
}

func TestVerifyWrongKey(t *testing.T) {
	es, h := chain(3)
	brk, _, err := Verify(seq(es, new(int)), h, testMAC("another key"))
	if err != nil || brk == nil || brk.ID != 1 || brk.Kind != Edited {
		t.Errorf("Verify with another key = %v, %v; want edited at 1", brk, err)
	}
}

func TestVerifyPassesReadErrors(t *testing.T) {
	es, h := chain(5)
	boom := errors.New("disk on fire")
	entries := func(yield func(Entry, error) bool) {
		for _, e := range es[:3] {
			if !yield(e, nil) {
				return
			}
		}
		yield(Entry{}, boom)
	}
	brk, n, err := Verify(entries, h, mac)
	if !errors.Is(err, boom) || brk != nil || n != 3 {
		t.Errorf("Verify = %v, %d, %v; want nil, 3, %v", brk, n, err, boom)
	}
}

// Verify takes a stream: entries made on the fly, one at a time, never held
// in a slice, as the store reads rows.
func TestVerifyFromGenerator(t *testing.T) {
	const n = 20000
	cheap := func(v string) string { // fast, keyless stand-in for the MAC
		h := sha256.Sum256([]byte(v))
		return hex.EncodeToString(h[:8])
	}
	gen := func(yield func(Entry, error) bool) {
		prev := ""
		for i := int64(1); i <= n; i++ {
			e := Entry{ID: i, At: t0, Actor: System, Action: AuditVerify, Prev: prev}
			e.Hash = ChainHash(cheap, prev, e)
			prev = e.Hash
			if !yield(e, nil) {
				return
			}
		}
	}
	var last string
	for e := range gen {
		last = e.Hash
	}
	brk, got, err := Verify(gen, Head{LastID: n, LastHash: last, Seal: SealHead(cheap, n, last)}, cheap)
	if brk != nil || err != nil || got != n {
		t.Fatalf("Verify = %v, %d, %v", brk, got, err)
	}
}

func BenchmarkChainHash(b *testing.B) {
	m := testMAC("bench")
	e := sample()
	b.ReportAllocs()
	for b.Loop() {
		ChainHash(m, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", e)
	}
}

// BenchmarkVerify reports the cost per entry; allocations per entry stay
// constant however long the trail is.
func BenchmarkVerify(b *testing.B) {
	es, h := chain(1000)
	b.ReportAllocs()
	for b.Loop() {
		if brk, _, err := Verify(seq(es, new(int)), h, mac); brk != nil || err != nil {
			b.Fatal(brk, err)
		}
	}
}
