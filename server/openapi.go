package server

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes /api/v1. A test keeps it and the registered
// routes in step.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}
