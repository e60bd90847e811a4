package server

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// registerRoutes lists every route. The OpenAPI test compares the /api/v1
// ones with openapi.json, and the policy test walks them all.
func (s *Server) registerRoutes() error {
	// Operations.
	s.handle("GET /healthz", s.handleHealthz)
	s.handle("GET /readyz", s.handleReadyz)
	s.handle("GET /metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}).ServeHTTP)

	// JSON API.
	s.handle("GET /api/v1/openapi.json", s.handleOpenAPI)
	s.handle("GET /api/v1/me", s.api(s.apiMe))
	s.handle("POST /api/v1/identity-search", s.api(s.apiIdentitySearch))
	s.handle("GET /api/v1/cases", s.api(s.apiListCases))
	s.handle("POST /api/v1/cases", s.api(s.apiCreateCase))
	s.handle("GET /api/v1/cases/{id}", s.api(s.apiGetCase))
	s.handle("PATCH /api/v1/cases/{id}", s.api(s.apiUpdateCase))
	s.handle("GET /api/v1/cases/{id}/person", s.api(s.apiGetPerson))
	s.handle("GET /api/v1/cases/{id}/notes", s.api(s.apiListNotes))
	s.handle("POST /api/v1/cases/{id}/notes", s.api(s.apiAddNote))
	s.handle("GET /api/v1/cases/{id}/consents", s.api(s.apiListConsents))
	s.handle("POST /api/v1/cases/{id}/consents", s.api(s.apiRecordConsent))
	s.handle("POST /api/v1/cases/{id}/consents/{consent}/withdraw", s.api(s.apiWithdrawConsent))
	s.handle("GET /api/v1/cases/{id}/permits", s.api(s.apiCasePermits))
	s.handle("POST /api/v1/cases/{id}/permits", s.api(s.apiRequestPermit))
	s.handle("POST /api/v1/cases/{id}/break-glass", s.api(s.apiBreakGlass))
	s.handle("GET /api/v1/cases/{id}/break-glass", s.api(s.apiListBreakGlass))
	s.handle("GET /api/v1/cases/{id}/access-log", s.api(s.apiAccessLog))
	s.handle("POST /api/v1/cases/{id}/events", s.api(s.apiFireEvent))
	s.handle("GET /api/v1/cases/{id}/lifecycle", s.api(s.apiLifecycle))
	s.handle("GET /api/v1/inbox", s.api(s.apiInbox))
	s.handle("GET /api/v1/cases/{id}/protection", s.api(s.apiListProtection))
	s.handle("POST /api/v1/cases/{id}/protection", s.api(s.apiRecordProtection))
	s.handle("POST /api/v1/cases/{id}/protection/{procedure}/decision", s.api(s.apiDecideProtection))
	s.handle("POST /api/v1/cases/{id}/non-punishment", s.api(s.apiRecordNonPunishment))
	s.handle("GET /api/v1/cases/{id}/non-punishment", s.api(s.apiListNonPunishment))
	s.handle("GET /api/v1/cases/{id}/non-punishment/{number}/document", s.api(s.apiNonPunishmentDocument))
	s.handle("GET /api/v1/screening/catalogue", s.api(s.apiScreeningCatalogue))
	s.handle("POST /api/v1/screening/evaluate", s.api(s.apiScreeningEvaluate))
	s.handle("POST /api/v1/screenings/anonymous", s.api(s.apiAnonymousScreening))
	s.handle("GET /api/v1/cases/{id}/screenings", s.api(s.apiListScreenings))
	s.handle("POST /api/v1/cases/{id}/screenings", s.api(s.apiRecordScreening))
	s.handle("GET /api/v1/permits", s.api(s.apiListPermits))
	s.handle("GET /api/v1/permits/{id}", s.api(s.apiGetPermit))
	s.handle("POST /api/v1/permits/{id}/decision", s.api(s.apiDecidePermit))
	s.handle("GET /api/v1/users", s.api(s.apiListUsers))
	s.handle("POST /api/v1/users", s.api(s.apiCreateUser))
	s.handle("GET /api/v1/organisations", s.api(s.apiListOrganisations))
	s.handle("POST /api/v1/organisations", s.api(s.apiCreateOrganisation))
	s.handle("GET /api/v1/statistics", s.api(s.apiStatistics))
	s.handle("GET /api/v1/statistics/releases", s.api(s.apiReleases))
	s.handle("GET /api/v1/reports/rapporteur", s.api(s.apiRapporteurReport))
	s.handle("GET /api/v1/reports/rapporteur.pdf", s.api(s.apiRapporteurReportPDF))

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
	s.handle("POST /cases/{id}/events", s.page(s.handleEventFire))
	s.handle("GET /inbox", s.page(s.handleInbox))
	s.handle("POST /cases/{id}/consents", s.page(s.handleConsentCreate))
	s.handle("POST /cases/{id}/consents/{consent}/withdraw", s.page(s.handleConsentWithdraw))
	s.handle("GET /statistics", s.page(s.handleStatistics))
	s.handle("GET /statistics/releases", s.page(s.handleReleases))
	s.handle("GET /reports/rapporteur", s.page(s.handleRapporteurReport))
	s.registerTOTPRoutes()
	return errors.Join(s.routeErrs...)
}
