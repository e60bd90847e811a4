package server

import (
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// releasesPage is what templates/releases.html shows: the most recent
// releases of statistics and reports, newest first.
type releasesPage struct {
	Releases []releaseRow
}

type releaseRow struct {
	haven.Release
	By string // the staff member's username, or "" for the command line
}

// maxReleasesShown bounds the page; the API gives up to 1000.
const maxReleasesShown = 200

// handleReleases shows the record of releases to those who may read the
// statistics: oversight of what left Haven, by whom, under which
// protection (GR 38 §111, §115). It holds no count.
func (s *Server) handleReleases(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.StatisticsRead, nil); err != nil {
		return err
	}
	if s.Releases == nil {
		return haven.Errorf(haven.EINTERNAL, "The record of releases is not available.")
	}
	rels, err := s.Releases.Releases(r.Context(), maxReleasesShown)
	if err != nil {
		return err
	}
	d := &releasesPage{}
	names := map[string]string{}
	for _, rel := range rels {
		row := releaseRow{Release: rel}
		if rel.UserID != "" {
			name, ok := names[rel.UserID]
			if !ok {
				name = rel.UserID
				if u, err := s.Users.FindUserByID(r.Context(), rel.UserID); err == nil {
					name = u.Username
				}
				names[rel.UserID] = name
			}
			row.By = name
		}
		d.Releases = append(d.Releases, row)
	}
	s.render(w, r, http.StatusOK, "releases", s.newPageData(r, a, d))
	return nil
}
