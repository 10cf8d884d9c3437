package identity

import (
	"testing"

	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
)

// The parsed table follows the settings' text: a practice that changes its
// table gets the new one at the next request, and a table that does not
// parse is an error without replacing the one kept.
func TestParsedRulesFollowTheSettings(t *testing.T) {
	be := string(representation.ExampleBE().JSON())
	nl, belgian := representation.DefaultNL().Name, representation.ExampleBE().Name
	var p parsedRules
	steps := []struct {
		text, want string
		fails      bool
	}{
		{"", nl, false},
		{"", nl, false},
		{be, belgian, false},
		{"{not json", "", true},
		{be, belgian, false},
		{"", nl, false},
	}
	for i, st := range steps {
		r, err := p.rules(practice.Settings{RepresentationRules: st.text})
		if (err != nil) != st.fails || r.Name != st.want {
			t.Errorf("step %d: table %q, error %v; want %q, fails %v", i, r.Name, err, st.want, st.fails)
		}
	}
}
