package server

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz answers while the process runs.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.config.Version})
}

// handleReadyz answers 200 only while the database is reachable and its
// schema is the one this binary expects, so a load balancer stops sending
// requests to an instance that cannot serve them.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "schema": "ok"}
	status := http.StatusOK
	if err := s.Health.Ping(ctx); err != nil {
		checks["database"] = "unreachable"
		checks["schema"] = "unknown"
		status = http.StatusServiceUnavailable
		s.logger(r).Warn("readiness: database unreachable", "error", err)
	} else if err := s.Health.CheckSchema(ctx); err != nil {
		checks["schema"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}
