// Package server is Haven's HTTP interface: the versioned JSON API under
// /api/v1, the server-rendered web pages, and the operational endpoints
// (/healthz, /readyz, /metrics).
//
// It holds no state of its own: sessions, tokens and lockouts live in the
// database, so several instances can serve one deployment behind a load
// balancer. Every access to case data is decided by the policy package.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/stats"
)

// Health is what /readyz asks of the database.
type Health interface {
	Ping(ctx context.Context) error
	CheckSchema(ctx context.Context) error
}

// Config holds what the server needs besides its services.
type Config struct {
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed. Empty: none are.
	TrustedProxies []netip.Prefix
	// TLS is set when the server terminates TLS itself.
	TLS bool
	// Version is reported by /healthz and the OpenAPI document.
	Version string
	// RequireTOTP makes staff of roles that read case content log in with
	// a second factor. Only a deployment's explicit choice turns it off.
	RequireTOTP bool
}

// Services are what the server serves. One store implements them all
// today; they are separate so each can be replaced or faked alone.
type Services struct {
	Cases         haven.CaseService
	Users         haven.UserService
	Orgs          haven.OrganisationService
	Auth          haven.AuthService
	Consents      haven.ConsentService
	Permits       haven.PermitService
	BreakGlass    haven.BreakGlassService
	Screenings    haven.ScreeningService
	Audit         AccessLog
	Identities    IdentitySearcher
	Lifecycle     LifecycleService
	NonPunishment NonPunishmentService
	Protection    haven.ProtectionService
	Health        Health
	// Statistics counts victims for the statistics page and API; every
	// table they serve is recorded in Releases first (GR 38 §111).
	Statistics stats.Source
	Releases   haven.ReleaseLog
	// Reports reads what the national rapporteur's report is computed
	// from (GR 38 §115, §117): plain columns only.
	Reports ReportSource
}

// IdentitySearcher finds cases by exact identity through blind indexes.
type IdentitySearcher interface {
	FindCasesByIdentity(ctx context.Context, q haven.IdentityQuery) ([]*haven.Case, error)
}

// AccessLog records reads and refusals of records, and tells who accessed
// a record. (Writes are logged by the store in their own transaction.)
type AccessLog interface {
	AuditAccess(ctx context.Context, action, outcome string, caseIDs ...string) error
	AccessHistory(ctx context.Context, caseID string) ([]haven.AuditEvent, error)
}

// Server serves Haven over HTTP.
type Server struct {
	Services
	Logger *slog.Logger

	config    Config
	catalog   *i18n.Catalog
	mux       *http.ServeMux
	routes    []string
	metrics   *metrics
	gatherer  prometheus.Gatherer
	screening catalogues
	searches  *rateLimiter
	handler   http.Handler
	routeErrs []error
}

// New returns a server with its routes registered. reg receives the
// server's metrics and is what /metrics serves; pass a fresh registry in tests.
func New(cfg Config, reg *prometheus.Registry, svc Services, logger *slog.Logger) (*Server, error) {
	catalog, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Services: svc, Logger: logger,
		config: cfg, catalog: catalog, mux: http.NewServeMux(), gatherer: reg,
		searches: newRateLimiter(searchesPerMinute, time.Minute),
	}
	if s.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}
	if _, err := s.screening.get(""); err != nil {
		return nil, fmt.Errorf("screening catalogue: %w", err)
	}
	if err := loadTemplates(); err != nil {
		return nil, err
	}
	if err := s.registerRoutes(); err != nil {
		return nil, err
	}
	s.handler = s.withRequestContext(s.mux)
	return s, nil
}

// ServeHTTP lets the server be used as an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns every route pattern the server registered.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// handle registers a route and remembers its pattern for the OpenAPI and
// policy checks. A route without a rule in policy.Routes is refused, so
// no route can be served that the policy does not know.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	if _, ok := policy.Routes[pattern]; !ok {
		s.routeErrs = append(s.routeErrs, fmt.Errorf("route %q has no rule in policy.Routes", pattern))
		return
	}
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, h)
}

// HTTPServer returns an http.Server for s with timeouts that keep slow
// clients from holding connections.
func (s *Server) HTTPServer(addr string, tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
}

// Listen opens addr, with a clear error when the port is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return nil, fmt.Errorf("cannot listen on %s: %v", addr, opErr.Err)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}
