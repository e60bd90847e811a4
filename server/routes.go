package server

import "github.com/prometheus/client_golang/prometheus/promhttp"

// registerRoutes lists every route. The OpenAPI test compares the /api/v1
// ones with openapi.json, and the policy test walks them all.
func (s *Server) registerRoutes() {
	// Operations.
	s.handle("GET /healthz", s.handleHealthz)
	s.handle("GET /readyz", s.handleReadyz)
	s.handle("GET /metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}).ServeHTTP)

	// JSON API.
	s.handle("GET /api/v1/openapi.json", s.handleOpenAPI)
	s.handle("GET /api/v1/me", s.api(s.apiMe))
	s.handle("GET /api/v1/cases", s.api(s.apiListCases))
	s.handle("POST /api/v1/cases", s.api(s.apiCreateCase))
	s.handle("GET /api/v1/cases/{id}", s.api(s.apiGetCase))
	s.handle("PATCH /api/v1/cases/{id}", s.api(s.apiUpdateCase))
	s.handle("GET /api/v1/cases/{id}/person", s.api(s.apiGetPerson))
	s.handle("GET /api/v1/cases/{id}/notes", s.api(s.apiListNotes))
	s.handle("POST /api/v1/cases/{id}/notes", s.api(s.apiAddNote))

	// Web pages.
	s.handle("GET /static/", s.handleStatic)
	s.handle("GET /{$}", s.handleHome)
	s.handle("GET /login", s.handleLoginForm)
	s.handle("POST /login", s.handleLogin)
	s.handle("POST /logout", s.page(s.handleLogout))
	s.handle("GET /cases", s.page(s.handleCaseList))
	s.handle("GET /cases/new", s.page(s.handleCaseNew))
	s.handle("POST /cases", s.page(s.handleCaseCreate))
	s.handle("GET /cases/{id}", s.page(s.handleCaseView))
	s.handle("GET /cases/{id}/edit", s.page(s.handleCaseEdit))
	s.handle("POST /cases/{id}/edit", s.page(s.handleCaseUpdate))
	s.handle("POST /cases/{id}/notes", s.page(s.handleNoteCreate))
}

// PublicRoutes are the routes anyone may call without logging in.
var PublicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /api/v1/openapi.json": true, "GET /static/": true, "GET /{$}": true,
	"GET /login": true, "POST /login": true,
}
