package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// The states a /readyz check reports.
const (
	checkOK         = "ok"
	checkFailed     = "failed"
	checkPending    = "pending"
	checkNotChecked = "not checked"
)

// readiness is /readyz's answer. It names each check and its state, never
// a path, a key or an error's text: those go to the log.
type readiness struct {
	Status string            `json:"status"` // "ready" or "not ready"
	Checks map[string]string `json:"checks"` // database, migrations, key
}

// ready answers /readyz for a load balancer: 200 when the database
// answers, every migration this binary holds is applied and the key ring
// opens the database's sealed check value; 503 otherwise. /healthz stays
// the liveness check (the database answers).
func (s *Server) ready(c echo.Context) error {
	ctx := c.Request().Context()
	r := readiness{Status: "ready", Checks: map[string]string{"database": checkOK, "migrations": checkOK, "key": checkOK}}
	fail := func(check, state string, err error) {
		r.Status, r.Checks[check] = "not ready", state
		if err != nil {
			s.Log.Error("readiness check: "+check, "err", err)
		}
	}
	if err := s.Store.Ping(ctx); err != nil {
		fail("database", checkFailed, err)
		r.Checks["migrations"], r.Checks["key"] = checkNotChecked, checkNotChecked
		return c.JSON(http.StatusServiceUnavailable, r)
	}
	switch pending, err := s.Store.MigrationsPending(ctx); {
	case err != nil:
		fail("migrations", checkFailed, err)
	case pending:
		fail("migrations", checkPending, nil)
	}
	if err := s.Store.CheckKey(ctx); err != nil {
		fail("key", checkFailed, err)
	}
	if r.Status != "ready" {
		return c.JSON(http.StatusServiceUnavailable, r)
	}
	return c.JSON(http.StatusOK, r)
}
