package server

import (
	"net/http"
	"strconv"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// apiReleases lists the most recent releases of statistics and reports:
// who released what, when, through which channel and under which
// protection (GR 38 §111). It is oversight of the statistics, open to
// those who may read them; it holds no count.
func (s *Server) apiReleases(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.StatisticsRead, nil); err != nil {
		return err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			var val haven.Validation
			val.Add("limit", "must be a whole number from 1 to 1000")
			return &badRequest{val.Err()}
		}
		limit = n
	}
	if s.Releases == nil {
		return haven.Errorf(haven.EINTERNAL, "The record of releases is not available.")
	}
	rels, err := s.Releases.Releases(r.Context(), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"releases": rels})
}
