package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// apiDescription is the JSON API described as OpenAPI 3.1. It is written by
// hand beside the route table; TestAPIDescriptionMatchesRoutes holds the two
// together and TestAPIDescriptionDescribesAnswers the schemas and the
// handlers.
//
//go:embed openapi.json
var apiDescription string

// apiDescribe answers GET /api/v1/openapi.json: public, since it describes
// the API and holds no data, and cacheable (an hour, then revalidated by its
// ETag, which changes only with a new release).
func (s *Server) apiDescribe(c echo.Context) error {
	sum := sha256.Sum256([]byte(apiDescription))
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(c.Response(), c.Request(), "openapi.json", time.Time{}, strings.NewReader(apiDescription))
	return nil
}
