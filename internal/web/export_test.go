package web

import "github.com/labstack/echo/v4"

// AddRouteForTest registers an extra route behind the server's global
// middleware (recovery, security headers, logging), for tests that need a
// handler which misbehaves, such as one that panics. Only test builds have
// it; a server given an extra route must not be used for route coverage.
func AddRouteForTest(s *Server, method, path string, h echo.HandlerFunc) {
	s.echo.Add(method, path, h)
}
