package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// searchesPerMinute bounds identity searches per user and instance: a
// search can be used to probe whether someone is known.
const searchesPerMinute = 30

// rateLimiter counts events per key in fixed windows. It is per instance:
// a deployment behind a load balancer multiplies the bound by the number
// of instances, which still stops probing at scale.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	counts map[string]int
	start  time.Time
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, counts: map[string]int{}}
}

// allow counts one event for key and tells whether it is within the limit.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}

// apiIdentitySearch finds cases by exact name, date of birth or document
// number. The query travels in the body, never in a URL; it is matched
// through blind indexes, never plaintext; and only cases whose identity
// the user may read are returned, so a search never reveals that a person
// is known to another organisation.
func (s *Server) apiIdentitySearch(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.IdentitySearch, nil); err != nil {
		return err
	}
	if !s.searches.allow(a.user.ID, time.Now()) {
		return haven.Errorf(haven.ETOOMANY, "Too many identity searches; wait a minute.")
	}
	var q haven.IdentityQuery
	if err := decodeJSON(w, r, &q); err != nil {
		return err
	}
	candidates, err := s.Identities.FindCasesByIdentity(r.Context(), q)
	if err != nil {
		return err
	}
	found := []*haven.Case{}
	for _, c := range candidates {
		rec, err := s.recordOf(r, a.user, c)
		if err != nil {
			return err
		}
		if policy.Decide(a.user, policy.PersonRead, rec) == policy.Allow {
			found = append(found, c)
		}
	}
	if err := s.Audit.AuditAccess(r.Context(), string(policy.IdentitySearch), haven.AuditAllowed, caseIDs(found)...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cases": found})
}
