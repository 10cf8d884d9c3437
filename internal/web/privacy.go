package web

import (
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// privacyNote is the portal's own information under AVG art. 13, shown on
// the request form: who the controller is, and how long a request's data
// are kept, as the practice set it. The other parts (purpose, legal basis,
// recipients, rights) are the same for every practice and come from the
// catalogue; the complaint route names the practice's authority (tr.T fills it in).
type privacyNote struct {
	Practice string // the controller's name ("de praktijk" before setup)
	Address  string
	Email    string
	Keeping  string // how long a request's data are kept
	IDCopy   string // how long an ID copy is kept at most
}

// keeping states how long a completed request keeps its personal data,
// from the practice's setting (CaseRetentionDays), in language l.
func (s *Server) keeping(l lang.Code, st practice.Settings) string {
	n, unit := st.CaseRetention()
	return s.Catalog.T(l, "retention.case", map[string]any{"Period": s.Catalog.N(l, "period."+unit, n, nil)})
}

// privacyNote builds the request form's privacy information from the
// practice's settings.
func (s *Server) privacyNote(l lang.Code, st practice.Settings) privacyNote {
	name := st.Name
	if name == "" {
		name = s.Catalog.T(l, "practice.unnamed", nil)
	}
	return privacyNote{Practice: name, Address: st.Address, Email: st.PrivacyEmail, Keeping: s.keeping(l, st),
		IDCopy: s.Catalog.T(l, "retention.id_copy", map[string]any{"Days": st.IDCopyDays})}
}
