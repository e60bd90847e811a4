package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/report"
)

func init() {
	// The layout asks the policy whether to link the rapporteur's report.
	templateFuncs["mayReadReport"] = func(u *haven.User) bool {
		return u != nil && policy.Decide(u, policy.ReportRead, nil) == policy.Allow
	}
}

// reportPage is what templates/report.html shows: the form, and for a
// valid period the report, its summary of shortfalls and the PDF link.
type reportPage struct {
	From, To   string // the form's values as sent
	Report     *report.Report
	Shortfalls []report.Shortfall
	Period     string // the period and the date of the data, as words
	AsOf       string
	PDF        string
}

// handleRapporteurReport shows the national rapporteur's report. Without
// a period it shows the last full calendar year.
func (s *Server) handleRapporteurReport(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ReportRead, nil); err != nil {
		return err
	}
	q := r.URL.Query()
	if !q.Has("from") && !q.Has("to") {
		year := timeNow().UTC().Year() - 1
		q.Set("from", time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		q.Set("to", time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	}
	d := &reportPage{From: q.Get("from"), To: q.Get("to")}
	pd := s.newPageData(r, a, d)
	p, err := report.ParsePeriod(d.From, d.To)
	if err != nil {
		pd.Error = pd.L.T("error.invalid")
		pd.FieldErrors = haven.ErrorFields(err)
		s.render(w, r, http.StatusUnprocessableEntity, "report", pd)
		return nil
	}
	rep, err := s.rapporteurReport(r.Context(), p, haven.ReleasePage, "html")
	if err != nil {
		return err
	}
	d.Report = &rep
	d.Shortfalls = rep.Shortfalls()
	d.Period = pd.L.T("report.period_value", "From", document.FormatDate(pd.L, p.From), "To", document.FormatDate(pd.L, p.To))
	d.AsOf = document.FormatDate(pd.L, haven.DateOf(rep.AsOf))
	d.PDF = (&url.URL{Path: "/api/v1/reports/rapporteur.pdf",
		RawQuery: url.Values{"from": {p.From.String()}, "to": {p.To.String()}}.Encode()}).String()
	s.render(w, r, http.StatusOK, "report", pd)
	return nil
}
