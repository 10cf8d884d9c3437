package web_test

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// BenchmarkQueuePage measures the queue as an officer sees it, first page
// and a page deep in, with 100,000 cases in SQLite (AVGLOKET_BENCH_CASES
// sets another number). Seeding goes through the case service, one
// committed transaction per case as in real use, so it takes minutes; it
// runs only with -bench.
func BenchmarkQueuePage(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("AVGLOKET_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	a := newTestServer(b, withBranches("utrecht", "amsterdam"))
	a.addMember(b, "officer@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(b, "officer@praktijk.example")
	start := time.Now()
	received := a.clock.Now().AddDate(0, -1, 0)
	for i := range n {
		var sub casework.Submission
		sub.Type = casework.RequestTypes[i%len(casework.RequestTypes)]
		sub.Requester = casework.Requester{Name: fmt.Sprintf("Ouder %d", i), Email: fmt.Sprintf("ouder%d@example.org", i), Relation: casework.Parent}
		sub.Subject.Name, sub.Subject.BirthDate = fmt.Sprintf("Kind %d", i), "2014-03-09"
		sub.Branch = []string{"utrecht", "amsterdam"}[i%2]
		sub.Details = "Graag een kopie."
		at := received.Add(time.Duration(i%25) * 24 * time.Hour)
		if _, _, err := a.svc.Submit(b.Context(), sub, casework.Intake{Channel: casework.Post, ReceivedAt: at}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Second))
	first := officer.get("/staff/cases")
	if first.Status != http.StatusOK {
		b.Fatalf("queue: %d", first.Status)
	}
	// A page deep in the queue, reached through its "next" links.
	deep := "/staff/cases"
	for range 20 {
		next := nextLink(officer.get(deep))
		if next == "" {
			break
		}
		deep = next
	}
	b.Run("first page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p := officer.get("/staff/cases"); p.Status != http.StatusOK {
				b.Fatal(p.Status)
			}
		}
	})
	b.Run("deep page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p := officer.get(deep); p.Status != http.StatusOK {
				b.Fatal(p.Status)
			}
		}
	})
	b.Run("search by name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p := officer.get("/staff/cases?q=Kind+42"); p.Status != http.StatusOK {
				b.Fatal(p.Status)
			}
		}
	})
}

// nextLink returns the queue page's link to the next page, or "".
func nextLink(p *page) string {
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "p" && hasClass(n, "pager") }) {
		for c := range n.Descendants() {
			if c.Data == "a" {
				return attr(c, "href")
			}
		}
	}
	return ""
}
