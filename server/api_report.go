package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/report"
)

// ReportSource reads what the national rapporteur's report is computed
// from: plain columns only, no key (store.DB.ReportInput).
type ReportSource interface {
	ReportInput(ctx context.Context, p report.Period) (*report.Input, error)
}

// reportPeriod reads the period of a report from ?from=YYYY-MM-DD&to=.
// Bad input is a 400 naming each bad field; the reasons never repeat the
// value.
func reportPeriod(r *http.Request) (report.Period, error) {
	q := r.URL.Query()
	p, err := report.ParsePeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		return report.Period{}, &badRequest{&haven.Error{Code: haven.EINVALID,
			Message: "The period of the report is not valid.", Fields: haven.ErrorFields(err)}}
	}
	return p, nil
}

// rapporteurReport computes the report for p, once the policy allowed it,
// and records its release before any of it is shown (GR 38 §111: who,
// when, which period, which protection), which also writes the access log.
// No case is named: the report holds aggregates only.
func (s *Server) rapporteurReport(ctx context.Context, p report.Period, channel, format string) (report.Report, error) {
	if s.Reports == nil || s.Releases == nil {
		return report.Report{}, haven.Errorf(haven.EINTERNAL, "The report is not available.")
	}
	in, err := s.Reports.ReportInput(ctx, p)
	if err != nil {
		return report.Report{}, err
	}
	rep := report.Compute(in)
	query, err := json.Marshal(struct {
		Report string `json:"report"`
		From   string `json:"from"`
		To     string `json:"to"`
		Format string `json:"format"`
	}{"rapporteur", p.From.String(), p.To.String(), format})
	if err != nil {
		return report.Report{}, err
	}
	rel := &haven.Release{Channel: channel, Query: string(query), Tables: 1,
		Protection: fmt.Sprintf("indicators, shares, medians and percentiles over fewer than %d cases suppressed", report.K)}
	if err := s.Releases.RecordRelease(ctx, rel); err != nil {
		return report.Report{}, fmt.Errorf("record release: %w", err)
	}
	return rep, nil
}

// reportJSON is the report as the API writes it: ids for machines, titles
// and labels in the request's language. A suppressed indicator or figure
// says "suppressed": true and carries no number.
type reportJSON struct {
	Period     periodJSON      `json:"period"`
	AsOf       time.Time       `json:"as_of"`
	K          int             `json:"k"`
	Indicators []indicatorJSON `json:"indicators"`
}

type periodJSON struct {
	From haven.Date `json:"from"`
	To   haven.Date `json:"to"`
}

type indicatorJSON struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Definition string       `json:"definition"`
	Paragraph  string       `json:"paragraph"`
	Suppressed bool         `json:"suppressed"`
	Cases      *int         `json:"cases,omitempty"`
	Figures    []figureJSON `json:"figures,omitempty"`
}

type figureJSON struct {
	ID         string   `json:"id"`
	Label      string   `json:"label"`
	Kind       string   `json:"kind"`
	Unit       string   `json:"unit"`
	Suppressed bool     `json:"suppressed"`
	Value      *float64 `json:"value,omitempty"`
	Shortfall  bool     `json:"shortfall,omitempty"`
}

func reportToJSON(l *i18n.Localizer, rep report.Report) reportJSON {
	out := reportJSON{Period: periodJSON{rep.Period.From, rep.Period.To}, AsOf: rep.AsOf, K: rep.K,
		Indicators: make([]indicatorJSON, 0, len(rep.Results))}
	for _, r := range rep.Results {
		ind := indicatorJSON{ID: r.ID, Title: l.T(r.Title), Definition: l.T(r.Definition), Paragraph: r.Paragraph,
			Suppressed: r.Suppressed}
		if !r.Suppressed {
			cases := r.Cases
			ind.Cases = &cases
			ind.Figures = make([]figureJSON, 0, len(r.Figures))
		}
		for _, f := range r.Figures {
			fj := figureJSON{ID: f.ID, Label: l.T(f.Label), Kind: string(f.Kind), Unit: string(f.Unit),
				Suppressed: f.Suppressed, Shortfall: f.Shortfall}
			if !f.Suppressed {
				v := f.Value
				fj.Value = &v
			}
			ind.Figures = append(ind.Figures, fj)
		}
		out.Indicators = append(out.Indicators, ind)
	}
	return out
}

func (s *Server) apiRapporteurReport(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ReportRead, nil); err != nil {
		return err
	}
	p, err := reportPeriod(r)
	if err != nil {
		return err
	}
	rep, err := s.rapporteurReport(r.Context(), p, haven.ReleaseAPI, "json")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, reportToJSON(s.localizer(r), rep))
}

// apiRapporteurReportPDF prints the report on A4, issued by the user's
// organisation and dated today.
func (s *Server) apiRapporteurReportPDF(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ReportRead, nil); err != nil {
		return err
	}
	p, err := reportPeriod(r)
	if err != nil {
		return err
	}
	org, err := s.Orgs.FindOrganisationByID(r.Context(), a.user.OrganisationID)
	if err != nil {
		return err
	}
	rep, err := s.rapporteurReport(r.Context(), p, haven.ReleaseAPI, "pdf")
	if err != nil {
		return err
	}
	doc := document.RapporteurReport(s.localizer(r), rep, org.Name, haven.DateOf(timeNow()))
	var buf bytes.Buffer
	if err := document.RenderPDF(&buf, doc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+document.RapporteurReference(p)+`.pdf"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
