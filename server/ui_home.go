package server

import (
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// homePath is where a user lands after logging in: the cases for those who
// work on them, the statistics or the rapporteur's report for those who
// only read aggregates, so nobody lands on a page that refuses them.
func homePath(u *haven.User) string {
	switch {
	case u == nil, policy.Decide(u, policy.CaseList, nil) == policy.Allow:
		return "/cases"
	case u.Role == haven.RoleRapporteur && policy.Decide(u, policy.ReportRead, nil) == policy.Allow:
		return "/reports/rapporteur"
	case policy.Decide(u, policy.StatisticsRead, nil) == policy.Allow:
		return "/statistics"
	case policy.Decide(u, policy.ReportRead, nil) == policy.Allow:
		return "/reports/rapporteur"
	case policy.Decide(u, policy.Inbox, nil) == policy.Allow:
		// Law enforcement, prosecution and immigration see no case list
		// (the firewall), but their inbox is theirs.
		return "/inbox"
	}
	return "/cases"
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	var u *haven.User
	if a, err := s.authenticate(r); err == nil && a.session != nil && !a.pending {
		u = a.user
	}
	http.Redirect(w, r, homePath(u), http.StatusSeeOther)
}

func init() {
	templateFuncs["mayListCases"] = func(u *haven.User) bool {
		return u != nil && policy.Decide(u, policy.CaseList, nil) == policy.Allow
	}
	templateFuncs["mayReadInbox"] = func(u *haven.User) bool {
		return u != nil && policy.Decide(u, policy.Inbox, nil) == policy.Allow
	}
}
