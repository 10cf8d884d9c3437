package web

import (
	"testing"

	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/report"
	"github.com/avgloket/avgloket/ui"
)

// The art. 19 notices sent are a figure of the report's view beside the
// consents withdrawn, as the page and the PDF show it (the CSV writes
// Report.NoticesSent itself).
func TestReportViewNotices(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	nl := tr{s: &Server{Deps: Deps{Catalog: cat}}, Lang: lang.NL}
	keys := func(in report.Input) map[string]int {
		out := map[string]int{}
		for _, l := range reportViewOf(nl, report.Compute(in, report.Period{})).Consents.Lines {
			out[l.Key] = l.N
		}
		return out
	}
	if got := keys(report.Input{NoticesSent: 3}); len(got) != 2 || got["notice.sent"] != 3 {
		t.Errorf("counted: %v, want notice.sent 3 beside the consents", got)
	}
}
