package web_test

// The metrics endpoint is no page and takes no staff session: like
// /healthz, one decision for a visitor. The matrix's portal has no metrics
// token, so there is nothing there; TestMetricsProtection probes it with one.
func init() {
	routeAccess["GET /metrics"] = access{probe: "GET /metrics", anonymous: 404}
}
