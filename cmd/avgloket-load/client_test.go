package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestClientAddressStaysUnderTheRateLimit: no address carries more than
// perAddress submissions of one client, and clients never share one.
func TestClientAddressStaysUnderTheRateLimit(t *testing.T) {
	per := map[string]int{}
	for n := range 3 {
		for seq := range 3 * perAddress {
			per[clientAddress(n, seq)]++
		}
	}
	if len(per) != 9 {
		t.Errorf("%d addresses for 3 clients × 3 blocks, want 9", len(per))
	}
	for a, k := range per {
		if k > perAddress {
			t.Errorf("%s carries %d submissions, more than %d", a, k, perAddress)
		}
	}
}

// TestListCasesFollowsTheCursor: the listing reads every page with the
// token and stops at the last.
func TestListCasesFollowsTheCursor(t *testing.T) {
	pages := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" || r.URL.Query().Get("limit") != "200" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		pages++
		switch r.URL.Query().Get("cursor") {
		case "":
			_, _ = w.Write([]byte(`{"cases":[{"reference":"AVG-2026-0001","requester":{"email":"a@x.example"}}],"next_cursor":"c2"}`))
		case "c2":
			_, _ = w.Write([]byte(`{"cases":[{"reference":"AVG-2026-0002","requester":{"email":"b@x.example"}}],"next_cursor":null}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	got, err := listCases(t.Context(), srv.Client(), srv.URL, "t0k")
	if err != nil {
		t.Fatal(err)
	}
	if pages != 2 || len(got) != 2 || got[1] != (listedCase{Reference: "AVG-2026-0002", Email: "b@x.example"}) {
		t.Errorf("%d pages, cases %v", pages, got)
	}
	if _, err := listCases(t.Context(), srv.Client(), srv.URL, "wrong"); err == nil {
		t.Error("a refused listing gave no error")
	}
}

// TestSubmitOneSendsTheContract: the body, the idempotency key and the
// client address go out; a 2xx answer gives the reference, anything else
// an error named by its status.
func TestSubmitOneSendsTheContract(t *testing.T) {
	var seen http.Header
	status := http.StatusCreated
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"reference":"AVG-2026-0042"}`))
	}))
	defer srv.Close()
	ref, err := submitOne(t.Context(), srv.Client(), srv.URL, "p@x.example", "10.0.0.1", "key-1", 1)
	if err != nil || ref != "AVG-2026-0042" {
		t.Fatalf("submitOne = %q, %v", ref, err)
	}
	if seen.Get("Idempotency-Key") != "key-1" || seen.Get("X-Forwarded-For") != "10.0.0.1" || seen.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", seen)
	}
	status = http.StatusTooManyRequests
	if _, err := submitOne(t.Context(), srv.Client(), srv.URL, "p@x.example", "10.0.0.1", "key-2", 2); err == nil || errorKind(err) != "HTTP "+strconv.Itoa(status) {
		t.Errorf("a 429 gave %v (kind %q)", err, errorKind(err))
	}
}
